"""Sending the outbox to the hub, oldest first, until the hub acknowledges.

Only named transient failures (network errors, 5xx, 429) are retried, with
backoff and jitter by the Celery task. A 4xx refusal is recorded and the
payload is set aside as failed: its parts are carried again by the next build,
so fixing the cause (say, registering the node) loses nothing.

Token sets travel as deltas against the sets the hub last acknowledged
(``AckedTokenSet``), which an acknowledgement updates from the payload itself.
A 409 ``token_base_mismatch`` means the hub holds other sets than the node
thought: the node forgets those bases, so the rebuild sends the full sets.
"""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import TypeAdapter

from node.sync import metrics
from node.sync.models import AckedToken, AckedTokenSet, OutboxPayload, SyncState
from shared.payload import TokenEntry, TokenSet, TokenSetDelta, set_digest

log = logging.getLogger(__name__)


class TransientPushError(Exception):
    """The hub could not be reached or was unavailable: try again later."""


class PermanentPushError(Exception):
    """The hub refused the payload (4xx): retrying the same bytes cannot help."""


class TokenBaseMismatch(PermanentPushError):
    """The hub holds other token sets than the deltas started from: rebuild with full sets."""


BASE_MISMATCH = "token_base_mismatch"
_BATCH = 5000
_TOKEN_ENTRIES: TypeAdapter[list[TokenEntry]] = TypeAdapter(list[TokenEntry])


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
        # The node's row first: a build holds it throughout, so the bases of its
        # deltas are read wholly before or wholly after this acknowledgement.
        state = SyncState.objects.select_for_update().get(pk=1)
        updated = OutboxPayload.objects.filter(
            pk=outbox.pk, status=OutboxPayload.Status.PENDING
        ).update(status=OutboxPayload.Status.SENT, sent_at=now, attempts=outbox.attempts + 1)
        if updated:  # once per payload, whatever the number of sends
            acked_token_sets_update(outbox=outbox)
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
    if response.status_code == 409 and reason == BASE_MISMATCH:
        metrics.PUSHES.labels(BASE_MISMATCH).inc()
        with transaction.atomic():
            acked_token_sets_forget(years=outbox.token_years)
            _record_error(outbox, f"HTTP 409 {reason}", failed=True)
        raise TokenBaseMismatch(f"hub refused sequence {outbox.sequence}: {reason}")
    metrics.PUSHES.labels("refused").inc()
    _record_error(outbox, f"HTTP {response.status_code} {reason}", failed=True)
    raise PermanentPushError(f"hub refused sequence {outbox.sequence}: {reason}")


def _reason(response: httpx.Response) -> str:
    try:
        return str(response.json().get("reason", ""))[:100]
    except ValueError:
        return ""


# --- what the hub holds of the token sets -------------------------------------


def acked_token_sets_update(*, outbox: OutboxPayload) -> None:
    """The hub accepted this payload: the token sets it carried are the next deltas' bases."""
    for entry in _TOKEN_ENTRIES.validate_python(_document(outbox).get("tokens", [])):
        if isinstance(entry, TokenSetDelta):
            _acked_move(entry)
        else:
            _acked_replace(entry)


def acked_token_sets_forget(*, years: list[int]) -> None:
    """The hub's sets of these years are not known any more: the next build sends them in full."""
    AckedTokenSet.objects.filter(year__in=years).delete()


def _document(outbox: OutboxPayload) -> dict[str, Any]:
    return dict(json.loads(gzip.decompress(bytes(outbox.body)))["document"])


def _acked_replace(entry: TokenSet) -> None:
    token_set, _ = AckedTokenSet.objects.update_or_create(
        year=entry.year, kind=entry.kind,
        defaults={"key_id": entry.key_id, "digest": set_digest(entry.tokens)})
    token_set.tokens.all().delete()
    _acked_add(token_set, entry.tokens)


def _acked_move(delta: TokenSetDelta) -> None:
    base = AckedTokenSet.objects.filter(year=delta.year, kind=delta.kind).first()
    if base is None or (base.digest, base.key_id) != (delta.base_digest, delta.key_id):
        # Not the base the delta was built on (builds and acknowledgements are
        # serialised, so this is a defect if ever): the base is unknown, not guessed.
        acked_token_sets_forget(years=[delta.year])
        return
    for start in range(0, len(delta.removed), _BATCH):
        base.tokens.filter(token__in=delta.removed[start : start + _BATCH]).delete()
    _acked_add(base, delta.added)
    base.digest = delta.digest
    base.save(update_fields=["digest"])


def _acked_add(token_set: AckedTokenSet, tokens: list[str]) -> None:
    AckedToken.objects.bulk_create(
        (AckedToken(token_set=token_set, token=t) for t in tokens), batch_size=_BATCH)


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
