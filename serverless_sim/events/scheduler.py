"""Amazon EventBridge Scheduler (``cloud.client("scheduler")``): schedules firing on the clock.

Modelled (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html):

- CreateSchedule / GetSchedule / UpdateSchedule (a full replacement, as AWS's) / DeleteSchedule
  / ListSchedules, in schedule groups (:mod:`.scheduler_groups`); names 1-64 of
  ``[0-9a-zA-Z-_.]``;
- ``at(yyyy-mm-ddThh:mm:ss)`` one-time, ``rate(value minutes|hours|days)``,
  ``cron(...)`` (:mod:`.cron`), evaluated in ``ScheduleExpressionTimezone`` (IANA names through
  :mod:`zoneinfo`; default UTC). Daylight saving time as documented: a skipped wall-clock time is
  skipped, a repeated one fires once; a rate of days is 24 hours whatever the day's length;
- ``StartDate``/``EndDate`` bound recurring schedules (ignored for ``at``); a rate schedule
  without StartDate "begins invoking the target immediately", then every period; targets are
  invoked at the scheduled minute's 0th second (AWS: "60 second precision");
- ``FlexibleTimeWindow``: ``OFF``, or ``FLEXIBLE`` with ``MaximumWindowInMinutes`` 1-1440: each
  invocation happens at the scheduled time plus an offset drawn uniformly from
  [0, window) from the schedule's own stream ``scheduler/flex/<group>/<name>``;
- targets: Lambda, SQS (``SqsParameters.MessageGroupId``), SNS, Step Functions and event buses
  (``EventBridgeParameters`` DetailType and Source; the Input is the event's detail), each
  receiving ``Input`` (default ``{}``) with the context attributes
  ``<aws.scheduler.schedule-arn>``, ``<aws.scheduler.scheduled-time>``,
  ``<aws.scheduler.execution-id>`` and ``<aws.scheduler.attempt-number>`` substituted;
  ``RetryPolicy`` (``MaximumEventAgeInSeconds`` 60-86,400, ``MaximumRetryAttempts`` 0-185) and
  ``DeadLetterConfig`` as :mod:`.delivery` models them;
- ``ActionAfterCompletion`` ``DELETE``: the schedule is deleted after its last invocation
  (the ``at`` time, or the last one before EndDate); ``State`` DISABLED stops invocations.

Deviation: an ``at`` time already past when the schedule is created fires at once.
Firings of recurring schedules are daemon events (they do not keep ``run_until_idle`` busy); a
one-time schedule's firing and the invocations any firing starts are ordinary work.
Metrics (AWS/Scheduler): InvocationAttemptCount, TargetErrorCount,
InvocationsSentToDeadLetterCount.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.scheduler import Handle
from ..kernel.service import Service, operation
from .common import check_name, constraint, dt, paginate, to_us
from .cron import MINUTE_US, At, Cron, Rate, ScheduleExpressionError, local_to_us, next_cron_us
from .cron import parse_expression, zone
from .delivery import Delivery, arn_service, invoke_arn
from .errors import (
    SCHEDULER_ERRORS,
    ConflictException,
    SchedulerResourceNotFoundException,
    SchedulerValidationException,
)
from .scheduler_groups import NAME, ScheduleGroup, ScheduleGroupOps

if TYPE_CHECKING:
    from ..cloud import Cloud

_CONTEXT = re.compile(r"<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>")
_TARGETS = ("lambda", "sqs", "sns", "states", "events")


@attrs.define(eq=False)
class Schedule:
    name: str
    group: str
    arn: str
    expression: str
    parsed: Rate | Cron | At
    timezone: str
    tz: _dt.tzinfo
    flexible: dict[str, Any]
    target: dict[str, Any]
    created_us: int
    modified_us: int
    state: str = "ENABLED"
    description: str | None = None
    start_us: int | None = None
    end_us: int | None = None
    action_after_completion: str = "NONE"
    kms_key_arn: str | None = None
    #: The pending firing (daemon) and the nominal time it is for.
    timer: Handle | None = None
    nominal_us: int | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ActionAfterCompletion": self.action_after_completion,
            "Arn": self.arn,
            "CreationDate": dt(self.created_us),
        }
        if self.description is not None:
            out["Description"] = self.description
        if self.end_us is not None:
            out["EndDate"] = dt(self.end_us)
        out["FlexibleTimeWindow"] = dict(self.flexible)
        out["GroupName"] = self.group
        if self.kms_key_arn is not None:
            out["KmsKeyArn"] = self.kms_key_arn
        out["LastModificationDate"] = dt(self.modified_us)
        out["Name"] = self.name
        out["ScheduleExpression"] = self.expression
        out["ScheduleExpressionTimezone"] = self.timezone
        if self.start_us is not None:
            out["StartDate"] = dt(self.start_us)
        out["State"] = self.state
        out["Target"] = json.loads(json.dumps(self.target))
        return out


def _bad(message: str) -> SchedulerValidationException:
    return SchedulerValidationException(message)


class Scheduler(ScheduleGroupOps, Service):
    """EventBridge Scheduler of one Cloud."""

    service_name = "scheduler"
    errors = SCHEDULER_ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.groups: dict[str, ScheduleGroup] = {"default": self._make_group("default")}
        #: (group, name) -> schedule
        self.schedules: dict[tuple[str, str], Schedule] = {}

    # -- validation -------------------------------------------------------------------------
    def _parse(self, request: dict[str, Any], existing: Schedule | None) -> Schedule:
        name = check_name(SchedulerValidationException, request.get("Name"), "name", NAME, 64)
        group = self.get_group(request.get("GroupName"))
        expr = request.get("ScheduleExpression")
        if not isinstance(expr, str) or not expr:
            raise constraint(SchedulerValidationException, expr, "scheduleExpression",
                             "Member must not be null")
        try:
            parsed = parse_expression(expr, allow_at=True, strict_plural=False)
        except ScheduleExpressionError:
            raise _bad(f"Invalid Schedule Expression {expr}.") from None
        tz_name = request.get("ScheduleExpressionTimezone") or "UTC"
        try:
            tz = zone(tz_name)
        except ScheduleExpressionError:
            raise _bad(f"Invalid time zone: {tz_name}.") from None
        flexible = request.get("FlexibleTimeWindow")
        if not isinstance(flexible, dict) or flexible.get("Mode") not in ("OFF", "FLEXIBLE"):
            raise _bad("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.")
        window = flexible.get("MaximumWindowInMinutes")
        if flexible["Mode"] == "FLEXIBLE":
            if not isinstance(window, int) or not 1 <= window <= 1440:
                raise _bad("MaximumWindowInMinutes must be between 1 and 1440 when Mode is "
                           "FLEXIBLE.")
        elif window is not None:
            raise _bad("MaximumWindowInMinutes is not allowed when Mode is OFF.")
        target = request.get("Target")
        if not isinstance(target, dict) or not isinstance(target.get("Arn"), str):
            raise _bad("Target.Arn is required.")
        if not isinstance(target.get("RoleArn"), str):
            raise _bad("Target.RoleArn is required.")
        service = arn_service(target["Arn"])
        if service not in _TARGETS:
            raise _bad(f"Invalid target: {target['Arn']}. This simulator supports the templated "
                       "Lambda, SQS, SNS, Step Functions and EventBridge targets.")
        if service == "events":
            params = target.get("EventBridgeParameters") or {}
            if not params.get("DetailType") or not params.get("Source"):
                raise _bad("EventBridgeParameters with DetailType and Source are required for "
                           "an EventBridge target.")
        if service == "sqs" and target["Arn"].endswith(".fifo"):
            if not (target.get("SqsParameters") or {}).get("MessageGroupId"):
                raise _bad("SqsParameters.MessageGroupId is required for a FIFO queue target.")
        policy = target.get("RetryPolicy") or {}
        age = policy.get("MaximumEventAgeInSeconds")
        if age is not None and not 60 <= age <= 86_400:
            raise _bad("MaximumEventAgeInSeconds must be between 60 and 86400.")
        attempts = policy.get("MaximumRetryAttempts")
        if attempts is not None and not 0 <= attempts <= 185:
            raise _bad("MaximumRetryAttempts must be between 0 and 185.")
        start = request.get("StartDate")
        end = request.get("EndDate")
        start_us = None if start is None else to_us(start, _bad, "StartDate")
        end_us = None if end is None else to_us(end, _bad, "EndDate")
        if start_us is not None and end_us is not None and start_us >= end_us:
            raise _bad("The StartDate must come before the EndDate.")
        if end_us is not None and not isinstance(parsed, At) and end_us <= self.cloud.now_us:
            raise _bad("The EndDate must be in the future.")
        state = request.get("State") or "ENABLED"
        if state not in ("ENABLED", "DISABLED"):
            raise _bad(f"Invalid State {state}.")
        action = request.get("ActionAfterCompletion") or "NONE"
        if action not in ("NONE", "DELETE"):
            raise _bad(f"Invalid ActionAfterCompletion {action}.")
        now = self.cloud.now_us
        return Schedule(
            name=name, group=group.name,
            arn=self.cloud.arn("scheduler", f"schedule/{group.name}/{name}"),
            expression=expr, parsed=parsed, timezone=tz_name, tz=tz,
            flexible=dict(flexible), target=json.loads(json.dumps(target)),
            created_us=existing.created_us if existing else now, modified_us=now,
            state=state, description=request.get("Description"), start_us=start_us,
            end_us=end_us, action_after_completion=action,
            kms_key_arn=request.get("KmsKeyArn"),
        )

    # -- wire operations --------------------------------------------------------------------
    def get_schedule(self, name: Any, group: Any = None) -> Schedule:
        g = self.get_group(group)
        schedule = self.schedules.get((g.name, name)) if isinstance(name, str) else None
        if schedule is None:
            raise SchedulerResourceNotFoundException(f"Schedule {name} does not exist.")
        return schedule

    @operation("CreateSchedule")
    def _create_schedule(self, request: dict[str, Any]) -> dict[str, Any]:
        schedule = self._parse(request, None)
        key = (schedule.group, schedule.name)
        if key in self.schedules:
            raise ConflictException(f"Schedule {schedule.name} already exists.")
        self.schedules[key] = schedule
        self._arm(schedule, first=True)
        return {"ScheduleArn": schedule.arn}

    @operation("UpdateSchedule")
    def _update_schedule(self, request: dict[str, Any]) -> dict[str, Any]:
        old = self.get_schedule(request.get("Name"), request.get("GroupName"))
        schedule = self._parse(request, old)
        self._disarm(old)
        self.schedules[(schedule.group, schedule.name)] = schedule
        self._arm(schedule, first=True)
        return {"ScheduleArn": schedule.arn}

    @operation("GetSchedule")
    def _get_schedule(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.get_schedule(request.get("Name"), request.get("GroupName")).describe()

    @operation("DeleteSchedule")
    def _delete_schedule(self, request: dict[str, Any]) -> dict[str, Any]:
        self._drop_schedule(self.get_schedule(request.get("Name"), request.get("GroupName")))
        return {}

    @operation("ListSchedules")
    def _list_schedules(self, request: dict[str, Any]) -> dict[str, Any]:
        group = request.get("GroupName")
        if group is not None:
            self.get_group(group)
        prefix = request.get("NamePrefix") or ""
        state = request.get("State")
        items = []
        for key in sorted(self.schedules):
            s = self.schedules[key]
            if group is not None and s.group != group:
                continue
            if not s.name.startswith(prefix) or (state is not None and s.state != state):
                continue
            items.append({"Arn": s.arn, "CreationDate": dt(s.created_us), "GroupName": s.group,
                          "LastModificationDate": dt(s.modified_us), "Name": s.name,
                          "State": s.state, "Target": {"Arn": s.target["Arn"]}})
        page, token = paginate(items, request.get("MaxResults"), request.get("NextToken"),
                               SchedulerValidationException)
        out: dict[str, Any] = {"Schedules": page}
        if token:
            out["NextToken"] = token
        return out

    # -- the clock --------------------------------------------------------------------------
    def _drop_schedule(self, schedule: Schedule) -> None:
        self._disarm(schedule)
        self.schedules.pop((schedule.group, schedule.name), None)

    def _disarm(self, schedule: Schedule) -> None:
        if schedule.timer is not None:
            self.cloud.cancel(schedule.timer)
            schedule.timer = None

    def _next_nominal(self, schedule: Schedule, first: bool) -> int | None:
        """The next nominal invocation time, or None when the schedule is complete."""
        now = self.cloud.now_us
        parsed = schedule.parsed
        if isinstance(parsed, At):
            if not first:
                return None
            when = local_to_us(parsed.when, schedule.tz)
            if when is None:  # a wall-clock time skipped by DST: the next existing minute
                when = local_to_us(parsed.when + _dt.timedelta(hours=1), schedule.tz)
            return max(when or now, now)
        start = schedule.start_us
        if isinstance(parsed, Rate):
            if first or schedule.nominal_us is None:
                nxt = max(now, start) if start is not None else now
            else:
                nxt = schedule.nominal_us + parsed.period_us
        else:
            after = schedule.nominal_us if (not first and schedule.nominal_us is not None) else now - 1
            if start is not None and start - 1 > after:
                after = start - 1
            got = next_cron_us(parsed, after, schedule.tz)
            if got is None:
                return None
            nxt = got
        if schedule.end_us is not None and nxt > schedule.end_us:
            return None
        return nxt

    def _arm(self, schedule: Schedule, first: bool) -> None:
        if schedule.state != "ENABLED":
            return
        nominal = self._next_nominal(schedule, first)
        if nominal is None:
            self._complete(schedule)
            return
        schedule.nominal_us = nominal
        offset = 0
        if schedule.flexible.get("Mode") == "FLEXIBLE":
            window_us = int(schedule.flexible["MaximumWindowInMinutes"]) * MINUTE_US
            rng = self.cloud.rng(f"scheduler/flex/{schedule.group}/{schedule.name}")
            offset = int(rng.random() * window_us)
        when = max(nominal + offset, self.cloud.now_us)
        # A one-time schedule is pending work (run_until_idle waits for it); a recurring one is
        # background, like a poller.
        daemon = not isinstance(schedule.parsed, At)
        schedule.timer = self.cloud.scheduler.call_at_us(when, self._fire, schedule,
                                                         daemon=daemon)

    def _complete(self, schedule: Schedule) -> None:
        if schedule.action_after_completion == "DELETE":
            self.cloud.trace.record("scheduler", "schedule_deleted", schedule=schedule.name,
                                    group=schedule.group)
            self.schedules.pop((schedule.group, schedule.name), None)

    def _fire(self, schedule: Schedule) -> None:
        schedule.timer = None
        if self.schedules.get((schedule.group, schedule.name)) is not schedule:
            return
        cloud = self.cloud
        nominal = schedule.nominal_us if schedule.nominal_us is not None else cloud.now_us
        execution_id = cloud.streams.uuid("scheduler/executions")
        target = schedule.target
        arn = target["Arn"]
        cell: list[Delivery] = []

        def render(attempt: int) -> str:
            text = target.get("Input")
            text = "{}" if text is None else str(text)
            values = {
                "schedule-arn": schedule.arn,
                "scheduled-time": dt(nominal).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "execution-id": execution_id,
                "attempt-number": str(attempt),
            }
            return _CONTEXT.sub(lambda m: values[m.group(1)], text)

        def send() -> None:
            attempt = cell[0].retries + 1 if cell else 1
            cloud.metrics.put("AWS/Scheduler", "InvocationAttemptCount", 1, None, "Count")
            payload = render(attempt)
            if arn_service(arn) == "events":
                params = target["EventBridgeParameters"]
                resp = cloud.service("events").dispatch("PutEvents", {"Entries": [{
                    "Source": params["Source"], "DetailType": params["DetailType"],
                    "Detail": payload, "EventBusName": arn,
                    "Resources": [schedule.arn],
                }]})
                if resp["FailedEntryCount"]:
                    entry = resp["Entries"][0]
                    raise SchedulerValidationException(
                        f"{entry['ErrorCode']}: {entry['ErrorMessage']}"
                    )
                return
            invoke_arn(cloud, arn, payload,
                       message_group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
                       deduplication_id=execution_id)

        def failed(err: Any) -> None:
            cloud.metrics.put("AWS/Scheduler", "TargetErrorCount", 1, None, "Count")

        delivery = Delivery(
            cloud, "scheduler", send, arn=arn, payload=render(1),
            retry_policy=target.get("RetryPolicy"),
            dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
            dlq_attributes={"SCHEDULE_ARN": schedule.arn},
            trace={"schedule": schedule.name, "group": schedule.group,
                   "execution_id": execution_id},
            on_failure=failed,
        )
        cell.append(delivery)
        cloud.trace.record("scheduler", "schedule_fired", schedule=schedule.name,
                           group=schedule.group, scheduled_time=dt(nominal).isoformat())
        delivery.start(0)
        self._arm(schedule, first=False)

    def __repr__(self) -> str:
        return f"<Scheduler groups={len(self.groups)} schedules={len(self.schedules)}>"

