"""The statistics API: catalogue, tables, exports, indicators, population upload.

Analysts get exact figures and every read is audited; partners get
disclosure-controlled figures (hub/stats/protection.py); the hub administrator
and the auditor get none (403). Errors name the parameter at fault (400).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.accounts.permissions import capability_required
from hub.accounts.roles import Capability, Role
from hub.accounts.serializers import DetailOutput
from hub.stats import exports, indicators, services
from hub.stats import serializers as s
from hub.stats.population import PopulationFileError, population_parse
from hub.stats.query import (
    Audience,
    StatsQuery,
    StatsQueryError,
    StatsResult,
    query_from_params,
    stats_run,
)
from shared.catalogue import catalogue

R400 = OpenApiResponse(s.QueryErrorOutput,
                       description="Paramètre invalide : {paramètre: [message]}.")
R401 = OpenApiResponse(DetailOutput, description="Non authentifié.")
R403 = OpenApiResponse(DetailOutput, description="Rôle ou second facteur insuffisant.")
R404 = OpenApiResponse(DetailOutput, description="Table inconnue du catalogue.")
STATS_READERS = capability_required(Capability.VIEW_EXACT, Capability.VIEW_PROTECTED)
QUERY_PARAMETERS = [
    OpenApiParameter("by", str, description="Dimensions kept, comma-separated."),
    OpenApiParameter("start", str, description="First month YYYY-MM (inclusive)."),
    OpenApiParameter("end", str, description="Last month YYYY-MM (inclusive)."),
    OpenApiParameter("geography", str,
                     enum=["national", "court_of_appeal", "jurisdiction", "region"]),
    OpenApiParameter("region", str), OpenApiParameter("court_of_appeal", str),
    OpenApiParameter("jurisdiction", str),
]


def audience_of(request: Request) -> Audience:
    return Audience.ANALYST if getattr(request.user, "role", "") == Role.ANALYST \
        else Audience.PARTNER


def _query(request: Request, table: str) -> StatsQuery:
    if table not in catalogue():
        raise NotFound(f"unknown table {table!r}")
    try:
        return query_from_params(table, request.query_params.dict())
    except StatsQueryError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc


@contextmanager
def _refused_as_400() -> Iterator[None]:
    """A query the engine refuses for the caller's audience (a partner asking for
    months rather than a calendar year) is a 400 naming the parameter."""
    try:
        yield
    except StatsQueryError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc


def _run(request: Request, table: str, what: str) -> StatsResult:
    query = _query(request, table)
    audience = audience_of(request)
    with _refused_as_400():
        result = stats_run(query=query, audience=audience)
    if audience is Audience.ANALYST:
        services.stats_read_audit(request=request._request, table=table, what=what, query=query)
    return result


def result_body(result: StatsResult) -> dict[str, Any]:
    rules = result.rules
    return {
        "table": result.query.table, "audience": result.audience.value,
        "columns": list(result.columns),
        "rules": None if rules is None else {"threshold": rules.threshold,
                                             "rounding_base": rules.rounding_base},
        "published_at": None if result.published_at is None
        else result.published_at.isoformat(),
        "cells": [{"key": list(c.key), "value": c.value, "suppressed": c.suppressed}
                  for c in result.cells],
    }


class StatsTableListApi(APIView):
    permission_classes = [STATS_READERS]

    @extend_schema(operation_id="stats_tables",
                   responses={200: s.TableOutput(many=True), 401: R401, 403: R403})
    def get(self, request: Request) -> Response:
        body = [{
            "name": t.name, "unit": t.unit.value, "fr": t.fr, "en": t.en, "period": t.period,
            "dimensions": [{"name": d.name, "code_list": d.code_list, "additive": d.additive,
                            "codes": [{"code": c.code, "fr": c.fr, "en": c.en}
                                      for c in d.codes()]}
                           for d in t.dimensions],
        } for t in catalogue().values()]
        return Response(body)


class StatsTableApi(APIView):
    permission_classes = [STATS_READERS]

    @extend_schema(operation_id="stats_table", parameters=QUERY_PARAMETERS,
                   responses={200: s.ResultOutput, 400: R400, 401: R401, 403: R403, 404: R404})
    def get(self, request: Request, table: str) -> Response:
        return Response(result_body(_run(request, table, "api")))


class StatsExportApi(APIView):
    permission_classes = [STATS_READERS]

    @extend_schema(operation_id="stats_export", parameters=QUERY_PARAMETERS,
                   responses={(200, "text/csv"): OpenApiTypes.STR,
                              (200, "application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet"): OpenApiTypes.BINARY,
                              400: R400, 401: R401, 403: R403, 404: R404})
    def get(self, request: Request, table: str, fmt: str) -> HttpResponse:
        result = _run(request, table, f"export_{fmt}")
        if fmt == "csv":
            response = HttpResponse(exports.result_csv(result), content_type="text/csv")
        else:
            response = HttpResponse(
                exports.result_xlsx(result),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{table}.{fmt}"'
        return response


class StatsDhis2Api(APIView):
    permission_classes = [STATS_READERS]

    @extend_schema(operation_id="stats_dhis2", parameters=QUERY_PARAMETERS,
                   description="DHIS2 dataValueSets; mapping in docs/statistics.md.",
                   responses={200: OpenApiTypes.OBJECT, 400: R400, 401: R401, 403: R403,
                              404: R404})
    def get(self, request: Request, table: str) -> Response:
        query = _query(request, table)
        audience = audience_of(request)
        with _refused_as_400():
            body = exports.dhis2_data_value_set(query=query, audience=audience)
        if audience is Audience.ANALYST:
            services.stats_read_audit(request=request._request, table=table,
                                      what="export_dhis2", query=query)
        return Response(body)


def _only(request: Request, *allowed: str) -> None:
    for name in request.query_params:
        if name not in allowed:
            raise ValidationError({name: [f"unknown parameter {name!r}"]})


def _month_param(request: Request, name: str) -> date | None:
    try:
        query = query_from_params("durations", {name: request.query_params.get(name, "")})
    except StatsQueryError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc
    return query.start if name == "start" else query.end


def _year_param(request: Request) -> int:
    raw = request.query_params.get("year", "")
    if not (raw.isdigit() and 1990 <= int(raw) <= 2100):
        raise ValidationError({"year": ["expected a year YYYY"]})
    return int(raw)


class CtdcExportApi(APIView):
    permission_classes = [STATS_READERS]

    @extend_schema(operation_id="stats_ctdc",
                   parameters=QUERY_PARAMETERS[1:3],
                   responses={(200, "text/csv"): OpenApiTypes.STR, 400: R400, 401: R401,
                              403: R403})
    def get(self, request: Request) -> HttpResponse:
        _only(request, "start", "end")
        start, end = _month_param(request, "start"), _month_param(request, "end")
        audience = audience_of(request)
        with _refused_as_400():
            body = exports.ctdc_csv(start=start, end=end, audience=audience)
        if audience is Audience.ANALYST:
            services.stats_read_audit(request=request._request, table="ctdc", what="export_ctdc")
        response = HttpResponse(body, content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="systraite-ctdc.csv"'
        return response


class IndicatorApi(APIView):
    """One indicator of DOMAIN.md; ``name`` is one of INDICATORS."""

    permission_classes = [STATS_READERS]
    INDICATORS = ("national-survivors", "sdg-16-2-2", "pipeline", "freshness")

    @extend_schema(operation_id="indicators",
                   parameters=[OpenApiParameter("year", int, description="national-survivors, "
                                                "sdg-16-2-2"),
                               *QUERY_PARAMETERS[1:3]],
                   responses={200: OpenApiTypes.OBJECT, 400: R400, 401: R401, 403: R403,
                              404: R404})
    def get(self, request: Request, name: str) -> Response:
        if name not in self.INDICATORS:
            raise NotFound(f"unknown indicator {name!r}")
        audience = audience_of(request)
        with _refused_as_400():
            body = self._compute(request, name, audience)
        if audience is Audience.ANALYST:
            services.stats_read_audit(request=request._request, table=f"indicator_{name}"
                                      .replace("-", "_"), what="indicator")
        return Response(body)

    def _compute(self, request: Request, name: str, audience: Audience) -> Any:
        if name == "national-survivors":
            _only(request, "year")
            return indicators.national_survivors(year=_year_param(request), audience=audience)
        if name == "sdg-16-2-2":
            _only(request, "year")
            return indicators.sdg_16_2_2(year=_year_param(request), audience=audience)
        if name == "pipeline":
            _only(request, "start", "end")
            return indicators.pipeline_summary(start=_month_param(request, "start"),
                                               end=_month_param(request, "end"),
                                               audience=audience)
        _only(request)
        rows = indicators.freshness()
        if audience is Audience.PARTNER:  # shares of unknowns are analysts' data-quality work
            rows = [{k: v for k, v in row.items() if k != "unknown_share"} for row in rows]
        return rows


class PopulationApi(APIView):
    permission_classes = [capability_required(Capability.MANAGE_POPULATION)]

    @extend_schema(operation_id="population_upload", request=s.PopulationInput,
                   responses={201: s.PopulationOutput, 400: R400, 401: R401, 403: R403})
    def post(self, request: Request) -> Response:
        data = s.PopulationInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rows = population_parse(data.validated_data["csv"])
        except PopulationFileError as exc:
            raise ValidationError({"csv": [str(exc)]}) from exc
        count = services.population_upload(request=request._request, rows=rows,
                                           source=data.validated_data["source"])
        return Response({"rows": count}, status=status.HTTP_201_CREATED)
