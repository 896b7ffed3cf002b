"""Population denominators: load a CSV of region,sex,year,population.

The hub ships a default file (data/population.csv, ANSD projections, to be
verified); the administrator replaces it with ``systraite-hub load-population``
or the API. Loading a file replaces every row of the years it lists, in one
transaction, after checking every line (a bad line names its number).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from hub.stats.models import PopulationFigure
from shared.codes import code_list

HEADER = ("region", "sex", "year", "population")
DEFAULT_SOURCE = "ANSD projections (default file shipped with Systraite, to be verified)"


class PopulationFileError(ValueError):
    """A population file the hub refuses; the message names the line."""


@dataclass(frozen=True)
class PopulationRow:
    region: str
    sex: str
    year: int
    population: int


def population_parse(text: str) -> list[PopulationRow]:
    """Rows of a CSV (lines starting with # are comments); PopulationFileError if bad."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = tuple(next(reader, ()))
    if header != HEADER:
        raise PopulationFileError(f"expected the header {','.join(HEADER)}, got {header!r}")
    rows, seen = [], set()
    for number, fields in enumerate(reader, start=2):
        row = _row(number, fields)
        if (row.region, row.sex, row.year) in seen:
            raise PopulationFileError(f"line {number}: {row.region} {row.sex} {row.year} twice")
        seen.add((row.region, row.sex, row.year))
        rows.append(row)
    if not rows:
        raise PopulationFileError("the file has no rows")
    return rows


def _row(number: int, fields: list[str]) -> PopulationRow:
    if len(fields) != len(HEADER):
        raise PopulationFileError(f"line {number}: expected 4 fields, got {len(fields)}")
    region, sex, year, population = (f.strip() for f in fields)
    if region not in code_list("region"):
        raise PopulationFileError(f"line {number}: unknown region {region!r}")
    if sex not in code_list("gender"):
        raise PopulationFileError(f"line {number}: unknown sex {sex!r}")
    if not (year.isdigit() and 1950 <= int(year) <= 2100):
        raise PopulationFileError(f"line {number}: bad year {year!r}")
    if not population.isdigit():
        raise PopulationFileError(f"line {number}: bad population {population!r}")
    return PopulationRow(region, sex, int(year), int(population))


@transaction.atomic
def population_load(*, rows: Iterable[PopulationRow], source: str = "") -> int:
    """Replace the figures of every year in ``rows``; returns how many rows were stored."""
    rows = list(rows)
    PopulationFigure.objects.filter(year__in={row.year for row in rows}).delete()
    PopulationFigure.objects.bulk_create(
        PopulationFigure(region=r.region, sex=r.sex, year=r.year, population=r.population,
                         source=source[:200]) for r in rows
    )
    return len(rows)


def default_population_text() -> str:
    return resources.files("hub.stats").joinpath("data", "population.csv").read_text("utf-8")


def population_ensure_default() -> None:
    """Load the shipped file when the hub has no population at all (first use)."""
    if not PopulationFigure.objects.exists():
        population_load(rows=population_parse(default_population_text()), source=DEFAULT_SOURCE)
