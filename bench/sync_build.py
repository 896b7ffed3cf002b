"""Payload builds on a node of 100,000 survivors (BENCH_SURVIVORS to change it).

Figures, each against a baseline measured in the same run:
- full build: every fact derived again from the case records, every cell
  counted, every month signed and stored (``push --full --rederive``), against a
  raw SQL GROUP BY over the source tables computing the same cells (<= 1.5x);
- a full build from the maintained cell counts (``push --full``), for information;
- a build after 1% of cases changed against the full build (<= 5%);
- bytes on the wire: a month's incremental push (<= 10 KB), a push after a
  survivor's name was corrected in 1% of cases (token sets travel as deltas
  against what the hub acknowledged, so that is one token out and one in per
  survivor), and a full payload scaled to 5,000 cells (<= 40 KB). A full push
  checks every token set the hub holds with a delta against it, empty when
  nothing changed, so its bytes are its cells; the whole sets travel in a
  node's first push (or after the hub lost them), reported apart: they grow
  with the number of persons, not of cells (a 64-hex token per person and year).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "node.config.settings")

from bench.common import django_setup, emit

django_setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from node.accounts.models import User  # noqa: E402
from node.cases.models import Case  # noqa: E402
from node.cases.services import ServiceError, step_record  # noqa: E402
from node.people.models import Survivor  # noqa: E402
from node.people.services import survivor_update  # noqa: E402
from node.seed.generator import generate  # noqa: E402
from node.seed.loader import seed_load  # noqa: E402
from node.sync.build import payload_build  # noqa: E402
from node.sync.models import Dirty, OutboxPayload  # noqa: E402
from node.sync.push import acked_token_sets_update  # noqa: E402
from node.sync.services import mark_dirty  # noqa: E402
from node.sync.sql import facts_select  # noqa: E402

SURVIVORS = int(os.environ.get("BENCH_SURVIVORS", "100000"))

# The baseline: the cells of every table in one GROUP BY per kind of record over
# the source tables (cases, survivors, links, exploitations, steps, charges...),
# storing nothing. Most tables cannot be one plain GROUP BY: a survivor counts
# in the month of their *first* identification, with *one* form or "mixed"; a
# case's stage transitions follow its steps in order; a decision counts the
# *principal* offence. So the rows grouped are the same joins, DISTINCT ON and
# window functions the node runs (``node.sync.sql``): the
# least any SQL has to do to produce these cells, without the facts the node
# keeps per record so that a change costs what changed.
GROUP_BY = """SELECT "table", month, d1, d2, d3, count(*)
              FROM ({facts}) AS f (owner, "table", month, d1, d2, d3, unit)
              GROUP BY "table", month, d1, d2, d3"""


def timed(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


def raw_group_by() -> int:
    cells = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner settings the node's own statements run with (node.sync.sql).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        for kind in ("case", "survivor", "trafficker"):
            cursor.execute(GROUP_BY.format(facts=facts_select(kind, every=True)))
            cells += len(cursor.fetchall())
    return cells


def full_builds_against_group_by(rounds: int) -> tuple[float, float]:
    """Median seconds of the full build and of the GROUP BY, run alternately.

    Full build: every fact derived again, every cell counted, every month signed
    and stored (``push --full --rederive``). The acknowledgement that follows is
    the hub's side and is not timed.
    """
    builds, group_bys = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        result = payload_build(full=True, rederive=True)
        builds.append(time.perf_counter() - started)
        settle()
        started = time.perf_counter()
        cells = raw_group_by()
        group_bys.append(time.perf_counter() - started)
        assert cells == result.cells, "the GROUP BY must compute the cells the build sends"
    return statistics.median(builds), statistics.median(group_bys)


def one_percent_build(round_: int) -> float:
    """A build after 1% of cases changed (their survivors and traffickers with them)."""
    ids = list(Case.objects.values_list("pk", flat=True))
    mark_dirty(cases=random.Random(round_).sample(ids, max(len(ids) // 100, 1)))
    seconds = timed(payload_build)
    settle()  # not timed: the hub's acknowledgement
    return seconds


def settle() -> None:
    """What the hub's acknowledgements do: each payload sent, its token sets the next bases."""
    for outbox in OutboxPayload.objects.filter(status="pending").order_by("sequence"):
        acked_token_sets_update(outbox=outbox)
    OutboxPayload.objects.update(status="sent")


def payload_build_after_a_month_of_work() -> OutboxPayload | None:
    """A hearing recorded in 20 open cases this month: a typical incremental push."""
    today = timezone.localdate()
    open_cases = Case.objects.exclude(stage__in=["dropped", "closed", "judged"]).filter(
        reported_on__lt=today.replace(day=1)
    )[:20]
    clerk = User.objects.create_user(
        "bench-clerk", password="x" * 16, role="clerk", jurisdiction="SN-TGI-DKR"
    )
    for case in open_cases:
        try:
            step_record(actor=clerk, case=case, data={"step": "hearing", "occurred_on": today})
        except ServiceError:
            continue  # a case whose own rules refuse a hearing today: pick the next
    return payload_build().outbox


def payload_after_names_corrected_in_one_percent_of_cases() -> OutboxPayload | None:
    """A survivor's family name corrected in 1% of cases: each changes that survivor's tokens."""
    clerk = User.objects.create_user(
        "bench-editor", password="x" * 16, role="clerk", jurisdiction="SN-TGI-DKR"
    )
    ids = list(Case.objects.values_list("pk", flat=True))
    for case_id in random.Random(2).sample(ids, max(len(ids) // 100, 1)):
        survivor = Survivor.objects.filter(case_links__case_id=case_id).first()
        if survivor is not None:
            survivor_update(
                actor=clerk,
                survivor=survivor,
                data={"family_name": f"{survivor.family_name}-Corrige"},
            )
    return payload_build().outbox


def payload_parts_bytes(outbox: OutboxPayload) -> tuple[int, int]:
    """Gzip bytes of the cells alone and of the token sets alone, in this payload."""
    document = json.loads(gzip.decompress(bytes(outbox.body)))["document"]
    cells = json.dumps(document["tables"], separators=(",", ":")).encode()
    tokens = json.dumps(document["tokens"], separators=(",", ":")).encode()
    return len(gzip.compress(cells)), len(gzip.compress(tokens))


def main() -> None:
    cases = generate(
        cases=max(SURVIVORS // 3, 1),
        seed=100,
        jurisdiction="SN-TGI-DKR",
        today=timezone.localdate(),
    )
    seed_load(cases=cases, seed=100, chunk_size=1000)
    survivors = Survivor.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a load: both sides plan alike
    first = timed(payload_build)  # derives every fact once (the node's first push)
    first_outbox = OutboxPayload.objects.order_by("-sequence").first()
    assert first_outbox is not None, "a first build always stores a payload"
    first_cells_bytes, first_token_bytes = payload_parts_bytes(first_outbox)
    settle()
    full, sql = full_builds_against_group_by(rounds=3)
    incremental = statistics.median(one_percent_build(r) for r in range(1, 4))
    maintained_times, sizes = [], []
    for _ in range(3):
        started = time.perf_counter()
        result = payload_build(full=True)
        maintained_times.append(time.perf_counter() - started)
        sizes.append((result.outbox.size, result.cells))
        settle()
    maintained = min(maintained_times)
    month_payload = payload_build_after_a_month_of_work()
    settle()
    corrected = payload_after_names_corrected_in_one_percent_of_cases()
    corrected_cells, corrected_tokens = payload_parts_bytes(corrected) if corrected else (0, 0)
    full_bytes, full_cells = sizes[0]
    full_outbox = OutboxPayload.objects.filter(full=True).order_by("-sequence").first()
    cell_bytes, token_bytes = payload_parts_bytes(full_outbox)
    emit(
        "sync_build",
        {
            "survivors": survivors,
            "first_build_seconds": round(first, 2),
            "raw_sql_group_by_seconds": round(sql, 3),
            "full_build_seconds": round(full, 3),
            "full_build_over_group_by": round(full / sql, 2),
            "one_percent_build_seconds": round(incremental, 3),
            "one_percent_over_full": round(incremental / full, 3),
            # For information: a full payload read from the maintained counts.
            "maintained_full_build_seconds": round(maintained, 3),
            "one_percent_over_maintained_full": round(incremental / maintained, 3),
            "month_push_bytes": month_payload.size if month_payload else 0,
            "one_percent_names_corrected_bytes": corrected.size if corrected else 0,
            "one_percent_names_corrected_token_bytes": corrected_tokens,
            "one_percent_names_corrected_cells_bytes": corrected_cells,
            "full_payload_cells": full_cells,
            "full_payload_bytes": full_bytes,
            "full_bytes_per_5000_cells": round(full_bytes / max(full_cells, 1) * 5000),
            "full_cells_only_bytes_per_5000_cells": round(cell_bytes / max(full_cells, 1) * 5000),
            "full_token_sets_bytes": token_bytes,
            "first_push_bytes": first_outbox.size,
            "first_push_token_sets_bytes": first_token_bytes,
            "first_push_cells_bytes": first_cells_bytes,
        },
        {
            "full_build_over_group_by": "<=1.5",
            "one_percent_over_full": "<=0.05",
            "month_push_bytes": "<=10000",
            "full_bytes_per_5000_cells": "<=40000",
        },
    )
    Dirty.objects.all().delete()


if __name__ == "__main__":
    main()
