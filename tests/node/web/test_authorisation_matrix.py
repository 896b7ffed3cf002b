"""Who may open which page: every URL of node.web.urls, every method, every role.

``EXPECTED`` is written by hand from node/accounts/roles.py. The URL names come
from node.web.urls itself, so a page added without a row here fails
``test_every_page_is_in_the_matrix``.

``ALLOWED``: the view ran (200, a redirect after a write, or 400 for the empty
form posted here), never 302-to-log-in, 403, 405 or 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from node.accounts.roles import Role
from node.web import urls as web_urls
from tests.node import factories
from tests.node.conftest import FOREIGN_JURISDICTION
from tests.node.personas import PASSWORD, make_user, totp_token
from tests.node.web.conftest import LOGIN, web_client

pytestmark = pytest.mark.django_db

ALLOWED = "allowed"
TO_LOGIN = "to_login"
ANONYMOUS = "anonymous"
C, P, J, A, AU = Role.CLERK, Role.PROSECUTOR, Role.JUDGE, Role.ADMIN, Role.AUDITOR
STAFF = (C, P, J, A, AU)
READERS, WRITERS = (C, P, J), (C, P)


def only(*roles: str) -> dict[str, str | int]:
    """The listed roles are let through; other staff get 403; anonymous go to the log-in."""
    return {**{r: (ALLOWED if r in roles else 403) for r in STAFF}, ANONYMOUS: TO_LOGIN}


EVERYONE: dict[str, str | int] = {**{r: ALLOWED for r in STAFF}, ANONYMOUS: ALLOWED}

EXPECTED: dict[tuple[str, str], dict[str, str | int]] = {
    ("home", "GET"): only(*STAFF),
    ("login", "GET"): EVERYONE,
    ("login", "POST"): EVERYONE,
    ("logout", "POST"): EVERYONE,  # logging out is harmless; anonymous is sent to the log-in
    ("set-language", "POST"): EVERYONE,
    ("case-list", "GET"): only(*READERS),
    ("case-create", "GET"): only(*WRITERS),
    ("case-create", "POST"): only(*WRITERS),
    ("case-detail", "GET"): only(*READERS),
    ("case-edit", "GET"): only(*WRITERS),
    ("case-edit", "POST"): only(*WRITERS),
    ("survivor-edit", "GET"): only(*WRITERS),
    ("survivor-edit", "POST"): only(*WRITERS),
    ("trafficker-edit", "GET"): only(*WRITERS),
    ("trafficker-edit", "POST"): only(*WRITERS),
    ("step-add", "POST"): only(*READERS),  # the service then refuses steps beyond the role
    ("survivor-add", "GET"): only(*WRITERS),
    ("survivor-add", "POST"): only(*WRITERS),
    ("defendant-add", "GET"): only(*WRITERS),
    ("defendant-add", "POST"): only(*WRITERS),
    ("exploitation-add", "GET"): only(*WRITERS),
    ("exploitation-add", "POST"): only(*WRITERS),
    ("exploitation-edit", "GET"): only(*WRITERS),
    ("exploitation-edit", "POST"): only(*WRITERS),
    ("charge-edit", "GET"): only(*WRITERS),
    ("charge-edit", "POST"): only(*WRITERS),
    ("exploitation-delete", "POST"): only(*WRITERS),
    ("charge-delete", "POST"): only(*WRITERS),
    ("event-delete", "POST"): only(*WRITERS),
    ("referral-delete", "POST"): only(*WRITERS),
    ("event-add", "GET"): only(*WRITERS),
    ("event-add", "POST"): only(*WRITERS),
    ("event-edit", "GET"): only(*WRITERS),
    ("event-edit", "POST"): only(*WRITERS),
    ("charge-add", "GET"): only(*WRITERS),
    ("charge-add", "POST"): only(*WRITERS),
    ("referral-add", "GET"): only(*WRITERS),
    ("referral-add", "POST"): only(*WRITERS),
    ("referral-edit", "GET"): only(*WRITERS),
    ("referral-edit", "POST"): only(*WRITERS),
    ("step-void", "POST"): only(*READERS),  # the service then refuses steps beyond the role
    ("audit-log", "GET"): only(AU),
    ("import", "GET"): only(C, P),
    ("import", "POST"): only(C, P),
}
# Methods a page does not answer: 405 for everyone, logged in or not.
NOT_ALLOWED = [("logout", "GET"), ("step-add", "GET"), ("step-void", "GET"), ("case-list", "POST"),
               ("audit-log", "POST"), ("home", "POST"), ("case-detail", "POST"),
               ("exploitation-delete", "GET"), ("charge-delete", "GET"), ("event-delete", "GET"),
               ("referral-delete", "GET")]


def _page_names() -> set[str]:
    return {p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern) and p.name}


def _url(name: str, seeded: factories.FullCase) -> str:
    """The page's URL for the seeded case and its parts (a new kind of id fails here)."""
    pattern = str(next(p for p in web_urls.urlpatterns if p.name == name).pattern)
    ids = {"case_id": seeded.case.pk, "step_id": seeded.steps[0].pk,
           "referral_id": seeded.referral.pk, "survivor_id": seeded.survivor.pk,
           "trafficker_id": seeded.trafficker.pk, "exploitation_id": seeded.exploitation.pk,
           "charge_id": seeded.charge.pk, "event_id": seeded.event.pk}
    kwargs = {key: value for key, value in ids.items() if f"<int:{key}>" in pattern}
    assert pattern.count("<") == len(kwargs), f"no test id for a parameter of {pattern}"
    return reverse(f"web:{name}", kwargs=kwargs)


def _client(who: str) -> Client:
    return Client() if who == ANONYMOUS else web_client(who)


def _verdict(response: Any) -> str | int:
    if response.status_code == 302 and response["Location"].startswith(LOGIN):
        return TO_LOGIN
    if response.status_code in (401, 403, 405) or response.status_code >= 500:
        return response.status_code
    return ALLOWED


def test_every_page_is_in_the_matrix() -> None:
    in_matrix = {name for name, _ in EXPECTED}
    assert _page_names() == in_matrix


@pytest.mark.parametrize("who", [*STAFF, ANONYMOUS])
def test_each_role_opens_exactly_its_pages(who: str) -> None:
    seeded = factories.full_case(make_user(C)[0])
    client = _client(who)
    outcomes = {}
    for (name, method), expected in EXPECTED.items():
        if name == "logout":
            continue  # it ends the session: checked on its own below
        response = getattr(client, method.lower())(_url(name, seeded))
        outcomes[(name, method)] = (_verdict(response), expected[who])
    wrong = {key: got for key, got in outcomes.items() if got[0] != got[1]}
    assert not wrong, wrong


@pytest.mark.parametrize("who", [*STAFF, ANONYMOUS])
def test_logout_is_a_post_that_ends_the_session(who: str) -> None:
    client = _client(who)
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert _verdict(client.get(reverse("web:home"))) == TO_LOGIN


@pytest.mark.parametrize(("name", "method"), NOT_ALLOWED)
def test_pages_refuse_other_methods(name: str, method: str) -> None:
    seeded = factories.full_case(make_user(C)[0])
    client = web_client(C)
    response = getattr(client, method.lower())(_url(name, seeded))
    assert response.status_code == 405


def test_a_user_of_another_jurisdiction_cannot_log_in() -> None:
    user, device = make_user(P, jurisdiction=FOREIGN_JURISDICTION)
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD,
                                   "otp_token": totp_token(device)})
    assert response.status_code == 400
    assert "Identifiants invalides" in response.content.decode()
    assert _verdict(client.get(reverse("web:case-list"))) == TO_LOGIN


def test_a_session_without_second_factor_opens_nothing() -> None:
    """A session opened by a password alone (as force_login would) is refused with 403."""
    user, _ = make_user(C)
    client = Client()
    client.force_login(user, backend="node.accounts.backends.JurisdictionBackend")
    assert client.get(reverse("web:case-list")).status_code == 403
