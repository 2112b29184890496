"""One SQS queue: storage, visibility, delays, retention, FIFO groups and deduplication, redrive.

Model (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/):

- A message is *delayed* (DelaySeconds), *visible*, *in flight* (received, hidden for the
  visibility timeout) or gone (deleted, expired after MessageRetentionPeriod, purged, moved to
  the dead-letter queue). Receiving makes it in flight and increments ApproximateReceiveCount.
- Standard queues deliver visible messages in a deterministic order: by send order (a message
  whose visibility timeout ends takes its place back in that order). With
  ``SQSConfig(ordering="shuffled")`` each message becomes visible with a priority drawn from the
  queue's random stream instead, modelling best-effort ordering reproducibly. Known deviation: no
  duplicate deliveries and no short-poll sampling (a receive sees every visible message).
- FIFO queues keep strict order per MessageGroupId; a group with a message in flight returns
  nothing more until that message is deleted or visible again; a receive fills up from the group
  whose oldest message is oldest, then the next. Deduplication: an id (given, or SHA-256 of the
  body with ContentBasedDeduplication) seen in the last 5 minutes makes a send succeed without
  enqueuing (same MessageId and SequenceNumber returned); scope is the queue or the group
  (DeduplicationScope).
- Redrive: a visible message already received maxReceiveCount times is moved to the dead-letter
  queue by the receive that would exceed the count (it keeps its MessageId, body, attributes,
  SentTimestamp and receive count; DeadLetterQueueSourceArn names the source).
- Retention counts from the original enqueue time (also in a dead-letter queue).

Time: nothing is scheduled per message. Delays and visibility timeouts sit in one heap per
queue and take effect lazily at the next operation on the queue (every read first catches up to
``now``), so a million in-flight messages cost no kernel events. Only when someone listens (a
long-poll waiter or a :meth:`subscribe` hook, e.g. Lambda's event source mapping) does the queue
keep one kernel event armed at its next due time, to wake the listener.

Complexity: send O(log n) (O(1) amortised in send order), receive O(k log n) for k messages,
delete and change-visibility O(1) amortised, counts O(1) after catching up.
"""

from __future__ import annotations

import json
from collections import deque
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any, Callable

from . import limits as L
from .errors import PurgeQueueInProgress, ReceiptHandleIsInvalid, invalid_value
from .messages import DELAYED, GONE, INFLIGHT, VISIBLE, Message

if TYPE_CHECKING:
    from .service import SQS

US = L.US
_DEDUP_US = L.DEDUP_INTERVAL_S * US
_GAUGE_IDLE_US = 6 * 3600 * US  # AWS stops publishing a queue's metrics after 6 idle hours


class _Group:
    __slots__ = ("gid", "msgs", "inflight")

    def __init__(self, gid: str) -> None:
        self.gid = gid
        self.msgs: deque[Message] = deque()
        self.inflight = 0


class _Waiter:
    __slots__ = ("event", "max", "visibility_us", "timer", "done")

    def __init__(self, event: Any, max_n: int, visibility_us: int | None) -> None:
        self.event = event
        self.max = max_n
        self.visibility_us = visibility_us
        self.timer: Any = None
        self.done = False


class Subscription:
    """A listener registered with :meth:`Queue.subscribe`; ``cancel()`` removes it."""

    __slots__ = ("queue", "callback", "active")

    def __init__(self, queue: "Queue", callback: Callable[[Any], Any]) -> None:
        self.queue = queue
        self.callback = callback
        self.active = True

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self.queue._subscribers.remove(self)

    def __repr__(self) -> str:
        return f"<Subscription to {self.queue.name} {'active' if self.active else 'cancelled'}>"


class Queue:
    """The engine of one queue. Wire operations and the native API call its methods."""

    def __init__(self, service: "SQS", name: str, qid: int, attributes: dict[str, str],
                 tags: dict[str, str] | None = None) -> None:
        from .attributes import FIFO_DEFAULTS, STANDARD_DEFAULTS

        cloud = service.cloud
        self.service = service
        self.cloud = cloud
        self._clock = cloud.clock
        self._sched = cloud.scheduler
        self.name = name
        self.qid = qid
        self.fifo = name.endswith(".fifo")
        self.url = f"https://sqs.{cloud.region}.amazonaws.com/{cloud.account_id}/{name}"
        self.arn = cloud.arn("sqs", name)
        self.created_us = self.modified_us = cloud.clock.now_us
        defaults = dict(STANDARD_DEFAULTS)
        if self.fifo:
            defaults.update(FIFO_DEFAULTS)
        self.attributes: dict[str, str] = {k: v for k, v in defaults.items() if v is not None}
        self.attributes.update(attributes)
        self.attributes.pop("FifoQueue", None) if not self.fifo else None
        self.tags: dict[str, str] = dict(tags or {})
        self.deleted = False
        self._by_seq: dict[int, Message] = {}
        self._seq = 0
        self._fresh: deque[Message] = deque()
        self._returned: list[tuple[Any, int, Message]] = []
        self._timers: list[tuple[int, int, Message, int]] = []
        self._tseq = 0
        self._stale_timers = 0
        self._ages: list[tuple[int, int, Message]] = []
        self.n_visible = self.n_inflight = self.n_delayed = 0
        self._groups: dict[str, _Group] = {}
        self._avail: list[tuple[int, str]] = []
        self._dedup: dict[Any, tuple[int, str, str | None]] = {}
        self._dedup_order: deque[tuple[int, Any]] = deque()
        self._seqnum = 0
        self._waiters: deque[_Waiter] = deque()
        self._subscribers: list[Subscription] = []
        self._signal_pending = False
        self._wake: Any = None
        self._wake_when = 0
        self._last_purge_us: int | None = None
        self._last_activity_us = self.created_us
        #: Metric counters of the current minute: sent, received, deleted, empty receives.
        self._m = [0, 0, 0, 0]
        self._m_flush: Any = None
        self._shuffle = service.config.ordering == "shuffled"
        self._order_rng = cloud.rng(f"sqs/order/{name}") if self._shuffle else None
        # Receipt handles: a random tag from the service's stream, then queue, message and
        # receive number (so a handle names its message without a lookup table).
        self._rh_bits = service._receipt_rng.getrandbits
        self._apply()

    # -- configuration ------------------------------------------------------------------------
    def _apply(self) -> None:
        a = self.attributes
        self.delay_us = int(a["DelaySeconds"]) * US
        self.max_size = int(a["MaximumMessageSize"])
        self.retention_us = int(a["MessageRetentionPeriod"]) * US
        self.wait_s = int(a["ReceiveMessageWaitTimeSeconds"])
        self.visibility_us = int(a["VisibilityTimeout"]) * US
        rp = a.get("RedrivePolicy")
        if rp:
            policy = json.loads(rp)
            self.redrive_arn: str | None = policy["deadLetterTargetArn"]
            self.max_receive = int(policy["maxReceiveCount"])
        else:
            self.redrive_arn = None
            self.max_receive = 0
        self.content_dedup = a.get("ContentBasedDeduplication") == "true"
        self.dedup_by_group = a.get("DeduplicationScope") == "messageGroup"

    def set_attributes(self, values: dict[str, str]) -> None:
        """Apply already validated attributes (SetQueueAttributes)."""
        self.attributes.update(values)
        for k, v in values.items():
            if v == "" and k in ("RedrivePolicy", "RedriveAllowPolicy", "Policy", "KmsMasterKeyId"):
                del self.attributes[k]
        self.modified_us = self._clock.now_us
        self._apply()

    # -- sending ------------------------------------------------------------------------------
    def send(self, body: str, md5_body: str, size: int, attributes: dict[str, Any] | None = None,
             md5_attributes: str | None = None, delay_s: int | None = None,
             group_id: str | None = None, dedup_id: str | None = None,
             system_attributes: dict[str, Any] | None = None, md5_system: str | None = None,
             ) -> tuple[str, str | None]:
        """Enqueue a validated message; returns (MessageId, SequenceNumber or None). O(log n)."""
        now = self._clock.now_us
        if self.fifo:
            self._expire_dedup(now)
            key = (group_id, dedup_id) if self.dedup_by_group else dedup_id
            hit = self._dedup.get(key)
            if hit is not None:
                return hit[1], hit[2]
        self._seq = seq = self._seq + 1
        msg = Message(seq, self.service._message_id(), body, md5_body, attributes, md5_attributes,
                      now, size)
        if system_attributes:
            msg.system_attributes = system_attributes
            msg.md5_system = md5_system
        self._by_seq[seq] = msg
        heappush(self._ages, (now, seq, msg))
        delay_us = self.delay_us if delay_s is None else delay_s * US
        seqnum = None
        if self.fifo:
            self._seqnum += 1
            seqnum = str(10_000_000_000_000_000_000 + self._seqnum)
            msg.group_id = group_id
            msg.dedup_id = dedup_id
            msg.sequence_number = seqnum
            exp = now + _DEDUP_US
            self._dedup[key] = (exp, msg.message_id, seqnum)
            self._dedup_order.append((exp, key))
            gid: str = group_id  # type: ignore[assignment]
            g = self._groups.get(gid)
            if g is None:
                g = self._groups[gid] = _Group(gid)
            g.msgs.append(msg)
        if delay_us:
            msg.state = DELAYED
            self.n_delayed += 1
            self._add_timer(now + delay_us, msg)
        else:
            self.n_visible += 1
            if self.fifo:
                self._touch(g)  # type: ignore[arg-type]
            elif self._shuffle:
                heappush(self._returned, (self._order_rng.random(), seq, msg))  # type: ignore[union-attr]
            else:
                self._fresh.append(msg)
            if self._waiters or self._subscribers:
                self._signal()
        m = self._m
        m[0] += 1
        self._last_activity_us = now
        if self._m_flush is None:
            self._schedule_flush()
        return msg.message_id, seqnum

    def _accept_moved(self, src: Message, source_arn: str) -> None:
        """A message redriven here from ``source_arn`` (it keeps id, body, timestamps, count)."""
        now = self._clock.now_us
        self._seq = seq = self._seq + 1
        msg = Message(seq, src.message_id, src.body, src.md5_body, src.attributes,
                      src.md5_attributes, src.sent_us, src.size)
        msg.system_attributes = src.system_attributes
        msg.md5_system = src.md5_system
        msg.receive_count = src.receive_count
        msg.first_receive_us = src.first_receive_us
        msg.dlq_source_arn = source_arn
        msg.group_id, msg.dedup_id, msg.sequence_number = src.group_id, src.dedup_id, src.sequence_number
        self._by_seq[seq] = msg
        heappush(self._ages, (msg.sent_us, seq, msg))
        self.n_visible += 1
        if self.fifo:
            mgid: str = msg.group_id  # type: ignore[assignment]
            g = self._groups.get(mgid)
            if g is None:
                g = self._groups[mgid] = _Group(mgid)
            g.msgs.append(msg)
            self._touch(g)
        elif self._shuffle:
            heappush(self._returned, (self._order_rng.random(), seq, msg))  # type: ignore[union-attr]
        else:
            heappush(self._returned, (seq, seq, msg))
        if self._waiters or self._subscribers:
            self._signal()
        # Messages arriving by redrive count as sent to this queue in CloudWatch.
        self._m[0] += 1
        self._last_activity_us = now
        if self._m_flush is None:
            self._schedule_flush()

    # -- receiving ----------------------------------------------------------------------------
    def receive(self, max_n: int, visibility_us: int | None = None) -> list[Message]:
        """Receive up to ``max_n`` visible messages, making them in flight. O(k log n)."""
        now = self._clock.now_us
        t = self._timers
        if t and t[0][0] <= now:
            self._catch_up(now)
        ages = self._ages
        if ages and (ages[0][2].state == GONE or ages[0][0] <= now - self.retention_us):
            self._expire(now)
        vis = self.visibility_us if visibility_us is None else visibility_us
        out: list[Message] = []
        if self.n_visible:
            if self.fifo:
                self._receive_fifo(max_n, vis, now, out)
            else:
                self._receive_standard(max_n, vis, now, out)
        m = self._m
        if out:
            m[1] += len(out)
        else:
            m[3] += 1
        self._last_activity_us = now
        if self._m_flush is None:
            self._schedule_flush()
        return out

    def _deliver(self, msg: Message, vis: int, now: int) -> None:
        msg.state = INFLIGHT
        msg.token += 1
        msg.receive_count += 1
        if not msg.first_receive_us:
            msg.first_receive_us = now
        msg.received_us = now
        self.n_visible -= 1
        self.n_inflight += 1
        msg.receipt_handle = (
            f"AQEB{self._rh_bits(96):024x}-{self.qid:x}-{msg.seq:x}-{msg.receive_count:x}"
        )
        self._tseq = ts = self._tseq + 1
        when = now + vis
        heappush(self._timers, (when, ts, msg, msg.token))
        if (self._waiters or self._subscribers) and (self._wake is None or when < self._wake_when):
            self._arm_wake()
        if self._stale_timers > 1024 and self._stale_timers * 2 > len(self._timers):
            self._compact_timers()

    def _receive_standard(self, max_n: int, vis: int, now: int, out: list[Message]) -> None:
        fresh = self._fresh
        ret = self._returned
        redrive = self.max_receive
        while len(out) < max_n:
            if ret:
                if fresh and fresh[0].seq < ret[0][1]:
                    msg = fresh.popleft()
                else:
                    msg = heappop(ret)[2]
            elif fresh:
                msg = fresh.popleft()
            else:
                break
            if msg.state != VISIBLE:
                continue
            if redrive and msg.receive_count >= redrive and self._move_to_dlq(msg):
                continue
            self._deliver(msg, vis, now)
            out.append(msg)

    def _receive_fifo(self, max_n: int, vis: int, now: int, out: list[Message]) -> None:
        avail = self._avail
        groups = self._groups
        redrive = self.max_receive
        while len(out) < max_n and avail:
            seq, gid = heappop(avail)
            g = groups.get(gid)
            if g is None or g.inflight:
                continue
            msgs = g.msgs
            while msgs and msgs[0].state == GONE:
                msgs.popleft()
            if not msgs or msgs[0].seq != seq or msgs[0].state != VISIBLE:
                continue
            for msg in msgs:
                if len(out) >= max_n:
                    break
                st = msg.state
                if st == GONE:
                    continue
                if st != VISIBLE:
                    break
                if redrive and msg.receive_count >= redrive and self._move_to_dlq(msg, touch=False):
                    continue
                self._deliver(msg, vis, now)
                g.inflight += 1
                out.append(msg)
            if not g.inflight:
                self._touch(g)

    def _touch(self, g: _Group) -> None:
        """Offer a FIFO group to receivers if its head is visible and nothing is in flight."""
        msgs = g.msgs
        while msgs and msgs[0].state == GONE:
            msgs.popleft()
        if not msgs:
            if not g.inflight:
                self._groups.pop(g.gid, None)
        elif not g.inflight and msgs[0].state == VISIBLE:
            heappush(self._avail, (msgs[0].seq, g.gid))

    def _move_to_dlq(self, msg: Message, touch: bool = True) -> bool:
        dlq = self.service._by_arn.get(self.redrive_arn)  # type: ignore[arg-type]
        if dlq is None or dlq.deleted:
            return False
        self._remove(msg, touch)
        dlq._accept_moved(msg, self.arn)
        self.cloud.trace.record("sqs", "message_moved_to_dlq", queue=self.name, dlq=dlq.name,
                                message_id=msg.message_id, receive_count=msg.receive_count)
        return True

    # -- deleting and visibility --------------------------------------------------------------
    def _parse(self, handle: Any) -> tuple[int, int]:
        if isinstance(handle, str):
            parts = handle.split("-")
            if len(parts) == 4 and parts[0].startswith("AQEB") and len(parts[0]) == 28:
                try:
                    qid, seq, count = int(parts[1], 16), int(parts[2], 16), int(parts[3], 16)
                except ValueError:
                    pass
                else:
                    if qid == self.qid:
                        return seq, count
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')

    def delete(self, handle: Any) -> None:
        """DeleteMessage. A handle of a message already gone succeeds (AWS is idempotent here);
        a standard queue accepts an older handle of the message, a FIFO queue only the current
        one while the message is in flight. O(1) amortised."""
        seq, count = self._parse(handle)
        now = self._clock.now_us
        if self._timers and self._timers[0][0] <= now:
            self._catch_up(now)
        msg = self._by_seq.get(seq)
        if msg is None:
            return
        if count > msg.receive_count or (count == msg.receive_count and msg.receipt_handle != handle):
            raise ReceiptHandleIsInvalid(
                f'The input receipt handle "{handle}" is not a valid receipt handle.'
            )
        if self.fifo and (count != msg.receive_count or msg.state != INFLIGHT):
            raise invalid_value("ReceiptHandle", handle, "The receipt handle has expired.")
        self._remove(msg)
        self._m[2] += 1
        self._last_activity_us = now
        if self._m_flush is None:
            self._schedule_flush()

    def change_visibility(self, handle: Any, seconds: int) -> None:
        """ChangeMessageVisibility: the new timeout counts from now; at most 12 h after the
        receive. O(log n)."""
        seq, count = self._parse(handle)
        now = self._clock.now_us
        if self._timers and self._timers[0][0] <= now:
            self._catch_up(now)
        msg = self._by_seq.get(seq)
        if msg is not None and count > msg.receive_count:
            raise ReceiptHandleIsInvalid(
                f'The input receipt handle "{handle}" is not a valid receipt handle.'
            )
        if (msg is None or msg.state != INFLIGHT or count != msg.receive_count
                or msg.receipt_handle != handle):
            raise invalid_value(
                "ReceiptHandle", handle,
                "Message does not exist or is not available for visibility timeout change.",
            )
        if now + seconds * US - msg.received_us > L.VISIBILITY_MAX_S * US:
            raise invalid_value(
                "VisibilityTimeout", seconds,
                f"Total VisibilityTimeout for the message is beyond the limit [{L.VISIBILITY_MAX_S} seconds]",
            )
        msg.token += 1
        self._stale_timers += 1
        if seconds == 0:
            self._make_visible(msg)
        else:
            self._add_timer(now + seconds * US, msg)
        self._last_activity_us = now

    # -- internal state changes ---------------------------------------------------------------
    def _add_timer(self, when: int, msg: Message) -> None:
        self._tseq = ts = self._tseq + 1
        heappush(self._timers, (when, ts, msg, msg.token))
        if (self._waiters or self._subscribers) and (self._wake is None or when < self._wake_when):
            self._arm_wake()
        if self._stale_timers > 1024 and self._stale_timers * 2 > len(self._timers):
            self._compact_timers()

    def _compact_timers(self) -> None:
        self._timers = [e for e in self._timers if e[2].token == e[3] and e[2].state != GONE]
        heapify(self._timers)
        self._stale_timers = 0

    def _make_visible(self, msg: Message) -> None:
        """In flight or delayed -> visible (the caller has already bumped the token)."""
        if msg.state == INFLIGHT:
            self.n_inflight -= 1
            if self.fifo:
                self._groups[msg.group_id].inflight -= 1  # type: ignore[index]
        else:
            self.n_delayed -= 1
        msg.state = VISIBLE
        self.n_visible += 1
        if self.fifo:
            self._touch(self._groups[msg.group_id])  # type: ignore[index]
        elif self._shuffle:
            heappush(self._returned, (self._order_rng.random(), msg.seq, msg))  # type: ignore[union-attr]
        else:
            heappush(self._returned, (msg.seq, msg.seq, msg))
        if self._waiters or self._subscribers:
            self._signal()

    def _catch_up(self, now: int) -> None:
        """Apply every delay end and visibility expiry due by ``now``."""
        t = self._timers
        while t and t[0][0] <= now:
            _, _, msg, token = heappop(t)
            if msg.token != token or msg.state == GONE or msg.state == VISIBLE:
                if msg.token != token:
                    self._stale_timers = max(0, self._stale_timers - 1)
                continue
            msg.token += 1
            self._make_visible(msg)

    def _expire(self, now: int) -> None:
        """Drop messages older than the retention period (and forget deleted ones)."""
        ages = self._ages
        cutoff = now - self.retention_us
        expired = 0
        while ages:
            sent, _, msg = ages[0]
            if msg.state == GONE:
                heappop(ages)
                continue
            if sent > cutoff:
                break
            heappop(ages)
            self._remove(msg)
            expired += 1
        if expired:
            self.cloud.trace.record("sqs", "messages_expired", queue=self.name, count=expired)

    def _remove(self, msg: Message, touch: bool = True) -> None:
        st = msg.state
        if st == GONE:
            return
        if st == VISIBLE:
            self.n_visible -= 1
        elif st == INFLIGHT:
            self.n_inflight -= 1
            self._stale_timers += 1
        else:
            self.n_delayed -= 1
            self._stale_timers += 1
        msg.state = GONE
        msg.token += 1
        del self._by_seq[msg.seq]
        if self.fifo:
            g = self._groups[msg.group_id]  # type: ignore[index]
            if st == INFLIGHT:
                g.inflight -= 1
            if touch:
                self._touch(g)

    def _expire_dedup(self, now: int) -> None:
        order = self._dedup_order
        while order and order[0][0] <= now:
            exp, key = order.popleft()
            hit = self._dedup.get(key)
            if hit is not None and hit[0] <= now:
                del self._dedup[key]

    def purge(self) -> None:
        """PurgeQueue: delete every message (in flight too); once per 60 s."""
        now = self._clock.now_us
        if self._last_purge_us is not None and now - self._last_purge_us < L.PURGE_INTERVAL_S * US:
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {self.name} is allowed every "
                f"{L.PURGE_INTERVAL_S} seconds."
            )
        self._last_purge_us = now
        count = len(self._by_seq)
        self._clear()
        self._last_activity_us = now
        self.cloud.trace.record("sqs", "queue_purged", queue=self.name, count=count)

    def _clear(self) -> None:
        for msg in self._by_seq.values():
            msg.state = GONE
            msg.token += 1
        self._by_seq.clear()
        self._fresh.clear()
        self._returned = []
        self._timers = []
        self._stale_timers = 0
        self._ages = []
        self._groups = {}
        self._avail = []
        self.n_visible = self.n_inflight = self.n_delayed = 0
        if self._wake is not None:
            self._sched.cancel(self._wake)
            self._wake = None

    def close(self) -> None:
        """DeleteQueue: drop everything; pending long polls return empty."""
        self._flush_metrics()
        self._clear()
        self.deleted = True
        for w in list(self._waiters):
            self._finish_waiter(w, [])
        self._waiters.clear()
        for s in list(self._subscribers):
            s.active = False
        self._subscribers.clear()

    # -- observation ----------------------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        """(visible, in flight, delayed) at ``now``. O(1) after catching up."""
        now = self._clock.now_us
        if self._timers and self._timers[0][0] <= now:
            self._catch_up(now)
        ages = self._ages
        if ages and (ages[0][2].state == GONE or ages[0][0] <= now - self.retention_us):
            self._expire(now)
        return self.n_visible, self.n_inflight, self.n_delayed

    def oldest_age_s(self) -> int:
        """Age in seconds of the oldest live message (ApproximateAgeOfOldestMessage)."""
        self.counts()
        ages = self._ages
        while ages and ages[0][2].state == GONE:
            heappop(ages)
        return (self._clock.now_us - ages[0][0]) // US if ages else 0

    def receivable(self) -> bool:
        """True if a receive now would return something. O(1) amortised."""
        self.counts()
        if not self.n_visible:
            return False
        if not self.fifo:
            return True
        avail = self._avail
        while avail:
            seq, gid = avail[0]
            g = self._groups.get(gid)
            if g is not None and not g.inflight:
                msgs = g.msgs
                while msgs and msgs[0].state == GONE:
                    msgs.popleft()
                if msgs and msgs[0].seq == seq and msgs[0].state == VISIBLE:
                    return True
            heappop(avail)
        return False

    def _check(self) -> None:
        """Invariants (for tests): counters match states, structures hold every message."""
        states = [m.state for m in self._by_seq.values()]
        assert states.count(VISIBLE) == self.n_visible, (states, self.n_visible)
        assert states.count(INFLIGHT) == self.n_inflight
        assert states.count(DELAYED) == self.n_delayed
        assert GONE not in states
        for m in self._by_seq.values():
            if m.state != VISIBLE:
                assert any(e[2] is m and e[3] == m.token for e in self._timers), m
        if self.fifo:
            for g in self._groups.values():
                assert g.inflight == sum(1 for m in g.msgs if m.state == INFLIGHT)
        else:
            ready = {id(m) for m in self._fresh} | {id(e[2]) for e in self._returned}
            for m in self._by_seq.values():
                if m.state == VISIBLE:
                    assert id(m) in ready, m

    # -- listeners ------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Any], Any]) -> Subscription:
        """Call ``callback(queue_ref)`` (through the scheduler, at the instant) whenever messages
        become receivable: on send, delay end, visibility expiry, change of visibility to 0, and
        redrive into this queue. Also once at once if messages are receivable already. One call
        per instant however many messages arrived; the consumer receives as many as it wants,
        and should poll again when it has capacity for messages it left behind."""
        sub = Subscription(self, callback)
        self._subscribers.append(sub)
        if self.receivable():
            self._signal()
        self._arm_wake()
        return sub

    def wait_receive(self, max_n: int, wait_us: int, visibility_us: int | None = None) -> Any:
        """Long polling: an event whose value is the list of received messages, triggered as
        soon as at least one message is received or after ``wait_us`` with ``[]``."""
        ev = self.cloud.event()
        msgs = self.receive(max_n, visibility_us)
        if msgs or wait_us <= 0:
            ev.succeed(msgs)
            return ev
        w = _Waiter(ev, max_n, visibility_us)
        w.timer = self._sched.call_later_us(wait_us, self._waiter_timeout, w)
        self._waiters.append(w)
        self._arm_wake()
        return ev

    def _waiter_timeout(self, w: _Waiter) -> None:
        if not w.done:
            try:
                self._waiters.remove(w)
            except ValueError:
                pass
            w.done = True
            w.event.succeed([])

    def _finish_waiter(self, w: _Waiter, msgs: list[Message]) -> None:
        w.done = True
        if w.timer is not None:
            self._sched.cancel(w.timer)
        w.event.succeed(msgs)

    def _signal(self) -> None:
        if not self._signal_pending:
            self._signal_pending = True
            self._sched.call_at_us(self._clock.now_us, self._on_signal)

    def _on_signal(self) -> None:
        self._signal_pending = False
        if self.deleted:
            return
        waiters = self._waiters
        while waiters and self.receivable():
            w = waiters.popleft()
            if w.done:
                continue
            msgs = self.receive(w.max, w.visibility_us)
            self._finish_waiter(w, msgs)
        if self._subscribers and self.receivable():
            ref = self.service.queue(self.arn)
            for sub in list(self._subscribers):
                if sub.active:
                    sub.callback(ref)
        self._arm_wake()

    def _arm_wake(self) -> None:
        """Keep one kernel event at the next delay end / visibility expiry while listened to."""
        t = self._timers
        while t and (t[0][2].token != t[0][3] or t[0][2].state == GONE):
            heappop(t)
            self._stale_timers = max(0, self._stale_timers - 1)
        if not (self._waiters or self._subscribers) or not t or self.deleted:
            if self._wake is not None:
                self._sched.cancel(self._wake)
                self._wake = None
            return
        when = t[0][0]
        if self._wake is not None:
            if self._wake_when == when:
                return
            self._sched.cancel(self._wake)
        self._wake_when = when
        self._wake = self._sched.call_at_us(max(when, self._clock.now_us), self._on_wake)

    def _on_wake(self) -> None:
        self._wake = None
        if self.receivable():
            self._on_signal()
        else:
            self._arm_wake()

    # -- metrics --------------------------------------------------------------------------
    def _schedule_flush(self) -> None:
        now = self._clock.now_us
        width = 60 * US
        end = now - now % width + width
        self._m_flush = self._sched.call_at_us(end, self._flush_metrics, daemon=True)

    def _flush_metrics(self) -> None:
        """Publish the minute's counters and the queue gauges to CloudWatch (AWS/SQS,
        dimension QueueName), stamped at the start of the minute."""
        if self._m_flush is not None and self._sched.is_pending(self._m_flush):
            self._sched.cancel(self._m_flush)
        self._m_flush = None
        if self.deleted:
            return
        now = self._clock.now_us
        stamp = now - 1 if now % (60 * US) == 0 else now
        put = self.cloud.metrics.put
        dims = {"QueueName": self.name}
        sent, received, deleted, empty = self._m
        self._m = [0, 0, 0, 0]
        for name, value in (("NumberOfMessagesSent", sent), ("NumberOfMessagesReceived", received),
                            ("NumberOfMessagesDeleted", deleted), ("NumberOfEmptyReceives", empty)):
            put("AWS/SQS", name, value, dims, "Count", time_us=stamp)
        visible, inflight, delayed = self.counts()
        put("AWS/SQS", "ApproximateNumberOfMessagesVisible", visible, dims, "Count", time_us=stamp)
        put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", inflight, dims, "Count", time_us=stamp)
        put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", delayed, dims, "Count", time_us=stamp)
        put("AWS/SQS", "ApproximateAgeOfOldestMessage", self.oldest_age_s(), dims, "Seconds",
            time_us=stamp)
        if self._by_seq and now - self._last_activity_us < _GAUGE_IDLE_US:
            self._schedule_flush()

    def __repr__(self) -> str:
        return (f"<Queue {self.name} visible={self.n_visible} in_flight={self.n_inflight} "
                f"delayed={self.n_delayed}>")
