"""EventBridge Scheduler: schedules, groups, expressions in time zones, windows, targets."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import eventsim_helpers
from serverless_sim import Cloud

ROLE = "arn:aws:iam::123456789012:role/scheduler"


@pytest.fixture
def cloud(monkeypatch):
    eventsim_helpers.register(monkeypatch)
    return Cloud(seed=5, start="2026-01-01T00:00:00Z")


@pytest.fixture
def sch(cloud):
    return cloud.client("scheduler")


def make(sch, cloud, name="s", expr="rate(1 hour)", flex=None, target=None, **extra):
    fn = cloud.service("lambda").functions and next(iter(cloud.service("lambda").functions))
    if not fn:
        fn = cloud.service("lambda").create("job")
    return sch.create_schedule(
        Name=name, ScheduleExpression=expr,
        FlexibleTimeWindow=flex or {"Mode": "OFF"},
        Target=target or {"Arn": fn, "RoleArn": ROLE, "Input": '{"job": "<aws.scheduler.scheduled-time>"}'},
        **extra)


def calls(cloud):
    fn = next(iter(cloud.service("lambda").functions))
    return cloud.service("lambda").functions[fn]


def test_create_get_list_delete(cloud, sch):
    arn = make(sch, cloud)["ScheduleArn"]
    assert arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s"
    got = sch.get_schedule(Name="s")
    assert got["ScheduleExpression"] == "rate(1 hour)" and got["GroupName"] == "default"
    assert got["ScheduleExpressionTimezone"] == "UTC" and got["State"] == "ENABLED"
    assert got["CreationDate"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with pytest.raises(sch.exceptions.ConflictException) as e:
        make(sch, cloud)
    assert e.value.message == "Schedule s already exists."
    assert [s["Name"] for s in sch.list_schedules()["Schedules"]] == ["s"]
    sch.delete_schedule(Name="s")
    with pytest.raises(sch.exceptions.ResourceNotFoundException) as e:
        sch.get_schedule(Name="s")
    assert e.value.message == "Schedule s does not exist."


def test_validation_leaves_nothing_behind(cloud, sch):
    for bad in [dict(expr="rate(5 seconds)"), dict(expr="cron(0 12 * * * *)"),
                dict(flex={"Mode": "FLEXIBLE"}),
                dict(flex={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1441}),
                dict(ScheduleExpressionTimezone="Nowhere/City"),
                dict(StartDate=dt.datetime(2026, 2, 1), EndDate=dt.datetime(2026, 1, 2)),
                dict(name="bad name")]:
        with pytest.raises(sch.exceptions.ValidationException):
            make(sch, cloud, **bad)
    with pytest.raises(sch.exceptions.ResourceNotFoundException):
        make(sch, cloud, GroupName="nope")
    assert sch.list_schedules()["Schedules"] == []


def test_rate_starts_immediately_then_every_period(cloud, sch):
    make(sch, cloud, expr="rate(1 hour)")
    assert cloud.run_until_idle() == 0  # a recurring schedule does not keep the cloud busy
    cloud.advance(3 * 3600)
    assert [p["job"] for _, p in calls(cloud)] == [
        "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z",
        "2026-01-01T03:00:00Z"]


def test_start_and_end_dates_bound_recurring_schedules(cloud, sch):
    make(sch, cloud, expr="rate(1 day)", StartDate=dt.datetime(2026, 1, 3, 6),
         EndDate=dt.datetime(2026, 1, 5, 7))
    cloud.advance(10 * 86_400)
    assert [p["job"] for _, p in calls(cloud)] == [
        "2026-01-03T06:00:00Z", "2026-01-04T06:00:00Z", "2026-01-05T06:00:00Z"]


def test_cron_in_a_time_zone_follows_daylight_saving(cloud, sch):
    make(sch, cloud, expr="cron(0 9 * * ? *)", ScheduleExpressionTimezone="Europe/Paris",
         StartDate=dt.datetime(2026, 3, 27, tzinfo=dt.timezone.utc))
    cloud.run("2026-03-31T00:00:00Z")
    assert [p["job"] for _, p in calls(cloud)] == [
        "2026-03-27T08:00:00Z", "2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z",
        "2026-03-30T07:00:00Z"]


def test_one_time_schedule_with_delete_after_completion(cloud, sch):
    make(sch, cloud, name="once", expr="at(2026-01-02T09:30:00)",
         ScheduleExpressionTimezone="America/New_York", ActionAfterCompletion="DELETE")
    cloud.run_until_idle()
    ((at, payload),) = calls(cloud)
    assert payload["job"] == "2026-01-02T14:30:00Z"
    assert sch.list_schedules()["Schedules"] == []


def test_flexible_window_is_seeded_and_within_the_window(monkeypatch):
    eventsim_helpers.register(monkeypatch)

    def run(seed):
        cloud = Cloud(seed=seed)
        make(cloud.client("scheduler"), cloud, expr="cron(0 * * * ? *)",
             flex={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15})
        cloud.advance(10 * 3600)
        return [(at - cloud.start_us) / 1e6 for at, _ in calls(cloud)]

    a = run(1)
    assert a == run(1) and a != run(2)
    for i, t in enumerate(a):
        assert i * 3600 <= t < i * 3600 + 15 * 60


def test_disabled_and_updated_schedules(cloud, sch):
    make(sch, cloud, expr="rate(1 hour)", State="DISABLED")
    cloud.advance(7200)
    assert calls(cloud) == []
    fn = next(iter(cloud.service("lambda").functions))
    sch.update_schedule(Name="s", ScheduleExpression="rate(30 minutes)",
                        FlexibleTimeWindow={"Mode": "OFF"},
                        Target={"Arn": fn, "RoleArn": ROLE, "Input": '{"v": 2}'})
    cloud.advance(3600)
    assert [p for _, p in calls(cloud)] == [{"v": 2}] * 3
    assert sch.get_schedule(Name="s")["CreationDate"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_groups(cloud, sch):
    arn = sch.create_schedule_group(Name="nightly")["ScheduleGroupArn"]
    assert arn.endswith(":schedule-group/nightly")
    with pytest.raises(sch.exceptions.ConflictException):
        sch.create_schedule_group(Name="nightly")
    make(sch, cloud, name="a", GroupName="nightly")
    make(sch, cloud, name="b")
    assert [s["Name"] for s in sch.list_schedules(GroupName="nightly")["Schedules"]] == ["a"]
    assert [g["Name"] for g in sch.list_schedule_groups()["ScheduleGroups"]] == ["default", "nightly"]
    sch.delete_schedule_group(Name="nightly")
    assert [s["Name"] for s in sch.list_schedules()["Schedules"]] == ["b"]
    with pytest.raises(sch.exceptions.ValidationException):
        sch.delete_schedule_group(Name="default")


def test_sqs_sns_sfn_and_eventbridge_targets(cloud, sch):
    sqs = cloud.service("sqs")
    q = sqs.create("jobs.fifo")
    make(sch, cloud, name="q", expr="at(2026-01-01T00:01:00)",
         target={"Arn": q, "RoleArn": ROLE, "Input": '{"a": 1}',
                 "SqsParameters": {"MessageGroupId": "g"}})
    make(sch, cloud, name="t", expr="at(2026-01-01T00:01:00)",
         target={"Arn": cloud.arn("sns", "topic"), "RoleArn": ROLE, "Input": "hello"})
    make(sch, cloud, name="f", expr="at(2026-01-01T00:01:00)",
         target={"Arn": cloud.arn("states", "stateMachine:m"), "RoleArn": ROLE,
                 "Input": '{"arn": "<aws.scheduler.schedule-arn>"}'})
    ev = cloud.client("events")
    fn = cloud.service("lambda").create("on-event")
    ev.put_rule(Name="r", EventPattern='{"source": ["my.scheduler"]}')
    ev.put_targets(Rule="r", Targets=[{"Id": "x", "Arn": fn}])
    make(sch, cloud, name="e", expr="at(2026-01-01T00:01:00)",
         target={"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default",
                 "RoleArn": ROLE, "Input": '{"k": "v"}',
                 "EventBridgeParameters": {"DetailType": "Tick", "Source": "my.scheduler"}})
    cloud.run_until_idle()
    assert sqs.queues["jobs.fifo"][0]["MessageGroupId"] == "g"
    assert cloud.service("sns").published[0]["Message"] == "hello"
    started = json.loads(cloud.service("stepfunctions").started[0]["input"])
    assert started == {"arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/f"}
    (event,) = cloud.service("lambda").payloads(fn)
    assert event["detail-type"] == "Tick" and event["detail"] == {"k": "v"}


def test_retries_and_dead_letter_queue(cloud, sch):
    dlq = cloud.service("sqs").create("dlq")
    make(sch, cloud, expr="at(2026-01-01T00:00:00)",
         target={"Arn": cloud.arn("lambda", "function:gone"), "RoleArn": ROLE,
                 "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                 "DeadLetterConfig": {"Arn": dlq}})
    cloud.run_until_idle()
    (msg,) = cloud.service("sqs").queues["dlq"]
    attrs = {k: v["StringValue"] for k, v in msg["MessageAttributes"].items()}
    assert attrs["SCHEDULE_ARN"].endswith(":schedule/default/s")
    assert attrs["RETRY_ATTEMPTS"] == "2"
    assert len(cloud.trace.filter(service="scheduler", kind="target_failed")) == 3
