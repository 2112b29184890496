"""UpdateExpression: SET/REMOVE/ADD/DELETE semantics, validation and runtime errors."""

from __future__ import annotations

import contextlib
import copy

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


def L(*xs):
    return {"L": list(xs)}


def M(**kw):
    return {"M": kw}


BASE = {
    "pk": S("k"),
    "a": N(5),
    "s": S("hello"),
    "lst": L(S("one"), S("two"), S("three")),
    "m": M(x=N(1), kid=M(y=S("deep")), arr=L(N(0), N(1))),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
}


def upd(text, values=None, names=None, item=BASE, key_names=("pk",)):
    original = copy.deepcopy(item)
    ctx = ExpressionContext(names, values)
    u = ctx.update(text)
    ctx.finish()
    try:
        return u.apply(item, key_names=key_names)
    finally:
        assert item == original, "apply() mutated its input"


# -- SET -----------------------------------------------------------------------------------------


def test_set_top_level_and_merge():
    out = upd("SET b = :v, c = :w", {":v": N(1), ":w": S("x")})
    assert out["b"] == N(1) and out["c"] == S("x") and out["a"] == N(5)


def test_set_copy_and_missing_source():
    assert upd("SET b = a")["b"] == N(5)
    with raises("The provided expression refers to an attribute that does not exist in the item"):
        upd("SET b = nope")
    with raises("The provided expression refers to an attribute that does not exist in the item"):
        upd("SET b = a", item=None)
    # right-hand sides read the item before any action applies
    with raises("The provided expression refers to an attribute that does not exist in the item"):
        upd("SET x = :v, y = x", {":v": N(1)})
    out = upd("REMOVE a SET b = a")
    assert "a" not in out and out["b"] == N(5)


def test_set_arithmetic():
    assert upd("SET a = a + :one", {":one": N(1)})["a"] == N(6)
    assert upd("SET a = a - :v", {":v": N("0.5")})["a"] == N("4.5")
    assert upd("SET b = :x + :y", {":x": N(1), ":y": N("10000000000000000000000")})["b"] == N(
        "10000000000000000000001"
    )
    assert upd("SET a = if_not_exists(nope, :z) + :v", {":z": N(0), ":v": N(3)})["a"] == N(3)
    with raises("An operand in the update expression has an incorrect data type"):
        upd("SET b = s + :one", {":one": N(1)})
    with raises(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator or function: +, operand type: S"
    ):
        upd("SET b = a + :s", {":s": S("x")})
    with raises("Number overflow. Attempting to store a number with magnitude larger than supported range"):
        upd("SET b = :x + :y", {":x": N("9E125"), ":y": N("9E125")})
    with raises("The provided expression refers to an attribute that does not exist in the item"):
        upd("SET b = b + :one", {":one": N(1)})


def test_set_three_operands_is_syntax_error():
    with pytest.raises(ValidationException, match="Syntax error"):
        upd("SET b = :x + :y + :z", {":x": N(1), ":y": N(1), ":z": N(1)})
    with pytest.raises(ValidationException, match="Syntax error"):
        upd("SET c = if_not_exists(c, :x + :y)", {":x": N(1), ":y": N(1)})


def test_list_append():
    assert upd("SET lst = list_append(lst, :v)", {":v": L(S("four"))})["lst"] == L(
        S("one"), S("two"), S("three"), S("four")
    )
    assert upd("SET lst = list_append(:v, lst)", {":v": L(S("zero"))})["lst"]["L"][0] == S("zero")
    out = upd("SET n = list_append(if_not_exists(n, :empty), :v)", {":empty": L(), ":v": L(N(1))})
    assert out["n"] == L(N(1))
    with raises("An operand in the update expression has an incorrect data type"):
        upd("SET x = list_append(s, :v)", {":v": L(N(1))})
    with raises("The provided expression refers to an attribute that does not exist in the item"):
        upd("SET x = list_append(nope, :v)", {":v": L(N(1))})
    with raises(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator or function: list_append, operand type: S"
    ):
        upd("SET x = list_append(:a, :b)", {":a": L(), ":b": S("hi")})
    with raises(
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
        "operator or function: list_append, number of operands: 1"
    ):
        upd("SET x = list_append(:a)", {":a": L()})
    with raises(
        "Invalid UpdateExpression: The function is not allowed to be used this way in an "
        "expression; function: list_append"
    ):
        upd("SET x = list_append(list_append(:a, :a), :a)", {":a": L()})
    with raises("Invalid UpdateExpression: Invalid function name; function: f"):
        upd("SET x = f(:a)", {":a": L()})
    with pytest.raises(ValidationException, match="Invalid function name; function: List_Append"):
        upd("SET x = List_Append(:a, :a)", {":a": L()})


def test_if_not_exists():
    assert upd("SET a = if_not_exists(a, :v)", {":v": N(9)})["a"] == N(5)
    assert upd("SET b = if_not_exists(b, :v)", {":v": N(9)})["b"] == N(9)
    assert upd("SET b = if_not_exists(a, :v)", {":v": N(9)})["b"] == N(5)
    assert upd("SET b = if_not_exists(b, if_not_exists(c, :v))", {":v": N(3)})["b"] == N(3)
    with raises(
        "Invalid UpdateExpression: Operator or function requires a document path; "
        "operator or function: if_not_exists"
    ):
        upd("SET b = if_not_exists(:v, :v)", {":v": N(9)})
    with raises(
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :w"
    ):
        upd("SET b = if_not_exists(:w, :v)", {":v": N(9)})
    with raises("Invalid UpdateExpression: The function is not allowed in an update expression; function: size"):
        upd("SET b = size(a)")


def test_set_nested():
    out = upd("SET m.x = :v, m.kid.z = :w, m.arr[1] = :v", {":v": N(2), ":w": S("new")})
    assert out["m"] == M(x=N(2), kid=M(y=S("deep"), z=S("new")), arr=L(N(0), N(2)))
    assert BASE["m"]["M"]["x"] == N(1)
    # unchanged siblings are shared, not copied
    out = upd("SET m.x = :v", {":v": N(2)})
    assert out["m"]["M"]["kid"] is BASE["m"]["M"]["kid"]
    assert out["lst"] is BASE["lst"]


def test_set_list_past_end_appends_in_index_order():
    out = upd("SET lst[7] = :v", {":v": S("hello")})
    assert out["lst"] == L(S("one"), S("two"), S("three"), S("hello"))
    out = upd(
        "SET lst[84] = :a1, lst[37] = :a2, lst[17] = :a3, lst[50] = :a4",
        {":a1": S("a1"), ":a2": S("a2"), ":a3": S("a3"), ":a4": S("a4")},
    )
    assert [v["S"] for v in out["lst"]["L"]] == ["one", "two", "three", "a3", "a2", "a4", "a1"]


def test_bad_document_paths():
    msg = "The document path provided in the update expression is invalid for update"
    with raises(msg):
        upd("SET s.c = :v", {":v": N(1)})
    with raises(msg):
        upd("SET lst.c = :v", {":v": N(1)})
    with raises(msg):
        upd("SET nope.c = :v", {":v": N(1)})
    with raises(msg):
        upd("SET s[0] = :v", {":v": N(1)})
    with raises(msg):
        upd("SET nope.c = :v", {":v": N(1)}, item=None)
    with raises(msg):
        upd("REMOVE nope.c")
    with raises(msg):
        upd("REMOVE s[0]")


# -- REMOVE ----------------------------------------------------------------------------------------


def test_remove():
    out = upd("REMOVE a, s")
    assert "a" not in out and "s" not in out
    assert upd("REMOVE nope") == BASE
    out = upd("REMOVE m.kid.y, m.x")
    assert out["m"] == M(kid=M(), arr=L(N(0), N(1)))
    assert upd("REMOVE m.nope") == BASE
    assert upd("REMOVE lst[17]") == BASE
    assert upd("REMOVE nope.x", item=None) == {}


def test_remove_list_elements_uses_original_indexes():
    out = upd("REMOVE lst[0], lst[2]")
    assert out["lst"] == L(S("two"))
    out = upd("REMOVE lst[1] SET lst[2] = :v", {":v": S("THREE")})
    assert out["lst"] == L(S("one"), S("THREE"))
    out = upd("SET lst[2] = :v REMOVE lst[1]", {":v": S("THREE")})
    assert out["lst"] == L(S("one"), S("THREE"))
    assert upd("REMOVE m.arr[0], m.arr[1]")["m"]["M"]["arr"] == L()


# -- ADD / DELETE ----------------------------------------------------------------------------------


def test_add_numbers_and_sets():
    assert upd("ADD a :v", {":v": N(2)})["a"] == N(7)
    assert upd("ADD newn :v", {":v": N(2)})["newn"] == N(2)
    assert upd("ADD newn :v", {":v": N(2)}, item=None) == {"newn": N(2)}
    out = upd("ADD ss :v", {":v": {"SS": ["b", "c"]}})
    assert sorted(out["ss"]["SS"]) == ["a", "b", "c"]
    assert upd("ADD ns :v", {":v": {"NS": ["3"]}})["ns"] == {"NS": ["1", "2", "3"]}
    assert upd("ADD newset :v", {":v": {"BS": [b"x"]}})["newset"] == {"BS": [b"x"]}
    assert upd("ADD m.x :v", {":v": N(1)})["m"]["M"]["x"] == N(2)
    with raises("An operand in the update expression has an incorrect data type"):
        upd("ADD s :v", {":v": N(1)})
    with raises("An operand in the update expression has an incorrect data type"):
        upd("ADD ss :v", {":v": {"NS": ["1"]}})
    with raises(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator: ADD, operand type: STRING"
    ):
        upd("ADD a :v", {":v": S("x")})
    with raises(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator: ADD, operand type: LIST"
    ):
        upd("ADD lst :v", {":v": L(N(1))})


def test_delete_from_sets():
    assert upd("DELETE ss :v", {":v": {"SS": ["a"]}})["ss"] == {"SS": ["b"]}
    assert upd("DELETE ss :v", {":v": {"SS": ["zzz"]}})["ss"] == BASE["ss"]
    assert "ss" not in upd("DELETE ss :v", {":v": {"SS": ["a", "b"]}})
    assert "nope" not in upd("DELETE nope :v", {":v": {"SS": ["a"]}})
    assert upd("DELETE ns :v", {":v": {"NS": ["2"]}})["ns"] == {"NS": ["1"]}
    with raises("An operand in the update expression has an incorrect data type"):
        upd("DELETE s :v", {":v": {"SS": ["a"]}})
    with raises(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        "operator: DELETE, operand type: NUMBER"
    ):
        upd("DELETE ns :v", {":v": N(1)})


# -- validation -----------------------------------------------------------------------------------


def test_clauses_case_whitespace_and_duplicates():
    out = upd("set b = :v remove a add c :n delete ss :s", {":v": N(1), ":n": N(1), ":s": {"SS": ["a"]}})
    assert out["b"] == N(1) and "a" not in out and out["c"] == N(1) and out["ss"] == {"SS": ["b"]}
    assert upd("  SET   b=:v  ", {":v": N(1)})["b"] == N(1)
    with raises('Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'):
        upd("SET a = :v REMOVE b SET c = :v", {":v": N(1)})
    with raises('Invalid UpdateExpression: Syntax error; token: "HELLO", near: "HELLO a"'):
        upd("HELLO a = :v", {":v": N(1)})
    with raises("Invalid UpdateExpression: The expression can not be empty;"):
        upd("")
    with pytest.raises(ValidationException, match="Syntax error"):
        upd("SET :v = a", {":v": N(1)})


def test_overlapping_and_conflicting_paths():
    with raises(
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
        "one of these paths; path one: [a], path two: [a, b]"
    ):
        upd("SET a = :v REMOVE a.b", {":v": N(1)})
    with raises(
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
        "one of these paths; path one: [a], path two: [a]"
    ):
        upd("SET #x = :v REMOVE a", {":v": N(1)}, {"#x": "a"})
    with raises(
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite "
        "one of these paths; path one: [a, b], path two: [a, [1]]"
    ):
        upd("SET a.b = :v, a[1] = :v", {":v": N(1)})
    # siblings are fine
    out = upd("SET m.x = :v, m.kid.y = :v, m.arr[0] = :v, b = :v", {":v": N(9)})
    assert out["m"]["M"]["kid"]["M"]["y"] == N(9)


def test_key_attributes_cannot_be_updated():
    with raises(
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    ):
        upd("SET pk = :v", {":v": S("x")})
    with raises(
        "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"
    ):
        upd("REMOVE sk", key_names=("pk", "sk"))


def test_reserved_words_and_placeholders():
    with raises("Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"):
        upd("SET status = :v", {":v": N(1)})
    assert upd("SET #s = :v", {":v": N(1)}, {"#s": "status"})["status"] == N(1)
    with raises(
        "Invalid UpdateExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #s"
    ):
        upd("SET #s = :v", {":v": N(1)})
    with raises(
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :v"
    ):
        upd("SET attr1 = :v")


def test_dot_in_name_reference_is_literal():
    assert upd("SET #d = :v", {":v": N(1)}, {"#d": "a.b"})["a.b"] == N(1)


def test_updated_paths_projection():
    ctx = ExpressionContext(None, {":v": N(1)})
    u = ctx.update("SET m.x = :v, b = :v REMOVE s")
    new = u.apply(BASE)
    proj = u.updated_paths_projection()
    assert proj.apply(BASE) == {"m": M(x=N(1)), "s": S("hello")}
    assert proj.apply(new) == {"m": M(x=N(1)), "b": N(1)}
