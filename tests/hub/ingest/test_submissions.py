"""Accepted, replaced and duplicate submissions, through the HTTP API."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from hub.ingest.models import Cell, Outcome, Submission, TableMonthState, Token, TokenSet
from shared.payload import TableMonth
from tests.hub.ingest.support import (
    SigningNode,
    cell_dump,
    stored_state,
    table_month,
    token_set,
)

pytestmark = pytest.mark.django_db

SEX_AGE_FORM = "survivors_sex_age_form"
MARCH = {("Male", "9-17", "begging"): 12, ("Female", "0-8", "forced_labour"): 3}
APRIL = {("Female", "18-20", "sexual_exploitation"): 2}
ROLES = {("Transporter", "forced_labour"): 4}


def _stored(node: SigningNode, table: str, month: date) -> dict[tuple[str, ...], int]:
    rows = Cell.objects.filter(node__node_id=node.node_id, table=table, month=month)
    return {tuple(d for d in (c.d1, c.d2, c.d3) if d): c.count for c in rows}


def test_it_stores_the_cells_of_an_accepted_payload(anonymous: Client, ked: SigningNode) -> None:
    parts = [
        table_month(SEX_AGE_FORM, "2026-03", MARCH),
        table_month("traffickers_role_form", "2026-03", ROLES),
    ]
    response = ked.push(anonymous, ked.document(1, parts))
    assert response.status_code == 201
    assert response.json() == {"outcome": "accepted", "sequence": 1, "table_months": 2, "cells": 3}
    for part in parts:
        expected = TableMonth.model_validate(part).decoded()
        assert _stored(ked, part["table"], date(2026, 3, 1)) == expected
    node = ked.node
    assert node.last_sequence == 1 and node.last_success_at is not None
    assert Submission.objects.get().outcome == Outcome.ACCEPTED


def test_it_answers_a_replayed_payload_as_a_duplicate_and_changes_nothing(
    anonymous: Client, ked: SigningNode
) -> None:
    envelope_document = ked.document(1, [table_month(SEX_AGE_FORM, "2026-03", MARCH)])
    assert ked.push(anonymous, envelope_document).status_code == 201
    before = cell_dump()
    response = ked.push(anonymous, envelope_document)
    assert response.status_code == 200
    assert response.json() == {"outcome": "duplicate", "last_sequence": 1}
    assert cell_dump() == before
    assert Submission.objects.filter(outcome=Outcome.DUPLICATE, sequence=1).count() == 1


def test_it_answers_an_older_sequence_as_a_duplicate(anonymous: Client, ked: SigningNode) -> None:
    assert ked.push(anonymous, ked.document(5, [table_month(SEX_AGE_FORM, "2026-03", MARCH)]))
    before = stored_state()
    older = ked.document(4, [table_month(SEX_AGE_FORM, "2026-03", APRIL)])
    response = ked.push(anonymous, older)
    assert response.json() == {"outcome": "duplicate", "last_sequence": 5}
    after = stored_state()
    assert after["cells"] == before["cells"]
    assert after["TableMonthState"] == before["TableMonthState"]
    assert ked.node.last_sequence == 5


def test_a_newer_payload_replaces_the_cells_of_its_month(
    anonymous: Client, ked: SigningNode
) -> None:
    ked.push(anonymous, ked.document(1, [table_month(SEX_AGE_FORM, "2026-03", MARCH)]))
    ked.push(anonymous, ked.document(2, [table_month(SEX_AGE_FORM, "2026-04", APRIL)]))
    corrected = {("Male", "9-17", "begging"): 11}
    newer = ked.document(3, [table_month(SEX_AGE_FORM, "2026-03", corrected)])
    response = ked.push(anonymous, newer)
    assert response.status_code == 201
    assert _stored(ked, SEX_AGE_FORM, date(2026, 3, 1)) == corrected  # the Female cell is gone
    assert _stored(ked, SEX_AGE_FORM, date(2026, 4, 1)) == APRIL  # another month untouched
    state = TableMonthState.objects.get(table=SEX_AGE_FORM, month=date(2026, 3, 1))
    assert state.sequence == 3


def test_an_empty_table_month_clears_the_month(anonymous: Client, ked: SigningNode) -> None:
    ked.push(anonymous, ked.document(1, [table_month(SEX_AGE_FORM, "2026-03", MARCH)]))
    response = ked.push(anonymous, ked.document(2, [table_month(SEX_AGE_FORM, "2026-03", {})]))
    assert response.json()["cells"] == 0
    assert not Cell.objects.exists()
    assert TableMonthState.objects.get().sequence == 2  # the hub holds "empty", not "unknown"


def test_token_sets_are_replaced_per_year_and_kind(anonymous: Client, ked: SigningNode) -> None:
    first = [
        token_set(2025, "survivor", ["a" * 64, "b" * 64]),
        token_set(2026, "survivor", ["c" * 64]),
        token_set(2026, "trafficker", ["d" * 64]),
    ]
    ked.push(anonymous, ked.document(1, tokens=first))
    ked.push(anonymous, ked.document(2, tokens=[token_set(2026, "survivor", ["e" * 64, "f" * 64])]))
    held = {
        (s.year, s.kind): sorted(s.tokens.values_list("token", flat=True))
        for s in TokenSet.objects.all()
    }
    assert held == {
        (2025, "survivor"): ["a" * 64, "b" * 64],
        (2026, "survivor"): ["e" * 64, "f" * 64],
        (2026, "trafficker"): ["d" * 64],
    }
    assert Token.objects.count() == 5


def test_gzip_bodies_are_accepted(anonymous: Client, ked: SigningNode) -> None:
    document = ked.document(1, [table_month(SEX_AGE_FORM, "2026-03", MARCH)])
    response = ked.push(anonymous, document, gzipped=True)
    assert response.status_code == 201
    assert _stored(ked, SEX_AGE_FORM, date(2026, 3, 1)) == MARCH


def test_nodes_do_not_overwrite_each_other(
    anonymous: Client, ked: SigningNode, stl: SigningNode
) -> None:
    ked.push(anonymous, ked.document(1, [table_month(SEX_AGE_FORM, "2026-03", MARCH)]))
    stl.push(anonymous, stl.document(1, [table_month(SEX_AGE_FORM, "2026-03", APRIL)]))
    assert _stored(ked, SEX_AGE_FORM, date(2026, 3, 1)) == MARCH
    assert _stored(stl, SEX_AGE_FORM, date(2026, 3, 1)) == APRIL
