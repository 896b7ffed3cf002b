"""Converge the hub and two nodes FOR REAL on this machine, then operate them.

One module-scoped federation (tests/ops/federation.py): site.yml converges the
hub, SN-TGI-DKR and SN-TGI-KED into a temporary root (real PostgreSQL databases,
real Redis, gunicorn and Celery started by the roles' start-stop-daemon mode);
the tests then run in order: a second run changes nothing, both nodes answer
/healthz, a case reaches the hub through `systraite-node push`, add_jurisdiction.yml
brings SN-TGI-STL in, and a backup -> wipe -> restore drill keeps the data.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.ops.federation import PG_ADMIN, Federation, recap

pytestmark = [pytest.mark.ops, pytest.mark.timeout(1800)]
CONVERGED = ["hub", "sn-tgi-dkr", "sn-tgi-ked"]
CREATE_CASE = (
    "from datetime import date; from node.cases.services import case_create; "
    "case_create(actor=None, data={'parquet_number': 'RP 1/2025', 'reported_on': date(2025, 3, 3), "
    "'identification_source': 'police', 'cross_border': True})"
)
COUNT_CASES = "from node.cases.models import Case; print(Case.objects.count())"


def hub_cells(federation: Federation, node_id: str) -> int:
    result = federation.command(
        "hub",
        "shell",
        "-c",
        (
            "from django.db.models import Sum; from hub.ingest.models import Cell; "
            f"cells = Cell.objects.filter(node__node_id='{node_id}'); "
            "print(cells.aggregate(s=Sum('count'))['s'] or 0)"
        ),
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def hub_row(federation: Federation, node_id: str) -> list[str]:
    result = federation.command("hub", "list-nodes")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith(node_id + " ")]
    assert len(rows) == 1, result.stdout
    return rows[0]


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    fed = Federation(tmp_path_factory.mktemp("federation"))
    fed.write_inventory()
    try:
        result = fed.playbook("site.yml", "--limit", ",".join(CONVERGED))
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
        yield fed
    finally:
        fed.stop_all()
        fed.drop_databases()
        fed.remove_release()


def test_a_second_run_of_site_yml_changes_nothing(federation: Federation) -> None:
    result = federation.playbook("site.yml", "--limit", ",".join(CONVERGED))
    assert result.returncode == 0, result.stdout[-4000:]
    hosts = recap(result.stdout)
    assert {host: hosts[host]["changed"] for host in CONVERGED} == dict.fromkeys(CONVERGED, 0), (
        "\n".join(line for line in result.stdout.splitlines() if line.startswith("changed"))
    )


@pytest.mark.parametrize("instance", CONVERGED)
def test_every_converged_instance_answers_healthz(federation: Federation, instance: str) -> None:
    response = httpx.get(f"http://127.0.0.1:{federation.ports[instance]}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_both_nodes_share_the_server_but_nothing_else(federation: Federation) -> None:
    dkr, ked = (federation.instance_dir(n) for n in ("sn-tgi-dkr", "sn-tgi-ked"))
    assert (dkr / "keys/signing.pem").read_bytes() != (ked / "keys/signing.pem").read_bytes()
    assert (dkr / "keys/linkage.secret").read_bytes() == (ked / "keys/linkage.secret").read_bytes()
    assert oct((dkr / "keys/field.key").stat().st_mode & 0o777) == "0o600"
    assert federation.ports["sn-tgi-dkr"] != federation.ports["sn-tgi-ked"]


def test_a_case_created_on_a_node_reaches_the_hub_after_a_push(federation: Federation) -> None:
    created = federation.command("sn-tgi-dkr", "shell", "-c", CREATE_CASE)
    assert created.returncode == 0, created.stderr
    before = hub_cells(federation, "sn-tgi-dkr")
    pushed = federation.command("sn-tgi-dkr", "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert hub_cells(federation, "sn-tgi-dkr") > before
    assert int(hub_row(federation, "sn-tgi-dkr")[3]) >= 1


def test_the_scheduled_publication_runs_through_the_wrapper_and_again_changes_nothing(
    federation: Federation,
) -> None:
    # What the hub role's cron job runs (hub_publish_command), minus the schedule.
    first = federation.command("hub", "publish")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "publiée : survivors_identified" in first.stdout
    second = federation.command("hub", "publish")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 publication(s) calculée(s)" in second.stdout


def test_the_scheduled_housekeeping_runs_through_the_wrapper(federation: Federation) -> None:
    # What the hub role's daily cron job runs (hub_housekeeping_command).
    done = federation.command("hub", "housekeeping")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "session(s) expirée(s)" in done.stdout


def test_add_jurisdiction_brings_a_third_node_that_the_hub_lists_as_reporting(
    federation: Federation,
) -> None:
    result = federation.playbook("add_jurisdiction.yml", "-e", "jurisdiction=sn-tgi-stl")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert hub_row(federation, "sn-tgi-stl")[1:3] == ["SN-TGI-STL", "active"]
    created = federation.command("sn-tgi-stl", "shell", "-c", CREATE_CASE)
    assert created.returncode == 0, created.stderr
    pushed = federation.command("sn-tgi-stl", "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    row = hub_row(federation, "sn-tgi-stl")
    assert int(row[3]) >= 1 and row[4] != "never"
    assert hub_cells(federation, "sn-tgi-stl") > 0
    prometheus = (federation.base / "prometheus/prometheus.yml").read_text()
    assert "sn-tgi-stl" in prometheus


def test_backup_wipe_restore_keeps_the_data_and_a_working_node(federation: Federation) -> None:
    node = "sn-tgi-dkr"
    cases = federation.command(node, "shell", "-c", COUNT_CASES).stdout.split()[-1]
    assert int(cases) >= 1
    backed_up = federation.playbook("backup.yml", "--limit", node)
    assert backed_up.returncode == 0, backed_up.stdout[-4000:]
    dumps = list((federation.base / "backups" / node).glob(f"{node}-*.dump.gpg"))
    assert len(dumps) == 1 and b"RP 1/2025" not in dumps[0].read_bytes()
    metric = (federation.base / "textfile" / f"systraite-backup-{node}.prom").read_text()
    gauge = "systraite_backup_last_success_timestamp_seconds"
    assert f'{gauge}{{systraite_instance="{node}"}}' in metric

    wiped = subprocess.run(
        [
            "psql",
            f"{PG_ADMIN}/postgres",
            "-c",
            f'DROP DATABASE "{federation.database(node)}" WITH (FORCE)',
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wiped.returncode == 0, wiped.stderr
    assert federation.command(node, "shell", "-c", COUNT_CASES).returncode != 0

    restored = federation.playbook("restore.yml", "--limit", node)
    assert restored.returncode == 0, restored.stdout[-6000:] + restored.stderr[-2000:]
    assert federation.command(node, "shell", "-c", COUNT_CASES).stdout.split()[-1] == cases
    response = httpx.get(f"http://127.0.0.1:{federation.ports[node]}/healthz", timeout=10)
    assert response.status_code == 200
    pushed = federation.command(node, "push")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert federation.command(node, "audit-verify").returncode == 0


def test_restore_refuses_to_run_without_a_limit(federation: Federation) -> None:
    result = federation.playbook("restore.yml")
    assert result.returncode != 0
    assert "restore one instance at a time" in result.stdout
