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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils import timezone

from node.cases.models import Case
from node.keys import signing_key
from node.people.models import LinkageToken, Survivor, Trafficker
from node.sync import facts as f
from node.sync import sql, tokens
from node.sync.models import (
    AckedTokenSet,
    CellCount,
    Dirty,
    Fact,
    FactsSentinel,
    OutboxPayload,
    SyncState,
)
from shared import signing
from shared.catalogue import catalogue
from shared.payload import (
    CONTRACT_VERSION,
    Payload,
    TokenEntry,
    encode_table_month,
)

BATCH = 500  # owners per prefetch when facts are derived in Python
SQL_BATCH = 1000  # owners per refresh statement in SQL (sql.facts_refresh)
Part = tuple[str, date]  # (table, month)


@dataclass(frozen=True)
class BuildResult:
    outbox: OutboxPayload | None
    parts: int
    cells: int


def node_id() -> str:
    return settings.SYSTRAITE_NODE_ID


def _batches(ids: list[int], size: int = BATCH) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _owners(dirty: list[Dirty]) -> dict[str, set[int]]:
    owners: dict[str, set[int]] = defaultdict(set)
    for mark in dirty:
        if mark.kind != Dirty.Kind.TOKEN_YEAR:
            owners[mark.kind].add(mark.owner_id)
    cases = owners["case"]
    owners["survivor"] |= set(
        Survivor.objects.filter(case_links__case_id__in=cases).values_list("pk", flat=True)
    )
    owners["trafficker"] |= set(
        Trafficker.objects.filter(case_links__case_id__in=cases).values_list("pk", flat=True)
    )
    return owners


# A kind of owner's model, fields read, prefetches and fact rules (SQLite's Python path).
_Rules = tuple[type[Model], tuple[str, ...], tuple[Any, ...], Callable[[Any], Iterable[f.FactRow]]]


def _derive(owner_kind: str, ids: list[int]) -> list[Fact]:
    rules: dict[str, _Rules] = {
        "case": (Case, f.CASE_FIELDS, f.CASE_PREFETCH, f.case_facts),
        "survivor": (Survivor, f.SURVIVOR_FIELDS, f.SURVIVOR_PREFETCH, f.survivor_facts),
        "trafficker": (Trafficker, f.TRAFFICKER_FIELDS, f.TRAFFICKER_PREFETCH, f.trafficker_facts),
    }
    model, fields, prefetch, derive = rules[owner_kind]
    rows: dict[tuple[object, ...], Fact] = {}
    for batch in _batches(ids):
        records = (
            model._default_manager.filter(pk__in=batch).only(*fields).prefetch_related(*prefetch)
        )
        for record in records:
            for row in derive(record):
                fact = _fact(row)
                # One unit counts once per cell: a count of facts is a distinct count.
                rows[(fact.table, fact.month, fact.d1, fact.d2, fact.d3, fact.unit)] = fact
    return list(rows.values())


def _fact(row: f.FactRow) -> Fact:
    dims = (*row.dims, "", "", "")[:3]
    return Fact(
        owner_kind=row.owner_kind,
        owner_id=row.owner_id,
        table=row.table,
        month=row.month,
        d1=dims[0],
        d2=dims[1],
        d3=dims[2],
        unit=row.unit,
    )


CellKey = tuple[str, date, str, str, str]


def _old_counts(owner_kind: str, ids: set[int]) -> Counter[CellKey]:
    rows = (
        Fact.objects.filter(owner_kind=owner_kind, owner_id__in=ids)
        .values("table", "month", "d1", "d2", "d3")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Counter({(r["table"], r["month"], r["d1"], r["d2"], r["d3"]): r["n"] for r in rows})


def _apply_deltas(delta: Counter[CellKey]) -> None:
    """Add the deltas to the stored cell counts; a count that falls to zero is removed."""
    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return
    stored: dict[CellKey, CellCount] = {}
    by_table: dict[str, set[date]] = defaultdict(set)
    for table, month, *_ in changed:
        by_table[table].add(month)
    for table, months in by_table.items():
        for cell in CellCount.objects.filter(table=table, month__in=months):
            stored[(cell.table, cell.month, cell.d1, cell.d2, cell.d3)] = cell
    create: list[CellCount] = []
    update: list[CellCount] = []
    delete: list[int] = []
    for key, n in changed.items():
        held = stored.get(key)
        total = (held.count if held else 0) + n
        if total < 0:
            raise RuntimeError(f"cell count below zero for {key}: facts and counts disagree")
        if held is None:
            create.append(
                CellCount(table=key[0], month=key[1], d1=key[2], d2=key[3], d3=key[4], count=total)
            )
        elif total == 0:
            delete.append(held.pk)
        else:
            held.count = total
            update.append(held)
    CellCount.objects.filter(pk__in=delete).delete()
    CellCount.objects.bulk_update(update, ["count"], batch_size=2000)
    CellCount.objects.bulk_create(create, batch_size=2000)


def facts_refresh(owners: dict[str, set[int]]) -> set[Part]:
    """Replace the facts of these owners and move the cell counts by the difference.

    Returns the parts (table, month) whose cells changed: a record re-saved
    without a change in what it counts sends nothing. On PostgreSQL one
    statement per kind (``sql.facts_refresh``); elsewhere in Python.
    """
    if connection.vendor == "postgresql":
        return _facts_refresh_sql(owners)
    delta: Counter[CellKey] = Counter()
    for kind, ids in owners.items():
        if not ids:
            continue
        delta.subtract(_old_counts(kind, ids))
        Fact.objects.filter(owner_kind=kind, owner_id__in=ids).delete()
        _facts_store(kind, sorted(ids))
        delta.update(_old_counts(kind, ids))
    touched = {(key[0], key[1]) for key, n in delta.items() if n}
    _apply_deltas(delta)
    return touched


def _facts_refresh_sql(owners: dict[str, set[int]]) -> set[Part]:
    touched: set[Part] = set()
    emptied: list[int] = []
    for kind, ids in owners.items():
        for batch in _batches(sorted(ids), SQL_BATCH):
            for cell_id, table, month, count in sql.facts_refresh(owner_kind=kind, ids=batch):
                touched.add((table, month))
                if count == 0:
                    emptied.append(cell_id)
    sql.cells_remove(emptied)
    return touched


def _facts_store(owner_kind: str, ids: list[int]) -> None:
    """Derive and store the facts of these owners with the Python rules (SQLite)."""
    Fact.objects.bulk_create(_derive(owner_kind, ids), batch_size=2000)


def facts_rebuild() -> set[Part]:
    """Derive every fact and every count from scratch (``push --rederive``, sync-dump).

    On PostgreSQL every fact of a kind is one INSERT ... SELECT over all its
    records and the counts a GROUP BY of what was inserted: no row goes through
    Python. On SQLite (development, demo) the Python rules of ``facts`` run.
    Returns the parts that have cells now or had before: a month that lost its
    last cell is sent, empty, like any other change.
    """
    before = _counted_parts()
    if connection.vendor == "postgresql":
        sql.facts_and_counts_rebuild()
        after = _counted_parts()
    else:
        Fact.objects.all().delete()
        CellCount.objects.all().delete()
        after = facts_refresh(_everyone())
    _facts_derived()
    return before | after


def _counted_parts() -> set[Part]:
    return set(CellCount.objects.values_list("table", "month").distinct())


def _facts_derived() -> None:
    """Record that facts and counts hold the derived state (see ``FactsSentinel``)."""
    if not FactsSentinel.objects.exists():
        FactsSentinel.objects.create(derived_at=timezone.now())
    SyncState.objects.filter(pk=1, facts_derived=False).update(facts_derived=True)


def facts_lost(state: SyncState) -> bool:
    """Facts and counts were derived once but are gone: a crash emptied the unlogged tables."""
    return state.facts_derived and not FactsSentinel.objects.exists()


def _parts_ever_sent() -> set[Part]:
    """Every part any stored payload carried: what the hub may hold cells of."""
    parts: set[Part] = set()
    for carried in OutboxPayload.objects.values_list("parts", flat=True).iterator(100):
        for part in carried:
            table, month = part.split("|")
            parts.add((table, date.fromisoformat(f"{month}-01")))
    return parts


def _everyone() -> dict[str, set[int]]:
    return {
        "case": set(Case.objects.values_list("pk", flat=True)),
        "survivor": set(Survivor.objects.values_list("pk", flat=True)),
        "trafficker": set(Trafficker.objects.values_list("pk", flat=True)),
    }


def cells_of(parts: set[Part]) -> dict[Part, dict[tuple[str, ...], int]]:
    """The stored counts of the given parts (an index lookup per table, no grouping)."""
    result: dict[Part, dict[tuple[str, ...], int]] = {part: {} for part in parts}
    by_table: dict[str, set[date]] = defaultdict(set)
    for table, month in parts:
        by_table[table].add(month)
    for table, months in by_table.items():
        width = len(catalogue()[table].dimensions)
        cells = CellCount.objects.filter(table=table, month__in=months).values_list(
            "month", "d1", "d2", "d3", "count"
        )
        for month, d1, d2, d3, count in cells.iterator(5000):
            result[(table, month)][(d1, d2, d3)[:width]] = count
    return result


def _token_years(dirty: list[Dirty], owners: dict[str, set[int]], held: set[int]) -> set[int]:
    """Years whose token sets may have changed: marked on write, or of changed persons
    (``held``: the years they hold tokens in now or held them in at the last build)."""
    years = {d.owner_id for d in dirty if d.kind == Dirty.Kind.TOKEN_YEAR} | held
    if connection.vendor != "postgresql":  # no copy of the tokens there: their years now
        for kind in tokens.KINDS:
            years |= set(
                LinkageToken.objects.filter(**{f"{kind}_id__in": owners.get(kind, ())}).values_list(
                    "year", flat=True
                )
            )
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
    parts = set(CellCount.objects.values_list("table", "month").distinct())
    years = set(LinkageToken.objects.values_list("year", flat=True).distinct())
    # A year whose every token went since the hub acknowledged it is sent, empty.
    years |= set(AckedTokenSet.objects.values_list("year", flat=True))
    return parts, years | {m.year for _, m in parts}


@transaction.atomic
def payload_build(*, full: bool = False, rederive: bool = False) -> BuildResult:
    """Build, sign and store the next payload; nothing when nothing changed.

    ``full`` sends every month (for a hub that lost data); ``rederive`` also
    derives every fact again instead of trusting the maintained counts.
    Locks the node's SyncState row, so two builds never interleave and sequence
    numbers stay strictly increasing.
    """
    state = SyncState.objects.select_for_update().get_or_create(pk=1)[0]
    dirty = list(Dirty.objects.select_for_update())
    owners = _owners(dirty)
    if facts_lost(state) or not state.facts_derived:
        # Never derived (a node's first build: one statement per kind beats
        # thousands of batches), or lost with the counts, so the parts that
        # changed are not known: every part the hub may hold is sent again.
        parts = facts_rebuild() | _parts_ever_sent()
    elif rederive:
        parts = facts_rebuild()
    else:
        parts = facts_refresh(owners)
        _facts_derived()
    held, moved = tokens.person_tokens_refresh(owners=owners)
    years = _token_years(dirty, owners, held)
    if full:
        every, every_year = _all_parts()
        parts, years = parts | every, years | every_year
    Dirty.objects.filter(pk__in=[d.pk for d in dirty]).delete()
    refused = OutboxPayload.objects.filter(status=OutboxPayload.Status.FAILED).exists()
    if not parts and not years and not full and not refused:
        # Nothing new: a pending payload, if any, is still the newest state to send.
        # A refused one is rebuilt every cycle, so it goes through once the cause is fixed.
        return BuildResult(None, 0, 0)
    pending_parts, pending_years = _pending_parts()
    parts = parts | pending_parts
    # A newer payload supersedes the unsent ones, so it carries their sets too.
    sets = tokens.token_sets(years | pending_years, full=full, resend=pending_years, moved=moved)
    if not parts and not sets:
        return BuildResult(None, 0, 0)
    return _store(state, parts, sets, full=full)


def _store(
    state: SyncState,
    parts: set[Part],
    sets: list[TokenEntry],
    *,
    full: bool,
) -> BuildResult:
    cells = cells_of(parts)
    now = timezone.now()
    key = signing_key()
    payload = Payload(
        contract=CONTRACT_VERSION,
        node_id=node_id(),
        jurisdiction=settings.SYSTRAITE_JURISDICTION,
        sequence=state.next_sequence,
        built_at=now,
        key_id=signing.key_id(key.public_key()),
        full=full,
        tables=[
            encode_table_month(t, m.strftime("%Y-%m"), cells[(t, m)]) for t, m in sorted(parts)
        ],
        tokens=sets,
    )
    envelope = signing.sign_document(payload.document(), key)
    # Level 6 (zlib's default): half the time of 9 for 0.4% more bytes (mostly tokens).
    body = gzip.compress(
        json.dumps(envelope, separators=(",", ":")).encode(), compresslevel=6, mtime=0
    )
    OutboxPayload.objects.filter(
        status__in=[OutboxPayload.Status.PENDING, OutboxPayload.Status.FAILED]
    ).update(status=OutboxPayload.Status.SUPERSEDED)
    outbox = OutboxPayload.objects.create(
        sequence=state.next_sequence,
        built_at=now,
        body=body,
        size=len(body),
        full=full,
        parts=sorted(f"{t}|{m.strftime('%Y-%m')}" for t, m in parts),
        token_years=sorted({t.year for t in sets}),
    )
    state.next_sequence += 1
    state.save(update_fields=["next_sequence"])
    return BuildResult(outbox, len(parts), sum(len(c) for c in cells.values()))
