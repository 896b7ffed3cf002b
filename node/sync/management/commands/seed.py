"""``systraite-node seed --cases N --seed S [--canary-file F]``: fill the node with synthetic cases.

For development, demonstrations, the privacy test and the benchmark; never on a
production node (it refuses). The same seed gives the same cases on any
machine; nodes seeded with the same seed share a few travelling survivors the
hub links. ``--canary-file`` writes every generated identifying value, so a
test can look for them in what the node sends out.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from node.seed.generator import CaseSeed, generate
from node.seed.loader import CHUNK, seed_load

_IDENTIFYING = (
    "family_name",
    "given_names",
    "aliases",
    "birth_date",
    "phone",
    "address",
    "document_number",
    "father_given_name",
    "mother_name",
    "legal_name",
)


class Command(BaseCommand):
    help = "Génère des affaires synthétiques (déterministes pour une graine donnée)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="nombre d'affaires")
        parser.add_argument("--seed", type=int, required=True, help="graine du générateur")
        parser.add_argument(
            "--canary-file",
            type=Path,
            help="fichier JSON où écrire toutes les valeurs identifiantes générées",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK, help="affaires par transaction"
        )
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="date du jour des données (AAAA-MM-JJ), par défaut aujourd'hui",
        )

    def handle(
        self,
        *args: Any,
        cases: int,
        seed: int,
        canary_file: Path | None,
        chunk_size: int,
        as_of: date | None,
        **options: Any,
    ) -> None:
        if getattr(settings, "SYSTRAITE_ENV", "") == "production":
            raise CommandError("Refusé : pas de données synthétiques sur un nœud de production.")
        if cases < 0 or chunk_size < 1:
            raise CommandError("--cases doit être positif et --chunk-size au moins 1.")
        started = time.monotonic()
        generated = generate(
            cases=cases,
            seed=seed,
            jurisdiction=settings.SYSTRAITE_JURISDICTION,
            today=as_of or timezone.localdate(),
        )
        if canary_file is not None:
            canary_file.write_text(
                json.dumps(canaries(generated), ensure_ascii=False, indent=0), encoding="utf-8"
            )
        with tqdm(total=len(generated), unit="affaire", file=sys.stderr, desc="Chargement") as bar:
            result = seed_load(
                cases=generated, seed=seed, chunk_size=chunk_size, progress=bar.update
            )
        self.stdout.write(
            f"{result.cases} affaires, {result.survivors} survivants, {result.traffickers} "
            f"auteurs présumés, {result.steps} actes de procédure chargés pour "
            f"{settings.SYSTRAITE_JURISDICTION} en {time.monotonic() - started:.1f} s."
        )


def canaries(cases: list[CaseSeed]) -> list[str]:
    """Every identifying value generated (names, filiation, dates, phones, documents,
    addresses) and each person's full name, sorted and without repeats."""
    values: set[str] = set()
    people = [
        p
        for c in cases
        for p in (*(v.survivor for v in c.victims), *(d.trafficker for d in c.defendants))
    ]
    for person in people:
        values.update(str(getattr(person, name, "") or "") for name in _IDENTIFYING)
        values.add(f"{person.given_names} {person.family_name}".strip())
    values.discard("")
    return sorted(values)
