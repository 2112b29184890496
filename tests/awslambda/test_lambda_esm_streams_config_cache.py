"""The DynamoDB Streams poller's cached configuration and inlined fast paths change nothing.

``StreamPoller`` caches what its hot paths test of the mapping (``_plain``: one lane, no
filters, no batching window; ``_report_failures``; ``_want`` = BatchSize; ``_age_limit_us`` =
MaximumRecordAgeInSeconds) and refreshes it in ``reconfigure`` (UpdateEventSourceMapping).
``_poll_due`` and ``_done`` inline ``_lone`` / ``_idle`` / ``_poll_after_batch`` and
``Invocation.on_complete``; ``_poll_fast`` runs without a ``has_after`` test first.

These tests run random scenarios in which the mapping is *updated while records flow* (batch
size, record age, response types, batching window, filters, parallelization, enabled), once
with every shortcut on and once with them off (the general path reads the mapping itself), and
require the same handler calls, trace digest, IteratorAge statistics and mapping state. And the
caches equal the mapping after every update.
"""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esm_helpers import shortcuts

from serverless_sim import Cloud
from serverless_sim.awslambda.esm.streams import _RETENTION_US, US

S = 1_000_000


def _check_cache(esm) -> None:
    poller = esm.poller
    if poller is None:
        return
    assert poller._plain == (esm.parallelization == 1 and esm.filters is None and not esm.window_s)
    assert poller._report_failures == esm.report_batch_item_failures
    assert poller._want == esm.batch_size
    assert poller._age_limit_us == (esm.max_record_age_s * US if esm.max_record_age_s >= 0 else _RETENTION_US)


_UPDATES = [
    {"BatchSize": 1}, {"BatchSize": 3}, {"BatchSize": 100},
    {"MaximumRecordAgeInSeconds": 60}, {"MaximumRecordAgeInSeconds": -1},
    {"FunctionResponseTypes": ["ReportBatchItemFailures"]}, {"FunctionResponseTypes": []},
    {"MaximumBatchingWindowInSeconds": 1}, {"MaximumBatchingWindowInSeconds": 0},
    {"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}},
    {"FilterCriteria": {"Filters": []}},
    {"ParallelizationFactor": 2}, {"ParallelizationFactor": 1},
    {"Enabled": False}, {"Enabled": True},
    {"MaximumRetryAttempts": 0}, {"BisectBatchOnFunctionError": True},
]


def _scenario(seed: int, fast: bool) -> tuple:
    rnd = random.Random(seed)
    cloud = Cloud(seed=seed, start="2026-03-01T12:00:00Z")
    ddb = cloud.dynamodb
    if rnd.random() < 0.3:
        ddb.config.stream_shard_lifetime = rnd.choice([0.5, 1.0])
    view = rnd.choice(["NEW_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream=view)
    lam = cloud.service("lambda")
    calls: list = []
    duration = rnd.choice([0.0, 0.01, 0.05, 0.3])
    fail_keys = {f"k{rnd.randrange(20)}" for _ in range(rnd.randrange(3))}
    partial_answer = rnd.random() < 0.5

    def handler(event, context):
        calls.append((cloud.now_us, json.dumps(event, sort_keys=True)))
        bad = [r for r in event["Records"] if r["dynamodb"]["Keys"]["pk"]["S"] in fail_keys]
        if bad:
            if partial_answer:
                return {"batchItemFailures": [{"itemIdentifier": bad[0]["dynamodb"]["SequenceNumber"]}]}
            raise RuntimeError("poison")
        return None

    lam.create_function_from_callable("audit", handler, duration=duration, init_duration=0)
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    cloud.advance(rnd.randrange(0, 250_000) / S)
    start = cloud.now_us
    esm = lam.map_event_source(arn, "audit", StartingPosition=rnd.choice(["LATEST", "TRIM_HORIZON"]),
                               BatchSize=rnd.choice([1, 2, 10, 100]))
    dur_us = round(duration * S)

    def write(i: int) -> None:
        if rnd.random() < 0.1:
            table.delete({"pk": f"k{i % 20}"})
        else:
            table.put({"pk": f"k{i % 20}", "v": i % 5})

    for i in range(rnd.randrange(30, 120)):
        if rnd.random() < 0.5:
            t = start + rnd.randrange(0, 6 * S)
        else:
            t = start + 250_000 * rnd.randrange(0, 24) + dur_us * rnd.randrange(0, 3)
        cloud.scheduler.call_at_us(t, write, i)
    checks: list = []

    def update(change: dict) -> None:
        lam.update_event_source_mapping({"UUID": esm.uuid, **change})
        _check_cache(esm)
        checks.append((cloud.now_us, esm.batch_size, esm.window_s, esm.parallelization))

    for _ in range(rnd.randrange(1, 6)):
        # At instants of the grid / of a completion, or anywhere.
        if rnd.random() < 0.5:
            at = start + 250_000 * rnd.randrange(1, 24) + dur_us * rnd.randrange(0, 2)
        else:
            at = start + rnd.randrange(1, 6 * S)
        cloud.scheduler.call_at_us(at, update, dict(rnd.choice(_UPDATES)))
    cloud.scheduler.call_at_us(start + 7 * S, update, {"Enabled": True})
    with shortcuts(fast):
        cloud.advance(60)
    series = cloud.metrics.series("AWS/Lambda", "IteratorAge", {"FunctionName": "audit"})
    ages = [tuple(row) for row in series.rows()] if series is not None else []
    state = esm.describe()
    state.pop("LastModified")
    return cloud.trace.digest(), calls, ages, state, checks, cloud.scheduler.events_run


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_updates_while_polling_change_nothing(seed):
    fast = _scenario(seed, True)
    slow = _scenario(seed, False)
    assert fast[1] == slow[1]  # the same batches, at the same instants
    assert fast[0] == slow[0]  # the same trace
    assert fast[2] == slow[2]  # the same IteratorAge statistics
    assert fast[3] == slow[3]
    assert fast[4] == slow[4]
    assert fast[5] <= slow[5]  # never more events


def test_scenarios_invoke_and_update():
    """The scenarios do what they are for: batches flow, and the mapping is updated."""
    calls = 0
    for seed in range(6):
        _, c, ages, _, checks, _ = _scenario(seed, True)
        calls += len(c)
        assert checks
    assert calls > 20


def test_cache_follows_updates():
    cloud = Cloud(seed=1)
    ddb = cloud.dynamodb
    ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
    lam = cloud.service("lambda")
    lam.create_function_from_callable("audit", lambda e, c: None)
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    esm = lam.map_event_source(arn, "audit", StartingPosition="LATEST")
    _check_cache(esm)
    assert esm.poller._plain and not esm.poller._report_failures
    for change in _UPDATES:
        lam.update_event_source_mapping({"UUID": esm.uuid, **change})
        _check_cache(esm)


def _forkable(seed: int):
    """A Cloud with a stream mapping and writes scheduled over 20 s (state in the Cloud only)."""
    rnd = random.Random(seed)
    cloud = Cloud(seed=seed, trace="none")
    ddb = cloud.dynamodb
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
    lam = cloud.service("lambda")
    seen = {"batches": 0, "records": 0}

    def handler(event, context):
        seen["batches"] += 1
        seen["records"] += len(event["Records"])

    lam.create_function_from_callable("audit", handler, duration=0.03, virtual_time=False)
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    lam.map_event_source(arn, "audit", StartingPosition="LATEST")
    for i in range(200):
        cloud.scheduler.call_at_us(cloud.now_us + rnd.randrange(0, 20 * S), table.put, {"pk": f"k{i % 17}", "v": i})
    return cloud, seen


def test_fork_with_batches_in_flight_is_exact():
    """The poller's cached bound methods (scheduler, callbacks) are rebound by a fork: a fork
    taken with a batch in flight and a grid poll pending runs on exactly like the original."""
    from serverless_sim.sim import fork

    ref, ref_seen = _forkable(5)
    ref.advance(30)
    in_flight = 0
    for at in (3.01, 7.26, 11.5):
        cloud, seen = _forkable(5)
        cloud.advance(at)
        copy = fork(cloud)
        poller = next(iter(copy.service("lambda")._esms.values())).poller
        assert poller._schedule_at.__self__ is copy.scheduler
        assert poller._done_cb.__self__ is poller and poller._poll_due_cb.__self__ is poller
        in_flight += any(lane.busy for state in poller.states.values() for lane in state.lanes)
        cloud.advance(30 - at)
        copy.advance(30 - at)
        assert cloud.trace.digest() == copy.trace.digest() == ref.trace.digest()
        assert seen == ref_seen
    assert ref_seen["records"] == 200
    assert in_flight  # a fork with a batch in flight was taken
