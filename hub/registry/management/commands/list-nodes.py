"""``systraite-hub list-nodes``: every node, its status and how fresh its data is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand

from hub.registry.selectors import node_list

_ROW = "{:<24} {:<14} {:<10} {:>13}  {}"


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


class Command(BaseCommand):
    help = "List registered nodes: node, jurisdiction, status, last sequence, last success."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            _ROW.format("node", "jurisdiction", "status", "last sequence", "last success")
        )
        for node in node_list():
            self.stdout.write(
                _ROW.format(
                    node.node_id,
                    node.jurisdiction,
                    node.status,
                    node.last_sequence,
                    _when(node.last_success_at),
                )
            )
