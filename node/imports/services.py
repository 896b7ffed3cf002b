"""Import of a parquet's register: check every line, then write all of it or nothing.

``register_import`` is the one entry point (the ``import`` command calls it).
Phase 1 reads each line with the API's serializers (``planning``); phase 2
writes the lines through the API's services, each in a savepoint, inside ONE
transaction (``writing``). Phase 2 runs even when phase 1 found errors, so that
the report lists everything the greffier must correct in one pass; the
transaction is then rolled back unless ``import_valid_rows`` asks to keep the
valid lines. While it is open the transaction holds the audit log's lock, so
other audited writes of the node wait for the import to finish.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from node.accounts.roles import Capability, has_capability
from node.audit.services import audit_record
from node.imports.planning import Plan, Rejected, RejectedRow, line_plan
from node.imports.reading import Line, UnreadableFile, register_lines
from node.imports.writing import Written, lines_write

__all__ = ["ImportRefused", "ImportReport", "RejectedRow", "register_import"]


class ImportRefused(Exception):
    """The import cannot start: unreadable file, wrong extension or user without the right."""


@dataclass
class ImportReport:
    """What an import did. Counts are of records written (all zero when nothing was kept)."""

    rows: int = 0
    cases: int = 0
    cases_reused: int = 0
    survivors: int = 0
    traffickers: int = 0
    steps: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    imported: bool = False

    @property
    def rejected_lines(self) -> int:
        return len({r.line for r in self.rejected})


def register_import(
    *,
    path: Path,
    actor: Any,
    import_valid_rows: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a register file as ``actor``; see the module docstring for the all-or-nothing rule.

    ``progress(n)`` is called as lines are done (n lines each time), for a progress bar.
    """
    _check_actor(actor)
    try:
        lines, header = register_lines(path)
    except UnreadableFile as exc:
        raise ImportRefused(str(exc)) from exc
    report = ImportReport(rows=len(lines))
    if header:
        # A wrong header misreads every line: never import around it.
        report.rejected = [RejectedRow(1, p.column, p.message) for p in header]
        return report
    with translation.override("fr"):
        plans = _plans(lines, report, progress or (lambda n: None))
        _write(plans, path, actor, report, import_valid_rows, progress or (lambda n: None))
    report.rejected.sort(key=lambda r: r.line)
    return report


def _check_actor(actor: Any) -> None:
    if not getattr(actor, "is_active", False) or not has_capability(
        getattr(actor, "role", ""), Capability.IMPORT_REGISTERS
    ):
        raise ImportRefused("Cet utilisateur n'a pas le droit d'importer un registre.")
    if getattr(actor, "jurisdiction", None) != settings.SYSTRAITE_JURISDICTION:
        raise ImportRefused("Cet utilisateur n'appartient pas à cette juridiction.")


def _plans(
    lines: list[Line],
    report: ImportReport,
    progress: Callable[[int], None],
) -> list[Plan]:
    plans: list[Plan] = []
    first_of_case: dict[str, Plan] = {}
    for line in lines:
        try:
            plan = line_plan(line)
            _check_same_case(plan, first_of_case.setdefault(plan.number, plan))
            plans.append(plan)
        except Rejected as exc:
            report.rejected += exc.rejections
            progress(1)
    return plans


def _check_same_case(plan: Plan, first: Plan) -> None:
    """The case's columns repeat on each of its lines: a difference is a typing error."""
    columns = {
        "reported_on": "date_signalement",
        "identification_source": "source",
        "cross_border": "transfrontalier",
    }
    differing = [
        column
        for name, column in columns.items()
        if plan.case.get(name, False) != first.case.get(name, False)
    ]
    if differing:
        raise Rejected(
            [
                RejectedRow(
                    plan.line,
                    column,
                    (f"Diffère de la ligne {first.line} pour la même affaire « {plan.number} »."),
                )
                for column in differing
            ]
        )


def _write(
    plans: list[Plan],
    path: Path,
    actor: Any,
    report: ImportReport,
    import_valid_rows: bool,
    progress: Callable[[int], None],
) -> None:
    with transaction.atomic():
        written, refused = lines_write(plans, actor=actor, done=lambda: progress(1))
        report.rejected += refused
        if not plans or (report.rejected and not import_valid_rows):
            transaction.set_rollback(True)
            return
        _keep(written, path, actor, report)


def _keep(written: Written, path: Path, actor: Any, report: ImportReport) -> None:
    for name, count in written.counts.items():
        setattr(report, name, count)
    report.imported = True
    audit_record(
        actor=actor,
        action="import",
        target_type="register",
        target_id=hashlib.sha256(path.read_bytes()).hexdigest(),
        detail={"rows": report.rows, "rejected_lines": report.rejected_lines, **written.counts},
    )
