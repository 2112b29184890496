"""Amazon EventBridge (``cloud.client("events")``): buses, rules, targets, PutEvents, scheduled
rules, archives and replays (https://docs.aws.amazon.com/eventbridge/latest/APIReference/).

Wire operations live in one mixin per concept: :mod:`.buses`, :mod:`.rules`, :mod:`.targets`,
:mod:`.putevents`, :mod:`.rule_schedules`, :mod:`.archive`. The native API is on the service
object: ``events = cloud.service("events")``; ``events.put_event(source, detail_type, detail)``,
``events.matching_rules(event)``.

Configuration (``cloud.service("events").config``, changeable at any time): target delivery
delay, replay start delay, rules per bus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ..kernel.service import Service
from .archive import Archive, ArchiveOps, Replay
from .buses import BusOps, EventBus
from .errors import ERRORS
from .putevents import PutEventsOps
from .rule_schedules import RuleScheduleOps
from .rules import RuleOps
from .targets import TargetOps

if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class EventBridgeConfig:
    #: Virtual seconds between an event reaching a bus and its targets being invoked.
    delivery_delay: float = 0.0
    #: Virtual seconds between StartReplay and the replay running (AWS: no published figure).
    replay_start_delay: float = 1.0
    #: Rules per event bus (AWS's default quota, adjustable: 300).
    max_rules_per_bus: int = 300


class EventBridge(
    BusOps, RuleOps, TargetOps, PutEventsOps, RuleScheduleOps, ArchiveOps, Service
):
    """Amazon EventBridge of one Cloud."""

    service_name = "events"
    errors = ERRORS

    def __init__(self, cloud: "Cloud", config: EventBridgeConfig | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else EventBridgeConfig()
        self.buses: dict[str, EventBus] = {}
        self.buses["default"] = self._make_bus("default")
        self.archives: dict[str, Archive] = {}
        self.replays: dict[str, Replay] = {}
        self._rule_seq = 0

    def __repr__(self) -> str:
        rules = sum(len(b.rules) for b in self.buses.values())
        return f"<EventBridge buses={len(self.buses)} rules={rules}>"
