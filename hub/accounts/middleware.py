"""Mark every response of a hub running with the second factor relaxed."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from hub.accounts.otp import NOTICE_HEADER, NOTICE_HEADER_TEXT, otp_required


class SecurityNoticeMiddleware:
    """Add ``X-Systraite-Notice`` to every response while OTP is not required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not otp_required():
            response[NOTICE_HEADER] = NOTICE_HEADER_TEXT
        return response
