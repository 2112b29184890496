"""SQS messages: the stored record, body and attribute rules, and AWS's MD5 digests.

- Body: 1 character to MaximumMessageSize bytes (UTF-8), only the characters XML allows
  (``#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF``), else
  ``InvalidMessageContents`` (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
- Message attributes: at most 10; names of ``[A-Za-z0-9_.-]`` up to 256 characters, not starting
  with ``AWS.``/``Amazon.`` (any case), no leading/trailing period, no ``..``; data types
  ``String``, ``Number``, ``Binary`` with an optional ``.label``, up to 256 characters; every
  component counts toward the message size
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html).
- ``MD5OfMessageBody`` is the MD5 of the UTF-8 body. ``MD5OfMessageAttributes`` follows AWS's
  documented encoding (same page, "Calculating the MD5 message digest for message attributes"):
  attributes sorted by name; for each, the name, then the data type, each as a 4-byte big-endian
  length and UTF-8 bytes; one transport byte (1 = String/Number, 2 = Binary); the value as length
  and bytes. The MD5 of the concatenation, in hex.

Known deviation: list values (``StringListValues``/``BinaryListValues``) are reserved by AWS and
rejected here as AWS rejects them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InvalidMessageContents, InvalidParameterValue
from .limits import ATTRIBUTE_NAME_MAX, ATTRIBUTE_TYPE_MAX, MESSAGE_ATTRIBUTES_MAX

_md5 = hashlib.md5

# Characters outside XML's Char production (surrogates are impossible in valid UTF-8 text but can
# appear in Python str).
_BAD_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTR_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")

# Message states.
VISIBLE = 0
INFLIGHT = 1
DELAYED = 2
GONE = 3


class Message:
    """One stored message (engine record; mutable, never handed to users)."""

    __slots__ = (
        "seq", "message_id", "body", "md5_body", "attributes", "md5_attributes",
        "system_attributes", "md5_system", "sent_us", "size", "group_id", "dedup_id",
        "sequence_number", "receive_count", "first_receive_us", "received_us", "state", "token",
        "dlq_source_arn", "receipt_handle",
    )

    def __init__(self, seq: int, message_id: str, body: str, md5_body: str,
                 attributes: dict[str, Any] | None, md5_attributes: str | None, sent_us: int,
                 size: int) -> None:
        self.seq = seq
        self.message_id = message_id
        self.body = body
        self.md5_body = md5_body
        self.attributes = attributes
        self.md5_attributes = md5_attributes
        self.system_attributes: dict[str, Any] | None = None
        self.md5_system: str | None = None
        self.sent_us = sent_us
        self.size = size
        self.group_id: str | None = None
        self.dedup_id: str | None = None
        self.sequence_number: str | None = None
        self.receive_count = 0
        self.first_receive_us = 0
        self.received_us = 0
        self.state = VISIBLE
        self.token = 0
        self.dlq_source_arn: str | None = None
        self.receipt_handle = ""

    def __repr__(self) -> str:
        states = ("VISIBLE", "INFLIGHT", "DELAYED", "GONE")
        return f"<Message #{self.seq} {self.message_id} {states[self.state]} body={self.body[:40]!r}>"


def md5_of_body(body: str) -> str:
    return _md5(body.encode()).hexdigest()


def _value_bytes(attr: dict[str, Any]) -> tuple[int, bytes]:
    data_type = attr["DataType"]
    if data_type.startswith("Binary"):
        value = attr["BinaryValue"]
        if isinstance(value, str):  # tolerate base64 text from JSON callers
            value = base64.b64decode(value)
        return 2, bytes(value)
    return 1, attr["StringValue"].encode()


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """AWS's MD5 of message attributes (see the module docstring). O(total size)."""
    h = _md5()
    for name in sorted(attributes):
        attr = attributes[name]
        transport, value = _value_bytes(attr)
        nb = name.encode()
        tb = attr["DataType"].encode()
        h.update(len(nb).to_bytes(4, "big") + nb + len(tb).to_bytes(4, "big") + tb
                 + bytes((transport,)) + len(value).to_bytes(4, "big") + value)
    return h.hexdigest()


def check_body(body: Any) -> str:
    """Validate a message body's type and characters (size is checked with the attributes)."""
    if type(body) is not str:
        raise InvalidParameterValue(f"Invalid type for parameter MessageBody, value: {body!r}, "
                                    "type: " + type(body).__name__ + ", valid types: str")
    if not body:
        raise InvalidParameterValue(
            "The request must contain the parameter MessageBody."
        )
    if not body.isprintable() and _BAD_CHARS.search(body):
        raise InvalidMessageContents(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
            "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"
        )
    return body


def check_attributes(attributes: Any, *, system: bool = False) -> int:
    """Validate message (or system) attributes; return their size in bytes. Raises AWS's error."""
    if not isinstance(attributes, dict):
        raise InvalidParameterValue("MessageAttributes must be a map.")
    if len(attributes) > MESSAGE_ATTRIBUTES_MAX:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MESSAGE_ATTRIBUTES_MAX}]."
        )
    size = 0
    for name, attr in attributes.items():
        if system:
            if name != "AWSTraceHeader":
                raise InvalidParameterValue(
                    f"Message system attribute name '{name}' is invalid."
                )
        else:
            check_attribute_name(name)
        if not isinstance(attr, dict) or "DataType" not in attr:
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute type."
            )
        data_type = attr["DataType"]
        if not isinstance(data_type, str) or not data_type:
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute type."
            )
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary") or len(data_type) > ATTRIBUTE_TYPE_MAX or (
            "." in data_type and not data_type.split(".", 1)[1]
        ):
            raise InvalidParameterValue(
                f"The type of message (user) attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String."
            )
        if system and data_type != "String":
            raise InvalidParameterValue(
                f"The message system attribute '{name}' must be of type String."
            )
        if "StringListValues" in attr and attr["StringListValues"] or (
            "BinaryListValues" in attr and attr["BinaryListValues"]
        ):
            raise InvalidParameterValue(
                f"Message attribute list values in SendMessage operation are not supported."
            )
        if base == "Binary":
            value = attr.get("BinaryValue")
            if isinstance(value, str):
                value = value.encode()
            if not value or "StringValue" in attr:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type 'Binary' must use field 'Binary'."
                    if "StringValue" in attr else
                    f"The message attribute '{name}' must contain non-empty message attribute "
                    f"value for message attribute type '{data_type}'."
                )
            vlen = len(value)
        else:
            value = attr.get("StringValue")
            if not isinstance(value, str) or not value:
                if "BinaryValue" in attr:
                    raise InvalidParameterValue(
                        f"The message attribute '{name}' with type '{base}' must use field 'String'."
                    )
                raise InvalidParameterValue(
                    f"The message attribute '{name}' must contain non-empty message attribute "
                    f"value for message attribute type '{data_type}'."
                )
            if _BAD_CHARS.search(value):
                raise InvalidParameterValue(
                    f"Message attribute '{name}' must contain only valid characters."
                )
            if base == "Number":
                check_number(name, value)
            vlen = len(value.encode())
        size += len(name.encode()) + len(data_type.encode()) + vlen
    return size


def check_attribute_name(name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise InvalidParameterValue("The request must contain non-empty message attribute name.")
    if len(name) > ATTRIBUTE_NAME_MAX:
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' exceeds the maximum allowed length of "
            f"{ATTRIBUTE_NAME_MAX} characters."
        )
    if not _ATTR_NAME.match(name):
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' contains invalid characters. Valid "
            "characters: alphanumeric, underscore (_), hyphen (-) and period (.)."
        )
    lower = name.lower()
    if lower.startswith("aws.") or lower.startswith("amazon."):
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' uses a reserved prefix (AWS. or Amazon.)."
        )
    if name.startswith(".") or name.endswith(".") or ".." in name:
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' can't start or end with a period, or "
            "contain consecutive periods."
        )


def check_number(name: str, value: str) -> None:
    """Number attributes: up to 38 significant digits, 10^-128 to 10^+126 [DG-META]."""
    try:
        d = Decimal(value)
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise InvalidParameterValue(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        )
    digits = d.as_tuple().digits
    if d != 0 and len(digits) > 38:
        raise InvalidParameterValue(
            f"Value of message (user) attribute '{name}' exceeds the precision of 38 digits."
        )
    if d != 0 and not (Decimal("1e-128") <= abs(d) <= Decimal("1e126")):
        raise InvalidParameterValue(
            f"Value of message (user) attribute '{name}' is out of range (10^-128 to 10^+126)."
        )


def to_wire_attributes(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Native convenience: ``{"k": "v", "n": 3, "b": b"..."}`` to SQS's attribute shape.

    Values already shaped (``{"DataType": ..., ...}``) pass through unchanged."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            out[name] = value
        elif isinstance(value, bool):
            out[name] = {"DataType": "String", "StringValue": "true" if value else "false"}
        elif isinstance(value, (int, float, Decimal)):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        elif isinstance(value, (bytes, bytearray)):
            out[name] = {"DataType": "Binary", "BinaryValue": bytes(value)}
        else:
            out[name] = {"DataType": "String", "StringValue": str(value)}
    return out
