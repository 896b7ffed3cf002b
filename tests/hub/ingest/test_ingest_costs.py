"""What keeps an ingest cheap without changing what it stores or refuses.

- Python's cyclic collector does not run while a payload is ingested (its
  ~17,000 containers hold no cycle), and runs again afterwards, whatever the
  outcome; a caller that disabled it keeps it disabled.
- The (table, month) states every push rewrites get HOT updates: half-full
  pages and no index beyond the unique (node, table, month) one.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from hub.ingest import services
from hub.ingest.models import TableMonthState
from tests.hub.ingest.support import SigningNode, post, table_month

pytestmark = pytest.mark.django_db

PART = table_month("traffickers_role_form", "2026-03", {("Transporter", "forced_labour"): 4})


@pytest.fixture
def collector_seen(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether the collector was enabled when the payload's envelope was read."""
    seen: list[bool] = []
    envelope = services._envelope

    def spy(raw: bytes) -> dict[str, Any]:
        seen.append(gc.isenabled())
        return envelope(raw)

    monkeypatch.setattr(services, "_envelope", spy)
    assert gc.isenabled()
    yield seen
    gc.enable()


def test_the_collector_is_paused_during_an_ingest_and_resumed_after(
    anonymous: Client, ked: SigningNode, collector_seen: list[bool]
) -> None:
    response = ked.push(anonymous, ked.document(1, [PART]))
    assert response.status_code == 201, response.content
    assert collector_seen == [False]
    assert gc.isenabled()


def test_the_collector_resumes_after_a_refused_submission(
    anonymous: Client, ked: SigningNode, collector_seen: list[bool]
) -> None:
    response = post(anonymous, b'{"document": ')
    assert response.status_code == 400
    assert response.json()["reason"] == "malformed"
    assert collector_seen == [False]
    assert gc.isenabled()


def test_a_caller_that_disabled_the_collector_keeps_it_disabled(
    anonymous: Client, ked: SigningNode, collector_seen: list[bool]
) -> None:
    gc.disable()
    response = ked.push(anonymous, ked.document(1, [PART]))
    assert response.status_code == 201, response.content
    assert collector_seen == [False]
    assert not gc.isenabled()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage settings")
def test_the_states_table_keeps_room_for_hot_updates_and_one_index_on_the_node() -> None:
    table = TableMonthState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        assert cursor.fetchone()[0] == ["fillfactor=50"]
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = sorted(row[0].split(" USING ")[1] for row in cursor.fetchall())
    assert indexes == ["btree (id)", 'btree (node_id, "table", month)']
