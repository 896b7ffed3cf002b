"""API of cases, their parts and their procedure. Reads audited, writes through services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import connection
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from node.accounts.permissions import capability_required
from node.accounts.roles import Capability
from node.api import AuditedReadMixin
from node.cases import serializers as s
from node.cases import services
from node.cases.models import (
    Case,
    CaseSurvivor,
    Charge,
    Defendant,
    Exploitation,
    ProcedureStep,
    Referral,
    TraffickingEvent,
)
from node.columns import column
from node.people.apis import ERRORS, NOT_FOUND, name_filter
from node.people.models import Survivor, Trafficker

CONFLICT = {409: OpenApiResponse(description="Suppression impossible : des actes en dépendent.")}


def _read_or(capability: Capability, action_name: str | None) -> list[BasePermission]:
    read = action_name in {"list", "retrieve"}
    return [capability_required(Capability.READ_CASES if read else capability)()]


class CaseFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        method="by_name", max_length=200, label="Nom d'une victime ou d'un prévenu"
    )
    parquet_number = django_filters.CharFilter(lookup_expr="iexact", max_length=64)
    form = django_filters.CharFilter(method="by_form", max_length=40)
    year = django_filters.NumberFilter(
        field_name="reported_on__year", min_value=1900, max_value=2100
    )

    class Meta:
        model = Case
        fields = ["stage", "identification_source", "cross_border"]

    def by_name(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        survivors = name_filter(Survivor.objects.all(), "survivor", value)
        traffickers = name_filter(Trafficker.objects.all(), "trafficker", value)
        return queryset.filter(
            Q(survivor_links__survivor__in=survivors) | Q(defendants__trafficker__in=traffickers)
        ).distinct()

    def by_form(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(exploitations__form=value).distinct()


class PageWithTotalPagination(LimitOffsetPagination):
    """Limit/offset pagination that reads a page and the total in one query.

    DRF counts in a query of its own, then reads the page: two round trips.
    Here the page's query carries the total as an uncorrelated scalar
    subquery (PostgreSQL and SQLite evaluate it once), so the count and the
    rows also come from the same snapshot. Only a page past the end, which
    has no row to carry the total, costs a second query.
    """

    # Narrower than BasePagination's (a queryset, never a list): the views here pass one.
    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        page = list(
            queryset.annotate(page_total=_total_of(queryset))[
                self.offset : self.offset + self.limit
            ]
        )
        if page:
            self.count = page[0].page_total
        else:
            self.count = 0 if self.offset == 0 else self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return page


def _total_of(queryset: QuerySet[Any]) -> RawSQL:
    # What ``queryset.count()`` counts: its rows, distinct if it is (name filters join).
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)  # noqa: S608, S611


def _count_of(model: type[CaseSurvivor] | type[Defendant]) -> RawSQL:
    """The number of ``model`` rows of each case, as a correlated ``COUNT(*)``.

    Written out rather than as the ORM's grouped ``Subquery``: that form is
    compiled again by every request (half the compilation of the page's
    query) and makes the database group and coalesce per row, where a plain
    count of no rows is already 0.
    """
    q = connection.ops.quote_name
    case_table = q(Case._meta.db_table)
    return RawSQL(  # noqa: S611 (names only, no value)
        f"SELECT COUNT(*) FROM {q(model._meta.db_table)} "  # noqa: S608 (names only)
        f"WHERE {q(column(model, 'case'))} = {case_table}.{q(column(Case, 'pk'))}",
        [],
        output_field=IntegerField(),
    )


@extend_schema_view(
    list=extend_schema(responses={200: s.CaseOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: s.CaseOutput, **ERRORS, **NOT_FOUND}),
    create=extend_schema(request=s.CaseInput, responses={201: s.CaseOutput, **ERRORS}),
    partial_update=extend_schema(
        request=s.CaseInput, responses={200: s.CaseOutput, **ERRORS, **NOT_FOUND}
    ),
)
class CaseViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases of this jurisdiction. Never deleted: a case is closed by its procedure."""

    audit_target = "case"
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = s.CaseOutput
    filterset_class = CaseFilter
    pagination_class = PageWithTotalPagination
    # Correlated subqueries, not JOIN + GROUP BY: the database then counts for
    # the rows of the page only, and the paginator's COUNT stays a plain count.
    # Built once: each request clones it (``get_queryset``).
    queryset = Case.objects.annotate(
        survivor_count=_count_of(CaseSurvivor),
        defendant_count=_count_of(Defendant),
    ).order_by("-reported_on", "-id")

    def get_permissions(self) -> list[BasePermission]:
        return _read_or(Capability.WRITE_CASES, self.action)

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:  # type: ignore[override]
        # With none of its parameters given, the FilterSet would build and
        # validate a form only to return the queryset unchanged.
        if self.request.query_params.keys().isdisjoint(CaseFilter.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    def create(self, request: Request) -> Response:
        data = _valid(s.CaseInput, request)
        case = services.case_create(actor=request.user, data=data, request=request)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=case.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = _valid(s.CaseInput, request, partial=True)
        services.case_update(actor=request.user, case=case, data=data, request=request)
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


def _valid(
    serializer_class: type[BaseSerializer],
    request: Request,
    *,
    partial: bool = False,
    instance: Any = None,
) -> dict[str, Any]:
    serializer = serializer_class(instance, data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RecordViewSet(AuditedReadMixin, viewsets.ModelViewSet):
    """A part of a case: created, corrected or deleted through ``record_save``/``record_delete``."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["case"]

    def get_permissions(self) -> list[BasePermission]:
        return _read_or(Capability.WRITE_CASES, self.action)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(self.get_serializer_class(), request)
        obj = services.record_save(
            actor=request.user, obj=self.get_queryset().model(), data=data, request=request
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=obj.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        data = _valid(self.get_serializer_class(), request, partial=True, instance=obj)
        services.record_save(actor=request.user, obj=obj, data=data, request=request)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.record_delete(actor=request.user, obj=self.get_object(), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _record_schema(serializer: type[BaseSerializer]) -> Any:
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **ERRORS}),
        retrieve=extend_schema(responses={200: serializer, **ERRORS, **NOT_FOUND}),
        create=extend_schema(responses={201: serializer, **ERRORS}),
        partial_update=extend_schema(responses={200: serializer, **ERRORS, **NOT_FOUND}),
        destroy=extend_schema(responses={204: None, **ERRORS, **NOT_FOUND, **CONFLICT}),
    )


@_record_schema(s.CaseSurvivorSerializer)
class CaseSurvivorViewSet(RecordViewSet):
    audit_target = "casesurvivor"
    serializer_class = s.CaseSurvivorSerializer
    queryset = CaseSurvivor.objects.order_by("id")


@_record_schema(s.DefendantSerializer)
class DefendantViewSet(RecordViewSet):
    audit_target = "defendant"
    serializer_class = s.DefendantSerializer
    queryset = Defendant.objects.prefetch_related("roles").order_by("id")


@_record_schema(s.ExploitationSerializer)
class ExploitationViewSet(RecordViewSet):
    audit_target = "exploitation"
    serializer_class = s.ExploitationSerializer
    queryset = Exploitation.objects.prefetch_related("means").order_by("id")


@_record_schema(s.EventSerializer)
class EventViewSet(RecordViewSet):
    audit_target = "traffickingevent"
    serializer_class = s.EventSerializer
    queryset = TraffickingEvent.objects.order_by("id")


@_record_schema(s.ChargeSerializer)
class ChargeViewSet(RecordViewSet):
    audit_target = "charge"
    serializer_class = s.ChargeSerializer
    queryset = Charge.objects.prefetch_related("survivors").order_by("id")


@_record_schema(s.ReferralSerializer)
class ReferralViewSet(RecordViewSet):
    audit_target = "referral"
    serializer_class = s.ReferralSerializer
    queryset = Referral.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(responses={200: s.StepOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: s.StepOutput, **ERRORS, **NOT_FOUND}),
    create=extend_schema(request=s.StepInput, responses={201: s.StepRecordedOutput, **ERRORS}),
)
class StepViewSet(
    AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Procedure steps: append-only. A mistaken step is voided, never edited."""

    audit_target = "procedurestep"
    serializer_class = s.StepOutput
    filterset_fields = ["case", "defendant", "step"]
    queryset = ProcedureStep.objects.select_related("void").order_by("occurred_on", "id")

    def get_permissions(self) -> list[BasePermission]:
        # Which capability a step needs depends on its kind: the service checks it.
        if self.action in {"list", "retrieve"}:
            return [capability_required(Capability.READ_CASES)()]
        return [capability_required(Capability.READ_CASES)()]

    def create(self, request: Request) -> Response:
        data = _valid(s.StepInput, request)
        result = services.step_record(
            actor=request.user, case=data.pop("case"), data=data, request=request
        )
        body = {**s.StepOutput(result.step).data, "warnings": result.warnings}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StepVoidInput, responses={200: s.StepOutput, **ERRORS, **NOT_FOUND})
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: str | None = None) -> Response:
        step = get_object_or_404(ProcedureStep, pk=pk)
        data = _valid(s.StepVoidInput, request)
        services.step_void(actor=request.user, step=step, reason=data["reason"], request=request)
        return Response(s.StepOutput(self.get_queryset().get(pk=step.pk)).data)
