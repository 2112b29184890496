"""API Gateway (REST APIs ``apigateway``, HTTP and WebSocket APIs ``apigatewayv2``, and the
``apigatewaymanagementapi`` of WebSocket connections) through real boto3 (the botocore bridge):
every offered operation, the paginators in small pages and the modelled errors; every response
must be what botocore's parser produces from the service model (:mod:`shape_check`), and the
values that matter must round-trip."""

from __future__ import annotations

import datetime as dt

import pytest

boto3 = pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402
from shape_check import compare_bridge_http, conformance_problems, recorder, strip_metadata  # noqa: E402

V1, V2, MGMT = "apigateway", "apigatewayv2", "apigatewaymanagementapi"
FN = "arn:aws:lambda:us-east-1:123456789012:function:shapes"
LAMBDA_URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{FN}/invocations"
POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abcdefghi"


def pages(out, client, method, **kwargs):
    """Walk a real botocore paginator; record every page as a response of its operation."""
    op = client.meta.method_to_api_mapping[method]
    got = list(client.get_paginator(method).paginate(**kwargs))
    out.extend((client.meta.service_model.service_name, op, page) for page in got)
    return got


def rest_scenario(client_factory, out):
    call = recorder(out)
    gw = client_factory(V1)
    ids = [call(gw, "create_rest_api", name=f"api-{i}", description=f"api {i}",
                endpointConfiguration={"types": ["REGIONAL"]}, tags={"n": str(i)})["id"] for i in range(3)]
    api = ids[0]
    call(gw, "get_rest_api", restApiId=api)
    call(gw, "get_rest_api", restApiId="nothere123")  # NotFoundException
    call(gw, "get_rest_apis", limit=2)
    pages(out, gw, "get_rest_apis", PaginationConfig={"PageSize": 2})

    root = call(gw, "get_resources", restApiId=api)["items"][0]["id"]
    orders = call(gw, "create_resource", restApiId=api, parentId=root, pathPart="orders")["id"]
    item = call(gw, "create_resource", restApiId=api, parentId=orders, pathPart="{id}")["id"]
    extra = call(gw, "create_resource", restApiId=api, parentId=root, pathPart="extra")["id"]
    call(gw, "create_resource", restApiId=api, parentId=root, pathPart="orders")  # ConflictException
    call(gw, "create_resource", restApiId=api, parentId="nothere", pathPart="x")  # NotFoundException
    call(gw, "get_resource", restApiId=api, resourceId=item, embed=["methods"])
    pages(out, gw, "get_resources", restApiId=api, PaginationConfig={"PageSize": 2})

    auth = call(gw, "create_authorizer", restApiId=api, name="pool", type="COGNITO_USER_POOLS",
                providerARNs=[POOL_ARN], identitySource="method.request.header.Authorization")["id"]
    token_auth = call(gw, "create_authorizer", restApiId=api, name="token", type="TOKEN", authorizerUri=LAMBDA_URI,
                      identitySource="method.request.header.Auth", authorizerResultTtlInSeconds=60)["id"]
    call(gw, "create_authorizer", restApiId=api, name="bad", type="TOKEN")  # BadRequestException: no URI
    call(gw, "get_authorizer", restApiId=api, authorizerId=auth)
    call(gw, "get_authorizers", restApiId=api)
    call(gw, "delete_authorizer", restApiId=api, authorizerId=token_auth)
    call(gw, "get_authorizer", restApiId=api, authorizerId=token_auth)  # NotFoundException

    call(gw, "put_method", restApiId=api, resourceId=item, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
         authorizerId=auth, apiKeyRequired=True, requestParameters={"method.request.path.id": True})
    call(gw, "put_method", restApiId=api, resourceId=item, httpMethod="GET", authorizationType="NONE")  # Conflict
    call(gw, "put_method_response", restApiId=api, resourceId=item, httpMethod="GET", statusCode="200",
         responseModels={"application/json": "Empty"})
    call(gw, "put_integration", restApiId=api, resourceId=item, httpMethod="GET", type="AWS_PROXY",
         integrationHttpMethod="POST", uri=LAMBDA_URI)
    call(gw, "put_integration", restApiId=api, resourceId=item, httpMethod="PATCH", type="MOCK")  # NotFound
    call(gw, "put_integration_response", restApiId=api, resourceId=item, httpMethod="GET", statusCode="200",
         selectionPattern="", responseTemplates={"application/json": ""})
    call(gw, "get_method", restApiId=api, resourceId=item, httpMethod="GET")
    call(gw, "get_method", restApiId=api, resourceId=item, httpMethod="POST")  # NotFoundException
    call(gw, "get_integration", restApiId=api, resourceId=item, httpMethod="GET")
    call(gw, "put_method", restApiId=api, resourceId=extra, httpMethod="POST", authorizationType="NONE")
    call(gw, "put_integration", restApiId=api, resourceId=extra, httpMethod="POST", type="MOCK",
         requestTemplates={"application/json": '{"statusCode": 200}'})
    call(gw, "delete_method", restApiId=api, resourceId=extra, httpMethod="POST")
    call(gw, "delete_resource", restApiId=api, resourceId=extra)
    call(gw, "get_resource", restApiId=api, resourceId=extra)  # NotFoundException

    deps = [call(gw, "create_deployment", restApiId=api, description=f"d{i}")["id"] for i in range(3)]
    call(gw, "create_deployment", restApiId=ids[2])  # BadRequestException: no methods
    call(gw, "get_deployment", restApiId=api, deploymentId=deps[0])
    pages(out, gw, "get_deployments", restApiId=api, PaginationConfig={"PageSize": 2})
    call(gw, "create_stage", restApiId=api, stageName="prod", deploymentId=deps[0], variables={"v": "1"},
         cacheClusterEnabled=True, cacheClusterSize="0.5", tags={"s": "1"})
    call(gw, "create_stage", restApiId=api, stageName="prod", deploymentId=deps[0])  # ConflictException
    call(gw, "create_stage", restApiId=api, stageName="beta", deploymentId=deps[1])
    call(gw, "get_stage", restApiId=api, stageName="prod")
    call(gw, "get_stage", restApiId=api, stageName="none")  # NotFoundException
    call(gw, "get_stages", restApiId=api)
    call(gw, "update_stage", restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/v", "value": "2"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
        {"op": "replace", "path": "/deploymentId", "value": deps[2]}])
    call(gw, "update_stage", restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/nonsense", "value": "x"}])  # BadRequestException
    call(gw, "flush_stage_cache", restApiId=api, stageName="prod")
    call(gw, "flush_stage_authorizers_cache", restApiId=api, stageName="prod")
    call(gw, "delete_stage", restApiId=api, stageName="beta")
    call(gw, "delete_stage", restApiId=api, stageName="beta")  # NotFoundException

    # API keys and usage plans.
    keys = [call(gw, "create_api_key", name=f"key-{i}", enabled=True, value=f"shapes-key-value-{i:04d}-abcdef",
                 tags={"k": str(i)})["id"] for i in range(3)]
    call(gw, "get_api_key", apiKey=keys[0], includeValue=True)
    call(gw, "get_api_key", apiKey="nothere")  # NotFoundException
    call(gw, "update_api_key", apiKey=keys[1], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"},
                                                                {"op": "replace", "path": "/name", "value": "renamed"}])
    pages(out, gw, "get_api_keys", includeValues=True, PaginationConfig={"PageSize": 2})
    plans = [call(gw, "create_usage_plan", name=f"plan-{i}", apiStages=[{"apiId": api, "stage": "prod"}],
                  throttle={"burstLimit": 10, "rateLimit": 5.5},
                  quota={"limit": 1000, "period": "DAY"})["id"] for i in range(3)]
    call(gw, "create_usage_plan", name="bad", apiStages=[{"apiId": api, "stage": "nope"}])  # BadRequest/NotFound
    call(gw, "get_usage_plan", usagePlanId=plans[0])
    pages(out, gw, "get_usage_plans", PaginationConfig={"PageSize": 2})
    for key in keys:
        call(gw, "create_usage_plan_key", usagePlanId=plans[0], keyId=key, keyType="API_KEY")
    call(gw, "create_usage_plan_key", usagePlanId=plans[0], keyId=keys[0], keyType="API_KEY")  # ConflictException
    pages(out, gw, "get_usage_plan_keys", usagePlanId=plans[0], PaginationConfig={"PageSize": 2})
    call(gw, "get_usage", usagePlanId=plans[0], startDate="2026-01-01", endDate="2026-01-02")
    pages(out, gw, "get_usage", usagePlanId=plans[0], startDate="2026-01-01", endDate="2026-01-02",
          PaginationConfig={"PageSize": 2})
    call(gw, "delete_usage_plan_key", usagePlanId=plans[0], keyId=keys[2])
    call(gw, "delete_usage_plan_key", usagePlanId=plans[0], keyId=keys[2])  # NotFoundException
    call(gw, "delete_usage_plan", usagePlanId=plans[2])
    call(gw, "get_usage_plan", usagePlanId=plans[2])  # NotFoundException
    call(gw, "delete_api_key", apiKey=keys[2])
    call(gw, "delete_api_key", apiKey=keys[2])  # NotFoundException
    call(gw, "delete_rest_api", restApiId=ids[1])
    call(gw, "delete_rest_api", restApiId=ids[1])  # NotFoundException


def http_scenario(client_factory, out, connect=None, management=True):
    call = recorder(out)
    v2 = client_factory(V2)
    apis = [call(v2, "create_api", Name=f"http-{i}", ProtocolType="HTTP", Tags={"n": str(i)})["ApiId"]
            for i in range(3)]
    api = apis[0]
    call(v2, "create_api", Name="bad", ProtocolType="SOAP")  # BadRequestException
    call(v2, "get_api", ApiId=api)
    call(v2, "get_api", ApiId="nothere")  # NotFoundException
    call(v2, "get_apis", MaxResults="2")
    pages(out, v2, "get_apis", PaginationConfig={"PageSize": 2})
    integ = [call(v2, "create_integration", ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=FN,
                  PayloadFormatVersion=fmt)["IntegrationId"] for fmt in ("2.0", "1.0")]
    call(v2, "create_integration", ApiId=api, IntegrationType="AWS_PROXY")  # BadRequestException: no URI
    call(v2, "get_integration", ApiId=api, IntegrationId=integ[0])
    call(v2, "get_integration", ApiId=api, IntegrationId="nothere")  # NotFoundException
    pages(out, v2, "get_integrations", ApiId=api, PaginationConfig={"PageSize": 1})
    auth = call(v2, "create_authorizer", ApiId=api, Name="jwt", AuthorizerType="JWT",
                IdentitySource=["$request.header.Authorization"],
                JwtConfiguration={"Audience": ["client-1"],
                                  "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi"})
    call(v2, "get_authorizer", ApiId=api, AuthorizerId=auth.get("AuthorizerId", "x"))
    call(v2, "get_authorizer", ApiId=api, AuthorizerId="nothere")  # NotFoundException
    routes = [call(v2, "create_route", ApiId=api, RouteKey=f"GET /r{i}", Target=f"integrations/{integ[0]}")["RouteId"]
              for i in range(3)]
    call(v2, "create_route", ApiId=api, RouteKey="GET /r0")  # ConflictException
    call(v2, "create_route", ApiId=api, RouteKey="not a route key")  # BadRequestException
    call(v2, "get_route", ApiId=api, RouteId=routes[0])
    call(v2, "update_route", ApiId=api, RouteId=routes[1], AuthorizationType="JWT",
         AuthorizerId=auth.get("AuthorizerId", "x"), AuthorizationScopes=["read"])
    pages(out, v2, "get_routes", ApiId=api, PaginationConfig={"PageSize": 2})
    call(v2, "delete_route", ApiId=api, RouteId=routes[2])
    call(v2, "get_route", ApiId=api, RouteId=routes[2])  # NotFoundException
    call(v2, "create_stage", ApiId=api, StageName="$default", AutoDeploy=True,
         DefaultRouteSettings={"ThrottlingBurstLimit": 10, "ThrottlingRateLimit": 5.0})
    call(v2, "create_stage", ApiId=api, StageName="prod", StageVariables={"v": "1"})
    call(v2, "create_stage", ApiId=api, StageName="prod")  # ConflictException
    call(v2, "create_deployment", ApiId=api, StageName="prod", Description="first")
    call(v2, "create_deployment", ApiId=api, Description="second")
    pages(out, v2, "get_deployments", ApiId=api, PaginationConfig={"PageSize": 1})
    call(v2, "get_stage", ApiId=api, StageName="prod")
    call(v2, "get_stage", ApiId=api, StageName="none")  # NotFoundException
    call(v2, "update_stage", ApiId=api, StageName="prod", StageVariables={"v": "2"}, Description="changed")
    pages(out, v2, "get_stages", ApiId=api, PaginationConfig={"PageSize": 1})
    call(v2, "delete_stage", ApiId=api, StageName="prod")
    call(v2, "delete_stage", ApiId=api, StageName="prod")  # NotFoundException
    call(v2, "delete_api", ApiId=apis[1])
    call(v2, "delete_api", ApiId=apis[1])  # NotFoundException

    # A WebSocket API, its route responses and its connections.
    ws = call(v2, "create_api", Name="chat", ProtocolType="WEBSOCKET",
              RouteSelectionExpression="$request.body.action")["ApiId"]
    target = call(v2, "create_integration", ApiId=ws, IntegrationType="AWS_PROXY", IntegrationUri=FN)["IntegrationId"]
    send = call(v2, "create_route", ApiId=ws, RouteKey="sendmessage", Target=f"integrations/{target}",
                RouteResponseSelectionExpression="$default")["RouteId"]
    call(v2, "create_route_response", ApiId=ws, RouteId=send, RouteResponseKey="$default")
    call(v2, "create_route_response", ApiId=ws, RouteId="nothere", RouteResponseKey="$default")  # NotFound
    call(v2, "create_stage", ApiId=ws, StageName="prod", AutoDeploy=True)
    if not management:
        return
    mgmt = client_factory(MGMT, endpoint_url=f"https://{ws}.execute-api.us-east-1.amazonaws.com/prod")
    call(mgmt, "post_to_connection", ConnectionId="bm90aGVyZQ=", Data=b"x")  # GoneException
    call(mgmt, "get_connection", ConnectionId="bm90aGVyZQ=")  # GoneException
    call(mgmt, "delete_connection", ConnectionId="bm90aGVyZQ=")  # GoneException
    if connect is not None:
        conn = connect(ws, "prod")
        call(mgmt, "post_to_connection", ConnectionId=conn, Data=b"\x00hello")
        call(mgmt, "get_connection", ConnectionId=conn)
        call(mgmt, "delete_connection", ConnectionId=conn)
        call(mgmt, "post_to_connection", ConnectionId=conn, Data=b"x")  # GoneException


def scenario(client_factory, connect=None, management=True):
    """Drive every API Gateway operation the simulator offers; returns [(service, op, response)].
    ``connect(api_id, stage)`` opens a WebSocket connection and returns its id (bridge runs only:
    the HTTP endpoint serves no WebSocket upgrade)."""
    out: list = []
    rest_scenario(client_factory, out)
    http_scenario(client_factory, out, connect, management)
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    sockets = {}

    def connect(api_id, stage):
        sockets["ws"] = cloud.service(V1).connect(api_id, stage)
        return sockets["ws"].connection_id

    records = scenario(session.client, connect=connect)
    return session, records, sockets


def responses(records, service, op):
    return [r for s, o, r in records if s == service and o == op]


def ok(records, service, op):
    return [r for r in responses(records, service, op) if "Error" not in r]


def error_codes(records, service, op):
    return [r["Error"]["Code"] for r in responses(records, service, op) if "Error" in r]


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records, _ = run
    problems, errors, _ = conformance_problems(session, records)
    assert not problems, "\n".join(problems)
    assert errors >= 30


@pytest.mark.parametrize("service", [V1, V2, MGMT])
def test_every_offered_operation_is_exercised(run, service):
    _, records, _ = run
    seen = {op for s, op, _ in records if s == service}
    missing = sorted(set(Cloud().service(service).operations) - seen)
    assert not missing, f"{service} operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_rest_api_resources_methods_round_trip(run):
    _, records, _ = run
    api = ok(records, V1, "CreateRestApi")[0]
    assert api["name"] == "api-0" and api["tags"] == {"n": "0"} and api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert ok(records, V1, "GetRestApi")[0] == api | {"ResponseMetadata": ok(records, V1, "GetRestApi")[0]["ResponseMetadata"]}
    item = ok(records, V1, "GetResource")[0]
    assert item["path"] == "/orders/{id}" and item["pathPart"] == "{id}"
    method = ok(records, V1, "GetMethod")[0]
    assert method["authorizationType"] == "COGNITO_USER_POOLS" and method["apiKeyRequired"] is True
    assert method["methodResponses"]["200"]["responseModels"] == {"application/json": "Empty"}
    assert method["methodIntegration"]["uri"] == LAMBDA_URI and method["methodIntegration"]["type"] == "AWS_PROXY"
    integ = ok(records, V1, "GetIntegration")[0]
    assert integ["httpMethod"] == "POST" and "200" in integ["integrationResponses"]
    dep = ok(records, V1, "GetDeployment")[0]
    assert dep["description"] == "d0"
    stage = ok(records, V1, "UpdateStage")[0]
    assert stage["variables"] == {"v": "2"} and stage["methodSettings"]["*/*"]["throttlingRateLimit"] == 50.0
    assert stage["deploymentId"] == ok(records, V1, "CreateDeployment")[2]["id"]
    statuses = {op: r["ResponseMetadata"]["HTTPStatusCode"] for s, op, r in records if s == V1 and "Error" not in r}
    assert statuses["CreateRestApi"] == 201 and statuses["DeleteRestApi"] == 202 and statuses["GetRestApi"] == 200


def test_keys_plans_and_usage(run):
    _, records, _ = run
    assert ok(records, V1, "GetApiKey")[0]["value"] == "shapes-key-value-0000-abcdef"
    updated = ok(records, V1, "UpdateApiKey")[0]
    assert updated["enabled"] is False and updated["name"] == "renamed"
    plan = ok(records, V1, "GetUsagePlan")[0]
    assert plan["throttle"] == {"burstLimit": 10, "rateLimit": 5.5} and plan["quota"]["limit"] == 1000
    keys = [k["name"] for p in ok(records, V1, "GetUsagePlanKeys") for k in p["items"]]
    assert sorted(keys) == ["key-0", "key-2", "renamed"]
    usage = ok(records, V1, "GetUsage")[0]
    assert usage["startDate"] == "2026-01-01" and usage["endDate"] == "2026-01-02"
    assert all(days == [[0, 1000], [0, 1000]] for days in usage["items"].values())  # [used, remaining] a day


def test_http_and_websocket_apis_round_trip(run):
    _, records, _ = run
    api = ok(records, V2, "GetApi")[0]
    assert api["ProtocolType"] == "HTTP" and api["ApiEndpoint"] == f"https://{api['ApiId']}.execute-api.us-east-1.amazonaws.com"
    assert api["RouteSelectionExpression"] == "${request.method} ${request.path}"
    route = ok(records, V2, "UpdateRoute")[0]
    assert route["AuthorizationType"] == "JWT" and route["AuthorizationScopes"] == ["read"]
    assert route["AuthorizerId"] == ok(records, V2, "CreateAuthorizer")[0]["AuthorizerId"]
    routes = [r["RouteKey"] for p in ok(records, V2, "GetRoutes") for r in p["Items"]]
    assert routes == ["GET /r0", "GET /r1", "GET /r2"]
    stage = ok(records, V2, "UpdateStage")[0]
    assert stage["StageVariables"] == {"v": "2"} and stage["Description"] == "changed"
    ws = ok(records, V2, "CreateApi")[-1]
    assert ws["ApiEndpoint"].startswith("wss://") and ws["RouteSelectionExpression"] == "$request.body.action"
    assert ok(records, V2, "CreateRouteResponse")[0]["RouteResponseKey"] == "$default"


def test_connections(run):
    _, records, sockets = run
    assert error_codes(records, MGMT, "PostToConnection") == ["GoneException", "GoneException"]
    assert error_codes(records, MGMT, "GetConnection") == ["GoneException"]
    assert error_codes(records, MGMT, "DeleteConnection") == ["GoneException"]
    gone = responses(records, MGMT, "PostToConnection")[0]
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert sockets["ws"].received == [b"\x00hello"] and not sockets["ws"].connected
    info = ok(records, MGMT, "GetConnection")[0]
    assert info["ConnectedAt"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert info["Identity"]["SourceIp"] == "198.51.100.1"


def test_error_codes_are_aws_codes(run):
    _, records, _ = run
    assert error_codes(records, V1, "GetRestApi") == ["NotFoundException"]
    assert error_codes(records, V1, "CreateResource") == ["ConflictException", "NotFoundException"]
    assert error_codes(records, V1, "PutMethod") == ["ConflictException"]
    assert error_codes(records, V1, "CreateDeployment") == ["BadRequestException"]
    assert error_codes(records, V1, "CreateStage") == ["ConflictException"]
    assert error_codes(records, V1, "UpdateStage") == ["BadRequestException"]
    assert error_codes(records, V1, "CreateUsagePlanKey") == ["ConflictException"]
    assert error_codes(records, V2, "CreateRoute") == ["ConflictException", "BadRequestException"]
    assert error_codes(records, V2, "GetApi") == ["NotFoundException"]
    assert error_codes(records, V2, "CreateRouteResponse") == ["NotFoundException"]
    status = {"NotFoundException": 404, "ConflictException": 409, "BadRequestException": 400, "GoneException": 410}
    for _, _, r in records:
        if "Error" in r:
            assert r["ResponseMetadata"]["HTTPStatusCode"] == status[r["Error"]["Code"]]
    missing = responses(records, V1, "GetRestApi")[1]
    assert missing["Error"]["Message"] == "Invalid API identifier specified 123456789012:nothere123"
    assert missing["message"] == missing["Error"]["Message"]  # the modelled member, as botocore parses it


def test_modelled_exceptions_are_raised():
    session = Cloud().boto3_session()
    gw = session.client(V1)
    with pytest.raises(gw.exceptions.NotFoundException) as e:
        gw.get_rest_api(restApiId="nothere123")
    assert e.value.response["Error"]["Code"] == "NotFoundException"
    v2 = session.client(V2)
    api = v2.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=api, RouteKey="GET /x")
    with pytest.raises(v2.exceptions.ConflictException):
        v2.create_route(ApiId=api, RouteKey="GET /x")
    mgmt = session.client(MGMT, endpoint_url=f"https://{api}.execute-api.us-east-1.amazonaws.com/prod")
    with pytest.raises(mgmt.exceptions.GoneException):
        mgmt.get_connection(ConnectionId="bm90aGVyZQ=")


def test_v2_errors_carry_the_modelled_message():
    v2 = Cloud().boto3_session().client(V2)
    with pytest.raises(v2.exceptions.NotFoundException) as e:
        v2.get_api(ApiId="nothere")
    assert e.value.response["Message"] == e.value.response["Error"]["Message"]


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def _without_v2_message(records):
    """Without apigatewayv2 errors' top-level Message (``test_v2_errors_carry_the_modelled_message``)."""
    return [(s, op, {k: v for k, v in r.items() if not (s == V2 and "Error" in r and k == "Message")})
            for s, op, r in strip_metadata(records)]


def test_bridge_matches_http_endpoint():
    # The management API is left out: its client's endpoint is the API's own URL (covered by
    # tests/adapters/test_http_rest_json.py), which compare_bridge_http's factory cannot take.
    bridged, over_http = compare_bridge_http(lambda factory: scenario(factory, management=False))
    assert _without_v2_message(bridged) == _without_v2_message(over_http)
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in bridged] == \
        [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in over_http]
