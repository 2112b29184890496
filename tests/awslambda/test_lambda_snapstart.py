"""SnapStart: snapshot at PublishVersion, restore instead of Init, hooks, the uniqueness pitfall."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import InitModel, RestoreModel, build_zip

ROLE = "arn:aws:iam::123456789012:role/r"
SRC = """
import random, time
from snapshot_restore_py import register_before_snapshot, register_after_restore

UNIQUE_ID = random.getrandbits(64)      # the documented pitfall: computed once, in the snapshot
EVENTS = []
COUNT = 0

@register_before_snapshot
def first_registered():
    EVENTS.append("before-1")

@register_before_snapshot
def second_registered():
    EVENTS.append("before-2")

@register_after_restore
def after_a():
    EVENTS.append("after-a")

def after_b(tag):
    EVENTS.append("after-" + tag)
    time.sleep(0.05)

register_after_restore(after_b, "b")

def handler(event, context):
    global COUNT
    COUNT += 1
    return {"id": UNIQUE_ID, "draw": random.random(), "events": list(EVENTS), "count": COUNT}
"""


def setup(runtime="python3.12"):
    cloud = Cloud(seed=4)
    lam = cloud.service("lambda")
    lam.config.init_model = InitModel(fixed_s=0.3)
    lam.config.restore_model = RestoreModel(fixed_s=0.2)
    client = cloud.client("lambda")
    client.create_function(FunctionName="s", Runtime=runtime, Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": build_zip({"app.py": SRC})}, SnapStart={"ApplyOn": "PublishedVersions"})
    return cloud, lam, client


def test_snapstart_needs_python_312_or_later():
    cloud = Cloud(seed=1)
    client = cloud.client("lambda")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.create_function(FunctionName="s", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": build_zip({"app.py": SRC})}, SnapStart={"ApplyOn": "PublishedVersions"})


def test_restore_replaces_init_and_the_uniqueness_pitfall_shows():
    cloud, lam, client = setup()
    v = client.publish_version(FunctionName="s")
    assert v["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    assert client.get_function_configuration(FunctionName="s")["SnapStart"]["OptimizationStatus"] == "Off"
    invs = [lam.submit("s", {}, qualifier="1") for _ in range(3)]  # three restored environments
    cloud.run_until_idle()
    payloads = [i.payload for i in invs]
    assert all(i.cold and i.restore_us == 250_000 and i.init_us == 0 for i in invs)  # 200 ms + 50 ms hook
    # Identical state in every restored environment: the same "unique" id and random sequence.
    assert len({p["id"] for p in payloads}) == 1
    assert len({p["draw"] for p in payloads}) == 1
    # Hooks: before-snapshot in reverse registration order, after-restore in registration order.
    assert payloads[0]["events"] == ["before-2", "before-1", "after-a", "after-b"]
    # Restored environments still have their own state (copies, not shared objects).
    assert [p["count"] for p in payloads] == [1, 1, 1]
    # $LATEST initialises normally: each environment draws its own id.
    a, b = lam.submit("s", {}), lam.submit("s", {})
    cloud.run_until_idle()
    assert a.payload["id"] != b.payload["id"] and a.payload["events"] == []
    assert a.init_us == 300_000 and a.restore_us == 0


def test_report_line_shows_restore_duration():
    cloud, lam, client = setup()
    client.publish_version(FunctionName="s")
    resp = client.invoke(FunctionName="s", Qualifier="1", LogType="Tail")
    import base64

    report = base64.b64decode(resp["LogResult"]).decode().splitlines()[-1]
    assert "\tRestore Duration: 250.00 ms\tBilled Restore Duration: 250 ms" in report
    assert "Init Duration" not in report


def test_native_hook_decorators_are_importable():
    from serverless_sim.awslambda.snapstart import register_after_restore, register_before_snapshot

    @register_before_snapshot
    def f():
        return 1

    assert f() == 1 and register_after_restore(f) is f
