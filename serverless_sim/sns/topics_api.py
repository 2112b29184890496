"""SNS topic operations: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes, tags.

Rules (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html): names of up to 256
``[A-Za-z0-9_-]``; FIFO topics end in ``.fifo`` and set ``FifoTopic``; CreateTopic is
idempotent for the same name and attributes; DeleteTopic of a missing topic succeeds. Topics
list in name order, 100 per page.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import NotFoundException, ResourceNotFoundException, invalid
from .topic import Topic

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .topic import Subscription

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
TOPIC_SETTABLE = ("DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig",
                  "SignatureVersion", "ContentBasedDeduplication", "ArchivePolicy",
                  "DataProtectionPolicy", "FifoThroughputScope")
PAGE = 100


def page_token(items: list[str], token: Any) -> tuple[list[str], str | None]:
    start = 0
    if token is not None:
        if not isinstance(token, str) or not token.isdigit():
            raise invalid("NextToken")
        start = int(token)
    chunk = items[start:start + PAGE]
    return chunk, (str(start + PAGE) if start + PAGE < len(items) else None)


def _check_topic_attribute(name: str, value: Any, fifo: bool) -> str:
    if name not in TOPIC_SETTABLE or (name in ("ContentBasedDeduplication", "ArchivePolicy",
                                               "FifoThroughputScope") and not fifo):
        raise invalid("AttributeName")
    if not isinstance(value, str):
        raise invalid(f"Attributes Reason: {name} must be a string")
    if name == "ContentBasedDeduplication":
        if value.lower() not in ("true", "false"):
            raise invalid(f"Attributes Reason: ContentBasedDeduplication: Invalid value [{value}]. Must be true or false.")
        return value.lower()
    if name == "SignatureVersion" and value not in ("1", "2"):
        raise invalid("Attributes Reason: SignatureVersion: Invalid value. Valid values: 1, 2")
    if name in ("Policy", "DeliveryPolicy", "ArchivePolicy", "DataProtectionPolicy") and value:
        try:
            json.loads(value)
        except ValueError:
            raise invalid(f"Attributes Reason: {name}: failed to parse JSON") from None
    return value


class TopicOps:
    """Mixin of :class:`~.service.SNS`."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        subscriptions: dict[str, Subscription]
        topics: dict[str, Topic]
        def _effective_topic_policy(self, topic: Topic) -> dict[str, Any]: ...

    def get_topic(self, arn: Any) -> Topic:
        topic = self.topics.get(arn) if isinstance(arn, str) else None
        if topic is None:
            if not isinstance(arn, str) or not arn.startswith("arn:aws:sns:"):
                raise invalid("TopicArn")
            raise NotFoundException("Topic does not exist")
        return topic

    @operation("CreateTopic")
    def _create_topic(self, req: dict[str, Any]) -> dict[str, Any]:
        name = req.get("Name")
        attrs_in = dict(req.get("Attributes") or {})
        fifo = str(attrs_in.pop("FifoTopic", "false")).lower() == "true"
        if not isinstance(name, str) or not (_FIFO_NAME if fifo else _NAME).match(name):
            if fifo or (isinstance(name, str) and name.endswith(".fifo")):
                raise invalid(
                    "Fifo Topic names must end with .fifo and must be made up of only uppercase "
                    "and lowercase ASCII letters, numbers, underscores, and hyphens, and must be "
                    "between 1 and 256 characters long."
                )
            raise invalid("Topic Name")
        values = {k: _check_topic_attribute(k, v, fifo) for k, v in attrs_in.items()}
        arn = self.cloud.arn("sns", name)
        existing = self.topics.get(arn)
        if existing is not None:
            for k, v in values.items():
                if existing.attributes.get(k) != v:
                    raise invalid("Attributes Reason: Topic already exists with different attributes")
            return {"TopicArn": arn}
        topic = Topic(name, arn, fifo, values, {t["Key"]: t["Value"] for t in req.get("Tags") or []})
        if fifo:
            topic.attributes.setdefault("ContentBasedDeduplication", "false")
        self.topics[arn] = topic
        self.cloud.trace.record("sns", "topic_created", topic=name, fifo=fifo)
        return {"TopicArn": arn}

    @operation("DeleteTopic")
    def _delete_topic(self, req: dict[str, Any]) -> dict[str, Any]:
        arn = req.get("TopicArn")
        topic = self.topics.pop(arn, None) if isinstance(arn, str) else None
        if topic is None:
            if not isinstance(arn, str) or not arn.startswith("arn:aws:sns:"):
                raise invalid("TopicArn")
            return {}
        for sub in topic.subscriptions.values():
            sub.deleted = True
            self.subscriptions.pop(sub.arn, None)
        self.cloud.trace.record("sns", "topic_deleted", topic=topic.name)
        return {}

    @operation("ListTopics")
    def _list_topics(self, req: dict[str, Any]) -> dict[str, Any]:
        arns = sorted(self.topics)
        chunk, token = page_token(arns, req.get("NextToken"))
        out: dict[str, Any] = {"Topics": [{"TopicArn": a} for a in chunk]}
        if token:
            out["NextToken"] = token
        return out

    @operation("GetTopicAttributes")
    def _get_topic_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        subs = list(topic.subscriptions.values())
        out = {
            "Policy": topic.attributes.get("Policy") or self._default_policy(topic),
            "Owner": self.cloud.account_id,
            "SubscriptionsPending": str(sum(1 for s in subs if not s.confirmed)),
            "TopicArn": topic.arn,
            "EffectiveDeliveryPolicy": json.dumps(self._effective_topic_policy(topic),
                                                  separators=(",", ":")),
            "SubscriptionsConfirmed": str(sum(1 for s in subs if s.confirmed)),
            "DisplayName": topic.attributes.get("DisplayName", ""),
            "SubscriptionsDeleted": str(topic.deleted_subscriptions),
        }
        for k, v in topic.attributes.items():
            if k not in out:
                out[k] = v
        if topic.fifo:
            out["FifoTopic"] = "true"
        return {"Attributes": out}

    @operation("SetTopicAttributes")
    def _set_topic_attributes(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.get_topic(req.get("TopicArn"))
        name = req.get("AttributeName")
        value = _check_topic_attribute(name, req.get("AttributeValue", ""), topic.fifo)  # type: ignore[arg-type]
        if value == "":
            topic.attributes.pop(name, None)  # type: ignore[arg-type]
        else:
            topic.attributes[name] = value  # type: ignore[index]
        return {}

    @operation("TagResource")
    def _tag_resource(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.get(req.get("ResourceArn"))  # type: ignore[arg-type]
        if topic is None:
            raise ResourceNotFoundException("Resource does not exist")
        for t in req.get("Tags") or []:
            topic.tags[t["Key"]] = t["Value"]
        return {}

    @operation("UntagResource")
    def _untag_resource(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.get(req.get("ResourceArn"))  # type: ignore[arg-type]
        if topic is None:
            raise ResourceNotFoundException("Resource does not exist")
        for k in req.get("TagKeys") or []:
            topic.tags.pop(k, None)
        return {}

    @operation("ListTagsForResource")
    def _list_tags_for_resource(self, req: dict[str, Any]) -> dict[str, Any]:
        topic = self.topics.get(req.get("ResourceArn"))  # type: ignore[arg-type]
        if topic is None:
            raise ResourceNotFoundException("Resource does not exist")
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(topic.tags.items())]}

    def _default_policy(self, topic: Topic) -> str:
        account = self.cloud.account_id
        return json.dumps({
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [{
                "Sid": "__default_statement_ID",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                           "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic",
                           "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                "Resource": topic.arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
            }],
        }, separators=(",", ":"))
