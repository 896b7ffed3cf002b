"""DRF permissions of the hub API: a verified user (role known, second factor
passed unless relaxed), then a capability of hub/accounts/roles.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from hub.accounts.otp import otp_required, session_verified
from hub.accounts.roles import CAPABILITIES, Capability, has_capability


def is_verified_user(request: Request) -> bool:
    user = request.user
    if not (user and user.is_authenticated and user.is_active):
        return False
    if getattr(user, "role", "") not in CAPABILITIES:
        return False
    return not otp_required() or session_verified(user)


class IsVerifiedUser(BasePermission):
    """Any role of the hub, fully authenticated ("me", "logout")."""

    message = _("Authentification à deux facteurs requise.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_verified_user(request)


class HasAnyCapability(IsVerifiedUser):
    """Base of the classes made by ``capability_required``; denies if none is set."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    message = _("Votre rôle ne permet pas cette opération.")

    def has_permission(self, request: Request, view: Any) -> bool:
        role = getattr(request.user, "role", "")
        return is_verified_user(request) and any(
            has_capability(role, capability) for capability in self.capabilities
        )


def capability_required(*capabilities: Capability) -> type[BasePermission]:
    """A permission class requiring any one of ``capabilities`` on top of the baseline."""
    name = "HasCapability_" + "_".join(c.value for c in capabilities)
    return type(name, (HasAnyCapability,), {"capabilities": frozenset(capabilities)})
