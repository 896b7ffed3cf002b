"""LP disclosure audit of the whole catalogue: everything a partner can reach, together.

A small hub is seeded with every catalogue table (tests/hub/stats/catalogue_hub.py).
For one population and year at a time (populations and years share no
figure), a partner's knowledge is written as linear constraints on the true
exact counts (tests/shared/lp_audit.py):

* variables: the true cells of every table of the population, by jurisdiction
  (the finest level), except those a partner sees as an exact published 0;
* every figure a partner can get through ``stats_run`` (pages, API and
  exports all call it): every table at every map level, every ``by``, every
  area filter level, and every way of asking for the year; a published v
  means a count in ``rounding_preimage(v)`` and, unless v is 0, at least the
  threshold; a withheld one means at least 1;
* the links between tables, derived from the catalogue's metadata only: two
  tables of the same ``population`` count the same units, so their cells
  summed over the attributes they share are equal (codes outside a table's
  ``within`` slice excluded; age groups derived from age bands by the code
  list; a multi-valued dimension one table lacks gives an inequality).

Every withheld figure's [min, max] must be at least the threshold wide; and
the truth must lie inside it (or the model of the partner is wrong). The
periods a partner cannot get (months, overlapping ranges) are refused.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from hub.stats import geography as geo
from hub.stats.publication import release_cache_clear
from hub.stats.query import (
    GEO,
    Audience,
    Geography,
    StatsQuery,
    StatsQueryError,
    disclosure_rules,
    stats_run,
)
from shared.catalogue import Table
from shared.catalogue import table as catalogue_table
from shared.disclosure import TOTAL
from tests.hub.stats.catalogue_hub import (
    JURISDICTIONS,
    age_group_of_band,
    populations,
    seed_hub,
)
from tests.hub.stats.support import seed
from tests.shared.lp_audit import PartnerKnowledge

pytestmark = pytest.mark.django_db

YEAR = 2024
FILTERS = ({}, {"region": "SN-DK"}, {"court_of_appeal": "SN-CA-THS"},
           {"jurisdiction": "SN-TGI-KED"})
Cellkey = tuple[str, tuple[str, ...]]  # (jurisdiction, codes)


@dataclass(frozen=True)
class Variable:
    table: str
    jurisdiction: str
    codes: tuple[str, ...]


def year_queries(table: Table, year: int) -> Iterator[StatsQuery]:
    """Every query of ``table`` a partner can make for ``year``."""
    periods = ({"start": date(year, 1, 1), "end": date(year, 12, 1)},
               {"start": date(year, 1, 1)}, {"end": date(year, 12, 1)})
    must = [d.name for d in table.dimensions if not d.additive]
    optional = [d.name for d in table.dimensions if d.additive]
    bys = [tuple(must) + extra for n in range(len(optional) + 1)
           for extra in itertools.combinations(optional, n)]
    for level, filters, by in itertools.product(Geography, FILTERS, bys):
        yield StatsQuery(table=table.name, by=by, geography=level, **filters, **periods[0])
    for period in periods[1:]:
        yield StatsQuery(table=table.name, by=table.dimension_names, **period)


def knowledge(tables: tuple[Table, ...], year: int) -> tuple[PartnerKnowledge, dict, dict]:
    """The partner's constraints; the support and truth of every withheld figure."""
    rules = disclosure_rules()
    known = PartnerKnowledge(rules)
    variables = {t.name: _variables(known, t, year) for t in tables}
    withheld: dict[tuple[int, ...], str] = {}
    for table in tables:
        for query in year_queries(table, year):
            result = stats_run(query=query, audience=Audience.PARTNER)
            supports = _supports(query, result.columns, variables[table.name])
            for cell in result.cells:
                support = supports.get(cell.key, [])
                known.shown(support, cell.value)
                if cell.suppressed:
                    withheld.setdefault(tuple(sorted(support)), f"{table.name} {query} {cell.key}")
    _link(known, tables, variables)
    truth = _truth(tables, year, variables)
    return known, withheld, truth


def _variables(known: PartnerKnowledge, table: Table, year: int) -> dict[Variable, int]:
    """A variable per jurisdiction cell the partner does not see as an exact 0."""
    result = stats_run(query=StatsQuery(table=table.name, by=table.dimension_names,
                                        geography=Geography.JURISDICTION,
                                        start=date(year, 1, 1), end=date(year, 12, 1)),
                       audience=Audience.PARTNER)
    out = {}
    for cell in result.cells:
        if TOTAL in cell.key or (cell.value == 0 and not cell.suppressed):
            continue
        variable = Variable(table.name, cell.key[0], cell.key[1:])
        out[variable] = known.variable(variable)
    return out


def _supports(query: StatsQuery, columns: tuple[str, ...],
              variables: dict[Variable, int]) -> dict[tuple[str, ...], list[int]]:
    """The true cells each result cell adds up, from the query's meaning (not from the
    code answering it): the jurisdictions its filters keep, in its area, with its codes."""
    scope = set(geo.scope(region=query.region, court_of_appeal=query.court_of_appeal,
                          jurisdiction=query.jurisdiction))
    dims = catalogue_table(query.table).dimension_names
    out: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for variable, index in variables.items():
        if variable.jurisdiction not in scope:
            continue
        codes = dict(zip(dims, variable.codes, strict=True))
        if GEO in columns:
            codes[GEO] = geo.area_of(query.geography, variable.jurisdiction)
        for key in itertools.product(*((codes[c], TOTAL) for c in columns)):
            out[key].append(index)
    return out


# --- the links between tables, from the catalogue's metadata ---------------------------


def attributes_of(table: Table, codes: tuple[str, ...]) -> dict[str, str]:
    """What a cell says about the units it counts: its codes, its table's slice, and
    the coarser codes they imply (an age band's age group)."""
    attrs = dict(table.within)
    attrs.update(zip(table.dimension_names, codes, strict=True))
    if "age_band" in attrs:
        attrs["age_group"] = age_group_of_band(attrs["age_band"])
    return attrs


def names_of(table: Table) -> set[str]:
    names = {*table.dimension_names, *(name for name, _ in table.within)}
    return names | ({"age_group"} if "age_band" in names else set())


def _link(known: PartnerKnowledge, tables: tuple[Table, ...], variables: dict) -> None:
    """Tables of one population count the same units: grouped by the attributes they
    share, within the slice both can select, their sums are equal; when one table
    counts only part of those units (a slice the other cannot select, or a
    multi-valued dimension the other lacks), its cells are at most the other's sums."""
    for a, b in itertools.permutations(tables, 2):
        shared = names_of(a) & names_of(b)
        if not _selectable(b, a, shared):
            continue  # b's cells cannot be summed into a's groups
        equal = _selectable(a, b, shared)
        if equal and a.name > b.name:
            continue  # one equality per pair
        slices = dict(a.within) | dict(b.within)
        each_cell = bool(_multi(a) - shared)
        for jurisdiction in JURISDICTIONS:
            groups = _grouped(a, variables[a.name], jurisdiction, shared, slices)
            others = _grouped(b, variables[b.name], jurisdiction, shared, slices)
            for value in set(groups) | (set(others) if equal else set()):
                if equal:
                    known.equal(groups.get(value, []), others.get(value, []))
                elif each_cell:
                    for part in groups[value]:
                        known.at_most([part], others.get(value, []))
                else:
                    known.at_most(groups[value], others.get(value, []))


def _multi(table: Table) -> set[str]:
    return {d.name for d in table.dimensions if not d.additive}


def _selectable(table: Table, other: Table, shared: set[str]) -> bool:
    """Whether ``table``'s cells, grouped by ``shared``, count exactly the units of
    each group that ``other`` can speak of: each unit once (no multi-valued dimension
    outside ``shared``), restricted to a slice ``other`` can select too."""
    within = {name for name, _ in table.within}
    return not (_multi(table) - shared) and within <= names_of(other)


def _grouped(table: Table, variables: dict[Variable, int], jurisdiction: str,
             shared: set[str], slices: dict[str, str]) -> dict[tuple, list[int]]:
    out: dict[tuple, list[int]] = defaultdict(list)
    for variable, index in variables.items():
        if variable.jurisdiction != jurisdiction:
            continue
        attrs = attributes_of(table, variable.codes)
        if any(attrs.get(name, code) != code for name, code in slices.items()
               if name in shared):
            continue
        out[tuple(attrs[name] for name in sorted(shared))].append(index)
    return out


def _truth(tables: tuple[Table, ...], year: int, variables: dict) -> dict[int, int]:
    out = {}
    for table in tables:
        exact = stats_run(query=StatsQuery(table=table.name, by=table.dimension_names,
                                           geography=Geography.JURISDICTION,
                                           start=date(year, 1, 1), end=date(year, 12, 1)),
                          audience=Audience.ANALYST)
        for variable, index in variables[table.name].items():
            out[index] = exact.value(variable.jurisdiction, *variable.codes)
    return out


# --- the audit -------------------------------------------------------------------------


def audit(population: str, year: int) -> tuple[dict, int]:
    tables = populations()[population]
    known, withheld, truth = knowledge(tables, year)
    rules = disclosure_rules()
    narrow, outside = {}, {}
    for support, where in withheld.items():
        low, high = known.interval(support)
        true = sum(truth[i] for i in support)
        if not low - 1e-6 <= true <= high + 1e-6:
            outside[where] = (low, high, true)
        if high - low < rules.threshold - 1e-6:
            narrow[where] = (low, high, true)
    assert outside == {}, "the model of the partner's knowledge excludes the truth"
    return narrow, len(withheld)


@pytest.fixture(scope="module")
def hub_seed() -> int:
    return 7


@pytest.mark.parametrize("population", sorted(populations()))
def test_no_withheld_figure_can_be_narrowed_from_everything_a_partner_sees(
    population: str, hub_seed: int
) -> None:
    seed_hub(hub_seed, only=population)  # populations share no figure
    release_cache_clear()
    narrow, withheld = audit(population, YEAR)
    assert withheld, "the data must have withheld figures for the audit to mean anything"
    assert narrow == {}


@pytest.mark.parametrize(("start", "end"), [
    (date(YEAR, 1, 1), date(YEAR, 3, 1)), (date(YEAR, 1, 1), date(YEAR, 2, 1)),
    (date(YEAR, 3, 1), date(YEAR, 3, 1)), (date(YEAR - 1, 1, 1), date(YEAR, 12, 1)),
    (date(YEAR, 2, 1), date(YEAR + 1, 1, 1)),
])
def test_overlapping_periods_are_not_served_to_partners(start: date, end: date) -> None:
    seed("SN-TGI-KED", "survivors_sex_age_form", date(YEAR, 3, 1), {("Male", "9-17", "begging"): 4})
    query = StatsQuery(table="survivors_sex_age_form", by=("sex",), start=start, end=end)
    with pytest.raises(StatsQueryError) as error:
        stats_run(query=query, audience=Audience.PARTNER)
    assert error.value.field == "start"
    assert stats_run(query=query, audience=Audience.ANALYST).cells
