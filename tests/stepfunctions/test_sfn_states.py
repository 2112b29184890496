"""State types and JSONPath-mode input/output processing.

Examples from the Developer Guide: input-output-inputpath-params (InputPath "$.dataset2",
Parameters with "comment"/"MyDetails"), input-output-resultpath (ResultPath "$.taskresult"),
input-output-example, state-pass (Result / ResultPath "$.coords"), state-wait, state-fail,
state-parallel, state-map (ItemsPath "$.shipped", ItemSelector with $$.Map.Item.Index),
input-output-contextobject, workflow-variables.
"""

from __future__ import annotations

import json

from sfn_helpers import events, failure, make, one, output, run, types


def test_pass_result_and_result_path_from_the_guide():
    """DG state-pass: Result {"x-datum": 0.381018, "y-datum": 622.2269926397355} at $.coords."""
    d = one({"Type": "Pass", "Result": {"x-datum": 0.381018, "y-datum": 622.2269926397355},
             "ResultPath": "$.coords"})
    inp = {"georefOf": "Home"}
    assert output(d, inp) == {"georefOf": "Home",
                              "coords": {"x-datum": 0.381018, "y-datum": 622.2269926397355}}


def test_pass_result_is_literal():
    """Observed on AWS: "k.$" keys inside Result are not evaluated."""
    assert output(one({"Type": "Pass", "Result": {"a.$": "$.x"}}), {"x": 1}) == {"a.$": "$.x"}


def test_input_path_parameters_from_the_guide():
    """DG input-output-inputpath-params."""
    d = one({"Type": "Pass", "Parameters": {
        "comment": "Selecting what I care about.",
        "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability",
                      "StaticValue": "foo"}}})
    inp = {"comment": "Example for Parameters.", "product": {
        "details": {"color": "blue", "size": "small", "material": "cotton"},
        "availability": "in stock", "sku": "2317", "cost": "$23"}}
    assert output(d, inp) == {"comment": "Selecting what I care about.",
                              "MyDetails": {"size": "small", "exists": "in stock",
                                            "StaticValue": "foo"}}
    assert output(one({"Type": "Pass", "InputPath": "$.dataset2"}),
                  {"dataset1": {"a": 1}, "dataset2": {"a": 2}}) == {"a": 2}


def test_result_path_variants():
    """DG input-output-resultpath: $ replaces, null discards, $.taskresult nests."""
    inp = {"comment": "x", "details": "d"}
    assert output(one({"Type": "Pass", "Result": "r"}), inp) == "r"
    assert output(one({"Type": "Pass", "Result": "r", "ResultPath": None}), inp) == inp
    assert output(one({"Type": "Pass", "Result": "r", "ResultPath": "$.taskresult"}), inp) == \
        {**inp, "taskresult": "r"}


def test_null_input_and_output_paths():
    assert output(one({"Type": "Pass", "InputPath": None}), {"a": 1}) == {}
    assert output(one({"Type": "Pass", "OutputPath": None}), {"a": 1}) == {}


def test_missing_paths_fail_with_aws_messages():
    error, cause = failure(one({"Type": "Pass", "InputPath": "$.nope"}), {"a": 1})
    assert error == "States.Runtime"
    assert cause == ("An error occurred while executing the state 'S' (entered at the event id "
                     "#2). Invalid path '$.nope' : No results for path: $['nope']")
    error, cause = failure(one({"Type": "Pass", "Parameters": {"address.$": "$.application.address"}}),
                           {"flagged": False})
    assert cause == ("An error occurred while executing the state 'S' (entered at the event id "
                     "#2). The JSONPath '$.application.address' specified for the field "
                     "'address.$' could not be found in the input '{\"flagged\":false}'")


def test_result_path_match_failure():
    error, cause = failure(one({"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"}), {"a": "str"})
    assert error == "States.ResultPathMatchFailure"
    assert "Unable to apply ReferencePath $.a.b" in cause


def test_context_object():
    """DG input-output-contextobject: $$.Execution.*, $$.State.*, $$.StateMachine.*."""
    d = one({"Type": "Pass", "Parameters": {"ctx.$": "$$"}})
    desc, (cloud, sfn, arn) = run(d, {"in": 1})
    ctx = json.loads(desc["output"])["ctx"]
    assert ctx["Execution"]["Id"] == arn
    assert ctx["Execution"]["Input"] == {"in": 1}
    assert ctx["Execution"]["StartTime"] == "2026-01-01T00:00:00.000Z"
    assert ctx["Execution"]["RoleArn"].endswith(":role/sfn")
    assert ctx["State"] == {"EnteredTime": "2026-01-01T00:00:00.000Z", "Name": "S",
                            "RetryCount": 0}
    assert ctx["StateMachine"]["Name"] == "sm"


def test_variables_with_assign():
    """DG workflow-variables: Assign values are visible to later states; all Assign entries of
    one state see the values from before the state."""
    d = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.in"}, "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"x.$": "$x", "z.$": "States.MathAdd($x, 10)"},
              "Parameters": {"x.$": "$x", "y.$": "$y"}, "Next": "C"},
        "C": {"Type": "Pass", "Parameters": {"z.$": "$z", "first.$": "$y.k"}, "End": True}}}
    assert output(d, {"in": {"k": "v"}}) == {"z": 11, "first": "v"}
    desc, (cloud, sfn, arn) = run(d, {"in": {"k": "v"}})
    exited = [e for e in events(sfn, arn) if e["type"] == "PassStateExited"][0]
    assert exited["stateExitedEventDetails"]["assignedVariables"] == {"x": "1", "y": '{"k":"v"}'}


def test_wait_seconds_timestamp_and_paths_on_the_virtual_clock():
    d = {"StartAt": "W1", "States": {
        "W1": {"Type": "Wait", "Seconds": 10, "Next": "W2"},
        "W2": {"Type": "Wait", "SecondsPath": "$.s", "Next": "W3"},
        "W3": {"Type": "Wait", "TimestampPath": "$.ts", "Next": "W4"},
        "W4": {"Type": "Wait", "Timestamp": "2026-01-02T00:00:00Z", "End": True}}}
    desc, (cloud, sfn, arn) = run(d, {"s": 5, "ts": "2026-01-01T01:00:00Z"})
    assert desc["status"] == "SUCCEEDED"
    exits = [e["timestamp"].isoformat() for e in events(sfn, arn)
             if e["type"] == "WaitStateExited"]
    assert exits == ["2026-01-01T00:00:10+00:00", "2026-01-01T00:00:15+00:00",
                     "2026-01-01T01:00:00+00:00", "2026-01-02T00:00:00+00:00"]


def test_wait_runtime_errors():
    error, cause = failure(one({"Type": "Wait", "SecondsPath": "$.s"}), {"s": -1})
    assert error == "States.Runtime"
    error, _ = failure(one({"Type": "Wait", "SecondsPath": "$.s"}), {"s": 1.5})
    assert error == "States.Runtime"
    error, _ = failure(one({"Type": "Wait", "TimestampPath": "$.t"}), {"t": "tomorrow"})
    assert error == "States.Runtime"


def test_fail_state_error_cause_and_paths():
    """DG state-fail: Error/Cause and ErrorPath/CausePath (paths may be intrinsics)."""
    assert failure(one({"Type": "Fail", "Error": "ErrorA", "Cause": "Kaiju attack"})) == \
        ("ErrorA", "Kaiju attack")
    assert failure(one({"Type": "Fail", "ErrorPath": "$.e",
                        "CausePath": "States.Format('cause: {}', $.c)"}), {"e": "E1", "c": "x"}) \
        == ("E1", "cause: x")


def test_succeed_with_paths():
    assert output(one({"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}),
                  {"a": {"b": 2}}) == 2


def test_parallel_outputs_in_branch_order_with_result_selector():
    d = one({"Type": "Parallel", "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
                                    "P": {"Type": "Pass", "Result": "slow", "End": True}}},
        {"StartAt": "P2", "States": {"P2": {"Type": "Pass", "Result": "fast", "End": True}}}],
        "ResultSelector": {"both.$": "$"}, "ResultPath": "$.r"})
    assert output(d, {"k": 1}) == {"k": 1, "r": {"both": ["slow", "fast"]}}
    desc, (cloud, sfn, arn) = run(d, {"k": 1})
    t = types(sfn, arn)
    assert t[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert t[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_parallel_branch_failure_fails_the_state_and_stops_others():
    d = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}},
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "c"}}}],
        "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Done"}],
        "End": True}, "Done": {"Type": "Succeed"}}}
    desc, (cloud, sfn, arn) = run(d, {})
    assert json.loads(desc["output"]) == {"err": {"Error": "Boom", "Cause": "c"}}
    assert desc["stopDate"] == desc["startDate"]  # the Wait branch was aborted, not waited for
    assert "ParallelStateFailed" in types(sfn, arn)


def test_map_items_path_item_selector_and_context():
    """DG state-map / input-output-itemselector: ItemsPath and $$.Map.Item.Index / Value."""
    d = one({"Type": "Map", "ItemsPath": "$.shipped", "MaxConcurrency": 2,
             "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value",
                              "orderId.$": "$.orderId"},
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "ResultPath": "$.out"})
    out = output(d, {"orderId": 7, "shipped": ["a", "b", "c"]})
    assert out["out"] == [{"index": 0, "value": "a", "orderId": 7},
                          {"index": 1, "value": "b", "orderId": 7},
                          {"index": 2, "value": "c", "orderId": 7}]


def test_map_legacy_iterator_and_parameters():
    d = one({"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value"},
             "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    assert output(d, [1, 2]) == [{"v": 1}, {"v": 2}]


def test_map_concurrency_is_respected_on_the_clock():
    d = one({"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}})
    desc, _ = run(d, [1, 2, 3, 4, 5])
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() == 30


def test_map_history_and_empty_map():
    d = one({"Type": "Map", "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    desc, (cloud, sfn, arn) = run(d, [1])
    assert types(sfn, arn) == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                               "MapIterationStarted", "PassStateEntered", "PassStateExited",
                               "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited",
                               "ExecutionSucceeded"]
    ev = events(sfn, arn)
    assert ev[2]["mapStateStartedEventDetails"] == {"length": 1}
    assert ev[3]["mapIterationStartedEventDetails"] == {"name": "S", "index": 0}
    assert output(d, []) == []


def test_map_non_array_is_runtime_error():
    error, _ = failure(one({"Type": "Map", "ItemsPath": "$.x", "ItemProcessor": {
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}), {"x": 1})
    assert error == "States.Runtime"


def test_map_iteration_failure_fails_the_map():
    d = one({"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "F"}],
              "Default": "P"},
        "F": {"Type": "Fail", "Error": "Two"}, "P": {"Type": "Pass", "End": True}}}})
    assert failure(d, [1, 2, 3])[0] == "Two"


def test_distributed_map_with_batching_and_tolerated_failures():
    proc = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Variable": "$.Items[0]", "NumericEquals": 3, "Next": "F"}], "Default": "P"},
                "F": {"Type": "Fail", "Error": "Bad"},
                "P": {"Type": "Pass", "End": True}}}
    d = one({"Type": "Map", "ItemProcessor": proc, "Label": "L",
             "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"k": 1}},
             "ToleratedFailureCount": 2})  # counts items: the failed batch [3, 4] is 2
    out = output(d, [1, 2, 3, 4, 5])
    assert out[0] == {"Items": [1, 2], "BatchInput": {"k": 1}}
    assert out[1]["Error"] == "Bad"
    d2 = one({"Type": "Map", "ItemProcessor": proc, "ItemBatcher": {"MaxItemsPerBatch": 2}})
    assert failure(d2, [1, 2, 3, 4, 5])[0] == "States.ExceedToleratedFailureThreshold"


def test_distributed_map_item_reader_hook():
    d = one({"Type": "Map", "ItemReader": {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
        "Parameters": {"Bucket": "b", "Key.$": "$.key"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})
    cloud, sfn, arn = make(d)
    seen = []

    def reader(resource, params, cfg):
        seen.append((resource, params))
        return [10, 20, 30]

    cloud.service("stepfunctions").item_reader = reader
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"key": "k.json"}))
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex["executionArn"])
    assert json.loads(desc["output"]) == [10, 20]
    assert seen == [("arn:aws:states:::s3:getObject", {"Bucket": "b", "Key": "k.json"})]
    assert "MapRunStarted" in types(sfn, ex["executionArn"])
