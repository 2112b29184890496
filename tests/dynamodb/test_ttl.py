"""Time to Live: UpdateTimeToLive / DescribeTimeToLive rules and the background sweeper."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ResourceNotFoundException, ValidationException
from serverless_sim.dynamodb.ttl import FIVE_YEARS_US, SERVICE_IDENTITY

HOUR = 3600
DAY = 86_400


@pytest.fixture
def cloud():
    c = Cloud(seed=11, start="2026-01-01T00:00:00Z")
    c.dynamodb.config.ttl_delete_delay = 0
    return c


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


def make(ddb, name="tbl", ranged=False, **kw):
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
    ad = [{"AttributeName": "pk", "AttributeType": "S"}]
    if ranged:
        ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
        ad.append({"AttributeName": "sk", "AttributeType": "N"})
    ddb.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST", **kw)


def enable(ddb, name="tbl", attr="exp"):
    return ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attr})


def put(ddb, pk, exp=None, name="tbl", **extra):
    item = {"pk": {"S": pk}, **extra}
    if exp is not None:
        item["exp"] = {"N": str(exp)}
    ddb.put_item(TableName=name, Item=item)


def get(ddb, pk, name="tbl"):
    return ddb.get_item(TableName=name, Key={"pk": {"S": pk}}).get("Item")


def now_s(cloud):
    return cloud.now_us // 1_000_000


# -- UpdateTimeToLive / DescribeTimeToLive ---------------------------------------------------
def test_describe_disabled_then_enabled(ddb):
    make(ddb)
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = enable(ddb)
    assert out["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"
    }


def test_enabling_on_the_clock(cloud, ddb):
    cloud.dynamodb.config.ttl_update_delay = 600
    make(ddb)
    enable(ddb)
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLING"
    put(ddb, "a", now_s(cloud) - 10)
    cloud.advance(300)
    assert get(ddb, "a") is not None  # not deleted while ENABLING
    cloud.advance(300)
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    cloud.advance(1)
    assert get(ddb, "a") is None


def test_one_change_per_hour(cloud, ddb):
    make(ddb)
    enable(ddb)
    cloud.advance(HOUR - 1)
    with pytest.raises(ValidationException, match="Time to live has been modified multiple times within a fixed interval"):
        ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    cloud.advance(1)
    ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


def test_state_errors(cloud, ddb):
    make(ddb)
    with pytest.raises(ValidationException, match="TimeToLive is already disabled"):
        ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    enable(ddb)
    with pytest.raises(ValidationException, match="TimeToLive is already enabled"):
        enable(ddb)
    with pytest.raises(ValidationException, match="TimeToLive is active on a different AttributeName: current AttributeName is exp"):
        enable(ddb, attr="other")
    with pytest.raises(ValidationException, match="different AttributeName"):
        ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "x"})


def test_validation(ddb):
    make(ddb)
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        enable(ddb, attr="")
    with pytest.raises(ValidationException, match="less than or equal to 255"):
        enable(ddb, attr="x" * 256)
    enable(ddb, attr="x" * 255)
    with pytest.raises(ValidationException, match="timeToLiveSpecification.enabled"):
        ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"AttributeName": "a"})
    with pytest.raises(ValidationException, match="timeToLiveSpecification.attributeName"):
        ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": True})
    with pytest.raises(ResourceNotFoundException):
        ddb.update_time_to_live(TableName="nope", TimeToLiveSpecification={"Enabled": True, "AttributeName": "a"})
    with pytest.raises(ResourceNotFoundException):
        ddb.describe_time_to_live(TableName="nope")


# -- expiry ----------------------------------------------------------------------------------
def test_expired_items_are_returned_until_deleted(cloud, ddb):
    cloud.dynamodb.config.ttl_delete_delay = 2 * DAY
    make(ddb)
    enable(ddb)
    put(ddb, "a", now_s(cloud) + 60)
    cloud.advance(DAY)
    assert get(ddb, "a") is not None  # expired a day ago, still there
    assert ddb.scan(TableName="tbl")["Count"] == 1
    cloud.advance(DAY + 61)
    assert get(ddb, "a") is None


def test_deletion_only_after_expiry(cloud, ddb):
    make(ddb)
    enable(ddb)
    t = now_s(cloud) + 100
    put(ddb, "a", t)
    cloud.advance(100)  # now == expiry: not expired yet (expired when now > value)
    assert get(ddb, "a") is not None
    cloud.advance(1)
    assert get(ddb, "a") is None


def test_only_top_level_numbers_count(cloud, ddb):
    make(ddb)
    enable(ddb)
    past = now_s(cloud) - 100
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "s"}, "exp": {"S": str(past)}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "m"}, "nested": {"M": {"exp": {"N": str(past)}}}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "l"}, "exp": {"L": [{"N": str(past)}]}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "n"}, "exp": {"N": str(past)}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "d"}, "exp": {"N": f"{past}.5"}})
    cloud.advance(60)
    left = sorted(i["pk"]["S"] for i in ddb.scan(TableName="tbl")["Items"])
    assert left == ["l", "m", "s"]


def test_more_than_five_years_in_the_past_is_ignored(cloud, ddb):
    make(ddb)
    enable(ddb)
    five_years = FIVE_YEARS_US // 1_000_000
    assert five_years == 5 * 365 * DAY
    put(ddb, "old", now_s(cloud) - five_years - 10)
    put(ddb, "recent", now_s(cloud) - five_years + DAY)
    cloud.advance(60)
    assert get(ddb, "old") is not None
    assert get(ddb, "recent") is None


def test_items_written_before_enabling_are_swept(cloud, ddb):
    make(ddb)
    put(ddb, "a", now_s(cloud) - 5)
    enable(ddb)
    cloud.advance(1)
    assert get(ddb, "a") is None


def test_update_saves_an_expired_item(cloud, ddb):
    cloud.dynamodb.config.ttl_delete_delay = HOUR
    make(ddb)
    enable(ddb)
    put(ddb, "a", now_s(cloud) + 10)
    put(ddb, "b", now_s(cloud) + 10)
    cloud.advance(20)
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE exp")
    ddb.update_item(
        TableName="tbl", Key={"pk": {"S": "b"}}, UpdateExpression="SET exp = :e",
        ExpressionAttributeValues={":e": {"N": str(now_s(cloud) + 10 * DAY)}},
    )
    cloud.advance(2 * HOUR)
    assert get(ddb, "a") is not None and get(ddb, "b") is not None
    cloud.dynamodb.ttl_state(cloud.dynamodb.tables["tbl"])._check()


def test_disable_stops_deletions(cloud, ddb):
    cloud.dynamodb.config.ttl_delete_delay = 2 * HOUR
    make(ddb)
    enable(ddb)
    put(ddb, "a", now_s(cloud))
    cloud.advance(HOUR)
    ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    cloud.advance(DAY)
    assert get(ddb, "a") is not None
    assert cloud.dynamodb.tables["tbl"].change_hooks == []


def test_deletes_update_indexes_and_metric_without_capacity(cloud, ddb):
    ddb.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )
    enable(ddb)
    for i in range(5):
        put(ddb, f"k{i}", now_s(cloud) + 30, g={"S": "x"})
    put(ddb, "keep", None, g={"S": "x"})
    cloud.advance(31)
    out = ddb.query(TableName="tbl", IndexName="byg", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "x"}})
    assert [i["pk"]["S"] for i in out["Items"]] == ["keep"]
    series = cloud.metrics.series("AWS/DynamoDB", "TimeToLiveDeletedItemCount", {"TableName": "tbl"})
    assert series is not None and sum(b.total for b in series.rows()) == 5
    assert len([r for r in cloud.trace if r.kind == "ttl_delete"]) == 5
    cloud.dynamodb.tables["tbl"]._check()


def test_sweeper_is_a_daemon(cloud, ddb):
    cloud.dynamodb.config.ttl_delete_delay = 0
    make(ddb)
    enable(ddb)
    put(ddb, "a", now_s(cloud) + 10 * DAY)
    # run_until_idle is not kept busy by the pending TTL deletion
    cloud.run_until_idle()
    assert get(ddb, "a") is not None
    cloud.advance(10 * DAY + 1)
    assert get(ddb, "a") is None


def test_default_delay_model_is_within_48_hours(cloud, ddb):
    cloud.dynamodb.config.ttl_delete_delay = (300.0, 48 * 3600.0)
    make(ddb)
    enable(ddb)
    t0 = now_s(cloud)
    for i in range(200):
        put(ddb, f"k{i}", t0)
    cloud.advance(299)
    assert ddb.scan(TableName="tbl")["Count"] == 200  # nothing before 5 minutes
    cloud.advance(24 * HOUR)
    left = ddb.scan(TableName="tbl")["Count"]
    assert 50 < left < 150  # about half within the first day
    cloud.advance(24 * HOUR)
    assert ddb.scan(TableName="tbl")["Count"] == 0


def test_delay_is_deterministic_per_seed():
    def run(seed):
        c = Cloud(seed=seed)
        d = c.client("dynamodb")
        make(d)
        enable(d)
        for i in range(20):
            put(d, f"k{i}", now_s(c))
        deleted = []
        for _ in range(48):
            c.advance(HOUR)
            deleted.append(d.scan(TableName="tbl")["Count"])
        return deleted

    assert run(5) == run(5)
    assert run(5) != run(6)


def test_ttl_delete_in_stream_has_service_identity(cloud, ddb):
    make(ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    enable(ddb)
    put(ddb, "a", now_s(cloud) + 5)
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "x"}})  # absent: no record
    put(ddb, "b")
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "b"}})
    cloud.advance(10)
    stream = cloud.dynamodb.streams.of_table(cloud.dynamodb.tables["tbl"])
    records = [r.to_wire() for r in stream.records()]
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT", "REMOVE", "REMOVE"]
    assert "userIdentity" not in records[2]
    assert records[3]["userIdentity"] == SERVICE_IDENTITY == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert records[3]["dynamodb"]["OldImage"]["pk"] == {"S": "a"}
    lam = list(stream.records())[3].to_lambda()
    assert lam["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_ranged_table_and_many_items(cloud, ddb):
    make(ddb, ranged=True)
    enable(ddb)
    t0 = now_s(cloud)
    for i in range(300):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": f"p{i % 3}"}, "sk": {"N": str(i)}, "exp": {"N": str(t0 + i)}})
    cloud.advance(150)
    assert ddb.scan(TableName="tbl")["Count"] == 150
    state = cloud.dynamodb.ttl_state(cloud.dynamodb.tables["tbl"])
    state._check()
    cloud.dynamodb.tables["tbl"]._check()
