"""EventBridge and EventBridge Scheduler through real boto3 (the botocore bridge): every offered
operation, their paginators and the modelled errors; every response must be what botocore's
parser produces from the service models (:mod:`shape_check`), and the values that matter must
round-trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest

boto3 = pytest.importorskip("boto3")

from bridge_scenarios import (  # noqa: E402
    assert_bridge_matches_http,
    assert_conforms,
    error_codes,
    missing_operations,
    pages,
    responses,
)
from shape_check import recorder  # noqa: E402

from serverless_sim import Cloud  # noqa: E402

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/shapes-role"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shapes-events"
UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)  # the Cloud's default start


def events_scenario(client_factory, out):
    call = recorder(out)
    ev = client_factory("events")
    client_factory("sqs").create_queue(QueueName="shapes-events")
    call(ev, "describe_event_bus")  # the default bus
    bus_arn = call(ev, "create_event_bus", Name="shapes-bus", Description="test bus",
                   Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
    call(ev, "create_event_bus", Name="shapes-bus")  # ResourceAlreadyExistsException
    call(ev, "describe_event_bus", Name="shapes-bus")
    call(ev, "describe_event_bus", Name="shapes-none")  # ResourceNotFoundException
    call(ev, "list_event_buses", NamePrefix="shapes")
    pattern = {"source": ["shapes.app"], "detail": {"n": [{"numeric": [">", 0]}]}}
    for i in range(5):
        call(ev, "put_rule", Name=f"shapes-rule-{i}", EventBusName="shapes-bus", EventPattern=json.dumps(pattern),
             Description=f"rule {i}", State="ENABLED")
    call(ev, "put_rule", Name="shapes-bad", EventBusName="shapes-bus", EventPattern="{not json")  # InvalidEventPattern
    call(ev, "put_rule", Name="shapes-tick", ScheduleExpression="rate(5 minutes)")
    call(ev, "put_rule", Name="shapes-bad-rate", ScheduleExpression="rate(0 minutes)")  # ValidationException
    call(ev, "describe_rule", Name="shapes-rule-0", EventBusName="shapes-bus")
    call(ev, "describe_rule", Name="shapes-none", EventBusName="shapes-bus")  # ResourceNotFoundException
    call(ev, "disable_rule", Name="shapes-rule-1", EventBusName="shapes-bus")
    call(ev, "describe_rule", Name="shapes-rule-1", EventBusName="shapes-bus")
    call(ev, "enable_rule", Name="shapes-rule-1", EventBusName="shapes-bus")
    call(ev, "enable_rule", Name="shapes-none", EventBusName="shapes-bus")  # ResourceNotFoundException
    call(ev, "list_rules", EventBusName="shapes-bus", NamePrefix="shapes-rule", Limit=2)
    pages(out, ev, "list_rules", EventBusName="shapes-bus", PaginationConfig={"PageSize": 2})
    call(ev, "put_targets", Rule="shapes-rule-0", EventBusName="shapes-bus", Targets=[
        {"Id": f"t{i}", "Arn": QUEUE_ARN, "InputPath": "$.detail"} for i in range(3)])
    call(ev, "put_targets", Rule="shapes-rule-1", EventBusName="shapes-bus", Targets=[
        {"Id": "t0", "Arn": QUEUE_ARN, "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"},
                                                            "InputTemplate": '{"value": <n>}'}}])
    call(ev, "put_targets", Rule="shapes-none", EventBusName="shapes-bus",
         Targets=[{"Id": "t", "Arn": QUEUE_ARN}])  # ResourceNotFoundException
    call(ev, "list_targets_by_rule", Rule="shapes-rule-0", EventBusName="shapes-bus")
    pages(out, ev, "list_targets_by_rule", Rule="shapes-rule-0", EventBusName="shapes-bus",
          PaginationConfig={"PageSize": 2})
    call(ev, "list_rule_names_by_target", TargetArn=QUEUE_ARN, EventBusName="shapes-bus")
    pages(out, ev, "list_rule_names_by_target", TargetArn=QUEUE_ARN, EventBusName="shapes-bus",
          PaginationConfig={"PageSize": 1})
    call(ev, "test_event_pattern", EventPattern=json.dumps(pattern), Event=json.dumps({
        "id": "1", "account": ACCOUNT, "source": "shapes.app", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
        "resources": [], "detail-type": "t", "detail": {"n": 3}}))
    call(ev, "test_event_pattern", EventPattern="{not json", Event="{}")  # InvalidEventPatternException

    # Archive and replay.
    call(ev, "create_archive", ArchiveName="shapes-archive", EventSourceArn=bus_arn, RetentionDays=1,
         Description="all")
    call(ev, "create_archive", ArchiveName="shapes-archive", EventSourceArn=bus_arn)  # ResourceAlreadyExists
    call(ev, "put_events", Entries=[
        {"Source": "shapes.app", "DetailType": "t", "Detail": json.dumps({"n": 1}), "EventBusName": "shapes-bus"},
        {"Source": "shapes.app", "DetailType": "t", "Detail": "{bad json", "EventBusName": "shapes-bus"},
        {"Source": "shapes.app", "DetailType": "t", "Detail": json.dumps({"n": 2}), "EventBusName": "shapes-bus",
         "Time": START - dt.timedelta(minutes=5)}])
    call(ev, "update_archive", ArchiveName="shapes-archive", RetentionDays=7, EventPattern=json.dumps(
        {"source": ["shapes.app"]}))
    call(ev, "describe_archive", ArchiveName="shapes-archive")
    call(ev, "describe_archive", ArchiveName="shapes-none")  # ResourceNotFoundException
    call(ev, "list_archives", NamePrefix="shapes")
    call(ev, "start_replay", ReplayName="shapes-replay", EventSourceArn=f"arn:aws:events:us-east-1:{ACCOUNT}:archive/shapes-archive",
         EventStartTime=START - dt.timedelta(hours=1), EventEndTime=START, Destination={"Arn": bus_arn})
    call(ev, "start_replay", ReplayName="shapes-late", EventSourceArn=f"arn:aws:events:us-east-1:{ACCOUNT}:archive/shapes-archive",
         EventStartTime=START, EventEndTime=START + dt.timedelta(days=1), Destination={"Arn": bus_arn})  # future end
    call(ev, "describe_replay", ReplayName="shapes-replay")
    call(ev, "list_replays", NamePrefix="shapes")
    call(ev, "cancel_replay", ReplayName="shapes-replay")
    call(ev, "cancel_replay", ReplayName="shapes-replay")  # IllegalStatusException (already cancelling)
    call(ev, "describe_replay", ReplayName="shapes-none")  # ResourceNotFoundException

    # Tearing down.
    call(ev, "delete_rule", Name="shapes-rule-0", EventBusName="shapes-bus")  # ValidationException: has targets
    call(ev, "remove_targets", Rule="shapes-rule-0", EventBusName="shapes-bus", Ids=["t0", "t1", "t2"])
    call(ev, "delete_rule", Name="shapes-rule-0", EventBusName="shapes-bus")
    call(ev, "delete_archive", ArchiveName="shapes-archive")
    call(ev, "delete_archive", ArchiveName="shapes-archive")  # ResourceNotFoundException
    call(ev, "delete_event_bus", Name="shapes-other")  # deleting an unknown bus succeeds
    call(ev, "delete_event_bus", Name="default")  # ValidationException


def scheduler_scenario(client_factory, out):
    call = recorder(out)
    sch = client_factory("scheduler")
    target = {"Arn": QUEUE_ARN, "RoleArn": ROLE, "Input": json.dumps({"k": "v"})}
    call(sch, "create_schedule_group", Name="shapes-group", Tags=[{"Key": "team", "Value": "a"}])
    call(sch, "create_schedule_group", Name="shapes-group")  # ConflictException
    call(sch, "get_schedule_group", Name="shapes-group")
    call(sch, "get_schedule_group", Name="shapes-none")  # ResourceNotFoundException
    call(sch, "list_schedule_groups", NamePrefix="shapes")
    pages(out, sch, "list_schedule_groups", PaginationConfig={"PageSize": 1})
    for i in range(5):
        call(sch, "create_schedule", Name=f"shapes-s{i}", GroupName="shapes-group",
             ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target,
             Description=f"schedule {i}")
    call(sch, "create_schedule", Name="shapes-at", ScheduleExpression="at(2026-02-01T00:00:00)",
         ScheduleExpressionTimezone="Europe/Paris", FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
         Target=target, ActionAfterCompletion="DELETE", StartDate=START)
    call(sch, "create_schedule", Name="shapes-s0", GroupName="shapes-group", ScheduleExpression="rate(1 hour)",
         FlexibleTimeWindow={"Mode": "OFF"}, Target=target)  # ConflictException
    call(sch, "create_schedule", Name="shapes-bad", ScheduleExpression="every tuesday",
         FlexibleTimeWindow={"Mode": "OFF"}, Target=target)  # ValidationException
    call(sch, "get_schedule", Name="shapes-s0", GroupName="shapes-group")
    call(sch, "get_schedule", Name="shapes-at")
    call(sch, "get_schedule", Name="shapes-none")  # ResourceNotFoundException
    call(sch, "update_schedule", Name="shapes-s1", GroupName="shapes-group", ScheduleExpression="cron(0 12 * * ? *)",
         FlexibleTimeWindow={"Mode": "OFF"}, Target=target, State="DISABLED")
    call(sch, "get_schedule", Name="shapes-s1", GroupName="shapes-group")
    call(sch, "list_schedules", GroupName="shapes-group", MaxResults=2)
    pages(out, sch, "list_schedules", GroupName="shapes-group", PaginationConfig={"PageSize": 2})
    call(sch, "list_schedules", State="DISABLED")
    call(sch, "delete_schedule", Name="shapes-s4", GroupName="shapes-group")
    call(sch, "delete_schedule", Name="shapes-s4", GroupName="shapes-group")  # ResourceNotFoundException
    call(sch, "delete_schedule_group", Name="default")  # ValidationException
    call(sch, "delete_schedule_group", Name="shapes-group")


def scenario(client_factory):
    """Drive every EventBridge and Scheduler operation the simulator offers."""
    out: list = []
    events_scenario(client_factory, out)
    scheduler_scenario(client_factory, out)
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    return session, scenario(session.client)


def ev(records, op):
    return responses(records, "events", op)


def sch(records, op):
    return responses(records, "scheduler", op)


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    assert_conforms(session, records, min_errors=20)


@pytest.mark.parametrize("service", ["events", "scheduler"])
def test_every_offered_operation_is_exercised(run, service):
    _, records = run
    missing = missing_operations(records, service, Cloud().service(service))
    assert not missing, f"{service} operations the scenario does not call: {missing}"


# -- 2. values that matter: EventBridge ------------------------------------------------------
def test_buses_and_rules(run):
    _, records = run
    buses = ev(records, "DescribeEventBus")
    assert buses[0]["Name"] == "default" and buses[0]["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    assert buses[1]["Name"] == "shapes-bus" and buses[1]["Description"] == "test bus"
    assert isinstance(buses[1]["CreationTime"], dt.datetime)
    assert [b["Name"] for b in ev(records, "ListEventBuses")[0]["EventBuses"]] == ["shapes-bus"]
    rule = ev(records, "DescribeRule")[0]
    assert json.loads(rule["EventPattern"]) == {"source": ["shapes.app"], "detail": {"n": [{"numeric": [">", 0]}]}}
    assert rule["State"] == "ENABLED" and rule["EventBusName"] == "shapes-bus"
    assert rule["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/shapes-bus/shapes-rule-0"
    assert ev(records, "DescribeRule")[2]["State"] == "DISABLED"
    lists = ev(records, "ListRules")
    assert [r["Name"] for r in lists[0]["Rules"]] == ["shapes-rule-0", "shapes-rule-1"] and lists[0]["NextToken"]
    assert [[r["Name"] for r in p["Rules"]] for p in lists[1:]] == [
        ["shapes-rule-0", "shapes-rule-1"], ["shapes-rule-2", "shapes-rule-3"], ["shapes-rule-4"]]


def test_targets_and_patterns(run):
    _, records = run
    put = ev(records, "PutTargets")
    assert put[0] == {"FailedEntryCount": 0, "FailedEntries": [], "ResponseMetadata": put[0]["ResponseMetadata"]}
    targets = ev(records, "ListTargetsByRule")
    assert [t["Id"] for t in targets[0]["Targets"]] == ["t0", "t1", "t2"]
    assert targets[0]["Targets"][0] == {"Id": "t0", "Arn": QUEUE_ARN, "InputPath": "$.detail"}
    assert [[t["Id"] for t in p["Targets"]] for p in targets[1:]] == [["t0", "t1"], ["t2"]]
    names = ev(records, "ListRuleNamesByTarget")
    assert names[0]["RuleNames"] == ["shapes-rule-0", "shapes-rule-1"]
    assert [p["RuleNames"] for p in names[1:]] == [["shapes-rule-0"], ["shapes-rule-1"]]
    assert ev(records, "TestEventPattern")[0]["Result"] is True
    removed = ev(records, "RemoveTargets")[0]
    assert removed["FailedEntryCount"] == 0 and removed["FailedEntries"] == []


def test_put_events_archive_and_replay(run):
    _, records = run
    put = ev(records, "PutEvents")[0]
    assert put["FailedEntryCount"] == 1
    assert [sorted(e) for e in put["Entries"]] == [["EventId"], ["ErrorCode", "ErrorMessage"], ["EventId"]]
    assert put["Entries"][1]["ErrorCode"] == "MalformedDetail"
    archive = ev(records, "DescribeArchive")[0]
    assert archive["RetentionDays"] == 7 and archive["State"] == "ENABLED"
    assert json.loads(archive["EventPattern"]) == {"source": ["shapes.app"]}
    assert [a["ArchiveName"] for a in ev(records, "ListArchives")[0]["Archives"]] == ["shapes-archive"]
    replay = ev(records, "StartReplay")[0]
    assert replay["State"] == "STARTING" and replay["ReplayArn"].endswith(":replay/shapes-replay")
    described = ev(records, "DescribeReplay")[0]
    assert described["EventStartTime"] == START - dt.timedelta(hours=1) and described["EventEndTime"] == START
    assert ev(records, "CancelReplay")[0]["State"] == "CANCELLING"


def test_eventbridge_error_codes(run):
    _, records = run
    assert error_codes(records, "events", "CreateEventBus") == ["ResourceAlreadyExistsException"]
    assert error_codes(records, "events", "DescribeEventBus") == ["ResourceNotFoundException"]
    assert error_codes(records, "events", "PutRule") == ["InvalidEventPatternException", "ValidationException"]
    assert error_codes(records, "events", "DescribeRule") == ["ResourceNotFoundException"]
    assert error_codes(records, "events", "EnableRule") == ["ResourceNotFoundException"]
    assert error_codes(records, "events", "PutTargets") == ["ResourceNotFoundException"]
    assert error_codes(records, "events", "TestEventPattern") == ["InvalidEventPatternException"]
    assert error_codes(records, "events", "CreateArchive") == ["ResourceAlreadyExistsException"]
    assert error_codes(records, "events", "StartReplay") == ["ValidationException"]
    assert error_codes(records, "events", "CancelReplay") == ["IllegalStatusException"]
    assert error_codes(records, "events", "DeleteRule") == ["ValidationException"]
    assert error_codes(records, "events", "DeleteArchive") == ["ResourceNotFoundException"]
    assert error_codes(records, "events", "DeleteEventBus") == ["ValidationException"]
    missing = ev(records, "DescribeRule")[1]
    assert missing["Error"]["Message"] == "Rule shapes-none does not exist on EventBus shapes-bus."
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 400


# -- 2. values that matter: Scheduler --------------------------------------------------------
def test_schedules(run):
    _, records = run
    group = sch(records, "GetScheduleGroup")[0]
    assert group["Name"] == "shapes-group" and group["State"] == "ACTIVE"
    assert group["Arn"] == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/shapes-group"
    groups = sch(records, "ListScheduleGroups")
    assert [g["Name"] for g in groups[0]["ScheduleGroups"]] == ["shapes-group"]
    assert [[g["Name"] for g in p["ScheduleGroups"]] for p in groups[1:]] == [["default"], ["shapes-group"]]
    got = sch(records, "GetSchedule")
    assert got[0]["ScheduleExpression"] == "rate(1 hour)" and got[0]["Target"]["Input"] == json.dumps({"k": "v"})
    assert got[0]["GroupName"] == "shapes-group" and got[0]["State"] == "ENABLED"
    assert got[1]["ScheduleExpressionTimezone"] == "Europe/Paris" and got[1]["StartDate"] == START
    assert got[1]["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert got[1]["ActionAfterCompletion"] == "DELETE"
    assert got[3]["State"] == "DISABLED" and got[3]["ScheduleExpression"] == "cron(0 12 * * ? *)"
    lists = sch(records, "ListSchedules")
    assert [s["Name"] for s in lists[0]["Schedules"]] == ["shapes-s0", "shapes-s1"] and lists[0]["NextToken"]
    assert [[s["Name"] for s in p["Schedules"]] for p in lists[1:4]] == [
        ["shapes-s0", "shapes-s1"], ["shapes-s2", "shapes-s3"], ["shapes-s4"]]
    assert [s["Name"] for s in lists[4]["Schedules"]] == ["shapes-s1"]


def test_scheduler_error_codes(run):
    _, records = run
    assert error_codes(records, "scheduler", "CreateScheduleGroup") == ["ConflictException"]
    assert error_codes(records, "scheduler", "CreateSchedule") == ["ConflictException", "ValidationException"]
    assert error_codes(records, "scheduler", "GetSchedule") == ["ResourceNotFoundException"]
    assert error_codes(records, "scheduler", "DeleteSchedule") == ["ResourceNotFoundException"]
    assert error_codes(records, "scheduler", "DeleteScheduleGroup") == ["ValidationException"]
    assert sch(records, "GetSchedule")[2]["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert sch(records, "CreateScheduleGroup")[1]["ResponseMetadata"]["HTTPStatusCode"] == 409


def test_modelled_exceptions_are_raised():
    session = Cloud().boto3_session()
    events, scheduler = session.client("events"), session.client("scheduler")
    with pytest.raises(events.exceptions.ResourceNotFoundException) as e:
        events.describe_rule(Name="nope")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(events.exceptions.InvalidEventPatternException):
        events.put_rule(Name="r", EventPattern="[]")
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(Name="nope")
    scheduler.create_schedule_group(Name="g")
    with pytest.raises(scheduler.exceptions.ConflictException):
        scheduler.create_schedule_group(Name="g")


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    assert_bridge_matches_http(scenario)
