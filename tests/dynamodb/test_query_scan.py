"""Query and Scan: key conditions, order, filters, Select, Limit, pages, parallel scan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ValidationException


def make(sk_type="N", name="tbl", seed=0):
    cloud = Cloud(seed=seed)
    ddb = cloud.client("dynamodb")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sk_type},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return cloud, ddb


@pytest.fixture
def ddb():
    _, client = make()
    for i in range(10):
        client.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "v": {"N": str(i % 3)}})
    client.put_item(TableName="tbl", Item={"pk": {"S": "b"}, "sk": {"N": "1"}})
    return client


def msg(excinfo):
    return excinfo.value.response["Error"]["Message"]


def q(ddb, kce="pk = :p", values=None, **kw):
    vals = {":p": {"S": "a"}}
    vals.update(values or {})
    return ddb.query(TableName="tbl", KeyConditionExpression=kce, ExpressionAttributeValues=vals, **kw)


def sks(out):
    return [int(i["sk"]["N"]) for i in out["Items"]]


def test_query_conditions_and_order(ddb):
    assert sks(q(ddb)) == list(range(10))
    assert sks(q(ddb, ScanIndexForward=False)) == list(range(9, -1, -1))
    assert sks(q(ddb, "pk = :p AND sk = :s", {":s": {"N": "3"}})) == [3]
    assert sks(q(ddb, "pk = :p AND sk < :s", {":s": {"N": "3"}})) == [0, 1, 2]
    assert sks(q(ddb, "pk = :p AND sk <= :s", {":s": {"N": "3"}})) == [0, 1, 2, 3]
    assert sks(q(ddb, "pk = :p AND sk > :s", {":s": {"N": "7"}})) == [8, 9]
    assert sks(q(ddb, "pk = :p AND sk >= :s", {":s": {"N": "7"}})) == [7, 8, 9]
    assert sks(q(ddb, "pk = :p AND sk BETWEEN :a AND :b", {":a": {"N": "2"}, ":b": {"N": "4"}},
               ScanIndexForward=False)) == [4, 3, 2]
    assert sks(q(ddb, "pk = :p AND sk > :s", {":s": {"N": "2.5"}}, Limit=2)) == [3, 4]
    out = q(ddb, values={":p": {"S": "zz"}})
    assert out["Items"] == [] and out["Count"] == 0 and out["ScannedCount"] == 0


def test_numeric_string_and_binary_order():
    _, ddb = make("N")
    for n in ["-10", "-1.5", "0", "2", "10", "1E2"]:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "sk": {"N": n}})
    out = ddb.query(TableName="tbl", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert [i["sk"]["N"] for i in out["Items"]] == ["-10", "-1.5", "0", "2", "10", "100"]
    _, ddb = make("S")
    words = ["b", "a", "B", "ä", "aa", "\U0001f600", "\uffff"]
    for w in words:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "sk": {"S": w}})
    out = ddb.query(TableName="tbl", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert [i["sk"]["S"] for i in out["Items"]] == sorted(words, key=lambda s: s.encode("utf-8"))
    out = ddb.query(TableName="tbl", KeyConditionExpression="pk = :p AND begins_with(sk, :x)",
                    ExpressionAttributeValues={":p": {"S": "a"}, ":x": {"S": "a"}})
    assert [i["sk"]["S"] for i in out["Items"]] == ["a", "aa"]
    _, ddb = make("B")
    blobs = [b"\xff", b"\x00", b"\x7f\x01", b"\x80"]
    for b in blobs:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "sk": {"B": b}})
    out = ddb.query(TableName="tbl", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert [i["sk"]["B"] for i in out["Items"]] == sorted(blobs)


def test_filter_counts_and_limit(ddb):
    out = q(ddb, FilterExpression="v = :z", values={":z": {"N": "0"}})
    assert sks(out) == [0, 3, 6, 9] and out["Count"] == 4 and out["ScannedCount"] == 10
    out = q(ddb, FilterExpression="v = :z", values={":z": {"N": "0"}}, Limit=2)
    assert sks(out) == [0] and out["Count"] == 1 and out["ScannedCount"] == 2
    assert out["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}
    out = q(ddb, FilterExpression="v = :z", values={":z": {"N": "7"}}, Limit=3)
    assert out["Items"] == [] and "LastEvaluatedKey" in out
    with pytest.raises(ValidationException) as e:
        q(ddb, FilterExpression="sk > :z", values={":z": {"N": "0"}})
    assert msg(e) == "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    with pytest.raises(ValidationException) as e:
        q(ddb, Limit=0)
    assert "Member must have value greater than or equal to 1" in msg(e)


def test_limit_equal_to_remaining_still_returns_last_key(ddb):
    out = q(ddb, Limit=10)
    assert len(out["Items"]) == 10 and out["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "9"}}
    out = q(ddb, ExclusiveStartKey=out["LastEvaluatedKey"])
    assert out["Items"] == [] and "LastEvaluatedKey" not in out


def test_exclusive_start_key(ddb):
    out = q(ddb, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "4.5"}})
    assert sks(out) == [5, 6, 7, 8, 9]
    out = q(ddb, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "5"}}, ScanIndexForward=False)
    assert sks(out) == [4, 3, 2, 1, 0]
    with pytest.raises(ValidationException) as e:
        q(ddb, ExclusiveStartKey={"pk": {"S": "a"}})
    assert msg(e) == "The provided starting key is invalid: The provided key element does not match the schema"
    with pytest.raises(ValidationException) as e:
        q(ddb, ExclusiveStartKey={"pk": {"S": "b"}, "sk": {"N": "1"}})
    assert "outside query boundaries" in msg(e)


def test_projection_and_select(ddb):
    out = q(ddb, ProjectionExpression="sk", Limit=2)
    assert out["Items"] == [{"sk": {"N": "0"}}, {"sk": {"N": "1"}}]
    out = q(ddb, Select="COUNT")
    assert "Items" not in out and out["Count"] == 10
    assert q(ddb, Select="ALL_ATTRIBUTES")["Count"] == 10
    assert q(ddb, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="v")["Items"][0] == {"v": {"N": "0"}}
    with pytest.raises(ValidationException) as e:
        q(ddb, Select="COUNT", ProjectionExpression="v")
    assert msg(e) == "Cannot specify the ProjectionExpression when choosing to get COUNT"
    with pytest.raises(ValidationException) as e:
        q(ddb, Select="ALL_ATTRIBUTES", ProjectionExpression="v")
    assert "ALL_ATTRIBUTES" in msg(e)
    with pytest.raises(ValidationException):
        q(ddb, Select="SPECIFIC_ATTRIBUTES")
    with pytest.raises(ValidationException):
        q(ddb, Select="ALL_PROJECTED_ATTRIBUTES")
    with pytest.raises(ValidationException) as e:
        q(ddb, Select="count")
    assert "at 'select' failed to satisfy constraint" in msg(e)


def test_key_condition_errors(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="tbl")
    assert "KeyConditionExpression" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, "pk = :p AND v = :s", {":s": {"N": "1"}})
    assert "Query condition missed key schema element" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(ddb, values={":p": {"N": "1"}})
    assert msg(e) == "One or more parameter values were invalid: Condition parameter type does not match schema type"
    with pytest.raises(ValidationException) as e:
        q(ddb, IndexName="nope")
    assert msg(e) == "The table does not have the specified index: nope"


def test_one_megabyte_pages():
    _, ddb = make()
    big = "x" * 100_000
    for i in range(25):
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "d": {"S": big}})
    out = ddb.query(TableName="tbl", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
                    Select="COUNT")
    # each item is ~100 KB: the 11th item reaches 1 MB and ends the page.
    assert out["ScannedCount"] == 11 and out["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "10"}}
    out = ddb.scan(TableName="tbl", Select="COUNT")
    assert out["ScannedCount"] == 11


# -- Scan -----------------------------------------------------------------------------------------
def full_scan(ddb, **kw):
    items, start = [], None
    while True:
        args = dict(kw)
        if start is not None:
            args["ExclusiveStartKey"] = start
        page = ddb.scan(TableName="tbl", **args)
        items.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if start is None:
            return items


def test_scan_order_is_hash_order_and_deterministic():
    orders = []
    for _ in range(2):
        _, ddb = make()
        for p in ["p1", "p2", "p3", "p4", "p5"]:
            for s in (2, 1):
                ddb.put_item(TableName="tbl", Item={"pk": {"S": p}, "sk": {"N": str(s)}})
        orders.append([(i["pk"]["S"], i["sk"]["N"]) for i in full_scan(ddb)])
    assert orders[0] == orders[1]
    pks = [p for p, _ in orders[0]]
    assert sorted(set(pks)) == ["p1", "p2", "p3", "p4", "p5"]
    assert pks != sorted(pks)  # looks unordered, like AWS
    for i in range(0, 10, 2):  # sort keys ascending within each partition
        assert orders[0][i][1] == "1" and orders[0][i + 1][1] == "2"


def test_scan_filter_projection_limit(ddb):
    items = full_scan(ddb, FilterExpression="v = :z", ExpressionAttributeValues={":z": {"N": "1"}},
                      ProjectionExpression="sk", Limit=3)
    assert sorted(int(i["sk"]["N"]) for i in items) == [1, 4, 7]  # ("b", 1) has no v
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", ExpressionAttributeValues={":z": {"N": "1"}})
    assert msg(e).startswith("ExpressionAttributeValues can only be specified when using expressions")


def test_parallel_scan(ddb):
    everything = sorted((i["pk"]["S"], i["sk"]["N"]) for i in full_scan(ddb))
    for total in (1, 2, 3, 7):
        seen = []
        for seg in range(total):
            seen += [(i["pk"]["S"], i["sk"]["N"]) for i in full_scan(ddb, Segment=seg, TotalSegments=total, Limit=2)]
        assert sorted(seen) == everything
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", Segment=0)
    assert msg(e) == ("The TotalSegments parameter is required but was not present in the request "
                      "when Segment parameter is present")
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", TotalSegments=2)
    assert msg(e) == ("The Segment parameter is required but was not present in the request when "
                      "parameter TotalSegments is present")
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", Segment=2, TotalSegments=2)
    assert msg(e) == ("The Segment parameter is zero-based and must be less than parameter "
                      "TotalSegments: Segment: 2 is not less than TotalSegments: 2")


def test_scan_with_concurrent_writes_between_pages(ddb):
    page = ddb.scan(TableName="tbl", Limit=4)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}, "sk": {"N": "9"}})
    rest = full_scan(ddb, ExclusiveStartKey=page["LastEvaluatedKey"])
    seen = [(i["pk"]["S"], i["sk"]["N"]) for i in page["Items"] + rest]
    assert len(seen) == len(set(seen))
    assert ("a", "9") not in seen[4:]


# -- properties ------------------------------------------------------------------------------
keys = st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(-50, 50))
ops = st.sampled_from(["EQ", "LT", "LE", "GT", "GE", "BETWEEN", None])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.dictionaries(keys, st.integers(0, 3), max_size=40),
    op=ops,
    a=st.integers(-60, 60),
    b=st.integers(-60, 60),
    limit=st.integers(1, 7),
    forward=st.booleans(),
)
def test_query_equals_sorted_filter_and_pages_concatenate(items, op, a, b, limit, forward):
    _, ddb = make()
    for (pk, sk), v in items.items():
        ddb.put_item(TableName="tbl", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"N": str(v)}})
    if op == "BETWEEN" and a > b:
        a, b = b, a
    preds = {
        None: lambda s: True, "EQ": lambda s: s == a, "LT": lambda s: s < a, "LE": lambda s: s <= a,
        "GT": lambda s: s > a, "GE": lambda s: s >= a, "BETWEEN": lambda s: a <= s <= b,
    }
    texts = {None: "", "EQ": " AND sk = :a", "LT": " AND sk < :a", "LE": " AND sk <= :a",
             "GT": " AND sk > :a", "GE": " AND sk >= :a", "BETWEEN": " AND sk BETWEEN :a AND :b"}
    values = {":p": {"S": "a"}, ":one": {"N": "1"}}
    if op is not None:
        values[":a"] = {"N": str(a)}
    if op == "BETWEEN":
        values[":b"] = {"N": str(b)}
    expected = sorted(
        (sk for (pk, sk), v in items.items() if pk == "a" and preds[op](sk) and v != 1),
        reverse=not forward,
    )
    req = dict(TableName="tbl", KeyConditionExpression="pk = :p" + texts[op],
               FilterExpression="v <> :one", ExpressionAttributeValues=values, ScanIndexForward=forward)
    whole = ddb.query(**req)
    assert [int(i["sk"]["N"]) for i in whole["Items"]] == expected
    got, start, pages = [], None, 0
    while True:
        r = dict(req, Limit=limit)
        if start:
            r["ExclusiveStartKey"] = start
        page = ddb.query(**r)
        assert page["ScannedCount"] <= limit
        got += [int(i["sk"]["N"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        pages += 1
        if start is None:
            break
    assert got == expected


@settings(max_examples=25, deadline=None)
@given(items=st.sets(keys, max_size=40), limit=st.integers(1, 9), total=st.integers(1, 4))
def test_scan_pages_cover_table_exactly_once(items, limit, total):
    _, ddb = make()
    for pk, sk in items:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}})
    whole = [(i["pk"]["S"], int(i["sk"]["N"])) for i in ddb.scan(TableName="tbl")["Items"]]
    assert sorted(whole) == sorted(items)
    got = []
    for seg in range(total):
        got += [(i["pk"]["S"], int(i["sk"]["N"])) for i in full_scan(ddb, Limit=limit, Segment=seg, TotalSegments=total)]
    assert sorted(got) == sorted(items)
    if total == 1:
        assert got == whole
