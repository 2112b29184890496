"""The classic serverless apps in examples/: each builds, runs briefly, and does what it says;
the same seed gives the same trace digest."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from serverless_sim import Cloud

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = "2026-01-01T00:00:00Z"


def load(name: str):
    module_name = f"examples_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def digest_of(name: str, seed: int, **kwargs) -> str:
    cloud = Cloud(seed=seed, start=START)
    load(name).run(cloud, **kwargs)
    return cloud.trace.digest()


# -- thumbnails ------------------------------------------------------------------------------------

def test_thumbnails_one_per_jpeg_upload():
    pytest.importorskip("boto3")            # the deployment package uses boto3, as on AWS
    thumbnails = load("thumbnails")
    cloud = Cloud(seed=3, start=START)
    out = thumbnails.run(cloud, n=3)
    assert out["uploaded"] == ["photos/IMG_0000.jpg", "photos/IMG_0001.jpg", "photos/IMG_0002.jpg"]
    assert sorted(out["thumbnails"]) == out["uploaded"]           # notes.txt filtered out
    assert out["invocations"] == 3
    s3 = cloud.client("s3")
    for key in out["uploaded"]:
        original = s3.get_object(Bucket=thumbnails.UPLOADS, Key=key)["Body"].read()
        thumb = s3.get_object(Bucket=thumbnails.THUMBS, Key=key)
        assert thumb["Body"].read() == b"THUMB/4:" + original[::4]
        assert thumb["ContentType"] == "image/jpeg"
    logs = cloud.logs.lines("/aws/lambda/thumbnailer")
    assert any(line.startswith("thumbnail photos/IMG_0000.jpg") for line in logs)


def test_thumbnails_deterministic():
    pytest.importorskip("boto3")
    assert digest_of("thumbnails", 5, n=2) == digest_of("thumbnails", 5, n=2)


# -- nightly cleanup -------------------------------------------------------------------------------

def test_nightly_cleanup_runs_at_three_and_deletes_expired_rows():
    cleanup = load("nightly_cleanup")
    cloud = Cloud(seed=3, start=START)
    state = cleanup.run(cloud, days=3)
    assert [when for when, _ in state["runs"]] == [
        "2026-01-01T03:00:00+00:00", "2026-01-02T03:00:00+00:00", "2026-01-03T03:00:00+00:00"]
    assert sum(n for _, n in state["runs"]) > 0
    ddb = cloud.client("dynamodb")
    last_run = int(dt.datetime.fromisoformat(state["runs"][-1][0]).timestamp())
    left = ddb.scan(TableName=cleanup.TABLE, FilterExpression="expires_at < :t",
                    ExpressionAttributeValues={":t": {"N": str(last_run)}}, Select="COUNT")["Count"]
    assert left == 0                                              # nothing expired survived 03:00
    deleted = sum(n for _, n in state["runs"])
    assert state["remaining"] == state["written"] - deleted
    assert cloud.service("lambda").stats("cleanup")["invocations"] == 3


def test_nightly_cleanup_deterministic():
    assert digest_of("nightly_cleanup", 5, days=2) == digest_of("nightly_cleanup", 5, days=2)


# -- CRUD API --------------------------------------------------------------------------------------

def test_crud_api_responses_and_projection():
    crud = load("crud_api")
    cloud = Cloud(seed=3, start=START)
    out = crud.run(cloud, n=4)
    assert out["requests"] == [
        ("POST /items/0", 201), ("POST /items/1", 201), ("POST /items/2", 201), ("POST /items/3", 201),
        ("POST /items/0", 409), ("GET /items/1", 200), ("PUT /items/1", 200),
        ("PUT /items/missing", 404), ("DELETE /items/2", 204), ("DELETE /items/2", 404),
        ("GET /items/2", 404),
    ]
    assert out["counts"] == {"insert": 4, "live": 3, "modify": 1, "remove": 1}
    r = cloud.apigateway.request(out["api_id"], "GET", "/items/1")
    assert r.status == 200 and r.json() == {"id": "1", "name": "item 1", "qty": 10}
    assert cloud.apigateway.request(out["api_id"], "PATCH", "/items/1").status == 404   # no route


def test_crud_api_projection_without_event_source_mapping(monkeypatch):
    crud = load("crud_api")
    monkeypatch.setattr(crud, "USE_EVENT_SOURCE_MAPPING", False)
    out = crud.run(Cloud(seed=3, start=START), n=4)
    assert out["projection"] == "native stream subscription"
    assert out["counts"] == {"insert": 4, "live": 3, "modify": 1, "remove": 1}


def test_crud_api_deterministic():
    assert digest_of("crud_api", 5, n=3) == digest_of("crud_api", 5, n=3)


# -- order workflow --------------------------------------------------------------------------------

def test_order_workflow_retries_and_approval():
    orders = load("order_workflow")
    cloud = Cloud(seed=7, start=START)
    out = orders.run(cloud)
    results = out["results"]
    assert {k: r["status"] for k, r in results.items()} == {
        "o-1001": "SUCCEEDED", "o-1002": "SUCCEEDED", "o-1003": "FAILED"}
    assert results["o-1003"]["error"] == "OrderRejected"                   # over the limit
    assert results["o-1002"]["output"] == {"orderId": "o-1002", "status": "SHIPPED",
                                           "approvedBy": "alice", "paymentId": "pay-o-1002"}
    for r in results.values():
        assert r["failed_attempts"] == r["declined"]                       # retries in the history
        assert r["took_s"] >= orders.REVIEW_DELAY_S                        # the human took an hour
    assert sum(r["failed_attempts"] for r in results.values()) > 0
    history = cloud.client("stepfunctions").get_execution_history(
        executionArn=out["executions"]["o-1002"])["events"]
    types = [e["type"] for e in history]
    assert types.count("LambdaFunctionScheduled") == results["o-1002"]["declined"] + 1
    assert "TaskSubmitted" in types and "TaskSucceeded" in types


def test_order_workflow_deterministic():
    assert digest_of("order_workflow", 11) == digest_of("order_workflow", 11)


# -- the demo's section ----------------------------------------------------------------------------

def test_demo_section_runs_every_app_deterministically():
    from serverless_sim.demo import classic_apps

    first, second = classic_apps(7), classic_apps(7)
    for name in ("thumbnails", "nightly_cleanup", "crud_api", "order_workflow"):
        assert any(line.startswith(f"  {name}: ") for line in first)

    def strip_wall(lines):
        return [line.split("[")[0] + line.split(" wall")[-1] if " wall, digest " in line else line
                for line in lines]

    assert strip_wall(first) == strip_wall(second)        # same seed: same digests and summaries
