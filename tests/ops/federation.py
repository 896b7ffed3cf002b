"""A throw-away federation on this machine, converged by the real playbooks.

The inventory puts the hub and the nodes on this one machine (``connection:
local``), under a temporary root, with per-run database names on the local
PostgreSQL, Redis databases 13-15 and free ports; systemd is replaced by the
roles' ``daemon`` service manager (start-stop-daemon and pid files).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("SYSTRAITE_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_DBS = {"sn-tgi-dkr": 13, "sn-tgi-ked": 14, "sn-tgi-stl": 15}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Federation:
    base: Path
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    ports: dict[str, int] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"systraite_ops{self.run_id}_"

    def instance_dir(self, instance: str) -> Path:
        return self.base / "srv" / instance

    def database(self, instance: str) -> str:
        return self.prefix + instance.replace("-", "_")

    def write_inventory(self) -> Path:
        for instance in ["hub", *REDIS_DBS]:
            self.ports[instance] = free_port()
        host = PG_ADMIN.split("@", 1)[1].split(":")[0]
        common = {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "ansible_become": False,
            "app_release": f"ops-{self.run_id}",
            "app_root": str(self.base / "srv"),
            "app_config_dir": str(self.base / "etc"),
            "app_build_dir": str(ROOT / "var" / "ops-release"),
            "app_manage_user": False,
            "app_user": "root",
            "app_group": "root",
            "app_service_manager": "daemon",
            "app_database_host": host,
            "app_database_prefix": self.prefix,
            "app_gunicorn_workers": 1,
            "postgresql_manage_server": False,
            "postgresql_login_host": host,
            "postgresql_database_prefix": self.prefix,
            "redis_manage_server": False,
            "common_install_packages": False,
            "common_root": str(self.base / "srv"),
            "common_config_dir": str(self.base / "etc"),
            "nginx_enabled": False,
            "backup_dir": str(self.base / "backups" / "{{ inventory_hostname }}"),
            "backup_bin_dir": str(self.base / "sbin"),
            "backup_textfile_dir": str(self.base / "textfile"),
            "backup_cron_enabled": False,
            "hub_publish_cron_enabled": False,  # no crontab on the test machine; run by hand
            "hub_housekeeping_cron_enabled": False,
            "restore_admin_user": "root",
            "restore_admin_database_url": f"{PG_ADMIN}/postgres",
            "monitoring_manage_packages": False,
            "monitoring_config_dir": str(self.base / "prometheus"),
            "monitoring_scheme": "http",
            "node_worker_concurrency": 1,
            "node_push_interval_seconds": 3600,
            "node_hub_url": f"http://127.0.0.1:{self.ports['hub']}",
            "node_linkage_secret": "{{ vault_systraite_linkage_secret }}",
            "app_metrics_token": "{{ vault_systraite_metrics_token }}",
            "backup_passphrase": "{{ vault_systraite_backup_passphrase }}",
            "monitoring_metrics_token": "{{ vault_systraite_metrics_token }}",
        }
        node = lambda name: {"app_port": self.ports[name], "node_redis_db": REDIS_DBS[name]}  # noqa: E731
        inventory = {
            "all": {
                "vars": common,
                "children": {
                    "national": {"hosts": {"hub": {"app_port": self.ports["hub"]}}},
                    "monitoring": {"hosts": {"hub": {}}},
                    "nodes": {
                        "children": {
                            "ca_dakar": {"hosts": {"sn-tgi-dkr": node("sn-tgi-dkr")}},
                            "ca_tambacounda": {"hosts": {"sn-tgi-ked": node("sn-tgi-ked")}},
                            "ca_saint_louis": {"hosts": {"sn-tgi-stl": node("sn-tgi-stl")}},
                        }
                    },
                },
            }
        }
        path = self.base / "inventory.json"
        path.write_text(json.dumps(inventory, indent=2))
        return path

    def playbook(
        self, name: str, *args: str, timeout: int = 900
    ) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "ANSIBLE_CONFIG": str(ROOT / "ansible" / "ansible.cfg"),
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PIPELINING": "True",
            "ANSIBLE_GATHERING": "smart",
            "PATH": f"{BIN}:{os.environ['PATH']}",
        }
        argv = [
            str(BIN / "ansible-playbook"),
            "-i",
            str(self.base / "inventory.json"),
            "--vault-password-file",
            str(FIXTURES / "vault-password"),
            "-e",
            f"@{FIXTURES / 'vault.yml'}",
            name,
            *args,
        ]
        return subprocess.run(
            argv,
            cwd=ROOT / "ansible",
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def command(
        self, instance: str, *args: str, timeout: int = 180
    ) -> subprocess.CompletedProcess[str]:
        kind = "hub" if instance == "hub" else "node"
        wrapper = self.instance_dir(instance) / "bin" / f"systraite-{kind}"
        return subprocess.run(
            [str(wrapper), *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    def stop_all(self) -> None:
        for instance in ["hub", *REDIS_DBS]:
            ctl = self.instance_dir(instance) / "bin" / "systraite-ctl"
            if ctl.exists():
                subprocess.run([str(ctl), "stop"], capture_output=True, timeout=120, check=False)

    def remove_release(self) -> None:
        """The release built on the "controller" for this run (the wheels stay cached)."""
        release = ROOT / "var" / "ops-release" / f"ops-{self.run_id}"
        shutil.rmtree(release, ignore_errors=True)
        release.with_suffix(".tar").unlink(missing_ok=True)

    def drop_databases(self) -> None:
        query = "SELECT datname FROM pg_database WHERE datname LIKE %s"
        rows = subprocess.run(
            ["psql", f"{PG_ADMIN}/postgres", "-tAc", query.replace("%s", f"'{self.prefix}%'")],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        for name in rows:
            subprocess.run(
                [
                    "psql",
                    f"{PG_ADMIN}/postgres",
                    "-c",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                ],
                capture_output=True,
                check=False,
            )


def recap(output: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP of an ansible-playbook run: host -> {ok, changed, failed, ...}."""
    hosts = {}
    for line in output.split("PLAY RECAP", 1)[-1].splitlines():
        match = re.match(r"^(\S+)\s+:\s+(.*)$", line.strip())
        if match:
            counts = re.findall(r"(\w+)=(\d+)", match.group(2))
            if counts:
                hosts[match.group(1)] = {key: int(value) for key, value in counts}
    return hosts
