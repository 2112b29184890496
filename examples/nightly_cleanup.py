"""Nightly cleanup: an EventBridge cron rule fires a Lambda function at 03:00 UTC every day; it
deletes the expired rows of a DynamoDB table (Scan with a filter, then BatchWriteItem in chunks
of 25), while an app keeps writing sessions all day. A simulated week runs in well under a second.

    cron(0 3 * * ? *) --> cleanup --> sessions table (Scan expires_at < now, BatchWriteItem deletes)

(DynamoDB's TTL does this natively, within 48 hours: docs/dynamodb-time.md. The cron job is the
classic pattern when deletion must happen at a known hour.)

Run it:  python examples/nightly_cleanup.py
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from serverless_sim import Cloud  # noqa: E402

TABLE = "sessions"


def build(cloud: Cloud) -> dict:
    """Create the table, the cleanup function, the cron rule, and a process that writes sessions
    (each hour, 0-8 new sessions living 1-72 hours). Returns ``state``: ``runs`` gets one
    ``(virtual ISO time, rows deleted)`` per cleanup run."""
    state: dict = {"runs": [], "written": 0}
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "user", "KeyType": "HASH"},
                   {"AttributeName": "session", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"},
                              {"AttributeName": "session", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def cleanup(event, context):
        """The Lambda handler: runs on the virtual clock (time.time() is the invocation's)."""
        now = int(time.time())
        expired, page = [], {}
        while True:
            out = ddb.scan(TableName=TABLE, FilterExpression="expires_at < :now",
                           ProjectionExpression="#u, #s", **page,
                           ExpressionAttributeNames={"#u": "user", "#s": "session"},
                           ExpressionAttributeValues={":now": {"N": str(now)}})
            expired += out["Items"]
            if "LastEvaluatedKey" not in out:
                break
            page = {"ExclusiveStartKey": out["LastEvaluatedKey"]}
        for i in range(0, len(expired), 25):                      # BatchWriteItem: 25 per call
            requests = [{"DeleteRequest": {"Key": key}} for key in expired[i:i + 25]]
            while requests:
                out = ddb.batch_write_item(RequestItems={TABLE: requests})
                requests = out.get("UnprocessedItems", {}).get(TABLE, [])
        when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        print(f"deleted {len(expired)} expired sessions at {when}")
        state["runs"].append((when, len(expired)))
        return {"deleted": len(expired)}

    lam = cloud.service("lambda")
    lam.create_function_from_callable("cleanup", cleanup, memory=256, timeout=300, duration=0.4)
    arn = cloud.client("lambda").get_function(FunctionName="cleanup")["Configuration"]["FunctionArn"]
    events = cloud.client("events")
    events.put_rule(Name="nightly-cleanup", ScheduleExpression="cron(0 3 * * ? *)")
    events.put_targets(Rule="nightly-cleanup", Targets=[{"Id": "cleanup", "Arn": arn}])

    rng = cloud.rng("examples/nightly-cleanup/sessions")

    def app():                                              # the users: sessions all day long
        n = 0
        while True:
            for _ in range(rng.randint(0, 8)):
                n += 1
                lifetime = rng.randint(3_600, 72 * 3_600)
                ddb.put_item(TableName=TABLE, Item={
                    "user": {"S": f"u{rng.randint(1, 40):02d}"}, "session": {"S": f"s{n:06d}"},
                    "expires_at": {"N": str(int(cloud.time()) + lifetime)}})
                state["written"] += 1
            yield cloud.timeout(3_600)

    cloud.process(app(), name="sessions-app")
    return state


def run(cloud: Cloud, days: int = 7) -> dict:
    state = build(cloud)
    cloud.advance(days * 86_400)        # schedules are daemon events: advance, not run_until_idle
    state["remaining"] = cloud.client("dynamodb").describe_table(TableName=TABLE)["Table"]["ItemCount"]
    return state


def main() -> None:
    cloud = Cloud(seed=7, start="2026-01-01T00:00:00Z")
    state = run(cloud)
    deleted = sum(n for _, n in state["runs"])
    print(f"nightly cleanup: {len(state['runs'])} runs in a week, {deleted} of {state['written']} "
          f"sessions deleted, {state['remaining']} live")
    for when, n in state["runs"]:
        print(f"  {when}: deleted {n}")
    print(f"  trace digest {cloud.trace.digest()[:16]}")


if __name__ == "__main__":
    main()
