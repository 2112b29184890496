"""Arrival processes and workload targets."""

from __future__ import annotations

import io
import json
import math
import random

import pytest

from serverless_sim import Cloud, SimError
from serverless_sim.sim import (
    Bucket, Bursts, Call, Constant, Curve, Daily, Function, Poisson, Queue, Replay, StateMachine, Table, Weekly,
    workload, workloads,
)
from serverless_sim.sim.workloads import LatencyHistogram, parse_duration_us

START = 1767225600 * 10**6  # 2026-01-01T00:00:00Z (a Thursday)


def arrivals(proc, seconds, seed=1, start=START):
    rng = random.Random(seed)
    proc.start(start)
    out, t = [], start
    while True:
        t = proc.next_us(t, rng)
        if t is None or t > start + seconds * 10**6:
            return out
        if not getattr(proc, "idle", False):
            out.append(t)


def test_constant_is_exact_without_drift():
    ts = arrivals(Constant(3), 86_400)
    assert len(ts) == 3 * 86_400
    assert ts[-1] == START + 86_400 * 10**6
    assert ts[0] == START + 333_333 and ts[2] == START + 1_000_000


def test_poisson_mean():
    ts = arrivals(Poisson(20), 3600)
    assert abs(len(ts) - 72_000) < 4 * math.sqrt(72_000)


def test_daily_curve_mean_and_shape():
    ts = arrivals(Daily(mean=10, amplitude=0.5, peak_hour=14), 86_400)
    assert abs(len(ts) - 864_000) < 4 * math.sqrt(864_000)
    per_hour = [0] * 24
    for t in ts:
        per_hour[(t - START) // 3_600_000_000] += 1
    assert per_hour.index(max(per_hour)) in (13, 14, 15)
    assert per_hour.index(min(per_hour)) in (1, 2, 3)
    assert 2.5 < max(per_hour) / min(per_hour) < 3.5   # (1 + 0.5) / (1 - 0.5)


def test_weekly_weekend_is_quieter_and_mean_kept():
    w = Weekly(mean=2, days=(1, 1, 1, 1, 1, 0.5, 0.5))
    ts = arrivals(w, 7 * 86_400)
    assert abs(len(ts) - 2 * 7 * 86_400) < 4 * math.sqrt(2 * 7 * 86_400)
    by_day = [0] * 7
    for t in ts:
        by_day[((t // 10**6) // 86_400 + 3) % 7] += 1
    assert by_day[5] < 0.6 * by_day[0] and by_day[6] < 0.6 * by_day[2]


def test_curve_with_a_long_zero_rate_wakes_idle():
    cloud = Cloud(seed=1)
    seen = []
    wl = workload(cloud, "c", Curve(lambda s: 5.0 if s < 10 or s > 3000 else 0.0, max_rate=5),
                  lambda c, e: seen.append(c.now_us))
    cloud.advance(3100)
    assert wl.stats.sent == len(seen)
    quiet = [t for t in seen if 11 * 10**6 < t - cloud.start_us < 3000 * 10**6]
    assert quiet == [] and len(seen) > 400


def test_bursts_and_curve():
    b = Bursts(base=1, peak=50, every=60, length=6)
    ts = arrivals(b, 600)
    in_burst = sum(1 for t in ts if (t - START) % 60_000_000 < 6_000_000)
    assert in_burst > 0.7 * len(ts)
    assert b.mean_rate == pytest.approx(50 * 0.1 + 1 * 0.9)
    c = Curve(lambda s: 10.0 if s < 100 else 0.0, max_rate=10)
    ts = arrivals(c, 200)
    assert all(t - START < 100 * 10**6 + 10**6 for t in ts) and abs(len(ts) - 1000) < 150
    with pytest.raises(SimError):
        Daily(mean=1, amplitude=2)
    with pytest.raises(SimError):
        Poisson(0)


def test_replay_from_csv():
    text = "time,target,payload\n2026-01-01T00:00:10Z,a,{\"x\": 1}\n2026-01-01T00:00:12.5Z,b,\n2026-01-01T00:00:12.5Z,a,7\n"
    r = Replay.from_csv(io.StringIO(text), json_payload=True)
    assert [row.offset_s for row in r.rows] == [0, 2.5, 2.5]
    cloud = Cloud(seed=1)
    got = []
    wl = workload(cloud, "replay", r, {Call(lambda c, e: got.append(("a", e)), name="a"): 1,
                                       Call(lambda c, e: got.append(("b", e)), name="b"): 1},
                  event="default", start=5)
    cloud.advance(60)
    assert got == [("a", {"x": 1}), ("b", "default"), ("a", 7)]
    assert wl.stats.sent == 3 and not wl.running
    numeric = Replay.from_csv(io.StringIO("time\n100\n101.5\n"), target=None, payload=None, speed=2)
    assert numeric.rows[1].offset_s == 1.5 and numeric.mean_rate == pytest.approx(4 / 3)


def test_streams_are_independent():
    def run(extra):
        cloud = Cloud(seed=9)
        seen = []
        workload(cloud, "a", Poisson(5), lambda c, e: seen.append(c.now_us), limit=50)
        if extra:
            workload(cloud, "b", Poisson(7), lambda c, e: None)
        cloud.advance(100)
        return seen

    assert run(False) == run(True)


def test_function_target_latency_cold_starts_and_throttles():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: e, duration=0.5, init_duration=0.2)
    lam.put_function_concurrency({"FunctionName": "f", "ReservedConcurrentExecutions": 2})
    wl = workload(cloud, "w", Constant(10), Function("f"), limit=100)
    cloud.advance(30)
    s = wl.summary()
    assert s["sent"] == 100 and s["pending"] == 0
    assert s["throttled"] > 0 and s["ok"] + s["throttled"] == 100
    assert s["max_ms"] == pytest.approx(700)   # a cold start: 200 ms Init + 500 ms
    assert s["p50_ms"] == pytest.approx(500, rel=0.01)
    assert lam.stats("f")["throttles"] == s["throttled"]


def test_queue_bucket_table_state_machine_call_targets():
    cloud = Cloud(seed=1)
    cloud.service("sqs").create_queue("jobs")
    cloud.service("s3").create_bucket("bkt-sim")
    cloud.dynamodb.config.throughput.initial_burst = False
    cloud.dynamodb.create_table("tbl", hash_key=("pk", "S"), billing_mode="PROVISIONED", read_capacity=1,
                                write_capacity=1)
    sfn = cloud.service("stepfunctions")
    sfn.create_state_machine({"name": "m", "roleArn": "arn:aws:iam::123456789012:role/r", "definition": json.dumps(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}})})
    calls = []
    wl = workload(cloud, "mix", Constant(20), [
        (1, Queue("jobs")), (1, Bucket("bkt-sim", key="k/{i}")), (1, Table("tbl")), (1, StateMachine("m")),
        (1, Call(lambda c, e: calls.append(e)))], event=lambda i, rng: {"pk": f"p{i}", "i": i}, duration=10)
    cloud.advance(30)
    t = {k: v for k, v in wl.summary()["targets"].items()}
    assert sum(v["sent"] for v in t.values()) == wl.stats.sent == 200
    assert t["sqs:jobs"]["ok"] == cloud.service("sqs").queues["jobs"].counts()[0] > 0
    assert t["s3:bkt-sim:put"]["ok"] == len(cloud.service("s3").keys("bkt-sim"))
    assert t["dynamodb:tbl:put"]["throttled"] > 0   # 1 WCU, no burst
    assert t["states:m"]["ok"] == t["states:m"]["sent"] and t["states:m"]["p50_ms"] == pytest.approx(2000)
    assert len(calls) == t[next(k for k in t if k.startswith("call:"))]["ok"]
    assert wl.stats.sent == 200 and not wl.running   # duration 10 s at 20/s


def test_workload_errors_and_controls():
    cloud = Cloud(seed=1)
    with pytest.raises(SimError):
        workload(cloud, "w", Constant(1), [])
    wl = workload(cloud, "w", Constant(1), lambda c, e: None)
    with pytest.raises(SimError, match="already exists"):
        workload(cloud, "w", Constant(1), lambda c, e: None)
    cloud.advance(5)
    wl.stop()
    cloud.advance(5)
    assert wl.stats.sent == 5 and workloads(cloud) == {"w": wl}
    assert "Workload" in wl._repr_html_()


def test_latency_histogram_percentiles_within_one_percent():
    h = LatencyHistogram()
    values = list(range(1, 10_001))
    for v in values:
        h.add(v * 1000)
    for p in (50, 90, 99):
        exact = values[math.ceil(p / 100 * len(values)) - 1] * 1000
        assert h.percentile(p) == pytest.approx(exact, rel=0.011)
    assert h.percentile(100) == 10_000_000 and h.count == 10_000


def test_parse_duration():
    assert parse_duration_us("30d") == 30 * 86_400 * 10**6
    assert parse_duration_us("1d12h") == 36 * 3600 * 10**6
    assert parse_duration_us("90s") == 90 * 10**6
    assert parse_duration_us(1.5) == 1_500_000
    with pytest.raises(SimError):
        parse_duration_us("soon")


def test_route_target_through_api_gateway():
    from serverless_sim.services import SERVICES

    if "apigateway" not in SERVICES:
        pytest.skip("API Gateway is not registered")
    from serverless_sim.sim import Route, report

    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")

    def handler(event, context):
        body = json.loads(event["body"])
        return {"statusCode": 500 if body["i"] % 10 == 0 else 200, "body": "ok"}

    lam.create_function_from_callable("api", handler, duration=0.05, init_duration=0.1)
    api = cloud.service("apigateway").create_http_api("shop", {"POST /orders": "api"})
    wl = workload(cloud, "web", Constant(5), Route(api, "POST", "/orders"), limit=50,
                  event=lambda i, rng: {"i": i})
    cloud.advance(30)
    s = wl.summary()
    assert s["sent"] == 50 and s["errors"] == 5 and s["ok"] == 45
    assert s["p50_ms"] == pytest.approx(50, rel=0.02) and s["max_ms"] == pytest.approx(150, rel=0.02)
    rep = report(cloud)
    (stage,) = rep.services["apigateway"].values()
    assert stage["type"] == "HTTP" and stage["requests"] == 50 and stage["5xx"] == 5
    assert sum(l.cost for l in rep.cost_lines if l.service == "apigateway") == pytest.approx(50 * 1.00 / 1e6)
