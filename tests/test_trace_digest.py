"""The trace digest: SHA-256 over every record's canonical text, whatever is kept and however the
hashing is batched."""

from __future__ import annotations

import copy
import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.kernel.clock import Clock
from serverless_sim.kernel.trace import Trace, TraceRecord

attrs_st = st.dictionaries(
    st.sampled_from(["a", "b", "n", "x"]),
    st.one_of(st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=3)),
    max_size=3,
)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["lambda", "dynamodb"]), st.sampled_from(["a", "b"]), attrs_st,
                          st.integers(0, 5)), max_size=700))
def test_digest_is_sha256_of_canonical_texts_whatever_is_kept(events):
    clocks = [Clock(), Clock(), Clock()]
    traces = [Trace(clocks[0], "all"), Trace(clocks[1], "none"), Trace(clocks[2], lambda r: r.kind == "a")]
    expected = hashlib.sha256()
    midway = None
    for i, (service, kind, attributes, wait) in enumerate(events):
        for clock, trace in zip(clocks, traces):
            clock.now_us += wait
            trace.record(service, kind, **attributes)
        expected.update(TraceRecord(clocks[0].now_us, service, kind, attributes).canonical().encode() + b"\n")
        if i == len(events) // 2:
            # a digest read (or a fork) mid-batch changes nothing that follows
            midway = copy.deepcopy(traces[1])
            assert traces[1].digest() == expected.hexdigest()
    for trace in traces:
        assert trace.digest() == expected.hexdigest()
        assert trace.total == len(events)
    assert len(traces[0]) == len(events)
    assert len(traces[1]) == 0
    assert len(traces[2]) == sum(1 for e in events if e[1] == "a")
    if midway is not None:
        assert midway.total == len(events) // 2 + 1


# -- callers that hand the trace their canonical text (Trace.record_body) -----------------------
def _invoke_scenario(trace: str, virtual_time: bool) -> tuple[str, list[tuple]]:
    """Lambda invocations of every outcome (ok, error, exit, timeout by duration, deadline inside
    the handler, cold and warm, versions and aliases), through the lean native path
    (``virtual_time=False``) or the general one."""
    from serverless_sim import Cloud
    from serverless_sim.awslambda import LogNormal
    from serverless_sim.awslambda.runtime import current_run

    cloud = Cloud(seed=11, trace=trace)  # type: ignore[arg-type]
    lam = cloud.service("lambda")
    lam.config.logging = False

    def handler(event, context):
        op = event["op"]
        if op == "raise":
            raise ValueError(f"bad {event['i']}")
        if op == "exit":
            raise SystemExit(3)
        if op == "advance":
            current_run().advance(event["us"])  # a nested blocking call's time; may hit the deadline
        return {"i": event["i"], "left": context.get_remaining_time_in_millis()}

    lam.create_function_from_callable("f", handler, duration=LogNormal(0.4, 0.8), timeout=1,
                                      virtual_time=virtual_time)
    lam.publish_version({"FunctionName": "f"})
    lam.create_alias({"FunctionName": "f", "Name": "live", "FunctionVersion": "1"})
    seen: list[tuple] = []
    ops = ["ok", "raise", "exit", "advance", "ok", "advance"]
    for i in range(60):
        event = {"op": ops[i % len(ops)], "i": i, "us": 300_000 * (i % 5)}
        qualifier = (None, "1", "live")[i % 3]
        inv = lam.start_at("f", qualifier, event,
                           on_done=lambda inv: seen.append((inv.request_id, inv.result, inv.error, inv.duration_us,
                                                            inv.billed_ms, inv.timed_out, inv.cold)))
        cloud.advance(0.05 * (i % 4))
    cloud.advance(10)
    return cloud.trace.digest(), seen


def test_lambda_invoke_records_digest_the_same_whether_kept_or_not_on_both_invoke_paths():
    # trace="none" has Lambda build its invoke records' canonical text itself (record_body);
    # "all" goes through record(); virtual_time=False takes the inlined lean handler path.
    runs = {(t, v): _invoke_scenario(t, v) for t in ("none", "all") for v in (False, True)}
    digests = {r[0] for r in runs.values()}
    assert len(digests) == 1
    outcomes = [r[1] for r in runs.values()]
    assert all(o == outcomes[0] for o in outcomes)
    statuses = outcomes[0]
    assert len(statuses) == 60
    assert any(s[2] is not None and s[2]["errorType"] == "Sandbox.Timedout" for s in statuses)
    assert any(s[2] is not None and s[2]["errorType"] == "ValueError" for s in statuses)
    assert any(s[2] is None for s in statuses)


def test_record_body_counts_and_digests_like_record():
    clocks = [Clock(), Clock()]
    a, b = Trace(clocks[0], "none"), Trace(clocks[1], "none")
    assert a.digest_only and not Trace(Clock(), "all").digest_only
    attrs = {"z": "x'y", "a": 1.5, "m": None, "b": True}
    for clock in clocks:
        clock.now_us = 42
    a.record("svc", "k", **attrs)
    b.record_body("svc", "k", "R" + repr(sorted(attrs.items())))
    assert a.digest() == b.digest() and a.counts() == b.counts() == {("svc", "k"): 1} and b.total == 1
    b.keep = "all"
    assert not b.digest_only
