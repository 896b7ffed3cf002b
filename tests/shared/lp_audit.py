"""Disclosure audit: what can a partner derive from a protected table?

Given only what ``protect_table`` lets out, this solves with linear
programming (scipy's HiGHS) for the minimum and maximum of every suppressed
cell. It models everything the partner knows:

* a published v is a count that rounds to v and, unless v is 0, is at least
  the threshold (smaller counts would have been suppressed); a published 0
  may be a true zero (zeros are published exactly);
* a suppressed cell is at least 1 (zeros are never suppressed); primary and
  secondary suppression look the same to the partner;
* every margin equals the sum of the interior cells below it.

It is the LP relaxation: variables are real, so an interval found here can
only be wider than the integer one by less than 1 at each end. Test helper
only: scipy is a dev dependency and must never be imported at runtime.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

from shared.disclosure import (
    TOTAL,
    DisclosureRules,
    Key,
    ProtectedCell,
    Status,
    rounding_preimage,
)


def exact_margins(cells: Mapping[Key, int], categories: Sequence[Sequence[str]]) -> dict[Key, int]:
    """Every interior and margin count, computed the slow, obvious way."""
    out = {}
    for key in itertools.product(*((*codes, TOTAL) for codes in categories)):
        out[key] = sum(
            n
            for cell, n in cells.items()
            if all(k in (TOTAL, c) for k, c in zip(key, cell, strict=True))
        )
    return out


def published_range(value: int, rules: DisclosureRules) -> tuple[float, float]:
    """What a published value says about the true count (convex hull)."""
    low, high = rounding_preimage(value, rules.rounding_base)
    nonzero = (max(low, rules.threshold), high)
    if value != 0:
        return nonzero
    return 0, nonzero[1] if nonzero[0] <= nonzero[1] else 0


def suppressed_intervals(
    protected: Mapping[Key, ProtectedCell], rules: DisclosureRules, *, primary_only: bool = True
) -> dict[Key, tuple[float, float]]:
    """The [min, max] a partner can derive for every (primary-)suppressed cell."""
    interior = [key for key in protected if TOTAL not in key]
    rows_ub, b_ub, bounds = _constraints(protected, interior, rules)
    targets = [
        key
        for key, cell in protected.items()
        if cell.suppressed and (cell.status is Status.PRIMARY or not primary_only)
    ]
    out = {}
    for key in targets:
        c = np.array(_support(key, interior), dtype=float)
        low = _solve(c, rows_ub, b_ub, bounds)
        high = -_solve(-c, rows_ub, b_ub, bounds)
        out[key] = (low, high)
    return out


def narrow_cells(
    protected: Mapping[Key, ProtectedCell], rules: DisclosureRules
) -> dict[Key, tuple[float, float]]:
    """Primary cells whose derivable interval is narrower than the threshold."""
    tolerance = 1e-6
    return {
        key: (low, high)
        for key, (low, high) in suppressed_intervals(protected, rules).items()
        if high - low < rules.threshold - tolerance
    }


def _support(key: Key, interior: Sequence[Key]) -> list[int]:
    return [int(all(k in (TOTAL, c) for k, c in zip(key, cell, strict=True))) for cell in interior]


def _constraints(
    protected: Mapping[Key, ProtectedCell], interior: Sequence[Key], rules: DisclosureRules
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float | None]]]:
    bounds: list[tuple[float, float | None]] = []
    for key in interior:
        cell = protected[key]
        bounds.append((1, None) if cell.value is None else published_range(cell.value, rules))
    rows, rhs = [], []
    for key, cell in protected.items():
        if TOTAL not in key:
            continue
        row = np.array(_support(key, interior), dtype=float)
        low, high = (1, None) if cell.value is None else published_range(cell.value, rules)
        rows.append(-row)
        rhs.append(-low)
        if high is not None:
            rows.append(row)
            rhs.append(high)
    return np.array(rows).reshape(len(rows), len(interior)), np.array(rhs), bounds


def _solve(c: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, bounds: list) -> float:
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if result.status == 3:  # unbounded
        return -float("inf")
    assert result.status == 0, f"the partner's view must be feasible: {result.message}"
    return float(result.fun)
