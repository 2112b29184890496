"""Asynchronous invocation (``InvocationType=Event``): the function's internal queue.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html

``Invoke`` with ``InvocationType=Event`` answers 202 at once and puts the event in the queue.
The queue dispatches *at the current instant, through the scheduler* (never inside the caller's
call), as many events as concurrency allows; an event that is throttled stays queued, in order,
and is dispatched again as soon as capacity frees (an invocation of the account completes) or, for
the scaling-rate throttle, when the function's scaling bucket refills.

This module is the core the asynchronous features build on. Hooks for them (override in a
subclass, or assign ``Lambda.async_queue_class`` before the service is created):

- :meth:`AsyncQueue.on_throttled` — an attempt was throttled (AWS: retried with exponential
  backoff, 1 s to 5 min, until ``MaximumEventAgeInSeconds``). Default: stay at the head of the
  queue until capacity frees.
- :meth:`AsyncQueue.on_result` — an attempt completed (success, function error or timeout). The
  place for retries (0-2, about 1 and 2 minutes apart), DLQ and destinations. Default: nothing.
- :meth:`AsyncQueue.dispatch` — start one attempt of a record (routing through the alias happens
  here, per attempt).

Not done here (left to the async-features work): retries, maximum event age, DLQ, destinations,
``PutFunctionEventInvokeConfig``, ``AsyncEventAge`` / ``DeadLetterErrors`` metrics.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from .concurrency import ScalingThrottle
from .errors import TooManyRequestsException
from .functions import Function

if TYPE_CHECKING:
    from .invoke import Invocation
    from .service import Lambda


class AsyncRecord:
    """One queued asynchronous event."""

    __slots__ = ("request_id", "function", "qualifier", "payload", "wire", "enqueued_us", "attempts",
                 "invocations", "tag")

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

    def __repr__(self) -> str:
        return f"<AsyncRecord {self.request_id} {self.function.name} attempts={self.attempts}>"


class AsyncQueue:
    """The asynchronous event queues of one Lambda service (one FIFO per function)."""

    def __init__(self, service: "Lambda") -> None:
        self.service = service
        self.queues: dict[Function, deque[AsyncRecord]] = {}
        #: True while some queue holds an event waiting for capacity.
        self.waiting = False
        self._drain_handle: Any = None

    # -- entry -----------------------------------------------------------------------------------
    def submit(self, fn: Function, qualifier: str | None, payload: Any, *, wire: bool = False) -> AsyncRecord:
        """Accept an event (the 202): queue it and schedule a dispatch at the current instant."""
        svc = self.service
        now = svc.cloud.clock.now_us
        record = AsyncRecord(svc.cloud.streams.uuid(fn.rng_name), fn, qualifier, payload, wire, now)
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
        """Schedule a dispatch pass ``delay_us`` from now (at most one pending)."""
        if self._drain_handle is None:
            sched = self.service.cloud.scheduler
            self._drain_handle = sched.call_later_us(delay_us, self._drain)

    # -- dispatch ----------------------------------------------------------------------------------
    def _drain(self) -> None:
        self._drain_handle = None
        self.waiting = False
        retry_us = None
        for fn, q in list(self.queues.items()):
            while q:
                record = q[0]
                if fn.deleted:
                    q.popleft()
                    continue
                try:
                    self.dispatch(record)
                except ScalingThrottle as exc:
                    wait = self.service._next_token_us(fn)
                    retry_us = wait if retry_us is None else min(retry_us, wait)
                    self.on_throttled(record, exc)
                    break
                except TooManyRequestsException as exc:
                    self.waiting = True
                    self.on_throttled(record, exc)
                    break
                q.popleft()
            if not q:
                del self.queues[fn]
        if retry_us is not None:
            self.kick(retry_us)

    def dispatch(self, record: AsyncRecord) -> "Invocation":
        """Start one attempt of ``record`` now; raises TooManyRequestsException when throttled."""
        svc = self.service
        fn = record.function
        version, resource = svc._route(fn, record.qualifier)
        inv = svc._start(version, resource, record.payload, invocation_type="Event", wire=record.wire)
        record.attempts += 1
        inv.attempt = record.attempts
        inv.tag = record
        record.invocations.append(inv)
        inv.on_complete(self._completed)
        return inv

    def _completed(self, inv: "Invocation") -> None:
        self.on_result(inv.tag, inv)

    # -- hooks ---------------------------------------------------------------------------------------
    def on_throttled(self, record: AsyncRecord, error: Exception) -> None:
        """An attempt was throttled; the record stays at the head of its queue."""

    def on_result(self, record: AsyncRecord, inv: "Invocation") -> None:
        """An attempt completed (``inv.error`` tells how)."""

    @property
    def depth(self) -> int:
        """Events waiting in all queues."""
        return sum(len(q) for q in self.queues.values())
