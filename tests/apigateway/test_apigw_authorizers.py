"""Lambda authorizers (REST TOKEN / REQUEST, HTTP REQUEST), policy evaluation, the result cache,
JWT authorizers; property: no request gets through that its authorizer's policy denies."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from apigw_helpers import apigw_services, make_cloud  # noqa: F401
from serverless_sim.apigateway import JwtIssuer, Policy, sign_hs256, verify_hs256
from serverless_sim.apigateway.jwt import JwtError

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{}/invocations"


def policy(effect, resource, principal="user"):
    return {"principalId": principal, "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]},
        "context": {"tier": "gold", "n": 3, "ok": True}, "usageIdentifierKey": None}


def rest_setup(auth_handler, ttl=300, type_="TOKEN", source=None, validation=None, duration=0.02):
    seen = []
    calls = []

    def backend(event, context):
        seen.append(event)
        return {"statusCode": 200, "body": "in"}

    def authorizer(event, context):
        calls.append(event)
        return auth_handler(event)

    cloud = make_cloud({"backend": backend, "auth": authorizer}, duration=duration)
    c = cloud.client("apigateway")
    gw = cloud.service("apigateway")
    api = c.create_rest_api(name="secure")["id"]
    params = dict(restApiId=api, name="a", type=type_, authorizerUri=URI.format("auth"), authorizerResultTtlInSeconds=ttl)
    if source:
        params["identitySource"] = source
    if validation:
        params["identityValidationExpression"] = validation
    aid = c.create_authorizer(**params)["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    for part in ("pets", "admin"):
        rid = c.create_resource(restApiId=api, parentId=root, pathPart=part)["id"]
        for verb in ("GET", "POST"):
            c.put_method(restApiId=api, resourceId=rid, httpMethod=verb, authorizationType="CUSTOM", authorizerId=aid)
            c.put_integration(restApiId=api, resourceId=rid, httpMethod=verb, type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=URI.format("backend"))
    c.create_deployment(restApiId=api, stageName="prod")
    return cloud, gw, api, seen, calls


def test_token_authorizer_allow_passes_context():
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Allow", e["methodArn"]))
    r = gw.request(api, "GET", "/prod/pets", headers={"Authorization": "tok"})
    assert r.status == 200
    assert calls[0] == {"type": "TOKEN", "authorizationToken": "tok",
                        "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:{api}/prod/GET/pets"}
    auth = seen[0]["requestContext"]["authorizer"]
    # cold starts (Init 100 ms) count: authorizer 120 ms + integration 120 ms, on the clock
    assert auth == {"principalId": "user", "integrationLatency": 120, "tier": "gold", "n": "3", "ok": "true"}
    assert r.latency_us == 240_000 and r.integration_latency_us == 120_000


def test_missing_token_is_401_without_invoking():
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Allow", "*"))
    r = gw.request(api, "GET", "/prod/pets")
    assert (r.status, r.body) == (401, '{"message":"Unauthorized"}') and calls == []


def test_validation_expression():
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Allow", "*"), validation=r"^Bearer [a-z]+$")
    assert gw.request(api, "GET", "/prod/pets", headers={"Authorization": "nope"}).status == 401 and calls == []
    assert gw.request(api, "GET", "/prod/pets", headers={"Authorization": "Bearer abc"}).status == 200


def test_explicit_and_implicit_deny_bodies():
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Deny", e["methodArn"]), ttl=0)
    r = gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"})
    assert (r.status, r.body) == (403, '{"Message":"User is not authorized to access this resource with an explicit deny"}')
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Allow", "arn:aws:execute-api:*:*:*/prod/GET/other"), ttl=0)
    r = gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"})
    assert (r.status, r.body) == (403, '{"Message":"User is not authorized to access this resource"}')
    assert seen == []


def test_unauthorized_error_and_other_failures():
    def raise_unauth(e):
        raise Exception("Unauthorized")

    cloud, gw, api, seen, calls = rest_setup(raise_unauth)
    assert gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"}).status == 401

    def crash(e):
        raise KeyError("x")

    cloud, gw, api, seen, calls = rest_setup(crash)
    r = gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"})
    assert (r.status, r.body) == (500, '{"message": null}')
    assert r.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
    cloud, gw, api, seen, calls = rest_setup(lambda e: {"principalId": "u", "policyDocument": {}})
    assert gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"}).status == 500
    cloud, gw, api, seen, calls = rest_setup(lambda e: {**policy("Allow", "*"), "context": {"nested": {"a": 1}}})
    assert gw.request(api, "GET", "/prod/pets", headers={"Authorization": "t"}).status == 500


def test_cache_ttl_on_the_clock_and_shared_across_methods():
    cloud, gw, api, seen, calls = rest_setup(lambda e: policy("Allow", e["methodArn"]), ttl=60)
    h = {"Authorization": "t"}
    assert gw.request(api, "GET", "/prod/pets", headers=h).status == 200
    assert gw.request(api, "GET", "/prod/pets", headers=h).status == 200
    assert len(calls) == 1
    # the cached policy names GET /pets only: AWS's documented pitfall
    r = gw.request(api, "POST", "/prod/admin", headers=h)
    assert r.status == 403 and len(calls) == 1
    cloud.advance(61)
    assert gw.request(api, "POST", "/prod/admin", headers=h).status == 200 and len(calls) == 2
    cloud.client("apigateway").flush_stage_authorizers_cache(restApiId=api, stageName="prod")
    gw.request(api, "POST", "/prod/admin", headers=h)
    assert len(calls) == 3


def test_request_authorizer_identity_sources():
    cloud, gw, api, seen, calls = rest_setup(
        lambda e: policy("Allow", "*"), type_="REQUEST",
        source="method.request.header.X-User, method.request.querystring.tenant")
    assert gw.request(api, "GET", "/prod/pets", headers={"X-User": "u"}).status == 401 and calls == []
    r = gw.request(api, "GET", "/prod/pets?tenant=t1", headers={"X-User": "u"})
    assert r.status == 200
    e = calls[0]
    assert e["type"] == "REQUEST" and e["methodArn"].endswith(f"{api}/prod/GET/pets")
    assert e["headers"] == {"X-User": "u"} and e["queryStringParameters"] == {"tenant": "t1"}
    assert e["resource"] == "/pets" and e["requestContext"]["stage"] == "prod"
    gw.request(api, "GET", "/prod/pets?tenant=t2", headers={"X-User": "u"})
    gw.request(api, "GET", "/prod/pets?tenant=t1", headers={"X-User": "u"})
    assert len(calls) == 2  # keyed by all identity sources


def test_policy_wildcards():
    p = Policy({"Statement": [
        {"Effect": "Allow", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:us-east-1:*:abc/prod/GET/*"},
        {"Effect": "Deny", "Action": ["execute-api:Invoke"], "Resource": ["arn:aws:execute-api:*:*:abc/prod/GET/admin*"]},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:execute-api:*:*:abc/prod/P?ST/x"},
    ]})
    base = "arn:aws:execute-api:us-east-1:123456789012:abc/prod"
    assert p.evaluate("execute-api:Invoke", f"{base}/GET/pets/1") == "Allow"
    assert p.evaluate("execute-api:Invoke", f"{base}/GET/admin/users") == "Deny"
    assert p.evaluate("execute-api:Invoke", f"{base}/POST/x") == "Allow"
    assert p.evaluate("execute-api:Invoke", f"{base}/DELETE/x") == "ImplicitDeny"
    assert p.evaluate("EXECUTE-API:invoke", f"{base}/GET/a") == "Allow"  # actions are case-insensitive


resources = st.sampled_from(["*", "arn:aws:execute-api:*:*:*/prod/GET/*", "arn:aws:execute-api:*:*:*/prod/*/pets",
                             "arn:aws:execute-api:*:*:*/prod/POST/*", "arn:aws:execute-api:*:*:*/prod/*/admin",
                             "arn:aws:execute-api:*:*:*/*/GET/pets", "arn:aws:execute-api:*:*:*/prod/?ET/*"])
statements = st.lists(st.tuples(st.sampled_from(["Allow", "Deny"]), resources), min_size=0, max_size=4)


@settings(max_examples=40, deadline=None)
@given(statements, st.lists(st.tuples(st.sampled_from(["GET", "POST"]), st.sampled_from(["pets", "admin"])),
                            min_size=1, max_size=6))
def test_no_denied_request_gets_through(stmts, requests):
    doc = {"principalId": "p", "policyDocument": {"Statement": [
        {"Effect": e, "Action": "execute-api:Invoke", "Resource": r} for e, r in stmts]}}
    cloud, gw, api, seen, calls = rest_setup(lambda e: doc, ttl=300)
    pol = Policy(doc["policyDocument"])
    for method, path in requests:
        arn = f"arn:aws:execute-api:us-east-1:123456789012:{api}/prod/{method}/{path}"
        n = len(seen)
        r = gw.request(api, method, f"/prod/{path}", headers={"Authorization": "tok"})
        verdict = pol.evaluate("execute-api:Invoke", arn)
        assert (r.status == 200) == (verdict == "Allow")
        assert (len(seen) == n + 1) == (verdict == "Allow")  # the integration ran only when allowed


# -- HTTP API Lambda authorizers ----------------------------------------------------------------
def http_setup(auth_result, simple=True, ttl=0, sources=("$request.header.Authorization",)):
    seen, calls = [], []

    def backend(event, context):
        seen.append(event)
        return "ok"

    def auth(event, context):
        calls.append(event)
        return auth_result(event)

    cloud = make_cloud({"backend": backend, "auth": auth})
    gw = cloud.service("apigateway")
    v2 = cloud.client("apigatewayv2")
    api = gw.create_http_api("h", {"GET /items": "backend"})
    aid = v2.create_authorizer(ApiId=api, Name="l", AuthorizerType="REQUEST", AuthorizerUri=URI.format("auth"),
                               AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=simple,
                               IdentitySource=list(sources), AuthorizerResultTtlInSeconds=ttl)["AuthorizerId"]
    rid = v2.get_routes(ApiId=api)["Items"][0]["RouteId"]
    v2.update_route(ApiId=api, RouteId=rid, AuthorizationType="CUSTOM", AuthorizerId=aid)
    return cloud, gw, api, seen, calls


def test_http_simple_response_authorizer():
    cloud, gw, api, seen, calls = http_setup(lambda e: {"isAuthorized": e["headers"].get("authorization") == "yes",
                                                       "context": {"user": "u1"}})
    assert gw.request(api, "GET", "/items").status == 401 and calls == []
    r = gw.request(api, "GET", "/items", headers={"Authorization": "no"})
    assert (r.status, r.body) == (403, '{"message":"Forbidden"}')
    assert gw.request(api, "GET", "/items", headers={"Authorization": "yes"}).status == 200
    assert seen[0]["requestContext"]["authorizer"] == {"lambda": {"user": "u1"}}
    e = calls[0]
    assert e["type"] == "REQUEST" and e["version"] == "2.0" and e["identitySource"] == ["no"]
    assert e["routeArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api}/$default/GET/items"


def test_http_authorizer_failure_is_500_and_iam_policy_works():
    def crash(e):
        raise RuntimeError()

    cloud, gw, api, seen, calls = http_setup(crash)
    assert gw.request(api, "GET", "/items", headers={"Authorization": "x"}).status == 500
    cloud, gw, api, seen, calls = http_setup(lambda e: policy("Deny", "*"), simple=False)
    assert gw.request(api, "GET", "/items", headers={"Authorization": "x"}).status == 403


def test_http_authorizer_cache():
    cloud, gw, api, seen, calls = http_setup(lambda e: {"isAuthorized": True}, ttl=10)
    for _ in range(3):
        gw.request(api, "GET", "/items", headers={"Authorization": "x"})
    assert len(calls) == 1
    cloud.advance(10)
    gw.request(api, "GET", "/items", headers={"Authorization": "x"})
    assert len(calls) == 2


# -- JWT --------------------------------------------------------------------------------------------
def jwt_setup(scopes=()):
    seen = []

    def backend(event, context):
        seen.append(event)
        return "ok"

    cloud = make_cloud({"backend": backend})
    issuer = JwtIssuer(cloud, "https://issuer.example.com", bits=1024)
    gw = cloud.service("apigateway")
    v2 = cloud.client("apigatewayv2")
    api = gw.create_http_api("j", {"GET /me": "backend"})
    aid = v2.create_authorizer(ApiId=api, Name="jwt", AuthorizerType="JWT", IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": issuer.issuer, "Audience": ["app"]})["AuthorizerId"]
    rid = v2.get_routes(ApiId=api)["Items"][0]["RouteId"]
    v2.update_route(ApiId=api, RouteId=rid, AuthorizationType="JWT", AuthorizerId=aid, AuthorizationScopes=list(scopes))
    return cloud, gw, api, issuer, seen


def test_jwt_valid_token_and_claims():
    cloud, gw, api, issuer, seen = jwt_setup()
    tok = issuer.token(audience="app", scope="read write", subject="alice")
    r = gw.request(api, "GET", "/me", headers={"Authorization": f"Bearer {tok}"})
    assert r.status == 200
    jwt = seen[0]["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "alice" and jwt["claims"]["aud"] == "app" and jwt["scopes"] == ["read", "write"]
    assert gw.request(api, "GET", "/me", headers={"Authorization": tok}).status == 200  # no "Bearer" prefix


@pytest.mark.parametrize("make, why", [
    (lambda i: i.token(audience="other"), "the token does not have a valid audience"),
    (lambda i: i.token(audience="app", expires_in=-1), "the token has expired"),
    (lambda i: i.token(audience="app", not_before=i.cloud.time() + 60), "the token is not valid yet"),
    (lambda i: i.token(audience="app", kid="unknown"), "the kid in the token header is not in the issuer's keys"),
    (lambda i: i.token(audience="app", iss="https://evil.example.com"), "the token has an invalid issuer"),
    (lambda i: i.token(audience="app")[:-4] + "AAAA", "the token has an invalid signature"),
    (lambda i: sign_hs256({"iss": i.issuer, "aud": "app", "exp": 2e9}, "secret"), "the token has an invalid signature"),
])
def test_jwt_rejections_are_401_with_www_authenticate(make, why):
    cloud, gw, api, issuer, seen = jwt_setup()
    r = gw.request(api, "GET", "/me", headers={"Authorization": make(issuer)})
    assert (r.status, r.body) == (401, '{"message":"Unauthorized"}')
    assert r.headers["www-authenticate"] == f'Bearer scope="" error="invalid_token" error_description="{why}"'
    assert seen == []


def test_jwt_expiry_on_the_virtual_clock_and_client_id_fallback():
    cloud, gw, api, issuer, seen = jwt_setup()
    tok = issuer.token(client_id="app", expires_in=60)
    assert gw.request(api, "GET", "/me", headers={"Authorization": tok}).status == 200
    cloud.advance(61)
    assert gw.request(api, "GET", "/me", headers={"Authorization": tok}).status == 401


def test_jwt_scopes():
    cloud, gw, api, issuer, seen = jwt_setup(scopes=("admin", "write"))
    r = gw.request(api, "GET", "/me", headers={"Authorization": issuer.token(audience="app", scope="read")})
    assert (r.status, r.body) == (403, '{"message":"Forbidden"}')
    assert "insufficient_scope" in r.headers["www-authenticate"]
    assert gw.request(api, "GET", "/me", headers={"Authorization": issuer.token(audience="app", scope="write")}).status == 200
    assert gw.request(api, "GET", "/me").status == 401


def test_hs256_helper_round_trip_and_issuer_keys_are_seeded():
    tok = sign_hs256({"sub": "x"}, "k")
    assert verify_hs256(tok, "k") == {"sub": "x"}
    with pytest.raises(JwtError):
        verify_hs256(tok, "other")
    a = JwtIssuer(make_cloud(seed=3), "https://i", bits=512)
    b = JwtIssuer(make_cloud(seed=3), "https://i", bits=512)
    assert a.key.n == b.key.n and a.token(audience="x") == b.token(audience="x")
