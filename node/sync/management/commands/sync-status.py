"""`systraite-node sync-status`: outbox depth, last acknowledged sequence, last outcome."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from node.sync.models import OutboxPayload, SyncState


class Command(BaseCommand):
    help = "État de la synchronisation avec le hub."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        state = SyncState.objects.filter(pk=1).first() or SyncState()
        status = {
            "outbox_pending": OutboxPayload.objects.filter(status="pending").count(),
            "outbox_failed": OutboxPayload.objects.filter(status="failed").count(),
            "next_sequence": state.next_sequence,
            "last_acked_sequence": state.last_acked_sequence,
            "last_success_at": state.last_success_at.isoformat() if state.last_success_at else None,
            "last_error": state.last_error or None,
            "last_error_at": state.last_error_at.isoformat() if state.last_error_at else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(status))
            return
        for key, value in status.items():
            self.stdout.write(f"{key:22} {value}")
