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
