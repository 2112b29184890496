"""JSONata query language: Arguments, Output, Assign, {% %} expressions, $states, Choice
Condition, Map Items/ItemSelector, Wait Seconds, Fail Error/Cause, and
States.QueryEvaluationError (DG transforming-data, workflow-variables).
"""

from __future__ import annotations

from sfn_helpers import failure, output, run


def ja(states, start="S"):
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def test_output_and_states_input():
    d = ja({"S": {"Type": "Pass", "Output": {"total": "{% $sum($states.input.xs) %}",
                                             "static": [1, "{% 'a' & 'b' %}"]}, "End": True}})
    assert output(d, {"xs": [1, 2, 3]}) == {"total": 6, "static": [1, "ab"]}


def test_assign_sees_old_values_and_output_in_parallel():
    d = ja({
        "A": {"Type": "Pass", "Assign": {"n": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}", "old": "{% $n %}"},
              "Output": {"n": "{% $n %}"}, "Next": "C"},
        "C": {"Type": "Pass", "Output": {"n": "{% $n %}", "old": "{% $old %}"}, "End": True}},
        start="A")
    assert output(d) == {"n": 2, "old": 1}


def test_choice_condition_and_context():
    d = ja({
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.v > 5 %}", "Next": "Big",
             "Assign": {"which": "big"}}], "Default": "Small"},
        "Big": {"Type": "Pass", "Output": {"w": "{% $which %}",
                                           "state": "{% $states.context.State.Name %}"},
                "End": True},
        "Small": {"Type": "Pass", "Output": "small", "End": True}}, start="C")
    assert output(d, {"v": 9}) == {"w": "big", "state": "Big"}
    assert output(d, {"v": 1}) == "small"


def test_map_items_and_item_selector():
    d = ja({"M": {"Type": "Map", "Items": "{% $states.input.xs %}",
                  "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}",
                                   "v": "{% $states.context.Map.Item.Value * 10 %}"},
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass",
                                                                     "End": True}}},
                  "End": True}}, start="M")
    assert output(d, {"xs": [1, 2]}) == [{"i": 0, "v": 10}, {"i": 1, "v": 20}]


def test_wait_seconds_expression_and_fail_fields():
    d = ja({"W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "F"},
            "F": {"Type": "Fail", "Error": "{% 'E' & $string($states.input.s) %}",
                  "Cause": "done"}}, start="W")
    desc, _ = run(d, {"s": 7})
    assert (desc["error"], desc["cause"]) == ("E7", "done")
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() == 7


def test_undefined_is_a_query_evaluation_error():
    error, cause = failure(ja({"S": {"Type": "Pass", "Output": "{% $states.input.nope %}",
                                     "End": True}}), {})
    assert error == "States.QueryEvaluationError"
    assert "returned nothing (undefined)" in cause
    error, _ = failure(ja({"S": {"Type": "Pass", "Output": "{% 'a' + 1 %}", "End": True}}))
    assert error == "States.QueryEvaluationError"


def test_aws_functions_and_virtual_now():
    d = ja({"S": {"Type": "Pass", "Output": {
        "p": "{% $partition([1,2,3], 2) %}", "r": "{% $range(0, 4, 2) %}",
        "h": "{% $hash('input data', 'SHA-1') %}", "parsed": "{% $parse('{\"a\":1}') %}",
        "now": "{% $now() %}", "u": "{% $uuid() %}", "null": "{% null %}"}, "End": True}})
    out = output(d)
    assert out["p"] == [[1, 2], [3]] and out["r"] == [0, 2, 4]
    assert out["h"] == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert out["parsed"] == {"a": 1} and out["null"] is None
    assert out["now"] == "2026-01-01T00:00:00.000Z"
    assert len(out["u"]) == 36


def test_mixed_machine_jsonata_state_in_jsonpath_machine():
    d = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "Next": "B"},
        "B": {"Type": "Pass", "QueryLanguage": "JSONata",
              "Output": "{% $states.input.x * 2 %}", "End": True}}}
    assert output(d, {"x": 4}) == 8
