"""``Stream.read_lambda`` (the Lambda poller's batch straight from a shard's columns, to_lambda
inlined, no StreamRecord per record) is ``[r.to_lambda() for r in read_shard(...)]``: same
dicts, same key order, for every view type and event kind, with TTL identities, retention trims
and limits; its ``RecordSpan`` (``span_records``) rebuilds the very records ``read_shard`` returns; and it declines
(None) exactly when the 1 MB rule could cut the batch."""

from __future__ import annotations

import random

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.streams import MAX_BYTES, RETENTION_US, SEQ_BASE, span_records
from serverless_sim.dynamodb.ttl import SERVICE_IDENTITY

VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")


def _fields(records):
    return [(r.seq, r.time_us, r.kind, r.image, r.old, r.identity) for r in records]


def _check(stream, shard, after, limit):
    now = stream.engine.service.cloud.now_us
    stream.roll(now)
    got = stream.read_lambda(shard, now, after, limit)
    ref = stream.read_shard(shard, now, after, limit)
    candidates = stream.read_shard(shard, now, after, limit, 10**18)  # no byte limit
    bound = sum(r.size_bound() for r in candidates)
    if got is None:
        # declined: exactly when the records' size upper bounds exceed 1 MB
        assert bound > MAX_BYTES
        return "declined"
    assert bound <= MAX_BYTES and _fields(candidates) == _fields(ref)
    events, span = got
    want = [r.to_lambda() for r in ref]
    assert events == want
    for a, b in zip(events, want):
        assert list(a) == list(b) and list(a["dynamodb"]) == list(b["dynamodb"])
    if span is None:
        assert ref == [] and events == []
        return "empty"
    assert len(span[1]) == len(ref)
    assert span[1][-1] + SEQ_BASE == ref[-1].seq
    assert _fields(span_records(span)) == _fields(ref)
    # the rebuilt records convert the same way (nothing cached on them)
    assert [r.to_lambda() for r in span_records(span)] == want
    return "read"


@pytest.mark.parametrize("view", VIEWS)
def test_read_lambda_equals_to_lambda_of_read_shard(view):
    rnd = random.Random(view)
    cloud = Cloud(seed=7)
    ddb = cloud.dynamodb
    table = ddb.create_table("things", hash_key=("pk", "S"), range_key=("sk", "N"), stream=view)
    for i in range(150):
        pk = rnd.choice(["a", "b", "\u00e9t\u00e9", "k" * 30])
        sk = rnd.randrange(4)
        r = rnd.random()
        if r < 0.15:
            table.delete((pk, sk))
        elif r < 0.25:
            # a TTL deletion: the record carries userIdentity
            previous = ddb._write_identity
            ddb._write_identity = SERVICE_IDENTITY
            try:
                table.delete((pk, sk))
            finally:
                ddb._write_identity = previous
        else:
            extra = rnd.choice([{}, {"v": i}, {"s": {"x", "y"}}, {"m": {"q": [1, "two", None]}},
                                {"blob": "x" * rnd.choice([10, 150_000, 400_000])}, {"b": b"\x00\xff"}])
            table.put({"pk": pk, "sk": sk, **extra})
        cloud.advance(rnd.choice([0.001, 0.5, 600.0]))
    arn = ddb.describe_table({"TableName": "things"})["Table"]["LatestStreamArn"]
    stream = ddb.streams.get(arn)
    seen = set()
    for _ in range(2):
        for shard in stream.shards_now():
            seqs = list(shard.seqs)
            afters = [None, shard.start_seq - 1, *seqs[::5], seqs[-1] if seqs else None]
            for after in afters:
                for limit in (1, 3, 100, 1000):
                    seen.add(_check(stream, shard, after, limit))
        # past the retention of the oldest records: reads start at the trim horizon
        cloud.advance((RETENTION_US - 20 * 60 * 1_000_000) / 1_000_000)
    assert {"read", "declined"} <= seen


def test_read_lambda_after_trimmed_records_starts_at_the_horizon():
    cloud = Cloud(seed=1)
    ddb = cloud.dynamodb
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
    table.put({"pk": "old"})
    first = next(iter(ddb.streams.get(ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]).records())).seq
    cloud.advance(RETENTION_US / 1_000_000 + 120)
    table.put({"pk": "new"})
    stream = ddb.streams.get(ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"])
    shard = stream.current
    assert _check(stream, shard, first - 1, 10) == "read"
    events, _ = stream.read_lambda(shard, cloud.now_us, first - 1, 10)
    assert [e["dynamodb"]["Keys"]["pk"]["S"] for e in events] == ["new"]
