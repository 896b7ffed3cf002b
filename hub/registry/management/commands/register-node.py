"""``systraite-hub register-node --jurisdiction CODE --public-key FILE``: register a node.

Idempotent: run again with the same key, it succeeds and changes nothing. A
new key for a registered node needs ``--rotate``. Prints the node id.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hub.registry.services import RegistryError, node_register


class Command(BaseCommand):
    help = "Register a jurisdiction node and its public signing key (idempotent)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--jurisdiction", required=True, help="TGI code, e.g. SN-TGI-KED")
        parser.add_argument(
            "--public-key",
            required=True,
            type=Path,
            help="the node's Ed25519 public key (SubjectPublicKeyInfo PEM)",
        )
        parser.add_argument("--node-id", help="default: the jurisdiction code in lower case")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the registered key of an existing node"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pem = options["public_key"].read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['public_key']}: {exc.strerror}") from None
        try:
            result = node_register(
                jurisdiction=options["jurisdiction"],
                public_key_pem=pem,
                node_id=options["node_id"],
                rotate=options["rotate"],
            )
        except RegistryError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(f"{result.change}: {result.node}")
        self.stdout.write(result.node.node_id)
