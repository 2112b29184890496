"""SQS event source mappings: batches, visibility, partial failures, windows, scaling, filters.

https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
"""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud

S = 1_000_000


def setup(handler, *, duration=0.1, queue="jobs", attributes=None, **fn_kw):
    cloud = Cloud(seed=11)
    lam = cloud.service("lambda")
    calls = []

    def wrapped(event, context):
        calls.append((cloud.now_us - cloud.start_us, event))
        return handler(event, context)

    lam.create_function_from_callable("worker", wrapped, duration=duration, init_duration=0, **fn_kw)
    q = cloud.service("sqs").create_queue(queue, attributes=attributes or {"VisibilityTimeout": 30})
    return cloud, lam, q, calls


def bodies(event):
    return [r["body"] for r in event["Records"]]


def test_batch_event_shape_and_success_deletes():
    cloud, lam, q, calls = setup(lambda e, c: None)
    for i in range(3):
        q.send(f"m{i}", {"kind": "job"})
    esm = lam.map_event_source(q.arn, "worker")
    cloud.run_until_idle()
    [(t, event)] = calls
    assert t == 0 and bodies(event) == ["m0", "m1", "m2"]
    rec = event["Records"][0]
    assert rec["eventSource"] == "aws:sqs" and rec["eventSourceARN"] == q.arn and rec["awsRegion"] == "us-east-1"
    assert rec["messageAttributes"]["kind"]["stringValue"] == "job"
    assert rec["attributes"]["ApproximateReceiveCount"] == "1"
    assert len(q) == 0
    assert esm.describe()["State"] == "Enabled"
    assert not cloud.scheduler.busy  # nothing polls an empty queue


def test_default_batch_size_is_ten():
    cloud, lam, q, calls = setup(lambda e, c: None)
    for i in range(25):
        q.send(str(i))
    lam.map_event_source(q.arn, "worker")
    cloud.run_until_idle()
    assert sorted(len(e["Records"]) for _, e in calls) == [5, 10, 10]


def test_error_leaves_batch_in_flight_until_visibility_timeout_then_redrive():
    cloud = Cloud(seed=11)
    sqs = cloud.service("sqs")
    dlq = sqs.create_queue("dead")
    calls = []
    lam = cloud.service("lambda")

    def handler(event, context):
        calls.append((cloud.now_us - cloud.start_us) / S)
        raise RuntimeError("nope")

    lam.create_function_from_callable("worker", handler, duration=1.0, init_duration=0)
    q = sqs.create_queue("jobs", attributes={
        "VisibilityTimeout": 30, "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 3})})
    q.send("poison")
    lam.map_event_source(q.arn, "worker")
    cloud.run_until_idle()
    # received at 0, 30, 60 (visible again each time its 30 s visibility timeout ends) ...
    assert calls == [0.0, 30.0, 60.0]
    # ... and the 4th receive moves it to the queue's dead-letter queue
    assert len(q) == 0 and [m.body for m in dlq.receive(10)] == ["poison"]


def test_report_batch_item_failures_deletes_the_rest():
    def handler(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}

    cloud, lam, q, calls = setup(handler)
    for b in ("a", "bad", "c"):
        q.send(b)
    lam.map_event_source(q.arn, "worker", FunctionResponseTypes=["ReportBatchItemFailures"])
    cloud.advance(1)
    assert q.counts() == (0, 1, 0)       # only "bad" is left, in flight
    cloud.advance(30)
    assert [bodies(e) for _, e in calls] == [["a", "bad", "c"], ["bad"]]


@pytest.mark.parametrize("response,left", [
    (None, 0),
    ({}, 0),
    ({"batchItemFailures": []}, 0),
    ({"batchItemFailures": None}, 0),
    ({"batchItemFailures": [{"itemIdentifier": ""}]}, 2),
    ({"batchItemFailures": [{"itemIdentifier": None}]}, 2),
    ({"batchItemFailures": [{"itemIdentifier": "not-a-message-id"}]}, 2),
    ({"batchItemFailures": [{"id": "x"}]}, 2),
    ("not an object", 2),
])
def test_partial_batch_response_rules(response, left):
    cloud, lam, q, calls = setup(lambda e, c: response)
    q.send("x")
    q.send("y")
    lam.map_event_source(q.arn, "worker", FunctionResponseTypes=["ReportBatchItemFailures"])
    cloud.advance(1)
    assert len(q) == left


def test_exception_fails_whole_batch_even_with_report_batch_item_failures():
    def handler(event, context):
        raise ValueError("x")

    cloud, lam, q, calls = setup(handler)
    q.send("x")
    q.send("y")
    lam.map_event_source(q.arn, "worker", FunctionResponseTypes=["ReportBatchItemFailures"])
    cloud.advance(1)
    assert q.counts() == (0, 2, 0)


def test_batching_window_waits_for_a_full_batch_or_the_window():
    cloud, lam, q, calls = setup(lambda e, c: None)
    lam.map_event_source(q.arn, "worker", BatchSize=100, MaximumBatchingWindowInSeconds=5)
    for i in range(3):
        cloud.call_later(i, q.send, f"m{i}")
    cloud.run_until_idle()
    assert [(t / S, len(e["Records"])) for t, e in calls] == [(5.0, 3)]
    calls.clear()
    start = cloud.now_us - cloud.start_us
    for i in range(100):
        q.send(str(i))
    cloud.run_until_idle()
    assert [(t - start, len(e["Records"])) for t, e in calls] == [(0, 100)]  # full batch: no waiting


def test_filtered_out_messages_are_deleted_without_invocation():
    cloud, lam, q, calls = setup(lambda e, c: None)
    lam.map_event_source(q.arn, "worker", FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"type": ["order"]}})}]})
    q.send(json.dumps({"type": "order", "id": 1}))
    q.send(json.dumps({"type": "ping"}))
    q.send("plain text")
    cloud.run_until_idle()
    assert [[json.loads(b)["id"] for b in bodies(e)] for _, e in calls] == [[1]]
    assert len(q) == 0


def test_scaling_starts_at_five_and_adds_300_per_minute():
    cloud, lam, q, calls = setup(lambda e, c: None, duration=200.0, timeout=900,
                                 attributes={"VisibilityTimeout": 900})
    for i in range(1000):
        q.send(str(i))
    lam.map_event_source(q.arn, "worker", BatchSize=1)
    fn = lam.function("worker")
    cloud.advance(59)
    assert fn.in_flight == 5
    cloud.advance(2)
    assert fn.in_flight == 305
    cloud.advance(60)
    assert fn.in_flight == 605


def test_maximum_concurrency_caps_the_pollers():
    cloud, lam, q, calls = setup(lambda e, c: None, duration=200.0, timeout=900,
                                 attributes={"VisibilityTimeout": 900})
    for i in range(200):
        q.send(str(i))
    lam.map_event_source(q.arn, "worker", BatchSize=1, ScalingConfig={"MaximumConcurrency": 50})
    cloud.advance(130)
    assert lam.function("worker").in_flight == 50


def test_fifo_order_per_group():
    seen = []
    cloud, lam, q, calls = setup(lambda e, c: seen.extend(bodies(e)), queue="o.fifo",
                                 attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    for i in range(6):
        q.send(f"{'AB'[i % 2]}{i}", group_id="AB"[i % 2])
    lam.map_event_source(q.arn, "worker", BatchSize=1)
    cloud.run_until_idle()
    assert [b for b in seen if b[0] == "A"] == ["A0", "A2", "A4"]
    assert [b for b in seen if b[0] == "B"] == ["B1", "B3", "B5"]


def test_throttled_batch_is_retried():
    cloud, lam, q, calls = setup(lambda e, c: None, duration=2.0)
    cloud.client("lambda").put_function_concurrency(FunctionName="worker", ReservedConcurrentExecutions=1)
    for i in range(2):
        q.send(str(i))
    lam.map_event_source(q.arn, "worker", BatchSize=1)
    cloud.run_until_idle()
    # the second batch was throttled at 0 s, again at its retry 1 s later, and ran 2 s after that
    assert [t / S for t, _ in calls] == [0.0, 3.0]
    assert len(q) == 0


def test_api_shapes_and_validation():
    cloud, lam, q, calls = setup(lambda e, c: None)
    client = cloud.client("lambda")
    out = client.create_event_source_mapping(EventSourceArn=q.arn, FunctionName="worker")
    assert out["State"] == "Creating" and out["BatchSize"] == 10 and out["MaximumBatchingWindowInSeconds"] == 0
    assert out["FunctionArn"] == lam.function("worker").arn and out["EventSourceArn"] == q.arn
    uuid = out["UUID"]
    assert client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    with pytest.raises(client.exceptions.ResourceConflictException) as err:
        client.create_event_source_mapping(EventSourceArn=q.arn, FunctionName="worker")
    assert err.value.response["Error"]["Message"] == (
        f'The event source arn (" {q.arn} ") and function (" worker ") provided mapping already exists. '
        f"Please update or delete the existing mapping with UUID {uuid}")
    assert [m["UUID"] for m in client.list_event_source_mappings(FunctionName="worker")["EventSourceMappings"]] == [uuid]
    assert client.list_event_source_mappings(EventSourceArn="arn:aws:sqs:us-east-1:123456789012:x")["EventSourceMappings"] == []
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        client.update_event_source_mapping(UUID=uuid, BatchSize=11)
    assert "greater than 0 if maximum batch size is greater than 10" in err.value.response["Error"]["Message"]
    out = client.update_event_source_mapping(UUID=uuid, BatchSize=500, MaximumBatchingWindowInSeconds=2)
    assert out["State"] == "Updating" and out["BatchSize"] == 500
    with pytest.raises(client.exceptions.ValidationException):
        client.update_event_source_mapping(UUID=uuid, BatchSize=10_001)
    with pytest.raises(client.exceptions.ValidationException):
        client.update_event_source_mapping(UUID=uuid, MaximumBatchingWindowInSeconds=301)
    with pytest.raises(client.exceptions.ValidationException):
        client.update_event_source_mapping(UUID=uuid, ScalingConfig={"MaximumConcurrency": 1})
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        client.update_event_source_mapping(UUID=uuid, BisectBatchOnFunctionError=True)
    assert err.value.response["Error"]["Message"] == (
        "Unsupported BisectBatchOnFunctionError parameter for given event source mapping type.")
    assert client.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_event_source_mapping(UUID=uuid)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_event_source_mapping(EventSourceArn="arn:aws:sqs:us-east-1:123456789012:nope", FunctionName="worker")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_event_source_mapping(EventSourceArn=q.arn, FunctionName="worker",
                                           FilterCriteria={"Filters": [{"Pattern": "{not json"}]})


def test_fifo_batch_size_limit():
    cloud, lam, q, calls = setup(lambda e, c: None, queue="f.fifo", attributes={"FifoQueue": "true"})
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_event_source_mapping(EventSourceArn=q.arn, FunctionName="worker", BatchSize=11,
                                           MaximumBatchingWindowInSeconds=1)


def test_disabled_mapping_stops_polling_and_resumes():
    cloud, lam, q, calls = setup(lambda e, c: None)
    client = cloud.client("lambda")
    uuid = client.create_event_source_mapping(EventSourceArn=q.arn, FunctionName="worker", Enabled=False)["UUID"]
    assert client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    q.send("x")
    cloud.run_until_idle()
    assert calls == []
    client.update_event_source_mapping(UUID=uuid, Enabled=True)
    cloud.run_until_idle()
    assert len(calls) == 1 and len(q) == 0
