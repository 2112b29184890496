"""Rules: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule,
ListRuleNamesByTarget.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html):

- a rule has an ``EventPattern`` or a ``ScheduleExpression`` (or both); scheduled rules live on
  the default bus only; PutRule on an existing name replaces its definition and keeps its
  targets; ``State`` defaults to ``ENABLED``;
- names are 1-64 of ``[\\.\\-_A-Za-z0-9]``; 300 rules per bus (the default, adjustable quota,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html; ``config.max_rules_per_bus``);
- DeleteRule refuses a rule that still has targets (``ValidationException: Rule can't be deleted
  since it has targets.``); deleting a rule that does not exist succeeds;
- patterns are compiled once (:mod:`.patterns`) and indexed per bus (:mod:`.rule_index`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.scheduler import Handle
from ..kernel.service import operation
from .common import RULE_NAME, check_name, paginate
from .cron import At, Cron, Rate, ScheduleExpressionError, parse_expression
from .errors import LimitExceededException, ResourceNotFoundException, ValidationException
from .patterns import EventPattern

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buses import EventBus
    from .service import EventBridgeConfig

STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


@attrs.define(eq=False)
class Rule:
    name: str
    bus_name: str
    arn: str
    seq: int
    event_pattern: EventPattern | None = None
    schedule_expression: str | None = None
    schedule: Rate | Cron | None = None
    state: str = "ENABLED"
    description: str | None = None
    role_arn: str | None = None
    created_us: int = 0
    targets: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    tags: dict[str, str] = attrs.field(factory=dict)
    #: The pending daemon event of a scheduled rule.
    timer: Handle | None = None

    @property
    def enabled(self) -> bool:
        return self.state != "DISABLED"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.event_pattern is not None:
            out["EventPattern"] = self.event_pattern.text
        if self.schedule_expression is not None:
            out["ScheduleExpression"] = self.schedule_expression
        out["State"] = self.state
        if self.description is not None:
            out["Description"] = self.description
        if self.role_arn is not None:
            out["RoleArn"] = self.role_arn
        out["EventBusName"] = self.bus_name
        return out


def not_found(name: Any, bus: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")


class RuleOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _rule_seq: int
        cloud: Cloud
        config: EventBridgeConfig
        def _schedule_rule(self, rule: Rule) -> None: ...
        def _unschedule_rule(self, rule: Rule) -> None: ...
        def get_bus(self, name_or_arn: Any) -> EventBus: ...

    def get_rule(self, name: Any, bus_name: Any = None) -> Rule:
        bus = self.get_bus(bus_name)
        rule = bus.rules.get(name) if isinstance(name, str) else None
        if rule is None:
            raise not_found(name, bus.name)
        return rule

    @operation("PutRule")
    def _put_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(ValidationException, request.get("Name"), "name", RULE_NAME, 64)
        bus = self.get_bus(request.get("EventBusName"))
        pattern_text = request.get("EventPattern")
        schedule_text = request.get("ScheduleExpression")
        if pattern_text is None and schedule_text is None:
            raise ValidationException(
                "Parameter(s) EventPattern or ScheduleExpression must be specified."
            )
        pattern = None if pattern_text is None else EventPattern(pattern_text)
        schedule = None
        if schedule_text is not None:
            if bus.name != "default":
                raise ValidationException(
                    "ScheduleExpression is supported only on the default event bus."
                )
            try:
                parsed = parse_expression(schedule_text)
            except ScheduleExpressionError:
                raise ValidationException("Parameter ScheduleExpression is not valid.") from None
            assert not isinstance(parsed, At)
            schedule = parsed
        state = request.get("State") or "ENABLED"
        if state not in STATES:
            raise ValidationException(
                f"1 validation error detected: Value '{state}' at 'state' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(STATES)}]"
            )
        rule = bus.rules.get(name)
        if rule is None and len(bus.rules) >= self.config.max_rules_per_bus:
            raise LimitExceededException(
                "The requested resource exceeds the maximum number allowed."
            )
        # -- validated: change state ------------------------------------------------------
        if rule is None:
            self._rule_seq += 1
            resource = f"rule/{name}" if bus.name == "default" else f"rule/{bus.name}/{name}"
            rule = Rule(name, bus.name, self.cloud.arn("events", resource), self._rule_seq,
                        created_us=self.cloud.now_us)
            rule.tags = {t["Key"]: t["Value"] for t in request.get("Tags") or []}
            bus.rules[name] = rule
        else:
            bus.index.remove(rule)
            self._unschedule_rule(rule)
        rule.event_pattern = pattern
        rule.schedule_expression = schedule_text
        rule.schedule = schedule
        rule.state = state
        rule.description = request.get("Description")
        rule.role_arn = request.get("RoleArn")
        bus.index.add(rule)
        self._schedule_rule(rule)
        return {"RuleArn": rule.arn}

    @operation("DescribeRule")
    def _describe_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Name"), request.get("EventBusName"))
        out = rule.describe()
        out["CreatedBy"] = self.cloud.account_id
        return out

    @operation("ListRules")
    def _list_rules(self, request: dict[str, Any]) -> dict[str, Any]:
        bus = self.get_bus(request.get("EventBusName"))
        prefix = request.get("NamePrefix") or ""
        rules = [bus.rules[n] for n in sorted(bus.rules) if n.startswith(prefix)]
        page, token = paginate(rules, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"Rules": [r.describe() for r in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation("DeleteRule")
    def _delete_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        bus = self.get_bus(request.get("EventBusName"))
        rule = bus.rules.get(request.get("Name"))  # type: ignore[arg-type]
        if rule is None:
            return {}
        if rule.targets:
            raise ValidationException("Rule can't be deleted since it has targets.")
        self._drop_rule(bus, rule)
        return {}

    def _drop_rule(self, bus: "EventBus", rule: Rule) -> None:
        bus.index.remove(rule)
        self._unschedule_rule(rule)
        del bus.rules[rule.name]

    @operation("EnableRule")
    def _enable_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Name"), request.get("EventBusName"))
        if not rule.enabled:
            rule.state = "ENABLED"
            self._schedule_rule(rule)
        return {}

    @operation("DisableRule")
    def _disable_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Name"), request.get("EventBusName"))
        rule.state = "DISABLED"
        self._unschedule_rule(rule)
        return {}

    @operation("ListRuleNamesByTarget")
    def _list_rule_names_by_target(self, request: dict[str, Any]) -> dict[str, Any]:
        bus = self.get_bus(request.get("EventBusName"))
        arn = request.get("TargetArn")
        names = [
            n for n in sorted(bus.rules)
            if any(t.get("Arn") == arn for t in bus.rules[n].targets.values())
        ]
        page, token = paginate(names, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"RuleNames": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("TestEventPattern")
    def _test_event_pattern(self, request: dict[str, Any]) -> dict[str, Any]:
        pattern = EventPattern(request.get("EventPattern"))
        try:
            event = json.loads(request.get("Event") or "")
        except ValueError:
            raise ValidationException("Parameter Event is not valid.") from None
        if not isinstance(event, dict):
            raise ValidationException("Parameter Event is not valid.")
        # "the following fields are mandatory: id, account, source, time, region, resources,
        # detail-type" (API_TestEventPattern.html)
        missing = [k for k in ("id", "account", "source", "time", "region", "resources", "detail-type")
                   if k not in event]
        if missing:
            raise ValidationException(
                f"Parameter Event is not valid. Reason: Provided Event is missing required "
                f"fields: {', '.join(missing)}"
            )
        return {"Result": bool(pattern.matches(event))}
