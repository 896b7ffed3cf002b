"""Reads of exact counts from the ingest tables (aggregates, exact: never shown to
a partner before hub/stats/protection.py has protected them)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Max, Min, Sum

from hub.ingest.models import Cell
from shared.catalogue import table as catalogue_table

Key = tuple[str, ...]
_DIMENSION_FIELDS = ("d1", "d2", "d3")


def cell_counts(*, table: str, start: date, end: date,
                jurisdictions: Collection[str]) -> dict[Key, int]:
    """Exact counts of ``table`` summed over the months [start, end], keyed by
    (jurisdiction, *dimension codes in catalogue order). One query."""
    fields = ["node__jurisdiction", *_DIMENSION_FIELDS[: len(catalogue_table(table).dimensions)]]
    rows = (
        Cell.objects.filter(table=table, month__gte=start, month__lte=end,
                            node__jurisdiction__in=list(jurisdictions))
        .values(*fields)
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {tuple(row[f] for f in fields): int(row["n"]) for row in rows if row["n"]}


def table_months(*, table: str) -> tuple[date, date] | None:
    """The first and last month the hub holds cells of ``table`` for, or None."""
    bounds = Cell.objects.filter(table=table).aggregate(first=Min("month"), last=Max("month"))
    if bounds["first"] is None:
        return None
    return bounds["first"], bounds["last"]
