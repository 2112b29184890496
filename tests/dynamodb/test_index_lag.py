"""GSI propagation lag: a GSI read can be stale, deterministically for a seed."""

from __future__ import annotations

from serverless_sim import Cloud


def make(seed=1, lag=None):
    cloud = Cloud(seed=seed)
    c = cloud.client("dynamodb")
    c.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    if lag is not None:
        cloud.dynamodb.set_index_lag("tbl", lag)
    return cloud, c


def gsi(c, g):
    out = c.query(TableName="tbl", IndexName="by_g", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": g}})
    return [(i["pk"]["S"], i.get("v", {}).get("S")) for i in out["Items"]]


def test_default_is_immediate():
    cloud, c = make()
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert gsi(c, "x") == [("a", None)]


def test_fixed_lag_makes_the_index_stale_until_it_elapses():
    cloud, c = make(lag=0.5)
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert gsi(c, "x") == []
    assert c.get_item(TableName="tbl", Key={"pk": {"S": "a"}})["Item"]  # the table is current
    cloud.advance(0.4)
    assert gsi(c, "x") == []
    cloud.advance(0.1)
    assert gsi(c, "x") == [("a", None)]


def test_updates_apply_in_order_and_converge():
    cloud, c = make(lag=(0.01, 1.0))
    for i in range(20):
        c.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x" if i % 2 else "y"}, "v": {"S": str(i)}})
        cloud.advance(0.05)
    cloud.run_until_idle()
    assert gsi(c, "x") == [("a", "19")]
    assert gsi(c, "y") == []


def test_config_default_lag_applies_to_every_table():
    cloud = Cloud(seed=1)
    cloud.dynamodb.config.throughput.index_lag = 2.0
    c = cloud.client("dynamodb")
    c.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert gsi(c, "x") == []
    cloud.advance(2)
    assert gsi(c, "x") == [("a", None)]


def visibility(seed):
    """When each of 10 writes became visible in the GSI, in microseconds after its write."""
    cloud, c = make(seed=seed, lag=(0.0, 1.0))
    seen = []
    for i in range(10):
        t0 = cloud.now_us
        c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}, "g": {"S": f"g{i}"}})
        while not gsi(c, f"g{i}"):
            cloud.advance(0.01)
        seen.append(cloud.now_us - t0)
    return seen


def test_lag_is_deterministic_for_a_seed():
    assert visibility(7) == visibility(7)
    assert visibility(7) != visibility(8)
    assert all(0 <= us <= 1_010_000 for us in visibility(7))
