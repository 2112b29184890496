"""The fused HTTP API path (``Gateway.submit`` for an HTTP API, the inlined Lambda call) behaves
exactly like the general pipeline: same Lambda events, responses, metrics and trace digest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from serverless_sim.apigateway import gateway as gateway_mod

from apigw_helpers import apigw_services, make_cloud  # noqa: F401


def _handler(seen: list[Any]) -> Any:
    def fn(event: Any, context: Any) -> Any:
        seen.append(json.dumps(event, sort_keys=False))
        p = event["rawPath"]
        if p.endswith("/boom"):
            raise RuntimeError("boom")
        if p.endswith("/bad"):
            return {"statusCode": "nope"}
        if p.endswith("/plain"):
            return {"a": [1, 2]}
        return {"statusCode": 201, "headers": {"X-A": "1"}, "cookies": ["c=1"], "body": "hi"}
    return fn


REQUESTS: list[tuple[str, str, Any, Any]] = [
    ("GET", "/items/42?x=1&x=2&y=", {"Cookie": "a=1; b=2", "X-Multi": ["p", "q"]}, None),
    ("POST", "/items/7", [("Content-Type", "application/json"), ("user-agent", "ua/1")], b"\xff\x00"),
    ("GET", "/prod/items/9", None, "text"),
    ("GET", "/items/1/boom", None, None),
    ("GET", "/items/1/bad", None, None),
    ("GET", "/items/1/plain", None, None),
    ("GET", "/gone/1", None, None),
    ("GET", "/nowhere", None, None),
    ("GET", "/slow", None, None),
    ("GET", "/slow", None, None),
    ("DELETE", "/items/3", {"Origin": "https://a.example"}, None),
] * 3


def _run(general: bool, monkeypatch: Any) -> tuple[list[Any], list[Any], str, list[Any]]:
    seen: list[Any] = []
    cloud = make_cloud({"fn": _handler(seen), "gone": _handler(seen)}, seed=11, trace="none")
    gw: Any = cloud.service("apigateway")
    api = gw.create_http_api("fast", {"ANY /items/{id}": "fn", "ANY /items/{id}/{rest+}": "fn",
                                      "GET /gone/{id}": "gone", "GET /slow": "fn"})
    v2: Any = cloud.service("apigatewayv2")
    v2.update_stage({"ApiId": api, "StageName": "$default", "StageVariables": {"v": "1"},
                     "RouteSettings": {"GET /slow": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}}})
    g = gw.gateway
    if general:
        monkeypatch.setattr(gateway_mod, "_TARGETS", {})
    got: list[Any] = []

    def send(m: str, p: str, h: Any, b: Any) -> None:
        cb = lambda r: got.append((r.status, r.headers, r.multi_value_headers, r.body, r.request_id,  # noqa: E731
                                   r.start_us, r.end_us, r.integration_latency_us, r.route_key))
        if general:
            g._nonblocking(g._exchange(api, m, p, h, b, "203.0.113.9", None), g._dispatch, cb)
        else:
            gw.gateway.submit(api, m, p, h, b, source_ip="203.0.113.9", on_response=cb)

    for i, (m, p, h, b) in enumerate(REQUESTS):
        send(m, p, h, b)
        if i == 11:
            cloud.run_until_idle()
            cloud.client("lambda").delete_function(FunctionName="gone")  # a known ARN now missing
    cloud.run_until_idle()
    metrics = cloud.client("cloudwatch").list_metrics(Namespace="AWS/ApiGateway")["Metrics"]
    stats = [cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/ApiGateway", MetricName=n, Dimensions=[{"Name": "ApiId", "Value": api},
                                                              {"Name": "Stage", "Value": "$default"}],
        StartTime=cloud.start_us / 1e6 - 60, EndTime=cloud.now_us / 1e6 + 3600, Period=60,
        Statistics=["Sum", "SampleCount", "Maximum"])["Datapoints"] for n in ("Count", "4xx", "5xx", "Latency")]
    return seen, got, cloud.trace.digest(), [sorted(json.dumps(x, sort_keys=True) for x in metrics), stats]


def test_fused_path_matches_general_pipeline(monkeypatch: Any) -> None:
    fast = _run(False, monkeypatch)
    monkeypatch.undo()
    slow = _run(True, monkeypatch)
    assert fast[0] == slow[0]  # the Lambda events, byte for byte (key order included)
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    assert fast[3] == slow[3]
    statuses = sorted(r[0] for r in fast[1])
    # round 1: 201 x5 (incl. /gone and the first /slow), 200 (inferred), 404 x2 (no route),
    # 500 x2 (error, malformed), 429 (second /slow); rounds 2-3, "gone" deleted (its ARN known):
    # 201 x3, 200, 404 x2, 500 x3, 429 x2 (the bucket has not refilled)
    assert statuses == sorted([201] * 11 + [200] * 3 + [404] * 6 + [500] * 8 + [429] * 5)
    assert len(fast[0]) == 8 + 6 + 6


@pytest.mark.parametrize("overhead", [0.0, 5.0])
def test_submit_to_rest_api_and_with_overhead_takes_general_path(overhead: float) -> None:
    cloud = make_cloud({"fn": lambda e, c: {"statusCode": 200, "body": "ok"}}, seed=3)
    gw: Any = cloud.service("apigateway")
    api = gw.create_http_api("h", {"GET /a": "fn"})
    gw.gateway.config.overhead_ms = overhead
    got: list[Any] = []
    gw.gateway.submit(api, "GET", "/a", on_response=got.append)
    cloud.run_until_idle()
    assert got[0].status == 200
    assert got[0].latency_us >= round(overhead * 1000)
    with pytest.raises(Exception):
        gw.gateway.submit(api, "GET", "no-slash")
    with pytest.raises(Exception):
        gw.gateway.submit("nosuchapi", "GET", "/a")
