"""Token buckets on the clock, account / stage / route throttles, API keys and usage plans."""

from __future__ import annotations

import pytest

from apigw_helpers import apigw_services, echo, make_cloud  # noqa: F401
from serverless_sim.apigateway import TokenBucket
from serverless_sim.apigateway.throttling import take_all
from serverless_sim.apigateway.usage import period_start_us


def test_token_bucket_refills_lazily_and_exactly():
    b = TokenBucket(10, 5, 0)
    assert [b.take(0) for _ in range(6)] == [True] * 5 + [False]
    assert not b.take(99_999)           # 0.99 tokens after 99.999 ms
    assert b.take(100_000)              # one token per 100 ms
    assert b.tokens(10_000_000) == 5.0  # capped at the burst
    half = TokenBucket(0.5, 1, 0)
    assert half.take(0) and not half.take(1_999_999) and half.take(2_000_000)


def test_take_all_gives_tokens_back():
    a, b = TokenBucket(1, 1, 0), TokenBucket(1, 0, 0)
    assert not take_all([a, b], 0) and a.tokens(0) == 1.0


def test_account_throttle_default_and_429():
    cloud = make_cloud({"f": echo}, duration=0.001)
    gw = cloud.service("apigateway")
    api = gw.create_http_api("t", {"GET /": "f"})
    assert gw.gateway._account_bucket(cloud.now_us).burst == 5_000 and gw.gateway._account_bucket(0).rate == 10_000
    gw.gateway.set_account_throttle(rate=10, burst=3)
    statuses = []
    for _ in range(5):
        gw.submit(api, "GET", "/", on_response=lambda r: statuses.append(r.status))
    cloud.run_until_idle()
    assert statuses.count(429) == 2 and statuses.count(200) == 3
    r = [x for x in [gw.request(api, "GET", "/")]][0]
    assert r.status == 200  # time passed: the bucket refilled
    gw.gateway.set_account_throttle(rate=0, burst=0)
    r = gw.request(api, "GET", "/")
    assert (r.status, r.body) == (429, '{"message":"Too Many Requests"}')


def test_rest_stage_and_method_throttles():
    cloud = make_cloud({"f": echo}, duration=0.001)
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = gw.create_rest_api("t", {"/a": {"GET": "f"}, "/b": {"GET": "f"}})
    c.update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "2"},
        {"op": "replace", "path": "/~1b/GET/throttling/burstLimit", "value": "1"},
        {"op": "replace", "path": "/~1b/GET/throttling/rateLimit", "value": "1"},
    ])
    out = []
    for path in ["/prod/a"] * 3 + ["/prod/b"] * 2:
        gw.submit(api, "GET", path, on_response=lambda r, p=path: out.append((p, r.status)))
    cloud.run_until_idle()
    # each method has its own bucket: /a the stage default (burst 2), /b its own (burst 1)
    assert sorted(out) == [("/prod/a", 200), ("/prod/a", 200), ("/prod/a", 429), ("/prod/b", 200), ("/prod/b", 429)]
    assert "b/GET" in c.get_stage(restApiId=api, stageName="prod")["methodSettings"]
    r = gw.request(api, "GET", "/prod/b")
    assert r.status == 429 and r.body == '{"message":"Too Many Requests"}'
    cloud.advance(1)
    assert gw.request(api, "GET", "/prod/b").status == 200


def test_http_route_throttle_overrides_default():
    cloud = make_cloud({"f": echo}, duration=0.001)
    gw = cloud.service("apigateway")
    v2 = cloud.client("apigatewayv2")
    api = gw.create_http_api("t", {"GET /slow": "f", "GET /fast": "f"})
    v2.update_stage(ApiId=api, StageName="$default", DefaultRouteSettings={"ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 100},
                    RouteSettings={"GET /slow": {"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 1}})
    out = []
    for p in ["/slow", "/slow", "/fast", "/fast"]:
        gw.submit(api, "GET", p, on_response=lambda r, p=p: out.append((p, r.status)))
    cloud.run_until_idle()
    assert sorted(out) == [("/fast", 200), ("/fast", 200), ("/slow", 200), ("/slow", 429)]
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.update_stage(ApiId=api, StageName="$default", DefaultRouteSettings={"ThrottlingBurstLimit": -1})


def usage_setup(quota=None, throttle=None, key_source="HEADER", method_throttle=None):
    cloud = make_cloud({"f": echo}, duration=0.001)
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = gw.create_rest_api("k", {"/a": {"GET": {"function": "f", "apiKeyRequired": True}},
                                   "/b": {"GET": {"function": "f", "apiKeyRequired": True}}}, apiKeySource=key_source)
    key = c.create_api_key(name="k1", enabled=True, value="0123456789abcdefghijKLMN")
    stage: dict = {"apiId": api, "stage": "prod"}
    if method_throttle:
        stage["throttle"] = method_throttle
    params: dict = {"name": "plan", "apiStages": [stage]}
    if quota:
        params["quota"] = quota
    if throttle:
        params["throttle"] = throttle
    plan = c.create_usage_plan(**params)
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return cloud, gw, c, api, key, plan


def test_api_key_required():
    cloud, gw, c, api, key, plan = usage_setup()
    assert (gw.request(api, "GET", "/prod/a").status, gw.request(api, "GET", "/prod/a").body) == (403, '{"message":"Forbidden"}')
    assert gw.request(api, "GET", "/prod/a", headers={"x-api-key": "wrong-value-of-twenty-chars"}).status == 403
    assert gw.request(api, "GET", "/prod/a", headers={"X-API-Key": key["value"]}).status == 200
    c.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])
    assert gw.request(api, "GET", "/prod/a", headers={"x-api-key": key["value"]}).status == 403


def test_quota_per_day_resets_at_midnight_utc_and_get_usage():
    cloud, gw, c, api, key, plan = usage_setup(quota={"limit": 2, "period": "DAY"})
    h = {"x-api-key": key["value"]}
    got = [gw.request(api, "GET", "/prod/a", headers=h) for _ in range(3)]
    assert [r.status for r in got] == [200, 200, 429] and got[2].body == '{"message":"Limit Exceeded"}'
    cloud.run("2026-01-02T00:00:00Z")
    assert gw.request(api, "GET", "/prod/b", headers=h).status == 200  # quota aggregated across methods, reset
    usage = c.get_usage(usagePlanId=plan["id"], startDate="2026-01-01", endDate="2026-01-02")
    assert usage["items"] == {key["id"]: [[2, 0], [1, 1]]}


def test_quota_offset_week_and_month_periods():
    cloud, gw, c, api, key, plan = usage_setup(quota={"limit": 3, "offset": 2, "period": "WEEK"})
    h = {"x-api-key": key["value"]}
    assert [gw.request(api, "GET", "/prod/a", headers=h).status for _ in range(2)] == [200, 429]
    # 2026-01-01 is a Thursday: the week started Sunday 2025-12-28; the next starts 2026-01-04
    assert period_start_us("WEEK", cloud.now_us) == 1766880000 * 1_000_000
    cloud.run("2026-01-04T00:00:00Z")
    assert [gw.request(api, "GET", "/prod/a", headers=h).status for _ in range(4)] == [200, 200, 200, 429]
    assert period_start_us("MONTH", 1767225600_000_000 + 40 * 86_400_000_000) == 1769904000 * 1_000_000


def test_usage_plan_throttle_and_per_method_throttle():
    cloud, gw, c, api, key, plan = usage_setup(throttle={"rateLimit": 1, "burstLimit": 1},
                                               method_throttle={"/b/GET": {"rateLimit": 1, "burstLimit": 3}})
    h = {"x-api-key": key["value"]}
    out = []
    for p in ["/prod/a", "/prod/a", "/prod/b", "/prod/b", "/prod/b", "/prod/b"]:
        gw.submit(api, "GET", p, headers=h, on_response=lambda r, p=p: out.append((p, r.status)))
    cloud.run_until_idle()
    assert sorted(out) == [("/prod/a", 200), ("/prod/a", 429)] + [("/prod/b", 200)] * 3 + [("/prod/b", 429)]


def test_key_source_authorizer():
    cloud = make_cloud({"f": echo, "auth": lambda e, c: {
        "principalId": "u", "usageIdentifierKey": "0123456789abcdefghijKLMN",
        "policyDocument": {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="a", apiKeySource="AUTHORIZER")["id"]
    aid = c.create_authorizer(restApiId=api, name="a", type="TOKEN", authorizerUri=(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"))["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    c.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="CUSTOM", authorizerId=aid,
                 apiKeyRequired=True)
    c.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    c.put_integration_response(restApiId=api, resourceId=root, httpMethod="GET", statusCode="200",
                               responseTemplates={"application/json": "{}"})
    c.create_deployment(restApiId=api, stageName="prod")
    assert gw.request(api, "GET", "/prod", headers={"Authorization": "t"}).status == 403  # key unknown yet
    key = c.create_api_key(name="k", enabled=True, value="0123456789abcdefghijKLMN")
    plan = c.create_usage_plan(name="p", apiStages=[{"apiId": api, "stage": "prod"}])
    c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert gw.request(api, "GET", "/prod", headers={"Authorization": "t"}).status == 200


def test_usage_control_plane_errors():
    cloud, gw, c, api, key, plan = usage_setup()
    with pytest.raises(c.exceptions.ConflictException):
        c.create_api_key(name="dup", value=key["value"])
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_api_key(name="short", value="short")
    with pytest.raises(c.exceptions.ConflictException):
        c.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    with pytest.raises(c.exceptions.NotFoundException):
        c.create_usage_plan(name="x", apiStages=[{"apiId": "missing", "stage": "prod"}])
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_usage_plan(name="x", quota={"limit": 1, "period": "YEAR"})
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_usage(usagePlanId="nope", startDate="2026-01-01", endDate="2026-01-01")
    generated = c.create_api_key(name="gen")
    assert len(generated["value"]) == 40 and generated["enabled"] is False
