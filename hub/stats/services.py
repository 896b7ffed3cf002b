"""Writes of the stats app: the audit of analysts' reads, the population upload."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from hub.stats.population import PopulationRow, population_load
from hub.stats.query import Geography, StatsQuery
from node.audit.services import audit_record


def stats_read_audit(*, request: HttpRequest | Request, table: str, what: str,
                     query: StatsQuery | None = None, detail: dict[str, str | int] | None = None,
                     ) -> None:
    """Record that an analyst read exact figures (a page, an API answer, an export).

    Dashboards call this too, with ``what="page"``. Records the table and the
    query's shape (dimensions, months, map level, filters): codes only.
    """
    extra: dict[str, str | int | bool | None] = {"what": what, **(detail or {})}
    if query is not None:
        extra.update({
            "by": ",".join(query.by)[:200],
            "start": f"{query.start:%Y-%m}" if query.start else None,
            "end": f"{query.end:%Y-%m}" if query.end else None,
            "geography": str(query.geography) if query.geography is not Geography.NATIONAL
            else None,
            "region": query.region, "court_of_appeal": query.court_of_appeal,
            "jurisdiction": query.jurisdiction,
        })
    audit_record(actor=getattr(request, "user", None), action="stats_read",
                 target_type="stats_table", target_id=table[:64],
                 request=request, detail={k: v for k, v in extra.items() if v is not None})


def population_upload(*, request: HttpRequest | Request, rows: list[PopulationRow],
                      source: str) -> int:
    """Replace the population of the years uploaded; audited."""
    count = population_load(rows=rows, source=source)
    audit_record(actor=getattr(request, "user", None), action="population_load",
                 target_type="population", request=request,
                 detail={"rows": count, "years": ",".join(sorted({str(r.year) for r in rows}))})
    return count
