"""REST-JSON over the HTTP endpoint: real boto3 clients (``endpoint_url=server.url``) against
Lambda, API Gateway v1/v2, the API Gateway Management API and EventBridge Scheduler.

Everything goes through the wire: botocore serializes, signs and sends over a socket; the
endpoint routes by signing name, :mod:`serverless_sim.adapters.protocols.rest_json` answers, and
botocore's own RestJSONParser reads the answer (status, headers, payloads, modelled errors).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.adapters.http_server import SimServer  # noqa: E402
from serverless_sim.adapters.protocols import rest_json  # noqa: E402
from serverless_sim.adapters.protocols.base import HttpRequest, service_model  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
UTC = dt.timezone.utc
HANDLER = """
import json
def handler(event, context):
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": event, "fn": context.function_name}
"""


def tiny_zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:  # a fixed date: the same bytes (and CodeSha256) every time
        zf.writestr(zipfile.ZipInfo("app.py", (1980, 1, 1, 0, 0, 0)), source)
    return buf.getvalue()


@pytest.fixture(scope="module")
def server():
    with SimServer(lambda: Cloud(seed=5), port=0) as srv:
        yield srv


@pytest.fixture
def aws(server):
    server.reset()

    def make(name: str):
        return boto3.client(name, endpoint_url=server.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing",
                            config=Config(retries={"max_attempts": 1}))

    return make


def create_function(lam, name="f", source=HANDLER, **kw):
    return lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": tiny_zip(source)}, **kw)


# -- Lambda -------------------------------------------------------------------------------
def test_lambda_create_get_invoke(aws):
    lam = aws("lambda")
    created = create_function(lam, Environment={"Variables": {"KEY": "v"}})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201  # CreateFunction's modelled responseCode
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:f"
    assert created["State"] == "Active" and created["Environment"] == {"Variables": {"KEY": "v"}}
    got = lam.get_function(FunctionName="f")
    assert got["Configuration"]["CodeSha256"] == created["CodeSha256"]
    assert base64.b64encode(hashlib.sha256(tiny_zip(HANDLER)).digest()).decode() == created["CodeSha256"]

    out = lam.invoke(FunctionName="f", Payload=json.dumps({"a": 1}).encode(), LogType="Tail")
    assert out["StatusCode"] == 200 and "FunctionError" not in out
    assert out["ExecutedVersion"] == "$LATEST"
    assert json.loads(out["Payload"].read()) == {"echo": {"a": 1}, "fn": "f"}
    assert "REPORT RequestId" in base64.b64decode(out["LogResult"]).decode()

    failed = lam.invoke(FunctionName="f", Payload=b'{"fail": true}')
    assert failed["StatusCode"] == 200 and failed["FunctionError"] == "Unhandled"
    body = json.loads(failed["Payload"].read())
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "asked to fail"

    queued = lam.invoke(FunctionName="f", InvocationType="Event", Payload=b'{"b": 2}')
    assert queued["StatusCode"] == 202 and queued["Payload"].read() == b""
    dry = lam.invoke(FunctionName="f", InvocationType="DryRun")
    assert dry["StatusCode"] == 204


def test_lambda_versions_aliases_and_qualified_invoke(aws):
    lam = aws("lambda")
    create_function(lam)
    version = lam.publish_version(FunctionName="f", Description="first")
    assert version["Version"] == "1" and version["FunctionArn"].endswith(":f:1")
    alias = lam.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(":f:live") and alias["FunctionVersion"] == "1"
    out = lam.invoke(FunctionName="f", Qualifier="live", Payload=b"{}")
    assert out["ExecutedVersion"] == "1"
    arn_out = lam.invoke(FunctionName=alias["AliasArn"], Payload=b"{}")  # colons in the label
    assert arn_out["ExecutedVersion"] == "1"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="f")["Versions"]] == ["$LATEST", "1"]
    assert lam.get_alias(FunctionName="f", Name="live")["Name"] == "live"


def test_lambda_list_functions_paginator_and_waiters(aws):
    lam = aws("lambda")
    for name in ("a", "b", "c", "d", "e"):
        create_function(lam, name)
    pages = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Functions"]) for p in pages] == [2, 2, 1]
    assert sorted(f["FunctionName"] for p in pages for f in p["Functions"]) == ["a", "b", "c", "d", "e"]
    lam.get_waiter("function_active_v2").wait(FunctionName="c")
    lam.get_waiter("function_exists").wait(FunctionName="d")


def test_lambda_errors_carry_their_modelled_fields(aws):
    lam = aws("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as err:
        lam.get_function(FunctionName="missing")
    response = err.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert response["Error"] == {"Code": "ResourceNotFoundException",
                                 "Message": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"}
    assert response["Type"] == "User" and response["Message"] == response["Error"]["Message"]  # modelled members
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFoundException"
    create_function(lam)
    with pytest.raises(lam.exceptions.ResourceConflictException) as err:
        create_function(lam)
    assert err.value.response["Error"]["Message"] == "Function already exist: f"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="missing", Payload=b"{}")


# -- API Gateway (v1) -----------------------------------------------------------------------
def test_apigateway_rest_api_control_plane(aws):
    ag = aws("apigateway")
    api = ag.create_rest_api(name="shop", description="d")
    assert api["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert isinstance(api["createdDate"], dt.datetime) and api["createdDate"] == dt.datetime(2026, 1, 1, tzinfo=UTC)
    resources = ag.get_resources(restApiId=api["id"])["items"]
    assert [r["path"] for r in resources] == ["/"]
    child = ag.create_resource(restApiId=api["id"], parentId=resources[0]["id"], pathPart="items")
    assert child["path"] == "/items"
    method = ag.put_method(restApiId=api["id"], resourceId=child["id"], httpMethod="GET", authorizationType="NONE",
                           requestParameters={"method.request.querystring.q": False})
    assert method["httpMethod"] == "GET" and method["requestParameters"] == {"method.request.querystring.q": False}
    integration = ag.put_integration(restApiId=api["id"], resourceId=child["id"], httpMethod="GET", type="MOCK",
                                     requestTemplates={"application/json": '{"statusCode": 200}'})
    assert integration["type"] == "MOCK"
    got = ag.get_method(restApiId=api["id"], resourceId=child["id"], httpMethod="GET")
    assert got["methodIntegration"]["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    deployment = ag.create_deployment(restApiId=api["id"], stageName="prod")
    stages = ag.get_stages(restApiId=api["id"])["item"]
    assert [(s["stageName"], s["deploymentId"]) for s in stages] == [("prod", deployment["id"])]
    assert sorted(r["path"] for r in ag.get_resources(restApiId=api["id"])["items"]) == ["/", "/items"]


def test_apigateway_not_found(aws):
    ag = aws("apigateway")
    with pytest.raises(ag.exceptions.NotFoundException) as err:
        ag.get_rest_api(restApiId="nope")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err.value.response["Error"]["Message"] == err.value.response["message"]
    assert "nope" in err.value.response["message"]


# -- API Gateway (v2) -----------------------------------------------------------------------
def test_apigatewayv2_http_api(aws):
    v2 = aws("apigatewayv2")
    api = v2.create_api(Name="web", ProtocolType="HTTP")
    assert api["ProtocolType"] == "HTTP" and api["CreatedDate"] == dt.datetime(2026, 1, 1, tzinfo=UTC)
    integration = v2.create_integration(ApiId=api["ApiId"], IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                                        IntegrationUri="https://example.com/", PayloadFormatVersion="1.0")
    route = v2.create_route(ApiId=api["ApiId"], RouteKey="GET /items/{id}",
                            Target=f"integrations/{integration['IntegrationId']}")
    assert route["RouteKey"] == "GET /items/{id}" and route["Target"].endswith(integration["IntegrationId"])
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api["ApiId"])["Items"]] == ["GET /items/{id}"]
    assert [a["Name"] for a in v2.get_apis()["Items"]] == ["web"]
    with pytest.raises(v2.exceptions.NotFoundException) as err:
        v2.get_api(ApiId="nope")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


# -- Scheduler --------------------------------------------------------------------------------
TARGET = {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": "arn:aws:iam::123456789012:role/r"}


def test_scheduler_schedules(aws):
    sc = aws("scheduler")
    start = dt.datetime(2026, 2, 1, 12, 30, tzinfo=UTC)
    arn = sc.create_schedule(Name="s1", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow={"Mode": "OFF"},
                             Target={**TARGET, "Input": '{"k": 1}'}, StartDate=start)["ScheduleArn"]
    assert arn == "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s1"
    got = sc.get_schedule(Name="s1")
    assert got["StartDate"] == start and got["CreationDate"] == dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert got["Target"]["Input"] == '{"k": 1}' and got["FlexibleTimeWindow"] == {"Mode": "OFF"}
    for i in range(2, 6):
        sc.create_schedule(Name=f"s{i}", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
                           Target=TARGET)
    pages = list(sc.get_paginator("list_schedules").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["Schedules"]) for p in pages] == [2, 2, 1]
    assert sorted(s["Name"] for p in pages for s in p["Schedules"]) == ["s1", "s2", "s3", "s4", "s5"]
    with pytest.raises(sc.exceptions.ResourceNotFoundException) as err:
        sc.get_schedule(Name="missing")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err.value.response["Error"]["Message"] == "Schedule missing does not exist."
    assert err.value.response["Message"] == "Schedule missing does not exist."  # the modelled member
    with pytest.raises(sc.exceptions.ConflictException):
        sc.create_schedule(Name="s1", ScheduleExpression="rate(5 minutes)", FlexibleTimeWindow={"Mode": "OFF"},
                           Target=TARGET)


# -- API Gateway Management API -----------------------------------------------------------------
def test_post_to_connection(aws, server):
    v2 = aws("apigatewayv2")
    api = v2.create_api(Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    v2.create_stage(ApiId=api["ApiId"], StageName="prod", AutoDeploy=True)
    with server.lock:  # a WebSocket client, in process (the endpoint serves no WebSocket upgrade)
        ws = server.cloud.service("apigateway").connect(api["ApiId"], "prod")
    assert ws.connected
    # as deployed code makes it: endpoint https://{api}.execute-api.{region}.amazonaws.com/{stage}
    mgmt = boto3.client("apigatewaymanagementapi", endpoint_url=server.url + "/prod", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}))
    mgmt.post_to_connection(ConnectionId=ws.connection_id, Data=b"\x00hello")
    assert ws.received == [b"\x00hello"]
    info = mgmt.get_connection(ConnectionId=ws.connection_id)
    assert info["ConnectedAt"] == dt.datetime(2026, 1, 1, tzinfo=UTC)
    mgmt.delete_connection(ConnectionId=ws.connection_id)
    with pytest.raises(mgmt.exceptions.GoneException) as err:
        mgmt.post_to_connection(ConnectionId=ws.connection_id, Data=b"x")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


# -- the protocol module on its own ---------------------------------------------------------------
def _request(method, path, query="", body=b"", headers=None):
    return HttpRequest(method, path, query, {"content-type": "application/json", **(headers or {})}, body)


def test_unknown_path_and_bad_bodies():
    cloud = Cloud(seed=1)
    lam = service_model("lambda")
    resp = rest_json.handle(cloud, lam, _request("GET", "/2015-03-31/nothing"))
    assert resp.status == 404 and resp.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    resp = rest_json.handle(cloud, lam, _request("POST", "/2015-03-31/functions", body=b"{not json"))
    assert resp.status == 400 and resp.headers["x-amzn-ErrorType"] == "SerializationException"
    resp = rest_json.handle(cloud, lam, _request("POST", "/2015-03-31/functions", body=b'{"MemorySize": "big"}'))
    assert resp.status == 400 and resp.headers["x-amzn-ErrorType"] == "SerializationException"
    resp = rest_json.handle(cloud, lam, _request("GET", "/2015-03-31/functions/", "MaxItems=lots"))
    assert resp.status == 400 and resp.headers["x-amzn-ErrorType"] == "SerializationException"
    resp = rest_json.handle(cloud, lam, _request("GET", "/2015-03-31/functions/", "MaxItems=3"))
    assert resp.status == 200 and json.loads(resp.body) == {"Functions": []}
    assert resp.headers["Content-Type"] == "application/json" and resp.headers["x-amzn-RequestId"]


def test_json_body_by_shape():
    """Body timestamps follow the shape: API Gateway v1 epoch seconds, v2 ISO 8601."""
    cloud = Cloud(seed=1)
    resp = rest_json.handle(cloud, service_model("apigateway"), _request("POST", "/restapis", body=b'{"name": "a"}'))
    assert resp.status == 201 and json.loads(resp.body)["createdDate"] == 1767225600
    resp = rest_json.handle(cloud, service_model("apigatewayv2"),
                            _request("POST", "/v2/apis", body=b'{"name": "b", "protocolType": "HTTP"}'))
    body = json.loads(resp.body)
    assert resp.status == 201 and body["createdDate"] == "2026-01-01T00:00:00Z" and body["name"] == "b"
    assert "Name" not in body  # members by their wire (location) names
