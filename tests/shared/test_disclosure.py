"""Disclosure control: thresholds, rounding, margins, and the LP audit.

The acceptance criterion: a disclosure audit solves, with linear programming,
for the minimum and maximum of every suppressed cell given everything a
partner can see, and finds every interval at least as wide as the threshold.
"""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.disclosure import (
    TOTAL,
    DisclosureRules,
    Key,
    ProtectedCell,
    Status,
    protect_table,
    protect_value,
    round_count,
)
from tests.shared.lp_audit import exact_margins, narrow_cells, suppressed_intervals

T = TOTAL
EXACT = DisclosureRules(threshold=10, rounding_base=1)


def suppressed_keys(out: dict[Key, ProtectedCell]) -> set[Key]:
    return {key for key, cell in out.items() if cell.suppressed}


def grid(rows: list[list[int]]) -> dict[Key, int]:
    return {(f"r{i}", f"c{j}"): n for i, row in enumerate(rows) for j, n in enumerate(row)}


def only_suppressing(
    cells: dict[Key, int], keys: set[Key], base: int = 5
) -> dict[Key, ProtectedCell]:
    """A 2-D table protected badly: ``keys`` suppressed, everything else rounded."""
    cats = [sorted({key[d] for key in cells}) for d in range(2)]
    return {
        key: ProtectedCell(None, Status.PRIMARY)
        if key in keys
        else ProtectedCell(round_count(n, base), Status.PUBLISHED)
        for key, n in exact_margins(cells, cats).items()
    }


# --- rules, rounding, lone values -------------------------------------------


@pytest.mark.parametrize(
    ("n", "base", "rounded"),
    [
        (0, 5, 0),
        (2, 5, 0),
        (3, 5, 5),
        (12, 5, 10),
        (13, 5, 15),
        (15, 5, 15),
        (14, 10, 10),
        (15, 10, 20),
        (7, 1, 7),
        (3, 2, 4),
    ],
)
def test_round_count_rounds_to_nearest_multiple_halves_up(n: int, base: int, rounded: int) -> None:
    assert round_count(n, base) == rounded


def test_round_count_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        round_count(-1, 5)


@pytest.mark.parametrize("kwargs", [{"threshold": 0}, {"rounding_base": 0}, {"threshold": 2.5}])
def test_rules_refuse_nonsense(kwargs: dict) -> None:
    with pytest.raises(ValueError, match=">= 1"):
        DisclosureRules(**kwargs)


@pytest.mark.parametrize("n", [1, 5, 9])
def test_a_lone_count_below_the_threshold_is_suppressed(n: int) -> None:
    assert protect_value(n) == ProtectedCell(None, Status.PRIMARY)


@pytest.mark.parametrize(("n", "shown"), [(10, 10), (12, 10), (13, 15), (0, 0)])
def test_a_lone_count_at_or_above_the_threshold_or_zero_is_rounded(n: int, shown: int) -> None:
    assert protect_value(n) == ProtectedCell(shown, Status.PUBLISHED)


def test_the_threshold_is_configurable() -> None:
    rules = DisclosureRules(threshold=11, rounding_base=5)
    assert protect_value(10, rules).suppressed
    assert protect_value(11, rules) == ProtectedCell(10, Status.PUBLISHED)


# --- tables ------------------------------------------------------------------


def test_margins_are_the_sums_of_the_cells_below_them() -> None:
    cells: dict[Key, int] = {("a", "x", "m"): 4, ("a", "y", "f"): 7, ("b", "x", "f"): 20}
    out = protect_table(cells, dims=3, rules=DisclosureRules(threshold=1, rounding_base=1))
    cats = [["a", "b"], ["x", "y"], ["f", "m"]]
    assert {key: cell.value for key, cell in out.items()} == exact_margins(cells, cats)
    assert out[(T, T, T)].value == 31 and out[("a", T, T)].value == 11


def test_a_one_dimensional_table_pairs_a_small_cell_with_the_smallest_safe_cell() -> None:
    out = protect_table({("a",): 3, ("b",): 12, ("c",): 40}, dims=1)
    assert out[("a",)] == ProtectedCell(None, Status.PRIMARY)
    assert out[("b",)] == ProtectedCell(None, Status.SECONDARY)
    assert out[("c",)] == ProtectedCell(40, Status.PUBLISHED)
    assert out[(T,)] == ProtectedCell(55, Status.PUBLISHED)


def test_a_table_without_small_cells_is_only_rounded() -> None:
    out = protect_table({("a",): 12, ("b",): 13}, dims=1)
    assert [cell.value for cell in out.values()] == [10, 15, 25]
    assert not suppressed_keys(out)


def test_one_small_cell_in_a_two_dimensional_table_gets_a_rectangle() -> None:
    cells = grid([[3, 40, 50], [30, 60, 70], [45, 55, 65]])
    out = protect_table(cells, dims=2)
    assert out[("r0", "c0")].status is Status.PRIMARY
    assert suppressed_keys(out) == {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1")}


def test_a_small_row_total_is_suppressed_and_protected() -> None:
    cells = grid([[2, 2, 0], [30, 60, 70], [45, 55, 65]])
    out = protect_table(cells, dims=2)
    assert out[("r0", T)].status is Status.PRIMARY
    assert not narrow_cells(out, DisclosureRules())


def test_zeros_are_published_exactly_even_beside_suppressed_cells() -> None:
    out = protect_table(
        {("a",): 3, ("c",): 40, ("d",): 25}, dims=1, categories=[["a", "b", "c", "d"]]
    )
    assert out[("b",)] == ProtectedCell(0, Status.PUBLISHED)
    assert out[("a",)].suppressed and out[("d",)].suppressed


def test_a_zero_cell_is_never_chosen_as_a_complement() -> None:
    cells = grid([[3, 0, 50], [0, 60, 70], [45, 0, 65]])
    out = protect_table(cells, dims=2)
    assert all(out[key].value == 0 for key, n in cells.items() if n == 0)


def test_the_output_is_deterministic_whatever_the_input_order() -> None:
    cells = grid([[3, 11, 5, 0], [12, 1, 30, 14], [9, 40, 12, 13]])
    shuffled = list(cells.items())
    random.Random(7).shuffle(shuffled)
    assert list(protect_table(cells, dims=2).items()) == list(
        protect_table(dict(shuffled), dims=2).items()
    )


@pytest.mark.parametrize(
    ("cells", "dims", "categories", "message"),
    [
        ({("a",): 1}, 0, None, "dims"),
        ({("a",): 1}, 5, None, "dims"),
        ({("a", "b"): 1}, 1, None, "tuple of 1"),
        ({("a",): -1}, 1, None, "non-negative"),
        ({("a",): 1}, 1, [["a", TOTAL]], "_total"),
        ({("z",): 1}, 1, [["a"]], "not categories"),
        ({("a",): 1}, 1, [["a"], ["b"]], "2"),
    ],
)
def test_protect_table_refuses_malformed_input(cells, dims, categories, message) -> None:
    with pytest.raises(ValueError, match=message):
        protect_table(cells, dims=dims, categories=categories)


# --- the auditor itself -------------------------------------------------------


def test_the_audit_finds_the_exact_interval_of_a_simple_case() -> None:
    out = protect_table({("a",): 3, ("b",): 12, ("c",): 40}, dims=1, rules=EXACT)
    # a + b = 55 - 40, both >= 1: a lies in [1, 14].
    assert suppressed_intervals(out, EXACT) == {("a",): (1, 14)}


def test_the_audit_catches_a_table_with_primary_suppression_only() -> None:
    cells = grid([[3, 40, 50], [30, 60, 70], [45, 55, 65]])
    naive = only_suppressing(cells, {("r0", "c0")}, base=1)
    assert ("r0", "c0") in narrow_cells(naive, EXACT)


def test_rounding_noise_alone_can_protect_a_cell_in_a_long_enough_line() -> None:
    # Three published cells and a total, each known to +-2: x00 spans [1, 11].
    # protect_table does not count on this (it is conservative), the audit does.
    cells = grid([[3, 40, 50], [30, 60, 70], [45, 55, 65]])
    naive = only_suppressing(cells, {("r0", "c0")})
    assert suppressed_intervals(naive, DisclosureRules()) == {("r0", "c0"): (1, 11)}


def test_the_audit_catches_complements_that_are_too_small() -> None:
    # A rectangle, each suppressed cell never alone, but the complements are
    # primary cells themselves: the interval of (r0, c0) is too narrow.
    cells = grid([[1, 2, 50], [2, 1, 70], [45, 55, 65]])
    rectangle: set[Key] = {("r0", "c0"), ("r0", "c1"), ("r1", "c0"), ("r1", "c1")}
    naive = only_suppressing(cells, rectangle)
    assert ("r0", "c0") in narrow_cells(naive, DisclosureRules())


# --- properties ---------------------------------------------------------------

COUNTS = st.one_of(st.just(0), st.integers(1, 9), st.integers(1, 9), st.integers(10, 80))
RULES = st.builds(
    DisclosureRules,
    threshold=st.sampled_from([3, 5, 10, 11]),
    rounding_base=st.sampled_from([1, 3, 5, 10]),
)


@st.composite
def tables(draw: st.DrawFn, dims: int, max_categories: int) -> tuple[dict[Key, int], list]:
    cats = [[f"{d}{i}" for i in range(draw(st.integers(2, max_categories)))] for d in range(dims)]
    keys = list(itertools.product(*cats))
    values = draw(st.lists(COUNTS, min_size=len(keys), max_size=len(keys)))
    return dict(zip(keys, values, strict=True)), cats


def check_audit(table: tuple[dict[Key, int], list], rules: DisclosureRules, dims: int) -> None:
    cells, cats = table
    out = protect_table(cells, dims=dims, rules=rules, categories=cats)
    assert narrow_cells(out, rules) == {}
    truth = exact_margins(cells, cats)
    for key, (low, high) in suppressed_intervals(out, rules).items():
        assert low - 1e-6 <= truth[key] <= high + 1e-6


AUDIT = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@AUDIT
@given(table=tables(1, 5), rules=RULES)
def test_audit_every_primary_cell_of_a_one_dimensional_table_is_protected(table, rules) -> None:
    check_audit(table, rules, 1)


@AUDIT
@given(table=tables(2, 5), rules=RULES)
def test_audit_every_primary_cell_of_a_two_dimensional_table_is_protected(table, rules) -> None:
    check_audit(table, rules, 2)


@settings(AUDIT, max_examples=25)
@given(table=tables(3, 4), rules=RULES)
def test_audit_every_primary_cell_of_a_three_dimensional_table_is_protected(table, rules) -> None:
    check_audit(table, rules, 3)


@AUDIT
@given(table=tables(2, 5), rules=RULES)
def test_no_suppressed_cell_is_alone_in_a_line(table, rules) -> None:
    cells, cats = table
    out = protect_table(cells, dims=2, rules=rules, categories=cats)
    axes = [(*codes, T) for codes in cats]
    for d in range(2):
        for fixed in axes[1 - d]:
            line = [key for key in out if key[1 - d] == fixed]
            assert sum(out[key].suppressed for key in line) != 1


@AUDIT
@given(table=tables(2, 5), rules=RULES)
def test_zero_cells_are_always_published_as_zero(table, rules) -> None:
    cells, cats = table
    out = protect_table(cells, dims=2, rules=rules, categories=cats)
    assert all(out[key] == ProtectedCell(0, Status.PUBLISHED) for key, n in cells.items() if n == 0)
