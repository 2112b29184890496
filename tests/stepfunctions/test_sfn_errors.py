"""Retry, Catch, timeouts and the uncatchable errors.

Rules: DG concepts-error-handling (retry delay IntervalSeconds * BackoffRate^(n-1) capped by
MaxDelaySeconds; JitterStrategy FULL; States.ALL does not catch States.Runtime /
States.DataLimitExceeded; States.TaskFailed matches all but States.Timeout) and SL "Retrying
after error" / "Fallback states".
"""

from __future__ import annotations

import json
import time

from serverless_sim import Cloud
from sfn_fakes import install
from sfn_helpers import events, make, output, run, types

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


class Flaky(Exception):
    pass


def flaky(times):
    calls = {"n": 0}

    def handler(event):
        calls["n"] += 1
        if calls["n"] <= times:
            raise Flaky(f"attempt {calls['n']}")
        return {"ok": calls["n"]}
    return handler


def task(retry=None, catch=None, fn="f", **extra):
    st = {"Type": "Task", "Resource": FN + fn, "End": True, **extra}
    if retry is not None:
        st["Retry"] = retry
    if catch is not None:
        st["Catch"] = catch
    return {"StartAt": "T", "States": {"T": st, "Handled": {"Type": "Pass", "End": True}}} \
        if catch else {"StartAt": "T", "States": {"T": st}}


def start(d, lambdas, input=None, cloud=None):
    cloud = cloud or Cloud(seed=11)
    install(cloud, lambdas)
    cloud, sfn, arn = make(d, cloud=cloud)
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(input or {}))
    cloud.run_until_idle()
    return cloud, sfn, ex["executionArn"], sfn.describe_execution(executionArn=ex["executionArn"])


def test_retry_backoff_timing_on_the_clock():
    """IntervalSeconds 2, BackoffRate 3: retries after 2 s and 6 s."""
    d = task(retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3,
                     "MaxAttempts": 3}])
    cloud, sfn, arn, desc = start(d, {"f": flaky(2)})
    assert desc["status"] == "SUCCEEDED" and json.loads(desc["output"]) == {"ok": 3}
    scheduled = [e["timestamp"].timestamp() - desc["startDate"].timestamp()
                 for e in events(sfn, arn) if e["type"] == "LambdaFunctionScheduled"]
    assert scheduled == [0, 2, 8]


def test_max_delay_and_exhausted_retries_then_catch():
    d = task(retry=[{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10,
                     "MaxAttempts": 2, "MaxDelaySeconds": 15}],
             catch=[{"ErrorEquals": ["Flaky"], "ResultPath": "$.error", "Next": "Handled"}])
    cloud, sfn, arn, desc = start(d, {"f": flaky(5)}, {"in": 1})
    out = json.loads(desc["output"])
    assert out["in"] == 1 and out["error"]["Error"] == "Flaky"
    assert json.loads(out["error"]["Cause"])["errorMessage"] == "attempt 3"
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() == 25  # 10 + min(100, 15)


def test_max_attempts_zero_never_retries():
    d = task(retry=[{"ErrorEquals": ["Flaky"], "MaxAttempts": 0}])
    cloud, sfn, arn, desc = start(d, {"f": flaky(1)})
    assert desc["status"] == "FAILED" and desc["error"] == "Flaky"


def test_full_jitter_is_deterministic_per_seed_and_bounded():
    d = task(retry=[{"ErrorEquals": ["Flaky"], "IntervalSeconds": 100, "MaxAttempts": 1,
                     "JitterStrategy": "FULL"}])
    durations = []
    for _ in range(2):
        _, _, _, desc = start(d, {"f": flaky(1)})
        durations.append((desc["stopDate"] - desc["startDate"]).total_seconds())
    assert durations[0] == durations[1] and 0 <= durations[0] <= 100


def test_task_failed_matches_function_errors_but_not_timeout():
    d = task(catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}])
    _, _, _, desc = start(d, {"f": flaky(1)})
    assert desc["status"] == "SUCCEEDED"


def test_uncatchable_runtime_error():
    d = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN + "f", "InputPath": "$.missing", "End": True,
              "Retry": [{"ErrorEquals": ["States.ALL"]}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}]},
        "H": {"Type": "Succeed"}}}
    _, _, _, desc = start(d, {"f": lambda e: e})
    assert desc["status"] == "FAILED" and desc["error"] == "States.Runtime"


def test_data_limit_exceeded():
    d = task(catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handled"}])
    _, _, _, desc = start(d, {"f": lambda e: "x" * 300_000})
    assert desc["status"] == "FAILED" and desc["error"] == "States.DataLimitExceeded"


def test_waitfortasktoken_timeout_and_heartbeat():
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
        "TimeoutSeconds": 300, "HeartbeatSeconds": 60, "End": True}}}
    cloud = Cloud(seed=1)
    lam, _ = install(cloud, {"f": lambda e: None})
    cloud, sfn, arn = make(d, cloud=cloud)
    ex = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    cloud.advance(1)
    token = lam.calls[0][1]["token"]
    cloud.advance(50)
    sfn.send_task_heartbeat(taskToken=token)
    cloud.advance(50)  # 101 s: the first deadline (60 s) was pushed to 111 s
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex)
    assert desc["error"] == "States.HeartbeatTimeout"
    assert desc["stopDate"].timestamp() - desc["startDate"].timestamp() == 111
    assert "TaskTimedOut" in types(sfn, ex)
    try:
        sfn.send_task_success(taskToken=token, output="{}")
    except sfn.exceptions.TaskTimedOut as e:
        assert "Provided task does not exist anymore" in e.message
    else:  # pragma: no cover
        raise AssertionError("expected TaskTimedOut")


def test_task_timeout_seconds_path():
    d = {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "f", "Payload": {}}, "TimeoutSecondsPath": "$.t",
        "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "H"}], "End": True},
        "H": {"Type": "Pass", "Result": "timed out", "End": True}}}
    _, _, _, desc = start(d, {"f": lambda e: None}, {"t": 42})
    assert json.loads(desc["output"]) == "timed out"
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() == 42


def test_execution_timeout_seconds():
    d = {"TimeoutSeconds": 30, "StartAt": "W",
         "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}}}
    desc, (cloud, sfn, arn) = run(d)
    assert desc["status"] == "TIMED_OUT" and desc["error"] == "States.Timeout"
    assert types(sfn, arn)[-1] == "ExecutionTimedOut"


def test_one_year_wait_with_retries_is_fast_in_wall_time():
    """The issue's check: a one-year Wait with retries finishes in milliseconds of wall time."""
    d = {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 365 * 86400 - 3600, "Next": "T"},
        "T": {"Type": "Task", "Resource": FN + "f", "End": True,
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 5,
                         "BackoffRate": 2}]}}}
    t0 = time.perf_counter()
    cloud, sfn, arn, desc = start(d, {"f": flaky(4)})
    wall = time.perf_counter() - t0
    assert desc["status"] == "SUCCEEDED"
    assert (desc["stopDate"] - desc["startDate"]).total_seconds() == \
        365 * 86400 - 3600 + 60 + 120 + 240 + 480
    assert wall < 0.5


def test_catch_with_jsonata_output_and_assign():
    d = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN + "f", "End": True,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H",
                         "Assign": {"err": "{% $states.errorOutput.Error %}"},
                         "Output": {"caught": "{% $states.errorOutput.Error %}"}}]},
        "H": {"Type": "Pass", "Output": {"o": "{% $states.input %}", "v": "{% $err %}"},
              "End": True}}}
    _, _, _, desc = start(d, {"f": flaky(1)})
    assert json.loads(desc["output"]) == {"o": {"caught": "Flaky"}, "v": "Flaky"}
