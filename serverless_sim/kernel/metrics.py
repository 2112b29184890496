"""A CloudWatch-shaped metric store that the services fill as the clock moves.

A metric is identified by (namespace, metric name, dimensions); dimensions are a set of
name/value pairs (order does not matter, as in CloudWatch). Values are aggregated into buckets of
the metric's storage resolution (60 s standard, 1 s high resolution, per
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition);
each bucket keeps SampleCount, Sum, Minimum, Maximum and the raw values (a compact float array)
for percentiles. Memory therefore grows with the number of samples, at 8 bytes each, plus a small
constant per (metric, bucket).

Statistics over a period follow GetMetricStatistics: Sum, Average, Minimum, Maximum, SampleCount
and extended statistics ``pNN`` / ``pNN.NN``. Percentiles use the nearest-rank method on the raw
values (CloudWatch documents percentiles as approximations over raw data:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Percentiles).
"""

from __future__ import annotations

import builtins
import math
from array import array
from typing import Any, Iterable, Mapping

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


class MetricSeries:
    """All data of one metric: buckets keyed by their start (epoch microseconds)."""

    __slots__ = ("namespace", "name", "dimensions", "unit", "resolution_s", "buckets")

    def __init__(self, namespace: str, name: str, dimensions: Dims, unit: str, resolution_s: int):
        self.namespace = namespace
        self.name = name
        self.dimensions = dimensions
        self.unit = unit
        self.resolution_s = resolution_s
        self.buckets: dict[int, _Bucket] = {}

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
    """The metrics of one Cloud. ``put`` is O(1); statistics are O(buckets + samples in range)."""

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
    ) -> builtins.list[dict[str, Any]]:
        """Datapoints per period in ``[start_us, end_us)``, oldest first.

        Each datapoint is ``{"timestamp_us": ..., "SampleCount": ..., "p99": ...}`` for the
        statistics asked; periods with no data are omitted, as CloudWatch omits them.
        """
        if period_s <= 0:
            raise SimError("period must be positive")
        series = self.series(namespace, name, dimensions)
        if series is None:
            return []
        stats = builtins.list(statistics)
        width = period_s * US_PER_SECOND
        groups: dict[int, builtins.list[_Bucket]] = {}
        for bstart, bucket in series.buckets.items():
            if start_us <= bstart < end_us:
                pstart = start_us + (bstart - start_us) // width * width
                groups.setdefault(pstart, []).append(bucket)
        points = []
        for pstart in sorted(groups):
            buckets = groups[pstart]
            count = sum(b.count for b in buckets)
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
                        sorted_values = sorted(v for b in buckets for v in b.raw())
                    point[stat] = _percentile(sorted_values, p)
            points.append(point)
        return points
