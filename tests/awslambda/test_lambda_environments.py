"""Execution environments: per-environment module state, reuse, reclaim, Init, context, time."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import InitModel, build_zip

ROLE = "arn:aws:iam::123456789012:role/r"

STATE_SRC = """
import os, time, datetime
COUNT = 0
LOADED_AT = time.time()

def handler(event, context):
    global COUNT
    COUNT += 1
    t0 = time.time()
    time.sleep(event.get("sleep", 0))
    return {
        "count": COUNT, "loaded_at": LOADED_AT, "t0": t0, "t1": time.time(),
        "utcnow": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "remaining": context.get_remaining_time_in_millis(), "env": os.environ.get("STAGE"),
        "region": os.environ.get("AWS_REGION"), "fn": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
    }
"""


def make(cloud, source=STATE_SRC, name="f", **kw):
    client = cloud.client("lambda")
    params = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                  Code={"ZipFile": build_zip({"app.py": source})})
    params.update(kw)
    client.create_function(**params)
    return client


def call(client, payload=None, **kw):
    resp = client.invoke(FunctionName=kw.pop("name", "f"), Payload=json.dumps(payload or {}), **kw)
    return resp, json.loads(resp["Payload"].read())


def test_module_state_lives_per_environment_and_nothing_leaks():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    client = make(cloud, Environment={"Variables": {"STAGE": "prod"}})
    assert call(client)[1]["count"] == 1
    assert call(client)[1]["count"] == 2  # the same warm environment
    # Two requests at the same instant need two environments: each has its own COUNT.
    a = lam.submit("f", {})
    b = lam.submit("f", {})
    cloud.run_until_idle()
    assert sorted([a.payload["count"], b.payload["count"]]) == [1, 3]
    # No module, env var or patch leaks out of the environment.
    assert "app" not in sys.modules and "STAGE" not in os.environ
    assert time.sleep.__module__ == "time" or time.sleep.__name__ == "sleep"
    assert abs(time.time() - dt.datetime.now().timestamp()) < 5  # the real clock outside


def test_handler_sees_env_vars_and_virtual_clock():
    cloud = Cloud(seed=1, start="2026-03-01T12:00:00Z")
    cloud.service("lambda").config.init_model = InitModel(fixed_s=0.1)
    client = make(cloud, Environment={"Variables": {"STAGE": "dev"}}, Timeout=30)
    before = cloud.now_us
    _, out = call(client, {"sleep": 2})
    assert out["env"] == "dev" and out["region"] == "us-east-1" and out["fn"] == "f"
    assert out["t1"] - out["t0"] == pytest.approx(2.0)  # time.sleep(2): two virtual seconds
    assert out["remaining"] == 28_000  # 30 s timeout - 2 s slept
    assert out["utcnow"] == "2026-03-01T12:00:02.100000+00:00"
    # The blocking call returned with the clock at the completion: 100 ms Init + 2 s sleep.
    assert cloud.now_us - before == 2_100_000


def test_mru_reuse_and_idle_reclaim_after_ten_minutes():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: c.log_stream_name, duration=1.0)
    first = lam.submit("f")
    second = lam.submit("f")
    cloud.run_until_idle()
    assert first.cold and second.cold and first.payload != second.payload
    # The most recently used (released last at the same instant: the second) is taken first.
    assert lam.invoke("f").payload == second.payload
    assert len(lam.environments("f")) == 2
    # 10-minute idle reclaim (undocumented; a parameter), measured from each one's last use:
    # the first was last used 1 s before the second.
    cloud.advance(598.5)
    assert len(lam.environments("f")) == 2
    cloud.advance(1)
    assert len(lam.environments("f")) == 1
    cloud.advance(1)
    assert len(lam.environments("f")) == 0
    assert lam.invoke("f").cold


def test_reclaim_events_do_not_keep_run_until_idle_busy():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: None, duration=0.5)
    lam.submit("f")
    cloud.run_until_idle()
    assert cloud.elapsed.total_seconds() == pytest.approx(lam.function("f").latest.pool.idle_envs()[0].last_used_us / 1e6 - cloud.start_us / 1e6)
    assert len(lam.environments("f")) == 1  # still warm: reclaim is a daemon event


def test_init_duration_modelled_by_runtime_and_memory():
    model = InitModel()
    small = model.duration_us("python3.12", 128)
    big = model.duration_us("python3.12", 1769)
    assert small > big == 110_000
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.config.init_model = InitModel(fixed_s=0.25)
    source = "import time\ntime.sleep(0.5)\ndef handler(e, c):\n    return 1\n"
    client = make(cloud, source)
    resp, _ = call(client, LogType="Tail")
    import base64
    log = base64.b64decode(resp["LogResult"]).decode()
    assert "Init Duration: 750.00 ms" in log  # 250 ms modelled + 500 ms slept at module level


def test_init_limit_ten_seconds_then_suppressed_init_in_invoke_phase():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.config.init_model = InitModel(fixed_s=0.0)
    source = "import time\nLOADS = []\nLOADS.append(1)\ntime.sleep(12)\ndef handler(e, c):\n    return len(LOADS)\n"
    client = make(cloud, source, Timeout=60)
    resp, body = call(client, LogType="Tail")
    import base64
    log = base64.b64decode(resp["LogResult"]).decode()
    assert "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout" in log
    assert body == 1  # the module ran again, from scratch, in the Invoke phase
    inv_duration = float(log.split("Duration: ")[2].split(" ms")[0])
    assert inv_duration == pytest.approx(12_000.0)
    # A suppressed init that exceeds the function timeout times the invocation out.
    client2 = make(cloud, source, name="g", Timeout=5)
    resp, body = call(client2, name="g")
    assert resp["FunctionError"] == "Unhandled" and body["errorType"] == "Sandbox.Timedout"


def test_init_errors_use_runtime_error_types():
    cloud = Cloud(seed=1)
    client = make(cloud, "import nosuchmodule_xyz\ndef handler(e, c):\n    return 1\n", name="imp")
    resp, body = call(client, name="imp")
    assert resp["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Unable to import module 'app': No module named 'nosuchmodule_xyz'")
    make(cloud, "def other(e, c):\n    return 1\n", name="missing")
    assert call(client, name="missing")[1] == {
        "errorMessage": "Handler 'handler' missing on module 'app'", "errorType": "Runtime.HandlerNotFound",
        "requestId": "", "stackTrace": [],
    }
    make(cloud, "raise RuntimeError('bad init')\n", name="boom")
    body = call(client, name="boom")[1]
    assert body["errorType"] == "RuntimeError" and body["errorMessage"] == "bad init"


def test_context_fields():
    cloud = Cloud(seed=1, start="2026-05-04T00:00:00Z")
    lam = cloud.service("lambda")
    seen = {}

    def handler(event, context):
        seen.update(
            name=context.function_name, version=context.function_version, arn=context.invoked_function_arn,
            memory=context.memory_limit_in_mb, rid=context.aws_request_id, group=context.log_group_name,
            stream=context.log_stream_name, remaining=context.get_remaining_time_in_millis(),
        )
        time.sleep(1.5)
        seen["remaining_after"] = context.get_remaining_time_in_millis()

    lam.create_function_from_callable("ctx", handler, memory=512, timeout=7)
    inv = lam.invoke("ctx")
    assert seen["name"] == "ctx" and seen["version"] == "$LATEST" and seen["memory"] == "512"
    assert seen["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    assert seen["rid"] == inv.request_id and len(seen["rid"]) == 36
    assert seen["group"] == "/aws/lambda/ctx"
    assert seen["stream"].startswith("2026/05/04/[$LATEST]") and len(seen["stream"]) == len("2026/05/04/[$LATEST]") + 32
    assert (seen["remaining"], seen["remaining_after"]) == (7000, 5500)


def test_per_environment_factory_for_native_functions():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")

    def factory():
        state = {"n": 0}

        def handler(event, context):
            state["n"] += 1
            return state["n"]

        return handler

    lam.create_function_from_callable("fac", factory=factory, duration=1)
    a, b = lam.submit("fac"), lam.submit("fac")
    cloud.run_until_idle()
    assert (a.payload, b.payload) == (1, 1)
    assert lam.invoke("fac").payload == 2


def test_newest_created_selection_policy_option():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.config.warm_selection = "newest"
    lam.create_function_from_callable("n", lambda e, c: c.log_stream_name, duration=1.0, init_duration=0.0)
    older = lam.submit("n")
    cloud.advance(0.5)
    newer = lam.submit("n")  # created 0.5 s later, released 0.5 s later
    cloud.advance(0.6)  # older is idle (released at 1.0), newer still busy
    assert lam.invoke("n").payload == older.payload
    cloud.run_until_idle()
    assert lam.invoke("n").payload == newer.payload  # the newest-created wins, not the MRU
