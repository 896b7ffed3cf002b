"""``systraite-node audit-verify``: recompute the audit chain; exit 1 if it is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from node.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne du journal d'audit. Code de sortie 0 si elle est intacte, "
        "1 en nommant la première entrée rompue."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(report.describe(), returncode=1)
        self.stdout.write(report.describe())
        if report.head_hash is not None:
            self.stdout.write(f"dernière entrée: #{report.head_id} {report.head_hash}")
