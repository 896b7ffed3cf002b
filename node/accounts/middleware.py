"""Request-wide rules of accounts: the demonstration notice, idle sessions, the second factor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from node.accounts.otp import NOTICE_HEADER, NOTICE_HEADER_TEXT, otp_required
from node.accounts.sessions import loading_user_of


class SecurityNoticeMiddleware:
    """Add ``X-Systraite-Notice`` to every response while OTP is not required.

    A demo node must never be mistaken for a real one (by a person or by a
    monitoring probe). The setting is read per request so that it cannot be
    stale; the cost is one attribute lookup. Placed first in MIDDLEWARE so that
    even responses made by other middleware (redirects, CSRF refusals) carry it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not otp_required():
            response[NOTICE_HEADER] = NOTICE_HEADER_TEXT
        return response


# Session key of the time (epoch seconds) the session was last marked as active.
LAST_SEEN_KEY = "_systraite_seen"
# A session is written back at most this often: activity within the same minute
# does not move the expiry, so inactivity is measured to the minute.
TOUCH_SECONDS = 60


class IdleSessionMiddleware:
    """End a session after ``SESSION_COOKIE_AGE`` seconds of inactivity, saving it once a minute.

    Django can slide a session's expiry only by saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``): an UPDATE and a commit (a disk flush) per
    request. Here a request marks the session as seen, and so saves it, only
    when the last mark is a minute old or more. The stored expiry (the database
    refuses a session past it) and the check below then both count the
    inactivity from the last mark: a session ends after between
    ``SESSION_COOKIE_AGE - 60`` and ``SESSION_COOKIE_AGE`` seconds without a
    request, never later. The check is ours so that the rule holds whatever
    the session engine.

    Placed right after ``SessionMiddleware``, so that a session found idle is
    emptied before anything reads the user, and the mark is written before
    ``SessionMiddleware`` decides whether to save.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        seen = session.get(LAST_SEEN_KEY)
        if isinstance(seen, int) and time.time() - seen >= settings.SESSION_COOKIE_AGE:
            session.flush()  # deletes the stored session: the request is anonymous
        response = self.get_response(request)
        now = int(time.time())
        # An empty session (anonymous, logged out, flushed) is never written.
        if not session.is_empty() and not (isinstance(seen, int) and now - seen < TOUCH_SECONDS):
            session[LAST_SEEN_KEY] = now
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, letting the backend take the user from the row read with the session.

    ``JurisdictionBackend.get_user`` uses that row only while Django loads
    this request's user, and only if it is the row of the user the signed
    session names (``node.accounts.sessions``); Django's checks (backend,
    session hash) are unchanged.
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _session_user(request))  # type: ignore[assignment]


def _session_user(request: HttpRequest) -> Any:
    with loading_user_of(request.session):
        return auth_middleware.get_user(request)


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware, reading the session's TOTP device with the user.

    django-otp loads the device that verified the session with a query of its
    own on every request. ``JurisdictionBackend.get_user`` reads the id of the
    user's confirmed TOTP device in the user's query; when it is the
    session's device, the device is that row: same user, confirmed, existing
    at the time of the user's read, which are exactly django-otp's checks.
    The instance carries only those fields (the others load on access, and a
    save writes only loaded fields). Any other device goes through django-otp.
    It overrides django-otp's (private) per-request step, so an upgrade of the
    pinned django-otp must pass tests/node/accounts/test_session_device.py.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._session_device(user, persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _session_device(self, user: Any, persistent_id: str) -> Any:
        known = getattr(user, "confirmed_totp_id", None)
        if known is not None and self._normalize_persistent_id(persistent_id) == (
            f"{TOTPDevice.model_label()}/{known}"
        ):
            return TOTPDevice.from_db(
                user._state.db, ["id", "user_id", "confirmed"], [known, user.pk, True])
        return self._device_from_persistent_id(persistent_id)
