"""`make bench`: run every benchmark, print one table, write bench/results/*.json.

Each benchmark runs in its own process (node and hub are separate Django
projects) against a fresh PostgreSQL database that is dropped afterwards. The
machines are shared and noisy, so every figure that matters is a ratio against
a baseline measured in the same process, interleaved with it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("SYSTRAITE_TEST_PG", "postgres://postgres@127.0.0.1:5432")

# (module, Django project)
BENCHMARKS = [
    ("case_list", "node"),
    ("sync_build", "node"),
    ("hub_ingest", "hub"),
    ("hub_dashboards", "hub"),
    ("hub_nodes", "hub"),
]


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = (
        Path("/proc/meminfo").read_text().splitlines()[0] if Path("/proc/meminfo").exists() else ""
    )
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "git": rev,
    }


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def run_one(name: str, project: str, selected: set[str]) -> dict[str, Any] | None:
    if selected and name not in selected:
        return None
    database = f"systraite_bench_{name}_{os.getpid()}"
    _psql(f"DROP DATABASE IF EXISTS {database}")
    _psql(f"CREATE DATABASE {database}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"{project}.config.settings",
        "DATABASE_URL": f"{PG}/{database}",
        "SYSTRAITE_ENV": "test",
        "SYSTRAITE_REQUIRE_OTP": "false",
        "SYSTRAITE_VAR_DIR": f"/tmp/{database}",
    }
    started = time.monotonic()
    try:
        out = subprocess.run(
            [sys.executable, "-m", f"bench.{name}"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    if out.returncode != 0:
        print(out.stdout[-3000:], out.stderr[-3000:], file=sys.stderr)
        return {"name": name, "error": f"exit {out.returncode}"}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def print_table(results: list[dict[str, Any]]) -> None:
    print(f"{'benchmark':14} {'figure':44} {'value':>14} {'target':>10} ok")
    for result in results:
        if "error" in result:
            print(f"{result['name']:14} ERROR {result['error']}")
            continue
        for figure, value in result["figures"].items():
            target = result.get("targets", {}).get(figure)
            ok = "" if target is None else ("yes" if _meets(value, target) else "NO")
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"{result['name']:14} {figure:44} {shown:>14} {target or '':>10} {ok}")


def _meets(value: float, target: str) -> bool:
    op, bound = target[:2], float(target[2:])
    return value <= bound if op == "<=" else value >= bound


def main() -> int:
    selected = set(sys.argv[1:])
    results = [r for name, project in BENCHMARKS if (r := run_one(name, project, selected))]
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"at": stamp, "machine": machine(), "results": results}
    for path in (RESULTS / f"{stamp}.json", RESULTS / "latest.json"):
        path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: bench/results/{stamp}.json")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
