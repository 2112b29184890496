"""ProjectionExpression and KeyConditionExpression."""

from __future__ import annotations

import contextlib

import pytest

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.expressions import ExpressionContext


@contextlib.contextmanager
def raises(message: str):
    with pytest.raises(ValidationException) as info:
        yield info
    assert info.value.message == message


def S(x):
    return {"S": x}


def N(x):
    return {"N": str(x)}


ITEM = {
    "pk": S("k"),
    "a": N(1),
    "l": {"L": [N(7), N(42), {"M": {"c": S("x"), "d": S("y")}}]},
    "m": {"M": {"b": {"L": [S("b0"), S("b1"), {"M": {"c": N(3), "e": N(4)}}]}, "z": S("zz")}},
}


def project(text, names=None, item=ITEM):
    ctx = ExpressionContext(names, None)
    p = ctx.projection(text)
    ctx.finish()
    return p.apply(item)


# -- projection --------------------------------------------------------------------------------


def test_projection_top_level():
    assert project("a, pk, nope") == {"a": N(1), "pk": S("k")}
    assert project("#x", {"#x": "a"}) == {"a": N(1)}
    assert project("a", item=None) == {}


def test_projection_nested_structure():
    assert project("l[0]") == {"l": {"L": [N(7)]}}
    assert project("l[1]") == {"l": {"L": [N(42)]}}
    assert project("l[9]") == {}
    assert project("l[2], l[0]") == {"l": {"L": [N(7), {"M": {"c": S("x"), "d": S("y")}}]}}
    assert project("m.b[2].c") == {"m": {"M": {"b": {"L": [{"M": {"c": N(3)}}]}}}}
    assert project("m.b[2].c, m.z, a") == {
        "m": {"M": {"b": {"L": [{"M": {"c": N(3)}}]}, "z": S("zz")}},
        "a": N(1),
    }
    assert project("l[2].c") == {"l": {"L": [{"M": {"c": S("x")}}]}}
    assert project("m.nope, a.b") == {}


def test_projection_errors():
    with raises(
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of these paths; path one: [m], path two: [m, z]"
    ):
        project("m, m.z")
    with raises(
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
        "rewrite one of these paths; path one: [m, b], path two: [m, [0]]"
    ):
        project("m.b, m[0]")
    with raises('Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'):
        project("!!")
    with pytest.raises(ValidationException, match="Syntax error"):
        project("a,")
    with pytest.raises(ValidationException, match="Syntax error"):
        project("a[]")
    with raises("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"):
        project("name")
    with raises("Invalid ProjectionExpression: The expression can not be empty;"):
        project("")
    with raises(
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #n"
    ):
        project("#n")


# -- key conditions ------------------------------------------------------------------------------


def kc(text, values, names=None, hash_key="pk", range_key="sk", key_types=None):
    ctx = ExpressionContext(names, values)
    cond = ctx.key_condition(text, hash_key=hash_key, range_key=range_key, key_types=key_types)
    ctx.finish()
    return cond


def test_key_condition_hash_only():
    c = kc("pk = :p", {":p": S("x")})
    assert c.hash_value == S("x") and c.range_op is None and c.range_values == ()
    assert c.range_matches(N(1))
    c = kc("(#p = :p)", {":p": S("x")}, {"#p": "pk"}, range_key=None)
    assert c.hash_value == S("x")


@pytest.mark.parametrize(
    "text, op",
    [
        ("pk = :p AND sk = :v", "EQ"),
        ("pk = :p AND sk < :v", "LT"),
        ("pk = :p AND sk <= :v", "LE"),
        ("pk = :p AND sk > :v", "GT"),
        ("pk = :p AND sk >= :v", "GE"),
        ("pk = :p AND :v > sk", "LT"),
        ("pk = :p AND :v <= sk", "GE"),
        ("sk = :v AND pk = :p", "EQ"),
        ("pk = :p AND begins_with(sk, :v)", "BEGINS_WITH"),
        ("(pk = :p) AND (sk = :v)", "EQ"),
        ("(pk = :p AND (sk = :v))", "EQ"),
    ],
)
def test_key_condition_range_ops(text, op):
    c = kc(text, {":p": S("x"), ":v": S("m")})
    assert c.hash_value == S("x")
    assert c.range_op == op
    assert c.range_values == (S("m"),)


def test_key_condition_between_and_matching():
    c = kc("pk = :p AND sk BETWEEN :a AND :b", {":p": S("x"), ":a": N(1), ":b": N(5)})
    assert c.range_op == "BETWEEN" and c.range_values == (N(1), N(5))
    assert c.range_matches(N(1)) and c.range_matches(N("4.5")) and c.range_matches(N(5))
    assert not c.range_matches(N(6)) and not c.range_matches(S("3")) and not c.range_matches(None)
    assert c.range_bounds()[0] == 1
    c = kc("pk = :p AND begins_with(sk, :v)", {":p": S("x"), ":v": S("ab")})
    assert c.range_matches(S("abc")) and not c.range_matches(S("b"))
    c = kc("pk = :p AND sk < :v", {":p": S("x"), ":v": N(3)})
    assert c.range_matches(N(2)) and not c.range_matches(N(3))


def test_key_condition_errors():
    with raises("Query condition missed key schema element: pk"):
        kc("sk = :v", {":v": S("val")})
    with raises("Query condition missed key schema element: pk"):
        kc("attr1 = :v", {":v": S("val")})
    with raises("Query condition missed key schema element: sk"):
        kc("pk = :p AND attr1 = :v", {":p": S("x"), ":v": S("val")})
    with raises("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"):
        kc("pk = :p AND pk = :p", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"):
        kc("pk = :p AND sk > :v AND sk < :v", {":p": S("x"), ":v": S("v")})
    with raises("Query key condition not supported"):
        kc("pk < :p", {":p": S("x")})
    with raises("Query key condition not supported"):
        kc("pk = sk", None)
    with raises("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR"):
        kc("pk = :p OR sk = :p", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: NOT"):
        kc("NOT pk = :p", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: IN"):
        kc("pk IN (:p)", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: <>"):
        kc("pk = :p AND sk <> :p", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: attribute_exists"):
        kc("pk = :p AND attribute_exists(sk)", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: Invalid function name; function: dog"):
        kc("pk = :p AND dog(sk, :p)", {":p": S("x")})
    with raises(
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N"
    ):
        kc("pk = :p AND begins_with(sk, :n)", {":p": S("x"), ":n": N(1)})
    with raises(
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than "
        "or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
        "AttributeValue: {N:1}"
    ):
        kc("pk = :p AND sk BETWEEN :a AND :b", {":p": S("x"), ":a": N(5), ":b": N(1)})
    with raises("Invalid KeyConditionExpression: The expression can not be empty;"):
        kc("", {":v": S("val")})
    with pytest.raises(ValidationException, match="Syntax error"):
        kc("pk != :p", {":p": S("x")})
    with raises("Invalid KeyConditionExpression: The expression has redundant parentheses;"):
        kc("((sk = :p) AND ((pk = :p)))", {":p": S("x")})
    with raises("Conditions can be of length 1 or 2 only"):
        kc("pk = :p AND sk = :p AND x = :p", {":p": S("x")})


def test_key_condition_schema_types():
    with raises("One or more parameter values were invalid: Condition parameter type does not match schema type"):
        kc("pk = :p", {":p": N(1)}, key_types={"pk": "S", "sk": "N"})
    kc("pk = :p AND sk > :n", {":p": S("x"), ":n": N(1)}, key_types={"pk": "S", "sk": "N"})
