"""An adversarial review of ``Gateway.submit``'s HTTP API short path (``HttpPlan``): scenarios the
first short-path tests (test_apigw_short_path.py) do not cover, each run twice, short path on and
off (``Gateway._short = False``: the general pipeline), with every observable compared: Lambda
events byte for byte, responses (status, headers, body, ids, times), raised errors, trace digest,
CloudWatch metrics, access log lines, Lambda statistics, kernel events run.

Covered here: a route re-targeted to another integration (another function, a shorter
``TimeoutInMillis``, payload 1.0, a qualified function ARN), its key changed, an authorizer added
(JWT, AWS_IAM) and removed again, all with requests in flight; a function deleted and recreated,
an alias deleted, recreated and re-pointed (to a version with another duration: the timeout);
stage default and per-route throttling changed with requests in flight; a stage deleted and
recreated under the same name; auto-deploy off with a pending deployment, a stage moved back to
an older deployment, AutoDeploy switched on and off; the API deleted with requests in flight
(later requests raise in both); DisableExecuteApiEndpoint and CorsConfiguration at CreateApi; a
handler returning one shared dict that the next invocation mutates before the first answer; a
handler and an ``on_response`` callback that change the configuration or send requests
themselves; the plan table overflowing (``PLAN_MEMO``) and being emptied; a fork with requests in
flight, compared between the two paths.

(The simulator has no UpdateIntegration, UpdateApi, DeleteIntegration, custom domain names, base
path mappings or mutual TLS for HTTP APIs: an integration changes only by a new one and a route
re-targeted, which bumps the API's generation and so makes a new ``Compiled``.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim.kernel.errors import AWSError, SimError

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

SHARED: dict[str, Any] = {}


def _fn(seen: list[Any], tag: str) -> Any:
    state = {"n": 0}

    def fn(event: Any, context: Any) -> Any:
        seen.append((tag, json.dumps(event)))  # key order included
        state["n"] += 1
        p = event.get("rawPath") or event.get("path") or ""
        if p.endswith("/shared"):
            # one dict returned every time, mutated by the next invocation (before this one's answer)
            SHARED.clear()
            SHARED["statusCode"] = 200 + state["n"] % 3
            SHARED["body"] = f"{tag}-{state['n']}"
            if state["n"] % 2:
                SHARED["headers"] = {"x-n": str(state["n"])}
            return SHARED
        return {"statusCode": 200, "body": f"{tag}:{p}:{event.get('body')}"}
    return fn


class World:
    """One Cloud with an HTTP API and the handles the operations below use."""

    def __init__(self, short: bool, trace: str = "none") -> None:
        self.seen: list[Any] = []
        SHARED.clear()
        cloud = self.cloud = make_cloud({"fn": _fn(self.seen, "fn"), "other": _fn(self.seen, "other")},
                                        duration=0.04, seed=11, trace=trace)
        lam: Any = cloud.service("lambda")
        self.lam = lam
        lam.publish("fn")  # version 1: 40 ms
        lam.set_duration("fn", 0.2)  # $LATEST from now on: 200 ms
        lam.publish("fn")  # version 2: 200 ms
        lam.create_alias({"FunctionName": "fn", "Name": "live", "FunctionVersion": "1"})
        gw: Any = cloud.service("apigateway")
        self.g = gw.gateway
        self.g._short = short
        v2: Any = cloud.service("apigatewayv2")
        self.v2 = v2
        arn = self.arn = lam.get_function({"FunctionName": "fn"})["Configuration"]["FunctionArn"]
        self.other_arn = arn.rsplit(":", 1)[0] + ":other"
        api = self.api = v2.create_api({"Name": "r", "ProtocolType": "HTTP"})["ApiId"]
        self.api_obj = self.g.apis[api]
        self.integ = {
            "fn": self.integration(arn),
            "other": self.integration(self.other_arn),
            "fn_v1": self.integration(arn, fmt="1.0"),
            "fn_100ms": self.integration(arn, timeout=100),
            "live": self.integration(f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}:live/invocations",
                                     timeout=150),
        }
        self.routes: dict[str, str] = {}
        for key, integ in (("GET /items/{id}", "fn"), ("POST /orders", "fn"), ("GET /alias", "live"),
                           ("ANY /o/{proxy+}", "other")):
            self.routes[key] = v2.create_route({"ApiId": api, "RouteKey": key,
                                                "Target": f"integrations/{self.integ[integ]}"})["RouteId"]
        self.authorizer = v2.create_authorizer({
            "ApiId": api, "Name": "jwt", "AuthorizerType": "JWT", "IdentitySource": "$request.header.Authorization",
            "JwtConfiguration": {"Issuer": "https://issuer.example", "Audience": ["a"]}})["AuthorizerId"]
        v2.create_stage({"ApiId": api, "StageName": "$default", "AutoDeploy": True})
        v2.create_stage({"ApiId": api, "StageName": "prod", "AutoDeploy": True})
        self.deployments: list[str] = []
        self.got: list[Any] = []

    def integration(self, uri: str, fmt: str = "2.0", timeout: int | None = None) -> str:
        req: dict[str, Any] = {"ApiId": self.api, "IntegrationType": "AWS_PROXY", "IntegrationUri": uri,
                               "PayloadFormatVersion": fmt}
        if timeout is not None:
            req["TimeoutInMillis"] = timeout
        return self.v2.create_integration(req)["IntegrationId"]  # type: ignore[no-any-return]

    def record(self, r: Any) -> None:
        self.got.append((self.cloud.now_us, r.status, dict(r.headers), r.multi_value_headers, r.body, r.request_id,
                         r.start_us, r.end_us, r.integration_latency_us, r.route_key, r.error_type))

    def send(self, method: str, path: str, body: Any = None, on_response: Any = None) -> None:
        try:
            self.g.submit(self.api, method, path, None, body, on_response=on_response or self.record)
        except SimError as exc:  # the API is gone
            self.got.append(("SimError", str(exc)))

    def observe(self) -> dict[str, Any]:
        cloud = self.cloud
        cloud.run_until_idle()
        cw = cloud.client("cloudwatch")
        stats = []
        for stage in ("$default", "prod", "man"):
            for n in ("Count", "4xx", "5xx", "Latency", "IntegrationLatency"):
                stats.append(cw.get_metric_statistics(
                    Namespace="AWS/ApiGateway", MetricName=n,
                    Dimensions=[{"Name": "ApiId", "Value": self.api}, {"Name": "Stage", "Value": stage}],
                    StartTime=cloud.start_us / 1e6 - 60, EndTime=cloud.now_us / 1e6 + 3600, Period=60,
                    Statistics=["Sum", "SampleCount", "Maximum", "Minimum", "Average"])["Datapoints"])
        try:
            logs = cloud.logs.lines("gw-logs")
        except AWSError:
            logs = None
        return {"events": self.seen, "responses": self.got, "digest": cloud.trace.digest(), "stats": stats,
                "logs": logs, "lambda": [self.lam.stats(n) for n in ("fn", "other") if n in self.lam.functions],
                "events_run": cloud.scheduler.events_run, "now": cloud.now_us}


LOG = {"DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:gw-logs:*",
       "Format": '{"rid":"$context.requestId","status":"$context.status","route":"$context.routeKey"}'}

SENDS = [("GET", "/items/1", None), ("GET", "/items/1", None), ("POST", "/orders", "b"), ("POST", "/orders", ""),
         ("GET", "/alias", None), ("GET", "/o/x", "q"), ("GET", "/prod/items/2", None), ("GET", "/things/1", None),
         ("GET", "/man/items/1", None), ("GET", "/items/shared", None), ("GET", "/man/things/1", None)]


def apply(w: World, op: tuple[Any, ...]) -> None:
    """One operation on the world (a send, time passing or a configuration change)."""
    v2: Any = w.v2
    api, kind = w.api, op[0]
    items = w.routes["GET /items/{id}"]

    def stage_op(**kw: Any) -> None:
        if "man" in w.api_obj.stages:
            v2.update_stage({"ApiId": api, "StageName": "man", **kw})

    if kind == "send":
        w.send(*op[1])
    elif kind == "burst":  # the same request a few times at one instant (plan, then short path)
        for _ in range(3):
            w.send(*op[1])
    elif kind == "advance":
        w.cloud.advance(op[1] / 1e6)
    elif kind == "retarget":  # another integration for GET /items/{id}
        v2.update_route({"ApiId": api, "RouteId": items, "Target": f"integrations/{w.integ[op[1]]}"})
    elif kind == "route_key":
        v2.update_route({"ApiId": api, "RouteId": items, "RouteKey": op[1]})
    elif kind == "auth":
        if op[1] == "JWT":
            v2.update_route({"ApiId": api, "RouteId": items, "AuthorizationType": "JWT",
                             "AuthorizerId": w.authorizer})
        else:
            v2.update_route({"ApiId": api, "RouteId": items, "AuthorizationType": op[1], "AuthorizerId": None})
    elif kind == "throttle_default":
        v2.update_stage({"ApiId": api, "StageName": "$default", "DefaultRouteSettings": op[1]})
    elif kind == "throttle_route":
        v2.update_stage({"ApiId": api, "StageName": "$default", "RouteSettings": {"POST /orders": op[1]}})
    elif kind == "access_log":
        v2.update_stage({"ApiId": api, "StageName": "$default", "AccessLogSettings": LOG if op[1] else None})
    elif kind == "delete_fn":
        if "other" in w.lam.functions:
            w.cloud.client("lambda").delete_function(FunctionName="other")
    elif kind == "recreate_fn":
        if "other" not in w.lam.functions:
            w.lam.create_function_from_callable("other", _fn(w.seen, "other2"), duration=0.01, timeout=60)
    elif kind == "alias":
        aliases = {a["Name"] for a in w.lam.list_aliases({"FunctionName": "fn"})["Aliases"]}
        if op[1] == "delete":
            if "live" in aliases:
                w.lam.delete_alias({"FunctionName": "fn", "Name": "live"})
        elif "live" not in aliases:
            w.lam.create_alias({"FunctionName": "fn", "Name": "live", "FunctionVersion": op[1]})
        else:  # re-point: version 2 runs 200 ms, beyond the integration's 150 ms (503)
            w.lam.update_alias({"FunctionName": "fn", "Name": "live", "FunctionVersion": op[1]})
    elif kind == "stage_recreate":
        if "prod" in w.api_obj.stages:
            v2.delete_stage({"ApiId": api, "StageName": "prod"})
        else:
            v2.create_stage({"ApiId": api, "StageName": "prod", "AutoDeploy": True})
    elif kind == "manual_stage":
        if "man" not in w.api_obj.stages:
            v2.create_stage({"ApiId": api, "StageName": "man", "AutoDeploy": False})
        if not w.api_obj.stages["man"].auto_deploy:
            w.deployments.append(v2.create_deployment({"ApiId": api, "StageName": "man"})["DeploymentId"])
    elif kind == "man_old":  # back to the first deployment
        if w.deployments:
            stage_op(DeploymentId=w.deployments[0])
    elif kind == "man_auto":
        stage_op(AutoDeploy=op[1])
    elif kind == "config":
        setattr(w.g.config, op[1], not getattr(w.g.config, op[1]))
    elif kind == "overhead":  # the gateway's own latency on (every request takes the general path) or off
        w.g.config.overhead_ms = op[1]
    elif kind == "send_as":  # a request with its own source IP and user agent
        w.g.submit(api, "GET", "/items/5", None, None, source_ip=op[1], user_agent=op[2], on_response=w.record)
    elif kind == "delete_api":
        if api in w.g.apis:
            v2.delete_api({"ApiId": api})
    else:  # pragma: no cover
        raise AssertionError(kind)


def _run(short: bool, ops: list[tuple[Any, ...]], trace: str = "none") -> dict[str, Any]:
    w = World(short, trace)
    for op in ops:
        apply(w, op)
    out = w.observe()
    if trace == "all":
        out["records"] = [r.canonical() for r in w.cloud.trace.filter()]
    return out


def _same(ops: list[tuple[Any, ...]], trace: str = "none") -> dict[str, Any]:
    short = _run(True, ops, trace)
    general = _run(False, ops, trace)
    for k in general:
        assert short[k] == general[k], k
    return short


def _burst(i: int) -> tuple[Any, ...]:
    return ("burst", SENDS[i])


# Each scenario: plans made and used (bursts), then the change with requests in flight, then more.
SCENARIOS: dict[str, list[tuple[Any, ...]]] = {
    "retarget": [_burst(0), ("retarget", "other"), _burst(0), ("advance", 30_000), ("retarget", "fn_100ms"),
                 _burst(0), ("retarget", "fn_v1"), _burst(0), ("retarget", "live"), _burst(0), ("advance", 300_000),
                 ("retarget", "fn"), _burst(0), ("advance", 300_000)],
    "route_key": [_burst(0), ("route_key", "GET /things/{id}"), _burst(0), _burst(7), ("advance", 50_000),
                  ("route_key", "GET /items/{id}"), _burst(7), _burst(0), ("advance", 50_000)],
    "authorizer": [_burst(0), ("auth", "JWT"), _burst(0), ("advance", 10_000), ("auth", "AWS_IAM"), _burst(0),
                   ("auth", "NONE"), _burst(0), ("advance", 50_000)],
    "function": [_burst(5), ("delete_fn",), _burst(5), ("advance", 50_000), ("recreate_fn",), _burst(5),
                 ("advance", 50_000), _burst(5), ("delete_fn",), ("advance", 50_000)],
    "alias": [_burst(4), ("alias", "delete"), _burst(4), ("alias", "1"), _burst(4), ("advance", 50_000),
              ("alias", "2"), _burst(4), ("advance", 300_000), ("alias", "1"), _burst(4),
              ("advance", 300_000)],
    "throttling": [_burst(2), ("throttle_default", {"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": 1.0}),
                   _burst(2), _burst(0), ("advance", 1_000_000), _burst(2),
                   ("throttle_route", {"ThrottlingBurstLimit": 0, "ThrottlingRateLimit": 0.0}), _burst(2),
                   _burst(3), ("throttle_route", {"ThrottlingBurstLimit": 10}), _burst(2),
                   ("throttle_default", {}), _burst(0), ("advance", 2_000_000), _burst(2), ("advance", 50_000)],
    "stage": [_burst(6), ("stage_recreate",), _burst(6), ("advance", 10_000), ("stage_recreate",), _burst(6),
              ("advance", 50_000)],
    "manual": [("manual_stage",), _burst(8), ("route_key", "GET /things/{id}"), _burst(8), _burst(10),
               ("advance", 50_000), ("manual_stage",), _burst(8), _burst(10), ("man_old",), _burst(8),
               _burst(10), ("man_auto", True), _burst(8), _burst(10), ("route_key", "GET /items/{id}"),
               _burst(8), ("man_auto", False), _burst(8), _burst(10), ("advance", 50_000)],
    "shared_result": [_burst(9), ("advance", 10_000), _burst(9), _burst(9), ("advance", 50_000), _burst(9)],
    "logs_metrics": [_burst(0), ("access_log", True), _burst(0), ("config", "metrics"), ("advance", 50_000),
                     _burst(0), ("access_log", False), ("config", "metrics"), ("config", "trace_requests"),
                     _burst(0), ("advance", 50_000), ("config", "trace_requests"), _burst(0)],
    "overhead": [_burst(0), ("overhead", 5), _burst(0), ("advance", 1_000), ("overhead", 0), _burst(0),
                 ("advance", 300_000)],
    "client": [("send_as", "203.0.113.9", "curl/8"), ("send_as", "203.0.113.9", "curl/8"),
               ("send_as", "203.0.113.9", "curl/8"), ("send_as", "198.51.100.1", None),
               ("send_as", "198.51.100.1", ""), ("send_as", "10.0.0.1", "x"), ("advance", 300_000)],
    "delete_api": [_burst(0), _burst(2), ("advance", 10_000), ("delete_api",), _burst(0), ("advance", 50_000),
                   _burst(2)],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_short_equals_general(name: str) -> None:
    out = _same(SCENARIOS[name])
    assert out["responses"]


def test_scenarios_with_kept_trace_records() -> None:
    out = _same([op for name in ("retarget", "alias", "throttling") for op in SCENARIOS[name]], trace="all")
    assert out["records"]


def test_scenarios_do_take_the_short_path() -> None:
    """The comparisons above are not vacuous: plans are made and used in these scenarios."""
    w = World(True)
    calls = {"n": 0}
    plain = w.g._short_answered

    def counted(inv: Any) -> None:
        calls["n"] += 1
        plain(inv)

    w.g._short_answered = counted
    for name in ("retarget", "alias", "function", "throttling", "manual"):
        for op in SCENARIOS[name]:
            apply(w, op)
    w.cloud.run_until_idle()
    assert calls["n"] > 20


OPS = st.one_of(
    st.tuples(st.sampled_from(["send", "burst"]), st.sampled_from(SENDS)),
    st.tuples(st.just("advance"), st.sampled_from([0, 10_000, 150_000, 1_000_000, 61_000_000])),
    st.tuples(st.just("retarget"), st.sampled_from(["fn", "other", "fn_v1", "fn_100ms", "live"])),
    st.tuples(st.just("route_key"), st.sampled_from(["GET /items/{id}", "GET /things/{id}"])),
    st.tuples(st.just("auth"), st.sampled_from(["NONE", "JWT", "AWS_IAM"])),
    st.tuples(st.just("throttle_default"), st.sampled_from([{}, {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 2.0}])),
    st.tuples(st.just("throttle_route"), st.sampled_from([{}, {"ThrottlingBurstLimit": 0}, {"ThrottlingRateLimit": 5.0}])),
    st.tuples(st.just("access_log"), st.booleans()),
    st.tuples(st.sampled_from(["delete_fn", "recreate_fn", "stage_recreate", "manual_stage", "man_old"])),
    st.tuples(st.just("alias"), st.sampled_from(["delete", "1", "2"])),
    st.tuples(st.just("man_auto"), st.booleans()),
    st.tuples(st.just("overhead"), st.sampled_from([0, 0, 3])),
    st.tuples(st.just("send_as"), st.sampled_from(["203.0.113.9", "10.0.0.1"]), st.sampled_from([None, "curl/8"])),
    st.tuples(st.just("config"), st.sampled_from(["metrics", "trace_requests", "latency_percentiles"])),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=1, max_size=30))
def test_short_equals_general_property(ops: list[tuple[Any, ...]]) -> None:
    _same(ops)


def _reentrant(short: bool) -> dict[str, Any]:
    """A handler that changes the configuration and sends a request itself while it runs, and an
    on_response callback that does the same at the response instant."""
    w = World(short)
    g: Any = w.g
    v2: Any = w.v2
    api = w.api
    state = {"n": 0}

    def busy(event: Any, context: Any) -> Any:
        state["n"] += 1
        w.seen.append(("busy", json.dumps(event)))
        n = state["n"]
        if n % 3 == 0:  # re-target its own route to the other function, in the middle of the request
            v2.update_route({"ApiId": api, "RouteId": w.routes["GET /items/{id}"],
                             "Target": f"integrations/{w.integ['other' if n % 2 else 'fn']}"})
        if n % 4 == 1:  # a nested request from inside the handler
            g.submit(api, "POST", "/orders", None, f"nested{n}", on_response=w.record)
        if n % 5 == 0:
            v2.update_stage({"ApiId": api, "StageName": "$default", "AccessLogSettings": LOG if n % 2 else None})
        return {"statusCode": 200, "body": str(n)}

    w.lam.create_function_from_callable("busy", busy, duration=0.03, timeout=60)
    arn = w.arn.rsplit(":", 1)[0] + ":busy"
    v2.create_route({"ApiId": api, "RouteKey": "GET /busy", "Target": f"integrations/{w.integration(arn)}"})

    def answered(r: Any) -> None:
        w.record(r)
        if len(w.got) % 4 == 0:
            v2.update_stage({"ApiId": api, "StageName": "$default",
                             "RouteSettings": {"GET /busy": {"ThrottlingBurstLimit": len(w.got) % 3}}})
        if len(w.got) % 5 == 0:
            w.send("GET", "/busy")

    for i in range(30):
        w.send("GET", "/busy", on_response=answered)
        w.send("GET", "/items/1", on_response=answered)
        w.cloud.advance(0.011 if i % 3 else 0.0)
    return w.observe()


def test_reentrant_handlers_and_callbacks() -> None:
    short = _reentrant(True)
    general = _reentrant(False)
    for k in general:
        assert short[k] == general[k], k
    assert len(short["responses"]) > 60


def _overflow(short: bool, monkeypatch: Any, memo: int, paths: int) -> dict[str, Any]:
    from serverless_sim.apigateway import gateway as gateway_module

    monkeypatch.setattr(gateway_module, "PLAN_MEMO", memo)
    w = World(short)
    calls = {"n": 0}
    plain = w.g._short_answered

    def counted(inv: Any) -> None:
        calls["n"] += 1
        plain(inv)

    w.g._short_answered = counted
    sizes = []
    for rnd in range(2):
        for i in range(paths):
            for _ in range(3):  # noted, planned, then the short path
                w.send("GET", f"/items/{i}")
            if i % 97 == 0:
                w.cloud.advance(0.25)  # (the calls in flight stay below Lambda's account concurrency)
                if rnd == 1 and i % 2 == 0:  # a change on the way: plans of the old routes go stale
                    apply(w, ("retarget", "other" if i % 4 == 0 else "fn"))
            sizes.append(len(w.g._plans))
        w.cloud.advance(0.3)
    out = w.observe()
    out["max_plans"] = max(sizes)
    out["short_calls"] = calls["n"]
    return out


@pytest.mark.parametrize("memo,paths", [(1024, 1100), (7, 40)])
def test_plan_table_overflow(monkeypatch: Any, memo: int, paths: int) -> None:
    short = _overflow(True, monkeypatch, memo, paths)
    general = _overflow(False, monkeypatch, memo, paths)
    assert short.pop("max_plans") <= memo
    assert short.pop("short_calls") >= paths  # plans were used while the table filled and emptied
    general.pop("max_plans")
    general.pop("short_calls")
    for k in general:
        assert short[k] == general[k], k


def _forked(short: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    from serverless_sim.sim import fork

    w = World(short)
    for i in range(4):
        for op in (_burst(0), _burst(2), _burst(4), _burst(5)):
            apply(w, op)
        w.cloud.advance(0.01)
    copy: Any = fork(w.cloud)  # short-path requests in flight (their plans in the invocations' tags)
    w.cloud.run_until_idle()
    mine_digest = w.cloud.trace.digest()  # before the metric queries below (traced calls)
    mine = w.observe()
    mine["digest_at_idle"] = mine_digest
    copy.run_until_idle()
    digest = copy.trace.digest()
    cw = copy.client("cloudwatch")
    theirs = {"digest": digest, "now": copy.now_us, "events_run": copy.scheduler.events_run,
              "count": cw.get_metric_statistics(
                  Namespace="AWS/ApiGateway", MetricName="Count",
                  Dimensions=[{"Name": "ApiId", "Value": w.api}, {"Name": "Stage", "Value": "$default"}],
                  StartTime=copy.start_us / 1e6 - 60, EndTime=copy.now_us / 1e6 + 3600, Period=60,
                  Statistics=["Sum"])["Datapoints"]}
    return mine, theirs


def test_fork_in_flight_short_equals_general() -> None:
    s_mine, s_copy = _forked(True)
    g_mine, g_copy = _forked(False)
    for k in g_mine:
        assert s_mine[k] == g_mine[k], k
    assert s_copy == g_copy
    assert s_copy["digest"] == s_mine["digest_at_idle"]


def _two_apis(short: bool) -> dict[str, Any]:
    """Two APIs with the same (method, path): the plan looked up by path belongs to the other one
    every other request; and Lambda's async queue waiting for capacity while short-path requests
    answer (the dispatch pass kicked first, as in ``_answered``)."""
    w = World(short)
    lam: Any = w.lam
    lam.create_function_from_callable("bg", _fn(w.seen, "bg"), duration=0.05, timeout=60)
    lam.put_function_concurrency({"FunctionName": "bg", "ReservedConcurrentExecutions": 1})
    second = w.v2.create_api({"Name": "b", "ProtocolType": "HTTP", "Target": w.other_arn,
                              "RouteKey": "GET /items/{id}"})["ApiId"]
    for i in range(12):
        for api in (w.api, second, w.api):
            w.g.submit(api, "GET", "/items/1", None, None, on_response=w.record)
        lam.invoke_async("bg", {"i": i})
        w.cloud.advance(0.03 if i % 2 else 0.0)
    return w.observe()


def test_two_apis_one_path_and_async_queue() -> None:
    short = _two_apis(True)
    general = _two_apis(False)
    for k in general:
        assert short[k] == general[k], k


def test_disabled_endpoint_and_cors_at_create_api() -> None:
    """Both settings made at CreateApi (there is no UpdateApi in the simulator): the two paths agree
    (a CORS API never takes the short path; DisableExecuteApiEndpoint is not enforced by either)."""
    def run(short: bool) -> dict[str, Any]:
        w = World(short)
        out = []
        for params in ({"DisableExecuteApiEndpoint": True},
                       {"CorsConfiguration": {"AllowOrigins": ["https://a.example"], "ExposeHeaders": ["x-a"]}}):
            api = w.v2.create_api({"Name": "x", "ProtocolType": "HTTP", "Target": w.arn, **params})["ApiId"]
            for i in range(4):
                w.g.submit(api, "GET", "/p", None, None, on_response=w.record)
                w.g.submit(api, "POST", "/p", None, "b", on_response=w.record)
            out.append(api)
        res = w.observe()
        return res

    assert run(True) == run(False)
