"""The hub's second factor: TOTP for every role (django-otp), as on the nodes.

The node's module cannot be imported here (it is bound to the node's User
model); the rules are the same: required unless SYSTRAITE_REQUIRE_OTP=false,
which production refuses, and every response then says so.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp.plugins.otp_totp.models import TOTPDevice

NOTICE_HEADER = "X-Systraite-Notice"
NOTICE_HEADER_TEXT = "Demonstration mode: second factor disabled"


def otp_required() -> bool:
    return bool(settings.SYSTRAITE_REQUIRE_OTP)


def session_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this request's session passed the second factor (set by OTPMiddleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def totp_device_replace(*, user: AbstractBaseUser) -> TOTPDevice:
    """Delete the user's TOTP devices and create a new confirmed one."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="totp", confirmed=True)


def totp_device_verify(*, user: AbstractBaseUser, token: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts ``token`` (not one already used), or None."""
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None
