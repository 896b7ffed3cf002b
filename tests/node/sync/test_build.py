"""The payload build: facts of what changed, cells grouped in SQL, signed outbox rows."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from node.keys import signing_key
from node.sync.build import payload_build
from node.sync.models import Dirty, OutboxPayload
from node.sync.services import mark_dirty
from shared import signing
from shared.payload import parse_payload
from tests.node.cases.test_case_flow import a_case, post

pytestmark = pytest.mark.django_db


def opened(outbox: OutboxPayload) -> dict[str, Any]:
    envelope = json.loads(gzip.decompress(bytes(outbox.body)))
    document = signing.verify_document(
        envelope, signing_key().public_key(), now=datetime.now(UTC), max_age=timedelta(minutes=5)
    )
    return dict(document)


def cells(document: dict[str, Any], table: str, month: str) -> dict[tuple[str, ...], int]:
    payload = parse_payload(document)
    parts = {(t.table, t.month): t.decoded() for t in payload.tables}
    return parts[(table, month)]


def a_survivor_in(client: APIClient, case: dict[str, Any], **fields: Any) -> dict[str, Any]:
    survivor = post(
        client,
        "/api/v1/survivors/",
        {
            "family_name": "Diallo",
            "given_names": "Awa",
            "sex": "Female",
            "estimated_age": 12,
            **fields,
        },
    )
    link = post(
        client,
        "/api/v1/case-survivors/",
        {"case": case["id"], "survivor": survivor["id"], "identified_on": "2025-03-10"},
    )
    post(client, "/api/v1/exploitations/", {"case_survivor": link["id"], "form": "begging"})
    return link


def test_a_build_carries_the_cells_of_the_months_that_changed(clerk: APIClient) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    a_survivor_in(clerk, case, family_name="Sow", sex="Male")
    result = payload_build()
    document = opened(result.outbox)
    assert cells(document, "survivors_sex_age_form", "2025-03") == {
        ("Female", "9-17", "begging"): 1,
        ("Male", "9-17", "begging"): 1,
    }
    assert cells(document, "cases_victims_form", "2025-03") == {("v2-4", "begging"): 1}
    assert not Dirty.objects.exists()


def test_nothing_changed_builds_nothing(clerk: APIClient) -> None:
    a_case(clerk)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    assert payload_build().outbox is None


def test_a_corrected_date_resends_the_month_it_left_as_empty(clerk: APIClient) -> None:
    case = a_case(clerk)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    response = clerk.patch(
        f"/api/v1/cases/{case['id']}/", {"reported_on": "2025-02-01"}, format="json"
    )
    assert response.status_code == 200
    document = opened(payload_build().outbox)
    assert cells(document, "cases_source_form_crossborder", "2025-03") == {}
    assert cells(document, "cases_source_form_crossborder", "2025-02") == {
        ("police", "unknown", "yes"): 1
    }


def test_a_newer_build_supersedes_an_unsent_one_and_carries_its_months(clerk: APIClient) -> None:
    a_case(clerk)
    first = payload_build().outbox
    a_case(clerk, "RP 99/2024")
    clerk.patch("/api/v1/cases/1/", {}, format="json")
    second = payload_build().outbox
    first.refresh_from_db()
    assert first.status == "superseded" and second.sequence == first.sequence + 1
    assert set(first.parts) <= set(second.parts)


def test_survivor_tokens_travel_as_a_sorted_bare_set_per_year(clerk: APIClient) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    document = opened(payload_build().outbox)
    sets = {(s["year"], s["kind"]): s for s in document["tokens"]}
    assert len(sets[(2025, "survivor")]["tokens"]) == 1
    assert set(sets[(2025, "survivor")]) == {"year", "kind", "key_id", "tokens"}


def test_a_deleted_survivor_link_leaves_the_counts(clerk: APIClient) -> None:
    case = a_case(clerk)
    link = a_survivor_in(clerk, case)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    assert clerk.delete(f"/api/v1/case-survivors/{link['id']}/").status_code == 204
    document = opened(payload_build().outbox)
    assert cells(document, "survivors_sex_age_form", "2025-03") == {}


def test_a_pending_payload_is_not_rebuilt_when_nothing_changed(clerk: APIClient) -> None:
    a_case(clerk)
    pending = payload_build().outbox
    assert payload_build().outbox is None
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_refused_payload_is_rebuilt_with_its_parts_at_the_next_cycle(clerk: APIClient) -> None:
    a_case(clerk)
    refused = payload_build().outbox
    OutboxPayload.objects.filter(pk=refused.pk).update(status="failed")
    again = payload_build().outbox
    refused.refresh_from_db()
    assert again is not None and refused.status == "superseded"
    assert set(refused.parts) <= set(again.parts)


def test_a_record_marked_without_a_change_rewrites_none_of_its_facts(clerk: APIClient) -> None:
    case = a_case(clerk)
    a_survivor_in(clerk, case)
    payload_build()
    OutboxPayload.objects.update(status="sent")
    before = _fact_addresses()
    mark_dirty(cases=[case["id"]])
    assert payload_build().parts == 0
    assert _fact_addresses() == before


def _fact_addresses() -> set[str]:
    """Where each fact row is stored: a rewritten row moves (facts have no id, 0007)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM sync_fact")
        return {row[0] for row in cursor.fetchall()}
