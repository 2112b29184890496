"""Queue attributes: names, defaults, validation and normalisation (CreateQueue,
SetQueueAttributes, GetQueueAttributes).

Values travel as strings, as on the wire. Ranges and defaults are in :mod:`.limits` (from the
CreateQueue reference). Rules modelled:

- an unknown name, a read-only one in a request, or a FIFO-only one on a standard queue is
  ``InvalidAttributeName`` ("Unknown Attribute X.");
- a bad value is ``InvalidAttributeValue`` ("Invalid value for the parameter X."), except the JSON
  policies, whose problems AWS reports as ``InvalidParameterValue`` with a reason;
- ``FifoQueue`` is fixed at creation; a FIFO queue's name ends in ``.fifo`` and only FIFO queues
  may have such names;
- a dead-letter queue exists, has the source's type, and its RedriveAllowPolicy lets the source
  use it; ``maxReceiveCount`` is 1-1,000.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from . import limits as L
from .errors import InvalidAttributeName, InvalidAttributeValue, invalid_value

#: Attributes a request may set, with their defaults (None: absent unless set).
STANDARD_DEFAULTS: dict[str, str | None] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(L.MESSAGE_SIZE_MAX),
    "MessageRetentionPeriod": str(L.RETENTION_DEFAULT_S),
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": str(L.VISIBILITY_DEFAULT_S),
    "SqsManagedSseEnabled": "true",
    "Policy": None,
    "RedrivePolicy": None,
    "RedriveAllowPolicy": None,
    "KmsMasterKeyId": None,
    "KmsDataKeyReusePeriodSeconds": None,
}
FIFO_DEFAULTS: dict[str, str | None] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
#: Computed attributes GetQueueAttributes returns (never settable).
READ_ONLY = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
)
#: GetQueueAttributes "All", in the order AWS lists them.
ALL_ORDER = (
    "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
    "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod", "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds", "Policy", "RedrivePolicy", "RedriveAllowPolicy",
    "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
    "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
)

_INT_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, L.DELAY_MAX_S),
    "MaximumMessageSize": (L.MESSAGE_SIZE_MIN, L.MESSAGE_SIZE_MAX),
    "MessageRetentionPeriod": (L.RETENTION_MIN_S, L.RETENTION_MAX_S),
    "ReceiveMessageWaitTimeSeconds": (0, L.WAIT_MAX_S),
    "VisibilityTimeout": (0, L.VISIBILITY_MAX_S),
    "KmsDataKeyReusePeriodSeconds": (L.KMS_REUSE_MIN_S, L.KMS_REUSE_MAX_S),
}
_ENUMS: dict[str, tuple[str, ...]] = {
    "SqsManagedSseEnabled": ("true", "false"),
    "FifoQueue": ("true", "false"),
    "ContentBasedDeduplication": ("true", "false"),
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}

#: Resolves a queue ARN to ``(is_fifo, redrive_allow_policy_json_or_None)``, or None.
QueueLookup = Callable[[str], "tuple[bool, str | None] | None"]


def unknown(name: str) -> InvalidAttributeName:
    return InvalidAttributeName(f"Unknown Attribute {name}.")


def validate(
    attributes: Any,
    *,
    fifo: bool,
    source_arn: str,
    lookup: QueueLookup,
    creating: bool,
) -> dict[str, str]:
    """Check request attributes; return them normalised (strings). Raises AWS's errors.

    ``fifo`` is the queue's type; ``lookup`` finds dead-letter queues by ARN."""
    if attributes is None:
        return {}
    if not isinstance(attributes, dict):
        raise InvalidAttributeValue("Attributes must be a map of attribute names to values.")
    out: dict[str, str] = {}
    for name, value in attributes.items():
        if name in READ_ONLY or (
            name not in STANDARD_DEFAULTS and name not in FIFO_DEFAULTS
        ):
            raise unknown(name)
        if name in FIFO_DEFAULTS and not fifo and not (name == "FifoQueue" and creating):
            raise unknown(name)
        if name == "FifoQueue" and not creating:
            raise unknown(name)
        if not isinstance(value, str):
            raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        if name in _INT_RANGES:
            lo, hi = _INT_RANGES[name]
            if not value.isdigit() or not lo <= int(value) <= hi:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = str(int(value))
        elif name in _ENUMS:
            norm = value.lower() if _ENUMS[name][0] == "true" else value
            if norm not in _ENUMS[name]:
                raise InvalidAttributeValue(f"Invalid value for the parameter {name}.")
            value = norm
        elif name == "RedrivePolicy":
            value = _redrive_policy(value, fifo=fifo, source_arn=source_arn, lookup=lookup)
        elif name == "RedriveAllowPolicy":
            value = _redrive_allow_policy(value)
        elif name == "Policy":
            if value:
                try:
                    json.loads(value)
                except ValueError:
                    raise InvalidAttributeValue("Invalid value for the parameter Policy.") from None
        out[name] = value
    return out


def _redrive_policy(value: str, *, fifo: bool, source_arn: str, lookup: QueueLookup) -> str:
    if value == "":
        return ""

    def bad(reason: str) -> Exception:
        return invalid_value("RedrivePolicy", value, reason)

    try:
        policy = json.loads(value)
    except ValueError:
        raise bad("Redrive policy is not a valid JSON map.") from None
    if not isinstance(policy, dict):
        raise bad("Redrive policy is not a valid JSON map.")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in policy:
            raise bad(f"Redrive policy does not contain mandatory attribute: {key}.")
    extra = sorted(set(policy) - {"deadLetterTargetArn", "maxReceiveCount"})
    if extra:
        raise bad(f"Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].")
    count = policy["maxReceiveCount"]
    if isinstance(count, str) and count.lstrip("-").isdigit():
        count = int(count)
    if type(count) is not int or not L.MAX_RECEIVE_COUNT_MIN <= count <= L.MAX_RECEIVE_COUNT_MAX:
        raise bad(
            f"Invalid value for maxReceiveCount: {policy['maxReceiveCount']}, valid values are "
            f"from {L.MAX_RECEIVE_COUNT_MIN} to {L.MAX_RECEIVE_COUNT_MAX} both inclusive."
        )
    target = policy["deadLetterTargetArn"]
    found = lookup(target) if isinstance(target, str) else None
    if found is None:
        raise bad("Dead letter target does not exist.")
    target_fifo, allow = found
    if target_fifo != fifo:
        raise bad("Dead-letter queue must be same type of queue as the source.")
    if allow:
        rule = json.loads(allow)
        permission = rule.get("redrivePermission")
        if permission == "denyAll" or (
            permission == "byQueue" and source_arn not in rule.get("sourceQueueArns", [])
        ):
            raise bad(
                f"Queue {source_arn} is not allowed to use {target} as its dead-letter queue "
                "(its RedriveAllowPolicy denies it)."
            )
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count}, separators=(",", ":"))


def _redrive_allow_policy(value: str) -> str:
    if value == "":
        return ""

    def bad(reason: str) -> Exception:
        return invalid_value("RedriveAllowPolicy", value, reason)

    try:
        policy = json.loads(value)
    except ValueError:
        raise bad("Redrive allow policy is not a valid JSON map.") from None
    if not isinstance(policy, dict) or "redrivePermission" not in policy:
        raise bad("Redrive allow policy does not contain mandatory attribute: redrivePermission.")
    permission = policy["redrivePermission"]
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise bad("Invalid value for redrivePermission. Valid values are allowAll, denyAll and byQueue.")
    sources = policy.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(sources, list) or not sources:
            raise bad("sourceQueueArns is required when redrivePermission is byQueue.")
        if len(sources) > L.REDRIVE_ALLOW_MAX_SOURCES:
            raise bad(
                f"The maximum number of source queue ARNs is {L.REDRIVE_ALLOW_MAX_SOURCES}. "
                "To allow more source queues, set redrivePermission to allowAll."
            )
    elif sources is not None:
        raise bad("sourceQueueArns can be specified only when redrivePermission is byQueue.")
    return json.dumps(policy, separators=(",", ":"))
