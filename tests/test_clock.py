import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_sim import Cloud, SimError
from serverless_sim.kernel.clock import (
    Clock,
    duration_to_us,
    format_us,
    instant_to_us,
    us_to_datetime,
)


def test_start_instant_parsed_from_iso_string():
    c = Clock("2026-03-01T12:30:00Z")
    assert c.now == dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.timezone.utc)
    assert c.now.tzinfo is not None


def test_start_with_offset_and_naive_datetime():
    assert instant_to_us("2026-01-01T01:00:00+01:00") == instant_to_us("2026-01-01T00:00:00Z")
    assert instant_to_us(dt.datetime(2026, 1, 1)) == instant_to_us("2026-01-01T00:00:00Z")


def test_bad_instant_is_a_sim_error():
    with pytest.raises(SimError):
        instant_to_us("not a date")
    with pytest.raises(SimError):
        instant_to_us(True)


def test_durations_are_exact_integer_microseconds():
    assert duration_to_us(0.1) == 100_000
    assert duration_to_us(dt.timedelta(days=1, microseconds=5)) == 86_400_000_005
    assert duration_to_us(Decimal("1.0000015")) == 1_000_002  # rounds half to even
    assert duration_to_us(3) == 3_000_000
    with pytest.raises(SimError):
        duration_to_us(float("nan"))
    with pytest.raises(SimError):
        duration_to_us("3")  # type: ignore[arg-type]


def test_a_year_of_tenth_second_steps_does_not_drift():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    start = cloud.now_us
    for _ in range(10_000):
        cloud.advance(0.1)
    assert cloud.now_us - start == 1_000_000_000  # exactly 1,000 s: no float drift


@given(st.integers(min_value=0, max_value=2**52))
def test_datetime_round_trip(us):
    assert instant_to_us(us_to_datetime(us)) == us


def test_format_is_stable():
    assert format_us(0) == "1970-01-01T00:00:00.000000Z"
