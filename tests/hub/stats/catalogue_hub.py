"""A small but varied hub: synthetic persons, cases and events counted into every
catalogue table the way nodes count them, so tables of one population agree.

Each population of the catalogue (``Table.counts``) gets its own units: a unit
has one code for every attribute its tables use (a set of codes for a
multi-valued one, and an age from which both age band and age group follow);
it is counted in every table whose ``within`` slice it belongs to, once per
combination of its codes, in the month it was identified.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from hub.ingest.models import Cell
from shared.catalogue import Dimension, Table, catalogue
from shared.codes import age_band_for, age_group_for, code_list
from tests.hub.stats.support import node_for

# Two regions of one court of appeal with two jurisdictions in one of them, a
# court of appeal with a single region, and a lone jurisdiction far away.
JURISDICTIONS = ("SN-TGI-DKR", "SN-TGI-PKG", "SN-TGI-THS", "SN-TGI-DBL", "SN-TGI-KED")
YEARS = (2023, 2024)
AGE_DIMENSIONS = ("age_band", "age_group")
COUNTRIES = ("SN", "GW", "ML")
UNITS = (15, 60)  # per population, jurisdiction and year
AGES = (None, 7, 12, 15, 15, 25, 33)  # five age bands in three age groups
Unit = dict[str, object]


def populations() -> dict[str, tuple[Table, ...]]:
    out: dict[str, list[Table]] = defaultdict(list)
    for table in catalogue().values():
        out[table.counts].append(table)
    return {name: tuple(tables) for name, tables in out.items()}


def attributes(tables: Iterable[Table]) -> dict[str, tuple[Dimension, bool]]:
    """Every attribute of a population's units: its dimension and whether it is multi-valued."""
    out: dict[str, tuple[Dimension, bool]] = {}
    for table in tables:
        for dimension in table.dimensions:
            multi = out.get(dimension.name, (dimension, False))[1] or not dimension.additive
            out[dimension.name] = (dimension, multi)
    return out


def domain(dimension: Dimension) -> tuple[str, ...]:
    codes = dimension.codes().codes()
    return COUNTRIES if dimension.code_list == "country" else codes[:3]


def unit_draw(attrs: dict[str, tuple[Dimension, bool]], rng: random.Random) -> Unit:
    unit: Unit = {}
    age = rng.choice(AGES)
    for name, (dimension, multi) in attrs.items():
        if name in AGE_DIMENSIONS:
            continue
        codes = domain(dimension)
        if multi:
            unit[name] = frozenset(rng.sample(codes, rng.choice((1, 1, 2))))
        else:
            unit[name] = rng.choices(codes, (6, 3, 1)[: len(codes)])[0]
    if "status" in unit:  # everyone prosecuted or convicted was suspected first
        unit["status"] = frozenset({"suspected"}) | unit["status"]  # type: ignore[operator]
    unit["age_band"], unit["age_group"] = age_band_for(age), age_group_for(age)
    return unit


def counted(table: Table, unit: Unit) -> list[tuple[str, ...]]:
    """The cells of ``table`` a unit is counted in (none outside the table's slice)."""
    for name, code in table.within:
        value = unit[name]
        if not (value == code or (isinstance(value, frozenset) and code in value)):
            return []
    axes = [sorted(v) if isinstance(v := unit[d], frozenset) else [v]
            for d in table.dimension_names]
    return list(itertools.product(*axes))  # type: ignore[arg-type]


def seed_hub(seed_value: int, only: str | None = None) -> None:
    """Seed every population (or ``only`` that one) for every jurisdiction and year."""
    rng = random.Random(seed_value)
    cells: list[Cell] = []
    for name, tables in populations().items():
        if only is not None and name != only:
            continue
        attrs = attributes(tables)
        for jurisdiction, year in itertools.product(JURISDICTIONS, YEARS):
            node = node_for(jurisdiction)
            monthly: dict[tuple[str, date], Counter] = defaultdict(Counter)
            for _ in range(rng.randint(UNITS[0], UNITS[1])):
                unit = unit_draw(attrs, rng)
                month = date(year, rng.randint(1, 12), 1)
                for table in tables:
                    monthly[(table.name, month)].update(counted(table, unit))
            cells.extend(
                Cell(node=node, table=name, month=month, count=n,
                     **{f"d{i + 1}": code for i, code in enumerate(key)})
                for (name, month), counts in monthly.items() for key, n in counts.items()
            )
    Cell.objects.bulk_create(cells, batch_size=5000)


def age_group_of_band(band: str) -> str:
    """From the band's lower bound in the code list (as the catalogue's codes say)."""
    attrs = code_list("age_band").get(band).attrs
    return age_group_for(attrs["min"]) if "min" in attrs else "unknown"
