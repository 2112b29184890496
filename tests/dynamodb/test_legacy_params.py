"""Legacy parameters: Expected, ConditionalOperator, AttributeUpdates, AttributesToGet,
KeyConditions, QueryFilter, ScanFilter (serverless_sim/dynamodb/legacy.py).

Expected behaviour and messages: AWS's "Legacy conditional parameters" pages and ScyllaDB
Alternator's test_expected.py / test_key_conditions.py / test_query_filter.py / test_item.py,
which run against DynamoDB.
"""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ConditionalCheckFailedException, ValidationException


@pytest.fixture
def ddb():
    client = Cloud(seed=3).client("dynamodb")
    client.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName="sorted",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "p", "AttributeType": "S"},
            {"AttributeName": "c", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for c in range(6):
        client.put_item(
            TableName="sorted",
            Item={"p": {"S": "k"}, "c": {"N": str(c)}, "x": {"N": str(c % 3)}, "s": {"S": f"v{c}"}},
        )
    return client


def msg(excinfo) -> str:
    return excinfo.value.response["Error"]["Message"]


def get(ddb, p="a"):
    return ddb.get_item(TableName="tbl", Key={"p": {"S": p}}).get("Item")


def update(ddb, updates, p="a", **kw):
    return ddb.update_item(TableName="tbl", Key={"p": {"S": p}}, AttributeUpdates=updates, **kw)


def N(v):
    return {"N": str(v)}


def S(v):
    return {"S": v}


# -- mixing and ConditionalOperator ----------------------------------------------------------
def test_mixing_lists_both_sides_in_aws_order(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.update_item(
            TableName="tbl", Key={"p": S("a")},
            AttributeUpdates={"a": {"Value": S("v"), "Action": "PUT"}},
            Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}},
            ConditionalOperator="AND",
            UpdateExpression="SET a = :v", ConditionExpression="attribute_exists(p)",
            ExpressionAttributeValues={":v": S("x")},
        )
    assert msg(e) == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates, Expected, ConditionalOperator} "
        "Expression parameters: {UpdateExpression, ConditionExpression}"
    )
    with pytest.raises(ValidationException) as e:
        ddb.scan(TableName="tbl", AttributesToGet=["a"], FilterExpression="a = :v",
                 ExpressionAttributeValues={":v": S("x")})
    assert msg(e).endswith("Non-expression parameters: {AttributesToGet} Expression parameters: {FilterExpression}")


def test_key_conditions_may_be_used_with_filter_expression(ddb):
    out = ddb.query(
        TableName="sorted",
        KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("k")]}},
        FilterExpression="x = :x", ExpressionAttributeValues={":x": N(1)},
    )
    assert [i["c"]["N"] for i in out["Items"]] == ["1", "4"]


def test_conditional_operator_needs_two_conditions(ddb):
    with pytest.raises(ValidationException) as e:
        update(ddb, {"z": {"Value": N(1)}}, ConditionalOperator="OR")
    assert msg(e) == "ConditionalOperator cannot be used without Filter or Expected"
    with pytest.raises(ValidationException) as e:
        update(ddb, {"z": {"Value": N(1)}}, ConditionalOperator="OR",
               Expected={"a": {"Exists": False}})
    assert msg(e) == "ConditionalOperator can only be used when Filter or Expected has two or more elements"


def test_expression_maps_without_expressions(ddb):
    with pytest.raises(ValidationException) as e:
        update(ddb, {"z": {"Value": N(1)}}, ExpressionAttributeValues={":v": N(1)})
    assert "can only be specified when using expressions" in msg(e)


# -- Expected ------------------------------------------------------------------------------
def test_expected_operators(ddb):
    update(ddb, {"a": {"Value": N(1)}, "s": {"Value": S("hello")}, "l": {"Value": {"L": [N(2), N(4)]}}})
    ok = [
        ("a", "EQ", [N(1)]), ("a", "NE", [N(2)]), ("q", "NE", [N(2)]), ("a", "LE", [N(1)]),
        ("a", "LT", [N(2)]), ("a", "GE", [N(1)]), ("a", "GT", [N(0)]), ("a", "NOT_NULL", []),
        ("q", "NULL", []), ("s", "CONTAINS", [S("ell")]), ("l", "CONTAINS", [N(4)]),
        ("s", "NOT_CONTAINS", [S("dog")]), ("s", "BEGINS_WITH", [S("he")]),
        ("a", "IN", [N(3), N(1)]), ("a", "BETWEEN", [N(0), N(1)]),
    ]
    for attr, op, args in ok:
        update(ddb, {"z": {"Value": S(op)}},
               Expected={attr: {"ComparisonOperator": op, "AttributeValueList": args}})
        assert get(ddb)["z"] == S(op)
    failing = [
        ("a", "EQ", [S("1")]), ("a", "LT", [S("9")]), ("q", "NOT_CONTAINS", [N(1)]),
        ("q", "CONTAINS", [N(1)]), ("a", "IN", [N(3)]), ("q", "BETWEEN", [N(0), N(9)]),
        ("a", "NULL", []),
    ]
    for attr, op, args in failing:
        with pytest.raises(ConditionalCheckFailedException):
            update(ddb, {"z": {"Value": S("no")}},
                   Expected={attr: {"ComparisonOperator": op, "AttributeValueList": args}})


def test_expected_value_and_exists(ddb):
    update(ddb, {"a": {"Value": N(1)}})
    update(ddb, {"b": {"Value": N(2)}}, Expected={"a": {"Value": N(1)}, "c": {"Exists": False}})
    update(ddb, {"b": {"Value": N(3)}}, Expected={"a": {"Value": N(1), "Exists": True}})
    with pytest.raises(ConditionalCheckFailedException):
        update(ddb, {"b": {"Value": N(4)}}, Expected={"z": {"Value": N(1)}})
    # OR: one true condition is enough.
    update(ddb, {"b": {"Value": N(5)}}, Expected={"a": {"Value": N(9)}, "c": {"Exists": False}},
           ConditionalOperator="OR")
    assert get(ddb)["b"] == N(5)
    with pytest.raises(ValidationException) as e:
        update(ddb, {"b": {"Value": N(2)}}, Expected={"a": {"Exists": True}})
    assert msg(e) == ("One or more parameter values were invalid: Value must be provided when "
                      "Exists is true for Attribute: a")
    with pytest.raises(ValidationException) as e:
        update(ddb, {"b": {"Value": N(2)}}, Expected={"a": {"Exists": False, "Value": N(1)}})
    assert "Value cannot be used when Exists is false for Attribute: a" in msg(e)
    with pytest.raises(ValidationException) as e:
        update(ddb, {"b": {"Value": N(2)}},
               Expected={"a": {"Value": N(3), "ComparisonOperator": "EQ", "AttributeValueList": [N(3)]}})
    assert "Value and AttributeValueList cannot be used together for Attribute: a" in msg(e)


def test_expected_validation_messages(ddb):
    cases = [
        ({"ComparisonOperator": "EQ", "AttributeValueList": [N(1), N(2)]},
         "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        ({"ComparisonOperator": "LE", "AttributeValueList": [{"L": [N(1)]}]},
         "One or more parameter values were invalid: ComparisonOperator LE is not valid for L AttributeValue type"),
        ({"ComparisonOperator": "IN", "AttributeValueList": [N(3), S("dog")]},
         "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
        ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [N(4), N(3)]},
         "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ]
    for spec, text in cases:
        with pytest.raises(ValidationException) as e:
            update(ddb, {"b": {"Value": N(2)}}, Expected={"a": spec})
        assert msg(e) == text


def test_expected_on_put_and_delete(ddb):
    ddb.put_item(TableName="tbl", Item={"p": S("a"), "a": N(1)})
    ddb.put_item(TableName="tbl", Item={"p": S("a"), "a": N(2)}, Expected={"a": {"Value": N(1)}})
    with pytest.raises(ConditionalCheckFailedException):
        ddb.delete_item(TableName="tbl", Key={"p": S("a")}, Expected={"a": {"Value": N(1)}})
    ddb.delete_item(TableName="tbl", Key={"p": S("a")}, Expected={"a": {"Value": N(2)}})
    assert get(ddb) is None


# -- AttributeUpdates ----------------------------------------------------------------------
def test_attribute_updates_put_delete_add(ddb):
    update(ddb, {"n": {"Value": N(7)}, "s": {"Value": {"SS": ["a", "b"]}}, "l": {"Action": "ADD", "Value": {"L": [N(1)]}}})
    update(ddb, {"n": {"Action": "ADD", "Value": N(-2.5)}, "s": {"Action": "DELETE", "Value": {"SS": ["a"]}},
                 "l": {"Action": "ADD", "Value": {"L": [S("x")]}}})
    assert get(ddb) == {"p": S("a"), "n": N(4.5), "s": {"SS": ["b"]}, "l": {"L": [N(1), S("x")]}}
    update(ddb, {"s": {"Action": "DELETE", "Value": {"SS": ["b"]}}, "n": {"Action": "DELETE"}})
    assert get(ddb) == {"p": S("a"), "l": {"L": [N(1), S("x")]}}


def test_attribute_updates_errors(ddb):
    update(ddb, {"s": {"Value": {"SS": ["a"]}}})
    cases = [
        ({"s": {"Action": "ADD", "Value": N(1)}}, "Type mismatch for attribute to update"),
        ({"s": {"Action": "DELETE", "Value": {"NS": ["1"]}}}, "Type mismatch for attribute to update"),
        ({"s": {"Action": "ADD", "Value": S("x")}},
         "One or more parameter values were invalid: ADD action is not supported for the type S"),
        ({"s": {"Action": "DELETE", "Value": S("x")}},
         "One or more parameter values were invalid: DELETE action with value is not supported for the type S"),
        ({"s": {"Action": "PUT"}},
         "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"),
        ({"p": {"Value": S("x")}},
         "One or more parameter values were invalid: Cannot update attribute p. This attribute is part of the key"),
        ({"": {"Value": S("x")}}, "One or more parameter values were invalid: Empty attribute name"),
    ]
    for updates, text in cases:
        with pytest.raises(ValidationException) as e:
            update(ddb, updates)
        assert msg(e) == text
    with pytest.raises(ValidationException) as e:
        update(ddb, {"s": {"Action": "NONEXISTENT", "Value": S("x")}})
    assert "Member must satisfy enum value set: [ADD, PUT, DELETE]" in msg(e)


def test_removal_only_update_does_not_create_item(ddb):
    update(ddb, {"a": {"Action": "DELETE"}})
    assert get(ddb) is None
    ddb.update_item(TableName="tbl", Key={"p": S("a")}, UpdateExpression="REMOVE a")
    assert get(ddb) is None
    update(ddb, {})
    assert get(ddb) == {"p": S("a")}


def test_attribute_updates_return_values(ddb):
    update(ddb, {"a": {"Value": N(1)}, "b": {"Value": N(2)}})
    out = update(ddb, {"a": {"Action": "ADD", "Value": N(5)}}, ReturnValues="UPDATED_NEW")
    assert out["Attributes"] == {"a": N(6)}
    out = update(ddb, {"a": {"Action": "DELETE"}}, ReturnValues="UPDATED_OLD")
    assert out["Attributes"] == {"a": N(6)}


# -- AttributesToGet -----------------------------------------------------------------------
def test_attributes_to_get_validation(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.get_item(TableName="tbl", Key={"p": S("a")}, AttributesToGet=["a", "a"])
    assert "Duplicate" in msg(e)
    with pytest.raises(ValidationException):
        ddb.get_item(TableName="tbl", Key={"p": S("a")}, AttributesToGet=[])
    with pytest.raises(ValidationException) as e:
        ddb.get_item(TableName="tbl", Key={"p": S("a")}, AttributesToGet=[""])
    assert "Empty attribute name" in msg(e)


# -- KeyConditions, QueryFilter, ScanFilter ------------------------------------------------
def kc(op, *args, attr="c"):
    return {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("k")]},
            attr: {"ComparisonOperator": op, "AttributeValueList": list(args)}}


def cs(out):
    return [int(i["c"]["N"]) for i in out["Items"]]


def test_key_conditions(ddb):
    q = lambda **kw: cs(ddb.query(TableName="sorted", **kw))  # noqa: E731
    assert q(KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("k")]}}) == [0, 1, 2, 3, 4, 5]
    assert q(KeyConditions=kc("LT", N(2))) == [0, 1]
    assert q(KeyConditions=kc("GE", N(4))) == [4, 5]
    assert q(KeyConditions=kc("BETWEEN", N(1), N(3)), ScanIndexForward=False) == [3, 2, 1]
    with pytest.raises(ValidationException) as e:
        q(KeyConditions=kc("BEGINS_WITH", N(1)))
    assert "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(KeyConditions={"p": {"ComparisonOperator": "GT", "AttributeValueList": [S("k")]}})
    assert msg(e) == "Query key condition not supported"
    with pytest.raises(ValidationException) as e:
        q(KeyConditions={"c": {"ComparisonOperator": "EQ", "AttributeValueList": [N(3)]}})
    assert msg(e) == "Query condition missed key schema element: p"
    with pytest.raises(ValidationException) as e:
        q(KeyConditions={"p": {"ComparisonOperator": "eq", "AttributeValueList": [S("k")]}})
    assert "comparisonOperator" in msg(e)
    with pytest.raises(ValidationException) as e:
        q(KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [N(3)]}})
    assert "type" in msg(e)


def test_query_and_scan_filters(ddb):
    key = {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("k")]}}
    out = ddb.query(TableName="sorted", KeyConditions=key,
                    QueryFilter={"x": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}})
    assert cs(out) == [1, 4] and out["ScannedCount"] == 6
    out = ddb.query(TableName="sorted", KeyConditions=key, ConditionalOperator="OR",
                    QueryFilter={"x": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
                                 "s": {"ComparisonOperator": "IN", "AttributeValueList": [S("v0"), S("v5")]}},
                    AttributesToGet=["c"])
    assert out["Items"] == [{"c": N(0)}, {"c": N(1)}, {"c": N(4)}, {"c": N(5)}]
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="sorted", KeyConditions=key,
                  QueryFilter={"c": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}})
    assert "key" in msg(e)
    out = ddb.scan(TableName="sorted", ScanFilter={"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [S("3")]},
                                                    "x": {"ComparisonOperator": "NOT_NULL"}})
    assert sorted(cs(out)) == [0, 1, 2, 4, 5]
