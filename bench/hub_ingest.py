"""Hub ingest of 60 full payloads against a COPY + ON CONFLICT upsert of the same cells.

The hub's path does everything a real submission needs — inflate, verify the
Ed25519 signature, validate the schema against the catalogue and code lists,
lock the node, replace the cells of each (table, month) — while the baseline
only loads the same cells with PostgreSQL's fastest bulk path. Target: <= 1.3x.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from datetime import UTC, datetime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")

from bench.common import django_setup, emit

django_setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

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


def payload_body(node_id: str, jurisdiction: str, key: object, sequence: int,
                 parts: dict[tuple[str, str], dict[tuple[str, ...], int]]) -> bytes:
    payload = Payload(contract=CONTRACT_VERSION, node_id=node_id, jurisdiction=jurisdiction,
                      sequence=sequence, built_at=datetime.now(UTC),
                      key_id=signing.key_id(key.public_key()), full=True,  # type: ignore[attr-defined]
                      tables=[encode_table_month(t, m, c) for (t, m), c in sorted(parts.items())])
    envelope = signing.sign_document(payload.document(), key)  # type: ignore[arg-type]
    return gzip.compress(json.dumps(envelope, separators=(",", ":")).encode())


def baseline(batches: list[list[tuple[int, str, str, str, str, str, int]]]) -> float:
    with connection.cursor() as cursor:
        cursor.execute("""CREATE TABLE bench_cell (node_id int, "table" text, month date,
                          d1 text, d2 text, d3 text, count int,
                          UNIQUE (node_id, "table", month, d1, d2, d3))""")
    started = time.perf_counter()
    for rows in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE stage (LIKE bench_cell) ON COMMIT DROP")
            with cursor.connection.cursor().copy(
                    'COPY stage (node_id, "table", month, d1, d2, d3, count) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute("""INSERT INTO bench_cell SELECT * FROM stage
                              ON CONFLICT (node_id, "table", month, d1, d2, d3)
                              DO UPDATE SET count = EXCLUDED.count""")
    return time.perf_counter() - started


def main() -> None:
    rng = random.Random(60)
    nodes = []
    for court in jurisdictions():
        key = signing.generate_private_key()
        node_register(jurisdiction=court.code, public_key_pem=signing.public_key_to_pem(
            key.public_key()))
        nodes.append((court.code.lower(), court.code, key))
    bodies, batches, sizes = [], [], []
    for index in range(PAYLOADS):
        node_id, jurisdiction, key = nodes[index % len(nodes)]
        parts = random_cells(rng)
        body = payload_body(node_id, jurisdiction, key, index // len(nodes) + 1, parts)
        bodies.append(body)
        sizes.append(len(body))
        batches.append([(index % len(nodes), t, f"{m}-01", *([*list(k), "", "", ""])[:3], n)
                        for (t, m), cells in parts.items() for k, n in cells.items()])
    client = Client(SERVER_NAME="localhost")
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/submissions/", data=body,
                               content_type="application/json", HTTP_CONTENT_ENCODING="gzip")
        assert response.status_code == 201, response.content[:300]
    hub_seconds = time.perf_counter() - started
    base_seconds = baseline(batches)
    emit("hub_ingest", {
        "hub_ingest_seconds_60_payloads": round(hub_seconds, 3),
        "copy_upsert_seconds_same_cells": round(base_seconds, 3),
        "ingest_ratio": round(hub_seconds / base_seconds, 2),
        "full_payload_bytes_gzip_median": sorted(sizes)[len(sizes) // 2],
    }, {"ingest_ratio": "<=1.3", "full_payload_bytes_gzip_median": "<=40000"})


if __name__ == "__main__":
    main()
