"""Targets of rules: PutTargets, RemoveTargets, ListTargetsByRule, and handing events to them.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html):

- up to 10 targets per call and 5 targets per rule
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html); target ids are 1-64
  of ``[\\.\\-_A-Za-z0-9]``; PutTargets with an existing id replaces that target;
- Lambda, SQS (FIFO queues need ``SqsParameters.MessageGroupId``; the event id is the
  deduplication id), SNS, Step Functions state machines and event buses (another bus's rules see
  the same event) are delivered to (:mod:`.delivery`); at most one of ``Input``, ``InputPath``,
  ``InputTransformer`` (:mod:`.transformers`);
- each target has its own ``RetryPolicy`` and ``DeadLetterConfig``;
- delivery is asynchronous: ``config.delivery_delay`` virtual seconds after the event is put
  (default 0, still after PutEvents returns). AWS publishes no latency figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.clock import duration_to_us
from ..kernel.service import operation
from .common import RULE_NAME, check_name, constraint, paginate
from .delivery import Delivery, arn_service, invoke_arn
from .errors import LimitExceededException, ValidationException
from .rules import Rule
from .transformers import target_input, validate_input

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import EventBridgeConfig

MAX_TARGETS_PER_RULE = 5
_TARGET_SERVICES = ("lambda", "sqs", "sns", "states", "events")


def _validate_target(target: Any) -> dict[str, Any]:
    if not isinstance(target, dict):
        raise ValidationException("Target is not valid.")
    check_name(ValidationException, target.get("Id"), "targets.member.id", RULE_NAME, 64)
    arn = target.get("Arn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise ValidationException(f"Parameter {arn} is not valid. Reason: Provided Arn is not in "
                                  "correct format.")
    if arn_service(arn) not in _TARGET_SERVICES:
        raise ValidationException(f"Parameter {arn} is not valid. Reason: this simulator delivers "
                                  "to Lambda, SQS, SNS, Step Functions and event buses only.")
    if arn_service(arn) == "sqs" and arn.endswith(".fifo"):
        if not (target.get("SqsParameters") or {}).get("MessageGroupId"):
            raise ValidationException(
                f"Parameter(s) SqsParameters must be specified for target: {target['Id']}."
            )
    validate_input(target)
    policy = target.get("RetryPolicy") or {}
    attempts = policy.get("MaximumRetryAttempts")
    if attempts is not None and not 0 <= attempts <= 185:
        raise constraint(ValidationException, attempts, "maximumRetryAttempts",
                         "Member must have value less than or equal to 185")
    age = policy.get("MaximumEventAgeInSeconds")
    if age is not None and not 60 <= age <= 86_400:
        raise constraint(ValidationException, age, "maximumEventAgeInSeconds",
                         "Member must have value between 60 and 86400")
    return dict(target)


class TargetOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: EventBridgeConfig
        def _forward_to_bus(self, arn: str, payload: str) -> None: ...
        def get_rule(self, name: Any, bus_name: Any = None) -> Rule: ...

    @operation("PutTargets")
    def _put_targets(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Rule"), request.get("EventBusName"))
        targets = request.get("Targets")
        if not isinstance(targets, list) or not targets:
            raise constraint(ValidationException, targets, "targets",
                             "Member must have length greater than or equal to 1")
        if len(targets) > 10:
            raise constraint(ValidationException, "[...]", "targets",
                             "Member must have length less than or equal to 10")
        checked = [_validate_target(t) for t in targets]
        ids = {t["Id"] for t in checked} | set(rule.targets)
        if len(ids) > MAX_TARGETS_PER_RULE:
            raise LimitExceededException(
                "The requested resource exceeds the maximum number allowed."
            )
        for t in checked:
            rule.targets[t["Id"]] = t
        return {"FailedEntryCount": 0, "FailedEntries": []}

    @operation("RemoveTargets")
    def _remove_targets(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Rule"), request.get("EventBusName"))
        ids = request.get("Ids")
        if not isinstance(ids, list) or not ids:
            raise constraint(ValidationException, ids, "ids",
                             "Member must have length greater than or equal to 1")
        for target_id in ids:
            rule.targets.pop(target_id, None)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    @operation("ListTargetsByRule")
    def _list_targets_by_rule(self, request: dict[str, Any]) -> dict[str, Any]:
        rule = self.get_rule(request.get("Rule"), request.get("EventBusName"))
        targets = [rule.targets[i] for i in sorted(rule.targets)]
        page, token = paginate(targets, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"Targets": [dict(t) for t in page]}
        if token:
            out["NextToken"] = token
        return out

    # -- delivery ---------------------------------------------------------------------------
    def _deliver_to_targets(self, rule: Rule, event: dict[str, Any], event_json: str
    ) -> None:
        delay_us = duration_to_us(self.config.delivery_delay)
        cloud = self.cloud
        for target_id, target in rule.targets.items():
            arn = target["Arn"]
            payload = target_input(target, event, rule_arn=rule.arn, rule_name=rule.name,
                                   event_json=event_json)
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")

            def send(arn: str = arn, payload: str = payload, group: Any = group,
                     event: dict[str, Any] = event) -> None:
                invoke_arn(cloud, arn, payload, message_group_id=group,
                           deduplication_id=event["id"], on_event_bus=self._forward_to_bus)

            def failed(err: Any, rule_name: str = rule.name) -> None:
                cloud.metrics.put("AWS/Events", "FailedInvocations", 1,
                                  {"RuleName": rule_name}, "Count")

            cloud.metrics.put("AWS/Events", "Invocations", 1, {"RuleName": rule.name}, "Count")
            Delivery(
                cloud, "events", send, arn=arn, payload=payload,
                retry_policy=target.get("RetryPolicy"),
                dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                dlq_attributes={"RULE_ARN": rule.arn},
                trace={"rule": rule.name, "target_id": target_id, "event_id": event["id"]},
                on_failure=failed,
            ).start(delay_us)
