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


class PartnerKnowledge:
    """Everything a partner knows, as linear constraints on the true exact counts.

    Variables are the finest true counts (indices from ``variable``); every
    published figure is a sum of some of them (its support) lying in the
    range its published value stands for (``published_range``), and a
    withheld figure is at least 1. Links between figures that the partner
    knows from the catalogue (two tables counting the same persons) are
    equalities or inequalities between sums. ``interval`` is the LP
    relaxation's [min, max] of a sum: a real interval, wider than the integer
    one by less than 1 at each end.
    """

    def __init__(self, rules: DisclosureRules) -> None:
        self.rules = rules
        self.names: dict[object, int] = {}
        self.figures: dict[tuple[int, ...], tuple[float, float]] = {}
        self.links: list[tuple[tuple[int, ...], tuple[int, ...], bool]] = []
        self._model: tuple | None = None

    def variable(self, name: object) -> int:
        self._model = None
        return self.names.setdefault(name, len(self.names))

    def shown(self, support: Sequence[int], value: int | None) -> None:
        """A figure the partner sees: ``value``, or None when withheld."""
        low, high = (1, float("inf")) if value is None else published_range(value, self.rules)
        key = tuple(sorted(support))
        old_low, old_high = self.figures.get(key, (0, float("inf")))
        self.figures[key] = (max(low, old_low), min(high, old_high))
        self._model = None

    def equal(self, left: Sequence[int], right: Sequence[int]) -> None:
        self.links.append((tuple(left), tuple(right), True))
        self._model = None

    def at_most(self, part: Sequence[int], whole: Sequence[int]) -> None:
        self.links.append((tuple(part), tuple(whole), False))
        self._model = None

    def interval(self, support: Sequence[int]) -> tuple[float, float]:
        a_ub, b_ub, a_eq, b_eq, bounds = self._built()
        c = np.zeros(len(self.names))
        c[list(support)] = 1
        low = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                      method="highs")
        high = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                       method="highs")
        assert low.status == 0, f"the partner's view must be feasible: {low.message}"
        return float(low.fun), (float("inf") if high.status == 3 else -float(high.fun))

    def _built(self) -> tuple:
        if self._model is None:
            self._model = self._build()
        return self._model

    def _build(self) -> tuple:
        from scipy.sparse import csr_matrix

        n = len(self.names)
        bounds: list[list[float | None]] = [[0, None] for _ in range(n)]
        ub_rows, ub_rhs, eq_rows = [], [], []
        for support, (low, high) in self.figures.items():
            if len(support) == 1:
                (i,) = support
                bounds[i][0] = max(bounds[i][0] or 0, low)
                bounds[i][1] = high if high != float("inf") else bounds[i][1]
                continue
            ub_rows.append({i: -1.0 for i in support}), ub_rhs.append(-low)
            if high != float("inf"):
                ub_rows.append({i: 1.0 for i in support}), ub_rhs.append(high)
        for left, right, equal in self.links:
            row: dict[int, float] = {}
            for i in left:
                row[i] = row.get(i, 0) + 1
            for i in right:
                row[i] = row.get(i, 0) - 1
            (eq_rows if equal else ub_rows).append(row)
            if not equal:
                ub_rhs.append(0.0)
        return (_sparse(csr_matrix, ub_rows, n), np.array(ub_rhs) if ub_rows else None,
                _sparse(csr_matrix, eq_rows, n), np.zeros(len(eq_rows)) if eq_rows else None,
                [tuple(b) for b in bounds])


def _sparse(csr_matrix, rows: list[dict[int, float]], n: int):
    if not rows:
        return None
    data, cols, pointers = [], [], [0]
    for row in rows:
        cols.extend(row)
        data.extend(row.values())
        pointers.append(len(cols))
    return csr_matrix((data, cols, pointers), shape=(len(rows), n))
