"""The metric store's archive of old buckets (kernel/metrics.py ``_Buckets``): every reader sees
exactly what a plain store of every value would give, whatever the order of writes (backdated
ones included) and archiving; forks and pickles copy it exactly; memory per archived bucket."""

from __future__ import annotations

import copy
import math
import pickle
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim.kernel import metrics as m
from serverless_sim.kernel.metrics import MetricStore, _Bucket
from serverless_sim.sim.report import metric_count, metric_max, metric_percentiles, metric_sum

MIN = 60_000_000  # one minute in microseconds
T0 = 1_700_000_000 * 1_000_000 // MIN * MIN  # a minute boundary
STATS = ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p0", "p10", "p50", "p90", "p99.9", "p100"]


class Clock:
    def __init__(self) -> None:
        self.now_us = T0


class Model:
    """The reference: every write kept as (time, count, total, minimum, maximum, raw values)."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, float, float, float, float, list[float]]] = []

    def statistics(self, start_us: int, end_us: int, period_s: int, stats: list[str]) -> list[dict]:
        width = period_s * 1_000_000
        groups: dict[int, list] = {}
        for w in self.writes:
            bstart = w[0] - w[0] % MIN
            if start_us <= bstart < end_us:
                groups.setdefault(start_us + (bstart - start_us) // width * width, []).append(w)
        out = []
        for p in sorted(groups):
            ws = groups[p]
            count = sum(w[1] for w in ws)
            total = sum(w[2] for w in ws)
            values = sorted(v for w in ws for v in w[5])
            point: dict = {"timestamp_us": p, "unit": "None"}
            for s in stats:
                if s == "SampleCount":
                    point[s] = count
                elif s == "Sum":
                    point[s] = total
                elif s == "Average":
                    point[s] = total / count if count else math.nan
                elif s == "Minimum":
                    point[s] = min(w[3] for w in ws)
                elif s == "Maximum":
                    point[s] = max(w[4] for w in ws)
                else:
                    q = float(s[1:])
                    rank = max(1, math.ceil(q / 100.0 * len(values)))
                    point[s] = values[min(rank, len(values)) - 1] if values else math.nan
            out.append(point)
        return out


def same(a: object, b: object) -> bool:
    """Equality with NaN equal to NaN, and the same types (a float stays a float)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# values that add exactly in any order, so that the model's sums need no particular order
value = st.integers(-40, 400).map(lambda i: i / 4)
op = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 120)),  # the clock moves on (minutes)
    st.tuples(st.just("put"), value),  # one raw value now
    st.tuples(st.just("count"), value, st.integers(2, 5)),  # a value with Counts
    st.tuples(st.just("set"), value, value, st.integers(1, 9)),  # a statistic set now
    st.tuples(st.just("hot"), value),  # the FunctionMetrics / StageMetrics pattern, now
    st.tuples(st.just("back"), st.integers(0, 3000), value, st.booleans()),  # backdated (seconds * 10)
    st.tuples(st.just("future"), st.integers(0, 400), value),  # ahead of the clock (minutes)
    st.tuples(st.just("fork"),),  # continue on a deep copy of the store
    st.tuples(st.just("pickle"),),  # continue on a pickled copy
)


def apply(store: MetricStore, model: Model, clock: Clock, o: tuple) -> MetricStore:
    kind = o[0]
    if kind == "advance":
        clock.now_us += o[1] * MIN + 7_000_000
    elif kind == "put":
        store.put("App", "M", o[1])
        model.writes.append((clock.now_us, 1.0, o[1], o[1], o[1], [o[1]]))
    elif kind == "count":
        store.put("App", "M", o[1], count=float(o[2]))
        model.writes.append((clock.now_us, float(o[2]), o[1] * o[2], o[1], o[1], []))
    elif kind == "set":
        lo, hi = min(o[1], o[2]), max(o[1], o[2])
        total = lo + hi * (o[3] - 1)
        store.put_statistic_set("App", "M", None, "None", float(o[3]), total, lo, hi)
        model.writes.append((clock.now_us, float(o[3]), total, lo, hi, []))
    elif kind == "hot":
        s = store._get("App", "M", None, "None", 60)
        start = clock.now_us - clock.now_us % MIN
        b = s.buckets.get(start)
        if b is None:
            b = s.buckets[start] = _Bucket()
        v = o[1]
        b.count += 1
        b.total += v
        if v < b.minimum:
            b.minimum = v
        if v > b.maximum:
            b.maximum = v
        b.values.append(v)
        model.writes.append((clock.now_us, 1.0, v, v, v, [v]))
    elif kind == "back":
        t = clock.now_us - o[1] * 10_000_000
        if o[3]:
            store.put("App", "M", o[2], time_us=t)
            model.writes.append((t, 1.0, o[2], o[2], o[2], [o[2]]))
        else:
            store.put_statistic_set("App", "M", None, "None", 2.0, o[2] * 2, o[2], o[2], time_us=t)
            model.writes.append((t, 2.0, o[2] * 2, o[2], o[2], []))
    elif kind == "future":
        t = clock.now_us + o[1] * MIN
        store.put("App", "M", o[2], time_us=t)
        model.writes.append((t, 1.0, o[2], o[2], o[2], [o[2]]))
    elif kind == "fork":
        copied = copy.deepcopy(store)
        assert layout(copied) == layout(store)
        copied._clock = clock
        return copied
    elif kind == "pickle":
        copied = pickle.loads(pickle.dumps(store))
        assert layout(copied) == layout(store)
        copied._clock = clock
        return copied
    return store


def layout(store: MetricStore) -> list:
    """Every series' internal state: live buckets in dict order, archive columns, sweep mark."""
    out = []
    for s in store.list():
        d = s.buckets
        out.append((s.namespace, s.name, s.dimensions,
                    [(k, b.count, b.total, b.minimum, b.maximum, b._values) for k, b in d.items()],
                    d.sweep_at, list(d.starts), list(d.counts), list(d.totals), list(d.minima),
                    list(d.maxima), dict(d.raw)))
    return out


def check(store: MetricStore, model: Model) -> None:
    series = store.series("App", "M")
    if not model.writes:
        assert series is None or series.rows() == []
        return
    lo = min(w[0] for w in model.writes)
    hi = max(w[0] for w in model.writes)
    ranges = [
        (lo - lo % MIN, hi + MIN, 60),
        (lo - lo % MIN, hi + MIN, 300),
        (lo - 90_000_000, hi + 1, 3600),
        (lo + (hi - lo) // 3, lo + 2 * (hi - lo) // 3 + 1, 120),
        (T0 - 5 * MIN, T0 + 200 * MIN, 86_400),
    ]
    for start, end, period in ranges:
        got = store.statistics("App", "M", None, start, end, period, STATS)
        want = model.statistics(start, end, period, STATS)
        assert same(got, want), (start, end, period)
    # the report's totals over the whole series
    assert same(metric_sum(series), float(sum(w[2] for w in model.writes)))
    assert same(metric_count(series), float(sum(w[1] for w in model.writes)))
    assert same(metric_max(series), float(max(w[4] for w in model.writes)))
    raw = sorted(v for w in model.writes for v in w[5])
    got_p = metric_percentiles(series, [50, 99])
    if raw:
        assert got_p["p50"] == raw[max(1, math.ceil(0.5 * len(raw))) - 1]
    else:
        assert got_p["p50"] is None
    assert series is not None
    assert series.has_raw() == bool(raw)
    assert series.bucket_count() == len({w[0] - w[0] % MIN for w in model.writes})
    # the rows are sorted, unique, and live and archived buckets never share a start
    starts = [r.start_us for r in series.rows()]
    assert starts == sorted(set(starts))
    assert not set(series.buckets) & set(series.buckets.starts)
    assert list(series.buckets.starts) == sorted(series.buckets.starts)


@pytest.mark.parametrize("live,every", [(180, 60), (3, 2), (1, 1)])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, max_size=80))
def test_archive_matches_reference(monkeypatch: pytest.MonkeyPatch, live: int, every: int, ops: list) -> None:
    monkeypatch.setattr(m, "LIVE_BUCKETS", live)
    monkeypatch.setattr(m, "SWEEP_EVERY", every)
    clock = Clock()
    store = MetricStore(clock)
    model = Model()
    for i, o in enumerate(ops):
        store = apply(store, model, clock, o)
        if i % 7 == 0:
            check(store, model)
    check(store, model)


@pytest.mark.parametrize("seed", range(4))
def test_long_random_runs_match_reference(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Thousands of writes, a quarter of them backdated: many thaws and out-of-order merges."""
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(m, "LIVE_BUCKETS", rng.choice([2, 5, 30]))
    monkeypatch.setattr(m, "SWEEP_EVERY", rng.choice([1, 3, 10]))
    clock = Clock()
    store = MetricStore(clock)
    model = Model()
    for i in range(3000):
        r = rng.random()
        v = rng.randint(-40, 400) / 4
        if r < 0.25:
            o: tuple = ("advance", rng.randint(0, 4))
        elif r < 0.5:
            o = ("back", rng.randint(0, 6000), v, rng.random() < 0.5)
        elif r < 0.65:
            o = ("hot", v)
        elif r < 0.8:
            o = ("put", v)
        elif r < 0.9:
            o = ("set", v, rng.randint(-40, 400) / 4, rng.randint(1, 9))
        elif r < 0.995:
            o = ("count", v, rng.randint(2, 5))
        else:
            o = (rng.choice(["fork", "pickle"]),)
        store = apply(store, model, clock, o)
        if i % 500 == 499:
            check(store, model)
    check(store, model)


def test_a_week_of_minutes_is_archived_and_queryable() -> None:
    clock = Clock()
    store = MetricStore(clock)
    for i in range(7 * 1440):
        clock.now_us = T0 + i * MIN + 1
        store.put_statistic_set("App", "M", None, "None", 2.0, float(i), 0.0, float(i))
    s = store.series("App", "M")
    assert s is not None
    assert len(s.buckets) <= m.LIVE_BUCKETS + m.SWEEP_EVERY
    assert s.buckets.archived() + len(s.buckets) == 7 * 1440
    pts = store.statistics("App", "M", None, T0, T0 + 7 * 1440 * MIN, 60, ["Sum", "SampleCount", "Maximum"])
    assert [p["Sum"] for p in pts] == [float(i) for i in range(7 * 1440)]
    assert all(p["SampleCount"] == 2.0 for p in pts)
    # a write two weeks back lands in its archived bucket (thawed), and stays correct once re-archived
    clock.now_us = T0 + 3 * MIN + 5
    store.put_statistic_set("App", "M", None, "None", 1.0, 100.0, 100.0, 100.0)
    assert 3 * MIN + T0 in s.buckets
    pt = store.statistics("App", "M", None, T0 + 3 * MIN, T0 + 4 * MIN, 60, ["Sum", "SampleCount", "Maximum"])
    assert pt[0]["Sum"] == 103.0 and pt[0]["SampleCount"] == 3.0 and pt[0]["Maximum"] == 100.0


def test_a_held_bucket_is_not_archived_within_the_horizon() -> None:
    """A writer holding the current minute's bucket (FunctionMetrics, StageMetrics) keeps writing
    into the series' own bucket while other writers move the series up to LIVE_BUCKETS ahead."""
    clock = Clock()
    store = MetricStore(clock)
    s = store._get("AWS/Lambda", "Invocations", None, "Count", 60)
    held = s.buckets[T0] = _Bucket()
    for i in range(1, m.LIVE_BUCKETS + 1):
        s.add_statistic_set(T0 + i * MIN, 1, 1.0, 1.0, 1.0)
        assert s.buckets.get(T0) is held


def test_int_aggregates_stay_exact() -> None:
    """A bucket with a non-float aggregate stays live (a float column would turn 5 into 5.0)."""
    clock = Clock()
    store = MetricStore(clock)
    s = store._get("App", "I", None, "None", 60)
    s.add_statistic_set(T0, 1, 5, 5, 5)
    for i in range(1, 400):
        s.add_statistic_set(T0 + i * MIN, 1.0, 1.0, 1.0, 1.0)
    (pt,) = store.statistics("App", "I", None, T0, T0 + MIN, 60, ["Minimum", "Sum"])
    assert type(pt["Minimum"]) is int and type(pt["Sum"]) is float
    assert s.buckets.archived() > 0


def test_fork_of_a_cloud_copies_the_archive_exactly() -> None:
    from serverless_sim import Cloud

    cloud = Cloud(seed=3, trace="none")
    for i in range(300):
        cloud.metrics.put("App", "M", float(i), time_us=cloud.start_us + i * MIN)
    twin = cloud.fork()
    assert layout(twin.metrics) == layout(cloud.metrics)
    s = cloud.metrics.series("App", "M")
    assert s is not None and s.buckets.archived() > 0
    twin.metrics.put("App", "M", 1.0, time_us=cloud.start_us)  # thaws in the fork only
    assert layout(twin.metrics) != layout(cloud.metrics)
    assert s.rows()[0].sample_count == 1.0


def bytes_per_bucket(n: int, archive: bool) -> float:
    """tracemalloc bytes per one-minute statistic-set bucket of one series over n minutes."""
    saved = m.LIVE_BUCKETS
    if not archive:
        m.LIVE_BUCKETS = 1 << 40
    try:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        clock = Clock()
        store = MetricStore(clock)
        s = store._get("App", "M", None, "None", 60)
        for i in range(n):
            s.add_statistic_set(T0 + i * MIN + 3, 1.0, 0.5 + i, 0.5 + i, 0.5 + i)
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return (after - before) / n
    finally:
        m.LIVE_BUCKETS = saved


def test_memory_per_bucket() -> None:
    plain = bytes_per_bucket(7 * 1440, archive=False)
    packed = bytes_per_bucket(7 * 1440, archive=True)
    print(f"bytes per bucket: {plain:.0f} live, {packed:.0f} archived")
    assert plain > 150
    assert packed < 60
