"""Execution API: StartExecution name rules, DescribeExecution, GetExecutionHistory paging,
StopExecution, ListExecutions, RedriveExecution, the history and payload limits, determinism.

Sources: API reference of each action; DG service-quotas (25,000 history events, 256 KiB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from serverless_sim import Cloud
from sfn_helpers import events, make, run, types

WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}


def test_names_are_unique_and_idempotent_while_running():
    cloud, sfn, arn = make(WAIT)
    a = sfn.start_execution(stateMachineArn=arn, name="run1", input='{"a":1}')
    b = sfn.start_execution(stateMachineArn=arn, name="run1", input='{"a":1}')
    assert a["executionArn"] == b["executionArn"].replace("", "") and \
        a["executionArn"].endswith(":execution:sm:run1")
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="run1", input='{"a":2}')
    cloud.run_until_idle()
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="run1", input='{"a":1}')


def test_bad_inputs():
    cloud, sfn, arn = make(WAIT)
    with pytest.raises(sfn.exceptions.InvalidExecutionInput):
        sfn.start_execution(stateMachineArn=arn, input="{nope")
    with pytest.raises(sfn.exceptions.InvalidName):
        sfn.start_execution(stateMachineArn=arn, name="a b")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=arn + "x")
    with pytest.raises(sfn.exceptions.ValidationException):
        sfn.start_execution(stateMachineArn=arn, input=json.dumps("x" * 262_200))
    assert cloud.service("stepfunctions").executions == {}


def test_start_returns_at_once_and_describe_follows_the_clock():
    cloud, sfn, arn = make(WAIT)
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    cloud.advance(99)
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    cloud.advance(1)
    assert sfn.describe_execution(executionArn=ex)["status"] == "SUCCEEDED"


def test_history_paging_reverse_and_execution_data():
    chain = {"StartAt": "P0", "States": {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"}
                                          for i in range(9)}}
    chain["States"]["P9"] = {"Type": "Pass", "End": True}
    desc, (cloud, sfn, arn) = run(chain, {"k": 1})
    page1 = sfn.get_execution_history(executionArn=arn, maxResults=5)
    assert [e["id"] for e in page1["events"]] == [1, 2, 3, 4, 5]
    page2 = sfn.get_execution_history(executionArn=arn, maxResults=5, nextToken=page1["nextToken"])
    assert [e["id"] for e in page2["events"]] == [6, 7, 8, 9, 10]
    rev = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=3)
    assert [e["id"] for e in rev["events"]] == [22, 21, 20]
    assert rev["events"][0]["type"] == "ExecutionSucceeded"
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert "input" not in bare[1]["stateEnteredEventDetails"]
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.get_execution_history(executionArn=arn, nextToken="garbage")


def test_stop_execution_aborts_and_records_events():
    cloud, sfn, arn = make(WAIT)
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    cloud.advance(5)
    r = sfn.stop_execution(executionArn=ex, error="Op", cause="manual")
    desc = sfn.describe_execution(executionArn=ex)
    assert desc["status"] == "ABORTED" and desc["stopDate"] == r["stopDate"]
    assert (desc["error"], desc["cause"]) == ("Op", "manual")
    assert types(sfn, ex)[-2:] == ["WaitStateAborted", "ExecutionAborted"]
    cloud.run_until_idle()
    assert cloud.now == desc["stopDate"]  # the aborted Wait left nothing on the clock


def test_list_executions_filters_and_pages():
    cloud, sfn, arn = make(WAIT)
    arns = []
    for i in range(3):
        arns.append(sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"])
        cloud.advance(1)
    cloud.advance(97)  # now t=100: e0 done
    running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
    assert [e["name"] for e in running] == ["e2", "e1"]
    done = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [e["name"] for e in done] == ["e0"]
    p = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    assert len(p["executions"]) == 2 and "nextToken" in p
    rest = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=p["nextToken"])
    assert [e["name"] for e in rest["executions"]] == ["e0"]


def test_redrive_from_the_failed_state():
    calls = {"n": 0}
    d = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.fixed", "IsPresent": True,
                                             "Next": "Ok"}], "Default": "Bad"},
        "Bad": {"Type": "Fail", "Error": "NotYet"},
        "Ok": {"Type": "Succeed"}}}
    desc, (cloud, sfn, arn) = run(d)
    assert desc["status"] == "FAILED" and desc["redriveStatus"] == "REDRIVABLE"
    sfn.redrive_execution(executionArn=arn)
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=arn)
    assert desc["status"] == "FAILED" and desc["redriveCount"] == 1
    assert "ExecutionRedriven" in types(sfn, arn)
    ok, (c2, s2, a2) = run({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(s2.exceptions.ExecutionNotRedrivable):
        s2.redrive_execution(executionArn=a2)
    assert calls["n"] == 0


def test_history_limit_fails_the_execution():
    loop = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.never", "IsPresent": True,
                                             "Next": "End"}], "Default": "A"},
        "End": {"Type": "Succeed"}}}
    desc, (cloud, sfn, arn) = run(loop)
    assert desc["status"] == "FAILED" and desc["error"] == "States.Runtime"
    assert "25000" in desc["cause"]
    assert len(cloud.service("stepfunctions").execution(arn).history) == 25_001


def test_delete_while_running_keeps_executions_going():
    cloud, sfn, arn = make(WAIT)
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.delete_state_machine(stateMachineArn=arn)
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    with pytest.raises(sfn.exceptions.StateMachineDeleting):
        sfn.start_execution(stateMachineArn=arn)
    cloud.run_until_idle()
    assert sfn.describe_execution(executionArn=ex)["status"] == "SUCCEEDED"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


SCENARIO = r"""
import json, hashlib
from serverless_sim import Cloud
cloud = Cloud(seed=42)
sfn = cloud.client("stepfunctions")
d = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.xs",
     "ItemSelector": {"u.$": "States.UUID()", "r.$": "States.MathRandom(0, 1000)",
                      "i.$": "$$.Map.Item.Index"},
     "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
     "End": True}}}
arn = sfn.create_state_machine(name="d", definition=json.dumps(d),
                               roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"xs": list(range(5))}))
cloud.run_until_idle()
h = sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
print(hashlib.sha256(json.dumps(h, default=str).encode()).hexdigest(), cloud.trace.digest())
"""


def test_runs_are_identical_across_processes_and_hash_seeds():
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env["PYTHONPATH"] = os.pathsep.join([os.getcwd(), env.get("PYTHONPATH", "")])
        outs.add(subprocess.run([sys.executable, "-c", SCENARIO], env=env, capture_output=True,
                                text=True, check=True).stdout)
    assert len(outs) == 1


def test_a_running_cloud_can_be_deep_copied_and_both_copies_carry_on():
    """Executions are plain data driven by scheduled callbacks (no generators), so forking
    the whole Cloud mid-execution works."""
    import copy

    d = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "Next": "M"},
                                    "M": {"Type": "Map", "ItemProcessor": {"StartAt": "P",
                                          "States": {"P": {"Type": "Pass", "End": True}}},
                                          "End": True}}}
    cloud, sfn, arn = make(d)
    ex = sfn.start_execution(stateMachineArn=arn, input="[1, 2]")["executionArn"]
    cloud.advance(5)
    # The kernel's Trace holds a hashlib object (not copyable): share it; copy the rest.
    fork = copy.deepcopy(cloud, memo={id(cloud.trace): cloud.trace})
    for c in (cloud, fork):
        c.run_until_idle()
        client = c.client("stepfunctions")
        assert json.loads(client.describe_execution(executionArn=ex)["output"]) == [1, 2]
