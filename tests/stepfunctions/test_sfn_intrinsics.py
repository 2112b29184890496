"""Intrinsic functions, end to end through a Pass state's Parameters.

Expected values are the examples of the Developer Guide's "Intrinsic functions" page
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html) unless a test
says otherwise; behaviours marked "observed on AWS" come from /work/shared/reference/asl-features.md.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, strategies as st

from serverless_sim.stepfunctions.asl.intrinsics import (
    Env, IntrinsicSyntaxError, evaluate, parse_intrinsic,
)
from serverless_sim.stepfunctions.errors import StatesError
from sfn_helpers import failure, one, output


def call(expr, data=None):
    return output(one({"Type": "Pass", "Parameters": {"r.$": expr}}), data or {})["r"]


def test_format():
    """DG: States.Format('Hello, my name is {}.', $.name) with name Arnav."""
    assert call("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}) == \
        "Hello, my name is Arnav."


def test_format_escapes_and_non_strings():
    assert call("States.Format('\\{\\} {} \\'q\\' {}', 1, true)") == "{} 1 'q' true"
    assert call("States.Format('{}', $.o)", {"o": {"Arg1": 1, "Arg2": []}}) == "{Arg1=1, Arg2=[]}"


def test_string_to_json_and_back():
    """DG: StringToJson of "{\\"foo\\": \\"bar\\"}" is {"foo": "bar"}; JsonToString is compact."""
    assert call("States.StringToJson($.s)", {"s": "{\"foo\": \"bar\"}"}) == {"foo": "bar"}
    assert call("States.JsonToString($.j)", {"j": {"foo": "bar", "zebra": "stripe"}}) == \
        '{"foo":"bar","zebra":"stripe"}'
    assert call("States.StringToJson('')") is None


def test_array():
    """DG: States.Array('Foo', 2020, $.someJson, null)."""
    assert call("States.Array('Foo', 2020, $.someJson, null)", {"someJson": {"random": "abcdefg"}}) \
        == ["Foo", 2020, {"random": "abcdefg"}, None]


NUMS = {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}


def test_array_functions_from_the_guide():
    assert call("States.ArrayPartition($.inputArray, 4)", NUMS) == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert call("States.ArrayContains($.inputArray, 5)", NUMS) is True
    assert call("States.ArrayContains($.inputArray, 10)", NUMS) is False
    assert call("States.ArrayRange(1, 9, 2)") == [1, 3, 5, 7, 9]
    assert call("States.ArrayRange(0, 9, 3)") == [0, 3, 6, 9]
    assert call("States.ArrayGetItem($.inputArray, 5)", NUMS) == 6
    assert call("States.ArrayLength($.inputArray)", NUMS) == 9
    assert call("States.ArrayUnique($.a)", {"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]}) == [1, 2, 3, 4]


def test_base64_and_hash():
    """DG: "Data to encode" <-> "RGF0YSB0byBlbmNvZGU="; SHA-1 of "input data"."""
    assert call("States.Base64Encode('Data to encode')") == "RGF0YSB0byBlbmNvZGU="
    assert call("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')") == "Data to encode"
    assert call("States.Hash('input data', 'SHA-1')") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    for alg, n in (("MD5", 32), ("SHA-256", 64), ("SHA-384", 96), ("SHA-512", 128)):
        assert len(call(f"States.Hash('x', '{alg}')")) == n


def test_json_merge_is_shallow():
    """DG: JsonMerge($.json1, $.json2, false): the second object's "a" wins entirely."""
    data = {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}}
    assert call("States.JsonMerge($.json1, $.json2, false)", data) == \
        {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}


def test_math():
    """DG: MathAdd(111, -1) is 110; MathAdd rounds decimals like Java's Math.round (observed)."""
    assert call("States.MathAdd(111, -1)") == 110
    assert call("States.MathAdd(1.5, -1.5)") == 1  # 2 + (-1)
    r = call("States.MathRandom(1, 999)")
    assert 1 <= r < 999
    assert call("States.MathRandom(1, 999, 42)") == call("States.MathRandom(1, 999, 42)")


def test_string_split():
    """DG: StringSplit('1,2,3,4,5', ',') and ('This.is+a,test=string', '.+,=')."""
    assert call("States.StringSplit('1,2,3,4,5', ',')") == ["1", "2", "3", "4", "5"]
    assert call("States.StringSplit($.s, $.d)", {"s": "This.is+a,test=string", "d": ".+,="}) == \
        ["This", "is", "a", "test", "string"]
    assert call("States.StringSplit(',,,,', ',')") == []


def test_uuid_is_v4_and_deterministic_per_seed():
    u = call("States.UUID()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
    assert call("States.UUID()") == u  # same seed, same execution position


def test_nested_calls_and_context_arguments():
    assert call("States.ArrayLength(States.Array(1, 2, States.Array(3)))") == 3
    out = output(one({"Type": "Pass",
                      "Parameters": {"n.$": "States.Format('{}', $$.State.Name)"}}))
    assert out == {"n": "S"}


@pytest.mark.parametrize("expr,fragment", [
    ("States.ArrayGetItem($.a, 5)", "ArrayGetItem"),
    ("States.ArrayPartition($.a, 0)", "ArrayPartition"),
    ("States.ArrayRange(0, 2000, 1)", "1000"),
    ("States.Format('{} {}', 1)", "States.Format"),
    ("States.StringToJson('{nope')", "StringToJson"),
    ("States.Base64Decode('***')", "Base64Decode"),
    ("States.Hash('x', 'SHA-3')", "algorithm"),
    ("States.JsonMerge($.a, $.a, false)", "JsonMerge"),
    ("States.ArrayLength('x')", "ArrayLength"),
    ("States.MathAdd(1, 'x')", "MathAdd"),
])
def test_bad_arguments_raise_intrinsic_failure(expr, fragment):
    error, cause = failure(one({"Type": "Pass", "Parameters": {"r.$": expr}}), {"a": [1]})
    assert error == "States.IntrinsicFailure"
    assert fragment in cause


def test_intrinsic_failure_is_catchable():
    d = {"StartAt": "P", "States": {
        "P": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:nope:x",
              "Parameters": {"r.$": "States.ArrayGetItem($.a, 9)"},
              "Catch": [{"ErrorEquals": ["States.IntrinsicFailure"], "Next": "Ok"}], "End": True},
        "Ok": {"Type": "Succeed"}}}
    assert output(d, {"a": []}) == {"Error": "States.IntrinsicFailure",
                                     "Cause": output(d, {"a": []})["Cause"]}


@pytest.mark.parametrize("bad", [
    "States.Nope()", "States.Format('x'", "States.Format('x\\q')", "States.Array(1,)",
    "States.Array(1) x", "States.Format('unterminated)",
    "States.Array(" * 11 + ")" * 11,
])
def test_malformed_calls_are_definition_errors(bad):
    with pytest.raises(IntrinsicSyntaxError):
        parse_intrinsic(bad)


@given(st.text(alphabet="States.FormatArrayJsonMathAddUUID()',$.a[0]1 -\\{}tru", max_size=40))
def test_any_text_is_a_call_or_a_syntax_error_and_evaluates_or_fails_as_aws(text):
    """Hypothesis: the intrinsic parser and evaluator answer with a value or an AWS error."""
    try:
        c = parse_intrinsic(text)
    except IntrinsicSyntaxError:
        return
    env = Env({"a": [1, "x", None]}, {"Execution": {}}, {}, None)
    try:
        v = evaluate(c, env)
    except StatesError as e:
        assert e.error in ("States.IntrinsicFailure", "States.Runtime")
    else:
        json.dumps(v)
