"""Global and local secondary indexes: projections, sparseness, non-unique keys, reads, writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ValidationException


def msg(excinfo):
    return excinfo.value.response["Error"]["Message"]


def make(seed=0):
    cloud = Cloud(seed=seed)
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "gs", "AttributeType": "N"},
            {"AttributeName": "l", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {"IndexName": "all", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "gs", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "incl", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return cloud, ddb


def put(ddb, pk, sk, **attrs):
    item = {"pk": {"S": pk}, "sk": {"S": sk}}
    for k, v in attrs.items():
        item[k] = {"N": str(v)} if isinstance(v, int) else {"S": v}
    ddb.put_item(TableName="tbl", Item=item)


def iq(ddb, index, kce="g = :g", values=None, **kw):
    vals = {":g": {"S": "G"}}
    vals.update(values or {})
    return ddb.query(TableName="tbl", IndexName=index, KeyConditionExpression=kce,
                     ExpressionAttributeValues=vals, **kw)


@pytest.fixture
def ddb():
    cloud, client = make()
    put(client, "p1", "s1", g="G", gs=3, a="a1", b="b1", l=5)
    put(client, "p2", "s1", g="G", gs=1, a="a2", b="b2")
    put(client, "p1", "s2", g="G", gs=3, b="b3", l=1)
    put(client, "p3", "s1", b="sparse")  # in no GSI
    client._cloud = cloud
    return client


def test_projections(ddb):
    assert iq(ddb, "all")["Items"] == [
        {"pk": {"S": "p2"}, "sk": {"S": "s1"}, "g": {"S": "G"}, "gs": {"N": "1"}, "a": {"S": "a2"}, "b": {"S": "b2"}},
        {"pk": {"S": "p1"}, "sk": {"S": "s1"}, "g": {"S": "G"}, "gs": {"N": "3"}, "a": {"S": "a1"}, "b": {"S": "b1"}, "l": {"N": "5"}},
        {"pk": {"S": "p1"}, "sk": {"S": "s2"}, "g": {"S": "G"}, "gs": {"N": "3"}, "b": {"S": "b3"}, "l": {"N": "1"}},
    ]
    assert iq(ddb, "keys")["Items"] == [
        {"pk": {"S": "p1"}, "sk": {"S": "s1"}, "g": {"S": "G"}},
        {"pk": {"S": "p1"}, "sk": {"S": "s2"}, "g": {"S": "G"}},
        {"pk": {"S": "p2"}, "sk": {"S": "s1"}, "g": {"S": "G"}},
    ]
    assert [sorted(i) for i in iq(ddb, "incl")["Items"]] == [
        ["a", "g", "pk", "sk"], ["g", "pk", "sk"], ["a", "g", "pk", "sk"]
    ]


def test_index_range_conditions_and_pagination(ddb):
    out = iq(ddb, "all", "g = :g AND gs = :three", {":three": {"N": "3"}}, Limit=1)
    assert out["LastEvaluatedKey"] == {"pk": {"S": "p1"}, "sk": {"S": "s1"}, "g": {"S": "G"}, "gs": {"N": "3"}}
    out2 = iq(ddb, "all", "g = :g AND gs = :three", {":three": {"N": "3"}},
              ExclusiveStartKey=out["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in out2["Items"]] == ["s2"]
    out = iq(ddb, "all", ScanIndexForward=False)
    assert [(i["pk"]["S"], i["sk"]["S"]) for i in out["Items"]] == [("p1", "s2"), ("p1", "s1"), ("p2", "s1")]
    with pytest.raises(ValidationException) as e:
        iq(ddb, "all", ExclusiveStartKey={"pk": {"S": "p1"}, "sk": {"S": "s1"}})
    assert "starting key is invalid" in msg(e)


def test_index_scan_and_sparse(ddb):
    items = ddb.scan(TableName="tbl", IndexName="keys")["Items"]
    assert len(items) == 3
    assert ddb.scan(TableName="tbl", IndexName="byL")["Count"] == 2


def test_gsi_reads(ddb):
    with pytest.raises(ValidationException) as e:
        iq(ddb, "all", ConsistentRead=True)
    assert msg(e) == "Consistent reads are not supported on global secondary indexes"
    with pytest.raises(ValidationException) as e:
        iq(ddb, "keys", Select="ALL_ATTRIBUTES")
    assert "Select type ALL_ATTRIBUTES is not supported for global secondary index keys" in msg(e)
    assert iq(ddb, "all", Select="ALL_ATTRIBUTES")["Count"] == 3
    assert iq(ddb, "keys", Select="ALL_PROJECTED_ATTRIBUTES")["Count"] == 3
    with pytest.raises(ValidationException) as e:
        iq(ddb, "all", FilterExpression="gs > :z", values={":z": {"N": "0"}})
    assert msg(e).endswith("Primary key attribute: gs")
    assert iq(ddb, "all", FilterExpression="sk = :s", values={":s": {"S": "s2"}})["Count"] == 1


def test_lsi_fetches_from_table(ddb):
    out = ddb.query(TableName="tbl", IndexName="byL", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}}, ConsistentRead=True)
    assert [sorted(i) for i in out["Items"]] == [["l", "pk", "sk"], ["l", "pk", "sk"]]
    assert [i["l"]["N"] for i in out["Items"]] == ["1", "5"]
    out = ddb.query(TableName="tbl", IndexName="byL", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}}, Select="ALL_ATTRIBUTES",
                    ReturnConsumedCapacity="INDEXES")
    assert out["Items"][0]["b"] == {"S": "b3"}
    cc = out["ConsumedCapacity"]
    assert cc["LocalSecondaryIndexes"] == {"byL": {"CapacityUnits": 0.5}}
    assert cc["Table"] == {"CapacityUnits": 0.5} and cc["CapacityUnits"] == 1.0
    out = ddb.query(TableName="tbl", IndexName="byL", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "p1"}}, ProjectionExpression="b")
    assert out["Items"] == [{"b": {"S": "b3"}}, {"b": {"S": "b1"}}]


def test_index_maintenance_on_update_and_delete(ddb):
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "p1"}, "sk": {"S": "s1"}},
                    UpdateExpression="SET g = :h", ExpressionAttributeValues={":h": {"S": "H"}})
    assert iq(ddb, "keys")["Count"] == 2
    assert iq(ddb, "keys", values={":g": {"S": "H"}})["Count"] == 1
    ddb.update_item(TableName="tbl", Key={"pk": {"S": "p1"}, "sk": {"S": "s2"}}, UpdateExpression="REMOVE g")
    assert iq(ddb, "keys")["Count"] == 1
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "p2"}, "sk": {"S": "s1"}})
    assert iq(ddb, "keys")["Count"] == 0
    ddb._cloud.dynamodb.get_table("tbl")._check()
    desc = ddb.describe_table(TableName="tbl")["Table"]
    counts = {g["IndexName"]: g["ItemCount"] for g in desc["GlobalSecondaryIndexes"]}
    assert counts == {"all": 1, "keys": 1, "incl": 1}


def test_index_key_type_errors(ddb):
    with pytest.raises(ValidationException) as e:
        put(ddb, "p9", "s", g=5)
    assert msg(e) == (
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
        "Actual: N IndexName: all"
    )
    with pytest.raises(ValidationException) as e:
        put(ddb, "p9", "s", g="")
    assert "A value specified for a secondary index key is not supported" in msg(e)
    assert "IndexName: all, IndexKey: g" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.update_item(TableName="tbl", Key={"pk": {"S": "p1"}, "sk": {"S": "s1"}},
                        UpdateExpression="SET l = :s", ExpressionAttributeValues={":s": {"S": "x"}})
    assert "Type mismatch for Index Key l Expected: N Actual: S IndexName: byL" in msg(e)
    assert ddb.get_item(TableName="tbl", Key={"pk": {"S": "p9"}, "sk": {"S": "s"}}).get("Item") is None


def test_unknown_index(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", IndexName="zzz")
    assert msg(e) == "The table does not have the specified index: zzz"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from(["s1", "s2"]),
                          st.one_of(st.none(), st.sampled_from(["G", "H"])), st.integers(0, 3)),
                max_size=25))
def test_gsi_matches_reference(writes):
    cloud, ddb = make()
    model = {}
    for pk, sk, g, gs in writes:
        item = {"pk": {"S": pk}, "sk": {"S": sk}, "gs": {"N": str(gs)}}
        if g is not None:
            item["g"] = {"S": g}
        ddb.put_item(TableName="tbl", Item=item)
        model[(pk, sk)] = (g, gs)
    cloud.dynamodb.get_table("tbl")._check()
    for g in ("G", "H"):
        got = [(i["gs"]["N"], i["pk"]["S"], i["sk"]["S"]) for i in
               iq(ddb, "all", values={":g": {"S": g}})["Items"]]
        expected = sorted((str(v[1]), k[0], k[1]) for k, v in model.items() if v[0] == g)
        assert got == expected
