"""The SQS poller of an event source mapping.

https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html,
https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html

Event-driven: the queue's :meth:`subscribe` hook wakes the poller when messages become
receivable, and a finished batch makes it poll again; nothing is scheduled while the queue is
empty. One poll pass receives batches while the number of batches in flight is below the
poller concurrency.

- **Batch**: up to ``BatchSize`` messages, received with the queue's visibility timeout (they
  stay in flight during the invocation) and trimmed to the 6 MB synchronous payload (extra
  messages are made visible again at once). With ``MaximumBatchingWindowInSeconds`` > 0 and
  fewer visible messages than ``BatchSize``, the poller waits up to the window before receiving
  (deviation: the messages stay *visible* during the window; on AWS they are already read).
- **Event**: ``{"Records": [...]}``, each record as
  :meth:`~serverless_sim.sqs.native.ReceivedMessage.to_lambda_record` builds it.
- **Outcome**: success -> the batch is deleted. Function error (exception, timeout...) -> nothing
  is deleted: the messages reappear when their visibility timeout ends, and the queue's
  ``RedrivePolicy`` moves them to its dead-letter queue after ``maxReceiveCount`` receives.
  With ``FunctionResponseTypes=["ReportBatchItemFailures"]`` the response
  ``{"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}`` deletes all but the listed
  messages; an empty or null list, or an empty / null response, is a complete success; a
  response that is not an object, or an item whose ``itemIdentifier`` is missing, empty, null or
  not a message of the batch, fails the whole batch.
- **Filters**: messages matching no pattern are deleted without invoking.
- **Throttles**: a throttled batch is retried (1 s, 2 s, 4 s...) while its visibility timeout
  lasts; then it is left to reappear.
- **Scaling**: 5 concurrent batches to start; while messages remain with every poller busy,
  +300 per minute, up to 1,000 or ``ScalingConfig.MaximumConcurrency``; back to 5 when the
  queue is drained. (AWS: "up to 300 more instances per minute".)
- **FIFO**: the queue itself keeps a message group blocked while one of its messages is in
  flight, so batches preserve order per group.

Deviations: no long-poll latency (a message is picked up the instant it is receivable); pollers
are not backed off after function errors; the effective-visibility rule for windows longer than
the visibility timeout is not modelled.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...kernel.errors import AWSError
from .. import limits
from ..errors import TooManyRequestsException
from .filters import sqs_view

if TYPE_CHECKING:
    from ..invoke import Invocation
    from ..service import Lambda
    from .mapping import EventSourceMapping

US = 1_000_000


def batch_item_failures(result: Any, ids: set[str]) -> set[str] | None:
    """The ids a ReportBatchItemFailures response names; None when the whole batch failed."""
    if isinstance(result, (bytes, bytearray)):
        try:
            result = json.loads(result) if result else None
        except ValueError:
            return None
    if result is None:
        return set()
    if not isinstance(result, dict):
        return None
    items = result.get("batchItemFailures")
    if items is None:
        return set()
    if not isinstance(items, list):
        return None
    out: set[str] = set()
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not ident or ident not in ids:
            return None
        out.add(ident)
    return out


class _Batch:
    __slots__ = ("messages", "records", "received_us", "visibility_us", "throttles")

    def __init__(self, messages: list[Any], records: list[dict[str, Any]], now: int, visibility_us: int) -> None:
        self.messages = messages
        self.records = records
        self.received_us = now
        self.visibility_us = visibility_us
        self.throttles = 0


class SqsPoller:
    """Reads one queue for one mapping (see the module docstring)."""

    def __init__(self, svc: "Lambda", esm: "EventSourceMapping") -> None:
        self.svc = svc
        self.esm = esm
        self.cloud = svc.cloud
        self.ref = svc.cloud.service("sqs").queue(esm.source_arn)  # type: ignore[attr-defined]
        self.sub: Any = None
        self.active = 0
        self.limit = limits.SQS_POLLERS_INITIAL
        self.stopped = False
        self._scale: Any = None
        self._window: Any = None
        self._window_due = False
        self._poll_pending = False
        self.batches = 0

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self.sub = self.ref.subscribe(self._on_ready)

    def stop(self) -> None:
        self.stopped = True
        if self.sub is not None:
            self.sub.cancel()
        for h in (self._scale, self._window):
            if h is not None:
                self.cloud.scheduler.cancel(h)
        self._scale = self._window = None

    def reconfigure(self) -> None:
        self._schedule_poll()

    @property
    def cap(self) -> int:
        mc = self.esm.max_concurrency
        top = limits.SQS_POLLERS_MAX if mc is None else mc
        return min(self.limit, top)

    def _on_ready(self, _ref: Any) -> None:
        self.poll()

    def _schedule_poll(self) -> None:
        if not self._poll_pending and not self.stopped:
            self._poll_pending = True
            self.cloud.scheduler.call_later_us(0, self._scheduled_poll)

    def _scheduled_poll(self) -> None:
        self._poll_pending = False
        self.poll()

    # -- polling --------------------------------------------------------------------------------
    def poll(self) -> None:
        if self.stopped or not self.esm.enabled:
            return
        esm = self.esm
        try:
            visible = self.ref.counts()[0]
        except AWSError:  # the queue is gone
            return
        if not visible:
            if self.active == 0:
                self.limit = limits.SQS_POLLERS_INITIAL
            return
        while self.active < self.cap:
            if esm.window_s and not self._window_due and self.ref.counts()[0] < esm.batch_size:
                if self._window is None:
                    self._window = self.cloud.scheduler.call_later_us(esm.window_s * US, self._window_end)
                return
            self._window_due = False
            if self._window is not None:
                self.cloud.scheduler.cancel(self._window)
                self._window = None
            msgs = self.ref.receive(max_messages=esm.batch_size)
            if not msgs:
                return
            self._take(msgs)
        # every poller busy and messages left: scale up a minute from now
        if self.cap < (esm.max_concurrency or limits.SQS_POLLERS_MAX) and self._scale is None and self.ref.counts()[0]:
            self._scale = self.cloud.scheduler.call_later_us(60 * US, self._scale_up)

    def _window_end(self) -> None:
        self._window = None
        self._window_due = True
        self.poll()

    def _scale_up(self) -> None:
        self._scale = None
        if self.stopped:
            return
        if self.active >= self.cap and self.ref.counts()[0]:
            self.limit = min(limits.SQS_POLLERS_MAX, self.limit + limits.SQS_POLLERS_PER_MINUTE)
            self.cloud.trace.record("lambda", "esm_scaled", uuid=self.esm.uuid, pollers=self.cap)
        self.poll()

    def _take(self, msgs: list[Any]) -> None:
        """Filter, size-trim and invoke one received batch."""
        esm = self.esm
        arn, region = esm.source_arn, self.cloud.region
        kept: list[Any] = []
        records: list[dict[str, Any]] = []
        total = 0
        for m in msgs:
            rec = m.to_lambda_record(arn, region)
            if esm.filters is not None and not esm.filters.matches(sqs_view(rec)):
                self._delete(m)
                continue
            size = len(json.dumps(rec))
            if records and total + size > limits.ESM_BATCH_PAYLOAD_MAX_BYTES:
                self.ref.change_visibility(m.receipt_handle, 0)
                continue
            total += size
            kept.append(m)
            records.append(rec)
        if not kept:
            return
        self.active += 1
        self._invoke(_Batch(kept, records, self.cloud.clock.now_us, self.ref.visibility_timeout * US))

    def _invoke(self, batch: _Batch) -> None:
        svc = self.svc
        esm = self.esm
        if self.stopped:
            self.active -= 1
            return
        fn = svc.functions.get(esm.function_name)
        if fn is None:
            self.active -= 1
            return
        try:
            version, resource = svc._route(fn, esm.qualifier)
            inv = svc._start(version, resource, {"Records": batch.records})
        except TooManyRequestsException:
            delay = (limits.ASYNC_THROTTLE_BACKOFF_MIN_S * US) << min(batch.throttles, 20)
            batch.throttles += 1
            if self.cloud.clock.now_us + delay < batch.received_us + batch.visibility_us:
                self.cloud.scheduler.call_later_us(delay, self._invoke, batch)
            else:
                self.active -= 1  # left in flight: the messages reappear after the visibility timeout
            return
        self.batches += 1
        inv.on_complete(lambda done: self._done(batch, done))

    def _done(self, batch: _Batch, inv: "Invocation") -> None:
        self.active -= 1
        if self.stopped:
            return
        esm = self.esm
        if inv.error is None:
            failed: set[str] | None = set()
            if esm.report_batch_item_failures:
                failed = batch_item_failures(inv.result, {m.message_id for m in batch.messages})
            if failed is not None:
                for m in batch.messages:
                    if m.message_id not in failed:
                        self._delete(m)
                esm.last_result = "OK"
        self.poll()

    def _delete(self, m: Any) -> None:
        try:
            self.ref.delete(m.receipt_handle)
        except AWSError:  # an expired handle (FIFO) or a deleted queue: the message stays
            pass


__all__ = ["SqsPoller", "batch_item_failures"]
