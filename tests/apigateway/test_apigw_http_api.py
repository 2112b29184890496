"""HTTP APIs: control plane, stages, routing, payload 1.0 / 2.0 events, response rules, errors."""

from __future__ import annotations

import json

import pytest

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

ACCOUNT = "123456789012"


def capture():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"statusCode": 200, "body": json.dumps({"ok": True}), "headers": {"content-type": "application/json"}}

    return seen, handler


def test_payload_2_0_event_shape():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("shop", {"GET /items/{id}": "f"})
    r = gw.request(api, "GET", "/items/42?x=1&x=2&y=", headers={"Cookie": "a=1; b=2", "X-Multi": ["p", "q"],
                                                                  "User-Agent": "curl/8"})
    assert r.status == 200 and r.json() == {"ok": True}
    e = seen[0]
    assert e["version"] == "2.0" and e["routeKey"] == "GET /items/{id}"
    assert e["rawPath"] == "/items/42" and e["rawQueryString"] == "x=1&x=2&y="
    assert e["cookies"] == ["a=1", "b=2"]
    assert e["headers"] == {"x-multi": "p,q", "user-agent": "curl/8"}
    assert e["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert e["pathParameters"] == {"id": "42"}
    assert e["isBase64Encoded"] is False and "body" not in e and "stageVariables" not in e
    ctx = e["requestContext"]
    assert ctx["accountId"] == ACCOUNT and ctx["apiId"] == api and ctx["stage"] == "$default"
    assert ctx["domainName"] == f"{api}.execute-api.us-east-1.amazonaws.com" and ctx["domainPrefix"] == api
    assert ctx["http"] == {"method": "GET", "path": "/items/42", "protocol": "HTTP/1.1", "sourceIp": "198.51.100.1",
                           "userAgent": "curl/8"}
    assert ctx["time"] == "01/Jan/2026:00:00:00 +0000" and ctx["timeEpoch"] == 1767225600000
    assert ctx["requestId"] == r.request_id == r.headers["apigw-requestid"] and len(r.request_id) == 16


def test_payload_1_0_event_shape_and_named_stage():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("v1", {"POST /orders/{id}": "f"}, payload_format="1.0", stage="prod")
    v2 = cloud.client("apigatewayv2")
    v2.update_stage(ApiId=api, StageName="prod", StageVariables={"table": "orders"})
    r = gw.request(api, "POST", "/prod/orders/7?a=1&a=2", headers=[("X-H", "1"), ("X-H", "2")], body='{"n": 1}')
    assert r.status == 200
    e = seen[0]
    assert e["version"] == "1.0" and e["resource"] == "/orders/{id}" and e["path"] == "/orders/7"
    assert e["httpMethod"] == "POST" and e["body"] == '{"n": 1}' and e["isBase64Encoded"] is False
    assert e["headers"] == {"X-H": "2"} and e["multiValueHeaders"] == {"X-H": ["1", "2"]}
    assert e["queryStringParameters"] == {"a": "2"} and e["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert e["pathParameters"] == {"id": "7"} and e["stageVariables"] == {"table": "orders"}
    assert e["requestContext"]["stage"] == "prod" and e["requestContext"]["path"] == "/prod/orders/7"
    assert e["requestContext"]["resourceId"] == "POST /orders/{id}"
    # a named stage is selected by the first segment; $default is absent here -> 404
    assert gw.request(api, "POST", "/orders/7").status == 404


def test_stage_selection_prefers_explicit_stage_then_default():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"ANY /{proxy+}": "f"})
    cloud.client("apigatewayv2").create_stage(ApiId=api, StageName="beta", AutoDeploy=True)
    gw.request(api, "GET", "/beta/x")
    gw.request(api, "GET", "/gamma/x")
    assert [e["requestContext"]["stage"] for e in seen] == ["beta", "$default"]
    assert seen[0]["pathParameters"] == {"proxy": "x"} and seen[1]["pathParameters"] == {"proxy": "gamma/x"}


def test_not_found_and_default_route():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /a": "f"})
    r = gw.request(api, "GET", "/b")
    assert (r.status, r.body) == (404, '{"message":"Not Found"}')
    v2 = cloud.client("apigatewayv2")
    iid = v2.get_integrations(ApiId=api)["Items"][0]["IntegrationId"]
    v2.create_route(ApiId=api, RouteKey="$default", Target=f"integrations/{iid}")
    assert gw.request(api, "GET", "/b").status == 200
    assert seen[-1]["routeKey"] == "$default" and seen[-1]["rawPath"] == "/b"


@pytest.mark.parametrize("result, status, body, ctype", [
    ({"hello": "world"}, 200, '{"hello":"world"}', "application/json"),
    ("plain text", 200, "plain text", "application/json"),
    ([1, 2], 200, "[1,2]", "application/json"),
    ({"statusCode": 201, "body": "made", "cookies": ["a=1", "b=2"]}, 201, "made", None),
])
def test_payload_2_0_response_inference(result, status, body, ctype):
    cloud = make_cloud({"f": lambda e, c: result})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /": "f"})
    r = gw.request(api, "GET", "/")
    assert (r.status, r.body) == (status, body)
    assert r.headers.get("content-type") == ctype
    if isinstance(result, dict) and "cookies" in result:
        assert r.multi_value_headers["set-cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize("result", [
    {"statusCode": "abc"}, {"statusCode": 200, "body": {"not": "a string"}}, {"statusCode": 200, "headers": {"x": [1]}},
])
def test_malformed_response_is_500(result):
    cloud = make_cloud({"f": lambda e, c: result})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /": "f"})
    r = gw.request(api, "GET", "/")
    assert (r.status, r.body) == (500, '{"message":"Internal Server Error"}')


def test_payload_1_0_requires_status_code():
    cloud = make_cloud({"f": lambda e, c: {"body": "x"}})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /": "f"}, payload_format="1.0")
    assert gw.request(api, "GET", "/").status == 500


def test_function_error_is_500_and_base64_body():
    def boom(e, c):
        raise ValueError("x")

    cloud = make_cloud({"boom": boom, "bin": lambda e, c: {"statusCode": 200, "body": "AAEC", "isBase64Encoded": True}})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /boom": "boom", "GET /bin": "bin"})
    assert (gw.request(api, "GET", "/boom").status, gw.request(api, "GET", "/boom").body) == (
        500, '{"message":"Internal Server Error"}')
    assert gw.request(api, "GET", "/bin").body == b"\x00\x01\x02"


def test_integration_timeout_is_503_after_30_s_on_the_clock():
    cloud = make_cloud()
    lam = cloud.service("lambda")
    lam.create_function_from_callable("slow", lambda e, c: {"statusCode": 200}, duration=45, timeout=60)
    gw = cloud.service("apigateway")
    api = gw.create_http_api("s", {"GET /": "slow"})
    t0 = cloud.now_us
    r = gw.request(api, "GET", "/")
    assert (r.status, r.body) == (503, '{"message":"Service Unavailable"}')
    assert r.latency_us == 30_000_000 and cloud.now_us - t0 == 30_000_000


def test_integration_timeout_setting_and_validation():
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200}})
    v2 = cloud.client("apigatewayv2")
    api = v2.create_api(Name="x", ProtocolType="HTTP")["ApiId"]
    uri = cloud.arn("lambda", "function:f")
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=uri, PayloadFormatVersion="2.0",
                              TimeoutInMillis=30_001)
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=uri, PayloadFormatVersion="3.0")
    i = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=uri, PayloadFormatVersion="2.0")
    assert i["TimeoutInMillis"] == 30_000 and i["PayloadFormatVersion"] == "2.0"


def test_control_plane_errors_and_quick_create():
    cloud = make_cloud({"f": lambda e, c: "hi"})
    v2 = cloud.client("apigatewayv2")
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_api(ApiId="nope")
    api = v2.create_api(Name="q", ProtocolType="HTTP", Target=cloud.arn("lambda", "function:f"))
    assert api["ApiEndpoint"] == f"https://{api['ApiId']}.execute-api.us-east-1.amazonaws.com"
    routes = v2.get_routes(ApiId=api["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["$default"]
    assert v2.get_stage(ApiId=api["ApiId"], StageName="$default")["AutoDeploy"] is True
    assert cloud.service("apigateway").request(api["ApiId"], "GET", "/anything").body == "hi"
    with pytest.raises(v2.exceptions.ConflictException):
        v2.create_route(ApiId=api["ApiId"], RouteKey="$default")
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_route(ApiId=api["ApiId"], RouteKey="FETCH /x")
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_route(ApiId=api["ApiId"], RouteKey="GET /{a+}/b")
    before = v2.get_routes(ApiId=api["ApiId"])
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_route(ApiId=api["ApiId"], RouteKey="GET /x", Target="integrations/missing")
    assert v2.get_routes(ApiId=api["ApiId"])["Items"] == before["Items"]  # unchanged


def test_manual_deployment_is_a_snapshot():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    v2 = cloud.client("apigatewayv2")
    gw = cloud.service("apigateway")
    api = v2.create_api(Name="m", ProtocolType="HTTP")["ApiId"]
    iid = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=cloud.arn("lambda", "function:f"),
                                PayloadFormatVersion="2.0")["IntegrationId"]
    v2.create_route(ApiId=api, RouteKey="GET /a", Target=f"integrations/{iid}")
    v2.create_stage(ApiId=api, StageName="prod")
    assert gw.request(api, "GET", "/prod/a").status == 404  # never deployed
    v2.create_deployment(ApiId=api, StageName="prod")
    v2.create_route(ApiId=api, RouteKey="GET /b", Target=f"integrations/{iid}")
    assert gw.request(api, "GET", "/prod/a").status == 200
    assert gw.request(api, "GET", "/prod/b").status == 404  # not deployed yet
    v2.create_deployment(ApiId=api, StageName="prod")
    assert gw.request(api, "GET", "/prod/b").status == 200


def test_cors_preflight_and_headers():
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "evil"}}})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("c", {"GET /x": "f"}, CorsConfiguration={
        "AllowOrigins": ["https://a.example"], "AllowMethods": ["GET"], "MaxAge": 60})
    pre = gw.request(api, "OPTIONS", "/x", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"})
    assert pre.status == 204 and pre.headers["access-control-allow-origin"] == "https://a.example"
    assert pre.headers["access-control-max-age"] == "60"
    r = gw.request(api, "GET", "/x", headers={"Origin": "https://a.example"})
    assert r.headers["access-control-allow-origin"] == "https://a.example" and "Access-Control-Allow-Origin" not in r.headers


def test_lambda_throttle_behind_http_api_is_500():
    cloud = make_cloud({"f": lambda e, c: "x"})
    cloud.client("lambda").put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=0)
    gw = cloud.service("apigateway")
    api = gw.create_http_api("t", {"GET /": "f"})
    assert gw.request(api, "GET", "/").status == 500
