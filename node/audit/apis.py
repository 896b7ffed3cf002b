"""The auditors' API: read the log, check its chain. Read-only by construction.

The log holds no identity (callers record ids and codes only), so the auditor
role, which may not read cases, may read every entry. The auditors' own
reading is audited too, so that who looked at whose trail is itself on record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from node.accounts.permissions import capability_required
from node.accounts.roles import Capability
from node.accounts.serializers import DetailOutput
from node.audit import selectors, services
from node.audit.filters import AuditEntryFilter
from node.audit.models import AuditEntry
from node.audit.serializers import AuditEntryOutput, ChainReportOutput

R400 = OpenApiResponse(description="Filtre invalide : {paramètre: [messages]}.")
R401 = OpenApiResponse(DetailOutput, description="Non authentifié.")
R403 = OpenApiResponse(
    DetailOutput, description="Rôle autre qu'auditeur, ou second facteur manquant."
)


class AuditEntryListApi(generics.ListAPIView[AuditEntry]):
    permission_classes = [capability_required(Capability.READ_AUDIT)]
    serializer_class = AuditEntryOutput
    filterset_class = AuditEntryFilter

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.audit_entry_list()

    @extend_schema(
        operation_id="audit_list",
        responses={200: AuditEntryOutput(many=True), 400: R400, 401: R401, 403: R403},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        # The filters used (codes, ids, a staff username, days): who looked for what.
        used: dict[str, str | int | bool | None] = {
            key: str(value)
            for key, value in request.query_params.items()
            if key in AuditEntryFilter.base_filters
        }
        services.audit_record(
            actor=request.user,
            action="list",
            target_type="audit_entry",
            request=request._request,
            detail={**used, "count": response.data["count"]},
        )
        return response


class AuditChainVerifyApi(APIView):
    permission_classes = [capability_required(Capability.READ_AUDIT)]

    @extend_schema(
        operation_id="audit_verify",
        description="Recalcule toute la chaîne ; `intact` faux nomme la première entrée "
        "rompue et la raison.",
        responses={200: ChainReportOutput, 401: R401, 403: R403},
    )
    def get(self, request: Request) -> Response:
        report = services.audit_chain_verify()
        services.audit_record(
            actor=request.user,
            action="verify",
            target_type="audit_entry",
            request=request._request,
            detail={"intact": report.intact, "count": report.entries},
        )
        return Response(ChainReportOutput(report).data)
