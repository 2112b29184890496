"""ConditionExpression / FilterExpression: operators, functions, precedence, errors."""

from __future__ import annotations

import contextlib

import pytest

from serverless_sim.dynamodb.errors import ValidationException
from serverless_sim.dynamodb.expressions import ExpressionContext, condition_references_attributes


@contextlib.contextmanager
def raises(message: str):
    with pytest.raises(ValidationException) as info:
        yield info
    assert info.value.message == message


def S(x):
    return {"S": x}


def N(x):
    return {"N": str(x)}


def B(x):
    return {"B": x}


ITEM = {
    "pk": S("k"),
    "a": N(1),
    "b": N(2),
    "s": S("hello"),
    "bin": B(b"hi there"),
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "l": {"L": [N(2), N(4), S("x"), {"SS": ["p", "q"]}]},
    "m": {"M": {"x": N(7), "y": {"M": {"z": S("deep")}}, "arr": {"L": [S("e0"), S("e1")]}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}


def check(text, values=None, names=None, item=ITEM, kind="ConditionExpression"):
    ctx = ExpressionContext(names, values)
    cond = ctx.condition(text, kind)
    ctx.finish()
    return cond.evaluate(item)


# -- comparisons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, values, expected",
    [
        ("a = :v", {":v": N(1)}, True),
        ("a = :v", {":v": N("1.0")}, True),
        ("a = :v", {":v": S("1")}, False),
        ("a = b", None, False),
        ("a <> :v", {":v": N(1)}, False),
        ("a <> :v", {":v": S("1")}, True),
        ("absent = :v", {":v": N(1)}, False),
        ("absent <> :v", {":v": N(1)}, True),
        ("absent = gone", None, False),
        ("absent <> gone", None, True),
        ("a < b", None, True),
        ("a <= :v", {":v": N(1)}, True),
        ("a > :v", {":v": N("0.5")}, True),
        ("a >= b", None, False),
        ("s < :v", {":v": S("help")}, True),
        ("s > :v", {":v": S("hell")}, True),
        ("bin < :v", {":v": B(b"\x80")}, True),
        (":v < a", {":v": S("1")}, False),
        ("l < :v", {":v": N(1)}, False),
        ("absent < :v", {":v": N(1)}, False),
        ("ss = :v", {":v": {"SS": ["b", "a"]}}, True),
        ("ns = :v", {":v": {"NS": ["2.50", "1"]}}, True),
        ("m.x = :v", {":v": N(7)}, True),
        ("m.y.z = :v", {":v": S("deep")}, True),
        ("m.arr[1] = :v", {":v": S("e1")}, True),
        ("m.arr[2] = :v", {":v": S("e1")}, False),
        ("l[3] = :v", {":v": {"SS": ["q", "p"]}}, True),
        ("t = :v", {":v": {"BOOL": True}}, True),
        ("z = :v", {":v": {"NULL": True}}, True),
    ],
)
def test_comparisons(text, values, expected):
    assert check(text, values) is expected


def test_binary_ordering_is_unsigned():
    item = {"x": B(b"\x7f")}
    assert check("x < :v", {":v": B(b"\x80")}, item=item)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordered_comparison_with_wrong_value_type_is_validation_error(op):
    with raises(
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        f"operator or function: {op}, operand type: L"
    ):
        check(f"a {op} :v", {":v": {"L": [N(1)]}})


# -- BETWEEN / IN --------------------------------------------------------------------------------


def test_between():
    assert check("a BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)})
    assert check("b between :lo and :hi", {":lo": N(1), ":hi": N(2)})
    assert not check("a BETWEEN :lo AND :hi", {":lo": N(2), ":hi": N(3)})
    assert not check("s BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)})
    assert not check("absent BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)})
    assert check("s BETWEEN :lo AND :hi", {":lo": S("a"), ":hi": S("z")})
    # bounds from the item: a type mismatch or wrong order is just false
    assert not check("a BETWEEN b AND :hi", {":hi": N(1)})
    assert not check("a BETWEEN :lo AND s", {":lo": N(0)})


def test_between_constant_bounds_errors():
    with raises(
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
        "equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
        "AttributeValue: {N:1}"
    ):
        check("a BETWEEN :lo AND :hi", {":lo": N(5), ":hi": N(1)})
    with raises(
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper "
        "bounds; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {S:dog}"
    ):
        check("a BETWEEN :lo AND :hi", {":lo": N(2), ":hi": S("dog")})
    with pytest.raises(ValidationException):
        check("a BETWEEN :lo AND :hi", {":lo": {"L": []}, ":hi": {"L": []}})


def test_in():
    assert check("a IN (:x, :y)", {":x": S("dog"), ":y": N(1)})
    assert not check("a IN (:x)", {":x": N(3)})
    assert check("a IN (b, a)")
    assert not check("absent IN (:x)", {":x": N(3)})
    assert check("m IN (:x)", {":x": ITEM["m"]})


def test_in_operand_limits():
    values = {f":v{i}": N(i) for i in range(100)}
    assert check("a IN ({})".format(",".join(values)), values)
    values = {f":v{i}": N(i) for i in range(101)}
    with pytest.raises(ValidationException, match="IN"):
        check("a IN ({})".format(",".join(values)), values)
    with pytest.raises(ValidationException, match="Syntax error"):
        check("a IN ()")


# -- functions -------------------------------------------------------------------------------------


def test_attribute_exists_and_not_exists():
    assert check("attribute_exists(a)")
    assert check("attribute_exists (m.y.z)")
    assert not check("attribute_exists(m.y.q)")
    assert check("attribute_not_exists(nope)")
    assert not check("attribute_not_exists(l[0])")
    assert check("attribute_not_exists(l[9])")
    assert check("attribute_not_exists(pk)", item=None)
    assert not check("attribute_exists(pk)", item=None)


def test_attribute_exists_requires_path():
    with raises(
        "Invalid ConditionExpression: Operator or function requires a document path; "
        "operator or function: attribute_exists"
    ):
        check("attribute_exists(:v)", {":v": N(1)})


@pytest.mark.parametrize(
    "attr, type_name",
    [("s", "S"), ("ss", "SS"), ("a", "N"), ("ns", "NS"), ("bin", "B"), ("bs", "BS"), ("t", "BOOL"), ("z", "NULL"), ("l", "L"), ("m", "M")],
)
def test_attribute_type(attr, type_name):
    assert check(f"attribute_type({attr}, :t)", {":t": S(type_name)})
    other = "S" if type_name != "S" else "N"
    assert not check(f"attribute_type({attr}, :t)", {":t": S(other)})


def test_attribute_type_errors():
    with raises(
        "Invalid ConditionExpression: Invalid attribute type name found; type: DOG, "
        "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"
    ):
        check("attribute_type(a, :t)", {":t": S("DOG")})
    with pytest.raises(ValidationException):
        check("attribute_type(a, b)")
    assert check("attribute_type(:v, :t)", {":v": N(0), ":t": S("N")})


def test_begins_with():
    assert check("begins_with(s, :p)", {":p": S("hell")})
    assert not check("begins_with(s, :p)", {":p": S("dog")})
    assert check("begins_with(bin, :p)", {":p": B(b"hi")})
    assert not check("begins_with(a, :p)", {":p": S("1")})
    assert check("begins_with(:str, s)", {":str": S("hellohi")})
    with raises(
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N"
    ):
        check("begins_with(s, :p)", {":p": N(2)})


def test_contains():
    assert check("contains(s, :v)", {":v": S("ell")})
    assert check("contains(bin, :v)", {":v": B(b"here")})
    assert check("contains(ss, :v)", {":v": S("a")})
    assert not check("contains(ss, :v)", {":v": N(1)})
    assert check("contains(ns, :v)", {":v": N("2.50")})
    assert check("contains(bs, :v)", {":v": B(b"\x02")})
    assert check("contains(l, :v)", {":v": N(4)})
    assert check("contains(l, :v)", {":v": {"SS": ["q", "p"]}})
    assert not check("contains(a, :v)", {":v": N(1)})
    assert not check("contains(nope, :v)", {":v": N(1)})
    assert check("contains(s, s)" if False else "contains(m.arr, :v)", {":v": S("e0")})


def test_contains_same_operand_rejected():
    with raises(
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands "
        "for this operator or function; operator: contains, first operand: [data]"
    ):
        check("contains(#a, #a)", names={"#a": "data"})


def test_size():
    assert check("size(s) = :v", {":v": N(5)})
    assert check("size(bin) = :v", {":v": N(8)})
    assert check("size(ss) = :v", {":v": N(2)})
    assert check("size(l) = :v", {":v": N(4)})
    assert check("size(m) = :v", {":v": N(3)})
    assert check("size(m.arr) < size(l)")
    assert not check("size(a) = :v", {":v": N(1)})
    assert not check("size(nope) >= :v", {":v": N(0)})
    assert check("size(:x) = :v", {":x": S("abc"), ":v": N(3)})
    with raises(
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: size, operand type: N"
    ):
        check("size(:x) = :v", {":x": N(123), ":v": N(3)})
    with raises(
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: size, operand type: N"
    ):
        check("size(size(s)) = :v", {":v": N(3)})
    with raises(
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
        "operator or function: size, number of operands: 2"
    ):
        check("size(a, a) = :v", {":v": N(3)})


def test_function_misuse():
    with raises(
        "Invalid ConditionExpression: The function is not allowed to be used this way in an "
        "expression; function: size"
    ):
        check("size(a)")
    with raises(
        "Invalid ConditionExpression: The function is not allowed to be used this way in an "
        "expression; function: attribute_exists"
    ):
        check("attribute_exists(a) = :v", {":v": {"BOOL": True}})
    with raises("Invalid FilterExpression: Invalid function name; function: dog"):
        check("dog(a)", kind="FilterExpression")
    with pytest.raises(ValidationException, match="list_append"):
        check("list_append(a, b) = :v", {":v": N(1)}, kind="FilterExpression")
    with pytest.raises(ValidationException, match="if_not_exists"):
        check("if_not_exists(a, :v) = :v", {":v": N(1)})
    with raises("Invalid ConditionExpression: Invalid function name; function: Begins_With"):
        check("Begins_With(s, :p)", {":p": S("h")})


# -- logic and precedence --------------------------------------------------------------------------


def test_logic_and_case_insensitive_keywords():
    assert check("a = :one and b = :two", {":one": N(1), ":two": N(2)})
    assert check("a = :two Or b = :two", {":two": N(2)})
    assert not check("NOT a = :one", {":one": N(1)})
    assert check("not not a = :one", {":one": N(1)})
    # AND binds tighter than OR; NOT tighter than AND
    assert check("a = :two AND b = :two OR a = :one", {":one": N(1), ":two": N(2)})
    assert not check("a = :two AND (b = :two OR a = :one)", {":one": N(1), ":two": N(2)})
    assert not check("NOT a = :one AND b = :two", {":one": N(1), ":two": N(2)})
    assert check("NOT (a = :one AND b = :one)", {":one": N(1)})


def test_short_circuit_still_marks_placeholders_used():
    assert check("a = :one OR #x = :two", {":one": N(1), ":two": N(2)}, {"#x": "b"})


def test_parentheses():
    assert check("(a = :one)", {":one": N(1)})
    assert check("((a = :one) and a = :one)", {":one": N(1)})
    with raises("Invalid ConditionExpression: The expression has redundant parentheses;"):
        check("((a = :one))", {":one": N(1)})


def test_single_value_is_not_a_condition():
    for text in ("a", ":v", "NOT a", "a AND :v"):
        with pytest.raises(ValidationException, match="Syntax error"):
            check(text, {":v": {"BOOL": True}} if ":v" in text else None)


# -- names, values, reserved words -----------------------------------------------------------------


def test_names_and_nested_names():
    assert check("#s = :v", {":v": S("hello")}, {"#s": "s"})
    assert check("#m.#y.z = :v", {":v": S("deep")}, {"#m": "m", "#y": "y"})
    assert check("#dotted = :v", {":v": N(1)}, {"#dotted": "a.b"}, item={"a.b": N(1)})


def test_reserved_word():
    with raises("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"):
        check("status = :v", {":v": N(1)})
    with raises("Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: Data"):
        check("m.Data = :v", {":v": N(1)}, kind="FilterExpression")


def test_undefined_placeholders():
    with raises(
        "Invalid FilterExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #missing"
    ):
        check("#missing = :v", {":v": N(1)}, kind="FilterExpression")
    with raises(
        "Invalid ConditionExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :v"
    ):
        check("a = :v")


def test_unused_placeholders():
    ctx = ExpressionContext({"#a": "a", "#unused": "x"}, {":v": N(1)})
    ctx.condition("#a = :v")
    with raises("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"):
        ctx.finish()
    ctx = ExpressionContext(None, {":v": N(1), ":a": N(1), ":b": N(2)})
    ctx.condition("a = :v")
    with raises("Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b}"):
        ctx.finish()


def test_context_validation():
    with raises("ExpressionAttributeNames must not be empty"):
        ExpressionContext({}, None)
    with raises("ExpressionAttributeValues must not be empty"):
        ExpressionContext(None, {})
    with raises('ExpressionAttributeNames contains invalid key: Syntax error; key: "n"'):
        ExpressionContext({"n": "x"}, None)
    with raises('ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'):
        ExpressionContext(None, {"v": N(1)})
    with raises("ExpressionAttributeNames contains invalid value: Empty attribute name for key #n"):
        ExpressionContext({"#n": ""}, None)
    with raises(
        "ExpressionAttributeValues contains invalid value: One or more parameter values were "
        "invalid: An string set  may not be empty for key :v"
    ):
        ExpressionContext(None, {":v": {"SS": []}})
    ctx = ExpressionContext(None, {":v": N("1.50")})
    assert ctx.values[":v"] == N("1.5")


# -- syntax and limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("a =", 'Syntax error; token: "<EOF>", near: "a ="'),
        ("a-b", 'Syntax error; token: "-", near: "a-b"'),
        ("a != b", 'Syntax error; token: "!", near: "a !="'),
        ("a = :v b", 'Syntax error; token: "b", near: ":v b"'),
        ("_a = :v", 'Syntax error; token: "_", near: "_a"'),
        ("a[x] = :v", 'Syntax error; token: "x", near: "[x]"'),
        ("a[-1] = :v", 'Syntax error; token: "-", near: "[-1"'),
    ],
)
def test_syntax_errors(text, message):
    with raises("Invalid ConditionExpression: " + message):
        check(text, {":v": N(1)})


def test_empty_and_oversized():
    with raises("Invalid ConditionExpression: The expression can not be empty;"):
        check("  ")
    text = "a<b " + "or a<b " * 585
    with raises(f"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: {len(text)}"):
        check(text)


def test_operator_limit():
    ok = "a<b " + "or (a<b " * 149 + ")" * 149
    assert check(ok)
    bad = "a<b " + "or (a<b " * 454 + ")" * 454
    with raises("Invalid ConditionExpression: The expression contains too many operators; operator count: 301"):
        check(bad)


def test_list_index_range_and_depth():
    with raises("Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999]"):
        check("attribute_exists(a[99999999999999])")
    deep = "a" + ".b" * 31
    assert not check(f"attribute_exists({deep})")
    with raises("Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"):
        check(f"attribute_exists({deep}.c)")


def test_references_attributes():
    ctx = ExpressionContext({"#p": "pk"}, {":v": N(1)})
    cond = ctx.condition("#p = :v AND m.x > :v OR size(l[0]) > :v", "FilterExpression")
    assert condition_references_attributes(cond) == {"pk", "m", "l"}


def test_deep_nesting_is_rejected_cleanly():
    with raises("Invalid ConditionExpression: The expression has redundant parentheses;"):
        check("(" * 2000 + "a<b" + ")" * 2000)
    with raises("Invalid ConditionExpression: The expression has redundant parentheses;"):
        check("(" * 4000)
    with raises("Invalid ConditionExpression: The expression contains too many operators; operator count: 301"):
        check("NOT " * 1000 + "a<b")
    with raises("Invalid ConditionExpression: The expression contains too many operators; operator count: 301"):
        check("size(" * 680 + "a" + ")" * 680 + " = :v", {":v": N(1)})
    assert check("(NOT " * 299 + "a<b" + ")" * 299) is False
    assert check("a = :two " + "OR a = :two AND b = :two " * 50 + "OR b = :two", {":two": N(2)})
