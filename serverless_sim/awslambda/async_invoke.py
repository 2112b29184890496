"""Asynchronous invocation (``InvocationType=Event``): the function's internal queue.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html

``Invoke`` with ``InvocationType=Event`` answers 202 at once and puts the event in the queue
(``AsyncEventsReceived``). The queue dispatches *at the current instant, through the scheduler*
(never inside the caller's call), as many events as concurrency allows, in order per function.
Each attempt records ``AsyncEventAge`` (ms since the event was queued).

Modelled rules (numbers in :mod:`.limits`, each with its source):

- **Function errors** (an exception, a timeout, an Init or runtime error) are retried
  ``MaximumRetryAttempts`` times (0-2, default 2), 1 minute after the first failed attempt and 2
  minutes after the second; the wait is measured from the end of the failed attempt.
- **Throttles** (429: reserved or account concurrency): the event stays at the head of its queue
  and is retried with an exponential backoff, 1 s after the first throttle doubling to at most
  5 minutes, *and* as soon as an invocation of the account completes (capacity freed: AWS reads
  the queue at the concurrency available, so a queue behind reserved concurrency 1 runs its
  events back to back). A throttle from the scaling rate waits for the next scaling token.
- **MaximumEventAgeInSeconds** (60-21,600, default 21,600 = 6 h): an event older than that when
  it is next due (at the head of its queue, or when its retry comes) is dropped with condition
  ``EventAgeExceeded``.
- **Reserved concurrency 0**: events go straight to the DLQ / on-failure destination without
  any attempt ("without retries"; condition ``RetriesExhausted``, ``approximateInvokeCount`` 0).
- **Outcome**: a success goes to the ``OnSuccess`` destination; a failure for good
  (``RetriesExhausted`` / ``EventAgeExceeded``) counts ``AsyncEventsDropped`` and goes to the
  DLQ (:mod:`.dead_letter`) and the ``OnFailure`` destination (:mod:`.destinations`), both if
  both are set. Settings come from the qualifier's EventInvokeConfig (:mod:`.event_invoke_config`).

Hooks (override in a subclass and assign ``Lambda.async_queue_class`` before the service is
created): :meth:`AsyncQueue.on_throttled` (returns the backoff), :meth:`AsyncQueue.on_result`
(retries and outcome) and :meth:`AsyncQueue.dispatch` (one attempt; alias routing happens here,
per attempt).

Deviations: no duplicate deliveries and no silent drops of events the function "can't keep up
with" (both documented as possible on AWS); the backoff does not grow with the queue length;
system errors (5xx) do not occur.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from . import limits
from .concurrency import ScalingThrottle
from .destinations import EVENT_AGE_EXCEEDED, RETRIES_EXHAUSTED, SUCCESS, deliver, invocation_record, send_to_dlq
from .errors import TooManyRequestsException
from .functions import Function
from .reporting import dims

if TYPE_CHECKING:
    from .invoke import Invocation
    from .service import Lambda

US = 1_000_000


class AsyncRecord:
    """One queued asynchronous event (it lives until its outcome: success or failure for good)."""

    __slots__ = ("request_id", "function", "qualifier", "payload", "wire", "enqueued_us", "attempts",
                 "invocations", "tag", "outcome", "retry_handle")

    def __init__(self, request_id: str, function: Function, qualifier: str | None, payload: Any,
                 wire: bool, now_us: int) -> None:
        self.request_id = request_id
        self.function = function
        self.qualifier = qualifier
        self.payload = payload
        self.wire = wire
        self.enqueued_us = now_us
        self.attempts = 0
        #: The invocations made for this event (one per attempt).
        self.invocations: list["Invocation"] = []
        self.tag: Any = None
        #: None while pending; then "Success", "RetriesExhausted" or "EventAgeExceeded".
        self.outcome: str | None = None
        self.retry_handle: Any = None

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def __repr__(self) -> str:
        state = self.outcome or "pending"
        return f"<AsyncRecord {self.request_id} {self.function.name} attempts={self.attempts} {state}>"


class AsyncQueue:
    """The asynchronous event queues of one Lambda service (one FIFO per function)."""

    def __init__(self, service: "Lambda") -> None:
        self.service = service
        self.queues: dict[Function, deque[AsyncRecord]] = {}
        #: True while some queue holds an event waiting for capacity.
        self.waiting = False
        self._drain_handle: Any = None
        self._timer: Any = None
        self._timer_us = 0
        #: Consecutive throttles per function (the exponent of the backoff).
        self._streak: dict[Function, int] = {}
        #: Events waiting for a retry delay (function errors).
        self.retrying = 0

    # -- entry -----------------------------------------------------------------------------------
    def submit(self, fn: Function, qualifier: str | None, payload: Any, *, wire: bool = False) -> AsyncRecord:
        """Accept an event (the 202): queue it and schedule a dispatch at the current instant."""
        svc = self.service
        now = svc.cloud.clock.now_us
        record = AsyncRecord(svc.cloud.streams.uuid(fn.rng_name), fn, qualifier, payload, wire, now)
        self._count("AsyncEventsReceived", fn, now)
        self.enqueue(record)
        svc.cloud.trace.record("lambda", "async_accepted", function=fn.name, request_id=record.request_id)
        return record

    def enqueue(self, record: AsyncRecord, front: bool = False) -> None:
        q = self.queues.get(record.function)
        if q is None:
            q = self.queues[record.function] = deque()
        if front:
            q.appendleft(record)
        else:
            q.append(record)
        self.kick()

    def kick(self, delay_us: int = 0) -> None:
        """Schedule a dispatch pass ``delay_us`` from now (at most one immediate pass pending)."""
        if delay_us > 0:
            self._wake_at(self.service.cloud.clock.now_us + delay_us)
        elif self._drain_handle is None:
            self._drain_handle = self.service.cloud.scheduler.call_later_us(0, self._drain)

    def _wake_at(self, when_us: int) -> None:
        sched = self.service.cloud.scheduler
        if self._timer is not None:
            if self._timer_us <= when_us:
                return
            sched.cancel(self._timer)
        self._timer_us = when_us
        self._timer = sched.call_at_us(when_us, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._drain()

    # -- dispatch ----------------------------------------------------------------------------------
    def _drain(self) -> None:
        if self._drain_handle is not None and self.service.cloud.scheduler.is_pending(self._drain_handle):
            self.service.cloud.scheduler.cancel(self._drain_handle)
        self._drain_handle = None
        self.waiting = False
        svc = self.service
        now = svc.cloud.clock.now_us
        wake: int | None = None
        for fn, q in list(self.queues.items()):
            while q:
                record = q[0]
                if fn.deleted:
                    q.popleft()
                    continue
                max_age_us = svc.event_invoke_config(fn, record.qualifier).age_s * US
                if now - record.enqueued_us > max_age_us:
                    q.popleft()
                    self._fail(record, EVENT_AGE_EXCEEDED)
                    continue
                if fn.reserved == 0:
                    q.popleft()
                    self._fail(record, RETRIES_EXHAUSTED)
                    continue
                try:
                    self.dispatch(record)
                except ScalingThrottle as exc:
                    self.on_throttled(record, exc)
                    due = now + svc._next_token_us(fn)
                    wake = due if wake is None else min(wake, due)
                    break
                except TooManyRequestsException as exc:
                    self.waiting = True
                    delay = self.on_throttled(record, exc)
                    due = min(now + delay, record.enqueued_us + max_age_us + 1)
                    wake = due if wake is None else min(wake, due)
                    break
                q.popleft()
                self._streak.pop(fn, None)
            if not q:
                del self.queues[fn]
        if wake is not None:
            self._wake_at(wake)

    def dispatch(self, record: AsyncRecord) -> "Invocation":
        """Start one attempt of ``record`` now; raises TooManyRequestsException when throttled."""
        svc = self.service
        fn = record.function
        version, resource = svc._route(fn, record.qualifier)
        inv = svc._start(version, resource, record.payload, invocation_type="Event", wire=record.wire)
        now = svc.cloud.clock.now_us
        age_ms = (now - record.enqueued_us) / 1000
        svc._series.get("AsyncEventAge", dims(FunctionName=fn.name), "Milliseconds").add_statistic_set(
            now, 1, age_ms, age_ms, age_ms)
        record.attempts += 1
        inv.attempt = record.attempts
        inv.tag = record
        record.invocations.append(inv)
        inv.on_complete(self._completed)
        return inv

    def _completed(self, inv: "Invocation") -> None:
        self.on_result(inv.tag, inv)

    # -- hooks ---------------------------------------------------------------------------------------
    def on_throttled(self, record: AsyncRecord, error: Exception) -> int:
        """An attempt was throttled; the record stays at the head of its queue. Returns the
        backoff in microseconds: 1 s doubling per consecutive throttle of the function, at most
        5 minutes."""
        fn = record.function
        streak = self._streak.get(fn, 0)
        self._streak[fn] = streak + 1
        base = limits.ASYNC_THROTTLE_BACKOFF_MIN_S * US
        return min(limits.ASYNC_THROTTLE_BACKOFF_MAX_S * US, base << min(streak, 20))

    def on_result(self, record: AsyncRecord, inv: "Invocation") -> None:
        """An attempt completed (``inv.error`` tells how): success, retry later, or failure."""
        svc = self.service
        cfg = svc.event_invoke_config(record.function, record.qualifier)
        if inv.error is None:
            record.outcome = SUCCESS
            if cfg.on_success:
                deliver(svc, cfg.on_success, invocation_record(svc, record, SUCCESS), True, record.function.name)
            return
        done_retries = record.attempts - 1
        if done_retries < cfg.retries:
            delays = limits.ASYNC_RETRY_DELAYS_S
            delay = delays[min(done_retries, len(delays) - 1)] * US
            self.retrying += 1
            record.retry_handle = svc.cloud.scheduler.call_later_us(delay, self._retry, record)
            svc.cloud.trace.record("lambda", "async_retry", function=record.function.name,
                                   request_id=record.request_id, attempt=record.attempts + 1, delay_us=delay)
            return
        self._fail(record, RETRIES_EXHAUSTED)

    def _retry(self, record: AsyncRecord) -> None:
        self.retrying -= 1
        record.retry_handle = None
        if record.function.deleted:
            return
        self.enqueue(record)

    # -- outcome ---------------------------------------------------------------------------------
    def _fail(self, record: AsyncRecord, condition: str) -> None:
        """The event failed for good: AsyncEventsDropped, the DLQ and the OnFailure destination."""
        svc = self.service
        fn = record.function
        record.outcome = condition
        now = svc.cloud.clock.now_us
        self._count("AsyncEventsDropped", fn, now)
        svc.cloud.trace.record("lambda", "async_dropped", function=fn.name, request_id=record.request_id,
                               condition=condition, attempts=record.attempts)
        inv = record.invocations[-1] if record.invocations else None
        version = inv.version if inv is not None else None
        if version is None:
            try:
                version = svc._version_of(fn, record.qualifier)
            except Exception:  # the alias or version is gone: no DLQ to find
                version = None
        dlq = svc.dead_letter_arn(version) if version is not None else None
        if dlq:
            if inv is not None and inv.error is not None:
                code, message = 200, str(inv.error.get("errorMessage", ""))
            else:
                code, message = 429, "Rate Exceeded."
            send_to_dlq(svc, dlq, record, code, message)
        cfg = svc.event_invoke_config(fn, record.qualifier)
        if cfg.on_failure:
            deliver(svc, cfg.on_failure, invocation_record(svc, record, condition), False, fn.name)

    def _count(self, metric: str, fn: Function, now: int) -> None:
        self.service._series.get(metric, dims(FunctionName=fn.name)).add_statistic_set(now, 1, 1.0, 1.0, 1.0)

    @property
    def depth(self) -> int:
        """Events waiting in all queues (not those waiting for a retry delay)."""
        return sum(len(q) for q in self.queues.values())
