"""Facts and cell counts are derived state, unlogged on PostgreSQL: losing them loses nothing.

A crash of PostgreSQL empties every unlogged table (facts, counts and their
sentinel) while the logged rest stays; the tests do to those tables what crash
recovery does, then check that the next build answers with counts derived
again from the records, and re-sends every month the hub may hold.
"""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from node.sync.build import payload_build
from node.sync.models import CellCount, OutboxPayload
from tests.node.cases.test_case_flow import a_case
from tests.node.sync.test_build import cells, opened

pytestmark = pytest.mark.django_db

TABLE = "cases_source_form_crossborder"


def crash_recovery() -> None:
    """What PostgreSQL does to unlogged tables when it recovers from a crash."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sync_fact, sync_cellcount, sync_factssentinel")


def test_the_derived_tables_are_unlogged() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpersistence FROM pg_class WHERE relname = ANY(%s)",
            [["sync_fact", "sync_cellcount", "sync_factssentinel", "sync_dirty"]],
        )
        persistence = dict(cursor.fetchall())
    assert persistence == {
        "sync_fact": "u",
        "sync_cellcount": "u",
        "sync_factssentinel": "u",
        "sync_dirty": "p",
    }


def test_after_a_crash_the_build_derives_every_count_again(clerk: APIClient) -> None:
    a_case(clerk)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    crash_recovery()
    a_case(clerk, "RP 13/2025")  # one change after the crash: not the only case counted
    document = opened(payload_build().outbox)
    assert cells(document, TABLE, "2025-03") == {("police", "unknown", "yes"): 2}
    assert CellCount.objects.get(table=TABLE).count == 2


def test_after_a_crash_a_month_left_since_is_sent_empty(clerk: APIClient) -> None:
    case = a_case(clerk)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    crash_recovery()
    response = clerk.patch(
        f"/api/v1/cases/{case['id']}/", {"reported_on": "2025-02-01"}, format="json"
    )
    assert response.status_code == 200
    document = opened(payload_build().outbox)
    assert cells(document, TABLE, "2025-03") == {}
    assert cells(document, TABLE, "2025-02") == {("police", "unknown", "yes"): 1}


def test_a_rederive_sends_a_month_that_lost_its_last_cell(clerk: APIClient) -> None:
    case = a_case(clerk)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    clerk.patch(f"/api/v1/cases/{case['id']}/", {"reported_on": "2025-02-01"}, format="json")
    document = opened(payload_build(rederive=True).outbox)
    assert cells(document, TABLE, "2025-03") == {}
