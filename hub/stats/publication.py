"""Partner releases, computed off the request path and stored: what partners are served.

Protecting a population for a year (hub/stats/protection.py) takes seconds to
minutes on a country's data, and every push of a node changes the data it is
computed from. So releases are *published*: ``systraite-hub publish``
(scheduled by the Ansible hub role, hourly by default) computes the release of
every population for every year with data, and stores it (``PartnerRelease``,
its figures as ``PartnerFigure`` rows). A partner request reads the latest
stored release of its population, year and disclosure rules, whatever data
arrived since; a year never published is computed once, in the first request
that asks for it, and stored. Partners are told as of when (``computed_at``,
``published_at`` in the API).

Idempotent and safe to run concurrently: each release is computed in one
transaction holding a PostgreSQL advisory lock on its (population, period,
rules), and skipped when the stored one was computed from the current data
version; a request computing a missing release takes the same lock, so two
processes never compute one release twice at once. Each process keeps the
releases it read in memory, keyed by the stored row (a new computation
stores a new row).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Min
from django.db.models.functions import ExtractYear
from django.utils import timezone

from hub.ingest.models import Cell
from hub.stats.models import PartnerFigure, PartnerRelease
from hub.stats.protection import (
    Area,
    Figure,
    Release,
    data_version,
    population_tables,
    release_compute,
)
from hub.stats.query import Geography, Key
from shared.catalogue import Table, catalogue
from shared.disclosure import DisclosureRules

Period = tuple[date, date]
CACHE_SIZE = 32
# First key of the advisory locks of publication (the second: the release's hash).
LOCK_CLASS = 0x53545052  # "STPR"
_cache: OrderedDict[tuple[int, datetime], Publication] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Publication:
    """A stored release as partners are served it."""

    release_id: int
    population: str
    period: Period
    computed_at: datetime
    figures: Release


@dataclass(frozen=True)
class Published:
    """What ``release_publish`` did for one population and year."""

    population: str
    year: int
    computed: bool
    seconds: float
    figures: int


def year_period(year: int) -> Period:
    return date(year, 1, 1), date(year, 12, 1)


def populations() -> dict[str, tuple[Table, ...]]:
    """Every population of the catalogue (``Table.counts``) and the tables counting it."""
    out: dict[str, tuple[Table, ...]] = {}
    for table in catalogue().values():
        out.setdefault(table.counts, population_tables(table.name))
    return out


# --- serving partners ---------------------------------------------------------------


def release_for(*, table_name: str, period: Period, rules: DisclosureRules) -> Publication:
    """The latest stored release of ``table_name``'s population for ``period``; computed
    and stored first when there is none (a year never published). Never recomputed
    here because of new data: that is ``release_publish``'s work."""
    tables = population_tables(table_name)
    population = tables[0].counts
    for _ in range(3):
        row = _stored(population, period, rules)
        if row is None:
            try:
                row, _ = _publish(population=population, tables=tables, period=period,
                                  rules=rules, refresh=False)
            except IntegrityError:  # SQLite only (no advisory lock): another process stored it
                continue
        publication = _loaded(row)
        if publication is not None:
            return publication
    raise RuntimeError(f"the release of {population} {period[0]:%Y} kept being replaced")


def release_cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


def published_at(*, period: Period, rules: DisclosureRules) -> datetime | None:
    """When the oldest stored release of ``period`` was computed: the partner figures
    of that year are as of then at least (None: nothing published yet)."""
    return PartnerRelease.objects.filter(
        period_start=period[0], period_end=period[1], threshold=rules.threshold,
        rounding_base=rules.rounding_base,
    ).aggregate(at=Min("computed_at"))["at"]


def _stored(population: str, period: Period, rules: DisclosureRules) -> PartnerRelease | None:
    return PartnerRelease.objects.filter(
        population=population, period_start=period[0], period_end=period[1],
        threshold=rules.threshold, rounding_base=rules.rounding_base,
    ).first()


def _loaded(row: PartnerRelease) -> Publication | None:
    """The release of a stored row, or None when a publication replaced the row since
    it was read (its figures went with it: serving none would show only zeros)."""
    key = (row.pk, row.computed_at)  # the time too: SQLite may reuse the id of a deleted row
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    figures = _figures_read(row)  # one statement: all of the row's figures, or none
    if not figures and not PartnerRelease.objects.filter(pk=row.pk).exists():
        return None
    publication = Publication(release_id=row.pk, population=row.population,
                              period=(row.period_start, row.period_end),
                              computed_at=row.computed_at, figures=figures)
    with _cache_lock:
        _cache[key] = publication
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return publication


def _figures_read(row: PartnerRelease) -> Release:
    dims = {name: len(t.dimensions) for name, t in catalogue().items()}
    areas: dict[tuple[str, str], Area] = {}
    release: dict[str, dict[Area, dict[Key, Figure]]] = defaultdict(lambda: defaultdict(dict))
    rows = PartnerFigure.objects.filter(release=row).values_list(
        "table", "level", "area", "d1", "d2", "d3", "value", "suppressed")
    for table, level, code, d1, d2, d3, value, suppressed in rows.iterator(chunk_size=20000):
        area = areas.get((level, code))
        if area is None:
            area = areas[(level, code)] = Area(Geography(level), code or None)
        release[table][area][(d1, d2, d3)[:dims[table]]] = (value, suppressed)
    return {name: dict(by_area) for name, by_area in release.items()}


# --- publishing -----------------------------------------------------------------------


def release_publish(*, population: str, period: Period, rules: DisclosureRules) -> Published:
    """Compute and store the release of ``population`` for ``period`` unless the stored
    one was computed from the current data version. Idempotent; concurrent runs wait
    for each other (advisory lock) and the later one then finds nothing to do."""
    started = time.perf_counter()
    row, computed = _publish(population=population, tables=populations()[population],
                             period=period, rules=rules, refresh=True)
    return Published(population=population, year=period[0].year, computed=computed,
                     seconds=time.perf_counter() - started,
                     figures=row.figures.count() if computed else 0)


def releases_publish(*, rules: DisclosureRules, year: int | None = None) -> list[Published]:
    """``release_publish`` for every population and every year with data, the current
    year and every year already published (or only ``year``)."""
    done = []
    for population, tables in populations().items():
        years = [year] if year is not None else publication_years(population, tables)
        for one in years:
            done.append(release_publish(population=population, period=year_period(one),
                                        rules=rules))
    return done


def publication_years(population: str, tables: tuple[Table, ...]) -> list[int]:
    """The years of ``population`` to publish: with cells, already published, and now."""
    with_data = (Cell.objects.filter(table__in=[t.name for t in tables])
                 .annotate(year=ExtractYear("month")).values_list("year", flat=True)
                 .distinct().order_by())
    published = (PartnerRelease.objects.filter(population=population)
                 .values_list("period_start__year", flat=True))
    return sorted({*with_data, *published, timezone.localdate().year})


def _publish(*, population: str, tables: tuple[Table, ...], period: Period,
             rules: DisclosureRules, refresh: bool) -> tuple[PartnerRelease, bool]:
    """The stored release, computed first when there is none, or (``refresh``) when it
    is older than the data; and whether it was computed."""
    with transaction.atomic():
        _lock(population, period, rules)
        row = _stored(population, period, rules)
        # Read before the counts: a release is never older than the version it records.
        version = data_version(tables=[t.name for t in tables], period=period)
        if row is not None and (not refresh or (row.parts, row.sequence_sum) == version):
            return row, False
        started = time.perf_counter()
        release = release_compute(tables=tables, period=period, rules=rules)
        if row is not None:
            row.delete()  # its figures go with it (one statement); the new row has a new id
        row = PartnerRelease.objects.create(
            population=population, period_start=period[0], period_end=period[1],
            threshold=rules.threshold, rounding_base=rules.rounding_base,
            parts=version[0], sequence_sum=version[1],
            computed_at=timezone.now(),
            compute_milliseconds=round((time.perf_counter() - started) * 1000))
        _figures_store(row, release)
        return row, True


def _lock(population: str, period: Period, rules: DisclosureRules) -> None:
    """Hold, until the transaction ends, the lock of this one release (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    name = f"{population}|{period[0]}|{period[1]}|{rules.threshold}|{rules.rounding_base}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_CLASS, name])


def _figure_rows(release: Release) -> Iterator[tuple[str, str, str, str, str, str, int | None,
                                                     bool]]:
    for table, areas in release.items():
        for area, figures in areas.items():
            for key, (value, suppressed) in figures.items():
                d1, d2, d3 = (*key, "", "", "")[:3]
                yield table, area.level.value, area.code or "", d1, d2, d3, value, suppressed


def _figures_store(row: PartnerRelease, release: Release) -> None:
    """The figures of a release: on PostgreSQL one INSERT ... SELECT FROM unnest (a
    release holds up to hundreds of thousands of figures); elsewhere through the ORM."""
    rows = list(_figure_rows(release))
    if connection.vendor == "postgresql":
        columns = list(zip(*rows, strict=True)) if rows else [()] * 8
        with connection.cursor() as cursor:
            cursor.execute(_STORE_SQL, [row.pk, *(list(column) for column in columns)])
        return
    PartnerFigure.objects.bulk_create(
        (PartnerFigure(release=row, table=t, level=level, area=area, d1=d1, d2=d2, d3=d3,
                       value=value, suppressed=suppressed)
         for t, level, area, d1, d2, d3, value, suppressed in rows), batch_size=2000)


_STORE_SQL = f"""
    INSERT INTO {PartnerFigure._meta.db_table}
        (release_id, "table", level, area, d1, d2, d3, value, suppressed)
    SELECT %s, r.*
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                %s::integer[], %s::boolean[]) AS r
"""  # noqa: S608 (only the model's table name is rendered; every value is a parameter)
