"""Reports: what a simulation did and what it would cost, read from the Cloud's metrics.

``report(cloud)`` returns a :class:`Report` covering the whole run so far (from the Cloud's start
to ``now``): latency percentiles, cold starts, throttles and errors per service, DynamoDB
consumed capacity and throttling, Step Functions transitions, and the cost by service at AWS's
list prices (:mod:`.cost`). Render it as text (``str(r)``), plain dicts (``r.to_dict()``), JSON,
pandas DataFrames (``r.frames()``, extra ``notebook``), matplotlib figures (``r.plot()``) or HTML
in a notebook.

Where each number comes from (CloudWatch-shaped metrics the services publish, so a report always
sums to them; service state only where AWS bills something no metric carries):

| section | source |
| --- | --- |
| workloads | each workload's counters and latency histogram (``ServerlessSim/Workloads`` metrics) |
| Lambda | ``AWS/Lambda`` Invocations, Errors, Throttles, Duration (by FunctionName); cold starts, peak concurrency and billed GB-s from the function's counters (``Lambda.stats`` / ``billing``) |
| DynamoDB | ``AWS/DynamoDB`` ConsumedRead/WriteCapacityUnits (table and GSIs), Read/WriteThrottleEvents, ThrottledRequests; provisioned capacity and size from the table |
| Step Functions | the executions (type, status, transitions, duration); ``AWS/States`` Executions* |
| SQS | ``AWS/SQS`` NumberOfMessagesSent / Received / Deleted, NumberOfEmptyReceives |
| SNS | ``AWS/SNS`` NumberOfMessagesPublished, NumberOfNotificationsDelivered / Failed |
| API Gateway | ``AWS/ApiGateway`` Count, 4XXError/4xx, 5XXError/5xx, Latency |
| S3 | object sizes from the buckets; request counts from workloads' ``Bucket`` targets |

Known approximations (each stated in ``report.notes`` when it applies): SQS requests are counted
one per message (batching lowers the real bill); storage (DynamoDB, S3) is billed as the size at
report time for the whole elapsed time; provisioned DynamoDB capacity as the current setting for
the table's lifetime (hours rounded up); on-demand DynamoDB tables meter capacity only with
``cloud.dynamodb.config.throughput.on_demand = True``; SNS deliveries are priced by the topic's
subscription protocols (exactly, from the trace, when its records are kept).

Reading the metrics flushes the per-minute aggregates that SQS and DynamoDB keep (``flush=False``
skips it): metrics only, the trace is unaffected.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Iterable

import attrs

from ..kernel.clock import format_us
from .cost import (
    GIB, HOURS_PER_MONTH, US_EAST_1, CostLine, FreeTier, Prices, express_duration_cost, free_allowances,
    months_of,
)
from .workloads import NAMESPACE as WORKLOAD_NS
from .workloads import workloads

if TYPE_CHECKING:
    from ..cloud import Cloud

PERCENTILES = (50, 90, 99)
_US_PER_HOUR = 3_600_000_000


# -- metric helpers ----------------------------------------------------------------------------------
def _series(cloud: "Cloud", ns: str, name: str, **dims: Any) -> list[Any]:
    """Series of (ns, name) whose dimensions include ``dims`` exactly (by value), sorted."""
    want = {k: str(v) for k, v in dims.items()}
    out = []
    for s in cloud.metrics.list(ns, name):
        d = dict(s.dimensions)
        if all(d.get(k) == v for k, v in want.items()):
            out.append(s)
    return out


def _exact(cloud: "Cloud", ns: str, name: str, **dims: Any) -> Any:
    return cloud.metrics.series(ns, name, {k: str(v) for k, v in dims.items()})


def metric_sum(series: Any) -> float:
    """Sum of every value of one series (0 for None). O(buckets)."""
    if series is None:
        return 0.0
    return float(sum(b.total for b in series.rows()))


def metric_count(series: Any) -> float:
    if series is None:
        return 0.0
    return float(sum(b.sample_count for b in series.rows()))


def metric_max(series: Any) -> float | None:
    rows = series.rows() if series is not None else None
    if not rows:
        return None
    return float(max(b.maximum for b in rows))


def metric_percentiles(series: Any, ps: Iterable[float] = PERCENTILES) -> dict[str, float | None]:
    """Nearest-rank percentiles over every raw value of a series (as CloudWatch computes them
    over a period); None when the series keeps no raw values."""
    ps = list(ps)
    values: list[float] = []
    if series is not None:
        for b in series.rows():
            values.extend(b.raw)
    values.sort()
    out: dict[str, float | None] = {}
    for p in ps:
        if not values:
            out[f"p{p:g}"] = None
        else:
            rank = max(1, math.ceil(p / 100.0 * len(values)))
            out[f"p{p:g}"] = values[min(rank, len(values)) - 1]
    return out


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


# -- the report ------------------------------------------------------------------------------------
@attrs.define(eq=False)
class Report:
    """A run's summary: plain data in sections, plus the priced cost lines."""

    run: dict[str, Any]
    workloads: dict[str, dict[str, Any]]
    services: dict[str, dict[str, dict[str, Any]]]
    errors: dict[str, dict[str, float]]
    cost_lines: list[CostLine]
    free_tier: bool
    prices: Prices
    notes: list[str]
    timeseries: list[dict[str, Any]]

    # -- totals ------------------------------------------------------------------------------
    @property
    def cost_by_service(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.cost_lines:
            out[line.service] = out.get(line.service, 0.0) + line.cost
        return dict(sorted(out.items()))

    @property
    def total_cost(self) -> float:
        return sum(line.cost for line in self.cost_lines)

    def monthly_cost(self) -> float:
        """The total scaled to a 730-hour month (for runs shorter or longer than a month; the
        free tier, if on, was applied to the run as simulated)."""
        hours = self.run["elapsed_s"] / 3600
        return self.total_cost * HOURS_PER_MONTH / hours if hours > 0 else 0.0

    # -- renderings --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything as plain data (JSON-serialisable)."""
        return {
            "run": dict(self.run),
            "workloads": self.workloads,
            "services": self.services,
            "errors": self.errors,
            "cost": {
                "free_tier": self.free_tier,
                "region": self.prices.region,
                "total": self.total_cost,
                "by_service": self.cost_by_service,
                "lines": [line.to_dict() for line in self.cost_lines],
            },
            "notes": list(self.notes),
        }

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("sort_keys", True)
        return json.dumps(self.to_dict(), default=str, **kwargs)

    def text(self) -> str:
        """A plain-text report."""
        from .display import report_text

        return report_text(self)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return (f"<Report {self.run['start']} .. {self.run['now']} "
                f"{sum(w['sent'] for w in self.workloads.values())} requests ${self.total_cost:.4f}>")

    def _repr_html_(self) -> str:
        from .display import report_html

        return report_html(self)

    def frames(self) -> dict[str, Any]:
        """pandas DataFrames (extra ``notebook``): ``workloads``, one per service, ``errors``,
        ``cost`` and ``timeseries`` (long format: time, series, value)."""
        import pandas as pd

        out: dict[str, Any] = {}
        if self.workloads:
            out["workloads"] = pd.DataFrame.from_dict(
                {k: {kk: vv for kk, vv in v.items() if kk != "targets"} for k, v in self.workloads.items()},
                orient="index")
        for svc, rows in self.services.items():
            if rows:
                out[svc] = pd.DataFrame.from_dict(rows, orient="index")
        out["errors"] = pd.DataFrame.from_dict(self.errors, orient="index")
        out["cost"] = pd.DataFrame([line.to_dict() for line in self.cost_lines],
                                   columns=["service", "item", "resource", "quantity", "unit", "billable",
                                            "unit_price", "cost"])
        ts = pd.DataFrame(self.timeseries, columns=["time", "series", "value"])
        if len(ts):
            ts["time"] = pd.to_datetime(ts["time"], utc=True)
        out["timeseries"] = ts
        return out

    to_pandas = frames

    def plot(self, series: Iterable[str] | None = None) -> Any:
        """A matplotlib Figure of the time series (extra ``notebook``): one panel per kind
        (requests, concurrency, latency, throttles and errors), plus cost by service."""
        from .display import report_figure

        return report_figure(self, series)


def report(cloud: "Cloud", *, free_tier: bool = False, prices: Prices = US_EAST_1, flush: bool = True,
           period: int | None = None) -> Report:
    """Summarise the run so far (see the module docstring). ``period`` (seconds, a multiple of
    60) is the time-series resolution; default about 200 points over the run."""
    if flush:
        _flush(cloud)
    now = cloud.clock.now_us
    elapsed = now - cloud.start_us
    months = months_of(elapsed)
    free = FreeTier(free_tier, free_allowances(prices, months))
    notes: list[str] = []
    lines: list[CostLine] = []
    services: dict[str, dict[str, dict[str, Any]]] = {}
    errors: dict[str, dict[str, float]] = {}
    svcs = cloud.__dict__.get("_services", {})

    wls = {name: wl.summary() for name, wl in sorted(workloads(cloud).items())}
    if wls:
        errors["workloads"] = {
            "errors": float(sum(w["errors"] for w in wls.values())),
            "throttles": float(sum(w["throttled"] for w in wls.values())),
        }
    if "lambda" in svcs:
        services["lambda"] = _lambda(cloud, svcs["lambda"], prices, free, lines, errors)
    if "apigateway" in svcs or cloud.metrics.list("AWS/ApiGateway"):
        services["apigateway"] = _apigateway(cloud, prices, free, lines, errors)
    if "dynamodb" in svcs:
        services["dynamodb"] = _dynamodb(cloud, svcs["dynamodb"], prices, free, lines, errors, notes, elapsed)
    if "stepfunctions" in svcs:
        services["stepfunctions"] = _stepfunctions(svcs["stepfunctions"], prices, free, lines, errors)
    if "sqs" in svcs:
        services["sqs"] = _sqs(cloud, svcs["sqs"], prices, free, lines, notes)
    if "sns" in svcs:
        services["sns"] = _sns(cloud, svcs["sns"], prices, free, lines, errors)
    if "s3" in svcs:
        services["s3"] = _s3(cloud, svcs["s3"], prices, free, lines, notes, elapsed)
    run = {
        "seed": cloud.seed,
        "region": cloud.region,
        "start": format_us(cloud.start_us),
        "now": format_us(now),
        "elapsed_s": elapsed / 1_000_000,
        "events_run": cloud.scheduler.events_run,
        "trace_records": cloud.trace.total,
        "trace_digest": cloud.trace.digest(),
    }
    if period is None:
        period = max(60, (elapsed // 200 // 60_000_000) * 60) if elapsed > 0 else 60
    ts = timeseries(cloud, period)
    return Report(run, wls, services, errors, lines, free_tier, prices, notes, ts)


def _flush(cloud: "Cloud") -> None:
    svcs = cloud.__dict__.get("_services", {})
    if "sqs" in svcs:
        svcs["sqs"].flush_metrics()
    if "dynamodb" in svcs and hasattr(svcs["dynamodb"], "flush_capacity_metrics"):
        svcs["dynamodb"].flush_capacity_metrics()


def _line(lines: list[CostLine], free: FreeTier, service: str, item: str, resource: str, quantity: float,
          unit: str, price: float, free_kind: str | None = None) -> None:
    if quantity <= 0:
        return
    billable = free.take(free_kind, quantity) if free_kind else quantity
    lines.append(CostLine(service, item, resource, quantity, unit, billable, price))


# -- Lambda ------------------------------------------------------------------------------------------
def _lambda(cloud: "Cloud", lam: Any, prices: Prices, free: FreeTier, lines: list[CostLine],
            errors: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    ns = "AWS/Lambda"
    bill = lam.billing(free_tier=False)
    rows: dict[str, dict[str, Any]] = {}
    for name in sorted(lam.functions):
        fn = lam.functions[name]
        st = lam.stats(name)
        inv = metric_sum(_exact(cloud, ns, "Invocations", FunctionName=name))
        dur = _exact(cloud, ns, "Duration", FunctionName=name)
        pct = metric_percentiles(dur)
        b = bill.functions.get(name)
        rows[name] = {
            "invocations": inv,
            "errors": metric_sum(_exact(cloud, ns, "Errors", FunctionName=name)),
            "throttles": metric_sum(_exact(cloud, ns, "Throttles", FunctionName=name)),
            "cold_starts": st["cold_starts"],
            "cold_start_rate": st["cold_starts"] / inv if inv else 0.0,
            "duration_mean_ms": _r(metric_sum(dur) / metric_count(dur)) if metric_count(dur) else None,
            **{f"duration_{k}_ms": _r(v) for k, v in pct.items()},
            "duration_max_ms": metric_max(dur),
            "peak_concurrency": st["peak_concurrency"],
            "mean_concurrency": st["mean_concurrency"],
            "memory_mb": fn.latest.memory,
            "architecture": fn.latest.architecture,
            "gb_s": (b.gb_s + b.gb_s_arm) if b else 0.0,
        }
    # Cost: requests, then on-demand duration (x86_64 first, then arm64, as AWS applies the free
    # tier), then provisioned concurrency.
    for name, b in sorted(bill.functions.items()):
        _line(lines, free, "lambda", "requests", name, b.requests, "requests", prices.lambda_request,
              "lambda_requests")
    for name, b in sorted(bill.functions.items()):
        _line(lines, free, "lambda", "duration x86_64", name, b.gb_s, "GB-s", prices.lambda_gb_s_x86, "lambda_gb_s")
    for name, b in sorted(bill.functions.items()):
        _line(lines, free, "lambda", "duration arm64", name, b.gb_s_arm, "GB-s", prices.lambda_gb_s_arm, "lambda_gb_s")
    for name, b in sorted(bill.functions.items()):
        arm = lam.functions[name].latest.architecture == "arm64"
        _line(lines, free, "lambda", "provisioned concurrency", name, b.provisioned_gb_s, "GB-s",
              prices.lambda_pc_gb_s_arm if arm else prices.lambda_pc_gb_s_x86)
        _line(lines, free, "lambda", "provisioned duration", name, b.provisioned_duration_gb_s, "GB-s",
              prices.lambda_pc_duration_gb_s_arm if arm else prices.lambda_pc_duration_gb_s_x86)
    retired = bill.provisioned_gb_s - sum(b.provisioned_gb_s for b in bill.functions.values())
    if retired > 1e-9:
        _line(lines, free, "lambda", "provisioned concurrency", "(removed configs)", retired, "GB-s",
              prices.lambda_pc_gb_s_x86)
    errors["lambda"] = {
        "errors": metric_sum(_exact(cloud, ns, "Errors")),
        "throttles": metric_sum(_exact(cloud, ns, "Throttles")),
    }
    return rows


# -- API Gateway ---------------------------------------------------------------------------------------
def _apigateway(cloud: "Cloud", prices: Prices, free: FreeTier, lines: list[CostLine],
                errors: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    ns = "AWS/ApiGateway"
    rows: dict[str, dict[str, Any]] = {}
    tot_4, tot_5 = 0.0, 0.0
    for s in cloud.metrics.list(ns, "Count"):
        d = dict(s.dimensions)
        if "Stage" not in d or ("ApiName" not in d and "ApiId" not in d) or len(d) != 2:
            continue
        rest = "ApiName" in d
        api = d.get("ApiName") or d["ApiId"]
        key = f"{api}/{d['Stage']}"
        count = metric_sum(s)
        e4 = metric_sum(cloud.metrics.series(ns, "4XXError" if rest else "4xx", dict(d)))
        e5 = metric_sum(cloud.metrics.series(ns, "5XXError" if rest else "5xx", dict(d)))
        lat = cloud.metrics.series(ns, "Latency", dict(d))
        rows[key] = {"type": "REST" if rest else "HTTP", "requests": count, "4xx": e4, "5xx": e5,
                     **{f"latency_{k}_ms": _r(v) for k, v in metric_percentiles(lat).items()}}
        tot_4 += e4
        tot_5 += e5
        if rest:
            _line(lines, free, "apigateway", "REST requests", key, count, "requests", prices.apigw_rest_request,
                  "apigw_rest")
        else:
            _line(lines, free, "apigateway", "HTTP requests", key, count, "requests", prices.apigw_http_request,
                  "apigw_http")
    for s in cloud.metrics.list(ns, "MessageCount"):
        d = dict(s.dimensions)
        key = f"{d.get('ApiId')}/{d.get('Stage')}"
        n = metric_sum(s)
        rows.setdefault(key, {"type": "WEBSOCKET"})["messages"] = n
        _line(lines, free, "apigateway", "WebSocket messages", key, n, "messages", prices.apigw_ws_message,
              "apigw_ws")
    errors["apigateway"] = {"errors": tot_5, "client_errors": tot_4}
    return rows


# -- DynamoDB --------------------------------------------------------------------------------------
def _dynamodb(cloud: "Cloud", ddb: Any, prices: Prices, free: FreeTier, lines: list[CostLine],
              errors: dict[str, dict[str, float]], notes: list[str], elapsed_us: int) -> dict[str, dict[str, Any]]:
    ns = "AWS/DynamoDB"
    rows: dict[str, dict[str, Any]] = {}
    throttled_total = 0.0
    storage_gb_months: list[tuple[str, float]] = []
    unmetered = []
    now = cloud.clock.now_us
    for name in sorted(ddb.tables):
        t = ddb.tables[name]
        rcu = sum(metric_sum(s) for s in _series(cloud, ns, "ConsumedReadCapacityUnits", TableName=name))
        wcu = sum(metric_sum(s) for s in _series(cloud, ns, "ConsumedWriteCapacityUnits", TableName=name))
        rte = sum(metric_sum(s) for s in _series(cloud, ns, "ReadThrottleEvents", TableName=name))
        wte = sum(metric_sum(s) for s in _series(cloud, ns, "WriteThrottleEvents", TableName=name))
        thr = sum(metric_sum(s) for s in _series(cloud, ns, "ThrottledRequests", TableName=name))
        throttled_total += thr
        size = t.size_bytes
        items = t.item_count
        mode = t.billing_mode
        rows[name] = {
            "billing_mode": mode, "items": items, "size_bytes": size,
            "consumed_rcu": rcu, "consumed_wcu": wcu,
            "read_throttle_events": rte, "write_throttle_events": wte, "throttled_requests": thr,
            "provisioned_rcu": t.read_capacity if mode == "PROVISIONED" else None,
            "provisioned_wcu": t.write_capacity if mode == "PROVISIONED" else None,
        }
        if mode == "PAY_PER_REQUEST":
            if getattr(t, "throughput", None) is None and rcu == 0 and wcu == 0:
                unmetered.append(name)
            _line(lines, free, "dynamodb", "write request units", name, wcu, "WRU", prices.ddb_wru)
            _line(lines, free, "dynamodb", "read request units", name, rcu, "RRU", prices.ddb_rru)
        else:
            hours = math.ceil(max(0, now - t.created_us) / _US_PER_HOUR)
            r_units = t.read_capacity + sum(getattr(g, "read_capacity", 0) or 0 for g in t.gsis.values())
            w_units = t.write_capacity + sum(getattr(g, "write_capacity", 0) or 0 for g in t.gsis.values())
            _line(lines, free, "dynamodb", "provisioned WCU-hours", name, w_units * hours, "WCU-hours",
                  prices.ddb_wcu_hour, "ddb_wcu_hours")
            _line(lines, free, "dynamodb", "provisioned RCU-hours", name, r_units * hours, "RCU-hours",
                  prices.ddb_rcu_hour, "ddb_rcu_hours")
        # Storage: item bytes plus the 100-byte per-item overhead AWS adds, for the elapsed time.
        gb_months = (size + 100 * items) / GIB * (elapsed_us / _US_PER_HOUR) / HOURS_PER_MONTH
        storage_gb_months.append((name, gb_months))
    for name, gbm in storage_gb_months:
        _line(lines, free, "dynamodb", "storage", name, gbm, "GB-months", prices.ddb_storage_gb_month,
              "ddb_storage_gb_month")
    if unmetered:
        notes.append(
            "DynamoDB on-demand tables without consumed-capacity metrics (cost 0 for requests): "
            f"{', '.join(unmetered)}; set cloud.dynamodb.config.throughput.on_demand = True before "
            "creating them to meter (and throttle) on-demand tables")
    if storage_gb_months:
        notes.append("DynamoDB and S3 storage are priced at their size at report time for the whole run")
    errors["dynamodb"] = {"errors": 0.0, "throttles": throttled_total}
    return rows


# -- Step Functions ------------------------------------------------------------------------------------
def _stepfunctions(sfn: Any, prices: Prices, free: FreeTier, lines: list[CostLine],
                   errors: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    mem_gb = prices.sfn_express_memory_mb / 1024
    by_machine: dict[str, dict[str, Any]] = {}
    for ex in sfn.executions.values():
        m = by_machine.get(ex.machine_arn)
        if m is None:
            m = by_machine[ex.machine_arn] = {
                "type": ex.type, "executions": 0, "running": 0, "succeeded": 0, "failed": 0, "timed_out": 0,
                "aborted": 0, "transitions": 0, "express_gb_s": 0.0, "_durations": []}
        m["executions"] += 1
        m["transitions"] += ex.transitions
        key = {"RUNNING": "running", "SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timed_out",
               "ABORTED": "aborted"}.get(ex.status)
        if key:
            m[key] += 1
        if ex.stop_us is not None:
            d = ex.stop_us - ex.start_us
            m["_durations"].append(d)
            if ex.type == "EXPRESS":
                billed_ms = max(100, -(-d // 100_000) * 100)
                m["express_gb_s"] += billed_ms / 1000 * mem_gb
    failed = 0.0
    express_gb_s_total = 0.0
    express_lines: list[tuple[str, float]] = []
    for arn in sorted(by_machine):
        m = by_machine[arn]
        durs = sorted(m.pop("_durations"))
        name = arn.rsplit(":", 1)[-1]
        for p in PERCENTILES:
            if durs:
                rank = max(1, math.ceil(p / 100 * len(durs)))
                m[f"duration_p{p}_ms"] = durs[rank - 1] / 1000
            else:
                m[f"duration_p{p}_ms"] = None
        rows[name] = m
        failed += m["failed"] + m["timed_out"] + m["aborted"]
        if m["type"] == "STANDARD":
            _line(lines, free, "stepfunctions", "state transitions", name, m["transitions"], "transitions",
                  prices.sfn_transition, "sfn_transitions")
        else:
            _line(lines, free, "stepfunctions", "express requests", name, m["executions"], "requests",
                  prices.sfn_express_request)
            express_lines.append((name, m["express_gb_s"]))
            express_gb_s_total += m["express_gb_s"]
    if express_lines:
        # Volume tiers apply to the account's total: price the total, split in proportion.
        total_cost = express_duration_cost(express_gb_s_total, prices)
        for name, gbs in express_lines:
            if gbs > 0:
                lines.append(CostLine("stepfunctions", "express duration", name, gbs, "GB-s", gbs,
                                      total_cost / express_gb_s_total))
    errors["stepfunctions"] = {"errors": failed, "throttles": 0.0}
    return rows


# -- SQS / SNS / S3 ---------------------------------------------------------------------------------
def _sqs(cloud: "Cloud", sqs: Any, prices: Prices, free: FreeTier, lines: list[CostLine],
         notes: list[str]) -> dict[str, dict[str, Any]]:
    ns = "AWS/SQS"
    rows: dict[str, dict[str, Any]] = {}
    for name in sorted(sqs.queues):
        q = sqs.queues[name]
        vals = {m: metric_sum(_exact(cloud, ns, m, QueueName=name)) for m in (
            "NumberOfMessagesSent", "NumberOfMessagesReceived", "NumberOfMessagesDeleted", "NumberOfEmptyReceives")}
        requests = sum(vals.values())
        visible = _exact(cloud, ns, "ApproximateNumberOfMessagesVisible", QueueName=name)
        rows[name] = {"fifo": q.fifo, "sent": vals["NumberOfMessagesSent"],
                      "received": vals["NumberOfMessagesReceived"], "deleted": vals["NumberOfMessagesDeleted"],
                      "empty_receives": vals["NumberOfEmptyReceives"], "requests": requests,
                      "max_visible": metric_max(visible)}
        _line(lines, free, "sqs", "requests", name, requests, "requests",
              prices.sqs_fifo_request if q.fifo else prices.sqs_standard_request, "sqs_requests")
    if rows:
        notes.append("SQS requests are counted one per message sent, received and deleted, plus empty "
                     "receives (batched calls cost less on AWS)")
    return rows


def _sns(cloud: "Cloud", sns: Any, prices: Prices, free: FreeTier, lines: list[CostLine],
         errors: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    ns = "AWS/SNS"
    rows: dict[str, dict[str, Any]] = {}
    exact: dict[tuple[str, str], int] = {}
    kept = cloud.trace.filter("sns", "delivered")
    if kept and len(kept) == cloud.trace.counts().get(("sns", "delivered"), 0):
        for rec in kept:
            sub = sns.subscriptions.get(rec.attributes.get("subscription"))
            topic = sub.topic_arn.rsplit(":", 1)[-1] if sub is not None else "?"
            k = (topic, str(rec.attributes.get("protocol")))
            exact[k] = exact.get(k, 0) + 1
    failed_total = 0.0
    for arn in sorted(sns.topics):
        topic = sns.topics[arn]
        name = topic.name
        published = metric_sum(_exact(cloud, ns, "NumberOfMessagesPublished", TopicName=name))
        delivered = metric_sum(_exact(cloud, ns, "NumberOfNotificationsDelivered", TopicName=name))
        failed = metric_sum(_exact(cloud, ns, "NumberOfNotificationsFailed", TopicName=name))
        failed_total += failed
        rows[name] = {"fifo": topic.fifo, "published": published, "delivered": delivered, "failed": failed}
        _line(lines, free, "sns", "publishes", name, published, "requests", prices.sns_publish, "sns_publishes")
        by_protocol: dict[str, float] = {}
        if exact:
            for (t, proto), n in exact.items():
                if t == name:
                    by_protocol[proto] = by_protocol.get(proto, 0) + n
        elif delivered:
            protos = [s.protocol for s in topic.subscriptions.values()]
            for proto in protos:
                by_protocol[proto] = by_protocol.get(proto, 0) + delivered / len(protos)
        for proto in sorted(by_protocol):
            price = prices.sns_delivery.get(proto, 0.0)
            kind = "sns_http" if proto in ("http", "https") else ("sns_email" if proto.startswith("email") else None)
            if price > 0:
                _line(lines, free, "sns", f"{proto} deliveries", name, by_protocol[proto], "deliveries", price, kind)
    errors["sns"] = {"errors": failed_total, "throttles": 0.0}
    return rows


def _s3(cloud: "Cloud", s3: Any, prices: Prices, free: FreeTier, lines: list[CostLine], notes: list[str],
        elapsed_us: int) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    puts = gets = 0
    for wl in workloads(cloud).values():
        puts += wl.s3_requests.get("put", 0)
        gets += wl.s3_requests.get("get", 0)
    total_gbm = 0.0
    for name in sorted(s3.buckets):
        b = s3.buckets[name]
        size = objects = 0
        for versions in b.objects.values():
            for v in versions:
                if not v.delete_marker:
                    size += v.size
                    objects += 1
        gbm = size / GIB * (elapsed_us / _US_PER_HOUR) / HOURS_PER_MONTH
        total_gbm += gbm
        rows[name] = {"objects": objects, "size_bytes": size, "gb_months": gbm}
        _line(lines, free, "s3", "storage", name, gbm, "GB-months", prices.s3_storage_gb_month, "s3_storage_gb_month")
    _line(lines, free, "s3", "PUT requests", "(workloads)", puts, "requests", prices.s3_put_request, "s3_put")
    _line(lines, free, "s3", "GET requests", "(workloads)", gets, "requests", prices.s3_get_request, "s3_get")
    if rows:
        notes.append("S3 request costs count the requests of workloads' Bucket targets only "
                     "(S3 publishes no request metrics in this simulator)")
    return rows


# -- time series -----------------------------------------------------------------------------------
#: (label, namespace, metric, statistic, dimension names to label by)
_TIMESERIES = (
    ("requests", WORKLOAD_NS, "Requests", "Sum", "Workload"),
    ("errors", WORKLOAD_NS, "Errors", "Sum", "Workload"),
    ("throttles", WORKLOAD_NS, "Throttles", "Sum", "Workload"),
    ("latency_p99_ms", WORKLOAD_NS, "Latency", "p99", "Workload"),
    ("lambda_invocations", "AWS/Lambda", "Invocations", "Sum", "FunctionName"),
    ("lambda_concurrency_max", "AWS/Lambda", "ConcurrentExecutions", "Maximum", "FunctionName"),
    ("lambda_throttles", "AWS/Lambda", "Throttles", "Sum", "FunctionName"),
    ("lambda_duration_p99_ms", "AWS/Lambda", "Duration", "p99", "FunctionName"),
    ("dynamodb_consumed_wcu", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum", "TableName"),
    ("dynamodb_consumed_rcu", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum", "TableName"),
    ("dynamodb_throttled", "AWS/DynamoDB", "ThrottledRequests", "Sum", "TableName"),
    ("sqs_visible_max", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "QueueName"),
    ("apigateway_requests", "AWS/ApiGateway", "Count", "Sum", "Stage"),
)


def timeseries(cloud: "Cloud", period: int = 3600) -> list[dict[str, Any]]:
    """Long-format rows ``{"time", "series", "value"}`` (time: ISO text of the period start),
    one per (series, period) with data: per-workload requests / errors / throttles / p99
    latency, per-function invocations / max concurrency / throttles / p99 duration, per-table
    consumed capacity and throttles, per-queue visible messages, per-API-stage requests."""
    period = max(60, int(period) // 60 * 60)
    rows: list[dict[str, Any]] = []
    start = cloud.start_us
    end = cloud.clock.now_us + 1
    for label, ns, name, stat, dim in _TIMESERIES:
        for s in cloud.metrics.list(ns, name):
            d = dict(s.dimensions)
            if dim not in d:
                continue
            if ns == "AWS/Lambda" and set(d) != {"FunctionName"}:
                continue
            if ns == "AWS/DynamoDB" and set(d) != {"TableName"} and not (
                    name == "ThrottledRequests" and set(d) == {"TableName", "Operation"}):
                continue
            tag = d[dim] if dim != "Stage" else f"{d.get('ApiName') or d.get('ApiId')}/{d['Stage']}"
            if name == "ThrottledRequests":
                tag = f"{d['TableName']}:{d.get('Operation', '')}"
            if stat.startswith("p") and not s.has_raw():
                continue
            for pt in cloud.metrics.statistics(ns, name, s.dimensions and [
                    {"Name": k, "Value": v} for k, v in s.dimensions], start, end, period, [stat]):
                rows.append({"time": format_us(pt["timestamp_us"]), "series": f"{label}:{tag}",
                             "value": pt[stat]})
    return rows


__all__ = ["PERCENTILES", "Report", "metric_count", "metric_max", "metric_percentiles", "metric_sum", "report",
           "timeseries"]
