"""Fuzzing the node API from its own OpenAPI schema, as each staff role.

The schema is read from ``/api/schema/`` of the node's WSGI application; each
operation is then called in-process (same thread, so same PostgreSQL test
transaction as the seeded case) with a real session cookie and CSRF token.
Two properties: no 5xx, and every status code is one the schema documents.

Bounded: at most ``MAX_EXAMPLES`` generated cases per operation and role,
derandomized, no deadline. Half of the generated ids are swapped for ids of
the seeded case so that operations also run on records that exist.
``POST /auth/logout`` is left out: it would end the session the run uses
(the authorisation matrix calls it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from node.accounts.models import User
from node.accounts.roles import Role
from node.config.wsgi import application
from tests.node import factories
from tests.node.personas import login_client, make_user

MAX_EXAMPLES = 15
CONFIG = schemathesis.Config.from_dict({
    "seed": 20250310,
    "phases": {"coverage": {"enabled": False}},
    "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
})


@dataclass
class Seeded:
    """Ids of the seeded case, by the name a path or a body field gives them."""

    paths: dict[str, int]
    fields: dict[str, int]
    user: int


@pytest.fixture(params=[Role.CLERK, Role.PROSECUTOR, Role.JUDGE, Role.ADMIN, Role.AUDITOR])
def session(request: pytest.FixtureRequest, db: None) -> dict[str, Any]:
    """Cookies and headers of a logged-in member of staff, as a browser would send them."""
    client = login_client(Client(), *make_user(request.param))
    csrf = client.cookies["csrftoken"].value
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf}}


@pytest.fixture
def seeded(db: None, session: dict[str, Any]) -> Seeded:
    author = make_user(Role.CLERK)[0]
    full = factories.full_case(author)
    paths = {"survivors": full.survivor.pk, "traffickers": full.trafficker.pk,
             "cases": full.case.pk, "case-survivors": full.link.pk,
             "defendants": full.defendant.pk, "exploitations": full.exploitation.pk,
             "events": full.event.pk, "charges": full.charge.pk, "referrals": full.referral.pk,
             "steps": full.steps[-1].pk}
    fields = {"case": full.case.pk, "survivor": full.survivor.pk,
              "trafficker": full.trafficker.pk, "defendant": full.defendant.pk,
              "case_survivor": full.link.pk}
    other = make_user(Role.JUDGE, otp=False)[0]
    return Seeded(paths=paths, fields=fields, user=other.pk)


def in_process(app: Any) -> Any:
    """The node's WSGI app, keeping the test's connection across calls (as Django's
    test client does): the handler closes "old" connections when a request starts
    and finishes, which inside the test transaction would lose the seeded case."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                result.close()  # sends request_finished while it is disconnected
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wsgi


NODE = in_process(application)


@pytest.fixture
def node_schema(db: None) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/", NODE, config=CONFIG)


schema = schemathesis.pytest.from_fixture("node_schema").exclude(operation_id="auth_logout")


def _existing_ids(case: Any, seeded: Seeded) -> None:
    """Point about half of the generated ids at records that exist."""
    params = case.path_parameters or {}
    resource = case.path.strip("/").split("/")[2] if case.path.count("/") > 3 else ""
    for name, value in list(params.items()):
        if isinstance(value, int) and value % 2 == 0:
            params[name] = seeded.user if name == "user_id" else seeded.paths.get(resource, value)
    body = case.body if isinstance(case.body, dict) else {}
    for name, value in list(body.items()):
        if name in seeded.fields and isinstance(value, int) and value % 2 == 0:
            body[name] = seeded.fields[name]


@schema.parametrize()
@pytest.mark.usefixtures("session", "seeded")  # brings the role parameters to collection
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_documented(
    case: Any, session: dict[str, Any], seeded: Seeded
) -> None:
    _existing_ids(case, seeded)
    response = case.call(cookies=session["cookies"], headers=session["headers"])
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance],
                           headers=session["headers"])


def test_the_schema_documents_every_route_of_the_api(db: None) -> None:
    """The fuzzing above covers the API only if the schema does."""
    from tests.node.api.conftest import api_routes

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", NODE, config=CONFIG)
    documented = {(op.method.upper(), op.path) for op in
                  (r.ok() for r in loaded.get_all_operations())}
    assert len(documented) == sum(len(route.methods) for route in api_routes())


def test_a_session_refused_by_csrf_is_a_documented_403(db: None) -> None:
    """The fixture's CSRF header matters: without it, unsafe calls are refused."""
    user: User
    user, device = make_user(Role.CLERK)
    client = login_client(Client(enforce_csrf_checks=True), user, device)
    assert client.post("/api/v1/cases/", {}, content_type="application/json").status_code == 403
    token = client.cookies["csrftoken"].value
    assert client.post("/api/v1/cases/", {}, content_type="application/json",
                       headers={"X-CSRFToken": token}).status_code == 400


# Reproducers of the 5xx that the fuzzing above found (fixed; kept as regressions).
FOUND = [
    ("patch", "/api/v1/case-survivors/{link}/", {"identified_on": "0133-05-07"}, 400),
    ("patch", "/api/v1/cases/{case}/", {"reported_on": "0495-06-09"}, 400),
    ("get", "/api/v1/cases/?year=0", None, 400),
    ("get", "/api/v1/cases/?year=-8.457456133215824e-84", None, 400),
    ("get", "/api/v1/cases/?year=99999999999", None, 400),
    ("post", "/api/v1/steps/null/void/", {"reason": "x"}, 404),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), FOUND,
                         ids=[f"{m} {p}" for m, p, _, _ in FOUND])
def test_a_request_found_by_fuzzing_is_answered_without_a_server_error(
    method: str, path: str, body: dict[str, str] | None, status: int, prosecutor: Any,
    author: User,
) -> None:
    full = factories.full_case(author)
    url = path.format(link=full.link.pk, case=full.case.pk)
    response = getattr(prosecutor, method)(url, body, format="json")
    assert response.status_code == status, response.content
