"""Shared by the Streams mapping's equivalence tests: the poller's general read, without its
one-lane, no-filter shortcut, and a switch for every shortcut (what they are compared against)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from serverless_sim.awslambda.esm.streams import StreamPoller


def general_read(self, shard, lane):
    """StreamPoller._read without its one-lane, no-filter shortcut (the general loop)."""
    esm = self.esm
    want = esm.batch_size
    out = []
    after = lane.after_seq
    last = None
    while len(out) < want:
        if not shard.has_after(after):
            break
        chunk = self.stream.read(shard.shard_id, after_seq=after, limit=max(want, 100), strict=False)
        if not chunk:
            break
        for rec in chunk:
            last = after = rec.seq
            if lane.count > 1 and self._lane_of(rec, lane.count) != lane.index:
                continue
            if esm.filters is not None and not esm.filters.matches(rec.to_lambda()):
                continue
            out.append(rec)
            if len(out) >= want:
                break
    return out, last


@contextmanager
def shortcuts(on: bool) -> Iterator[None]:
    """Every StreamPoller shortcut on, or all off with the general read; restored on exit."""
    fast_read = StreamPoller._read
    StreamPoller._skip_idle_polls = on
    StreamPoller._fast_polls = on
    StreamPoller._gated_wakeups = on
    if not on:
        StreamPoller._read = general_read  # type: ignore[method-assign]
    try:
        yield
    finally:
        StreamPoller._skip_idle_polls = True
        StreamPoller._fast_polls = True
        StreamPoller._gated_wakeups = True
        StreamPoller._read = fast_read  # type: ignore[method-assign]
