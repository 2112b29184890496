"""REST APIs: control plane, deployments and stages, the proxy event, response rules, errors."""

from __future__ import annotations

import json

import pytest

from apigw_helpers import apigw_services, make_cloud  # noqa: F401


def capture(result=None):
    seen = []

    def handler(event, context):
        seen.append(event)
        return result if result is not None else {"statusCode": 200, "body": "ok"}

    return seen, handler


def test_rest_proxy_event_shape():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("shop", {"/items/{id}": {"GET": "f"}}, stage="prod", variables={"env": "test"})
    r = gw.request(api, "GET", "/prod/items/42?x=1&x=2", headers={"Accept": "*/*", "X-M": ["a", "b"]})
    assert r.status == 200 and r.body == "ok"
    assert r.headers["x-amzn-RequestId"] == r.request_id
    e = seen[0]
    assert e["resource"] == "/items/{id}" and e["path"] == "/items/42" and e["httpMethod"] == "GET"
    assert e["headers"] == {"Accept": "*/*", "X-M": "b"} and e["multiValueHeaders"] == {"Accept": ["*/*"], "X-M": ["a", "b"]}
    assert e["queryStringParameters"] == {"x": "2"} and e["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert e["pathParameters"] == {"id": "42"} and e["stageVariables"] == {"env": "test"}
    assert e["body"] is None and e["isBase64Encoded"] is False
    ctx = e["requestContext"]
    assert ctx["resourcePath"] == "/items/{id}" and ctx["stage"] == "prod" and ctx["path"] == "/prod/items/42"
    assert ctx["httpMethod"] == "GET" and ctx["protocol"] == "HTTP/1.1" and ctx["requestId"] == r.request_id
    assert ctx["requestTime"] == "01/Jan/2026:00:00:00 +0000" and ctx["requestTimeEpoch"] == 1767225600000
    assert ctx["identity"]["sourceIp"] == "198.51.100.1" and ctx["identity"]["user"] is None
    assert len(ctx["extendedRequestId"]) == 16 and "authorizer" not in ctx


def test_absent_maps_are_null():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/": {"POST": "f"}})
    gw.request(api, "POST", "/prod", body="hello")
    e = seen[0]
    assert e["headers"] is None and e["multiValueHeaders"] is None and e["queryStringParameters"] is None
    assert e["pathParameters"] is None and e["stageVariables"] is None and e["body"] == "hello"


def test_unknown_route_is_missing_authentication_token():
    cloud = make_cloud({"f": capture()[1]})
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/a": {"GET": "f"}})
    for method, path in (("GET", "/prod/b"), ("POST", "/prod/a"), ("GET", "/prod")):
        r = gw.request(api, method, path)
        assert (r.status, r.body) == (403, '{"message":"Missing Authentication Token"}')
        assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert gw.request(api, "GET", "/nostage/a").body == '{"message":"Forbidden"}'


def test_function_error_502_malformed_502_throttle_500():
    def boom(e, c):
        raise RuntimeError("no")

    cloud = make_cloud({"boom": boom, "bad": lambda e, c: {"body": "no status"}, "ok": capture()[1]})
    cloud.client("lambda").put_function_concurrency(FunctionName="ok", ReservedConcurrentExecutions=0)
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/boom": {"GET": "boom"}, "/bad": {"GET": "bad"}, "/ok": {"GET": "ok"}})
    for path, status in (("/prod/boom", 502), ("/prod/bad", 502), ("/prod/ok", 500)):
        r = gw.request(api, "GET", path)
        assert (r.status, r.body) == (status, '{"message": "Internal server error"}')


def test_integration_timeout_504_after_29_s():
    cloud = make_cloud()
    cloud.service("lambda").create_function_from_callable("slow", lambda e, c: {"statusCode": 200}, duration=40, timeout=60)
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/": {"GET": "slow"}})
    t0 = cloud.now_us
    r = gw.request(api, "GET", "/prod/")
    assert (r.status, r.body) == (504, '{"message": "Endpoint request timed out"}')
    assert cloud.now_us - t0 == 29_000_000


def test_multi_value_headers_merge_and_binary():
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200, "headers": {"a": "1", "b": "x"},
                                           "multiValueHeaders": {"b": ["2", "3"]}, "body": "aGk=", "isBase64Encoded": True}})
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/": {"GET": "f"}})
    r = gw.request(api, "GET", "/prod")
    assert r.headers["a"] == "1" and r.headers["b"] == "2, 3" and r.multi_value_headers == {"b": ["2", "3"]}
    assert r.body == b"hi"


def test_deployment_snapshot_and_stage_variables_in_uri():
    cloud = make_cloud({"blue": lambda e, c: {"statusCode": 200, "body": "blue"},
                        "green": lambda e, c: {"statusCode": 200, "body": "green"}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="vars")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    res = c.create_resource(restApiId=api, parentId=root, pathPart="color")["id"]
    c.put_method(restApiId=api, resourceId=res, httpMethod="GET", authorizationType="NONE")
    fn = "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                      uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations")
    c.create_deployment(restApiId=api, stageName="a", variables={"fn": "blue"})
    dep = c.get_stage(restApiId=api, stageName="a")["deploymentId"]
    c.create_stage(restApiId=api, stageName="b", deploymentId=dep, variables={"fn": "green"})
    assert gw.request(api, "GET", "/a/color").body == "blue"
    assert gw.request(api, "GET", "/b/color").body == "green"
    c.update_stage(restApiId=api, stageName="b", patchOperations=[{"op": "replace", "path": "/variables/fn", "value": "blue"}])
    assert gw.request(api, "GET", "/b/color").body == "blue"
    # a new method is invisible until redeployed
    other = c.create_resource(restApiId=api, parentId=root, pathPart="new")["id"]
    c.put_method(restApiId=api, resourceId=other, httpMethod="GET", authorizationType="NONE")
    c.put_integration(restApiId=api, resourceId=other, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    c.put_integration_response(restApiId=api, resourceId=other, httpMethod="GET", statusCode="200",
                               responseTemplates={"application/json": '{"mock": true}'})
    assert gw.request(api, "GET", "/a/new").status == 403
    c.create_deployment(restApiId=api, stageName="a")
    r = gw.request(api, "GET", "/a/new")
    assert (r.status, r.json()) == (200, {"mock": True})


def test_control_plane_errors():
    cloud = make_cloud()
    c = cloud.client("apigateway")
    with pytest.raises(c.exceptions.NotFoundException) as ei:
        c.get_rest_api(restApiId="missing")
    assert ei.value.response["Error"]["Message"] == "Invalid API identifier specified 123456789012:missing"
    api = c.create_rest_api(name="e")
    root = api["rootResourceId"]
    proxy = c.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")["id"]
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_resource(restApiId=api["id"], parentId=proxy, pathPart="child")
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_resource(restApiId=api["id"], parentId=root, pathPart="{id}")  # sibling variable
    with pytest.raises(c.exceptions.ConflictException):
        c.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    with pytest.raises(c.exceptions.BadRequestException):
        c.create_deployment(restApiId=api["id"], stageName="p")  # no methods
    with pytest.raises(c.exceptions.BadRequestException):
        c.put_method(restApiId=api["id"], resourceId=proxy, httpMethod="FETCH", authorizationType="NONE")
    with pytest.raises(c.exceptions.BadRequestException):
        c.put_method(restApiId=api["id"], resourceId=proxy, httpMethod="GET", authorizationType="CUSTOM")
    c.put_method(restApiId=api["id"], resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    with pytest.raises(c.exceptions.ConflictException):
        c.put_method(restApiId=api["id"], resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    with pytest.raises(c.exceptions.BadRequestException):
        c.put_integration(restApiId=api["id"], resourceId=proxy, httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri="arn:aws:s3:::bucket")
    with pytest.raises(c.exceptions.BadRequestException):
        c.put_integration(restApiId=api["id"], resourceId=proxy, httpMethod="ANY", type="MOCK", timeoutInMillis=30_000)
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_integration(restApiId=api["id"], resourceId=proxy, httpMethod="ANY")


def test_update_stage_is_atomic_and_validates():
    cloud = make_cloud({"f": capture()[1]})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = gw.create_rest_api("s", {"/": {"GET": "f"}})
    before = c.get_stage(restApiId=api, stageName="prod")
    with pytest.raises(c.exceptions.BadRequestException):
        c.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/variables/ok", "value": "1"},
            {"op": "replace", "path": "/*/*/caching/ttlInSeconds", "value": "99999"}])
    after = c.get_stage(restApiId=api, stageName="prod")
    assert after.get("methodSettings") == before.get("methodSettings") and "variables" not in after
    c.update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "5"}])
    ms = c.get_stage(restApiId=api, stageName="prod")["methodSettings"]["*/*"]
    assert ms["throttlingRateLimit"] == 5.0 and ms["throttlingBurstLimit"] == 5000 and ms["cacheTtlInSeconds"] == 300
    with pytest.raises(c.exceptions.ConflictException):
        c.create_stage(restApiId=api, stageName="prod", deploymentId=before["deploymentId"])
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_stage(restApiId=api, stageName="nope")


def test_get_resources_and_method_shapes():
    cloud = make_cloud({"f": capture()[1]})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api = gw.create_rest_api("s", {"/a/{b}": {"GET": "f", "POST": "f"}})
    items = c.get_resources(restApiId=api)["items"]
    assert [i["path"] for i in items] == ["/", "/a", "/a/{b}"]
    leaf = items[2]
    assert sorted(leaf["resourceMethods"]) == ["GET", "POST"] and leaf["pathPart"] == "{b}"
    m = c.get_method(restApiId=api, resourceId=leaf["id"], httpMethod="GET")
    assert m["methodIntegration"]["type"] == "AWS_PROXY" and m["methodIntegration"]["timeoutInMillis"] == 29_000


def test_json_round_trip_free_event_is_fresh_per_request():
    seen, h = capture()
    cloud = make_cloud({"f": h})
    gw = cloud.service("apigateway")
    api = gw.create_rest_api("s", {"/": {"GET": "f"}})
    gw.request(api, "GET", "/prod", headers={"a": "1"})
    seen[0]["headers"]["a"] = "mutated"
    gw.request(api, "GET", "/prod", headers={"a": "1"})
    assert seen[1]["headers"] == {"a": "1"}
    assert json.loads(json.dumps(seen[1])) == seen[1]  # the event is plain JSON data
