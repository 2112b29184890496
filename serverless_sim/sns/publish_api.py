"""Publish and PublishBatch, and fan-out to subscriptions.

Rules (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html,
https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html): a non-empty Message; message
plus attributes at most 256 KiB; Subject up to 100 printable ASCII characters without line
breaks; MessageStructure ``json`` needs a JSON object with a ``default`` string; attributes of
type String, String.Array, Number or Binary with non-empty values; FIFO topics need
MessageGroupId and either MessageDeduplicationId or ContentBasedDeduplication (SHA-256 of the
message), deduplicate over 5 minutes and number messages with SequenceNumber; PublishBatch takes
1-10 entries with distinct ids.

Fan-out: each confirmed subscription whose filter policy matches gets its own
:class:`~.delivery.Delivery`, scheduled on the clock ``SNSConfig.delivery_delay`` seconds after
the publish (default 0: at the same instant, once the clock is moved, e.g. ``cloud.advance(0)``
or ``run_until_idle()``), in subscription order, so a FIFO topic keeps its order into FIFO queues.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, cast

from ..kernel.errors import AWSError, SimError
from ..kernel.service import operation
from . import filter_policy as FP
from . import limits as L
from .delivery import Delivery, Notification
from .errors import (
    BatchEntryIdsNotDistinctException,
    BatchRequestTooLongException,
    EmptyBatchRequestException,
    InvalidBatchEntryIdException,
    InvalidParameterValueException,
    TooManyEntriesInBatchRequestException,
    invalid,
)

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import SNS, SNSConfig
    from .topic import Topic

_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_ID_CHARS = re.compile(r"^[!-~]{1,128}$")
_ATTR_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")


def _check_attributes(attributes: Any) -> int:
    if not isinstance(attributes, dict):
        raise invalid("MessageAttributes")
    size = 0
    for name, a in attributes.items():
        if not isinstance(name, str) or not _ATTR_NAME.match(name) or name.lower().startswith(
            ("aws.", "amazon.")
        ) or name.startswith(".") or name.endswith(".") or ".." in name:
            raise InvalidParameterValueException(f"The message attribute name '{name}' is invalid.")
        dt = a.get("DataType") if isinstance(a, dict) else None
        if not isinstance(dt, str) or dt.split(".", 1)[0] not in ("String", "Number", "Binary"):
            raise InvalidParameterValueException(
                f"The message attribute '{name}' has an invalid message attribute type, the set "
                "of supported type prefixes is Binary, Number, and String."
            )
        if dt.startswith("Binary"):
            value = a.get("BinaryValue")
            if isinstance(value, str):
                value = value.encode()
            if not value:
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' must contain non-empty message attribute "
                    f"value for message attribute type '{dt}'."
                )
            size += len(value)
        else:
            value = a.get("StringValue")
            if not isinstance(value, str) or not value:
                raise InvalidParameterValueException(
                    f"The message attribute '{name}' must contain non-empty message attribute "
                    f"value for message attribute type '{dt}'."
                )
            if dt == "String.Array":
                try:
                    parsed = json.loads(value)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, list):
                    raise InvalidParameterValueException(
                        f"The message attribute '{name}' with type 'String.Array' has an invalid "
                        "value."
                    )
            elif dt.startswith("Number"):
                try:
                    float(value)
                except ValueError:
                    raise InvalidParameterValueException(
                        f"Could not cast message attribute '{name}' value to number."
                    ) from None
            size += len(value.encode())
        size += len(name.encode()) + len(dt.encode())
    return size


class PublishOps:
    """Mixin of :class:`~.service.SNS`."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: SNSConfig
        def get_topic(self, arn: Any) -> Topic: ...

    def _prepare_publish(self, topic: "Topic", e: dict[str, Any]) -> Notification | tuple[str, str | None]:
        """Validate one message; return its Notification, or (MessageId, SequenceNumber) of the
        earlier message it duplicates (FIFO)."""
        message = e.get("Message")
        if not isinstance(message, str) or not message:
            raise invalid("Empty message")
        subject = e.get("Subject")
        if subject is not None:
            if (not isinstance(subject, str) or not subject or len(subject) > L.SUBJECT_MAX
                    or not subject.isascii() or not subject.isprintable()):
                raise invalid("Subject")
        structured = None
        if e.get("MessageStructure") is not None:
            if e["MessageStructure"] != "json":
                raise invalid("MessageStructure")
            try:
                structured = json.loads(message)
            except ValueError:
                raise invalid("Message Structure - JSON message body failed to parse") from None
            if not isinstance(structured, dict) or not isinstance(structured.get("default"), str):
                raise invalid("Message Structure - No default entry in JSON message body")
        attributes = e.get("MessageAttributes") or {}
        size = len(message.encode()) + (_check_attributes(attributes) if attributes else 0)
        if size > L.MESSAGE_MAX_BYTES:
            raise invalid("Message too long")
        group_id = e.get("MessageGroupId")
        dedup_id = e.get("MessageDeduplicationId")
        now = self.cloud.now_us
        seqnum = None
        if topic.fifo:
            if group_id is None:
                raise invalid("The MessageGroupId parameter is required for FIFO topics")
            if not isinstance(group_id, str) or not _ID_CHARS.match(group_id):
                raise invalid("MessageGroupId")
            if dedup_id is None:
                if not topic.content_dedup:
                    raise invalid("The topic should either have ContentBasedDeduplication enabled "
                                  "or MessageDeduplicationId provided explicitly")
                dedup_id = hashlib.sha256(message.encode()).hexdigest()
            elif not isinstance(dedup_id, str) or not _ID_CHARS.match(dedup_id):
                raise invalid("MessageDeduplicationId")
            for k in [k for k, v in topic.dedup.items() if v[0] <= now]:
                del topic.dedup[k]
            hit = topic.dedup.get(dedup_id)
            if hit is not None:
                return hit[1], hit[2]
            topic.sequence += 1
            seqnum = str(10_000_000_000_000_000_000 + topic.sequence)
        else:
            if dedup_id is not None:
                raise invalid("MessageDeduplicationId Reason: The request includes "
                              "MessageDeduplicationId parameter that is not valid for this topic type")
            if group_id is not None and (not isinstance(group_id, str) or not _ID_CHARS.match(group_id)):
                raise invalid("MessageGroupId")
        mid = self.cloud.streams.uuid("sns/message-ids")
        if topic.fifo:
            topic.dedup[dedup_id] = (now + L.DEDUP_INTERVAL_S * L.US, mid, seqnum)  # type: ignore[index]
        return Notification(mid, topic.arn, subject, message, structured, dict(attributes), now,
                            seqnum, group_id, dedup_id)

    def _fan_out(self, topic: "Topic", note: Notification) -> None:
        dims = {"TopicName": topic.name}
        put = self.cloud.metrics.put
        put("AWS/SNS", "NumberOfMessagesPublished", 1, dims, "Count")
        put("AWS/SNS", "PublishSize", len(note.message.encode()), dims, "Bytes")
        self.cloud.trace.record("sns", "published", topic=topic.name, message_id=note.message_id)
        delay_us = round(self.config.delivery_delay * L.US)
        attr_view = body_view = None
        for sub in list(topic.subscriptions.values()):
            if not sub.confirmed:
                continue
            if sub.filter_policy is not None:
                if sub.scope == "MessageBody":
                    if body_view is None:
                        body_view = FP.body_view(note.message) or {}
                    ok = FP.matches(sub.filter_policy, body_view)
                else:
                    if attr_view is None:
                        attr_view = FP.attributes_view(note.attributes)
                    ok = FP.matches(sub.filter_policy, attr_view)
                if not ok:
                    put("AWS/SNS", "NumberOfNotificationsFilteredOut", 1, dims, "Count")
                    self.cloud.trace.record("sns", "filtered_out", subscription=sub.arn,
                                            message_id=note.message_id)
                    continue
            self.cloud.scheduler.call_later_us(delay_us, Delivery(cast("SNS", self), sub, note).attempt)

    @operation("Publish")
    def _publish(self, req: dict[str, Any]) -> dict[str, Any]:
        if req.get("PhoneNumber") is not None:
            raise SimError("SMS (Publish with PhoneNumber) is not simulated; publish to a topic")
        arn = req.get("TopicArn") or req.get("TargetArn")
        if arn is None:
            raise invalid("TopicArn or TargetArn Reason: no value for required parameter")
        topic = self.get_topic(arn)
        prepared = self._prepare_publish(topic, req)
        if isinstance(prepared, tuple):
            mid, seqnum = prepared
        else:
            self._fan_out(topic, prepared)
            mid, seqnum = prepared.message_id, prepared.sequence_number
        out = {"MessageId": mid}
        if seqnum is not None:
            out["SequenceNumber"] = seqnum
        return out

    @operation("PublishBatch")
    def _publish_batch(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        entries = req.get("PublishBatchRequestEntries")
        if not entries:
            raise EmptyBatchRequestException()
        if len(entries) > L.BATCH_MAX_ENTRIES:
            raise TooManyEntriesInBatchRequestException()
        seen: set[str] = set()
        total = 0
        for e in entries:
            eid = e.get("Id")
            if not isinstance(eid, str) or not _BATCH_ID.match(eid):
                raise InvalidBatchEntryIdException()
            if eid in seen:
                raise BatchEntryIdsNotDistinctException()
            seen.add(eid)
            if isinstance(e.get("Message"), str):
                total += len(e["Message"].encode())
        if total > L.MESSAGE_MAX_BYTES:
            raise BatchRequestTooLongException()
        ok: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for e in entries:
            try:
                prepared = self._prepare_publish(topic, e)
            except AWSError as err:
                failed.append({"Id": e["Id"], "Code": err.code, "Message": err.message,
                               "SenderFault": True})
                continue
            if isinstance(prepared, tuple):
                mid, seqnum = prepared
            else:
                self._fan_out(topic, prepared)
                mid, seqnum = prepared.message_id, prepared.sequence_number
            r = {"Id": e["Id"], "MessageId": mid}
            if seqnum is not None:
                r["SequenceNumber"] = seqnum
            ok.append(r)
        return {"Successful": ok, "Failed": failed}
