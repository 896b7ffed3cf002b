"""``systraite-hub list-nodes``: every node, its status and how fresh its data is."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hub.registry.selectors import node_list

_ROW = "{:<24} {:<14} {:<10} {:>13}  {}"


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


class Command(BaseCommand):
    help = "List registered nodes: node, jurisdiction, status, last sequence, last success."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON list, for scripts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"]:
            self.stdout.write(json.dumps([
                {"node_id": n.node_id, "jurisdiction": n.jurisdiction, "status": n.status,
                 "last_sequence": n.last_sequence,
                 "last_success_at": n.last_success_at.isoformat() if n.last_success_at else None}
                for n in node_list()]))
            return
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
