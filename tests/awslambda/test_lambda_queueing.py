"""Queueing properties and determinism of whole simulations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from serverless_sim import Cloud
ROOT = Path(__file__).resolve().parents[2]


def poisson_run(rate: float, duration_s: float, horizon_s: float, seed: int = 11):
    cloud = Cloud(seed=seed, trace="none")
    lam = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("q", lambda e, c: None, duration=duration_s, init_duration=0.0,
                                      virtual_time=False)
    rng = cloud.rng("arrivals")

    def arrivals():
        while True:
            yield cloud.timeout(rng.expovariate(rate))
            lam.submit("q")

    cloud.process(arrivals())
    cloud.run(horizon_s)
    return lam.stats("q"), lam.function("q")


def test_littles_law_mean_concurrency():
    rate, w, horizon = 50.0, 0.4, 1000.0
    stats, fn = poisson_run(rate, w, horizon)
    lam_hat = stats["invocations"] / horizon
    L = stats["mean_concurrency"]
    assert stats["throttles"] == 0
    # L = lambda * W: exact up to the requests in flight at the horizon (edge effect < 0.5%) ...
    assert L == pytest.approx(lam_hat * w, rel=0.005)
    # ... and within sampling error of the offered load (20 concurrent).
    assert L == pytest.approx(rate * w, rel=0.03)


def test_poisson_cold_starts_are_rare_with_warm_pool():
    stats, _ = poisson_run(20.0, 1.0, 600.0)
    # Every cold start creates an environment; with 10-minute reclaim none expire in 10 minutes,
    # and the pool never holds more environments than the peak concurrency needed.
    assert stats["cold_starts"] == stats["environments"] <= stats["peak_concurrency"]
    assert stats["cold_start_probability"] < 0.01


SCENARIO = r"""
import json, sys
from serverless_sim import Cloud
from serverless_sim.awslambda import Exponential
cloud = Cloud(seed=int(sys.argv[1]))
lam = cloud.service("lambda")
src = "import random\nSEEN = []\ndef handler(event, context):\n    SEEN.append(event)\n    return {'n': len(SEEN), 'r': random.random(), 'd': {'b': 1, 'a': 2}}\n"
lam.create_function_from_source("pkg", {"app.py": src}, duration=Exponential(0.3))
lam.create_function_from_callable("nat", lambda e, c: e, duration=Exponential(0.5))
client = cloud.client("lambda")
client.publish_version(FunctionName="pkg")
client.update_function_configuration(FunctionName="pkg", MemorySize=256)
client.publish_version(FunctionName="pkg")
client.create_alias(FunctionName="pkg", Name="live", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}})
rng = cloud.rng("arrivals")
cold = []
def arrivals():
    for i in range(400):
        yield cloud.timeout(rng.expovariate(8.0))
        inv = lam.submit("pkg", {"i": i}, qualifier="live")
        cold.append((inv.request_id, inv.cold, inv.version.version, inv.payload["r"]))
        lam.invoke_async("nat", i)
cloud.process(arrivals())
cloud.run_until_idle()
cloud.advance(700)
print(json.dumps({"digest": cloud.trace.digest(), "cold": cold, "now": cloud.now_us,
                  "stats": lam.stats("pkg")}))
"""


def _run_scenario(seed: int, hashseed: str) -> dict:
    env = dict(os.environ, PYTHONHASHSEED=hashseed, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", SCENARIO, str(seed)], capture_output=True, text=True, env=env,
                         check=True, timeout=120)
    return json.loads(out.stdout)


def test_same_seed_same_cold_starts_and_trace_across_processes():
    a = _run_scenario(7, "1")
    b = _run_scenario(7, "12345")
    assert a == b
    assert any(c[1] for c in a["cold"]) and {c[2] for c in a["cold"]} == {"1", "2"}
    c = _run_scenario(8, "1")
    assert c["digest"] != a["digest"]
