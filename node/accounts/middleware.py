"""Request-wide rules of accounts: the demonstration notice and idle sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from node.accounts.otp import NOTICE_HEADER, NOTICE_HEADER_TEXT, otp_required


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
