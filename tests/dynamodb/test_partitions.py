"""Partitions: count formula, splits (never merges), per-partition ceilings, adaptive capacity
and hot-key isolation, and a Hypothesis check that splits lose or duplicate no item."""

from __future__ import annotations

from bisect import bisect_right

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.table import partition_hash


def make(rcu, wcu, *, lsi=False, stream=False, burst=True, **cfg):
    cloud = Cloud(seed=5)
    conf = cloud.dynamodb.config.throughput
    conf.initial_burst = burst
    for k, v in cfg.items():
        setattr(conf, k, v)
    c = cloud.client("dynamodb")
    req = dict(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu},
    )
    if lsi:
        req["AttributeDefinitions"].append({"AttributeName": "l", "AttributeType": "S"})
        req["LocalSecondaryIndexes"] = [{"IndexName": "by_l", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    if stream:
        req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    c.create_table(**req)
    return cloud, c


def put(c, pk, sk=0):
    c.put_item(TableName="tbl", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}})


def test_partition_count_formula_and_splits_never_merge():
    cloud, c = make(6000, 1000)
    svc = cloud.dynamodb
    assert len(svc.partitions("tbl")) == 3  # ceil(6,000 / 3,000 + 1,000 / 1,000)
    c.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 6000, "WriteCapacityUnits": 10_000})
    assert len(svc.partitions("tbl")) == 12  # ceil(2 + 10)
    c.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert len(svc.partitions("tbl")) == 12  # partitions never merge
    ranges = [p["hash_range"] for p in svc.partitions("tbl")]
    assert ranges[0][0] == 0 and ranges[-1][1] == 2**32
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))


def test_a_hot_key_is_capped_at_1000_wcu_per_second_even_on_a_big_table():
    cloud, c = make(100, 40_000)
    cloud.advance(1)
    for i in range(1000):
        put(c, "hot", i)  # 1 WCU each, one partition key
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as e:
        put(c, "hot", 1000)
    assert e.value.response["ThrottlingReasons"][0]["reason"] == "TableWriteKeyRangeThroughputExceeded"
    put(c, "cold", 0)  # the table has capacity left for other partitions
    cloud.advance(1)
    put(c, "hot", 1000)


def test_a_hot_key_is_capped_at_3000_rcu_per_second():
    cloud, c = make(40_000, 10)
    put(c, "hot")
    cloud.advance(1)
    key = {"pk": {"S": "hot"}, "sk": {"N": "0"}}
    for _ in range(3000):
        c.get_item(TableName="tbl", Key=key, ConsistentRead=True)
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as e:
        c.get_item(TableName="tbl", Key=key, ConsistentRead=True)
    assert e.value.response["ThrottlingReasons"][0]["reason"] == "TableReadKeyRangeThroughputExceeded"


def test_without_adaptive_capacity_a_partition_gets_its_share_only():
    cloud, c = make(10, 2000, adaptive_capacity=False, burst=False, burst_seconds=0)  # 3 partitions
    svc = cloud.dynamodb
    assert len(svc.partitions("tbl")) == 3
    assert svc.partitions("tbl")[0]["write_units_per_s"] == pytest.approx(2000 / 3, abs=1)
    cloud.advance(1)
    served = 0
    try:
        for i in range(2000):
            put(c, "hot", i)
            served += 1
    except c.exceptions.ProvisionedThroughputExceededException:
        pass
    assert served == 666


def keys_in_same_partition(svc, n):
    starts = [p["hash_range"][0] for p in svc.partitions("tbl")]
    groups = {}
    i = 0
    while True:
        k = f"key{i}"
        g = groups.setdefault(bisect_right(starts, partition_hash(k)) - 1, [])
        g.append(k)
        if len(g) == n:
            return g
        i += 1


def saturate(c, key, start):
    for i in range(1000):
        put(c, key, start + i)


def test_hot_key_isolation_gives_the_neighbours_their_own_ceiling():
    cloud, c = make(100, 1000, hot_key_isolation_delay=60.0)
    svc = cloud.dynamodb
    hot, neighbour = keys_in_same_partition(svc, 2)
    n0 = len(svc.partitions("tbl"))
    cloud.advance(1)
    saturate(c, hot, 0)
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        put(c, neighbour)  # same partition: throttled with the hot key
    for second in range(1, 62):
        cloud.advance(1)
        saturate(c, hot, second * 1000)
        try:
            put(c, hot, 10**6 + second)
        except c.exceptions.ProvisionedThroughputExceededException:
            pass
    assert len(svc.partitions("tbl")) > n0  # the hot key was isolated
    cloud.advance(1)
    saturate(c, hot, 10**7)
    put(c, neighbour)  # now on another partition
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        put(c, hot, 10**8)  # a single key still gets 1,000 WCU at most
    svc.tables["tbl"].throughput._check()


@pytest.mark.parametrize("kind", ["lsi", "stream"])
def test_no_isolation_with_an_lsi_or_a_provisioned_stream(kind):
    cloud, c = make(100, 1000, hot_key_isolation_delay=0.0, lsi=kind == "lsi", stream=kind == "stream")
    svc = cloud.dynamodb
    hot = "hotkey"
    n0 = len(svc.partitions("tbl"))
    for second in range(5):
        cloud.advance(1)
        saturate(c, hot, second * 1000)
        with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
            put(c, hot, 10**6 + second)
    assert len(svc.partitions("tbl")) == n0


def test_a_partition_splits_when_it_outgrows_its_storage():
    cloud, c = make(10, 10, partition_max_bytes=20_000)
    svc = cloud.dynamodb
    for i in range(200):
        c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}, "sk": {"N": "1"}, "v": {"S": "x" * 300}})
        cloud.advance(1)
    parts = svc.partitions("tbl")
    assert len(parts) > 3
    assert sum(p["items"] for p in parts) == 200
    assert all(p["bytes"] <= 20_000 for p in parts)
    svc.tables["tbl"].throughput._check()


ops = st.lists(
    st.tuples(
        st.sampled_from(["put", "delete", "split", "raise"]),
        st.integers(0, 40),
        st.integers(0, 3),
        st.integers(0, 600),
    ),
    max_size=60,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_splits_lose_or_duplicate_no_item(operations):
    cloud, c = make(1000, 1000, partition_max_bytes=3_000)
    svc = cloud.dynamodb
    tp = svc.tables["tbl"].throughput
    model: dict[tuple[str, int], int] = {}
    wcu = 1000
    for op, k, s, size in operations:
        cloud.advance(1)
        pk = f"p{k}"
        if op == "put":
            c.put_item(TableName="tbl", Item={"pk": {"S": pk}, "sk": {"N": str(s)}, "v": {"S": "x" * size}})
            model[(pk, s)] = size
        elif op == "delete":
            c.delete_item(TableName="tbl", Key={"pk": {"S": pk}, "sk": {"N": str(s)}})
            model.pop((pk, s), None)
        elif op == "split":
            tp.base.isolate(tp.base.part_index(pk), pk)
        else:
            wcu += 1000
            c.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 1000, "WriteCapacityUnits": wcu})
        tp._check()
    got = {}
    kwargs = {}
    while True:
        page = c.scan(TableName="tbl", **kwargs)
        for it in page["Items"]:
            key = (it["pk"]["S"], int(it["sk"]["N"]))
            assert key not in got  # no duplicate
            got[key] = len(it["v"]["S"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert got == model  # nothing lost
    assert sum(p["items"] for p in svc.partitions("tbl")) == len(model)
