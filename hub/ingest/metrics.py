"""Prometheus metrics of ingestion; the node-age gauge is refreshed at scrape time."""

from __future__ import annotations

from django.utils import timezone
from prometheus_client import Counter, Gauge, Histogram

from hub.registry.models import Node

SUBMISSIONS = Counter(
    "systraite_hub_submissions_total",
    "Payload submissions by outcome and reason",
    ["outcome", "reason"],
)
INGEST_DURATION = Histogram(
    "systraite_hub_ingest_duration_seconds",
    "Time to check and store one submission",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
NODE_LAST_SUBMISSION_AGE = Gauge(
    "systraite_hub_node_last_submission_age_seconds",
    "Seconds since the node's last authenticated submission",
    ["node"],
    multiprocess_mode="mostrecent",
)


def refresh_node_ages() -> None:
    """Set the gauge from the registry (listed in SYSTRAITE_METRICS_REFRESHERS).

    Cleared first so a node that was removed does not linger with a stale value.
    """
    now = timezone.now()
    NODE_LAST_SUBMISSION_AGE.clear()
    for node_id, last in Node.objects.values_list("node_id", "last_submission_at"):
        if last is not None:  # a node that never submitted has no age to report
            NODE_LAST_SUBMISSION_AGE.labels(node_id).set((now - last).total_seconds())
