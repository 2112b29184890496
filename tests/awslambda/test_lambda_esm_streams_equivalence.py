"""The DynamoDB Streams poller's shortcuts change nothing observable.

``StreamPoller`` skips the poll event that follows a batch when that poll would find nothing
(``_poll_after_batch``, and its inlined copy in ``_done``), reads a one-lane, unfiltered
mapping's batch without the general loop (``_read``), and runs the common poll without the
general frames (``_poll_fast``: the batch's Lambda records built from the shard's columns, its
records a ``RecordSpan`` or a plain list until it fails or is throttled), and subscribes with a
gate (the stream does not call ``_on_record`` while a poll is pending). These tests run random scenarios built to hit the cases where that is
delicate - writes at the very instant a batch completes (from other events and from the handler
itself), polls on the 250 ms grid coinciding with completions, zero-duration handlers, shard
rolls, retries, bisection, partial failures, filters, parallelization, batching windows,
throttles, records discarded as too old - once
with the shortcuts and once without, and require the same trace digest and the same events,
delivered at the same instants.
"""

from __future__ import annotations

import json
import random

import pytest

from esm_helpers import shortcuts

from serverless_sim import Cloud

S = 1_000_000


def _scenario(seed: int, skip: bool) -> tuple[str, list, int]:
    rnd = random.Random(seed)
    cloud = Cloud(seed=seed, start="2026-03-01T12:00:00Z")
    ddb = cloud.dynamodb
    if rnd.random() < 0.3:
        ddb.config.stream_shard_lifetime = rnd.choice([0.5, 1.0, 2.5])
    view = rnd.choice(["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream=view)
    other = ddb.create_table("side", hash_key=("pk", "S"))
    lam = cloud.service("lambda")
    calls: list = []
    duration = rnd.choice([0.0, 0.01, 0.01, 0.25, 0.05])
    feedback = rnd.random() < 0.4
    fail_keys = {f"k{rnd.randrange(30)}" for _ in range(rnd.randrange(3))}
    partial = rnd.random() < 0.3

    def handler(event, context):
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
        calls.append((cloud.now_us, json.dumps(event, sort_keys=True)))
        if feedback and len(calls) % 3 == 0:
            # A write at the instant the batch starts: into this stream (a new record at the
            # invocation instant) or elsewhere.
            (table if len(calls) % 2 else other).put({"pk": f"fb{len(calls)}", "n": len(calls)})
        bad = [r for r, k in zip(event["Records"], keys) if k in fail_keys]
        if bad:
            if partial:
                return {"batchItemFailures": [{"itemIdentifier": bad[0]["dynamodb"]["SequenceNumber"]}]}
            raise RuntimeError("poison")
        return None

    lam.create_function_from_callable("audit", handler, duration=duration, init_duration=0)
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    params: dict = {"StartingPosition": rnd.choice(["LATEST", "TRIM_HORIZON"]),
                    "BatchSize": rnd.choice([1, 2, 3, 10, 100])}
    if rnd.random() < 0.25:
        params["MaximumBatchingWindowInSeconds"] = 1
    if rnd.random() < 0.3:
        params["ParallelizationFactor"] = rnd.choice([2, 3])
    if rnd.random() < 0.4:
        params["BisectBatchOnFunctionError"] = True
    if rnd.random() < 0.5:
        params["MaximumRetryAttempts"] = rnd.choice([0, 1, 2])
    if rnd.random() < 0.3:
        params["MaximumRecordAgeInSeconds"] = 60
    if partial:
        params["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if rnd.random() < 0.2:
        params["FilterCriteria"] = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}
    # Writes: some at random instants, some at the instants the poller acts on (its 250 ms grid,
    # and the grid plus multiples of the handler's duration: a batch's completion).
    cloud.advance(rnd.randrange(0, 250_000) / S)
    start = cloud.now_us
    esm = lam.map_event_source(arn, "audit", **params)
    dur_us = round(duration * S)
    times = []
    for _ in range(rnd.randrange(20, 80)):
        r = rnd.random()
        if r < 0.4:
            t = start + rnd.randrange(0, 3 * S)
        else:
            t = start + 250_000 * rnd.randrange(0, 12) + dur_us * rnd.randrange(0, 4)
        times.append(t)
    times.sort()

    def write(i: int) -> None:
        if rnd.random() < 0.15:
            table.delete({"pk": f"k{i % 30}"})
        else:
            table.put({"pk": f"k{i % 30}", "v": i % 4})

    for i, t in enumerate(times):
        r = rnd.random()
        if r < 0.5:
            cloud.scheduler.call_at_us(t, write, i)
        else:
            # Relayed: scheduled from an event shortly before (or at) t, so it lands behind the
            # completion of a batch started in between (an arrival process works that way).
            delta = rnd.randrange(0, max(1, dur_us)) if r < 0.8 else 0
            cloud.scheduler.call_at_us(max(start, t - delta), cloud.scheduler.call_at_us, t, write, i)
        if rnd.random() < 0.2:
            cloud.scheduler.call_at_us(t, write, i + 100)  # two writes at one instant
    if rnd.random() < 0.2:
        # Throttled (reserved concurrency 0) for a while: batches are retried after pauses, and
        # some may be discarded as too old (MaximumRecordAgeInSeconds, when set, is 60 s).
        lam.put_function_concurrency({"FunctionName": "audit", "ReservedConcurrentExecutions": 0})
        lift = start + rnd.randrange(1, 90) * S
        cloud.scheduler.call_at_us(lift, lam.put_function_concurrency,
                                   {"FunctionName": "audit", "ReservedConcurrentExecutions": 5})
    if rnd.random() < 0.15:
        # Disabled, then enabled again, at instants of the grid / of a completion.
        at = start + 250_000 * rnd.randrange(1, 8) + dur_us * rnd.randrange(0, 2)
        cloud.scheduler.call_at_us(at, lam.update_event_source_mapping, {"UUID": esm.uuid, "Enabled": False})
        cloud.scheduler.call_at_us(at + 500_000, lam.update_event_source_mapping, {"UUID": esm.uuid, "Enabled": True})
    with shortcuts(skip):
        cloud.advance(120)
    return cloud.trace.digest(), calls, cloud.scheduler.events_run


@pytest.mark.parametrize("seed", range(80))
def test_skipping_idle_polls_changes_nothing(seed):
    digest_a, calls_a, events_a = _scenario(seed, True)
    digest_b, calls_b, events_b = _scenario(seed, False)
    assert calls_a == calls_b
    assert digest_a == digest_b
    assert events_a <= events_b


def test_skipping_idle_polls_saves_events():
    saved = 0
    calls = 0
    for seed in range(10):
        _, calls_a, events_a = _scenario(seed, True)
        _, _, events_b = _scenario(seed, False)
        calls += len(calls_a)
        saved += events_b - events_a
    assert calls and saved > 0
