"""The AWS JSON 1.0 / 1.1 wire format <-> the wire operations' native values.

The wire operations take and return what boto3's client passes and returns: ``bytes`` for
blobs, aware ``datetime`` for timestamps. On the wire (the AWS JSON protocols) blobs are base64
text and timestamps are epoch seconds (a JSON number). This module converts, without botocore:

- **responses** (native -> wire) by Python type: ``bytes`` -> base64, ``datetime`` -> epoch
  seconds, ``Decimal`` -> a JSON number. Nothing else in a response has those types.
- **requests** (wire -> native) with a small hand-written table per service, since JSON text
  does not say which strings are blobs: DynamoDB's blobs are exactly the ``B`` and ``BS`` members
  of attribute values (anywhere in the request: items, keys, expression values, batches,
  transactions); the request timestamps are the members named in :data:`REQUEST_TIMESTAMPS`.
  Logs, CloudWatch (JSON) and Step Functions requests carry no blobs.

A value that should be base64 and is not raises :class:`SerializationError` (AWS answers
``SerializationException``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal
import json
from typing import Any

from ..kernel.clock import EPOCH, UTC

#: X-Amz-Target prefix -> (boto3 service name, JSON protocol version).
TARGETS: dict[str, tuple[str, str]] = {
    "DynamoDB_20120810": ("dynamodb", "1.0"),
    "DynamoDBStreams_20120810": ("dynamodbstreams", "1.0"),
    "Logs_20140328": ("logs", "1.1"),
    "GraniteServiceVersion20100801": ("cloudwatch", "1.0"),
    "AWSStepFunctions": ("stepfunctions", "1.0"),
}

#: Services whose requests hold DynamoDB attribute values (B / BS are base64 on the wire).
ATTRIBUTE_VALUE_SERVICES = frozenset({"dynamodb", "dynamodbstreams"})

#: Request members that are timestamps (epoch seconds on the wire), per service.
REQUEST_TIMESTAMPS: dict[str, frozenset[str]] = {
    "dynamodb": frozenset({
        "TimeRangeLowerBound", "TimeRangeUpperBound", "RestoreDateTime", "ExportTime",
        "ExportFromTime", "ExportToTime",
    }),
    "cloudwatch": frozenset({"StartTime", "EndTime", "Timestamp", "StartDate", "EndDate"}),
}

#: Operations without an output shape: AWS answers them with an empty body, not ``{}``.
NO_OUTPUT: dict[str, frozenset[str]] = {
    "dynamodb": frozenset({"TagResource", "UntagResource"}),
    "logs": frozenset({
        "CreateLogGroup", "CreateLogStream", "DeleteLogGroup", "DeleteLogStream", "PutRetentionPolicy",
        "DeleteRetentionPolicy", "TagLogGroup", "UntagLogGroup", "TagResource", "UntagResource",
        "DeleteSubscriptionFilter", "PutSubscriptionFilter", "DeleteMetricFilter", "PutMetricFilter",
    }),
    "cloudwatch": frozenset({"PutMetricData", "DeleteAlarms", "SetAlarmState", "PutMetricAlarm"}),
}

#: The JSON ``__type`` namespace of errors raised outside a service (bad JSON, unknown target).
CORAL = "com.amazon.coral.service#"


class SerializationError(Exception):
    """The request body is not valid for the protocol (AWS: ``SerializationException``)."""

    code = "SerializationException"


# -- requests -----------------------------------------------------------------------------
def decode_request(service: str, body: bytes) -> dict[str, Any]:
    """A request body (JSON text) -> the wire operation's request dict."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        # DynamoDB answers unparsable JSON with a SerializationException without a message.
        raise SerializationError("") from exc
    if not isinstance(data, dict):
        raise SerializationError("Start of list found where not expected")
    if service in ATTRIBUTE_VALUE_SERVICES:
        data = _decode_blobs(data)
    stamps = REQUEST_TIMESTAMPS.get(service)
    if stamps:
        data = _decode_timestamps(data, stamps)
    return data


def _b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise SerializationError(f"Invalid base64 value: expected a string, got {type(text).__name__}")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SerializationError(f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(text)}"
                                 if len(text) % 4 else "Invalid base64 value") from exc


def _decode_blobs(value: Any) -> Any:
    """Decode ``{"B": text}`` / ``{"BS": [text...]}`` attribute values wherever they occur."""
    if isinstance(value, dict):
        if len(value) == 1:
            if "B" in value and not isinstance(value["B"], (dict, list)):
                return {"B": _b64(value["B"])}
            if "BS" in value and isinstance(value["BS"], list):
                return {"BS": [_b64(v) for v in value["BS"]]}
        return {k: _decode_blobs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_blobs(v) for v in value]
    return value


def _decode_timestamps(value: Any, names: frozenset[str]) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in names and isinstance(v, (int, float)) and not isinstance(v, bool):
                out[k] = EPOCH + _dt.timedelta(microseconds=round(v * 1_000_000))
            else:
                out[k] = _decode_timestamps(v, names)
        return out
    if isinstance(value, list):
        return [_decode_timestamps(v, names) for v in value]
    return value


# -- responses ----------------------------------------------------------------------------
def _default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        delta = value - EPOCH
        us = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot put {type(value).__name__} on the wire: {value!r}")


def encode_response(response: dict[str, Any]) -> bytes:
    """A wire operation's response -> JSON body bytes (compact, like AWS's)."""
    return json.dumps(response, default=_default, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
