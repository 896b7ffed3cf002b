"""Hub ingest of 60 full payloads against a COPY + ON CONFLICT upsert of the same cells.

The hub's path does everything a real submission needs — inflate, verify the
Ed25519 signature, validate the schema against the catalogue and code lists,
lock the node, replace the cells of each (table, month) — while the baseline
only loads the same cells with PostgreSQL's fastest bulk path: COPY into a
temporary table, then one INSERT ... ON CONFLICT DO UPDATE. Target: <= 1.3x.

Two baselines, each payload timed against both in turn (the machine is shared
and noisy), after one untimed warm-up round:

- ``ingest_ratio``: the upsert goes into a table defined exactly as the hub's
  cell table (``LIKE ingest_cell INCLUDING ALL`` and the same deferred foreign
  key to the node), so both sides pay the same index and constraint upkeep and
  the figure measures the ingest path, not the storage design;
- ``ingest_ratio_bare_table``: the first baseline of issue #5, into a table
  with only the unique constraint (no key, no foreign key, no read index),
  kept for comparison with earlier runs.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from datetime import UTC, datetime
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")

from bench.common import django_setup, emit

django_setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from hub.registry.models import Node  # noqa: E402
from hub.registry.services import node_register  # noqa: E402
from shared import signing  # noqa: E402
from shared.catalogue import catalogue  # noqa: E402
from shared.codes import jurisdictions  # noqa: E402
from shared.payload import CONTRACT_VERSION, Payload, encode_table_month  # noqa: E402

PAYLOADS = 60
CELLS_PER_PAYLOAD = 5_000
MONTHS = [f"{year}-{month:02d}" for year in range(2021, 2026) for month in range(1, 13)]


def random_cells(rng: random.Random) -> dict[tuple[str, str], dict[tuple[str, ...], int]]:
    parts: dict[tuple[str, str], dict[tuple[str, ...], int]] = {}
    tables = list(catalogue().values())
    while sum(len(c) for c in parts.values()) < CELLS_PER_PAYLOAD:
        table = rng.choice(tables)
        month = rng.choice(MONTHS)
        key = tuple(rng.choice(d.codes().codes()[:8]) for d in table.dimensions)
        parts.setdefault((table.name, month), {})[key] = rng.randint(1, 40)
    return parts


def payload_body(
    node_id: str,
    jurisdiction: str,
    key: object,
    sequence: int,
    parts: dict[tuple[str, str], dict[tuple[str, ...], int]],
) -> bytes:
    payload = Payload(
        contract=CONTRACT_VERSION,
        node_id=node_id,
        jurisdiction=jurisdiction,
        sequence=sequence,
        built_at=datetime.now(UTC),
        key_id=signing.key_id(key.public_key()),
        full=True,  # type: ignore[attr-defined]
        tables=[encode_table_month(t, m, c) for (t, m), c in sorted(parts.items())],
    )
    envelope = signing.sign_document(payload.document(), key)  # type: ignore[arg-type]
    return gzip.compress(json.dumps(envelope, separators=(",", ":")).encode())


Row = tuple[int, str, str, str, str, str, int]
_STAGE = """CREATE TEMP TABLE stage (node_id bigint, "table" text, month date,
             d1 text, d2 text, d3 text, count int) ON COMMIT DROP"""
_BARE = """CREATE TABLE bench_cell_bare (node_id bigint, "table" text, month date,
           d1 text, d2 text, d3 text, count int,
           UNIQUE (node_id, "table", month, d1, d2, d3))"""
_LIKE_HUB = [
    "CREATE TABLE bench_cell_hub (LIKE ingest_cell INCLUDING ALL)",
    """ALTER TABLE bench_cell_hub ADD FOREIGN KEY (node_id) REFERENCES registry_node (id)
       DEFERRABLE INITIALLY DEFERRED""",
]


def _unique_columns(table: str) -> str:
    """The column list of the table's unique constraint, for its ON CONFLICT clause."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                          WHERE i.indrelid = %s::regclass AND i.indisunique
                          AND NOT i.indisprimary""",
            [table],
        )
        definition = cursor.fetchone()[0]
    return definition[definition.index("(") :]


def baseline_tables() -> list[tuple[str, str]]:
    """(table, its ON CONFLICT target) of each baseline: the hub's table's twin, then bare."""
    with connection.cursor() as cursor:
        for statement in [*_LIKE_HUB, _BARE]:
            cursor.execute(statement)
    return [(table, _unique_columns(table)) for table in ("bench_cell_hub", "bench_cell_bare")]


def upsert(table: str, conflict: str, rows: list[Row]) -> float:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT: seconds taken."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_STAGE)
        with cursor.connection.cursor().copy(
            'COPY stage (node_id, "table", month, d1, d2, d3, count) FROM STDIN'
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"""INSERT INTO {table} (node_id, "table", month, d1, d2, d3, count)
                           SELECT * FROM stage
                           ON CONFLICT {conflict} DO UPDATE SET count = EXCLUDED.count""")
    return time.perf_counter() - started


def post(client: Client, body: bytes) -> float:
    started = time.perf_counter()
    response = client.post(
        "/api/v1/submissions/",
        data=body,
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
    )
    seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:300]
    return seconds


def main() -> None:
    rng = random.Random(60)
    nodes = []
    for court in jurisdictions():
        key = signing.generate_private_key()
        node_register(
            jurisdiction=court.code, public_key_pem=signing.public_key_to_pem(key.public_key())
        )
        nodes.append((court.code.lower(), court.code, key))
    bodies, batches, sizes = [], [], []
    for index in range(PAYLOADS + 1):  # the first is a warm-up, timed for no one
        node_id, jurisdiction, key = nodes[index % len(nodes)]
        parts = random_cells(rng)
        body = payload_body(node_id, jurisdiction, key, index // len(nodes) + 1, parts)
        bodies.append(body)
        sizes.append(len(body))
        node_pk = Node.objects.get(node_id=node_id).pk
        batches.append(
            [
                (node_pk, t, f"{m}-01", *([*list(k), "", "", ""])[:3], n)
                for (t, m), cells in parts.items()
                for k, n in cells.items()
            ]
        )
    client = Client(SERVER_NAME="localhost")
    (hub_table, hub_conflict), (bare_table, bare_conflict) = baseline_tables()
    seconds = {"hub": 0.0, "like_hub": 0.0, "bare": 0.0}
    for index, (body, rows) in enumerate(zip(bodies, batches, strict=True)):
        runs = [
            ("hub", partial(post, client, body)),
            ("like_hub", partial(upsert, hub_table, hub_conflict, rows)),
            ("bare", partial(upsert, bare_table, bare_conflict, rows)),
        ]
        for name, run in runs[index % 3 :] + runs[: index % 3]:  # no side always goes first
            taken = run()
            if index:
                seconds[name] += taken
    emit(
        "hub_ingest",
        {
            "hub_ingest_seconds_60_payloads": round(seconds["hub"], 3),
            "copy_upsert_seconds_same_cells": round(seconds["like_hub"], 3),
            "ingest_ratio": round(seconds["hub"] / seconds["like_hub"], 2),
            "copy_upsert_seconds_bare_table": round(seconds["bare"], 3),
            "ingest_ratio_bare_table": round(seconds["hub"] / seconds["bare"], 2),
            "full_payload_bytes_gzip_median": sorted(sizes[1:])[len(sizes[1:]) // 2],
        },
        {"ingest_ratio": "<=1.3", "full_payload_bytes_gzip_median": "<=40000"},
    )


if __name__ == "__main__":
    main()
