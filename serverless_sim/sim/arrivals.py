"""Arrival processes: when a workload's requests arrive.

Every process is *state as data*: a small object with plain attributes whose
:meth:`Arrival.next_us` returns the next arrival instant (integer epoch microseconds) after
``now_us``, drawing from the workload's own random stream, or ``None`` when the process is
exhausted. Nothing here is a generator, so a Cloud running a workload can be deep-copied
(:func:`serverless_sim.sim.fork`) between any two events.

- :class:`Constant` — exactly ``rate`` per second, evenly spaced (no drift: the k-th arrival is
  at ``origin + round(k * 1e6 / rate)``).
- :class:`Poisson` — a homogeneous Poisson process (exponential gaps).
- :class:`Bursts` — a base rate with periodic bursts (on/off modulated Poisson).
- :class:`Daily` — a 24-hour sinusoidal curve around a mean rate, peaking at ``peak_hour`` UTC.
- :class:`Weekly` — the daily curve times a day-of-week profile (weekends quieter by default).
- :class:`Curve` — any rate function ``rate(seconds_since_start)`` with a known maximum.
- :class:`Replay` — a recorded trace (rows of offset, optional target and payload), e.g. from CSV.

Non-homogeneous processes (bursts, curves) are drawn by *thinning* (Lewis and Shedler, 1979):
candidates arrive at the maximum rate and each is kept with probability ``rate(t) / max``. Only
kept arrivals become kernel events. Complexity: O(max / mean) draws per arrival.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import random
from typing import Any, Callable, Iterable

import attrs
from dateutil import parser as _dateparser

from ..kernel.errors import SimError

US = 1_000_000
DAY_S = 86_400
HOUR_S = 3_600

_log = math.log
_cos = math.cos


def _positive(name: str, value: float) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0 or math.isinf(value):
        raise SimError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


class Arrival:
    """Base class. Subclasses implement :meth:`next_us` (and may keep plain state)."""

    #: True when the last ``next_us`` returned a wake-up without an arrival (see :class:`_Thinned`).
    idle = False

    def next_us(self, now_us: int, rng: random.Random) -> int | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self, start_us: int) -> None:
        """Called once, with the workload's start instant, before the first ``next_us``."""

    @property
    def mean_rate(self) -> float:
        """The long-run mean arrival rate per second (for capacity estimates and reports)."""
        raise NotImplementedError  # pragma: no cover


@attrs.define(eq=False)
class Constant(Arrival):
    """``rate`` arrivals per second, evenly spaced; the first one ``1/rate`` after the start
    (or at the start with ``immediate=True``)."""

    rate: float = attrs.field(converter=float)
    immediate: bool = False
    _origin: int = 0
    _k: int = 0

    def __attrs_post_init__(self) -> None:
        _positive("rate", self.rate)

    def start(self, start_us: int) -> None:
        self._origin = start_us
        self._k = 0 if self.immediate else 1

    def next_us(self, now_us: int, rng: random.Random) -> int | None:
        t = self._origin + round(self._k * US / self.rate)
        self._k += 1
        return t if t >= now_us else now_us

    @property
    def mean_rate(self) -> float:
        return self.rate


@attrs.define(eq=False)
class Poisson(Arrival):
    """A Poisson process of ``rate`` arrivals per second (exponential inter-arrival gaps)."""

    rate: float = attrs.field(converter=float)

    def __attrs_post_init__(self) -> None:
        _positive("rate", self.rate)

    def next_us(self, now_us: int, rng: random.Random) -> int | None:
        return now_us + round(rng.expovariate(self.rate) * US)

    @property
    def mean_rate(self) -> float:
        return self.rate


#: Candidates a thinned process draws before it returns an idle wake-up (so a rate that stays at
#: zero for long never loops without end: the workload wakes, sends nothing, and draws on).
MAX_REJECTIONS = 1000


@attrs.define(eq=False)
class _Thinned(Arrival):
    """Non-homogeneous Poisson by thinning: subclasses give ``rate_at(t_us)`` and ``max_rate``.

    After :data:`MAX_REJECTIONS` rejected candidates, ``next_us`` returns the last candidate's
    instant with ``idle`` set: the workload then wakes without sending and continues from there
    (the draws are the same as one long search)."""

    idle: bool = attrs.field(default=False, kw_only=True, repr=False)

    @property
    def max_rate(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def rate_at(self, t_us: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def next_us(self, now_us: int, rng: random.Random) -> int | None:
        peak = self.max_rate
        t = now_us
        expo = rng.expovariate
        draw = rng.random
        rate_at = self.rate_at
        for _ in range(MAX_REJECTIONS):
            t += round(expo(peak) * US)
            if draw() * peak <= rate_at(t):
                self.idle = False
                return t
        self.idle = True
        return t


@attrs.define(eq=False)
class Bursts(_Thinned):
    """``base`` per second, and ``peak`` per second for ``length`` seconds every ``every``
    seconds (the first burst ``offset`` seconds after the start)."""

    base: float = attrs.field(converter=float)
    peak: float = attrs.field(converter=float)
    every: float = attrs.field(converter=float)
    length: float = attrs.field(converter=float)
    offset: float = attrs.field(default=0.0, converter=float)
    _origin: int = 0

    def __attrs_post_init__(self) -> None:
        _positive("peak", self.peak)
        _positive("every", self.every)
        if not 0 <= self.base <= self.peak:
            raise SimError(f"0 <= base <= peak is required, got base={self.base} peak={self.peak}")
        if not 0 < self.length <= self.every:
            raise SimError(f"0 < length <= every is required, got length={self.length} every={self.every}")

    def start(self, start_us: int) -> None:
        self._origin = start_us + round(self.offset * US)

    @property
    def max_rate(self) -> float:  # type: ignore[override]
        return self.peak

    def rate_at(self, t_us: int) -> float:
        phase = (t_us - self._origin) % round(self.every * US)
        return self.peak if 0 <= phase < self.length * US and t_us >= self._origin else self.base

    @property
    def mean_rate(self) -> float:
        f = self.length / self.every
        return self.peak * f + self.base * (1 - f)


def _daily_factor(t_us: int, amplitude: float, peak_hour: float) -> float:
    hour = (t_us // US % DAY_S) / HOUR_S
    return 1.0 + amplitude * math.cos(2 * math.pi * (hour - peak_hour) / 24.0)


def _forget_constants(inst: Any, attribute: Any, value: Any) -> Any:
    """``on_setattr`` hook: a changed curve parameter drops :class:`Daily`'s precomputed state."""
    inst._memo = None
    return value


#: Setting a curve parameter converts it (as at init) and drops the precomputed state.
_CURVE_SETATTR = attrs.setters.pipe(attrs.setters.convert, attrs.setters.validate, _forget_constants)


@attrs.define(eq=False)
class Daily(_Thinned):
    """A daily curve: ``mean * (1 + amplitude * cos(2 pi (hour - peak_hour) / 24))`` per second,
    with ``hour`` the UTC hour of day (fractional). Averages exactly ``mean`` over a day; peaks
    at ``mean * (1 + amplitude)``, troughs at ``mean * (1 - amplitude)``."""

    mean: float = attrs.field(converter=float, on_setattr=_CURVE_SETATTR)
    amplitude: float = attrs.field(default=0.5, converter=float, on_setattr=_CURVE_SETATTR)
    peak_hour: float = attrs.field(default=14.0, converter=float, on_setattr=_CURVE_SETATTR)
    #: Precomputed by :meth:`next_us` (derived from the fields; a field's change drops it):
    #: ``[amp, peak, rate, phase, w, second, accept]``, ``accept`` being the acceptance bound for
    #: the whole epoch second ``second`` (the curve is read at whole seconds).
    _memo: list[Any] | None = attrs.field(default=None, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        _positive("mean", self.mean)
        if not 0 <= self.amplitude <= 1:
            raise SimError(f"amplitude is in [0, 1], got {self.amplitude}")

    @property
    def max_rate(self) -> float:  # type: ignore[override]
        return self.mean * (1 + self.amplitude)

    def rate_at(self, t_us: int) -> float:
        return self.mean * _daily_factor(t_us, self.amplitude, self.peak_hour)

    def _constants(self) -> list[Any]:
        amp = self.amplitude
        memo = self._memo = [amp, 1.0 + amp, self.mean * (1.0 + amp), self.peak_hour * HOUR_S,
                             2 * math.pi / DAY_S, None, 0.0]
        return memo

    def next_us(self, now_us: int, rng: random.Random) -> int | None:
        # Thinning, inlined for the common case (the hot path of long simulations): candidates
        # come at ``rate`` (the peak) and one is kept when ``u * peak <= 1 + amp * cos(...)``
        # (u uniform). The bound depends on the candidate's whole epoch second only, so it is
        # computed once per second (most consecutive candidates share one): same answers, same
        # draws. tests/sim/test_sim_arrival_hotpath.py pins this against the plain formula.
        memo = self._memo
        if memo is None:
            memo = self._constants()
        amp, peak, rate, phase, w, second, accept = memo
        draw = rng.random
        t = now_us
        while True:  # accepts at least (1 - amp) / (1 + amp) of candidates: no idle wake-ups needed
            # rng.expovariate(rate), inlined (CPython's formula: the same float, one call less)
            t += round(-_log(1.0 - draw()) / rate * US)
            u = draw() * peak
            s = t // US
            if s != second:
                second = s
                accept = 1.0 + amp * _cos(w * (s % DAY_S - phase))
            if u <= accept:
                break
        if second != memo[5]:
            memo[5] = second
            memo[6] = accept
        return t

    @property
    def mean_rate(self) -> float:
        return self.mean


#: Monday..Sunday: quieter weekends (an illustrative default; give your own profile).
DEFAULT_WEEK = (1.1, 1.1, 1.1, 1.1, 1.0, 0.8, 0.8)


@attrs.define(eq=False)
class Weekly(_Thinned):
    """The :class:`Daily` curve times a day-of-week profile (Monday first, UTC days), normalised
    so that the week averages exactly ``mean``."""

    mean: float = attrs.field(converter=float)
    amplitude: float = attrs.field(default=0.5, converter=float)
    peak_hour: float = attrs.field(default=14.0, converter=float)
    days: tuple[float, ...] = attrs.field(default=DEFAULT_WEEK, converter=tuple)

    def __attrs_post_init__(self) -> None:
        _positive("mean", self.mean)
        if len(self.days) != 7 or any(d < 0 for d in self.days) or not sum(self.days) > 0:
            raise SimError(f"days is 7 non-negative factors (Monday first), got {self.days!r}")
        if not 0 <= self.amplitude <= 1:
            raise SimError(f"amplitude is in [0, 1], got {self.amplitude}")

    @property
    def _norm(self) -> tuple[float, ...]:
        avg = sum(self.days) / 7
        return tuple(d / avg for d in self.days)

    @property
    def max_rate(self) -> float:  # type: ignore[override]
        return self.mean * (1 + self.amplitude) * max(self._norm)

    def rate_at(self, t_us: int) -> float:
        weekday = (t_us // US // DAY_S + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        avg = sum(self.days) / 7
        return self.mean * self.days[weekday] / avg * _daily_factor(t_us, self.amplitude, self.peak_hour)

    @property
    def mean_rate(self) -> float:
        return self.mean


@attrs.define(eq=False)
class Curve(_Thinned):
    """Any rate curve: ``rate(seconds_since_start) -> arrivals per second``, never above
    ``max_rate``. ``rate`` must be a plain (module-level or closure) function for forking.
    ``mean`` (optional) is only used for estimates."""

    rate: Callable[[float], float]
    max_rate: float = attrs.field(converter=float)  # type: ignore[misc]
    mean: float | None = None
    _origin: int = 0

    def __attrs_post_init__(self) -> None:
        _positive("max_rate", self.max_rate)

    def start(self, start_us: int) -> None:
        self._origin = start_us

    def rate_at(self, t_us: int) -> float:
        r = self.rate((t_us - self._origin) / US)
        if r > self.max_rate * (1 + 1e-9):
            raise SimError(f"Curve rate {r} exceeds max_rate {self.max_rate} at +{(t_us - self._origin) / US:.3f} s")
        return r

    @property
    def mean_rate(self) -> float:
        return self.mean if self.mean is not None else self.max_rate


@attrs.frozen
class TraceRow:
    """One recorded request: when (seconds after the first row, or after the start), which
    target (by name, optional) and its payload (optional)."""

    offset_s: float
    target: str | None = None
    payload: Any = None


@attrs.define(eq=False)
class Replay(Arrival):
    """Replays recorded arrivals, in order. ``rows`` are :class:`TraceRow` (or tuples
    ``(offset_s, target, payload)``); offsets count from the workload's start and must not
    decrease. ``speed`` > 1 compresses time. The current row's target and payload are read by
    the workload (``target`` picks a target of the mix by name)."""

    rows: tuple[TraceRow, ...] = attrs.field(converter=lambda rs: tuple(
        r if isinstance(r, TraceRow) else TraceRow(*r) for r in rs))
    speed: float = attrs.field(default=1.0, converter=float)
    _origin: int = 0
    _i: int = 0
    current: TraceRow | None = None

    def __attrs_post_init__(self) -> None:
        _positive("speed", self.speed)
        last = -math.inf
        for r in self.rows:
            if r.offset_s < last:
                raise SimError(f"replay rows must be in time order ({r.offset_s} after {last})")
            last = r.offset_s

    def start(self, start_us: int) -> None:
        self._origin = start_us
        self._i = 0

    def next_us(self, now_us: int, rng: random.Random) -> int | None:
        if self._i >= len(self.rows):
            self.current = None
            return None
        row = self.current = self.rows[self._i]
        self._i += 1
        t = self._origin + round(row.offset_s * US / self.speed)
        return t if t >= now_us else now_us

    @property
    def mean_rate(self) -> float:
        if len(self.rows) < 2:
            return 0.0
        span = (self.rows[-1].offset_s - self.rows[0].offset_s) / self.speed
        return (len(self.rows) - 1) / span if span > 0 else math.inf

    @classmethod
    def from_csv(cls, path_or_lines: str | Iterable[str], *, time: str = "time", target: str | None = "target",
                 payload: str | None = "payload", json_payload: bool = False, speed: float = 1.0) -> "Replay":
        """Read a CSV with a header. The ``time`` column holds seconds (numbers, taken as offsets
        from the first row) or timestamps (ISO-8601; offsets from the first row). Optional
        ``target`` and ``payload`` columns; ``json_payload=True`` parses payloads as JSON."""
        if isinstance(path_or_lines, str):
            with open(path_or_lines, newline="") as fh:
                records = list(csv.DictReader(fh))
        else:
            records = list(csv.DictReader(path_or_lines))
        if records and time not in records[0]:
            raise SimError(f"the CSV has no {time!r} column (columns: {', '.join(records[0])})")
        times: list[float] = []
        for rec in records:
            text = (rec[time] or "").strip()
            try:
                times.append(float(text))
            except ValueError:
                stamp = _dateparser.isoparse(text)
                if stamp.tzinfo is None:
                    stamp = stamp.replace(tzinfo=_dt.timezone.utc)
                times.append(stamp.timestamp())
        first = times[0] if times else 0.0
        rows = []
        for rec, t in zip(records, times):
            tgt = rec.get(target) or None if target else None
            body: Any = (rec.get(payload) or None) if payload else None  # an empty cell: no payload
            if body is not None and json_payload:
                body = json.loads(body)
            rows.append(TraceRow(t - first, tgt, body))
        return cls(rows, speed=speed)


def expected_count(arrival: Arrival, seconds: float) -> float:
    """The expected number of arrivals in ``seconds`` at the process's mean rate."""
    return arrival.mean_rate * seconds


__all__ = [
    "Arrival", "Bursts", "Constant", "Curve", "DEFAULT_WEEK", "Daily", "Poisson", "Replay", "TraceRow",
    "Weekly", "expected_count",
]
