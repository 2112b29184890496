"""EventBridge wire operations: buses, rules, targets, PutEvents, input, retries, schedules."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import eventsim_helpers
from serverless_sim import Cloud


@pytest.fixture
def cloud(monkeypatch):
    eventsim_helpers.register(monkeypatch)
    return Cloud(seed=3, start="2026-01-01T00:00:00Z")


@pytest.fixture
def ev(cloud):
    return cloud.client("events")


def entry(source="app.orders", detail_type="OrderPlaced", detail=None, **extra):
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail or {}), **extra}


def rule_to_lambda(cloud, ev, name, pattern, **target):
    arn = cloud.service("lambda").create(f"fn-{name}")
    ev.put_rule(Name=name, EventPattern=json.dumps(pattern))
    ev.put_targets(Rule=name, Targets=[{"Id": "t1", "Arn": arn, **target}])
    return arn


# -- buses -------------------------------------------------------------------------------------
def test_default_bus_and_custom_buses(ev):
    assert [b["Name"] for b in ev.list_event_buses()["EventBuses"]] == ["default"]
    arn = ev.create_event_bus(Name="orders")["EventBusArn"]
    assert arn == "arn:aws:events:us-east-1:123456789012:event-bus/orders"
    with pytest.raises(ev.exceptions.ResourceAlreadyExistsException) as e:
        ev.create_event_bus(Name="orders")
    assert e.value.response["Error"]["Message"] == "Event bus orders already exists."
    assert ev.describe_event_bus(Name="orders")["Arn"] == arn
    ev.delete_event_bus(Name="orders")
    with pytest.raises(ev.exceptions.ResourceNotFoundException) as e:
        ev.describe_event_bus(Name="orders")
    assert e.value.message == "Event bus orders does not exist."


# -- rules -------------------------------------------------------------------------------------
def test_put_describe_list_rules(ev):
    arn = ev.put_rule(Name="r1", EventPattern='{"source": ["a"]}', Description="d")["RuleArn"]
    assert arn == "arn:aws:events:us-east-1:123456789012:rule/r1"
    d = ev.describe_rule(Name="r1")
    assert d["EventPattern"] == '{"source": ["a"]}' and d["State"] == "ENABLED"
    assert d["EventBusName"] == "default" and d["CreatedBy"] == "123456789012"
    ev.create_event_bus(Name="b")
    assert ev.put_rule(Name="r1", EventBusName="b", EventPattern='{"source": ["a"]}')[
        "RuleArn"].endswith(":rule/b/r1")
    for i in range(3):
        ev.put_rule(Name=f"x{i}", EventPattern='{"source": ["a"]}')
    page = ev.list_rules(NamePrefix="x", Limit=2)
    assert [r["Name"] for r in page["Rules"]] == ["x0", "x1"]
    assert [r["Name"] for r in ev.list_rules(NamePrefix="x", NextToken=page["NextToken"])[
        "Rules"]] == ["x2"]


def test_put_rule_validation_leaves_state_unchanged(ev):
    with pytest.raises(ev.exceptions.InvalidEventPatternException):
        ev.put_rule(Name="r", EventPattern='{"source": "a"}')
    with pytest.raises(ev.exceptions.ValidationException):
        ev.put_rule(Name="bad name!", EventPattern='{"source": ["a"]}')
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.put_rule(Name="r")
    assert "EventPattern or ScheduleExpression" in e.value.message
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.put_rule(Name="r", ScheduleExpression="rate(1 minutes)")
    assert e.value.message == "Parameter ScheduleExpression is not valid."
    ev.create_event_bus(Name="b")
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.put_rule(Name="r", EventBusName="b", ScheduleExpression="rate(5 minutes)")
    assert e.value.message == "ScheduleExpression is supported only on the default event bus."
    assert ev.list_rules()["Rules"] == []


def test_rules_per_bus_quota(cloud, ev):
    cloud.service("events").config.max_rules_per_bus = 2
    ev.put_rule(Name="a", EventPattern='{"source": ["a"]}')
    ev.put_rule(Name="b", EventPattern='{"source": ["a"]}')
    with pytest.raises(ev.exceptions.LimitExceededException):
        ev.put_rule(Name="c", EventPattern='{"source": ["a"]}')
    ev.put_rule(Name="a", EventPattern='{"source": ["b"]}')  # an update is not a new rule


def test_delete_rule_requires_targets_removed_first(cloud, ev):
    rule_to_lambda(cloud, ev, "r", {"source": ["a"]})
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.delete_rule(Name="r")
    assert e.value.message == "Rule can't be deleted since it has targets."
    ev.remove_targets(Rule="r", Ids=["t1"])
    ev.delete_rule(Name="r")
    with pytest.raises(ev.exceptions.ResourceNotFoundException) as e:
        ev.describe_rule(Name="r")
    assert e.value.message == "Rule r does not exist on EventBus default."


def test_disabled_rules_do_not_match(cloud, ev):
    fn = rule_to_lambda(cloud, ev, "r", {"source": ["app.orders"]})
    ev.disable_rule(Name="r")
    ev.put_events(Entries=[entry()])
    cloud.run_until_idle()
    assert cloud.service("lambda").payloads(fn) == []
    ev.enable_rule(Name="r")
    ev.put_events(Entries=[entry()])
    cloud.run_until_idle()
    assert len(cloud.service("lambda").payloads(fn)) == 1


def test_test_event_pattern(ev):
    event = {"id": "1", "account": "1", "source": "a", "time": "t", "region": "r",
             "resources": [], "detail-type": "d", "detail": {"n": 5}}
    assert ev.test_event_pattern(EventPattern='{"detail": {"n": [{"numeric": [">", 4]}]}}',
                                 Event=json.dumps(event))["Result"] is True
    with pytest.raises(ev.exceptions.ValidationException):
        ev.test_event_pattern(EventPattern='{"source": ["a"]}', Event='{"source": "a"}')


# -- targets -----------------------------------------------------------------------------------
def test_targets_limits_and_listing(cloud, ev):
    ev.put_rule(Name="r", EventPattern='{"source": ["a"]}')
    fn = cloud.service("lambda").create("f")
    ev.put_targets(Rule="r", Targets=[{"Id": f"t{i}", "Arn": fn} for i in range(5)])
    with pytest.raises(ev.exceptions.LimitExceededException):
        ev.put_targets(Rule="r", Targets=[{"Id": "t9", "Arn": fn}])
    ev.put_targets(Rule="r", Targets=[{"Id": "t0", "Arn": fn, "Input": '{"x": 1}'}])  # replace
    targets = ev.list_targets_by_rule(Rule="r")["Targets"]
    assert [t["Id"] for t in targets] == ["t0", "t1", "t2", "t3", "t4"]
    assert targets[0]["Input"] == '{"x": 1}'
    assert ev.list_rule_names_by_target(TargetArn=fn)["RuleNames"] == ["r"]
    with pytest.raises(ev.exceptions.ValidationException):
        ev.put_targets(Rule="r", Targets=[{"Id": "t0", "Arn": fn, "Input": "{}", "InputPath": "$"}])
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": "arn:aws:sqs:us-east-1:1:q.fifo"}])
    assert e.value.message == "Parameter(s) SqsParameters must be specified for target: q."
    with pytest.raises(ev.exceptions.ResourceNotFoundException):
        ev.put_targets(Rule="nope", Targets=[{"Id": "t", "Arn": fn}])


def test_put_events_envelope_and_failures(cloud, ev):
    fn = rule_to_lambda(cloud, ev, "r", {"source": ["app.orders"]})
    when = dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.timezone.utc)
    resp = ev.put_events(Entries=[
        entry(detail={"id": 7}, Resources=["arn:x"], Time=when),
        entry(detail=None, Detail="[1]"),
        {"Source": "app", "DetailType": "x"},
        entry(source="aws.s3"),
    ])
    assert resp["FailedEntryCount"] == 3
    assert resp["Entries"][1] == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert resp["Entries"][2]["ErrorCode"] == "InvalidArgument"
    assert resp["Entries"][3]["ErrorCode"] == "NotAuthorizedForSourceException"
    assert cloud.service("lambda").payloads(fn) == []  # asynchronous
    cloud.run_until_idle()
    (event,) = cloud.service("lambda").payloads(fn)
    assert event == {"version": "0", "id": resp["Entries"][0]["EventId"],
                     "detail-type": "OrderPlaced", "source": "app.orders",
                     "account": "123456789012", "time": "2025-12-31T23:00:00Z",
                     "region": "us-east-1", "resources": ["arn:x"], "detail": {"id": 7}}


def test_put_events_request_limits(ev):
    with pytest.raises(ev.exceptions.ValidationException):
        ev.put_events(Entries=[entry()] * 11)
    with pytest.raises(ev.exceptions.ValidationException) as e:
        ev.put_events(Entries=[entry(detail={"x": "y" * (256 * 1024)})])
    assert e.value.message == "Total size of the entries in the request is over the limit."


def test_event_ids_are_deterministic(monkeypatch):
    eventsim_helpers.register(monkeypatch)

    def run():
        c = Cloud(seed=11)
        return c.client("events").put_events(Entries=[entry()])["Entries"][0]["EventId"]

    assert run() == run()


def test_input_path_and_constant_input(cloud, ev):
    sqs = cloud.service("sqs")
    q = sqs.create("q")
    ev.put_rule(Name="r", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="r", Targets=[{"Id": "a", "Arn": q, "InputPath": "$.detail.items[1]"}])
    fn = cloud.service("lambda").create("f")
    ev.put_targets(Rule="r", Targets=[{"Id": "b", "Arn": fn, "Input": '{"fixed": true}'}])
    ev.put_events(Entries=[entry(detail={"items": [{"n": 1}, {"n": 2}]})])
    cloud.run_until_idle()
    assert sqs.bodies("q") == [{"n": 2}]
    assert cloud.service("lambda").payloads(fn) == [{"fixed": True}]


def test_input_transformer_json_and_string_templates(cloud, ev):
    fn = rule_to_lambda(
        cloud, ev, "r", {"source": ["app.orders"]},
        InputTransformer={
            "InputPathsMap": {"id": "$.detail.id", "state": "$.detail.state",
                              "obj": "$.detail.obj", "none": "$.detail.missing"},
            "InputTemplate": '{"id": <id>, "text": "order <id> is <state>", "obj": <obj>, '
                             '"none": <none>, "rule": "<aws.events.rule-name>", '
                             '"event": <aws.events.event.json>, "html": "<b>"}',
        })
    ev.put_events(Entries=[entry(detail={"id": 7, "state": "PAID", "obj": {"k": [1]}})])
    cloud.run_until_idle()
    (p,) = cloud.service("lambda").payloads(fn)
    assert p["id"] == 7 and p["text"] == "order 7 is PAID" and p["obj"] == {"k": [1]}
    assert p["none"] is None and p["rule"] == "r" and p["html"] == "<b>"
    assert p["event"]["detail"]["state"] == "PAID"


def test_input_transformer_plain_string_to_sns(cloud, ev):
    topic = cloud.arn("sns", "alerts")
    ev.put_rule(Name="r", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": topic, "InputTransformer": {
        "InputPathsMap": {"state": "$.detail.state"},
        "InputTemplate": '"Order is <state>"'}}])
    ev.put_events(Entries=[entry(detail={"state": "SHIPPED"})])
    cloud.run_until_idle()
    assert cloud.service("sns").published[0]["Message"] == '"Order is SHIPPED"'


def test_step_functions_and_bus_to_bus_targets(cloud, ev):
    ev.create_event_bus(Name="other")
    other_arn = ev.describe_event_bus(Name="other")["Arn"]
    ev.put_rule(Name="fwd", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="fwd", Targets=[{"Id": "bus", "Arn": other_arn}])
    sm = cloud.arn("states", "stateMachine:orders")
    ev.put_rule(Name="on-other", EventBusName="other", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="on-other", EventBusName="other", Targets=[{"Id": "sfn", "Arn": sm}])
    ev.put_events(Entries=[entry(detail={"n": 1})])
    cloud.run_until_idle()
    (started,) = cloud.service("stepfunctions").started
    assert started["stateMachineArn"] == sm and json.loads(started["input"])["detail"] == {"n": 1}


def test_fifo_queue_target_gets_group_and_dedup_id(cloud, ev):
    sqs = cloud.service("sqs")
    q = sqs.create("q.fifo")
    ev.put_rule(Name="r", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": q,
                                       "SqsParameters": {"MessageGroupId": "g1"}}])
    eid = ev.put_events(Entries=[entry()])["Entries"][0]["EventId"]
    cloud.run_until_idle()
    msg = sqs.queues["q.fifo"][0]
    assert msg["MessageGroupId"] == "g1" and msg["MessageDeduplicationId"] == eid


def test_delivery_delay_is_configurable(cloud, ev):
    cloud.service("events").config.delivery_delay = 0.25
    fn = rule_to_lambda(cloud, ev, "r", {"source": ["app.orders"]})
    ev.put_events(Entries=[entry()])
    cloud.run_until_idle()
    (at, _), = cloud.service("lambda").functions[fn]
    assert at - cloud.start_us == 250_000


def test_failed_target_is_retried_then_dead_lettered(cloud, ev):
    sqs = cloud.service("sqs")
    dlq = sqs.create("dlq")
    missing_fn = cloud.arn("lambda", "function:gone")
    ev.put_rule(Name="r", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="r", Targets=[{
        "Id": "t", "Arn": missing_fn, "RetryPolicy": {"MaximumRetryAttempts": 3},
        "DeadLetterConfig": {"Arn": dlq}}])
    ev.put_events(Entries=[entry(detail={"k": 1})])
    cloud.run_until_idle()
    fails = cloud.trace.filter(service="events", kind="target_failed")
    assert len(fails) == 4  # first attempt + 3 retries
    (msg,) = sqs.queues["dlq"]
    attrs = {k: v["StringValue"] for k, v in msg["MessageAttributes"].items()}
    assert attrs["ERROR_CODE"] == "ResourceNotFoundException"
    assert attrs["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttemptsExhausted"
    assert attrs["RETRY_ATTEMPTS"] == "3" and attrs["RULE_ARN"].endswith(":rule/r")
    assert json.loads(msg["MessageBody"])["detail"] == {"k": 1}
    failed = cloud.metrics.statistics("AWS/Events", "FailedInvocations", {"RuleName": "r"},
                                      cloud.start_us, cloud.now_us + 1, 86_400)
    assert failed[0]["Sum"] == 4


def test_max_event_age_bounds_retries(cloud, ev):
    ev.put_rule(Name="r", EventPattern='{"source": ["app.orders"]}')
    ev.put_targets(Rule="r", Targets=[{
        "Id": "t", "Arn": cloud.arn("lambda", "function:gone"),
        "RetryPolicy": {"MaximumEventAgeInSeconds": 60}}])
    ev.put_events(Entries=[entry()])
    cloud.run_until_idle()
    (drop,) = cloud.trace.filter(service="events", kind="event_dropped")
    assert drop.attributes["reason"] == "MaximumEventAgeExhausted"
    assert cloud.now_us - cloud.start_us <= 60_000_000


# -- scheduled rules ---------------------------------------------------------------------------
def test_rate_rule_fires_every_period_as_daemon(cloud, ev):
    fn = cloud.service("lambda").create("tick")
    ev.put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")
    ev.put_targets(Rule="tick", Targets=[{"Id": "t", "Arn": fn}])
    assert cloud.run_until_idle() == 0  # a schedule alone does not keep the simulation busy
    cloud.advance(3600)
    payloads = cloud.service("lambda").payloads(fn)
    assert len(payloads) == 12
    assert payloads[0]["detail-type"] == "Scheduled Event" and payloads[0]["source"] == "aws.events"
    assert payloads[0]["time"] == "2026-01-01T00:05:00Z"
    assert payloads[0]["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/tick"]


def test_cron_rule_in_utc_and_disable_stops_it(cloud, ev):
    fn = cloud.service("lambda").create("nightly")
    ev.put_rule(Name="nightly", ScheduleExpression="cron(0 2 * * ? *)")
    ev.put_targets(Rule="nightly", Targets=[{"Id": "t", "Arn": fn}])
    cloud.advance(3 * 86_400)
    times = [p["time"] for p in cloud.service("lambda").payloads(fn)]
    assert times == ["2026-01-01T02:00:00Z", "2026-01-02T02:00:00Z", "2026-01-03T02:00:00Z"]
    ev.disable_rule(Name="nightly")
    cloud.advance(2 * 86_400)
    assert len(cloud.service("lambda").payloads(fn)) == 3
