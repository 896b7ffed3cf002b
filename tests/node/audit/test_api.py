"""The auditors' API: who may read the log, how it filters, what it reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from node.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

Append = Callable[..., AuditEntry]
Tamper = Callable[[str, list[Any]], None]
LIST = "/api/v1/audit/"
VERIFY = "/api/v1/audit/verify"


def _results(client: APIClient, **params: str) -> list[dict[str, object]]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("url", [LIST, VERIFY])
def test_an_auditor_may_read_the_log(auditor: APIClient, url: str) -> None:
    assert auditor.get(url).status_code == 200


@pytest.mark.parametrize("role", ["clerk", "prosecutor", "judge", "node_admin"])
@pytest.mark.parametrize("url", [LIST, VERIFY])
def test_other_roles_are_refused(request: pytest.FixtureRequest, role: str, url: str) -> None:
    client: APIClient = request.getfixturevalue(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, VERIFY])
def test_an_anonymous_client_must_log_in(anonymous: APIClient, url: str) -> None:
    assert anonymous.get(url).status_code == 401


def test_the_log_is_read_only(auditor: APIClient) -> None:
    assert auditor.post(LIST, {}, format="json").status_code == 405


def test_the_list_is_newest_first_with_every_column(auditor: APIClient, append: Append) -> None:
    entry = append(target_type="survivor", target_id="12", detail={"name_hash": "ab" * 32})
    first = _results(auditor)[0]
    assert first["id"] == entry.id
    assert first["target_type"] == "survivor"
    assert first["detail"] == {"name_hash": "ab" * 32}
    assert set(first) == {
        "id",
        "at",
        "actor_id",
        "actor_username",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "target_ids",
        "ip",
        "request_id",
        "detail",
        "prev_hash",
        "hash",
    }


def test_it_filters_by_action_target_and_actor(auditor: APIClient, append: Append) -> None:
    append(action="export", target_type="case", target_id="5")
    append(action="read", target_type="case", target_id="5")
    append(action="read", target_type="survivor", target_id="5")
    assert [e["action"] for e in _results(auditor, action="export")] == ["export"]
    target = _results(auditor, target_type="case", target_id="5")
    assert [e["action"] for e in target] == ["read", "export"]
    username = auditor.user.username  # type: ignore[attr-defined]
    mine = _results(auditor, actor_username=username)
    assert mine and {e["actor_username"] for e in mine} == {username}
    assert {e["action"] for e in mine} == {"login", "list"}  # their log-in and reading


def test_it_filters_by_inclusive_days(auditor: APIClient, append: Append) -> None:
    append(action="export")
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    exports = {"action": "export"}
    assert len(_results(auditor, **exports, **{"from": str(today), "to": str(today)})) == 1
    assert _results(auditor, **exports, to=str(yesterday)) == []
    assert _results(auditor, **exports, **{"from": str(today + timedelta(days=1))}) == []


@pytest.mark.parametrize(
    "params",
    [{"from": "hier"}, {"to": "2026-13-01"}, {"action": "Read-All"}, {"target_id": "9" * 65}],
    ids=["from", "to", "action", "target_id"],
)
def test_a_malformed_filter_is_a_400_naming_it(
    auditor: APIClient,
    params: dict[str, str],
) -> None:
    response = auditor.get(LIST, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_the_number_of_queries_does_not_grow_with_the_page(
    auditor: APIClient, append: Append
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            auditor.get(LIST)
        return len(captured)

    append()
    few = queries()
    for _ in range(30):
        append()
    assert queries() == few


def test_reading_the_log_is_itself_audited(auditor: APIClient) -> None:
    auditor.get(LIST, {"action": "login"}, HTTP_X_REQUEST_ID="audit-req-1")
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.target_type, entry.actor_role) == ("list", "audit_entry", "auditor")
    assert (entry.ip, entry.request_id) == ("127.0.0.1", "audit-req-1")
    assert entry.detail == {"action": "login", "count": 1}


def test_verify_reports_an_intact_chain(auditor: APIClient, append: Append) -> None:
    append()
    body = auditor.get(VERIFY).json()
    count = AuditEntry.objects.count() - 1  # the verification is audited after it ran
    assert body["intact"] is True
    assert body["entries"] == count
    assert body["message"] == f"chaîne intacte: {count} entrées"


def test_verify_names_the_first_broken_entry(
    auditor: APIClient, append: Append, tamper: Tamper
) -> None:
    entry = append()
    append()
    tamper("UPDATE audit_auditentry SET target_id = '2' WHERE id = %s", [entry.id])
    body = auditor.get(VERIFY).json()
    assert (body["intact"], body["first_bad_id"], body["reason"]) == (
        False,
        entry.id,
        "hash_mismatch",
    )
