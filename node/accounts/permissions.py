"""DRF permissions: who may call an endpoint of the node API.

Every check starts from the same baseline (``_is_verified_user``): an
authenticated, active user of this node's jurisdiction, with a known role, who
passed the second factor (unless ``SYSTRAITE_REQUIRE_OTP`` is off in a demo).
The backend already refuses such users at log-in; checking again here means a
session that outlived a change (user moved, role removed) opens nothing.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from node.accounts.otp import otp_required, session_verified
from node.accounts.roles import CAPABILITIES, Capability, has_capability


def _is_verified_user(request: Request) -> bool:
    user = request.user
    if not (user and user.is_authenticated and user.is_active):
        return False
    if getattr(user, "jurisdiction", None) != settings.SYSTRAITE_JURISDICTION:
        return False
    if getattr(user, "role", "") not in CAPABILITIES:
        return False
    return not otp_required() or session_verified(user)


class IsVerifiedUser(BasePermission):
    """Any role of this node, fully authenticated (for "me", "logout"...)."""

    message = _("Authentification à deux facteurs requise pour ce nœud.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return _is_verified_user(request)


class HasCapability(IsVerifiedUser):
    """Base of the classes made by ``capability_required``; denies if none is set."""

    capability: ClassVar[Capability | None] = None
    message = _("Votre rôle ne permet pas cette opération.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not _is_verified_user(request) or self.capability is None:
            return False
        return has_capability(getattr(request.user, "role", ""), self.capability)


@functools.cache
def capability_required(capability: Capability) -> type[BasePermission]:
    """A permission class requiring ``capability`` on top of the baseline.

    Usage: ``permission_classes = [capability_required(Capability.MANAGE_USERS)]``.
    Views that pick their permission per request call this on every request:
    each capability's class is made once.
    """
    name = f"HasCapability_{capability.value}"
    return type(name, (HasCapability,), {"capability": capability})
