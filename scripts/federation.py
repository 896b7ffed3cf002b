"""The local federation: the hub and the five pilot nodes on one machine.

`make demo` (``python -m scripts.federation run``) starts everything on
embedded defaults — SQLite databases and keys under ``var/demo/``, no database
or broker server — seeds each node with synthetic cases, runs a push cycle,
publishes the partner figures (``systraite-hub publish``), prints the
addresses and demonstration log-ins, then pushes and publishes again every
minute until interrupted, and stops everything it started.

`make demo-check` (``... check``) does the same once, non-interactively, from
empty databases, and exits 0 only when the hub shows fresh data from all five
nodes. ``SYSTRAITE_DEMO_DIR`` moves ``var/demo`` elsewhere (the tests do).

With ``SYSTRAITE_DEMO_PG=postgres://user@host:port`` the same command uses
PostgreSQL (one database per service, created if missing).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEMO = Path(os.environ.get("SYSTRAITE_DEMO_DIR", ROOT / "var" / "demo"))
PILOTS = ("SN-TGI-DKR", "SN-TGI-KED", "SN-TGI-STL", "SN-TGI-TAM", "SN-TGI-THS")
PASSWORD = "demo-systraite-2026"  # demonstration only: OTP is relaxed and every page says so
PUSH_EVERY_SECONDS = 60


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


@dataclass
class Service:
    name: str
    project: str
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = DEMO / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, quiet: bool = True) -> str:
        result = subprocess.run([str(BIN / f"systraite-{self.project}"), *args], env=self.env,
                                cwd=ROOT, capture_output=quiet, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"{self.name}: systraite-{self.project} {' '.join(args)} failed\n"
                     f"{result.stdout or ''}{result.stderr or ''}")
        return result.stdout or ""

    def start(self) -> None:
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), f"{self.project}.config.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"],
            env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        sys.exit(f"{self.name} did not start; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


def database_url(name: str) -> str:
    server = os.environ.get("SYSTRAITE_DEMO_PG")
    if not server:
        return f"sqlite:///{DEMO / name / 'db.sqlite3'}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f'CREATE DATABASE "demo_{name}"'],
                   capture_output=True, check=False)
    return f"{server}/demo_{name.replace('-', '_')}"


def base_env(name: str) -> dict[str, str]:
    (DEMO / name).mkdir(parents=True, exist_ok=True)
    keep = ("PATH", "HOME", "LANG", "LC_ALL")
    return {**{k: os.environ[k] for k in keep if k in os.environ},
            "SYSTRAITE_ENV": "development", "SYSTRAITE_REQUIRE_OTP": "false",
            "SYSTRAITE_VAR_DIR": str(DEMO / name), "DATABASE_URL": database_url(name),
            "SYSTRAITE_PUSH_ENABLED": "false"}


def prepare_hub() -> Service:
    hub = Service("hub", "hub", base_env("hub"), free_port(8000))
    hub.manage("migrate", "--noinput")
    return hub


def prepare_node(jurisdiction: str, hub: Service, port: int, cases: int, seed: int) -> Service:
    name = jurisdiction.lower()
    env = {**base_env(name), "SYSTRAITE_JURISDICTION": jurisdiction,
           "SYSTRAITE_HUB_URL": hub.url,
           "SYSTRAITE_LINKAGE_SECRET_FILE": str(DEMO / "linkage.secret"),
           "SYSTRAITE_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    node = Service(name, "node", env, port)
    node.manage("migrate", "--noinput")
    public = DEMO / name / "signing.pub"
    public.write_text(node.manage("signing-key"))
    hub.manage("register-node", "--jurisdiction", jurisdiction, "--public-key", str(public))
    if not (DEMO / name / "seeded").exists():
        node.manage("seed", "--cases", str(cases), "--seed", str(seed), quiet=True)
        (DEMO / name / "seeded").touch()
    return node


def create_users(hub: Service, nodes: list[Service]) -> None:
    password_file = DEMO / "password"
    password_file.write_text(PASSWORD)
    for service, users in [(hub, [("analyste", "analyst"), ("partenaire", "partner")])] + [
            (node, [("greffier", "clerk"), ("procureur", "prosecutor")]) for node in nodes]:
        for username, role in users:
            subprocess.run([str(BIN / f"systraite-{service.project}"), "createuser", username,
                            "--role", role, "--password-file", str(password_file), "--no-otp"],
                           env=service.env, cwd=ROOT, capture_output=True, check=False)


def push_all(nodes: list[Service]) -> None:
    for node in nodes:
        node.manage("push")


def hub_fresh(hub: Service, since: datetime) -> list[str]:
    """The pilot nodes the hub has heard from since ``since``."""
    listed = json.loads(hub.manage("list-nodes", "--json"))
    return sorted(n["jurisdiction"] for n in listed if n["last_success_at"]
                  and datetime.fromisoformat(n["last_success_at"]) >= since)


def start(cases: int, seed: int, fresh: bool) -> tuple[Service, list[Service]]:
    if fresh and DEMO.exists():
        shutil.rmtree(DEMO)
    DEMO.mkdir(parents=True, exist_ok=True)
    secret = DEMO / "linkage.secret"
    if not secret.exists():
        secret.write_bytes(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    print("Préparation du hub…", flush=True)
    hub = prepare_hub()
    hub.start()
    hub.wait()
    nodes = []
    for index, jurisdiction in enumerate(PILOTS, start=1):
        print(f"Préparation du nœud {jurisdiction} ({cases} affaires synthétiques)…", flush=True)
        nodes.append(prepare_node(jurisdiction, hub, free_port(8000 + index), cases, seed))
    create_users(hub, nodes)
    for node in nodes:
        node.start()
    for node in nodes:
        node.wait()
    return hub, nodes


def banner(hub: Service, nodes: list[Service]) -> None:
    print("\nFédération Systraite de démonstration (second facteur désactivé)")
    print(f"  Hub national      {hub.url}/   analyste / partenaire")
    for node in nodes:
        print(f"  Nœud {node.name.upper():12} {node.url}/   greffier / procureur")
    print(f"  Mot de passe : {PASSWORD}    Journaux : {DEMO}/*.log\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["run", "check"])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("DEMO_CASES", "150")))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fresh", action="store_true", help="start again from empty databases")
    args = parser.parse_args()
    started_at = datetime.now(UTC) - timedelta(seconds=1)
    hub, nodes = start(args.cases, args.seed, fresh=args.fresh or args.mode == "check")
    try:
        push_all(nodes)
        reporting = hub_fresh(hub, started_at)
        if args.mode == "check":
            missing = sorted(set(PILOTS) - set(reporting))
            print(f"Le hub a reçu des données fraîches de {len(reporting)}/5 nœuds"
                  + (f" ; manquants : {', '.join(missing)}" if missing else "."))
            return 0 if not missing else 1
        print("Publication des chiffres protégés (partenaires)…", flush=True)
        hub.manage("publish")  # in production hourly by cron; here after every push
        banner(hub, nodes)
        while True:
            time.sleep(PUSH_EVERY_SECONDS)
            push_all(nodes)
            hub.manage("publish")
    except KeyboardInterrupt:
        print("\nArrêt de la fédération…")
        return 0
    finally:
        for service in [*nodes, hub]:
            service.stop()


if __name__ == "__main__":
    sys.exit(main())
