"""Adversarial review of ``NativeTable.put``'s one-frame route (``ItemOps._put_plain`` with its
inline ``encode_plain`` and ``Table.plain_hash_s``, ``TableThroughput.put_plain`` admitting a
second's first on-demand write inline, ``Resource.wacc`` accumulators) and of the chunked
Streams shards, through table life-cycle changes the earlier pinning tests do not make:

* the billing mode switched on-demand -> provisioned -> on-demand mid-run, the on-demand
  maximum changed (UpdateTable OnDemandThroughput) mid-second, a GSI added later by
  UpdateTable (then removed), mid-minute metric flushes, a fork: native puts charge, throttle,
  index, meter and stream exactly as the wire PutItem's general path;
* a table restored from a backup and to a point in time, a table with a number key, a global
  table's replica: the one-frame route applies only where it should and stores the same;
* Streams: a stream disabled and re-enabled with another view type, the table deleted while
  its stream is read, a shard roll exactly at a chunk boundary, reads after a long idle.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb import streams as streams_mod
from serverless_sim.dynamodb.native import to_item
from serverless_sim.kernel.errors import AWSError


def _lifecycle_run(native: bool) -> Any:
    cloud = Cloud(seed=21)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    ddb.create_table({
        "TableName": "tbl",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    })
    table = ddb.table("tbl")
    rng = random.Random(5)
    outcomes: list[Any] = []
    events: list[Any] = []

    def update(request: dict) -> None:
        try:
            ddb.update_table({"TableName": "tbl", **request})
            events.append(("ok", sorted(request)))
        except AWSError as exc:
            events.append((exc.code, str(exc)))

    for step in range(700):
        if step == 100:
            update({"BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}})
        elif step == 200:
            update({"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 9}})
        elif step == 300:
            cloud.advance(86_400)  # a billing mode switch a day later
            update({"BillingMode": "PAY_PER_REQUEST"})
        elif step == 350:
            update({"OnDemandThroughput": {"MaxWriteRequestUnits": 4, "MaxReadRequestUnits": 10}})
        elif step == 420:
            update({"OnDemandThroughput": {"MaxWriteRequestUnits": -1, "MaxReadRequestUnits": -1}})
        elif step == 450:
            update({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "g", "AttributeType": "S"}],
                    "GlobalSecondaryIndexUpdates": [{"Create": {
                "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}]})
        elif step == 600:
            update({"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "byg"}}]})
        values = {"pk": f"k{rng.randrange(40)}", "qty": rng.randrange(5000), "g": f"g{rng.randrange(3)}",
                  "pad": "x" * rng.choice((3, 700, 2500))}
        for _ in range(rng.choice((1, 1, 2, 5))):
            try:
                if native:
                    table.put(values)
                else:
                    ddb.put_item({"TableName": "tbl", "Item": to_item(values), "ReturnConsumedCapacity": "NONE"})
                outcomes.append("ok")
            except AWSError as exc:
                outcomes.append((exc.code, str(exc)))
        if rng.random() < 0.04:
            ddb.flush_capacity_metrics()
        cloud.advance(rng.choice((0.2, 0.5, 1.0, 1.0, 30, 61)))
    cloud.advance(400)
    t = ddb.get_table("tbl")
    res = t.throughput.base
    cw = cloud.client("cloudwatch")
    metrics = {
        name: cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName=name, Dimensions=[{"Name": "TableName", "Value": "tbl"}],
            StartTime=0, EndTime=4102444800, Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        )["Datapoints"]
        for name in ("ConsumedWriteCapacityUnits", "WriteThrottleEvents")
    }
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    records = [r.to_wire()["dynamodb"] for r in ddb.streams.get(arn).records()]
    t.throughput._check()
    return (outcomes, events, [(p.count, p.nbytes, p.write.tokens) for p in res.parts], res.starts,
            metrics, records, ddb.scan({"TableName": "tbl"})["Items"], sorted(t.store.data.items()))


def test_native_puts_equal_put_item_through_mode_switches_max_changes_and_a_late_gsi() -> None:
    native, general = _lifecycle_run(True), _lifecycle_run(False)
    assert all(e[0] == "ok" for e in native[1]), native[1]
    assert any(o != "ok" for o in native[0])  # provisioned and the maximum throttle
    for a, b, what in zip(native, general, ("outcomes", "updates", "parts", "starts", "metrics",
                                            "records", "items", "store")):
        assert a == b, what


def _route_counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    from serverless_sim.dynamodb.items import ItemOps
    from serverless_sim.dynamodb.throughput import TableThroughput

    counts = {"one_frame": 0, "general": 0}
    general, put_plain = ItemOps._put_plain_general, TableThroughput.put_plain

    def g(self: Any, *a: Any) -> Any:
        counts["general"] += 1
        return general(self, *a)

    def p(self: Any, *a: Any) -> Any:
        counts["one_frame"] += 1
        return put_plain(self, *a)

    monkeypatch.setattr(ItemOps, "_put_plain_general", g)
    monkeypatch.setattr(TableThroughput, "put_plain", p)
    return counts


def test_restored_number_key_and_replica_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Restored tables keep the one-frame route (same key schema: plain_hash_s is set on the new
    Table); a number key and a table with a GSI take the general route; a global table's puts
    replicate the same whichever route wrote them."""
    counts = _route_counts(monkeypatch)
    cloud = Cloud(seed=3, start="2026-04-01T00:00:00Z")
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    ddb.config.replication_delay = 1.0
    client = cloud.client("dynamodb")
    ddb.create_table("src", hash_key=("pk", "S"), stream="NEW_IMAGE")
    ddb.table("src").put({"pk": "a", "qty": 1})
    client.update_continuous_backups(TableName="src",
                                     PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    backup = client.create_backup(TableName="src", BackupName="bk1")["BackupDetails"]["BackupArn"]
    cloud.advance(600)
    client.restore_table_from_backup(TargetTableName="fromb", BackupArn=backup)
    client.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="frompitr",
                                          UseLatestRestorableTime=True)
    cloud.advance(3600)
    for name in ("fromb", "frompitr"):
        t = ddb.get_table(name)
        assert t.plain_hash_s == "pk" and t.status == "ACTIVE"
        before = dict(counts)
        ddb.table(name).put({"pk": "b", "qty": 2})
        assert ddb.table(name).get("b") == {"pk": "b", "qty": 2}
        assert ddb.table(name).get("a") == {"pk": "a", "qty": 1}
        # a restored table is tracked like any other: the one-frame route when tracked
        tracked = t.throughput is not None
        assert counts["one_frame"] - before["one_frame"] == (1 if tracked else 0)
    num = ddb.create_table("num", hash_key=("id", "N"))
    assert ddb.get_table("num").plain_hash_s is None
    before = dict(counts)
    num.put({"id": 7, "qty": 1})
    assert counts["general"] == before["general"] + 1 and num.get(7) == {"id": 7, "qty": 1}

    # a global table (a GSI, as global tables usually have): puts in either region replicate
    client.create_table(
        TableName="glob", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    client.update_table(TableName="glob", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    ddb.table("glob").put({"pk": "n1", "qty": 1})
    client.put_item(TableName="glob", Item={"pk": {"S": "w1"}, "qty": {"N": "2"}})
    cloud.advance(5)
    eu = ddb.region_client("eu-west-1")
    assert eu.get_item(TableName="glob", Key={"pk": {"S": "n1"}})["Item"] == {"pk": {"S": "n1"}, "qty": {"N": "1"}}
    assert eu.get_item(TableName="glob", Key={"pk": {"S": "w1"}})["Item"] == {"pk": {"S": "w1"}, "qty": {"N": "2"}}
    eu.put_item(TableName="glob", Item={"pk": {"S": "e1"}, "qty": {"N": "3"}})
    cloud.advance(5)
    assert ddb.table("glob").get("e1") == {"pk": "e1", "qty": 3}


# -- Streams shards in chunks ---------------------------------------------------------------------
def _with_chunk_bits(bits: int | None, fn: Any) -> Any:
    """Run ``fn()`` with chunks of 2**bits records (module globals read at run time)."""
    if bits is None:
        return fn()
    from array import array

    S = streams_mod
    saved = (S._CHUNK_BITS, S.CHUNK, S._CHUNK_MASK, S._ZEROS_Q)
    S._CHUNK_BITS, S.CHUNK, S._CHUNK_MASK = bits, 1 << bits, (1 << bits) - 1
    S._ZEROS_Q = array("q", bytes(8 << bits))
    try:
        return fn()
    finally:
        S._CHUNK_BITS, S.CHUNK, S._CHUNK_MASK, S._ZEROS_Q = saved


def _streams_lifecycle() -> list:
    from serverless_sim.adapters.client import make_client
    from serverless_sim.dynamodb.streams import DynamoDBStreams

    cloud = Cloud(seed=17, start="2026-03-01T00:00:00Z")
    ddb = cloud.dynamodb
    lifetime = ddb.config.stream_shard_lifetime
    table = ddb.create_table("things", hash_key=("pk", "S"), stream="NEW_IMAGE")
    svc = cloud._services.get("dynamodbstreams")
    if svc is None:
        svc = cloud._services["dynamodbstreams"] = DynamoDBStreams(cloud)
    sc: Any = make_client(cloud, svc)
    out: list = []

    def read_all(arn: str, tag: str) -> None:
        try:
            desc = sc.describe_stream(StreamArn=arn)["StreamDescription"]
        except AWSError as exc:
            out.append((tag, exc.code))
            return
        out.append((tag, desc["StreamStatus"], desc["StreamViewType"], desc["Shards"]))
        for shard in desc["Shards"]:
            it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = sc.get_records(ShardIterator=it, Limit=3)
                out.append((tag, [(r["eventName"], r["dynamodb"]) for r in page["Records"]]))
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")

    arn1 = ddb.streams.of_table(ddb.tables["things"]).arn
    quiet = ddb.create_table("quiet", hash_key=("pk", "S"), stream="NEW_IMAGE")
    for i in range(5):  # one chunk and one record (2-bit chunks), then a long idle
        quiet.put({"pk": f"q{i}", "v": i})
    quiet_arn = ddb.streams.of_table(ddb.tables["quiet"]).arn
    quiet_shard = sc.describe_stream(StreamArn=quiet_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    quiet_it = sc.get_shard_iterator(StreamArn=quiet_arn, ShardId=quiet_shard,
                                     ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    quiet_first = sc.get_records(ShardIterator=quiet_it, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"]
    # exactly two chunks of 4 (with 2-bit chunks), then the shard rolls: the child's first write
    # lands right at a chunk boundary of the parent's numbering
    for i in range(8):
        table.put({"pk": f"k{i % 3}", "v": i})
        cloud.advance(lifetime / 10)
    cloud.advance(lifetime)  # the open shard's lifetime ends
    for i in range(4):
        table.put({"pk": f"k{i}", "v": 100 + i})
        cloud.advance(1)
    cloud.advance(lifetime)  # ends again after exactly one chunk
    table.delete({"pk": "k0"})
    read_all(arn1, "first")
    # disabled, then enabled again with another view type: a new stream; the old one stays
    # readable (DISABLED) for 24 hours
    ddb.update_table({"TableName": "things", "StreamSpecification": {"StreamEnabled": False}})
    table.put({"pk": "unseen", "v": 0})
    ddb.update_table({"TableName": "things",
                      "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    arn2 = ddb.streams.of_table(ddb.tables["things"]).arn
    assert arn2 != arn1
    for i in range(6):
        table.put({"pk": f"k{i % 2}", "v": 200 + i})
        cloud.advance(60)
    read_all(arn1, "old")
    read_all(arn2, "new")
    # a reader's iterator, then the table is deleted: the stream stays readable
    shard_id = sc.describe_stream(StreamArn=arn2)["StreamDescription"]["Shards"][-1]["ShardId"]
    it = sc.get_shard_iterator(StreamArn=arn2, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    ddb.delete_table({"TableName": "things"})
    cloud.advance(30)
    page = sc.get_records(ShardIterator=it, Limit=4)
    out.append(("after delete", [(r["eventName"], r["dynamodb"]) for r in page["Records"]]))
    read_all(arn2, "deleted")
    first_seq = page["Records"][0]["dynamodb"]["SequenceNumber"] if page["Records"] else None
    # a long idle: everything is past retention
    cloud.advance(2 * 86_400)
    read_all(arn1, "idle old")
    read_all(arn2, "idle new")
    try:
        it = sc.get_shard_iterator(StreamArn=arn2, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                   SequenceNumber=first_seq)["ShardIterator"]
        out.append(("idle after", sc.get_records(ShardIterator=it)["Records"]))
    except AWSError as exc:
        out.append(("idle after", exc.code))
    # the quiet table's stream after the idle: its records and its shard are past retention,
    # an iterator in that shard is refused, new writes read again (in a new shard)
    read_all(quiet_arn, "quiet idle")
    for kind in ("AFTER_SEQUENCE_NUMBER", "AT_SEQUENCE_NUMBER"):
        try:
            it = sc.get_shard_iterator(StreamArn=quiet_arn, ShardId=quiet_shard, ShardIteratorType=kind,
                                       SequenceNumber=quiet_first)["ShardIterator"]
            out.append(("quiet seq", kind, sc.get_records(ShardIterator=it)["Records"]))
        except AWSError as exc:
            out.append(("quiet seq", kind, exc.code))
    quiet.put({"pk": "q9", "v": 9})
    read_all(quiet_arn, "quiet again")
    for arn in (arn1, arn2, quiet_arn):
        try:
            stream = ddb.streams.get(arn)
        except AWSError:
            continue
        if stream is not None:
            stream._check()
    return out


def test_streams_lifecycle_with_tiny_chunks_answers_as_the_default() -> None:
    tiny = _with_chunk_bits(2, _streams_lifecycle)
    default = _with_chunk_bits(None, _streams_lifecycle)
    assert tiny == default
    first = [e for e in default if e[0] == "first"]
    shards = first[0][3]
    assert len(shards) == 3  # rolled twice
    got = [name for tag, *rest in first[1:] for name, _ in rest[0]]
    assert got == ["INSERT", "INSERT", "INSERT", "MODIFY", "MODIFY", "MODIFY", "MODIFY", "MODIFY",
                   "MODIFY", "MODIFY", "MODIFY", "INSERT", "REMOVE"]
    old = [e for e in default if e[0] == "old"]
    assert old[0][1] == "DISABLED"
    new = [e for e in default if e[0] == "new"]
    assert new[0][2] == "NEW_AND_OLD_IMAGES"
    after_delete = [e for e in default if e[0] == "after delete"][0][1]
    # the idle shard closed at the end of its lifetime and is gone 24 hours later (as in AWS:
    # a shard past retention is no longer listed; its id is not found)
    assert [e[2] for e in default if e[0] == "quiet seq"] == ["ResourceNotFoundException"] * 2
    quiet = [e for e in default if e[0] == "quiet idle"]
    assert all(not e[1] for e in quiet[1:])  # nothing readable after the idle
    again = [r for e in default if e[0] == "quiet again" and len(e) == 2 for r in e[1]]
    assert [r[1]["Keys"] for r in again] == [{"pk": {"S": "q9"}}]
    assert [r[0] for r in after_delete] == ["INSERT", "MODIFY", "MODIFY", "MODIFY"]  # k0 was deleted before


def test_checkpoint_restore_mid_minute_meters_as_an_uninterrupted_run() -> None:
    """``Resource.wacc`` after a restore to a mid-minute checkpoint: the restored accumulators
    (and the resources' references to them) come back together, so puts after the restore are
    metered as in a run that never went past the checkpoint."""

    def puts(cloud: Cloud, first: int) -> None:
        t = cloud.dynamodb.table("tbl")
        for i in range(first, first + 15):
            t.put({"pk": f"k{i % 7}", "qty": i, "pad": "x" * (i * 150)})
            cloud.advance(0.7)

    def datapoints(cloud: Cloud) -> Any:
        return cloud.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="ConsumedWriteCapacityUnits",
            Dimensions=[{"Name": "TableName", "Value": "tbl"}], StartTime=0, EndTime=4102444800,
            Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum"])["Datapoints"]

    runs = []
    for restore in (False, True):
        cloud = Cloud(seed=9)
        cloud.dynamodb.config.throughput.on_demand = True
        cloud.dynamodb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
        puts(cloud, 0)
        if restore:
            cp = cloud.checkpoint()
            puts(cloud, 100)  # a different future, then back
            cloud.advance(90)
            cloud = cloud.restore(cp)
        puts(cloud, 50)
        cloud.advance(120)
        runs.append((datapoints(cloud), sorted(cloud.dynamodb.get_table("tbl").store.data.items())))
    assert runs[0] == runs[1]
