"""Who may call what on the hub, and the log-in protections shared with the nodes."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from hub.accounts.models import User
from tests.hub.accounts.support import PASSWORD, token_for, user_make

pytestmark = pytest.mark.django_db
PERSONAS = ("anonymous", "analyst", "partner", "hub_admin", "hub_auditor")
T = "survivors_sex_age_form"

# (method, path, expected status per persona in PERSONAS order)
MATRIX = {
    "api/v1/auth/me": ("get", "/api/v1/auth/me", (401, 200, 200, 200, 200)),
    "api/v1/auth/logout": ("post", "/api/v1/auth/logout", (401, 204, 204, 204, 204)),
    "api/v1/nodes/": ("get", "/api/v1/nodes/", (401, 403, 403, 200, 403)),
    "api/v1/audit/": ("get", "/api/v1/audit/", (401, 403, 403, 403, 200)),
    "api/v1/stats/": ("get", "/api/v1/stats/", (401, 200, 200, 403, 403)),
    "api/v1/stats/ctdc.csv": ("get", "/api/v1/stats/ctdc.csv", (401, 200, 200, 403, 403)),
    "api/v1/stats/<str:table>/": ("get", f"/api/v1/stats/{T}/", (401, 200, 200, 403, 403)),
    "api/v1/^stats/(?P<table>[a-z0-9_]+)/export\\.(?P<fmt>csv|xlsx)$":
        ("get", f"/api/v1/stats/{T}/export.xlsx", (401, 200, 200, 403, 403)),
    "api/v1/stats/<str:table>/dhis2": ("get", f"/api/v1/stats/{T}/dhis2",
                                       (401, 200, 200, 403, 403)),
    "api/v1/indicators/<str:name>": ("get", "/api/v1/indicators/freshness",
                                     (401, 200, 200, 403, 403)),
    "api/v1/population": ("post", "/api/v1/population", (401, 403, 403, 400, 403)),
}
# Open by design: log-in, node submissions (signature-authenticated), health, schema.
PUBLIC = {"api/v1/auth/login", "api/v1/submissions/", "api/v1/submissions/status",
          "healthz", "metrics", "api/schema/", "api/docs/"}


def routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    out = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            out |= routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            out.add(prefix + str(entry.pattern))
    return out


def test_every_hub_api_endpoint_is_in_the_roles_matrix() -> None:
    # HTML pages (dashboards) have their own matrix in their tests.
    api = {route for route in routes() if route.startswith("api/")}
    assert api - PUBLIC == set(MATRIX)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_roles_matrix(route: str, request: pytest.FixtureRequest) -> None:
    method, path, expected = MATRIX[route]
    for persona, status in zip(PERSONAS, expected, strict=True):
        client: Client = request.getfixturevalue(persona)
        assert getattr(client, method)(path).status_code == status, (persona, path)


def login(client: Client, username: str, password: str = PASSWORD, otp: str = "") -> int:
    body = {"username": username, "password": password}
    if otp:
        body["otp_token"] = otp
    return client.post("/api/v1/auth/login", body, content_type="application/json").status_code


def test_a_password_alone_is_not_enough_when_otp_is_required(anonymous: Client) -> None:
    user_make("ana2", "analyst")
    assert login(anonymous, "ana2") == 400
    assert login(anonymous, "ana2", otp="000000") in (401,)


def test_password_and_totp_open_a_verified_session(anonymous: Client) -> None:
    _, device = user_make("ana3", "analyst")
    assert login(anonymous, "ana3", otp=token_for(device)) == 200
    assert anonymous.get("/api/v1/auth/me").json()["otp_verified"] is True


@override_settings(SYSTRAITE_REQUIRE_OTP=False)
def test_without_otp_a_demo_hub_says_so_on_every_response(anonymous: Client) -> None:
    user_make("ana4", "analyst")
    assert login(anonymous, "ana4") == 200
    assert "X-Systraite-Notice" in anonymous.get("/api/v1/auth/me").headers


@override_settings(SYSTRAITE_REQUIRE_OTP=False)
def test_repeated_failures_lock_the_username_temporarily(anonymous: Client) -> None:
    user_make("ana5", "analyst")
    for _ in range(5):
        assert login(anonymous, "ana5", password="wrong password!!") == 401
    response = anonymous.post("/api/v1/auth/login", {"username": "ana5", "password": PASSWORD},
                              content_type="application/json")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_a_user_without_a_role_cannot_log_in(anonymous: Client) -> None:
    user, device = user_make("norole", "analyst")
    User.objects.filter(pk=user.pk).update(role="")
    assert login(anonymous, "norole", otp=token_for(device)) == 401


def test_passwords_follow_the_asvs_policy() -> None:
    from django.core.exceptions import ValidationError

    from hub.accounts.services import user_create

    with pytest.raises(ValidationError):
        user_create(actor=None, username="short", role="partner", password="short")
