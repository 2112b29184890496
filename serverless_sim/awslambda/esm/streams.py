"""The DynamoDB Streams poller of an event source mapping.

https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html

Polling: AWS polls each shard "at a base rate of four times per second" (with-ddb.html). New
records are seen at the mapping's next poll, on a 250 ms grid phased from the mapping's start
(:data:`..limits.STREAM_POLL_INTERVAL_US`), so records written between two polls form one batch;
a finished batch, a retry or the end of a batching window polls at once (a backlog drains back
to back). The stream's ``subscribe`` hook schedules that next poll (one timer at a time); other
timers exist only for a batching window or a retry. Per shard, in shard order (a child shard waits until its parent is done):

- ``StartingPosition``: ``TRIM_HORIZON`` starts at the oldest record kept, ``LATEST`` after the
  last record present when the mapping is created. Shards that appear later start at their
  beginning.
- **Batches** of up to ``BatchSize`` records (default 100), one at a time per shard and
  *lane*: ``ParallelizationFactor`` N (1-10) splits a shard into N lanes by a hash of the item's
  key (MD5 of its key attributes, deterministic), so order holds per partition key and per shard
  when N = 1. ``MaximumBatchingWindowInSeconds``: with fewer records than ``BatchSize``, wait up to
  the window. Event ``{"Records": [...]}`` with each record as
  :meth:`~serverless_sim.dynamodb.streams.StreamRecord.to_lambda` builds it (``eventSourceARN``
  etc.).
- **Filters**: records matching no pattern are skipped (the checkpoint moves past them).
- **Errors**: the shard (lane) is blocked and the batch retried after a pause (undocumented;
  1 s doubling to 60 s, :mod:`..limits`) until it succeeds, ``MaximumRetryAttempts`` (-1 =
  until the record expires, 24 h) is exceeded, or records become older than
  ``MaximumRecordAgeInSeconds`` (-1 = no limit). ``BisectBatchOnFunctionError`` splits a failed
  batch in two (halves processed in order) without consuming a retry. Discarded records go, as
  metadata only, to ``DestinationConfig.OnFailure`` (SQS / SNS)::

      {"requestContext": {"requestId", "functionArn", "condition": "RetryAttemptsExhausted" |
                          "RecordAgeExceeded", "approximateInvokeCount"},
       "responseContext": {"statusCode", "executedVersion", "functionError"},
       "version": "1.0", "timestamp": ...,
       "DDBStreamBatchInfo": {"shardId", "startSequenceNumber", "endSequenceNumber",
                              "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord",
                              "batchSize", "streamArn"}}

- **ReportBatchItemFailures**: ``{"batchItemFailures": [{"itemIdentifier": "<SequenceNumber>"}]}``
  checkpoints at the lowest reported sequence number: records before it are done, the retry
  starts there (and counts as a retry); an empty / null list is a success; an unknown or
  missing identifier fails the whole batch.
- **Throttles** are retried (backoff as above) without counting as retries, until the records
  are too old.
- Metric ``IteratorAge`` (ms, ``FunctionName``): at each invocation, now minus the creation time
  of the batch's last record.

Deviations: ``TumblingWindowInSeconds`` is validated and stored but not modelled; the poll grid
is per mapping (all its shards are polled together); an updated ``ParallelizationFactor`` applies
to shards first read after the update (a shard already read keeps its lane count); the
"RecordAgeExceeded" condition spelling is an assumption.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from typing import TYPE_CHECKING, Any

from ...dynamodb.streams import SEQ_BASE, StreamRecord, span_records
from ...kernel.errors import AWSError
from .. import limits
from ..destinations import deliver, timestamp
from ..errors import TooManyRequestsException
from ..reporting import dims

if TYPE_CHECKING:
    from ...dynamodb.streams import Shard
    from ..invoke import Invocation
    from ..service import Lambda
    from .mapping import EventSourceMapping

US = 1_000_000
_to_lambda = StreamRecord.to_lambda
_RETENTION_US = 24 * 3600 * US
RETRIES_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


class _Batch:
    __slots__ = ("records", "end_seq", "retries", "invokes", "throttles", "last_inv")

    def __init__(self, records: list["StreamRecord"], end_seq: int, retries: int = 0, invokes: int = 0) -> None:
        self.records = records
        #: The lane's checkpoint once this batch is done (the last record scanned for it).
        self.end_seq = end_seq
        self.retries = retries
        self.invokes = invokes
        self.throttles = 0
        self.last_inv: "Invocation | None" = None


class _Lane:
    __slots__ = ("index", "count", "after_seq", "busy", "pending", "timer", "window_due", "failures")

    def __init__(self, index: int, after_seq: int | None, count: int = 1) -> None:
        self.index = index
        #: The number of lanes of its shard (the ParallelizationFactor when the shard's state was
        #: made): a record belongs to lane ``_lane_of(record, count)``.
        self.count = count
        self.after_seq = after_seq
        self.busy = False
        self.pending: deque[_Batch] = deque()
        self.timer: Any = None
        self.window_due = False
        #: Consecutive failed attempts (the exponent of the retry pause).
        self.failures = 0

    @property
    def idle(self) -> bool:
        return not self.busy and not self.pending and self.timer is None


class _ShardState:
    __slots__ = ("shard_id", "lanes", "finished")

    def __init__(self, shard_id: str, lanes: list[_Lane]) -> None:
        self.shard_id = shard_id
        self.lanes = lanes
        self.finished = False


class StreamPoller:
    """Reads one DynamoDB stream for one mapping (see the module docstring)."""

    #: Skip the poll event after a batch when it would find nothing (:meth:`_poll_after_batch`);
    #: tests turn it off to check that the trace is the same either way.
    _skip_idle_polls = True
    #: Run the common poll (:meth:`_poll_fast`) without the general frames; tests turn it off
    #: to check that the trace is the same either way.
    _fast_polls = True
    #: Subscribe with ``self`` as the gate (the stream skips ``_on_record`` while ``wake_at`` is
    #: set); tests turn it off to check that the trace is the same either way.
    _gated_wakeups = True

    def __init__(self, svc: "Lambda", esm: "EventSourceMapping") -> None:
        self.svc = svc
        self.esm = esm
        self.cloud = svc.cloud
        self.clock = svc.cloud.clock
        self.stream = svc.cloud.dynamodb.streams.get(esm.source_arn)  # type: ignore[attr-defined]
        self.states: dict[str, _ShardState] = {}
        #: Bumped whenever ``states`` gains or loses a shard (see :meth:`_lone`).
        self._states_version = 0
        #: (first listed shard, number listed, open shard, states version) when :meth:`_lone`
        #: last found every other state finished and every listed shard with a state.
        self._lone_sig: tuple[Any, ...] | None = None
        self.stopped = False
        self._unsubscribe: Any = None
        #: When the one pending poll runs (None: none pending). Also the stream's gate for
        #: ``_on_record`` (``Stream.subscribe``): while a poll is pending, it is at or before the
        #: next grid point (the one a new record would ask for), so ``_on_record`` would return
        #: at once and the stream does not call it.
        self.wake_at: int | None = None
        self._phase = 0
        self.batches = 0
        #: (function, its IteratorAge series), looked up once per function.
        self._age_series: tuple[Any, Any] | None = None
        #: Made once: ``_done`` (every batch registers it), ``_poll_due`` (every poll on the
        #: grid), the scheduler's ``schedule_at_us``, the poll interval.
        self._done_cb = self._done
        self._poll_due_cb = self._poll_due
        self._schedule_at = svc.cloud.scheduler.schedule_at_us
        self._interval = limits.STREAM_POLL_INTERVAL_US
        self._plain = False
        self._report_failures = False
        self._want = esm.batch_size
        self._age_limit_us = _RETENTION_US
        self._configure()

    def _configure(self) -> None:
        """Cache what the hot paths test of the mapping's configuration. The configuration
        changes only through UpdateEventSourceMapping, which calls :meth:`reconfigure` (or
        stops this poller)."""
        esm = self.esm
        #: The fast polls' case: ``ParallelizationFactor`` 1, no filters, no batching window.
        self._plain = esm.parallelization == 1 and esm.filters is None and not esm.window_s
        #: ``esm.report_batch_item_failures``.
        self._report_failures = esm.report_batch_item_failures
        self._want = esm.batch_size
        #: Records older than this are discarded before an invocation (MaximumRecordAgeInSeconds,
        #: -1: the stream's retention).
        self._age_limit_us = esm.max_record_age_s * US if esm.max_record_age_s >= 0 else _RETENTION_US

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._phase = self.cloud.clock.now_us % self._interval
        latest = self.esm.starting_position == "LATEST"
        for shard in self.stream.shards_now():
            after = shard.seqs[-1] if (latest and shard.seqs) else None
            self.states[shard.shard_id] = self._new_state(shard.shard_id, after)
            self._states_version += 1
        self._unsubscribe = self.stream.subscribe(self._on_record, self if self._gated_wakeups else None)
        self._schedule_poll()

    def stop(self) -> None:
        self.stopped = True
        if self._unsubscribe is not None:
            self._unsubscribe()
        for st in self.states.values():
            for lane in st.lanes:
                if lane.timer is not None:
                    self.cloud.scheduler.cancel(lane.timer)
                    lane.timer = None

    def reconfigure(self) -> None:
        # A new ParallelizationFactor takes effect for shards whose state is made from now on
        # (new shards); a shard read so far keeps its lanes, and its records their lane
        # (_Lane.count, _lane_of), so each record is still read once and in order per key.
        self._configure()
        self._schedule_poll()

    def _new_state(self, shard_id: str, after: int | None) -> _ShardState:
        n = self.esm.parallelization
        return _ShardState(shard_id, [_Lane(i, after, n) for i in range(n)])

    def _on_record(self, _stream: Any, _shard: Any, _seq: int) -> None:
        # A new record is seen at the next poll on the mapping's 250 ms grid. (Called only while
        # wake_at is None, through the gate, unless _gated_wakeups is off.) Whenever wake_at is
        # set, it is at or before that grid point: a poll set for an earlier grid point g that
        # has not run yet means now <= g, so g is the next grid point; a poll set by
        # _poll_later(0) that has not run yet is at now.
        now = self.clock.now_us
        at = now + (self._phase - now) % self._interval
        pending = self.wake_at
        if pending is not None and pending <= at:
            return  # a poll at or before then is already due (_poll_later's test, inlined)
        if self.stopped:
            return
        # _poll_later(delay) and scheduler.call_later_us, inlined: the same heap entry.
        self.wake_at = at
        self._schedule_at(at, self._poll_due_cb, (at,))

    def _schedule_poll(self) -> None:
        self._poll_later(0)

    def _poll_later(self, delay_us: int) -> None:
        if self.stopped:
            return
        at = self.cloud.clock.now_us + delay_us
        if self.wake_at is not None and self.wake_at <= at:
            return  # a poll at or before then is already due
        self.wake_at = at
        self.cloud.scheduler.call_later_us(delay_us, self._poll_due, at)

    def _lone(self, now: int) -> "_ShardState | None":
        """The open shard's state when a poll at ``now`` has that shard alone to look at:
        ``roll(now)`` would change nothing (:meth:`Stream.quiet`), every listed shard has a state
        and every other state is finished (a closed parent read to its end: the general poll
        skips it), and no state is to be dropped. Then :meth:`_poll` does for the open shard
        exactly what the fast paths do. None otherwise. O(1) amortised: the check over the
        states runs again only when the listing or the states change."""
        stream = self.stream
        shard = stream.quiet(now)
        if shard is None:
            return None
        states = self.states
        st = states.get(shard.shard_id)
        if st is None:
            return None
        shards = stream.shards
        if len(states) == 1 and len(shards) == 1:
            return st
        sig = self._lone_sig
        if (sig is None or sig[0] is not shards[0] or sig[1] != len(shards) or sig[2] is not shard
                or sig[3] != self._states_version):
            if len(states) != len(shards) or any(s.shard_id not in states for s in shards):
                return None
            for sid, other in states.items():
                if sid != shard.shard_id and not other.finished:
                    return None
            self._lone_sig = (shards[0], len(shards), shard, self._states_version)
        return st

    def _poll_due(self, at: int) -> None:
        if self.wake_at != at:
            return  # superseded by an earlier poll
        self.wake_at = None
        if self._fast_polls and self._plain and not self.stopped and self.esm.enabled:
            now = self.clock.now_us
            stream = self.stream
            # _lone(now), with its common case inlined (one shard listed, one state): the open
            # shard (stream.current) when quiet, and its state.
            shard = stream.quiet(now)
            if shard is not None:
                states = self.states
                if len(states) == 1 and len(stream.shards) == 1:
                    st = states.get(shard.shard_id)
                else:
                    st = self._lone(now)
                if st is not None:
                    lanes = st.lanes
                    if len(lanes) == 1:
                        lane = lanes[0]
                        if lane.busy or lane.timer is not None:
                            return  # _poll's fast exit: no lane it would move
                        if not lane.pending and not lane.window_due:
                            # With nothing after the checkpoint (_poll's fast exit) _poll_fast
                            # reads no record and returns: no has_after test first.
                            self._poll_fast(shard, lane, now)
                            return
        self._poll()

    def _poll_fast(self, shard: "Shard", lane: _Lane, now: int) -> None:
        """``_poll()`` in the common case, with ``_advance``, ``_read`` and ``_invoke`` inlined:
        the open shard alone to look at (:meth:`_lone`, :meth:`Stream.quiet`), one lane (and
        ``ParallelizationFactor`` 1), no filters, no batching window, no batch pending; with no
        record after the checkpoint it returns having changed nothing. The batch is a plain list
        riding on the invocation's ``tag`` (no :class:`_Batch` unless it fails or is throttled);
        anything unusual (records too old, no function) takes the general :meth:`_invoke`.
        ``_maybe_finished`` is a no-op for an open shard. Pinned equal to the general path by
        tests/awslambda/test_lambda_esm_streams_equivalence.py."""
        esm = self.esm
        want = self._want
        stream = self.stream
        # The batch's Lambda records straight from the shard's columns (no StreamRecord per
        # record: ``span`` makes them only if the batch fails, is throttled or is unusual).
        got = stream.read_lambda(shard, now, lane.after_seq, want)
        records: list[StreamRecord] | None
        if got is not None:
            events, span = got
            if span is None:
                return  # no record after the checkpoint (or every one trimmed meanwhile)
            records = None
            times = span[2]
            first_us = times[0]
            last_us = times[-1]
        else:
            # The 1 MB rule may cut the batch: _read's one-lane loop (read only what the batch
            # takes; read on when a read stopped short at the byte limit).
            span = None
            records = stream.read_shard(shard, now, lane.after_seq, want)
            if not records:
                return
            n = len(records)
            while n < want and shard.has_after(records[-1].seq):
                more = stream.read_shard(shard, now, records[-1].seq, want - n)
                if not more:
                    break
                records += more
                n = len(records)
            first_us = records[0].time_us
            last_us = records[-1].time_us
        lane.window_due = False
        svc = self.svc
        fn = svc.functions.get(esm.function_name)
        if now - first_us > self._age_limit_us or fn is None:
            if records is None:
                records = span_records(span)  # type: ignore[arg-type]
            batch = _Batch(records, records[-1].seq)
            lane.pending.append(batch)
            self._invoke(shard.shard_id, lane, batch)
            return
        try:
            qualifier = esm.qualifier
            if qualifier is None:
                version, resource = fn.latest, None  # svc._route(fn, None), inlined
            else:
                version, resource = svc._route(fn, qualifier)
            if records is not None:
                events = list(map(_to_lambda, records))
            inv = svc._start(version, resource, {"Records": events})
        except TooManyRequestsException:
            if records is None:
                records = span_records(span)  # type: ignore[arg-type]
            batch = _Batch(records, records[-1].seq)
            lane.pending.append(batch)
            batch.throttles = 1
            self._pause(lane, 0)
            return
        except BaseException:
            if records is None:
                records = span_records(span)  # type: ignore[arg-type]
            lane.pending.append(_Batch(records, records[-1].seq))  # as the general path leaves it
            raise
        self.batches += 1
        lane.busy = True
        age_ms = (now - last_us if now > last_us else 0) / 1000
        age = self._age_series
        if age is None or age[0] is not fn:
            age = self._age_series = (fn, svc._series.get("IteratorAge", dims(FunctionName=fn.name), "Milliseconds"))
        age[1].add_statistic_set(now, 1, age_ms, age_ms, age_ms)
        # The records ride on the invocation as a RecordSpan or a list (_done builds the _Batch
        # if it fails).
        inv.tag = (shard.shard_id, lane, span if records is None else records)
        # inv.on_complete(self._done), inlined (Invocation.on_complete's three cases).
        if inv.done:
            self._done_cb(inv)
        elif inv.callbacks is None:
            inv.callbacks = [self._done_cb]
        else:
            inv.callbacks.append(self._done_cb)

    def _poll_after_batch(self) -> None:
        """``_schedule_poll()`` after a successful batch, without the event when it is a no-op.

        ``_schedule_poll()`` queues a poll event P at this instant, behind every event already
        queued. When no queued event is due at this instant (the heap's first entry, live or
        cancelled, is later), P would be the very next event, and what runs before it is the rest
        of this completion event: ``InvokeEngine._complete`` after its callbacks (ours is the
        only one: nobody else holds the invocation) only *schedules* (``Event.succeed``, the async
        queue's ``kick``), and those events come after P. So P would see the poller exactly as it
        is now; when :meth:`_idle` says its poll would do nothing, P's only effect is to clear
        ``wake_at`` (it superseded any later pending poll), which is done here instead. Otherwise
        the event is queued as before. Same polls, same order, same trace.
        """
        now = self.clock.now_us
        pending = self.wake_at
        if pending is not None and pending <= now:
            return  # _poll_later's test: a poll at this instant is already due
        if self._skip_idle_polls and self._idle(now):
            # The first heap entry, live or cancelled (``next_at_us`` drops nothing; ``peek_us``
            # would drop cancelled entries at the top, which must not happen mid-event).
            due = self.cloud.scheduler.next_at_us()
            if due is None or due > now:
                self.wake_at = None
                return
        self._poll_later(0)

    def _idle(self, now: int) -> bool:
        """True when :meth:`_poll` at ``now`` would return without doing anything: one open shard,
        no shard change or trim due now, and no lane that it would move. O(lanes)."""
        if self.stopped or not self.esm.enabled:
            return True
        st = self._lone(now)
        if st is None:
            return False
        shard = self.stream.current
        assert shard is not None
        for lane in st.lanes:
            if not lane.busy and lane.timer is None and (lane.pending or shard.has_after(lane.after_seq)):
                return False
        return True

    # -- polling --------------------------------------------------------------------------------
    def _poll(self) -> None:
        if self.stopped or not self.esm.enabled:
            return
        st = self._lone(self.clock.now_us)
        if st is not None:
            # Fast exit (a poll that finds nothing new): the open shard alone to look at (_lone),
            # no shard change or trim due now, and no lane that the loop below would move (the
            # test of _idle).
            shard = self.stream.current
            if shard is not None:
                for lane in st.lanes:
                    if not lane.busy and lane.timer is None and (lane.pending or shard.has_after(lane.after_seq)):
                        break
                else:
                    return
                if not st.finished and shard.closed_us is None:
                    # The loop below, for this case: the listing would be the same (roll(now)
                    # changes nothing), every other listed shard's state is finished (skipped),
                    # the parent, if any, is finished, no state is dropped, and an open shard is
                    # never finished.
                    for lane in st.lanes:
                        if not lane.busy and lane.timer is None:
                            self._advance(shard, lane)
                    self._maybe_finished(shard, st)
                    return
        try:
            shards = self.stream.shards_now()
        except AWSError:
            return
        listed = set()
        for shard in shards:
            listed.add(shard.shard_id)
            st = self.states.get(shard.shard_id)
            if st is None:
                st = self.states[shard.shard_id] = self._new_state(shard.shard_id, None)
                self._states_version += 1
            if st.finished:
                continue
            parent = self.states.get(shard.parent_id) if shard.parent_id else None
            if parent is not None and not parent.finished:
                continue
            for lane in st.lanes:
                if not lane.busy and lane.timer is None:
                    self._advance(shard, lane)
            self._maybe_finished(shard, st)
        for sid in [s for s in self.states if s not in listed]:
            del self.states[sid]
            self._states_version += 1

    @staticmethod
    def _maybe_finished(shard: "Shard", st: _ShardState) -> None:
        if shard.closed_us is not None and all(lane.idle for lane in st.lanes):
            last = shard.seqs[-1] if shard.seqs else None
            if last is None or all(lane.after_seq is not None and lane.after_seq >= last for lane in st.lanes):
                st.finished = True

    @staticmethod
    def _lane_of(rec: "StreamRecord", n: int) -> int:
        """The lane, of a shard with ``n`` lanes, that ``rec`` belongs to: by a hash of the item's
        key, so one key's records stay in one lane, in order. ``n`` is the shard's own lane count,
        not the mapping's current ParallelizationFactor: after an update the shards read so far
        keep their lanes (see :meth:`reconfigure`), and hashing by another count would send a
        record to no lane (lost) or, with the one-lane shortcut of :meth:`_read`, to every lane
        (delivered twice, concurrently)."""
        if n == 1:
            return 0
        key = json.dumps(rec.keys(), sort_keys=True, default=str)
        return int(hashlib.md5(key.encode()).hexdigest()[:8], 16) % n

    def _read(self, shard: "Shard", lane: _Lane) -> tuple[list["StreamRecord"], int | None]:
        """The lane's next records (filters applied) and the last sequence number scanned."""
        esm = self.esm
        want = esm.batch_size
        out: list["StreamRecord"] = []
        after = lane.after_seq
        last: int | None = None
        n = lane.count
        if n == 1 and esm.filters is None:
            # The loop below when every record is taken (one lane, no filters): read only what
            # the batch takes (a read of fewer records returns a prefix of a longer one).
            while len(out) < want and shard.has_after(after):
                chunk = self.stream.read(shard.shard_id, after_seq=after, limit=want - len(out), strict=False)
                if not chunk:
                    break
                out += chunk
                last = after = chunk[-1].seq
            return out, last
        while len(out) < want:
            if not shard.has_after(after):
                break  # nothing after the checkpoint: the read would return no record
            chunk = self.stream.read(shard.shard_id, after_seq=after, limit=max(want, 100), strict=False)
            if not chunk:
                break
            for rec in chunk:
                last = after = rec.seq
                if n > 1 and self._lane_of(rec, n) != lane.index:
                    continue
                if esm.filters is not None and not esm.filters.matches(rec.to_lambda()):
                    continue
                out.append(rec)
                if len(out) >= want:
                    break
        return out, last

    def _advance(self, shard: "Shard", lane: _Lane) -> None:
        """Start the lane's next batch (a pending retry, or new records)."""
        esm = self.esm
        if lane.pending:
            self._invoke(shard.shard_id, lane, lane.pending[0])
            return
        records, last = self._read(shard, lane)
        if not records:
            if last is not None:
                lane.after_seq = last  # only filtered-out or other lanes' records: skip them
            return
        if esm.window_s and len(records) < esm.batch_size and not lane.window_due:
            lane.timer = self.cloud.scheduler.call_later_us(esm.window_s * US, self._window_end, lane)
            return
        lane.window_due = False
        batch = _Batch(records, last if last is not None else records[-1].seq)
        lane.pending.append(batch)
        self._invoke(shard.shard_id, lane, batch)

    def _window_end(self, lane: _Lane) -> None:
        lane.timer = None
        lane.window_due = True
        self._schedule_poll()

    def _retry_due(self, lane: _Lane) -> None:
        lane.timer = None
        self._schedule_poll()

    def _pause(self, lane: _Lane, exponent: int) -> None:
        delay = min(limits.STREAM_RETRY_BACKOFF_MAX_S * US,
                    (limits.STREAM_RETRY_BACKOFF_MIN_S * US) << min(exponent, 20))
        lane.timer = self.cloud.scheduler.call_later_us(delay, self._retry_due, lane)

    def _invoke(self, shard_id: str, lane: _Lane, batch: _Batch) -> None:
        svc = self.svc
        esm = self.esm
        now = self.cloud.clock.now_us
        # Records too old are discarded before the invocation.
        limit_us = esm.max_record_age_s * US if esm.max_record_age_s >= 0 else _RETENTION_US
        # A batch's records are in sequence (so time) order: the old ones are a prefix, and
        # there are none when the first record is recent enough (the common case).
        records = batch.records
        old = [r for r in records if now - r.time_us > limit_us] if now - records[0].time_us > limit_us else None
        if old:
            self._discard(shard_id, old, RECORD_AGE_EXCEEDED, batch)
            batch.records = [r for r in batch.records if now - r.time_us <= limit_us]
            if not batch.records:
                self._finish(lane, batch)
                self._schedule_poll()
                return
            lane.after_seq = old[-1].seq if lane.after_seq is None or old[-1].seq > lane.after_seq else lane.after_seq
        fn = svc.functions.get(esm.function_name)
        if fn is None:
            return
        try:
            version, resource = svc._route(fn, esm.qualifier)
            inv = svc._start(version, resource, {"Records": list(map(_to_lambda, batch.records))})
        except TooManyRequestsException:
            batch.throttles += 1
            self._pause(lane, batch.throttles - 1)
            return
        self.batches += 1
        batch.invokes += 1
        batch.last_inv = inv
        lane.busy = True
        age_ms = max(0, now - batch.records[-1].time_us) / 1000
        age = self._age_series
        if age is None or age[0] is not fn:
            age = self._age_series = (fn, svc._series.get("IteratorAge", dims(FunctionName=fn.name), "Milliseconds"))
        age[1].add_statistic_set(now, 1, age_ms, age_ms, age_ms)
        # The batch rides on the invocation (its free ``tag`` slot): one bound method, no closure.
        inv.tag = (shard_id, lane, batch)
        inv.on_complete(self._done)

    def _done(self, inv: "Invocation") -> None:
        shard_id, lane, batch = inv.tag
        inv.tag = None  # batch.last_inv is inv: no reference cycle left for the collector
        lane.busy = False
        if self.stopped:
            return
        esm = self.esm
        kind = type(batch)
        if kind is not _Batch:
            # A batch of _poll_fast (a RecordSpan tuple or a list of records; the lane had
            # nothing else pending).
            if inv.error is None and not self._report_failures:
                # The success path below, with _finish inlined (the batch is not in pending).
                esm.last_result = "OK"
                lane.failures = 0
                end = batch[1][-1] + SEQ_BASE if kind is tuple else batch[-1].seq
                after = lane.after_seq
                if after is None or end > after:
                    lane.after_seq = end
                # _poll_after_batch(), inlined (see there).
                now = self.clock.now_us
                pending = self.wake_at
                if pending is not None and pending <= now:
                    return  # a poll at this instant is already due
                if self._skip_idle_polls:
                    # _idle(now), inlined (``stopped`` is False here), with _lone(now)'s common
                    # case (one shard listed, one state) inlined too.
                    idle = True
                    if esm.enabled:
                        stream = self.stream
                        shard = stream.quiet(now)
                        if shard is None:
                            idle = False
                        else:
                            states = self.states
                            if len(states) == 1 and len(stream.shards) == 1:
                                st = states.get(shard.shard_id)
                            else:
                                st = self._lone(now)
                            if st is None:
                                idle = False
                            else:
                                for other in st.lanes:
                                    if (not other.busy and other.timer is None
                                            and (other.pending or shard.has_after(other.after_seq))):
                                        idle = False
                                        break
                    if idle:
                        due = self.cloud.scheduler.next_at_us()
                        if due is None or due > now:
                            self.wake_at = None
                            return
                self._poll_later(0)
                return
            # What the general path holds by now: the _Batch, pending, invoked once.
            records = span_records(batch) if kind is tuple else batch
            batch = _Batch(records, records[-1].seq, 0, 1)
            batch.last_inv = inv
            lane.pending.append(batch)
        lowest: int | None = None
        whole = inv.error is not None
        if not whole and esm.report_batch_item_failures:
            parsed = _lowest_failure(inv.result, {r.sequence_number: r.seq for r in batch.records})
            if parsed is False:
                whole = True
            elif parsed is not None:
                lowest = parsed  # type: ignore[assignment]
        if not whole and lowest is None:
            esm.last_result = "OK"
            lane.failures = 0
            self._finish(lane, batch)
            self._poll_after_batch()
            return
        lane.failures += 1
        if whole and esm.bisect and len(batch.records) > 1:
            half = len(batch.records) // 2
            first = _Batch(batch.records[:half], batch.records[half - 1].seq, batch.retries, batch.invokes)
            second = _Batch(batch.records[half:], batch.end_seq, batch.retries, batch.invokes)
            lane.pending.popleft()
            lane.pending.appendleft(second)
            lane.pending.appendleft(first)
            self.cloud.trace.record("lambda", "esm_bisect", uuid=esm.uuid, shard=shard_id, sizes=[half, len(batch.records) - half])
            self._pause(lane, lane.failures - 1)
            return
        if lowest is not None:
            done = [r for r in batch.records if r.seq < lowest]
            if done:
                lane.after_seq = done[-1].seq
            batch.records = [r for r in batch.records if r.seq >= lowest]
        batch.retries += 1
        if esm.max_retries >= 0 and batch.retries > esm.max_retries:
            self._discard(shard_id, batch.records, RETRIES_EXHAUSTED, batch)
            self._finish(lane, batch)
            lane.failures = 0
            self._schedule_poll()
            return
        self._pause(lane, lane.failures - 1)

    def _finish(self, lane: _Lane, batch: _Batch) -> None:
        if lane.pending and lane.pending[0] is batch:
            lane.pending.popleft()
        if lane.after_seq is None or batch.end_seq > lane.after_seq:
            lane.after_seq = batch.end_seq

    def _discard(self, shard_id: str, records: list["StreamRecord"], condition: str, batch: _Batch) -> None:
        esm = self.esm
        self.cloud.trace.record("lambda", "esm_discarded", uuid=esm.uuid, shard=shard_id, records=len(records),
                                condition=condition)
        if not esm.on_failure or not records:
            return
        inv = batch.last_inv
        response: dict[str, Any] = {"statusCode": 200 if inv is not None else 429}
        if inv is not None:
            response["executedVersion"] = inv.version.version
            if inv.error is not None:
                response["functionError"] = "Unhandled"
        doc = {
            "requestContext": {
                "requestId": inv.request_id if inv is not None else self.cloud.streams.uuid("lambda/esm"),
                "functionArn": esm.function_arn,
                "condition": condition,
                "approximateInvokeCount": batch.invokes,
            },
            "responseContext": response,
            "version": "1.0",
            "timestamp": timestamp(self.cloud.clock.now_us),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": records[0].sequence_number,
                "endSequenceNumber": records[-1].sequence_number,
                "approximateArrivalOfFirstRecord": _second(records[0].time_us),
                "approximateArrivalOfLastRecord": _second(records[-1].time_us),
                "batchSize": len(records),
                "streamArn": esm.source_arn,
            },
        }
        deliver(self.svc, esm.on_failure, doc, False, esm.function_name)


def _second(us: int) -> str:
    return timestamp(us - us % US)[:19] + "Z"


def _lowest_failure(result: Any, seqs: dict[str, int]) -> int | None | bool:
    """The lowest reported sequence number; None for a success; False for a whole-batch failure."""
    if isinstance(result, (bytes, bytearray)):
        try:
            result = json.loads(result) if result else None
        except ValueError:
            return False
    if result is None:
        return None
    if not isinstance(result, dict):
        return False
    items = result.get("batchItemFailures")
    if items is None:
        return None
    if not isinstance(items, list):
        return False
    if not items:
        return None
    lowest: int | None = None
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or ident not in seqs:
            return False
        s = seqs[ident]
        lowest = s if lowest is None else min(lowest, s)
    return lowest


__all__ = ["StreamPoller"]
