"""Invoke: response shapes, errors, timeouts, payload limits, invocation types, blocking."""

from __future__ import annotations

import base64
import json
import time

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import InitModel, build_zip

ROLE = "arn:aws:iam::123456789012:role/r"


def setup(source="def handler(event, context):\n    print('got', event)\n    return {'echo': event}\n", **kw):
    cloud = Cloud(seed=2)
    cloud.service("lambda").config.init_model = InitModel(fixed_s=0.1)
    client = cloud.client("lambda")
    params = dict(FunctionName="f", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                  Code={"ZipFile": build_zip({"app.py": source})})
    params.update(kw)
    client.create_function(**params)
    return cloud, client


def test_request_response_shape_and_log_tail():
    cloud, client = setup()
    resp = client.invoke(FunctionName="f", Payload=b'{"a": 1}', LogType="Tail")
    assert resp["StatusCode"] == 200 and resp["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in resp
    assert json.loads(resp["Payload"].read()) == {"echo": {"a": 1}}
    log = base64.b64decode(resp["LogResult"]).decode()
    lines = log.splitlines()
    assert lines[0].startswith("START RequestId: ") and lines[0].endswith(" Version: $LATEST")
    assert "got {'a': 1}" in lines
    assert lines[-2].startswith("END RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ") and "\tInit Duration: 100.00 ms" in lines[-1]


def test_log_tail_is_last_4kb():
    cloud, client = setup("def handler(event, context):\n    print('x' * 10000)\n    return 1\n")
    log = base64.b64decode(client.invoke(FunctionName="f", LogType="Tail")["LogResult"])
    assert len(log) == 4096 and log.decode().rstrip().splitlines()[-1].startswith("REPORT")


def test_unhandled_error_payload():
    cloud, client = setup("def handler(event, context):\n    raise KeyError('missing')\n")
    resp = client.invoke(FunctionName="f")
    assert resp["StatusCode"] == 200 and resp["FunctionError"] == "Unhandled"  # errors are 200s
    body = json.loads(resp["Payload"].read())
    assert body["errorType"] == "KeyError" and body["errorMessage"] == "'missing'"
    assert body["stackTrace"] == ['  File "/var/task/app.py", line 2, in handler\n    raise KeyError(\'missing\')\n']
    lines = cloud.logs.lines("/aws/lambda/f")
    assert any(line.startswith("[ERROR] KeyError: 'missing'\nTraceback (most recent call last):") for line in lines)


def test_timeout_error_and_environment_reset():
    cloud, client = setup(
        "import time\nN = 0\ndef handler(event, context):\n    global N\n    N += 1\n    time.sleep(event['s'])\n    return N\n",
        Timeout=3,
    )
    start = cloud.now_us
    wall = time.perf_counter()
    resp = client.invoke(FunctionName="f", Payload=b'{"s": 100}')
    assert time.perf_counter() - wall < 1  # a 100 s sleep costs no wall time
    body = json.loads(resp["Payload"].read())
    assert resp["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Error: Task timed out after 3.00 seconds")
    assert cloud.now_us - start == 100_000 + 3_000_000  # Init + the timeout, not the 100 s
    report = [l for l in cloud.logs.lines("/aws/lambda/f") if l.startswith("REPORT")][-1]
    assert "Duration: 3000.00 ms" in report and report.endswith("Status: timeout")
    assert any("Task timed out after 3.00 seconds" in l for l in cloud.logs.lines("/aws/lambda/f"))
    # The timed-out environment was reset: the next request initialises a new one.
    assert json.loads(client.invoke(FunctionName="f", Payload=b'{"s": 0}')["Payload"].read()) == 1


def test_payload_limits_6mb_sync_1mb_async():
    cloud, client = setup()
    big_sync = b'"' + b"x" * (6 * 1024 * 1024 - 1) + b'"'
    with pytest.raises(client.exceptions.RequestTooLargeException) as err:
        client.invoke(FunctionName="f", Payload=big_sync)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    ok_async = b'"' + b"x" * (1024 * 1024 - 2) + b'"'
    assert client.invoke(FunctionName="f", InvocationType="Event", Payload=ok_async)["StatusCode"] == 202
    with pytest.raises(client.exceptions.RequestTooLargeException):
        client.invoke(FunctionName="f", InvocationType="Event", Payload=ok_async + b" ")
    with pytest.raises(client.exceptions.InvalidRequestContentException):
        client.invoke(FunctionName="f", Payload=b"{not json")


def test_response_too_large_is_a_function_error():
    cloud, client = setup("def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n")
    resp = client.invoke(FunctionName="f")
    assert resp["FunctionError"] == "Unhandled"
    assert json.loads(resp["Payload"].read())["errorType"] == "Function.ResponseSizeTooLarge"


def test_dry_run_and_event():
    cloud, client = setup()
    lam = cloud.service("lambda")
    resp = client.invoke(FunctionName="f", InvocationType="DryRun")
    assert resp["StatusCode"] == 204 and lam.function("f").stats.invocations == 0
    now = cloud.now_us
    resp = client.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"k": 1}')
    assert resp["StatusCode"] == 202 and resp["Payload"].read() == b""
    assert cloud.now_us == now and lam.function("f").in_flight == 0  # queued, not run in the call
    cloud.run_until_idle()
    assert lam.function("f").stats.invocations == 1
    assert "got {'k': 1}" in cloud.logs.lines("/aws/lambda/f")


def test_async_queue_waits_for_capacity():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("q", lambda e, c: e, duration=2, init_duration=0)
    cloud.client("lambda").put_function_concurrency(FunctionName="q", ReservedConcurrentExecutions=1)
    records = [lam.invoke_async("q", i) for i in range(3)]
    cloud.run_until_idle()
    starts = [r.invocations[0].start_us - cloud.start_us for r in records]
    assert starts == [0, 2_000_000, 4_000_000]  # one at a time, in order, no throttle surfaced
    assert [r.invocations[0].payload for r in records] == [0, 1, 2]


def test_not_found_and_bad_qualifier():
    cloud, client = setup()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.invoke(FunctionName="nope")
    assert err.value.response["Error"]["Message"].endswith(":function:nope")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as err:
        client.invoke(FunctionName="f", Qualifier="7")
    assert err.value.response["Error"]["Message"] == "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:7"
    assert client.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:f")["StatusCode"] == 200


def test_blocking_sync_invokes_reuse_a_warm_environment():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("w", lambda e, c: None, duration=0.25, init_duration=0.5)
    fired = []
    cloud.call_later(0.6, fired.append, "mid")
    first = lam.invoke("w")
    assert cloud.elapsed.total_seconds() == 0.75 and fired == ["mid"]  # events due meanwhile ran
    second = lam.invoke("w")
    assert first.cold and not second.cold and cloud.elapsed.total_seconds() == 1.0


def test_nested_invoke_inside_a_handler_moves_the_callers_clock():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("inner", lambda e, c: e * 2, duration=1.0, init_duration=0.2)

    def outer(event, context):
        t0 = time.time()
        res = lam.invoke("inner", event)
        return res.payload, time.time() - t0

    lam.create_function_from_callable("outer", outer, duration=0.5, init_duration=0.0, timeout=10)
    inv = lam.invoke("outer", 21)
    assert inv.payload == (42, pytest.approx(1.2))
    assert inv.duration_us == 1_700_000  # 1.2 s waiting on inner + 0.5 s own work
    assert cloud.elapsed.total_seconds() == pytest.approx(1.7)


def test_invoke_from_a_process_does_not_reenter_the_kernel():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("p", lambda e, c: e + 1, duration=3, init_duration=0)
    seen = []

    def proc():
        inv = lam.invoke("p", 1)  # from inside an event: returns at once, clock not moved
        seen.append((cloud.elapsed.total_seconds(), inv.payload, inv.done))
        inv2 = yield lam.invoke_event("p", 10)  # waits until the completion instant
        seen.append((cloud.elapsed.total_seconds(), inv2.payload, inv2.done))

    cloud.process(proc())
    cloud.run_until_idle()
    assert seen == [(0.0, 2, False), (3.0, 11, True)]


def test_invoke_event_fails_with_throttle():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("z", lambda e, c: 1)
    cloud.client("lambda").put_function_concurrency(FunctionName="z", ReservedConcurrentExecutions=0)
    out = []

    def proc():
        try:
            yield lam.invoke_event("z")
        except Exception as exc:  # noqa: BLE001
            out.append(exc.response["Reason"])

    cloud.process(proc())
    cloud.run_until_idle()
    assert out == ["ReservedFunctionConcurrentInvocationLimitExceeded"]
