"""API Gateway throughput: routed requests per wall second to a no-op Lambda, and routing cost.

Method: an HTTP API (payload 2.0, ``$default`` stage) with N routes ``GET /r{i}/items/{id}``
(plus ``ANY /{proxy+}``) in front of one Lambda function (a plain callable returning a proxy
response, constant 1 ms duration, warm after the first request); requests spread over the routes
from user code (blocking: the clock advances to each response); "submit req/s" sends the same
requests without waiting (``submit``, the path workloads use: 50 per 10 simulated ms). The Cloud keeps no trace records,
Lambda writes no log lines; CloudWatch metrics stay on. "routing share" is the time of
``Router.match`` alone over the same paths divided by the time per request. N = 2,000 exceeds
AWS's 300-route quota: the benchmark lifts the simulator's check to show routing cost is flat.

The Lambda reference line goes through ``Lambda.start_at`` (the public entry point the gateway
calls); the request pipeline is callbacks over a plain ``Exchange`` object (no generators).

    python benchmarks/apigateway.py [--requests 50000] [--no-percentiles]

``--no-percentiles`` records the gateway's Latency / IntegrationLatency as statistic sets
(``GatewayConfig.latency_percentiles = False``: constant memory, no percentiles).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "apigateway"))

import apigw_helpers  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.apigateway import limits  # noqa: E402


PERCENTILES = True


def build(n_routes: int) -> tuple[Cloud, Any, str, list[str]]:
    apigw_helpers.register()
    limits.HTTP_ROUTES_MAX = max(limits.HTTP_ROUTES_MAX, n_routes + 1)
    cloud = Cloud(seed=1, trace="none")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.config.trace_invocations = False
    lam.config.duration_percentiles = False
    lam.create_function_from_callable("noop", lambda e, c: {"statusCode": 200, "body": "ok"}, duration=0.001,
                                      virtual_time=False)
    gw: Any = cloud.service("apigateway")
    gw.gateway.config.trace_requests = False
    gw.gateway.config.latency_percentiles = PERCENTILES
    routes = {f"GET /r{i}/items/{{id}}": "noop" for i in range(n_routes)}
    routes["ANY /{proxy+}"] = "noop"
    api = gw.create_http_api("bench", routes)
    paths = [f"/r{(i * 7919) % n_routes}/items/{i}" for i in range(1000)]
    return cloud, gw, api, paths


def measure(n_routes: int, n_requests: int) -> dict[str, float]:
    cloud, gw, api, paths = build(n_routes)
    request = gw.request
    request(api, "GET", paths[0])  # cold start
    t = time.perf_counter()
    for i in range(n_requests):
        request(api, "GET", paths[i % 1000])
    wall = time.perf_counter() - t
    stage = gw.gateway.apis[api].stages["$default"]
    router = stage.compiled().router
    match = router.match
    t = time.perf_counter()
    for i in range(n_requests):
        match("GET", paths[i % 1000])
    route_wall = time.perf_counter() - t
    return {"routes": n_routes, "rps": n_requests / wall, "us_per_request": wall / n_requests * 1e6,
            "match_us": route_wall / n_requests * 1e6, "routing_share": route_wall / wall}


def measure_submit(n_routes: int, n_requests: int) -> float:
    """The non-blocking path workloads use (``submit``: each wait is a kernel event), 50 requests
    per 10 ms of simulated time."""
    cloud, gw, api, paths = build(n_routes)
    submit = gw.submit
    advance = cloud.advance
    submit(api, "GET", paths[0])
    advance(0.01)
    t = time.perf_counter()
    for i in range(n_requests):
        submit(api, "GET", paths[i % 1000])
        if i % 50 == 49:
            advance(0.01)
    advance(0.01)
    return n_requests / (time.perf_counter() - t)


def lambda_only(n_requests: int) -> float:
    """The Lambda invoke path alone (same function, through ``Lambda.start_at``, the entry point
    the gateway uses), for reference."""
    cloud, gw, api, paths = build(10)
    lam: Any = cloud.service("lambda")
    start_at = lam.start_at
    run_until_us = cloud.scheduler.run_until_us
    t = time.perf_counter()
    for _ in range(n_requests):
        inv = start_at("noop", None, {}, cloud.now_us)
        run_until_us(inv.end_us)
    return n_requests / (time.perf_counter() - t)


def gateway_only(n_requests: int) -> float:
    """The gateway alone: a REST API with 200 resources and MOCK integrations (no Lambda)."""
    apigw_helpers.register()
    cloud = Cloud(seed=1, trace="none")
    gw: Any = cloud.service("apigateway")
    gw.gateway.config.trace_requests = False
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="mock", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    for i in range(200):
        rid = c.create_resource(restApiId=api, parentId=root, pathPart=f"r{i}")["id"]
        c.put_method(restApiId=api, resourceId=rid, httpMethod="GET", authorizationType="NONE")
        c.put_integration(restApiId=api, resourceId=rid, httpMethod="GET", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
        c.put_integration_response(restApiId=api, resourceId=rid, httpMethod="GET", statusCode="200",
                                   responseTemplates={"application/json": "{}"})
    c.create_deployment(restApiId=api, stageName="prod")
    paths = [f"/prod/r{(i * 7919) % 200}" for i in range(1000)]
    request = gw.request
    t = time.perf_counter()
    for i in range(n_requests):
        request(api, "GET", paths[i % 1000])
    return n_requests / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=50_000)
    ap.add_argument("--no-percentiles", action="store_true",
                    help="gateway latency metrics as statistic sets (constant memory)")
    args = ap.parse_args()
    global PERCENTILES
    PERCENTILES = not args.no_percentiles
    try:
        with open("/proc/loadavg") as f:
            print(f"load average (1 min): {f.read().split()[0]}")
    except OSError:
        pass
    print(f"Lambda invoke path alone: {lambda_only(args.requests):,.0f} invocations/s")
    print(f"Gateway alone (REST, 200 resources, MOCK): {gateway_only(args.requests):,.0f} requests/s")
    print(f"{'routes':>6} {'requests/s':>11} {'us/request':>11} {'match us':>9} {'routing share':>14} "
          f"{'submit req/s':>13}")
    for n in (10, 200, 2000):
        m = measure(n, args.requests)
        s = measure_submit(n, args.requests)
        print(f"{m['routes']:>6} {m['rps']:>11,.0f} {m['us_per_request']:>11.1f} {m['match_us']:>9.2f} "
              f"{m['routing_share']:>13.1%} {s:>13,.0f}")


if __name__ == "__main__":
    main()
