"""SNS topics and subscriptions (engine records)."""

from __future__ import annotations

import json
from typing import Any

import attrs


@attrs.define(eq=False)
class Subscription:
    """One subscription of a topic."""

    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    confirmed: bool
    token: str
    attributes: dict[str, str] = attrs.field(factory=dict)
    #: Parsed FilterPolicy (None: no filtering) and its scope.
    filter_policy: dict[str, Any] | None = None
    deleted: bool = False

    @property
    def raw(self) -> bool:
        return self.attributes.get("RawMessageDelivery") == "true"

    @property
    def scope(self) -> str:
        return self.attributes.get("FilterPolicyScope", "MessageAttributes")

    @property
    def dlq_arn(self) -> str | None:
        rp = self.attributes.get("RedrivePolicy")
        return json.loads(rp).get("deadLetterTargetArn") if rp else None

    @property
    def listed_arn(self) -> str:
        """What List/Subscribe show: the ARN, or ``PendingConfirmation``."""
        return self.arn if self.confirmed else "PendingConfirmation"


@attrs.define(eq=False)
class Topic:
    """One topic: attributes, subscriptions (in subscription order), FIFO state."""

    name: str
    arn: str
    fifo: bool
    attributes: dict[str, str] = attrs.field(factory=dict)
    tags: dict[str, str] = attrs.field(factory=dict)
    subscriptions: dict[str, Subscription] = attrs.field(factory=dict)
    sequence: int = 0
    dedup: dict[str, tuple[int, str, str | None]] = attrs.field(factory=dict)
    deleted_subscriptions: int = 0

    @property
    def content_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"
