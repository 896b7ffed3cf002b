"""Building a payload: refresh facts of what changed, aggregate, sign, store in the outbox.

``payload_build`` is the one transaction of the outbox pattern: it claims the
dirty marks, recomputes facts, groups the touched (table, month) cells in SQL,
signs the payload and stores it, so either all of it happens or none. A newer
payload carries the current state of every part of the unsent older ones, which
it supersedes: the hub only ever needs the newest.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from node.cases.models import Case
from node.keys import linkage_secret, signing_key
from node.people.models import LinkageToken, Survivor, Trafficker
from node.sync import facts as f
from node.sync.models import Dirty, Fact, OutboxPayload, SyncState
from shared import signing
from shared.catalogue import catalogue
from shared.payload import CONTRACT_VERSION, Payload, TokenSet, encode_table_month
from shared.pseudonym import year_key_id

BATCH = 500
Part = tuple[str, date]  # (table, month)


@dataclass(frozen=True)
class BuildResult:
    outbox: OutboxPayload | None
    parts: int
    cells: int


def node_id() -> str:
    return settings.SYSTRAITE_NODE_ID


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _owners(dirty: list[Dirty]) -> dict[str, set[int]]:
    owners: dict[str, set[int]] = defaultdict(set)
    for mark in dirty:
        owners[mark.kind].add(mark.owner_id)
    cases = owners["case"]
    owners["survivor"] |= set(Survivor.objects.filter(case_links__case_id__in=cases)
                              .values_list("pk", flat=True))
    owners["trafficker"] |= set(Trafficker.objects.filter(case_links__case_id__in=cases)
                                .values_list("pk", flat=True))
    return owners


def _parts_of(owner_kind: str, ids: set[int]) -> set[Part]:
    rows = Fact.objects.filter(owner_kind=owner_kind, owner_id__in=ids).values_list(
        "table", "month").distinct()
    return set(rows)


def _derive(owner_kind: str, ids: list[int]) -> list[Fact]:
    model, prefetch, derive = {
        "case": (Case, f.CASE_PREFETCH, f.case_facts),
        "survivor": (Survivor, f.SURVIVOR_PREFETCH, f.survivor_facts),
        "trafficker": (Trafficker, f.TRAFFICKER_PREFETCH, f.trafficker_facts),
    }[owner_kind]
    rows: list[Fact] = []
    for batch in _batches(ids):
        for record in model.objects.filter(pk__in=batch).prefetch_related(*prefetch):
            rows.extend(_fact(row) for row in derive(record))
    return rows


def _fact(row: f.FactRow) -> Fact:
    dims = (*row.dims, "", "", "")[:3]
    return Fact(owner_kind=row.owner_kind, owner_id=row.owner_id, table=row.table,
                month=row.month, d1=dims[0], d2=dims[1], d3=dims[2], unit=row.unit)


def facts_refresh(owners: dict[str, set[int]]) -> set[Part]:
    """Replace the facts of these owners; return every part they touched, old or new."""
    touched: set[Part] = set()
    for kind, ids in owners.items():
        if not ids:
            continue
        touched |= _parts_of(kind, ids)
        Fact.objects.filter(owner_kind=kind, owner_id__in=ids).delete()
        new = _derive(kind, sorted(ids))
        Fact.objects.bulk_create(new, batch_size=2000)
        touched |= {(row.table, row.month) for row in new}
    return touched


def cells_of(parts: set[Part]) -> dict[Part, dict[tuple[str, ...], int]]:
    """GROUP BY in the database: distinct units per cell, for the given parts only."""
    result: dict[Part, dict[tuple[str, ...], int]] = {part: {} for part in parts}
    by_table: dict[str, set[date]] = defaultdict(set)
    for table, month in parts:
        by_table[table].add(month)
    for table, months in by_table.items():
        width = len(catalogue()[table].dimensions)
        rows = (Fact.objects.filter(table=table, month__in=months)
                .values("month", "d1", "d2", "d3").annotate(n=Count("unit", distinct=True))
                .order_by())
        for row in rows:
            key = (row["d1"], row["d2"], row["d3"])[:width]
            result[(table, row["month"])][key] = row["n"]
    return result


def token_sets(years: Iterable[int]) -> list[TokenSet]:
    secret = linkage_secret()
    sets = []
    for year in sorted(set(years)):
        for kind, column in (("survivor", "survivor__isnull"), ("trafficker", "trafficker__isnull")):
            tokens = sorted(set(LinkageToken.objects.filter(year=year, **{column: False})
                                .values_list("token", flat=True)))
            sets.append(TokenSet(year=year, kind=kind, key_id=year_key_id(secret, year),
                                 tokens=tokens))
    return sets


def _token_years(parts: set[Part], owners: dict[str, set[int]]) -> set[int]:
    years = {month.year for _, month in parts}
    years |= set(LinkageToken.objects.filter(survivor_id__in=owners.get("survivor", set()))
                 .values_list("year", flat=True))
    years |= set(LinkageToken.objects.filter(trafficker_id__in=owners.get("trafficker", set()))
                 .values_list("year", flat=True))
    return years


def _pending_parts() -> tuple[set[Part], set[int]]:
    parts: set[Part] = set()
    years: set[int] = set()
    # Failed payloads too: their parts must still reach the hub once the cause is fixed.
    unsent = [OutboxPayload.Status.PENDING, OutboxPayload.Status.FAILED]
    for outbox in OutboxPayload.objects.filter(status__in=unsent):
        for part in outbox.parts:
            table, month = part.split("|")
            parts.add((table, date.fromisoformat(f"{month}-01")))
        years |= set(outbox.token_years)
    return parts, years


def _all_parts() -> tuple[set[Part], set[int]]:
    parts = set(Fact.objects.values_list("table", "month").distinct())
    years = set(LinkageToken.objects.values_list("year", flat=True).distinct())
    return parts, years | {m.year for _, m in parts}


@transaction.atomic
def payload_build(*, full: bool = False) -> BuildResult:
    """Build, sign and store the next payload; nothing when nothing changed.

    Locks the node's SyncState row, so two builds never interleave and sequence
    numbers stay strictly increasing.
    """
    state = SyncState.objects.select_for_update().get_or_create(pk=1)[0]
    dirty = list(Dirty.objects.select_for_update())
    owners = _owners(dirty) if not full else {
        "case": set(Case.objects.values_list("pk", flat=True)),
        "survivor": set(Survivor.objects.values_list("pk", flat=True)),
        "trafficker": set(Trafficker.objects.values_list("pk", flat=True)),
    }
    parts = facts_refresh(owners)
    years = _token_years(parts, owners)
    if full:
        every, every_year = _all_parts()
        parts, years = parts | every, years | every_year
    pending_parts, pending_years = _pending_parts()
    parts, years = parts | pending_parts, years | pending_years
    Dirty.objects.filter(pk__in=[d.pk for d in dirty]).delete()
    if not parts and not years:
        return BuildResult(None, 0, 0)
    return _store(state, parts, years, full=full)


def _store(state: SyncState, parts: set[Part], years: set[int], *, full: bool) -> BuildResult:
    cells = cells_of(parts)
    now = timezone.now()
    key = signing_key()
    payload = Payload(
        contract=CONTRACT_VERSION, node_id=node_id(),
        jurisdiction=settings.SYSTRAITE_JURISDICTION, sequence=state.next_sequence,
        built_at=now, key_id=signing.key_id(key.public_key()), full=full,
        tables=[encode_table_month(t, m.strftime("%Y-%m"), cells[(t, m)])
                for t, m in sorted(parts)],
        tokens=token_sets(years),
    )
    envelope = signing.sign_document(payload.document(), key)
    body = gzip.compress(json.dumps(envelope, separators=(",", ":")).encode(), mtime=0)
    OutboxPayload.objects.filter(
        status__in=[OutboxPayload.Status.PENDING, OutboxPayload.Status.FAILED]
    ).update(status=OutboxPayload.Status.SUPERSEDED)
    outbox = OutboxPayload.objects.create(
        sequence=state.next_sequence, built_at=now, body=body, size=len(body), full=full,
        parts=sorted(f"{t}|{m.strftime('%Y-%m')}" for t, m in parts),
        token_years=sorted(years))
    state.next_sequence += 1
    state.save(update_fields=["next_sequence"])
    return BuildResult(outbox, len(parts), sum(len(c) for c in cells.values()))
