"""The workload's per-request hot paths pinned to the general code they shortcut: the Daily
process's per-second bound, the JSON encoder made directly, the histogram bucket computed once,
and one Stats object for a single-target workload."""

from __future__ import annotations

import copy
import json
import math
import random

import pytest

from serverless_sim import Cloud
from serverless_sim.sim import Call, Constant, Daily, Poisson, workload
from serverless_sim.sim.arrivals import DAY_S, HOUR_S, US
from serverless_sim.sim.workloads import ERROR, OK, THROTTLED, LatencyHistogram, _dumps, bucket_of

START = 1767225600 * 10**6  # 2026-01-01T00:00:00Z


def daily_plain(proc: Daily, now_us: int, rng: random.Random) -> int:
    """Daily.next_us as it was before the per-second bound (the formula the digests pin)."""
    amp = proc.amplitude
    peak = 1.0 + amp
    rate = proc.mean * peak
    phase = proc.peak_hour * HOUR_S
    w = 2 * math.pi / DAY_S
    t = now_us
    while True:
        t += round(-math.log(1.0 - rng.random()) / rate * US)
        if rng.random() * peak <= 1.0 + amp * math.cos(w * (t // US % DAY_S - phase)):
            return t


@pytest.mark.parametrize("mean, amplitude, peak_hour", [
    (10, 0.5, 14), (3, 0.9, 2.5), (50, 0.0, 0), (1, 1.0, 23.9), (0.2, 0.3, 7), (400, 0.5, 14),
])
def test_daily_next_us_matches_the_plain_formula(mean, amplitude, peak_hour):
    proc = Daily(mean=mean, amplitude=amplitude, peak_hour=peak_hour)
    fast, plain = random.Random(11), random.Random(11)
    a = b = START
    for _ in range(30_000):
        a = proc.next_us(a, fast)
        b = daily_plain(proc, b, plain)
        assert a == b
    assert fast.getstate() == plain.getstate()   # the same draws, in the same order


def test_daily_bound_is_recomputed_after_a_parameter_change_and_copies_carry_on():
    proc = Daily(mean=10)
    fast, plain = random.Random(3), random.Random(3)
    a = b = START
    for step in range(4):
        for _ in range(2_000):
            a = proc.next_us(a, fast)
            b = daily_plain(proc, b, plain)
            assert a == b
        if step == 0:
            proc.amplitude = "0.9"   # converted as at init, and the cached bound dropped
            assert proc.amplitude == 0.9
        elif step == 1:
            proc.peak_hour = 3
        elif step == 2:
            proc.mean = 40
    twin, twin_rng = copy.deepcopy(proc), copy.deepcopy(fast)
    assert [twin.next_us(a, twin_rng) for _ in range(50)] == [proc.next_us(a, fast) for _ in range(50)]


@pytest.mark.parametrize("value", [
    {"id": "c12345", "qty": 3}, {"b": [1, 2.5, float("nan"), float("inf")], "a": {"z": None, "y": True}},
    ["é", "\u2028", 1e300, -0.0, 10**30], 5, 2.5, None, True, "plain text", "ünï", {1: 2, 3: 4}, (1, "x"),
    {"when": ValueError("x")}, [], {},
])
def test_dumps_is_json_dumps_sorted_with_str_default(value):
    assert _dumps(value) == json.dumps(value, sort_keys=True, default=str)


def test_dumps_refuses_what_json_dumps_refuses():
    loop: list = []
    loop.append(loop)
    for bad in (loop, {1: 1, "a": 2}):   # circular; keys that do not sort
        with pytest.raises(Exception) as ours:
            _dumps(bad)
        with pytest.raises(Exception) as theirs:
            json.dumps(bad, sort_keys=True, default=str)
        assert type(ours.value) is type(theirs.value)
    assert _dumps({"again": 1}) == '{"again": 1}'   # nothing left over from the failures


def test_bucket_of_is_the_histogram_bucket():
    h = LatencyHistogram()
    for us in (-5, 0, 1, 2, 99, 100, 101, 40_000, 10**9):
        assert h.add(us) == bucket_of(us)



def test_workload_record_counts_like_the_general_histogram():
    cloud = Cloud(seed=2)
    wl = workload(cloud, "w", Poisson(5), Call(lambda c, e: None), limit=3)
    target = wl.targets[0]
    plain = LatencyHistogram()
    rng = random.Random(9)
    outcomes = [OK, ERROR, THROTTLED]
    for n in range(500):
        us = rng.choice([0, -3, rng.randrange(1, 10**8)])
        outcome = outcomes[n % 3]
        wl._record(target, us, outcome)
        if outcome != THROTTLED:
            plain.add(us)
    lat = wl.stats.latency
    assert (lat.buckets, lat.count, lat.total_us, lat.min_us, lat.max_us) == (
        plain.buckets, plain.count, plain.total_us, plain.min_us, plain.max_us)
    assert (wl.stats.ok, wl.stats.errors, wl.stats.throttled) == (167, 167, 166)


def test_one_target_shares_the_workload_stats_and_counts_once():
    cloud = Cloud(seed=1)
    one = workload(cloud, "one", Constant(10), Call(lambda c, e: None), limit=40)
    two = workload(cloud, "two", Constant(10), [(1, Call(lambda c, e: None)), (3, Call(lambda c, e: None))],
                   limit=40)
    cloud.advance(10)
    assert one.stats is one.targets[0].stats
    assert one.summary()["sent"] == one.summary()["ok"] == 40
    (per_target,) = one.summary()["targets"].values()
    assert per_target["sent"] == per_target["ok"] == 40
    assert one.stats.latency.count == 40
    assert all(t.stats is not two.stats for t in two.targets)
    assert sum(t.stats.sent for t in two.targets) == two.stats.sent == 40
    assert sum(t.stats.ok for t in two.targets) == two.stats.ok == 40
    assert sum(t.stats.latency.count for t in two.targets) == two.stats.latency.count == 40


def test_a_fork_keeps_one_stats_object_for_one_target():
    from serverless_sim.sim import fork, workloads

    cloud = Cloud(seed=1)
    workload(cloud, "one", Constant(10), Call(lambda c, e: None), limit=40)
    cloud.advance(2)
    copy_ = fork(cloud)
    copy_.advance(10)
    cloud.advance(10)
    a, b = workloads(cloud)["one"], workloads(copy_)["one"]
    assert b.stats is b.targets[0].stats and b.stats is not a.stats
    assert a.summary() == b.summary() and b.stats.sent == b.stats.ok == 40
