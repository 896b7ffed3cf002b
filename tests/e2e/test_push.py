"""Node -> hub through the real parts: gunicorn, PostgreSQL, Redis, a Celery worker and beat.

The oracle is the node's own from-scratch recomputation (``systraite-node
sync-dump``) and its linkage tokens: the hub must hold exactly those cells and
token sets (what national distinct counts are made of), whatever happened on
the way (edits, deletions, the hub down, the worker killed, a hub whose token
sets are not the ones the node's deltas start from).
"""

from __future__ import annotations

import random
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.payload import set_digest
from tests.e2e.federation import (
    NodeApi,
    Service,
    drop_database,
    hub_cells,
    linkage_secret_file,
    make_hub,
    make_node,
    node_cells,
    query,
    start_beat,
    start_worker,
    wait_until,
)

pytestmark = pytest.mark.e2e
JURISDICTION = "SN-TGI-KED"


@pytest.fixture
def federation(tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    hub = make_hub(tmp_path)
    node = None
    try:
        hub.start_web()
        node = make_node(tmp_path, JURISDICTION, hub, linkage_secret_file(tmp_path),
                         redis_db=random.randint(1, 15))
        node.start_web()
        start_worker(node)
        start_beat(node)
        yield hub, node
    finally:
        for service in (node, hub):
            if service is not None:
                service.stop_all()
                drop_database(service.database)


def a_case(api: NodeApi, number: str, *, survivors: int = 2, month: str = "03") -> dict[str, Any]:
    case = api.post("/api/v1/cases/", {"parquet_number": number,
                                       "reported_on": f"2025-{month}-10",
                                       "identification_source": "ngo", "cross_border": True})
    for index in range(survivors):
        survivor = api.post("/api/v1/survivors/", {
            "family_name": f"Diallo{number[-2:]}{index}", "given_names": "Mamadou",
            "sex": "Male", "estimated_age": 9 + index, "nationality": "GN",
            "origin_country": "GN", "talibe": True})
        link = api.post("/api/v1/case-survivors/", {"case": case["id"],
                                                    "survivor": survivor["id"],
                                                    "identified_on": f"2025-{month}-10"})
        api.post("/api/v1/exploitations/", {"case_survivor": link["id"], "form": "begging",
                                             "means_of_control": ["PhysicalAbuse"]})
    trafficker = api.post("/api/v1/traffickers/", {"family_name": "Ba", "given_names": "Oumar",
                                                   "sex": "Male", "nationality": "SN"})
    defendant = api.post("/api/v1/defendants/", {"case": case["id"],
                                                 "trafficker": trafficker["id"],
                                                 "relationship": "QuranicTeacher"})
    api.post("/api/v1/steps/", {"case": case["id"], "defendant": defendant["id"],
                                "step": "police_custody", "occurred_on": f"2025-{month}-11"})
    return case


TokenRows = set[tuple[int, str, str]]  # (year, kind, token)


def hub_tokens(hub: Service) -> TokenRows:
    rows = query(hub.database, """
        SELECT s.year, s.kind, t.token FROM ingest_token t
        JOIN ingest_tokenset s ON s.id = t.token_set_id
        JOIN registry_node n ON n.id = s.node_id WHERE n.node_id = %s""", (JURISDICTION.lower(),))
    return {(year, kind, token) for year, kind, token in rows}


def node_tokens(node: Service) -> TokenRows:
    rows = query(node.database, """
        SELECT year, CASE WHEN survivor_id IS NULL THEN 'trafficker' ELSE 'survivor' END, token
        FROM people_linkagetoken""")
    return {(year, kind, token) for year, kind, token in rows}


def hub_digests_hold(hub: Service) -> bool:
    """Every stored set digest is the digest of the tokens stored with it."""
    held: dict[tuple[int, str], set[str]] = {}
    for year, kind, token in hub_tokens(hub):
        held.setdefault((year, kind), set()).add(token)
    digests = query(hub.database, "SELECT year, kind, digest FROM ingest_tokenset")
    return all(digest == set_digest(held.get((year, kind), set()))
               for year, kind, digest in digests)


def in_sync(hub: Service, node: Service) -> bool:
    return (hub_cells(hub, JURISDICTION.lower()) == node_cells(node)
            and hub_tokens(hub) == node_tokens(node))


def outbox_empty(node: Service) -> bool:
    rows = query(node.database, "SELECT count(*) FROM sync_outboxpayload WHERE status <> 'sent'"
                 " AND status <> 'superseded'")
    dirty = query(node.database, "SELECT count(*) FROM sync_dirty")
    return rows[0][0] == 0 and dirty[0][0] == 0


def settled(hub: Service, node: Service) -> bool:
    return outbox_empty(node) and in_sync(hub, node)


def test_the_hub_holds_exactly_what_the_node_counts_after_creations_edits_and_deletions(
        federation: tuple[Service, Service]) -> None:
    hub, node = federation
    api = NodeApi(node)
    first = a_case(api, "RP 01/2025")
    a_case(api, "RP 02/2025", survivors=3, month="04")
    wait_until(lambda: settled(hub, node), timeout=90, message="the hub never caught up")
    assert hub_cells(hub, "sn-tgi-ked")["survivors_sex_age_form"]

    api.patch(f"/api/v1/cases/{first['id']}/", {"reported_on": "2025-02-01"})
    links = api.client.get("/api/v1/case-survivors/", params={"case": first["id"]}).json()
    api.delete(f"/api/v1/case-survivors/{links['results'][0]['id']}/")
    wait_until(lambda: settled(hub, node), timeout=90,
               message="edits and deletions did not reach the hub")
    cells = hub_cells(hub, "sn-tgi-ked")["cases_source_form_crossborder"]
    assert not any(key.startswith("2025-03") for key in cells)
    assert hub_digests_hold(hub)


def test_everything_arrives_once_after_the_hub_was_down(
        federation: tuple[Service, Service]) -> None:
    hub, node = federation
    api = NodeApi(node)
    hub.stop("web")
    a_case(api, "RP 03/2025")
    a_case(api, "RP 04/2025", month="05")
    wait_until(lambda: query(node.database, "SELECT count(*) FROM sync_outboxpayload "
                             "WHERE attempts > 0 AND status = 'pending'")[0][0] > 0,
               timeout=60, message="the node never tried while the hub was down")
    hub.start_web()
    wait_until(lambda: settled(hub, node), timeout=120, message="nothing arrived after restart")
    accepted = query(hub.database, "SELECT sequence FROM ingest_submission "
                     "WHERE outcome = 'accepted' ORDER BY sequence")
    sequences = [row[0] for row in accepted]
    assert sequences == sorted(set(sequences)), "a sequence was accepted twice"


def test_the_hub_is_exact_after_the_worker_is_killed_mid_push(
        federation: tuple[Service, Service]) -> None:
    hub, node = federation
    api = NodeApi(node)
    rng = random.Random(7)
    for round_number in range(3):
        a_case(api, f"RP 1{round_number}/2025", survivors=rng.randint(1, 3))
        node.stop("worker", signal.SIGKILL)
        start_worker(node)
    wait_until(lambda: settled(hub, node), timeout=120,
               message="the hub is not exact after the worker was killed")


def test_the_node_resends_full_token_sets_when_the_hub_holds_other_ones(
        federation: tuple[Service, Service]) -> None:
    hub, node = federation
    api = NodeApi(node)
    a_case(api, "RP 21/2025", survivors=3)
    wait_until(lambda: settled(hub, node), timeout=90, message="the hub never caught up")
    # The hub is restored from a backup that lacks one survivor: its set, and its
    # digest, are not the base the node's next delta starts from.
    year, kind, lost = sorted(t for t in hub_tokens(hub) if t[1] == "survivor")[0]
    query(hub.database, "DELETE FROM ingest_token WHERE token = %s RETURNING id", (lost,))
    remaining = {t for y, k, t in hub_tokens(hub) if (y, k) == (year, kind)}
    query(hub.database, "UPDATE ingest_tokenset SET digest = %s WHERE year = %s AND kind = %s "
          "RETURNING id", (set_digest(remaining), year, kind))
    # A survivor the node has not seen (a_case's names differ by digits only, which the
    # identity normalisation drops), identified the same year: a delta of one token.
    case = a_case(api, "RP 22/2025", survivors=0)
    survivor = api.post("/api/v1/survivors/", {"family_name": "Sarr", "given_names": "Fatou",
                                               "sex": "Female", "estimated_age": 14})
    api.post("/api/v1/case-survivors/", {"case": case["id"], "survivor": survivor["id"],
                                         "identified_on": "2025-03-12"})
    wait_until(lambda: settled(hub, node), timeout=120,
               message="the node did not recover from a refused token base")
    refused = query(hub.database, "SELECT count(*) FROM ingest_submission "
                    "WHERE reason = 'token_base_mismatch'")
    assert refused[0][0] >= 1, "the hub never refused a delta: the test proved nothing"
    assert (year, kind, lost) in hub_tokens(hub)
    assert hub_digests_hold(hub)
