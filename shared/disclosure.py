"""Statistical disclosure control for counts that leave the hub for people.

The hub keeps exact counts. Every figure shown to an audience other than the
national analysts (dashboards, exports, the API) goes through this module:

* **Primary suppression.** A count from 1 to ``threshold - 1`` is withheld
  (default threshold 10). Comparable bodies: CTDC released its global data
  k-anonymised with k = 11 and reports groups of at least 10; US CMS suppresses
  1-10, including any value derivable from other cells; the UK ONS uses 10.
  Margins (row, column, ... and grand totals) are tested like any cell.
* **Zeros are published as 0, exactly, and are never suppressed** (CMS and ONS
  practice). A suppressed cell is therefore known to be at least 1, and the
  guarantee below is computed with that knowledge. What a published 0 still
  reveals is absence ("no case of kind X in region Y"), and a row of zeros next
  to a suppressed cell says where that row's persons are, though not how many.
* **Rounding.** Every other published count is rounded to the nearest multiple
  of ``rounding_base`` (default 5), halves up: with base 5, 12 -> 10, 13 -> 15;
  with base 10, 15 -> 20. A published v therefore stands for any count in
  ``rounding_preimage(v, base)``. Rounded cells do not add up to rounded
  totals; that is expected and must not be "fixed" downstream.
* **Complementary suppression** (hypercube method, as in tau-argus GHMITER):
  for each primary cell p, a hypercube of the table-with-margins is suppressed
  with p as one corner. Its corners alternate signs so that adding t to the
  "+" corners and taking t from the "-" ones keeps every line sum; a pair of
  coordinates involving a total keeps the sign (the total moves with the
  cell). So every t with all corners >= 1 yields a table that agrees with
  everything published, and p's feasible interval contains
  ``[p - (min+ - 1), p + (min- - 1)]``. A cube is acceptable only if that
  width is at least ``threshold``, which is the protection guarantee: **a
  partner who knows the published values, the suppression pattern, the
  rounding rule and that counts are non-negative cannot narrow any primary
  cell to fewer than ``threshold`` + 1 possible values** (integers or reals).
  Among acceptable cubes we take the one that withholds the fewest persons not
  already withheld (sum of newly suppressed values), then the fewest new cells,
  then the first in category order; primaries are handled margins first, then
  smallest first. Suppressing more cells only widens intervals, so one pass is
  stable. tests/shared/lp_audit.py checks the guarantee with linear programming.

Renderers must show primary and secondary suppression with **one** symbol:
``Status`` distinguishes them for the hub's own audit log only; a partner who
could tell them apart would know a primary cell lies in 1..threshold-1.

Out of scope here: protection across tables of the catalogue and across
releases (the 2010 US Census was rebuilt from overlapping tables); that is the
hub's job, which must feed a cell's suppression into every table sharing it.
It does so through ``forced``: keys that must be suppressed whatever their
count (withheld in an earlier release, or in another table sharing the cell).
A forced cell is protected exactly like a primary one (its own hypercube of
width >= threshold), so it cannot be recovered from this table either, and it
is reported as SECONDARY. A forced cell whose count is now 0 is published as
0: zeros are never suppressed, and a zero says nothing of the earlier count.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

TOTAL = "_total"
MAX_DIMS = 4

Key = tuple[str, ...]


@dataclass(frozen=True)
class DisclosureRules:
    """Threshold below which a non-zero count is withheld, and rounding base."""

    threshold: int = 10
    rounding_base: int = 5

    def __post_init__(self) -> None:
        for name in ("threshold", "rounding_base"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")

    def is_sensitive(self, n: int) -> bool:
        """True for a count that must be primary-suppressed (0 is not)."""
        return 0 < n < self.threshold


DEFAULT_RULES = DisclosureRules()


class Status(StrEnum):
    PUBLISHED = "published"
    PRIMARY = "suppressed_primary"
    SECONDARY = "suppressed_secondary"


@dataclass(frozen=True)
class ProtectedCell:
    """A figure as it may be shown: a rounded value, or None when suppressed."""

    value: int | None
    status: Status

    @property
    def suppressed(self) -> bool:
        return self.status is not Status.PUBLISHED


def round_count(n: int, base: int) -> int:
    """Round a count to the nearest multiple of ``base``, halves up."""
    _check_count(n)
    if base < 1:
        raise ValueError(f"rounding base must be >= 1, got {base!r}")
    return (n + base // 2) // base * base


def rounding_preimage(value: int, base: int) -> tuple[int, int]:
    """The smallest and largest count that ``round_count`` turns into ``value``."""
    return max(value - base // 2, 0), value + base - 1 - base // 2


def protect_value(n: int, rules: DisclosureRules = DEFAULT_RULES) -> ProtectedCell:
    """Protect a lone figure shown outside any table."""
    _check_count(n)
    if rules.is_sensitive(n):
        return ProtectedCell(None, Status.PRIMARY)
    return ProtectedCell(round_count(n, rules.rounding_base), Status.PUBLISHED)


def protect_table(
    cells: Mapping[Key, int],
    *,
    dims: int,
    rules: DisclosureRules = DEFAULT_RULES,
    categories: Sequence[Sequence[str]] | None = None,
    forced: Iterable[Key] = (),
    width: int | None = None,
) -> dict[Key, ProtectedCell]:
    """Protect a ``dims``-dimensional table of counts and all of its margins.

    ``cells`` holds interior cells, one code per dimension; a missing key is 0.
    ``categories`` lists every code of every dimension, so that zero cells exist
    (default: the codes seen in ``cells``, sorted). Returns a ProtectedCell for
    every interior and margin key; a margin has ``TOTAL`` in the summed
    dimensions. ``forced`` keys (interior or margin) are suppressed and
    protected like primary cells unless their count is 0; a forced key that is
    not a key of the table raises ValueError. ``width`` is how far the
    hypercube protecting each suppressed cell must let it move (default: the
    threshold); a caller protecting linked tables one at a time asks for more
    (hub/stats/protection.py says why). Deterministic: the same table gives
    the same output.
    """
    cats = _categories(cells, dims, categories)
    table = _with_margins(cells, cats)
    primary = {key for key, n in table.items() if rules.is_sensitive(n)}
    protect = primary | _forced_keys(forced, table)
    suppressed = set(protect)
    for key in sorted(protect, key=lambda k: (-k.count(TOTAL), table[k], k)):
        suppressed.update(_cheapest_cube(key, table, cats, suppressed, width or rules.threshold))
    return {key: _protected(key, n, primary, suppressed, rules) for key, n in table.items()}


def _forced_keys(forced: Iterable[Key], table: Mapping[Key, int]) -> set[Key]:
    keys = set()
    for key in forced:
        if key not in table:
            raise ValueError(f"forced key {key!r} is not a key of the table")
        if table[key]:
            keys.add(key)
    return keys


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"a count must be a non-negative integer, got {n!r}")


def _categories(
    cells: Mapping[Key, int], dims: int, categories: Sequence[Sequence[str]] | None
) -> tuple[tuple[str, ...], ...]:
    if not 1 <= dims <= MAX_DIMS:
        raise ValueError(f"dims must be between 1 and {MAX_DIMS}, got {dims!r}")
    for key, n in cells.items():
        if not isinstance(key, tuple) or len(key) != dims:
            raise ValueError(f"key {key!r} must be a tuple of {dims} codes")
        _check_count(n)
    if categories is None:
        return tuple(tuple(sorted({key[d] for key in cells})) for d in range(dims))
    if len(categories) != dims:
        raise ValueError(f"categories must list {dims} dimensions, got {len(categories)}")
    cats = tuple(tuple(codes) for codes in categories)
    for d, codes in enumerate(cats):
        if TOTAL in codes or len(set(codes)) != len(codes):
            raise ValueError(f"categories of dimension {d} repeat a code or use {TOTAL!r}")
        unknown = {key[d] for key in cells} - set(codes)
        if unknown:
            raise ValueError(f"codes {sorted(unknown)!r} are not categories of dimension {d}")
    return cats


def _with_margins(cells: Mapping[Key, int], cats: Sequence[Sequence[str]]) -> dict[Key, int]:
    """Every interior and margin key (TOTAL last on each axis) with its count."""
    table = dict.fromkeys(itertools.product(*((*codes, TOTAL) for codes in cats)), 0)
    for key, n in cells.items():
        if n:
            for margin in _aggregates(key):
                table[margin] += n
    return table


def _aggregates(key: Key) -> Iterable[Key]:
    """The cell itself and every margin it is summed into."""
    return itertools.product(*((code, TOTAL) for code in key))


def _cheapest_cube(
    primary: Key,
    table: Mapping[Key, int],
    cats: Sequence[Sequence[str]],
    suppressed: set[Key],
    threshold: int,
) -> list[Key]:
    """The corners of the cheapest protecting hypercube with ``primary`` as a corner.

    One always exists: pairing each category with TOTAL and each TOTAL with a
    category of a non-zero interior cell below ``primary`` gives a cube of
    margins of that cell, all signs "+", hence unbounded above.
    """
    best_cost: tuple[float, int] = (math.inf, 0)
    best: list[Key] = []
    options = _partner_options(primary, table, cats, threshold)
    for partners in itertools.product(*options):
        keys = list(itertools.product(*zip(primary, partners, strict=True)))
        values = [table[key] for key in keys]
        if 0 in values:
            continue  # a zero corner is published exactly: the cube cannot move
        new = [n for key, n in zip(keys, values, strict=True) if key not in suppressed]
        cost = (sum(new), len(new))
        if cost < best_cost and _width(values, _signs(primary, partners)) >= threshold:
            best_cost, best = cost, keys
            if not new:
                break  # nothing new to withhold: no cube can do better
    assert best, f"no protecting hypercube for {primary!r}"
    return best


def _partner_options(
    primary: Key, table: Mapping[Key, int], cats: Sequence[Sequence[str]], threshold: int
) -> list[list[str]]:
    """Per axis, the codes a cube may pair with ``primary``'s code there.

    A cube pairing code c on axis d has as a corner the *edge*: ``primary``
    with c on axis d. Codes are left out before the search when the edge
    rules every such cube out (most cells of a small area's table are 0):
    a zero edge cannot move; and an edge of the other sign (two categories
    paired) caps the width at ``primary - 1 + edge - 1``.
    """
    options = []
    room = threshold + 2 - table[primary]
    for d, (a, codes) in enumerate(zip(primary, cats, strict=True)):
        edge = list(primary)
        axis = []
        for c in (*codes, TOTAL):
            edge[d] = c
            n = table[tuple(edge)]
            if c != a and n and (TOTAL in (a, c) or n >= room):
                axis.append(c)
        options.append(axis)
    return options


def _signs(primary: Key, partners: Sequence[str]) -> tuple[int, ...]:
    """The sign of each corner, in ``itertools.product`` order: -1 per axis where
    the corner takes the partner and the axis pairs two categories."""
    return _sign_pattern(tuple(TOTAL not in pair for pair in zip(primary, partners, strict=True)))


@functools.cache
def _sign_pattern(pairs_categories: tuple[bool, ...]) -> tuple[int, ...]:
    flips = [(1, -1 if both else 1) for both in pairs_categories]
    return tuple(math.prod(signs) for signs in itertools.product(*flips))


def _width(values: Sequence[int], signs: Sequence[int]) -> float:
    """How far a cube of non-zero corners lets its "+" corners move, all staying >= 1."""
    down = min(n for n, sign in zip(values, signs, strict=True) if sign > 0) - 1
    up = min((n - 1 for n, sign in zip(values, signs, strict=True) if sign < 0),
             default=math.inf)
    return down + up


def _protected(
    key: Key, n: int, primary: set[Key], suppressed: set[Key], rules: DisclosureRules
) -> ProtectedCell:
    if key in primary:
        return ProtectedCell(None, Status.PRIMARY)
    if key in suppressed:
        return ProtectedCell(None, Status.SECONDARY)
    return ProtectedCell(round_count(n, rules.rounding_base), Status.PUBLISHED)
