"""Temporary lock-out of log-ins after repeated failures, per username and per address.

Why temporary: a permanent lock would let anyone lock a judge out for good by
typing their username wrongly five times. The delay instead doubles with each
failure past the limit (1, 2, 4, 8 then 15 minutes by default), which makes
online guessing useless while a real user waits at most a quarter of an hour
(or asks the administrator to run ``systraite-node unlock``).

Why two counters: the username counter stops guessing one account's password;
the address counter (with a higher limit, as several clerks may share an office
address) stops spraying one password over many usernames.

Why the database and row locks: counters must survive a cache flush or a
restart, and concurrent attempts must not all pass the check before any
failure is counted. ``throttle_rows_lock`` takes ``SELECT ... FOR UPDATE`` on
both rows; the caller keeps the transaction open until the outcome is
recorded, so attempts on the same username or address are evaluated one at a
time and no more than the limit can ever be tried.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest

from node.audit.services import client_ip

# The node and the hub each have an ``accounts`` app with a ``LoginThrottle`` table
# of the same shape; these rules serve both (looked up by app label, not imported).
LoginThrottle = Any


class Scope(StrEnum):
    USERNAME = "username"
    ADDRESS = "address"


def _table() -> Any:
    return apps.get_model("accounts", "LoginThrottle")


@dataclass(frozen=True)
class ThrottleRows:
    username: LoginThrottle
    address: LoginThrottle

    def __iter__(self) -> Iterator[LoginThrottle]:
        return iter((self.username, self.address))


def username_key(username: str) -> str:
    """Usernames differing only by case share a counter (no bypass by case)."""
    return username.strip().casefold()[:255]


def client_address(request: HttpRequest) -> str:
    """The client's address as the audit log sees it (``SYSTRAITE_TRUSTED_PROXIES``).

    Behind nginx, REMOTE_ADDR is the proxy: without that setting every client
    would share one address counter, so a single attacker could lock out the
    whole court. Deployments behind a proxy must list it there.
    """
    return client_ip(request) or "unknown"


def throttle_rows_lock(*, username: str, address: str) -> ThrottleRows:
    """Lock (creating if needed) the two counters; call inside ``transaction.atomic``.

    Rows are locked in (scope, key) order, the same in every transaction, so two
    attempts sharing an address cannot deadlock.
    """
    keys = {Scope.USERNAME: username_key(username), Scope.ADDRESS: address[:255]}
    for _ in range(3):
        _table().objects.bulk_create(
            [_table()(scope=scope, key=key) for scope, key in keys.items()],
            ignore_conflicts=True,
        )
        rows = {
            row.scope: row
            for row in _table()
            .objects.select_for_update()
            .filter(scope__in=list(keys), key__in=list(keys.values()))
            .order_by("scope", "key")
            if keys[Scope(row.scope)] == row.key
        }
        # A purge (``throttle_rows_purge``) may delete a forgotten row between
        # the insert and the lock; once locked, a row stays. Insert it again.
        if len(rows) == len(keys):
            return ThrottleRows(username=rows[Scope.USERNAME], address=rows[Scope.ADDRESS])
    raise RuntimeError("log-in counters vanished three times while being locked")


def throttle_rows_purge(*, now: datetime) -> int:
    """Delete the counters that no longer count anything; returns how many.

    A row is kept for every username ever tried, unknown ones included (so
    that throttling reveals nothing about which accounts exist): without a
    purge, anyone could grow the table for ever. A row whose last failure is
    older than the window and which is not locked holds nothing that
    ``throttle_failure`` would not reset anyway. A row locked by a log-in in
    progress is deleted only if it still qualifies once that log-in ends.
    """
    forgotten = (
        _table()
        .objects.filter(last_failure_at__lt=now - _forget_after())
        .exclude(locked_until__gt=now)
    )
    deleted, _ = forgotten.delete()
    return int(deleted)


def retry_after_seconds(rows: ThrottleRows, *, now: datetime) -> int:
    """Seconds until both counters allow an attempt; 0 when not locked."""
    waits = [(row.locked_until - now).total_seconds() for row in rows if row.locked_until]
    return max([0, *(math.ceil(w) for w in waits)])


def throttle_failure(rows: ThrottleRows, *, now: datetime) -> None:
    """Count a failure on both counters and lock those past their limit."""
    for row in rows:
        if row.last_failure_at and now - row.last_failure_at > _forget_after():
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.locked_until = _locked_until(row, now=now)
        row.save(update_fields=["failures", "last_failure_at", "locked_until"])


def throttle_success(rows: ThrottleRows) -> None:
    """A success on this username from this address clears both counters."""
    for row in rows:
        row.failures = 0
        row.locked_until = None
        row.save(update_fields=["failures", "locked_until"])


def throttle_clear(*, username: str) -> int:
    """Unlock a username at once (administrator's command); returns rows cleared."""
    return (
        _table()
        .objects.filter(scope=Scope.USERNAME, key=username_key(username))
        .update(failures=0, locked_until=None)
    )


def _limit(scope: str) -> int:
    if scope == Scope.USERNAME:
        return int(settings.SYSTRAITE_LOGIN_MAX_FAILURES_PER_USERNAME)
    return int(settings.SYSTRAITE_LOGIN_MAX_FAILURES_PER_ADDRESS)


def _locked_until(row: LoginThrottle, *, now: datetime) -> datetime | None:
    excess = row.failures - _limit(row.scope)
    if excess < 0:
        return None
    base = settings.SYSTRAITE_LOGIN_LOCKOUT_BASE_SECONDS
    ceiling = settings.SYSTRAITE_LOGIN_LOCKOUT_MAX_SECONDS
    seconds = min(ceiling, base * 2 ** min(excess, 20))
    return now + timedelta(seconds=seconds)


def _forget_after() -> timedelta:
    """Failures older than this no longer count (a typo last month is not an attack)."""
    return timedelta(hours=settings.SYSTRAITE_LOGIN_FAILURE_WINDOW_HOURS)
