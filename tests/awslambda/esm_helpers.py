"""Shared by the Streams mapping's equivalence tests: the poller's general read, without its
one-lane, no-filter shortcut (what the shortcuts are compared against)."""

from __future__ import annotations


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
