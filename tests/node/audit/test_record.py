"""What audit_record and audit_records write, and what they refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from node.accounts.models import User
from node.accounts.roles import Role
from node.audit.models import AuditEntry
from node.audit.services import AuditInputError, audit_chain_verify, audit_record, audit_records

pytestmark = pytest.mark.django_db

Append = Callable[..., AuditEntry]


def _request(**meta: Any) -> HttpRequest:
    request = RequestFactory().get("/api/v1/cases/", REMOTE_ADDR="10.1.2.3", **meta)
    request.request_id = "req-0042"  # type: ignore[attr-defined]  # as RequestIdMiddleware
    return request


def test_it_records_the_actor_and_their_role() -> None:
    user = User.objects.create_user(username="greffier1", password="x" * 12, role=Role.CLERK)
    entry = audit_record(actor=user, action="read", target_type="survivor", target_id="7")
    assert (entry.actor_id, entry.actor_username, entry.actor_role) == (
        user.pk,
        "greffier1",
        "clerk",
    )
    assert (entry.action, entry.target_type, entry.target_id) == ("read", "survivor", "7")
    assert entry.at.utcoffset() is not None


def test_it_keeps_the_actor_after_the_user_is_deleted() -> None:
    user = User.objects.create_user(username="juge1", password="x" * 12, role=Role.JUDGE)
    user_id = user.pk
    entry = audit_record(actor=user, action="read", target_type="case", target_id="1")
    user.delete()
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_username, entry.actor_role) == (user_id, "juge1", "judge")


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_an_anonymous_actor_is_recorded_as_nobody(actor: AnonymousUser | None) -> None:
    entry = audit_record(actor=actor, action="login_failed", target_type="user")
    assert (entry.actor_id, entry.actor_username, entry.actor_role) == (None, "", "")
    assert entry.target_id is None


def test_it_captures_the_client_address_and_the_request_id(append: Append) -> None:
    entry = append(request=_request(HTTP_X_FORWARDED_FOR="192.0.2.9"))
    entry.refresh_from_db()
    assert (entry.ip, entry.request_id) == ("10.1.2.3", "req-0042")


@override_settings(SYSTRAITE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_it_records_the_forwarded_client(append: Append) -> None:
    entry = append(request=_request(HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.9, 10.9.9.9"))
    assert entry.ip == "192.0.2.9"  # the rightmost untrusted hop; 203.0.113.5 could be forged


@override_settings(SYSTRAITE_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_malformed_forwarded_header_falls_back_to_the_proxy(append: Append) -> None:
    entry = append(request=_request(HTTP_X_FORWARDED_FOR="not-an-address"))
    assert entry.ip == "10.1.2.3"


def test_an_ipv6_client_round_trips_through_the_chain(append: Append) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8::0:1")
    append(request=request)
    append(request=RequestFactory().get("/", REMOTE_ADDR="::ffff:192.0.2.1"))
    append(request=RequestFactory().get("/", REMOTE_ADDR="::192.0.2.1"))
    assert audit_chain_verify().intact


def test_the_entry_joins_the_callers_transaction(append: Append) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        append(action="update")
        raise RuntimeError("the audited change failed")
    assert not AuditEntry.objects.exists()


def test_a_list_read_is_one_entry_naming_every_record() -> None:
    ids = [str(n) for n in range(1000, 1500)]  # far beyond the 200 characters of a detail value
    entry = audit_records(
        actor=None,
        action="list",
        target_type="survivor",
        target_ids=ids,
        request=_request(),
        detail={"page": 2},
    )
    assert AuditEntry.objects.count() == 1
    entry.refresh_from_db()
    assert entry.target_id is None
    assert entry.target_ids.split(",") == ids
    assert entry.detail == {"page": 2, "count": 500}
    assert audit_chain_verify().intact


def test_a_list_id_with_a_comma_is_refused() -> None:
    with pytest.raises(AuditInputError, match="comma"):
        audit_records(
            actor=None, action="list", target_type="case", target_ids=["1,2"], request=None
        )


@pytest.mark.parametrize(
    "detail",
    [
        {"nested": {"a": 1}},
        {"nested": ["a", "b"]},
        {"ratio": 0.5},
        {"long": "x" * 201},
        {"Bad-Key": "x"},
        {"name": "Awa Diop"},  # an identity under a key that says so
        {f"k_{chr(97 + n)}{chr(97 + m)}": 1 for n in range(5) for m in range(5)},  # 25 keys
    ],
    ids=["dict", "list", "float", "too-long", "bad-key", "identity-key", "too-many-keys"],
)
def test_a_malformed_detail_is_refused_and_nothing_is_written(
    append: Append, detail: dict[str, object]
) -> None:
    with pytest.raises(AuditInputError):
        append(detail=detail)
    assert not AuditEntry.objects.exists()


def test_a_flat_detail_of_short_values_is_kept(append: Append) -> None:
    detail = {"name_hash": "ab" * 32, "count": 3, "exact": True, "page": None, "note": "x" * 200}
    entry = append(detail=detail)
    entry.refresh_from_db()
    assert entry.detail == detail


@pytest.mark.parametrize("action", ["R", "read-all", "x", "a" * 41, "read\n"])
def test_an_action_that_is_not_a_short_code_is_refused(append: Append, action: str) -> None:
    with pytest.raises(AuditInputError):
        append(action=action)


@pytest.mark.parametrize("target_id", ["", "9" * 65, 7])
def test_a_malformed_target_id_is_refused(append: Append, target_id: object) -> None:
    with pytest.raises(AuditInputError):
        append(target_id=target_id)
