"""Seeding exact cells straight into the hub's tables (the ingest path has its own tests)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from hub.ingest.models import Cell
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
