"""HTTP API of the hub's accounts app: log-in, log-out, me; the node registry for
the hub administrator; the audit log for the auditor.

CSRF as on the nodes: ``login`` has no authentication class (no session yet,
SameSite=Strict cookie); every other endpoint authenticates by session through
``SessionAuthentication401`` (reused from node.accounts), which enforces CSRF
on unsafe methods.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.accounts import services
from hub.accounts.otp import otp_required, session_verified
from hub.accounts.permissions import IsVerifiedUser, capability_required
from hub.accounts.roles import Capability
from hub.accounts.serializers import (
    DetailOutput,
    LoginInput,
    MeOutput,
    NodeOutput,
    SessionUserOutput,
)
from hub.registry.selectors import node_list
from node.audit import selectors as audit_selectors
from node.audit.filters import AuditEntryFilter
from node.audit.models import AuditEntry
from node.audit.serializers import AuditEntryOutput
from node.audit.services import audit_record

R400 = OpenApiResponse(description="Champ invalide : {champ: [messages]}.")
R401 = OpenApiResponse(DetailOutput, description="Non authentifié.")
R403 = OpenApiResponse(DetailOutput, description="Rôle ou second facteur insuffisant.")


class LoginApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hub_auth_login", request=LoginInput,
        responses={
            200: SessionUserOutput, 400: R400,
            401: OpenApiResponse(DetailOutput, description="Identifiants ou code invalides."),
            429: OpenApiResponse(DetailOutput, description="Verrouillage temporaire ; "
                                 "voir l'en-tête Retry-After (secondes)."),
        },
    )
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = data.validated_data.get("otp_token") or None
        if otp_required() and token is None:
            raise ValidationError({"otp_token": [_("Ce champ est obligatoire.")]})
        try:
            user = services.user_login(
                request=request._request, username=data.validated_data["username"],
                password=data.validated_data["password"], otp_token=token,
            )
        except services.LoginLocked as locked:
            return Response({"detail": _("Trop d'essais ; réessayez plus tard.")},
                            status=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(locked.retry_after)})
        except services.InvalidCredentials:
            return Response({"detail": _("Identifiants invalides")},
                            status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": 'Session realm="api"'})
        return Response(SessionUserOutput(user).data)


class LogoutApi(APIView):
    permission_classes = [IsVerifiedUser]

    @extend_schema(operation_id="hub_auth_logout", request=None,
                   responses={204: None, 401: R401, 403: R403})
    def post(self, request: Request) -> Response:
        services.user_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsVerifiedUser]

    @extend_schema(operation_id="hub_auth_me", responses={200: MeOutput, 401: R401, 403: R403})
    def get(self, request: Request) -> Response:
        user = request.user
        body = {"username": user.get_username(), "role": getattr(user, "role", ""),
                "otp_required": otp_required(), "otp_verified": session_verified(user)}
        return Response(MeOutput(body).data)


class NodeListApi(APIView):
    """The node registry, read-only (registration is ``systraite-hub register-node``)."""

    permission_classes = [capability_required(Capability.MANAGE_NODES)]

    @extend_schema(operation_id="hub_nodes_list",
                   responses={200: NodeOutput(many=True), 401: R401, 403: R403})
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(node_list(), request, view=self)
        return paginator.get_paginated_response(NodeOutput(page, many=True).data)


class AuditEntryListApi(generics.ListAPIView[AuditEntry]):
    """The hub's audit log (analysts' reads, log-ins, uploads); auditors only.
    The auditor's own reading is audited too."""

    permission_classes = [capability_required(Capability.READ_AUDIT)]
    serializer_class = AuditEntryOutput
    filterset_class = AuditEntryFilter

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return audit_selectors.audit_entry_list()

    @extend_schema(operation_id="hub_audit_list",
                   responses={200: AuditEntryOutput(many=True), 400: R400, 401: R401, 403: R403})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        audit_record(actor=request.user, action="list", target_type="audit_entry",
                     request=request._request, detail={"count": response.data["count"]})
        return response
