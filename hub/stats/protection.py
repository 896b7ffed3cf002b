"""Disclosure control of partner figures, consistent across queries, tables, maps and releases.

What must be protected is what a partner can add up and subtract, across every
table, map level, period and release they can reach. ``shared.disclosure``
protects one table with its margins; this module decides which tables are
protected together and which figures a partner may ask for at all.

1. **Partners are served whole calendar years.** A partner period is one
   calendar year (January to December); any other range is refused (400).
   Periods that overlap or nest are the easiest attack there is: 2024-01..03
   minus 2024-01..02 is March, a figure no release protected. Years do not
   overlap, so there is nothing to subtract; and the year is what the
   annual report, SDG 16.2.2 and UNODC GLOTIP ask for. Analysts keep any
   range of months. An open end resolves to a whole year (``partner_period``).
2. **One protection of the whole country per population and year.** Every
   partner query of a table, whatever it keeps (``by``), its map level and
   its area filter, is *cut* from that protection: two queries can never
   show a figure once published and once withheld, and a filtered query
   (a region, a court of appeal) shows only figures the national one shows.
3. **Linked sub-tables (the HiTaS method of tau-argus).** The map is a tree:
   country > courts of appeal > regions > jurisdictions (checked when the
   tree is built), and age bands nest in age groups. Each link is a
   sub-table whose margin is the parent: the courts of appeal with the
   country as total, the regions of a court with the court as total, the
   jurisdictions of a region with the region as total; and, for a table by
   age band, the bands of one age group with the group as total. Tables
   counting the same population (catalogue ``population`` / ``within``)
   show the same cells under different tables. Every sub-table of every
   table of the population is protected with ``protect_table``, and a cell
   withheld anywhere is *forced*, by its meaning (``geo@region=SN-DK;sex=F``
   whatever table shows it), into every sub-table showing it, until nothing
   changes (suppression only grows, so this stops). Why not the other ways:
   protecting the finest level and adding protected cells up withholds
   nearly every national figure (one withheld jurisdiction hides its region,
   its court and the country); recording releases and forcing cells cannot
   protect the difference of two nested figures, which no release shows.
4. **Release registry** (``PublishedCell``). Every computed release records
   every cell it withheld, by meaning, for its year; later releases of the
   same year (after a correction) force them again, so a correction cannot
   reveal a cell an earlier release withheld.
5. **Publication** (hub/stats/publication.py). Protecting a population is
   costly and the same for every partner until new data arrives, so it is
   computed off the request path (``systraite-hub publish``, scheduled) and
   stored; partners are served the latest stored release of their
   population and year, computed in the request only for a year never
   published. A release computed again (new data, or a second process)
   reads the registry and forces every cell withheld before, so it
   withholds at least as much: what it publishes was already published,
   and the two releases together say no more than the first.

tests/hub/stats/test_lp_catalogue_audit.py checks all of this with linear
programming over everything a partner can reach.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection
from django.db.models import Count, Sum

from hub.ingest.models import TableMonthState
from hub.stats import geography as geo
from hub.stats.models import PublishedCell
from hub.stats.query import Geography, Key, StatsQuery, StatsQueryError, raw_counts
from hub.stats.selectors import table_months
from shared.catalogue import Table, catalogue
from shared.catalogue import table as catalogue_table
from shared.codes import age_group_for, code_list
from shared.disclosure import TOTAL, DisclosureRules, ProtectedCell, protect_table

Meaning = tuple[tuple[str, str], ...]
Figure = tuple[int | None, bool]
# The map from the top: each level nests in the one before (checked in _map_tree).
LEVELS = (Geography.NATIONAL, Geography.COURT_OF_APPEAL, Geography.REGION,
          Geography.JURISDICTION)
# A dimension whose codes nest in the codes of another: age bands in age groups.
NESTED = {"age_band": "age_group"}


@dataclass(frozen=True)
class Area:
    """An area of the map; the country has no code."""

    level: Geography
    code: str | None = None


COUNTRY = Area(Geography.NATIONAL)


@dataclass(frozen=True, eq=False)  # compared by identity: hashing a Table is slow
class Member:
    """One protected sub-table: a catalogue table over the children of ``parent``
    (the geo margin is the parent), and for a table by age band, over the bands
    of one age ``group`` (the age margin is the group)."""

    table: Table
    parent: Area
    children: Geography
    group: str | None = None

    @property
    def dims(self) -> int:
        return 1 + len(self.table.dimensions)


# --- partner periods ------------------------------------------------------------------


def partner_period(query: StatsQuery) -> tuple[date, date] | None:
    """The calendar year a partner query covers (None: no data and no period asked).

    Both ends given: they must be January and December of one year. One end:
    the first whole year from ``start``, or the last whole year up to ``end``.
    None: the latest year with data.
    """
    start, end = query.start, query.end
    if start and end:
        if start.month != 1 or end.month != 12 or start.year != end.year:
            raise StatsQueryError("start", "partners are served whole calendar years: "
                                  "start YYYY-01 and end YYYY-12 of the same year")
        year = start.year
    elif start:
        year = start.year + (start.month != 1)
    elif end:
        year = end.year - (end.month != 12)
    else:
        bounds = table_months(table=query.table)
        if bounds is None:
            return None
        year = bounds[1].year
    return date(year, 1, 1), date(year, 12, 1)


# --- the map and the age groups ---------------------------------------------------------


@cache
def _map_tree() -> dict[Area, tuple[Geography, tuple[str, ...]]]:
    """Every area with children: the level of its children and their codes, in map order."""
    everything = geo.scope()
    tree: dict[Area, tuple[Geography, tuple[str, ...]]] = {}
    for upper, lower in itertools.pairwise(LEVELS):
        parents: dict[str, set[Area]] = defaultdict(set)
        for jurisdiction in everything:
            parents[geo.area_of(lower, jurisdiction)].add(_area(upper, jurisdiction))
        for child, above in parents.items():
            if len(above) != 1:
                raise ValueError(f"{lower} {child} lies in several {upper} areas")
        for parent in {next(iter(above)) for above in parents.values()}:
            scope = _jurisdictions(parent)
            children = geo.areas(lower, scope)
            tree[parent] = (lower, children)
    return tree


def _area(level: Geography, jurisdiction: str) -> Area:
    return COUNTRY if level is Geography.NATIONAL else Area(level, geo.area_of(level, jurisdiction))


@cache
def _jurisdictions(area: Area) -> tuple[str, ...]:
    if area.level is Geography.NATIONAL:
        return geo.scope()
    return tuple(j for j in geo.scope() if geo.area_of(area.level, j) == area.code)


@cache
def _group_of(band: str) -> str:
    """The age group of an age band, from the band's lower bound."""
    attrs = code_list("age_band").get(band).attrs
    return age_group_for(attrs["min"]) if "min" in attrs else "unknown"


# --- what a cell means, whatever table shows it -----------------------------------------


def meaning_of(member: Member, key: Key) -> Meaning | None:
    """The (dimension, code) pairs a cell counts; None for a sum over a multi-valued
    dimension (never published, so never shared)."""
    pairs = list(member.table.within)
    area, *codes = key
    if area != TOTAL:
        pairs.append((f"geo@{member.children}", area))
    elif member.parent.code is not None:
        pairs.append((f"geo@{member.parent.level}", member.parent.code))
    for dimension, code in zip(member.table.dimensions, codes, strict=True):
        if code != TOTAL:
            pairs.append((dimension.name, code))
        elif member.group is not None and dimension.name in NESTED:
            pairs.append((NESTED[dimension.name], member.group))
        elif not dimension.additive:
            return None
    return tuple(sorted(pairs))


def meaning_text(meaning: Meaning) -> str:
    return ";".join(f"{dim}={code}" for dim, code in meaning)


def _meaning_parse(text: str) -> Meaning:
    if not text:
        return ()
    return tuple(tuple(part.split("=", 1)) for part in text.split(";"))  # type: ignore[misc]


# --- protecting a population ------------------------------------------------------------


def population_tables(table_name: str) -> tuple[Table, ...]:
    """Every catalogue table counting the population ``table_name`` counts."""
    population = catalogue_table(table_name).counts
    return tuple(t for t in catalogue().values() if t.counts == population)


def _members(tables: Iterable[Table]) -> Iterator[Member]:
    for table in tables:
        nested = [d.name for d in table.dimensions if d.name in NESTED]
        groups = code_list(NESTED[nested[0]]).codes() if nested else ()
        for parent, (children, _) in _map_tree().items():
            for group in (None, *groups):
                yield Member(table, parent, children, group)


def _member_counts(member: Member, raw: Mapping[Key, int]) -> dict[Key, int]:
    """The exact cells of one sub-table (keys: child area, then the table's codes)."""
    inside = set(_jurisdictions(member.parent))
    band = next((i for i, d in enumerate(member.table.dimensions) if d.name in NESTED), None)
    out: dict[Key, int] = defaultdict(int)
    for (jurisdiction, *codes), n in raw.items():
        if jurisdiction not in inside:
            continue
        if member.group is not None and _group_of(codes[band]) != member.group:  # type: ignore[index]
            continue
        out[(geo.area_of(member.children, jurisdiction), *codes)] += n
    return dict(out)


def _seen(counts: Mapping[Key, int], dims: int) -> list[list[str]]:
    """Codes with a non-zero count: any cell with another code is an exact, published 0."""
    return [sorted({key[d] for key, n in counts.items() if n}) for d in range(dims)]


def _by_meaning(member: Member, categories: list[list[str]]) -> dict[Meaning, Key]:
    keys = itertools.product(*((*codes, TOTAL) for codes in categories))
    index = {}
    for key in keys:
        meaning = meaning_of(member, key)
        if meaning is not None:
            index[meaning] = key
    return index


def _fixpoint(counts: Mapping[Member, Mapping[Key, int]], forced: set[Meaning],
              rules: DisclosureRules) -> dict[Member, dict[Key, ProtectedCell]]:
    """Protect every sub-table, forcing each one's withheld cells into the others, until
    stable. Top-down (the country first), each sub-table's withheld cells forced at once
    into the sub-tables still to come; a sub-table is protected again only when a cell
    it shows was withheld after it was protected."""
    categories = {m: _seen(c, m.dims) for m, c in counts.items()}
    index = {m: _by_meaning(m, categories[m]) for m in counts}
    showing: dict[Meaning, list[Member]] = defaultdict(list)
    for member, meanings in index.items():
        for meaning in meanings:
            showing[meaning].append(member)
    order = sorted(counts, key=lambda m: (LEVELS.index(m.parent.level), m.group or ""))
    out: dict[Member, dict[Key, ProtectedCell]] = {}
    pending, forced = set(counts), set(forced)
    while pending:
        for member in [m for m in order if m in pending]:
            pending.discard(member)
            mine = index[member]
            keys = [mine[meaning] for meaning in forced & mine.keys()]
            out[member] = protect_table(counts[member], dims=member.dims, rules=rules,
                                        categories=categories[member], forced=keys,
                                        width=linked_width(rules))
            new = set(_withheld(member, out[member])) - forced
            forced |= new
            pending.update(m for meaning in new for m in showing[meaning] if m is not member)
    return out


def linked_width(rules: DisclosureRules) -> int:
    """How far each sub-table's hypercubes must let a withheld cell move: the
    threshold plus one rounding base.

    A hypercube guarantees its width within its own sub-table. A partner
    combines every sub-table (the map levels, the tables sharing margins) and
    every rounded figure, and that can narrow a cell beyond what any one cube
    allows: the LP audit of the whole catalogue
    (tests/hub/stats/test_lp_catalogue_audit.py) found withheld cases narrowed
    to 8 wide with cubes of width 10 (threshold 10, base 5), and none below
    the threshold with this margin. It is a margin measured on test data, not
    a proof: the audit is what holds it to account.
    """
    return rules.threshold + rules.rounding_base


def _withheld(member: Member, protected: Mapping[Key, ProtectedCell]) -> Iterator[Meaning]:
    for key, cell in protected.items():
        if cell.suppressed:
            meaning = meaning_of(member, key)
            if meaning is not None:
                yield meaning


# --- releases: computed from a data version, recorded, cut for each query ------------

Release = dict[str, dict[Area, dict[Key, Figure]]]


def data_version(*, tables: Iterable[str], period: tuple[date, date]) -> tuple[int, int]:
    """What the cells of ``tables`` over ``period`` are a version of: how many (node,
    table, month) the hub holds among them, and the sum of the sequences of the
    submissions that last replaced each.

    An ingest rewrites the sequence of every (node, table, month) it carries, to
    a higher one (a node's sequences only grow), and a first one adds a row: so
    any change to these cells changes the version, and a push about other tables
    or other years does not. A few thousand rows at 60 nodes, read by index.
    """
    found = TableMonthState.objects.filter(
        table__in=list(tables), month__gte=period[0], month__lte=period[1]
    ).aggregate(parts=Count("id"), sequences=Sum("sequence"))
    return int(found["parts"]), int(found["sequences"] or 0)


def release_compute(*, tables: tuple[Table, ...], period: tuple[date, date],
                    rules: DisclosureRules) -> Release:
    """The protected figures of every table of one population (``population_tables``)
    for ``period``: table -> area -> key of the table's codes -> (value, suppressed).

    Exact zeros are left out (absent means an exact 0). Forces what earlier
    releases of the tables and period withheld, and records what this one
    withholds (the registry), so it writes to the database. Costly: seconds
    for a population of a country; hub/stats/publication.py stores it.
    """
    raws = {t.name: raw_counts(table=t, period=period, scope=geo.scope()) for t in tables}
    counts = {}
    for member in _members(tables):
        sub = _member_counts(member, raws[member.table.name])
        if any(sub.values()):
            counts[member] = sub
    forced = released_meanings(tables=[t.name for t in tables], period=period)
    out = _fixpoint(counts, forced, rules)
    release_record(protected=out, period=period)
    return _by_area(out)


def _by_area(out: Mapping[Member, Mapping[Key, ProtectedCell]]) -> Release:
    """Each area's figures, from the sub-tables showing it as a child or as the total
    (the same figures: equal counts, and suppression forced by meaning)."""
    release: Release = defaultdict(lambda: defaultdict(dict))
    for member, protected in out.items():
        if member.group is not None:
            continue
        figures = release[member.table.name]
        for (area, *codes), cell in protected.items():
            if cell.value == 0 and not cell.suppressed:
                continue
            where = member.parent if area == TOTAL else Area(member.children, area)
            figures[where][tuple(codes)] = (cell.value, cell.suppressed)
    return {name: dict(areas) for name, areas in release.items()}


def partner_figures(*, query: StatsQuery, release: Release) -> dict[Key, Figure]:
    """The partner figures of the query's full table (keys as ``query.full_dimensions``),
    cut from ``release``, the release of its population and year. Absent keys are
    exact zeros."""
    area = _filter_area(query)
    if area is None:
        return {}
    areas = release.get(query.table, {})
    here = areas.get(area, {})
    if query.geography is Geography.NATIONAL:
        return dict(here)
    out: dict[Key, Figure] = {(TOTAL, *codes): figure for codes, figure in here.items()}
    if LEVELS.index(query.geography) > LEVELS.index(area.level):
        inside = set(_jurisdictions(area))
        for below, figures in areas.items():
            if (below.level is query.geography and below.code is not None
                    and set(_jurisdictions(below)) <= inside):
                out.update({(below.code, *codes): f for codes, f in figures.items()})
    else:  # the map level is the filter's or above it: one area, holding the filter's figures
        code = geo.area_of(query.geography, _jurisdictions(area)[0])
        out.update({(code, *codes): figure for codes, figure in here.items()})
    return out


def _filter_area(query: StatsQuery) -> Area | None:
    """The area the filters keep (the finest one named; the map is a tree), or None
    when they keep no jurisdiction."""
    scope = geo.scope(region=query.region, court_of_appeal=query.court_of_appeal,
                      jurisdiction=query.jurisdiction)
    if not scope:
        return None
    for level, code in ((Geography.JURISDICTION, query.jurisdiction),
                        (Geography.REGION, query.region),
                        (Geography.COURT_OF_APPEAL, query.court_of_appeal)):
        if code:
            return Area(level, code)
    return COUNTRY


# --- the release registry ----------------------------------------------------------------


def released_meanings(*, tables: Iterable[str], period: tuple[date, date]) -> set[Meaning]:
    """Every cell withheld by an earlier partner release of these tables and period."""
    keys = PublishedCell.objects.filter(
        table__in=list(tables), signature="", period_start=period[0], period_end=period[1],
    ).values_list("key", flat=True)
    return {_meaning_parse(key) for key in keys}


def release_record(*, protected: Mapping[Member, Mapping[Key, ProtectedCell]],
                   period: tuple[date, date]) -> None:
    """Remember what a release withheld (first status kept; concurrent runs are safe).

    A release of a population withholds tens of thousands of cells, mostly
    recorded already by the release before it: on PostgreSQL they go in one
    INSERT ... SELECT FROM unnest ... ON CONFLICT DO NOTHING, with no model
    instance per row; elsewhere (SQLite in development) through the ORM.
    """
    rows: dict[tuple[str, str], str] = {}
    for member, cells in protected.items():
        for key, cell in cells.items():
            meaning = meaning_of(member, key) if cell.suppressed else None
            if meaning is not None:
                rows.setdefault((member.table.name, meaning_text(meaning)), cell.status.value)
    if connection.vendor == "postgresql":
        tables, keys = zip(*rows, strict=True) if rows else ((), ())
        with connection.cursor() as cursor:
            cursor.execute(_RECORD_SQL, [period[0], period[1], list(tables), list(keys),
                                         list(rows.values())])
        return
    PublishedCell.objects.bulk_create(
        (PublishedCell(table=table, signature="", period_start=period[0], period_end=period[1],
                       key=key, status=status) for (table, key), status in rows.items()),
        ignore_conflicts=True, batch_size=2000)


_RECORD_SQL = f"""
    INSERT INTO {PublishedCell._meta.db_table}
        ("table", signature, period_start, period_end, key, status, released_at)
    SELECT r.t, '', %s, %s, r.k, r.s, now()
    FROM unnest(%s::text[], %s::text[], %s::text[]) AS r (t, k, s)
    ON CONFLICT ("table", signature, period_start, period_end, key) DO NOTHING
"""  # noqa: S608 (only the model's table name is rendered; every value is a parameter)
