"""``systraite-hub suspend-node NODE_ID``: suspend a node's submissions (idempotent)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hub.registry.services import RegistryError, node_suspend


class Command(BaseCommand):
    help = "Suspend a registered node."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("node_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            node = node_suspend(node_id=options["node_id"])
        except RegistryError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(node))
