"""Forks are exact with API Gateway requests in flight: the request pipeline is plain objects and
callbacks (no generators), so ``cloud.fork()`` copies a request waiting for its authorizer, its
integration or its timeout, and both timelines finish it the same way."""

from __future__ import annotations

import json

from apigw_helpers import apigw_services, make_cloud  # noqa: F401
from serverless_sim.sim import fork

AUTH_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")


def build(overhead_ms=0.0):
    def echo(event, context):
        return {"statusCode": 200, "body": json.dumps(event.get("pathParameters"))}

    def auth(event, context):
        return {"isAuthorized": event["headers"].get("authorization") == "yes"}

    cloud = make_cloud({"echo": echo, "auth": auth}, duration=0.05)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("slow", echo, duration=20.0, timeout=60)   # answers in time
    lam.create_function_from_callable("stuck", echo, duration=45.0, timeout=60)  # HTTP API timeout (30 s)
    gw = cloud.service("apigateway")
    gw.gateway.config.overhead_ms = overhead_ms
    api = gw.create_http_api("f", {"GET /e/{id}": "echo", "GET /slow": "slow", "GET /stuck": "stuck"})
    v2 = cloud.client("apigatewayv2")
    aid = v2.create_authorizer(ApiId=api, AuthorizerType="REQUEST", Name="a", AuthorizerUri=AUTH_URI,
                               AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
                               IdentitySource=["$request.header.Authorization"],
                               AuthorizerResultTtlInSeconds=0)["AuthorizerId"]
    for r in v2.get_routes(ApiId=api)["Items"]:
        if r["RouteKey"] == "GET /e/{id}":
            v2.update_route(ApiId=api, RouteId=r["RouteId"], AuthorizationType="CUSTOM", AuthorizerId=aid)
    rest = gw.create_rest_api("r", {"/slow": {"GET": "slow"}})
    return cloud, gw, api, rest


def submit_many(gw, api, rest, results):
    for i in range(6):
        gw.submit(api, "GET", f"/e/{i}", headers={"Authorization": "yes" if i % 3 else "no"},
                  on_response=lambda r: results.append((r.end_us, r.status, r.body)))
    for path in ("/slow", "/stuck"):
        gw.submit(api, "GET", path, on_response=lambda r: results.append((r.end_us, r.status, r.body)))
    gw.submit(rest, "GET", "/prod/slow", on_response=lambda r: results.append((r.end_us, r.status, r.body)))


def observed(cloud, api):
    lam = cloud.service("lambda")
    metrics = [cloud.metrics.statistics("AWS/ApiGateway", name, {"ApiId": api, "Stage": "$default"},
                                        cloud.start_us, cloud.now_us + 60_000_000, 3600, ["Sum", "Maximum"])
               for name in ("Count", "5xx", "Latency")]
    return (cloud.now_us, cloud.trace.digest(), lam.stats("slow"), lam.stats("auth"), lam.stats("echo"),
            json.dumps(metrics, default=str, sort_keys=True))


def test_fork_with_requests_in_flight_is_exact():
    for overhead in (0.0, 5.0):
        cloud, gw, api, rest = build(overhead)
        results: list = []
        submit_many(gw, api, rest, results)
        cloud.advance(0.06)  # authorizers answered, integrations running (some cold), slow ones pending
        assert len(results) < 9
        copy = fork(cloud)
        assert copy.trace.digest() == cloud.trace.digest()
        cloud.advance(60)
        copy.advance(60)
        assert observed(copy, api) == observed(cloud, api)
        assert len(results) == 9  # the original's callbacks ran in the original only
        assert sorted(r[1] for r in results) == [200, 200, 200, 200, 200, 200, 403, 403, 503]


def test_fork_equals_an_unforked_run():
    a, gwa, api_a, rest_a = build()
    b, gwb, api_b, rest_b = build()
    submit_many(gwa, api_a, rest_a, [])
    submit_many(gwb, api_b, rest_b, [])
    a.advance(10)  # /slow and /stuck still in flight
    c = fork(a)
    c.advance(50)
    b.advance(60)
    assert observed(c, api_a) == observed(b, api_b)


def test_forked_request_callbacks_belong_to_their_timeline():
    cloud, gw, api, rest = build()
    seen: list = []
    gw.submit(api, "GET", "/slow", on_response=lambda r: seen.append(r.status))
    cloud.advance(1)
    copy = fork(cloud)
    copy.advance(30)
    assert seen == []  # the copy's callback appended to the copy's list
    cloud.advance(30)
    assert seen == [200]


def test_digest_is_the_same_whether_the_trace_is_kept_or_not():
    """With ``trace="none"`` the gateway writes its request records' canonical text itself
    (``Trace.record_body``); it must be the text ``record`` computes."""
    digests = []
    for trace in ("all", "none"):
        import serverless_sim  # noqa: F401 - the Cloud class via make_cloud

        cloud, gw, api, rest = build_with(trace)
        results: list = []
        submit_many(gw, api, rest, results)
        gw.submit(api, "GET", "/nope", on_response=lambda r: results.append((r.end_us, r.status, r.body)))
        cloud.run_until_idle()
        digests.append((cloud.trace.digest(), sorted(results)))
    assert digests[0] == digests[1]
    assert cloud.trace.digest_only


def build_with(trace):
    import apigw_helpers

    saved = apigw_helpers.Cloud
    apigw_helpers.Cloud = lambda **kw: saved(trace=trace, **kw)  # type: ignore[misc]
    try:
        return build()
    finally:
        apigw_helpers.Cloud = saved
