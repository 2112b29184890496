"""Paginators and waiters of the generated clients (no boto3 needed)."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud, SimError
from serverless_sim.adapters.client import OperationNotPageableError
from serverless_sim.adapters.pagination import decode_token, encode_token
from serverless_sim.adapters.waiters import WaiterError, search_path


def _table(client, name="orders", hash_type="S"):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": hash_type},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def ddb():
    client = Cloud().client("dynamodb")
    _table(client)
    for i in range(10):
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})
    return client


def test_can_paginate_and_unknown(ddb):
    assert ddb.can_paginate("query") and ddb.can_paginate("scan") and ddb.can_paginate("list_tables")
    assert not ddb.can_paginate("put_item")
    with pytest.raises(OperationNotPageableError):
        ddb.get_paginator("put_item")


def test_query_pages_and_full_result(ddb):
    pages = list(ddb.get_paginator("query").paginate(
        TableName="orders", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}}, PaginationConfig={"PageSize": 3}))
    assert [p["Count"] for p in pages] == [3, 3, 3, 1]
    assert "LastEvaluatedKey" not in pages[-1]
    full = ddb.get_paginator("query").paginate(
        TableName="orders", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}}, PaginationConfig={"PageSize": 4}).build_full_result()
    assert full["Count"] == 10 and full["ScannedCount"] == 10
    assert [i["sk"]["N"] for i in full["Items"]] == [str(i) for i in range(10)]


def test_max_items_and_resume(ddb):
    it = ddb.get_paginator("scan").paginate(TableName="orders", PaginationConfig={"PageSize": 4, "MaxItems": 6})
    first = it.build_full_result()
    assert [i["sk"]["N"] for i in first["Items"]] == ["0", "1", "2", "3", "4", "5"]
    token = first["NextToken"]
    rest = ddb.get_paginator("scan").paginate(
        TableName="orders", PaginationConfig={"PageSize": 4, "StartingToken": token}).build_full_result()
    assert [i["sk"]["N"] for i in rest["Items"]] == ["6", "7", "8", "9"]
    assert "NextToken" not in rest


def test_tokens_round_trip_binary_keys():
    key = {"pk": {"B": b"\x00\xff"}, "sk": {"N": "1"}}
    assert decode_token(encode_token(key, 3)) == (key, 3)
    with pytest.raises(SimError):
        decode_token("not a token")


def test_list_tables_paginator():
    client = Cloud().client("dynamodb")
    for i in range(7):
        _table(client, f"table-{i}")
    pages = list(client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["TableNames"]) for p in pages] == [3, 3, 1]


def test_logs_and_cloudwatch_paginators():
    cloud = Cloud()
    logs = cloud.client("logs")
    for i in range(5):
        logs.create_log_group(logGroupName=f"/g/{i}")
    pages = list(logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["logGroups"]) for p in pages] == [2, 2, 1]
    logs.create_log_stream(logGroupName="/g/0", logStreamName="s")
    logs.put_log_events(logGroupName="/g/0", logStreamName="s",
                        logEvents=[{"timestamp": cloud.now_us // 1000 + i, "message": f"m{i}"} for i in range(5)])
    events = logs.get_paginator("filter_log_events").paginate(
        logGroupName="/g/0", PaginationConfig={"PageSize": 2}).build_full_result()["events"]
    assert [e["message"] for e in events] == ["m0", "m1", "m2", "m3", "m4"]
    cw = cloud.client("cloudwatch")
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": f"m{i}", "Value": 1.0} for i in range(3)])
    metrics = cw.get_paginator("list_metrics").paginate(Namespace="App").build_full_result()["Metrics"]
    assert sorted(m["MetricName"] for m in metrics) == ["m0", "m1", "m2"]


def test_table_exists_waiter_advances_virtual_clock():
    cloud = Cloud()
    cloud.dynamodb.config.table_create_delay = 50
    client = cloud.client("dynamodb")
    _table(client)
    assert client.describe_table(TableName="orders")["Table"]["TableStatus"] == "CREATING"
    start = cloud.now
    client.get_waiter("table_exists").wait(TableName="orders")
    assert client.describe_table(TableName="orders")["Table"]["TableStatus"] == "ACTIVE"
    assert (cloud.now - start).total_seconds() == 60  # three polls, 20 s apart


def test_waiter_gives_up_and_not_exists():
    cloud = Cloud()
    client = cloud.client("dynamodb")
    with pytest.raises(WaiterError) as e:
        client.get_waiter("table_exists").wait(TableName="missing", WaiterConfig={"Delay": 5, "MaxAttempts": 3})
    assert e.value.reason == "Max attempts exceeded"
    assert str(e.value) == "Waiter TableExists failed: Max attempts exceeded"
    assert cloud.elapsed.total_seconds() == 10
    client.get_waiter("table_not_exists").wait(TableName="missing")
    with pytest.raises(ValueError):
        client.get_waiter("no_such_waiter")
    assert client.waiter_names == ["table_exists", "table_not_exists"]


def test_search_path():
    data = {"A": {"B": "x"}, "L": [{"S": 1}, {"S": 2}, {}]}
    assert search_path("A.B", data) == "x"
    assert search_path("L[].S", data) == [1, 2]
    assert search_path("Missing.B", data) is None
