"""How the hub replaces the months a payload carries: one statement, one COPY.

The bulk path (hub.ingest.services._replace_table_months) must store exactly
what replacing each (node, table, month) one by one would, whatever the
payload holds, in a number of queries that does not grow with it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hub.ingest import services
from hub.ingest.models import Cell, TableMonthState
from shared.catalogue import catalogue
from shared.payload import TableMonth, encode_table_month
from tests.hub.ingest.support import SigningNode, table_month

pytestmark = pytest.mark.django_db

TABLES = ["survivors_sex_age_form", "traffickers_role_form", "case_closure_lag"]
MONTHS = [f"2025-{month:02d}" for month in range(1, 13)]
Parts = dict[tuple[str, str], dict[tuple[str, ...], int]]


def _random_cells(rng: random.Random, table: str) -> dict[tuple[str, ...], int]:
    dimensions = catalogue()[table].dimensions
    cells: dict[tuple[str, ...], int] = {}
    for _ in range(rng.randint(0, 6)):  # 0: the month is now empty
        key = tuple(rng.choice(d.codes().codes()[:4]) for d in dimensions)
        cells[key] = rng.randint(1, 50)
    return cells


def _random_parts(rng: random.Random) -> Parts:
    carried = rng.sample([(t, m) for t in TABLES for m in MONTHS], k=rng.randint(1, 20))
    return {(table, month): _random_cells(rng, table) for table, month in carried}


def _held(node: SigningNode) -> Parts:
    """What the hub holds of the node, in the payload's terms."""
    held: Parts = {}
    for cell in Cell.objects.filter(node__node_id=node.node_id):
        key = tuple(d for d in (cell.d1, cell.d2, cell.d3) if d)
        held.setdefault((cell.table, f"{cell.month:%Y-%m}"), {})[key] = cell.count
    return held


def _states(node: SigningNode) -> dict[tuple[str, str], int]:
    rows = TableMonthState.objects.filter(node__node_id=node.node_id)
    return {(s.table, f"{s.month:%Y-%m}"): s.sequence for s in rows}


def _push(client: Client, node: SigningNode, sequence: int, parts: Parts) -> Any:
    tables = [table_month(t, m, cells) for (t, m), cells in sorted(parts.items())]
    response = node.push(client, node.document(sequence, tables), gzipped=True)
    assert response.status_code == 201, response.content
    return response


def test_each_push_replaces_the_months_it_carries_and_keeps_the_others(
    anonymous: Client, ked: SigningNode, stl: SigningNode
) -> None:
    rng = random.Random(5)
    expected: dict[str, Parts] = {ked.node_id: {}, stl.node_id: {}}
    states: dict[str, dict[tuple[str, str], int]] = {ked.node_id: {}, stl.node_id: {}}
    for sequence in range(1, 9):
        for node in (ked, stl):  # the same months from two nodes: neither touches the other
            parts = _random_parts(rng)
            response = _push(anonymous, node, sequence, parts)
            assert response.json()["cells"] == sum(len(c) for c in parts.values())
            expected[node.node_id].update(parts)
            states[node.node_id].update(dict.fromkeys(parts, sequence))
        for node in (ked, stl):
            held = {part: cells for part, cells in expected[node.node_id].items() if cells}
            assert _held(node) == held
            assert _states(node) == states[node.node_id]


def test_a_push_costs_the_same_queries_whatever_the_months_it_carries(
    anonymous: Client, ked: SigningNode
) -> None:
    rng = random.Random(7)
    one = {("survivors_sex_age_form", "2025-01"): _random_cells(rng, "survivors_sex_age_form")}
    many = {(t, m): _random_cells(rng, t) for t in TABLES for m in MONTHS}
    with CaptureQueriesContext(connection) as first:
        _push(anonymous, ked, 1, one)
    with CaptureQueriesContext(connection) as second:
        _push(anonymous, ked, 2, many)
    assert len(many) == 36
    assert len(second.captured_queries) == len(first.captured_queries)


def _unchecked_part(table: str, month: str, values: list[list[str]], cells: list[int]) -> Any:
    # Built without validation: no code list holds these characters, but COPY
    # must never misread one if a list ever did.
    return TableMonth.model_construct(table=table, month=month, values=values, cells=cells)


def test_copy_escapes_what_its_text_format_would_misread(ked: SigningNode) -> None:
    odd = ["tab\there", "back\\slash", "new\nline", "carriage\rreturn", "\\N"]
    part = _unchecked_part("case_closure_lag", "2025-03", [odd], [0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
    assert services._replace_table_months(ked.node, [part], 1) == 5
    stored = dict(Cell.objects.filter(node=ked.node).values_list("d1", "count"))
    assert stored == {code: n for code, n in zip(odd, [1, 2, 3, 4, 5], strict=True)}


def test_the_orm_path_stores_what_the_copy_path_stores(ked: SigningNode, stl: SigningNode) -> None:
    rng = random.Random(11)
    for sequence in (1, 2, 3):
        parts = [encode_table_month(t, m, c) for (t, m), c in _random_parts(rng).items()]
        copied = services._replace_table_months(ked.node, parts, sequence)
        written = services._replace_table_months_orm(stl.node, parts, sequence)
        assert copied == written
    assert _held(ked) == _held(stl)
    assert _states(ked) == _states(stl)
