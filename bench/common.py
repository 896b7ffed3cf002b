"""Helpers of the benchmark processes: Django set-up, interleaved timing, output."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def django_setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def interleaved(a: Callable[[], Any], b: Callable[[], Any], *, rounds: int) -> tuple[float, float]:
    """Median seconds of a and of b, run alternately so noise hits both alike."""
    times_a, times_b = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        a()
        times_a.append(time.perf_counter() - started)
        started = time.perf_counter()
        b()
        times_b.append(time.perf_counter() - started)
    return statistics.median(times_a), statistics.median(times_b)


def emit(name: str, figures: dict[str, Any], targets: dict[str, str]) -> None:
    """Print the figures for a reader, then one JSON line for the harness."""
    for key, value in figures.items():
        print(f"# {name}: {key} = {value}")
    print(json.dumps({"name": name, "figures": figures, "targets": targets}))
