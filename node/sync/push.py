"""Sending the outbox to the hub, oldest first, until the hub acknowledges.

Only named transient failures (network errors, 5xx, 429) are retried, with
backoff and jitter by the Celery task. A 4xx refusal is recorded and the
payload is set aside as failed: its parts are carried again by the next build,
so fixing the cause (say, registering the node) loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from node.sync import metrics
from node.sync.models import OutboxPayload, SyncState

log = logging.getLogger(__name__)


class TransientPushError(Exception):
    """The hub could not be reached or was unavailable: try again later."""


class PermanentPushError(Exception):
    """The hub refused the payload (4xx): retrying the same bytes cannot help."""


@dataclass(frozen=True)
class SendResult:
    sent: int
    pending: int


def _endpoint() -> str:
    return settings.SYSTRAITE_HUB_URL.rstrip("/") + "/api/v1/submissions/"


def _post(outbox: OutboxPayload, client: httpx.Client) -> httpx.Response:
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "User-Agent": "systraite-node",
    }
    try:
        return client.post(_endpoint(), content=bytes(outbox.body), headers=headers)
    except httpx.HTTPError as exc:
        raise TransientPushError(f"hub unreachable: {type(exc).__name__}") from exc


def _record_error(outbox: OutboxPayload, message: str, *, failed: bool) -> None:
    now = timezone.now()
    with transaction.atomic():
        outbox.attempts += 1
        outbox.last_error = message[:300]
        fields = ["attempts", "last_error"]
        if failed:
            outbox.status = OutboxPayload.Status.FAILED
            fields.append("status")
        outbox.save(update_fields=fields)
        SyncState.objects.filter(pk=1).update(last_error=message[:300], last_error_at=now)


def _record_success(outbox: OutboxPayload) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = OutboxPayload.objects.filter(
            pk=outbox.pk, status=OutboxPayload.Status.PENDING
        ).update(status=OutboxPayload.Status.SENT, sent_at=now, attempts=outbox.attempts + 1)
        state = SyncState.objects.select_for_update().get(pk=1)
        state.last_acked_sequence = max(state.last_acked_sequence, outbox.sequence)
        state.last_success_at = now
        state.save(update_fields=["last_acked_sequence", "last_success_at"])
    if updated:
        metrics.PUSHES.labels("accepted").inc()
        metrics.PAYLOAD_BYTES.observe(outbox.size)


def send_one(outbox: OutboxPayload, client: httpx.Client) -> None:
    try:
        response = _post(outbox, client)
    except TransientPushError as exc:
        metrics.PUSHES.labels("unreachable").inc()
        _record_error(outbox, str(exc), failed=False)
        raise
    if response.status_code in (200, 201):
        _record_success(outbox)
        return
    reason = _reason(response)
    if response.status_code >= 500 or response.status_code in (408, 429):
        metrics.PUSHES.labels("transient_error").inc()
        _record_error(outbox, f"HTTP {response.status_code} {reason}", failed=False)
        raise TransientPushError(f"hub answered {response.status_code}")
    metrics.PUSHES.labels("refused").inc()
    _record_error(outbox, f"HTTP {response.status_code} {reason}", failed=True)
    raise PermanentPushError(f"hub refused sequence {outbox.sequence}: {reason}")


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reason", ""))[:100]
    except ValueError:
        return ""


def outbox_send(*, client: httpx.Client | None = None) -> SendResult:
    """Send every pending payload in sequence order; stop at the first failure."""
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
    sent = 0
    try:
        pending = OutboxPayload.objects.filter(status=OutboxPayload.Status.PENDING)
        for outbox in pending.order_by("sequence"):
            outbox.refresh_from_db()
            if outbox.status != OutboxPayload.Status.PENDING:
                continue  # superseded by a build since the list was read
            send_one(outbox, client)
            sent += 1
    except TransientPushError:
        metrics.refresh()
        raise
    finally:
        if own:
            client.close()
    metrics.refresh()
    return SendResult(sent, pending.count())
