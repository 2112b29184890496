"""Destinations of asynchronous invocations: AWS's invocation record, to SQS, SNS, Lambda, EventBridge.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
"""

from __future__ import annotations

import json

from serverless_sim import Cloud

S = 1_000_000


def setup(handler, **kw):
    cloud = Cloud(seed=5)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", handler, duration=0.25, init_duration=0, **kw)
    return cloud, lam, cloud.service("sqs")


def fail(event, context):
    raise KeyError("missing")


def test_on_success_record_to_sqs():
    cloud, lam, sqs = setup(lambda e, c: {"doubled": e["n"] * 2})
    q = sqs.create_queue("ok")
    lam.configure_async("f", on_success=q.arn)
    rec = lam.invoke_async("f", {"n": 21})
    cloud.run_until_idle()
    [msg] = q.receive(10)
    body = json.loads(msg.body)
    assert body == {
        "version": "1.0",
        "timestamp": body["timestamp"],
        "requestContext": {
            "requestId": rec.request_id,
            "functionArn": lam.function("f").arn + ":$LATEST",
            "condition": "Success",
            "approximateInvokeCount": 1,
        },
        "requestPayload": {"n": 21},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"doubled": 42},
    }
    # the record is written when the invocation ends (0.25 s), millisecond precision, Z
    assert body["timestamp"].endswith(".250Z") and len(body["timestamp"]) == 24


def test_on_failure_record_after_retries_exhausted_to_sns():
    cloud, lam, sqs = setup(fail)
    sns = cloud.service("sns")
    topic = sns.create_topic("failures")
    sink = sqs.create_queue("sink")
    sns.subscribe(topic, "sqs", sink.arn, attributes={"RawMessageDelivery": "true"})
    lam.configure_async("f", on_failure=topic)
    lam.invoke_async("f", {"k": 1})
    cloud.run_until_idle()
    [msg] = sink.receive(10)
    body = json.loads(msg.body)
    assert body["requestContext"]["condition"] == "RetriesExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert body["responsePayload"]["errorType"] == "KeyError"
    assert body["responsePayload"]["errorMessage"] == "'missing'"


def test_wire_invocation_record_payloads_are_json():
    cloud = Cloud(seed=5)
    lam = cloud.service("lambda")
    lam.create_function_from_source("w", {"app.py": "def handler(event, context):\n    return {'got': event}\n"})
    q = cloud.service("sqs").create_queue("ok")
    client = cloud.client("lambda")
    client.put_function_event_invoke_config(FunctionName="w", DestinationConfig={"OnSuccess": {"Destination": q.arn}})
    client.invoke(FunctionName="w", InvocationType="Event", Payload=b'{"a": [1, 2]}')
    cloud.run_until_idle()
    body = json.loads(q.receive(1)[0].body)
    assert body["requestPayload"] == {"a": [1, 2]} and body["responsePayload"] == {"got": {"a": [1, 2]}}


def test_lambda_destination_gets_the_record_as_an_async_event():
    cloud, lam, sqs = setup(fail)
    seen = []
    lam.create_function_from_callable("audit", lambda e, c: seen.append(e), init_duration=0)
    lam.configure_async("f", max_retries=0, on_failure=lam.function("audit").arn)
    lam.invoke_async("f", "payload")
    cloud.run_until_idle()
    [record] = seen
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == "payload"


def test_eventbridge_destination_source_and_detail_type():
    cloud, lam, sqs = setup(lambda e, c: "fine")
    events = cloud.client("events")
    q = sqs.create_queue("bus-sink")
    events.put_rule(Name="results", EventPattern=json.dumps({"source": ["lambda"]}))
    events.put_targets(Rule="results", Targets=[{"Id": "1", "Arn": q.arn}])
    bus = events.describe_event_bus()["Arn"]
    lam.configure_async("f", on_success=bus)
    lam.invoke_async("f", 1)
    cloud.run_until_idle()
    [msg] = q.receive(10)
    event = json.loads(msg.body)
    assert event["source"] == "lambda"
    assert event["detail-type"] == "Lambda Function Invocation Result - Success"
    assert event["detail"]["requestContext"]["condition"] == "Success"
    assert lam.function("f").arn + ":$LATEST" in event["resources"]


def test_eventbridge_failure_detail_type():
    cloud, lam, sqs = setup(fail)
    events = cloud.client("events")
    q = sqs.create_queue("bus-sink")
    events.put_rule(Name="failed", EventPattern=json.dumps(
        {"detail-type": ["Lambda Function Invocation Result - Failure"]}))
    events.put_targets(Rule="failed", Targets=[{"Id": "1", "Arn": q.arn}])
    lam.configure_async("f", max_retries=0, on_failure=events.describe_event_bus()["Arn"])
    lam.invoke_async("f", 1)
    cloud.run_until_idle()
    assert len(q.receive(10)) == 1


def test_delivery_failures_counted_fifo_queue_and_missing_queue():
    cloud, lam, sqs = setup(lambda e, c: 1)
    fifo = sqs.create_queue("d.fifo", attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    lam.configure_async("f", on_success=fifo.arn)
    lam.invoke_async("f")
    cloud.run_until_idle()
    lam.configure_async("f", on_success="arn:aws:sqs:us-east-1:123456789012:nope")
    lam.invoke_async("f")
    cloud.run_until_idle()
    series = cloud.metrics.series("AWS/Lambda", "DestinationDeliveryFailures", {"FunctionName": "f"})
    assert sum(b.total for b in series.rows()) == 2
    assert len(fifo) == 0


def test_dlq_and_on_failure_both_receive():
    cloud, lam, sqs = setup(fail)
    dlq, dest = sqs.create_queue("dlq"), sqs.create_queue("dest")
    lam.set_dead_letter("f", dlq.arn)
    lam.configure_async("f", max_retries=0, on_failure=dest.arn)
    lam.invoke_async("f", {"x": 1})
    cloud.run_until_idle()
    assert json.loads(dlq.receive(1)[0].body) == {"x": 1}
    assert json.loads(dest.receive(1)[0].body)["requestPayload"] == {"x": 1}


def test_no_destination_for_synchronous_invocations():
    cloud, lam, sqs = setup(lambda e, c: 1)
    q = sqs.create_queue("ok")
    lam.configure_async("f", on_success=q.arn)
    lam.invoke("f", 1)
    cloud.run_until_idle()
    assert len(q) == 0
