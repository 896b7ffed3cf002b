"""``systraite-node import FILE --user USERNAME [--import-valid-rows]``: load a parquet's register.

Exit codes, for scripts: 0 everything imported; 1 lines rejected (whether or
not the valid ones were imported); 2 the import could not start (unreadable
file, wrong extension, unknown user or user without the right to import).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from node.accounts.models import User
from node.imports.reading import UnreadableFile, register_lines
from node.imports.services import ImportRefused, ImportReport, register_import

EXIT_OK, EXIT_REJECTED, EXIT_REFUSED = 0, 1, 2


class Command(BaseCommand):
    help = "Importe un registre du parquet (CSV ou XLSX, voir docs/import-template.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="Fichier .csv ou .xlsx au format du modèle.")
        parser.add_argument("--user", required=True,
                            help="Identifiant de l'utilisateur au nom duquel tout est enregistré.")
        parser.add_argument("--import-valid-rows", action="store_true",
                            help="Importer les lignes valides même si d'autres sont rejetées.")

    def handle(self, *args: Any, **options: Any) -> None:
        sys.exit(self.run(options["file"], options["user"], options["import_valid_rows"]))

    def run(self, path: Path, username: str, import_valid_rows: bool) -> int:
        user = User.objects.filter(username=username).first()
        if user is None:
            return self.refuse(f"Utilisateur inconnu : « {username} ».")
        try:
            total = len(register_lines(path)[0])
            with tqdm(total=total, unit="ligne", file=sys.stderr, disable=None) as bar:
                report = register_import(path=path, actor=user, progress=bar.update,
                                         import_valid_rows=import_valid_rows)
        except (ImportRefused, UnreadableFile) as exc:
            return self.refuse(str(exc))
        self.print_report(report, import_valid_rows)
        return EXIT_REJECTED if report.rejected else EXIT_OK

    def refuse(self, message: str) -> int:
        self.stderr.write(f"Import impossible : {message}")
        return EXIT_REFUSED

    def print_report(self, report: ImportReport, import_valid_rows: bool) -> None:
        for rejected in report.rejected:
            self.stdout.write(f"ligne {rejected.line}, {rejected.field} : {rejected.message}")
        self.stdout.write(_summary(report, import_valid_rows))


def _summary(report: ImportReport, import_valid_rows: bool) -> str:
    counts = (f"{report.cases} affaire(s) créée(s), {report.cases_reused} complétée(s), "
              f"{report.survivors} victime(s), {report.traffickers} auteur(s), "
              f"{report.steps} étape(s)")
    if not report.rejected:
        return f"Import terminé : {report.rows} ligne(s) ; {counts}."
    rejected = f"{report.rejected_lines} ligne(s) rejetée(s) sur {report.rows}"
    if report.imported:
        return f"Import partiel : {rejected} ; lignes valides importées : {counts}."
    advice = "" if import_valid_rows else (
        " Corrigez le fichier, ou relancez avec --import-valid-rows.")
    return f"Rien n'a été importé : {rejected}.{advice}"
