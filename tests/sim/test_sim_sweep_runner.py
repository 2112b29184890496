"""Sweeps equal serial runs; the scenario runner and its command line."""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import os

import pytest

from serverless_sim import SimError
from serverless_sim.__main__ import main
from serverless_sim.sim import grid, run_scenario, sweep
from serverless_sim.sim.progress import Progress, run_with_progress
from serverless_sim.sim.runner import build_cloud
from serverless_sim.sim.sweep import run_one

SCENARIO = os.path.join(os.path.dirname(__file__), "sim_scenario_shop.py")


def test_grid():
    assert grid({"a": [1, 2], "b": ["x"]}) == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]
    assert grid(None) == [{}]
    assert grid([{"a": 1}]) == [{"a": 1}]


def test_sweep_in_processes_equals_serial_runs():
    params = {"memory": [128, 1024]}
    rows = sweep(SCENARIO, params, seeds=[1, 2], duration="20m", max_workers=2, frame=False)
    serial = [run_one(SCENARIO, p, s, "20m", False, None, {}) for p in grid(params) for s in (1, 2)]
    assert rows == serial
    assert [(r["memory"], r["seed"]) for r in rows] == [(128, 1), (128, 2), (1024, 1), (1024, 2)]
    assert rows[0]["trace_digest"] != rows[1]["trace_digest"]  # seeds differ
    assert rows[0]["orders_items"] > 0  # the scenario's measure() ran
    # Memory changes the cost, not the traffic.
    assert rows[0]["users.sent"] == rows[2]["users.sent"]
    assert rows[0]["cost_lambda"] < rows[2]["cost_lambda"]


def test_sweep_accepts_any_executor_and_returns_a_frame():
    pd = pytest.importorskip("pandas")
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        df = sweep(SCENARIO, [{"rate": 2.0}], seeds=[5, 6], duration="10m", executor=ex)
    assert isinstance(df, pd.DataFrame) and list(df["seed"]) == [5, 6]
    again = sweep(SCENARIO, [{"rate": 2.0}], seeds=[5], duration="10m", max_workers=1, frame=False)
    assert again[0]["trace_digest"] == df["trace_digest"][0]


def test_run_scenario_and_progress():
    stream = io.StringIO()
    cloud, rep = run_scenario(SCENARIO, seed=3, duration="1h", progress=Progress(3600 * 10**6, stream, min_interval=0))
    assert cloud.elapsed.total_seconds() == 3600
    assert rep is not None and rep.workloads["users"]["sent"] > 0
    out = stream.getvalue()
    assert "100.0%" in out and "events" in out and "ev/s" in out
    # Chunked running (for the progress bar) is the same run as one call.
    same, _ = build_cloud(SCENARIO, seed=3)
    same.advance(3600)
    assert same.trace.digest() == cloud.trace.digest()
    other, _ = build_cloud(SCENARIO, seed=3)
    run_with_progress(other, other.now_us + 3600 * 10**6, progress=False)
    assert other.trace.digest() == cloud.trace.digest()


def test_unknown_parameter_is_refused():
    with pytest.raises(SimError, match="no parameter nope"):
        build_cloud(SCENARIO, params={"nope": 1})


def test_command_line_run(capsys):
    assert main(["run", SCENARIO, "--seed", "7", "--for", "30m", "--report", "json", "--param", "rate=2",
                 "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["run"]["seed"] == 7 and data["run"]["elapsed_s"] == 1800
    assert data["workloads"]["users"]["sent"] > 0 and data["cost"]["total"] > 0
    assert main(["run", SCENARIO, "--for", "10m", "--no-progress", "--free-tier"]) == 0
    text = capsys.readouterr().out
    assert "Simulation report" in text and "free tier applied" in text


def test_runs_agree_across_processes_and_hash_seeds():
    import subprocess
    import sys

    outs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        res = subprocess.run([sys.executable, "-m", "serverless_sim", "run", SCENARIO, "--seed", "5", "--for", "15m",
                              "--report", "json", "--no-progress"], env=env, capture_output=True, text=True,
                             check=True)
        outs.append(json.loads(res.stdout))
    assert outs[0]["run"]["trace_digest"] == outs[1]["run"]["trace_digest"]
    assert outs[0] == outs[1]
