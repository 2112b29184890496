"""Task integrations through the Cloud's wire operations (fake Lambda and DynamoDB services),
nested executions, callbacks, activities and Step Functions Local-style mocks.

Shapes: DG connect-lambda (lambda:invoke result {ExecutedVersion, Payload, SdkHttpMetadata,
SdkResponseMetadata, StatusCode}), connect-ddb, connect-stepfunctions (.sync Output as a string,
.sync:2 as JSON), connect-to-resource (waitForTaskToken), concepts-activities,
sfn-local-mock-cfg-file (MockedResponses "0" / "1-2" with Return / Throw).
"""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud
from sfn_fakes import install
from sfn_helpers import ROLE, events, make, types

ACCOUNT = "123456789012"


def go(d, input=None, lambdas=None, cloud=None, type="STANDARD", name="sm"):
    cloud = cloud or Cloud(seed=5)
    if "lambda" not in cloud._services:
        install(cloud, lambdas or {})
    cloud, sfn, arn = make(d, cloud=cloud, type=type, name=name)
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input or {}))["executionArn"]
    cloud.run_until_idle()
    return cloud, sfn, ex, sfn.describe_execution(executionArn=ex)


def test_lambda_invoke_optimized_shape_and_history():
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "double", "Payload.$": "$"}, "End": True}}}
    cloud, sfn, ex, desc = go(d, {"n": 21}, {"double": lambda e: {"n": e["n"] * 2}})
    out = json.loads(desc["output"])
    assert out["Payload"] == {"n": 42} and out["StatusCode"] == 200
    assert out["ExecutedVersion"] == "$LATEST"
    assert set(out) == {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata",
                        "StatusCode"}
    ev = events(sfn, ex)
    assert [e["type"] for e in ev] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                       "TaskStarted", "TaskSucceeded", "TaskStateExited",
                                       "ExecutionSucceeded"]
    sched = ev[2]["taskScheduledEventDetails"]
    assert sched["resourceType"] == "lambda" and sched["resource"] == "invoke"
    assert json.loads(sched["parameters"]) == {"FunctionName": "double", "Payload": {"n": 21}}
    assert [e["previousEventId"] for e in ev] == [0, 0, 2, 3, 4, 5, 6]


def test_plain_function_arn_returns_the_payload():
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hello",
        "End": True}}}
    cloud, sfn, ex, desc = go(d, {"who": "x"}, {"hello": lambda e: f"hi {e['who']}"})
    assert json.loads(desc["output"]) == "hi x"
    assert types(sfn, ex)[2:5] == ["LambdaFunctionScheduled", "LambdaFunctionStarted",
                                   "LambdaFunctionSucceeded"]


def test_function_error_and_service_error():
    def boom(e):
        raise ValueError("bad input")
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "boom", "Payload": {}}, "End": True}}}
    cloud, sfn, ex, desc = go(d, lambdas={"boom": boom})
    assert desc["error"] == "ValueError"
    assert json.loads(desc["cause"])["errorMessage"] == "bad input"
    assert types(sfn, ex)[-2] == "TaskFailed"
    d["States"]["T"]["Parameters"]["FunctionName"] = "missing"
    cloud, sfn, ex, desc = go(d)
    assert desc["error"] == "Lambda.ResourceNotFoundException"
    assert "Error Code: ResourceNotFoundException" in desc["cause"]


def test_dynamodb_put_get_update_delete():
    put = {"TableName": "t", "Item": {"id": {"S.$": "$.id"}, "v": {"N": "1"}}}
    d = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": put, "ResultPath": None, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}},
                "ResultSelector": {"v.$": "$.Item.v.N"}, "ResultPath": "$.got", "Next": "Upd"},
        "Upd": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}},
                               "UpdateExpression": "SET n = :n",
                               "ExpressionAttributeValues": {":n": {"N": "5"}}},
                "ResultPath": "$.upd", "Next": "Del"},
        "Del": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
                "Parameters": {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}},
                "ResultPath": None, "End": True}}}
    cloud, sfn, ex, desc = go(d, {"id": "a"})
    out = json.loads(desc["output"])
    assert out["got"] == {"v": "1"}
    assert out["upd"]["Attributes"]["n"] == {"N": "5"}
    assert cloud._services["dynamodb"].items == {}


def test_dynamodb_error_name():
    d = {"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": "t", "Item": {"id": {"S": "a"}},
                       "ConditionExpression": "attribute_not_exists(id)"},
        "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Dup"}],
        "Next": "Put2"},
        "Put2": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                 "Parameters": {"TableName": "t", "Item": {"id": {"S": "a"}},
                                "ConditionExpression": "attribute_not_exists(id)"},
                 "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                            "Next": "Dup"}], "End": True},
        "Dup": {"Type": "Pass", "Result": "duplicate", "End": True}}}
    cloud, sfn, ex, desc = go(d)
    assert json.loads(desc["output"]) == "duplicate"


def test_aws_sdk_integration_error_prefix():
    d = {"StartAt": "G", "States": {"G": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "Parameters": {"TableName": "t", "Key": {"id": {"S": "zz"}}}, "End": True}}}
    cloud, sfn, ex, desc = go(d)
    assert json.loads(desc["output"]) == {}


def test_nested_start_execution_sync_and_sync2():
    cloud = Cloud(seed=9)
    install(cloud, {})
    child_def = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "Next": "P"},
                                             "P": {"Type": "Pass", "Result": {"r": 1},
                                                   "End": True}}}
    _, sfn, child = make(child_def, cloud=cloud, name="child")
    for suffix, expect_str in ((".sync", True), (".sync:2", False), ("", None)):
        d = {"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution" + suffix,
            "Parameters": {"StateMachineArn": child, "Input": {"x": 1}}, "End": True}}}
        c, s, ex, desc = go(d, cloud=cloud, name="parent" + suffix.replace(".", "").replace(":", ""))
        out = json.loads(desc["output"])
        if expect_str is None:
            assert set(out) == {"ExecutionArn", "StartDate"}
            continue
        assert out["Status"] == "SUCCEEDED"
        assert (json.loads(out["Output"]) if expect_str else out["Output"]) == {"r": 1}
        assert "TaskSubmitted" in types(sfn, ex)


def test_wait_for_task_token_success_and_failure():
    cloud = Cloud(seed=2)
    lam, _ = install(cloud, {"notify": lambda e: None})
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}},
        "End": True}}}
    cloud, sfn, arn = make(d, cloud=cloud)
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    cloud.advance(10)
    token = lam.calls[0][1]["token"]
    with pytest.raises(sfn.exceptions.InvalidOutput):
        sfn.send_task_success(taskToken=token, output="{bad")
    sfn.send_task_success(taskToken=token, output='{"approved": true}')
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex)
    assert json.loads(desc["output"]) == {"approved": True}
    assert types(sfn, ex)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted",
                                   "TaskSucceeded"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_success(taskToken="nope", output="{}")
    ex2 = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    cloud.advance(1)
    sfn.send_task_failure(taskToken=lam.calls[1][1]["token"], error="Denied", cause="no")
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex2)
    assert (desc["error"], desc["cause"]) == ("Denied", "no")


def test_activities():
    cloud = Cloud(seed=4)
    sfn = cloud.client("stepfunctions")
    act = sfn.create_activity(name="approve")["activityArn"]
    assert act == f"arn:aws:states:us-east-1:{ACCOUNT}:activity:approve"
    d = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": act,
                                          "HeartbeatSeconds": 100, "End": True}}}
    cloud, sfn, arn = make(d, cloud=cloud)
    assert sfn.get_activity_task(activityArn=act).get("taskToken") is None
    ex = sfn.start_execution(stateMachineArn=arn, input='{"doc": 1}')["executionArn"]
    cloud.advance(1)
    task = sfn.get_activity_task(activityArn=act, workerName="w1")
    assert json.loads(task["input"]) == {"doc": 1}
    sfn.send_task_success(taskToken=task["taskToken"], output='"ok"')
    cloud.run_until_idle()
    assert json.loads(sfn.describe_execution(executionArn=ex)["output"]) == "ok"
    assert types(sfn, ex)[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    assert events(sfn, ex)[3]["activityStartedEventDetails"] == {"workerName": "w1"}
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.describe_activity(activityArn=act + "x")


def test_mock_configuration_like_step_functions_local():
    """DG sfn-local-mock-cfg-file: "0" -> Throw, "1-2" -> Return; retries count."""
    cloud = Cloud(seed=8)
    d = {"StartAt": "Check", "States": {"Check": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "real-function-not-called", "Payload.$": "$"},
        "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1}],
        "OutputPath": "$.Payload", "End": True}}}
    cloud, sfn, arn = make(d, cloud=cloud, name="LambdaSQSIntegration")
    cloud.service("stepfunctions").mock_config = {
        "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
            "RetryPath": {"Check": "MockedLambdaRetry"}}}},
        "MockedResponses": {"MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "transient"}},
            "1-2": {"Return": {"StatusCode": 200, "Payload": {"mocked": True}}}}}}
    ex = sfn.start_execution(stateMachineArn=arn + "#RetryPath")["executionArn"]
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex)
    assert json.loads(desc["output"]) == {"mocked": True}
    assert types(sfn, ex).count("TaskFailed") == 1


def test_express_sync_execution_returns_the_result():
    d = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "Next": "P"},
                                    "P": {"Type": "Pass", "Parameters": {"x.$": "$.x"},
                                          "End": True}}}
    cloud, sfn, arn = make(d, type="EXPRESS")
    r = sfn.start_sync_execution(stateMachineArn=arn, input='{"x": 3}')
    assert r["status"] == "SUCCEEDED" and json.loads(r["output"]) == {"x": 3}
    assert (r["stopDate"] - r["startDate"]).total_seconds() == 30
    assert cloud.now == r["stopDate"]
    assert r["billingDetails"]["billedDurationInMilliseconds"] == 30_000
    assert ":express:sm:" in r["executionArn"]


def test_express_five_minute_limit_and_no_history():
    d = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    cloud, sfn, arn = make(d, type="EXPRESS")
    r = sfn.start_sync_execution(stateMachineArn=arn)
    assert r["status"] == "TIMED_OUT"
    assert (r["stopDate"] - r["startDate"]).total_seconds() == 300
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.get_execution_history(executionArn=r["executionArn"])
    std_cloud, std, std_arn = make(d)
    with pytest.raises(std.exceptions.StateMachineTypeNotSupported):
        std.start_sync_execution(stateMachineArn=std_arn)


def test_real_lambda_service_task_takes_the_invocation_duration():
    """With the Cloud's own Lambda engine the task completes at the invocation's end instant."""
    pytest.importorskip("serverless_sim.awslambda")
    cloud = Cloud(seed=7)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("score", lambda e, ctx: {"v": e["n"] * 2}, duration=1.5)
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "score", "Payload.$": "$"}, "OutputPath": "$.Payload",
        "End": True}}}
    cloud, sfn, arn = make(d, cloud=cloud)
    ex = sfn.start_execution(stateMachineArn=arn, input='{"n": 21}')["executionArn"]
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex)
    assert json.loads(desc["output"]) == {"v": 42}
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() >= 1.5
