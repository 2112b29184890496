"""UpdateEventSourceMapping of ``ParallelizationFactor`` while a shard is being read.

AWS (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html, "Polling and batching
streams"; /work/shared/reference/lambda-apigateway-semantics.md "Streams: ordering"):
``ParallelizationFactor`` is the number of batches Lambda processes concurrently from each shard,
and with more than one, Lambda still processes the records of one item (key) in order. Every
record is read once (a retry aside): a factor change must neither drop records nor hand one
record to two concurrent batches.

The simulator applies an updated factor to shards first read after the update; a shard already
read keeps its lanes, and its records are assigned to a lane by the shard's own lane count
(``_Lane.count``). Before this was so, a record was hashed by the mapping's *current* factor:
- factor 2 -> 1 on a shard with two lanes: the one-lane shortcut of ``StreamPoller._read`` handed
  every record to both lanes (two invocations of the same record at the same instant; found by
  seed 1057427 of test_lambda_esm_streams_config_cache.py, where the general loop did not);
- factor 1 -> 2 on a shard with one lane: records hashed to lane 1 went to no lane (lost, on every
  path).
"""

from __future__ import annotations

from serverless_sim import Cloud
from serverless_sim.awslambda.esm.streams import StreamPoller

S = 1_000_000
KEYS = [f"k{i}" for i in range(8)]


def _run(first: int, then: dict, fast: bool = True) -> tuple[list, list, str]:
    """A mapping created with ParallelizationFactor ``first``, updated with ``then`` before any
    record is written, then three rounds of writes to 8 keys (one shard, never rolled)."""
    cloud = Cloud(seed=3, start="2026-03-01T12:00:00Z")
    ddb = cloud.dynamodb
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="KEYS_ONLY")
    lam = cloud.service("lambda")
    calls: list = []
    spans: list = []

    def handler(event, context):
        recs = [(r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]
        calls.append((cloud.now_us, recs))
        spans.append((cloud.now_us, cloud.now_us + 10_000, {k for k, _ in recs}))

    lam.create_function_from_callable("audit", handler, duration=0.01, init_duration=0)
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    esm = lam.map_event_source(arn, "audit", StartingPosition="LATEST", BatchSize=1, ParallelizationFactor=first)
    cloud.advance(0.1)  # the shard's state (its lanes) is made at the mapping's start
    lam.update_event_source_mapping({"UUID": esm.uuid, **then})
    for rnd in range(3):
        for k in KEYS:
            cloud.scheduler.call_at_us(cloud.now_us + rnd * 300_000 + 1000, table.put, {"pk": k, "v": rnd})
    StreamPoller._skip_idle_polls = StreamPoller._fast_polls = StreamPoller._gated_wakeups = fast
    try:
        cloud.advance(10)
    finally:
        StreamPoller._skip_idle_polls = StreamPoller._fast_polls = StreamPoller._gated_wakeups = True
    return calls, spans, cloud.trace.digest()


def _check_once_and_in_order(calls: list, spans: list) -> None:
    seqs = [seq for _, recs in calls for _, seq in recs]
    assert len(seqs) == len(set(seqs)) == 3 * len(KEYS)  # every record once: none lost, none twice
    for k in KEYS:
        mine = [seq for _, recs in calls for kk, seq in recs if kk == k]
        assert mine == sorted(mine, key=int)  # in order per key
        busy = sorted((a, b) for a, b, ks in spans if k in ks)
        assert all(b1 <= a2 for (_, b1), (a2, _) in zip(busy, busy[1:]))  # never two batches of a key at once


def test_factor_lowered_on_a_two_lane_shard_delivers_each_record_once():
    # Seed 1057427's situation: factor 2, then a batching window and factor 1 (BatchSize 1).
    calls, spans, digest = _run(2, {"MaximumBatchingWindowInSeconds": 1, "ParallelizationFactor": 1})
    _check_once_and_in_order(calls, spans)
    # The shard keeps its two lanes: two keys' batches may still run at one instant.
    instants = [t for t, _ in calls]
    assert len(set(instants)) < len(instants)
    assert _run(2, {"MaximumBatchingWindowInSeconds": 1, "ParallelizationFactor": 1}, fast=False)[2] == digest


def test_factor_lowered_without_window_delivers_each_record_once():
    # No window: the mapping is "plain" again, but the shard has two lanes (the general poll).
    calls, spans, digest = _run(2, {"ParallelizationFactor": 1})
    _check_once_and_in_order(calls, spans)
    assert _run(2, {"ParallelizationFactor": 1}, fast=False)[2] == digest


def test_factor_raised_on_a_one_lane_shard_loses_no_record():
    calls, spans, digest = _run(1, {"ParallelizationFactor": 2})
    _check_once_and_in_order(calls, spans)
    # One lane: one batch at a time, in sequence order.
    assert len({t for t, _ in calls}) == len(calls)
    seqs = [seq for _, recs in calls for _, seq in recs]
    assert seqs == sorted(seqs, key=int)
    assert _run(1, {"ParallelizationFactor": 2}, fast=False)[2] == digest
