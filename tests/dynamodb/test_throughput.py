"""Capacity modes, burst capacity, throttling errors, batches and transactions under throttling,
and the consumed-capacity metrics, with AWS's numbers (see serverless_sim/dynamodb/throughput.py)."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud

KB = 1024


def make(billing="PROVISIONED", rcu=10, wcu=10, *, burst=True, gsi=None, on_demand=False,
         depth=300, **extra):
    cloud = Cloud(seed=3)
    cfg = cloud.dynamodb.config.throughput
    cfg.initial_burst = burst
    cfg.burst_seconds = depth
    cfg.on_demand = on_demand
    client = cloud.client("dynamodb")
    req = dict(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode=billing,
        **extra,
    )
    if billing == "PROVISIONED":
        req["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
    if gsi is not None:
        req["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        spec = {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}
        if billing == "PROVISIONED":
            spec["ProvisionedThroughput"] = {"ReadCapacityUnits": gsi[0], "WriteCapacityUnits": gsi[1]}
        req["GlobalSecondaryIndexes"] = [spec]
    client.create_table(**req)
    return cloud, client


def sized(pk: str, size: int, **extra) -> dict:
    """An item of exactly ``size`` bytes (names + values)."""
    base = len("pk") + len(pk) + len("v") + sum(len(k) + len(v) for k, v in extra.items())
    item = {"pk": {"S": pk}, "v": {"S": "x" * (size - base)}}
    item.update({k: {"S": v} for k, v in extra.items()})
    return item


def code(exc) -> str:
    return exc.value.response["Error"]["Code"]


def test_ten_rcu_serves_ten_strong_4kb_reads_per_second_and_twenty_eventual():
    cloud, c = make(rcu=10, wcu=1000, burst=False, depth=0)  # no burst: 1 s of capacity
    cloud.advance(1)
    c.put_item(TableName="tbl", Item=sized("a", 4 * KB))
    for second in range(3):
        cloud.advance(1)
        for _ in range(10):
            c.get_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConsistentRead=True)
        with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as e:
            c.get_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConsistentRead=True)
    assert e.value.response["ThrottlingReasons"] == [
        {"reason": "TableReadProvisionedThroughputExceeded",
         "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/tbl"}]
    assert "configured provisioned throughput for the table was exceeded" in e.value.response["Error"]["Message"]
    cloud.advance(1)
    for _ in range(20):  # eventually consistent: half a unit each
        c.get_item(TableName="tbl", Key={"pk": {"S": "a"}})
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.get_item(TableName="tbl", Key={"pk": {"S": "a"}})


def test_writes_cost_one_unit_per_kb():
    cloud, c = make(rcu=1, wcu=5, burst=False, depth=0)
    cloud.advance(1)
    for i in range(5):
        c.put_item(TableName="tbl", Item=sized(f"k{i}", KB))
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as e:
        c.put_item(TableName="tbl", Item=sized("k9", KB))
    assert e.value.response["ThrottlingReasons"][0]["reason"] == "TableWriteProvisionedThroughputExceeded"
    cloud.advance(1)
    c.put_item(TableName="tbl", Item=sized("big", 3 * KB))  # 3 WCU
    c.put_item(TableName="tbl", Item=sized("mid", KB + 1))  # 2 WCU
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.put_item(TableName="tbl", Item=sized("one", 10))


def test_burst_keeps_300_seconds_of_unused_capacity():
    cloud, c = make(rcu=10, wcu=1, burst=False)
    cloud.advance(600)  # twice the window: only 300 s are kept
    c.put_item(TableName="tbl", Item=sized("a", 4 * KB))
    served = 0
    while True:
        try:
            c.get_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConsistentRead=True)
        except c.exceptions.ProvisionedThroughputExceededException:
            break
        served += 1
    assert served == 300 * 10


def test_dg_burst_example_150_rcu_idle_5_minutes_lasts_900_s_at_200_rcu():
    # DG burst-adaptive-capacity: 150 RCU idle for 5 minutes = 45,000 units; at 200 RCU/s they
    # last 45,000 / (200 - 150) = 900 seconds.
    cloud, c = make(rcu=150, wcu=1, burst=False)
    cloud.advance(300)
    c.put_item(TableName="tbl", Item=sized("a", 50 * 4 * KB))  # 50 RCU per strong read
    first_throttle = None
    for second in range(1, 1000):
        cloud.advance(1)
        try:
            for _ in range(4):  # 200 RCU per second
                c.get_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConsistentRead=True)
        except c.exceptions.ProvisionedThroughputExceededException:
            first_throttle = second
            break
    assert first_throttle is not None and 895 <= first_throttle <= 905


def test_new_table_starts_with_full_burst_by_default():
    cloud, c = make(rcu=1, wcu=1)  # initial_burst=True
    for i in range(300):
        c.put_item(TableName="tbl", Item=sized(f"k{i}", 100))
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.put_item(TableName="tbl", Item=sized("more", 100))


def test_on_demand_table_never_throttles_by_default():
    cloud = Cloud(seed=1)
    c = cloud.client("dynamodb")
    c.create_table(TableName="tbl", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    for i in range(20_000):
        c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
    assert cloud.dynamodb.tables["tbl"].throughput is None


def spread_keys(svc, table, per_partition):
    """Keys spread evenly over the table's partitions (AWS: 'distributed evenly')."""
    from bisect import bisect_right

    from serverless_sim.dynamodb.table import partition_hash

    starts = [p["hash_range"][0] for p in svc.partitions(table)]
    buckets = [[] for _ in starts]
    i = 0
    while min(len(b) for b in buckets) < per_partition:
        k = f"k{i}"
        b = buckets[bisect_right(starts, partition_hash(k)) - 1]
        if len(b) < per_partition:
            b.append(k)
        i += 1
    return [k for b in buckets for k in b]


def test_on_demand_initial_4000_writes_then_double_the_previous_peak_after_30_minutes():
    cloud, c = make("PAY_PER_REQUEST", on_demand=True)
    svc = cloud.dynamodb
    t = svc.tables["tbl"]
    assert len(svc.partitions("tbl")) == 4  # 4,000 WRU / 12,000 RRU at 1,000 / 3,000 each
    # 4,000 one-unit writes spread evenly: exactly the initial throughput.
    keys = spread_keys(svc, "tbl", 1000)
    for k in keys:
        c.put_item(TableName="tbl", Item={"pk": {"S": k}})
    with pytest.raises(c.exceptions.ThrottlingException) as e:
        c.put_item(TableName="tbl", Item={"pk": {"S": "one-more"}})
    assert "DynamoDB is automatically scaling your table" in e.value.response["Error"]["Message"]
    # Peak 4,000: double (8,000) becomes available only 30 minutes later.
    cloud.advance(60)
    for k in keys:
        c.put_item(TableName="tbl", Item={"pk": {"S": k}})
    with pytest.raises(c.exceptions.ThrottlingException):
        c.put_item(TableName="tbl", Item={"pk": {"S": "x"}})
    cloud.advance(30 * 60)
    # the table split to serve double the peak: 8 partitions of 1,000 WRU
    assert len(svc.partitions("tbl")) == 8
    keys = spread_keys(svc, "tbl", 1000)
    for k in keys:
        c.put_item(TableName="tbl", Item={"pk": {"S": k}})
    with pytest.raises(c.exceptions.ThrottlingException):
        c.put_item(TableName="tbl", Item={"pk": {"S": "x"}})
    t.throughput._check()


def test_max_on_demand_throughput_throttles_without_any_setting():
    cloud, c = make("PAY_PER_REQUEST", OnDemandThroughput={"MaxWriteRequestUnits": 10})
    for i in range(10):
        c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
    with pytest.raises(c.exceptions.ThrottlingException) as e:
        c.put_item(TableName="tbl", Item={"pk": {"S": "k10"}})
    assert e.value.response["ThrottlingReasons"][0]["reason"] == "TableWriteMaxOnDemandThroughputExceeded"
    cloud.advance(1)
    c.put_item(TableName="tbl", Item={"pk": {"S": "k10"}})


def test_gsi_without_write_capacity_throttles_the_base_table():
    cloud, c = make(rcu=100, wcu=100, burst=False, gsi=(1, 1))
    cloud.advance(1)
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException) as e:
        c.put_item(TableName="tbl", Item={"pk": {"S": "b"}, "g": {"S": "y"}})
    assert e.value.response["ThrottlingReasons"] == [
        {"reason": "IndexWriteProvisionedThroughputExceeded",
         "resource": "arn:aws:dynamodb:us-east-1:123456789012:table/tbl/index/by_g"}]
    assert "global secondary indexes" in e.value.response["Error"]["Message"]
    assert c.get_item(TableName="tbl", Key={"pk": {"S": "b"}}).get("Item") is None
    # An item outside the index costs the GSI nothing.
    c.put_item(TableName="tbl", Item={"pk": {"S": "c"}})


def test_batch_write_returns_throttled_part_and_raises_only_when_nothing_was_written():
    cloud, c = make(rcu=10, wcu=5, burst=False)
    cloud.advance(1)
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}}}} for i in range(10)]
    out = c.batch_write_item(RequestItems={"tbl": writes})
    assert out["UnprocessedItems"] == {"tbl": writes[5:]}
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.batch_write_item(RequestItems={"tbl": writes[5:]})
    cloud.advance(1)
    assert c.batch_write_item(RequestItems={"tbl": writes[5:]})["UnprocessedItems"] == {}
    assert c.scan(TableName="tbl", Select="COUNT")["Count"] == 10


def test_batch_get_returns_throttled_keys_as_unprocessed():
    cloud, c = make(rcu=2, wcu=100, burst=False)
    cloud.advance(1)
    for i in range(6):
        c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
    keys = [{"pk": {"S": f"k{i}"}} for i in range(6)]
    out = c.batch_get_item(RequestItems={"tbl": {"Keys": keys}})  # 0.5 RCU each: 4 fit in 2 RCU
    assert len(out["Responses"]["tbl"]) == 4
    assert out["UnprocessedKeys"]["tbl"]["Keys"] == keys[4:]
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.batch_get_item(RequestItems={"tbl": {"Keys": keys[4:]}})


def test_transaction_cancelled_with_provisioned_throughput_exceeded_reason():
    cloud, c = make(rcu=10, wcu=3, burst=False)
    cloud.advance(1)
    items = [{"Put": {"TableName": "tbl", "Item": {"pk": {"S": f"k{i}"}}}} for i in range(2)]
    with pytest.raises(c.exceptions.TransactionCanceledException) as e:
        c.transact_write_items(TransactItems=items)  # 2 x 2 WCU > 3
    reasons = e.value.response["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1]["Code"] == "ProvisionedThroughputExceeded"
    assert c.scan(TableName="tbl", Select="COUNT")["Count"] == 0
    # The cancelled transaction consumed nothing: a 2-WCU write still fits.
    c.transact_write_items(TransactItems=items[:1])


def test_failed_conditional_write_consumes_capacity():
    cloud, c = make(rcu=10, wcu=2, burst=False)
    cloud.advance(1)
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    with pytest.raises(c.exceptions.ConditionalCheckFailedException):
        c.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(c.exceptions.ProvisionedThroughputExceededException):
        c.put_item(TableName="tbl", Item={"pk": {"S": "b"}})


def test_throttling_is_deterministic():
    def run(seed):
        cloud, c = make(rcu=5, wcu=5, burst=False)
        outcomes = []
        for i in range(200):
            cloud.advance(0.05)
            try:
                c.put_item(TableName="tbl", Item=sized(f"k{i % 7}", 100 + 37 * (i % 11)))
                outcomes.append(1)
            except c.exceptions.ProvisionedThroughputExceededException:
                outcomes.append(0)
        return outcomes

    assert run(1) == run(2)
    assert 0 < sum(run(1)) < 200


def test_consumed_capacity_and_throttle_metrics():
    cloud, c = make(rcu=10, wcu=5, burst=False)
    cloud.advance(1)
    for i in range(7):
        try:
            c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
        except c.exceptions.ProvisionedThroughputExceededException:
            pass
    c.query(TableName="tbl", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "k1"}})
    cloud.advance(120)  # the per-minute flush runs as a daemon event
    m = cloud.metrics
    dims = [{"Name": "TableName", "Value": "tbl"}]

    def total(name, d=dims):
        points = m.statistics("AWS/DynamoDB", name, d, cloud.start_us, cloud.now_us, 3600, ["Sum", "SampleCount"])
        return sum(p["Sum"] for p in points), sum(p["SampleCount"] for p in points)

    assert total("ConsumedWriteCapacityUnits") == (5.0, 5)
    assert total("WriteThrottleEvents") == (2.0, 2)
    assert total("ConsumedReadCapacityUnits") == (0.5, 1)  # an eventually consistent query
    assert total("ThrottledRequests", dims + [{"Name": "Operation", "Value": "PutItem"}]) == (2.0, 2)
    assert total("ReturnedItemCount", dims + [{"Name": "Operation", "Value": "Query"}]) == (1.0, 1)
