"""Capacity units: AWS's rounding rules and the ConsumedCapacity shapes."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb import capacity
from serverless_sim.dynamodb.errors import ValidationException

KB = 1024


def test_unit_arithmetic():
    assert capacity.read_units(0, True) == 1.0
    assert capacity.read_units(0, False) == 0.5
    assert capacity.read_units(4096, True) == 1.0
    assert capacity.read_units(4097, True) == 2.0
    assert capacity.read_units(40_800, False) == 5.0  # 10 items of 4.08 KB -> 44 KB -> 11 / 2
    assert capacity.read_units(5000, True, transactional=True) == 4.0
    assert capacity.write_units(0) == 1.0
    assert capacity.write_units(1024) == 1.0
    assert capacity.write_units(1025) == 2.0
    assert capacity.write_units(1025, transactional=True) == 4.0


@pytest.fixture
def ddb():
    client = Cloud().client("dynamodb")
    client.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("p", "c", "x")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                                                   {"AttributeName": "x", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def item(c="c", **extra):
    out = {"p": {"S": "p"}, "c": {"S": c}}
    out.update({k: {"S": v} for k, v in extra.items()})
    return out


def test_item_write_sizes(ddb):
    # p + c + "att" + value: exactly 1 KB costs 1, one byte more costs 2.
    val = "a" * (KB - len("pp") - len("cc") - len("att"))
    assert ddb.put_item(TableName="tbl", Item=item(att=val), ReturnConsumedCapacity="TOTAL")[
        "ConsumedCapacity"] == {"TableName": "tbl", "CapacityUnits": 1.0}
    out = ddb.put_item(TableName="tbl", Item=item(att=val + "a"), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    # a small put over a large item costs the larger (old) size
    out = ddb.put_item(TableName="tbl", Item=item(att="a"), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 2.0
    out = ddb.delete_item(TableName="tbl", Key=item(), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    out = ddb.delete_item(TableName="tbl", Key=item(), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0  # missing item still costs 1


def test_get_item_units(ddb):
    ddb.put_item(TableName="tbl", Item=item(att="a" * 5000))
    out = ddb.get_item(TableName="tbl", Key=item(), ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert out["ConsumedCapacity"] == {"TableName": "tbl", "CapacityUnits": 2.0}
    out = ddb.get_item(TableName="tbl", Key=item(), ReturnConsumedCapacity="TOTAL",
                       ProjectionExpression="p")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0  # projection does not lower cost
    out = ddb.get_item(TableName="tbl", Key=item("zz"), ReturnConsumedCapacity="INDEXES")
    assert out["ConsumedCapacity"] == {"TableName": "tbl", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}
    with pytest.raises(ValidationException):
        ddb.get_item(TableName="tbl", Key=item(), ReturnConsumedCapacity="DUMMY")


def test_index_write_amplification(ddb):
    out = ddb.put_item(TableName="tbl", Item=item(x="1"), ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out == {
        "TableName": "tbl", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.0}},
        "LocalSecondaryIndexes": {"lsi": {"CapacityUnits": 1.0}},
    }
    # the index key changes: delete + put in each index
    out = ddb.put_item(TableName="tbl", Item=item(x="2"), ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out["GlobalSecondaryIndexes"]["gsi"]["CapacityUnits"] == 2.0
    assert out["CapacityUnits"] == 5.0
    # nothing projected changed: no index writes
    out = ddb.put_item(TableName="tbl", Item=item(x="2"), ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out == {"TableName": "tbl", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    # an item leaving the indexes: one delete each
    out = ddb.update_item(TableName="tbl", Key=item(), UpdateExpression="REMOVE x",
                          ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert out["CapacityUnits"] == 3.0
    # TOTAL reports the sum without the breakdown
    out = ddb.put_item(TableName="tbl", Item=item(x="3"), ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert out == {"TableName": "tbl", "CapacityUnits": 3.0}


def test_query_and_scan_units(ddb):
    for i in range(10):
        ddb.put_item(TableName="tbl", Item=item(str(i), d="z" * 4000, x="k"))
    out = ddb.query(TableName="tbl", KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                    ReturnConsumedCapacity="TOTAL", ConsistentRead=True, Select="COUNT")
    size = 10 * (len("p") + 1 + len("c") + 1 + len("d") + 4000 + len("x") + 1)
    assert out["ConsumedCapacity"]["CapacityUnits"] == float(-(-size // 4096))
    out = ddb.query(TableName="tbl", IndexName="gsi", KeyConditionExpression="x = :x",
                    ExpressionAttributeValues={":x": {"S": "k"}}, ReturnConsumedCapacity="INDEXES", Limit=1)
    assert out["ConsumedCapacity"] == {"TableName": "tbl", "CapacityUnits": 0.5,
                                       "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 0.5}}}
    out = ddb.scan(TableName="tbl", ReturnConsumedCapacity="TOTAL", FilterExpression="d = :n",
                   ExpressionAttributeValues={":n": {"S": "nothing"}})
    assert out["Count"] == 0 and out["ConsumedCapacity"]["CapacityUnits"] == float(-(-size // 4096)) / 2
