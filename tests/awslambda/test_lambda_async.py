"""Asynchronous invocation: retries, maximum event age, throttles, EventInvokeConfig, the DLQ.

AWS's numbers (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
function errors retried twice by default, 1 minute then 2 minutes apart; throttles retried with an
exponential backoff from 1 s to 5 minutes; events older than MaximumEventAgeInSeconds (60-21,600,
default 6 h) dropped; reserved concurrency 0 sends events to the DLQ without retries.
"""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud

S = 1_000_000


def boom(event, context):
    raise ValueError(f"bad {event}")


def make(fn=boom, duration=0.5, **kw):
    cloud = Cloud(seed=3)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", fn, duration=duration, init_duration=0, **kw)
    return cloud, lam


def starts(cloud, record):
    return [(inv.start_us - cloud.start_us) / S for inv in record.invocations]


def metric_sum(cloud, name, fn="f"):
    series = cloud.metrics.series("AWS/Lambda", name, {"FunctionName": fn})
    return 0 if series is None else sum(b.total for b in series.rows())


def test_function_errors_retried_twice_one_then_two_minutes_apart():
    cloud, lam = make()
    rec = lam.invoke_async("f", 1)
    cloud.run_until_idle()
    # attempt 1 at 0 ends at 0.5 s; the 2nd 60 s after that; the 3rd 120 s after the 2nd ends.
    assert starts(cloud, rec) == [0.0, 60.5, 181.0]
    assert rec.outcome == "RetriesExhausted" and rec.attempts == 3
    assert metric_sum(cloud, "AsyncEventsReceived") == 1
    assert metric_sum(cloud, "AsyncEventsDropped") == 1
    age = cloud.metrics.series("AWS/Lambda", "AsyncEventAge", {"FunctionName": "f"})
    assert sorted(b.maximum for b in age.rows()) == [0.0, 60_500.0, 181_000.0]


def test_success_is_not_retried_and_timeouts_are_function_errors():
    cloud, lam = make(lambda e, c: "ok")
    rec = lam.invoke_async("f", 1)
    cloud.run_until_idle()
    assert rec.outcome == "Success" and rec.attempts == 1
    cloud, lam = make(lambda e, c: None, duration=5.0, timeout=1)
    rec = lam.invoke_async("f", 1)
    cloud.run_until_idle()
    assert rec.attempts == 3 and rec.invocations[0].timed_out


def test_maximum_retry_attempts_zero_and_one():
    cloud, lam = make()
    lam.configure_async("f", max_retries=0)
    rec = lam.invoke_async("f")
    cloud.run_until_idle()
    assert starts(cloud, rec) == [0.0]
    lam.configure_async("f", max_retries=1)
    rec = lam.invoke_async("f")
    t0 = (cloud.now_us - cloud.start_us) / S
    cloud.run_until_idle()
    assert [s - t0 for s in starts(cloud, rec)] == [0.0, 60.5]


def test_event_older_than_maximum_age_is_dropped_before_its_retry():
    cloud, lam = make()
    sqs = cloud.service("sqs")
    q = sqs.create_queue("failures")
    lam.configure_async("f", max_event_age=60, on_failure=q.arn)
    rec = lam.invoke_async("f", {"id": 7})
    cloud.run_until_idle()
    # the retry is due at 60.5 s, past the 60 s maximum age
    assert rec.outcome == "EventAgeExceeded" and rec.attempts == 1
    [msg] = q.receive(10)
    body = json.loads(msg.body)
    assert body["requestContext"]["condition"] == "EventAgeExceeded"
    assert body["requestContext"]["approximateInvokeCount"] == 1
    assert body["requestPayload"] == {"id": 7}


def test_throttles_back_off_exponentially_from_one_second():
    cloud, lam = make(lambda e, c: "ok", timeout=900)
    client = cloud.client("lambda")
    client.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=1)
    lam.set_duration("f", 100.0)
    lam.submit("f", "long")          # holds the only slot for 100 s
    lam.set_duration("f", 0.5)
    rec = lam.invoke_async("f", "queued")
    cloud.run_until_idle()
    throttles = [(r.time_us - cloud.start_us) / S for r in cloud.trace if r.kind == "throttle"]
    # tries at 0, then 1, 2, 4, 8, 16, 32 s after each throttle (0, 1, 3, 7, 15, 31, 63) ...
    assert throttles == [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 63.0]
    # ... and at once when capacity frees (the long invocation ends at 100 s)
    assert starts(cloud, rec) == [100.0] and rec.outcome == "Success"


def _held(age):
    cloud, lam = make(lambda e, c: "ok", timeout=900)
    cloud.client("lambda").put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=1)
    lam.set_duration("f", 900.0)
    lam.submit("f")                  # holds the only slot for 900 s
    lam.set_duration("f", 0.1)
    lam.configure_async("f", max_event_age=age)
    return cloud, lam


def test_throttle_backoff_is_capped_at_five_minutes():
    cloud, lam = _held(1000)
    rec = lam.invoke_async("f", "x")
    cloud.run_until_idle()
    times = [(r.time_us - cloud.start_us) / S for r in cloud.trace if r.kind == "throttle"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert starts(cloud, rec) == [900.0]


def test_throttled_event_dropped_at_its_maximum_age():
    cloud, lam = _held(700)
    dlq = cloud.service("sqs").create_queue("dlq")
    lam.set_dead_letter("f", dlq.arn)
    rec = lam.invoke_async("f", "x")
    cloud.run_until_idle()
    [drop] = [r for r in cloud.trace if r.kind == "async_dropped"]
    assert drop.time_us - cloud.start_us == 700 * S + 1   # just past 700 s, not at the next backoff (811 s)
    assert rec.outcome == "EventAgeExceeded" and rec.attempts == 0
    [msg] = dlq.receive(10)
    assert msg.message_attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "429"}
    assert msg.message_attributes["ErrorMessage"]["StringValue"] == "Rate Exceeded."


def test_reserved_concurrency_zero_goes_straight_to_dlq():
    cloud, lam = make(lambda e, c: "ok")
    dlq = cloud.service("sqs").create_queue("dlq")
    lam.set_dead_letter("f", dlq.arn)
    cloud.client("lambda").put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=0)
    rec = lam.invoke_async("f", {"a": 1})
    cloud.run_until_idle()
    assert rec.attempts == 0 and rec.outcome == "RetriesExhausted"
    assert cloud.now_us == cloud.start_us  # no retries, no waiting
    [msg] = dlq.receive(10)
    assert json.loads(msg.body) == {"a": 1}
    assert metric_sum(cloud, "AsyncEventsDropped") == 1


def test_dlq_gets_original_event_and_attributes():
    cloud, lam = make()
    client = cloud.client("lambda")
    dlq = cloud.service("sqs").create_queue("dlq")
    client.update_function_configuration(FunctionName="f", DeadLetterConfig={"TargetArn": dlq.arn})
    assert client.get_function_configuration(FunctionName="f")["DeadLetterConfig"] == {"TargetArn": dlq.arn}
    resp = client.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"order": 42}')
    assert resp["StatusCode"] == 202
    [accepted] = [r for r in cloud.trace if r.kind == "async_accepted"]
    cloud.run_until_idle()
    [msg] = dlq.receive(10)
    assert msg.body == '{"order": 42}'
    attrs = msg.message_attributes
    assert attrs["RequestID"] == {"DataType": "String", "StringValue": accepted.attributes["request_id"]}
    assert attrs["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attrs["ErrorMessage"] == {"DataType": "String", "StringValue": "bad {'order': 42}"}


def test_dlq_error_message_is_cut_to_one_kilobyte_and_sns_dlq():
    cloud, lam = make(lambda e, c: (_ for _ in ()).throw(RuntimeError("x" * 5000)))
    sns, sqs = cloud.service("sns"), cloud.service("sqs")
    topic = sns.create_topic("dead")
    sink = sqs.create_queue("sink")
    sns.subscribe(topic, "sqs", sink.arn, attributes={"RawMessageDelivery": "true"})
    lam.set_dead_letter("f", topic)
    lam.configure_async("f", max_retries=0)
    lam.invoke_async("f", "e")
    cloud.run_until_idle()
    [msg] = sink.receive(10)
    assert msg.body == '"e"'
    assert len(msg.message_attributes["ErrorMessage"]["StringValue"]) == 1024


def test_dead_letter_errors_metric_when_the_dlq_is_gone():
    cloud, lam = make()
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    lam.set_dead_letter("f", cloud.service("sqs").queue(url).arn)
    sqs.delete_queue(QueueUrl=url)
    lam.configure_async("f", max_retries=0)
    lam.invoke_async("f")
    cloud.run_until_idle()
    assert metric_sum(cloud, "DeadLetterErrors") == 1


def test_dead_letter_config_is_frozen_into_published_versions():
    cloud, lam = make(lambda e, c: 1)
    client = cloud.client("lambda")
    arn = "arn:aws:sqs:us-east-1:123456789012:dlq1"
    client.update_function_configuration(FunctionName="f", DeadLetterConfig={"TargetArn": arn})
    client.publish_version(FunctionName="f")
    client.update_function_configuration(FunctionName="f", DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in client.get_function_configuration(FunctionName="f")
    assert client.get_function(FunctionName="f", Qualifier="1")["Configuration"]["DeadLetterConfig"] == {"TargetArn": arn}
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.update_function_configuration(FunctionName="f", DeadLetterConfig={"TargetArn": "arn:aws:s3:::b"})


def test_event_invoke_config_api():
    cloud, lam = make(lambda e, c: 1)
    client = cloud.client("lambda")
    fn_arn = lam.function("f").arn
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.get_function_event_invoke_config(FunctionName="f")
    assert err.value.response["Error"]["Message"] == f"The function {fn_arn}:$LATEST doesn't have an EventInvokeConfig"
    out = client.put_function_event_invoke_config(FunctionName="f", MaximumRetryAttempts=1)
    assert out["FunctionArn"] == f"{fn_arn}:$LATEST" and out["MaximumRetryAttempts"] == 1
    assert "MaximumEventAgeInSeconds" not in out
    out = client.update_function_event_invoke_config(
        FunctionName="f", MaximumEventAgeInSeconds=3600,
        DestinationConfig={"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:q"}})
    assert out["MaximumRetryAttempts"] == 1 and out["MaximumEventAgeInSeconds"] == 3600
    assert out["DestinationConfig"]["OnFailure"] == {"Destination": "arn:aws:sqs:us-east-1:123456789012:q"}
    # Put replaces everything
    out = client.put_function_event_invoke_config(FunctionName="f", MaximumEventAgeInSeconds=60)
    assert "MaximumRetryAttempts" not in out and out["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}
    client.publish_version(FunctionName="f")
    client.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    client.put_function_event_invoke_config(FunctionName="f", Qualifier="live", MaximumRetryAttempts=0)
    client.put_function_event_invoke_config(FunctionName="f:1", MaximumRetryAttempts=2)
    listed = client.list_function_event_invoke_configs(FunctionName="f")["FunctionEventInvokeConfigs"]
    assert [c["FunctionArn"].rsplit(":", 1)[1] for c in listed] == ["$LATEST", "1", "live"]
    client.delete_function_event_invoke_config(FunctionName="f", Qualifier="live")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_function_event_invoke_config(FunctionName="f", Qualifier="live")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.put_function_event_invoke_config(FunctionName="f", Qualifier="nope", MaximumRetryAttempts=0)


@pytest.mark.parametrize("field,value,message", [
    ("MaximumRetryAttempts", 3, "Member must have value less than or equal to 2"),
    ("MaximumRetryAttempts", -1, "Member must have value greater than or equal to 0"),
    ("MaximumEventAgeInSeconds", 59, "Member must have value greater than or equal to 60"),
    ("MaximumEventAgeInSeconds", 21_601, "Member must have value less than or equal to 21600"),
])
def test_event_invoke_config_ranges(field, value, message):
    cloud, lam = make(lambda e, c: 1)
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.ValidationException) as err:
        client.put_function_event_invoke_config(FunctionName="f", **{field: value})
    assert err.value.response["Error"]["Message"].endswith(message)


def test_bad_destination_refused():
    cloud, lam = make(lambda e, c: 1)
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_function_event_invoke_config(
            FunctionName="f", DestinationConfig={"OnSuccess": {"Destination": "arn:aws:s3:::bucket"}})


def test_alias_uses_its_own_config():
    cloud, lam = make()
    client = cloud.client("lambda")
    client.publish_version(FunctionName="f")
    client.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    lam.configure_async("f", qualifier="live", max_retries=0)
    via_alias = lam.invoke_async("f", 1, qualifier="live")
    unqualified = lam.invoke_async("f", 2)
    cloud.run_until_idle()
    assert via_alias.attempts == 1 and unqualified.attempts == 3


def test_async_is_deterministic_and_idle_leaves_nothing_scheduled():
    def run():
        cloud, lam = make(duration=0.2)
        for i in range(5):
            lam.invoke_async("f", i)
        cloud.run_until_idle()
        assert not cloud.scheduler.busy
        return cloud.trace.digest(), cloud.now_us
    assert run() == run()
