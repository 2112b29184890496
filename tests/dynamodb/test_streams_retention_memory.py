"""DynamoDB Streams: records past the 24-hour retention leave memory, trimmed reads still fail as
AWS's do, and a record keeps only the stored entry its view type shows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.adapters.client import make_client
from serverless_sim.dynamodb.errors import TrimmedDataAccessException
from serverless_sim.dynamodb.streams import DynamoDBStreams

HOUR = 3600


def streams_client(cloud):
    svc = cloud._services.get("dynamodbstreams")
    if svc is None:
        svc = cloud._services["dynamodbstreams"] = DynamoDBStreams(cloud)
    return make_client(cloud, svc)


def make(ddb, view):
    out = ddb.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )
    return out["TableDescription"]["LatestStreamArn"]


def put(ddb, pk, v):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": pk}, "v": {"N": v}})


def read_all(sc, arn):
    out = []
    for shard in sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = sc.get_records(ShardIterator=it)
            out.extend(page["Records"])
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
    return out


@pytest.fixture
def cloud():
    return Cloud(seed=5, start="2026-03-01T00:00:00Z")


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


@pytest.fixture
def sc(cloud):
    return streams_client(cloud)


def kept(cloud, arn):
    return sum(len(s) for s in cloud.dynamodb.streams.get(arn).shards)


def test_records_past_retention_leave_memory_and_read_as_trimmed(cloud, ddb, sc):
    arn = make(ddb, view="NEW_IMAGE")
    stream = cloud.dynamodb.streams.get(arn)
    for i in range(10):
        put(ddb, f"k{i}", str(i))
        cloud.advance(60)
    shard0 = stream.shards[0]
    first = read_all(sc, arn)
    seqs = [r["dynamodb"]["SequenceNumber"] for r in first]
    assert kept(cloud, arn) == 10
    # just over 24 h after the fourth record: the first four are gone from memory, as soon as the
    # next write (or read) comes
    cloud.advance(24 * HOUR - 10 * 60 + 3 * 60 + 1)
    put(ddb, "late", "0")
    assert len(shard0) == 6
    assert shard0.trimmed_seq == int(seqs[3])
    stream._check()
    # ... and reading them still answers TrimmedDataAccessException, at and after any of them
    sid = shard0.shard_id
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        for seq in seqs[:3]:
            with pytest.raises(TrimmedDataAccessException):
                sc.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType=kind, SequenceNumber=seq)
    with pytest.raises(TrimmedDataAccessException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=seqs[3])
    # at the oldest kept record, the read works
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                               SequenceNumber=seqs[4])["ShardIterator"]
    assert [r["dynamodb"]["SequenceNumber"] for r in sc.get_records(ShardIterator=it)["Records"]] == seqs[4:]
    assert [r["dynamodb"]["SequenceNumber"] for r in read_all(sc, arn)][:6] == seqs[4:]
    # the native reader (a Lambda mapping's) skips to the oldest kept record when not strict
    with pytest.raises(TrimmedDataAccessException):
        stream.read(sid, after_seq=int(seqs[0]))
    assert [r.sequence_number for r in stream.read(sid, after_seq=int(seqs[0]), strict=False)][:6] == seqs[4:]
    # everything older than 24 h: the memory is released, the shard reads as empty but trimmed
    cloud.advance(HOUR)
    stream.roll(cloud.now_us)
    assert len(shard0) == 0 and shard0.trimmed_seq == int(seqs[-1])
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = sc.get_records(ShardIterator=it)
    assert page["Records"] == [] or page["Records"][0]["dynamodb"]["Keys"] == {"pk": {"S": "late"}}
    with pytest.raises(TrimmedDataAccessException):
        stream.read(sid, after_seq=int(seqs[-2]))
    stream._check()


def test_a_week_of_writes_keeps_about_a_day_of_records(cloud, ddb):
    arn = make(ddb, view="NEW_IMAGE")
    counts = []
    for hour in range(7 * 24):
        for i in range(6):
            put(ddb, f"k{i}", str(hour))
            cloud.advance(600)
        if hour % 24 == 23:
            counts.append(kept(cloud, arn))
    # 6 writes an hour: 144 records a day; up to a minute more is kept, never a shard's 4 hours
    assert counts[0] == 144
    assert all(144 <= c <= 145 for c in counts[1:]), counts
    cloud.dynamodb.streams.get(arn)._check()


@pytest.mark.parametrize("view", ["NEW_IMAGE", "KEYS_ONLY", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_a_record_keeps_only_the_entries_its_view_shows(cloud, ddb, sc, view):
    arn = make(ddb, view=view)
    table = cloud.dynamodb.tables["tbl"]
    put(ddb, "a", "1")
    first = table.lookup(table.key_id({"pk": {"S": "a"}}))
    put(ddb, "a", "2")
    second = table.lookup(table.key_id({"pk": {"S": "a"}}))
    shard = cloud.dynamodb.streams.get(arn).shards[0]
    held = [id(e) for e in shard.images] + [id(e) for e in (shard.olds or []) if e is not None]
    # the INSERT keeps the first entry; the MODIFY keeps the first (old) entry only if shown
    assert held.count(id(first)) == (2 if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else 1)
    assert held.count(id(second)) == (0 if view == "OLD_IMAGE" else 1)
    mod = read_all(sc, arn)[1]["dynamodb"]
    assert mod["Keys"] == {"pk": {"S": "a"}}
    assert ("OldImage" in mod) == (view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"))
    assert ("NewImage" in mod) == (view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"))


# -- property: the stream over more than a day equals a reference log trimmed at 24 h ----------
steps = st.lists(
    st.tuples(
        st.sampled_from(["put", "update", "delete", "ttl"]),
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(0, 9 * HOUR),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(steps, st.sampled_from(["NEW_IMAGE", "KEYS_ONLY", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]))
def test_stream_matches_a_reference_log_trimmed_at_24_hours(steps, view):
    cloud = Cloud(seed=9)
    ddb = cloud.client("dynamodb")
    sc = streams_client(cloud)
    arn = make(ddb, view=view)
    state: dict[str, dict] = {}
    log: list[tuple[int, str, str, dict | None, dict | None, bool]] = []
    for op, k, v, wait in steps:
        pk = f"k{k}"
        key = {"pk": {"S": pk}}
        old = state.get(pk)
        if op == "put":
            new = {**key, "v": {"N": str(v)}}
            ddb.put_item(TableName="tbl", Item=new)
        elif op == "update":
            ddb.update_item(TableName="tbl", Key=key, UpdateExpression="ADD c :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})
            new = dict(old or key)
            new["c"] = {"N": str(int((old or {}).get("c", {"N": "0"})["N"]) + 1)}
        else:
            new = None
            if op == "ttl":  # a TTL deletion carries the service's userIdentity
                svc = cloud.dynamodb
                previous = svc._write_identity
                svc._write_identity = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
                try:
                    ddb.delete_item(TableName="tbl", Key=key)
                finally:
                    svc._write_identity = previous
            else:
                ddb.delete_item(TableName="tbl", Key=key)
        if old is None and new is None:
            pass
        elif old != new:
            name = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
            log.append((cloud.now_us, name, pk, new, old, op == "ttl"))
        if new is None:
            state.pop(pk, None)
        else:
            state[pk] = new
        cloud.advance(wait)
    horizon = cloud.now_us - 24 * HOUR * 1_000_000
    want = [e for e in log if e[0] >= horizon]
    got = read_all(sc, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in got] == [(e[1], e[2]) for e in want]
    for rec, (_t, name, pk, new, old, ttl) in zip(got, want):
        body = rec["dynamodb"]
        assert body.get("NewImage") == (new if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None)
        assert body.get("OldImage") == (old if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None)
        assert ("userIdentity" in rec) == ttl
    stream = cloud.dynamodb.streams.get(arn)
    stream._check()
    # nothing older than the retention (plus the one-minute trim period) stays in memory
    stream.roll(cloud.now_us)
    for shard in stream.shards:
        assert all(t >= horizon - 60 * 1_000_000 for t in shard.times)
    assert {i["pk"]["S"]: i for i in ddb.scan(TableName="tbl")["Items"]} == state
