"""DynamoDB data-plane throughput, side by side with moto's DynamoDB backend in one process.

Operations (each on a fresh table, the same requests for every engine):
- put:   PutItem of small items (pk S, sk N, 3 attributes)
- get:   GetItem of existing keys
- query: Query of one partition of 10 items from a 20,000-item table (2,000 partitions x 10)
- scan:  Scan of the 20,000-item table with a FilterExpression matching 1 item in 10

Engines: serverless_sim's wire operations (boto3 request/response shapes, full validation),
serverless_sim's native API (plain Python values), and moto's backend methods called directly
(moto is a benchmark-only dependency: ``pip install -e '.[bench]'``).

Also measured: query time on a 1,000,000-item table against a 1,000-item one, and the resident
memory of 1,000,000 small items (in a child process, so this process's heap does not count).

Run: ``python benchmarks/dynamodb.py [--quick]``. Prints ops/s and the ratios against moto.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from serverless_sim import Cloud  # noqa: E402

SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]


def item(i: int, per_partition: int = 10) -> dict[str, Any]:
    return {
        "pk": {"S": f"user#{i // per_partition:07d}"},
        "sk": {"N": str(i % per_partition)},
        "name": {"S": f"name-{i}"},
        "score": {"N": str(i % 97)},
        "active": {"BOOL": i % 2 == 0},
    }


def timed(fn: Callable[[], Any], n: int) -> float:
    """ops/s of calling fn n times (best of 3 runs)."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


# -- serverless_sim ------------------------------------------------------------------------
def ours(n_items: int) -> tuple[Cloud, Any]:
    cloud = Cloud(seed=1, trace="none")
    svc = cloud.dynamodb
    op = lambda name: getattr(svc, svc.operations[name])  # noqa: E731
    op("CreateTable")({"TableName": "bench", "KeySchema": SCHEMA, "AttributeDefinitions": ATTRS,
                       "BillingMode": "PAY_PER_REQUEST"})
    put = op("PutItem")
    for i in range(n_items):
        put({"TableName": "bench", "Item": item(i)})
    return cloud, op


def bench_ours(n_put: int, n_get: int, n_query: int, n_scan: int) -> dict[str, float]:
    out = {}
    cloud, op = ours(0)
    put = op("PutItem")
    items = [item(i) for i in range(n_put)]
    it = iter(range(10**9))
    out["put"] = timed(lambda: put({"TableName": "bench", "Item": items[next(it) % n_put]}), n_put)
    get = op("GetItem")
    keys = [{"pk": items[i]["pk"], "sk": items[i]["sk"]} for i in range(n_put)]
    it = iter(range(10**9))
    out["get"] = timed(lambda: get({"TableName": "bench", "Key": keys[next(it) % n_put]}), n_get)
    cloud, op = ours(20_000)
    query = op("Query")
    it = iter(range(10**9))

    def q() -> None:
        r = query({"TableName": "bench", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": f"user#{next(it) % 2000:07d}"}}})
        assert r["Count"] == 10

    out["query"] = timed(q, n_query)
    scan = op("Scan")

    def s() -> None:
        r = scan({"TableName": "bench", "FilterExpression": "score < :s",
                  "ExpressionAttributeValues": {":s": {"N": "10"}}})
        assert r["ScannedCount"] > 0

    out["scan"] = timed(s, n_scan)
    return out


def bench_native(n_put: int, n_get: int, n_query: int, n_scan: int) -> dict[str, float]:
    out = {}
    cloud = Cloud(seed=1, trace="none")
    ddb = cloud.dynamodb
    ddb.create_table("bench", hash_key=("pk", "S"), range_key=("sk", "N"))
    table = ddb.table("bench")
    rows = [{"pk": f"user#{i // 10:07d}", "sk": i % 10, "name": f"name-{i}", "score": i % 97,
             "active": i % 2 == 0} for i in range(max(n_put, 20_000))]
    it = iter(range(10**9))
    out["put"] = timed(lambda: table.put(rows[next(it) % n_put]), n_put)
    it = iter(range(10**9))
    out["get"] = timed(lambda: table.get({"pk": rows[next(it) % n_put]["pk"],
                                          "sk": rows[next(it) % n_put]["sk"]}), n_get)
    for r in rows:
        table.put(r)
    it = iter(range(10**9))
    out["query"] = timed(lambda: table.query(f"user#{next(it) % 2000:07d}"), n_query)
    out["scan"] = timed(lambda: table.scan(filter="score < :s", values={":s": 10}), n_scan)
    return out


# -- moto ----------------------------------------------------------------------------------
def bench_moto(n_put: int, n_get: int, n_query: int, n_scan: int) -> dict[str, float]:
    from moto.dynamodb.models import dynamodb_backends

    def fresh(n_items: int) -> Any:
        backend = dynamodb_backends["123456789012"]["us-east-1"]
        backend.reset()
        backend = dynamodb_backends["123456789012"]["us-east-1"]
        backend.create_table("bench", schema=SCHEMA, throughput=None, attr=ATTRS, global_indexes=None,
                             indexes=None, streams=None, billing_mode="PAY_PER_REQUEST",
                             sse_specification=None, tags=[], deletion_protection_enabled=False,
                             warm_throughput=None)
        for i in range(n_items):
            backend.put_item("bench", item(i))
        return backend

    out = {}
    b = fresh(0)
    items = [item(i) for i in range(n_put)]
    it = iter(range(10**9))
    out["put"] = timed(lambda: b.put_item("bench", items[next(it) % n_put]), n_put)
    keys = [{"pk": items[i]["pk"], "sk": items[i]["sk"]} for i in range(n_put)]
    it = iter(range(10**9))
    out["get"] = timed(lambda: b.get_item("bench", keys[next(it) % n_put]), n_get)
    b = fresh(20_000)
    it = iter(range(10**9))

    def q() -> None:
        res, count, _ = b.query("bench", {"S": f"user#{next(it) % 2000:07d}"}, None, [], None, None,
                                True, None)
        assert len(res) == 10

    out["query"] = timed(q, n_query)

    def s() -> None:
        b.scan("bench", {}, None, None, "score < :s", {}, {":s": {"N": "10"}}, None, False, None,
               (None, None))

    out["scan"] = timed(s, n_scan)
    return out


# -- scaling and memory ----------------------------------------------------------------------
def query_scaling() -> tuple[float, float]:
    """Mean query time (10 items) at 1,000 and at 1,000,000 items."""
    times = []
    for n in (1_000, 1_000_000):
        cloud, op = ours(n)
        query = op("Query")
        parts = n // 10
        it = iter(range(10**9))

        def q() -> None:
            query({"TableName": "bench", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": f"user#{(next(it) * 7919) % parts:07d}"}}})

        times.append(1 / timed(q, 20_000))
        del cloud, op, query
        gc.collect()
    return times[0], times[1]


MEMORY_CHILD = """
import gc, sys
sys.path.insert(0, {root!r})
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
from serverless_sim import Cloud
cloud = Cloud(seed=1, trace="none")
svc = cloud.dynamodb
op = lambda name: getattr(svc, svc.operations[name])
op("CreateTable")({{"TableName": "bench",
    "KeySchema": [{{"AttributeName": "pk", "KeyType": "HASH"}}],
    "AttributeDefinitions": [{{"AttributeName": "pk", "AttributeType": "S"}}],
    "BillingMode": "PAY_PER_REQUEST"}})
put = op("PutItem")
gc.collect()
before = rss()
for i in range({n}):
    put({{"TableName": "bench", "Item": {{"pk": {{"S": "k%07d" % i}}, "v": {{"N": str(i % 1000)}},
                                     "s": {{"S": "x"}}}}}})
gc.collect()
print(rss() - before, rss())
"""


def memory(n: int = 1_000_000) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", MEMORY_CHILD.format(root=str(ROOT), n=n)],
                         capture_output=True, text=True, check=True)
    delta, total = out.stdout.split()
    return int(delta), int(total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller counts, no 1M-item runs")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args()
    n_put, n_get, n_query, n_scan = (5_000, 20_000, 500, 3) if args.quick else (50_000, 200_000, 5_000, 10)
    print(f"# dynamodb benchmark; python {platform.python_version()} on {platform.machine()}")
    results = {
        "serverless_sim wire": bench_ours(n_put, n_get, n_query, n_scan),
        "serverless_sim native": bench_native(n_put, n_get, n_query, n_scan),
    }
    n_moto_query = 20 if args.quick else 50
    results["moto backend"] = bench_moto(min(n_put, 20_000), n_get, n_moto_query, n_scan)
    print(f"{'engine':24s} {'put/s':>12s} {'get/s':>12s} {'query/s':>12s} {'scan/s':>10s}")
    for name, r in results.items():
        print(f"{name:24s} {r['put']:>12,.0f} {r['get']:>12,.0f} {r['query']:>12,.1f} {r['scan']:>10,.2f}")
    moto = results["moto backend"]
    for eng in ("serverless_sim wire", "serverless_sim native"):
        r = results[eng]
        print(f"{eng} / moto: put {r['put'] / moto['put']:.1f}x (target >= 5), "
              f"get {r['get'] / moto['get']:.1f}x (target >= 2), "
              f"query {r['query'] / moto['query']:,.0f}x (target >= 1000), "
              f"scan {r['scan'] / moto['scan']:.1f}x")
    extra: dict[str, Any] = {}
    if not args.quick:
        t1k, t1m = query_scaling()
        print(f"query latency: {t1k * 1e6:.1f} us at 1,000 items, {t1m * 1e6:.1f} us at "
              f"1,000,000 items: ratio {t1m / t1k:.2f} (target <= 2)")
        delta, total = memory()
        print(f"memory: 1,000,000 small items take {delta / 2**20:,.0f} MiB "
              f"(process RSS {total / 2**20:,.0f} MiB; target <= 1024 MiB)")
        extra = {"query_1k_us": t1k * 1e6, "query_1m_us": t1m * 1e6, "mem_delta_mib": delta / 2**20,
                 "rss_mib": total / 2**20}
    if args.json:
        print(json.dumps({"results": results, **extra}, indent=1))


if __name__ == "__main__":
    main()
