"""``Gateway.submit``'s short path for HTTP API requests (a remembered ``HttpPlan``: stage, route,
Lambda proxy integration; the event, the integration call, the response and ``_finish`` inlined)
behaves exactly like the general pipeline (``Gateway._short = False``): the same Lambda events
byte for byte (key order included), the same responses, metrics, access log lines, trace
records and digest, Lambda statistics and kernel events, whatever happens between requests
(stage variables, route throttling, the account throttle, access logs, CORS, new routes, new and
deleted stages, a deleted function, Lambda throttles and errors, malformed and inferred
responses, integration timeouts, gateway config switches); and a Cloud forks exactly with
short-path requests in flight."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from serverless_sim.kernel.errors import AWSError
from hypothesis import strategies as st

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

PATHS = ["/orders", "/orders", "/items/1", "/items/2", "/prod/items/3", "/prod/orders", "/x/a/b", "/x/err",
         "/x/bad", "/x/plain", "/x/hdr", "/x/b64", "/x/str", "/slow", "/gone", "/nowhere", "/orders?q=1", "/prod",
         "/items/1/", "/new/1", "/man/orders", "/man/new/1", "/v1", "/sv", "/$default/orders"]
METHODS = ["POST", "GET", "post", "DELETE", "OPTIONS"]
BODIES = [None, '{"id": "c1", "qty": 2}', "text", b"\xff\x00", b"bytes"]
HEADERS = [None, None, {"X-A": "1", "Cookie": "a=1"}, {"Origin": "https://a.example"}]
LOG = {"DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:gw-logs:*",
       "Format": '{"rid":"$context.requestId","status":"$context.status","route":"$context.routeKey",'
                 '"lat":"$context.integrationLatency","err":"$context.error.message"}'}


def _fn(seen: list[Any]) -> Any:
    def fn(event: Any, context: Any) -> Any:
        seen.append(json.dumps(event))  # key order included
        p = event["rawPath"]
        if p.endswith("/err"):
            raise RuntimeError("boom")
        if p.endswith("/bad"):
            return {"statusCode": "nope"}
        if p.endswith("/plain"):
            return [1, {"a": 2}]
        if p.endswith("/str"):
            return "just text"
        if p.endswith("/hdr"):
            return {"statusCode": 201, "headers": {"X-A": "1", "access-control-allow-origin": "*"},
                    "cookies": ["c=1", "d=2"], "body": "hi"}
        if p.endswith("/b64"):
            return {"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}
        if p.endswith("/3"):
            return {"statusCode": 404, "body": event.get("body") or ""}
        return {"statusCode": 200, "body": event.get("body") or "ok"}
    return fn


OPS = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(METHODS), st.sampled_from(PATHS), st.sampled_from(BODIES),
              st.sampled_from(HEADERS)),
    st.tuples(st.just("advance"), st.sampled_from([0, 1_000, 50_000, 2_000_000, 61_000_000])),
    st.tuples(st.just("stage_vars"), st.sampled_from([{}, {"v": "1"}, {"v": "2", "w": "x"}])),
    st.tuples(st.just("route_throttle"), st.sampled_from([1, 3, 100])),
    st.tuples(st.just("access_log"), st.booleans()),
    st.tuples(st.just("cors"), st.booleans()),
    st.tuples(st.just("add_route")),
    st.tuples(st.just("delete_gone")),
    st.tuples(st.just("new_stage")),
    st.tuples(st.just("delete_stage")),
    st.tuples(st.just("config"), st.sampled_from(["metrics", "trace_requests", "latency_percentiles"])),
    st.tuples(st.just("account_throttle")),
    st.tuples(st.just("manual_stage")),
    st.tuples(st.just("redeploy")),
    st.tuples(st.just("default_route")),
)

# A fixed sequence that takes every branch at least once (the property test adds random orders).
FIXED: list[tuple[Any, ...]] = (
    [("send", "POST", "/orders", '{"id": "c1"}', None)] * 3
    + [("advance", 50_000)]
    + [op for m in ("POST", "GET") for p in PATHS for b in (None, "t") for op in (("send", m, p, b, None),
                                                                                ("advance", 50_000))]
    + [("send", "GET", "/items/1", None, h) for h in HEADERS] + [("send", "POST", "/orders", b, None) for b in BODIES]
    + [("advance", 2_000_000), ("send", "POST", "/orders", "x", None), ("stage_vars", {"v": "2", "w": "x"}),
       ("send", "POST", "/orders", "x", None), ("send", "GET", "/items/1", None, None),
       ("route_throttle", 1)] + [("send", "GET", "/items/2", None, None)] * 3
    + [("advance", 61_000_000), ("access_log", True), ("send", "POST", "/orders", "x", None),
       ("send", "GET", "/x/bad", None, None), ("advance", 50_000), ("send", "POST", "/orders", "y", None),
       ("advance", 1_000), ("access_log", False),  # the last one is answered with the log off
       ("cors", True), ("send", "POST", "/orders", "x", None), ("send", "GET", "/x/hdr", None, HEADERS[3]),
       ("advance", 50_000), ("cors", False), ("add_route",), ("send", "GET", "/new/1", None, None),
       ("send", "POST", "/orders", "x", None), ("new_stage",), ("send", "GET", "/items/1", None, None),
       ("send", "POST", "/orders", "x", None), ("delete_stage",), ("send", "GET", "/prod/items/3", None, None),
       ("advance", 50_000), ("delete_gone",), ("send", "GET", "/gone", None, None),
       ("config", "metrics"), ("send", "POST", "/orders", "x", None), ("advance", 50_000),
       ("config", "metrics"), ("config", "latency_percentiles"), ("send", "POST", "/orders", "x", None),
       ("advance", 50_000), ("config", "trace_requests"), ("send", "POST", "/orders", "x", None),
       ("advance", 50_000), ("config", "trace_requests"), ("manual_stage",), ("send", "POST", "/man/orders", "m", None),
       ("send", "POST", "/man/orders", "m", None), ("add_route",), ("send", "GET", "/man/new/1", None, None),
       ("send", "GET", "/man/new/1", None, None), ("redeploy",), ("send", "GET", "/man/new/1", None, None),
       ("send", "POST", "/man/orders", "m", None), ("advance", 50_000), ("default_route",),
       ("send", "GET", "/nowhere", None, None), ("send", "GET", "/nowhere", None, None),
       ("send", "GET", "/v1", None, None), ("send", "GET", "/sv", None, None), ("advance", 50_000),
       ("account_throttle",)]
    + [("send", "POST", "/orders", "x", None)] * 4
    + [("advance", 61_000_000)] + [("send", "POST", "/orders", "x", None)] * 4
)


def _scenario(short: bool, ops: list[tuple[Any, ...]], trace: str = "none") -> dict[str, Any]:
    seen: list[Any] = []
    cloud = make_cloud({"fn": _fn(seen), "gone": _fn(seen)}, duration=0.02, seed=5, trace=trace)
    lam: Any = cloud.service("lambda")
    lam.create_function_from_callable("slow", _fn(seen), duration=45.0, timeout=60)  # > 30 s: 503
    lam.put_function_concurrency({"FunctionName": "fn", "ReservedConcurrentExecutions": 3})
    gw: Any = cloud.service("apigateway")
    g = gw.gateway
    g._short = short
    calls = {"short": 0}
    if short:
        plain = g._short_answered

        def counted(inv: Any) -> None:
            calls["short"] += 1
            plain(inv)

        g._short_answered = counted
    api = gw.create_http_api("s", {"POST /orders": "fn", "GET /items/{id}": "fn", "ANY /x/{proxy+}": "fn",
                                   "GET /slow": "slow", "GET /gone": "gone", "GET /prod": "fn"})
    api_obj = g.apis[api]
    v2: Any = cloud.service("apigatewayv2")
    v2.create_stage({"ApiId": api, "StageName": "prod", "AutoDeploy": True, "StageVariables": {"s": "p"}})
    fn_arn = lam.get_function({"FunctionName": "fn"})["Configuration"]["FunctionArn"]

    def route(key: str, uri: str, fmt: str = "2.0") -> None:
        integ = v2.create_integration({"ApiId": api, "IntegrationType": "AWS_PROXY", "IntegrationUri": uri,
                                       "PayloadFormatVersion": fmt})["IntegrationId"]
        v2.create_route({"ApiId": api, "RouteKey": key, "Target": f"integrations/{integ}"})

    route("GET /v1", fn_arn, "1.0")  # payload 1.0: no short path
    route("GET /sv", fn_arn.rsplit(":", 1)[0] + ":${stageVariables.fn}")  # a stage variable in the URI
    got: list[Any] = []
    on = {"metrics": True, "trace_requests": True, "latency_percentiles": True}
    added = 0

    def record(r: Any) -> None:
        got.append((cloud.now_us, r.status, dict(r.headers), r.multi_value_headers, r.body, r.request_id,
                    r.start_us, r.end_us, r.integration_latency_us, r.route_key, r.error_type))

    for op in ops:
        kind = op[0]
        if kind == "send":
            _, m, p, b, h = op
            gw.gateway.submit(api, m, p, h, b, on_response=record)
        elif kind == "advance":
            cloud.advance(op[1] / 1e6)
        elif kind == "stage_vars":
            v2.update_stage({"ApiId": api, "StageName": "$default", "StageVariables": op[1]})
        elif kind == "route_throttle":
            v2.update_stage({"ApiId": api, "StageName": "$default", "RouteSettings": {
                "GET /items/{id}": {"ThrottlingBurstLimit": op[1], "ThrottlingRateLimit": 1.0}}})
        elif kind == "access_log":
            v2.update_stage({"ApiId": api, "StageName": "$default", "AccessLogSettings": LOG if op[1] else None})
        elif kind == "cors":
            api_obj.cors = {"AllowOrigins": ["https://a.example"], "ExposeHeaders": ["x-a"]} if op[1] else None
        elif kind == "add_route":
            added += 1
            route(f"GET /new/{{n{added}}}", fn_arn)
        elif kind == "default_route":
            if not any(r.key == "$default" for r in api_obj.routes.values()):
                route("$default", fn_arn)
        elif kind == "manual_stage":
            if "man" not in api_obj.stages:
                v2.create_stage({"ApiId": api, "StageName": "man", "AutoDeploy": False})
                v2.create_deployment({"ApiId": api, "StageName": "man"})
        elif kind == "redeploy":
            if "man" in api_obj.stages:
                v2.create_deployment({"ApiId": api, "StageName": "man"})
        elif kind == "delete_gone":
            if "gone" in lam.functions:
                cloud.client("lambda").delete_function(FunctionName="gone")
        elif kind == "new_stage":
            if "items" not in api_obj.stages:
                v2.create_stage({"ApiId": api, "StageName": "items", "AutoDeploy": True})
        elif kind == "delete_stage":
            if "prod" in api_obj.stages:
                v2.delete_stage({"ApiId": api, "StageName": "prod"})
        elif kind == "config":
            on[op[1]] = not on[op[1]]
            setattr(g.config, op[1], on[op[1]])
        elif kind == "account_throttle":
            g.set_account_throttle(1.0, 2)
    cloud.run_until_idle()
    cw = cloud.client("cloudwatch")
    metrics = sorted(json.dumps(x, sort_keys=True) for x in cw.list_metrics(Namespace="AWS/ApiGateway")["Metrics"])
    stats = []
    for stage in ("$default", "prod", "items", "man"):
        for n in ("Count", "4xx", "5xx", "Latency", "IntegrationLatency"):
            stats.append(cw.get_metric_statistics(
                Namespace="AWS/ApiGateway", MetricName=n,
                Dimensions=[{"Name": "ApiId", "Value": api}, {"Name": "Stage", "Value": stage}],
                StartTime=cloud.start_us / 1e6 - 60, EndTime=cloud.now_us / 1e6 + 3600, Period=60,
                Statistics=["Sum", "SampleCount", "Maximum", "Minimum", "Average"])["Datapoints"])
    records = [r.canonical() for r in cloud.trace.filter()] if trace == "all" else None
    try:
        logs = cloud.logs.lines("gw-logs")
    except AWSError:  # no such group: nothing logged
        logs = None
    return {
        "events": seen, "responses": got, "digest": cloud.trace.digest(), "records": records,
        "metrics": metrics, "stats": stats, "logs": logs,
        "lambda": [lam.stats(n) for n in ("fn", "slow")], "events_run": cloud.scheduler.events_run,
        "now": cloud.now_us, "short_calls": calls["short"],
    }


def _same(ops: list[tuple[Any, ...]], trace: str = "none") -> dict[str, Any]:
    short = _scenario(True, ops, trace)
    general = _scenario(False, ops, trace)
    for k in short:
        if k != "short_calls":
            assert short[k] == general[k], k
    return short


def test_short_path_equals_general_pipeline_on_every_branch() -> None:
    out = _same(FIXED)
    statuses = {r[1] for r in out["responses"]}
    # answered (200, 201, inferred 200), the function's 404, no route 404, throttled 429,
    # function error / malformed / missing function / Lambda throttle 500, integration timeout 503
    assert {200, 201, 404, 429, 500, 503} <= statuses
    assert out["short_calls"] > 15  # the short path did serve plain requests
    assert out["logs"]  # access log lines were written while it was on


def test_short_path_equals_general_pipeline_with_kept_trace_records() -> None:
    out = _same(FIXED[:60], trace="all")
    assert out["records"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=40))
def test_short_path_equals_general_pipeline_property(ops: list[tuple[Any, ...]]) -> None:
    _same(ops)


def test_short_path_requests_fork_exactly() -> None:
    from serverless_sim.sim import fork

    seen: list[Any] = []
    cloud = make_cloud({"fn": _fn(seen)}, duration=0.05)
    gw: Any = cloud.service("apigateway")
    api = gw.create_http_api("a", {"POST /orders": "fn", "GET /items/{id}": "fn"})
    got: list[Any] = []
    for i in range(6):  # the second request of each (method, path) plans, the others take the short path
        gw.submit(api, "POST", "/orders", body=f"b{i}", on_response=lambda r: got.append((r.end_us, r.body)))
        gw.submit(api, "GET", "/items/7", on_response=lambda r: got.append((r.end_us, r.body)))
    assert any(p is not None and p.ok for p in gw.gateway._plans.values())
    copy = fork(cloud)  # requests in flight, each carrying its plan and continuation
    cloud.run_until_idle()
    copy.run_until_idle()
    assert len(got) == 12  # the original's callbacks ran once each
    assert copy.trace.digest() == cloud.trace.digest()
    assert copy.now_us == cloud.now_us
    # the copy's plans are its own (its stages, runtimes, routes)
    copy_gw: Any = copy.service("apigateway")
    for (k, p), (k2, p2) in zip(gw.gateway._plans.items(), copy_gw.gateway._plans.items()):
        assert k == k2 and (p is None or p.stage is not p2.stage and p.rt is not p2.rt)


def test_plan_follows_configuration_changes() -> None:
    """A plan is remade when the stage, its runtime or its Compiled routes change; what can
    change in place is read per request."""
    seen: list[Any] = []
    cloud = make_cloud({"fn": _fn(seen)}, duration=0.01)
    gw: Any = cloud.service("apigateway")
    g = gw.gateway
    api = gw.create_http_api("a", {"GET /items/{id}": "fn"})
    v2: Any = cloud.service("apigatewayv2")
    got: list[Any] = []
    g.submit(api, "GET", "/items/1", on_response=got.append)
    assert g._plans[(api, "GET", "/items/1")] is None  # seen once: noted, not planned
    g.submit(api, "GET", "/items/1", on_response=got.append)
    plan = g._plans[(api, "GET", "/items/1")]
    assert plan is not None and plan.ok and plan.params == {"id": "1"}
    g.submit(api, "GET", "/items/1", on_response=got.append)
    assert g._plans[(api, "GET", "/items/1")] is plan  # still valid: kept
    v2.create_stage({"ApiId": api, "StageName": "items", "AutoDeploy": True})
    g.submit(api, "GET", "/items/1", on_response=got.append)  # now stage "items", path "/1": no route
    cloud.run_until_idle()
    assert [r.status for r in got] == [404, 200, 200, 200]  # the 404 answers at once
    replanned = g._plans[(api, "GET", "/items/1")]
    assert replanned is not None and not replanned.ok
    v2.update_stage({"ApiId": api, "StageName": "$default", "StageVariables": {"v": "9"}})
    g.submit(api, "GET", "/x/1", on_response=got.append)
    g.submit(api, "GET", "/x/1", on_response=got.append)
    cloud.run_until_idle()
    assert [r.status for r in got[4:]] == [404, 404]
