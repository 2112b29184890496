"""Schedule expressions: ``rate(...)``, ``cron(...)`` and ``at(...)``, and when they fire next.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):

- ``cron(minutes hours day-of-month month day-of-week year)``: six required fields; minutes 0-59,
  hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (1 = Sunday),
  year 1970-2199; wildcards ``, - * /`` everywhere, ``?`` in exactly one of day-of-month and
  day-of-week, ``L`` and ``W`` (and ``LW``) in day-of-month, ``L`` (``5L``: last Thursday) and
  ``#`` (``6#3``: third Friday) in day-of-week. Minute resolution.
- ``rate(value unit)``: a positive integer and minute(s), hour(s) or day(s). EventBridge rules
  want the singular for 1 and the plural otherwise; a day is 24 hours.
- ``at(yyyy-mm-ddThh:mm:ss)``: one time (EventBridge Scheduler only).

Cron expressions are evaluated in a time zone (UTC for EventBridge rules; the schedule's
``ScheduleExpressionTimezone`` for EventBridge Scheduler). Daylight saving time as Scheduler
documents it: a wall-clock time skipped when clocks go forward is skipped; a wall-clock time that
happens twice when clocks go back fires once (its first occurrence).

Complexity: ``next_after`` walks days, O(days until the next match); at most a few thousand for
the sparsest expressions (29 February in a given year).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from ..kernel.clock import US_PER_SECOND, datetime_to_us, us_to_datetime

UTC = _dt.timezone.utc
MINUTE_US = 60 * US_PER_SECOND
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_US = {"minute": 60, "hour": 3600, "day": 86_400}


class ScheduleExpressionError(ValueError):
    """The expression is not valid (each service turns this into its own AWS error)."""


@attrs.frozen
class Rate:
    value: int
    unit: str

    @property
    def period_us(self) -> int:
        return self.value * _UNIT_US[self.unit.rstrip("s")] * US_PER_SECOND


@attrs.frozen
class At:
    #: Naive wall-clock time in the schedule's time zone.
    when: _dt.datetime


def _num(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleExpressionError(text)
    return int(text)


def _parse_field(text: str, lo: int, hi: int, names: dict[str, int] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleExpressionError(text)
            step = int(step_text)
        if item == "*":
            start, end = lo, hi
        elif "-" in item:
            a, b = item.split("-", 1)
            start, end = _num(a, names), _num(b, names)
        else:
            start = _num(item, names)
            end = hi if step != 1 else start
        if not (lo <= start <= hi and lo <= end <= hi):
            raise ScheduleExpressionError(text)
        if start <= end:
            values.update(range(start, end + 1, step))
        else:  # a wrapping range (FRI-MON, NOV-FEB)
            span = list(range(start, hi + 1)) + list(range(lo, end + 1))
            values.update(span[::step])
    return frozenset(values)


@attrs.frozen
class Cron:
    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    #: day-of-month spec (None when "?"): (days, last, last_weekday, nearest_weekdays)
    dom: tuple[frozenset[int], bool, bool, frozenset[int]] | None
    #: day-of-week spec (None when "?"): (days 1-7, last_of (weekday set), nth (weekday, n) set)
    dow: tuple[frozenset[int], frozenset[int], frozenset[tuple[int, int]]] | None

    @classmethod
    def parse(cls, body: str) -> "Cron":
        parts = body.split()
        if len(parts) != 6:
            raise ScheduleExpressionError(body)
        mi, hr, dom_t, mon, dow_t, yr = parts
        if (dom_t == "?") == (dow_t == "?"):
            raise ScheduleExpressionError(body)  # exactly one of them is "?"
        dom = None if dom_t == "?" else cls._parse_dom(dom_t)
        dow = None if dow_t == "?" else cls._parse_dow(dow_t)
        return cls(
            text=body,
            minutes=_parse_field(mi, 0, 59),
            hours=_parse_field(hr, 0, 23),
            months=_parse_field(mon, 1, 12, _MONTHS),
            years=_parse_field(yr, 1970, 2199),
            dom=dom,
            dow=dow,
        )

    @staticmethod
    def _parse_dom(text: str) -> tuple[frozenset[int], bool, bool, frozenset[int]]:
        last = last_wd = False
        nearest: set[int] = set()
        plain: list[str] = []
        for item in text.split(","):
            u = item.upper()
            if u == "L":
                last = True
            elif u == "LW":
                last_wd = True
            elif u.endswith("W") and u[:-1].isdigit() and 1 <= int(u[:-1]) <= 31:
                nearest.add(int(u[:-1]))
            else:
                plain.append(item)
        days = _parse_field(",".join(plain), 1, 31) if plain else frozenset()
        return days, last, last_wd, frozenset(nearest)

    @staticmethod
    def _parse_dow(text: str) -> tuple[frozenset[int], frozenset[int], frozenset[tuple[int, int]]]:
        last_of: set[int] = set()
        nth: set[tuple[int, int]] = set()
        plain: list[str] = []
        for item in text.split(","):
            u = item.upper()
            if u == "L":
                plain.append("7")
            elif u.endswith("L") and len(u) > 1:
                last_of.add(_num_checked(u[:-1], 1, 7, _DAYS))
            elif "#" in u:
                day, n = u.split("#", 1)
                if not n.isdigit() or not 1 <= int(n) <= 5:
                    raise ScheduleExpressionError(text)
                nth.add((_num_checked(day, 1, 7, _DAYS), int(n)))
            else:
                plain.append(item)
        days = _parse_field(",".join(plain), 1, 7, _DAYS) if plain else frozenset()
        return days, frozenset(last_of), frozenset(nth)

    # -- evaluation ---------------------------------------------------------------------
    def day_matches(self, d: _dt.date) -> bool:
        if d.year not in self.years or d.month not in self.months:
            return False
        last = calendar.monthrange(d.year, d.month)[1]
        if self.dom is not None:
            days, is_last, last_wd, nearest = self.dom
            if d.day in days or (is_last and d.day == last):
                return True
            if last_wd and d.day == _nearest_weekday(d.year, d.month, last, last):
                return True
            return any(d.day == _nearest_weekday(d.year, d.month, n, last) for n in nearest if n <= last)
        assert self.dow is not None
        days, last_of, nth = self.dow
        wd = d.isoweekday() % 7 + 1  # Sunday = 1
        if wd in days:
            return True
        if wd in last_of and d.day + 7 > last:
            return True
        return (wd, (d.day - 1) // 7 + 1) in nth

    def next_local(self, after: _dt.datetime) -> _dt.datetime | None:
        """The first matching wall-clock minute strictly after naive ``after``; None past 2199."""
        start = after.replace(second=0, microsecond=0) + _dt.timedelta(minutes=1)
        hours = sorted(self.hours)
        minutes = sorted(self.minutes)
        day = start.date()
        first = True
        while day.year <= 2199:
            if day.year not in self.years:
                later = [y for y in self.years if y > day.year]
                if not later:
                    return None
                day = _dt.date(min(later), 1, 1)
                first = False
                continue
            if self.day_matches(day):
                for h in hours:
                    if first and h < start.hour:
                        continue
                    for m in minutes:
                        if first and h == start.hour and m < start.minute:
                            continue
                        return _dt.datetime(day.year, day.month, day.day, h, m)
            day += _dt.timedelta(days=1)
            first = False
        return None


def _num_checked(text: str, lo: int, hi: int, names: dict[str, int]) -> int:
    n = _num(text, names)
    if not lo <= n <= hi:
        raise ScheduleExpressionError(text)
    return n


def _nearest_weekday(year: int, month: int, day: int, last: int) -> int:
    """The weekday (Mon-Fri) nearest ``day`` within the month (Quartz's ``W``)."""
    wd = _dt.date(year, month, day).weekday()  # Monday = 0
    if wd == 5:  # Saturday -> Friday, or Monday when the 1st
        return day - 1 if day > 1 else day + 2
    if wd == 6:  # Sunday -> Monday, or Friday when the last day
        return day + 1 if day < last else day - 2
    return day


def parse_expression(
    expr: Any, *, allow_at: bool = False, strict_plural: bool = True
) -> Rate | Cron | At:
    """Parse ``rate(...)``, ``cron(...)`` or (``allow_at``) ``at(...)``."""
    if not isinstance(expr, str):
        raise ScheduleExpressionError(repr(expr))
    m = _RATE.match(expr)
    if m:
        value, unit = int(m.group(1)), m.group(2)
        if value <= 0:
            raise ScheduleExpressionError(expr)
        if strict_plural and (value == 1) == unit.endswith("s"):
            raise ScheduleExpressionError(expr)
        return Rate(value, unit)
    if expr.startswith("cron(") and expr.endswith(")"):
        return Cron.parse(expr[5:-1])
    if allow_at and expr.startswith("at(") and expr.endswith(")"):
        try:
            when = _dt.datetime.strptime(expr[3:-1], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise ScheduleExpressionError(expr) from None
        return At(when)
    raise ScheduleExpressionError(expr)


def local_to_us(local: _dt.datetime, tz: _dt.tzinfo) -> int | None:
    """A naive wall-clock time in ``tz`` as epoch microseconds; None when the time does not
    exist (skipped by a spring-forward change). An ambiguous time gives its first occurrence."""
    aware = local.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != local:
        return None
    return datetime_to_us(aware)


def next_cron_us(cron: Cron, after_us: int, tz: _dt.tzinfo = UTC) -> int | None:
    """The next firing of ``cron`` in ``tz`` strictly after ``after_us``."""
    local = us_to_datetime(after_us).astimezone(tz).replace(tzinfo=None)
    while True:
        nxt = cron.next_local(local)
        if nxt is None:
            return None
        us = local_to_us(nxt, tz)
        if us is not None and us > after_us:
            return us
        local = nxt


def zone(name: str) -> _dt.tzinfo:
    """An IANA time zone (``UTC`` included); raises ScheduleExpressionError when unknown."""
    if name in ("UTC", "Etc/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError for odd names
        raise ScheduleExpressionError(name) from None
