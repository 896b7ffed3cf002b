"""``systraite-hub unlock USERNAME``: lift a log-in lock-out at once."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from hub.accounts.services import user_unlock


class Command(BaseCommand):
    help = "Lève le verrouillage temporaire des connexions d'un identifiant."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        cleared = user_unlock(username=options["username"])
        # Same answer whether or not the username exists or was locked.
        self.stdout.write(f"{options['username']} : déverrouillé ({cleared} compteur).")
