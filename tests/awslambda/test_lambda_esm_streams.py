"""DynamoDB Streams event source mappings: order, batching, retries, bisect, max age, partial failures.

https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
"""

from __future__ import annotations

import json

import pytest

from serverless_sim import Cloud

S = 1_000_000


def setup(handler, *, duration=0.1, **fn_kw):
    cloud = Cloud(seed=13, start="2026-03-01T12:00:00Z")
    ddb = cloud.client("dynamodb")
    desc = ddb.create_table(
        TableName="tbl", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    lam = cloud.service("lambda")
    calls = []

    def wrapped(event, context):
        calls.append(((cloud.now_us - cloud.start_us) / S, event))
        return handler(event, context)

    lam.create_function_from_callable("w", wrapped, duration=duration, init_duration=0, **fn_kw)
    return cloud, ddb, lam, desc["LatestStreamArn"], calls


def put(ddb, pk, **extra):
    item = {"pk": {"S": pk}, **{k: {"S": v} for k, v in extra.items()}}
    ddb.put_item(TableName="tbl", Item=item)


def keys(event):
    return [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]


def fail_on(bad):
    def handler(event, context):
        if bad & set(keys(event)):
            raise RuntimeError("poison")
    return handler


def test_records_in_order_with_lambda_event_shape():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    lam.map_event_source(arn, "w", StartingPosition="TRIM_HORIZON")
    for i in range(5):
        put(ddb, f"k{i}")
    cloud.run_until_idle()
    assert [keys(e) for _, e in calls] == [["k0", "k1", "k2", "k3", "k4"]]
    rec = calls[0][1]["Records"][0]
    assert rec["eventSource"] == "aws:dynamodb" and rec["eventName"] == "INSERT" and rec["eventSourceARN"] == arn
    assert rec["dynamodb"]["NewImage"] == {"pk": {"S": "k0"}} and rec["awsRegion"] == "us-east-1"
    assert not cloud.scheduler.busy


def test_starting_position_latest_skips_existing_records():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    put(ddb, "old")
    lam.map_event_source(arn, "w", StartingPosition="LATEST")
    put(ddb, "new")
    cloud.run_until_idle()
    assert [keys(e) for _, e in calls] == [["new"]]


def test_trim_horizon_reads_existing_records_and_batch_size():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    for i in range(250):
        put(ddb, f"k{i:03d}")
    esm = lam.map_event_source(arn, "w", StartingPosition="TRIM_HORIZON")
    assert esm.batch_size == 100  # AWS's default for streams
    cloud.run_until_idle()
    assert [len(e["Records"]) for _, e in calls] == [100, 100, 50]
    assert [t for t, _ in calls] == [0.0, 0.1, 0.2]  # one batch at a time per shard


def test_batching_window():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    lam.map_event_source(arn, "w", StartingPosition="LATEST", BatchSize=10, MaximumBatchingWindowInSeconds=3)
    for i in range(4):
        cloud.call_later(i * 0.5, put, ddb, f"k{i}")
    cloud.run_until_idle()
    assert [(t, len(e["Records"])) for t, e in calls] == [(3.0, 4)]


def test_infinite_retries_block_the_shard_until_the_record_is_too_old():
    cloud, ddb, lam, arn, calls = setup(fail_on({"bad"}))
    q = cloud.service("sqs").create_queue("failed")
    lam.map_event_source(arn, "w", StartingPosition="LATEST", MaximumRecordAgeInSeconds=120,
                         DestinationConfig={"OnFailure": {"Destination": q.arn}})
    put(ddb, "bad")
    cloud.call_later(10, put, ddb, "after")
    cloud.run_until_idle()
    bad_tries = [t for t, e in calls if "bad" in keys(e)]
    assert len(bad_tries) > 3 and max(bad_tries) <= 120        # retried, never past the maximum age
    [(t_after, last)] = [(t, e) for t, e in calls if "after" in keys(e)]
    assert keys(last) == ["after"] and t_after > 120          # the shard was blocked until then
    [msg] = q.receive(10)
    info = json.loads(msg.body)
    assert info["requestContext"]["condition"] == "RecordAgeExceeded"
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1 and info["DDBStreamBatchInfo"]["streamArn"] == arn


def test_maximum_retry_attempts_then_on_failure_metadata():
    cloud, ddb, lam, arn, calls = setup(fail_on({"bad"}))
    q = cloud.service("sqs").create_queue("failed")
    lam.map_event_source(arn, "w", StartingPosition="LATEST", MaximumRetryAttempts=2,
                         DestinationConfig={"OnFailure": {"Destination": q.arn}})
    put(ddb, "bad")
    cloud.run_until_idle()
    assert len(calls) == 3  # the first attempt and 2 retries
    [msg] = q.receive(10)
    doc = json.loads(msg.body)
    assert set(doc) == {"requestContext", "responseContext", "version", "timestamp", "DDBStreamBatchInfo"}
    assert doc["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert doc["requestContext"]["approximateInvokeCount"] == 3
    assert doc["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    info = doc["DDBStreamBatchInfo"]
    seq = calls[0][1]["Records"][0]["dynamodb"]["SequenceNumber"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == seq and info["batchSize"] == 1
    assert info["approximateArrivalOfFirstRecord"] == "2026-03-01T12:00:00Z"
    assert info["shardId"].startswith("shardId-")


def test_bisect_isolates_the_poison_record_without_using_retries():
    cloud, ddb, lam, arn, calls = setup(fail_on({"k2"}))
    lam.map_event_source(arn, "w", StartingPosition="LATEST", BisectBatchOnFunctionError=True,
                         MaximumRetryAttempts=0)
    for i in range(4):
        put(ddb, f"k{i}")
    cloud.run_until_idle()
    # [k0..k3] fails -> [k0,k1] ok, [k2,k3] fails -> [k2] fails (0 retries: discarded), [k3] ok
    assert [keys(e) for _, e in calls] == [["k0", "k1", "k2", "k3"], ["k0", "k1"], ["k2", "k3"], ["k2"], ["k3"]]


def test_report_batch_item_failures_checkpoints_at_lowest_failed_sequence():
    state = {"n": 0}

    def handler(event, context):
        state["n"] += 1
        if state["n"] == 1:
            seqs = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
            return {"batchItemFailures": [{"itemIdentifier": seqs[3]}, {"itemIdentifier": seqs[2]}]}
        return {"batchItemFailures": []}

    cloud, ddb, lam, arn, calls = setup(handler)
    lam.map_event_source(arn, "w", StartingPosition="LATEST", FunctionResponseTypes=["ReportBatchItemFailures"])
    for i in range(5):
        put(ddb, f"k{i}")
    cloud.run_until_idle()
    assert [keys(e) for _, e in calls] == [["k0", "k1", "k2", "k3", "k4"], ["k2", "k3", "k4"]]


def test_invalid_item_identifier_fails_the_whole_batch():
    state = {"n": 0}

    def handler(event, context):
        state["n"] += 1
        return {"batchItemFailures": [{"itemIdentifier": "nope"}]} if state["n"] == 1 else None

    cloud, ddb, lam, arn, calls = setup(handler)
    lam.map_event_source(arn, "w", StartingPosition="LATEST", FunctionResponseTypes=["ReportBatchItemFailures"])
    put(ddb, "a")
    put(ddb, "b")
    cloud.run_until_idle()
    assert [keys(e) for _, e in calls] == [["a", "b"], ["a", "b"]]


def test_filter_criteria_skip_records():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["paid"]}}}}
    lam.map_event_source(arn, "w", StartingPosition="LATEST", FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    put(ddb, "a", status="paid")
    put(ddb, "b", status="new")
    ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}})
    put(ddb, "c", status="paid")
    cloud.run_until_idle()
    assert [k for _, e in calls for k in keys(e)] == ["a", "c"]


def test_parallelization_factor_keeps_order_per_key():
    seen = []
    cloud, ddb, lam, arn, calls = setup(lambda e, c: seen.extend(
        (r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["NewImage"]["v"]["S"]) for r in e["Records"]), duration=1.0)
    lam.map_event_source(arn, "w", StartingPosition="LATEST", ParallelizationFactor=4, BatchSize=1)
    for v in range(3):
        for k in range(8):
            put(ddb, f"k{k}", v=str(v))
    fn = lam.function("w")
    cloud.advance(0.5)
    assert 1 < fn.in_flight <= 4          # concurrent batches within one shard
    cloud.run_until_idle()
    for k in range(8):
        assert [v for kk, v in seen if kk == f"k{k}"] == ["0", "1", "2"]


def test_iterator_age_metric():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None, duration=2.0)
    lam.map_event_source(arn, "w", StartingPosition="LATEST")
    put(ddb, "a")
    cloud.call_later(1, put, ddb, "b")   # written while the first batch runs: read at 2 s
    cloud.run_until_idle()
    series = cloud.metrics.series("AWS/Lambda", "IteratorAge", {"FunctionName": "w"})
    [bucket] = series.rows()
    assert (bucket.sample_count, bucket.minimum, bucket.maximum) == (2, 0.0, 1000.0)  # ms: 0 for "a", 1 s for "b"


def test_stream_validation():
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None)
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName="w")  # StartingPosition required
    bad = [
        {"MaximumRetryAttempts": 10_001}, {"MaximumRetryAttempts": -2}, {"MaximumRecordAgeInSeconds": 59},
        {"MaximumRecordAgeInSeconds": 604_801}, {"ParallelizationFactor": 11}, {"ParallelizationFactor": 0},
        {"BatchSize": 10_001}, {"TumblingWindowInSeconds": 901},
    ]
    for extra in bad:
        with pytest.raises((client.exceptions.ValidationException, client.exceptions.InvalidParameterValueException)):
            client.create_event_source_mapping(EventSourceArn=arn, FunctionName="w", StartingPosition="LATEST", **extra)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_event_source_mapping(EventSourceArn=arn, FunctionName="w", StartingPosition="LATEST",
                                           ScalingConfig={"MaximumConcurrency": 5})
    out = client.create_event_source_mapping(EventSourceArn=arn, FunctionName="w", StartingPosition="TRIM_HORIZON",
                                             MaximumRecordAgeInSeconds=-1, BatchSize=10_000)
    assert out["MaximumRetryAttempts"] == -1 and out["ParallelizationFactor"] == 1
    assert out["StartingPosition"] == "TRIM_HORIZON" and out["BisectBatchOnFunctionError"] is False


def test_shards_are_polled_four_times_a_second():
    """Records written between two polls (250 ms apart, phased from the mapping's start) form
    one batch, seen at the next poll; a later write waits for the poll after it."""
    cloud, ddb, lam, arn, calls = setup(lambda e, c: None, duration=0.001)
    lam.map_event_source(arn, "w", StartingPosition="LATEST")
    cloud.advance(0.5)  # two polls past, nothing to read
    t0 = (cloud.now_us - cloud.start_us) / S
    cloud.advance(0.01)
    for i in range(3):
        put(ddb, f"a{i}")  # 10, 60 and 110 ms after a poll instant
        cloud.advance(0.05)
    cloud.advance(0.25)
    put(ddb, "b0")  # at 410 ms: seen at the 500 ms poll
    cloud.run_until_idle()
    assert [keys(e) for _, e in calls] == [["a0", "a1", "a2"], ["b0"]]
    assert [round(t - t0, 6) for t, _ in calls] == [0.25, 0.5]
