"""Reads of the node registry."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from hub.registry.models import NODE_ID_PATTERN, Node


def node_list() -> QuerySet[Node]:
    return Node.objects.order_by("node_id")


def node_get(*, node_id: object) -> Node | None:
    """The node named ``node_id``, or None (also for a value that is not a string)."""
    # Checked before the query: a NUL byte or a huge string must not reach the database.
    if not isinstance(node_id, str) or not re.fullmatch(NODE_ID_PATTERN, node_id):
        return None
    return Node.objects.filter(node_id=node_id).first()
