"""Virtual time: exact integer microseconds since the Unix epoch.

Nothing in serverless_sim reads the wall clock. Time is kept as an ``int`` of microseconds so that
a simulated year of ``advance(0.1)`` steps never drifts (floats would). Users see aware UTC
``datetime`` objects and seconds; conversion happens only at the boundary.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from fractions import Fraction
from typing import Union

from dateutil import parser as _dateparser

from .errors import SimError

US_PER_SECOND = 1_000_000
UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)

#: Anything accepted as a duration: seconds (int, float, Decimal, Fraction) or a timedelta.
Duration = Union[int, float, Decimal, Fraction, _dt.timedelta]
#: Anything accepted as an instant: an aware or naive-UTC datetime, an ISO-8601 string, or epoch seconds.
Instant = Union[_dt.datetime, str, int, float, Decimal]

DEFAULT_START = "2026-01-01T00:00:00Z"


def duration_to_us(delay: Duration) -> int:
    """Convert a duration in seconds (or a ``timedelta``) to whole microseconds.

    Floats are rounded to the nearest microsecond (``0.1`` is exactly 100,000 us).
    """
    if type(delay) is int:
        return delay * US_PER_SECOND
    if type(delay) is float:
        if delay != delay or delay in (float("inf"), float("-inf")):
            raise SimError(f"duration must be finite, got {delay!r}")
        return round(delay * US_PER_SECOND)
    if isinstance(delay, _dt.timedelta):
        return (delay.days * 86_400 + delay.seconds) * US_PER_SECOND + delay.microseconds
    if isinstance(delay, (Decimal, Fraction)):
        return round(delay * US_PER_SECOND)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise SimError(f"a duration is seconds or a timedelta, got {delay!r}")
    return round(delay * US_PER_SECOND)


def datetime_to_us(when: _dt.datetime) -> int:
    """Aware datetimes convert exactly; naive ones are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def instant_to_us(when: Instant) -> int:
    """Convert an instant (datetime, ISO-8601 string, or epoch seconds) to epoch microseconds."""
    if isinstance(when, _dt.datetime):
        return datetime_to_us(when)
    if isinstance(when, str):
        try:
            parsed = _dateparser.isoparse(when)
        except ValueError as exc:
            raise SimError(f"not an ISO-8601 instant: {when!r}") from exc
        return datetime_to_us(parsed)
    if isinstance(when, bool):
        raise SimError(f"not an instant: {when!r}")
    if isinstance(when, (int, float, Decimal)):
        return duration_to_us(when)
    raise SimError(f"an instant is a datetime, an ISO-8601 string or epoch seconds, got {when!r}")


def us_to_datetime(us: int) -> _dt.datetime:
    """Epoch microseconds to an aware UTC datetime (exact)."""
    return EPOCH + _dt.timedelta(microseconds=us)


def datetime_to_epoch(when: _dt.datetime) -> int | float:
    """Epoch seconds as the AWS wire protocols write them: an int when whole, else a float
    (exact to the microsecond). Naive datetimes are taken as UTC."""
    us = datetime_to_us(when)
    return us // US_PER_SECOND if us % US_PER_SECOND == 0 else us / US_PER_SECOND


def epoch_to_datetime(seconds: int | float) -> _dt.datetime:
    """The aware UTC datetime of epoch seconds (a float rounded to the microsecond)."""
    if isinstance(seconds, int):
        return EPOCH + _dt.timedelta(seconds=seconds)
    return EPOCH + _dt.timedelta(microseconds=round(seconds * US_PER_SECOND))


def us_to_seconds(us: int) -> float:
    """Epoch microseconds to float seconds (for display and AWS's float timestamps)."""
    return us / US_PER_SECOND


def format_us(us: int) -> str:
    """ISO-8601 text with microseconds and ``Z`` (stable across platforms)."""
    return us_to_datetime(us).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Clock:
    """The virtual clock: moves only when the scheduler moves it.

    ``now_us`` is the integer time; ``now`` the aware UTC datetime; ``time()`` epoch seconds.
    """

    __slots__ = ("now_us",)

    def __init__(self, start: Instant = DEFAULT_START) -> None:
        self.now_us: int = instant_to_us(start)

    @property
    def now(self) -> _dt.datetime:
        return us_to_datetime(self.now_us)

    def time(self) -> float:
        """Epoch seconds as a float, what ``time.time`` would give on AWS."""
        return self.now_us / US_PER_SECOND

    def time_ms(self) -> int:
        """Epoch milliseconds (CloudWatch Logs and Lambda use these)."""
        return self.now_us // 1000

    def __repr__(self) -> str:
        return f"Clock(start={format_us(self.now_us)!r})"
