"""Invoking a target by ARN, with EventBridge's retry policy and dead-letter queue.

Targets are reached through their service's wire operations on the same Cloud, as AWS's own
integrations call the public APIs:

=============  ==============================================================================
ARN service    call
=============  ==============================================================================
``lambda``     ``Invoke`` with ``InvocationType="Event"`` (asynchronous; Lambda's own retries)
``sqs``        ``GetQueueUrl`` then ``SendMessage`` (``MessageGroupId`` for FIFO queues)
``sns``        ``Publish``
``states``     ``StartExecution``
``events``     the event goes onto that event bus (EventBridge to EventBridge)
=============  ==============================================================================

Retries (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html,
https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-retry-policy.html): an
attempt that fails with an AWS error is retried "for 24 hours and up to 185 times with an
exponential back off and jitter" by default (``MaximumEventAgeInSeconds`` 60-86,400,
``MaximumRetryAttempts`` 0-185). AWS does not publish the back-off, so we model the n-th retry
after ``min(2**n, 300)`` seconds times a jitter factor in [0.5, 1) from the stream
``events/retry``. When retries run out the payload goes to the DeadLetterConfig queue, with the
message attributes AWS documents (``ERROR_CODE``, ``ERROR_MESSAGE``,
``EXHAUSTED_RETRY_CONDITION``, ``RETRY_ATTEMPTS``, ``RULE_ARN``/``SCHEDULE_ARN``,
``TARGET_ARN``); without one it is dropped. Every outcome is a trace record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..kernel.clock import US_PER_SECOND
from ..kernel.errors import AWSError, SimError

if TYPE_CHECKING:
    from ..cloud import Cloud

DEFAULT_MAX_ATTEMPTS = 185
DEFAULT_MAX_AGE_S = 86_400
BACKOFF_CAP_S = 300


def arn_service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 5 and parts[0] == "arn" else ""


def queue_url(cloud: "Cloud", arn: str) -> str:
    """The URL of the queue ``arn`` (asked of SQS, so its URL format is SQS's business)."""
    parts = arn.split(":")
    resp = cloud.service("sqs").dispatch(
        "GetQueueUrl", {"QueueName": parts[5], "QueueOwnerAWSAccountId": parts[4]}
    )
    return str(resp["QueueUrl"])


def invoke_arn(
    cloud: "Cloud",
    arn: str,
    payload: str,
    *,
    message_group_id: str | None = None,
    deduplication_id: str | None = None,
    on_event_bus: Callable[[str, str], None] | None = None,
) -> None:
    """One attempt to hand ``payload`` (text) to the target ``arn``; raises AWSError on failure."""
    service = arn_service(arn)
    if service == "lambda":
        cloud.service("lambda").dispatch(
            "Invoke", {"FunctionName": arn, "InvocationType": "Event", "Payload": payload.encode()}
        )
    elif service == "sqs":
        request: dict[str, Any] = {"QueueUrl": queue_url(cloud, arn), "MessageBody": payload}
        if message_group_id is not None:
            request["MessageGroupId"] = message_group_id
            if deduplication_id is not None:
                request["MessageDeduplicationId"] = deduplication_id
        cloud.service("sqs").dispatch("SendMessage", request)
    elif service == "sns":
        request = {"TopicArn": arn, "Message": payload}
        if message_group_id is not None:
            request["MessageGroupId"] = message_group_id
        cloud.service("sns").dispatch("Publish", request)
    elif service == "states":
        cloud.service("stepfunctions").dispatch(
            "StartExecution", {"stateMachineArn": arn, "input": payload}
        )
    elif service == "events" and on_event_bus is not None:
        on_event_bus(arn, payload)
    else:
        raise SimError(f"target {arn!r} is not a target type this simulator delivers to")


class Delivery:
    """One payload to one target: first attempt now (or after ``delay_us``), retries after."""

    __slots__ = (
        "cloud", "service", "send", "arn", "payload", "max_attempts", "max_age_us", "dlq_arn",
        "dlq_attributes", "first_us", "retries", "trace", "on_success", "on_failure",
    )

    def __init__(
        self,
        cloud: "Cloud",
        service: str,
        send: Callable[[], None],
        *,
        arn: str,
        payload: str,
        retry_policy: dict[str, Any] | None = None,
        dead_letter_arn: str | None = None,
        dlq_attributes: dict[str, str] | None = None,
        trace: dict[str, Any] | None = None,
        on_success: Callable[[], None] | None = None,
        on_failure: Callable[[AWSError], None] | None = None,
    ) -> None:
        policy = retry_policy or {}
        self.cloud = cloud
        self.service = service
        self.send = send
        self.arn = arn
        self.payload = payload
        self.max_attempts = int(policy.get("MaximumRetryAttempts", DEFAULT_MAX_ATTEMPTS))
        self.max_age_us = int(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S)) * US_PER_SECOND
        self.dlq_arn = dead_letter_arn
        self.dlq_attributes = dlq_attributes or {}
        self.first_us = cloud.now_us
        self.retries = 0
        self.trace = trace or {}
        self.on_success = on_success
        self.on_failure = on_failure

    def start(self, delay_us: int = 0) -> None:
        self.first_us = self.cloud.now_us + delay_us
        self.cloud.scheduler.call_later_us(delay_us, self.attempt)

    def attempt(self) -> None:
        cloud = self.cloud
        try:
            self.send()
        except AWSError as err:
            cloud.trace.record(
                self.service, "target_failed", target=self.arn, error=err.code,
                attempt=self.retries + 1, **self.trace,
            )
            if self.on_failure is not None:
                self.on_failure(err)
            self._retry_or_give_up(err)
            return
        cloud.trace.record(
            self.service, "target_invoked", target=self.arn, attempt=self.retries + 1, **self.trace
        )
        if self.on_success is not None:
            self.on_success()

    def _retry_or_give_up(self, err: AWSError) -> None:
        cloud = self.cloud
        if self.retries >= self.max_attempts:
            return self._dead_letter(err, "MaximumRetryAttemptsExhausted")
        base = min(2 ** min(self.retries, 20), BACKOFF_CAP_S)
        delay_us = int(base * (0.5 + 0.5 * cloud.rng("events/retry").random()) * US_PER_SECOND)
        if cloud.now_us + delay_us - self.first_us > self.max_age_us:
            return self._dead_letter(err, "MaximumEventAgeExhausted")
        self.retries += 1
        cloud.scheduler.call_later_us(delay_us, self.attempt)

    def _dead_letter(self, err: AWSError, condition: str) -> None:
        cloud = self.cloud
        if self.dlq_arn is None:
            cloud.trace.record(
                self.service, "event_dropped", target=self.arn, reason=condition,
                error=err.code, **self.trace,
            )
            return
        attrs = {
            **self.dlq_attributes,
            "TARGET_ARN": self.arn,
            "ERROR_CODE": err.code,
            "ERROR_MESSAGE": err.message,
            "EXHAUSTED_RETRY_CONDITION": condition,
            "RETRY_ATTEMPTS": str(self.retries),
        }
        try:
            cloud.service("sqs").dispatch(
                "SendMessage",
                {
                    "QueueUrl": queue_url(cloud, self.dlq_arn),
                    "MessageBody": self.payload,
                    "MessageAttributes": {
                        k: {"DataType": "String", "StringValue": v} for k, v in sorted(attrs.items())
                    },
                },
            )
        except AWSError as dlq_err:
            cloud.trace.record(
                self.service, "event_dropped", target=self.arn, reason="DeadLetterFailed",
                error=dlq_err.code, **self.trace,
            )
            return
        cloud.trace.record(
            self.service, "dead_lettered", target=self.arn, queue=self.dlq_arn, reason=condition,
            **self.trace,
        )
