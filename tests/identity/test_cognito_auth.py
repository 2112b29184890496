"""Cognito sign-in: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
NEW_PASSWORD_REQUIRED, tokens and their claims, GetUser, GlobalSignOut, RevokeToken, expiry."""

from __future__ import annotations

import pytest
from identity_helpers import STRONG, identity_services, make_cloud, sign_in, signed_up, user_pool  # noqa: F401

from serverless_sim import AWSError
from serverless_sim.cognito.crypto import decode_jwt


def err(fn, **kw):
    with pytest.raises(AWSError) as exc:
        fn(**kw)
    return exc.value.code, exc.value.message


def claims(token):
    return decode_jwt(token)[1]


@pytest.fixture
def env():
    cloud = make_cloud()
    pool, client = user_pool(cloud)
    sub = signed_up(cloud, pool, client, "alice")
    return cloud, pool, client, sub


def test_tokens_and_claims(env):
    cloud, pool, client, sub = env
    idp = cloud.client("cognito-idp")
    idp.create_group(GroupName="admins", UserPoolId=pool, Precedence=0,
                     RoleArn="arn:aws:iam::123456789012:role/admin")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName="admins")
    res = sign_in(cloud, client)
    assert res["TokenType"] == "Bearer" and res["ExpiresIn"] == 3600
    now = cloud.now_us // 1_000_000
    iss = f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    idc, acc = claims(res["IdToken"]), claims(res["AccessToken"])
    assert idc["sub"] == sub and idc["cognito:username"] == "alice" and idc["aud"] == client
    assert idc["token_use"] == "id" and idc["iss"] == iss and idc["email"] == "alice@example.com"
    assert idc["email_verified"] is True and idc["cognito:groups"] == ["admins"]
    assert idc["cognito:roles"] == ["arn:aws:iam::123456789012:role/admin"]
    assert idc["cognito:preferred_role"] == "arn:aws:iam::123456789012:role/admin"
    assert idc["iat"] == idc["auth_time"] == now and idc["exp"] == now + 3600
    assert acc["client_id"] == client and acc["token_use"] == "access" and acc["username"] == "alice"
    assert acc["scope"] == "aws.cognito.signin.user.admin" and acc["cognito:groups"] == ["admins"]
    assert "aud" not in acc and acc["origin_jti"] == idc["origin_jti"] and acc["event_id"] == idc["event_id"]
    assert acc["jti"] != idc["jti"]
    # ID and access tokens are signed by different keys, both in the JWKS
    kids = {k["kid"] for k in cloud.service("cognito-idp").jwks(pool)["keys"]}
    assert {decode_jwt(res["IdToken"])[0]["kid"], decode_jwt(res["AccessToken"])[0]["kid"]} == kids
    assert decode_jwt(res["IdToken"])[0]["alg"] == "RS256"


def test_sign_in_errors(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")

    def auth(u, p, flow="USER_PASSWORD_AUTH", c=client):
        return err(idp.initiate_auth, ClientId=c, AuthFlow=flow, AuthParameters={"USERNAME": u, "PASSWORD": p})

    assert auth("alice", "Wrong-pass1!") == ("NotAuthorizedException", "Incorrect username or password.")
    assert auth("nobody", STRONG) == ("UserNotFoundException", "User does not exist.")
    idp.sign_up(ClientId=client, Username="bob", Password=STRONG, UserAttributes=[{"Name": "email", "Value": "b@x.io"}])
    assert auth("bob", STRONG) == ("UserNotConfirmedException", "User is not confirmed.")
    assert auth("bob", "Wrong-pass1!") == ("NotAuthorizedException", "Incorrect username or password.")
    idp.admin_disable_user(UserPoolId=pool, Username="alice")
    assert auth("alice", STRONG) == ("NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool, Username="alice")
    srp = idp.create_user_pool_client(UserPoolId=pool, ClientName="srp")["UserPoolClient"]["ClientId"]
    assert auth("alice", STRONG, c=srp) == ("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert auth("alice", STRONG, flow="ADMIN_USER_PASSWORD_AUTH") == (
        "InvalidParameterException", "Initiate Auth method not supported.")
    hidden = idp.create_user_pool_client(UserPoolId=pool, ClientName="h", PreventUserExistenceErrors="ENABLED",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    assert auth("nobody", STRONG, c=hidden) == ("NotAuthorizedException", "Incorrect username or password.")


def test_admin_initiate_auth(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    out = idp.admin_initiate_auth(UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "alice", "PASSWORD": STRONG})
    assert claims(out["AuthenticationResult"]["IdToken"])["cognito:username"] == "alice"


def test_new_password_required(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    idp.admin_create_user(UserPoolId=pool, Username="carl", TemporaryPassword="Temp-pass1",
                          UserAttributes=[{"Name": "email", "Value": "c@x.io"}])
    out = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "carl", "PASSWORD": "Temp-pass1"})
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and out["Session"]
    assert out["ChallengeParameters"]["USER_ID_FOR_SRP"] == "carl"
    bad = err(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
              ChallengeResponses={"USERNAME": "carl", "NEW_PASSWORD": "weak"})
    assert bad[0] in ("InvalidPasswordException", "InvalidParameterException")
    assert idp.admin_get_user(UserPoolId=pool, Username="carl")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    done = idp.respond_to_auth_challenge(ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=out["Session"],
                                         ChallengeResponses={"USERNAME": "carl", "NEW_PASSWORD": "New-pass12"})
    assert claims(done["AuthenticationResult"]["AccessToken"])["username"] == "carl"
    assert idp.admin_get_user(UserPoolId=pool, Username="carl")["UserStatus"] == "CONFIRMED"
    assert err(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED",
               Session=out["Session"], ChallengeResponses={"USERNAME": "carl", "NEW_PASSWORD": "New-pass12"}) == (
        "NotAuthorizedException", "Invalid session for the user.")
    assert sign_in(cloud, client, "carl", "New-pass12")["IdToken"]


def test_challenge_session_and_temporary_password_expire(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    idp.admin_create_user(UserPoolId=pool, Username="dee", TemporaryPassword="Temp-pass1")
    out = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "dee", "PASSWORD": "Temp-pass1"})
    cloud.advance(3 * 60)
    assert err(idp.respond_to_auth_challenge, ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED",
               Session=out["Session"], ChallengeResponses={"USERNAME": "dee", "NEW_PASSWORD": "New-pass12"}) == (
        "NotAuthorizedException", "Invalid session for the user, session is expired.")
    cloud.advance(7 * 86400)
    assert err(idp.initiate_auth, ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
               AuthParameters={"USERNAME": "dee", "PASSWORD": "Temp-pass1"}) == (
        "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")


def test_refresh_tokens(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    first = sign_in(cloud, client)
    cloud.advance(3000)
    out = idp.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert "RefreshToken" not in out
    a, b = claims(first["IdToken"]), claims(out["IdToken"])
    assert b["auth_time"] == a["auth_time"] and b["origin_jti"] == a["origin_jti"] and b["iat"] == a["iat"] + 3000
    assert err(idp.initiate_auth, ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
               AuthParameters={"REFRESH_TOKEN": "junk"}) == ("NotAuthorizedException", "Invalid Refresh Token")
    cloud.advance(30 * 86400)
    assert err(idp.initiate_auth, ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
               AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]}) == (
        "NotAuthorizedException", "Refresh Token has expired")


def test_get_user_and_expiry(env):
    cloud, pool, client, sub = env
    idp = cloud.client("cognito-idp")
    res = sign_in(cloud, client)
    me = idp.get_user(AccessToken=res["AccessToken"])
    assert me["Username"] == "alice" and {"Name": "sub", "Value": sub} in me["UserAttributes"]
    assert err(idp.get_user, AccessToken=res["IdToken"]) == ("NotAuthorizedException", "Invalid Access Token")
    assert err(idp.get_user, AccessToken="garbage") == ("NotAuthorizedException", "Invalid Access Token")
    cloud.advance(3600)
    assert err(idp.get_user, AccessToken=res["AccessToken"]) == ("NotAuthorizedException", "Access Token has expired")


def test_global_sign_out_revokes_access_and_refresh_tokens(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    one, two = sign_in(cloud, client), sign_in(cloud, client)
    idp.global_sign_out(AccessToken=one["AccessToken"])
    for res in (one, two):
        assert err(idp.get_user, AccessToken=res["AccessToken"]) == (
            "NotAuthorizedException", "Access Token has been revoked")
        assert err(idp.initiate_auth, ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                   AuthParameters={"REFRESH_TOKEN": res["RefreshToken"]}) == (
            "NotAuthorizedException", "Refresh Token has been revoked")
    three = sign_in(cloud, client)
    assert idp.get_user(AccessToken=three["AccessToken"])["Username"] == "alice"


def test_revoke_token_revokes_one_session(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    one, two = sign_in(cloud, client), sign_in(cloud, client)
    idp.revoke_token(Token=one["RefreshToken"], ClientId=client)
    assert err(idp.get_user, AccessToken=one["AccessToken"])[1] == "Access Token has been revoked"
    assert idp.get_user(AccessToken=two["AccessToken"])["Username"] == "alice"


def test_change_password(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    res = sign_in(cloud, client)
    assert err(idp.change_password, PreviousPassword="nope-Nope1", ProposedPassword="New-pass12",
               AccessToken=res["AccessToken"]) == ("NotAuthorizedException", "Incorrect username or password.")
    idp.change_password(PreviousPassword=STRONG, ProposedPassword="New-pass12", AccessToken=res["AccessToken"])
    assert sign_in(cloud, client, "alice", "New-pass12")["IdToken"]


def test_token_validity_settings(env):
    cloud, pool, client, _ = env
    idp = cloud.client("cognito-idp")
    short = idp.create_user_pool_client(UserPoolId=pool, ClientName="short",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                                        AccessTokenValidity=5, IdTokenValidity=10, RefreshTokenValidity=60,
                                        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes",
                                                            "RefreshToken": "minutes"})["UserPoolClient"]["ClientId"]
    res = sign_in(cloud, short)
    now = cloud.now_us // 1_000_000
    assert claims(res["AccessToken"])["exp"] == now + 300 and claims(res["IdToken"])["exp"] == now + 600
    assert res["ExpiresIn"] == 300
    cloud.advance(3600)
    assert err(idp.initiate_auth, ClientId=short, AuthFlow="REFRESH_TOKEN_AUTH",
               AuthParameters={"REFRESH_TOKEN": res["RefreshToken"]})[1] == "Refresh Token has expired"
