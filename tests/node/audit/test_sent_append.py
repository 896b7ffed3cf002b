"""An append sent without waiting (``audit_records_send``) is the same durable entry.

Outside a transaction (an audited read) the append is sent at once and read
later; these tests run without the test transaction so that this path is
the one taken.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.test import APIClient

from node.accounts.roles import Role
from node.audit.models import AuditEntry
from node.audit.services import AUDIT_CHAIN_LOCK, audit_chain_verify, audit_records_send
from tests.node import factories
from tests.node.personas import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class _Actor:
    """A user whose role is longer than its column: the database refuses the entry."""

    pk: int = 7
    role: str = "r" * 40
    is_authenticated: bool = True

    def get_username(self) -> str:
        return "someone"


def _send(actor: object = None, ids: tuple[str, ...] = ("1", "2")) -> object:
    return audit_records_send(
        actor=actor,  # type: ignore[arg-type]
        action="list",
        target_type="case",
        target_ids=list(ids),
        request=None,
    )


def test_a_sent_append_is_written_as_a_waited_one_and_keeps_the_chain() -> None:
    pending = _send()
    entry = pending.entry()  # type: ignore[attr-defined]
    stored = AuditEntry.objects.get(id=entry.id)
    assert (stored.at, stored.hash, stored.target_ids, stored.detail) == (
        entry.at,
        entry.hash,
        "1,2",
        {"count": 2},
    )
    assert audit_chain_verify().intact


def test_a_statement_sent_before_the_entry_is_read_first_waits_for_it() -> None:
    pending = _send()
    assert AuditEntry.objects.count() == 1  # this query waited for the append
    assert pending.entry().id == AuditEntry.objects.get().id  # type: ignore[attr-defined]


def test_a_refused_append_raises_when_its_entry_is_read_and_writes_nothing() -> None:
    pending = _send(actor=_Actor())
    with pytest.raises(DatabaseError):
        pending.entry()  # type: ignore[attr-defined]
    assert AuditEntry.objects.count() == 0  # and the connection still answers


def test_a_refused_append_fails_the_next_statement_of_the_request() -> None:
    _send(actor=_Actor())
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert AuditEntry.objects.count() == 0


def test_a_list_read_outside_a_transaction_is_audited_before_it_answers(
    clerk: APIClient,
) -> None:
    full = factories.full_case(make_user(Role.CLERK)[0])
    response = clerk.get("/api/v1/cases/")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action="list").get()
    assert entry.target_ids == str(full.case.pk)
    assert audit_chain_verify().intact


def _hold_chain_lock(held: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
            held.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def test_a_list_whose_entry_cannot_be_written_answers_500_without_the_page(
    clerk: APIClient,
) -> None:
    factories.full_case(make_user(Role.CLERK)[0])
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_chain_lock, args=(held, release))
    holder.start()
    try:
        assert held.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
        clerk.raise_request_exception = False
        response = clerk.get("/api/v1/cases/")
    finally:
        release.set()
        holder.join(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")
    assert response.status_code == 500
    assert b"parquet_number" not in response.content
    assert not AuditEntry.objects.filter(action="list").exists()


def test_a_list_that_fails_after_sending_its_entry_leaves_the_connection_free(
    clerk: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from node.cases.apis import PageWithTotalPagination

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a defect after the entry was sent")

    factories.full_case(make_user(Role.CLERK)[0])
    monkeypatch.setattr(PageWithTotalPagination, "get_paginated_response", broken)
    clerk.raise_request_exception = False
    assert clerk.get("/api/v1/cases/").status_code == 500
    # What a health check does at the next request: psycopg directly, past Django's
    # execute wrappers. A statement still in flight would make it fail.
    assert connection.connection.execute("SELECT 1").fetchone() == (1,)
    assert not connection.execute_wrappers
    assert AuditEntry.objects.filter(action="list").count() == 1
