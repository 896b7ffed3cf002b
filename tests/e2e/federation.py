"""Real processes for end-to-end tests: PostgreSQL databases, gunicorn, Celery, Redis.

Nothing here is a fake: a hub and nodes run as separate gunicorn processes,
each with its own PostgreSQL database; a node's Celery worker and beat use a
Redis database of their own. Everything is torn down by the fixtures.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from shared import signing

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("SYSTRAITE_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("SYSTRAITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def query(database: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"{PG}/{database}") as conn:
        return list(conn.execute(sql, params).fetchall())


@dataclass
class Service:
    """One Django project's environment and the processes started for it."""

    project: str
    workdir: Path
    env: dict[str, str]
    database: str
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, check: bool = True, timeout: float = 300) -> str:
        result = subprocess.run([str(BIN / f"systraite-{self.project}"), *args], env=self.env,
                                cwd=self.workdir, capture_output=True, text=True,
                                timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"systraite-{self.project} {' '.join(args)} failed:\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, env=self.env, cwd=self.workdir, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def start_web(self) -> None:
        self.start("web", [str(BIN / "gunicorn"), f"{self.project}.config.wsgi:application",
                           "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                           "--timeout", "60"])
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{self.project} did not become healthy; see {self.workdir}")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


def make_hub(tmp: Path) -> Service:
    workdir = tmp / "hub"
    workdir.mkdir(parents=True)
    database = create_database("e2e_hub")
    env = {**_base_env(workdir), "DATABASE_URL": f"{PG}/{database}"}
    hub = Service("hub", workdir, env, database)
    hub.manage("migrate", "--noinput")
    return hub


def make_node(tmp: Path, jurisdiction: str, hub: Service, linkage_secret: Path,
              redis_db: int) -> Service:
    node_id = jurisdiction.lower()
    workdir = tmp / node_id
    (workdir / "keys").mkdir(parents=True)
    key = signing.generate_private_key()
    (workdir / "keys" / "signing.pem").write_bytes(signing.private_key_to_pem(key))
    (workdir / "keys" / "signing.pub").write_bytes(signing.public_key_to_pem(key.public_key()))
    database = create_database(f"e2e_{node_id.replace('-', '_')}")
    env = {
        **_base_env(workdir),
        "DATABASE_URL": f"{PG}/{database}",
        "SYSTRAITE_JURISDICTION": jurisdiction,
        "SYSTRAITE_HUB_URL": hub.url,
        "SYSTRAITE_SIGNING_KEY_FILE": str(workdir / "keys" / "signing.pem"),
        "SYSTRAITE_LINKAGE_SECRET_FILE": str(linkage_secret),
        "SYSTRAITE_BROKER_URL": f"{REDIS}/{redis_db}",
        "SYSTRAITE_PUSH_INTERVAL_SECONDS": "2",
        "SYSTRAITE_REQUIRE_OTP": "false",
    }
    node = Service("node", workdir, env, database)
    node.manage("migrate", "--noinput")
    hub.manage("register-node", "--jurisdiction", jurisdiction, "--public-key",
               str(workdir / "keys" / "signing.pub"))
    return node


def linkage_secret_file(tmp: Path) -> Path:
    path = tmp / "linkage.secret"
    path.write_bytes(base64.b64encode(secrets.token_bytes(32)) + b"\n")
    return path


def _base_env(workdir: Path) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL")
    return {**{k: os.environ[k] for k in keep if k in os.environ},
            "SYSTRAITE_ENV": "test", "SYSTRAITE_VAR_DIR": str(workdir / "var"),
            "PYTHONPATH": str(ROOT)}


def start_worker(node: Service) -> None:
    node.start("worker", [str(BIN / "celery"), "-A", "node.config", "worker", "--pool", "solo",
                          "--loglevel", "INFO", "--without-gossip", "--without-mingle"])


def start_beat(node: Service) -> None:
    node.start("beat", [str(BIN / "celery"), "-A", "node.config", "beat", "--loglevel", "INFO",
                        "--schedule", str(node.workdir / "beat-schedule")])


class NodeApi:
    """A greffier's HTTP session on a node, through the real log-in and CSRF."""

    def __init__(self, node: Service, username: str = "greffier") -> None:
        password = "correct horse battery staple"
        (node.workdir / "pw").write_text(password)
        node.manage("createuser", username, "--role", "prosecutor", "--password-file",
                    str(node.workdir / "pw"), "--no-otp")
        self.client = httpx.Client(base_url=node.url, timeout=30)
        response = self.client.post("/api/v1/auth/login",
                                    json={"username": username, "password": password})
        assert response.status_code == 200, response.text

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        response = self.client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), (path, response.status_code, response.text)
        return dict(response.json())

    def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        response = self.client.patch(path, json=body, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.text)
        return dict(response.json())

    def delete(self, path: str) -> None:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}
        response = self.client.delete(path, headers=headers)
        assert response.status_code == 204, (path, response.status_code, response.text)


def hub_cells(hub: Service, node_id: str) -> dict[str, dict[str, int]]:
    rows = query(hub.database, """
        SELECT c."table", to_char(c.month, 'YYYY-MM'), c.d1, c.d2, c.d3, c.count
        FROM ingest_cell c JOIN registry_node n ON n.id = c.node_id
        WHERE n.node_id = %s""", (node_id,))
    out: dict[str, dict[str, int]] = {}
    for table, month, d1, d2, d3, count in rows:
        key = "|".join([month, *[d for d in (d1, d2, d3) if d != ""]])
        out.setdefault(table, {})[key] = count
    return out


def node_cells(node: Service) -> dict[str, dict[str, int]]:
    dumped: dict[str, dict[str, int]] = json.loads(node.manage("sync-dump"))
    return {table: {k.rstrip("|"): v for k, v in cells.items()} for table, cells in dumped.items()}


def wait_until(predicate: Any, *, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(message)
