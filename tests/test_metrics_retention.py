"""CloudWatch's retention schedule in the metric store (kernel/metrics.py ``_Buckets._retain``) and
at the API (observability/cloudwatch.py): high-resolution data older than 3 hours becomes
one-minute rows, data older than 15 days five-minute rows, older than 63 days one-hour rows, older
than 455 days is dropped (relative to the series' newest bucket, up to RETAIN_EVERY + SWEEP_EVERY
buckets late); every aggregate of the data kept stays exact at the resolution kept; the API's
Period and StartTime rules and PutMetricData's two-week limit; forks and pickles; memory bound.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.kernel import metrics as m
from serverless_sim.kernel.metrics import MetricStore
from serverless_sim.sim.report import metric_count, metric_sum

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
T0 = 1_700_000_000 * SEC // DAY * DAY  # a day boundary


class Clock:
    def __init__(self) -> None:
        self.now_us = T0


def layout(store: MetricStore) -> list:
    out = []
    for s in store.list():
        d = s.buckets
        out.append((s.name, [(k, b.count, b.total, b.minimum, b.maximum, b._values) for k, b in d.items()],
                    d.sweep_at, d.retain_at, list(d.marks), list(d.starts), list(d.counts),
                    list(d.totals), list(d.minima), list(d.maxima), dict(d.raw)))
    return out


def groups_of_rows(rows: list, lo: int, g: int) -> dict:
    out: dict = {}
    for r in rows:
        if r.start_us < lo:
            continue
        k = r.start_us - r.start_us % g
        a = out.setdefault(k, [0.0, 0.0, math.inf, -math.inf, []])
        a[0] += r.sample_count
        a[1] += r.total
        a[2] = min(a[2], r.minimum)
        a[3] = max(a[3], r.maximum)
        a[4].extend(r.raw)
    for a in out.values():
        a[4] = sorted(a[4])
    return out


def groups_of_writes(writes: list, lo: int, g: int, width: int) -> dict:
    out: dict = {}
    for t, c, tot, mn, mx, raw in writes:
        b = t - t % width
        if b < lo:
            continue
        k = b - b % g
        a = out.setdefault(k, [0.0, 0.0, math.inf, -math.inf, []])
        a[0] += c
        a[1] += tot
        a[2] = min(a[2], mn)
        a[3] = max(a[3], mx)
        a[4].extend(raw)
    for a in out.values():
        a[4] = sorted(a[4])
    return out


def check(store: MetricStore, name: str, writes: list, newest: int) -> None:
    """Everything kept is exact at the resolution kept; the marks follow the schedule."""
    s = store.series("App", name)
    if s is None:
        return
    d = s.buckets
    width = d.width
    rows = s.rows()
    starts = [r.start_us for r in rows]
    assert starts == sorted(set(starts))
    assert list(d.starts) == sorted(set(d.starts))
    tiers = [(age, w) for age, w in m.RETENTION_TIERS if w * SEC > width]
    marks = d.marks
    expiry = marks[-1]
    # nothing archived before the expiry mark; archived rows aligned to their tier's width
    assert not d.starts or d.starts[0] >= expiry
    for k in d.starts:
        assert k % d._tier_width(k) == 0
    # the schedule, at most RETAIN_EVERY + SWEEP_EVERY buckets late
    lag = (m.RETAIN_EVERY + m.SWEEP_EVERY) * width
    for i, (age, w) in enumerate(m.RETENTION_TIERS):
        if w * SEC > width:
            assert newest - age * SEC - lag - w * SEC < marks[i] <= newest - age * SEC
        else:
            assert marks[i] == -(1 << 62)
    assert newest - m.EXPIRY_S * SEC - lag - HOUR < expiry <= newest - m.EXPIRY_S * SEC
    # aggregates: per hour over everything kept, per tier width from that tier's mark on, and per
    # bucket from the finest aggregated tier's mark on
    levels = [(expiry, HOUR)]
    for i, (_, w) in reversed(list(enumerate(m.RETENTION_TIERS))):
        if w * SEC > width:
            finer = [w2 for _, w2 in m.RETENTION_TIERS[:i] if w2 * SEC > width]
            levels.append((marks[i], (finer[-1] if finer else 0) * SEC or width))
    for lo, g in levels:
        assert groups_of_rows(rows, lo, g) == groups_of_writes(writes, lo, g, width), (lo, g)


value = st.integers(-40, 400).map(lambda i: i / 4)
op = st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 40 * 24 * 60)),  # minutes (up to 40 days)
    st.tuples(st.just("burst"), st.integers(1, 30), value),  # one write a minute for n minutes
    st.tuples(st.just("put"), value),
    st.tuples(st.just("set"), value, st.integers(1, 9)),
    st.tuples(st.just("back"), st.integers(0, 80 * 24 * 60), value),  # backdated (minutes)
    st.tuples(st.just("back"), st.integers(0, 500 * 24 * 60), value),  # far back, maybe expired
    st.tuples(st.just("copy"), st.booleans()),  # continue on a deep copy or a pickled copy
)


def run(ops: list, resolution: int) -> None:
    clock = Clock()
    store = MetricStore(clock)
    writes: list = []
    width = resolution * SEC
    newest = -(1 << 62)

    def put(t: int, v: float, c: float = 1.0, stat: bool = False) -> None:
        nonlocal newest
        if stat:
            store.put_statistic_set("App", "M", None, "None", c, v * c, v, v, time_us=t,
                                    storage_resolution=resolution)
            writes.append((t, c, v * c, v, v, []))
        else:
            store.put("App", "M", v, time_us=t, storage_resolution=resolution)
            writes.append((t, 1.0, v, v, v, [v]))
        newest = max(newest, t - t % width)

    for o in ops:
        kind = o[0]
        if kind == "advance":
            clock.now_us += o[1] * MIN + 7 * SEC
        elif kind == "burst":
            for j in range(o[1]):
                put(clock.now_us, o[2] + j)
                clock.now_us += MIN if resolution == 60 else 13 * SEC
        elif kind == "put":
            put(clock.now_us, o[1])
        elif kind == "set":
            put(clock.now_us, o[1], float(o[2]), stat=True)
        elif kind == "back":
            put(clock.now_us - o[1] * MIN - 3 * SEC, o[2])
        else:
            copied = copy.deepcopy(store) if o[1] else pickle.loads(pickle.dumps(store))
            assert layout(copied) == layout(store)
            copied._clock = clock
            store = copied
        check(store, "M", writes, newest)


@pytest.mark.parametrize("resolution", [60, 1])
@pytest.mark.parametrize("live,every,retain", [(180, 60, 360), (3, 2, 5), (1, 1, 1)])
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, max_size=60))
def test_retention_matches_reference(monkeypatch: pytest.MonkeyPatch, resolution: int, live: int,
                                     every: int, retain: int, ops: list) -> None:
    monkeypatch.setattr(m, "LIVE_BUCKETS", live)
    monkeypatch.setattr(m, "SWEEP_EVERY", every)
    monkeypatch.setattr(m, "RETAIN_EVERY", retain)
    run(ops, resolution)


def minute_series(days: int) -> tuple[MetricStore, Clock]:
    clock = Clock()
    store = MetricStore(clock)
    s = store._get("App", "M", None, "None", 60)
    for i in range(days * 1440):
        s.add_statistic_set(T0 + i * MIN + 3, 1.0, float(i % 100), float(i % 100), float(i % 100))
    clock.now_us = T0 + days * DAY
    return store, clock


def test_memory_is_bounded_by_the_schedule() -> None:
    store, _ = minute_series(100)
    s = store.series("App", "M")
    assert s is not None
    want = 15 * 1440 + 48 * 288 + 37 * 24
    assert want - 50 <= s.bucket_count() <= want + (m.RETAIN_EVERY + m.SWEEP_EVERY)
    # rows: one-hour ones first, then five-minute ones, then one-minute ones
    rows = s.rows()
    widths = [b.start_us - a.start_us for a, b in zip(rows, rows[1:])]
    assert widths[0] == HOUR and widths[-1] == MIN and sorted(widths, reverse=True) == widths
    # the sums over the whole series are those of every write (nothing expired yet)
    assert metric_sum(s) == float(sum(i % 100 for i in range(100 * 1440)))
    assert metric_count(s) == 100 * 1440


def test_memory_is_flat_past_455_days() -> None:
    clock = Clock()
    store = MetricStore(clock)
    s = store._get("App", "M", None, "None", 60)
    counts = []
    for day in range(520):  # one write every 10 minutes (kept cheap), a count a simulated month
        for j in range(144):
            s.add_statistic_set(T0 + day * DAY + j * 10 * MIN, 1.0, 1.0, 1.0, 1.0)
        if day % 30 == 29:
            counts.append(s.bucket_count())
    assert counts[-1] == counts[-2]  # flat
    assert counts[-1] <= 15 * 144 + 48 * 288 + 392 * 24 + m.RETAIN_EVERY + m.SWEEP_EVERY
    first = s.rows()[0].start_us
    newest = T0 + 519 * DAY
    assert newest - m.EXPIRY_S * SEC - DAY < first


def test_backdated_write_into_aggregated_and_expired_ranges() -> None:
    store, clock = minute_series(80)
    s = store.series("App", "M")
    assert s is not None
    d = s.buckets
    t = T0 + 20 * DAY + 7 * MIN  # in the one-hour range
    (before,) = store.statistics("App", "M", None, T0 + 20 * DAY, T0 + 20 * DAY + HOUR, 3600, ["Sum", "SampleCount"])
    store.put_statistic_set("App", "M", None, "None", 1.0, 1000.0, 1000.0, 1000.0, time_us=t)
    store.put_statistic_set("App", "M", None, "None", 1.0, 5.0, 5.0, 5.0, time_us=T0 + 100 * DAY)  # a sweep
    (after,) = store.statistics("App", "M", None, T0 + 20 * DAY, T0 + 20 * DAY + HOUR, 3600,
                                ["Sum", "SampleCount", "Maximum"])
    assert after["Sum"] == before["Sum"] + 1000 and after["SampleCount"] == before["SampleCount"] + 1
    assert after["Maximum"] == 1000.0
    assert t - t % HOUR in set(d.starts) and t not in d and t not in set(d.starts)
    # far past the expiry: dropped at the next sweep
    n = s.bucket_count()
    store.put_statistic_set("App", "M", None, "None", 1.0, 1.0, 1.0, 1.0, time_us=T0 - 400 * DAY)
    store.put_statistic_set("App", "M", None, "None", 1.0, 1.0, 1.0, 1.0, time_us=T0 + 101 * DAY)
    assert T0 - 400 * DAY not in d and s.rows()[0].start_us >= T0
    assert s.bucket_count() <= n + 1


def test_fork_and_pickle_of_an_aggregated_series() -> None:
    cloud = Cloud(seed=3, trace="none")
    s = cloud.metrics._get("App", "M", None, "None", 60)
    for i in range(70 * 1440 // 7):
        s.add(cloud.start_us + i * 7 * MIN, float(i % 17))
    assert s.buckets.marks[-2] > cloud.start_us  # the one-hour tier has started
    twin = cloud.fork()
    assert layout(twin.metrics) == layout(cloud.metrics)
    back = pickle.loads(pickle.dumps(cloud.metrics))
    assert layout(back) == layout(cloud.metrics)
    for store in (cloud.metrics, twin.metrics, back):
        for i in range(3000):
            store.put("App", "M", 1.0, time_us=cloud.start_us + 70 * DAY + i * MIN)
    assert layout(twin.metrics) == layout(cloud.metrics) == layout(back)


def test_old_pickles_restore_without_marks() -> None:
    d = m._restore_buckets(MIN, {}, 0, *(x for x in m._Buckets(MIN).__reduce__()[1][3:9]))
    assert d.marks == [-(1 << 62)] * (len(m.RETENTION_TIERS) + 1)


# -- the API ---------------------------------------------------------------------------------


def api_cloud() -> tuple[Cloud, object]:
    """A Cloud 80 days on, with one value a minute for 80 days (written through the store: the
    API refuses timestamps older than two weeks) and high-resolution data for the last 5 hours."""
    cloud = Cloud(start="2026-01-01T00:00:00Z", trace="none")
    start = cloud.start_us
    s = cloud.metrics._get("App", "M", None, "Count", 60)
    for i in range(80 * 1440):
        s.add(start + i * MIN + 1, float(i % 7))
    h = cloud.metrics._get("App", "H", None, "Count", 1)
    for i in range(5 * 3600):
        h.add(start + 80 * DAY - 5 * HOUR + i * SEC, 1.0)
    cloud.advance(80 * 86400)
    return cloud, cloud.client("cloudwatch")


def expected_sums(lo_min: int, hi_min: int, per: int) -> list[float]:
    return [float(sum(i % 7 for i in range(a, min(a + per, hi_min)))) for a in range(lo_min, hi_min, per)]


def test_api_period_rule_and_start_rounding() -> None:
    cloud, cw = api_cloud()
    now = cloud.now

    def stats(start: dt.datetime, end: dt.datetime, period: int, name: str = "M") -> list:
        r = cw.get_metric_statistics(Namespace="App", MetricName=name, StartTime=start, EndTime=end,
                                     Period=period, Statistics=["Sum"])
        return sorted(r["Datapoints"], key=lambda p: p["Timestamp"])

    def data(start: dt.datetime, end: dt.datetime, period: int, name: str = "M") -> list:
        r = cw.get_metric_data(StartTime=start, EndTime=end, ScanBy="TimestampAscending",
                               MetricDataQueries=[{"Id": "q", "MetricStat": {
                                   "Metric": {"Namespace": "App", "MetricName": name},
                                   "Period": period, "Stat": "Sum"}}])
        return r["MetricDataResults"][0]["Values"]

    # under 15 days: one-minute periods
    s = now - dt.timedelta(days=2)
    got = stats(s, s + dt.timedelta(minutes=10), 60)
    assert [p["Sum"] for p in got] == expected_sums(78 * 1440, 78 * 1440 + 10, 1)
    # between 15 and 63 days: a multiple of 300, else no data points (both APIs)
    s = now - dt.timedelta(days=20)
    assert stats(s, s + dt.timedelta(hours=1), 60) == [] and data(s, s + dt.timedelta(hours=1), 60) == []
    got = stats(s, s + dt.timedelta(hours=1), 300)
    assert [p["Sum"] for p in got] == expected_sums(60 * 1440, 60 * 1440 + 60, 5)
    assert data(s, s + dt.timedelta(hours=1), 600) == expected_sums(60 * 1440, 60 * 1440 + 60, 10)
    # StartTime is rounded down to 5 minutes there
    got = stats(s + dt.timedelta(minutes=2, seconds=34), s + dt.timedelta(hours=1), 300)
    assert got[0]["Timestamp"] == s and [p["Sum"] for p in got] == expected_sums(60 * 1440, 60 * 1440 + 60, 5)
    # beyond 63 days: a multiple of 3600, StartTime rounded down to the hour
    s = now - dt.timedelta(days=70)
    assert stats(s, s + dt.timedelta(hours=3), 300) == []
    got = stats(s + dt.timedelta(minutes=17), s + dt.timedelta(hours=3), 3600)
    assert got[0]["Timestamp"] == s
    assert [p["Sum"] for p in got] == expected_sums(10 * 1440, 10 * 1440 + 180, 60)
    # high resolution: periods under 60 s only within 3 hours
    s = now - dt.timedelta(hours=4)
    assert stats(s, s + dt.timedelta(minutes=5), 1, "H") == []
    assert [p["Sum"] for p in stats(s, s + dt.timedelta(minutes=5), 60, "H")] == [60.0] * 5
    s = now - dt.timedelta(hours=1)
    assert [p["Sum"] for p in stats(s, s + dt.timedelta(seconds=20), 10, "H")] == [10.0, 10.0]
    assert [p["Sum"] for p in stats(s + dt.timedelta(seconds=3), s + dt.timedelta(seconds=20), 10, "H")] == [10.0, 10.0]
    # the store aggregated the high-resolution data older than 3 hours (plus its lag) per minute
    h = cloud.metrics.series("App", "H")
    old = [r for r in h.rows() if r.start_us < cloud.now_us - 3 * HOUR - 9 * MIN]
    assert old and all(r.start_us % MIN == 0 and r.sample_count == 60.0 for r in old)


def test_api_expiry_after_455_days() -> None:
    cloud = Cloud(start="2026-01-01T00:00:00Z", trace="none")
    start = cloud.start_us
    cloud.metrics.put("App", "M", 1.0, time_us=start)
    cloud.metrics.put("App", "M", 2.0, time_us=start + 60 * DAY)
    cloud.advance(460 * 86400)
    cw = cloud.client("cloudwatch")
    r = cw.get_metric_statistics(Namespace="App", MetricName="M", StartTime=cloud.now - dt.timedelta(days=470),
                                 EndTime=cloud.now, Period=86400, Statistics=["Sum"])
    assert [p["Sum"] for p in r["Datapoints"]] == [2.0]  # the store keeps both (no write since)


def test_put_metric_data_timestamp_limits() -> None:
    cloud = Cloud(start="2026-01-01T00:00:00Z", trace="none")
    cloud.advance(30 * 86400)
    cw = cloud.client("cloudwatch")
    ok = [cloud.now - dt.timedelta(days=13, hours=23), cloud.now + dt.timedelta(hours=1, minutes=59)]
    for t in ok:
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "M", "Value": 1.0, "Timestamp": t}])
    for t in (cloud.now - dt.timedelta(days=14, seconds=1), cloud.now + dt.timedelta(hours=2, seconds=1)):
        with pytest.raises(Exception) as e:
            cw.put_metric_data(Namespace="App", MetricData=[
                {"MetricName": "M", "Value": 1.0},
                {"MetricName": "M", "Value": 1.0, "Timestamp": t}])
        assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert "MetricData.member.2.Timestamp" in e.value.response["Error"]["Message"]
    s = cloud.metrics.series("App", "M")
    assert s is not None and metric_count(s) == 2.0  # nothing half-written


def test_api_period_too_fine_for_old_data_returns_the_recent_range_only() -> None:
    cloud, cw = api_cloud()
    r = cw.get_metric_statistics(Namespace="App", MetricName="M", StartTime=cloud.now - dt.timedelta(days=70),
                                 EndTime=cloud.now - dt.timedelta(days=60), Period=300, Statistics=["SampleCount"])
    stamps = sorted(p["Timestamp"] for p in r["Datapoints"])
    assert len(stamps) == 3 * 288 and stamps[0] == cloud.now - dt.timedelta(days=63)
    assert all(p["SampleCount"] == 5.0 for p in r["Datapoints"])
    r = cw.get_metric_statistics(Namespace="App", MetricName="H", StartTime=cloud.now - dt.timedelta(hours=5),
                                 EndTime=cloud.now, Period=30, Statistics=["Sum"])
    assert len(r["Datapoints"]) == 3 * 120 and all(p["Sum"] == 30.0 for p in r["Datapoints"])
