"""Appends from concurrent requests form one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction
from psycopg.pq import TransactionStatus

from node.audit.models import AuditEntry
from node.audit.services import AUDIT_CHAIN_LOCK, audit_chain_verify, audit_record

THREADS = 8
PER_THREAD = 15


def _append_many(worker: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        start.wait()
        for n in range(PER_THREAD):
            audit_record(actor=None, action="read", target_type="case", target_id=f"{worker}-{n}")
    except BaseException as exc:  # reported to the test's thread
        errors.append(exc)
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain() -> None:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_append_many, args=(w, start, errors)) for w in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert AuditEntry.objects.count() == THREADS * PER_THREAD
    times = list(AuditEntry.objects.order_by("id").values_list("at", flat=True))
    assert times == sorted(times)  # time order is chain order
    report = audit_chain_verify()
    assert (report.intact, report.entries) == (True, THREADS * PER_THREAD)


def _hold_chain_lock(held: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])
            held.set()
            release.wait(timeout=30)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_failed_append_outside_a_transaction_rolls_back_and_releases_the_lock() -> None:
    first = audit_record(actor=None, action="read", target_type="case", target_id="1")
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_chain_lock, args=(held, release))
    holder.start()
    try:
        assert held.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
        with pytest.raises(OperationalError):
            audit_record(actor=None, action="read", target_type="case", target_id="2")
        # The failed append ended its transaction: the connection is idle again.
        assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    finally:
        release.set()
        holder.join(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")
    second = audit_record(actor=None, action="read", target_type="case", target_id="3")
    assert (second.id, second.prev_hash) == (first.id + 1, first.hash)
    assert audit_chain_verify().intact
