"""AWS_IAM authorization of REST methods and HTTP API routes: SigV4 (signed by botocore, as a
client would) checked against the Cloud's identity store, ``execute-api:Invoke`` decided by IAM
on the method ARN, AWS's 403 bodies, and the caller in the proxy event."""

from __future__ import annotations

import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings, strategies as st

from apigw_helpers import apigw_services, make_cloud  # noqa: F401

ACCT = "123456789012"
URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
       "arn:aws:lambda:us-east-1:123456789012:function:{}/invocations")
SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your "
             "AWS Secret Access Key and signing method. Consult the service documentation for details.")
INVALID = "The security token included in the request is invalid."
EXPIRED = "The security token included in the request is expired"


def sign(api, method, path, creds, body=None, headers=None, *, region="us-east-1", service="execute-api"):
    """The headers a SigV4-signing client sends (botocore computes the signature)."""
    req = AWSRequest(method=method, url=f"https://{api}.execute-api.{region}.amazonaws.com{path}",
                     data=body, headers=dict(headers or {}))
    akid = creds["AccessKeyId"]
    secret = creds.get("SecretAccessKey", creds.get("SecretKey"))
    SigV4Auth(Credentials(akid, secret, creds.get("SessionToken")), service, region).add_auth(req)
    return dict(req.headers.items())


def allow(resource, effect="Allow"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}]})


def user(cloud, name, *policies):
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    for i, p in enumerate(policies):
        iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=p)
    return iam.create_access_key(UserName=name)["AccessKey"], iam.get_user(UserName=name)["User"]


def rest_setup():
    seen = []

    def backend(event, context):
        seen.append(event)
        return {"statusCode": 200, "body": "in"}

    cloud = make_cloud({"backend": backend})
    c = cloud.client("apigateway")
    api = c.create_rest_api(name="iam")["id"]
    root = c.get_resources(restApiId=api)["items"][0]["id"]
    items = c.create_resource(restApiId=api, parentId=root, pathPart="items")["id"]
    one = c.create_resource(restApiId=api, parentId=items, pathPart="{id}")["id"]
    for rid, verb, auth in ((items, "GET", "AWS_IAM"), (items, "POST", "AWS_IAM"), (one, "GET", "AWS_IAM"),
                            (root, "GET", "NONE")):
        c.put_method(restApiId=api, resourceId=rid, httpMethod=verb, authorizationType=auth)
        c.put_integration(restApiId=api, resourceId=rid, httpMethod=verb, type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=URI.format("backend"))
    c.create_deployment(restApiId=api, stageName="prod")
    return cloud, cloud.service("apigateway"), api, seen


def http_setup(payload="2.0", stage="prod"):
    seen = []

    def backend(event, context):
        seen.append(event)
        return {"statusCode": 200, "body": "ok"}

    cloud = make_cloud({"backend": backend})
    gw = cloud.service("apigateway")
    api = gw.create_http_api("h", {"GET /items/{id}": "backend", "POST /items": "backend", "GET /open": "backend"},
                             payload_format=payload, stage=stage)
    v2 = cloud.client("apigatewayv2")
    for r in v2.get_routes(ApiId=api)["Items"]:
        if r["RouteKey"] != "GET /open":
            v2.update_route(ApiId=api, RouteId=r["RouteId"], AuthorizationType="AWS_IAM")
    return cloud, gw, api, seen


def arn(api, rest_of):
    return f"arn:aws:execute-api:us-east-1:{ACCT}:{api}/{rest_of}"


# -- REST -----------------------------------------------------------------------------------------------
def test_rest_allowed_user_reaches_the_integration_with_its_identity():
    cloud, gw, api, seen = rest_setup()
    key, u = user(cloud, "carol", allow(arn(api, "prod/GET/items/*")))
    r = gw.request(api, "GET", "/prod/items/42?b=2&a=1", headers=sign(api, "GET", "/prod/items/42?b=2&a=1", key))
    assert (r.status, r.body) == (200, "in")
    ident = seen[0]["requestContext"]["identity"]
    assert {k: ident[k] for k in ("accessKey", "accountId", "caller", "user", "userArn", "principalOrgId")} == {
        "accessKey": key["AccessKeyId"], "accountId": ACCT, "caller": u["UserId"], "user": u["UserId"],
        "userArn": f"arn:aws:iam::{ACCT}:user/carol", "principalOrgId": None}
    assert ident["cognitoIdentityId"] is None and ident["sourceIp"]
    assert "authorizer" not in seen[0]["requestContext"]


def test_rest_user_without_policy_is_denied_with_the_method_arn():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "dave")
    r = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", key))
    assert r.status == 403 and seen == []
    assert r.json() == {"Message": f"User: arn:aws:iam::{ACCT}:user/dave is not authorized to perform: "
                                   f"execute-api:Invoke on resource: {arn(api, 'prod/GET/items')} because no "
                                   "identity-based policy allows the execute-api:Invoke action"}
    assert r.header("x-amzn-ErrorType") == "AccessDeniedException"


def test_rest_explicit_deny_wins_over_allow():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "erin", allow("*"), allow(arn(api, "*/POST/*"), "Deny"))
    assert gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", key)).status == 200
    body = '{"n":1}'
    r = gw.request(api, "POST", "/prod/items", headers=sign(api, "POST", "/prod/items", key, body), body=body)
    assert r.status == 403 and len(seen) == 1
    assert r.json()["Message"].endswith(
        f"on resource: {arn(api, 'prod/POST/items')} with an explicit deny in an identity-based policy")


def test_rest_wildcard_resource_policy():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "fay", allow("arn:aws:execute-api:*:*:*/prod/GET/items/*"))
    ok = gw.request(api, "GET", "/prod/items/7", headers=sign(api, "GET", "/prod/items/7", key))
    # /items itself is not under /items/*, and POST is not GET
    no = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", key))
    body = "x"
    no2 = gw.request(api, "POST", "/prod/items", headers=sign(api, "POST", "/prod/items", key, body), body=body)
    assert (ok.status, no.status, no2.status) == (200, 403, 403)
    assert [e["path"] for e in seen] == ["/items/7"]


def test_rest_bad_secret_unknown_key_and_missing_signature():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "gus", allow("*"))
    bad = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", {**key, "SecretAccessKey": "x" * 40}))
    assert (bad.status, bad.json(), bad.header("x-amzn-ErrorType")) == (
        403, {"message": SIGNATURE}, "InvalidSignatureException")
    unknown = gw.request(api, "GET", "/prod/items", headers=sign(
        api, "GET", "/prod/items", {"AccessKeyId": "AKIA" + "Z" * 16, "SecretAccessKey": "s"}))
    assert (unknown.status, unknown.json()) == (403, {"message": INVALID})
    missing = gw.request(api, "GET", "/prod/items")
    assert (missing.status, missing.body) == (403, '{"message":"Missing Authentication Token"}')
    assert missing.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    # a token that is not SigV4 (the old check let any Authorization header through)
    bearer = gw.request(api, "GET", "/prod/items", headers={"Authorization": "Bearer abc"})
    assert bearer.status == 403 and bearer.header("x-amzn-ErrorType") == "IncompleteSignatureException"
    assert bearer.json()["message"].endswith("Authorization=Bearer abc")
    assert seen == []


def test_rest_deactivated_key_is_invalid():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "hal", allow("*"))
    h = sign(api, "GET", "/prod/items", key)
    assert gw.request(api, "GET", "/prod/items", headers=h).status == 200
    cloud.client("iam").update_access_key(UserName="hal", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    r = gw.request(api, "GET", "/prod/items", headers=h)
    assert (r.status, r.json()) == (403, {"message": INVALID})


def test_rest_signature_covers_path_query_and_body():
    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "ivy", allow("*"))
    h = sign(api, "GET", "/prod/items/1", key)
    assert gw.request(api, "GET", "/prod/items/2", headers=h).json() == {"message": SIGNATURE}
    h = sign(api, "GET", "/prod/items?a=1", key)
    assert gw.request(api, "GET", "/prod/items?a=2", headers=h).json() == {"message": SIGNATURE}
    h = sign(api, "POST", "/prod/items", key, "one")
    assert gw.request(api, "POST", "/prod/items", headers=h, body="two").json() == {"message": SIGNATURE}
    # signed for another service: does not verify as execute-api
    h = sign(api, "GET", "/prod/items", key, service="lambda")
    assert gw.request(api, "GET", "/prod/items", headers=h).json() == {"message": SIGNATURE}
    # binary bodies are signed as bytes; the Host header may be sent explicitly
    raw = bytes(range(256))
    h = sign(api, "POST", "/prod/items", key, raw, {"Host": f"{api}.execute-api.us-east-1.amazonaws.com"})
    assert gw.request(api, "POST", "/prod/items", headers=h, body=raw).status == 200
    assert seen[-1]["isBase64Encoded"] is True


def test_assumed_role_session_and_expiry():
    cloud, gw, api, seen = rest_setup()
    iam = cloud.client("iam")
    iam.create_role(RoleName="caller", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCT}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName="caller", PolicyName="invoke", PolicyDocument=allow(arn(api, "prod/GET/*")))
    role_id = iam.get_role(RoleName="caller")["Role"]["RoleId"]
    c = cloud.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/caller", RoleSessionName="s1",
                                        DurationSeconds=900)["Credentials"]
    r = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", c))
    assert r.status == 200
    ident = seen[0]["requestContext"]["identity"]
    assert ident["userArn"] == f"arn:aws:sts::{ACCT}:assumed-role/caller/s1"
    assert ident["caller"] == ident["user"] == f"{role_id}:s1" and ident["accessKey"] == c["AccessKeyId"]
    # the session's own ARN is named in the denial
    body = "b"
    r = gw.request(api, "POST", "/prod/items", headers=sign(api, "POST", "/prod/items", c, body), body=body)
    assert r.json()["Message"].startswith(f"User: arn:aws:sts::{ACCT}:assumed-role/caller/s1 is not authorized")
    # without (or with a wrong) session token the key is not valid
    no_token = {k: v for k, v in c.items() if k != "SessionToken"}
    r = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", no_token))
    assert (r.status, r.json()) == (403, {"message": INVALID})
    cloud.advance(901)
    r = gw.request(api, "GET", "/prod/items", headers=sign(api, "GET", "/prod/items", c))
    assert (r.status, r.json(), r.header("x-amzn-ErrorType")) == (403, {"message": EXPIRED}, "ExpiredTokenException")
    assert len(seen) == 1


def test_methods_without_iam_are_untouched():
    cloud, gw, api, seen = rest_setup()
    assert gw.request(api, "GET", "/prod/", headers={"Authorization": "whatever"}).status == 200
    ident = seen[0]["requestContext"]["identity"]
    assert ident["accessKey"] is None and ident["userArn"] is None and ident["caller"] is None


# -- HTTP APIs ---------------------------------------------------------------------------------------------
def test_http_v2_allowed_user_gets_authorizer_iam():
    cloud, gw, api, seen = http_setup()
    key, u = user(cloud, "jo", allow(arn(api, "prod/GET/items/*")))
    r = gw.request(api, "GET", "/prod/items/9", headers=sign(api, "GET", "/prod/items/9", key))
    assert r.status == 200
    assert seen[0]["requestContext"]["authorizer"] == {"iam": {
        "accessKey": key["AccessKeyId"], "accountId": ACCT, "callerId": u["UserId"], "cognitoIdentity": None,
        "principalOrgId": None, "userArn": f"arn:aws:iam::{ACCT}:user/jo", "userId": u["UserId"]}}
    body = "{}"
    r = gw.request(api, "POST", "/prod/items", headers=sign(api, "POST", "/prod/items", key, body), body=body)
    assert r.status == 403 and r.json() == {"Message": (
        f"User: arn:aws:iam::{ACCT}:user/jo is not authorized to perform: execute-api:Invoke on resource: "
        f"{arn(api, 'prod/POST/items')} because no identity-based policy allows the execute-api:Invoke action")}
    assert len(seen) == 1


def test_http_errors():
    cloud, gw, api, seen = http_setup()
    key, _ = user(cloud, "kim", allow("*"), allow("arn:aws:execute-api:*:*:*/prod/POST/*", "Deny"))
    missing = gw.request(api, "GET", "/prod/items/1")
    assert (missing.status, missing.body) == (403, '{"message":"Forbidden"}')
    assert gw.request(api, "GET", "/prod/items/1", headers={"Authorization": "Bearer t"}).body == '{"message":"Forbidden"}'
    bad = gw.request(api, "GET", "/prod/items/1", headers=sign(api, "GET", "/prod/items/1", {**key, "SecretAccessKey": "no"}))
    assert (bad.status, bad.json()) == (403, {"message": SIGNATURE})
    unknown = gw.request(api, "GET", "/prod/items/1", headers=sign(
        api, "GET", "/prod/items/1", {"AccessKeyId": "ASIA" + "Q" * 16, "SecretAccessKey": "s", "SessionToken": "t"}))
    assert (unknown.status, unknown.json()) == (403, {"message": INVALID})
    denied = gw.request(api, "POST", "/prod/items", headers=sign(api, "POST", "/prod/items", key))
    assert denied.status == 403 and denied.json()["Message"].endswith("with an explicit deny in an identity-based policy")
    assert gw.request(api, "GET", "/prod/open").status == 200  # a route without IAM
    assert len(seen) == 1


def test_http_default_stage_and_payload_v1_identity():
    cloud, gw, api, seen = http_setup(payload="1.0", stage="$default")
    key, u = user(cloud, "lee", allow(arn(api, "$default/GET/items/*")))
    r = gw.request(api, "GET", "/items/3", headers=sign(api, "GET", "/items/3", key))
    assert r.status == 200
    ident = seen[0]["requestContext"]["identity"]
    assert (ident["accessKey"], ident["caller"], ident["userArn"]) == (
        key["AccessKeyId"], u["UserId"], f"arn:aws:iam::{ACCT}:user/lee")


def test_cognito_identity_pool_credentials_fill_the_cognito_fields():
    cloud, gw, api, seen = http_setup()
    store = cloud.service("iam").store
    cloud.client("iam").create_role(RoleName="auth", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": []}))
    cloud.client("iam").put_role_policy(RoleName="auth", PolicyName="p", PolicyDocument=allow("*"))
    principal = store.role_session(f"arn:aws:iam::{ACCT}:role/auth", "CognitoIdentityCredentials", extra_context={
        "cognito-identity.amazonaws.com:sub": "us-east-1:abc", "cognito-identity.amazonaws.com:aud": "us-east-1:pool",
        "cognito-identity.amazonaws.com:amr": ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_X"]})
    creds = store.issue_session_credentials(principal, 3600).as_dict()
    r = gw.request(api, "GET", "/prod/items/1", headers=sign(api, "GET", "/prod/items/1", creds))
    assert r.status == 200
    assert seen[0]["requestContext"]["authorizer"]["iam"]["cognitoIdentity"] == {
        "amr": ["authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_X"],
        "identityId": "us-east-1:abc", "identityPoolId": "us-east-1:pool"}


# -- property: only a correct signature by an allowed principal gets through --------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verb=st.sampled_from(["GET", "POST"]), item=st.text("abz09-_.~ %", min_size=1, max_size=8),
       q=st.lists(st.tuples(st.text("ab", min_size=1, max_size=2), st.text("xy =&", max_size=3)), max_size=3),
       tamper=st.booleans(), granted=st.sampled_from(["*", "prod/GET/*", "prod/POST/*"]))
def test_property_signature_and_policy_decide(verb, item, q, tamper, granted):
    from urllib.parse import quote, urlencode

    cloud, gw, api, seen = rest_setup()
    key, _ = user(cloud, "pat", allow(arn(api, granted)))
    path = "/prod/items/" + quote(item, safe="")
    query = urlencode(q, quote_via=quote)  # spaces as %20, as SDKs send them
    target = path + ("?" + query if query else "")
    body = "payload" if verb == "POST" else None
    if verb == "POST":
        target = "/prod/items" + ("?" + query if query else "")
    h = sign(api, verb, target, key, body)
    sent_body = (body + "!") if (tamper and body) else body
    sent = target if not tamper or body else target + ("&" if query else "?") + "zz=1"
    r = gw.request(api, verb, sent, headers=h, body=sent_body)
    allowed = granted == "*" or granted.split("/")[1] == verb
    if tamper:
        assert (r.status, r.json()) == (403, {"message": SIGNATURE})
    else:
        assert r.status == (200 if allowed else 403)
    assert len(seen) == (1 if (allowed and not tamper) else 0)
