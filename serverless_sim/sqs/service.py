"""The SQS service of one Cloud: its queues and every wire operation.

Wire operations: the control plane in :mod:`.queues_api`, messages in :mod:`.messages_api`,
dead-letter redrive tasks in :mod:`.move_tasks`; the engine of one queue is :mod:`.queue`; the
Python API is :mod:`.native` (``cloud.service("sqs").queue(url_or_arn_or_name)``).
Amazon SQS API reference: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.errors import SimError
from ..kernel.service import Service
from .errors import ERRORS, MissingParameter, QueueDoesNotExist
from .messages_api import MessageOps
from .move_tasks import MoveTask, MoveTaskOps
from .native import NativeAPI
from .queue import Queue
from .queues_api import QueueOps

if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class SQSConfig:
    """Simulation choices that AWS leaves open.

    ``ordering``: ``"send"`` (standard queues deliver in send order) or ``"shuffled"`` (each
    message becomes visible with a priority from the queue's seeded random stream: best-effort
    ordering, reproducibly). Applies to queues created after the change."""

    ordering: str = attrs.field(default="send")

    @ordering.validator
    def _check(self, _attr: Any, value: str) -> None:
        if value not in ("send", "shuffled"):
            raise SimError(f"SQSConfig.ordering is 'send' or 'shuffled', got {value!r}")


class SQS(QueueOps, MessageOps, MoveTaskOps, NativeAPI, Service):
    """Amazon SQS."""

    service_name = "sqs"
    errors = ERRORS  # type: ignore[assignment]

    def __init__(self, cloud: "Cloud", config: SQSConfig | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else SQSConfig()
        #: Queues by name.
        self.queues: dict[str, Queue] = {}
        self._by_arn: dict[str, Queue] = {}
        self._by_url: dict[str, Queue] = {}
        self._deleted_at: dict[str, int] = {}
        self._qid = 0
        self._id_bits = cloud.rng("sqs/message-ids").getrandbits
        self._receipt_rng = cloud.rng("sqs/receipts")
        self._move_tasks: dict[str, list[MoveTask]] = {}
        self._move_by_handle: dict[str, MoveTask] = {}

    def _message_id(self) -> str:
        """A UUID-shaped message id from the ``sqs/message-ids`` stream."""
        h = f"{self._id_bits(128) & 0xFFFFFFFF_FFFF0FFF_3FFFFFFF_FFFFFFFF | 0x4000_80000000_00000000:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def resolve_url(self, url: Any) -> Queue:
        """The queue of a QueueUrl: the exact URL, or any URL ending in
        ``/<account>/<name>`` (so endpoint URLs such as ``http://localhost:4566/...`` work)."""
        q = self._by_url.get(url)
        if q is not None:
            return q
        if isinstance(url, str):
            parts = url.rstrip("/").rsplit("/", 2)
            if len(parts) == 3 and parts[1] == self.cloud.account_id:
                q = self.queues.get(parts[2])
                if q is not None:
                    return q
        raise QueueDoesNotExist()

    def queue_for_request(self, req: dict[str, Any]) -> Queue:
        url = req.get("QueueUrl")
        if url is None:
            raise MissingParameter("The request must contain the parameter QueueUrl.")
        q = self._by_url.get(url)
        return q if q is not None else self.resolve_url(url)

    def _dlq_lookup(self, arn: str) -> tuple[bool, str | None] | None:
        q = self._by_arn.get(arn)
        if q is None:
            return None
        return q.fifo, q.attributes.get("RedriveAllowPolicy") or None

    def flush_metrics(self) -> None:
        """Publish every queue's pending per-minute metrics now (they are otherwise published at
        the end of each minute as the clock passes it)."""
        for name in sorted(self.queues):
            self.queues[name]._flush_metrics()

    def __repr__(self) -> str:
        return f"<SQS {len(self.queues)} queues>"
