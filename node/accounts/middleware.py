"""Mark every response when the node runs with the second factor relaxed."""

from __future__ import annotations

from collections.abc import Callable

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
