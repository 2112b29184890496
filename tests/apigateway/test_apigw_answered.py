"""An HTTP API request submitted with ``Gateway.submit`` continues inside Lambda's completion
event (``Invocation.on_complete`` -> ``Gateway._answered``) instead of an event of its own: the
same effects in the same order as the general, scheduled pipeline (``_nonblocking`` /
``_resume``), with one kernel event fewer per answered wait.

The scenario makes the order visible: requests complete at the same instants as other events;
responses start new requests at the response instant (zero-delay events); a REQUEST authorizer
chains two fused waits; a timeout takes the scheduled path; and asynchronous events wait for the
integration's only concurrency slot, so that ``InvokeEngine._complete``'s dispatch pass
(``_async.kick()``) and the response's own zero-delay request compete for it (whichever runs
first takes the slot: the other is throttled)."""

from __future__ import annotations

import json
from typing import Any

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

AUTH_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")


def _scenario(general: bool) -> tuple[Any, ...]:
    def fn(event: Any, context: Any) -> Any:
        return {"statusCode": 200, "body": json.dumps(event.get("rawPath"))}

    def auth(event: Any, context: Any) -> Any:
        return {"isAuthorized": event["headers"].get("authorization") == "yes"}

    cloud = make_cloud({"fn": fn, "auth": auth, "other": fn}, duration=0.05, trace="none")
    lam: Any = cloud.service("lambda")
    lam.create_function_from_callable("stuck", fn, duration=45.0, timeout=60)  # HTTP API timeout (30 s)
    lam.put_function_concurrency({"FunctionName": "fn", "ReservedConcurrentExecutions": 1})
    gw: Any = cloud.service("apigateway")
    g = gw.gateway
    api = gw.create_http_api("a", {"GET /a": "fn", "GET /b": "other", "GET /stuck": "stuck"})
    v2: Any = cloud.client("apigatewayv2")
    aid = v2.create_authorizer(ApiId=api, AuthorizerType="REQUEST", Name="a", AuthorizerUri=AUTH_URI,
                               AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
                               IdentitySource=["$request.header.Authorization"],
                               AuthorizerResultTtlInSeconds=0)["AuthorizerId"]
    for r in v2.get_routes(ApiId=api)["Items"]:
        if r["RouteKey"] == "GET /b":
            v2.update_route(ApiId=api, RouteId=r["RouteId"], AuthorizationType="CUSTOM", AuthorizerId=aid)
    client: Any = cloud.client("lambda")
    sched = cloud.scheduler
    got: list[Any] = []

    def send(path: str, headers: Any = None, follow: int = 0) -> None:
        def on_response(r: Any) -> None:
            got.append((cloud.now_us, path, r.status, r.body, r.request_id, r.latency_us,
                        r.integration_latency_us))
            if follow:  # a new request at the response instant, as a zero-delay event
                sched.call_later_us(0, send, path, headers, follow - 1)

        if general:
            g._nonblocking(g._exchange(api, "GET", path, headers, None, "203.0.113.9", None), g._dispatch,
                           on_response)
        else:
            g.submit(api, "GET", path, headers, source_ip="203.0.113.9", on_response=on_response)

    for i in range(3):
        send("/a", follow=2)
        # events queued behind the request for fn's only slot: Lambda's dispatch pass at the
        # response instant competes with the follow-up request sent from on_response
        client.invoke(FunctionName="fn", InvocationType="Event", Payload=b"{}")
        client.invoke(FunctionName="fn", InvocationType="Event", Payload=b"{}")
        send("/b", {"Authorization": "yes" if i != 1 else "no"}, follow=1)
        send("/stuck")
        sched.call_later_us(50_000, send, "/a", None, 1)  # sent as the first request answers
        cloud.run_until_idle()
    return got, cloud.trace.digest(), lam.stats("fn"), lam.stats("auth"), sched.events_run


def test_answered_in_lambdas_completion_event_matches_the_scheduled_pipeline() -> None:
    fused = _scenario(False)
    general = _scenario(True)
    assert fused[0] == general[0]  # responses: instants, order, statuses, bodies, ids, latencies
    assert fused[1] == general[1]  # the trace digest: same records, same order
    assert fused[2] == general[2] and fused[3] == general[3]
    statuses = sorted({r[2] for r in fused[0]})
    assert 200 in statuses and 403 in statuses and 503 in statuses  # answered, denied, timed out
    assert 500 in statuses  # a follow-up found fn's slot taken by an asynchronous event
    # one event fewer for each wait answered in time (an authorizer's, an integration's)
    assert fused[4] < general[4]


def test_answered_request_forks_exactly() -> None:
    from serverless_sim.sim import fork

    cloud = make_cloud({"fn": lambda e, c: {"statusCode": 200, "body": e["rawPath"]}}, duration=0.05)
    gw: Any = cloud.service("apigateway")
    api = gw.create_http_api("a", {"GET /{p}": "fn"})
    seen: list[Any] = []
    for i in range(4):
        gw.submit(api, "GET", f"/{i}", on_response=lambda r: seen.append((r.end_us, r.body)))
    copy = fork(cloud)  # four invocations in flight, each carrying its request's continuation
    cloud.run_until_idle()
    copy.run_until_idle()
    assert [b for _, b in seen] == ["/0", "/1", "/2", "/3"]  # the original's callbacks ran once
    assert copy.trace.digest() == cloud.trace.digest()
    assert copy.now_us == cloud.now_us


def test_stage_metrics_record_equals_the_series_own_aggregation() -> None:
    """``StageMetrics.record`` (inlined aggregates, a short path once a minute's buckets are
    primed) keeps what ``MetricSeries.add_statistic_set`` / ``add`` keep, minute by minute."""
    import random

    from serverless_sim.apigateway.gateway import StageMetrics
    from serverless_sim.kernel.metrics import MetricSeries

    def series() -> tuple[Any, ...]:
        return tuple(MetricSeries("AWS/ApiGateway", n, (), "Count", 60) for n in range(7))

    for raw in (False, True):
        mine, ref = series(), series()
        m = StageMetrics(mine, raw)
        rng = random.Random(5)
        t = 1_767_225_600_000_000
        for _ in range(3000):
            t += rng.choice((0, 1, 1_000, 7_000_000, 59_999_999, 60_000_000, 180_000_000))
            status = rng.choice((200, 200, 201, 302, 400, 404, 429, 500, 503))
            lat = rng.uniform(0, 50)
            integ = None if rng.random() < 0.2 else rng.uniform(0, 40)
            hit = rng.choice((None, True, False))
            m.record(t, status, lat, integ, hit)
            for s, v in zip(ref[:3], (1.0, float(400 <= status < 500), float(status >= 500))):
                s.add_statistic_set(t, 1, v, v, v)
            (ref[3].add if raw else lambda t, v: ref[3].add_statistic_set(t, 1, v, v, v))(t, lat)
            if integ is not None:
                (ref[4].add if raw else lambda t, v: ref[4].add_statistic_set(t, 1, v, v, v))(t, integ)
            if hit is not None:
                ref[5].add_statistic_set(t, 1, float(hit), float(hit), float(hit))
                ref[6].add_statistic_set(t, 1, float(not hit), float(not hit), float(not hit))
        for a, b in zip(mine, ref):
            # every bucket, recent or archived (kernel.metrics archives buckets 3 hours old)
            rows_a = {r.start_us: r for r in a.rows()}
            rows_b = {r.start_us: r for r in b.rows()}
            assert rows_b.keys() <= rows_a.keys()  # record() makes a minute's 7 buckets at once
            assert all(rows_a[k].sample_count == 0 for k in rows_a.keys() - rows_b.keys())
            for k in rows_b:
                x, y = rows_a[k], rows_b[k]
                assert (x.sample_count, x.total, x.minimum, x.maximum, list(x.raw)) == \
                       (y.sample_count, y.total, y.minimum, y.maximum, list(y.raw))
