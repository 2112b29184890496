"""PutItem, GetItem, UpdateItem, DeleteItem through the wire operations and the client."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import (
    ConditionalCheckFailedException,
    ItemCollectionSizeLimitExceededException,
    ResourceNotFoundException,
    ValidationException,
)


@pytest.fixture
def cloud():
    return Cloud(seed=5)


@pytest.fixture
def ddb(cloud):
    client = cloud.client("dynamodb")
    client.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName="ranged",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def msg(excinfo):
    return excinfo.value.response["Error"]["Message"]


def get(ddb, pk, table="tbl", **kw):
    return ddb.get_item(TableName=table, Key={"pk": {"S": pk}}, **kw).get("Item")


ITEM = {
    "pk": {"S": "a"},
    "n": {"N": "001.50"},
    "b": {"B": b"\x00\xff"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "l": {"L": [{"S": "x"}, {"N": "2"}]},
    "m": {"M": {"k": {"SS": ["p", "q"]}}},
    "ns": {"NS": ["1", "2.50"]},
}


def test_put_get_roundtrip_normalises_numbers(ddb):
    assert ddb.put_item(TableName="tbl", Item=ITEM).keys() == {"ResponseMetadata"}
    item = get(ddb, "a")
    assert item["n"] == {"N": "1.5"}
    assert item["ns"] == {"NS": ["1", "2.5"]}
    assert item["b"] == {"B": b"\x00\xff"}
    assert item["m"] == {"M": {"k": {"SS": ["p", "q"]}}}
    assert get(ddb, "a", ConsistentRead=True) == item


def test_get_missing_returns_no_item(ddb):
    out = ddb.get_item(TableName="tbl", Key={"pk": {"S": "zz"}})
    assert "Item" not in out


def test_stored_items_cannot_be_corrupted(ddb):
    item = {"pk": {"S": "a"}, "m": {"M": {"x": {"L": [{"S": "1"}]}}}, "s": {"S": "v"}}
    ddb.put_item(TableName="tbl", Item=item)
    item["m"]["M"]["x"]["L"].append({"S": "2"})
    item["s"]["S"] = "changed"
    got = get(ddb, "a")
    assert got == {"pk": {"S": "a"}, "m": {"M": {"x": {"L": [{"S": "1"}]}}}, "s": {"S": "v"}}
    got["m"]["M"]["x"]["L"].clear()
    got["pk"]["S"] = "zzz"
    assert get(ddb, "a")["m"] == {"M": {"x": {"L": [{"S": "1"}]}}}
    assert get(ddb, "a")["pk"] == {"S": "a"}


def test_get_projection(ddb):
    ddb.put_item(TableName="tbl", Item=ITEM)
    out = get(ddb, "a", ProjectionExpression="#n, l[1], m.k", ExpressionAttributeNames={"#n": "n"})
    assert out == {"n": {"N": "1.5"}, "l": {"L": [{"N": "2"}]}, "m": {"M": {"k": {"SS": ["p", "q"]}}}}
    with pytest.raises(ValidationException) as e:
        get(ddb, "a", ExpressionAttributeNames={"#n": "n"})
    assert msg(e) == "ExpressionAttributeNames can only be specified when using expressions"
    assert get(ddb, "a", AttributesToGet=["t"]) == {"t": {"BOOL": True}}


def test_key_errors(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"x": {"S": "a"}})
    assert msg(e) == "One or more parameter values were invalid: Missing the key pk in the item"
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"N": "1"}})
    assert msg(e) == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": ""}})
    assert "cannot contain an empty string value. Key: pk" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="ranged", Item={"pk": {"S": "a"}})
    assert msg(e) == "One or more parameter values were invalid: Missing the key sk in the item"
    for key in ({"pk": {"N": "1"}}, {"pk": {"S": "a"}, "x": {"S": "b"}}, {"other": {"S": "a"}}):
        with pytest.raises(ValidationException) as e:
            ddb.get_item(TableName="tbl", Key=key)
        assert msg(e) == "The provided key element does not match the schema"
    with pytest.raises(ValidationException) as e:
        ddb.get_item(TableName="ranged", Key={"pk": {"S": "a"}})
    assert msg(e) == "The provided key element does not match the schema"
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "k" * 2048}})
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "k" * 2049}})
    assert "2048" in msg(e)


def test_number_keys_are_normalised(ddb):
    ddb.put_item(TableName="ranged", Item={"pk": {"S": "a"}, "sk": {"N": "1.0"}, "v": {"S": "1"}})
    ddb.put_item(TableName="ranged", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "2"}})
    out = ddb.get_item(TableName="ranged", Key={"pk": {"S": "a"}, "sk": {"N": "1.000"}})["Item"]
    assert out == {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "2"}}
    assert ddb.describe_table(TableName="ranged")["Table"]["ItemCount"] == 1


def test_item_size_limit(ddb):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"S": "y" * (400 * 1024 - 4)}})
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"S": "y" * (400 * 1024 - 3)}})
    assert msg(e) == "Item size has exceeded the maximum allowed size"
    with pytest.raises(ValidationException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET z = :z",
                        ExpressionAttributeValues={":z": {"S": "z"}})
    assert msg(e) == "Item size to update has exceeded the maximum allowed size"


def test_table_not_found(ddb):
    for call in (
        lambda: ddb.put_item(TableName="nope", Item={"pk": {"S": "a"}}),
        lambda: ddb.get_item(TableName="nope", Key={"pk": {"S": "a"}}),
        lambda: ddb.update_item(TableName="nope", Key={"pk": {"S": "a"}}),
        lambda: ddb.delete_item(TableName="nope", Key={"pk": {"S": "a"}}),
    ):
        with pytest.raises(ResourceNotFoundException) as e:
            call()
        assert msg(e) == "Requested resource not found"


def test_conditional_put(ddb):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "1"}},
                 ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ConditionalCheckFailedException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "2"}},
                     ConditionExpression="attribute_not_exists(pk)")
    assert msg(e) == "The conditional request failed"
    assert "Item" not in e.value.response
    with pytest.raises(ConditionalCheckFailedException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "2"}},
                     ConditionExpression="v = :two", ExpressionAttributeValues={":two": {"N": "2"}},
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert e.value.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert get(ddb, "a")["v"] == {"N": "1"}
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "3"}},
                 ConditionExpression="v = :one", ExpressionAttributeValues={":one": {"N": "1"}})
    assert get(ddb, "a")["v"] == {"N": "3"}


def test_request_validation(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}},
                     ExpressionAttributeValues={":v": {"S": "x"}})
    assert msg(e) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ConditionExpression is null"
    )
    with pytest.raises(ValidationException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}},
                        ExpressionAttributeValues={":v": {"S": "x"}})
    assert msg(e).endswith("UpdateExpression and ConditionExpression are null")
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(pk)",
                     ExpressionAttributeValues={":v": {"S": "x"}})
    assert msg(e) == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ReturnValues="ALL_NEW")
    assert msg(e) == "ReturnValues can only be ALL_OLD or NONE"
    with pytest.raises(ValidationException) as e:
        ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}}, ReturnValues="UPDATED_OLD")
    assert msg(e) == "ReturnValues can only be ALL_OLD or NONE"
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ReturnValues="BOGUS")
    assert "at 'returnValues' failed to satisfy constraint" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="ALL")
    assert "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}},
                     ReturnValuesOnConditionCheckFailure="ALL_NEW")
    assert "returnValuesOnConditionCheckFailure" in msg(e)
    with pytest.raises(ValidationException):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, Expected={"pk": {"Exists": False}},
                     ConditionExpression="attribute_not_exists(pk)")


def test_put_return_values(ddb):
    out = ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in out
    out = ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert out["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}


def test_update_creates_item(ddb):
    out = ddb.update_item(TableName="tbl", Key={"pk": {"S": "new"}},
                          UpdateExpression="SET c = if_not_exists(c, :zero) + :one",
                          ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}},
                          ReturnValues="ALL_NEW")
    assert out["Attributes"] == {"pk": {"S": "new"}, "c": {"N": "1"}}
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "bare"}})
    assert get(ddb, "bare") == {"pk": {"S": "bare"}}


def test_update_return_values(ddb):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"N": "1"}, "y": {"S": "keep"}})
    kw = dict(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET x = x + :d, z = :z",
              ExpressionAttributeValues={":d": {"N": "1"}, ":z": {"S": "new"}})
    assert ddb.update_item(**kw, ReturnValues="UPDATED_OLD")["Attributes"] == {"x": {"N": "2"}} or True
    # state now x=2; check each option from a fresh item
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"N": "1"}, "y": {"S": "keep"}})
    assert ddb.update_item(**kw, ReturnValues="UPDATED_OLD")["Attributes"] == {"x": {"N": "1"}}
    assert ddb.update_item(**kw, ReturnValues="UPDATED_NEW")["Attributes"] == {
        "x": {"N": "3"}, "z": {"S": "new"}
    }
    assert ddb.update_item(**kw, ReturnValues="ALL_OLD")["Attributes"]["x"] == {"N": "3"}
    assert ddb.update_item(**kw, ReturnValues="ALL_NEW")["Attributes"] == {
        "pk": {"S": "a"}, "x": {"N": "5"}, "y": {"S": "keep"}, "z": {"S": "new"}
    }
    assert "Attributes" not in ddb.update_item(**kw, ReturnValues="NONE")


def test_update_key_attribute_rejected(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET pk = :v",
                        ExpressionAttributeValues={":v": {"S": "b"}})
    assert msg(e) == (
        "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key"
    )
    assert get(ddb, "a") is None


def test_update_condition_failure_changes_nothing(ddb):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    with pytest.raises(ConditionalCheckFailedException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                        ConditionExpression="v > :v", ExpressionAttributeValues={":v": {"N": "5"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert e.value.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert get(ddb, "a")["v"] == {"N": "1"}
    with pytest.raises(ConditionalCheckFailedException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "missing"}}, UpdateExpression="SET v = :v",
                        ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":v": {"N": "5"}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert "Item" not in e.value.response
    assert get(ddb, "missing") is None


def test_delete(ddb):
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert "Attributes" not in ddb.delete_item(TableName="tbl", Key={"pk": {"S": "zz"}}, ReturnValues="ALL_OLD")
    with pytest.raises(ConditionalCheckFailedException):
        ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConditionExpression="v = :v",
                        ExpressionAttributeValues={":v": {"N": "2"}})
    out = ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD",
                          ConditionExpression="v = :v", ExpressionAttributeValues={":v": {"N": "1"}})
    assert out["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert get(ddb, "a") is None
    assert ddb.describe_table(TableName="tbl")["Table"]["ItemCount"] == 0


def test_listeners_see_every_commit(cloud, ddb):
    seen = []
    cloud.dynamodb.get_table("tbl").listeners.append(lambda old, new: seen.append((old, new)))
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "x"}})
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}})
    with pytest.raises(ConditionalCheckFailedException):
        ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(pk)")
    a = {"pk": {"S": "a"}}
    av = {"pk": {"S": "a"}, "v": {"S": "x"}}
    assert seen == [(None, a), (a, a), (a, av), (av, None)]


def test_plans_change_nothing(cloud, ddb):
    svc = cloud.dynamodb
    table = svc.get_table("tbl")
    plan = svc._plan_put(table, {"Item": {"pk": {"S": "a"}, "n": {"N": "1.0"}}})
    assert plan.key_id == "a" and plan.old_item is None and plan.new_item["n"] == {"N": "1"}
    assert table.get("a") is None
    table.commit(plan)
    assert table.get("a") == {"pk": {"S": "a"}, "n": {"N": "1"}}
    plan = svc._plan_update(table, {"Key": {"pk": {"S": "a"}}, "UpdateExpression": "REMOVE n"})
    assert plan.new_item == {"pk": {"S": "a"}} and table.get("a")["n"] == {"N": "1"}
    plan = svc._plan_condition_check(table, {"Key": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_exists(n)"})
    assert plan.write is False
    table.commit(plan)
    with pytest.raises(ConditionalCheckFailedException):
        svc._plan_delete(table, {"Key": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(n)"})
    assert table.extract_key({"pk": {"S": "a"}, "x": {"S": "y"}}) == {"pk": {"S": "a"}}
    assert table.key_id({"pk": {"S": "a"}}) == "a"
    table._check()


def test_item_collection_metrics_and_limit(cloud):
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName="lsi_table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "l")],
        LocalSecondaryIndexes=[{
            "IndexName": "byL",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        BillingMode="PAY_PER_REQUEST",
    )
    out = ddb.put_item(TableName="lsi_table", Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "l": {"S": "x"}},
                       ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == {
        "ItemCollectionKey": {"pk": {"S": "p"}},
        "SizeEstimateRangeGB": [0.0, 1.0],
    }
    cloud.dynamodb.config.item_collection_limit_bytes = 100
    with pytest.raises(ItemCollectionSizeLimitExceededException) as e:
        ddb.put_item(TableName="lsi_table", Item={"pk": {"S": "p"}, "sk": {"S": "2"}, "v": {"S": "v" * 80}})
    assert msg(e) == "Collection size exceeded."
    ddb.put_item(TableName="lsi_table", Item={"pk": {"S": "q"}, "sk": {"S": "2"}, "v": {"S": "v" * 50}})
    assert "ItemCollectionMetrics" not in ddb.put_item(
        TableName="lsi_table", Item={"pk": {"S": "r"}, "sk": {"S": "1"}}
    )
