"""The tutorial's script runs (small configuration), and docs/tutorial.md shows its code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "capacity_planning.py"


def test_capacity_planning_runs_small(capsys):
    spec = importlib.util.spec_from_file_location("capacity_planning_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = module.main(hours=1, rate=2.0, seeds=(1,), workers=2, fork_at_hour=0)
    out = capsys.readouterr().out
    assert "Baseline:" in out and "Answer:" in out
    assert results["baseline"]["sent"] > 0
    throttles = list(results["forks"].values())
    assert throttles == sorted(throttles, reverse=True)  # more reserved concurrency, fewer throttles
    assert len(results["sweep"]) == 3 * len({r["reserved"] for r in results["sweep"]})


def test_tutorial_shows_the_script():
    text = (ROOT / "docs" / "tutorial.md").read_text()
    source = SCRIPT.read_text()
    blocks = re.findall(r"^```py\n(.*?)^```", text, re.S | re.M)
    assert blocks
    for block in blocks:
        assert block in source, block[:80]
