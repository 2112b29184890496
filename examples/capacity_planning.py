"""Capacity planning with serverless_sim: how much Lambda concurrency (and memory) does an
orders API need for tomorrow's traffic, and what will it cost?

Run it:  python examples/capacity_planning.py            (simulated days; a few minutes)
         python examples/capacity_planning.py --small    (the quick version the tests run)

The walk-through (rendered in docs/tutorial.md):

1. ``build`` describes the system: a daily traffic curve -> an ``orders`` Lambda function ->
   a DynamoDB table, with the function's reserved concurrency and memory as parameters.
2. One baseline run, and its report: latency, cold starts, throttles, cost.
3. Time travel: run to just before the daily peak, ``fork`` the Cloud, and try several
   reserved-concurrency settings from that very instant (same past, same arrivals ahead).
4. A sweep over memory x reserved concurrency x seeds, in parallel processes.
5. The answer: the cheapest setting that keeps throttles under 0.1%.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from serverless_sim.awslambda import LogNormal  # noqa: E402
from serverless_sim.sim import (  # noqa: E402
    Daily, Function, fork, report, run_scenario, sweep, workload, workloads,
)

# -- 1. the system ------------------------------------------------------------------------------
PARAMS = {"rate": 10.0, "memory": 1024, "reserved": None}
CLOUD = {"trace": "none"}  # keep the digest and counts, not every record


def build(cloud, rate, memory, reserved):
    """Orders API: ``rate`` requests per second on average (peak 1.6x at 14:00 UTC)."""
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True  # meter on-demand capacity (and its limits)
    orders = ddb.create_table("orders", hash_key=("pk", "S"))
    lam = cloud.service("lambda")
    lam.config.logging = False  # no log lines: a long run stays small

    def handler(event, context):
        orders.put({"pk": event["id"], "qty": event["qty"]})
        return {"ok": True}

    # CPU-bound work scales with memory (Lambda allocates CPU in proportion to memory):
    # 200 ms at 1,024 MB, 400 ms at 512 MB, 100 ms at 2,048 MB (median; log-normal spread).
    median_s = 0.2 * 1024 / memory
    lam.create_function_from_callable("orders", handler, memory=memory, duration=LogNormal(median_s, 0.4),
                                      virtual_time=False)
    if reserved is not None:
        lam.put_function_concurrency({"FunctionName": "orders", "ReservedConcurrentExecutions": reserved})
    workload(cloud, "users", Daily(mean=rate, amplitude=0.6, peak_hour=14), Function("orders"),
             event=new_order, latency_samples=False)


def new_order(i, rng):
    return {"id": f"order-{i}", "qty": rng.randrange(1, 5)}


def measure(cloud, rep):
    users = rep.workloads["users"]
    return {"throttle_rate": users["throttle_rate"], "p99_ms": users["p99_ms"],
            "monthly_cost": rep.monthly_cost()}


# -- 2..5. the walk-through ------------------------------------------------------------------------
def main(hours: int = 24, rate: float = 10.0, seeds: tuple[int, ...] = (1,), workers: int = 2,
         fork_at_hour: int = 13) -> dict:
    results: dict = {}

    # 2. Baseline: no reserved concurrency (the account's 1,000 are shared).
    cloud, rep = run_scenario(__file__, seed=1, duration=f"{hours}h", params={"rate": rate})
    users = rep.workloads["users"]
    print(f"Baseline: {users['sent']:,} requests, p99 {users['p99_ms']:.0f} ms, "
          f"cold starts {rep.services['lambda']['orders']['cold_starts']}, "
          f"peak concurrency {rep.services['lambda']['orders']['peak_concurrency']}, "
          f"${rep.total_cost:.4f} (${rep.monthly_cost():,.2f} a month)")
    results["baseline"] = {"sent": users["sent"], "peak": rep.services["lambda"]["orders"]["peak_concurrency"]}
    # Little's law for a first guess: concurrency = arrival rate x duration.
    peak_rate = rate * 1.6
    print(f"Little's law at the peak: {peak_rate:.0f} req/s x 0.2 s = {peak_rate * 0.2:.0f} concurrent")

    # 3. What if we reserve N? Fork just before the peak and try each N from the same instant.
    from serverless_sim.sim import build_cloud

    base, _ = build_cloud(__file__, seed=1, params={"rate": rate})
    base.run(f"2026-01-01T{fork_at_hour:02d}:00:00Z")
    print(f"Forking at {base.now.isoformat()} ({workloads(base)['users'].stats.sent:,} requests so far)")
    fork_results = {}
    for reserved in sorted({math.ceil(peak_rate * 0.2 * f) for f in (1, 2, 3)}):
        what_if = fork(base)
        what_if.service("lambda").put_function_concurrency(
            {"FunctionName": "orders", "ReservedConcurrentExecutions": reserved})
        what_if.advance(2 * 3600)
        w = report(what_if).workloads["users"]
        fork_results[reserved] = w["throttle_rate"]
        print(f"  reserved {reserved:4d}: throttled {w['throttle_rate']:.2%} over the next 2 hours, "
              f"p99 {w['p99_ms']:.0f} ms")
    results["forks"] = fork_results

    # 4. A sweep: memory x reserved concurrency x seeds, in parallel processes.
    grid = {"rate": [rate], "memory": [512, 1024, 2048],
            "reserved": sorted({math.ceil(peak_rate * 0.2 * f) for f in (2, 3)})}
    rows = sweep(__file__, grid, seeds=list(seeds), duration=f"{hours}h",
                 max_workers=workers, frame=False)
    print("memory reserved seed  throttled    p99 ms   $/month")
    for r in rows:
        print(f"{r['memory']:6d} {r['reserved']:8d} {r['seed']:4d} {r['throttle_rate']:10.3%} "
              f"{r['p99_ms']:9.0f} {r['monthly_cost']:9.2f}")

    # 5. The answer: the cheapest setting whose every seed throttles under 0.1%.
    ok: dict = {}
    for r in rows:
        key = (r["memory"], r["reserved"])
        ok.setdefault(key, []).append(r)
    good = {k: max(x["monthly_cost"] for x in v) for k, v in ok.items() if all(x["throttle_rate"] < 0.001 for x in v)}
    if good:
        (memory, reserved), cost = min(good.items(), key=lambda kv: kv[1])
        print(f"Answer: {memory} MB with {reserved} reserved, about ${cost:,.2f} a month")
        results["answer"] = {"memory": memory, "reserved": reserved, "monthly_cost": cost}
    else:
        print("Answer: no setting in the grid keeps throttles under 0.1%: widen the grid")
        results["answer"] = None
    results["sweep"] = rows
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="a short, low-rate run (seconds)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.small:
        main(hours=1, rate=2.0, seeds=(1,), workers=args.workers, fork_at_hour=0)
    else:
        main(workers=args.workers)
