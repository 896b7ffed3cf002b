"""Sync services: marking changes for the next payload build."""

from __future__ import annotations

from collections.abc import Iterable

from node.sync.models import Dirty


def mark_dirty(
    *,
    cases: Iterable[int] = (),
    survivors: Iterable[int] = (),
    traffickers: Iterable[int] = (),
    token_years: Iterable[int] = (),
) -> None:
    """Record that these records changed; joins the caller's transaction.

    Idempotent: marking a record twice is one row (``ignore_conflicts``).
    """
    rows = [
        Dirty(kind=kind, owner_id=owner_id)
        for kind, ids in (
            (Dirty.Kind.CASE, cases),
            (Dirty.Kind.SURVIVOR, survivors),
            (Dirty.Kind.TRAFFICKER, traffickers),
            (Dirty.Kind.TOKEN_YEAR, token_years),
        )
        for owner_id in set(ids)
    ]
    if rows:
        Dirty.objects.bulk_create(rows, ignore_conflicts=True)


def cases_mark_dirty(*, case_ids: Iterable[int]) -> None:
    mark_dirty(cases=case_ids)
