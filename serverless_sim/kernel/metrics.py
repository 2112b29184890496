"""A CloudWatch-shaped metric store that the services fill as the clock moves.

A metric is identified by (namespace, metric name, dimensions); dimensions are a set of
name/value pairs (order does not matter, as in CloudWatch). Values are aggregated into buckets of
the metric's storage resolution (60 s standard, 1 s high resolution, per
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition);
each bucket keeps SampleCount, Sum, Minimum, Maximum and the raw values (a compact float array)
for percentiles. Memory therefore grows with the number of samples, at 8 bytes each, plus a small
constant per (metric, bucket): recent buckets are objects that writers update in place (about 200
bytes each); older ones are archived into columns (40 bytes each, see :class:`_Buckets`).

The archive follows CloudWatch's retention schedule ("Metrics retention",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention):
data points with a period under 60 s are available for 3 hours, 60-second ones for 15 days,
300-second ones for 63 days and 3600-second ones for 455 days, shorter periods being "aggregated
together for long-term storage". So, relative to a series' newest bucket, high-resolution buckets
older than 3 hours become one-minute rows, rows older than 15 days aligned five-minute rows, older
than 63 days aligned one-hour rows, and rows older than 455 days are dropped: a series written
every minute holds at most about 15*1440 + 48*288 + 392*24 rows, whatever the simulated duration.

Statistics over a period follow GetMetricStatistics: Sum, Average, Minimum, Maximum, SampleCount
and extended statistics ``pNN`` / ``pNN.NN``. Percentiles use the nearest-rank method on the raw
values (CloudWatch documents percentiles as approximations over raw data:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles).
"""

from __future__ import annotations

import builtins
import copy
import math
from array import array
from bisect import bisect_left
from operator import itemgetter
from typing import Any, Iterable, Mapping, NamedTuple

from .clock import US_PER_SECOND
from .errors import SimError

Dims = tuple[tuple[str, str], ...]

STANDARD_RESOLUTION_S = 60
HIGH_RESOLUTION_S = 1


def dims_key(dimensions: Mapping[str, str] | Iterable[Mapping[str, str]] | None) -> Dims:
    """Normalise dimensions given as ``{"FunctionName": "f"}`` or ``[{"Name":..., "Value":...}]``."""
    if not dimensions:
        return ()
    if isinstance(dimensions, Mapping):
        return tuple(sorted((str(k), str(v)) for k, v in dimensions.items()))
    return tuple(sorted((str(d["Name"]), str(d["Value"])) for d in dimensions))


class _Bucket:
    """One period of one metric. The raw-value array is made on the first raw value (most
    buckets of a long simulation hold statistic sets only: 64 bytes saved per bucket)."""

    __slots__ = ("count", "total", "minimum", "maximum", "_values")

    def __init__(self) -> None:
        self.count = 0.0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self._values: array | None = None

    @property
    def values(self) -> array:
        """The raw values (for percentiles), an ``array("d")`` to append to."""
        v = self._values
        if v is None:
            v = self._values = array("d")
        return v

    def raw(self) -> "array | tuple[()]":
        """The raw values, without making an array for a bucket that has none."""
        v = self._values
        return () if v is None else v


#: Buckets more than this many bucket widths older than a series' newest one are archived (3 hours
#: of one-minute buckets). The writers that keep the current minute's bucket at hand
#: (``FunctionMetrics``, ``StageMetrics``) write at the current time or a request's start, far
#: inside it, so a bucket is never archived while a writer still holds it.
LIVE_BUCKETS = 180
#: A series sweeps old buckets into the archive when its newest bucket has moved this many widths
#: since the last sweep: O(live buckets) every SWEEP_EVERY new buckets, amortised O(1) per bucket.
SWEEP_EVERY = 60

#: The retention schedule (see the module docstring): rows older than ``age`` (seconds, relative to
#: the series' newest bucket) are aggregated into aligned rows ``width`` seconds wide; a tier
#: applies only to series whose buckets are narrower than its width (the 3-hour tier to
#: high-resolution series only).
RETENTION_TIERS: tuple[tuple[int, int], ...] = ((3 * 3600, 60), (15 * 86400, 300), (63 * 86400, 3600))
#: Rows older than this (seconds, relative to the newest bucket; one-hour aligned) are dropped.
EXPIRY_S = 455 * 86400
#: The retention pass runs on a sweep when the newest bucket has moved this many bucket widths
#: since the last pass (6 hours of one-minute buckets): each pass rewrites the columns after the
#: rows it aggregates, so running it less often keeps it amortised O(1) per bucket. Rows therefore
#: reach their coarser resolution up to this late; readers of the CloudWatch API never see the
#: difference (its StartTime rounding and Period rule ask for whole aggregated periods).
RETAIN_EVERY = 360


class BucketRow(NamedTuple):
    """One bucket as the readers see it, live or archived."""

    start_us: int
    sample_count: float
    total: float
    minimum: float
    maximum: float
    raw: "array | tuple[()]"  # the raw values (empty when the bucket keeps none)


class _Buckets(dict):
    """The buckets of one series: a dict ``start (epoch us) -> _Bucket`` of the recent ones,
    which writers use as a plain dict (``b = d.get(start)``, ``d[start] = _Bucket()``), plus the
    archive of older ones in columns (``array("q")`` starts, sorted; ``array("d")`` count, total,
    minimum, maximum; the raw-value arrays by start, only for buckets that have one): 40 bytes a
    bucket instead of about 200 for a ``_Bucket`` in a dict.

    Only ``d[start] = bucket`` is intercepted (``.get`` stays the C dict's): it thaws an archived
    bucket of that start into ``bucket`` (so a backdated write continues the very same
    accumulators, as if the bucket had never been archived) and, once the newest start has moved
    ``SWEEP_EVERY`` widths, archives the buckets ``LIVE_BUCKETS`` widths older than it.
    The dict (``.get``, ``.items()``, ``len``) therefore holds the recent buckets only: read a
    series through :meth:`MetricSeries.rows`."""

    __slots__ = ("width", "sweep_at", "starts", "counts", "totals", "minima", "maxima", "raw",
                 "retain_at", "marks")

    def __init__(self, width: int) -> None:
        super().__init__()
        self.width = width
        self.sweep_at = -(1 << 62)  # the first bucket sweeps (nothing) and sets the next mark
        self.retain_at = -(1 << 62)  # the next retention pass (see :meth:`_retain`)
        #: Per retention tier (finest first), the start below which every archived row is that
        #: tier's aligned width or coarser (stays -2**62 for a tier not wider than the buckets),
        #: and last the start below which rows are dropped; each only grows.
        self.marks: list[int] = [-(1 << 62)] * (len(RETENTION_TIERS) + 1)
        self.starts = array("q")
        self.counts = array("d")
        self.totals = array("d")
        self.minima = array("d")
        self.maxima = array("d")
        self.raw: dict[int, array] = {}

    def __setitem__(self, start: int, bucket: "_Bucket") -> None:
        starts = self.starts
        if starts and start <= starts[-1]:
            i = bisect_left(starts, start)
            if starts[i] == start:
                self._thaw(i, bucket)
        dict.__setitem__(self, start, bucket)
        if start >= self.sweep_at:
            self._sweep(start)

    def setdefault(self, start: int, bucket: "_Bucket") -> "_Bucket":  # type: ignore[override]
        b = self.get(start)
        if b is None:
            self[start] = b = bucket
        return b

    def update(self, *args: Any, **kwargs: Any) -> None:
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def _thaw(self, i: int, bucket: "_Bucket") -> None:
        """Move archived row ``i`` into ``bucket`` (a fresh one about to be stored)."""
        start = self.starts[i]
        bucket.count = self.counts[i]
        bucket.total = self.totals[i]
        bucket.minimum = self.minima[i]
        bucket.maximum = self.maxima[i]
        bucket._values = self.raw.pop(start, None)
        for col in (self.starts, self.counts, self.totals, self.minima, self.maxima):
            del col[i]

    def _sweep(self, newest: int) -> None:
        """Archive the live buckets older than ``newest - LIVE_BUCKETS`` widths."""
        self.sweep_at = newest + SWEEP_EVERY * self.width
        cutoff = newest - LIVE_BUCKETS * self.width
        old = sorted(k for k, b in dict.items(self) if k < cutoff and _archivable(b))
        if old:
            self._archive(old)
        if newest >= self.retain_at:
            self.retain_at = newest + RETAIN_EVERY * self.width
            self._retain(newest)

    def _archive(self, old: builtins.list[int]) -> None:
        """Move the live buckets of (sorted) starts ``old`` into the archive."""
        pop = dict.pop
        if old[0] < max(self.marks):
            # a backdated bucket into a range already aggregated: it joins its aggregated row
            buckets = [(k, pop(self, k)) for k in old]
            self._merge([(k, b.count, b.total, b.minimum, b.maximum, b._values) for k, b in buckets])
            return
        rows = []
        for k in old:
            b = pop(self, k)
            rows.append((k, b.count, b.total, b.minimum, b.maximum))
            if b._values is not None:
                self.raw[k] = b._values
        starts = self.starts
        if starts and old[0] < starts[-1]:
            # a backdated or thawed bucket older than the archive's end: merge (rare)
            rows = sorted([*zip(starts, self.counts, self.totals, self.minima, self.maxima), *rows],
                          key=itemgetter(0))
            for col in (starts, self.counts, self.totals, self.minima, self.maxima):
                del col[:]
        starts.extend([r[0] for r in rows])
        self.counts.extend([r[1] for r in rows])
        self.totals.extend([r[2] for r in rows])
        self.minima.extend([r[3] for r in rows])
        self.maxima.extend([r[4] for r in rows])

    def _tier_width(self, start: int) -> int:
        """The width of the archived row that holds data starting at ``start``: 0 when it is
        older than the expiry mark (dropped), the bucket width when it is not aggregated."""
        marks = self.marks
        if start < marks[-1]:
            return 0
        width = self.width
        for (_, w), mark in zip(RETENTION_TIERS, marks):
            if start < mark:  # only the tiers wider than the buckets have a mark
                width = w * US_PER_SECOND
        return width

    def _merge(self, new: builtins.list[tuple]) -> None:
        """Merge rows ``(start, count, total, minimum, maximum, raw or None)`` into the archive,
        each into the row of its tier (see :meth:`_tier_width`): rare (backdated writes far in
        the past), O(archive)."""
        merged: dict[int, builtins.list] = {}
        raw = self.raw
        for k, c, t, mn, mx in zip(self.starts, self.counts, self.totals, self.minima, self.maxima):
            merged[k] = [c, t, mn, mx, raw.get(k)]
        for k, c, t, mn, mx, vals in new:
            w = self._tier_width(k)
            if not w:
                continue
            k -= k % w
            row = merged.get(k)
            if row is None:
                merged[k] = [c, t, mn, mx, None if vals is None else array("d", vals)]
            else:
                _combine(row, c, t, mn, mx, vals)
        self._set_columns(sorted(merged.items()))

    def _set_columns(self, rows: builtins.list[tuple[int, builtins.list]]) -> None:
        """Replace the whole archive with ``rows`` (sorted ``(start, [count, total, min, max,
        raw or None])``)."""
        self.starts = array("q", [k for k, _ in rows])
        self.counts = array("d", [r[0] for _, r in rows])
        self.totals = array("d", [r[1] for _, r in rows])
        self.minima = array("d", [r[2] for _, r in rows])
        self.maxima = array("d", [r[3] for _, r in rows])
        self.raw = {k: r[4] for k, r in rows if r[4] is not None}

    def _retain(self, newest: int) -> None:
        """Apply the retention schedule relative to ``newest`` (a bucket start): aggregate the
        archived rows that have aged past a tier into that tier's aligned rows, finest tier first,
        then drop the rows past expiry. Only rows between a tier's old and new mark are touched."""
        marks = self.marks
        for i, (age, w_s) in enumerate(RETENTION_TIERS):
            w = w_s * US_PER_SECOND
            target = newest - age * US_PER_SECOND
            target -= target % w
            if target <= marks[i] or w <= self.width:
                continue
            self._aggregate(marks[i], target, w)
            marks[i] = target
        target = newest - EXPIRY_S * US_PER_SECOND
        target -= target % (RETENTION_TIERS[-1][1] * US_PER_SECOND)
        if target > marks[-1]:
            marks[-1] = target
            j = bisect_left(self.starts, target)
            if j:
                raw = self.raw
                if raw:
                    for k in self.starts[:j]:
                        raw.pop(k, None)
                for col in (self.starts, self.counts, self.totals, self.minima, self.maxima):
                    del col[:j]

    def _aggregate(self, lo: int, hi: int, w: int) -> None:
        """Aggregate the archived rows starting in ``[lo, hi)`` (each narrower than ``w`` and
        aligned to its own width, which divides ``w``) into rows aligned to ``w``: counts and
        totals summed, minima and maxima combined, raw values concatenated in time order."""
        starts = self.starts
        i = bisect_left(starts, lo)
        j = bisect_left(starts, hi)
        if i == j:
            return
        raw = self.raw
        out: builtins.list[tuple[int, builtins.list]] = []
        row: builtins.list = []
        cur = None
        for k, c, t, mn, mx in zip(starts[i:j], self.counts[i:j], self.totals[i:j],
                                   self.minima[i:j], self.maxima[i:j]):
            vals = raw.pop(k, None) if raw else None
            a = k - k % w
            if a != cur:
                cur = a
                row = [c, t, mn, mx, vals]  # the archive's own array, popped: extended in place
                out.append((a, row))
            else:
                _combine(row, c, t, mn, mx, vals)
        starts[i:j] = array("q", [k for k, _ in out])
        self.counts[i:j] = array("d", [r[0] for _, r in out])
        self.totals[i:j] = array("d", [r[1] for _, r in out])
        self.minima[i:j] = array("d", [r[2] for _, r in out])
        self.maxima[i:j] = array("d", [r[3] for _, r in out])
        for k, r in out:
            if r[4] is not None:
                raw[k] = r[4]

    def archived(self) -> int:
        """How many buckets are archived."""
        return len(self.starts)

    def __deepcopy__(self, memo: dict[int, Any]) -> "_Buckets":
        # An exact copy: the same live buckets in the same order (through ``memo``, so that a
        # copied writer's cached buckets are the copy's), the same archive, the same sweep mark.
        new = _Buckets(self.width)
        memo[id(self)] = new
        for k, b in dict.items(self):
            dict.__setitem__(new, k, copy.deepcopy(b, memo))
        new.sweep_at = self.sweep_at
        new.retain_at = self.retain_at
        new.marks = list(self.marks)
        new.starts = array("q", self.starts)
        new.counts = array("d", self.counts)
        new.totals = array("d", self.totals)
        new.minima = array("d", self.minima)
        new.maxima = array("d", self.maxima)
        new.raw = {k: copy.deepcopy(v, memo) for k, v in self.raw.items()}
        return new

    def __reduce__(self) -> Any:
        return (_restore_buckets, (self.width, dict(self), self.sweep_at, self.starts, self.counts,
                                   self.totals, self.minima, self.maxima, self.raw,
                                   self.retain_at, self.marks))


def _archivable(b: "_Bucket") -> bool:
    """Whether a bucket's aggregates survive a float column exactly: all are floats (the store's
    writers pass floats; a caller's int minimum, say, keeps its bucket live, so that readers see
    the very value it wrote)."""
    return type(b.count) is float and type(b.total) is float and type(b.minimum) is float \
        and type(b.maximum) is float


def _restore_buckets(width: int, live: dict, sweep_at: int, *columns: Any) -> _Buckets:
    """Unpickle a :class:`_Buckets` (see its ``__reduce__``)."""
    new = _Buckets(width)
    for k, b in live.items():
        dict.__setitem__(new, k, b)
    new.sweep_at = sweep_at
    new.starts, new.counts, new.totals, new.minima, new.maxima, new.raw = columns[:6]
    if len(columns) > 6:  # pickles from before the retention schedule have no marks
        new.retain_at, new.marks = columns[6], list(columns[7])
    return new


def _combine(row: builtins.list, c: float, t: float, mn: float, mx: float, vals: Any) -> None:
    """Add a row's aggregates to ``row`` (``[count, total, minimum, maximum, raw or None]``)."""
    row[0] += c
    row[1] += t
    if mn < row[2]:
        row[2] = mn
    if mx > row[3]:
        row[3] = mx
    if vals:
        if row[4] is None:
            row[4] = array("d", vals)
        else:
            row[4].extend(vals)


class MetricSeries:
    """All data of one metric: buckets keyed by their start (epoch microseconds).

    ``buckets`` holds the recent buckets (writers: ``buckets.get`` / ``buckets[start] = ...``);
    readers use :meth:`rows`, which includes the archived ones."""

    __slots__ = ("namespace", "name", "dimensions", "unit", "resolution_s", "buckets")

    def __init__(self, namespace: str, name: str, dimensions: Dims, unit: str, resolution_s: int):
        self.namespace = namespace
        self.name = name
        self.dimensions = dimensions
        self.unit = unit
        self.resolution_s = resolution_s
        self.buckets = _Buckets(resolution_s * US_PER_SECOND)

    def add(self, time_us: int, value: float, count: float = 1.0) -> None:
        width = self.resolution_s * US_PER_SECOND
        start = time_us - time_us % width
        b = self.buckets.get(start)
        if b is None:
            b = self.buckets[start] = _Bucket()
        b.count += count
        b.total += value * count if count != 1.0 else value
        if value < b.minimum:
            b.minimum = value
        if value > b.maximum:
            b.maximum = value
        if count == 1.0:
            v = b._values
            if v is None:
                v = b._values = array("d")
            v.append(value)

    def add_statistic_set(self, time_us: int, sample_count: float, total: float, minimum: float, maximum: float) -> None:
        width = self.resolution_s * US_PER_SECOND
        start = time_us - time_us % width
        b = self.buckets.get(start)
        if b is None:
            b = self.buckets[start] = _Bucket()
        b.count += sample_count
        b.total += total
        if minimum < b.minimum:
            b.minimum = minimum
        if maximum > b.maximum:
            b.maximum = maximum

    def rows(self, start_us: int | None = None, end_us: int | None = None) -> builtins.list[BucketRow]:
        """Every bucket (archived or live) starting in ``[start_us, end_us)``, oldest first."""
        d = self.buckets
        starts = d.starts
        lo = 0 if start_us is None else bisect_left(starts, start_us)
        hi = len(starts) if end_us is None else bisect_left(starts, end_us)
        out: builtins.list[BucketRow] = []
        if lo < hi:
            raw = d.raw
            for k, c, t, mn, mx in zip(starts[lo:hi], d.counts[lo:hi], d.totals[lo:hi],
                                       d.minima[lo:hi], d.maxima[lo:hi]):
                out.append(BucketRow(k, c, t, mn, mx, raw.get(k, ()) if raw else ()))
        live = sorted(
            (k, b) for k, b in dict.items(d)
            if (start_us is None or k >= start_us) and (end_us is None or k < end_us)
        ) if start_us is not None or end_us is not None else sorted(dict.items(d))
        if live:
            tail = [BucketRow(k, b.count, b.total, b.minimum, b.maximum, b.raw()) for k, b in live]
            if out and tail[0].start_us < out[-1].start_us:
                out = sorted([*out, *tail], key=itemgetter(0))  # a thawed or backdated bucket
            else:
                out.extend(tail)
        return out

    def has_raw(self) -> bool:
        """Whether any bucket keeps raw values (percentiles can be computed)."""
        d = self.buckets
        return any(d.raw.values()) or any(b._values for b in dict.values(d))

    def bucket_count(self) -> int:
        """How many buckets hold data (archived and live)."""
        return len(self.buckets) + self.buckets.archived()


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (p in 0..100)."""
    if not values:
        return math.nan
    rank = max(1, math.ceil(p / 100.0 * len(values)))
    return values[min(rank, len(values)) - 1]


def parse_percentile(stat: str) -> float | None:
    """``"p99"`` -> 99.0, ``"p99.9"`` -> 99.9; None for anything else."""
    if len(stat) > 1 and stat[0] == "p":
        try:
            p = float(stat[1:])
        except ValueError:
            return None
        if 0.0 <= p <= 100.0:
            return p
    return None


BASIC_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


class MetricStore:
    """The metrics of one Cloud. ``put`` is O(1) (amortised); statistics are O(log buckets + recent
    buckets + buckets and samples in range)."""

    def _repr_html_(self) -> str:
        """Notebook display (``serverless_sim.sim.display``)."""
        from ..sim.display import metrics_html

        return metrics_html(self)

    def __init__(self, clock: Any) -> None:
        self._clock = clock
        self._series: dict[tuple[str, str, Dims], MetricSeries] = {}

    def put(
        self,
        namespace: str,
        name: str,
        value: float,
        dimensions: Mapping[str, str] | Iterable[Mapping[str, str]] | None = None,
        unit: str = "None",
        *,
        time_us: int | None = None,
        storage_resolution: int = STANDARD_RESOLUTION_S,
        count: float = 1.0,
    ) -> None:
        """Record one value (``count`` times) at ``time_us`` (default now)."""
        series = self._get(namespace, name, dimensions, unit, storage_resolution)
        series.add(self._clock.now_us if time_us is None else time_us, float(value), count)

    def put_statistic_set(
        self,
        namespace: str,
        name: str,
        dimensions: Any,
        unit: str,
        sample_count: float,
        total: float,
        minimum: float,
        maximum: float,
        *,
        time_us: int | None = None,
        storage_resolution: int = STANDARD_RESOLUTION_S,
    ) -> None:
        """Record pre-aggregated values (no percentiles can come from these, as on CloudWatch)."""
        series = self._get(namespace, name, dimensions, unit, storage_resolution)
        series.add_statistic_set(
            self._clock.now_us if time_us is None else time_us, sample_count, total, minimum, maximum
        )

    def _get(self, namespace: str, name: str, dimensions: Any, unit: str, resolution: int) -> MetricSeries:
        key = (namespace, name, dims_key(dimensions))
        series = self._series.get(key)
        if series is None:
            if resolution not in (STANDARD_RESOLUTION_S, HIGH_RESOLUTION_S):
                raise SimError(f"storage resolution is 1 or 60 seconds, got {resolution}")
            series = self._series[key] = MetricSeries(namespace, name, key[2], unit, resolution)
        return series

    def series(self, namespace: str, name: str, dimensions: Any = None) -> MetricSeries | None:
        return self._series.get((namespace, name, dims_key(dimensions)))

    def list(
        self, namespace: str | None = None, name: str | None = None, dimensions: Any = None
    ) -> list[MetricSeries]:
        """Series matching the filters, sorted by (namespace, name, dimensions).

        ``dimensions`` filters as ListMetrics does: each given name must be present, with the
        given value when one is given (``{"FunctionName": None}`` matches any value).
        """
        wanted: list[tuple[str, str | None]] = []
        if dimensions:
            if isinstance(dimensions, Mapping):
                wanted = [(k, v) for k, v in dimensions.items()]
            else:
                wanted = [(d["Name"], d.get("Value")) for d in dimensions]
        out = []
        for (ns, nm, dims), s in self._series.items():
            if namespace is not None and ns != namespace:
                continue
            if name is not None and nm != name:
                continue
            dd = dict(dims)
            if any(k not in dd or (v is not None and dd[k] != v) for k, v in wanted):
                continue
            out.append(s)
        out.sort(key=lambda s: (s.namespace, s.name, s.dimensions))
        return out

    def statistics(
        self,
        namespace: str,
        name: str,
        dimensions: Any,
        start_us: int,
        end_us: int,
        period_s: int,
        statistics: Iterable[str] = ("Sum",),
        *,
        not_before_us: int | None = None,
    ) -> builtins.list[dict[str, Any]]:
        """Datapoints per period in ``[start_us, end_us)``, oldest first (leaving out buckets
        starting before ``not_before_us``: the CloudWatch API's 455-day expiry).

        Each datapoint is ``{"timestamp_us": ..., "SampleCount": ..., "p99": ...}`` for the
        statistics asked; periods with no data are omitted, as CloudWatch omits them. A period's
        buckets (archived or recent: :meth:`MetricSeries.rows`) are combined oldest first.
        """
        if period_s <= 0:
            raise SimError("period must be positive")
        series = self.series(namespace, name, dimensions)
        if series is None:
            return []
        stats = builtins.list(statistics)
        width = period_s * US_PER_SECOND
        groups: dict[int, builtins.list[BucketRow]] = {}
        rows_from = start_us if not_before_us is None else max(start_us, not_before_us)
        for row in series.rows(rows_from, end_us):
            pstart = start_us + (row.start_us - start_us) // width * width
            groups.setdefault(pstart, []).append(row)
        points = []
        for pstart in sorted(groups):
            buckets = groups[pstart]
            count = sum(b.sample_count for b in buckets)
            total = sum(b.total for b in buckets)
            point: dict[str, Any] = {"timestamp_us": pstart, "unit": series.unit}
            sorted_values: builtins.list[float] | None = None
            for stat in stats:
                if stat == "SampleCount":
                    point[stat] = count
                elif stat == "Sum":
                    point[stat] = total
                elif stat == "Average":
                    point[stat] = total / count if count else math.nan
                elif stat == "Minimum":
                    point[stat] = min(b.minimum for b in buckets)
                elif stat == "Maximum":
                    point[stat] = max(b.maximum for b in buckets)
                else:
                    p = parse_percentile(stat)
                    if p is None:
                        raise SimError(f"unknown statistic {stat!r}")
                    if sorted_values is None:
                        sorted_values = sorted(v for b in buckets for v in b.raw)
                    point[stat] = _percentile(sorted_values, p)
            points.append(point)
        return points
