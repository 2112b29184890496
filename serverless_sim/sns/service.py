"""The SNS service of one Cloud: topics, subscriptions, publishing and delivery.

Wire operations: :mod:`.topics_api`, :mod:`.subscriptions_api`, :mod:`.publish_api`; delivery
(envelopes, retries, DLQs) in :mod:`.delivery`; filter policies in :mod:`.filter_policy`.
Amazon SNS API reference: https://docs.aws.amazon.com/sns/latest/api/

Python API (beside the wire operations)::

    sns = cloud.service("sns")
    arn = sns.create_topic("orders")
    sns.subscribe(arn, "sqs", queue_arn, attributes={"RawMessageDelivery": "true"})
    sns.register_endpoint("https://example.com/hook", handler)     # handler(HttpRequest) -> status
    sns.publish(arn, "hello", attributes={"kind": "greeting"})
    sns.outbox                                                     # emails sent
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..kernel.errors import AWSError, SimError
from ..kernel.service import Service
from . import limits as L
from .delivery import DeliveryFailed, Notification, iso_ms
from .errors import ERRORS
from .publish_api import PublishOps
from .subscriptions_api import SubscriptionOps
from .topic import Subscription, Topic
from .topics_api import TopicOps

if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class SNSConfig:
    """Simulation choices. ``delivery_delay``: seconds between a publish and its deliveries
    (AWS: typically tens of milliseconds; default 0). ``auto_confirm_email``: confirm email
    subscriptions at once instead of waiting for ConfirmSubscription."""

    delivery_delay: float = 0.0
    auto_confirm_email: bool = False


@attrs.frozen
class HttpRequest:
    """What an HTTP/S endpoint receives: SNS's POST (headers as AWS sends them)."""

    method: str
    url: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class SNS(TopicOps, SubscriptionOps, PublishOps, Service):
    """Amazon SNS."""

    service_name = "sns"
    errors = ERRORS  # type: ignore[assignment]

    def __init__(self, cloud: "Cloud", config: SNSConfig | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else SNSConfig()
        #: Topics by ARN; subscriptions by ARN.
        self.topics: dict[str, Topic] = {}
        self.subscriptions: dict[str, Subscription] = {}
        #: Emails "sent" (subscription confirmations and notifications), in order.
        self.outbox: list[dict[str, Any]] = []
        self._endpoints: dict[str, tuple[Callable[[HttpRequest], Any], bool]] = {}
        self.signing_cert_url = (f"https://sns.{cloud.region}.amazonaws.com/"
                                 "SimpleNotificationService-serverless-sim.pem")

    # -- Python API -------------------------------------------------------------------------
    def register_endpoint(self, url: str, handler: Callable[[HttpRequest], Any], *,
                          auto_confirm: bool = True) -> None:
        """Make ``url`` an HTTP/S endpoint served by ``handler(request) -> status``.

        The handler returns an HTTP status (None means 200) or raises (a 500). With
        ``auto_confirm`` the endpoint confirms subscriptions itself (as visiting the
        SubscribeURL does); otherwise call ConfirmSubscription with the token it received."""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SimError(f"an endpoint URL starts with http:// or https://, got {url!r}")
        self._endpoints[url] = (handler, auto_confirm)

    def create_topic(self, name: str, attributes: dict[str, Any] | None = None) -> str:
        """CreateTopic; returns the topic ARN (attribute values may be bools/ints)."""
        req: dict[str, Any] = {"Name": name}
        if attributes:
            req["Attributes"] = {k: (str(v).lower() if isinstance(v, bool) else str(v))
                                 for k, v in attributes.items()}
        return self.dispatch("CreateTopic", req)["TopicArn"]  # type: ignore[no-any-return]

    def subscribe(self, topic_arn: str, protocol: str, endpoint: str,
                  attributes: dict[str, Any] | None = None) -> str:
        """Subscribe; returns the subscription ARN (also while pending confirmation)."""
        req: dict[str, Any] = {"TopicArn": topic_arn, "Protocol": protocol, "Endpoint": endpoint,
                               "ReturnSubscriptionArn": True}
        if attributes:
            req["Attributes"] = {k: (v if isinstance(v, str) else json.dumps(v))
                                 for k, v in attributes.items()}
        return self.dispatch("Subscribe", req)["SubscriptionArn"]  # type: ignore[no-any-return]

    def publish(self, topic_arn: str, message: str, *, subject: str | None = None,
                attributes: dict[str, Any] | None = None, group_id: str | None = None,
                dedup_id: str | None = None, structure: str | None = None) -> str:
        """Publish; returns the MessageId. Plain attribute values become String/Number/Binary
        (lists become String.Array)."""
        req: dict[str, Any] = {"TopicArn": topic_arn, "Message": message}
        if subject is not None:
            req["Subject"] = subject
        if attributes:
            req["MessageAttributes"] = to_sns_attributes(attributes)
        if group_id is not None:
            req["MessageGroupId"] = group_id
        if dedup_id is not None:
            req["MessageDeduplicationId"] = dedup_id
        if structure is not None:
            req["MessageStructure"] = structure
        return self.dispatch("Publish", req)["MessageId"]  # type: ignore[no-any-return]

    # -- helpers for envelopes -------------------------------------------------------------
    def unsubscribe_url(self, sub_arn: str) -> str:
        return (f"https://sns.{self.cloud.region}.amazonaws.com/?Action=Unsubscribe"
                f"&SubscriptionArn={sub_arn}")

    def topic_signature_version(self, topic_arn: str) -> str:
        topic = self.topics.get(topic_arn)
        return topic.attributes.get("SignatureVersion", "1") if topic else "1"

    def http_policy(self, sub: Subscription) -> dict[str, Any]:
        """The effective healthyRetryPolicy of an HTTP/S subscription (subscription, else topic
        ``http.defaultHealthyRetryPolicy``, else AWS's default)."""
        policy = dict(L.HTTP_DEFAULT_POLICY)
        topic = self.topics.get(sub.topic_arn)
        if topic is not None and topic.attributes.get("DeliveryPolicy"):
            tp = json.loads(topic.attributes["DeliveryPolicy"]).get("http", {})
            policy.update(tp.get("defaultHealthyRetryPolicy", {}))
            if tp.get("disableSubscriptionOverrides"):
                return policy
        if sub.attributes.get("DeliveryPolicy"):
            policy.update(json.loads(sub.attributes["DeliveryPolicy"]).get("healthyRetryPolicy", {}))
        return policy

    def _effective_topic_policy(self, topic: Topic) -> dict[str, Any]:
        return {"http": {"defaultHealthyRetryPolicy": dict(L.HTTP_DEFAULT_POLICY),
                         "disableSubscriptionOverrides": False}}

    # -- delivery ---------------------------------------------------------------------------
    def _call_endpoint(self, handler: Callable[[HttpRequest], Any], sub: Subscription,
                       kind: str, body: Any, note: Notification | None) -> int | None:
        headers = {
            "x-amz-sns-message-type": kind,
            "x-amz-sns-message-id": body["MessageId"] if isinstance(body, dict) else note.message_id,  # type: ignore[union-attr]
            "x-amz-sns-topic-arn": sub.topic_arn,
            "Content-Type": "text/plain; charset=UTF-8",
            "User-Agent": "Amazon Simple Notification Service Agent",
        }
        if kind == "Notification":
            headers["x-amz-sns-subscription-arn"] = sub.arn
        if not isinstance(body, dict):
            headers["x-amz-sns-rawdelivery"] = "true"
        request = HttpRequest("POST", sub.endpoint, headers,
                              json.dumps(body, indent=2) if isinstance(body, dict) else body)
        try:
            status = handler(request)
        except Exception as exc:  # the endpoint "returned 500"
            self.cloud.trace.record("sns", "endpoint_error", endpoint=sub.endpoint,
                                    error=f"{type(exc).__name__}: {exc}")
            return None
        return 200 if status is None else int(status)

    def _deliver(self, sub: Subscription, note: Notification) -> None:
        """One delivery attempt; raises :class:`DeliveryFailed`."""
        protocol = sub.protocol
        if protocol == "sqs":
            from ..sqs.errors import QueueDoesNotExist

            sqs = self.cloud.service("sqs")
            try:
                queue = sqs.queue(sub.endpoint)  # type: ignore[attr-defined]
                if sub.raw:
                    queue.send(note.text_for("sqs"), note.attributes or None,
                               group_id=note.group_id if queue.fifo else None,
                               dedup_id=note.dedup_id if queue.fifo else None)
                else:
                    queue.send(json.dumps(note.envelope(self, sub), indent=2),
                               group_id=note.group_id if queue.fifo else None,
                               dedup_id=note.dedup_id if queue.fifo else None)
            except QueueDoesNotExist as err:
                raise DeliveryFailed(f"{err.code}: {err.message}") from None
            except AWSError as err:  # the queue refused the message: a client error
                raise DeliveryFailed(f"{err.code}: {err.message}", retryable=False) from None
        elif protocol == "lambda":
            payload = json.dumps(note.lambda_event(self, sub)).encode()
            try:
                self.cloud.service("lambda").dispatch(
                    "Invoke", {"FunctionName": sub.endpoint, "InvocationType": "Event",
                               "Payload": payload})
            except AWSError as err:
                raise DeliveryFailed(f"{err.code}: {err.message}") from None
        elif protocol in ("http", "https"):
            endpoint = self._endpoints.get(sub.endpoint)
            if endpoint is None:
                raise DeliveryFailed("endpoint unreachable (no handler registered)")
            body = note.text_for(protocol) if sub.raw else note.envelope(self, sub)
            status = self._call_endpoint(endpoint[0], sub, "Notification", body, note)
            if status is None:
                raise DeliveryFailed("endpoint raised")
            if not 200 <= status < 300:
                raise DeliveryFailed(f"HTTP {status}", retryable=status == 429 or status >= 500)
        else:  # email, email-json
            body = (json.dumps(note.envelope(self, sub), indent=2) if protocol == "email-json"
                    else note.text_for(protocol))
            topic = self.topics.get(sub.topic_arn)
            self.outbox.append({"time": iso_ms(self.cloud.now_us), "to": sub.endpoint,
                                "subject": note.subject or (
                                    topic.attributes.get("DisplayName") if topic else None
                                ) or "AWS Notification Message",
                                "body": body, "message_id": note.message_id,
                                "topic_arn": note.topic_arn, "kind": "Notification"})

    def _topic_dims(self, sub: Subscription) -> dict[str, str]:
        return {"TopicName": sub.topic_arn.rsplit(":", 1)[-1]}

    def _delivered(self, sub: Subscription, note: Notification, attempts: int) -> None:
        self.cloud.metrics.put("AWS/SNS", "NumberOfNotificationsDelivered", 1, self._topic_dims(sub), "Count")
        self.cloud.trace.record("sns", "delivered", subscription=sub.arn, protocol=sub.protocol,
                                message_id=note.message_id, attempts=attempts)

    def _exhausted(self, sub: Subscription, note: Notification, reason: str) -> None:
        dims = self._topic_dims(sub)
        self.cloud.metrics.put("AWS/SNS", "NumberOfNotificationsFailed", 1, dims, "Count")
        self.cloud.trace.record("sns", "delivery_failed", subscription=sub.arn,
                                message_id=note.message_id, reason=reason)
        dlq = sub.dlq_arn
        if dlq is None:
            return
        try:
            queue = self.cloud.service("sqs").queue(dlq)  # type: ignore[attr-defined]
            body = note.text_for(sub.protocol) if sub.raw else json.dumps(note.envelope(self, sub), indent=2)
            queue.send(body, note.attributes or None,
                       group_id=note.group_id if queue.fifo else None,
                       dedup_id=note.dedup_id if queue.fifo else None)
        except AWSError:
            self.cloud.metrics.put("AWS/SNS", "NumberOfNotificationsFailedToRedriveToDlq", 1, dims, "Count")
            return
        self.cloud.metrics.put("AWS/SNS", "NumberOfNotificationsRedrivenToDlq", 1, dims, "Count")
        self.cloud.trace.record("sns", "redriven_to_dlq", subscription=sub.arn,
                                message_id=note.message_id, dlq=dlq)

    def __repr__(self) -> str:
        return f"<SNS {len(self.topics)} topics, {len(self.subscriptions)} subscriptions>"


def to_sns_attributes(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Plain Python values to SNS MessageAttributes (dicts already shaped pass through)."""
    out: dict[str, dict[str, Any]] = {}
    for name, v in values.items():
        if isinstance(v, dict):
            out[name] = v
        elif isinstance(v, bool):
            out[name] = {"DataType": "String", "StringValue": "true" if v else "false"}
        elif isinstance(v, (int, float)):
            out[name] = {"DataType": "Number", "StringValue": str(v)}
        elif isinstance(v, (bytes, bytearray)):
            out[name] = {"DataType": "Binary", "BinaryValue": bytes(v)}
        elif isinstance(v, (list, tuple)):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(list(v))}
        else:
            out[name] = {"DataType": "String", "StringValue": str(v)}
    return out
