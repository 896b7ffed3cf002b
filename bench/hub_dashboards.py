"""National dashboards over 60 nodes x 10 years against raw SQL on the same aggregates.

Sixty nodes (a generated judicial map: bench/hub_synthetic.py) each push ten
years of Senegal-like cells through the real signed ingest. Then, for the
whole country over the ten years, the benchmark times what the dashboard
views compute — ``hub.dashboards.boards.build`` of every dashboard, the
function the view calls before rendering its template — against raw SQL
computing the same figures from the same rows: one ``GROUP BY CUBE`` over the
cells joined to the nodes' geography for every cross-tabulation a dashboard
shows (margins included), plus the grouped reads behind the freshness, pending
cases, distinct survivors and population figures. Before timing, every exact
figure of the hub is checked against the SQL's, so both sides compute the same
thing. Two periods: the ten years, and the current year (the dashboards'
default). Target for analysts (exact figures): <= 2x on both.

The partner path (disclosure control, hub/stats/protection.py) does much more
than sum, so it is split as the hub splits it (hub/stats/publication.py), over
the current year (partners are served whole calendar years): what
``systraite-hub publish`` pays to compute and store every population's
release (``partner_publish_seconds_1y``, off the request path), then the
partner dashboards served from that publication: the first build of a process,
which reads the stored releases (dashboard by dashboard within a budget,
BENCH_PARTNER_BUDGET, 120 s), and the builds after it
(``partner_seconds_1y``), interleaved with the same raw-SQL baseline as the
analysts' (``partner_ratio_1y``).

Which queries the dashboards run is recorded by wrapping ``stats_run`` during
one untimed build, so the baseline follows the dashboards when they change.

Scale: BENCH_SCALE (default 1) multiplies the nodes and the survivors per month;
tests/hub/test_bench_smoke.py runs it tiny so the code cannot rot.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from datetime import date
from typing import Any

from bench.hub_synthetic import judicial_map_temporary

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
NODES = max(2, round(60 * SCALE))
SURVIVORS_PER_MONTH = 6.0 * min(SCALE, 1.0)
ROUNDS = 5 if SCALE >= 1 else 1
# Seconds the partner path may take (information only; see partner_seconds).
PARTNER_BUDGET = int(os.environ.get("BENCH_PARTNER_BUDGET", "120" if SCALE >= 1 else "30"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.config.settings")
judicial_map_temporary(NODES)

from bench.common import django_setup, emit, interleaved  # noqa: E402

django_setup()

from unittest import mock  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from bench.hub_synthetic import (  # noqa: E402
    YEARS,
    CellMaker,
    months_back,
    node_size,
    nodes_register,
    push,
)
from hub.dashboards import boards, selectors  # noqa: E402
from hub.dashboards.forms import Filters  # noqa: E402
from hub.ingest.models import Cell, Submission, Token, TokenSet  # noqa: E402
from hub.registry.models import Node  # noqa: E402
from hub.stats import geography as geo  # noqa: E402
from hub.stats import indicators  # noqa: E402
from hub.stats.models import PartnerFigure, PopulationFigure  # noqa: E402
from hub.stats.publication import release_cache_clear, releases_publish  # noqa: E402
from hub.stats.query import (  # noqa: E402
    Audience,
    Geography,
    StatsQuery,
    StatsResult,
    disclosure_rules,
    is_additive,
    stats_run,
)
from shared.catalogue import catalogue  # noqa: E402
from shared.disclosure import TOTAL  # noqa: E402

Figures = dict[tuple[str, ...], int]


def load(today: date) -> int:
    """Register the nodes and push each one's ten years through the ingest; cells held."""
    months = months_back(12 * YEARS, last=today)
    client = Client(SERVER_NAME="localhost")
    sizes = random.Random("sizes")
    for node in nodes_register(NODES):
        maker = CellMaker(node.node_id, SURVIVORS_PER_MONTH * node_size(sizes))
        parts = {}
        for month in months:
            parts.update(maker.month(month))
        push(client, node.body(parts, full=True))
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load; without it the planner
        # expects a handful of rows and both sides get poor plans.
        cursor.execute(f"ANALYZE {Cell._meta.db_table}")
    return Cell.objects.count()


def build_all(filters: Filters, audience: Audience) -> None:
    for board in boards.BOARDS:
        boards.build(board.slug, filters, audience, "fr")


def captured_queries(filters: Filters) -> list[StatsQuery]:
    """The statistics queries one build of every dashboard runs (recorded, not timed)."""
    seen: list[StatsQuery] = []

    def recording(*, query: StatsQuery, audience: Audience) -> StatsResult:
        seen.append(query)
        return stats_run(query=query, audience=audience)

    with mock.patch.object(selectors, "stats_run", recording), \
            mock.patch.object(indicators, "stats_run", recording):
        build_all(filters, Audience.ANALYST)
    return list(dict.fromkeys(seen))


# --- the baseline: raw SQL ------------------------------------------------------------

CELL, NODE = Cell._meta.db_table, Node._meta.db_table


def sql_figures(cursor: Any, query: StatsQuery) -> Figures:
    """The query's cells and margins with one GROUP BY CUBE over the raw cells."""
    table = catalogue()[query.table]
    position = {name: f"c.d{i + 1}" for i, name in enumerate(table.dimension_names)}
    columns = [position[name] for name in query.by]
    joins, params = "", []
    if query.geography is not Geography.NATIONAL:
        pairs = [(code, geo.area_of(query.geography, code)) for code in geo.scope()]
        joins = (f" JOIN (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) AS g(jurisdiction, area)"
                 " ON g.jurisdiction = n.jurisdiction")
        params += [part for pair in pairs for part in pair]
        columns.insert(0, "g.area")
    where = ['c."table" = %s']
    params.append(query.table)
    if query.start:
        where.append("c.month >= %s")
        params.append(query.start)
    if query.end:
        where.append("c.month <= %s")
        params.append(query.end)
    scope = geo.scope(region=query.region, court_of_appeal=query.court_of_appeal,
                      jurisdiction=query.jurisdiction)
    if scope != geo.scope():
        where.append("n.jurisdiction = ANY(%s)")
        params.append(list(scope))
    group = f" GROUP BY CUBE ({', '.join(columns)})" if columns else ""
    cursor.execute(
        f"SELECT {''.join(c + ', ' for c in columns)}SUM(c.count) FROM {CELL} c "
        f"JOIN {NODE} n ON n.id = c.node_id{joins} WHERE {' AND '.join(where)}{group}", params)
    return {tuple(TOTAL if code is None else code for code in row[:-1]): int(row[-1] or 0)
            for row in cursor.fetchall()}


def sql_side_figures(cursor: Any, filters: Filters) -> None:
    """The figures of dashboards that are not cross-tabulations, as plain grouped reads."""
    for table, column, unknown in indicators.UNKNOWN_FIELDS.values():
        cursor.execute(f"""SELECT node_id, SUM(count), SUM(count) FILTER (WHERE {column} = %s)
                           FROM {CELL} WHERE "table" = %s GROUP BY node_id""",
                       [unknown, table])
        cursor.fetchall()
    cursor.execute(f"SELECT node_id, COUNT(*) FROM {Submission._meta.db_table} "
                   "WHERE outcome = 'rejected' AND node_id IS NOT NULL GROUP BY node_id")
    cursor.execute(f"SELECT * FROM {NODE} ORDER BY node_id")
    cursor.fetchall()
    limit = date(filters.end.year - 1, filters.end.month, 1)
    cursor.execute(f"""SELECT month, d1, SUM(count) FROM {CELL}
                       WHERE "table" = 'case_closure_lag' AND month <= %s
                       GROUP BY month, d1""", [limit])
    cursor.fetchall()
    tokens, sets = Token._meta.db_table, TokenSet._meta.db_table
    cursor.execute(f"""SELECT COUNT(DISTINCT t.token), COUNT(*), COUNT(DISTINCT s.id)
                       FROM {tokens} t JOIN {sets} s ON s.id = t.token_set_id
                       WHERE s.kind = 'survivor' AND s.year = %s""",
                   [filters.year])
    population = PopulationFigure._meta.db_table
    cursor.execute(f"SELECT region, sex, SUM(population) FROM {population} "
                   "WHERE year = %s GROUP BY region, sex", [filters.year])
    cursor.fetchall()


def baseline(queries: list[StatsQuery], filters: Filters) -> None:
    with connection.cursor() as cursor:
        for query in queries:
            sql_figures(cursor, query)
        sql_side_figures(cursor, filters)


def check_same_figures(queries: list[StatsQuery]) -> int:
    """Every exact figure of the hub equals the SQL's; the number of figures compared."""
    compared = 0
    with connection.cursor() as cursor:
        for query in queries:
            expected = sql_figures(cursor, query)
            result = stats_run(query=query, audience=Audience.ANALYST)
            table = catalogue()[query.table]
            for cell in result.cells:
                assert cell.value == expected.get(cell.key, 0), (query, cell, expected)
                compared += 1
            for key, value in expected.items():
                summable = all(code != TOTAL or is_additive(table, column)
                               for code, column in zip(key, result.columns, strict=True))
                if summable and value:
                    assert result.value(*key) == value, (query, key, value)
    return compared


class OverBudget(Exception):
    pass


def partner_seconds(filters: Filters, budget: int) -> tuple[float, int]:
    """Seconds of one partner build of each dashboard in turn, and how many were built
    before ``budget`` seconds ran out.

    Bounded: without a publication, or with a cold cache, the partner path
    computes or reads whole releases and can take far longer than the rest.
    """
    def stop(signum: int, frame: object) -> None:
        raise OverBudget

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(budget)
    started, built = time.perf_counter(), 0
    try:
        for board in boards.BOARDS:
            boards.build(board.slug, filters, Audience.PARTNER, "fr")
            built += 1
    except OverBudget:
        pass
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return time.perf_counter() - started, built


def partner_figures(filters: Filters, queries: list[StatsQuery]) -> dict[str, Any]:
    """Partners over the current year: publish, then dashboards served from it."""
    started = time.perf_counter()
    published = releases_publish(rules=disclosure_rules(), year=filters.year)
    publish = time.perf_counter() - started
    slowest = max(published, key=lambda p: p.seconds)
    progress(f"publish 1y: {len(published)} releases in {publish:.1f} s "
             f"(slowest {slowest.population} {slowest.seconds:.1f} s)")
    out: dict[str, Any] = {
        "partner_publish_seconds_1y": round(publish, 3),
        "partner_publish_releases_1y": len(published),
        "partner_publish_slowest_1y": f"{slowest.population} {slowest.seconds:.1f} s",
        "partner_publish_figures_stored_1y": PartnerFigure.objects.count(),
    }
    release_cache_clear()  # a fresh worker: its first build reads the stored releases
    first, built = partner_seconds(filters, PARTNER_BUDGET)
    out["partner_boards_built_1y"] = f"{built}/{len(boards.BOARDS)}"
    out["partner_first_build_seconds_1y"] = round(first, 3)
    progress(f"partner 1y, first build: {built} dashboards in {first:.1f} s")
    if built == len(boards.BOARDS):
        served, raw = interleaved(lambda: build_all(filters, Audience.PARTNER),
                                  lambda: baseline(queries, filters), rounds=ROUNDS)
        out["partner_seconds_1y"] = round(served, 3)
        out["partner_raw_sql_seconds_1y"] = round(raw, 3)
        out["partner_ratio_1y"] = round(served / raw, 2)
        progress(f"partner 1y, served: {served:.3f} s, raw SQL {raw:.3f} s")
    return out


def progress(message: str) -> None:
    print(f"[hub_dashboards {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    translation.activate("fr")
    today = timezone.localdate()
    started = time.perf_counter()
    cells = load(today)
    load_seconds = time.perf_counter() - started
    progress(f"{NODES} nodes, {cells} cells loaded in {load_seconds:.1f} s")
    ten_years = Filters(start=date(today.year - YEARS + 1, 1, 1), end=date(today.year, 12, 31))
    this_year = Filters(start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    figures: dict[str, Any] = {"nodes": NODES, "cells": cells,
                               "load_seconds_real_ingest": round(load_seconds, 1)}
    asked = {}
    for label, filters in (("10y", ten_years), ("1y", this_year)):
        queries = asked[label] = captured_queries(filters)
        compared = check_same_figures(queries)
        hub, raw = interleaved(lambda f=filters: build_all(f, Audience.ANALYST),
                               lambda q=queries, f=filters: baseline(q, f), rounds=ROUNDS)
        figures[f"stats_queries_per_build_{label}"] = len(queries)
        figures[f"figures_checked_equal_{label}"] = compared
        figures[f"analyst_build_all_seconds_{label}"] = round(hub, 3)
        figures[f"raw_sql_seconds_{label}"] = round(raw, 3)
        figures[f"analyst_ratio_{label}"] = round(hub / raw, 2)
        progress(f"{label}: analyst {hub:.3f} s, raw SQL {raw:.3f} s")
    figures.update(partner_figures(this_year, asked["1y"]))
    emit("hub_dashboards", figures, {"analyst_ratio_10y": "<=2", "analyst_ratio_1y": "<=2"})


if __name__ == "__main__":
    main()
