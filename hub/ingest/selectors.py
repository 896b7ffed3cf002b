"""Reads of ingested state."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hub.ingest.models import TableMonthState, TokenSet
from hub.registry.models import Node


def submission_status(*, node: Node) -> dict[str, Any]:
    """What the hub holds of ``node``: the node resends from ``last_sequence``.

    ``months`` lists every (table, month) held, including months the node
    declared empty; ``token_years`` the years of the token sets held, and
    ``token_sets`` the digest of each, which a node's token-set deltas must
    start from.
    """
    months: dict[str, list[str]] = defaultdict(list)
    held = TableMonthState.objects.filter(node=node).order_by("table", "month")
    for table, month in held.values_list("table", "month"):
        months[table].append(month.strftime("%Y-%m"))
    sets = TokenSet.objects.filter(node=node).order_by("year", "kind")
    digests = list(sets.values("year", "kind", "digest"))
    return {
        "node_id": node.node_id,
        "last_sequence": node.last_sequence,
        "last_success_at": node.last_success_at,
        "months": dict(months),
        "token_years": sorted({row["year"] for row in digests}),
        "token_sets": digests,
    }
