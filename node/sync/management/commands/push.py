"""`systraite-node push [--full]`: build a payload now and send the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from node.sync.build import payload_build
from node.sync.push import (
    PermanentPushError,
    TokenBaseMismatch,
    TransientPushError,
    outbox_send,
)


class Command(BaseCommand):
    help = "Construit la charge utile des agrégats modifiés et l'envoie au hub."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full", action="store_true", help="reconstruire et renvoyer tous les mois"
        )
        parser.add_argument(
            "--rederive",
            action="store_true",
            help="recalculer tous les faits depuis zéro (contrôle)",
        )
        parser.add_argument("--no-send", action="store_true", help="construire sans envoyer")

    def handle(self, *args: Any, full: bool, rederive: bool, no_send: bool, **options: Any) -> None:
        self._build(full=full, rederive=rederive)
        if no_send:
            return
        if not self._send(first=True):
            # The hub holds other token sets than the deltas assumed: their bases
            # are forgotten, so this rebuild sends them in full.
            self.stdout.write("Le hub détient d'autres jetons : renvoi des ensembles complets.")
            self._build(full=False, rederive=False)
            self._send(first=False)

    def _send(self, *, first: bool) -> bool:
        """Send the outbox; False if the hub refused a delta's base the first time."""
        try:
            sent = outbox_send()
        except TokenBaseMismatch as exc:
            if first:
                return False
            raise CommandError(f"Envoi impossible : {exc}") from exc
        except (TransientPushError, PermanentPushError) as exc:
            raise CommandError(f"Envoi impossible : {exc}") from exc
        self.stdout.write(f"Envoyées : {sent.sent}, en attente : {sent.pending}.")
        return True

    def _build(self, *, full: bool, rederive: bool) -> None:
        result = payload_build(full=full, rederive=rederive)
        if result.outbox is None:
            self.stdout.write("Aucune modification à envoyer.")
        else:
            self.stdout.write(
                f"Charge utile n° {result.outbox.sequence} : {result.parts} "
                f"parties, {result.cells} cellules, {result.outbox.size} octets."
            )
