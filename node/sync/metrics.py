"""Prometheus metrics of the push: outcomes, outbox depth, freshness, bytes."""

from __future__ import annotations

from django.utils import timezone
from prometheus_client import Counter, Gauge, Histogram

PUSHES = Counter("systraite_node_pushes_total", "Pushes to the hub by outcome", ["outcome"])
OUTBOX_DEPTH = Gauge(
    "systraite_node_outbox_depth", "Payloads waiting to be sent", multiprocess_mode="livemax"
)
LAST_SUCCESS_AGE = Gauge(
    "systraite_node_last_push_success_age_seconds",
    "Seconds since the hub last acknowledged a payload",
    multiprocess_mode="livemin",
)
PAYLOAD_BYTES = Histogram(
    "systraite_node_payload_bytes",
    "Size of sent payloads (gzip)",
    buckets=(1e3, 5e3, 1e4, 4e4, 1e5, 1e6, 1e7),
)


def refresh() -> None:
    """Read the outbox state from the database (called before /metrics renders)."""
    from node.sync.models import OutboxPayload, SyncState

    OUTBOX_DEPTH.set(OutboxPayload.objects.filter(status__in=["pending", "failed"]).count())
    state = SyncState.objects.filter(pk=1).first()
    if state and state.last_success_at:
        LAST_SUCCESS_AGE.set((timezone.now() - state.last_success_at).total_seconds())
    else:
        LAST_SUCCESS_AGE.set(float("nan"))
