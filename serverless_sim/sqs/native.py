"""The Python-side API of SQS, for users and for other simulated services.

    sqs = cloud.service("sqs")
    q = sqs.create_queue("orders", attributes={"VisibilityTimeout": "60"})
    q.send("hello", attributes={"kind": "greeting"})      # plain values become String/Number/Binary
    [m] = q.receive(max_messages=10)
    q.delete(m.receipt_handle)

    def consumer(cloud):                                   # long polling on the virtual clock
        msgs = yield q.receive_wait(max_messages=10, wait=20)

    sub = q.subscribe(lambda ref: ...)                     # told when messages become receivable

The same rules as the wire operations apply (same validation, same errors); limits that only
bound one API call (at most 10 messages per ReceiveMessage) do not bound ``receive``, so that
Lambda's event source mapping can take batches of up to 10,000. Results are frozen attrs values.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Callable, cast

import attrs

from ..kernel.errors import SimError
from . import limits as L
from .errors import QueueDoesNotExist, invalid_value
from .messages import Message, to_wire_attributes
from .messages_api import SYSTEM_ATTRIBUTE_NAMES, prepare, system_attributes

if TYPE_CHECKING:
    from ..kernel.process import Event
    from .queue import Queue, Subscription
    from .service import SQS


@attrs.frozen
class SentMessage:
    """What a send returns."""

    message_id: str
    md5_of_body: str
    md5_of_message_attributes: str | None = None
    sequence_number: str | None = None


@attrs.frozen
class ReceivedMessage:
    """One received message. ``attributes`` holds every system attribute (strings, as AWS
    returns them); ``message_attributes`` the message attributes in SQS's shape."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str]
    message_attributes: dict[str, Any]
    md5_of_message_attributes: str | None

    def to_lambda_record(self, queue_arn: str, region: str) -> dict[str, Any]:
        """This message as a record of Lambda's SQS event
        (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event)."""
        attrs_out: dict[str, Any] = {}
        for name, a in self.message_attributes.items():
            rec: dict[str, Any] = {"stringListValues": [], "binaryListValues": [],
                                   "dataType": a["DataType"]}
            if "StringValue" in a:
                rec["stringValue"] = a["StringValue"]
            if "BinaryValue" in a:
                rec["binaryValue"] = base64.b64encode(a["BinaryValue"]).decode()
            attrs_out[name] = rec
        return {
            "messageId": self.message_id,
            "receiptHandle": self.receipt_handle,
            "body": self.body,
            "attributes": dict(self.attributes),
            "messageAttributes": attrs_out,
            "md5OfMessageAttributes": self.md5_of_message_attributes,
            "md5OfBody": self.md5_of_body,
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }


class QueueRef:
    """A handle on one queue (by identity: it stops working when the queue is deleted)."""

    __slots__ = ("_q", "_sqs")

    def __init__(self, sqs: "SQS", q: "Queue") -> None:
        self._sqs = sqs
        self._q = q

    def _live(self) -> "Queue":
        if self._q.deleted:
            raise QueueDoesNotExist()
        return self._q

    @property
    def name(self) -> str:
        return self._q.name

    @property
    def url(self) -> str:
        return self._q.url

    @property
    def arn(self) -> str:
        return self._q.arn

    @property
    def fifo(self) -> bool:
        return self._q.fifo

    @property
    def visibility_timeout(self) -> int:
        """The queue's VisibilityTimeout in seconds."""
        return self._q.visibility_us // L.US

    @property
    def attributes(self) -> dict[str, str]:
        """The queue's configured attributes (strings, as GetQueueAttributes returns them)."""
        return dict(self._q.attributes)

    def send(self, body: str, attributes: dict[str, Any] | None = None, *,
             group_id: str | None = None, dedup_id: str | None = None,
             delay: int | None = None, trace_header: str | None = None) -> SentMessage:
        """SendMessage. ``attributes`` values may be plain (str, int/float/Decimal, bytes) or
        SQS-shaped dicts. O(log n)."""
        q = self._live()
        wire = to_wire_attributes(attributes) if attributes else None
        system = ({"AWSTraceHeader": {"DataType": "String", "StringValue": trace_header}}
                  if trace_header is not None else None)
        args = prepare(q, body, wire, delay, group_id, dedup_id, system)
        mid, seqnum = q.send(*args)
        return SentMessage(mid, args[1], args[4], seqnum)

    def receive(self, max_messages: int = 1, visibility_timeout: int | None = None) -> list[ReceivedMessage]:
        """Receive at once (no waiting) up to ``max_messages`` (any positive number)."""
        q = self._live()
        vis = self._check(max_messages, visibility_timeout)
        return [self._wrap(m) for m in q.receive(max_messages, vis)]

    def receive_wait(self, max_messages: int = 1, wait: int | None = None,
                     visibility_timeout: int | None = None) -> "Event":
        """Long polling on the virtual clock: an event to ``yield`` from a process; its value is
        the list of :class:`ReceivedMessage` (empty after ``wait`` seconds, default the queue's
        ReceiveMessageWaitTimeSeconds, with nothing to receive)."""
        q = self._live()
        vis = self._check(max_messages, visibility_timeout)
        wait_s = q.wait_s if wait is None else wait
        if type(wait_s) is not int or not 0 <= wait_s <= L.WAIT_MAX_S:
            raise invalid_value("WaitTimeSeconds", wait_s,
                                f"Must be >= 0 and <= {L.WAIT_MAX_S}, if provided.")
        ev = q.wait_receive(max_messages, wait_s * L.US, vis)
        out = self._sqs.cloud.event()

        def wrap(done: Any) -> None:
            out.succeed([self._wrap(m) for m in done.value])

        ev.add_callback(wrap)
        return out

    @staticmethod
    def _check(max_messages: int, visibility_timeout: int | None) -> int | None:
        if type(max_messages) is not int or max_messages < 1:
            raise invalid_value("MaxNumberOfMessages", max_messages, "Must be a positive integer.")
        if visibility_timeout is None:
            return None
        if type(visibility_timeout) is not int or not 0 <= visibility_timeout <= L.VISIBILITY_MAX_S:
            raise invalid_value("VisibilityTimeout", visibility_timeout,
                                f"Must be between 0 and {L.VISIBILITY_MAX_S}, if provided.")
        return visibility_timeout * L.US

    def _wrap(self, m: Message) -> ReceivedMessage:
        q = self._q
        return ReceivedMessage(
            m.message_id, m.receipt_handle, m.body, m.md5_body,
            system_attributes(q, m, SYSTEM_ATTRIBUTE_NAMES, self._sqs.cloud.account_id),
            dict(m.attributes) if m.attributes else {}, m.md5_attributes,
        )

    def delete(self, receipt_handle: str) -> None:
        """DeleteMessage."""
        self._live().delete(receipt_handle)

    def change_visibility(self, receipt_handle: str, visibility_timeout: int) -> None:
        """ChangeMessageVisibility (seconds from now; 0 makes the message visible at once)."""
        if type(visibility_timeout) is not int or not 0 <= visibility_timeout <= L.VISIBILITY_MAX_S:
            raise invalid_value("VisibilityTimeout", visibility_timeout,
                                f"Must be between 0 and {L.VISIBILITY_MAX_S}, if provided.")
        self._live().change_visibility(receipt_handle, visibility_timeout)

    def subscribe(self, callback: Callable[["QueueRef"], Any]) -> "Subscription":
        """Be told when messages become receivable (see :meth:`Queue.subscribe`)."""
        return self._live().subscribe(callback)

    def purge(self) -> None:
        self._live().purge()

    def counts(self) -> tuple[int, int, int]:
        """(ApproximateNumberOfMessages, ...NotVisible, ...Delayed), exact here."""
        return self._live().counts()

    def __len__(self) -> int:
        """Messages stored (visible, in flight and delayed)."""
        return sum(self._live().counts())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QueueRef) and other._q is self._q

    def __hash__(self) -> int:
        return hash(self._q.arn)

    def __repr__(self) -> str:
        return f"<QueueRef {self._q.name}>"


class NativeAPI:
    """Mixin of :class:`~.service.SQS`: ``create_queue``, ``queue``, ``queues``."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _by_arn: dict[str, Queue]
        _by_url: dict[str, Queue]
        queues: dict[str, Queue]
        def dispatch(self, operation_name: str, request: dict[str, Any]) -> dict[str, Any]: ...
        def resolve_url(self, url: Any) -> Queue: ...

    def create_queue(self, name: str, attributes: dict[str, Any] | None = None,
                     tags: dict[str, str] | None = None) -> QueueRef:
        """CreateQueue (attribute values may be given as ints/bools: they become strings)."""
        attrs_s = None
        if attributes:
            attrs_s = {k: (str(v).lower() if isinstance(v, bool) else str(v))
                       for k, v in attributes.items()}
        req: dict[str, Any] = {"QueueName": name}
        if attrs_s:
            req["Attributes"] = attrs_s
        if tags:
            req["tags"] = tags
        url = self.dispatch("CreateQueue", req)["QueueUrl"]
        return QueueRef(cast("SQS", self), self._by_url[url])

    def queue(self, ref: str) -> QueueRef:
        """The queue named by URL, ARN or name. Raises ``QueueDoesNotExist``."""
        if not isinstance(ref, str):
            raise SimError(f"a queue is named by URL, ARN or name, got {ref!r}")
        q = self._by_url.get(ref) or self._by_arn.get(ref) or self.queues.get(ref)
        if q is None:
            q = self.resolve_url(ref)
        return QueueRef(cast("SQS", self), q)

    def all_queues(self) -> list[QueueRef]:
        """Every queue, by name."""
        return [QueueRef(cast("SQS", self), self.queues[n]) for n in sorted(self.queues)]
