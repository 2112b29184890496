"""Where a finished asynchronous event goes: destinations (invocation records) and the DLQ.

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html

**Invocation record** (OnSuccess / OnFailure), as AWS documents it::

    {"version": "1.0", "timestamp": "2019-11-14T18:16:05.568Z",
     "requestContext": {"requestId": ..., "functionArn": "arn:...:function:f:$LATEST",
                        "condition": "Success" | "RetriesExhausted" | "EventAgeExceeded",
                        "approximateInvokeCount": 3},
     "requestPayload": <the event>,
     "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
     "responsePayload": <the function's response or error document>}

Delivered to a *standard* SQS queue (the record as the body), an SNS topic (the message), a Lambda
function (an asynchronous invoke with the record as the event) or an EventBridge bus
(``source`` "lambda", ``detail-type`` "Lambda Function Invocation Result - Success" / "... -
Failure", the record as ``detail``, ``resources`` the bus and the function). A delivery that
fails (missing queue/topic/function/bus, a FIFO queue or topic) counts one
``DestinationDeliveryFailures``; a DLQ delivery that fails counts ``DeadLetterErrors``
(namespace ``AWS/Lambda``, dimension ``FunctionName``).

**DLQ**: the original event as the message body, message attributes ``RequestID`` (String),
``ErrorCode`` (Number) and ``ErrorMessage`` (String, first 1 KB); SQS standard queue or SNS
topic.

Assumptions (AWS does not document them): for an event that never ran (throttled until too old,
or reserved concurrency 0) ``responseContext`` is ``{"statusCode": 429}`` and the DLQ
``ErrorCode`` is 429 with ``ErrorMessage`` "Rate Exceeded."; EventBridge ``resources`` list the
bus then the function ARN.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..kernel.clock import format_us
from ..kernel.errors import AWSError, SimError
from . import limits
from .event_invoke_config import arn_service
from .reporting import dims

if TYPE_CHECKING:
    from .async_invoke import AsyncRecord
    from .invoke import Invocation
    from .service import Lambda

SUCCESS = "Success"
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
DETAIL_TYPES = {
    True: "Lambda Function Invocation Result - Success",
    False: "Lambda Function Invocation Result - Failure",
}


def timestamp(now_us: int) -> str:
    """AWS's record timestamp: ISO-8601 with milliseconds and ``Z``."""
    return format_us(now_us)[:23] + "Z"


def as_json_value(value: Any, wire: bool) -> Any:
    """A payload as the record carries it: JSON text parsed, native objects through JSON."""
    if isinstance(value, (bytes, bytearray)):
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value.decode(errors="replace")
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return repr(value)


def invocation_record(svc: "Lambda", record: "AsyncRecord", condition: str) -> dict[str, Any]:
    """The invocation record of ``record`` (AWS's format, above)."""
    fn = record.function
    inv: "Invocation | None" = record.invocations[-1] if record.invocations else None
    qualifier = record.qualifier or "$LATEST"
    response: dict[str, Any]
    if inv is not None:
        response = {"statusCode": 200, "executedVersion": inv.version.version}
        if inv.error is not None:
            response["functionError"] = "Unhandled"
    else:
        response = {"statusCode": 429}
    out: dict[str, Any] = {
        "version": "1.0",
        "timestamp": timestamp(svc.cloud.clock.now_us),
        "requestContext": {
            "requestId": record.request_id,
            "functionArn": f"{fn.arn}:{qualifier}",
            "condition": condition,
            "approximateInvokeCount": record.attempts,
        },
        "requestPayload": as_json_value(record.payload, record.wire),
        "responseContext": response,
    }
    if inv is not None:
        out["responsePayload"] = as_json_value(inv.payload, inv.wire)
    return out


def _count(svc: "Lambda", metric: str, function_name: str) -> None:
    now = svc.cloud.clock.now_us
    svc._series.get(metric, dims(FunctionName=function_name)).add_statistic_set(now, 1, 1.0, 1.0, 1.0)


def _send_sqs(svc: "Lambda", arn: str, body: str, attributes: dict[str, Any] | None) -> None:
    ref = svc.cloud.service("sqs").queue(arn)  # type: ignore[attr-defined]
    if ref.fifo:
        raise SimError("FIFO queues are not supported as destinations")
    ref.send(body, attributes)


def _send_sns(svc: "Lambda", arn: str, body: str, attributes: dict[str, Any] | None) -> None:
    if arn.endswith(".fifo"):
        raise SimError("FIFO topics are not supported as destinations")
    svc.cloud.service("sns").publish(arn, body, attributes=attributes)  # type: ignore[attr-defined]


def deliver(svc: "Lambda", arn: str, rec: dict[str, Any], success: bool, function_name: str) -> bool:
    """Send an invocation record to a destination; False (and a metric) if it failed."""
    service = arn_service(arn)
    body = json.dumps(rec)
    try:
        if service == "sqs":
            _send_sqs(svc, arn, body, None)
        elif service == "sns":
            _send_sns(svc, arn, body, None)
        elif service == "lambda":
            svc.dispatch("Invoke", {"FunctionName": arn, "InvocationType": "Event", "Payload": body.encode()})
        elif service == "events":
            resp = svc.cloud.service("events").dispatch("PutEvents", {"Entries": [{
                "Source": "lambda", "DetailType": DETAIL_TYPES[success], "Detail": body,
                "EventBusName": arn, "Resources": [arn, rec["requestContext"]["functionArn"]],
            }]})
            if resp.get("FailedEntryCount"):
                raise SimError(str(resp["Entries"][0].get("ErrorMessage")))
        else:
            raise SimError(f"unsupported destination {arn}")
    except (AWSError, SimError) as exc:
        _count(svc, "DestinationDeliveryFailures", function_name)
        svc.cloud.trace.record("lambda", "destination_failed", function=function_name, destination=arn,
                               error=str(exc))
        return False
    svc.cloud.trace.record("lambda", "destination_delivered", function=function_name, destination=arn,
                           condition=rec["requestContext"]["condition"])
    return True


def send_to_dlq(svc: "Lambda", arn: str, record: "AsyncRecord", error_code: int, error_message: str) -> bool:
    """Send the original event of ``record`` to the DLQ ``arn``; False (DeadLetterErrors) on failure."""
    payload = record.payload
    if isinstance(payload, (bytes, bytearray)):
        body = payload.decode(errors="replace") if payload else "{}"
    else:
        body = json.dumps(as_json_value(payload, False))
    msg = error_message.encode()[:limits.DLQ_ERROR_MESSAGE_MAX_BYTES].decode(errors="ignore")
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": record.request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": str(error_code)},
        "ErrorMessage": {"DataType": "String", "StringValue": msg or " "},
    }
    name = record.function.name
    try:
        if arn_service(arn) == "sqs":
            _send_sqs(svc, arn, body, attributes)
        else:
            _send_sns(svc, arn, body, attributes)
    except (AWSError, SimError) as exc:
        _count(svc, "DeadLetterErrors", name)
        svc.cloud.trace.record("lambda", "dead_letter_failed", function=name, target=arn, error=str(exc))
        return False
    svc.cloud.trace.record("lambda", "dead_lettered", function=name, target=arn, request_id=record.request_id)
    return True


__all__ = [
    "DETAIL_TYPES", "EVENT_AGE_EXCEEDED", "RETRIES_EXHAUSTED", "SUCCESS", "deliver", "invocation_record",
    "send_to_dlq", "timestamp",
]
