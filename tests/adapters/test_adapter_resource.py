"""The DynamoDB resource layer: boto3's type conventions, condition builders, Table, batch writer."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest

from serverless_sim import Cloud
from serverless_sim.adapters.conditions import Attr, ConditionError, ExpressionBuilder, Key
from serverless_sim.adapters.dynamodb_types import Binary, TypeDeserializer, TypeSerializer, deserialize, serialize
from serverless_sim.adapters.resource import resource

SAMPLES = [
    None, True, False, 0, -7, Decimal("1.5"), Decimal("1e-130"), "", "text", b"\x00\x01", bytearray(b"ab"),
    Binary(b"xy"), {1, 2}, {Decimal("0.5")}, {"a", "b"}, {b"a", Binary(b"b")}, [1, "a", None],
    (1, 2), {"m": {"n": [True, {"x": b"1"}]}},
]


def test_serialize_table():
    assert serialize(None) == {"NULL": True}
    assert serialize(True) == {"BOOL": True}
    assert serialize(3) == {"N": "3"}
    assert serialize(Decimal("1.50")) == {"N": "1.50"}
    assert serialize("s") == {"S": "s"}
    assert serialize(b"b") == {"B": b"b"}
    assert serialize(Binary(b"b")) == {"B": b"b"}
    assert sorted(serialize({2, 1})["NS"]) == ["1", "2"]
    assert serialize([1, "a"]) == {"L": [{"N": "1"}, {"S": "a"}]}
    assert serialize({"k": [None]}) == {"M": {"k": {"L": [{"NULL": True}]}}}


def test_serialize_refusals():
    with pytest.raises(TypeError, match="Float types are not supported"):
        serialize(1.5)
    with pytest.raises(decimal.Inexact):
        serialize(Decimal("1." + "1" * 40))
    with pytest.raises(TypeError, match="Unsupported type"):
        serialize(object())
    with pytest.raises(TypeError):
        serialize({1, "a"})


def test_round_trip():
    for value in SAMPLES:
        back = deserialize(serialize(value))
        if isinstance(value, (bytes, bytearray)):
            assert back == Binary(bytes(value))
        elif isinstance(value, tuple):
            assert back == [Decimal(v) for v in value]
        elif isinstance(value, int) and not isinstance(value, bool):
            assert back == Decimal(value) and isinstance(back, Decimal)
        else:
            assert back == value
    assert TypeDeserializer().deserialize(TypeSerializer().serialize({"n": 1})) == {"n": Decimal(1)}


def _plain(value):
    """Binary wrappers (ours or boto3's) -> bytes, sets -> sorted lists, recursively."""
    if hasattr(value, "value") and type(value).__name__ == "Binary":
        return bytes(value.value)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_matches_boto3_type_conventions():
    types = pytest.importorskip("boto3.dynamodb.types")
    for value in SAMPLES:
        if "Binary(" in repr(value):
            continue
        ours, theirs = serialize(value), types.TypeSerializer().serialize(value)
        assert _plain(ours) == _plain(theirs), value
        back_ours, back_theirs = deserialize(theirs), types.TypeDeserializer().deserialize(theirs)
        assert type(back_ours).__name__ == type(back_theirs).__name__
        assert _plain(back_ours) == _plain(back_theirs), value


def test_condition_builder():
    b = ExpressionBuilder()
    text = b.build(Key("pk").eq("a") & Key("sk").between(1, 5), key_condition=True)
    assert text == "(#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2)"
    assert b.names == {"#n0": "pk", "#n1": "sk"} and b.values == {":v0": "a", ":v1": 1, ":v2": 5}
    b = ExpressionBuilder()
    text = b.build(~(Attr("a.b[2]").exists() | Attr("c").is_in([1, 2])) & Attr("d").size().gt(3))
    assert text == "((NOT (attribute_exists(#n0.#n1[2]) OR #n2 IN (:v0, :v1))) AND size(#n3) > :v2)"
    assert b.names == {"#n0": "a", "#n1": "b", "#n2": "c", "#n3": "d"}
    with pytest.raises(ConditionError):
        ExpressionBuilder().build(Key("pk").eq(1) | Key("pk").eq(2), key_condition=True)
    with pytest.raises(ConditionError):
        ExpressionBuilder().build(Attr("pk").eq(1), key_condition=True)
    assert Attr("x").eq(1) == Attr("x").eq(1)


def test_accepts_boto3_conditions():
    conditions = pytest.importorskip("boto3.dynamodb.conditions")
    b = ExpressionBuilder()
    text = b.build(conditions.Key("pk").eq("a") & conditions.Key("sk").begins_with("x"), key_condition=True)
    assert text == "(#n0 = :v0 AND begins_with(#n1, :v1))"
    b = ExpressionBuilder()
    assert b.build(conditions.Attr("tags").size().lte(2) | conditions.Attr("t").attribute_type("S")) == \
        "(size(#n0) <= :v0 OR attribute_type(#n1, :v1))"


@pytest.fixture
def table():
    ddb = resource(Cloud(), "dynamodb")
    t = ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST",
    )
    t.wait_until_exists()
    return t


def test_table_crud(table):
    assert table.table_status == "ACTIVE" and table.key_schema[0]["AttributeName"] == "pk"
    item = {"pk": "a", "sk": 1, "price": Decimal("9.99"), "tags": {"x", "y"}, "blob": b"\x00", "nested": {"l": [1, None]}}
    table.put_item(Item=item)
    got = table.get_item(Key={"pk": "a", "sk": 1})["Item"]
    assert got == {**item, "sk": Decimal(1), "blob": Binary(b"\x00"), "nested": {"l": [Decimal(1), None]}}
    out = table.update_item(Key={"pk": "a", "sk": 1}, UpdateExpression="SET price = price + :d",
                            ExpressionAttributeValues={":d": Decimal("0.01")}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"price": Decimal("10.00")}
    err = table.meta.client.exceptions.ConditionalCheckFailedException
    with pytest.raises(err):
        table.put_item(Item={"pk": "a", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    table.delete_item(Key={"pk": "a", "sk": 1}, ConditionExpression=Attr("price").gt(9))
    assert "Item" not in table.get_item(Key={"pk": "a", "sk": 1})


def test_query_scan_and_batch_writer(table):
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for i in range(60):
            batch.put_item(Item={"pk": "p" if i % 2 else "q", "sk": i, "n": i})
        batch.put_item(Item={"pk": "p", "sk": 1, "n": -1})  # overwrites within the buffer
        batch.delete_item(Key={"pk": "q", "sk": 0})
    out = table.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").lt(10),
                      FilterExpression=Attr("n").gte(0))
    assert [i["sk"] for i in out["Items"]] == [3, 5, 7, 9]
    scan = table.scan(FilterExpression=Attr("pk").eq("q"), Limit=100)
    assert scan["Count"] == 29
    page = table.query(KeyConditionExpression=Key("pk").eq("p"), Limit=2)
    assert page["LastEvaluatedKey"] == {"pk": "p", "sk": Decimal(3)}
    nxt = table.query(KeyConditionExpression=Key("pk").eq("p"), Limit=2, ExclusiveStartKey=page["LastEvaluatedKey"])
    assert [i["sk"] for i in nxt["Items"]] == [5, 7]
    assert table.item_count is not None


def test_resource_collection_and_batch_get(table):
    ddb = table._resource
    table.put_item(Item={"pk": "a", "sk": 1})
    assert [t.name for t in ddb.tables.all()] == ["orders"]
    out = ddb.batch_get_item(RequestItems={"orders": {"Keys": [{"pk": "a", "sk": 1}, {"pk": "b", "sk": 2}]}})
    assert out["Responses"]["orders"] == [{"pk": "a", "sk": Decimal(1)}]
    table.delete()
    table.wait_until_not_exists()
    assert list(ddb.tables.all()) == []
