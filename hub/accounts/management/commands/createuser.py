"""``systraite-hub createuser USERNAME --role ROLE``: create a hub account from the shell.

The one way to create the first administrator of the hub. Prints the TOTP
provisioning URI and a QR code to scan once; neither is shown again.
"""

from __future__ import annotations

import getpass
import io
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hub.accounts.roles import Role
from hub.accounts.services import user_create


class Command(BaseCommand):
    help = "Crée un utilisateur du hub et affiche son code TOTP à scanner."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-file", type=Path,
                            help="Fichier contenant le mot de passe (sinon il est demandé).")
        parser.add_argument("--no-otp", action="store_true",
                            help="Sans second facteur (démonstration seulement).")

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._password(options["password_file"])
        try:
            user, device = user_create(
                actor=None, username=options["username"], role=options["role"],
                password=password, with_otp=not options["no_otp"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Utilisateur {user.username} ({user.role}) créé."))
        if device is not None:
            self._print_provisioning(device.config_url)

    def _password(self, path: Path | None) -> str:
        if path is not None:
            try:
                # Only the final newline is dropped: spaces may be part of a passphrase.
                return path.read_text(encoding="utf-8").removesuffix("\n")
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from exc
        first = getpass.getpass("Mot de passe : ")
        if first != getpass.getpass("Mot de passe (encore) : "):
            raise CommandError("Les deux saisies diffèrent.")
        return first

    def _print_provisioning(self, uri: str) -> None:
        qr = io.StringIO()
        segno.make(uri, error="m").terminal(out=qr, compact=True)
        self.stdout.write("Scannez ce code avec l'application d'authentification "
                          "(il ne sera plus affiché) :")
        self.stdout.write(qr.getvalue(), ending="")
        self.stdout.write(uri)
