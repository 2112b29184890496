"""The trace's per-(service, kind) counts, kept as ``_counts[service][kind]``: ``counts()`` and
``total`` equal a plain tally of every record made (``record`` and ``record_body`` mixed, kept
or not), copies carry on separately, and the digest does not depend on the counting."""

from __future__ import annotations

import copy
import hashlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim.kernel.clock import Clock
from serverless_sim.kernel.trace import Trace

_names = st.sampled_from(["lambda", "apigateway", "dynamodb", "a", "b"])
_ops = st.lists(st.tuples(_names, _names, st.booleans(), st.integers(0, 3)), max_size=700)


@settings(max_examples=60, deadline=None)
@given(ops=_ops, keep=st.sampled_from(["all", "none", "pred"]))
def test_counts_equal_a_plain_tally(ops, keep):
    clock = Clock()
    trace = Trace(clock, (lambda rec: rec.kind == "a") if keep == "pred" else keep)
    tally: Counter = Counter()
    texts = []
    for service, kind, body, dt in ops:
        clock.now_us += dt
        if body and trace.digest_only:
            trace.record_body(service, kind, "R[('x', 1)]")
        else:
            trace.record(service, kind, x=1)
        texts.append(f"{clock.now_us}|{service}|{kind}|R[('x', 1)]\n")
        tally[(service, kind)] += 1
    assert trace.counts() == dict(sorted(tally.items()))
    assert list(trace.counts()) == sorted(tally)
    assert trace.total == len(ops)
    assert trace.digest() == hashlib.sha256("".join(texts).encode()).hexdigest()
    twin = copy.deepcopy(trace)
    twin.record("lambda", "invoke", x=1)
    twin.record("new", "kind", x=1)
    assert trace.counts() == dict(sorted(tally.items())) and trace.total == len(ops)
    tally[("lambda", "invoke")] += 1
    tally[("new", "kind")] += 1
    assert twin.counts() == dict(sorted(tally.items())) and twin.total == len(ops) + 2


def test_unhashable_names_raise_type_error():
    trace = Trace(Clock())
    with pytest.raises(TypeError):
        trace.record(["svc"], "k")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        trace.record("svc", ["k"])  # type: ignore[arg-type]
