"""API of survivors and traffickers. Every read is audited; every write is a service."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from node.accounts.permissions import capability_required
from node.accounts.roles import Capability
from node.api import AuditedReadMixin
from node.people import serializers as s
from node.people import services
from node.people.models import NameToken, Survivor, Trafficker
from node.privacy import search_digests

ERRORS = {
    400: OpenApiResponse(description="Donnée invalide : le champ en cause est nommé."),
    401: OpenApiResponse(description="Non authentifié."),
    403: OpenApiResponse(description="Rôle sans ce droit, ou second facteur manquant."),
}
NOT_FOUND = {404: OpenApiResponse(description="Introuvable dans cette juridiction.")}


def name_filter(queryset: QuerySet[Any], owner: str, value: str) -> QuerySet[Any]:
    """Exact search through the blind index: the person has every searched word."""
    digests = search_digests(value)
    if not digests:
        return queryset.none()
    matching = (NameToken.objects.filter(digest__in=digests).values(owner)
                .annotate(n=Count("digest", distinct=True)).filter(n=len(digests))
                .values(owner))
    return queryset.filter(pk__in=matching)


class SurvivorFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="by_name", max_length=200)
    case = django_filters.NumberFilter(field_name="case_links__case_id")

    class Meta:
        model = Survivor
        fields = ["sex", "nationality", "origin_country", "talibe"]

    def by_name(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return name_filter(queryset, "survivor", value)


class TraffickerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="by_name", max_length=200)
    case = django_filters.NumberFilter(field_name="case_links__case_id")

    class Meta:
        model = Trafficker
        fields = ["sex", "nationality", "occupation", "is_legal_person"]

    def by_name(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return name_filter(queryset, "trafficker", value)


class PersonViewSet(AuditedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    """List, read, create and correct persons; no deletion (a person stays on record)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    input_class: type[s.PersonInput]

    def get_permissions(self) -> list[BasePermission]:
        capability = Capability.READ_CASES if self.action in {"list", "retrieve"} \
            else Capability.WRITE_CASES
        return [capability_required(capability)()]

    def create(self, request: Request) -> Response:
        data = self._valid(request, partial=False)
        result = self.create_service(actor=request.user, data=data, request=request)
        body = {**self.get_serializer(result.person).data,
                "possible_duplicates": result.possible_duplicates}
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        data = self._valid(request, partial=True)
        result = self.update_service(actor=request.user, person=person, data=data,
                                     request=request)
        return Response(self.get_serializer(result.person).data)

    def _valid(self, request: Request, *, partial: bool) -> dict[str, Any]:
        serializer = self.input_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create_service(self, **kwargs: Any) -> services.PersonResult:
        raise NotImplementedError

    def update_service(self, **kwargs: Any) -> services.PersonResult:
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(responses={200: s.SurvivorOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: s.SurvivorOutput, **ERRORS, **NOT_FOUND}),
    create=extend_schema(request=s.SurvivorInput,
                          responses={201: s.SurvivorCreatedOutput, **ERRORS}),
    partial_update=extend_schema(request=s.SurvivorInput,
                                 responses={200: s.SurvivorOutput, **ERRORS, **NOT_FOUND}),
)
class SurvivorViewSet(PersonViewSet):
    audit_target = "survivor"
    serializer_class = s.SurvivorOutput
    input_class = s.SurvivorInput
    filterset_class = SurvivorFilter
    queryset = Survivor.objects.prefetch_related("vulnerabilities").order_by("id")

    def get_queryset(self) -> QuerySet[Survivor]:
        return super().get_queryset().distinct()

    def create_service(self, **kwargs: Any) -> services.PersonResult:
        return services.survivor_create(**kwargs)

    def update_service(self, **kwargs: Any) -> services.PersonResult:
        return services.survivor_update(survivor=kwargs.pop("person"), **kwargs)


@extend_schema_view(
    list=extend_schema(responses={200: s.TraffickerOutput(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: s.TraffickerOutput, **ERRORS, **NOT_FOUND}),
    create=extend_schema(request=s.TraffickerInput,
                          responses={201: s.TraffickerCreatedOutput, **ERRORS}),
    partial_update=extend_schema(request=s.TraffickerInput,
                                 responses={200: s.TraffickerOutput, **ERRORS, **NOT_FOUND}),
)
class TraffickerViewSet(PersonViewSet):
    audit_target = "trafficker"
    serializer_class = s.TraffickerOutput
    input_class = s.TraffickerInput
    filterset_class = TraffickerFilter
    queryset = Trafficker.objects.order_by("id")

    def get_queryset(self) -> QuerySet[Trafficker]:
        return super().get_queryset().distinct()

    def create_service(self, **kwargs: Any) -> services.PersonResult:
        return services.trafficker_create(**kwargs)

    def update_service(self, **kwargs: Any) -> services.PersonResult:
        return services.trafficker_update(trafficker=kwargs.pop("person"), **kwargs)
