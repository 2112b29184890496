"""Trace.total is the sum of the per-(service, kind) counts (no separate counter per record)."""

from __future__ import annotations

import copy

from serverless_sim.kernel.clock import Clock
from serverless_sim.kernel.trace import Trace


def test_total_counts_every_record_kept_or_not_and_copies_carry_on():
    for keep in ("all", "none", lambda rec: rec.kind == "a"):
        trace = Trace(Clock(), keep)
        for i in range(600):   # more than one hash batch
            trace.record("svc", "a" if i % 3 else "b", i=i)
            if trace.digest_only:
                trace.record_body("svc", "c", "R[('i', 1)]")
        made = 600 * (2 if trace.digest_only else 1)
        assert trace.total == made == sum(trace.counts().values())
        twin = copy.deepcopy(trace)
        twin.record("svc", "a")
        assert twin.total == made + 1 and trace.total == made
        assert repr(trace).startswith(f"<Trace {made} records")
