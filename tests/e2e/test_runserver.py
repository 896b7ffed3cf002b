"""Both services start with no configuration at all and answer /healthz and /metrics."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bare_env(tmp_path: Path) -> dict[str, str]:
    """Only what a fresh shell has: no SYSTRAITE_*, no DATABASE_URL."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["HOME"] = str(tmp_path)  # nothing of the developer's leaks in
    return env


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.fixture(params=["node", "hub"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    command = str(BIN / f"systraite-{request.param}")
    env = bare_env(tmp_path)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    port = free_port()
    process = subprocess.Popen([command, "runserver", "--noreload", f"127.0.0.1:{port}"],
                               env=env, cwd=workdir, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_it_answers_healthz_with_no_configuration(server: str) -> None:
    response = httpx.get(f"{server}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_it_answers_metrics_with_no_configuration(server: str) -> None:
    httpx.get(f"{server}/healthz", timeout=5)
    response = httpx.get(f"{server}/metrics", timeout=5)
    assert response.status_code == 200
    assert "systraite_http_requests_total" in response.text


def test_a_wrong_setting_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    env = {**bare_env(tmp_path), "SYSTRAITE_PUSH_INTERVAL_SECONDS": "soon"}
    result = subprocess.run([str(BIN / "systraite-node"), "check"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "SYSTRAITE_PUSH_INTERVAL_SECONDS='soon' is not valid" in result.stderr
