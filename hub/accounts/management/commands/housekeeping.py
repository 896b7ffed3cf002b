"""``systraite-hub housekeeping``: delete expired sessions and forgotten log-in counters.

Run daily by the hub role's cron job (``hub_housekeeping_command``); safe to run
at any time and as often as wanted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from hub.accounts.services import accounts_housekeeping


class Command(BaseCommand):
    help = "Supprime les sessions expirées et les compteurs de connexion qui ne comptent plus rien."

    def handle(self, *args: Any, **options: Any) -> None:
        done = accounts_housekeeping(now=timezone.now())
        self.stdout.write(
            f"{done.sessions} session(s) expirée(s) et {done.counters} compteur(s) supprimé(s)."
        )
