"""rate(), cron() and at() expressions: parsing and next firing times (UTC and time zones)."""

from __future__ import annotations

import pytest

from serverless_sim.events.cron import (
    At, Cron, Rate, ScheduleExpressionError, next_cron_us, parse_expression, zone,
)
from serverless_sim.kernel.clock import format_us, instant_to_us


def fires(expr, start, n=3, tz="UTC"):
    cron = parse_expression(expr)
    t = instant_to_us(start)
    out = []
    for _ in range(n):
        t = next_cron_us(cron, t, zone(tz))
        out.append(format_us(t)[:16])
    return out


@pytest.mark.parametrize("expr", ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)",
                                  "rate(2 hours)", "rate(1 day)", "rate(7 days)"])
def test_rate_expressions(expr):
    assert isinstance(parse_expression(expr), Rate)


@pytest.mark.parametrize("expr", ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)",
                                  "rate(5 seconds)", "rate(-1 days)", "cron(0 12 * * * *)",
                                  "cron(0 12 ? * ? *)", "cron(0 12 * *)", "cron(60 * * * ? *)",
                                  "cron(0 12 ? * 8 *)", "cron(0 0 1 1 ? 2200)", "at(2026-01-01)",
                                  "every 5 minutes"])
def test_invalid_expressions(expr):
    with pytest.raises(ScheduleExpressionError):
        parse_expression(expr)


def test_rate_units_and_periods():
    assert parse_expression("rate(2 hours)").period_us == 7_200_000_000
    assert parse_expression("rate(1 days)", strict_plural=False).period_us == 86_400_000_000


def test_at_only_when_allowed():
    with pytest.raises(ScheduleExpressionError):
        parse_expression("at(2026-01-01T10:00:00)")
    assert isinstance(parse_expression("at(2026-01-01T10:00:00)", allow_at=True), At)


def test_cron_daily_and_every_15_minutes():
    assert fires("cron(0 12 * * ? *)", "2026-01-01T00:00:00Z") == [
        "2026-01-01T12:00", "2026-01-02T12:00", "2026-01-03T12:00"]
    assert fires("cron(0/15 * * * ? *)", "2026-01-01T00:00:00Z") == [
        "2026-01-01T00:15", "2026-01-01T00:30", "2026-01-01T00:45"]


def test_cron_names_ranges_and_lists():
    # AWS's example: 6 PM Monday to Friday
    assert fires("cron(0 18 ? * MON-FRI *)", "2026-01-02T19:00:00Z") == [
        "2026-01-05T18:00", "2026-01-06T18:00", "2026-01-07T18:00"]
    assert fires("cron(0 8 1 JAN,JUL ? *)", "2026-01-01T09:00:00Z", 2) == [
        "2026-07-01T08:00", "2027-01-01T08:00"]
    assert fires("cron(15 10 ? * 6L 2026-2027)", "2026-01-01T00:00:00Z", 2) == [
        "2026-01-30T10:15", "2026-02-27T10:15"]


def test_cron_last_day_weekday_and_nth():
    assert fires("cron(0 8 L * ? *)", "2026-01-01T00:00:00Z") == [
        "2026-01-31T08:00", "2026-02-28T08:00", "2026-03-31T08:00"]
    assert fires("cron(0 8 15W * ? *)", "2026-02-01T00:00:00Z", 2) == [
        "2026-02-16T08:00", "2026-03-16T08:00"]  # 15 Feb and 15 Mar 2026 are Sundays
    assert fires("cron(0 8 LW * ? *)", "2026-01-01T00:00:00Z", 2) == [
        "2026-01-30T08:00", "2026-02-27T08:00"]
    assert fires("cron(0 8 ? * 6#3 *)", "2026-01-01T00:00:00Z", 2) == [
        "2026-01-16T08:00", "2026-02-20T08:00"]  # third Friday
    assert fires("cron(0 0 29 2 ? *)", "2026-01-01T00:00:00Z", 2) == [
        "2028-02-29T00:00", "2032-02-29T00:00"]


def test_cron_year_field_ends_the_schedule():
    cron = parse_expression("cron(0 0 1 1 ? 2026)")
    t = next_cron_us(cron, instant_to_us("2025-06-01T00:00:00Z"))
    assert format_us(t).startswith("2026-01-01T00:00")
    assert next_cron_us(cron, t) is None


def test_time_zone_and_daylight_saving():
    # 02:30 New York does not exist on 8 March 2026: that day is skipped.
    assert fires("cron(30 2 * * ? *)", "2026-03-07T00:00:00Z", tz="America/New_York") == [
        "2026-03-07T07:30", "2026-03-09T06:30", "2026-03-10T06:30"]
    # 01:30 happens twice on 1 November 2026: it fires once, at the first.
    assert fires("cron(30 1 * * ? *)", "2026-10-31T00:00:00Z", tz="America/New_York") == [
        "2026-10-31T05:30", "2026-11-01T05:30", "2026-11-02T06:30"]
    assert fires("cron(0 9 * * ? *)", "2025-12-31T23:00:00Z", 1, tz="Asia/Tokyo") == [
        "2026-01-01T00:00"]


def test_unknown_zone():
    with pytest.raises(ScheduleExpressionError):
        zone("Mars/Olympus")


def test_cron_repr_is_data():
    assert isinstance(parse_expression("cron(0 12 * * ? *)"), Cron)
