"""Who may call what: every route and method of /api/v1/, for every role.

``EXPECTED`` is written by hand, from the roles' capabilities
(node/accounts/roles.py). The routes come from Django's resolver, so an
endpoint (or a method) added without a row here fails
``test_every_api_route_and_method_is_in_the_matrix``.

Statuses: ``ALLOWED`` means the permission let the request through: any
2xx, or a 4xx the endpoint gives for the request itself (400, 404, 409), but
never 401, 403 or 5xx. Requests carry an empty body, so allowed writes mostly
end in a 400 naming the missing fields, which is enough to show the door opened.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from node.accounts.models import User
from node.accounts.roles import Role
from tests.node import factories
from tests.node.api.conftest import Route, api_routes, staff_client, target_ids, target_of, url_of
from tests.node.conftest import FOREIGN_JURISDICTION
from tests.node.personas import login_client, login_response, make_user

pytestmark = pytest.mark.django_db

ALLOWED = "allowed"
ANONYMOUS = "anonymous"
C, P, J, A, AU = Role.CLERK, Role.PROSECUTOR, Role.JUDGE, Role.ADMIN, Role.AUDITOR
STAFF = (C, P, J, A, AU)


def only(*roles: str) -> dict[str, Any]:
    """The listed roles are let through; other staff get 403, anonymous clients 401."""
    return {**{r: (ALLOWED if r in roles else 403) for r in STAFF}, ANONYMOUS: 401}


READERS = (C, P, J)  # READ_CASES
WRITERS = (C, P)  # WRITE_CASES

EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    ("auth-login", "POST"): {**{r: ALLOWED for r in STAFF}, ANONYMOUS: ALLOWED},
    ("auth-logout", "POST"): only(*STAFF),
    ("auth-me", "GET"): only(*STAFF),
    ("users", "GET"): only(A),
    ("users", "POST"): only(A),
    ("user-detail", "GET"): only(A),
    ("user-detail", "PATCH"): only(A),
    ("user-reset-otp", "POST"): only(A),
    ("user-set-password", "POST"): only(A),
    ("audit-list", "GET"): only(AU),
    ("audit-verify", "GET"): only(AU),
    ("survivor-list", "GET"): only(*READERS),
    ("survivor-list", "POST"): only(*WRITERS),
    ("survivor-detail", "GET"): only(*READERS),
    ("survivor-detail", "PATCH"): only(*WRITERS),
    ("trafficker-list", "GET"): only(*READERS),
    ("trafficker-list", "POST"): only(*WRITERS),
    ("trafficker-detail", "GET"): only(*READERS),
    ("trafficker-detail", "PATCH"): only(*WRITERS),
    ("case-list", "GET"): only(*READERS),
    ("case-list", "POST"): only(*WRITERS),
    ("case-detail", "GET"): only(*READERS),
    ("case-detail", "PATCH"): only(*WRITERS),
    # Which step a role may record or void depends on the step (the service
    # decides, tested in tests/node/cases); the door is READ_CASES.
    ("step-list", "GET"): only(*READERS),
    ("step-list", "POST"): only(*READERS),
    ("step-detail", "GET"): only(*READERS),
    ("step-void", "POST"): only(*READERS),
}
for _part in ("case-survivor", "defendant", "exploitation", "event", "charge", "referral"):
    EXPECTED[(f"{_part}-list", "GET")] = only(*READERS)
    EXPECTED[(f"{_part}-list", "POST")] = only(*WRITERS)
    EXPECTED[(f"{_part}-detail", "GET")] = only(*READERS)
    EXPECTED[(f"{_part}-detail", "PATCH")] = only(*WRITERS)
    EXPECTED[(f"{_part}-detail", "DELETE")] = only(*WRITERS)


def calls() -> list[tuple[Route, str]]:
    """Every (route, method), log-out last since it ends the session."""
    pairs = [(route, method) for route in api_routes() for method in route.methods]
    return sorted(pairs, key=lambda pair: pair[0].name == "auth-logout")


def call(client: APIClient, route: Route, method: str, target: int | None) -> Any:
    return getattr(client, method.lower())(url_of(route, target), {}, format="json")


def verdict(expected: Any, status: int) -> bool:
    if expected == ALLOWED:
        return status not in (401, 403) and status < 500
    return bool(status == expected)


@pytest.fixture
def other_user(db: None) -> User:
    """The user the administrator's user endpoints are called on."""
    return make_user(Role.JUDGE)[0]


def test_every_api_route_and_method_is_in_the_matrix() -> None:
    found = {(route.name, method) for route, method in calls()}
    assert found - set(EXPECTED) == set(), "add these endpoints to EXPECTED"
    assert set(EXPECTED) - found == set(), "these rows name endpoints that no longer exist"


def test_every_row_of_the_matrix_names_every_role() -> None:
    for key, row in EXPECTED.items():
        assert set(row) == {*STAFF, ANONYMOUS}, key


@pytest.mark.parametrize("role", [*STAFF, ANONYMOUS])
def test_each_role_gets_exactly_the_access_of_the_matrix(
    role: str, author: User, other_user: User
) -> None:
    client = APIClient() if role == ANONYMOUS else staff_client(role)
    seeded = factories.full_case(author)
    wrong = []
    for route, method in calls():
        ids = target_ids(seeded if method != "DELETE" else factories.full_case(author),
                         other_user)
        status = call(client, route, method, target_of(route, ids)).status_code
        expected = EXPECTED[(route.name, method)][role]
        if not verdict(expected, status):
            wrong.append(f"{method} {route.name}: {status}, expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_anonymous_clients_get_401_on_derived_methods_too(
    method: str, seeded: factories.FullCase, other_user: User
) -> None:
    client, wrong = APIClient(), []
    for route in api_routes():
        if route.name == "auth-login":
            continue
        url = url_of(route, target_of(route, target_ids(seeded, other_user)))
        status = client.generic(method, url).status_code
        if status != 401:
            wrong.append(f"{method} {route.name}: {status}")
    assert wrong == []


def test_a_user_of_another_jurisdiction_cannot_log_in(
    foreign_user: tuple[User, Any]
) -> None:
    response = login_response(APIClient(), *foreign_user)
    assert response.status_code == 401
    assert "sessionid" not in response.cookies


def _refused_everywhere(client: APIClient, seeded: factories.FullCase, other: User) -> list[str]:
    accepted = []
    for route, method in calls():
        if route.name == "auth-login":
            continue
        target = target_of(route, target_ids(seeded, other))
        status = call(client, route, method, target).status_code
        if status not in (401, 403):
            accepted.append(f"{method} {route.name}: {status}")
    return accepted


def test_a_session_of_a_user_moved_to_another_jurisdiction_opens_nothing(
    seeded: factories.FullCase, other_user: User
) -> None:
    user, device = make_user(Role.PROSECUTOR)
    client = login_client(APIClient(), user, device)
    assert client.get("/api/v1/cases/").status_code == 200
    User.objects.filter(pk=user.pk).update(jurisdiction=FOREIGN_JURISDICTION)
    assert _refused_everywhere(client, seeded, other_user) == []


def test_a_session_signed_with_another_nodes_secret_key_opens_nothing(
    seeded: factories.FullCase, other_user: User
) -> None:
    other_key = "another-node-" + "k" * 50
    assert other_key != settings.SECRET_KEY
    user, device = make_user(Role.PROSECUTOR)
    with override_settings(SECRET_KEY=other_key):
        client = login_client(APIClient(), user, device)
        assert client.get("/api/v1/cases/").status_code == 200  # valid on the other node
    assert _refused_everywhere(client, seeded, other_user) == []


def test_an_unsafe_request_without_the_csrf_token_is_refused(clerk: APIClient) -> None:
    strict = APIClient(enforce_csrf_checks=True)
    strict.cookies = clerk.cookies
    response = strict.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
