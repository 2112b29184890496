"""Route targets read the send instant from ``Response.start_us`` (no per-request callback
object): the latencies recorded are exactly "response instant - submit instant", for HTTP and
REST APIs, with or without gateway overhead, for integration answers, timeouts, throttles and
the gateway's own immediate errors."""

import json

import pytest

from serverless_sim import Cloud
from serverless_sim.services import SERVICES
from serverless_sim.sim import Constant, Poisson, Route, workload
from serverless_sim.sim.workloads import bucket_of

pytestmark = pytest.mark.skipif("apigateway" not in SERVICES, reason="API Gateway is not registered")


def _watch(cloud):
    """Wrap the gateway's submit: (sent_us, answered_us, status) of every request."""
    gw = cloud.service("apigateway")
    seen = []
    real = gw.submit

    def submit(*args, on_response=None, **kw):
        sent = cloud.clock.now_us

        def answered(resp):
            seen.append((sent, cloud.clock.now_us, resp.status))
            assert resp.start_us == sent
            on_response(resp)

        real(*args, on_response=answered, **kw)

    gw.submit = submit
    return seen


def _check(wl, seen):
    s = wl.stats
    assert s.sent == len(seen) and s.completed == len(seen)
    kept = [b - a for a, b, st in seen if st != 429]
    assert s.throttled == sum(1 for *_, st in seen if st == 429)
    assert s.errors == sum(1 for *_, st in seen if st >= 500)
    h = s.latency
    assert h.count == len(kept) and h.total_us == sum(kept)
    assert h.min_us == min(kept) and h.max_us == max(kept)
    buckets = {}
    for us in kept:
        buckets[bucket_of(us)] = buckets.get(bucket_of(us), 0) + 1
    assert h.buckets == buckets


def _handler(event, context):
    body = json.loads(event["body"])
    if body["i"] % 7 == 3:
        raise ValueError("boom")
    return {"statusCode": 500 if body["i"] % 5 == 0 else 200, "body": "ok"}


@pytest.mark.parametrize("overhead_ms", [0, 3])
def test_route_latency_http(overhead_ms):
    cloud = Cloud(seed=3)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("api", _handler, duration=0.05, init_duration=0.1, timeout=1)
    gw = cloud.service("apigateway")
    gw.gateway.config.overhead_ms = overhead_ms
    api = gw.create_http_api("shop", {"POST /orders": "api"})
    seen = _watch(cloud)
    wl = workload(cloud, "web", Poisson(40), [(3, Route(api, "POST", "/orders")), (1, Route(api, "GET", "/nope"))],
                  limit=300, event=lambda i, rng: {"i": i})
    cloud.advance(60)
    assert len(seen) == 300
    _check(wl, seen)
    assert {st for *_, st in seen} >= {200, 404, 500}


def test_route_latency_rest():
    cloud = Cloud(seed=4)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("api", _handler, duration=0.02)
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("shop", {"/orders": {"POST": "api"}})
    seen = _watch(cloud)
    wl = workload(cloud, "web", Constant(20), [Route(api, "POST", "/prod/orders"), Route(api, "POST", "/nostage/x")],
                  limit=100, event=lambda i, rng: {"i": i})
    cloud.advance(30)
    assert len(seen) == 100
    _check(wl, seen)
