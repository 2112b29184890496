"""Scheduled rules: ``rate(...)`` and ``cron(...)`` rules firing on the virtual clock.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):
cron in UTC with minute resolution; a rate rule's schedule "starts when you create the rule", so
we fire first one period after PutRule (or EnableRule), then every period. Each firing sends
the event ``{"detail-type": "Scheduled Event", "source": "aws.events", "resources": [rule ARN],
"detail": {}}`` to the rule's targets. AWS fires "within that minute, but not on the precise
0th second"; we fire at the 0th second, deterministically.

Firings are daemon events (``run_until_idle`` is not kept busy by a schedule); what a firing
starts (the target invocations) is ordinary work. A disabled or deleted rule stops firing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .common import event_time
from .cron import Cron, Rate, next_cron_us
from .rules import Rule

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buses import EventBus


class RuleScheduleOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        buses: dict[str, EventBus]
        cloud: Cloud
        def _deliver_to_targets(self, rule: Rule, event: dict[str, Any], event_json: str
        ) -> None: ...

    def _schedule_rule(self, rule: Rule) -> None:
        if rule.schedule is None or not rule.enabled or rule.timer is not None:
            return
        now = self.cloud.now_us
        if isinstance(rule.schedule, Rate):
            when: int | None = now + rule.schedule.period_us
        else:
            assert isinstance(rule.schedule, Cron)
            when = next_cron_us(rule.schedule, now)
        if when is not None:
            rule.timer = self.cloud.scheduler.call_at_us(when, self._fire_rule, rule, daemon=True)

    def _unschedule_rule(self, rule: Rule) -> None:
        if rule.timer is not None:
            self.cloud.cancel(rule.timer)
            rule.timer = None

    def _fire_rule(self, rule: Rule) -> None:
        rule.timer = None
        bus = self.buses.get(rule.bus_name)
        if bus is None or bus.rules.get(rule.name) is not rule or not rule.enabled:
            return
        cloud = self.cloud
        event = {
            "version": "0",
            "id": cloud.streams.uuid("events/ids"),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": cloud.account_id,
            "time": event_time(cloud.now_us),
            "region": cloud.region,
            "resources": [rule.arn],
            "detail": {},
        }
        cloud.trace.record("events", "rule_scheduled_fire", rule=rule.name, event_id=event["id"])
        cloud.metrics.put("AWS/Events", "TriggeredRules", 1, {"RuleName": rule.name}, "Count")
        if rule.targets:
            self._deliver_to_targets(rule, event, json.dumps(event, separators=(",", ":")))
        if isinstance(rule.schedule, Rate):
            rule.timer = cloud.scheduler.call_later_us(
                rule.schedule.period_us, self._fire_rule, rule, daemon=True
            )
        else:
            self._schedule_rule(rule)
