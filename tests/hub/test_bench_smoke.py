"""The hub benchmarks run, at a tiny scale, through the harness of ``make bench``.

Benchmarks are not run by the test suite, so without this they could rot
unnoticed. Each one runs as ``make bench`` runs it (bench/__main__.py: its own
process, a fresh database dropped afterwards, the hub settings) with a handful
of nodes. Nothing here asserts a timing: figures on a shared machine are the
benchmark's business, ratios in the same process. What is asserted is that the
benchmark finished, checked what it checks (the dashboards benchmark compares
every exact figure with raw SQL before timing) and reported its targets.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.__main__ import BENCHMARKS, run_one


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_SCALE", "0.05")
    monkeypatch.setenv("BENCH_NODES", "2,3")
    monkeypatch.setenv("BENCH_PARTNER_BUDGET", "10")


def run_tiny(name: str) -> dict[str, Any]:
    assert (name, "hub") in BENCHMARKS, f"{name} is not registered in bench/__main__.py"
    result = run_one(name, "hub", {name})
    assert result is not None
    assert "error" not in result, result
    assert result["name"] == name
    assert result["targets"], "a benchmark reports the targets its figures are judged on"
    for figure in result["targets"]:
        assert isinstance(result["figures"][figure], int | float), figure
    return result


def test_dashboards_benchmark_runs_tiny(tiny: None) -> None:
    figures = run_tiny("hub_dashboards")["figures"]
    assert figures["nodes"] >= 2
    assert figures["cells"] > 0
    # Every exact figure the dashboards show was checked against raw SQL before timing.
    assert figures["stats_queries_per_build_10y"] > 0
    assert figures["figures_checked_equal_10y"] > 0


def test_nodes_benchmark_runs_tiny(tiny: None) -> None:
    figures = run_tiny("hub_nodes")["figures"]
    for n in (2, 3):
        assert figures[f"cells_per_node_{n}"] > 0
        assert figures[f"ingest_s_per_node_{n}"] > 0
