"""`systraite-node push [--full]`: build a payload now and send the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from node.sync.build import payload_build
from node.sync.push import PermanentPushError, TransientPushError, outbox_send


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
        result = payload_build(full=full, rederive=rederive)
        if result.outbox is None:
            self.stdout.write("Aucune modification à envoyer.")
        else:
            self.stdout.write(
                f"Charge utile n° {result.outbox.sequence} : {result.parts} "
                f"parties, {result.cells} cellules, {result.outbox.size} octets."
            )
        if no_send:
            return
        try:
            sent = outbox_send()
        except (TransientPushError, PermanentPushError) as exc:
            raise CommandError(f"Envoi impossible : {exc}") from exc
        self.stdout.write(f"Envoyées : {sent.sent}, en attente : {sent.pending}.")
