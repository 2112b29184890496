"""User pool Lambda triggers: PreSignUp, PostConfirmation, PreAuthentication and
PreTokenGeneration (V1 and V2), with AWS's event shapes, through a stub Lambda service and
through the real one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from identity_helpers import STRONG, identity_services, make_cloud, sign_in, user_pool  # noqa: F401

from serverless_sim import AWSError
from serverless_sim.cognito.crypto import decode_jwt
from serverless_sim.kernel.errors import AWSError as _AWSError
from serverless_sim.kernel.service import Service, operation
from serverless_sim.services import SERVICES

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class _NotFound(_AWSError):
    code = "ResourceNotFoundException"


class StubLambda(Service):
    """Answers Invoke by calling a Python function registered for the ARN (records events)."""

    service_name = "lambda"
    handlers: dict[str, Any] = {}
    events: list[dict] = []

    @operation("Invoke")
    def invoke(self, request: dict) -> dict:
        fn = self.handlers.get(request["FunctionName"])
        if fn is None:
            raise _NotFound("Function not found")
        ev = json.loads(request["Payload"])
        self.events.append(json.loads(request["Payload"]))
        try:
            out = fn(ev)
        except Exception as exc:  # the function failed
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}).encode()}
        return {"StatusCode": 200, "Payload": json.dumps(out).encode()}


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setitem(SERVICES, "lambda", (__name__, "StubLambda"))
    StubLambda.handlers = {}
    StubLambda.events = []
    return StubLambda


def pool_with(cloud, **triggers):
    return user_pool(cloud, LambdaConfig=triggers)


def test_pre_sign_up_event_and_auto_confirm(stub):
    def pre(ev):
        ev["response"]["autoConfirmUser"] = ev["request"]["userAttributes"]["email"].endswith("@corp.com")
        ev["response"]["autoVerifyEmail"] = ev["response"]["autoConfirmUser"]
        return ev

    stub.handlers[ARN.format("pre")] = pre
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreSignUp=ARN.format("pre"))
    idp = cloud.client("cognito-idp")
    out = idp.sign_up(ClientId=client, Username="ann", Password=STRONG,
                      UserAttributes=[{"Name": "email", "Value": "ann@corp.com"}],
                      ValidationData=[{"Name": "invite", "Value": "x1"}], ClientMetadata={"src": "web"})
    assert out["UserConfirmed"] is True and "CodeDeliveryDetails" not in out
    ev = stub.events[-1]
    assert ev["version"] == "1" and ev["triggerSource"] == "PreSignUp_SignUp" and ev["region"] == "us-east-1"
    assert ev["userPoolId"] == pool and ev["userName"] == "ann"
    assert ev["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client}
    assert ev["request"] == {"userAttributes": {"email": "ann@corp.com"}, "validationData": {"invite": "x1"},
                             "clientMetadata": {"src": "web"}}
    assert ev["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    user = idp.admin_get_user(UserPoolId=pool, Username="ann")
    assert user["UserStatus"] == "CONFIRMED" and {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert sign_in(cloud, client, "ann")["IdToken"]
    out = idp.sign_up(ClientId=client, Username="bo", Password=STRONG, UserAttributes=[{"Name": "email", "Value": "bo@x.io"}])
    assert out["UserConfirmed"] is False


def test_pre_sign_up_failure_stops_sign_up(stub):
    def pre(ev):
        raise ValueError("Registration from this domain is not allowed.")

    stub.handlers[ARN.format("pre")] = pre
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreSignUp=ARN.format("pre"))
    idp = cloud.client("cognito-idp")
    with pytest.raises(AWSError) as exc:
        idp.sign_up(ClientId=client, Username="eve", Password=STRONG, UserAttributes=[{"Name": "email", "Value": "e@x.io"}])
    assert exc.value.code == "UserLambdaValidationException"
    assert exc.value.message == "PreSignUp failed with error Registration from this domain is not allowed.."
    assert idp.list_users(UserPoolId=pool)["Users"] == []
    idp.update_user_pool(UserPoolId=pool, LambdaConfig={"PreSignUp": ARN.format("missing")})
    with pytest.raises(AWSError) as exc:
        idp.sign_up(ClientId=client, Username="eve", Password=STRONG, UserAttributes=[{"Name": "email", "Value": "e@x.io"}])
    assert exc.value.code == "UnexpectedLambdaException"


def test_admin_create_user_trigger_source(stub):
    stub.handlers[ARN.format("pre")] = lambda ev: ev
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreSignUp=ARN.format("pre"))
    cloud.client("cognito-idp").admin_create_user(UserPoolId=pool, Username="ad", TemporaryPassword="Temp-pass1")
    assert stub.events[-1]["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert stub.events[-1]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


def test_post_confirmation_runs_before_the_user_is_confirmed(stub):
    calls = []

    def post(ev):
        calls.append(ev)
        if len(calls) == 1:
            raise RuntimeError("database down")
        return ev

    stub.handlers[ARN.format("post")] = post
    cloud = make_cloud()
    pool, client = pool_with(cloud, PostConfirmation=ARN.format("post"))
    idp = cloud.client("cognito-idp")
    sub = idp.sign_up(ClientId=client, Username="cy", Password=STRONG,
                      UserAttributes=[{"Name": "email", "Value": "cy@x.io"}])["UserSub"]
    code = cloud.service("cognito-idp").last_code(pool, "cy")
    with pytest.raises(AWSError, match="PostConfirmation failed with error database down."):
        idp.confirm_sign_up(ClientId=client, Username="cy", ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool, Username="cy")["UserStatus"] == "UNCONFIRMED"
    idp.confirm_sign_up(ClientId=client, Username="cy", ConfirmationCode=code)
    ev = calls[-1]
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["request"]["userAttributes"] == {"sub": sub, "email": "cy@x.io", "cognito:user_status": "CONFIRMED",
                                               "email_verified": "true"}
    assert ev["response"] == {}


def test_pre_token_generation_v1(stub):
    def ptg(ev):
        assert ev["triggerSource"] in ("TokenGeneration_Authentication", "TokenGeneration_RefreshTokens")
        assert ev["request"]["groupConfiguration"] == {"groupsToOverride": ["g1"], "iamRolesToOverride": [],
                                                       "preferredRole": None}
        ev["response"]["claimsOverrideDetails"] = {
            "claimsToAddOrOverride": {"tenant": "t-42", "sub": "hijack"}, "claimsToSuppress": ["email"],
            "groupOverrideDetails": {"groupsToOverride": ["vip"]}}
        return ev

    stub.handlers[ARN.format("ptg")] = ptg
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreTokenGeneration=ARN.format("ptg"))
    idp = cloud.client("cognito-idp")
    idp.create_group(GroupName="g1", UserPoolId=pool)
    cloud.service("cognito-idp").create_user(pool, "dora", STRONG, {"email": "d@x.io"})
    idp.admin_add_user_to_group(UserPoolId=pool, Username="dora", GroupName="g1")
    res = sign_in(cloud, client, "dora")
    idc, acc = decode_jwt(res["IdToken"])[1], decode_jwt(res["AccessToken"])[1]
    assert idc["tenant"] == "t-42" and "email" not in idc and idc["sub"] != "hijack"
    assert idc["cognito:groups"] == ["vip"] and acc["cognito:groups"] == ["vip"]
    assert "tenant" not in acc


def test_pre_token_generation_v2_scopes(stub):
    def ptg(ev):
        assert ev["version"] == "2" and ev["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
        ev["response"]["claimsAndScopeOverrideDetails"] = {
            "idTokenGeneration": {"claimsToAddOrOverride": {"plan": "gold"}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tier": "1"}, "scopesToAdd": ["api/read"]}}
        return ev

    stub.handlers[ARN.format("ptg2")] = ptg
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreTokenGenerationConfig={"LambdaVersion": "V2_0", "LambdaArn": ARN.format("ptg2")})
    cloud.service("cognito-idp").create_user(pool, "ed", STRONG)
    res = sign_in(cloud, client, "ed")
    assert decode_jwt(res["IdToken"])[1]["plan"] == "gold"
    acc = decode_jwt(res["AccessToken"])[1]
    assert acc["tier"] == "1" and acc["scope"] == "aws.cognito.signin.user.admin api/read"


def test_pre_authentication_can_refuse(stub):
    def pre_auth(ev):
        raise PermissionError("Account locked")

    stub.handlers[ARN.format("pa")] = pre_auth
    cloud = make_cloud()
    pool, client = pool_with(cloud, PreAuthentication=ARN.format("pa"))
    cloud.service("cognito-idp").create_user(pool, "fin", STRONG)
    with pytest.raises(AWSError) as exc:
        sign_in(cloud, client, "fin")
    assert (exc.value.code, exc.value.message) == ("UserLambdaValidationException",
                                                   "PreAuthentication failed with error Account locked.")


def test_with_the_real_lambda_service():
    cloud = make_cloud()
    lam = cloud.service("lambda")
    seen = []

    def pre_sign_up(event, context):
        seen.append(event["triggerSource"])
        event["response"]["autoConfirmUser"] = True
        return event

    def pre_token(event, context):
        event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"via": "lambda"}}
        return event

    a = lam.create_function_from_callable("pre-sign-up", pre_sign_up, duration=0.05)
    b = lam.create_function_from_callable("pre-token", pre_token, duration=0.05)
    pool, client = pool_with(cloud, PreSignUp=a.arn, PreTokenGeneration=b.arn)
    idp = cloud.client("cognito-idp")
    t0 = cloud.now_us
    assert idp.sign_up(ClientId=client, Username="gil", Password=STRONG,
                       UserAttributes=[{"Name": "email", "Value": "g@x.io"}])["UserConfirmed"] is True
    assert seen == ["PreSignUp_SignUp"] and cloud.now_us > t0  # a synchronous invoke takes virtual time
    assert decode_jwt(sign_in(cloud, client, "gil")["IdToken"])[1]["via"] == "lambda"
