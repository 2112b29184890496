"""Real boto3 clients: serverless_sim's botocore bridge against moto's ``mock_aws``, same process.

Both sides run the same boto3 calls (``boto3.client("dynamodb")``, wire-shaped requests):
- put:   PutItem of a small item (pk S, sk N, 3 attributes)
- get:   GetItem of an existing key
- query: Query of one partition of 10 items (from 2,000 items in 200 partitions)

serverless_sim: ``boto3_session(cloud).client("dynamodb")`` (botocore validates and serializes
the request, the bridge answers at ``before-call`` with the wire operation's response).
moto: ``with mock_aws(): boto3.client("dynamodb")`` (botocore serializes, moto's patched HTTP
layer parses the request, runs its backend, renders JSON, botocore parses it back).
Also measured: the resource layer (``Table.put_item`` / ``get_item``) on both sides.

Run: ``python benchmarks/boto3_bridge.py [--quick]`` (needs ``pip install -e '.[bench,boto3]'``).
Prints ops/s for each side and the ratio.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.adapters.boto3_bridge import boto3_session  # noqa: E402

TABLE = dict(
    TableName="bench",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST",
)


def item(i: int) -> dict[str, Any]:
    return {"pk": {"S": f"user#{i // 10:05d}"}, "sk": {"N": str(i % 10)}, "name": {"S": f"name-{i}"},
            "score": {"N": str(i % 97)}, "active": {"BOOL": i % 2 == 0}}


def timed(fn: Callable[[int], Any], n: int) -> float:
    """ops/s of fn(0..n-1), best of 3."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, time.perf_counter() - t0)
    return n / best


def measure(client: Any, resource: Any, n: int) -> dict[str, float]:
    client.create_table(**TABLE)
    for i in range(2000):
        client.put_item(TableName="bench", Item=item(i))
    table = resource.Table("bench")
    q = {":p": {"S": "user#00007"}}
    return {
        "put_item": timed(lambda i: client.put_item(TableName="bench", Item=item(i % 2000)), n),
        "get_item": timed(lambda i: client.get_item(TableName="bench", Key={"pk": item(i % 2000)["pk"], "sk": item(i % 2000)["sk"]}), n),
        "query (10 items)": timed(lambda i: client.query(TableName="bench", KeyConditionExpression="pk = :p",
                                                         ExpressionAttributeValues=q), n),
        "Table.put_item": timed(lambda i: table.put_item(Item={"pk": f"r{i % 100}", "sk": i % 10, "n": i}), n),
        "Table.get_item": timed(lambda i: table.get_item(Key={"pk": f"r{i % 100}", "sk": i % 10}), n),
    }


def run_sim(n: int) -> dict[str, float]:
    session = boto3_session(Cloud(seed=0))
    return measure(session.client("dynamodb"), session.resource("dynamodb"), n)


def run_moto(n: int) -> dict[str, float]:
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        return measure(session.client("dynamodb"), session.resource("dynamodb"), n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args()
    n = 300 if args.quick else 2000
    import moto

    print(f"python {platform.python_version()}, boto3 {boto3.__version__}, moto {moto.__version__}, "
          f"{platform.machine()}, {n} calls per figure (best of 3)")
    sim = run_sim(n)
    mot = run_moto(n)
    print(f"{'operation':<18}{'serverless_sim':>16}{'moto mock_aws':>16}{'ratio':>8}")
    for op in sim:
        print(f"{op:<18}{sim[op]:>14,.0f}/s{mot[op]:>14,.0f}/s{sim[op] / mot[op]:>7.1f}x")


if __name__ == "__main__":
    main()
