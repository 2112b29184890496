"""Cognito user pools: pools, app clients, SignUp/ConfirmSignUp, AdminCreateUser,
AdminSetUserPassword, AdminConfirmSignUp, groups; AWS's errors; refused requests change nothing."""

from __future__ import annotations

import pytest
from identity_helpers import STRONG, identity_services, make_cloud, signed_up, user_pool  # noqa: F401

from serverless_sim import AWSError
from serverless_sim.cognito import secret_hash


def err(fn, **kw):
    with pytest.raises(AWSError) as exc:
        fn(**kw)
    return exc.value.code, exc.value.message


@pytest.fixture
def cloud():
    return make_cloud()


def test_create_user_pool_defaults_and_ids(cloud):
    idp = cloud.client("cognito-idp")
    p = idp.create_user_pool(PoolName="users", MfaConfiguration="OPTIONAL",
                             Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True},
                                     {"Name": "team", "AttributeDataType": "String"}])["UserPool"]
    assert p["Id"].startswith("us-east-1_") and len(p["Id"]) == len("us-east-1_") + 9
    assert p["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{p['Id']}"
    assert p["Policies"]["PasswordPolicy"] == {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                               "RequireNumbers": True, "RequireSymbols": True,
                                               "TemporaryPasswordValidityDays": 7}
    names = {a["Name"]: a for a in p["SchemaAttributes"]}
    assert names["email"]["Required"] and "custom:team" in names
    assert p["MfaConfiguration"] == "OPTIONAL"
    assert idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]["Name"] == "users"
    assert err(idp.describe_user_pool, UserPoolId="us-east-1_nope") == (
        "ResourceNotFoundException", "User pool us-east-1_nope does not exist.")
    assert err(idp.create_user_pool, PoolName="x", MfaConfiguration="ON")[0] == "InvalidParameterException"
    assert err(idp.create_user_pool, PoolName="x", Policies={"PasswordPolicy": {"MinimumLength": 5}})[0] == "InvalidParameterException"
    assert len(idp.list_user_pools(MaxResults=10)["UserPools"]) == 1


def test_client_settings(cloud):
    idp = cloud.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    c = idp.create_user_pool_client(UserPoolId=pool, ClientName="app")["UserPoolClient"]
    assert len(c["ClientId"]) == 26 and "ClientSecret" not in c
    assert c["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
    assert c["RefreshTokenValidity"] == 30 and c["AuthSessionValidity"] == 3
    s = idp.create_user_pool_client(UserPoolId=pool, ClientName="srv", GenerateSecret=True, AccessTokenValidity=5,
                                    TokenValidityUnits={"AccessToken": "minutes"})["UserPoolClient"]
    assert len(s["ClientSecret"]) == 51 and s["AccessTokenValidity"] == 5
    assert err(idp.create_user_pool_client, UserPoolId=pool, ClientName="x", AccessTokenValidity=2,
               TokenValidityUnits={"AccessToken": "days"})[0] == "InvalidParameterException"
    assert err(idp.create_user_pool_client, UserPoolId=pool, ClientName="x",
               ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"])[0] == "InvalidParameterException"
    assert err(idp.describe_user_pool_client, UserPoolId=pool, ClientId="nope") == (
        "ResourceNotFoundException", "User pool client nope does not exist.")


def test_sign_up_and_confirm(cloud):
    pool, client = user_pool(cloud)
    idp = cloud.client("cognito-idp")
    out = idp.sign_up(ClientId=client, Username="alice", Password=STRONG,
                      UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])
    assert out["UserConfirmed"] is False and len(out["UserSub"]) == 36
    assert out["CodeDeliveryDetails"] == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    user = idp.admin_get_user(UserPoolId=pool, Username="alice")
    assert user["UserStatus"] == "UNCONFIRMED"
    code = cloud.service("cognito-idp").last_code(pool, "alice")
    assert len(code) == 6 and code.isdigit()
    wrong = "000000" if code != "000000" else "111111"
    assert err(idp.confirm_sign_up, ClientId=client, Username="alice", ConfirmationCode=wrong) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")
    idp.confirm_sign_up(ClientId=client, Username="alice", ConfirmationCode=code)
    user = idp.admin_get_user(UserPoolId=pool, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    assert err(idp.confirm_sign_up, ClientId=client, Username="alice", ConfirmationCode=code) == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    assert err(idp.sign_up, ClientId=client, Username="alice", Password=STRONG) == (
        "UsernameExistsException", "User already exists")


def test_codes_expire_after_24_hours(cloud):
    pool, client = user_pool(cloud)
    idp = cloud.client("cognito-idp")
    idp.sign_up(ClientId=client, Username="bob", Password=STRONG, UserAttributes=[{"Name": "email", "Value": "b@x.io"}])
    code = cloud.service("cognito-idp").last_code(pool, "bob")
    cloud.advance(24 * 3600)
    assert err(idp.confirm_sign_up, ClientId=client, Username="bob", ConfirmationCode=code) == (
        "ExpiredCodeException", "Invalid code provided, please request a code again.")
    idp.resend_confirmation_code(ClientId=client, Username="bob")
    idp.confirm_sign_up(ClientId=client, Username="bob", ConfirmationCode=cloud.service("cognito-idp").last_code(pool, "bob"))


@pytest.mark.parametrize("password,problem", [
    ("Sh0rt!", "Password not long enough"),
    ("lowercase1!", "Password must have uppercase characters"),
    ("UPPERCASE1!", "Password must have lowercase characters"),
    ("NoNumbers!!", "Password must have numeric characters"),
    ("NoSymbols11", "Password must have symbol characters"),
])
def test_password_policy_messages(cloud, password, problem):
    pool, client = user_pool(cloud)
    idp = cloud.client("cognito-idp")
    assert err(idp.sign_up, ClientId=client, Username="u1", Password=password) == (
        "InvalidPasswordException", f"Password did not conform with policy: {problem}")
    assert err(idp.admin_create_user, UserPoolId=pool, Username="u1", TemporaryPassword=password) == (
        "InvalidPasswordException", f"Password did not conform with password policy: {problem}")
    assert idp.list_users(UserPoolId=pool)["Users"] == []


def test_relaxed_policy_and_required_attributes(cloud):
    idp = cloud.client("cognito-idp")
    pool, client = user_pool(cloud, Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireSymbols": False,
                                                                  "RequireUppercase": False, "RequireNumbers": False}},
                             Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True}])
    assert err(idp.sign_up, ClientId=client, Username="u1", Password="simple") == (
        "InvalidParameterException", "Attributes did not conform to the schema: email: The attribute is required")
    assert err(idp.sign_up, ClientId=client, Username="u1", Password="simple",
               UserAttributes=[{"Name": "email", "Value": "not-an-email"}]) == (
        "InvalidParameterException", "Invalid email address format.")
    assert err(idp.sign_up, ClientId=client, Username="u1", Password="simple",
               UserAttributes=[{"Name": "email", "Value": "a@b.co"}, {"Name": "shoe_size", "Value": "9"}])[0] == \
        "InvalidParameterException"
    assert idp.sign_up(ClientId=client, Username="u1", Password="simple",
                       UserAttributes=[{"Name": "email", "Value": "a@b.co"}])["UserConfirmed"] is False


def test_email_as_username(cloud):
    idp = cloud.client("cognito-idp")
    pool, client = user_pool(cloud, UsernameAttributes=["email"])
    out = idp.sign_up(ClientId=client, Username="Carol@Example.com", Password=STRONG)
    user = idp.admin_get_user(UserPoolId=pool, Username="Carol@Example.com")
    assert user["Username"] == out["UserSub"]
    assert err(idp.sign_up, ClientId=client, Username="carol@example.com", Password=STRONG) == (
        "UsernameExistsException", "An account with the given email already exists.")
    assert err(idp.sign_up, ClientId=client, Username="carol", Password=STRONG) == (
        "InvalidParameterException", "Username should be an email.")


def test_secret_hash(cloud):
    idp = cloud.client("cognito-idp")
    pool, _ = user_pool(cloud)
    c = idp.create_user_pool_client(UserPoolId=pool, ClientName="srv", GenerateSecret=True,
                                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    assert err(idp.sign_up, ClientId=c["ClientId"], Username="dan", Password=STRONG) == (
        "NotAuthorizedException", f"Unable to verify secret hash for client {c['ClientId']}")
    h = secret_hash(c["ClientSecret"], "dan", c["ClientId"])
    assert idp.sign_up(ClientId=c["ClientId"], Username="dan", Password=STRONG, SecretHash=h)["UserSub"]


def test_admin_create_user_and_set_password(cloud):
    pool, client = user_pool(cloud)
    idp = cloud.client("cognito-idp")
    u = idp.admin_create_user(UserPoolId=pool, Username="erin",
                              UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])["User"]
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD" and u["Enabled"] is True
    temp = cloud.service("cognito-idp").last_code(pool, "erin")
    assert len(temp) >= 12
    assert err(idp.admin_create_user, UserPoolId=pool, Username="erin") == (
        "UsernameExistsException", "User account already exists")
    idp.admin_set_user_password(UserPoolId=pool, Username="erin", Password=STRONG, Permanent=True)
    assert idp.admin_get_user(UserPoolId=pool, Username="erin")["UserStatus"] == "CONFIRMED"
    idp.admin_set_user_password(UserPoolId=pool, Username="erin", Password=STRONG, Permanent=False)
    assert idp.admin_get_user(UserPoolId=pool, Username="erin")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert err(idp.admin_set_user_password, UserPoolId=pool, Username="nobody", Password=STRONG, Permanent=True) == (
        "UserNotFoundException", "User does not exist.")


def test_admin_confirm_sign_up(cloud):
    pool, client = user_pool(cloud, AutoVerifiedAttributes=[])
    idp = cloud.client("cognito-idp")
    out = idp.sign_up(ClientId=client, Username="fay", Password=STRONG)
    assert "CodeDeliveryDetails" not in out  # nothing to send a code to
    idp.admin_confirm_sign_up(UserPoolId=pool, Username="fay")
    assert idp.admin_get_user(UserPoolId=pool, Username="fay")["UserStatus"] == "CONFIRMED"
    assert err(idp.admin_confirm_sign_up, UserPoolId=pool, Username="fay")[0] == "NotAuthorizedException"


def test_groups(cloud):
    pool, client = user_pool(cloud)
    signed_up(cloud, pool, client, "gus")
    idp = cloud.client("cognito-idp")
    g = idp.create_group(GroupName="admins", UserPoolId=pool, Precedence=1, Description="d")["Group"]
    assert g["GroupName"] == "admins" and g["Precedence"] == 1
    idp.create_group(GroupName="readers", UserPoolId=pool, Precedence=5)
    assert err(idp.create_group, GroupName="admins", UserPoolId=pool) == (
        "GroupExistsException", "A group with the name admins already exists.")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="gus", GroupName="readers")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="gus", GroupName="admins")
    assert [x["GroupName"] for x in idp.admin_list_groups_for_user(UserPoolId=pool, Username="gus")["Groups"]] == [
        "admins", "readers"]
    assert err(idp.admin_add_user_to_group, UserPoolId=pool, Username="gus", GroupName="nope") == (
        "ResourceNotFoundException", "Group not found.")
    assert [u["Username"] for u in idp.list_users_in_group(UserPoolId=pool, GroupName="admins")["Users"]] == ["gus"]
    idp.admin_remove_user_from_group(UserPoolId=pool, Username="gus", GroupName="admins")
    assert len(idp.admin_list_groups_for_user(UserPoolId=pool, Username="gus")["Groups"]) == 1


def test_list_users_filter(cloud):
    pool, client = user_pool(cloud)
    signed_up(cloud, pool, client, "hal", email="hal@a.io")
    signed_up(cloud, pool, client, "ivy", email="ivy@b.io")
    idp = cloud.client("cognito-idp")
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool, Filter='email = "ivy@b.io"')["Users"]] == ["ivy"]
    assert [u["Username"] for u in idp.list_users(UserPoolId=pool, Filter='username ^= "h"')["Users"]] == ["hal"]


def test_invariants_hold_after_mutations(cloud):
    pool, client = user_pool(cloud)
    idp = cloud.client("cognito-idp")
    signed_up(cloud, pool, client, "a1")
    idp.admin_create_user(UserPoolId=pool, Username="a2", TemporaryPassword="Temp-pass1")
    idp.create_group(GroupName="g", UserPoolId=pool)
    idp.admin_add_user_to_group(UserPoolId=pool, Username="a1", GroupName="g")
    idp.admin_add_user_to_group(UserPoolId=pool, Username="a2", GroupName="g")
    idp.admin_delete_user(UserPoolId=pool, Username="a2")
    with pytest.raises(AWSError):
        idp.sign_up(ClientId=client, Username="a1", Password=STRONG)
    other = idp.create_user_pool_client(UserPoolId=pool, ClientName="x")["UserPoolClient"]["ClientId"]
    idp.delete_user_pool_client(UserPoolId=pool, ClientId=other)
    cloud.service("cognito-idp")._check()
