"""Cognito identity pools: GetId and GetCredentialsForIdentity for authenticated and guest
identities, role selection (default roles, token- and rule-based mappings), trust checks, and
AWS's errors."""

from __future__ import annotations

import pytest
from identity_helpers import (STRONG, doc, identity_services, make_cloud, sign_in, signed_up, user_pool,  # noqa: F401
                              web_identity_trust)

from serverless_sim import AWSError

ACCT = "123456789012"


@pytest.fixture
def env():
    cloud = make_cloud()
    pool, client = user_pool(cloud)
    signed_up(cloud, pool, client, "alice")
    signed_up(cloud, pool, client, "bob")
    ci = cloud.client("cognito-identity")
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool}"
    ip = ci.create_identity_pool(IdentityPoolName="app_ids", AllowUnauthenticatedIdentities=True,
                                 CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client}])["IdentityPoolId"]
    iam = cloud.client("iam")
    auth = iam.create_role(RoleName="auth", AssumeRolePolicyDocument=web_identity_trust(ip))["Role"]["Arn"]
    unauth = iam.create_role(RoleName="unauth",
                             AssumeRolePolicyDocument=web_identity_trust(ip, "unauthenticated"))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": auth, "unauthenticated": unauth})
    return cloud, pool, client, ip, provider


def test_identity_ids_are_stable_per_user(env):
    cloud, pool, client, ip, provider = env
    ci = cloud.client("cognito-identity")
    a1 = ci.get_id(IdentityPoolId=ip, Logins={provider: sign_in(cloud, client)["IdToken"]})["IdentityId"]
    a2 = ci.get_id(IdentityPoolId=ip, Logins={provider: sign_in(cloud, client)["IdToken"]})["IdentityId"]
    b = ci.get_id(IdentityPoolId=ip, Logins={provider: sign_in(cloud, client, "bob")["IdToken"]})["IdentityId"]
    assert a1 == a2 != b and a1.startswith("us-east-1:") and len(a1) == len("us-east-1:") + 36
    g1, g2 = ci.get_id(IdentityPoolId=ip)["IdentityId"], ci.get_id(IdentityPoolId=ip)["IdentityId"]
    assert g1 != g2


def test_authenticated_credentials(env):
    cloud, pool, client, ip, provider = env
    ci = cloud.client("cognito-identity")
    logins = {provider: sign_in(cloud, client)["IdToken"]}
    iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    out = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)
    creds = out["Credentials"]
    assert out["IdentityId"] == iid and creds["AccessKeyId"].startswith("ASIA")
    assert creds["Expiration"] == cloud.now + __import__("datetime").timedelta(hours=1)
    me = cloud.client("sts", credentials=creds).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/auth/CognitoIdentityCredentials"
    with pytest.raises(AWSError) as exc:
        ci.get_credentials_for_identity(IdentityId=iid)
    assert (exc.value.code, exc.value.message) == ("NotAuthorizedException", f"Access to Identity '{iid}' is forbidden.")
    bob = {provider: sign_in(cloud, client, "bob")["IdToken"]}
    with pytest.raises(AWSError, match="forbidden"):
        ci.get_credentials_for_identity(IdentityId=iid, Logins=bob)


def test_guest_credentials_and_disallowing_guests(env):
    cloud, pool, client, ip, provider = env
    ci = cloud.client("cognito-identity")
    iid = ci.get_id(IdentityPoolId=ip)["IdentityId"]
    creds = ci.get_credentials_for_identity(IdentityId=iid)["Credentials"]
    assert cloud.client("sts", credentials=creds).get_caller_identity()["Arn"].endswith(
        ":assumed-role/unauth/CognitoIdentityCredentials")
    ci.update_identity_pool(IdentityPoolId=ip, IdentityPoolName="app_ids", AllowUnauthenticatedIdentities=False,
                            CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client}])
    for call in (lambda: ci.get_id(IdentityPoolId=ip), lambda: ci.get_credentials_for_identity(IdentityId=iid)):
        with pytest.raises(AWSError) as exc:
            call()
        assert (exc.value.code, exc.value.message) == (
            "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")


def test_login_token_errors(env):
    cloud, pool, client, ip, provider = env
    ci = cloud.client("cognito-identity")
    res = sign_in(cloud, client)

    def get_id(logins):
        with pytest.raises(AWSError) as exc:
            ci.get_id(IdentityPoolId=ip, Logins=logins)
        return exc.value.code, exc.value.message

    assert get_id({provider: res["AccessToken"]}) == ("NotAuthorizedException", "Invalid login token. Missing a required claim: aud")
    assert get_id({provider: "x.y.z"}) == ("NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token.")
    assert get_id({"cognito-idp.us-east-1.amazonaws.com/us-east-1_other": res["IdToken"]}) == (
        "NotAuthorizedException", "Token is not from a supported provider of this identity pool.")
    other = cloud.client("cognito-idp").create_user_pool_client(
        UserPoolId=pool, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    assert get_id({provider: sign_in(cloud, other)["IdToken"]})[1] == "Invalid login token. Incorrect token audience."
    cloud.advance(3600)
    code, message = get_id({provider: res["IdToken"]})
    assert code == "NotAuthorizedException" and message.startswith("Invalid login token. Token expired:")
    with pytest.raises(AWSError) as exc:
        ci.get_id(IdentityPoolId="us-east-1:00000000-0000-4000-8000-000000000000")
    assert exc.value.code == "ResourceNotFoundException"


def test_roles_must_exist_and_trust_the_pool(env):
    cloud, pool, client, ip, provider = env
    ci, iam = cloud.client("cognito-identity"), cloud.client("iam")
    iam.create_role(RoleName="wrong-pool", AssumeRolePolicyDocument=web_identity_trust("us-east-1:not-this-pool"))
    logins = {provider: sign_in(cloud, client)["IdToken"]}
    iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
    for role in ("wrong-pool", "does-not-exist"):
        ci.set_identity_pool_roles(IdentityPoolId=ip, Roles={"authenticated": f"arn:aws:iam::{ACCT}:role/{role}"})
        with pytest.raises(AWSError) as exc:
            ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)
        assert (exc.value.code, exc.value.message) == (
            "InvalidIdentityPoolConfigurationException",
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.")


def test_token_and_rule_role_mappings(env):
    cloud, pool, client, ip, provider = env
    ci, iam, idp = cloud.client("cognito-identity"), cloud.client("iam"), cloud.client("cognito-idp")
    admin = iam.create_role(RoleName="admin", AssumeRolePolicyDocument=web_identity_trust(ip))["Role"]["Arn"]
    idp.create_group(GroupName="admins", UserPoolId=pool, RoleArn=admin, Precedence=0)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName="admins")
    roles = {"authenticated": f"arn:aws:iam::{ACCT}:role/auth"}
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles=roles, RoleMappings={
        provider: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})

    def role_of(user):
        logins = {provider: sign_in(cloud, client, user)["IdToken"]}
        iid = ci.get_id(IdentityPoolId=ip, Logins=logins)["IdentityId"]
        creds = ci.get_credentials_for_identity(IdentityId=iid, Logins=logins)["Credentials"]
        return cloud.client("sts", credentials=creds).get_caller_identity()["Arn"].split("/")[1]

    assert role_of("alice") == "admin" and role_of("bob") == "auth"
    ci.set_identity_pool_roles(IdentityPoolId=ip, Roles=roles, RoleMappings={provider: {
        "Type": "Rules", "AmbiguousRoleResolution": "Deny",
        "RulesConfiguration": {"Rules": [{"Claim": "cognito:username", "MatchType": "Equals", "Value": "bob",
                                          "RoleARN": admin}]}}})
    assert role_of("bob") == "admin"
    with pytest.raises(AWSError) as exc:
        role_of("alice")
    assert exc.value.code == "NotAuthorizedException"


def test_describe_and_list(env):
    cloud, pool, client, ip, provider = env
    ci = cloud.client("cognito-identity")
    d = ci.describe_identity_pool(IdentityPoolId=ip)
    assert d["IdentityPoolName"] == "app_ids" and d["CognitoIdentityProviders"][0]["ProviderName"] == provider
    assert ci.list_identity_pools(MaxResults=10)["IdentityPools"] == [{"IdentityPoolId": ip, "IdentityPoolName": "app_ids"}]
    assert ci.get_identity_pool_roles(IdentityPoolId=ip)["Roles"]["authenticated"].endswith(":role/auth")
    iid = ci.get_id(IdentityPoolId=ip, Logins={provider: sign_in(cloud, client)["IdToken"]})["IdentityId"]
    assert ci.describe_identity(IdentityId=iid)["Logins"] == [provider]
