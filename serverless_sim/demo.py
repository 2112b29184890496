"""The demo: a small end-to-end simulation that shows what serverless_sim does best.

A day of shop traffic in seconds of wall time: customers arrive as a Poisson process that follows
a daily curve, each order is written to a DynamoDB table through the boto3-shaped client, a
nightly job queries the day's orders per customer, and every step leaves metrics, log lines and
trace records on the virtual clock. The run ends with a readable report and the trace digest:
run it twice with the same seed and the digest is the same, event for event.

Then the classic serverless apps of ``examples/`` (thumbnails, nightly cleanup, CRUD API with a
Streams projection, order workflow), each on its own Cloud with the same seed, one or two lines
each (skipped when ``examples/`` is not next to the package, e.g. an installed wheel).

    python -m serverless_sim demo [--seed 7] [--hours 24]
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time as _wall  # wall time only to report how fast the simulation ran
from pathlib import Path
from typing import Any, Callable, Generator

from .cloud import Cloud
from .kernel.clock import US_PER_SECOND, format_us

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"

NAMESPACE = "Demo/Shop"


def _arrival_rate(hour_of_day: float) -> float:
    """Orders per second: a quiet night and a busy evening peak."""
    return 0.2 + 1.8 * max(0.0, math.sin((hour_of_day - 6.0) / 24.0 * 2 * math.pi)) ** 2


def _have_dynamodb(cloud: Cloud) -> bool:
    try:
        cloud.service("dynamodb")
    except ImportError:
        return False
    return True


def build(cloud: Cloud, hours: float) -> dict[str, Any]:
    """Set the scenario up on ``cloud``; returns the counters the report reads."""
    stats: dict[str, Any] = {"orders": 0, "rejected": 0, "customers": set(), "nightly": []}
    ddb = cloud.client("dynamodb") if _have_dynamodb(cloud) else None
    if ddb is not None:
        ddb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                       {"AttributeName": "ts", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "ts", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )
    arrivals = cloud.rng("demo/arrivals")
    service = cloud.rng("demo/service-time")
    logs = cloud.logs
    end_us = cloud.now_us + int(hours * 3600 * US_PER_SECOND)

    def customer_orders() -> Generator[Any, Any, None]:
        n = 0
        while True:
            hour = ((cloud.now_us // US_PER_SECOND) % 86_400) / 3600
            yield cloud.timeout(arrivals.expovariate(_arrival_rate(hour)))
            if cloud.now_us >= end_us:
                return
            n += 1
            customer = f"c{arrivals.randint(1, 500):03d}"
            amount = round(arrivals.lognormvariate(3.0, 0.6), 2)
            latency_ms = round(service.gammavariate(2.0, 12.0), 3)
            item = {"customer": {"S": customer}, "ts": {"N": str(cloud.now_us)},
                    "amount": {"N": str(amount)}, "order": {"S": f"o{n:06d}"}}
            if ddb is not None:
                try:
                    ddb.put_item(TableName="orders", Item=item,
                                 ConditionExpression="attribute_not_exists(customer)")
                except ddb.exceptions.ConditionalCheckFailedException:
                    stats["rejected"] += 1
                    continue
            stats["orders"] += 1
            stats["customers"].add(customer)
            cloud.metrics.put(NAMESPACE, "OrderLatency", latency_ms, {"Route": "POST /orders"},
                              "Milliseconds")
            cloud.metrics.put(NAMESPACE, "OrderValue", amount, None, "None")
            cloud.trace.record("demo", "order", customer=customer, amount=amount)
            if n % 250 == 0:
                logs.write("/demo/shop", "orders", f"INFO {n} orders so far")

    def nightly_report() -> Generator[Any, Any, None]:
        while True:
            day_us = 86_400 * US_PER_SECOND
            next_midnight = (cloud.now_us // day_us + 1) * day_us
            if next_midnight > end_us:
                return
            yield cloud.timeout((next_midnight - cloud.now_us) / US_PER_SECOND)
            top = None
            if ddb is not None:
                best = (0, "")
                for customer in sorted(stats["customers"]):
                    r = ddb.query(TableName="orders",
                                  KeyConditionExpression="customer = :c AND ts >= :since",
                                  ExpressionAttributeValues={
                                      ":c": {"S": customer},
                                      ":since": {"N": str(next_midnight - day_us)}},
                                  Select="COUNT")
                    best = max(best, (r["Count"], customer))
                top = best
            stats["nightly"].append((format_us(cloud.now_us), top))
            logs.write("/demo/shop", "nightly", f"INFO nightly report: busiest customer {top}")

    cloud.process(customer_orders(), name="customers")
    cloud.process(nightly_report(), name="nightly")
    return stats


def run_demo(seed: int = 7, hours: float = 24.0) -> str:
    """Run the scenario and return the report text."""
    cloud = Cloud(seed=seed, start="2026-01-01T00:00:00Z")
    started = _wall.perf_counter()  # noqa: wallclock (reports wall time only)
    stats = build(cloud, hours)
    cloud.run_until_idle()
    wall = _wall.perf_counter() - started  # noqa: wallclock (reports wall time only)
    pts = cloud.metrics.statistics(
        NAMESPACE, "OrderLatency", {"Route": "POST /orders"}, cloud.start_us, cloud.now_us + 1,
        int(max(hours, 1) * 3600) + 60, ["SampleCount", "Average", "p50", "p99", "Maximum"],
    )
    lat = pts[0] if pts else {}
    value = cloud.metrics.statistics(NAMESPACE, "OrderValue", None, cloud.start_us,
                                     cloud.now_us + 1, int(max(hours, 1) * 3600) + 60, ["Sum"])
    revenue = value[0]["Sum"] if value else 0.0
    lines = [
        "serverless_sim demo: a day of shop traffic on the virtual clock",
        f"  seed {seed}; simulated {format_us(cloud.start_us)} .. {format_us(cloud.now_us)}",
        f"  ran {cloud.scheduler.events_run:,} events in {wall:.2f} s of wall time",
        "",
        f"  orders            {stats['orders']:>10,}",
        f"  customers         {len(stats['customers']):>10,}",
        f"  revenue           {revenue:>13,.2f}",
        f"  latency avg / p50 / p99 / max (ms): "
        f"{lat.get('Average', 0):.1f} / {lat.get('p50', 0):.1f} / {lat.get('p99', 0):.1f} / "
        f"{lat.get('Maximum', 0):.1f}",
    ]
    if _have_dynamodb(cloud):
        table = cloud.client("dynamodb").describe_table(TableName="orders")["Table"]
        lines.append(f"  DynamoDB orders table: {table['ItemCount']:,} items, "
                     f"{table['TableSizeBytes']:,} bytes")
    for when, top in stats["nightly"]:
        lines.append(f"  nightly job at {when}: busiest customer {top}")
    lines.append(f"  log lines written: {len(cloud.logs.lines('/demo/shop'))}")
    lines.append(f"  trace: {cloud.trace.total:,} records, digest {cloud.trace.digest()[:16]}")
    lines.append("  (same seed, same digest: rerun to check)")
    lines += classic_apps(seed)
    return "\n".join(lines)


def load_example(name: str) -> Any:
    """Import ``examples/<name>.py`` by path (examples/ is not part of the package)."""
    module_name = f"serverless_sim_example_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, EXAMPLES_DIR / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def _thumbnails(cloud: Cloud, app: Any) -> list[str]:
    try:
        import boto3  # noqa: F401  (the deployment package uses boto3, as on AWS)
    except ImportError:
        return ["skipped: the function's package needs boto3 (pip install 'serverless_sim[boto3]')"]
    out = app.run(cloud)
    before = sum(size for size, _ in out["thumbnails"].values())
    after = sum(thumb for _, thumb in out["thumbnails"].values())
    return [f"{len(out['uploaded'])} .jpg uploads (+1 .txt, filtered out) -> {out['invocations']} invocations -> "
            f"{len(out['thumbnails'])} thumbnails, {before:,} -> {after:,} bytes"]


def _nightly_cleanup(cloud: Cloud, app: Any) -> list[str]:
    state = app.run(cloud)
    runs = state["runs"]
    deleted = sum(n for _, n in runs)
    hours = sorted({when[11:16] for when, _ in runs})
    return [f"{len(runs)} cron runs over a week (at {', '.join(hours)} UTC): {deleted} of {state['written']} "
            f"sessions deleted, {state['remaining']} live"]


def _crud_api(cloud: Cloud, app: Any) -> list[str]:
    out = app.run(cloud)
    statuses = " ".join(str(status) for _, status in out["requests"])
    return [f"{len(out['requests'])} HTTP requests -> statuses {statuses}",
            f"Streams -> projector ({out['projection']}): counts {out['counts']}"]


def _order_workflow(cloud: Cloud, app: Any) -> list[str]:
    out = app.run(cloud)
    parts = [f"{oid} {r['status']}{'/' + r['error'] if r['error'] else ''} "
             f"({r['failed_attempts']} payment retries)" for oid, r in out["results"].items()]
    took = max(r["took_s"] for r in out["results"].values())
    return ["; ".join(parts), f"human approvals by task token, an hour later: longest execution {took / 60:.0f} min"]


CLASSIC_APPS: list[tuple[str, str, Callable[[Cloud, Any], list[str]]]] = [
    ("thumbnails", "S3 upload -> Lambda (zip package) -> S3", _thumbnails),
    ("nightly_cleanup", "EventBridge cron -> Lambda -> DynamoDB cleanup", _nightly_cleanup),
    ("crud_api", "API Gateway HTTP API -> Lambda -> DynamoDB, Streams projection", _crud_api),
    ("order_workflow", "Step Functions: retries + task-token approval", _order_workflow),
]


def classic_apps(seed: int) -> list[str]:
    """The report section of the classic apps in examples/ (each on its own Cloud)."""
    if not EXAMPLES_DIR.is_dir():
        return []
    lines = ["", "classic serverless apps (examples/, each on its own Cloud, same seed):"]
    for name, title, summarize in CLASSIC_APPS:
        if not (EXAMPLES_DIR / f"{name}.py").is_file():
            continue
        cloud = Cloud(seed=seed, start="2026-01-01T00:00:00Z")
        started = _wall.perf_counter()  # noqa: wallclock (reports wall time only)
        body = summarize(cloud, load_example(name))
        wall = _wall.perf_counter() - started  # noqa: wallclock (reports wall time only)
        lines.append(f"  {name}: {title}  [{wall:.2f} s wall, digest {cloud.trace.digest()[:12]}]")
        lines += [f"    {line}" for line in body]
    return lines
