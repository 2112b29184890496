"""Optimized integrations end to end against the Cloud's real SQS, SNS, EventBridge, DynamoDB and
Lambda services (no fakes).

Shapes: DG connect-sqs / connect-sns / connect-eventbridge / connect-ddb / connect-lambda.
Error names: ``<SERVICE>.<SDK exception>`` (``SQS.QueueDoesNotExistException``,
``SNS.NotFoundException``, ``DynamoDB.ConditionalCheckFailedException``,
``Lambda.ResourceNotFoundException``); ``EventBridge.FailedEntry`` when PutEvents reports a
failed entry (DG connect-eventbridge).
"""

from __future__ import annotations

import json

from serverless_sim import Cloud

from sfn_helpers import make, types


def task(resource: str, params: dict, **extra: object) -> dict:
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
                                             "Parameters": params, "End": True, **extra}}}


def run(cloud: Cloud, definition: dict, inp: object = None, name: str = "sm") -> tuple:
    _, sfn, arn = make(definition, cloud=cloud, name=name)
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(inp or {}))["executionArn"]
    cloud.run_until_idle()
    return sfn, ex, sfn.describe_execution(executionArn=ex)


def test_sqs_send_message_and_error_name():
    cloud = Cloud(seed=5)
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sfn, ex, desc = run(cloud, task("arn:aws:states:::sqs:sendMessage", {
        "QueueUrl": url, "MessageBody.$": "$.body",
        "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
        {"body": {"id": 7}})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    [msg] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(msg["Body"]) == {"id": 7}          # an object body is sent as JSON text
    assert msg["MessageAttributes"]["k"]["StringValue"] == "v"
    assert out["MessageId"] == msg["MessageId"] and out["MD5OfMessageBody"] == msg["MD5OfBody"]
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert out["SdkResponseMetadata"]["RequestId"]
    sfn, ex, desc = run(cloud, task("arn:aws:states:::sqs:sendMessage", {
        "QueueUrl": url + "-missing", "MessageBody": "x"}), name="sm2")
    assert desc["error"] == "SQS.QueueDoesNotExistException", desc
    assert "The specified queue does not exist" in desc["cause"]


def test_sqs_send_message_wait_for_task_token():
    cloud = Cloud(seed=5)
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="callbacks")["QueueUrl"]
    d = task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {
        "QueueUrl": url, "MessageBody": {"input.$": "$", "token.$": "$$.Task.Token"}},
        TimeoutSeconds=300)
    _, sfn, arn = make(d, cloud=cloud)
    ex = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
    cloud.advance(5)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    [msg] = sqs.receive_message(QueueUrl=url)["Messages"]
    body = json.loads(msg["Body"])
    assert body["input"] == {"n": 1}
    sfn.send_task_success(taskToken=body["token"], output='{"done": true}')
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex)
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"done": True}
    assert "TaskSubmitted" in types(sfn, ex)


def test_sns_publish_to_real_topic():
    cloud = Cloud(seed=5)
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    url = sqs.create_queue(QueueName="sink")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qarn,
                  Attributes={"RawMessageDelivery": "true"})
    sfn, ex, desc = run(cloud, task("arn:aws:states:::sns:publish", {
        "TopicArn": topic, "Message.$": "$", "Subject": "hi"}), {"order": 1})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert set(out) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    [msg] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(msg["Body"]) == {"order": 1}
    sfn, ex, desc = run(cloud, task("arn:aws:states:::sns:publish", {
        "TopicArn": topic + "-nope", "Message": "m"}), name="sm2")
    assert desc["error"] == "SNS.NotFoundException", desc


def test_eventbridge_put_events_routes_and_appends_resources():
    cloud = Cloud(seed=5)
    events, sqs = cloud.client("events"), cloud.client("sqs")
    url = sqs.create_queue(QueueName="ev")["QueueUrl"]
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    events.put_rule(Name="r", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": qarn}])
    sfn, ex, desc = run(cloud, task("arn:aws:states:::events:putEvents", {"Entries": [
        {"Source": "shop", "DetailType": "Order", "Detail": {"id.$": "$.id"}}]}), {"id": 3})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert out["FailedEntryCount"] == 0 and len(out["Entries"]) == 1
    [msg] = sqs.receive_message(QueueUrl=url)["Messages"]
    event = json.loads(msg["Body"])
    assert event["detail"] == {"id": 3} and event["id"] == out["Entries"][0]["EventId"]
    assert event["resources"] == [desc["stateMachineArn"], ex]
    # an entry PutEvents refuses (no DetailType) fails the task with EventBridge.FailedEntry
    sfn, ex, desc = run(cloud, task("arn:aws:states:::events:putEvents", {"Entries": [
        {"Source": "shop", "Detail": "{}"}]}), name="sm2")
    assert desc["status"] == "FAILED" and desc["error"] == "EventBridge.FailedEntry", desc


def test_dynamodb_against_the_real_engine():
    cloud = Cloud(seed=5)
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="tbl", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    cloud.run_until_idle()
    key = {"id": {"S.$": "$.id"}}
    d = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "tbl", "Item": {"id": {"S.$": "$.id"},
                                                          "n": {"N": "1"}}},
                "ResultPath": "$.put", "Next": "Upd"},
        "Upd": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                "Parameters": {"TableName": "tbl", "Key": key, "UpdateExpression": "ADD n :one",
                               "ExpressionAttributeValues": {":one": {"N": "1"}},
                               "ReturnValues": "ALL_NEW"},
                "ResultSelector": {"n.$": "$.Attributes.n.N"}, "ResultPath": "$.upd",
                "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "tbl", "Key": key}, "ResultPath": "$.get",
                "Next": "Dup"},
        "Dup": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "tbl", "Item": {"id": {"S.$": "$.id"}},
                               "ConditionExpression": "attribute_not_exists(id)"},
                "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                           "ResultPath": "$.dup", "Next": "Del"}], "Next": "Del"},
        "Del": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
                "Parameters": {"TableName": "tbl", "Key": key}, "ResultPath": None,
                "End": True}}}
    sfn, ex, desc = run(cloud, d, {"id": "a"})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert out["upd"] == {"n": "2"}
    assert out["get"]["Item"] == {"id": {"S": "a"}, "n": {"N": "2"}}
    assert out["get"]["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert out["dup"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert "Item" not in ddb.get_item(TableName="tbl", Key={"id": {"S": "a"}})
    sfn, ex, desc = run(cloud, task("arn:aws:states:::dynamodb:getItem", {
        "TableName": "missing", "Key": {"id": {"S": "a"}}}), name="sm2")
    assert desc["error"] == "DynamoDB.ResourceNotFoundException", desc


def test_lambda_against_the_real_service():
    cloud = Cloud(seed=5)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("double", lambda e, ctx: {"v": e["v"] * 2}, duration=0.25)

    def boom(e, ctx):
        raise ValueError("bad input")

    lam.create_function_from_callable("boom", boom)
    arn = cloud.client("lambda").get_function(FunctionName="double")["Configuration"][
        "FunctionArn"]
    d = {"StartAt": "Plain", "States": {
        "Plain": {"Type": "Task", "Resource": arn, "ResultPath": "$.plain", "Next": "Opt"},
        "Opt": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "double", "Payload.$": "$.plain"},
                "ResultPath": "$.opt", "Next": "Boom"},
        "Boom": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "boom", "Payload": {}},
                 "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.err",
                            "Next": "Missing"}], "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "nope", "Payload": {}},
                    "Catch": [{"ErrorEquals": ["Lambda.ResourceNotFoundException"],
                               "ResultPath": "$.missing", "Next": "Done"}], "Next": "Done"},
        "Done": {"Type": "Succeed"}}}
    sfn, ex, desc = run(cloud, d, {"v": 3})
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    assert out["plain"] == {"v": 6}
    assert out["opt"]["Payload"] == {"v": 12} and out["opt"]["StatusCode"] == 200
    assert out["err"]["Error"] == "ValueError"
    assert json.loads(out["err"]["Cause"])["errorMessage"] == "bad input"
    assert out["missing"]["Error"] == "Lambda.ResourceNotFoundException"
    t = types(sfn, ex)
    assert "LambdaFunctionSucceeded" in t and "TaskSucceeded" in t
    # the task completed after the function's modelled duration, on the clock
    hist = sfn.get_execution_history(executionArn=ex)["events"]
    sched = next(e for e in hist if e["type"] == "LambdaFunctionScheduled")
    done = next(e for e in hist if e["type"] == "LambdaFunctionSucceeded")
    assert (done["timestamp"] - sched["timestamp"]).total_seconds() >= 0.25
