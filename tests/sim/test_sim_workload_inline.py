"""The workload's inlined per-request steps equal the general ones they replace.

- ``Workload._fire`` inlines ``_arm`` and the Requests series' ``add_statistic_set``;
  ``Workload._record`` inlines ``LatencyHistogram.add_at`` and the Latency series'
  ``add_statistic_set``. The reference below is the code before the inlining (calling the
  general methods); every scenario runs with both and must agree on everything observable:
  counters, histograms, every metric series' rows, the trace digest, events run, and forks.
- ``_dumps`` reuses one C encoder: it stays ``json.dumps(sort_keys=True, default=str)`` after
  errors that leave circular-reference markers behind and for nested calls from ``default``.
"""

from __future__ import annotations

import json
import sys
from bisect import bisect_right
from heapq import heappush

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.services import SERVICES
from serverless_sim.sim import Constant, Daily, Function, Poisson, Route, fork, workload, workloads
from serverless_sim.sim.arrivals import Replay, TraceRow
from serverless_sim.sim.workloads import ERROR, NAMESPACE, OK, THROTTLED, Workload, _dumps, bucket_of

wl_mod = sys.modules["serverless_sim.sim.workloads"]


# -- the reference: Workload._fire / _arm / _record before the inlining --------------------------
def _ref_arm(self, after_us):
    t = self.arrival.next_us(after_us, self.rng)
    if t is None or (self.end_us is not None and t > self.end_us) or (
            self.limit is not None and self.stats.sent >= self.limit):
        self.handle = None
        self.running = False
        return
    sched = self.cloud.scheduler
    sched._seq = seq = sched._seq + 1
    self.handle = entry = (t, seq, self._fire, ())
    heappush(sched._queue, entry)


def _ref_fire(self):
    now = self.cloud.clock.now_us
    arrival = self.arrival
    if arrival.idle:
        self._arm(now)
        return
    row = arrival.current if type(arrival) is Replay else None
    stats = self.stats
    i = stats.sent
    stats.sent = i + 1
    targets = self.targets
    if row is not None and row.target is not None:
        target = self._by_name(row.target)
    elif len(targets) == 1:
        target = targets[0]
    else:
        target = targets[bisect_right(self.cumulative, self.rng.random() * self.cumulative[-1])]
    ts = target.stats
    if ts is not stats:
        ts.sent += 1
    if row is not None and row.payload is not None:
        event = row.payload
    else:
        ev = self.event
        event = ev(i, self.rng) if callable(ev) else ev
    series = self._series
    if series is not None:
        series[0].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
    self._arm(now)
    target.send(event, now)


def _ref_record(self, target, latency_us, outcome):
    a, b = self.stats, target.stats
    both = b is not a
    if outcome == OK:
        a.ok += 1
        if both:
            b.ok += 1
    elif outcome == ERROR:
        a.errors += 1
        if both:
            b.errors += 1
    else:
        a.throttled += 1
        if both:
            b.throttled += 1
    if outcome != THROTTLED:
        i = bucket_of(latency_us)
        a.latency.add_at(i, latency_us)
        if both:
            b.latency.add_at(i, latency_us)
    series = self._series
    if series is not None:
        now = self.cloud.clock.now_us
        if outcome == ERROR:
            series[1].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        elif outcome == THROTTLED:
            series[2].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        if outcome != THROTTLED:
            ms = latency_us / 1000
            if self.latency_samples:
                series[3].add(now, ms)
            else:
                series[3].add_statistic_set(now, 1, ms, ms, ms)


@pytest.fixture
def reference(monkeypatch):
    """Switch Workload to the reference (general) steps."""
    def use():
        monkeypatch.setattr(Workload, "_arm", _ref_arm)
        monkeypatch.setattr(Workload, "_fire", _ref_fire)
        monkeypatch.setattr(Workload, "_record", _ref_record)
    return use


# -- scenarios --------------------------------------------------------------------------------------
def _handler(event, context):
    body = json.loads(event["body"]) if "body" in event else event
    if body["i"] % 7 == 3:
        raise ValueError("boom")
    return {"statusCode": 500 if body["i"] % 5 == 0 else 200, "body": "ok"}


def _payload(i, rng):
    return {"i": i, "who": f"c{rng.randrange(50)}", "n": rng.randrange(5)}


ARRIVALS = {
    "daily": lambda: Daily(mean=40, amplitude=0.8),
    "poisson": lambda: Poisson(30),
    "constant": lambda: Constant(25),
    "replay": lambda: Replay([TraceRow(k * 0.013, None, {"i": k}) for k in range(300)]),
}


def _build(seed, arrival, kind, samples, metrics, limit, duration, concurrency):
    cloud = Cloud(seed=seed, trace="none" if seed % 2 else "all")
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", _handler, memory=256, duration=0.05, virtual_time=False)
    if concurrency:
        lam.put_function_concurrency({"FunctionName": "f", "ReservedConcurrentExecutions": concurrency})
    if kind == "route":
        api = cloud.service("apigateway").create_http_api("a", {"POST /x": "f"})
        targets = Route(api, "POST", "/x")
    elif kind == "function":
        targets = Function("f")
    else:
        api = cloud.service("apigateway").create_http_api("a", {"POST /x": "f"})
        targets = [(2, Route(api, "POST", "/x")), (1, Function("f"))]
    workload(cloud, "w", ARRIVALS[arrival](), targets, event=_payload, latency_samples=samples,
             metrics=metrics, limit=limit, duration=duration)
    return cloud


def _observe(cloud):
    wl = workloads(cloud)["w"]
    out = {"summary": wl.summary(), "events": cloud.scheduler.events_run, "digest": cloud.trace.digest(),
           "running": wl.running, "pending": cloud.scheduler.pending}
    for t in [wl, *wl.targets]:
        h = t.stats.latency
        out[f"hist {getattr(t, 'name', '')}"] = (dict(h.buckets), h.count, h.total_us, h.min_us, h.max_us)
    for s in cloud.metrics.list():
        out[f"series {s.namespace} {s.name} {s.dimensions}"] = [tuple(r[:5]) + (list(r[5]),) for r in s.rows()]
    return out


needs_gateway = pytest.mark.skipif("apigateway" not in SERVICES, reason="API Gateway is not registered")


@needs_gateway
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 50), arrival=st.sampled_from(sorted(ARRIVALS)),
       kind=st.sampled_from(["route", "function", "mix"]), samples=st.booleans(), metrics=st.booleans(),
       limit=st.sampled_from([None, 1, 37]), duration=st.sampled_from([None, 3.3]),
       concurrency=st.sampled_from([None, 1, 2]), fork_at=st.sampled_from([None, 1.234, 4.0]))
def test_inlined_workload_equals_the_general_steps(reference, monkeypatch, seed, arrival, kind, samples,
                                                   metrics, limit, duration, concurrency, fork_at):
    def run():
        cloud = _build(seed, arrival, kind, samples, metrics, limit, duration, concurrency)
        if fork_at is None:
            cloud.advance(8)
            return [_observe(cloud)]
        cloud.advance(fork_at)  # requests in flight
        copy_ = fork(cloud)
        copy_.advance(8 - fork_at)
        cloud.advance(8 - fork_at)
        return [_observe(cloud), _observe(copy_)]

    fast = run()
    monkeypatch.undo()
    reference()
    general = run()
    monkeypatch.undo()
    assert fast == general
    if len(fast) == 2:
        a, b = fast
        assert a == b  # the fork carries on exactly


@needs_gateway
def test_fork_rebinds_the_cached_pieces_to_the_copy():
    cloud = _build(3, "daily", "mix", False, True, None, None, None)
    cloud.advance(1.5)
    copy_ = fork(cloud)
    for c in (cloud, copy_):
        wl = workloads(c)["w"]
        assert wl._clock is c.clock and wl._sched is c.scheduler
        assert wl._requests is wl._series[0].buckets and wl._latency is wl._series[3].buckets
        assert c.metrics.series(NAMESPACE, "Requests", {"Workload": "w"}) is wl._series[0]
        route, function = wl.targets
        assert isinstance(route, Route) and route._on_response.__self__ is route
        assert isinstance(function, Function) and function._on_complete.__self__ is function
    a, b = workloads(cloud)["w"], workloads(copy_)["w"]
    assert a._requests is not b._requests and a.targets[0]._on_response != b.targets[0]._on_response


def test_metrics_off_writes_no_series():
    cloud = Cloud(seed=1)
    wl = workload(cloud, "w", Poisson(20), lambda c, e: None, metrics=False)
    cloud.advance(3)
    assert wl._requests is None and wl._latency is None and wl.stats.sent > 0
    assert cloud.metrics.list(namespace=NAMESPACE) == []


# -- _dumps: one shared C encoder ---------------------------------------------------------------------
def _ref_dumps(v):
    return json.dumps(v, sort_keys=True, default=str)


def test_dumps_recovers_after_a_circular_reference():
    a: dict = {"x": 1}
    a["self"] = [a]
    with pytest.raises(ValueError, match="Circular"):
        _dumps(a)
    with pytest.raises(ValueError, match="Circular"):
        _ref_dumps(a)
    assert not wl_mod._MARKERS
    for v in ({"x": [1, {"y": 2}]}, [a["x"], "t"], {"a": {"b": {"c": [1, 2]}}}):
        assert _dumps(v) == _ref_dumps(v)
    shared = [1, 2]
    v = {"p": shared, "q": shared, "r": [shared, shared]}  # the same list twice is not circular
    assert _dumps(v) == _ref_dumps(v)


def test_dumps_recovers_after_type_errors():
    for bad in ({1: 2, "a": 3}, {"a": {(1, 2): 3}}):
        with pytest.raises(TypeError):
            _dumps(bad)
        assert not wl_mod._MARKERS
        assert _dumps({"b": [1], "a": {"c": None}}) == _ref_dumps({"b": [1], "a": {"c": None}})


class _Nested:
    """``default=str`` calls ``__str__``, which encodes in turn (the shared encoder is busy)."""

    def __init__(self, inner):
        self.inner = inner

    def __str__(self):
        return _dumps(self.inner)


class _NestedRef(_Nested):
    def __str__(self):
        return _ref_dumps(self.inner)


def test_dumps_nested_call_from_default():
    inner = {"z": [1, 2, {"k": "v"}], "a": 1.5}
    got = _dumps({"outer": [_Nested(inner), {"x": _Nested([inner, inner])}]})
    want = _ref_dumps({"outer": [_NestedRef(inner), {"x": _NestedRef([inner, inner])}]})
    assert got == want
    assert not wl_mod._MARKERS


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=6),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_json, min_size=1, max_size=4))
def test_dumps_equals_json_dumps_call_after_call(values):
    for v in values:
        assert _dumps(v) == _ref_dumps(v)
        assert not wl_mod._MARKERS
