"""The second factor: whether it is required, and the TOTP devices of users.

TOTP (RFC 6238, through django-otp) is required for every role, not only the
roles that read identities: the administrator creates accounts and resets
second factors, so a stolen administrator password would otherwise be enough
to mint a reader account. It can be relaxed only outside production, and then
every page and every response says so.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts.models import User

NOTICE_FR = _("Mode démonstration : second facteur désactivé")
# Header values must be ASCII (latin-1), so the header carries the English text.
NOTICE_HEADER = "X-Systraite-Notice"
NOTICE_HEADER_TEXT = "Demonstration mode: second factor disabled"


def otp_required() -> bool:
    return bool(settings.SYSTRAITE_REQUIRE_OTP)


def session_verified(user: User) -> bool:
    """Whether this request's session passed the second factor (set by OTPMiddleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def totp_device_replace(*, user: User) -> TOTPDevice:
    """Delete the user's TOTP devices and create a new confirmed one.

    Deleting the old device also unverifies every session that used it
    (django-otp drops a session's device when it no longer exists).
    """
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="totp", confirmed=True)


def totp_device_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts ``token``, or None.

    django-otp refuses a token already used (``last_t``) and slows repeated
    failures per device, on top of the log-in throttle.
    """
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            return device
    return None
