"""``systraite-hub publish [--year YYYY]``: compute and store the partner releases.

Every population of the catalogue, for every calendar year with data, every
year already published and the current year (or only ``--year``). A release
already computed from the current data is skipped, so a second run changes
nothing; concurrent runs wait for each other (hub/stats/publication.py).
Scheduled by the Ansible hub role (hourly by default).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hub.stats.publication import releases_publish
from hub.stats.query import disclosure_rules


def _year(raw: str) -> int:
    if not (raw.isdigit() and 1990 <= int(raw) <= 2100):
        raise CommandError(f"--year : année attendue AAAA, reçu {raw!r}")
    return int(raw)


class Command(BaseCommand):
    help = ("Calcule et enregistre les chiffres protégés servis aux partenaires "
            "(idempotent ; une publication déjà à jour est laissée telle quelle).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=_year, help="Seulement cette année (AAAA).")

    def handle(self, *args: Any, **options: Any) -> None:
        done = releases_publish(rules=disclosure_rules(), year=options["year"])
        for one in done:
            if one.computed:
                self.stdout.write(f"publiée : {one.population} {one.year} "
                                  f"({one.figures} chiffres, {one.seconds:.1f} s)")
            elif options["verbosity"] > 1:
                self.stdout.write(f"à jour : {one.population} {one.year}")
        computed = sum(one.computed for one in done)
        self.stdout.write(self.style.SUCCESS(
            f"{computed} publication(s) calculée(s), {len(done) - computed} déjà à jour."))
