"""Gunicorn settings of a Systraite web service (node or hub), read from the environment.

Used as is by systemd units, Ansible and the container images:
``gunicorn -c /path/to/gunicorn.conf.py node.config.wsgi``.

GUNICORN_BIND      address to listen on (default 127.0.0.1:8000; nginx is in front)
GUNICORN_WORKERS   worker processes (default 2 x CPUs + 1, at most 8)
GUNICORN_THREADS   threads per worker (default 1)
GUNICORN_TIMEOUT   seconds before a silent worker is killed (default 60)
PROMETHEUS_MULTIPROC_DIR  when set, every worker writes its metrics there and /metrics
                   aggregates them; the directory is emptied at start, and the files
                   of a dead worker are marked so its live gauges disappear.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not valid: expected an integer") from None


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Requests are logged by nginx; gunicorn's access log would repeat URLs whose
# query strings may hold searched names.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = 2000
max_requests_jitter = 200
# Worker heartbeat files on tmpfs, as gunicorn advises: a disk-backed /tmp can
# stall heartbeats and get workers killed. They hold no data.
SHM = Path("/dev/shm")  # noqa: S108
worker_tmp_dir = str(SHM) if SHM.is_dir() else None


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: old files would double-count."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Tell prometheus_client that this worker is gone (its live gauges go with it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
