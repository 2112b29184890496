"""Translation of PartiQL statements into DynamoDB wire requests (no engine needed)."""

from __future__ import annotations

import pytest

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.partiql import parse
from serverless_sim.dynamodb.partiql.translate import (
    plan_key_read,
    plan_select,
    plan_write,
    table_info,
)

MUSIC = {
    "TableName": "Music",
    "KeySchema": [
        {"AttributeName": "Artist", "KeyType": "HASH"},
        {"AttributeName": "SongTitle", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "Artist", "AttributeType": "S"},
        {"AttributeName": "SongTitle", "AttributeType": "S"},
        {"AttributeName": "AwardsWon", "AttributeType": "N"},
        {"AttributeName": "Year", "AttributeType": "N"},
    ],
    "GlobalSecondaryIndexes": [
        {"IndexName": "byAwards", "KeySchema": [
            {"AttributeName": "AwardsWon", "KeyType": "HASH"},
            {"AttributeName": "Artist", "KeyType": "RANGE"},
        ]},
    ],
    "LocalSecondaryIndexes": [
        {"IndexName": "byYear", "KeySchema": [
            {"AttributeName": "Artist", "KeyType": "HASH"},
            {"AttributeName": "Year", "KeyType": "RANGE"},
        ]},
    ],
}
ORDERS = {
    "TableName": "Orders",
    "KeySchema": [{"AttributeName": "OrderID", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "OrderID", "AttributeType": "N"}],
}
TABLES = {"Music": table_info(MUSIC), "Orders": table_info(ORDERS)}


def lookup(name):
    return TABLES[name]


def select(text, params=()):
    return plan_select(parse(text), list(params), lookup)


def write(text, params=()):
    return plan_write(parse(text), list(params), lookup)


def msg(fn, *args):
    with pytest.raises(ValidationException) as e:
        fn(*args)
    return e.value.message


# --- SELECT -------------------------------------------------------------------------------------


def test_select_without_where_is_a_scan():
    plan = select('SELECT * FROM "Music"')
    assert plan.operation == "Scan"
    assert plan.requests == ({"TableName": "Music"},)


def test_select_on_non_key_is_a_scan_with_filter_and_projection():
    plan = select("SELECT OrderID, Total FROM Orders WHERE Total BETWEEN 500 AND 600")
    assert plan.operation == "Scan"
    assert plan.requests == ({
        "TableName": "Orders",
        "FilterExpression": "#p0 BETWEEN :v0 AND :v1",
        "ProjectionExpression": "#p1, #p0",
        "ExpressionAttributeNames": {"#p0": "Total", "#p1": "OrderID"},
        "ExpressionAttributeValues": {":v0": {"N": "500"}, ":v1": {"N": "600"}},
    },)


def test_partition_key_greater_than_is_a_scan():
    assert select('SELECT * FROM "Orders" WHERE OrderID > 1').operation == "Scan"
    assert select("SELECT * FROM Orders WHERE OrderID = 100 OR Address = 'x'").operation == "Scan"


def test_full_key_is_get_item():
    plan = select("SELECT OrderID, Total FROM Orders WHERE OrderID = 1")
    assert plan.operation == "GetItem"
    assert plan.requests == ({
        "TableName": "Orders",
        "Key": {"OrderID": {"N": "1"}},
        "ProjectionExpression": "#p0, #p1",
        "ExpressionAttributeNames": {"#p0": "OrderID", "#p1": "Total"},
    },)


def test_partition_key_with_filter_is_query():
    plan = select("SELECT * FROM Orders WHERE OrderID = ? AND Address = 'x'", [{"N": "100"}])
    assert plan.operation == "Query"
    assert plan.requests == ({
        "TableName": "Orders",
        "KeyConditionExpression": "#p0 = :v0",
        "FilterExpression": "#p1 = :v1",
        "ExpressionAttributeNames": {"#p0": "OrderID", "#p1": "Address"},
        "ExpressionAttributeValues": {":v0": {"N": "100"}, ":v1": {"S": "x"}},
    },)


def test_in_and_or_give_one_query_per_partition_key_value():
    for text in ("SELECT * FROM Orders WHERE OrderID IN [1, 2, 1]",
                 "SELECT * FROM Orders WHERE OrderID = 1 OR OrderID = 2"):
        plan = select(text)
        assert plan.operation == "Query"
        assert [r["ExpressionAttributeValues"][":v0"] for r in plan.requests] == [
            {"N": "1"}, {"N": "2"}
        ]


def test_sort_key_condition_joins_key_condition():
    plan = select(
        "SELECT * FROM Music WHERE Artist = 'A' AND SongTitle BETWEEN 'a' AND 'm' AND \"Year\" > 1990"
    )
    assert plan.requests == ({
        "TableName": "Music",
        "KeyConditionExpression": "#p0 = :v0 AND #p1 BETWEEN :v1 AND :v2",
        "FilterExpression": "#p2 > :v3",
        "ExpressionAttributeNames": {"#p0": "Artist", "#p1": "SongTitle", "#p2": "Year"},
        "ExpressionAttributeValues": {
            ":v0": {"S": "A"}, ":v1": {"S": "a"}, ":v2": {"S": "m"}, ":v3": {"N": "1990"}
        },
    },)
    assert plan.post_filter is None


def test_value_on_left_flips_operator_and_begins_with_is_a_key_condition():
    plan = select("SELECT * FROM Music WHERE 'A' = Artist AND 'x' < SongTitle")
    assert plan.requests[0]["KeyConditionExpression"] == "#p0 = :v0 AND #p1 > :v1"
    plan = select("SELECT * FROM Music WHERE Artist = 'A' AND begins_with(SongTitle, 'Th')")
    assert plan.requests[0]["KeyConditionExpression"] == "#p0 = :v0 AND begins_with(#p1, :v1)"


def test_second_condition_on_a_key_is_evaluated_after_the_read():
    plan = select(
        "SELECT Artist FROM Music WHERE Artist = 'A' AND SongTitle > 'a' AND SongTitle < 'm'"
    )
    assert plan.operation == "Query"
    assert "FilterExpression" not in plan.requests[0]
    assert "ProjectionExpression" not in plan.requests[0]  # the filter needs the whole item
    assert plan.post_filter is not None


def test_order_by_desc_sets_scan_index_forward():
    plan = select("SELECT * FROM Music WHERE Artist = 'A' ORDER BY SongTitle DESC")
    assert plan.requests[0]["ScanIndexForward"] is False


def test_order_by_partition_key_sorts_the_queries():
    plan = select("SELECT * FROM Orders WHERE OrderID IN [2, 10, 1] ORDER BY OrderID DESC")
    assert [r["ExpressionAttributeValues"][":v0"]["N"] for r in plan.requests] == ["10", "2", "1"]


def test_index_query_uses_index_keys():
    plan = select('SELECT * FROM "Music"."byAwards" WHERE AwardsWon = 3 AND Artist >= \'M\'')
    assert plan.operation == "Query"
    assert plan.requests[0]["IndexName"] == "byAwards"
    assert plan.requests[0]["KeyConditionExpression"] == "#p0 = :v0 AND #p1 >= :v1"
    # A full index key is still a Query (GetItem reads only tables).
    plan = select('SELECT * FROM "Music"."byYear" WHERE Artist = \'A\' AND "Year" = 1999')
    assert plan.operation == "Query"


def test_unknown_index():
    assert msg(select, 'SELECT * FROM "Music"."nope"') == (
        "The table does not have the specified index: nope"
    )


def test_reserved_words_and_odd_names_travel_as_placeholders():
    plan = select('SELECT "size", "a.b" FROM Orders WHERE "status" = \'x\' AND "count" > 1')
    r = plan.requests[0]
    assert r["FilterExpression"] == "#p0 = :v0 AND #p1 > :v1"
    assert r["ProjectionExpression"] == "#p2, #p3"
    assert r["ExpressionAttributeNames"] == {
        "#p0": "status", "#p1": "count", "#p2": "size", "#p3": "a.b"
    }


def test_nested_path_placeholders():
    plan = select("SELECT * FROM Orders WHERE a.b[1].c = 1 AND a.b[0] = 2")
    assert plan.requests[0]["FilterExpression"] == "#p0.#p1[1].#p2 = :v0 AND #p0.#p1[0] = :v1"


def test_functions_is_and_parentheses():
    plan = select(
        "SELECT * FROM Orders WHERE (a = 1 OR b = 2) AND NOT (c = 3 OR d IS MISSING) "
        "AND e IS NOT MISSING AND attribute_type(f, 'N') AND size(g) >= 2 AND contains(h, 'x') "
        "AND i IS NULL AND j IS STRING AND k IN [1, 2]"
    )
    assert plan.requests[0]["FilterExpression"] == (
        "(#p0 = :v0 OR #p1 = :v1) AND NOT (#p2 = :v2 OR attribute_not_exists(#p3)) "
        "AND attribute_exists(#p4) AND attribute_type(#p5, :v3) AND size(#p6) >= :v4 "
        "AND contains(#p7, :v5) AND (attribute_not_exists(#p8) OR attribute_type(#p8, :v6)) "
        "AND attribute_type(#p9, :v7) AND #p10 IN (:v8, :v9)"
    )
    vals = plan.requests[0]["ExpressionAttributeValues"]
    assert vals[":v6"] == {"S": "NULL"} and vals[":v7"] == {"S": "S"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("SELECT * FROM Orders ORDER BY OrderID",
         "Must have WHERE clause in the statement when using ORDER BY clause."),
        ("SELECT * FROM Orders WHERE Total > 1 ORDER BY OrderID",
         "Must have at least one non-optional hash key condition in WHERE clause when using "
         "ORDER BY clause."),
        ("SELECT * FROM Music WHERE Artist = 'A' ORDER BY \"Year\"",
         "Variable reference Year in ORDER BY clause must be part of the primary key"),
        ("SELECT * FROM Music WHERE Artist IN ['A', 'B'] ORDER BY SongTitle",
         "Must have hash key in ORDER BY clause when more than one hash key condition specified "
         "in WHERE clause."),
        ("SELECT * FROM Orders WHERE OrderID = 'x'",
         "Key attribute's data type should match its data type in table's schema: Key OrderID"),
        ("SELECT * FROM Orders WHERE a = MISSING", "MISSING must be compared using IS operator"),
        ("SELECT * FROM Orders WHERE a + 1 = 2",
         "Unsupported operator in Condition Expression. Operator: +"),
    ],
)
def test_select_errors(text, message):
    assert msg(select, text) == message


def test_too_many_partition_key_values():
    values = ", ".join(str(i) for i in range(51))
    assert msg(select, f"SELECT * FROM Orders WHERE OrderID IN [{values}]") == (
        "Too many decomposed read operations for a given query."
    )


# --- INSERT / UPDATE / DELETE / EXISTS ----------------------------------------------------------


def test_insert_is_a_conditional_put():
    plan = write(
        "INSERT INTO \"Music\" VALUE {'Artist': ?, 'SongTitle': 'T', 'Tags': <<'a', 'b'>>, "
        "'M': {'k': [1, null, true]}}",
        [{"S": "A"}],
    )
    assert (plan.operation, plan.kind) == ("PutItem", "insert")
    assert plan.request == {
        "TableName": "Music",
        "Item": {
            "Artist": {"S": "A"}, "SongTitle": {"S": "T"}, "Tags": {"SS": ["a", "b"]},
            "M": {"M": {"k": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": True}]}}},
        },
        "ConditionExpression": "attribute_not_exists(#p0)",
        "ExpressionAttributeNames": {"#p0": "Artist"},
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ("INSERT INTO Music VALUE {'Artist': 'A'}",
         "Key attribute should be present in the item: Key SongTitle"),
        ("INSERT INTO Orders VALUE {'OrderID': 'x'}",
         "Key attribute's data type should match its data type in table's schema: Key OrderID"),
        ("INSERT INTO Orders VALUE {'OrderID': 1, 's': <<>>}", "Empty bags are not supported"),
        ("INSERT INTO Orders VALUE {'OrderID': 1, 's': <<1, 'a'>>}",
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
        ("INSERT INTO Orders VALUE {'OrderID': 1, 's': <<1, 1.0>>}",
         "Input collection contains duplicates"),
        ("INSERT INTO Orders VALUE {'OrderID': 1, 's': <<?>>}",
         "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
        ("INSERT INTO Orders VALUE {'OrderID': 1, 'a': 1, 'a': 2}",
         "Duplicate keys in tuple. Key: a"),
    ],
)
def test_insert_errors(text, message):
    params = [{"S": "x"}] if "?" in text else []
    assert msg(write, text, params) == message


def test_update_translation():
    plan = write(
        "UPDATE Music SET AwardsWon = AwardsWon + 1 SET \"Name\" = 'n' REMOVE Old[1], x.y "
        "SET Tags = set_add(Tags, <<'a'>>) SET Gone = set_delete(Gone, ?) "
        "SET L = list_append(L, [2]) SET C = D "
        "WHERE Artist = 'A' AND SongTitle = 'T' AND AwardsWon < 10 RETURNING ALL NEW *",
        [{"NS": ["1"]}],
    )
    assert (plan.operation, plan.kind) == ("UpdateItem", "update")
    assert plan.request == {
        "TableName": "Music",
        "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "T"}},
        "UpdateExpression": (
            "SET #p0 = #p0 + :v0, #p1 = :v1, #p7 = list_append(#p7, :v4), #p8 = #p9 "
            "REMOVE #p2[1], #p3.#p4 ADD #p5 :v2 DELETE #p6 :v3"
        ),
        "ConditionExpression": "attribute_exists(#p10) AND #p0 < :v5",
        "ReturnValues": "ALL_NEW",
        "ExpressionAttributeNames": {
            "#p0": "AwardsWon", "#p1": "Name", "#p2": "Old", "#p3": "x", "#p4": "y", "#p5": "Tags",
            "#p6": "Gone", "#p7": "L", "#p8": "C", "#p9": "D", "#p10": "Artist",
        },
        "ExpressionAttributeValues": {
            ":v0": {"N": "1"}, ":v1": {"S": "n"}, ":v2": {"SS": ["a"]}, ":v3": {"NS": ["1"]},
            ":v4": {"L": [{"N": "2"}]}, ":v5": {"N": "10"},
        },
    }


def test_update_without_condition_checks_existence_only():
    plan = write("UPDATE Orders SET a = 1 WHERE OrderID = 1")
    assert plan.request["ConditionExpression"] == "attribute_exists(#p1)"
    assert plan.request["ExpressionAttributeNames"] == {"#p0": "a", "#p1": "OrderID"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("UPDATE Music SET a = 1 WHERE Artist = 'A'",
         "Where clause does not contain a mandatory equality on all key attributes"),
        ("UPDATE Music SET a = 1",
         "Where clause does not contain a mandatory equality on all key attributes"),
        ("UPDATE Orders SET a = 1 WHERE OrderID = 1 OR OrderID = 2",
         "Where clause does not contain a mandatory equality on all key attributes"),
        ("UPDATE Orders SET a = 1 WHERE OrderID = 1 AND OrderID = 2",
         "Multiple conditions on same key OrderID. Only single item Update/Insert/Delete are "
         "supported"),
        ("UPDATE Orders SET a = set_add(b, <<1>>) WHERE OrderID = 1",
         "The first argument to SET_ADD must equal the assignment value"),
        ("UPDATE Orders SET a = set_delete(a, 1) WHERE OrderID = 1",
         "The second argument to SET_DELETE must be a value with type SET"),
        ("UPDATE Orders SET a = set_add(a) WHERE OrderID = 1",
         "SET_ADD must have exactly two arguments"),
        ("UPDATE Orders SET a = size(b) WHERE OrderID = 1",
         "Unsupported operator in Update Expression. Operator: size"),
        ("DELETE FROM Music WHERE \"name\" = 'alpha'",
         "Where clause does not contain a mandatory equality on all key attributes"),
    ],
)
def test_write_errors(text, message):
    assert msg(write, text) == message


def test_delete_translation():
    plan = write("DELETE FROM Orders WHERE OrderID = 7")
    assert plan.request == {"TableName": "Orders", "Key": {"OrderID": {"N": "7"}}}
    plan = write("DELETE FROM Orders WHERE OrderID = 7 AND (a = 1 OR b = 2) RETURNING ALL OLD *")
    assert plan.request == {
        "TableName": "Orders",
        "Key": {"OrderID": {"N": "7"}},
        "ConditionExpression": "attribute_not_exists(#p0) OR #p1 = :v0 OR #p2 = :v1",
        "ReturnValues": "ALL_OLD",
        "ExpressionAttributeNames": {"#p0": "OrderID", "#p1": "a", "#p2": "b"},
        "ExpressionAttributeValues": {":v0": {"N": "1"}, ":v1": {"N": "2"}},
    }


def test_exists_is_a_condition_check():
    plan = write("EXISTS(SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 'T' AND x IS MISSING)")
    assert (plan.operation, plan.kind) == ("ConditionCheck", "exists")
    assert plan.request == {
        "TableName": "Music",
        "Key": {"Artist": {"S": "A"}, "SongTitle": {"S": "T"}},
        "ConditionExpression": "attribute_exists(#p0) AND attribute_not_exists(#p1)",
        "ExpressionAttributeNames": {"#p0": "Artist", "#p1": "x"},
    }
    assert msg(write, "EXISTS(SELECT * FROM Music WHERE Artist = 'A')") == (
        "EXISTS() must contain a single item read with additional condition"
    )


def test_key_read_for_batches_and_transactions():
    plan = plan_key_read(
        parse("SELECT Total FROM Orders WHERE OrderID = 3"), [], lookup, message="m"
    )
    assert plan.request == {
        "TableName": "Orders", "Key": {"OrderID": {"N": "3"}},
        "ProjectionExpression": "#p0", "ExpressionAttributeNames": {"#p0": "Total"},
    }
    stmt = parse("SELECT * FROM Music WHERE Artist = 'A'")
    assert msg(lambda: plan_key_read(stmt, [], lookup, message="m")) == "m"


# --- robustness ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from serverless_sim.dynamodb.partiql import ast  # noqa: E402

_PIECES = st.sampled_from(
    ["Artist", "SongTitle", '"Year"', "AwardsWon", "x", "x.y[0]", "'A'", "'s'", "1", "2.5", "?",
     "<<1, 2>>", "<<'a'>>", "[1, 'a']", "{'k': 1}", "NULL", "true", "MISSING", "size(x)"]
)
_OPS = st.sampled_from(["=", "<>", "<", ">=", "IS MISSING", "IS NOT NULL", "IN", "BETWEEN",
                        "begins_with", "contains", "attribute_type"])


@st.composite
def _condition(draw, depth=0):
    if depth < 2 and draw(st.booleans()):
        join = draw(st.sampled_from(["AND", "OR"]))
        left, right = draw(_condition(depth + 1)), draw(_condition(depth + 1))
        cond = f"({left} {join} {right})"
        return f"NOT {cond}" if draw(st.booleans()) else cond
    a, b, c = draw(_PIECES), draw(_PIECES), draw(_PIECES)
    op = draw(_OPS)
    if op.startswith("IS"):
        return f"{a} {op}"
    if op == "IN":
        return f"{a} IN [{b}, {c}]"
    if op == "BETWEEN":
        return f"{a} BETWEEN {b} AND {c}"
    if op in ("begins_with", "contains", "attribute_type"):
        return f"{op}({a}, {b})"
    return f"{a} {op} {b}"


_PARAMS = st.lists(
    st.sampled_from([{"S": "A"}, {"N": "1"}, {"SS": ["a"]}, {"NULL": True}, {"L": []}]),
    min_size=0, max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([
        "SELECT * FROM Music WHERE {c}",
        'SELECT x, Artist FROM "Music"."byAwards" WHERE {c} ORDER BY AwardsWon',
        "SELECT * FROM Orders WHERE {c} ORDER BY OrderID DESC",
        "UPDATE Music SET x = {p} REMOVE y WHERE {c}",
        "DELETE FROM Music WHERE {c} RETURNING ALL OLD *",
        "EXISTS(SELECT * FROM Music WHERE {c})",
        "INSERT INTO Music VALUE {{'Artist': {p}, 'SongTitle': {p}}}",
    ]),
    _condition(),
    _PIECES,
    _PARAMS,
)
def test_any_parsed_statement_translates_or_raises_validation(template, cond, piece, params):
    text = template.format(c=cond, p=piece)
    try:
        stmt = parse(text)
        params = (params * 20)[: text.count("?")] if params else [{"S": "A"}] * text.count("?")
        if isinstance(stmt, ast.Select):
            plan_select(stmt, params, lookup)
            if stmt.index is None:
                plan_key_read(stmt, params, lookup, message="m")
        else:
            plan_write(stmt, params, lookup)
    except ValidationException:
        pass
