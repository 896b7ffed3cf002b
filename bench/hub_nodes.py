"""Hub cost per node from 5 to 600 simulated nodes (target: flat).

A generated judicial map of 600 TGIs (bench/hub_synthetic.py) lets the
registry hold 600 active nodes. The federation grows 5 -> 50 -> 200 -> 600
nodes; each new node first pushes ten years of history through the real
signed ingest, then at each size the benchmark measures what the hub spends:

* ingest: every node pushes one incremental payload (the current month of
  every table, signed, posted to /api/v1/submissions/): total / N;
* freshness: ``indicators.freshness`` (which runs ``_unknown_shares``), the
  data-quality table of every node: time / N;
* dashboards: ``boards.build`` of every dashboard for an analyst, national,
  over the ten years (what the dashboard view computes): time / N.

Every node holds the same amount of data whatever N (one seeded stream per
node index, one mean of 1 survivor a month: a tenth of the dashboards
benchmark's, so 600 nodes fit in the time budget), so a flat cost per node
means the hub scales linearly with the federation.

The machine is shared and the sizes are measured minutes apart, so next to
every measurement the benchmark times a fixed reference workload
(``reference``) and the ratios compare costs in units of it, measured in the
same step: a step that ran while other jobs loaded the machine is not
mistaken for a cost that grows with N.

Figures: seconds per node of each part at each N, and the total in reference
units. Target: ``per_node_ratio_600_vs_5`` <= 1.5. Linear growth gives at
most 1 (fixed costs are shared by more nodes); 1.5 leaves room for the noise
of a shared 2-core machine, while anything that grows with N per node (a
query per node, a missing index) shows up far above it at 120 times the
nodes. Because that ratio flatters a part with a large fixed cost, the same
ratio per part and the marginal cost of a node added between 200 and 600
against one added between 5 and 50 (``marginal_ratio_info``) are given too.

BENCH_NODES (e.g. "2,4") and BENCH_SCALE shrink it for the smoke test.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from bench.hub_synthetic import judicial_map_temporary

SIZES = tuple(int(n) for n in os.environ.get("BENCH_NODES", "5,50,200,600").split(","))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SURVIVORS_PER_MONTH = 1.0 * min(SCALE, 1.0)
REPEATS = 3 if SCALE >= 1 else 1

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")
judicial_map_temporary(max(SIZES))

from bench.common import django_setup, emit  # noqa: E402

django_setup()

from datetime import date  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from bench.hub_synthetic import (  # noqa: E402
    YEARS,
    CellMaker,
    SimNode,
    months_back,
    nodes_register,
    push,
)
from hub.dashboards import boards  # noqa: E402
from hub.dashboards.forms import Filters  # noqa: E402
from hub.ingest.models import Cell  # noqa: E402
from hub.stats import indicators  # noqa: E402
from hub.stats.query import Audience  # noqa: E402


def progress(message: str) -> None:
    print(f"[hub_nodes {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


REFERENCE: list[float] = []  # seconds of the reference workload in the current step


def reference() -> None:
    """A fixed workload of the same kinds as the hub's (round trips, SQL, Python), timed
    next to every measurement: the machine is shared, so a step run while others load
    it is slower for reasons that have nothing to do with N. Costs are reported in
    seconds and in units of this workload measured during the same step."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(20):
            cursor.execute("SELECT 1")
        cursor.execute("SELECT sum(x) FROM generate_series(1, 200000) AS x")
    sum(i * i for i in range(200_000))
    REFERENCE.append(time.perf_counter() - started)


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        reference()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    reference()
    return statistics.median(times)


def ingest_seconds(client: Client, nodes: list[SimNode], makers: list[CellMaker], month: str,
                   repeats: int) -> float:
    """Median seconds of a round in which every node pushes its current month once.

    Payloads are built and signed before the clock starts: that is the node's work.
    """
    times = []
    for _ in range(repeats):
        bodies = [node.body(makers[i].month(month)) for i, node in enumerate(nodes)]
        reference()
        started = time.perf_counter()
        for body in bodies:
            push(client, body)
        times.append(time.perf_counter() - started)
    reference()
    return statistics.median(times)


def main() -> None:
    translation.activate("fr")
    today = timezone.localdate()
    history = months_back(12 * YEARS, last=today)
    current = history[-1]
    filters = Filters(start=date(today.year - YEARS + 1, 1, 1), end=date(today.year, 12, 31))
    client = Client(SERVER_NAME="localhost")
    registered: list[SimNode] = []
    makers = [CellMaker(f"node-{i}", SURVIVORS_PER_MONTH) for i in range(max(SIZES))]
    loaded = 0
    figures: dict[str, float | int] = {}
    per_node: dict[int, float] = {}
    totals: dict[int, float] = {}
    parts_per_node: dict[int, dict[str, float]] = {}
    for n in SIZES:
        started = time.perf_counter()
        registered += nodes_register(n, first=loaded)
        for index in range(loaded, n):
            parts = {}
            for month in history[:-1]:
                parts.update(makers[index].month(month))
            push(client, registered[index].body(parts, full=True))
        new, loaded = n - loaded, n
        with connection.cursor() as cursor:
            # What autovacuum does soon after a bulk load, done now so that it does not
            # run during the measurements (and the planner knows the new row counts).
            cursor.execute(f"VACUUM ANALYZE {Cell._meta.db_table}")
        load = time.perf_counter() - started
        progress(f"N={n}: history loaded in {load:.1f} s, {Cell.objects.count()} cells")
        REFERENCE.clear()
        ingest = ingest_seconds(client, registered[:n], makers, current, REPEATS)
        freshness = median_seconds(indicators.freshness, REPEATS)
        dashboards = median_seconds(
            lambda: [boards.build(b.slug, filters, Audience.ANALYST, "fr") for b in boards.BOARDS],
            REPEATS)
        unit = statistics.median(REFERENCE)
        totals[n] = (ingest + freshness + dashboards) / unit
        parts_per_node[n] = {"ingest": ingest / n / unit, "freshness": freshness / n / unit,
                             "dashboards": dashboards / n / unit}
        figures[f"reference_s_{n}"] = round(unit, 4)
        figures[f"history_load_s_per_new_node_{n}"] = round(load / new, 4)
        per_node[n] = totals[n] / n
        figures[f"cells_per_node_{n}"] = round(Cell.objects.count() / n)
        figures[f"ingest_s_per_node_{n}"] = round(ingest / n, 5)
        figures[f"freshness_s_per_node_{n}"] = round(freshness / n, 5)
        figures[f"dashboards_s_per_node_{n}"] = round(dashboards / n, 5)
        figures[f"total_units_per_node_{n}"] = round(per_node[n], 4)
        progress(f"N={n}: ingest {ingest:.2f} s, freshness {freshness:.3f} s, "
                 f"dashboards {dashboards:.2f} s")
    small, large = min(SIZES), max(SIZES)
    figures[f"per_node_ratio_{large}_vs_{small}"] = round(per_node[large] / per_node[small], 2)
    for part in ("ingest", "freshness", "dashboards"):
        ratio = parts_per_node[large][part] / parts_per_node[small][part]
        figures[f"{part}_per_node_ratio_{large}_vs_{small}_info"] = round(ratio, 2)
    if len(SIZES) >= 4:
        low = (totals[SIZES[1]] - totals[SIZES[0]]) / (SIZES[1] - SIZES[0])
        high = (totals[SIZES[-1]] - totals[SIZES[-2]]) / (SIZES[-1] - SIZES[-2])
        figures["marginal_ratio_info"] = round(high / low, 2)
    emit("hub_nodes", figures, {f"per_node_ratio_{large}_vs_{small}": "<=1.5"})


if __name__ == "__main__":
    main()
