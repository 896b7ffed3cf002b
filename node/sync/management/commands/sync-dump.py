"""`systraite-node sync-dump`: every cell recomputed from scratch, as JSON, changing nothing.

For operators checking the hub against the node, and for the end-to-end tests:
facts of every record are derived again inside a transaction that is rolled
back, so the output does not depend on the incremental bookkeeping it checks.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from node.sync.build import cells_of, facts_rebuild


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Recalcule toutes les cellules depuis zéro et les affiche en JSON (sans rien modifier)."

    def handle(self, *args: Any, **options: Any) -> None:
        out: dict[str, dict[str, int]] = {}
        try:
            with transaction.atomic():
                parts = facts_rebuild()
                for (table, month), cells in sorted(cells_of(parts).items()):
                    for key, count in cells.items():
                        out.setdefault(table, {})["|".join((month.strftime("%Y-%m"), *key))] = count
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(json.dumps(out, sort_keys=True))
