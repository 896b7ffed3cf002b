"""Sync services: marking changes for the next payload build."""

from __future__ import annotations

from collections.abc import Iterable

from node.sync.models import DirtyCase


def cases_mark_dirty(*, case_ids: Iterable[int]) -> None:
    """Record that these cases changed; joins the caller's transaction.

    Idempotent: marking a case twice is one row (``ignore_conflicts``).
    """
    rows = [DirtyCase(case_id=case_id) for case_id in set(case_ids)]
    if rows:
        DirtyCase.objects.bulk_create(rows, ignore_conflicts=True)
