"""What a dashboard shows, as plain values the templates render: figures, tables, charts.

Every number reaches this module already decided by the statistics core (exact for
analysts, rounded or suppressed for partners). This module only lays results out;
it never computes a figure a partner could not see, and it renders every
suppressed cell with one symbol, whether it was withheld for itself or to protect
another cell (telling them apart would narrow a small count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.formats import number_format

from shared.catalogue import table as catalogue_table
from shared.codes import code_list
from shared.disclosure import TOTAL

SUPPRESSED = "—"
MANY_CODES = 30  # above this many codes, rows that are all published zeros are left out


class CellLike(Protocol):
    @property
    def key(self) -> tuple[str, ...]: ...
    @property
    def value(self) -> int | None: ...
    @property
    def suppressed(self) -> bool: ...


class ResultLike(Protocol):
    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def cells(self) -> tuple[Any, ...]: ...


@dataclass(frozen=True)
class Figure:
    """One figure as shown: its text, and its number for charts and map colours."""

    text: str
    number: float | None = None
    suppressed: bool = False

    @classmethod
    def of(cls, value: float | None, *, suppressed: bool = False, decimals: int = 0) -> Figure:
        if suppressed:
            return cls(SUPPRESSED, None, True)
        if value is None:
            return cls("…", None)
        return cls(number_format(value, decimals, force_grouping=True), float(value))

    @classmethod
    def percent(cls, value: float | None, *, suppressed: bool = False) -> Figure:
        figure = cls.of(None if value is None else value * 100, suppressed=suppressed, decimals=1)
        if figure.number is None:
            return figure
        return cls(f"{figure.text}\u00a0%", figure.number)


@dataclass(frozen=True)
class Row:
    label: str
    figures: tuple[Figure, ...]
    total: bool = False


@dataclass
class Panel:
    """One block of a dashboard: a chart and the table behind it, with its export links."""

    slug: str
    title: str
    columns: tuple[str, ...]
    rows: list[Row]
    row_header: str = ""
    chart: str = "bar"  # bar, stacked, hbar or none
    note: str = ""
    export_table: str | None = None
    export_query: str = ""
    total_column: bool = False
    chart_columns: tuple[int, ...] | None = None  # which columns the chart draws (default all)

    @property
    def show_chart(self) -> bool:
        """A chart only when there is something to draw (an all-zero chart is noise)."""
        body = (row for row in self.rows if not row.total)
        return self.chart != "none" and any(f.number for row in body for f in row.figures)

    @property
    def data_id(self) -> str:
        return f"{self.slug}-data"

    def chart_data(self) -> dict[str, Any]:
        """Chart.js data: one dataset per column but the total, suppressed cells as gaps."""
        body = [row for row in self.rows if not row.total]
        shown = len(self.columns) - (1 if self.total_column and len(self.columns) > 1 else 0)
        columns = [
            (i, label)
            for i, label in enumerate(self.columns[:shown])
            if self.chart_columns is None or i in self.chart_columns
        ]
        return {
            "type": self.chart,
            "labels": [row.label for row in body],
            "datasets": [
                {"label": label, "data": [row.figures[i].number for row in body]}
                for i, label in columns
            ],
        }


@dataclass
class Kpi:
    """A headline figure: a label, a figure, and what it means."""

    label: str
    figure: Figure
    help: str = ""


@dataclass
class Dashboard:
    slug: str
    title: str
    intro: str
    kpis: list[Kpi] = field(default_factory=list)
    panels: list[Panel] = field(default_factory=list)
    region_map: Any = None
    map_unit: str = ""
    notes: list[str] = field(default_factory=list)


def total_label() -> str:
    from django.utils.translation import gettext

    return gettext("Total")


def dimension_labeller(table_name: str, dimension: str, lang: str) -> Callable[[str], str]:
    """Turns a dimension's codes into labels in ``lang``; margins become "Total"."""
    dims = {d.name: d for d in catalogue_table(table_name).dimensions}
    codes = code_list(dims[dimension].code_list)

    def label(code: str) -> str:
        if code == TOTAL:
            return total_label()
        return codes.label(code, lang) if code in codes else code

    return label


def dimension_codes(table_name: str, dimension: str) -> tuple[str, ...]:
    dims = {d.name: d for d in catalogue_table(table_name).dimensions}
    return code_list(dims[dimension].code_list).codes()


def _figure(cell: CellLike | None) -> Figure:
    if cell is None:
        return Figure.of(0)
    return Figure.of(cell.value, suppressed=cell.suppressed)


def _cells_by_key(result: ResultLike) -> dict[tuple[str, ...], CellLike]:
    return {tuple(cell.key): cell for cell in result.cells}


def _ordered_codes(known: Sequence[str], seen: Iterable[str]) -> list[str]:
    seen_set = {code for code in seen if code != TOTAL}
    ordered = [code for code in known if code in seen_set]
    return ordered + sorted(seen_set - set(ordered))


def one_way(result: ResultLike, *, table: str, dim: str, lang: str) -> list[Row]:
    """Rows of a one-dimension result, in code-list order, with the total last."""
    cells = _cells_by_key(result)
    label = dimension_labeller(table, dim, lang)
    codes = _ordered_codes(dimension_codes(table, dim), (k[0] for k in cells))
    rows = [Row(label(code), (_figure(cells.get((code,))),)) for code in codes]
    rows = _drop_zero_rows(rows, len(dimension_codes(table, dim)))
    if (TOTAL,) in cells:
        rows.append(Row(total_label(), (_figure(cells[(TOTAL,)]),), total=True))
    return rows


def two_way(
    result: ResultLike, *, table: str, rows_dim: str, cols_dim: str, lang: str
) -> tuple[tuple[str, ...], list[Row]]:
    """A cross-tabulation: column labels, then rows; margins last on both axes."""
    cells = _cells_by_key(result)
    row_label = dimension_labeller(table, rows_dim, lang)
    col_label = dimension_labeller(table, cols_dim, lang)
    row_codes = _ordered_codes(dimension_codes(table, rows_dim), (k[0] for k in cells))
    col_codes = _ordered_codes(dimension_codes(table, cols_dim), (k[1] for k in cells))
    col_codes = [c for c in col_codes if any(_nonzero(cells.get((r, c))) for r in row_codes)]
    has_total_col = any(k[1] == TOTAL for k in cells)
    all_cols = col_codes + ([TOTAL] if has_total_col else [])
    rows = [
        Row(row_label(r), tuple(_figure(cells.get((r, c))) for c in all_cols)) for r in row_codes
    ]
    rows = _drop_zero_rows(rows, len(dimension_codes(table, rows_dim)))
    if any(k[0] == TOTAL for k in cells):
        rows.append(
            Row(
                total_label(),
                tuple(_figure(cells.get((TOTAL, c))) for c in all_cols),
                total=True,
            )
        )
    return tuple(col_label(c) for c in all_cols), rows


def _nonzero(cell: CellLike | None) -> bool:
    return cell is not None and (cell.suppressed or bool(cell.value))


def _drop_zero_rows(rows: list[Row], code_count: int) -> list[Row]:
    """Long lists (countries, offences) keep only rows with something to show."""
    if code_count <= MANY_CODES:
        return rows
    return [row for row in rows if any(f.suppressed or f.number for f in row.figures)]
