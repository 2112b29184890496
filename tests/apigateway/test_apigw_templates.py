"""REST API mapping templates wired into integrations (MOCK and AWS Lambda custom
integrations): template selection and passthroughBehavior, integration response selection by
selectionPattern, response templates, responseParameters, overrides, and template errors.
The control plane goes through real boto3 (the botocore bridge) where boto3 is installed, the
requests through the native API (``gw.request``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

REGION, ACCOUNT = "us-east-1", "123456789012"


def lambda_uri(fn: str) -> str:
    return (f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{fn}/invocations")


def control_plane(cloud: Any) -> Any:
    """boto3 through the bridge when available, else the boto3-shaped client."""
    try:
        import boto3  # noqa: F401
    except ImportError:  # pragma: no cover - the boto3 extra is installed in CI
        return cloud.client("apigateway")
    return cloud.boto3_session().client("apigateway", region_name=REGION)


def one_method(c: Any, path_part: str = "pets", method: str = "GET", **put_method: Any) -> tuple[str, str]:
    api = c.create_rest_api(name="t", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    res = root
    for part in path_part.split("/"):
        res = c.create_resource(restApiId=api, parentId=res, pathPart=part)["id"]
    c.put_method(restApiId=api, resourceId=res, httpMethod=method, authorizationType="NONE", **put_method)
    return api, res


def responses(c: Any, api: str, res: str, method: str, *irs: dict[str, Any]) -> None:
    for ir in irs:
        c.put_method_response(restApiId=api, resourceId=res, httpMethod=method, statusCode=ir["statusCode"],
                              **({"responseParameters": {k: False for k in ir.get("responseParameters", {})}}
                                 if ir.get("responseParameters") else {}))
        c.put_integration_response(restApiId=api, resourceId=res, httpMethod=method, **ir)


# -- MOCK ------------------------------------------------------------------------------------------

def test_mock_status_200_and_response_template_with_input_and_context():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = control_plane(cloud)
    api, res = one_method(c, "pets/{petId}")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    template = ('{"id": "$input.params(\'petId\')", "q": "$input.params(\'q\')", "ua": "$input.params(\'User-Agent\')",'
                ' "stage": "$context.stage", "method": "$context.httpMethod", "resource": "$context.resourcePath",'
                ' "path": "$context.path", "rid": "$context.requestId", "ip": "$context.identity.sourceIp",'
                ' "api": "$context.apiId", "account": "$context.accountId", "epoch": $context.requestTimeEpoch,'
                ' "env": "$stageVariables.env", "body": "$input.body"}')
    responses(c, api, res, "GET", {"statusCode": "200", "responseTemplates": {"application/json": template}})
    c.create_deployment(restApiId=api, stageName="prod", variables={"env": "beta"})
    r = gw.request(api, "GET", "/prod/pets/7?q=cute", headers={"User-Agent": "curl/8"}, source_ip="192.0.2.9")
    assert r.status == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"id": "7", "q": "cute", "ua": "curl/8", "stage": "prod", "method": "GET",
                        "resource": "/pets/{petId}", "path": "/prod/pets/7", "rid": r.request_id,
                        "ip": "192.0.2.9", "api": api, "account": ACCOUNT, "epoch": r.start_us // 1000,
                        "env": "beta", "body": ""}
    # the integration is described with what was put (boto3's shapes)
    got = c.get_integration(restApiId=api, resourceId=res, httpMethod="GET")
    assert got["requestTemplates"] == {"application/json": '{"statusCode": 200}'}
    assert got["passthroughBehavior"] == "WHEN_NO_MATCH"
    assert got["integrationResponses"]["200"]["responseTemplates"] == {"application/json": template}


def mock_404_api(c: Any) -> tuple[str, str]:
    """AWS's mock example: the request template chooses 404 from a query parameter; the 404
    integration response is selected by selectionPattern "404"."""
    api, res = one_method(c, "pets")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK", requestTemplates={
        "application/json": "#if( $input.params('scope') == \"internal\" )\n{\"statusCode\": 200}\n"
                            "#else\n{\"statusCode\": 404}\n#end"})
    responses(c, api, res, "GET",
              {"statusCode": "200", "responseTemplates": {"application/json": '{"pets": ["dog", "cat"]}'}},
              {"statusCode": "404", "selectionPattern": "404",
               "responseTemplates": {"application/json": '{"message": "no pets for $input.params(\'scope\')"}'}})
    c.create_deployment(restApiId=api, stageName="test")
    return api, res


def test_mock_404_selected_by_query_parameter_and_selection_pattern():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    api, _ = mock_404_api(control_plane(cloud))
    ok = gw.request(api, "GET", "/test/pets?scope=internal")
    assert (ok.status, ok.json()) == (200, {"pets": ["dog", "cat"]})
    missing = gw.request(api, "GET", "/test/pets?scope=public")
    assert (missing.status, missing.json()) == (404, {"message": "no pets for public"})
    assert missing.integration_latency_us == 0
    # the 404 counts in the 4XXError metric like any client error
    dims = {"ApiName": "t", "Stage": "test"}
    stats = cloud.metrics.statistics("AWS/ApiGateway", "4XXError", dims, cloud.start_us, cloud.now_us + 1,
                                     3600, ["Sum", "SampleCount"])
    assert [(p["Sum"], p["SampleCount"]) for p in stats] == [(1.0, 2.0)]


def test_mock_without_default_and_without_match_is_a_configuration_error():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 503}'})
    responses(c, api, res, "GET", {"statusCode": "200", "selectionPattern": "2\\d{2}"})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", "/p/pets")
    assert (r.status, r.json()) == (500, {"message": "Internal server error"})
    (rec,) = cloud.trace.filter("apigateway", "execution_error")
    assert rec.attributes["message"] == ("Execution failed due to configuration error: No match for output mapping "
                                         "and no default output mapping configured. Endpoint Response Status Code: 503")


def test_mock_without_request_template_is_200_and_response_passes_through_empty():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK")
    responses(c, api, res, "GET", {"statusCode": "200"})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", "/p/pets")
    assert (r.status, r.body) == (200, "")


# -- passthroughBehavior ---------------------------------------------------------------------------

@pytest.mark.parametrize("behaviour, content_type, status", [
    ("WHEN_NO_MATCH", None, 200), ("WHEN_NO_MATCH", "application/json; charset=utf-8", 200),
    ("WHEN_NO_MATCH", "application/xml", 500),
    ("WHEN_NO_TEMPLATES", "application/json", 200), ("WHEN_NO_TEMPLATES", "application/xml", 415),
    ("NEVER", None, 200), ("NEVER", "application/xml", 415),
])
def test_passthrough_behaviour_with_a_json_template(behaviour, content_type, status):
    """Example 1 of AWS's passthrough page: one application/json template."""
    seen = []
    cloud = make_cloud({"f": lambda e, c: seen.append(e) or {"ok": True}})
    gw = cloud.service("apigateway")
    c = control_plane(cloud)
    api, res = one_method(c, method="POST")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"), passthroughBehavior=behaviour,
                      requestTemplates={"application/json": '{"mapped": $input.json(\'$.a\')}'})
    responses(c, api, res, "POST", {"statusCode": "200"})
    c.create_deployment(restApiId=api, stageName="p")
    headers = {"Content-Type": content_type} if content_type else {}
    body = '{"a": 1}' if content_type != "application/xml" else "<a>1</a>"
    r = gw.request(api, "POST", "/p/pets", headers=headers, body=body)
    assert r.status == status
    if status == 415:
        assert r.json() == {"message": "Unsupported Media Type"} and seen == []
        assert r.headers["x-amzn-ErrorType"] == "UnsupportedMediaTypeException"
    elif content_type == "application/xml":
        # passed through untransformed: Lambda refuses a payload that is not JSON
        assert (r.status, r.json(), seen) == (500, {"message": "Internal server error"}, [])
    else:
        assert seen == [{"mapped": 1}] and r.json() == {"ok": True}


@pytest.mark.parametrize("behaviour, status", [("WHEN_NO_MATCH", 200), ("WHEN_NO_TEMPLATES", 200), ("NEVER", 415)])
def test_passthrough_behaviour_without_templates(behaviour, status):
    """Example 3: no template at all; NEVER refuses, the others pass the body through."""
    seen = []
    cloud = make_cloud({"f": lambda e, c: seen.append(e) or "done"})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c, method="POST")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"), passthroughBehavior=behaviour)
    responses(c, api, res, "POST", {"statusCode": "200"})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "POST", "/p/pets", headers={"Content-Type": "application/json"}, body='{"name": "Rex"}')
    assert r.status == status
    if status == 200:
        assert seen == [{"name": "Rex"}] and r.json() == "done"


# -- AWS (custom) Lambda integration ---------------------------------------------------------------

PETS = [{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}]
PETSTORE_RESPONSE = """#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]"""


def petstore(cloud: Any) -> tuple[Any, str]:
    def handler(event: Any, context: Any) -> Any:
        if event["petId"] == "404":
            raise LookupError(f"Pet {event['petId']} NotFound")
        if event["petId"] == "boom":
            raise RuntimeError("database unavailable")
        return [p for p in PETS if event["type"] in ("", p["type"])]

    lam = cloud.service("lambda")
    lam.create_function_from_callable("pets", handler, duration=0.02, timeout=60)
    c = control_plane(cloud)
    api, res = one_method(c, "pets/{petId}")
    c.put_integration(
        restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST", uri=lambda_uri("pets"),
        passthroughBehavior="WHEN_NO_TEMPLATES",
        requestTemplates={"application/json": '{"petId": "$input.params(\'petId\')", "type": "$input.params(\'type\')",'
                                              ' "caller": "$context.identity.sourceIp", "stage": "$stageVariables.name"}'})
    responses(c, api, res, "GET",
              {"statusCode": "200", "responseTemplates": {"application/json": PETSTORE_RESPONSE},
               "responseParameters": {"method.response.header.X-Count": "'static-2'",
                                      "method.response.header.X-First-Type": "integration.response.body[0].type",
                                      "method.response.header.Access-Control-Allow-Origin": "'*'"}},
              {"statusCode": "404", "selectionPattern": ".*NotFound.*",
               "responseTemplates": {"application/json": '{"error": "$input.path(\'$.errorMessage\')",'
                                                         ' "type": "$input.path(\'$.errorType\')"}'}})
    c.create_deployment(restApiId=api, stageName="prod", variables={"name": "production"})
    return c, api


def test_lambda_custom_integration_transforms_request_and_response():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    _, api = petstore(cloud)
    r = gw.request(api, "GET", "/prod/pets/1?type=cat", source_ip="203.0.113.5")
    assert r.status == 200
    assert r.json() == [{"description": "Item 2 is a cat.", "askingPrice": 124.99}]
    assert r.headers["X-Count"] == "static-2" and r.headers["X-First-Type"] == "cat"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.integration_latency_us is not None and r.integration_latency_us >= 20_000
    both = gw.request(api, "GET", "/prod/pets/1")
    assert [p["description"] for p in both.json()] == ["Item 1 is a dog.", "Item 2 is a cat."]


def test_lambda_payload_is_the_rendered_request_template():
    events = []
    cloud = make_cloud({"f": lambda e, c: events.append(e) or {"echo": e}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c, "orders/{id}", method="POST")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"), requestTemplates={"application/json": """#set($b = $input.path('$'))
{"orderId": "$input.params('id')", "qty": $b.qty, "items": $input.json('$.items'), "who": "$context.identity.userAgent"}"""})
    responses(c, api, res, "POST", {"statusCode": "200"})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "POST", "/p/orders/o-1", headers={"User-Agent": "tests"},
                   body=json.dumps({"qty": 3, "items": ["a", "b"]}))
    assert events == [{"orderId": "o-1", "qty": 3, "items": ["a", "b"], "who": "tests"}]
    # no response template: the function's output passes through as JSON
    assert r.status == 200 and r.json() == {"echo": events[0]} and r.headers["content-type"] == "application/json"


def test_lambda_error_mapped_by_selection_pattern_on_error_message():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    _, api = petstore(cloud)
    r = gw.request(api, "GET", "/prod/pets/404")
    assert r.status == 404
    assert r.json() == {"error": "Pet 404 NotFound", "type": "LookupError"}
    assert r.header("X-Count") is None  # the 404 response maps no headers


def test_lambda_error_without_match_uses_the_default_response_200():
    """AWS: "Otherwise, Lambda errors are returned as 200 OK responses by default"."""
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c, api = petstore(cloud)
    r = gw.request(api, "GET", "/prod/pets/boom")
    # the default response (and its template, here over the error document) applies
    assert r.status == 200 and "Item  is a ." in r.body
    # without a response template, the error JSON itself is the body
    res = [i for i in c.get_resources(restApiId=api)["items"] if i["path"] == "/pets/{petId}"][0]["id"]
    c.put_integration_response(restApiId=api, resourceId=res, httpMethod="GET", statusCode="200")
    c.create_deployment(restApiId=api, stageName="prod")
    r = gw.request(api, "GET", "/prod/pets/boom")
    body = r.json()
    assert r.status == 200 and body["errorMessage"] == "database unavailable" and body["errorType"] == "RuntimeError"


def test_lambda_success_never_matches_error_patterns():
    cloud = make_cloud({"f": lambda e, c: {"status": "NotFound"}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"))
    responses(c, api, res, "GET", {"statusCode": "200"}, {"statusCode": "404", "selectionPattern": ".*"})
    c.create_deployment(restApiId=api, stageName="p")
    assert gw.request(api, "GET", "/p/pets").status == 200


def test_lambda_throttle_and_timeout_keep_the_proxy_behaviour():
    cloud = make_cloud({"slow": lambda e, c: {"ok": True}}, duration=40.0)
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("slow"), timeoutInMillis=1000)
    responses(c, api, res, "GET", {"statusCode": "200"})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", "/p/pets")
    assert (r.status, r.json()) == (504, {"message": "Endpoint request timed out"})
    cloud.client("lambda").put_function_concurrency(FunctionName="slow", ReservedConcurrentExecutions=0)
    r = gw.request(api, "GET", "/p/pets")
    assert (r.status, r.json()) == (500, {"message": "Internal server error"})


# -- responseParameters and overrides ----------------------------------------------------------------

def test_response_parameters_from_body_headers_context_and_stage_variables():
    cloud = make_cloud({"f": lambda e, c: {"user": {"id": "u-9", "tags": ["a"]}, "n": 3}})
    gw = cloud.service("apigateway")
    c = control_plane(cloud)
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"))
    responses(c, api, res, "GET", {"statusCode": "200", "responseParameters": {
        "method.response.header.X-User": "integration.response.body.user.id",
        "method.response.header.X-Tags": "integration.response.body.user.tags",
        "method.response.header.X-N": "integration.response.body.n",
        "method.response.header.X-Missing": "integration.response.body.nothing",
        "method.response.header.X-Type": "integration.response.header.Content-Type",
        "method.response.header.X-Stage": "context.stage",
        "method.response.header.X-Env": "stageVariables.env",
        "method.response.header.Content-Type": "'application/vnd.api+json'"}})
    c.create_deployment(restApiId=api, stageName="p", variables={"env": "dev"})
    r = gw.request(api, "GET", "/p/pets")
    assert r.header("X-User") == "u-9" and r.header("X-Tags") == '["a"]' and r.header("X-N") == "3"
    assert r.header("X-Missing") is None and r.header("X-Type") == "application/json"
    assert r.header("X-Stage") == "p" and r.header("X-Env") == "dev"
    assert r.header("Content-Type") == "application/vnd.api+json"
    assert [k for k in r.headers if k.lower() == "content-type"] == ["Content-Type"]
    # get_method returns the method responses with their parameters (boto3's shapes)
    m = c.get_method(restApiId=api, resourceId=res, httpMethod="GET")
    assert m["methodResponses"]["200"]["responseParameters"]["method.response.header.X-User"] is False
    assert m["methodIntegration"]["integrationResponses"]["200"]["responseParameters"][
        "method.response.header.X-Env"] == "stageVariables.env"


def test_response_override_status_and_headers():
    cloud = make_cloud({"f": lambda e, c: {"found": False, "id": e["id"]}})
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c, "things/{id}")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"), requestTemplates={"application/json": '{"id": "$input.params(\'id\')"}'})
    responses(c, api, res, "GET", {
        "statusCode": "200",
        "responseParameters": {"method.response.header.X-Kind": "'static'"},
        "responseTemplates": {"application/json": """#set($r = $input.path('$'))
#if(!$r.found)
#set($context.responseOverride.status = 404)
#set($context.responseOverride.header.X-Kind = "override")
#end
{"id": "$r.id"}"""}})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", "/p/things/t1")
    assert (r.status, r.json(), r.headers["X-Kind"]) == (404, {"id": "t1"}, "override")


def test_response_template_chosen_by_accept():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    responses(c, api, res, "GET", {"statusCode": "200", "responseTemplates": {
        "application/xml": "<pet>$context.stage</pet>", "application/json": '{"stage": "$context.stage"}'}})
    c.create_deployment(restApiId=api, stageName="p")
    xml = gw.request(api, "GET", "/p/pets", headers={"Accept": "application/xml"})
    assert (xml.body, xml.headers["content-type"]) == ("<pet>p</pet>", "application/xml")
    js = gw.request(api, "GET", "/p/pets", headers={"Accept": "text/html"})
    assert (js.json(), js.headers["content-type"]) == ({"stage": "p"}, "application/json")


# -- errors --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("where, template, reason", [
    ("request", '#if($x {"statusCode": 200}', "Execution failed due to configuration error: "),
    ("request", '{"statusCode": "$input.params(\'a\').substring(5)"}', "StringIndexOutOfBounds"),
    ("request", '{"nothing": 1}', "Unable to parse statusCode"),
    ("response", "#set($context.responseOverride.status = 201)#set($context.responseOverride.status = 202)",
     "overridden more than once"),
    ("response", "#foreach($x in [1..3]", "Execution failed due to configuration error: "),
])
def test_template_errors_are_500_with_the_reason_in_the_execution_log(where, template, reason):
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    req_t = template if where == "request" else '{"statusCode": 200}'
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": req_t})
    responses(c, api, res, "GET", {"statusCode": "200", "responseTemplates": {
        "application/json": template if where == "response" else "{}"}})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", "/p/pets?a=x")
    assert (r.status, r.json()) == (500, {"message": "Internal server error"})
    (rec,) = cloud.trace.filter("apigateway", "execution_error")
    assert rec.attributes["message"].startswith("Execution failed due to configuration error: ")
    assert reason in rec.attributes["message"]


def test_request_body_that_is_not_json_is_400_only_when_the_template_reads_it():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c, method="POST")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="POST", type="MOCK", requestTemplates={
        "application/json": '#if($input.params(\'read\') == "yes")#set($n = $input.path(\'$.n\'))#end{"statusCode": 200}'})
    responses(c, api, res, "POST", {"statusCode": "200", "responseTemplates": {"application/json": '{"ok": true}'}})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "POST", "/p/pets?read=yes", body="not json")
    assert r.status == 400
    assert r.json()["message"].startswith("Could not parse request body into json: ")
    assert gw.request(api, "POST", "/p/pets?read=no", body="not json").json() == {"ok": True}


def test_template_error_appears_in_the_access_log():
    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    responses(c, api, res, "GET", {"statusCode": "200", "responseTemplates": {"application/json": "#end"}})
    c.create_deployment(restApiId=api, stageName="p")
    c.update_stage(restApiId=api, stageName="p", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:access"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.status $context.error.message"}])
    gw.request(api, "GET", "/p/pets")
    (line,) = cloud.logs.lines("access")
    assert line.startswith("500 Execution failed due to configuration error: ")


# -- properties ------------------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(code=st.integers(100, 599), pattern=st.sampled_from(["4\\d{2}", "404", "5\\d\\d", "2..", "(401|403)"]))
def test_mock_selection_matches_the_reference(code, pattern):
    """Whatever status the MOCK template produces, the response is the one whose pattern fully
    matches it (Java regex semantics: the whole string), else the default 200."""
    import re

    cloud = make_cloud()
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c)
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="MOCK", requestTemplates={
        "application/json": '{"statusCode": $input.params(\'code\')}'})
    responses(c, api, res, "GET",
              {"statusCode": "200", "responseTemplates": {"application/json": '{"default": true}'}},
              {"statusCode": "418", "selectionPattern": pattern,
               "responseTemplates": {"application/json": '{"matched": true}'}})
    c.create_deployment(restApiId=api, stageName="p")
    r = gw.request(api, "GET", f"/p/pets?code={code}")
    expected = 418 if re.fullmatch(pattern, str(code)) else 200
    assert r.status == expected
    assert r.json() == ({"matched": True} if expected == 418 else {"default": True})


def test_fork_with_a_custom_integration_in_flight_finishes_identically():
    """The response phase's template data rides on the request in flight (no closures): a fork
    taken while the function runs renders the same response, context included."""
    from serverless_sim.sim import fork

    cloud = make_cloud({"f": lambda e, c: {"n": e["n"]}}, duration=2.0)
    gw = cloud.service("apigateway")
    c = cloud.client("apigateway")
    api, res = one_method(c, "n/{n}")
    c.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS", integrationHttpMethod="POST",
                      uri=lambda_uri("f"), requestTemplates={"application/json": '{"n": $input.params(\'n\')}'})
    responses(c, api, res, "GET", {"statusCode": "200", "responseTemplates": {
        "application/json": '{"n": $input.path(\'$.n\'), "rid": "$context.requestId", "stage": "$context.stage"}'}})
    c.create_deployment(restApiId=api, stageName="p")
    got: list[Any] = []
    gw.submit(api, "GET", "/p/n/5", on_response=lambda r: got.append((r.end_us, r.status, r.json(), r.request_id)))
    cloud.advance(1.0)
    copy = fork(cloud)
    cloud.advance(5.0)
    copy.advance(5.0)
    assert len(got) == 1 and got[0][1] == 200 and got[0][2] == {"n": 5, "rid": got[0][3], "stage": "p"}
    assert copy.trace.digest() == cloud.trace.digest()
    assert copy.trace.filter("apigateway", "request")[-1].attributes["status"] == 200
