"""Celery tasks of the push. Thin: no arguments but ids, a service does the work.

``sync_cycle`` is the periodic singleton (beat): a PostgreSQL advisory lock
keeps two workers from building at once. ``outbox_push`` retries only the
named transient errors, with exponential backoff and jitter, and is
``acks_late`` so a worker killed mid-push leaves the message to be redelivered;
the hub's idempotent ingest makes a repeated send harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.db import connection

from node.sync.build import payload_build
from node.sync.push import (
    PermanentPushError,
    TokenBaseMismatch,
    TransientPushError,
    outbox_send,
)

log = logging.getLogger(__name__)
LOCK_KEY = 0x5157_0001  # advisory lock id of the sync cycle


@contextmanager
def _singleton() -> Iterator[bool]:
    if connection.vendor != "postgresql":
        yield True  # SQLite (development): one process writes at a time anyway
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


@shared_task(acks_late=True, ignore_result=True)
def sync_cycle() -> None:
    """Build a payload if anything changed, then push what is pending."""
    with _singleton() as got:
        if not got:
            log.info("sync cycle already running elsewhere")
            return
        if _build_and_send():
            # The bases of the refused deltas are forgotten: this rebuild sends
            # those sets in full. Once per cycle, so a hub that keeps refusing
            # cannot keep us in a loop (the next cycle tries again).
            _build_and_send()


def _build_and_send() -> bool:
    """One build and push; True if the hub refused a delta's base (``token_base_mismatch``)."""
    result = payload_build()
    if result.outbox is not None:
        log.info("built payload %s (%s parts)", result.outbox.sequence, result.parts)
    try:
        outbox_send()
    except TransientPushError:
        outbox_push.delay()  # retried with backoff until the hub answers
    except TokenBaseMismatch as exc:
        log.warning("the hub holds other token sets, sending them in full: %s", exc)
        return True
    except PermanentPushError as exc:
        log.warning("the hub refused a payload: %s", exc)
    return False


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=None,
    autoretry_for=(TransientPushError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
)
def outbox_push(self) -> None:
    """Send pending payloads; a transient failure retries with backoff and jitter."""
    with _singleton() as got:
        if not got:
            return
        outbox_send()
