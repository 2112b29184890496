"""Delivery of notifications to subscriptions: envelopes, retries on the clock, DLQs.

Envelopes (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html): SQS and
HTTP/S endpoints get the JSON notification (Type, MessageId, [SequenceNumber], TopicArn,
[Subject], Message, Timestamp with milliseconds and Z, SignatureVersion, Signature,
SigningCertURL, UnsubscribeURL, [MessageAttributes as {Type, Value}]) unless RawMessageDelivery
is on; Lambda gets ``{"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
"EventSubscriptionArn", "Sns": {...}}]}`` (https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html).
The signature is a deterministic placeholder (base64 of a SHA-256 over the message's fields):
nothing here holds AWS's private key.

Retries (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html): Lambda
and SQS use the AWS-managed policy (3 immediate retries, 2 one second apart, 10 with exponential
backoff from 1 to 20 s, then 100,000 twenty seconds apart); HTTP/S uses its healthyRetryPolicy
(default: 3 retries 20 s apart), applied in phases: immediate, pre-backoff at minDelayTarget,
backoff from minDelayTarget to maxDelayTarget, post-backoff at maxDelayTarget. AWS publishes
the backoff curves but not formulas; here, for retry j of k: linear ``min + (max-min)*j/k``,
arithmetic ``min + (max-min)*j(j+1)/(k(k+1))``, geometric ``min*(max/min)**(j/k)``, exponential
``min + (max-min)*(2**j-1)/(2**k-1)``. No jitter (AWS adds some; this run must be reproducible).
An HTTP endpoint fails a delivery by raising or returning a status outside 200-499, except 429
which is retried too; other 4xx statuses fail at once without retry. When retries are exhausted
the message goes to the subscription's dead-letter queue (RedrivePolicy), else it is dropped.
Emails are appended to ``sns.outbox``; they do not fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..kernel.clock import US_PER_SECOND, us_to_datetime
from ..kernel.errors import AWSError
from . import limits as L

if TYPE_CHECKING:
    from .service import SNS
    from .topic import Subscription

US = US_PER_SECOND


def iso_ms(us: int) -> str:
    """``2026-01-01T00:00:00.000Z`` (SNS's Timestamp format)."""
    return us_to_datetime(us).strftime("%Y-%m-%dT%H:%M:%S.") + f"{(us // 1000) % 1000:03d}Z"


def _backoff(fn: str, j: int, k: int, lo: float, hi: float) -> float:
    if k <= 0 or hi == lo:
        return hi
    if fn == "arithmetic":
        return lo + (hi - lo) * j * (j + 1) / (k * (k + 1))
    if fn == "geometric":
        return lo * (hi / lo) ** (j / k) if lo > 0 else hi * j / k
    if fn == "exponential":
        return lo + (hi - lo) * (2 ** j - 1) / (2 ** k - 1)
    return lo + (hi - lo) * j / k


def retry_delay_s(policy: dict[str, Any], retry: int) -> float | None:
    """Delay before retry number ``retry`` (1-based) under an HTTP healthyRetryPolicy, or None
    when the policy allows no more retries."""
    total = int(policy.get("numRetries", 3))
    if retry > total:
        return None
    lo = float(policy.get("minDelayTarget", 20))
    hi = float(policy.get("maxDelayTarget", 20))
    n0 = int(policy.get("numNoDelayRetries", 0))
    n1 = int(policy.get("numMinDelayRetries", 0))
    n3 = int(policy.get("numMaxDelayRetries", 0))
    k = max(0, total - n0 - n1 - n3)
    if retry <= n0:
        return 0.0
    if retry <= n0 + n1:
        return lo
    if retry <= n0 + n1 + k:
        return _backoff(policy.get("backoffFunction", "linear"), retry - n0 - n1, k, lo, hi)
    return hi


def managed_retry_delay_s(retry: int) -> float | None:
    """The AWS-managed policy of Lambda and SQS endpoints (see the module docstring)."""
    if retry <= L.MANAGED_IMMEDIATE:
        return 0.0
    retry -= L.MANAGED_IMMEDIATE
    n, d = L.MANAGED_PRE_BACKOFF
    if retry <= n:
        return float(d)
    retry -= n
    k, lo, hi = L.MANAGED_BACKOFF
    if retry <= k:
        return _backoff("exponential", retry, k, lo, hi)
    retry -= k
    n, d = L.MANAGED_POST_BACKOFF
    return float(d) if retry <= n else None


class Notification:
    """One published message, as delivered (shared by its subscriptions' deliveries)."""

    __slots__ = ("message_id", "topic_arn", "subject", "message", "structured", "attributes",
                 "timestamp_us", "sequence_number", "group_id", "dedup_id")

    def __init__(self, message_id: str, topic_arn: str, subject: str | None, message: str,
                 structured: dict[str, str] | None, attributes: dict[str, Any], timestamp_us: int,
                 sequence_number: str | None, group_id: str | None, dedup_id: str | None) -> None:
        self.message_id = message_id
        self.topic_arn = topic_arn
        self.subject = subject
        self.message = message
        self.structured = structured
        self.attributes = attributes
        self.timestamp_us = timestamp_us
        self.sequence_number = sequence_number
        self.group_id = group_id
        self.dedup_id = dedup_id

    def text_for(self, protocol: str) -> str:
        """The message for one protocol (MessageStructure json picks the protocol's key)."""
        if self.structured is None:
            return self.message
        return self.structured.get(protocol, self.structured["default"])

    def signature(self, sns: "SNS") -> str:
        digest = hashlib.sha256(
            f"{sns.cloud.seed}|{self.message_id}|{self.topic_arn}|{self.timestamp_us}".encode()
        ).digest()
        return base64.b64encode(digest * 8).decode()

    def wire_attributes(self) -> dict[str, dict[str, str]]:
        out = {}
        for name in sorted(self.attributes):
            a = self.attributes[name]
            if a["DataType"].startswith("Binary"):
                value = base64.b64encode(bytes(a["BinaryValue"])).decode()
                out[name] = {"Type": "Binary", "Value": value}
            else:
                out[name] = {"Type": a["DataType"], "Value": a["StringValue"]}
        return out

    def envelope(self, sns: "SNS", sub: "Subscription") -> dict[str, Any]:
        env: dict[str, Any] = {"Type": "Notification", "MessageId": self.message_id}
        if self.sequence_number is not None:
            env["SequenceNumber"] = self.sequence_number
        env["TopicArn"] = self.topic_arn
        if self.subject is not None:
            env["Subject"] = self.subject
        env["Message"] = self.text_for(sub.protocol)
        env["Timestamp"] = iso_ms(self.timestamp_us)
        env["SignatureVersion"] = sns.topic_signature_version(self.topic_arn)
        env["Signature"] = self.signature(sns)
        env["SigningCertURL"] = sns.signing_cert_url
        env["UnsubscribeURL"] = sns.unsubscribe_url(sub.arn)
        if self.attributes:
            env["MessageAttributes"] = self.wire_attributes()
        return env

    def lambda_event(self, sns: "SNS", sub: "Subscription") -> dict[str, Any]:
        body = {
            "Type": "Notification",
            "MessageId": self.message_id,
            "TopicArn": self.topic_arn,
            "Subject": self.subject,
            "Message": self.text_for("lambda"),
            "Timestamp": iso_ms(self.timestamp_us),
            "SignatureVersion": sns.topic_signature_version(self.topic_arn),
            "Signature": self.signature(sns),
            "SigningCertUrl": sns.signing_cert_url,
            "UnsubscribeUrl": sns.unsubscribe_url(sub.arn),
            "MessageAttributes": self.wire_attributes(),
        }
        if self.sequence_number is not None:
            body["SequenceNumber"] = self.sequence_number
            body["MessageGroupId"] = self.group_id
        return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                             "EventSubscriptionArn": sub.arn, "Sns": body}]}


class DeliveryFailed(Exception):
    """An attempt failed; ``retryable`` says whether the policy may try again."""

    def __init__(self, reason: str, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Delivery:
    """One notification on its way to one subscription, with its retries on the clock."""

    __slots__ = ("sns", "sub", "note", "attempts")

    def __init__(self, sns: "SNS", sub: "Subscription", note: Notification) -> None:
        self.sns = sns
        self.sub = sub
        self.note = note
        self.attempts = 0

    def attempt(self) -> None:
        sns = self.sns
        sub = self.sub
        if sub.deleted:
            return
        self.attempts += 1
        try:
            sns._deliver(sub, self.note)
        except DeliveryFailed as failure:
            self._failed(failure)
            return
        sns._delivered(sub, self.note, self.attempts)

    def _failed(self, failure: DeliveryFailed) -> None:
        sns = self.sns
        sub = self.sub
        retry = self.attempts  # the retry that would come next is number `attempts`
        delay: float | None = None
        if failure.retryable:
            if sub.protocol in ("http", "https"):
                delay = retry_delay_s(sns.http_policy(sub), retry)
            elif sub.protocol in ("sqs", "lambda"):
                delay = managed_retry_delay_s(retry)
        sns.cloud.trace.record("sns", "delivery_attempt_failed", subscription=sub.arn,
                               message_id=self.note.message_id, attempt=self.attempts,
                               reason=failure.reason, retry_in_s=delay)
        if delay is None:
            sns._exhausted(sub, self.note, failure.reason)
            return
        sns.cloud.scheduler.call_later_us(round(delay * US), self.attempt)


def sqs_failure(err: AWSError) -> DeliveryFailed:
    return DeliveryFailed(f"{err.code}: {err.message}")
