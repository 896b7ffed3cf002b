"""Two pushes of one node at once: the node-row lock serialises them."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from hub.ingest.models import Cell
from tests.hub.ingest.support import SigningNode, table_month

TABLE = "survivors_sex_age_form"


@pytest.mark.django_db(transaction=True)
def test_parallel_pushes_of_one_node_end_with_the_higher_sequence() -> None:
    node = SigningNode.register("SN-TGI-KED")

    def cells(sequence: int) -> dict[tuple[str, ...], int]:
        return {
            ("Male", "9-17", "begging"): sequence * 10,
            ("Female", "0-8", "forced_labour"): sequence,
        }

    documents = {s: node.document(s, [table_month(TABLE, "2026-03", cells(s))]) for s in (1, 2)}
    barrier = threading.Barrier(2)
    statuses: dict[int, Any] = {}

    def push(sequence: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses[sequence] = node.push(Client(), documents[sequence]).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=push, args=(s,)) for s in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses[2] == 201 and statuses[1] in {200, 201}
    assert node.node.last_sequence == 2
    cells = {
        (c.d1, c.d2, c.d3): c.count
        for c in Cell.objects.filter(table=TABLE, month=date(2026, 3, 1))
    }
    assert cells == {("Male", "9-17", "begging"): 20, ("Female", "0-8", "forced_labour"): 2}
