"""The demonstration notice appears iff the second factor is relaxed."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from node.accounts.context_processors import security_notice

pytestmark = pytest.mark.django_db


def test_no_notice_header_when_otp_is_required(client) -> None:
    assert "X-Systraite-Notice" not in client.get("/healthz")


def test_every_response_carries_the_notice_when_otp_is_relaxed(client, settings) -> None:
    settings.SYSTRAITE_REQUIRE_OTP = False
    for url in ("/healthz", "/api/v1/auth/me", "/no-such-page"):
        response = client.get(url)
        assert response["X-Systraite-Notice"] == "Demonstration mode: second factor disabled"


def test_templates_get_the_french_notice_only_when_otp_is_relaxed(settings) -> None:
    request = RequestFactory().get("/")
    assert security_notice(request) == {"security_notice": ""}
    settings.SYSTRAITE_REQUIRE_OTP = False
    assert security_notice(request) == {
        "security_notice": "Mode démonstration : second facteur désactivé"
    }
