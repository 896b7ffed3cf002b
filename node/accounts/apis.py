"""HTTP API of the accounts app: one view per operation, each calling one service.

CSRF: ``login`` has no authentication class, so DRF runs no CSRF check on it
(there is no session to protect yet, and the session cookie is SameSite=Strict,
which blocks log-in CSRF from other sites). Every other endpoint authenticates
by session through ``SessionAuthentication401``, which enforces Django's CSRF
check on unsafe methods: clients send the ``csrftoken`` cookie back in
``X-CSRFToken``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from node.accounts import selectors, services
from node.accounts.models import User
from node.accounts.otp import otp_required, session_verified
from node.accounts.permissions import IsVerifiedUser, capability_required
from node.accounts.roles import Capability
from node.accounts.serializers import (
    DetailOutput,
    LoginInput,
    MeOutput,
    OtpResetOutput,
    PasswordSetInput,
    SessionUserOutput,
    UserCreateInput,
    UserCreateOutput,
    UserOutput,
    UserUpdateInput,
)

INVALID_CREDENTIALS = _("Identifiants invalides")

R401 = OpenApiResponse(DetailOutput, description="Non authentifié.")
R403 = OpenApiResponse(DetailOutput, description="Rôle, juridiction ou second facteur insuffisant.")
R404 = OpenApiResponse(DetailOutput, description="Utilisateur inconnu sur ce nœud.")
R400 = OpenApiResponse(description="Champ invalide : {champ: [messages]}.")


def staff(request: Request) -> User:
    """The authenticated user of a view whose permission class already required one."""
    user = request.user
    if not isinstance(user, User):  # unreachable behind IsVerifiedUser; never trust it blindly
        raise NotAuthenticated
    return user


@contextmanager
def _as_drf_errors() -> Iterator[None]:
    """Django validation errors of a service become 400 naming the field."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"password": exc.messages}
        raise ValidationError(detail) from exc


class LoginApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_login", request=LoginInput,
        responses={
            200: SessionUserOutput,
            400: R400,
            401: OpenApiResponse(DetailOutput, description="Identifiants ou code invalides "
                                 "(même réponse, que l'utilisateur existe ou non)."),
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
            return Response({"detail": INVALID_CREDENTIALS}, status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": 'Session realm="api"'})
        return Response(SessionUserOutput(user).data)


class LogoutApi(APIView):
    permission_classes = [IsVerifiedUser]

    @extend_schema(operation_id="auth_logout", request=None,
                   responses={204: None, 401: R401, 403: R403})
    def post(self, request: Request) -> Response:
        services.user_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsVerifiedUser]

    @extend_schema(operation_id="auth_me", responses={200: MeOutput, 401: R401, 403: R403})
    def get(self, request: Request) -> Response:
        user = staff(request)
        body = {"username": user.username, "role": user.role, "jurisdiction": user.jurisdiction,
                "otp_required": otp_required(), "otp_verified": session_verified(user)}
        return Response(MeOutput(body).data)


class _AdminApi(APIView):
    permission_classes = [capability_required(Capability.MANAGE_USERS)]

    def _user(self, user_id: int) -> User:
        user = selectors.user_get(user_id=user_id)
        if user is None:
            raise Http404
        return user


class UserListCreateApi(_AdminApi):
    @extend_schema(operation_id="users_list",
                   responses={200: UserOutput(many=True), 401: R401, 403: R403})
    def get(self, request: Request) -> Response:
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(selectors.user_list(), request, view=self)
        return paginator.get_paginated_response(UserOutput(page, many=True).data)

    @extend_schema(operation_id="users_create", request=UserCreateInput,
                   responses={201: UserCreateOutput, 400: R400, 401: R401, 403: R403})
    def post(self, request: Request) -> Response:
        data = UserCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        with _as_drf_errors():
            user, device = services.user_create(actor=staff(request), request=request._request,
                                                **data.validated_data)
        user.otp_provisioning_uri = device.config_url if device else None  # type: ignore[attr-defined]
        return Response(UserCreateOutput(user).data, status=status.HTTP_201_CREATED)


class UserDetailApi(_AdminApi):
    @extend_schema(operation_id="users_retrieve",
                   responses={200: UserOutput, 401: R401, 403: R403, 404: R404})
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserOutput(self._user(user_id)).data)

    @extend_schema(operation_id="users_update", request=UserUpdateInput,
                   responses={200: UserOutput, 400: R400, 401: R401, 403: R403, 404: R404})
    def patch(self, request: Request, user_id: int) -> Response:
        user = self._user(user_id)
        data = UserUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with _as_drf_errors():
            user = services.user_update(actor=staff(request), user=user,
                                        data=dict(data.validated_data), request=request._request)
        return Response(UserOutput(user).data)


class UserOtpResetApi(_AdminApi):
    @extend_schema(operation_id="users_otp_reset", request=None,
                   responses={200: OtpResetOutput, 401: R401, 403: R403, 404: R404})
    def post(self, request: Request, user_id: int) -> Response:
        device = services.user_otp_reset(actor=staff(request), user=self._user(user_id),
                                         request=request._request)
        return Response(OtpResetOutput({"otp_provisioning_uri": device.config_url}).data)


class UserPasswordSetApi(_AdminApi):
    @extend_schema(operation_id="users_password_set", request=PasswordSetInput,
                   responses={204: None, 400: R400, 401: R401, 403: R403, 404: R404})
    def post(self, request: Request, user_id: int) -> Response:
        user = self._user(user_id)
        data = PasswordSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        with _as_drf_errors():
            services.user_password_set(actor=staff(request), user=user, request=request._request,
                                       password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
