"""Multi-attribute GSI keys (Nov 2025): up to 4 HASH and 4 RANGE attributes per GSI key.

Rules (API:KeySchemaElement, DG:GSI; ScyllaDB Alternator's test_gsi_composite_keys.py, run
against DynamoDB): HASH entries precede RANGE entries; a Query needs equality on every HASH
attribute and conditions on a prefix of the RANGE attributes, equalities but the last; an item
missing any key attribute is not indexed; FilterExpression may not use the index's keys.
"""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ValidationException


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def msg(excinfo) -> str:
    return excinfo.value.response["Error"]["Message"]


def create(client, key_schema, defs, name="tbl"):
    return client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}]
        + [{"AttributeName": n, "AttributeType": t} for n, t in defs],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi", "KeySchema": key_schema, "Projection": {"ProjectionType": "ALL"}}
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def ks(*entries):
    return [{"AttributeName": n, "KeyType": t} for n, t in entries]


@pytest.fixture
def ddb():
    client = Cloud(seed=7).client("dynamodb")
    create(
        client,
        ks(("h1", "HASH"), ("h2", "HASH"), ("r1", "RANGE"), ("r2", "RANGE")),
        [("h1", "S"), ("h2", "N"), ("r1", "N"), ("r2", "S")],
    )
    n = 0
    for r1 in (1, 2, 3):
        for r2 in ("a", "b", "c"):
            client.put_item(TableName="tbl", Item={
                "p": S(f"p{n}"), "h1": S("x"), "h2": N(7), "r1": N(r1), "r2": S(r2), "v": N(n)})
            n += 1
    client.put_item(TableName="tbl", Item={"p": S("other"), "h1": S("x"), "h2": N(8), "r1": N(1), "r2": S("a")})
    client.put_item(TableName="tbl", Item={"p": S("sparse"), "h1": S("x"), "h2": N(7), "r1": N(1)})
    return client


def q(ddb, kce, values, **kw):
    out = ddb.query(TableName="tbl", IndexName="gsi", KeyConditionExpression=kce,
                    ExpressionAttributeValues=values, **kw)
    return [(int(i["r1"]["N"]), i["r2"]["S"]) for i in out["Items"]]


H = {":h1": S("x"), ":h2": N(7)}
HK = "h1 = :h1 AND h2 = :h2"


def test_describe_lists_every_key_attribute(ddb):
    gsi = ddb.describe_table(TableName="tbl")["Table"]["GlobalSecondaryIndexes"][0]
    assert [k["AttributeName"] for k in gsi["KeySchema"]] == ["h1", "h2", "r1", "r2"]
    assert [k["KeyType"] for k in gsi["KeySchema"]] == ["HASH", "HASH", "RANGE", "RANGE"]


def test_query_orders_by_range_attributes_in_key_schema_order(ddb):
    everything = [(r1, r2) for r1 in (1, 2, 3) for r2 in "abc"]
    assert q(ddb, HK, H) == everything  # the sparse item (no r2) is not indexed
    assert q(ddb, HK, H, ScanIndexForward=False) == everything[::-1]
    assert q(ddb, f"{HK} AND r1 = :a", {**H, ":a": N(2)}) == [(2, "a"), (2, "b"), (2, "c")]
    assert q(ddb, f"r2 > :b AND {HK} AND r1 = :a", {**H, ":a": N(2), ":b": S("a")}) == [(2, "b"), (2, "c")]
    assert q(ddb, f"{HK} AND r1 BETWEEN :a AND :b", {**H, ":a": N(2), ":b": N(3)}) == everything[3:]
    assert q(ddb, f"{HK} AND r1 = :a AND begins_with(r2, :b)", {**H, ":a": N(1), ":b": S("b")}) == [(1, "b")]
    assert q(ddb, f"{HK} AND r1 < :a", {**H, ":a": N(2)}) == everything[:3]


def test_query_pages_with_exclusive_start_key(ddb):
    seen, start = [], None
    while True:
        kw = {"Limit": 4}
        if start:
            kw["ExclusiveStartKey"] = start
        out = ddb.query(TableName="tbl", IndexName="gsi", KeyConditionExpression=HK,
                        ExpressionAttributeValues=H, **kw)
        seen += [i["v"]["N"] for i in out["Items"]]
        start = out.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"p", "h1", "h2", "r1", "r2"}
    assert seen == [str(n) for n in range(9)]


def test_query_validation(ddb):
    with pytest.raises(ValidationException) as e:
        q(ddb, "h1 = :h1", {":h1": S("x")})
    assert "HASH" in msg(e) and "equality" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, "h1 = :h1 AND h2 > :h2", H)
    assert "HASH" in msg(e) and "equality" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, f"{HK} AND r2 = :b", {**H, ":b": S("a")})
    assert "RANGE" in msg(e) and "equality" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, f"{HK} AND r1 > :a AND r2 = :b", {**H, ":a": N(1), ":b": S("a")})
    assert "RANGE" in msg(e) and "equality" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, HK, {":h1": N(1), ":h2": N(7)})
    assert "type" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, HK, {**H, ":b": S("a")}, FilterExpression="r2 = :b")
    assert "Filter Expression can only contain non-primary key attributes" in msg(e)


def test_writes_maintain_the_index(ddb):
    ddb.update_item(TableName="tbl", Key={"p": S("p0")}, UpdateExpression="SET h2 = :n",
                    ExpressionAttributeValues={":n": N(8)})
    assert q(ddb, HK, {":h1": S("x"), ":h2": N(8)}) == [(1, "a"), (1, "a")]
    ddb.delete_item(TableName="tbl", Key={"p": S("other")})
    assert q(ddb, HK, {":h1": S("x"), ":h2": N(8)}) == [(1, "a")]
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"p": S("bad"), "h1": S("x"), "h2": S("seven")})
    assert "Type mismatch for Index Key h2" in msg(e)
    out = ddb.scan(TableName="tbl", IndexName="gsi")
    assert out["Count"] == 9  # p0..p8 (p0 moved to h2=8); "other" deleted; "sparse" lacks r2
    table = ddb._sim.get_table("tbl") if hasattr(ddb, "_sim") else None
    if table is not None:
        table.gsis["gsi"].store._check()


def test_create_table_key_schema_errors():
    client = Cloud(seed=1).client("dynamodb")
    defs = [(n, "S") for n in ("a", "b", "c", "d", "e")]
    cases = [
        (ks(*[(n, "HASH") for n in "abcde"]),
         "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes"),
        (ks(("a", "HASH"), ("b", "RANGE"), ("c", "HASH")),
         "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema"),
        (ks(("a", "HASH"), ("a", "HASH")), "The KeySchema contains multiple key attributes with the same name"),
    ]
    for schema, text in cases:
        with pytest.raises(ValidationException) as e:
            create(client, schema, defs)
        assert msg(e) == text


def test_backfill_by_update_table_skips_unindexable_items():
    client = Cloud(seed=2).client("dynamodb")
    client.create_table(
        TableName="tbl", KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName="tbl", Item={"p": S("1"), "a": S("x"), "b": S("y")})
    client.put_item(TableName="tbl", Item={"p": S("2"), "a": S("x"), "b": S("z" * 1100)})
    client.put_item(TableName="tbl", Item={"p": S("3"), "a": S("x")})
    client.update_table(
        TableName="tbl",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("a", "p", "b")],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "gsi", "KeySchema": ks(("a", "HASH"), ("p", "HASH"), ("b", "RANGE")),
            "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
    out = client.scan(TableName="tbl", IndexName="gsi")
    assert out["Items"] == [{"p": S("1"), "a": S("x"), "b": S("y")}]
