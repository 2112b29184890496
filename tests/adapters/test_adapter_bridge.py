"""Real boto3 through the botocore bridge: clients, resources, paginators, waiters, errors, patching."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

boto3 = pytest.importorskip("boto3")
import botocore.exceptions  # noqa: E402
from boto3.dynamodb.conditions import Attr, Key  # noqa: E402

from serverless_sim import Cloud, SimError  # noqa: E402
from serverless_sim.adapters.boto3_bridge import boto3_session, patch_boto3  # noqa: E402


def _create(client, name="orders", **extra):
    return client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST", **extra,
    )


@pytest.fixture
def cloud():
    return Cloud(seed=5)


@pytest.fixture
def ddb(cloud):
    client = boto3_session(cloud).client("dynamodb")
    _create(client)
    return client


def test_calls_reach_the_cloud(cloud, ddb):
    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x00"}})
    assert cloud.dynamodb.tables["orders"] is not None
    item = ddb.get_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item == {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x00"}}
    desc = ddb.describe_table(TableName="orders")["Table"]
    assert desc["CreationDateTime"] == cloud.now
    assert [r.attributes["operation"] for r in cloud.trace.filter(kind="api_call")][-2:] == ["GetItem", "DescribeTable"]


def test_blob_given_as_str_arrives_as_bytes(ddb):
    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": "héllo"}})
    item = ddb.get_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
    assert item["b"] == {"B": "héllo".encode()}


def test_param_validation_is_botocore_s(ddb):
    with pytest.raises(botocore.exceptions.ParamValidationError):
        ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": 1}})
    with pytest.raises(botocore.exceptions.ParamValidationError):
        ddb.get_item(Key={})


def test_errors_are_modelled_client_errors(ddb):
    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                     ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    err = e.value
    assert isinstance(err, botocore.exceptions.ClientError)
    assert err.response["Error"] == {"Code": "ConditionalCheckFailedException", "Message": "The conditional request failed"}
    assert err.response["Item"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err.operation_name == "PutItem"
    assert str(err) == ("An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: "
                        "The conditional request failed")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName="missing")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ddb.query(TableName="orders", KeyConditionExpression="nope = :x", ExpressionAttributeValues={":x": {"S": "a"}})
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_no_retries_and_no_sleep(cloud, ddb, monkeypatch):
    from serverless_sim.dynamodb.errors import ProvisionedThroughputExceededException

    calls = []

    def throttled(request):
        calls.append(1)
        raise ProvisionedThroughputExceededException()

    monkeypatch.setattr(type(cloud.dynamodb), "operations", {**type(cloud.dynamodb).operations, "GetItem": "_throttled"},
                        raising=True)
    monkeypatch.setattr(cloud.dynamodb, "_throttled", throttled, raising=False)
    monkeypatch.setattr(time, "sleep", lambda s: pytest.fail("botocore slept"))
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException) as e:
        ddb.get_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert calls == [1] and e.value.response["ResponseMetadata"]["RetryAttempts"] == 0


def test_paginators_and_waiters(cloud):
    cloud.dynamodb.config.table_create_delay = 30
    cloud.dynamodb.config.table_delete_delay = 30
    client = boto3_session(cloud).client("dynamodb")
    _create(client, "slow")
    before = cloud.now
    t0 = time.monotonic()
    client.get_waiter("table_exists").wait(TableName="slow")
    assert time.monotonic() - t0 < 2  # no real 20 s sleeps
    assert (cloud.now - before).total_seconds() == 40
    for i in range(7):
        client.put_item(TableName="slow", Item={"pk": {"S": "p"}, "sk": {"N": str(i)}})
    pages = list(client.get_paginator("query").paginate(
        TableName="slow", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
        PaginationConfig={"PageSize": 3}))
    assert [p["Count"] for p in pages] == [3, 3, 1]
    client.delete_table(TableName="slow")
    client.get_waiter("table_not_exists").wait(TableName="slow")
    with pytest.raises(botocore.exceptions.WaiterError, match="Max attempts exceeded"):
        client.get_waiter("table_exists").wait(TableName="slow", WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_resource_layer(cloud):
    dynamodb = boto3_session(cloud).resource("dynamodb")
    table = dynamodb.create_table(
        TableName="people", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"id": f"u{i:02}", "age": i, "score": Decimal("1.5"), "tags": {"a", "b"}})
    assert table.get_item(Key={"id": "u03"})["Item"] == {"id": "u03", "age": 3, "score": Decimal("1.5"), "tags": {"a", "b"}}
    table.update_item(Key={"id": "u03"}, UpdateExpression="ADD age :one", ExpressionAttributeValues={":one": 1})
    assert table.get_item(Key={"id": "u03"})["Item"]["age"] == 4
    out = table.scan(FilterExpression=Attr("age").between(10, 12))
    assert sorted(i["id"] for i in out["Items"]) == ["u10", "u11", "u12"]
    assert table.query(KeyConditionExpression=Key("id").eq("u05"))["Count"] == 1
    assert table.item_count == 30 or table.item_count is not None


def test_logs_and_cloudwatch(cloud):
    session = boto3_session(cloud)
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/app")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName="/app")
    assert [g["logGroupName"] for g in logs.get_paginator("describe_log_groups").paginate().build_full_result()["logGroups"]] == ["/app"]
    cw = session.client("cloudwatch")
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Hits", "Value": 3.0}])
    assert [m["MetricName"] for m in cw.list_metrics(Namespace="App")["Metrics"]] == ["Hits"]


def test_unsimulated_service_is_loud(cloud):
    with pytest.raises(SimError, match="does not simulate"):
        boto3_session(cloud).client("rds").describe_db_instances()


def test_idempotency_tokens_are_deterministic():
    def run():
        session = boto3_session(Cloud(seed=9))
        tokens = []
        session.events.register(
            "before-call.dynamodb.TransactWriteItems",
            lambda context, **kw: tokens.append(context["serverless_sim.params"]["ClientRequestToken"]))
        client = session.client("dynamodb")
        _create(client)
        client.transact_write_items(TransactItems=[{"Put": {"TableName": "orders", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}}])
        return tokens

    first, second = run(), run()
    assert len(first) == 1 and first == second


def test_patch_boto3_context_and_decorator(cloud):
    original = (boto3.DEFAULT_SESSION, boto3.Session)
    with patch_boto3(cloud) as session:
        _create(boto3.client("dynamodb"))
        assert boto3.resource("dynamodb").Table("orders").table_status == "ACTIVE"
        assert boto3.Session().client("dynamodb").list_tables()["TableNames"] == ["orders"]
        assert session.client("dynamodb").list_tables()["TableNames"] == ["orders"]
        other = Cloud()
        with patch_boto3(other):
            assert boto3.client("dynamodb").list_tables()["TableNames"] == []
        assert boto3.client("dynamodb").list_tables()["TableNames"] == ["orders"]
    assert (boto3.DEFAULT_SESSION, boto3.Session) == original

    @patch_boto3(cloud)
    def uses_boto3():
        return boto3.client("dynamodb", region_name="eu-west-1").list_tables()["TableNames"]

    assert uses_boto3() == ["orders"]
    assert uses_boto3() == ["orders"]  # reusable
    assert (boto3.DEFAULT_SESSION, boto3.Session) == original


def test_two_clouds_do_not_share(cloud):
    a, b = boto3_session(cloud).client("dynamodb"), boto3_session(Cloud()).client("dynamodb")
    _create(a)
    assert b.list_tables()["TableNames"] == []
