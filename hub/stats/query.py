"""The statistics query engine: what can be asked, and the answer for an audience.

Only the fixed catalogue (shared/catalogue.py) can be queried. A query keeps
some dimensions of one table (``by``), sums over the others and over the
months of the period, for the whole country or by a level of the judicial or
administrative map. Analysts get exact counts; partners get the disclosure-
controlled figures of hub/stats/protection.py. Pages, the API and exports all
call ``stats_run``, so what a partner sees is the same everywhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.conf import settings

from hub.stats import geography as geo
from hub.stats.selectors import cell_counts, table_months
from shared.catalogue import Table, catalogue
from shared.disclosure import TOTAL, DisclosureRules

Key = tuple[str, ...]
GEO = "geo"
QUERY_PARAMETERS = ("by", "start", "end", "geography", "region", "court_of_appeal",
                    "jurisdiction")
# Code lists longer than this show only the codes present in the data (countries).
FULL_LIST_MAX = 64
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Audience(StrEnum):
    ANALYST = "analyst"
    PARTNER = "partner"


class Geography(StrEnum):
    NATIONAL = "national"
    COURT_OF_APPEAL = "court_of_appeal"
    JURISDICTION = "jurisdiction"
    REGION = "region"


@dataclass(frozen=True)
class StatsQuery:
    table: str
    by: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    geography: Geography = Geography.NATIONAL
    region: str | None = None
    court_of_appeal: str | None = None
    jurisdiction: str | None = None


class StatsQueryError(ValueError):
    """A query the engine refuses; ``field`` names the parameter (the API answers 400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class StatsCell:
    key: tuple[str, ...]
    value: int | None
    suppressed: bool


@dataclass(frozen=True)
class StatsResult:
    query: StatsQuery
    columns: tuple[str, ...]
    cells: tuple[StatsCell, ...]
    audience: Audience
    rules: DisclosureRules | None
    # Partners: when the release their figures are cut from was computed (None: no data).
    published_at: datetime | None = None
    _index: dict[Key, StatsCell] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({cell.key: cell for cell in self.cells})

    def value(self, *key: str) -> int | None:
        """The figure of ``key`` (None when suppressed); KeyError for a key not in the result."""
        return self._index[tuple(key)].value

    def cell(self, *key: str) -> StatsCell:
        return self._index[tuple(key)]


def disclosure_rules() -> DisclosureRules:
    return DisclosureRules(threshold=int(settings.SYSTRAITE_DISCLOSURE_THRESHOLD),
                           rounding_base=int(settings.SYSTRAITE_ROUNDING_BASE))


# --- parsing and checking ----------------------------------------------------------


def query_from_params(table: str, params: Mapping[str, str]) -> StatsQuery:
    """A query from GET parameters; any unknown or malformed one is a StatsQueryError."""
    for name in params:
        if name not in QUERY_PARAMETERS:
            raise StatsQueryError(name, f"unknown parameter {name!r}")
    by = tuple(part.strip() for part in params.get("by", "").split(",") if part.strip())
    geography = params.get("geography") or Geography.NATIONAL
    if geography not in Geography.__members__.values():
        raise StatsQueryError("geography", f"unknown geography {geography!r}")
    query = StatsQuery(
        table=table, by=by, start=_month(params, "start"), end=_month(params, "end"),
        geography=Geography(geography), region=params.get("region") or None,
        court_of_appeal=params.get("court_of_appeal") or None,
        jurisdiction=params.get("jurisdiction") or None,
    )
    query_check(query)
    return query


def _month(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name)
    if not raw:
        return None
    match = _MONTH.match(raw)
    if not match or not 1 <= int(match[2]) <= 12:
        raise StatsQueryError(name, f"expected a month YYYY-MM, got {raw!r}")
    return date(int(match[1]), int(match[2]), 1)


def query_check(query: StatsQuery) -> Table:
    """The query's table, after checking every part of the query."""
    table = catalogue().get(query.table)
    if table is None:
        raise StatsQueryError("table", f"unknown table {query.table!r}")
    names = table.dimension_names
    for name in query.by:
        if name not in names:
            raise StatsQueryError("by", f"unknown dimension {name!r} of {table.name}")
    if len(set(query.by)) != len(query.by):
        raise StatsQueryError("by", "a dimension is repeated")
    for dimension in table.dimensions:
        if not dimension.additive and dimension.name not in query.by:
            raise StatsQueryError("by", f"{dimension.name!r} is multi-valued: it cannot be "
                                  "summed over and must be kept in 'by'")
    if query.start and query.end and query.start > query.end:
        raise StatsQueryError("start", "start is after end")
    geo.filters_check(region=query.region, court_of_appeal=query.court_of_appeal,
                      jurisdiction=query.jurisdiction, error=StatsQueryError)
    return table


def query_period(query: StatsQuery) -> tuple[date, date] | None:
    """The months a query covers, open ends resolved against the data (None: no data)."""
    if query.start is not None and query.end is not None:
        return (_first_of_month(query.start), _first_of_month(query.end))
    bounds = table_months(table=query.table)
    if bounds is None and (query.start is None or query.end is None):
        return None
    start = query.start or (bounds[0] if bounds else None)
    end = query.end or (bounds[1] if bounds else None)
    assert start is not None and end is not None
    return (_first_of_month(start), _first_of_month(end))


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


# --- running -------------------------------------------------------------------------


def full_dimensions(table: Table, geography: Geography) -> tuple[str, ...]:
    """The dimensions of the table a query is cut from: geo (unless national), then the table's."""
    lead = () if geography is Geography.NATIONAL else (GEO,)
    return (*lead, *table.dimension_names)


def raw_counts(*, table: Table, period: tuple[date, date] | None, scope: tuple[str, ...],
               keep: tuple[str, ...] | None = None,
               per_jurisdiction: bool = True) -> dict[Key, int]:
    """Exact counts keyed by (jurisdiction, *dimension codes), or {} without a period.

    With ``keep``, the other dimensions are summed in the database and keyed
    TOTAL, and without ``per_jurisdiction`` the jurisdictions too (what an
    analyst's query needs: the database sums, Python lays out); by default
    every dimension is kept (what the protection of a whole table needs).
    """
    if period is None:
        return {}
    return cell_counts(table=table.name, start=period[0], end=period[1], jurisdictions=scope,
                       keep=keep, per_jurisdiction=per_jurisdiction)


def full_counts(*, geography: Geography, raw: Mapping[Key, int]) -> dict[Key, int]:
    """``raw_counts`` re-keyed by ``full_dimensions`` (the area first unless national)."""
    out: dict[Key, int] = {}
    for (jurisdiction, *codes), n in raw.items():
        lead = () if geography is Geography.NATIONAL else (geo.area_of(geography, jurisdiction),)
        key = (*lead, *codes)
        out[key] = out.get(key, 0) + n
    return out


def stats_run(*, query: StatsQuery, audience: Audience) -> StatsResult:
    """Answer ``query`` for ``audience``: exact for analysts, protected for partners.

    Partners are served whole calendar years only (a StatsQueryError otherwise),
    from the latest published release of the table's population and year
    (hub/stats/publication.py); the first partner run of a year never
    published computes and stores it, so it writes to the database; analysts' reads
    are audited by the caller (``hub.stats.services.stats_read_audit``), which
    knows the request.
    """
    table = query_check(query)
    columns = (*(() if query.geography is Geography.NATIONAL else (GEO,)), *query.by)
    scope = geo.scope(region=query.region, court_of_appeal=query.court_of_appeal,
                      jurisdiction=query.jurisdiction)
    full_dims = full_dimensions(table, query.geography)
    if audience is Audience.ANALYST:
        period = query_period(query)
        raw = raw_counts(table=table, period=period, scope=scope, keep=query.by,
                         per_jurisdiction=query.geography is not Geography.NATIONAL)
        counts = full_counts(geography=query.geography, raw=raw)
        figures = _exact_figures(counts)
        rules, published_at = None, None
    else:
        rules = disclosure_rules()
        figures, published_at = _partner_figures(query, rules)
    cells = _result_cells(query=query, table=table, full_dims=full_dims, columns=columns,
                          figures=figures, scope=scope)
    return StatsResult(query=query, columns=columns, cells=cells, audience=audience, rules=rules,
                       published_at=published_at)


def _partner_figures(query: StatsQuery, rules: DisclosureRules,
                     ) -> tuple[dict[Key, tuple[int | None, bool]], datetime | None]:
    """The query's figures cut from its published release, and when it was computed."""
    from hub.stats.protection import partner_figures, partner_period
    from hub.stats.publication import release_for

    period = partner_period(query)
    if period is None:
        return {}, None
    publication = release_for(table_name=query.table, period=period, rules=rules)
    figures = partner_figures(query=query, release=publication.figures)
    return figures, publication.computed_at


def is_additive(table: Table, column: str) -> bool:
    """Whether a column's cells sum to a total (the area always does)."""
    return column == GEO or next(d for d in table.dimensions if d.name == column).additive


def _exact_figures(counts: Mapping[Key, int]) -> dict[Key, tuple[int | None, bool]]:
    """Exact counts of every interior and margin key present in the data.

    A position already TOTAL in ``counts`` (summed in the database) stays TOTAL.
    """
    figures: dict[Key, tuple[int | None, bool]] = {}
    for key, n in counts.items():
        for margin in itertools.product(*((c, TOTAL) if c != TOTAL else (c,) for c in key)):
            value = figures.get(margin, (0, False))[0] or 0
            figures[margin] = (value + n, False)
    return figures


def _result_cells(*, query: StatsQuery, table: Table, full_dims: tuple[str, ...],
                  columns: tuple[str, ...], figures: Mapping[Key, tuple[int | None, bool]],
                  scope: tuple[str, ...]) -> tuple[StatsCell, ...]:
    """Every interior and margin cell of the result; absent keys are exact zeros.

    Margins over a multi-valued dimension are left out: its cells do not sum.
    """
    positions = [full_dims.index(column) for column in columns]
    summable = [is_additive(table, column) for column in columns]
    axes = [_categories(table, column, query, scope, figures, full_dims) for column in columns]
    cells = []
    for key in itertools.product(*((*codes, TOTAL) for codes in axes)):
        if any(code == TOTAL and not ok for code, ok in zip(key, summable, strict=True)):
            continue
        full = [TOTAL] * len(full_dims)
        for position, code in zip(positions, key, strict=True):
            full[position] = code
        value, suppressed = figures.get(tuple(full), (0, False))
        cells.append(StatsCell(key=key, value=value, suppressed=suppressed))
    return tuple(cells)


def _categories(table: Table, column: str, query: StatsQuery, scope: tuple[str, ...],
                figures: Mapping[Key, tuple[int | None, bool]],
                full_dims: tuple[str, ...]) -> tuple[str, ...]:
    if column == GEO:
        return geo.areas(query.geography, scope)
    codes = next(d for d in table.dimensions if d.name == column).codes().codes()
    if len(codes) <= FULL_LIST_MAX:
        return codes
    position = full_dims.index(column)
    seen = {key[position] for key in figures}
    return tuple(code for code in codes if code in seen)
