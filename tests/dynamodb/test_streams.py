"""DynamoDB Streams: records, shards, iterators, retention, and the dynamodbstreams wire API."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.adapters.client import make_client
from serverless_sim.dynamodb.errors import (
    ExpiredIteratorException,
    ResourceNotFoundException,
    TrimmedDataAccessException,
    ValidationException,
)
from serverless_sim.dynamodb.streams import DynamoDBStreams

HOUR = 3600


def streams_client(cloud):
    svc = cloud._services.get("dynamodbstreams")
    if svc is None:
        svc = cloud._services["dynamodbstreams"] = DynamoDBStreams(cloud)
    return make_client(cloud, svc)


@pytest.fixture
def cloud():
    return Cloud(seed=21, start="2026-03-01T12:00:00Z")


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


@pytest.fixture
def sc(cloud):
    return streams_client(cloud)


def make(ddb, name="tbl", view="NEW_AND_OLD_IMAGES"):
    out = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )
    return out["TableDescription"]["LatestStreamArn"]


def put(ddb, pk, v="1", name="tbl"):
    ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "v": {"N": v}})


def read_all(sc, arn, kind="TRIM_HORIZON"):
    out = []
    for shard in sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind)["ShardIterator"]
        while it:
            page = sc.get_records(ShardIterator=it)
            out.extend(page["Records"])
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
    return out


# -- records -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "view,has_new,has_old",
    [("KEYS_ONLY", False, False), ("NEW_IMAGE", True, False), ("OLD_IMAGE", False, True), ("NEW_AND_OLD_IMAGES", True, True)],
)
def test_view_types(ddb, sc, view, has_new, has_old):
    arn = make(ddb, view=view)
    put(ddb, "a", "1")
    put(ddb, "a", "2")
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}})
    recs = read_all(sc, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    for r in recs:
        body = r["dynamodb"]
        assert body["Keys"] == {"pk": {"S": "a"}}
        assert body["StreamViewType"] == view
    ins, mod, rem = (r["dynamodb"] for r in recs)
    assert ("NewImage" in ins) == has_new and "OldImage" not in ins
    assert ("NewImage" in mod) == has_new and ("OldImage" in mod) == has_old
    assert "NewImage" not in rem and ("OldImage" in rem) == has_old
    if has_new:
        assert mod["NewImage"]["v"] == {"N": "2"}
    if has_old:
        assert mod["OldImage"]["v"] == {"N": "1"}


def test_record_shape(cloud, ddb, sc):
    arn = make(ddb)
    cloud.advance(1.75)
    put(ddb, "a", "1")
    (rec,) = read_all(sc, arn)
    assert rec["eventVersion"] == "1.1"
    assert rec["eventSource"] == "aws:dynamodb"
    assert rec["awsRegion"] == "us-east-1"
    assert len(rec["eventID"]) == 32
    body = rec["dynamodb"]
    # rounded down to the second
    assert body["ApproximateCreationDateTime"] == dt.datetime(2026, 3, 1, 12, 0, 1, tzinfo=dt.timezone.utc)
    assert body["SequenceNumber"].isdigit() and 21 <= len(body["SequenceNumber"]) <= 40
    # SizeBytes: keys (pk + "a" = 3) + new image (pk a = 3, v 1 = 1 + 1... as item_size)
    assert body["SizeBytes"] > 0
    assert "userIdentity" not in rec


def test_write_that_changes_nothing_emits_no_record(ddb, sc):
    arn = make(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "s": {"SS": ["x", "y"]}, "v": {"N": "1"}})
    ddb.put_item(TableName="tbl", Item={"v": {"N": "1.0"}, "s": {"SS": ["y", "x"]}, "pk": {"S": "a"}})
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "1"}})
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "missing"}})
    assert [r["eventName"] for r in read_all(sc, arn)] == ["INSERT"]


def test_sequence_numbers_increase_and_per_item_order(cloud, ddb, sc):
    arn = make(ddb)
    for i in range(50):
        put(ddb, f"k{i % 5}", str(i))
        cloud.advance(600)  # crosses shard boundaries
    recs = read_all(sc, arn)
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
    assert seqs == sorted(seqs) and len(set(seqs)) == 50
    for k in range(5):
        vals = [int(r["dynamodb"]["NewImage"]["v"]["N"]) for r in recs if r["dynamodb"]["Keys"]["pk"]["S"] == f"k{k}"]
        assert vals == sorted(vals) and len(vals) == 10


def test_transaction_writes_one_record_per_item(ddb, sc):
    arn = make(ddb)
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "a"}}}},
        {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "b"}}}},
    ])
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn)) == ["a", "b"]


# -- ListStreams / DescribeStream ---------------------------------------------------------------
def test_list_streams(ddb, sc):
    arns = [make(ddb, f"tbl{i}") for i in range(5)]
    ddb.create_table(
        TableName="nostream", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )
    out = sc.list_streams()
    assert [s["StreamArn"] for s in out["Streams"]] == arns
    assert out["Streams"][0]["TableName"] == "tbl0" and out["Streams"][0]["StreamLabel"] == arns[0].rsplit("/", 1)[1]
    assert sc.list_streams(TableName="tbl3")["Streams"][0]["StreamArn"] == arns[3]
    assert sc.list_streams(TableName="nostream")["Streams"] == []
    page = sc.list_streams(Limit=2)
    assert len(page["Streams"]) == 2 and page["LastEvaluatedStreamArn"] == arns[1]
    page2 = sc.list_streams(Limit=2, ExclusiveStartStreamArn=page["LastEvaluatedStreamArn"])
    assert [s["StreamArn"] for s in page2["Streams"]] == arns[2:4]
    assert "LastEvaluatedStreamArn" not in sc.list_streams(Limit=5)
    with pytest.raises(ValidationException):
        sc.list_streams(Limit=0)
    with pytest.raises(ValidationException):
        sc.list_streams(Limit=101)
    with pytest.raises(ResourceNotFoundException):
        sc.list_streams(TableName="absent")


def test_describe_stream(cloud, ddb, sc):
    arn = make(ddb, view="KEYS_ONLY")
    desc = sc.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamArn"] == arn
    assert desc["StreamLabel"] == "2026-03-01T12:00:00.000"
    assert arn.endswith("/stream/2026-03-01T12:00:00.000")
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["StreamViewType"] == "KEYS_ONLY"
    assert desc["TableName"] == "tbl"
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert desc["CreationRequestDateTime"] == cloud.now
    (shard,) = desc["Shards"]
    assert shard["ShardId"].startswith("shardId-") and 28 <= len(shard["ShardId"]) <= 65
    assert "ParentShardId" not in shard and "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdigit()
    with pytest.raises(ValidationException):
        sc.describe_stream(StreamArn="garbage")
    with pytest.raises(ResourceNotFoundException):
        sc.describe_stream(StreamArn=arn.replace("tbl", "zzz"))


def test_stream_status_delay(cloud, ddb, sc):
    cloud.dynamodb.config.stream_status_delay = 5
    arn = make(ddb)
    assert sc.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLING"
    cloud.advance(5)
    assert sc.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "ENABLED"
    ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": False})
    assert sc.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLING"
    cloud.advance(5)
    assert sc.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"


# -- shards ------------------------------------------------------------------------------------
def test_shards_roll_over_every_four_hours(cloud, ddb, sc):
    arn = make(ddb)
    for i in range(10):
        put(ddb, f"k{i}", str(i))
        cloud.advance(HOUR)
    shards = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 3  # opened at 0 h, 4 h, 8 h
    assert shards[1]["ParentShardId"] == shards[0]["ShardId"]
    assert shards[2]["ParentShardId"] == shards[1]["ShardId"]
    assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
    assert "EndingSequenceNumber" not in shards[2]["SequenceNumberRange"]
    ends = [int(s["SequenceNumberRange"].get("EndingSequenceNumber", 0)) for s in shards[:2]]
    starts = [int(s["SequenceNumberRange"]["StartingSequenceNumber"]) for s in shards]
    assert starts[0] <= ends[0] < starts[1] <= ends[1] < starts[2]
    # CHILD_SHARDS filter and paging
    kids = sc.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shards[0]["ShardId"]})
    assert [s["ShardId"] for s in kids["StreamDescription"]["Shards"]] == [shards[1]["ShardId"]]
    page = sc.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert page["LastEvaluatedShardId"] == shards[0]["ShardId"]
    page2 = sc.describe_stream(StreamArn=arn, Limit=1, ExclusiveStartShardId=page["LastEvaluatedShardId"])
    assert page2["StreamDescription"]["Shards"][0]["ShardId"] == shards[1]["ShardId"]
    # read the closed parent to its end: NextShardIterator disappears
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shards[0]["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = sc.get_records(ShardIterator=it)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["k0", "k1", "k2", "k3"]
    assert "NextShardIterator" not in page
    # the open shard always gives a next iterator, even when empty
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shards[2]["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
    page = sc.get_records(ShardIterator=it)
    assert page["Records"] == [] and "NextShardIterator" in page
    put(ddb, "late")
    page = sc.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["late"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn)] == [f"k{i}" for i in range(10)] + ["late"]


# -- iterators ---------------------------------------------------------------------------------
def test_iterator_types(ddb, sc):
    arn = make(ddb)
    for i in range(5):
        put(ddb, f"k{i}")
    shard = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    recs = read_all(sc, arn)
    seq = recs[2]["dynamodb"]["SequenceNumber"]

    def keys(kind, **kw):
        it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **kw)["ShardIterator"]
        return [r["dynamodb"]["Keys"]["pk"]["S"] for r in sc.get_records(ShardIterator=it)["Records"]]

    assert keys("TRIM_HORIZON") == ["k0", "k1", "k2", "k3", "k4"]
    assert keys("LATEST") == []
    assert keys("AT_SEQUENCE_NUMBER", SequenceNumber=seq) == ["k2", "k3", "k4"]
    assert keys("AFTER_SEQUENCE_NUMBER", SequenceNumber=seq) == ["k3", "k4"]
    with pytest.raises(ValidationException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")
    with pytest.raises(ValidationException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST", SequenceNumber=seq)
    with pytest.raises(ValidationException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="bogus")
    with pytest.raises(ValidationException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="12")
    with pytest.raises(ResourceNotFoundException):
        sc.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST")
    with pytest.raises(ValidationException):
        sc.get_records(ShardIterator="not-an-iterator")
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ValidationException):
        sc.get_records(ShardIterator=it[:-3] + "AAA")


def test_iterator_expires_after_15_minutes(cloud, ddb, sc):
    arn = make(ddb)
    shard = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    cloud.advance(15 * 60)
    nxt = sc.get_records(ShardIterator=it)["NextShardIterator"]  # exactly 15 min: still valid
    cloud.advance(15 * 60 + 0.001)
    with pytest.raises(ExpiredIteratorException):
        sc.get_records(ShardIterator=it)
    with pytest.raises(ExpiredIteratorException):
        sc.get_records(ShardIterator=nxt)


def test_get_records_limits(ddb, sc):
    arn = make(ddb)
    for i in range(1100):
        put(ddb, f"k{i}")
    shard = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = sc.get_records(ShardIterator=it)
    assert len(page["Records"]) == 1000
    assert len(sc.get_records(ShardIterator=page["NextShardIterator"])["Records"]) == 100
    assert len(sc.get_records(ShardIterator=it, Limit=7)["Records"]) == 7
    with pytest.raises(ValidationException, match="less than or equal to 1000"):
        sc.get_records(ShardIterator=it, Limit=1001)
    with pytest.raises(ValidationException):
        sc.get_records(ShardIterator=it, Limit=0)


def test_get_records_one_megabyte(ddb, sc):
    arn = make(ddb, view="NEW_IMAGE")
    blob = "x" * 100_000
    for i in range(25):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": f"k{i:02d}"}, "b": {"S": blob}})
    shard = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = sc.get_records(ShardIterator=it)
    assert len(page["Records"]) == 10
    assert sum(r["dynamodb"]["SizeBytes"] for r in page["Records"]) <= 1024 * 1024


# -- retention ---------------------------------------------------------------------------------
def test_24_hour_retention(cloud, ddb, sc):
    arn = make(ddb)
    put(ddb, "old")
    shard0 = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it_old = sc.get_shard_iterator(StreamArn=arn, ShardId=shard0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seq_old = read_all(sc, arn)[0]["dynamodb"]["SequenceNumber"]
    cloud.advance(HOUR)
    put(ddb, "newer")
    cloud.advance(23 * HOUR)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn)] == ["old", "newer"]
    cloud.advance(1)
    # the first record is now more than 24 h old: trimmed
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn)] == ["newer"]
    with pytest.raises(TrimmedDataAccessException):
        sc.get_shard_iterator(StreamArn=arn, ShardId=shard0, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=seq_old)
    cloud.advance(HOUR - 5 * 60 - 1)  # "newer" is 24 h - 5 min old
    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    cloud.advance(10 * 60)  # "newer" trimmed while the (still valid) iterator waited
    with pytest.raises(TrimmedDataAccessException):
        sc.get_records(ShardIterator=it)
    del it_old
    # closed shards whose records are all older than 24 h disappear
    cloud.advance(5 * HOUR)
    shards = sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert shard0 not in [s["ShardId"] for s in shards]
    cloud.dynamodb.streams.get(arn)._check()


def test_disable_keeps_stream_readable_24h_and_reenable_makes_new_arn(cloud, ddb, sc):
    arn = make(ddb)
    put(ddb, "a")
    ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": False})
    put(ddb, "b")  # not recorded
    desc = sc.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in desc["Shards"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn)] == ["a"]
    ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn2 = ddb.describe_table(TableName="tbl")["Table"]["LatestStreamArn"]
    assert arn2 != arn
    assert len(sc.list_streams(TableName="tbl")["Streams"]) == 2
    put(ddb, "c")
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(sc, arn2)] == ["c"]
    cloud.advance(24 * HOUR)
    with pytest.raises(ResourceNotFoundException):
        sc.describe_stream(StreamArn=arn)
    assert [s["StreamArn"] for s in sc.list_streams()["Streams"]] == [arn2]


def test_delete_table_disables_stream(cloud, ddb, sc):
    arn = make(ddb)
    put(ddb, "a")
    ddb.delete_table(TableName="tbl")
    assert sc.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert len(read_all(sc, arn)) == 1
    cloud.advance(24 * HOUR)
    with pytest.raises(ResourceNotFoundException):
        sc.describe_stream(StreamArn=arn)


def test_no_hook_without_stream(ddb, cloud):
    ddb.create_table(
        TableName="plain", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )
    assert cloud.dynamodb.tables["plain"].change_hooks == []


# -- native API --------------------------------------------------------------------------------
def test_native_read_and_subscribe(cloud, ddb):
    arn = make(ddb)
    stream = cloud.dynamodb.streams.get(arn)
    seen = []
    unsubscribe = stream.subscribe(lambda s, shard, seq: seen.append(seq))
    put(ddb, "a")
    put(ddb, "b")
    shard = stream.shards_now()[0]
    recs = stream.read(shard.shard_id)
    assert [r.seq for r in recs] == seen
    assert [r.keys()["pk"]["S"] for r in stream.read(shard.shard_id, after_seq=recs[0].seq)] == ["b"]
    lam = recs[0].to_lambda()
    assert lam["eventSourceARN"] == arn and isinstance(lam["dynamodb"]["ApproximateCreationDateTime"], float)
    unsubscribe()
    put(ddb, "c")
    assert len(seen) == 2


# -- property: the stream rebuilds the table ---------------------------------------------------
ops = st.lists(
    st.tuples(
        st.sampled_from(["put", "update", "delete"]),
        st.integers(0, 7),
        st.integers(0, 3),
        st.integers(0, 1200),  # at most 60 x 20 min = 20 h: within the 24 h retention,
    ),                         # across several 4 h shards
    max_size=60,
)


@settings(max_examples=40, deadline=None)
@given(ops)
def test_stream_from_trim_horizon_rebuilds_table(ops):
    cloud = Cloud(seed=3)
    ddb = cloud.client("dynamodb")
    sc = streams_client(cloud)
    arn = make(ddb)
    for op, k, v, wait in ops:
        key = {"pk": {"S": f"k{k}"}}
        if op == "put":
            ddb.put_item(TableName="tbl", Item={**key, "v": {"N": str(v)}})
        elif op == "update":
            ddb.update_item(TableName="tbl", Key=key, UpdateExpression="ADD c :one", ExpressionAttributeValues={":one": {"N": "1"}})
        else:
            ddb.delete_item(TableName="tbl", Key=key)
        cloud.advance(wait)
    rebuilt: dict[str, dict] = {}
    for rec in read_all(sc, arn):
        pk = rec["dynamodb"]["Keys"]["pk"]["S"]
        if rec["eventName"] == "REMOVE":
            assert pk in rebuilt
            del rebuilt[pk]
        else:
            assert (rec["eventName"] == "INSERT") == (pk not in rebuilt)
            if pk in rebuilt:
                assert rec["dynamodb"]["OldImage"] == rebuilt[pk]
            rebuilt[pk] = rec["dynamodb"]["NewImage"]
    table = {i["pk"]["S"]: i for i in ddb.scan(TableName="tbl")["Items"]}
    assert rebuilt == table
    cloud.dynamodb.streams.get(arn)._check()
