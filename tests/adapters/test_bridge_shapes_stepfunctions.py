"""Step Functions through real boto3 (the botocore bridge): every offered operation (activities,
task tokens, redrive, Map Runs, synchronous Express executions), its paginators and the modelled
errors; every response must be what botocore's parser produces from the service model
(:mod:`shape_check`), and the values that matter must round-trip.

Standard executions run as the virtual clock moves; a boto3 caller cannot move it, but a
StartSyncExecution waits for its Express execution, which lets the clock (and everything due
meanwhile) run: the scenario uses one as its "pump"."""

from __future__ import annotations

import datetime as dt
import json

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402

from bridge_scenarios import (  # noqa: E402
    assert_bridge_matches_http,
    assert_conforms,
    error_codes,
    missing_operations,
    pages,
)
from bridge_scenarios import responses as _responses  # noqa: E402
from shape_check import recorder  # noqa: E402

from serverless_sim import Cloud  # noqa: E402

SERVICE = "stepfunctions"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/shapes-sfn"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"echo.$": "$"}, "End": True}}}
#: The pump: waits a virtual second (what is due meanwhile runs), then echoes its input.
PUMP = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "P"}, **PASS["States"]}}


def worker(activity_arn):
    return {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": activity_arn, "HeartbeatSeconds": 600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True}}}


DMAP = {"StartAt": "M", "States": {"M": {
    "Type": "Map", "ItemsPath": "$.items", "Label": "Fan", "MaxConcurrency": 2, "End": True,
    "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                      "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}


def scenario(client_factory):
    """Drive every Step Functions operation the simulator offers."""
    out: list = []
    call = recorder(out)
    # StartSyncExecution's endpoint has a host prefix ("sync-"): not over a local endpoint URL.
    sfn = client_factory("stepfunctions", config=Config(inject_host_prefix=False))
    express = call(sfn, "create_state_machine", name="shapes-express", definition=json.dumps(PUMP), roleArn=ROLE,
                   type="EXPRESS")["stateMachineArn"]

    def pump():  # a synchronous Express execution: the clock runs while it does
        return call(sfn, "start_sync_execution", stateMachineArn=express, input=json.dumps({"pump": 1}))

    acts = [call(sfn, "create_activity", name=f"shapes-act-{i}", tags=[{"key": "i", "value": str(i)}])["activityArn"]
            for i in range(3)]
    call(sfn, "create_activity", name="bad name?")  # InvalidName
    call(sfn, "describe_activity", activityArn=acts[0])
    call(sfn, "describe_activity", activityArn=acts[0] + "-gone")  # ActivityDoesNotExist
    call(sfn, "list_activities", maxResults=2)
    pages(out, sfn, "list_activities", PaginationConfig={"PageSize": 2})

    sm = call(sfn, "create_state_machine", name="shapes-sm", definition=json.dumps(worker(acts[0])), roleArn=ROLE,
              tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    call(sfn, "create_state_machine", name="shapes-bad", definition=json.dumps({"StartAt": "Nope", "States": {}}),
         roleArn=ROLE)  # InvalidDefinition
    call(sfn, "describe_state_machine", stateMachineArn=sm)
    call(sfn, "describe_state_machine", stateMachineArn=sm + "-gone")  # StateMachineDoesNotExist
    call(sfn, "validate_state_machine_definition", definition=json.dumps(PASS))
    call(sfn, "validate_state_machine_definition", definition=json.dumps({"StartAt": "X", "States": {}}))
    call(sfn, "list_state_machines")
    pages(out, sfn, "list_state_machines", PaginationConfig={"PageSize": 1})

    # Three executions on the activity: one succeeds, one fails (then is redriven), one is stopped.
    exs = [call(sfn, "start_execution", stateMachineArn=sm, name=f"run-{i}", input=json.dumps({"i": i}))["executionArn"]
           for i in range(3)]
    call(sfn, "start_execution", stateMachineArn=sm, name="run-0", input=json.dumps({"i": 99}))  # ExecutionAlreadyExists
    pump()
    task = call(sfn, "get_activity_task", activityArn=acts[0], workerName="w1")
    call(sfn, "send_task_heartbeat", taskToken=task["taskToken"])
    call(sfn, "send_task_success", taskToken=task["taskToken"], output=json.dumps({"done": json.loads(task["input"])}))
    call(sfn, "send_task_success", taskToken=task["taskToken"], output="{}")  # TaskTimedOut: already closed
    call(sfn, "send_task_success", taskToken="not-a-token", output="{}")  # InvalidToken
    task = call(sfn, "get_activity_task", activityArn=acts[0], workerName="w1")
    call(sfn, "send_task_failure", taskToken=task["taskToken"], error="Boom", cause="it broke")
    call(sfn, "stop_execution", executionArn=exs[2], error="Halt", cause="by hand")
    pump()
    call(sfn, "describe_execution", executionArn=exs[0])
    call(sfn, "describe_execution", executionArn=exs[1])
    call(sfn, "describe_execution", executionArn=exs[2])
    call(sfn, "describe_execution", executionArn=exs[0] + "-gone")  # ExecutionDoesNotExist
    call(sfn, "redrive_execution", executionArn=exs[1])
    call(sfn, "redrive_execution", executionArn=exs[0])  # ExecutionNotRedrivable (it succeeded)
    pump()
    task = call(sfn, "get_activity_task", activityArn=acts[0], workerName="w2")
    call(sfn, "send_task_success", taskToken=task["taskToken"], output=json.dumps({"again": True}))
    pump()
    call(sfn, "describe_execution", executionArn=exs[1])
    call(sfn, "describe_state_machine_for_execution", executionArn=exs[0])
    call(sfn, "get_execution_history", executionArn=exs[0], maxResults=3, reverseOrder=True)
    pages(out, sfn, "get_execution_history", executionArn=exs[0], PaginationConfig={"PageSize": 4})
    call(sfn, "list_executions", stateMachineArn=sm, statusFilter="SUCCEEDED")
    pages(out, sfn, "list_executions", stateMachineArn=sm, PaginationConfig={"PageSize": 2})

    # A Distributed Map: its Map Run.
    dm = call(sfn, "create_state_machine", name="shapes-dmap", definition=json.dumps(DMAP),
              roleArn=ROLE)["stateMachineArn"]
    dex = call(sfn, "start_execution", stateMachineArn=dm, name="fan", input=json.dumps({"items": [1, 2, 3]}))
    pump()
    runs = call(sfn, "list_map_runs", executionArn=dex["executionArn"])
    run_arn = runs["mapRuns"][0]["mapRunArn"] if runs.get("mapRuns") else dex["executionArn"]
    pages(out, sfn, "list_map_runs", executionArn=dex["executionArn"], PaginationConfig={"PageSize": 1})
    call(sfn, "describe_map_run", mapRunArn=run_arn)
    call(sfn, "update_map_run", mapRunArn=run_arn, maxConcurrency=5)
    call(sfn, "update_map_run", mapRunArn=run_arn + "-gone", maxConcurrency=5)  # ResourceNotFound
    call(sfn, "list_executions", mapRunArn=run_arn)
    call(sfn, "describe_execution", executionArn=dex["executionArn"])

    # Updating, tagging, deleting.
    call(sfn, "update_state_machine", stateMachineArn=sm, definition=json.dumps(PASS))
    call(sfn, "update_state_machine", stateMachineArn=sm, definition="{not json")  # InvalidDefinition
    call(sfn, "describe_state_machine", stateMachineArn=sm)
    call(sfn, "tag_resource", resourceArn=sm, tags=[{"key": "env", "value": "test"}])
    call(sfn, "list_tags_for_resource", resourceArn=sm)
    call(sfn, "untag_resource", resourceArn=sm, tagKeys=["team"])
    call(sfn, "list_tags_for_resource", resourceArn=sm)
    call(sfn, "list_tags_for_resource", resourceArn=acts[1])
    call(sfn, "tag_resource", resourceArn=sm + "-gone", tags=[{"key": "k", "value": "v"}])  # ResourceNotFound
    call(sfn, "delete_activity", activityArn=acts[2])
    call(sfn, "describe_activity", activityArn=acts[2])  # ActivityDoesNotExist
    call(sfn, "delete_state_machine", stateMachineArn=dm)
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    return session, scenario(session.client)


def responses(records, op):
    return _responses(records, SERVICE, op)


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    assert_conforms(session, records, min_errors=12)


def test_every_offered_operation_is_exercised(run):
    _, records = run
    missing = missing_operations(records, SERVICE, Cloud().service(SERVICE))
    assert not missing, f"Step Functions operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_activities_and_machines(run):
    _, records = run
    act = responses(records, "DescribeActivity")[0]
    assert act["name"] == "shapes-act-0" and act["activityArn"] == f"arn:aws:states:us-east-1:{ACCOUNT}:activity:shapes-act-0"
    assert isinstance(act["creationDate"], dt.datetime)
    lists = responses(records, "ListActivities")
    assert [a["name"] for a in lists[0]["activities"]] == ["shapes-act-0", "shapes-act-1"] and lists[0]["nextToken"]
    assert [[a["name"] for a in p["activities"]] for p in lists[1:]] == [["shapes-act-0", "shapes-act-1"], ["shapes-act-2"]]
    desc = responses(records, "DescribeStateMachine")[0]
    assert desc["name"] == "shapes-sm" and desc["type"] == "STANDARD" and desc["status"] == "ACTIVE"
    assert json.loads(desc["definition"])["StartAt"] == "Work" and desc["roleArn"] == ROLE
    assert json.loads(responses(records, "DescribeStateMachine")[-1]["definition"]) == PASS
    machines = responses(records, "ListStateMachines")
    assert [m["name"] for m in machines[0]["stateMachines"]] == ["shapes-express", "shapes-sm"]
    assert [[m["name"] for m in p["stateMachines"]] for p in machines[1:]] == [["shapes-express"], ["shapes-sm"]]
    valid = responses(records, "ValidateStateMachineDefinition")
    assert valid[0]["result"] == "OK" and valid[0]["diagnostics"] == []
    assert valid[1]["result"] == "FAIL" and valid[1]["diagnostics"][0]["severity"] == "ERROR"


def test_executions_task_tokens_and_redrive(run):
    _, records = run
    tasks = responses(records, "GetActivityTask")
    assert [json.loads(t["input"]) for t in tasks] == [{"i": 0}, {"i": 1}, {"i": 1}]
    ok, failed, stopped = responses(records, "DescribeExecution")[:3]
    assert ok["status"] == "SUCCEEDED" and json.loads(ok["output"]) == {"done": {"i": 0}}
    assert failed["status"] == "FAILED" and (failed["error"], failed["cause"]) == ("Boom", "it broke")
    assert failed["redriveStatus"] == "REDRIVABLE"
    assert stopped["status"] == "ABORTED" and (stopped["error"], stopped["cause"]) == ("Halt", "by hand")
    assert isinstance(ok["stopDate"], dt.datetime) and ok["name"] == "run-0"
    redriven = responses(records, "DescribeExecution")[4]
    assert redriven["status"] == "SUCCEEDED" and redriven["redriveCount"] == 1
    assert json.loads(redriven["output"]) == {"again": True}
    assert isinstance(responses(records, "RedriveExecution")[0]["redriveDate"], dt.datetime)
    syncs = responses(records, "StartSyncExecution")
    assert all(s["status"] == "SUCCEEDED" and json.loads(s["output"]) == {"echo": {"pump": 1}} for s in syncs)
    assert responses(records, "DescribeStateMachineForExecution")[0]["name"] == "shapes-sm"


def test_history_and_listing_pages(run):
    _, records = run
    history = responses(records, "GetExecutionHistory")
    latest = history[0]["events"]
    assert [e["type"] for e in latest][0] == "ExecutionSucceeded" and len(latest) == 3
    paged = [e for p in history[1:] for e in p["events"]]
    assert [e["id"] for e in paged] == list(range(1, len(paged) + 1))
    assert paged[0]["type"] == "ExecutionStarted" and paged[-1]["type"] == "ExecutionSucceeded"
    assert json.loads(paged[0]["executionStartedEventDetails"]["input"]) == {"i": 0}
    assert all(len(p["events"]) <= 4 for p in history[1:]) and len(history) > 2
    listed = responses(records, "ListExecutions")
    assert sorted(e["name"] for e in listed[0]["executions"]) == ["run-0", "run-1"]
    assert sorted(e["name"] for p in listed[1:3] for e in p["executions"]) == ["run-0", "run-1", "run-2"]
    assert [len(p["executions"]) for p in listed[1:3]] == [2, 1]


def test_map_runs(run):
    _, records = run
    runs = responses(records, "ListMapRuns")
    assert len(runs[0]["mapRuns"]) == 1 and runs[0]["mapRuns"][0]["mapRunArn"].startswith(
        f"arn:aws:states:us-east-1:{ACCOUNT}:mapRun:shapes-dmap/Fan:")
    described = responses(records, "DescribeMapRun")[0]
    assert described["status"] == "SUCCEEDED" and described["maxConcurrency"] == 2
    assert described["itemCounts"]["succeeded"] == 3 and described["executionCounts"]["total"] == 3
    children = responses(records, "ListExecutions")[-1]["executions"]
    assert len(children) == 3 and all(c["mapRunArn"] == described["mapRunArn"] for c in children)
    assert responses(records, "DescribeExecution")[-1]["status"] == "SUCCEEDED"


def test_tags(run):
    _, records = run
    tags = responses(records, "ListTagsForResource")
    assert sorted((t["key"], t["value"]) for t in tags[0]["tags"]) == [("env", "test"), ("team", "a")]
    assert tags[1]["tags"] == [{"key": "env", "value": "test"}]
    assert tags[2]["tags"] == [{"key": "i", "value": "1"}]


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, SERVICE, "CreateActivity") == ["InvalidName"]
    assert error_codes(records, SERVICE, "DescribeActivity") == ["ActivityDoesNotExist"] * 2
    assert error_codes(records, SERVICE, "CreateStateMachine") == ["InvalidDefinition"]
    assert error_codes(records, SERVICE, "DescribeStateMachine") == ["StateMachineDoesNotExist"]
    assert error_codes(records, SERVICE, "StartExecution") == ["ExecutionAlreadyExists"]
    assert error_codes(records, SERVICE, "SendTaskSuccess") == ["TaskTimedOut", "InvalidToken"]
    assert error_codes(records, SERVICE, "DescribeExecution") == ["ExecutionDoesNotExist"]
    assert error_codes(records, SERVICE, "RedriveExecution") == ["ExecutionNotRedrivable"]
    assert error_codes(records, SERVICE, "UpdateMapRun") == ["ResourceNotFound"]
    assert error_codes(records, SERVICE, "UpdateStateMachine") == ["InvalidDefinition"]
    assert error_codes(records, SERVICE, "TagResource") == ["ResourceNotFound"]
    missing = [r for r in responses(records, "DescribeExecution") if "Error" in r][0]
    assert missing["Error"]["Message"].startswith("Execution Does Not Exist:")
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_modelled_exceptions_are_raised():
    sfn = Cloud().boto3_session().client("stepfunctions")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as e:
        sfn.describe_state_machine(stateMachineArn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:nope")
    assert e.value.response["Error"]["Code"] == "StateMachineDoesNotExist"
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="x", definition="{}", roleArn=ROLE)
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_failure(taskToken="nope")


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    assert_bridge_matches_http(scenario)
