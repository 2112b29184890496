"""Cognito user pools (``cognito-idp``) and identity pools (``cognito-identity``) through real
boto3 (the botocore bridge): every offered operation, the paginators in small pages, and the
modelled errors; every response must be what botocore's parser produces from the service model
(:mod:`shape_check`), and the values that matter must round-trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest

boto3 = pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402
from shape_check import compare_bridge_http, conformance_problems, recorder, strip_metadata  # noqa: E402

IDP, IDENTITY = "cognito-idp", "cognito-identity"
PASSWORD = "Passw0rd!long"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _trust(pool_id: str, amr: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}]})


def pages(out, client, method, **kwargs):
    """Walk a real botocore paginator; record every page as a response of its operation."""
    op = client.meta.method_to_api_mapping[method]
    got = list(client.get_paginator(method).paginate(**kwargs))
    out.extend((client.meta.service_model.service_name, op, page) for page in got)
    return got


def scenario(client_factory, code_of=None):
    """Drive every Cognito operation the simulator offers; returns [(service, operation, response)].
    ``code_of(pool_id, username)`` gives the code a confirmation message carried (bridge runs only:
    over HTTP the scenario confirms with a wrong code only)."""
    out: list = []
    call = recorder(out)
    idp = client_factory(IDP)

    # Pools and app clients.
    pools = [call(idp, "create_user_pool", PoolName=f"pool-{i}")["UserPool"]["Id"] for i in range(3)]
    pool = call(idp, "create_user_pool", PoolName="shapes", AutoVerifiedAttributes=["email"],
                Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": False,
                                             "RequireLowercase": True, "RequireNumbers": True,
                                             "RequireSymbols": False}},
                Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
                UserPoolTags={"team": "a"})["UserPool"]["Id"]
    call(idp, "create_user_pool", PoolName="bad/name")  # InvalidParameterException
    call(idp, "describe_user_pool", UserPoolId=pool)
    call(idp, "describe_user_pool", UserPoolId="us-east-1_nothere00")  # ResourceNotFoundException
    call(idp, "update_user_pool", UserPoolId=pool, AutoVerifiedAttributes=["email"], UserPoolTags={"team": "b"})
    call(idp, "list_user_pools", MaxResults=2)
    call(idp, "list_user_pools", MaxResults=61)  # InvalidParameterException
    pages(out, idp, "list_user_pools", MaxResults=60, PaginationConfig={"PageSize": 2})
    client_id = call(idp, "create_user_pool_client", UserPoolId=pool, ClientName="web",
                     ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    others = [call(idp, "create_user_pool_client", UserPoolId=pool, ClientName=f"extra-{i}")["UserPoolClient"]["ClientId"]
              for i in range(2)]
    call(idp, "create_user_pool_client", UserPoolId=pool, ClientName="bad", ExplicitAuthFlows=["NOPE"])
    call(idp, "describe_user_pool_client", UserPoolId=pool, ClientId=client_id)
    call(idp, "describe_user_pool_client", UserPoolId=pool, ClientId="0" * 26)  # ResourceNotFoundException
    call(idp, "update_user_pool_client", UserPoolId=pool, ClientId=client_id, ClientName="web-2",
         ExplicitAuthFlows=FLOWS, RefreshTokenValidity=10, TokenValidityUnits={"RefreshToken": "days"})
    call(idp, "list_user_pool_clients", UserPoolId=pool, MaxResults=2)
    pages(out, idp, "list_user_pool_clients", UserPoolId=pool, PaginationConfig={"PageSize": 2})
    call(idp, "delete_user_pool_client", UserPoolId=pool, ClientId=others[1])
    call(idp, "delete_user_pool_client", UserPoolId=pool, ClientId=others[1])  # ResourceNotFoundException

    # Self-service sign-up and confirmation.
    call(idp, "sign_up", ClientId=client_id, Username="alice", Password=PASSWORD,
         UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    call(idp, "sign_up", ClientId=client_id, Username="alice", Password=PASSWORD)  # UsernameExistsException
    call(idp, "sign_up", ClientId=client_id, Username="weak", Password="nodigitshere")  # InvalidPassword
    call(idp, "initiate_auth", ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
         AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})  # UserNotConfirmedException
    call(idp, "resend_confirmation_code", ClientId=client_id, Username="alice")
    call(idp, "confirm_sign_up", ClientId=client_id, Username="alice", ConfirmationCode="000000")  # mismatch
    if code_of is not None:
        call(idp, "confirm_sign_up", ClientId=client_id, Username="alice", ConfirmationCode=code_of(pool, "alice"))
    else:
        call(idp, "admin_confirm_sign_up", UserPoolId=pool, Username="alice")
    call(idp, "admin_confirm_sign_up", UserPoolId=pool, Username="nobody")  # UserNotFoundException

    # Admin-created users: a temporary password and the NEW_PASSWORD_REQUIRED challenge.
    for name in ("bob", "carol", "dave"):
        call(idp, "admin_create_user", UserPoolId=pool, Username=name, TemporaryPassword="Temp0rary!pw",
             UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"},
                             {"Name": "custom:tier", "Value": "gold"}], MessageAction="SUPPRESS")
    call(idp, "admin_create_user", UserPoolId=pool, Username="bob")  # UsernameExistsException
    challenge = call(idp, "admin_initiate_auth", UserPoolId=pool, ClientId=client_id,
                     AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "bob", "PASSWORD": "Temp0rary!pw"})
    call(idp, "admin_respond_to_auth_challenge", UserPoolId=pool, ClientId=client_id,
         ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge.get("Session", "none"),
         ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": PASSWORD})
    challenge = call(idp, "initiate_auth", ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                     AuthParameters={"USERNAME": "carol", "PASSWORD": "Temp0rary!pw"})
    call(idp, "respond_to_auth_challenge", ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
         Session="not-a-session-of-this-pool", ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": PASSWORD})  # NotAuthorized
    call(idp, "respond_to_auth_challenge", ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED",
         Session=challenge.get("Session", "none"), ChallengeResponses={"USERNAME": "carol", "NEW_PASSWORD": PASSWORD})
    call(idp, "admin_set_user_password", UserPoolId=pool, Username="dave", Password=PASSWORD, Permanent=True)
    call(idp, "admin_set_user_password", UserPoolId=pool, Username="dave", Password="x", Permanent=True)

    # Signed in: tokens, the access-token APIs, refresh, sign-out and revocation.
    auth = call(idp, "initiate_auth", ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    tokens = auth.get("AuthenticationResult", {})
    call(idp, "initiate_auth", ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
         AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong0password"})  # NotAuthorizedException
    call(idp, "get_user", AccessToken=tokens.get("AccessToken", "x"))
    call(idp, "get_user", AccessToken="not.a.token")  # NotAuthorizedException
    call(idp, "change_password", AccessToken=tokens.get("AccessToken", "x"), PreviousPassword=PASSWORD,
         ProposedPassword=PASSWORD + "2")
    call(idp, "change_password", AccessToken=tokens.get("AccessToken", "x"), PreviousPassword="Wrong0password",
         ProposedPassword=PASSWORD)  # NotAuthorizedException
    refreshed = call(idp, "initiate_auth", ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                     AuthParameters={"REFRESH_TOKEN": tokens.get("RefreshToken", "x")})
    call(idp, "global_sign_out", AccessToken=refreshed.get("AuthenticationResult", {}).get("AccessToken", "x"))
    call(idp, "get_user", AccessToken=tokens.get("AccessToken", "x"))  # revoked
    bob = call(idp, "admin_initiate_auth", UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
               AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD}).get("AuthenticationResult", {})
    call(idp, "revoke_token", ClientId=client_id, Token=bob.get("RefreshToken", "x"))
    call(idp, "initiate_auth", ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
         AuthParameters={"REFRESH_TOKEN": bob.get("RefreshToken", "x")})  # revoked
    call(idp, "admin_user_global_sign_out", UserPoolId=pool, Username="carol")

    # Users.
    call(idp, "admin_get_user", UserPoolId=pool, Username="bob")
    call(idp, "admin_get_user", UserPoolId=pool, Username="nobody")  # UserNotFoundException
    call(idp, "admin_update_user_attributes", UserPoolId=pool, Username="bob",
         UserAttributes=[{"Name": "custom:tier", "Value": "silver"}])
    call(idp, "admin_disable_user", UserPoolId=pool, Username="dave")
    call(idp, "admin_initiate_auth", UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
         AuthParameters={"USERNAME": "dave", "PASSWORD": PASSWORD})  # disabled
    call(idp, "admin_enable_user", UserPoolId=pool, Username="dave")
    call(idp, "list_users", UserPoolId=pool, Limit=2)
    call(idp, "list_users", UserPoolId=pool, Filter='username = "carol"')
    pages(out, idp, "list_users", UserPoolId=pool, PaginationConfig={"PageSize": 3})

    # Groups.
    for i, name in enumerate(("admins", "editors", "viewers")):
        call(idp, "create_group", UserPoolId=pool, GroupName=name, Precedence=i, Description=f"the {name}",
             RoleArn=f"arn:aws:iam::123456789012:role/{name}")
    call(idp, "create_group", UserPoolId=pool, GroupName="admins")  # GroupExistsException
    call(idp, "get_group", UserPoolId=pool, GroupName="editors")
    call(idp, "get_group", UserPoolId=pool, GroupName="nope")  # ResourceNotFoundException
    call(idp, "update_group", UserPoolId=pool, GroupName="editors", Description="changed", Precedence=5)
    for group in ("admins", "editors", "viewers"):
        call(idp, "admin_add_user_to_group", UserPoolId=pool, Username="bob", GroupName=group)
    for user in ("alice", "carol"):
        call(idp, "admin_add_user_to_group", UserPoolId=pool, Username=user, GroupName="viewers")
    call(idp, "admin_add_user_to_group", UserPoolId=pool, Username="bob", GroupName="nope")
    call(idp, "list_groups", UserPoolId=pool, Limit=2)
    pages(out, idp, "list_groups", UserPoolId=pool, PaginationConfig={"PageSize": 2})
    pages(out, idp, "admin_list_groups_for_user", UserPoolId=pool, Username="bob", PaginationConfig={"PageSize": 2})
    pages(out, idp, "list_users_in_group", UserPoolId=pool, GroupName="viewers", PaginationConfig={"PageSize": 2})
    call(idp, "admin_remove_user_from_group", UserPoolId=pool, Username="bob", GroupName="admins")
    call(idp, "admin_list_groups_for_user", UserPoolId=pool, Username="bob")
    call(idp, "delete_group", UserPoolId=pool, GroupName="admins")
    call(idp, "delete_group", UserPoolId=pool, GroupName="admins")  # ResourceNotFoundException

    # Identity pools: guests and user-pool users get credentials of the pool's roles.
    ci = client_factory(IDENTITY)
    iam = client_factory("iam")
    ipool = call(ci, "create_identity_pool", IdentityPoolName="shapes_ids", AllowUnauthenticatedIdentities=True,
                 CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool}",
                                            "ClientId": client_id, "ServerSideTokenCheck": False}],
                 IdentityPoolTags={"team": "a"})["IdentityPoolId"]
    for i in range(2):
        call(ci, "create_identity_pool", IdentityPoolName=f"other_{i}", AllowUnauthenticatedIdentities=False)
    call(ci, "create_identity_pool", IdentityPoolName="bad name!", AllowUnauthenticatedIdentities=False)
    roles = {}
    for kind in ("authenticated", "unauthenticated"):
        roles[kind] = iam.create_role(RoleName=f"shapes-{kind}",
                                      AssumeRolePolicyDocument=_trust(ipool, kind))["Role"]["Arn"]
    call(ci, "set_identity_pool_roles", IdentityPoolId=ipool, Roles=roles)
    call(ci, "set_identity_pool_roles", IdentityPoolId=ipool, Roles={"bogus": roles["authenticated"]})
    call(ci, "get_identity_pool_roles", IdentityPoolId=ipool)
    call(ci, "describe_identity_pool", IdentityPoolId=ipool)
    call(ci, "describe_identity_pool", IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")
    call(ci, "update_identity_pool", IdentityPoolId=ipool, IdentityPoolName="shapes_ids",
         AllowUnauthenticatedIdentities=True, DeveloperProviderName="login.shapes",
         CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool}",
                                    "ClientId": client_id, "ServerSideTokenCheck": False}])
    call(ci, "list_identity_pools", MaxResults=2)
    pages(out, ci, "list_identity_pools", MaxResults=60, PaginationConfig={"PageSize": 2})
    guest = call(ci, "get_id", IdentityPoolId=ipool)
    carol = call(idp, "initiate_auth", ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                 AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD}).get("AuthenticationResult", {})
    logins = {f"cognito-idp.us-east-1.amazonaws.com/{pool}": carol.get("IdToken", "x")}
    user = call(ci, "get_id", IdentityPoolId=ipool, Logins=logins)
    call(ci, "get_id", IdentityPoolId=ipool, Logins={f"cognito-idp.us-east-1.amazonaws.com/{pool}": "not.a.jwt"})
    call(ci, "get_credentials_for_identity", IdentityId=guest.get("IdentityId", "x"))
    call(ci, "get_credentials_for_identity", IdentityId=user.get("IdentityId", "x"), Logins=logins)
    call(ci, "get_credentials_for_identity", IdentityId="us-east-1:00000000-0000-0000-0000-000000000000")
    call(ci, "describe_identity", IdentityId=user.get("IdentityId", "x"))
    call(ci, "list_identities", IdentityPoolId=ipool, MaxResults=10)
    call(ci, "list_identities", IdentityPoolId=ipool, MaxResults=1)
    call(ci, "delete_identity_pool", IdentityPoolId=ipool)
    call(ci, "delete_identity_pool", IdentityPoolId=ipool)  # ResourceNotFoundException

    # Users and pools go.
    call(idp, "admin_delete_user", UserPoolId=pool, Username="dave")
    call(idp, "admin_delete_user", UserPoolId=pool, Username="dave")  # UserNotFoundException
    call(idp, "delete_user_pool", UserPoolId=pools[0])
    call(idp, "delete_user_pool", UserPoolId=pools[0])  # ResourceNotFoundException
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()  # the roles made in IAM
    codes = cloud.service(IDP)
    records = scenario(session.client, code_of=codes.last_code)
    return session, records


def responses(records, service, op):
    return [r for s, o, r in records if s == service and o == op]


def ok(records, service, op):
    return [r for r in responses(records, service, op) if "Error" not in r]


def error_codes(records, service, op):
    return [r["Error"]["Code"] for r in responses(records, service, op) if "Error" in r]


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    problems, errors, _ = conformance_problems(session, records)
    assert not problems, "\n".join(problems)
    assert errors >= 30


@pytest.mark.parametrize("service", [IDP, IDENTITY])
def test_every_offered_operation_is_exercised(run, service):
    _, records = run
    seen = {op for s, op, _ in records if s == service}
    missing = sorted(set(Cloud().service(service).operations) - seen)
    assert not missing, f"{service} operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_pools_and_clients_round_trip(run):
    _, records = run
    pool = responses(records, IDP, "DescribeUserPool")[0]["UserPool"]
    assert pool["Name"] == "shapes" and pool["Id"].startswith("us-east-1_")
    assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool['Id']}"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert pool["UserPoolTags"] == {"team": "a"} and pool["AutoVerifiedAttributes"] == ["email"]
    assert {"Name": "custom:tier", "AttributeDataType": "String"}.items() <= next(
        a for a in pool["SchemaAttributes"] if a["Name"] == "custom:tier").items()
    assert isinstance(pool["CreationDate"], dt.datetime)
    client = responses(records, IDP, "UpdateUserPoolClient")[0]["UserPoolClient"]
    assert client["ClientName"] == "web-2" and client["RefreshTokenValidity"] == 10
    assert client["TokenValidityUnits"]["RefreshToken"] == "days"
    assert sorted(client["ExplicitAuthFlows"]) == sorted(FLOWS)


def test_lists_page(run):
    _, records = run
    pools = ok(records, IDP, "ListUserPools")
    assert len(pools[0]["UserPools"]) == 2 and pools[0]["NextToken"]
    assert [len(p["UserPools"]) for p in pools[1:]] == [2, 2]
    assert {p["Name"] for page in pools[1:] for p in page["UserPools"]} == {"pool-0", "pool-1", "pool-2", "shapes"}
    clients = ok(records, IDP, "ListUserPoolClients")
    assert [c["ClientName"] for c in clients[0]["UserPoolClients"]] == ["web-2", "extra-0"] and clients[0]["NextToken"]
    assert [[c["ClientName"] for c in p["UserPoolClients"]] for p in clients[1:]] == [["web-2", "extra-0"], ["extra-1"]]
    users = ok(records, IDP, "ListUsers")
    assert [u["Username"] for u in users[0]["Users"]] == ["alice", "bob"] and users[0]["PaginationToken"]
    assert [u["Username"] for u in users[1]["Users"]] == ["carol"]
    assert [[u["Username"] for u in p["Users"]] for p in users[2:]] == [["alice", "bob", "carol"], ["dave"]]
    groups = ok(records, IDP, "ListGroups")
    assert [g["GroupName"] for g in groups[0]["Groups"]] == ["admins", "editors"] and groups[0]["NextToken"]
    assert [[g["GroupName"] for g in p["Groups"]] for p in groups[1:]] == [["admins", "editors"], ["viewers"]]
    # A user's groups by precedence (lower first): editors moved to 5.
    mine = ok(records, IDP, "AdminListGroupsForUser")
    assert [[g["GroupName"] for g in p["Groups"]] for p in mine[:2]] == [["admins", "viewers"], ["editors"]]
    assert [g["GroupName"] for g in mine[2]["Groups"]] == ["viewers", "editors"]
    members = ok(records, IDP, "ListUsersInGroup")
    assert [[u["Username"] for u in p["Users"]] for p in members] == [["bob", "alice"], ["carol"]]
    pools_ids = ok(records, IDENTITY, "ListIdentityPools")
    assert len(pools_ids[0]["IdentityPools"]) == 2 and pools_ids[0]["NextToken"]
    assert [len(p["IdentityPools"]) for p in pools_ids[1:]] == [2, 1]


def test_sign_up_and_sign_in(run):
    _, records = run
    signed = ok(records, IDP, "SignUp")[0]
    assert signed["UserConfirmed"] is False and signed["UserSub"]
    assert signed["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    assert [r for r in ok(records, IDP, "ConfirmSignUp") if "Error" not in r]  # the code from the outbox
    challenge = ok(records, IDP, "AdminInitiateAuth")[0]
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and challenge["Session"]
    assert "AuthenticationResult" in ok(records, IDP, "AdminRespondToAuthChallenge")[0]
    tokens = ok(records, IDP, "InitiateAuth")[1]["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    assert {"AccessToken", "IdToken", "RefreshToken"} <= set(tokens)
    refreshed = ok(records, IDP, "InitiateAuth")[2]["AuthenticationResult"]
    assert "RefreshToken" not in refreshed  # REFRESH_TOKEN_AUTH returns no new refresh token
    me = ok(records, IDP, "GetUser")[0]
    assert me["Username"] == "alice"
    assert {"Name": "email", "Value": "alice@example.com"} in me["UserAttributes"]
    bob = ok(records, IDP, "AdminGetUser")[0]
    assert bob["UserStatus"] == "CONFIRMED" and bob["Enabled"] is True
    assert {"Name": "custom:tier", "Value": "gold"} in bob["UserAttributes"]
    creds = [r for r in ok(records, IDENTITY, "GetCredentialsForIdentity") if "Error" not in r]
    assert [c["Credentials"]["AccessKeyId"][:4] for c in creds] == ["ASIA", "ASIA"]
    guest, user = (r["IdentityId"] for r in ok(records, IDENTITY, "GetId")[:2])
    assert [c["IdentityId"] for c in creds] == [guest, user] and guest != user
    described = ok(records, IDENTITY, "DescribeIdentity")[0]
    assert described["IdentityId"] == user
    assert described["Logins"] == [next(iter(ok(records, IDENTITY, "DescribeIdentityPool")[0]
                                              ["CognitoIdentityProviders"]))["ProviderName"]]
    listed = ok(records, IDENTITY, "ListIdentities")
    assert [i["IdentityId"] for i in listed[0]["Identities"]] == [guest, user]
    assert len(listed[1]["Identities"]) == 1 and listed[1]["NextToken"]
    roles = ok(records, IDENTITY, "GetIdentityPoolRoles")[0]["Roles"]
    assert roles == {k: f"arn:aws:iam::123456789012:role/shapes-{k}" for k in ("authenticated", "unauthenticated")}


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, IDP, "SignUp") == ["UsernameExistsException", "InvalidPasswordException"]
    assert error_codes(records, IDP, "InitiateAuth") == ["UserNotConfirmedException", "NotAuthorizedException",
                                                         "NotAuthorizedException"]
    assert error_codes(records, IDP, "ConfirmSignUp") == ["CodeMismatchException"]
    assert error_codes(records, IDP, "AdminConfirmSignUp") == ["UserNotFoundException"]
    assert error_codes(records, IDP, "CreateGroup") == ["GroupExistsException"]
    assert error_codes(records, IDP, "GetUser") == ["NotAuthorizedException", "NotAuthorizedException"]
    assert error_codes(records, IDP, "ListUserPools") == ["InvalidParameterException"]
    assert error_codes(records, IDENTITY, "DescribeIdentityPool") == ["ResourceNotFoundException"]
    assert error_codes(records, IDENTITY, "GetId") == ["NotAuthorizedException"]
    messages = {(o, r["Error"]["Code"]): r["Error"]["Message"] for s, o, r in records if "Error" in r}
    assert messages["SignUp", "InvalidPasswordException"] == \
        "Password did not conform with policy: Password must have numeric characters"
    assert messages["InitiateAuth", "UserNotConfirmedException"] == "User is not confirmed."
    assert messages["GetUser", "NotAuthorizedException"] == "Access Token has been revoked"
    assert messages["AdminInitiateAuth", "NotAuthorizedException"] == "User is disabled."
    assert messages["ConfirmSignUp", "CodeMismatchException"] == \
        "Invalid verification code provided, please try again."
    # JSON services: every client error is HTTP 400, with the modelled ``message`` member.
    errors = [r for s, _, r in records if "Error" in r]
    assert {r["ResponseMetadata"]["HTTPStatusCode"] for r in errors} == {400}
    assert all(r["message"] == r["Error"]["Message"] for r in errors)


def test_modelled_exceptions_are_raised():
    idp = Cloud().boto3_session().client(IDP)
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.describe_user_pool(UserPoolId="us-east-1_nothere00")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pool, Username="u", MessageAction="SUPPRESS")
    with pytest.raises(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool, Username="u", MessageAction="SUPPRESS")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool, Username="nobody")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_groups(UserPoolId=pool, Limit=61)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_groups(UserPoolId=pool, NextToken="not-a-token")
    ci = Cloud().boto3_session().client(IDENTITY)
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")


def test_list_paginators_resume_after_max_items():
    idp = Cloud().boto3_session().client(IDP)
    pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
    names = [f"g{i}" for i in range(7)]
    for n in names:
        idp.create_group(UserPoolId=pool, GroupName=n)
        idp.create_user_pool_client(UserPoolId=pool, ClientName=n)
    for method, key, field in (("list_groups", "Groups", "GroupName"),
                               ("list_user_pool_clients", "UserPoolClients", "ClientName")):
        paginator = idp.get_paginator(method)
        head = paginator.paginate(UserPoolId=pool, PaginationConfig={"PageSize": 2, "MaxItems": 3}).build_full_result()
        rest = paginator.paginate(UserPoolId=pool, PaginationConfig={
            "PageSize": 2, "StartingToken": head["NextToken"]}).build_full_result()
        assert [x[field] for x in head[key] + rest[key]] == names


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    bridged, over_http = compare_bridge_http(lambda factory: scenario(factory))
    assert strip_metadata(bridged) == strip_metadata(over_http)
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in bridged] == \
        [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in over_http]
