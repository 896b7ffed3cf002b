"""Disclosure control of partner figures, consistent across queries, tables and releases.

Three layers on top of ``shared.disclosure.protect_table``:

1. **One protected table per (table, map level, filters, period).** Whatever
   dimensions a partner keeps (``by``), the figures are cut from the table
   protected with *all* its dimensions and margins. Two queries of the same
   table can therefore never show a cell once published and once withheld.
2. **Shared margins** (families below). Tables that count the same
   population share margins: survivors by sex appear in
   survivors_sex_age_form and in survivors_sex_agegroup_citizenship, and
   national figures are the margins of every regional or judicial cut. Every
   member of the family is protected (each map level too) and any cell
   withheld in one member is *forced* into every member that shows the same
   cell, until nothing changes (suppression only grows, so this stops). A
   partner therefore sees the same protected margin wherever it appears.
   A table restricted to a sub-population names it (forced begging is the
   ``form=begging`` slice of the survivors).
3. **Release registry** (``PublishedCell``). Every partner run records the
   cells it withheld, by meaning, for its period and filters; later runs of
   the same period force them again, so a correction published later cannot
   reveal a cell an earlier release withheld.

Known limits (docs/statistics.md): hierarchies are not linked (age_band
nests in age_group, jurisdictions in regions), so a sum of published
fine cells can narrow a withheld coarse cell of another table; filtered
queries (a region, a court of appeal) form their own releases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from hub.stats.models import PublishedCell
from hub.stats.query import (
    GEO,
    Geography,
    Key,
    StatsQuery,
    full_counts,
    full_dimensions,
    is_additive,
    raw_counts,
)
from shared.catalogue import Table
from shared.catalogue import table as catalogue_table
from shared.disclosure import TOTAL, DisclosureRules, ProtectedCell, protect_table

Meaning = tuple[tuple[str, str], ...]

# Tables counting the same population, with the slice each one covers.
FAMILIES: tuple[Mapping[str, Mapping[str, str]], ...] = (
    {
        "survivors_sex_age_form": {},
        "survivors_sex_agegroup_citizenship": {},
        "survivors_flow_form_agegroup": {},
        "survivors_begging_origin_age": {"form": "begging"},
    },
    {
        "traffickers_status_sex_citizenship": {},
        "traffickers_sex_agegroup_occupation": {"status": "suspected"},
    },
    {
        "cases_source_form_crossborder": {},
        "cases_victims_form": {},
        "case_closure_lag": {},
    },
)


@dataclass(frozen=True)
class Member:
    """One protected table of a family: a catalogue table at one level of the map."""

    table: Table
    geography: Geography
    implicit: tuple[tuple[str, str], ...]

    @property
    def dims(self) -> tuple[str, ...]:
        return full_dimensions(self.table, self.geography)

    def name_of(self, dim: str) -> str:
        return f"geo@{self.geography}" if dim == GEO else dim


def family_of(table_name: str) -> dict[str, Mapping[str, str]]:
    for family in FAMILIES:
        if table_name in family:
            return dict(family)
    return {table_name: {}}


def query_signature(query: StatsQuery) -> str:
    """The filters of a query: releases of different filters are different releases."""
    parts = (("region", query.region), ("court_of_appeal", query.court_of_appeal),
             ("jurisdiction", query.jurisdiction))
    return ";".join(f"{name}={value}" for name, value in parts if value)


def protected_full_table(*, query: StatsQuery, period: tuple[date, date] | None,
                         scope: tuple[str, ...], rules: DisclosureRules,
                         ) -> dict[Key, tuple[int | None, bool]]:
    """The partner figures of the query's full table, keyed by ``full_dimensions``.

    Records the withheld cells in the release registry (idempotent). Keys
    absent from the answer are exact zeros.
    """
    family = family_of(query.table)
    members = [Member(catalogue_table(name), level, tuple(sorted(implicit.items())))
               for name, implicit in family.items() for level in Geography]
    raws = {name: raw_counts(table=catalogue_table(name), period=period, scope=scope)
            for name in family}
    counts = {m: full_counts(geography=m.geography, raw=raws[m.table.name]) for m in members}
    signature = query_signature(query)
    forced = released_meanings(tables=family, signature=signature, period=period)
    out = _fixpoint(members, counts, forced, rules)
    mine = next(m for m in members if m.table.name == query.table
                and m.geography == query.geography)
    release_record(member=mine, protected=out[mine], signature=signature, period=period)
    return {key: (cell.value, cell.suppressed) for key, cell in out[mine].items()}


def _fixpoint(members: list[Member], counts: Mapping[Member, Mapping[Key, int]],
              forced: set[Meaning], rules: DisclosureRules,
              ) -> dict[Member, dict[Key, ProtectedCell]]:
    """Protect every member, forcing each one's withheld cells into the others, until stable."""
    while True:
        out = {}
        for member in members:
            categories = _seen(counts[member], len(member.dims))
            keys = _forced_keys(member, forced, categories)
            out[member] = protect_table(counts[member], dims=len(member.dims), rules=rules,
                                        categories=categories, forced=keys)
        found = {meaning for m in members for meaning in _withheld(m, out[m])}
        if found <= forced:
            return out
        forced |= found


def _seen(counts: Mapping[Key, int], dims: int) -> list[list[str]]:
    """Codes with a non-zero count: any cell with another code is an exact, published 0."""
    return [sorted({key[d] for key, n in counts.items() if n}) for d in range(dims)]


def meaning_of(member: Member, key: Key) -> Meaning | None:
    """What a cell counts, whatever table shows it; None for a sum over a multi-valued
    dimension (never published, so never shared)."""
    pairs = list(member.implicit)
    for dim, code in zip(member.dims, key, strict=True):
        if code == TOTAL:
            if not is_additive(member.table, dim):
                return None
            continue
        pairs.append((member.name_of(dim), code))
    return tuple(sorted(pairs))


def _withheld(member: Member, protected: Mapping[Key, ProtectedCell]) -> Iterable[Meaning]:
    for key, cell in protected.items():
        if cell.suppressed:
            meaning = meaning_of(member, key)
            if meaning is not None:
                yield meaning


def _forced_keys(member: Member, forced: Iterable[Meaning],
                 categories: list[list[str]]) -> list[Key]:
    """The keys of ``member`` showing a forced meaning (cells of other codes are zeros)."""
    names = [member.name_of(dim) for dim in member.dims]
    keys = []
    for meaning in forced:
        pairs = dict(meaning)
        if any(pairs.pop(dim, None) != code for dim, code in member.implicit):
            continue
        if not set(pairs) <= set(names):
            continue
        key = tuple(pairs.get(name, TOTAL) for name in names)
        if all(code == TOTAL or code in categories[d] for d, code in enumerate(key)) and \
                meaning_of(member, key) == meaning:
            keys.append(key)
    return keys


# --- the release registry ----------------------------------------------------------


def meaning_text(meaning: Meaning) -> str:
    return ";".join(f"{dim}={code}" for dim, code in meaning)


def _meaning_parse(text: str) -> Meaning:
    if not text:
        return ()
    return tuple(tuple(part.split("=", 1)) for part in text.split(";"))  # type: ignore[misc]


def released_meanings(*, tables: Iterable[str], signature: str,
                      period: tuple[date, date] | None) -> set[Meaning]:
    """Every cell withheld by an earlier partner release of these tables and period."""
    if period is None:
        return set()
    keys = PublishedCell.objects.filter(
        table__in=list(tables), signature=signature, period_start=period[0],
        period_end=period[1],
    ).values_list("key", flat=True)
    return {_meaning_parse(key) for key in keys}


def release_record(*, member: Member, protected: Mapping[Key, ProtectedCell], signature: str,
                   period: tuple[date, date] | None) -> None:
    """Remember what this release withheld (first status kept; concurrent runs are safe)."""
    if period is None:
        return
    rows = []
    for key, cell in protected.items():
        meaning = meaning_of(member, key) if cell.suppressed else None
        if meaning is not None:
            rows.append(PublishedCell(
                table=member.table.name, signature=signature, period_start=period[0],
                period_end=period[1], key=meaning_text(meaning), status=cell.status.value))
    PublishedCell.objects.bulk_create(rows, ignore_conflicts=True)
