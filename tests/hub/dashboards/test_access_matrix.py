"""Who may open which dashboard page: every route of hub.dashboards, every role.

The routes are read from the URL configuration, so a new dashboard that is not
in ``EXPECTED`` (or in ``OPEN``) fails here instead of escaping the matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from hub.dashboards import urls as dashboard_urls

# Pages every visitor may reach (the log-in form, the language switch, log-out).
OPEN = {"login", "logout", "set-language"}
ROLES = {"analyst": 200, "partner": 200, "hub_admin": 403, "auditor": 403}
EXPECTED = {
    "index",
    "overview",
    "sdg",
    "glotip",
    "pipeline",
    "begging",
    "control",
    "referrals",
    "quality",
}


def _names() -> set[str]:
    return {p.name for p in dashboard_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def test_every_dashboard_route_is_in_the_matrix() -> None:
    assert _names() - OPEN == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize(("role", "status"), sorted(ROLES.items()))
def test_a_role_opens_a_dashboard_or_is_refused(
    hub_user: Callable[[str], Client], seeded: None, name: str, role: str, status: int
) -> None:
    response = hub_user(role).get(reverse(f"dashboards:{name}"), {"year": "2024"})
    assert response.status_code == status, response.content.decode()[:3000]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_anonymous_visitor_is_sent_to_the_log_in_page(db: None, name: str) -> None:
    url = reverse(f"dashboards:{name}")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_a_session_without_the_second_factor_is_sent_to_the_log_in_page(db: None) -> None:
    from tests.hub.dashboards.conftest import make_user

    user, _ = make_user("analyst")
    client = Client()
    client.force_login(user)  # password only: the session has not passed TOTP
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_wrong_code_does_not_log_in(db: None) -> None:
    from tests.hub.dashboards.conftest import PASSWORD, make_user

    user, _ = make_user("analyst")
    response = Client().post(
        "/connexion/", {"username": user.username, "password": PASSWORD, "otp_token": "000000"}
    )
    assert response.status_code == 401
    assert "invalide" in response.content.decode()
