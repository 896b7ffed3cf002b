"""Template context of the accounts app."""

from __future__ import annotations

from django.http import HttpRequest

from node.accounts.otp import NOTICE_FR, otp_required


def security_notice(request: HttpRequest) -> dict[str, str]:
    """``security_notice``: a banner text when the second factor is relaxed, else ""."""
    return {"security_notice": "" if otp_required() else str(NOTICE_FR)}
