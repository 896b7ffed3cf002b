"""Appends from concurrent requests form one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from node.audit.models import AuditEntry
from node.audit.services import audit_chain_verify, audit_record

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
