"""``Stream.read`` builds its records from the shard's columns inline; this pins it equal to the
general path (``Shard.record`` per index, ``size_bound`` then ``size_bytes`` for the 1 MB rule),
for every view type, with large items (the exact-size path), deletes and limits."""

from __future__ import annotations

import random

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.streams import MAX_BYTES, MAX_RECORDS


def _reference(stream, shard_id, after_seq, limit=MAX_RECORDS, max_bytes=MAX_BYTES):
    now = stream.engine.service.cloud.now_us
    stream.roll(now)
    shard = stream.shard(shard_id)
    kept = stream.first_kept(shard, now)
    i = kept if after_seq is None else max(kept, shard.seqs.index_after(after_seq))
    out, total, exact = [], 0, False
    while i < len(shard) and len(out) < limit:
        rec = shard.record(stream, i)
        if exact:
            size = rec.size_bytes
        else:
            size = rec.size_bound()
            if total + size > max_bytes:
                exact = True
                total = sum(r.size_bytes for r in out)
                size = rec.size_bytes
        if out and total + size > max_bytes:
            break
        total += size
        out.append(rec)
        i += 1
    return out


def _same(a, b):
    return [(r.seq, r.time_us, r.kind, r.image, r.old, r.identity) for r in a] == [
        (r.seq, r.time_us, r.kind, r.image, r.old, r.identity) for r in b]


@pytest.mark.parametrize("view", ["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
def test_read_equals_the_general_path(view):
    rnd = random.Random(view)
    cloud = Cloud(seed=5)
    ddb = cloud.dynamodb
    table = ddb.create_table("things", hash_key=("pk", "S"), stream=view)
    for i in range(120):
        pk = f"k{rnd.randrange(15)}"
        if rnd.random() < 0.2:
            table.delete({"pk": pk})
        else:
            big = "x" * rnd.choice([1, 10, 100_000, 300_000])
            table.put({"pk": pk, "v": i, "blob": big})
        cloud.advance(0.01)
    arn = ddb.describe_table({"TableName": "things"})["Table"]["LatestStreamArn"]
    stream = ddb.streams.get(arn)
    shard = stream.shards[0]
    seqs = [None, *list(shard.seqs)[::7]]
    for after in seqs:
        for limit in (1, 2, 5, 100, 1000):
            for max_bytes in (MAX_BYTES, 200_000):
                got = stream.read(shard.shard_id, after, limit, max_bytes, strict=False)
                ref = _reference(stream, shard.shard_id, after, limit, max_bytes)
                assert _same(got, ref)
                assert [r.to_lambda() for r in got] == [r.to_lambda() for r in ref]
