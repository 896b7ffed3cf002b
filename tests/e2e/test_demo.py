"""`make demo-check`: the whole local federation, once, on embedded defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_federation_reaches_the_hub_from_all_five_pilots(tmp_path: Path) -> None:
    keep = ("PATH", "HOME", "LANG", "LC_ALL")
    env = {**{k: os.environ[k] for k in keep if k in os.environ},
           "SYSTRAITE_DEMO_DIR": str(tmp_path / "demo"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "scripts.federation", "check", "--cases", "25"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "5/5" in result.stdout
