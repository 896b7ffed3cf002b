"""Seeding exact cells straight into the hub's tables (the ingest path has its own tests).

As an ingest does, each seeding also records that a new submission of the node
replaced the (table, month): partner publication reads that to tell which
releases are out of date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Max

from hub.ingest.models import Cell, TableMonthState
from hub.registry.models import Node
from hub.registry.services import node_register
from shared.signing import generate_private_key, public_key_to_pem

Cells = Mapping[tuple[str, ...], int]


def node_for(jurisdiction: str) -> Node:
    existing = Node.objects.filter(jurisdiction=jurisdiction).first()
    if existing:
        return existing
    pem = public_key_to_pem(generate_private_key().public_key())
    return node_register(jurisdiction=jurisdiction, public_key_pem=pem).node


def seed(jurisdiction: str, table: str, month: date, cells: Cells) -> None:
    node = node_for(jurisdiction)
    Cell.objects.bulk_create(
        Cell(node=node, table=table, month=month, count=n,
             **{f"d{i + 1}": code for i, code in enumerate(key)})
        for key, n in cells.items() if n
    )
    replaced(node, table, month)


def cell_correct(table: str, count: int, **dims: str) -> None:
    """A correction as an ingest writes one: the cell deleted and inserted again by a
    newer submission of its node."""
    old = Cell.objects.get(table=table, **dims)
    old.delete()
    Cell.objects.create(node=old.node, table=table, month=old.month, count=count, **dims)
    replaced(old.node, table, old.month)


def replaced(node: Node, table: str, month: date) -> None:
    """Record that a new submission of ``node`` replaced (table, month)."""
    sequence = (TableMonthState.objects.filter(node=node).aggregate(n=Max("sequence"))["n"]
                or 0) + 1
    TableMonthState.objects.update_or_create(node=node, table=table, month=month,
                                             defaults={"sequence": sequence})
