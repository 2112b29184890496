"""REST stage cache (TTL, key parameters, Cache-Control invalidation), access logs, metrics."""

from __future__ import annotations

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{}/invocations"


def cached_api(auth_policy_actions=None, require_auth=True, strategy=None):
    calls = []

    def f(event, context):
        calls.append(event)
        return {"statusCode": 200, "body": f"v{len(calls)}"}

    fns = {"f": f}
    if auth_policy_actions is not None:
        fns["auth"] = lambda e, c: {"principalId": "u", "policyDocument": {"Statement": [
            {"Effect": "Allow", "Action": auth_policy_actions, "Resource": "*"}]}}
    cloud = make_cloud(fns)
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    method: dict = {"function": "f", "integration": {"cacheKeyParameters": ["method.request.querystring.q"]}}
    if auth_policy_actions is None:
        api = gw.create_rest_api("c", {"/items": {"GET": method, "POST": "f"}})
    else:
        api = c.create_rest_api(name="c")["id"]
        aid = c.create_authorizer(restApiId=api, name="a", type="TOKEN", authorizerUri=URI.format("auth"))["id"]
        root = c.get_resources(restApiId=api)["items"][0]["id"]
        rid = c.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
        c.put_method(restApiId=api, resourceId=rid, httpMethod="GET", authorizationType="CUSTOM", authorizerId=aid)
        c.put_integration(restApiId=api, resourceId=rid, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=URI.format("f"), cacheKeyParameters=["method.request.querystring.q"])
        c.create_deployment(restApiId=api, stageName="prod")
    ops = [{"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
           {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"},
           {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "60"}]
    if not require_auth:
        ops.append({"op": "replace", "path": "/*/*/caching/requireAuthorizationForCacheControl", "value": "false"})
    if strategy:
        ops.append({"op": "replace", "path": "/*/*/caching/unauthorizedCacheControlHeaderStrategy", "value": strategy})
    c.update_stage(restApiId=api, stageName="prod", patchOperations=ops)
    return cloud, gw, c, api, calls


def test_cache_hits_ttl_and_key_parameters():
    cloud, gw, c, api, calls = cached_api(require_auth=False)
    r1 = gw.request(api, "GET", "/prod/items?q=a&other=1")
    r2 = gw.request(api, "GET", "/prod/items?q=a&other=2")   # other is not a key parameter
    r3 = gw.request(api, "GET", "/prod/items?q=b")
    assert (r1.body, r2.body, r3.body) == ("v1", "v1", "v2") and r2.cache_hit and not r1.cache_hit
    assert gw.request(api, "POST", "/prod/items").body == "v3"  # only GET is cached by default
    assert gw.request(api, "POST", "/prod/items").body == "v4"
    cloud.advance(60)
    assert gw.request(api, "GET", "/prod/items?q=a").body == "v5"  # expired
    assert gw.request(api, "GET", "/prod/items?q=a", headers={"Cache-Control": "max-age=0"}).body == "v6"
    assert gw.request(api, "GET", "/prod/items?q=a").body == "v6"  # refreshed entry
    c.flush_stage_cache(restApiId=api, stageName="prod")
    assert gw.request(api, "GET", "/prod/items?q=a").body == "v7"
    hits = cloud.metrics.series("AWS/ApiGateway", "CacheHitCount", {"ApiName": "c", "Stage": "prod"})
    misses = cloud.metrics.series("AWS/ApiGateway", "CacheMissCount", {"ApiName": "c", "Stage": "prod"})
    assert sum(b.total for b in hits.buckets.values()) == 2
    assert sum(b.total for b in misses.buckets.values()) == 5


def test_cache_control_needs_invalidate_permission():
    cloud, gw, c, api, calls = cached_api(auth_policy_actions="execute-api:Invoke")
    h = {"Authorization": "t"}
    assert gw.request(api, "GET", "/prod/items?q=a", headers=h).body == "v1"
    assert gw.request(api, "GET", "/prod/items?q=a", headers={**h, "Cache-Control": "max-age=0"}).body == "v1"  # ignored
    cloud, gw, c, api, calls = cached_api(auth_policy_actions=["execute-api:Invoke", "execute-api:InvalidateCache"])
    assert gw.request(api, "GET", "/prod/items?q=a", headers=h).body == "v1"
    assert gw.request(api, "GET", "/prod/items?q=a", headers={**h, "Cache-Control": "max-age=0"}).body == "v2"
    cloud, gw, c, api, calls = cached_api(auth_policy_actions="execute-api:Invoke", strategy="FAIL_WITH_403")
    assert gw.request(api, "GET", "/prod/items?q=a", headers={**h, "Cache-Control": "max-age=0"}).status == 403


def test_metrics_rest_and_http():
    cloud = make_cloud({"ok": lambda e, c: {"statusCode": 200, "body": "x"},
                        "bad": lambda e, c: {"statusCode": 404, "body": "no"}}, duration=0.05)
    gw = cloud.service("apigateway")
    rest = gw.create_rest_api("r", {"/ok": {"GET": "ok"}, "/bad": {"GET": "bad"}})
    for p in ("/prod/ok", "/prod/bad", "/prod/missing"):
        gw.request(rest, "GET", p)
    cw = cloud.client("cloudwatch")

    def stat(name, dims, s="Sum"):
        pts = cw.get_metric_statistics(Namespace="AWS/ApiGateway", MetricName=name,
                                       Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
                                       StartTime="2026-01-01T00:00:00Z", EndTime="2026-01-01T01:00:00Z",
                                       Period=3600, Statistics=[s])["Datapoints"]
        return pts[0][s] if pts else None

    d = {"ApiName": "r", "Stage": "prod"}
    assert stat("Count", d) == 3 and stat("4XXError", d) == 2 and stat("5XXError", d) == 0
    assert stat("IntegrationLatency", d, "SampleCount") == 2 and stat("Latency", d, "Maximum") == 150.0
    http = gw.create_http_api("h", {"GET /": "ok"})
    gw.request(http, "GET", "/")
    gw.request(http, "GET", "/nope")
    dh = {"ApiId": http, "Stage": "$default"}
    assert stat("Count", dh) == 2 and stat("4xx", dh) == 1 and stat("5xx", dh) == 0


def test_access_log_line():
    cloud = make_cloud({"ok": lambda e, c: {"statusCode": 200, "body": "hello"}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = gw.create_rest_api("r", {"/items/{id}": {"GET": "ok"}})
    c.update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:123456789012:log-group:api-access"},
        {"op": "replace", "path": "/accessLogSettings/format",
         "value": "$context.requestId $context.identity.sourceIp [$context.requestTime] \"$context.httpMethod "
                  "$context.resourcePath\" $context.status $context.responseLength $context.integrationLatency $context.nope"}])
    r = gw.request(api, "GET", "/prod/items/1")
    gw.request(api, "GET", "/prod/nothing")
    lines = cloud.logs.lines("api-access")
    assert lines[0] == f'{r.request_id} 198.51.100.1 [01/Jan/2026:00:00:00 +0000] "GET /items/{{id}}" 200 5 110 -'
    assert lines[1].endswith('"GET -" 403 42 - -')


def test_http_access_log_via_stage_settings():
    cloud = make_cloud({"ok": lambda e, c: "x"})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("h", {"GET /a": "ok"})
    cloud.client("apigatewayv2").update_stage(ApiId=api, StageName="$default", AccessLogSettings={
        "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:http-logs:*",
        "Format": '{"routeKey":"$context.routeKey","status":"$context.status"}'})
    gw.request(api, "GET", "/a")
    assert cloud.logs.lines("http-logs") == ['{"routeKey":"GET /a","status":"200"}']


def test_latency_as_statistic_sets_keeps_the_same_basic_statistics_without_raw_values():
    def run(percentiles):
        cloud = make_cloud({"fast": lambda e, c: {"statusCode": 200, "body": "x"}}, duration=0.02)
        cloud.service("lambda").create_function_from_callable(
            "slow", lambda e, c: {"statusCode": 500, "body": "y"}, duration=0.3, timeout=60)
        gw = cloud.service("apigateway")
        gw.gateway.config.latency_percentiles = percentiles
        api = gw.create_http_api("h", {"GET /f": "fast", "GET /s": "slow"})
        for p in ("/f", "/s", "/f", "/nope", "/s", "/f"):
            gw.request(api, "GET", p)
        dims = {"ApiId": api, "Stage": "$default"}
        stats = {name: cloud.metrics.statistics("AWS/ApiGateway", name, dims, cloud.start_us, cloud.now_us + 1,
                                                3600, ["SampleCount", "Sum", "Minimum", "Maximum", "Average"])
                 for name in ("Count", "4xx", "5xx", "Latency", "IntegrationLatency")}
        raw = sum(len(b.values) for name in ("Latency", "IntegrationLatency")
                  for b in cloud.metrics.series("AWS/ApiGateway", name, dims).buckets.values())
        return stats, raw, cloud.metrics.statistics("AWS/ApiGateway", "Latency", dims, cloud.start_us,
                                                    cloud.now_us + 1, 3600, ["p50"])[0]["p50"]

    with_raw, n_raw, p50 = run(True)
    sets, n_sets, _ = run(False)
    assert sets == with_raw  # SampleCount, Sum, Minimum, Maximum, Average agree exactly
    assert with_raw["Latency"][0]["SampleCount"] == 6 and with_raw["IntegrationLatency"][0]["SampleCount"] == 5
    assert with_raw["Latency"][0]["Maximum"] == 400.0  # cold start (Init 100 ms) + 300 ms
    assert n_raw == 11 and n_sets == 0  # raw values only with percentiles on
    assert p50 == 20.0  # latencies 0 (404), 20, 20, 120 (cold), 300, 400 (cold): nearest rank 3


def test_latency_percentiles_switch_applies_to_a_stage_already_serving():
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200, "body": "x"}}, duration=0.02)
    gw = cloud.service("apigateway")
    api = gw.create_http_api("h", {"GET /": "f"})
    gw.request(api, "GET", "/")
    gw.gateway.config.latency_percentiles = False
    gw.request(api, "GET", "/")
    series = cloud.metrics.series("AWS/ApiGateway", "Latency", {"ApiId": api, "Stage": "$default"})
    (bucket,) = series.buckets.values()
    assert bucket.count == 2 and len(bucket.values) == 1
