"""`systraite-node signing-key`: print the public half of the node's signing key (PEM).

This is what the hub registers (`systraite-hub register-node --public-key FILE`);
the private half never leaves the node.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from node.keys import signing_key
from shared import signing


class Command(BaseCommand):
    help = "Affiche la clé publique de signature du nœud (PEM), à enregistrer auprès du hub."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(signing.public_key_to_pem(signing_key().public_key()).decode(), ending="")
