"""``systraite-hub load-population FILE``: load population denominators (CSV
region,sex,year,population); the years listed replace the stored ones."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hub.stats.population import PopulationFileError, population_load, population_parse


class Command(BaseCommand):
    help = "Charge les populations par région, sexe et année (CSV region,sex,year,population)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Source des chiffres (ex. ANSD 2024).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rows = population_parse(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        except PopulationFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        count = population_load(rows=rows, source=options["source"] or path.name)
        self.stdout.write(self.style.SUCCESS(f"{count} lignes de population chargées."))
