"""End to end: a simulated week of requests -> Lambda -> DynamoDB at an average 10 req/s with a
daily curve, on one core.

    python benchmarks/end_to_end.py [--days 7] [--rate 10] [--memory-check]

The path: a workload (``Daily(mean=10)``, peak 15 req/s at 14:00 UTC) sends each request to an
API Gateway HTTP route when the ``apigateway`` service is registered in the Cloud, else straight
to the function (Lambda's native non-blocking ``submit``). The function (512 MB, a log-normal
duration around 40 ms) writes the order to an on-demand DynamoDB table that meters capacity
(keyed by customer, 100,000 customers, so stored data stays bounded).
With Lambda's event source mappings, the table's stream (NEW_IMAGE) feeds a second function
(``audit``, batches of up to 100) through a DynamoDB Streams mapping (``--no-streams`` skips it).
Trace records are not kept (digest only); Lambda's Duration and API Gateway's Latency /
IntegrationLatency metrics keep statistic sets (no raw values); workload latencies go to the
workload's histogram.

Figures: end-to-end requests per wall second (target >= 20,000), and resident memory after one
simulated day vs after seven (``--memory-check``, each in a fresh child process: memory flat in
simulated duration), and the trace digest (to check that a speed-up changed no behaviour: same
seed, same digest). Wall time is read here only, never by the simulation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.awslambda import LogNormal  # noqa: E402
from serverless_sim.services import SERVICES  # noqa: E402
from serverless_sim.sim import Daily, Function, Route, report, workload  # noqa: E402


def build(cloud: Cloud, rate: float, direct: bool = False, streams: bool = True) -> str:
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    lam = cloud.service("lambda")
    esm = hasattr(lam, "create_event_source_mapping") and streams
    orders = ddb.create_table("orders", hash_key=("pk", "S"), stream="NEW_IMAGE" if esm else None)
    lam.config.logging = False
    lam.config.duration_percentiles = False
    put = orders.put

    loads = json.loads

    def handler(event, context):
        if "body" in event:  # an API Gateway proxy event
            event = loads(event["body"])
        put({"pk": event["id"], "qty": event["qty"]})
        return {"statusCode": 200, "body": "ok"}

    lam.create_function_from_callable("orders", handler, memory=512, duration=LogNormal(0.04, 0.5),
                                      virtual_time=False)
    if "apigateway" in SERVICES and not direct:
        gw = cloud.service("apigateway")
        gw_config = getattr(getattr(gw, "gateway", None), "config", None)
        if hasattr(gw_config, "latency_percentiles"):
            # Latency / IntegrationLatency as statistic sets, like Lambda's Duration above (raw
            # values would add 16 bytes per request: memory would grow with simulated time).
            gw_config.latency_percentiles = False  # type: ignore[union-attr]
        api = gw.create_http_api("shop", {"POST /orders": "orders"})
        target = Route(api, "POST", "/orders")
        path = "API Gateway (HTTP API) -> Lambda -> DynamoDB"
    else:
        target = Function("orders")
        path = "direct -> Lambda -> DynamoDB" + (" (--direct)" if direct else " (API Gateway not registered)")
    workload(cloud, "users", Daily(mean=rate, amplitude=0.5), target, event=order, latency_samples=False)
    if esm:
        audit = {"batches": 0, "records": 0}

        def on_stream(event, context):
            audit["batches"] += 1
            audit["records"] += len(event["Records"])

        lam.create_function_from_callable("audit", on_stream, memory=256, duration=0.01, virtual_time=False)
        arn = ddb.describe_table({"TableName": "orders"})["Table"]["LatestStreamArn"]
        lam.create_event_source_mapping({"EventSourceArn": arn, "FunctionName": "audit",
                                         "StartingPosition": "LATEST", "BatchSize": 100})
        return path + " + DynamoDB Streams -> Lambda (audit, batches of up to 100)"
    if not streams:
        return path + "; Streams -> Lambda leg off (--no-streams)"
    return path + "; Streams -> Lambda leg skipped: no event source mappings in Lambda yet"


CUSTOMERS = 100_000


def order(i, rng):
    # Each order overwrites its customer's latest order: the table stays at <= 100,000 items, so
    # the memory measured is the simulator's, not a week of stored data (6 million new items
    # would take ~1.5 GB whatever the simulator does).
    return {"id": f"c{rng.randrange(CUSTOMERS)}", "qty": rng.randrange(1, 5)}


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(days: float, rate: float, quiet: bool = False, direct: bool = False, streams: bool = True) -> dict:
    cloud = Cloud(seed=7, trace="none")
    path = build(cloud, rate, direct, streams)
    rss0 = rss_mb()
    t0 = time.perf_counter()
    step = 3600 * 6
    total = int(days * 86_400)
    done = 0
    while done < total:
        chunk = min(step, total - done)
        cloud.advance(chunk)
        done += chunk
        if not quiet:
            print(f"  {done / 86_400:5.2f} d  {time.perf_counter() - t0:7.1f} s wall  rss {rss_mb():7.1f} MB",
                  file=sys.stderr)
    wall = time.perf_counter() - t0
    cloud.advance(60)  # let the last requests complete (not timed)
    rep = report(cloud)
    users = rep.workloads["users"]
    return {
        "path": path,
        "days": days,
        "requests": users["sent"],
        "completed_ok": users["ok"],
        "wall_s": round(wall, 2),
        "requests_per_wall_s": round(users["sent"] / wall),
        "events": cloud.scheduler.events_run,
        "items": cloud.dynamodb.table("orders").count(),
        "cold_starts": rep.services["lambda"]["orders"]["cold_starts"],
        "stream_invocations": rep.services["lambda"].get("audit", {}).get("invocations", 0),
        "latency_p50_ms": users["p50_ms"],
        "latency_p99_ms": users["p99_ms"],
        "cost_usd": round(rep.total_cost, 4),
        # SHA-256 over every trace record (kept or not): equal before and after a change that
        # only removes overhead (same seed, same days and rate).
        "trace_digest": cloud.trace.digest(),
        "rss_start_mb": round(rss0, 1),
        "rss_end_mb": round(rss_mb(), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--memory-check", action="store_true", help="RSS after 1 day vs 7 days, in child processes")
    ap.add_argument("--direct", action="store_true", help="skip API Gateway even when it is available")
    ap.add_argument("--no-streams", action="store_true", help="skip the DynamoDB Streams -> Lambda leg")
    ap.add_argument("--json", action="store_true", help="print only the JSON figures (used by --memory-check)")
    args = ap.parse_args()
    if args.memory_check:
        out = {}
        for days in (1, 7):
            res = subprocess.run([sys.executable, __file__, "--days", str(days), "--rate", str(args.rate), "--json",
                                  *(["--direct"] if args.direct else []),
                                  *(["--no-streams"] if args.no_streams else [])],
                                 check=True, capture_output=True, text=True)
            out[days] = json.loads(res.stdout)
        for days, r in out.items():
            print(f"{days} d: {r['requests']:,} requests, {r['requests_per_wall_s']:,} req/wall s, "
                  f"RSS {r['rss_start_mb']} -> {r['rss_end_mb']} MB")
        grow = out[7]["rss_end_mb"] - out[7]["rss_start_mb"]
        grow1 = out[1]["rss_end_mb"] - out[1]["rss_start_mb"]
        print(f"RSS growth: 1 day {grow1:.1f} MB, 7 days {grow:.1f} MB")
        return
    r = run(args.days, args.rate, quiet=args.json, direct=args.direct, streams=not args.no_streams)
    if args.json:
        print(json.dumps(r))
        return
    print(json.dumps(r, indent=2))
    print(f"target >= 20,000 end-to-end requests per wall second: "
          f"{'met' if r['requests_per_wall_s'] >= 20_000 else 'NOT met'} ({r['requests_per_wall_s']:,})")


if __name__ == "__main__":
    main()
