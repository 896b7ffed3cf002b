"""The choropleth of Senegal's 14 regions, drawn server-side as inline SVG.

Outlines are Natural Earth's 1:10m admin-1 boundaries (public domain), projected
and simplified by ``data/build_map.py`` into ``data/sn_regions.json``. A region's
colour says which of five classes its figure falls in; a suppressed figure is
hatched and carries no class, so the map tells no more than the table under it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from shared.codes import code_list

from .panels import Figure

MAP_FILE = Path(__file__).parent / "data" / "sn_regions.json"
# ColorBrewer "Blues" (5 classes), light to dark; text stays readable on every one.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
EMPTY = "#ffffff"
# Label positions where a region's centroid would collide with its neighbour's.
LABEL_AT = {
    "SN-DK": (24.0, 236.0),
    "SN-TH": (96.0, 190.0),
    "SN-FK": (112.0, 268.0),
    "SN-KL": (178.0, 300.0),
    "SN-SL": (250.0, 60.0),
}


@dataclass(frozen=True)
class MapRegion:
    code: str
    name: str
    path: str
    x: float
    y: float
    fill: str
    figure: Figure
    dark: bool


@dataclass(frozen=True)
class LegendClass:
    fill: str
    text: str


@dataclass(frozen=True)
class RegionMap:
    title: str
    width: int
    height: int
    regions: tuple[MapRegion, ...]
    legend: tuple[LegendClass, ...]
    source: str


@cache
def _outlines() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    return document


def _breaks(numbers: list[float]) -> list[float]:
    """Upper bounds of five equal-width classes from 0 to the largest figure."""
    top = max(numbers, default=0.0)
    if top <= 0:
        return []
    return [top * (i + 1) / len(PALETTE) for i in range(len(PALETTE))]


def _class_of(number: float, breaks: list[float]) -> int:
    for index, upper in enumerate(breaks):
        if number <= upper:
            return index
    return len(breaks) - 1


def region_map(
    *, title: str, figures: Mapping[str, Figure], lang: str, decimals: int = 0
) -> RegionMap:
    """The map of every region, coloured by ``figures`` (keyed by ISO 3166-2 code)."""
    outlines = _outlines()
    names = code_list("region")
    numbers = [f.number for f in figures.values() if f.number is not None]
    breaks = _breaks(numbers)
    regions = []
    for code in names.codes():
        shape = outlines["regions"][code]
        figure = figures.get(code, Figure.of(None))
        fill, dark = EMPTY, False
        if figure.number is not None and breaks:
            index = _class_of(figure.number, breaks) if figure.number > 0 else 0
            fill, dark = PALETTE[index], index >= 3
        x, y = LABEL_AT.get(code, shape["label"])
        regions.append(
            MapRegion(code, names.label(code, lang), shape["d"], x, y, fill, figure, dark)
        )
    legend = tuple(
        LegendClass(PALETTE[i], _legend_text(breaks, i, decimals)) for i in range(len(breaks))
    )
    return RegionMap(
        title, outlines["width"], outlines["height"], tuple(regions), legend, outlines["source"]
    )


def _legend_text(breaks: list[float], index: int, decimals: int) -> str:
    low = 0.0 if index == 0 else breaks[index - 1]
    return gettext("%(low)s à %(high)s") % {
        "low": Figure.of(low, decimals=decimals).text,
        "high": Figure.of(breaks[index], decimals=decimals).text,
    }
