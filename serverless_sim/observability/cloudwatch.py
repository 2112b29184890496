"""CloudWatch metrics: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.

The data lives in the kernel's :class:`~serverless_sim.kernel.metrics.MetricStore`, which the
simulated services fill with AWS's metric names as the clock moves; user code may add its own
with PutMetricData. API reference:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/Welcome.html

Retention follows CloudWatch's schedule ("Metrics retention" in
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html, and the
GetMetricStatistics / GetMetricData references): the store aggregates old data into coarser rows
(see :mod:`serverless_sim.kernel.metrics`); here PutMetricData refuses timestamps more than two
weeks in the past or two hours in the future, and GetMetricStatistics and GetMetricData round
StartTime down (to the minute when less than 15 days ago, to 5 minutes between 15 and 63 days,
to the hour beyond) and return no data points for the time ranges that the Period does not suit
(data more than 3 hours old needs a multiple of 60, more than 15 days a multiple of 300, more
than 63 days a multiple of 3600), nor for data older than 455 days.

Deviations: GetMetricData supports ``MetricStat`` queries (not metric math ``Expression``s, which
answer ValidationError); alarms, dashboards and anomaly detection are not modelled.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from typing import Any

from ..kernel.clock import US_PER_SECOND, datetime_to_us, instant_to_us, us_to_datetime
from ..kernel.errors import AWSError, SimError
from ..kernel.metrics import BASIC_STATISTICS, parse_percentile
from ..kernel.service import Service, operation


class CloudWatchError(AWSError):
    service = "cloudwatch"


class InvalidParameterValueException(CloudWatchError):
    code = "InvalidParameterValue"


class MissingRequiredParameterException(CloudWatchError):
    code = "MissingParameter"


class InvalidParameterCombinationException(CloudWatchError):
    code = "InvalidParameterCombination"


class InvalidNextToken(CloudWatchError):
    code = "InvalidNextToken"


class ValidationError(CloudWatchError):
    code = "ValidationError"


ERRORS: dict[str, type[AWSError]] = {
    "InvalidParameterValueException": InvalidParameterValueException,
    "MissingRequiredParameterException": MissingRequiredParameterException,
    "InvalidParameterCombinationException": InvalidParameterCombinationException,
    "InvalidNextToken": InvalidNextToken,
    "ValidationError": ValidationError,
}

#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDatum.html
UNITS = frozenset(
    "Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits "
    "Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second "
    "Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second "
    "Megabits/Second Gigabits/Second Terabits/Second Count/Second None".split()
)
#: PutMetricData: 1,000 metrics per request (API_PutMetricData), 30 dimensions per metric.
MAX_DATUMS = 1000
MAX_DIMENSIONS = 30
#: GetMetricStatistics returns at most 1,440 datapoints per call.
MAX_DATAPOINTS = 1440
#: PutMetricData accepts time stamps "as much as two weeks before the current date, and as much
#: as 2 hours after the current day and time" (API_PutMetricData).
PUT_MAX_AGE_US = 14 * 86_400 * US_PER_SECOND
PUT_MAX_AHEAD_US = 2 * 3_600 * US_PER_SECOND
#: GetMetricStatistics / GetMetricData, StartTime and Period: (an age, the period that Period
#: must be a multiple of for data older than that age to be returned, and that StartTime older
#: than that age is rounded down to), oldest first. Otherwise StartTime is rounded down to the
#: minute (or, for a Period of 1, 5, 10 or 30 on high-resolution data, to that many seconds).
PERIOD_RULES = ((63 * 86_400, 3600), (15 * 86_400, 300), (3 * 3_600, 60))
#: Data older than 455 days (15 months) has expired.
EXPIRY_US = 455 * 86_400 * US_PER_SECOND
#: GetMetricData: up to 500 queries per request.
MAX_QUERIES = 500
#: ListMetrics pages hold up to 500 results.
LIST_PAGE = 500


def _require(request: dict[str, Any], name: str) -> Any:
    if name not in request or request[name] is None:
        raise MissingRequiredParameterException(f"The parameter {name} is required.")
    return request[name]


def _time_us(value: Any, name: str) -> int:
    if isinstance(value, _dt.datetime):
        return datetime_to_us(value)
    try:
        return instant_to_us(value)
    except SimError as exc:
        raise InvalidParameterValueException(f"The parameter {name} must be a timestamp.") from exc


def _check_dimensions(dims: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    dims = dims or []
    if len(dims) > MAX_DIMENSIONS:
        raise InvalidParameterValueException(
            f"The collection Dimensions must not have a size greater than {MAX_DIMENSIONS}."
        )
    for d in dims:
        if not d.get("Name") or "Value" not in d:
            raise InvalidParameterValueException("Each dimension needs a Name and a Value.")
    return dims


class CloudWatch(Service):
    """The CloudWatch metrics API over the Cloud's metric store."""

    service_name = "cloudwatch"
    errors = ERRORS

    @property
    def store(self) -> Any:
        return self.cloud.metrics

    @operation("PutMetricData")
    def put_metric_data(self, request: dict[str, Any]) -> dict[str, Any]:
        namespace = _require(request, "Namespace")
        if namespace.startswith("AWS/"):
            raise InvalidParameterValueException(
                "The value AWS/ for parameter Namespace is invalid."
            )
        data = request.get("MetricData") or []
        if not data:
            raise MissingRequiredParameterException("The parameter MetricData is required.")
        if len(data) > MAX_DATUMS:
            raise InvalidParameterValueException(
                f"The collection MetricData must not have a size greater than {MAX_DATUMS}."
            )
        # Validate everything first: nothing is half-written.
        prepared = []
        for i, datum in enumerate(data, 1):
            name = datum.get("MetricName")
            if not name:
                raise MissingRequiredParameterException(
                    f"The parameter MetricData.member.{i}.MetricName is required."
                )
            unit = datum.get("Unit", "None")
            if unit not in UNITS:
                raise InvalidParameterValueException(
                    f"The value {unit} for parameter MetricData.member.{i}.Unit is invalid."
                )
            dims = _check_dimensions(datum.get("Dimensions"))
            now = self.cloud.now_us
            when = (
                _time_us(datum["Timestamp"], "Timestamp")
                if datum.get("Timestamp") is not None
                else now
            )
            if when < now - PUT_MAX_AGE_US:
                raise InvalidParameterValueException(
                    f"The parameter MetricData.member.{i}.Timestamp must specify a time within "
                    "the past two weeks."
                )
            if when > now + PUT_MAX_AHEAD_US:
                raise InvalidParameterValueException(
                    f"The parameter MetricData.member.{i}.Timestamp must specify a time no more "
                    "than two hours in the future."
                )
            resolution = datum.get("StorageResolution", 60)
            if resolution not in (1, 60):
                raise InvalidParameterValueException(
                    f"The value {resolution} for parameter MetricData.member.{i}.StorageResolution "
                    "is invalid."
                )
            values: list[tuple[float, float]] = []
            if "Value" in datum and datum["Value"] is not None:
                values.append((float(datum["Value"]), 1.0))
            for j, v in enumerate(datum.get("Values") or []):
                counts = datum.get("Counts") or []
                values.append((float(v), float(counts[j]) if j < len(counts) else 1.0))
            stat_set = datum.get("StatisticValues")
            if stat_set is not None and values:
                raise InvalidParameterCombinationException(
                    f"The parameters MetricData.member.{i}.Value and "
                    f"MetricData.member.{i}.StatisticValues are mutually exclusive and you have "
                    "specified both."
                )
            for v, _ in values:
                if math.isnan(v) or math.isinf(v):
                    raise InvalidParameterValueException(
                        f"The value {v} for parameter MetricData.member.{i}.Value is invalid."
                    )
            prepared.append((name, dims, unit, when, resolution, values, stat_set))
        for name, dims, unit, when, resolution, values, stat_set in prepared:
            for v, count in values:
                self.store.put(
                    namespace, name, v, dims, unit, time_us=when,
                    storage_resolution=resolution, count=count,
                )
            if stat_set is not None:
                self.store.put_statistic_set(
                    namespace, name, dims, unit, float(stat_set["SampleCount"]),
                    float(stat_set["Sum"]), float(stat_set["Minimum"]), float(stat_set["Maximum"]),
                    time_us=when, storage_resolution=resolution,
                )
        return {}

    def _stats(
        self, namespace: str, name: str, dims: Any, start: Any, end: Any, period: int,
        stats: list[str],
    ) -> list[dict[str, Any]]:
        start_us = _time_us(start, "StartTime")
        end_us = _time_us(end, "EndTime")
        if end_us <= start_us:
            raise InvalidParameterValueException(
                "The parameter StartTime must be less than the parameter EndTime."
            )
        if not isinstance(period, int) or period < 1 or (period % 60 and period not in (1, 5, 10, 30)):
            raise InvalidParameterValueException(
                "The parameter Period must be a multiple of 60 (or 1, 5, 10, 30 for high "
                "resolution metrics)."
            )
        # Retention (see the module docstring): the StartTime's age decides its rounding; the
        # Period decides how far back data is returned ("no data points in that time range" for
        # the age ranges whose resolution the Period does not fit); data past 455 days expired.
        now = self.cloud.now_us
        age = now - start_us
        grain = 60 if period >= 60 else period
        for rule_age, rule_period in PERIOD_RULES:
            if age > rule_age * US_PER_SECOND:
                grain = max(grain, rule_period)
                break
        start_us -= start_us % (grain * US_PER_SECOND)
        not_before = now - EXPIRY_US
        for rule_age, rule_period in PERIOD_RULES:
            if period % rule_period:
                not_before = max(not_before, now - rule_age * US_PER_SECOND)
        points = self.store.statistics(namespace, name, dims, start_us, end_us, period, stats,
                                       not_before_us=not_before)
        if len(points) > MAX_DATAPOINTS:
            raise InvalidParameterCombinationException(
                f"You have requested up to {len(points)} datapoints, which exceeds the limit of "
                f"{MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, "
                "or decreasing the time range."
            )
        return points

    @operation("GetMetricStatistics")
    def get_metric_statistics(self, request: dict[str, Any]) -> dict[str, Any]:
        namespace = _require(request, "Namespace")
        name = _require(request, "MetricName")
        stats = list(request.get("Statistics") or [])
        extended = list(request.get("ExtendedStatistics") or [])
        if not stats and not extended:
            raise InvalidParameterCombinationException(
                "Must specify either Statistics or ExtendedStatistics"
            )
        for s in stats:
            if s not in BASIC_STATISTICS:
                raise InvalidParameterValueException(
                    f"The value {s} for parameter Statistics is invalid."
                )
        for s in extended:
            if parse_percentile(s) is None:
                raise InvalidParameterValueException(
                    f"The value {s} for parameter ExtendedStatistics is invalid."
                )
        dims = _check_dimensions(request.get("Dimensions"))
        points = self._stats(
            namespace, name, dims, _require(request, "StartTime"), _require(request, "EndTime"),
            _require(request, "Period"), stats + extended,
        )
        out = []
        for p in points:
            dp: dict[str, Any] = {"Timestamp": us_to_datetime(p["timestamp_us"])}
            for s in stats:
                dp[s] = p[s]
            if extended:
                dp["ExtendedStatistics"] = {s: p[s] for s in extended}
            dp["Unit"] = request.get("Unit") or p["unit"]
            out.append(dp)
        return {"Label": name, "Datapoints": out}

    @operation("GetMetricData")
    def get_metric_data(self, request: dict[str, Any]) -> dict[str, Any]:
        queries = _require(request, "MetricDataQueries")
        if not queries or len(queries) > MAX_QUERIES:
            raise ValidationError(
                f"The collection MetricDataQueries must have between 1 and {MAX_QUERIES} items."
            )
        start, end = _require(request, "StartTime"), _require(request, "EndTime")
        descending = request.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        ids = [q.get("Id") for q in queries]
        if len(set(ids)) != len(ids):
            raise ValidationError("The values for parameter id in MetricDataQueries are not unique.")
        results = []
        for q in queries:
            if "Expression" in q:
                raise ValidationError(
                    "Metric math expressions are not supported by this simulator."
                )
            stat = q.get("MetricStat")
            if not stat:
                raise ValidationError(
                    "Exactly one element of the metrics list should return data."
                )
            metric = stat["Metric"]
            statistic = stat["Stat"]
            if statistic not in BASIC_STATISTICS and parse_percentile(statistic) is None:
                raise ValidationError(f"Invalid statistic: {statistic}")
            points = self._stats(
                metric["Namespace"], metric["MetricName"], metric.get("Dimensions"), start, end,
                stat["Period"], [statistic],
            )
            if descending:
                points.reverse()
            results.append(
                {
                    "Id": q["Id"],
                    "Label": q.get("Label", metric["MetricName"]),
                    "Timestamps": [us_to_datetime(p["timestamp_us"]) for p in points],
                    "Values": [p[statistic] for p in points],
                    "StatusCode": "Complete",
                }
            )
        return {"MetricDataResults": results, "Messages": []}

    @operation("ListMetrics")
    def list_metrics(self, request: dict[str, Any]) -> dict[str, Any]:
        dims = request.get("Dimensions") or None
        found = self.store.list(request.get("Namespace"), request.get("MetricName"), dims)
        start = 0
        token = request.get("NextToken")
        if token:
            try:
                start = int(json.loads(base64.b64decode(token))["offset"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidNextToken("The service cannot parse the given token.") from exc
        page = found[start : start + LIST_PAGE]
        response: dict[str, Any] = {
            "Metrics": [
                {
                    "Namespace": s.namespace,
                    "MetricName": s.name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in s.dimensions],
                }
                for s in page
            ]
        }
        if start + LIST_PAGE < len(found):
            response["NextToken"] = base64.b64encode(
                json.dumps({"offset": start + LIST_PAGE}).encode()
            ).decode()
        return response

