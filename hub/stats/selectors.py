"""Reads of exact counts from the ingest tables (aggregates, exact: never shown to
a partner before hub/stats/protection.py has protected them)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Max, Min, Sum

from hub.ingest.models import Cell
from shared.catalogue import table as catalogue_table
from shared.disclosure import TOTAL

Key = tuple[str, ...]
_DIMENSION_FIELDS = ("d1", "d2", "d3")


def cell_counts(*, table: str, start: date, end: date, jurisdictions: Collection[str],
                keep: Collection[str] | None = None,
                per_jurisdiction: bool = True) -> dict[Key, int]:
    """Exact counts of ``table`` summed over the months [start, end], keyed by
    (jurisdiction, *dimension codes in catalogue order). One query.

    ``keep`` (dimension names; default all) sums the other dimensions in the
    database, which keys them TOTAL: a query of two dimensions of a table
    then reads a few hundred groups, not every cell of the period. Without
    ``per_jurisdiction`` the jurisdictions are summed too (keyed TOTAL).
    """
    names = catalogue_table(table).dimension_names
    kept = [(name in keep) if keep is not None else True for name in names]
    fields = [*(["node__jurisdiction"] if per_jurisdiction else []),
              *(f for f, ok in zip(_DIMENSION_FIELDS, kept, strict=False) if ok)]
    rows = (
        Cell.objects.filter(table=table, month__gte=start, month__lte=end,
                            node__jurisdiction__in=list(jurisdictions))
        .values_list(*fields)
        .annotate(n=Sum("count"))
        .order_by()
    )
    counts: dict[Key, int] = {}
    for *codes, n in rows:
        if n:
            found = iter(codes)
            jurisdiction = next(found) if per_jurisdiction else TOTAL
            counts[(jurisdiction, *(next(found) if ok else TOTAL for ok in kept))] = int(n)
    return counts


def table_months(*, table: str) -> tuple[date, date] | None:
    """The first and last month the hub holds cells of ``table`` for, or None."""
    bounds = Cell.objects.filter(table=table).aggregate(first=Min("month"), last=Max("month"))
    if bounds["first"] is None:
        return None
    return bounds["first"], bounds["last"]
