"""SNS subscription operations: Subscribe, ConfirmSubscription, Unsubscribe,
ListSubscriptions(ByTopic), Get/SetSubscriptionAttributes.

Protocols simulated: ``sqs`` (a queue of this Cloud's SQS), ``lambda`` (invoked through the
Lambda service's ``Invoke`` with ``InvocationType=Event``), ``http``/``https`` (Python callables
registered with ``sns.register_endpoint(url, handler)``), ``email``/``email-json`` (recorded in
``sns.outbox``). SQS and Lambda subscriptions are confirmed at once; HTTP/S and email ones wait
for ConfirmSubscription with the token sent to the endpoint (an endpoint registered with
``auto_confirm=True`` confirms by itself, as a real endpoint visiting the SubscribeURL would;
emails auto-confirm with ``SNSConfig(auto_confirm_email=True)``).
Subscribing the same endpoint twice returns the existing subscription. FIFO topics deliver only
to SQS queues; standard topics cannot deliver to FIFO queues
(https://docs.aws.amazon.com/sns/latest/dg/fifo-sns-sqs.html).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from ..kernel.service import operation
from . import filter_policy as FP
from . import limits as L
from .delivery import iso_ms, retry_delay_s
from .errors import FilterPolicyLimitExceededException, NotFoundException, invalid
from .topic import Subscription
from .topics_api import page_token

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .delivery import Notification
    from .service import HttpRequest, SNSConfig
    from .topic import Topic

PROTOCOLS = ("sqs", "lambda", "http", "https", "email", "email-json")
SUB_SETTABLE = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                "RedrivePolicy", "SubscriptionRoleArn")


def check_delivery_policy(value: str) -> None:
    """A subscription DeliveryPolicy: healthyRetryPolicy numbers, total retry time <= 3,600 s."""
    try:
        policy = json.loads(value)
    except ValueError:
        raise invalid("DeliveryPolicy: failed to parse JSON") from None
    hrp = policy.get("healthyRetryPolicy") if isinstance(policy, dict) else None
    if hrp is None:
        return
    merged = {**L.HTTP_DEFAULT_POLICY, **hrp}
    for k in ("minDelayTarget", "maxDelayTarget", "numRetries", "numMaxDelayRetries",
              "numNoDelayRetries", "numMinDelayRetries"):
        if type(merged[k]) is not int or merged[k] < 0:
            raise invalid(f"DeliveryPolicy: {k} must be a non-negative integer")
    if merged["numRetries"] > L.HTTP_MAX_RETRIES:
        raise invalid(f"DeliveryPolicy: numRetries must be <= {L.HTTP_MAX_RETRIES}")
    if not 1 <= merged["minDelayTarget"] <= merged["maxDelayTarget"] <= L.HTTP_MAX_RETRY_TIME_S:
        raise invalid("DeliveryPolicy: minDelayTarget must be >= 1 and <= maxDelayTarget")
    if merged["backoffFunction"] not in ("linear", "arithmetic", "geometric", "exponential"):
        raise invalid("DeliveryPolicy: backoffFunction must be linear, arithmetic, geometric or exponential")
    if merged["numNoDelayRetries"] + merged["numMinDelayRetries"] + merged["numMaxDelayRetries"] > merged["numRetries"]:
        raise invalid("DeliveryPolicy: numRetries is less than the sum of its phases")
    total = sum(retry_delay_s(merged, r) or 0.0 for r in range(1, merged["numRetries"] + 1))
    if total > L.HTTP_MAX_RETRY_TIME_S:
        raise invalid(f"DeliveryPolicy: total retry time exceeds {L.HTTP_MAX_RETRY_TIME_S} seconds")


class SubscriptionOps:
    """Mixin of :class:`~.service.SNS`."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _endpoints: dict[str, tuple[Callable[[HttpRequest], Any], bool]]
        cloud: Cloud
        config: SNSConfig
        outbox: list[dict[str, Any]]
        signing_cert_url: str
        subscriptions: dict[str, Subscription]
        topics: dict[str, Topic]
        def _call_endpoint(self, handler: Callable[[HttpRequest], Any], sub: Subscription,
                           kind: str, body: Any, note: Notification | None) -> int | None: ...
        def get_topic(self, arn: Any) -> Topic: ...
        def http_policy(self, sub: Subscription) -> dict[str, Any]: ...

    def get_subscription(self, arn: Any) -> Subscription:
        sub = self.subscriptions.get(arn) if isinstance(arn, str) else None
        if sub is None:
            if not isinstance(arn, str) or not arn.startswith("arn:aws:sns:"):
                raise invalid("SubscriptionArn")
            raise NotFoundException("Subscription does not exist")
        return sub

    def _check_sub_attribute(self, sub_protocol: str, topic_arn: str, name: str, value: Any,
                             current: dict[str, str]) -> str:
        if name not in SUB_SETTABLE:
            raise invalid("AttributeName")
        if not isinstance(value, str):
            raise invalid(f"Attributes Reason: {name} must be a string")
        if name == "RawMessageDelivery":
            if value.lower() not in ("true", "false"):
                raise invalid(f"Attributes Reason: RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
            if sub_protocol not in ("sqs", "http", "https"):
                raise invalid(f"Attributes Reason: Delivery protocol [{sub_protocol}] does not support raw message delivery.")
            return value.lower()
        if name == "FilterPolicyScope":
            if value not in ("MessageAttributes", "MessageBody"):
                raise invalid("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                              "]. Please use either MessageBody or MessageAttributes")
            if current.get("FilterPolicy"):
                FP.parse(current["FilterPolicy"], value)
            return value
        if name == "FilterPolicy":
            if value:
                FP.parse(value, current.get("FilterPolicyScope", "MessageAttributes"))
            return value
        if name == "RedrivePolicy":
            if value:
                try:
                    policy = json.loads(value)
                except ValueError:
                    raise invalid("RedrivePolicy: failed to parse JSON") from None
                target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
                if not isinstance(target, str) or not target.startswith("arn:aws:sqs:"):
                    raise invalid("RedrivePolicy: deadLetterTargetArn is invalid")
                topic = self.topics.get(topic_arn)
                if topic is not None and topic.fifo != target.endswith(".fifo"):
                    raise invalid("RedrivePolicy: must use a queue of the topic's type (FIFO or standard)")
            return value
        if name == "DeliveryPolicy":
            if sub_protocol not in ("http", "https"):
                raise invalid(f"DeliveryPolicy: only HTTP/S subscriptions take a delivery policy")
            if value:
                check_delivery_policy(value)
            return value
        return value

    @operation("Subscribe")
    def _subscribe(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        protocol = req.get("Protocol")
        endpoint = req.get("Endpoint")
        if protocol not in PROTOCOLS:
            raise invalid("Amazon SNS does not support this protocol string: " + str(protocol))
        if not isinstance(endpoint, str) or not endpoint:
            raise invalid("Endpoint")
        if protocol == "sqs":
            if not endpoint.startswith("arn:aws:sqs:"):
                raise invalid("SQS endpoint ARN")
            if endpoint.endswith(".fifo") and not topic.fifo:
                raise invalid("Endpoint Reason: FIFO SQS Queues can not be "
                              "subscribed to standard SNS topics")
        elif topic.fifo:
            raise invalid(f"Invalid protocol type: {protocol}")
        elif protocol == "lambda" and not endpoint.startswith("arn:aws:lambda:"):
            raise invalid("Lambda endpoint ARN")
        elif protocol in ("http", "https") and not endpoint.startswith(protocol + "://"):
            raise invalid("Endpoint must match the specified protocol")
        elif protocol in ("email", "email-json") and "@" not in endpoint:
            raise invalid("Email address")
        attrs_in = req.get("Attributes") or {}
        values: dict[str, str] = {}
        for name in sorted(attrs_in, key=lambda n: n != "FilterPolicyScope"):
            values[name] = self._check_sub_attribute(protocol, topic.arn, name, attrs_in[name], values)
        for sub in topic.subscriptions.values():
            if sub.protocol == protocol and sub.endpoint == endpoint:
                for k, v in values.items():
                    if sub.attributes.get(k) != v:
                        raise invalid("Attributes Reason: Subscription already exists with different attributes")
                return {"SubscriptionArn": sub.arn if sub.confirmed or req.get("ReturnSubscriptionArn")
                        else "pending confirmation"}
        if values.get("FilterPolicy") and self._filter_policies(topic) >= L.FILTER_POLICIES_PER_TOPIC:
            raise FilterPolicyLimitExceededException()
        arn = f"{topic.arn}:{self.cloud.streams.uuid('sns/subscriptions')}"
        confirmed = protocol in ("sqs", "lambda")
        sub = Subscription(arn, topic.arn, protocol, endpoint, self.cloud.account_id, confirmed,
                           self.cloud.streams.hex_id("sns/tokens", 64), values)
        if values.get("FilterPolicy"):
            sub.filter_policy = FP.parse(values["FilterPolicy"], sub.scope)
        topic.subscriptions[arn] = sub
        self.subscriptions[arn] = sub
        self.cloud.trace.record("sns", "subscribed", topic=topic.name, protocol=protocol,
                                endpoint=endpoint, confirmed=confirmed)
        if not confirmed:
            self._request_confirmation(sub)
        return {"SubscriptionArn": arn if confirmed or req.get("ReturnSubscriptionArn")
                else "pending confirmation"}

    def _filter_policies(self, topic: Any) -> int:
        return sum(1 for s in topic.subscriptions.values() if s.filter_policy is not None)

    def _request_confirmation(self, sub: Subscription) -> None:
        """Send the SubscriptionConfirmation (HTTP/S) or confirmation email."""
        topic_arn = sub.topic_arn
        subscribe_url = (f"https://sns.{self.cloud.region}.amazonaws.com/?Action=ConfirmSubscription"
                         f"&TopicArn={topic_arn}&Token={sub.token}")
        text = (f"You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the "
                "subscription, visit the SubscribeURL included in this message.")
        if sub.protocol in ("email", "email-json"):
            self.outbox.append({"time": iso_ms(self.cloud.now_us), "to": sub.endpoint,
                                "subject": "AWS Notification - Subscription Confirmation",
                                "body": text, "token": sub.token, "topic_arn": topic_arn,
                                "kind": "SubscriptionConfirmation"})
            if self.config.auto_confirm_email:
                self._confirm(sub)
            return
        body = {
            "Type": "SubscriptionConfirmation",
            "MessageId": self.cloud.streams.uuid("sns/message-ids"),
            "Token": sub.token,
            "TopicArn": topic_arn,
            "Message": text,
            "SubscribeURL": subscribe_url,
            "Timestamp": iso_ms(self.cloud.now_us),
            "SignatureVersion": "1",
            "Signature": "EXAMPLE" + sub.token[:32],
            "SigningCertURL": self.signing_cert_url,
        }
        self.cloud.scheduler.call_later_us(0, self._send_confirmation, sub, body)

    def _send_confirmation(self, sub: Subscription, body: dict[str, Any]) -> None:
        if sub.deleted or sub.confirmed:
            return
        endpoint = self._endpoints.get(sub.endpoint)
        if endpoint is None:
            self.cloud.trace.record("sns", "confirmation_undeliverable", subscription=sub.arn)
            return
        handler, auto = endpoint
        status = self._call_endpoint(handler, sub, "SubscriptionConfirmation", body, None)
        if auto and status is not None and 200 <= status < 300:
            self._confirm(sub)

    def _confirm(self, sub: Subscription) -> None:
        if not sub.confirmed:
            sub.confirmed = True
            self.cloud.trace.record("sns", "subscription_confirmed", subscription=sub.arn)

    @operation("ConfirmSubscription")
    def _confirm_subscription(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        token = req.get("Token")
        for sub in topic.subscriptions.values():
            if sub.token == token:
                self._confirm(sub)
                return {"SubscriptionArn": sub.arn}
        raise invalid("Token")

    @operation("Unsubscribe")
    def _unsubscribe(self, req: dict[str, Any]) -> dict[str, Any]:
        sub = self.get_subscription(req.get("SubscriptionArn"))
        sub.deleted = True
        del self.subscriptions[sub.arn]
        topic = self.topics.get(sub.topic_arn)
        if topic is not None:
            del topic.subscriptions[sub.arn]
            topic.deleted_subscriptions += 1
        self.cloud.trace.record("sns", "unsubscribed", subscription=sub.arn)
        return {}

    def _listed(self, subs: list[Subscription], token: Any) -> dict[str, Any]:
        by_arn = {s.arn: s for s in subs}
        chunk, nxt = page_token(list(by_arn), token)
        out: dict[str, Any] = {"Subscriptions": [
            {"SubscriptionArn": by_arn[a].listed_arn, "Owner": by_arn[a].owner,
             "Protocol": by_arn[a].protocol, "Endpoint": by_arn[a].endpoint,
             "TopicArn": by_arn[a].topic_arn} for a in chunk]}
        if nxt:
            out["NextToken"] = nxt
        return out

    @operation("ListSubscriptions")
    def _list_subscriptions(self, req: dict[str, Any]) -> dict[str, Any]:
        subs = [s for t in sorted(self.topics) for s in self.topics[t].subscriptions.values()]
        return self._listed(subs, req.get("NextToken"))

    @operation("ListSubscriptionsByTopic")
    def _list_subscriptions_by_topic(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        return self._listed(list(topic.subscriptions.values()), req.get("NextToken"))

    @operation("GetSubscriptionAttributes")
    def _get_subscription_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        sub = self.get_subscription(req.get("SubscriptionArn"))
        out = {
            "SubscriptionArn": sub.arn,
            "TopicArn": sub.topic_arn,
            "Owner": sub.owner,
            "Protocol": sub.protocol,
            "Endpoint": sub.endpoint,
            "ConfirmationWasAuthenticated": "true" if sub.protocol in ("sqs", "lambda") else "false",
            "PendingConfirmation": "false" if sub.confirmed else "true",
            "RawMessageDelivery": "false",
        }
        out.update(sub.attributes)
        if sub.attributes.get("FilterPolicy"):
            out.setdefault("FilterPolicyScope", "MessageAttributes")
        if sub.protocol in ("http", "https"):
            out["EffectiveDeliveryPolicy"] = json.dumps(
                {"healthyRetryPolicy": self.http_policy(sub)}, separators=(",", ":"))
        return {"Attributes": out}

    @operation("SetSubscriptionAttributes")
    def _set_subscription_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        sub = self.get_subscription(req.get("SubscriptionArn"))
        name = req.get("AttributeName")
        value = self._check_sub_attribute(sub.protocol, sub.topic_arn, name,  # type: ignore[arg-type]
                                          req.get("AttributeValue", ""), sub.attributes)
        if name == "FilterPolicy" and value and sub.filter_policy is None:
            topic = self.topics.get(sub.topic_arn)
            if topic is not None and self._filter_policies(topic) >= L.FILTER_POLICIES_PER_TOPIC:
                raise FilterPolicyLimitExceededException()
        if value == "":
            sub.attributes.pop(name, None)  # type: ignore[arg-type]
        else:
            sub.attributes[name] = value  # type: ignore[index]
        policy = sub.attributes.get("FilterPolicy")
        sub.filter_policy = FP.parse(policy, sub.scope) if policy else None
        return {}
