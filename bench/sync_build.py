"""Payload builds on a node of 100,000 survivors (BENCH_SURVIVORS to change it).

Figures, each against a baseline measured in the same run:
- full build (every month, from the maintained cell counts, signed and stored)
  against a raw SQL GROUP BY computing the same cells from the facts (<= 1.5x);
- the same with every fact derived again (``--rederive``), for information;
- a build after 1% of cases changed against the full build (<= 5%), and against a
  build that derives everything again (the full build above reads maintained counts);
- bytes on the wire: a month's incremental push (<= 10 KB) and a full payload
  scaled to 5,000 cells (<= 40 KB).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")

from bench.common import django_setup, emit

django_setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from node.accounts.models import User  # noqa: E402
from node.cases.models import Case  # noqa: E402
from node.cases.services import ServiceError, step_record  # noqa: E402
from node.people.models import Survivor  # noqa: E402
from node.seed.generator import generate  # noqa: E402
from node.seed.loader import seed_load  # noqa: E402
from node.sync.build import payload_build  # noqa: E402
from node.sync.models import Dirty, OutboxPayload  # noqa: E402
from node.sync.services import mark_dirty  # noqa: E402

SURVIVORS = int(os.environ.get("BENCH_SURVIVORS", "100000"))
GROUP_BY = """SELECT "table", month, d1, d2, d3, count(*) FROM sync_fact
              GROUP BY "table", month, d1, d2, d3"""


def timed(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


def raw_group_by() -> None:
    with connection.cursor() as cursor:
        cursor.execute(GROUP_BY)
        cursor.fetchall()


def settle() -> None:
    OutboxPayload.objects.update(status="sent")


def payload_build_after_a_month_of_work() -> OutboxPayload | None:
    """A hearing recorded in 20 open cases this month: a typical incremental push."""
    today = timezone.localdate()
    open_cases = Case.objects.exclude(stage__in=["dropped", "closed", "judged"]).filter(
        reported_on__lt=today.replace(day=1))[:20]
    clerk = User.objects.create_user("bench-clerk", password="x" * 16, role="clerk",
                                     jurisdiction="SN-TGI-DKR")
    for case in open_cases:
        try:
            step_record(actor=clerk, case=case, data={"step": "hearing", "occurred_on": today})
        except ServiceError:
            continue  # a case whose own rules refuse a hearing today: pick the next
    return payload_build().outbox


def payload_parts_bytes(outbox: OutboxPayload) -> tuple[int, int]:
    """Gzip bytes of the cells alone and of the token sets alone, in this payload."""
    document = json.loads(gzip.decompress(bytes(outbox.body)))["document"]
    cells = json.dumps(document["tables"], separators=(",", ":")).encode()
    tokens = json.dumps(document["tokens"], separators=(",", ":")).encode()
    return len(gzip.compress(cells)), len(gzip.compress(tokens))


def main() -> None:
    cases = generate(cases=max(SURVIVORS // 3, 1), seed=100, jurisdiction="SN-TGI-DKR",
                     today=timezone.localdate())
    seed_load(cases=cases, seed=100, chunk_size=1000)
    survivors = Survivor.objects.count()
    first = timed(payload_build)  # derives every fact once (the node's first push)
    settle()
    sql = min(timed(raw_group_by) for _ in range(3))
    full_times, sizes = [], []
    for _ in range(3):
        started = time.perf_counter()
        result = payload_build(full=True)
        full_times.append(time.perf_counter() - started)
        sizes.append((result.outbox.size, result.cells))
        settle()
    full = min(full_times)
    rederive = timed(lambda: payload_build(full=True, rederive=True))
    settle()
    ids = list(Case.objects.values_list("pk", flat=True))
    mark_dirty(cases=random.Random(1).sample(ids, max(len(ids) // 100, 1)))
    incremental = timed(payload_build)
    settle()
    month_payload = payload_build_after_a_month_of_work()
    full_bytes, full_cells = sizes[0]
    full_outbox = OutboxPayload.objects.filter(full=True).order_by("-sequence").first()
    cell_bytes, token_bytes = payload_parts_bytes(full_outbox)
    emit("sync_build", {
        "survivors": survivors,
        "first_build_seconds": round(first, 2),
        "raw_sql_group_by_seconds": round(sql, 3),
        "full_build_seconds": round(full, 3),
        "full_build_over_group_by": round(full / sql, 2),
        "rederive_build_seconds": round(rederive, 2),
        "one_percent_build_seconds": round(incremental, 3),
        "one_percent_over_full": round(incremental / full, 3),
        # A "full build" can also mean deriving everything again from the records:
        "one_percent_over_rederive": round(incremental / rederive, 4),
        "month_push_bytes": month_payload.size if month_payload else 0,
        "full_payload_cells": full_cells,
        "full_payload_bytes": full_bytes,
        "full_bytes_per_5000_cells": round(full_bytes / max(full_cells, 1) * 5000),
        "full_cells_only_bytes_per_5000_cells": round(cell_bytes / max(full_cells, 1) * 5000),
        "full_token_sets_bytes": token_bytes,
    }, {"full_build_over_group_by": "<=1.5", "one_percent_over_full": "<=0.05",
        "month_push_bytes": "<=10000", "full_bytes_per_5000_cells": "<=40000"})
    Dirty.objects.all().delete()


if __name__ == "__main__":
    main()
