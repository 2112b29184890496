"""SQS data-plane wire operations: send, receive, delete, change visibility, and their batches.

Validation (AWS's rules and messages) lives here and in :mod:`.messages`; the semantics live in
:class:`~.queue.Queue`. :func:`prepare` is shared with the native API so both enforce the same
rules.

ReceiveMessage's ``WaitTimeSeconds`` (and the queue's ReceiveMessageWaitTimeSeconds) is
validated but a wire call returns at once with what is receivable: a call from user code cannot
block the virtual clock. To wait on the clock, use the native
``cloud.service("sqs").queue(url).receive_wait(...)`` from a process (``yield`` it).
``ReceiveRequestAttemptId`` is accepted and ignored (no network failures to retry here).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from ..kernel.errors import AWSError
from ..kernel.service import operation
from . import limits as L
from .errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAttributeName,
    InvalidBatchEntryId,
    InvalidParameterValue,
    MissingParameter,
    TooManyEntriesInBatchRequest,
    invalid_value,
)
from .messages import Message, check_attributes, check_body, md5_of_attributes

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .queue import Queue

_md5 = hashlib.md5
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
# MessageGroupId / MessageDeduplicationId: alphanumeric and punctuation, 1-128 [DG-QM].
_ID_CHARS = re.compile(r"^[!-~]{1,128}$")

SYSTEM_ATTRIBUTE_NAMES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)
_SYSTEM_NAMES = frozenset(SYSTEM_ATTRIBUTE_NAMES) | {"All", "SqsManagedSseEnabled"}


def _int_param(req: dict[str, Any], name: str, lo: int, hi: int, reason: str) -> int | None:
    value = req.get(name)
    if value is None:
        return None
    if type(value) is not int or not lo <= value <= hi:
        raise invalid_value(name, value, reason)
    return value


def prepare(q: "Queue", body: Any, attributes: Any = None, delay: Any = None,
            group_id: Any = None, dedup_id: Any = None, system: Any = None) -> tuple[Any, ...]:
    """Validate one message for ``q``; return the arguments of :meth:`Queue.send`.

    Raises AWS's error; nothing is changed on failure."""
    check_body(body)
    size = len(body) if body.isascii() else len(body.encode())
    md5a = md5s = None
    if attributes:
        size += check_attributes(attributes)
        md5a = md5_of_attributes(attributes)
    if system:
        check_attributes(system, system=True)
        md5s = md5_of_attributes(system)
    if size > q.max_size:
        raise InvalidParameterValue(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{q.max_size} bytes."
        )
    if delay is not None:
        if type(delay) is not int or not 0 <= delay <= L.DELAY_MAX_S:
            raise invalid_value("DelaySeconds", delay,
                                f"Must be >= 0 and <= {L.DELAY_MAX_S}, if provided.")
    if q.fifo:
        if delay is not None:
            raise invalid_value("DelaySeconds", delay,
                                "The request include parameter that is not valid for this queue type.")
        if group_id is None:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if not isinstance(group_id, str) or not _ID_CHARS.match(group_id):
            raise invalid_value("MessageGroupId", group_id,
                                "MessageGroupId can only include alphanumeric and punctuation "
                                "characters. 1 to 128 in length.")
        if dedup_id is None:
            if not q.content_dedup:
                raise InvalidParameterValue(
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup_id = hashlib.sha256(body.encode()).hexdigest()
        elif not isinstance(dedup_id, str) or not _ID_CHARS.match(dedup_id):
            raise invalid_value("MessageDeduplicationId", dedup_id,
                                "MessageDeduplicationId can only include alphanumeric and "
                                "punctuation characters. 1 to 128 in length.")
    else:
        if dedup_id is not None:
            raise invalid_value("MessageDeduplicationId", dedup_id,
                                "The request include parameter that is not valid for this queue type.")
        if group_id is not None and (not isinstance(group_id, str) or not _ID_CHARS.match(group_id)):
            raise invalid_value("MessageGroupId", group_id,
                                "MessageGroupId can only include alphanumeric and punctuation "
                                "characters. 1 to 128 in length.")
    md5b = _md5(body.encode()).hexdigest()
    return (body, md5b, size, attributes or None, md5a, delay, group_id, dedup_id, system or None, md5s)


def system_attributes(q: "Queue", m: Message, names: Any, sender: str) -> dict[str, str]:
    """The message system attributes requested by ``names`` (``All`` for every one)."""
    everything = "All" in names
    out: dict[str, str] = {}

    def want(n: str) -> bool:
        return everything or n in names

    if want("SenderId"):
        out["SenderId"] = sender
    if want("ApproximateFirstReceiveTimestamp"):
        out["ApproximateFirstReceiveTimestamp"] = str(m.first_receive_us // 1000)
    if want("ApproximateReceiveCount"):
        out["ApproximateReceiveCount"] = str(m.receive_count)
    if want("SentTimestamp"):
        out["SentTimestamp"] = str(m.sent_us // 1000)
    if m.sequence_number is not None:
        if want("SequenceNumber"):
            out["SequenceNumber"] = m.sequence_number
        if want("MessageDeduplicationId"):
            out["MessageDeduplicationId"] = m.dedup_id  # type: ignore[assignment]
    if m.group_id is not None and want("MessageGroupId"):
        out["MessageGroupId"] = m.group_id
    if m.system_attributes and want("AWSTraceHeader"):
        out["AWSTraceHeader"] = m.system_attributes["AWSTraceHeader"]["StringValue"]
    if m.dlq_source_arn is not None and want("DeadLetterQueueSourceArn"):
        out["DeadLetterQueueSourceArn"] = m.dlq_source_arn
    return out


def select_attributes(m: Message, names: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The message attributes requested (``All``, ``.*``, ``prefix.*`` or exact names) and the
    MD5 of what is returned (as AWS computes it over the returned attributes)."""
    attrs = m.attributes
    if not attrs or not names:
        return None, None
    if "All" in names or ".*" in names:
        return attrs, m.md5_attributes
    picked: dict[str, Any] = {}
    for n in names:
        if n.endswith(".*"):
            prefix = n[:-1]
            for k, v in attrs.items():
                if k.startswith(prefix):
                    picked[k] = v
        elif n in attrs:
            picked[n] = attrs[n]
    if not picked:
        return None, None
    if len(picked) == len(attrs):
        return attrs, m.md5_attributes
    picked = {k: picked[k] for k in attrs if k in picked}
    return picked, md5_of_attributes(picked)


def _check_batch(entries: Any, entry_name: str, size_of: Any = None) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {entry_name} in the request.")
    if not isinstance(entries, list):
        raise InvalidParameterValue(f"Entries must be a list of {entry_name}.")
    if len(entries) > L.BATCH_MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {L.BATCH_MAX_ENTRIES}. "
            f"You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for e in entries:
        eid = e.get("Id") if isinstance(e, dict) else None
        if not isinstance(eid, str) or not _BATCH_ID.match(eid):
            raise InvalidBatchEntryId()
        if eid in seen:
            raise BatchEntryIdsNotDistinct(f"Id {eid} repeated.")
        seen.add(eid)


def _failure(eid: str, err: AWSError) -> dict[str, Any]:
    return {"Id": eid, "SenderFault": err.status < 500, "Code": err.code, "Message": err.message}


class MessageOps:
    """Mixin of :class:`~.service.SQS`: the data-plane operations."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        def queue_for_request(self, req: dict[str, Any]) -> Queue: ...

    @operation("SendMessage")
    def _send_message(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        if len(req) == 2 and not q.fifo:
            # Fast path (body only, standard queue): the same checks as prepare() in brief.
            body = req.get("MessageBody")
            if type(body) is str and body and body.isprintable():
                size = len(body) if body.isascii() else len(body.encode())
                if size <= q.max_size:
                    md5b = _md5(body.encode()).hexdigest()
                    return {"MD5OfMessageBody": md5b, "MessageId": q.send(body, md5b, size)[0]}
        if "MessageBody" not in req:
            raise MissingParameter("The request must contain the parameter MessageBody.")
        args = prepare(q, req["MessageBody"], req.get("MessageAttributes"), req.get("DelaySeconds"),
                       req.get("MessageGroupId"), req.get("MessageDeduplicationId"),
                       req.get("MessageSystemAttributes"))
        mid, seqnum = q.send(*args)
        out = {"MD5OfMessageBody": args[1], "MessageId": mid}
        if args[4] is not None:
            out["MD5OfMessageAttributes"] = args[4]
        if args[9] is not None:
            out["MD5OfMessageSystemAttributes"] = args[9]
        if seqnum is not None:
            out["SequenceNumber"] = seqnum
        return out

    @operation("SendMessageBatch")
    def _send_message_batch(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        entries: list[dict[str, Any]] = req.get("Entries")  # type: ignore[assignment]
        _check_batch(entries, "SendMessageBatchRequestEntry")
        total = 0
        for e in entries:
            body = e.get("MessageBody")
            if isinstance(body, str):
                total += len(body) if body.isascii() else len(body.encode())
        if total > L.MESSAGE_SIZE_MAX:
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {L.MESSAGE_SIZE_MAX} bytes. "
                f"You have sent {total} bytes."
            )
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in entries:
            try:
                if "MessageBody" not in e:
                    raise MissingParameter("The request must contain the parameter MessageBody.")
                args = prepare(q, e["MessageBody"], e.get("MessageAttributes"), e.get("DelaySeconds"),
                               e.get("MessageGroupId"), e.get("MessageDeduplicationId"),
                               e.get("MessageSystemAttributes"))
            except AWSError as err:
                failed.append(_failure(e["Id"], err))
                continue
            mid, seqnum = q.send(*args)
            r = {"Id": e["Id"], "MessageId": mid, "MD5OfMessageBody": args[1]}
            if args[4] is not None:
                r["MD5OfMessageAttributes"] = args[4]
            if args[9] is not None:
                r["MD5OfMessageSystemAttributes"] = args[9]
            if seqnum is not None:
                r["SequenceNumber"] = seqnum
            ok.append(r)
        return {"Successful": ok, "Failed": failed}

    @operation("ReceiveMessage")
    def _receive_message(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        n = vis = sys_names = attr_names = None
        if len(req) > 1:
            n = _int_param(req, "MaxNumberOfMessages", 1, L.RECEIVE_MAX,
                           f"Must be between 1 and {L.RECEIVE_MAX}, if provided.")
            vis = _int_param(req, "VisibilityTimeout", 0, L.VISIBILITY_MAX_S,
                             f"Must be between 0 and {L.VISIBILITY_MAX_S}, if provided.")
            _int_param(req, "WaitTimeSeconds", 0, L.WAIT_MAX_S,
                       f"Must be >= 0 and <= {L.WAIT_MAX_S}, if provided.")
            sys_names = req.get("MessageSystemAttributeNames") or req.get("AttributeNames")
            if sys_names:
                for name in sys_names:
                    if name not in _SYSTEM_NAMES:
                        raise InvalidAttributeName(f"Unknown Attribute {name}.")
            attr_names = req.get("MessageAttributeNames")
        msgs = q.receive(1 if n is None else n, None if vis is None else vis * L.US)
        if not msgs:
            return {}
        sender = self.cloud.account_id
        out = []
        for m in msgs:
            r: dict[str, Any] = {"MessageId": m.message_id, "ReceiptHandle": m.receipt_handle,
                                 "MD5OfBody": m.md5_body, "Body": m.body}
            if sys_names:
                r["Attributes"] = system_attributes(q, m, sys_names, sender)
            if attr_names and m.attributes:
                picked, md5 = select_attributes(m, attr_names)
                if picked:
                    r["MD5OfMessageAttributes"] = md5
                    r["MessageAttributes"] = picked
            out.append(r)
        return {"Messages": out}

    @operation("DeleteMessage")
    def _delete_message(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        if "ReceiptHandle" not in req:
            raise MissingParameter("The request must contain the parameter ReceiptHandle.")
        q.delete(req["ReceiptHandle"])
        return {}

    @operation("DeleteMessageBatch")
    def _delete_message_batch(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        entries: list[dict[str, Any]] = req.get("Entries")  # type: ignore[assignment]
        _check_batch(entries, "DeleteMessageBatchRequestEntry")
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in entries:
            try:
                q.delete(e.get("ReceiptHandle"))
            except AWSError as err:
                failed.append(_failure(e["Id"], err))
            else:
                ok.append({"Id": e["Id"]})
        return {"Successful": ok, "Failed": failed}

    @operation("ChangeMessageVisibility")
    def _change_message_visibility(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        if "ReceiptHandle" not in req:
            raise MissingParameter("The request must contain the parameter ReceiptHandle.")
        if req.get("VisibilityTimeout") is None:
            raise MissingParameter("The request must contain the parameter VisibilityTimeout.")
        vis = _int_param(req, "VisibilityTimeout", 0, L.VISIBILITY_MAX_S,
                         f"Must be between 0 and {L.VISIBILITY_MAX_S}, if provided.")
        q.change_visibility(req["ReceiptHandle"], vis)  # type: ignore[arg-type]
        return {}

    @operation("ChangeMessageVisibilityBatch")
    def _change_message_visibility_batch(self, req: dict[str, Any]) -> dict[str, Any]:
        q = self.queue_for_request(req)
        entries: list[dict[str, Any]] = req.get("Entries")  # type: ignore[assignment]
        _check_batch(entries, "ChangeMessageVisibilityBatchRequestEntry")
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in entries:
            try:
                vis = _int_param(e, "VisibilityTimeout", 0, L.VISIBILITY_MAX_S,
                                 f"Must be between 0 and {L.VISIBILITY_MAX_S}, if provided.")
                q.change_visibility(e.get("ReceiptHandle"), 0 if vis is None else vis)
            except AWSError as err:
                failed.append(_failure(e["Id"], err))
            else:
                ok.append({"Id": e["Id"]})
        return {"Successful": ok, "Failed": failed}
