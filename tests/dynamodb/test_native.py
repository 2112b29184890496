"""The Pythonic API: plain values in and out over the same engine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from serverless_sim import Cloud, SimError
from serverless_sim.dynamodb.errors import ConditionalCheckFailedException, ResourceNotFoundException
from serverless_sim.dynamodb.native import from_av, to_av


def test_value_conversion_roundtrip():
    value = {"s": "x", "i": 3, "d": Decimal("1.25"), "b": b"\x01", "t": True, "n": None,
             "l": [1, "a"], "m": {"k": [{"z": 0}]}, "ss": {"a", "b"}, "ns": {1, 2}, "bs": {b"q"}}
    assert from_av(to_av(value)) == value
    assert to_av(5) == {"N": "5"} and to_av(True) == {"BOOL": True}
    with pytest.raises(TypeError):
        to_av(1.5)
    with pytest.raises(SimError):
        to_av(set())


@pytest.fixture
def orders():
    cloud = Cloud()
    return cloud.dynamodb.create_table(
        "orders", hash_key=("pk", "S"), range_key=("sk", "N"),
        gsis=[{"name": "byStatus", "hash_key": ("status", "S"), "range_key": ("sk", "N")}],
    )


def test_put_get_update_delete(orders):
    orders.put({"pk": "a", "sk": 1, "tags": {"x"}, "total": Decimal("9.50")})
    assert orders.get("a", 1) == {"pk": "a", "sk": 1, "tags": {"x"}, "total": Decimal("9.5")}
    assert orders.get({"pk": "a", "sk": 1})["pk"] == "a"
    assert orders.get("a", 2) is None
    new = orders.update(("a", 1), set={"status": "paid"}, add={"visits": 1, "tags": {"y"}})
    assert new["status"] == "paid" and new["visits"] == 1 and new["tags"] == {"x", "y"}
    new = orders.update("a", 1, expression="SET visits = visits + :n", values={":n": 2}, remove=["total"])
    assert new["visits"] == 3 and "total" not in new
    with pytest.raises(ConditionalCheckFailedException):
        orders.put({"pk": "a", "sk": 1}, condition="attribute_not_exists(pk)")
    assert orders.get("a", 1, projection="visits") == {"visits": 3}
    assert orders.delete("a", 1)["visits"] == 3
    assert orders.delete("a", 1) is None
    assert orders.count() == 0


def test_query_scan(orders):
    for i in range(6):
        orders.put({"pk": "a", "sk": i, "status": "paid" if i % 2 else "open"})
    orders.put({"pk": "b", "sk": 1})
    assert [i["sk"] for i in orders.query("a")] == list(range(6))
    assert [i["sk"] for i in orders.query("a", sk=3)] == [3]
    assert [i["sk"] for i in orders.query("a", sk=(">", 3))] == [4, 5]
    assert [i["sk"] for i in orders.query("a", sk=("between", 1, 3), forward=False)] == [3, 2, 1]
    assert [i["sk"] for i in orders.query("a", filter="#s = :s", names={"#s": "status"},
                                          values={":s": "open"})] == [0, 2, 4]
    assert [i["sk"] for i in orders.query("paid", index="byStatus")] == [1, 3, 5]
    assert len(orders.query("a", limit=2)) == 2
    assert len(orders.scan()) == 7
    assert len(orders.scan(index="byStatus")) == 6
    parts = [orders.scan(segment=s, total_segments=3) for s in range(3)]
    assert sum(len(p) for p in parts) == 7
    assert orders.describe()["ItemCount"] == 7


def test_table_handles(orders):
    svc = orders._svc
    assert svc.table("orders").name == "orders"
    with pytest.raises(ResourceNotFoundException):
        svc.table("missing")
    assert svc.table_names() == ["orders"]
    svc.delete_table("orders")
    assert svc.table_names() == []


def test_wire_create_table_through_same_method():
    svc = Cloud().dynamodb
    out = svc.create_table({
        "TableName": "wire", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    assert out["TableDescription"]["TableName"] == "wire"
    svc.put_item({"TableName": "wire", "Item": {"id": {"S": "x"}}})
    assert svc.get_item({"TableName": "wire", "Key": {"id": {"S": "x"}}}) == {"Item": {"id": {"S": "x"}}}
    assert svc.delete_table({"TableName": "wire"})["TableDescription"]["TableStatus"] == "DELETING"
