"""Choice state: every comparison operator, its Path variant, the type tests, And/Or/Not,
Default and States.NoChoiceMatched.

Rules: https://states-language.net/spec.html#choice-state ("Choice Rules") and the Developer
Guide's state-choice page (its examples: NumericEquals 1 -> "Public", StringMatches "log-*.txt",
And with NumericGreaterThanEquals 20 / NumericLessThan 30).
"""

from __future__ import annotations

import pytest

from sfn_helpers import failure, output, run


def choose(rule, data):
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
        "Yes": {"Type": "Pass", "Result": "yes", "End": True},
        "No": {"Type": "Pass", "Result": "no", "End": True}}}
    return output(d, data) == "yes"


TS1, TS2 = "2016-03-14T01:59:00Z", "2016-03-14T02:59:00+01:00"  # TS2 is TS1 + 0s? no: 01:59Z


@pytest.mark.parametrize("op,value,data,expected", [
    ("StringEquals", "a", "a", True), ("StringEquals", "a", "b", False),
    ("StringEquals", "1", 1, False),
    ("StringLessThan", "b", "a", True), ("StringGreaterThan", "b", "c", True),
    ("StringLessThanEquals", "a", "a", True), ("StringGreaterThanEquals", "b", "a", False),
    ("NumericEquals", 1, 1.0, True), ("NumericEquals", 1, "1", False),
    ("NumericEquals", 1, True, False),
    ("NumericLessThan", 2, 1, True), ("NumericGreaterThan", 2, 3, True),
    ("NumericLessThanEquals", 2, 2, True), ("NumericGreaterThanEquals", 2, 1.5, False),
    ("BooleanEquals", True, True, True), ("BooleanEquals", True, 1, False),
    ("TimestampEquals", TS1, "2016-03-14T01:59:00.000Z", True),
    ("TimestampEquals", TS1, "2016-03-14T02:59:00+01:00", True),
    ("TimestampLessThan", TS1, "2016-03-14T01:58:59Z", True),
    ("TimestampGreaterThan", TS1, "2017-01-01T00:00:00Z", True),
    ("TimestampLessThanEquals", TS1, TS1, True),
    ("TimestampGreaterThanEquals", TS1, "2016-03-14", False),  # not a timestamp -> false
    ("StringMatches", "log-*.txt", "log-2024.txt", True),
    ("StringMatches", "log-*.txt", "log-2024.csv", False),
    ("StringMatches", "a\\*b", "a*b", True), ("StringMatches", "a\\*b", "axb", False),
    ("StringMatches", "a\\\\*", "a\\anything", True),
    ("IsNull", True, None, True), ("IsNull", False, None, False),
    ("IsNumeric", True, 1.5, True), ("IsNumeric", True, "1", False),
    ("IsString", True, "x", True), ("IsBoolean", True, False, True),
    ("IsTimestamp", True, TS1, True), ("IsTimestamp", True, "2016-03-14 01:59:00", False),
])
def test_operator(op, value, data, expected):
    assert choose({"Variable": "$.v", op: value}, {"v": data}) is expected


@pytest.mark.parametrize("op,a,b,expected", [
    ("StringEqualsPath", "x", "x", True), ("StringLessThanPath", "a", "b", True),
    ("StringGreaterThanPath", "a", "b", False), ("StringLessThanEqualsPath", "b", "b", True),
    ("StringGreaterThanEqualsPath", "c", "b", True),
    ("NumericEqualsPath", 3, 3.0, True), ("NumericLessThanPath", 1, 2, True),
    ("NumericGreaterThanPath", 1, 2, False), ("NumericLessThanEqualsPath", 2, 2, True),
    ("NumericGreaterThanEqualsPath", 2, 3, False),
    ("BooleanEqualsPath", False, False, True), ("BooleanEqualsPath", False, True, False),
    ("TimestampEqualsPath", TS1, TS1, True),
    ("TimestampLessThanPath", TS1, "2020-01-01T00:00:00Z", True),
    ("TimestampGreaterThanPath", TS1, "2020-01-01T00:00:00Z", False),
    ("TimestampLessThanEqualsPath", TS1, TS1, True),
    ("TimestampGreaterThanEqualsPath", TS1, TS1, True),
])
def test_path_operator(op, a, b, expected):
    assert choose({"Variable": "$.a", op: "$.b"}, {"a": a, "b": b}) is expected


def test_is_present():
    assert choose({"Variable": "$.v", "IsPresent": True}, {"v": None}) is True
    assert choose({"Variable": "$.v", "IsPresent": True}, {}) is False
    assert choose({"Variable": "$.v", "IsPresent": False}, {}) is True


def test_and_or_not_from_the_guide():
    """DG state-choice: And of NumericGreaterThanEquals 20 and NumericLessThan 30."""
    rule = {"And": [{"Variable": "$.value", "IsPresent": True},
                    {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                    {"Variable": "$.value", "NumericLessThan": 30}]}
    assert choose(rule, {"value": 25}) is True
    assert choose(rule, {"value": 30}) is False
    assert choose({"Or": [{"Variable": "$.a", "BooleanEquals": True},
                          {"Not": {"Variable": "$.b", "StringEquals": "x"}}]},
                  {"a": False, "b": "y"}) is True


def test_first_matching_rule_wins_and_default():
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "A"},
            {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "B"}], "Default": "D"},
        "A": {"Type": "Pass", "Result": "A", "End": True},
        "B": {"Type": "Pass", "Result": "B", "End": True},
        "D": {"Type": "Pass", "Result": "D", "End": True}}}
    assert output(d, {"n": 5}) == "A"
    assert output(d, {"n": -1}) == "D"


def test_no_choice_matched():
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "A"}]},
        "A": {"Type": "Succeed"}}}
    error, _ = failure(d, {"n": 2})
    assert error == "States.NoChoiceMatched"


def test_missing_variable_is_a_runtime_error():
    """Observed on AWS: "Invalid path '$.x': The choice state's condition path references an
    invalid value." (States.Runtime)."""
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}],
              "Default": "A"},
        "A": {"Type": "Succeed"}}}
    error, cause = failure(d, {})
    assert error == "States.Runtime"
    assert "Invalid path '$.x': The choice state's condition path references an invalid value." \
        in cause


def test_choice_input_and_output_paths():
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "InputPath": "$.attributes", "OutputPath": "$.tutor",
              "Choices": [{"Variable": "$.tutor", "IsPresent": True, "Next": "Found"}],
              "Default": "Missing"},
        "Found": {"Type": "Succeed"}, "Missing": {"Type": "Fail"}}}
    assert output(d, {"attributes": {"tutor": {"user_id": 2}}}) == {"user_id": 2}


@pytest.mark.parametrize("rule", [
    {"Variable": "$.a", "StringEquals": 1},
    {"Variable": "$.a", "NumericEquals": "1"},
    {"Variable": "$.a", "BooleanEquals": "true"},
    {"Variable": "$.a", "TimestampEquals": "yesterday"},
    {"Variable": "$.a", "IsNull": "yes"},
    {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1},
    {"Variable": "$.a"},
    {"Variable": "a.b", "StringEquals": "x"},
    {"And": []},
    {"Not": {"Variable": "$.a", "StringEquals": "x", "Next": "A"}},
    {"Variable": "$.a", "StringEqualz": "x"},
])
def test_malformed_rules_are_rejected(rule):
    from serverless_sim import Cloud
    import json
    sfn = Cloud().client("stepfunctions")
    d = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{**rule, "Next": "A"}]}, "A": {"Type": "Succeed"}}}
    r = sfn.validate_state_machine_definition(definition=json.dumps(d))
    assert r["result"] == "FAIL"
    assert r["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"
    assert r["diagnostics"][0]["location"].startswith("/States/C/Choices[0]")
