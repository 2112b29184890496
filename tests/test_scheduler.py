import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_sim import Cloud, SimError


def test_same_instant_events_run_in_scheduling_order():
    cloud = Cloud()
    out = []
    for i in range(5):
        cloud.call_later(1, out.append, i)
    cloud.call_at(cloud.now + dt.timedelta(seconds=1), out.append, "x")
    cloud.advance(1)
    assert out == [0, 1, 2, 3, 4, "x"]


def test_advance_runs_due_events_and_lands_exactly():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    out = []
    cloud.call_later(10, out.append, "a")
    cloud.call_later(10.000001, out.append, "b")
    cloud.advance(10)
    assert out == ["a"]
    assert cloud.now == dt.datetime(2026, 1, 1, 0, 0, 10, tzinfo=dt.timezone.utc)


def test_event_sees_its_own_time():
    cloud = Cloud()
    seen = []
    cloud.call_later(2.5, lambda: seen.append(cloud.now_us))
    cloud.advance(5)
    assert seen == [cloud.start_us + 2_500_000]


def test_run_until_absolute_and_relative():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    cloud.run(until=3600)  # seconds from the start
    assert cloud.now.hour == 1
    cloud.run(until="2026-01-01T02:00:00Z")
    assert cloud.now.hour == 2
    with pytest.raises(SimError):
        cloud.run(until=0)


def test_cancelled_events_never_run():
    cloud = Cloud()
    out = []
    h = cloud.call_later(1, out.append, 1)
    cloud.call_later(1, out.append, 2)
    assert cloud.is_pending(h)
    assert cloud.cancel(h) is True
    assert cloud.cancel(h) is False
    assert not cloud.is_pending(h)
    cloud.advance(2)
    assert out == [2]


def test_cancel_after_run_is_false():
    cloud = Cloud()
    h = cloud.call_later(1, lambda: None)
    cloud.advance(1)
    assert cloud.cancel(h) is False


def test_scheduling_in_the_past_or_negative_is_refused():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    with pytest.raises(SimError):
        cloud.call_later(-1, print)
    with pytest.raises(SimError):
        cloud.call_at("2025-01-01T00:00:00Z", print)
    with pytest.raises(SimError):
        cloud.advance(-1)


def test_exception_reaches_caller_with_time_and_origin_and_queue_survives():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    out = []

    def boom():
        raise ValueError("bad")

    cloud.call_later(5, boom)
    cloud.call_later(7, out.append, "later")
    with pytest.raises(ValueError) as info:
        cloud.advance(10)
    err = info.value
    assert err.sim_time_us == cloud.start_us + 5_000_000
    assert "boom" in err.sim_origin
    assert any("2026-01-01T00:00:05" in n for n in err.__notes__)
    assert cloud.now_us == cloud.start_us + 5_000_000  # stopped at the failing event
    cloud.advance(5)
    assert out == ["later"]


def test_debug_mode_names_the_scheduling_line():
    cloud = Cloud(debug=True)

    def boom():
        raise KeyError("x")

    cloud.call_later(1, boom)
    with pytest.raises(KeyError) as info:
        cloud.advance(2)
    assert "test_debug_mode_names_the_scheduling_line" in "".join(info.value.__notes__)


def test_run_until_idle_stops_at_last_event_and_ignores_daemons():
    cloud = Cloud()
    out = []

    def sweeper():
        out.append("sweep")
        cloud.scheduler.call_later_us(60_000_000, sweeper, daemon=True)

    cloud.scheduler.call_later_us(60_000_000, sweeper, daemon=True)
    cloud.call_later(150, out.append, "work")
    cloud.run_until_idle()
    assert out == ["sweep", "sweep", "work"]
    assert cloud.now_us == cloud.start_us + 150_000_000
    assert not cloud.scheduler.busy and cloud.scheduler.pending == 1


def test_run_until_idle_is_bounded():
    cloud = Cloud()

    def forever():
        cloud.call_later(1, forever)

    cloud.call_later(1, forever)
    ran = cloud.run_until_idle(limit=100)
    assert ran == 100
    assert cloud.now_us == cloud.start_us + 100_000_000
    ran = cloud.run_until_idle(limit=1000, max_events=7)
    assert ran == 7


@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), max_size=60),
       st.integers(0, 12_000))
def test_property_order_advance_and_cancel(plan, target_ms):
    """Events never run out of order; after advance to T, now == T and everything due ran;
    cancelled events never run."""
    cloud = Cloud()
    ran = []
    handles = []
    for i, (delay_ms, cancel) in enumerate(plan):
        h = cloud.call_later(delay_ms / 1000, lambda i=i: ran.append((cloud.now_us, i)))
        handles.append((h, cancel, delay_ms, i))
    for h, cancel, _, _ in handles:
        if cancel:
            cloud.cancel(h)
    cloud.advance(target_ms / 1000)
    assert cloud.now_us == cloud.start_us + target_ms * 1000
    times = [t for t, _ in ran]
    assert times == sorted(times)
    # same-instant events keep scheduling order
    for (t1, i1), (t2, i2) in zip(ran, ran[1:]):
        if t1 == t2:
            assert i1 < i2
    expected = {i for _, cancel, d, i in handles if not cancel and d <= target_ms}
    assert {i for _, i in ran} == expected


@given(st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_property_nested_scheduling_keeps_time_monotonic(delays):
    cloud = Cloud()
    seen = []

    def step(k):
        seen.append(cloud.now_us)
        if k < len(delays):
            cloud.call_later(delays[k] / 10, step, k + 1)

    cloud.call_later(0, step, 0)
    cloud.run_until_idle()
    assert seen == sorted(seen)
    assert len(seen) == len(delays) + 1
    assert seen[-1] - seen[0] == sum(round(d / 10 * 1e6) for d in delays)


def test_next_at_us_sees_cancelled_entries_and_drops_nothing():
    from serverless_sim.kernel.clock import Clock
    from serverless_sim.kernel.scheduler import Scheduler

    s = Scheduler(Clock(0))
    assert s.next_at_us() is None
    first = s.call_at_us(5, lambda: None)
    s.call_at_us(9, lambda: None)
    s.cancel(first)
    # peek_us would drop the cancelled entry at the top; next_at_us reports it and keeps it
    assert s.next_at_us() == 5
    assert len(s._queue) == 2
    assert s.peek_us() == 9
    assert s.next_at_us() == 9
