"""``protect_table(forced=...)``: cells withheld in an earlier release or another table.

A forced cell must stay suppressed whatever its count, and must be as hard to
recover as a primary cell (the LP audit below treats it as one).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.disclosure import TOTAL, DisclosureRules, Key, Status, protect_table
from tests.shared.lp_audit import suppressed_intervals

T = TOTAL
RULES = DisclosureRules()


def test_a_forced_large_cell_is_suppressed_and_shown_as_secondary() -> None:
    cells = {("a",): 40, ("b",): 50, ("c",): 60}
    out = protect_table(cells, dims=1, rules=RULES, forced=[("b",)])
    assert out[("b",)].value is None
    assert out[("b",)].status is Status.SECONDARY


def test_a_forced_cell_gets_a_complement_so_it_cannot_be_recovered_from_the_total() -> None:
    cells = {("a",): 40, ("b",): 50, ("c",): 60}
    out = protect_table(cells, dims=1, rules=RULES, forced=[("b",)])
    assert sum(cell.suppressed for key, cell in out.items() if T not in key) >= 2


def test_a_forced_cell_that_is_now_zero_is_published_as_zero() -> None:
    out = protect_table({("a",): 40, ("b",): 0}, dims=1, rules=RULES, forced=[("b",)])
    assert out[("b",)].value == 0


def test_a_forced_key_outside_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="forced key"):
        protect_table({("a",): 40}, dims=1, rules=RULES, forced=[("zz",)])


def test_without_forced_keys_the_output_is_unchanged() -> None:
    cells = {("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 30, ("b", "y"): 50}
    assert protect_table(cells, dims=2) == protect_table(cells, dims=2, forced=())


COUNTS = st.one_of(st.just(0), st.integers(1, 9), st.integers(10, 80))


@st.composite
def forced_tables(draw: st.DrawFn) -> tuple[dict[Key, int], list, list[Key]]:
    cats = [[f"{d}{i}" for i in range(draw(st.integers(2, 4)))] for d in range(2)]
    keys = list(itertools.product(*cats))
    values = draw(st.lists(COUNTS, min_size=len(keys), max_size=len(keys)))
    every = list(itertools.product(*((*c, T) for c in cats)))
    forced = draw(st.lists(st.sampled_from(every), max_size=3, unique=True))
    return dict(zip(keys, values, strict=True)), cats, forced


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=forced_tables())
def test_audit_every_forced_nonzero_cell_is_as_protected_as_a_primary_one(table) -> None:
    cells, cats, forced = table
    out = protect_table(cells, dims=2, rules=RULES, categories=cats, forced=forced)
    intervals = suppressed_intervals(out, RULES, primary_only=False)
    for key in forced:
        if out[key].value is None:
            low, high = intervals[key]
            assert high - low >= RULES.threshold - 1e-6, (key, low, high)
        else:
            assert out[key].value == 0
