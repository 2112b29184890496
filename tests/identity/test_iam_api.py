"""IAM's wire operations: roles, users, groups, managed policies, access keys, AWS's errors."""

from __future__ import annotations

import json

import pytest
from identity_helpers import doc, identity_services, make_cloud  # noqa: F401

from serverless_sim import AWSError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ = doc({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})


def err(fn, **kw):
    with pytest.raises(AWSError) as exc:
        fn(**kw)
    return exc.value.code, exc.value.message, exc.value.status


@pytest.fixture
def iam():
    return make_cloud().client("iam")


def test_create_get_list_role(iam):
    r = iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST, Path="/service/", Description="d")["Role"]
    assert r["Arn"] == "arn:aws:iam::123456789012:role/service/app"
    assert r["RoleId"].startswith("AROA") and len(r["RoleId"]) == 21
    assert r["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert r["MaxSessionDuration"] == 3600
    assert iam.get_role(RoleName="app")["Role"]["Arn"] == r["Arn"]
    assert [x["RoleName"] for x in iam.list_roles()["Roles"]] == ["app"]
    assert err(iam.create_role, RoleName="APP", AssumeRolePolicyDocument=TRUST)[:2] == (
        "EntityAlreadyExists", "Role with name APP already exists.")
    assert err(iam.get_role, RoleName="nope") == ("NoSuchEntity", "The role with name nope cannot be found.", 404)


def test_role_validation_leaves_nothing(iam):
    assert err(iam.create_role, RoleName="bad name", AssumeRolePolicyDocument=TRUST)[0] == "ValidationError"
    assert err(iam.create_role, RoleName="r", AssumeRolePolicyDocument="{")[:2] == (
        "MalformedPolicyDocument", "This policy contains invalid Json")
    bad_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}]})
    assert err(iam.create_role, RoleName="r", AssumeRolePolicyDocument=bad_trust)[:2] == (
        "MalformedPolicyDocument", "Has prohibited field Resource")
    assert err(iam.create_role, RoleName="r", AssumeRolePolicyDocument=TRUST, MaxSessionDuration=100)[0] == "ValidationError"
    assert iam.list_roles()["Roles"] == []


def test_inline_and_managed_role_policies(iam):
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="app", PolicyName="read", PolicyDocument=READ)
    assert iam.get_role_policy(RoleName="app", PolicyName="read")["PolicyDocument"] == json.loads(READ)
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["read"]
    assert err(iam.put_role_policy, RoleName="app", PolicyName="p",
               PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*"}))[:2] == (
        "MalformedPolicyDocument", "Policy statement must contain resources.")
    p = iam.create_policy(PolicyName="rw", PolicyDocument=READ, Description="x")["Policy"]
    assert p["Arn"] == "arn:aws:iam::123456789012:policy/rw" and p["DefaultVersionId"] == "v1"
    assert err(iam.create_policy, PolicyName="rw", PolicyDocument=READ)[:2] == (
        "EntityAlreadyExists", "A policy called rw already exists. Duplicate names are not allowed.")
    iam.attach_role_policy(RoleName="app", PolicyArn=p["Arn"])
    iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]
    assert [a["PolicyName"] for a in attached] == ["rw", "AWSLambdaBasicExecutionRole"]
    assert iam.get_policy(PolicyArn=p["Arn"])["Policy"]["AttachmentCount"] == 1
    assert err(iam.attach_role_policy, RoleName="app", PolicyArn="arn:aws:iam::aws:policy/Nope")[:2] == (
        "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
    assert err(iam.delete_policy, PolicyArn=p["Arn"])[:2] == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    assert err(iam.delete_role, RoleName="app")[:2] == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName="app", PolicyName="read")
    assert err(iam.delete_role, RoleName="app")[:2] == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    iam.detach_role_policy(RoleName="app", PolicyArn=p["Arn"])
    iam.detach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    iam.delete_role(RoleName="app")
    iam.delete_policy(PolicyArn=p["Arn"])


def test_policy_versions(iam):
    arn = iam.create_policy(PolicyName="p", PolicyDocument=READ)["Policy"]["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
                                   SetAsDefault=True)["PolicyVersion"]
    assert v2["VersionId"] == "v2" and v2["IsDefaultVersion"]
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"]["Statement"][0]["Action"] == "s3:*"
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=READ)
    assert err(iam.create_policy_version, PolicyArn=arn, PolicyDocument=READ)[0] == "LimitExceeded"
    assert err(iam.delete_policy_version, PolicyArn=arn, VersionId="v2")[:2] == (
        "DeleteConflict", "Cannot delete the default version of a policy.")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v5", "v4", "v3", "v2"]


def test_managed_policy_size_quota(iam):
    big = doc(*[{"Effect": "Allow", "Action": f"s3:GetObject{i}", "Resource": f"arn:aws:s3:::bucket-{i}/*"} for i in range(120)])
    assert err(iam.create_policy, PolicyName="big", PolicyDocument=big)[:2] == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")


def test_users_keys_groups(iam):
    u = iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "red"}])["User"]
    assert u["Arn"] == "arn:aws:iam::123456789012:user/alice" and u["UserId"].startswith("AIDA")
    k = iam.create_access_key(UserName="alice")["AccessKey"]
    assert k["AccessKeyId"].startswith("AKIA") and len(k["AccessKeyId"]) == 20 and len(k["SecretAccessKey"]) == 40
    iam.create_access_key(UserName="alice")
    assert err(iam.create_access_key, UserName="alice")[:2] == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    assert len(iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]) == 2
    iam.update_access_key(UserName="alice", AccessKeyId=k["AccessKeyId"], Status="Inactive")
    assert err(iam.delete_user, UserName="alice")[:2] == ("DeleteConflict", "Cannot delete entity, must delete access keys first.")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=READ)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["devs"]
    assert [x["UserName"] for x in iam.get_group(GroupName="devs")["Users"]] == ["alice"]
    assert err(iam.delete_group, GroupName="devs")[0] == "DeleteConflict"
    assert err(iam.get_user, UserName="bob") == ("NoSuchEntity", "The user with name bob cannot be found.", 404)


def test_marker_paging(iam):
    for i in range(5):
        iam.create_user(UserName=f"u{i}")
    page = iam.list_users(MaxItems=2)
    assert page["IsTruncated"] and [u["UserName"] for u in page["Users"]] == ["u0", "u1"]
    rest = iam.list_users(Marker=page["Marker"], MaxItems=10)
    assert [u["UserName"] for u in rest["Users"]] == ["u2", "u3", "u4"] and not rest["IsTruncated"]


def test_simulate_principal_policy(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}))
    arn = "arn:aws:iam::123456789012:user/alice"
    out = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage"],
                                        ResourceArns=["arn:aws:s3:::home/alice/a"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in out] == ["allowed", "explicitDeny", "implicitDeny"]


def test_invariants_hold_after_mutations(iam):
    iam.create_user(UserName="a")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="a")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=READ)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="a", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.create_access_key(UserName="a")
    with pytest.raises(AWSError):
        iam.attach_user_policy(UserName="a", PolicyArn="arn:aws:iam::aws:policy/Nope")
    iam.detach_group_policy(GroupName="g", PolicyArn=arn)
    iam.remove_user_from_group(GroupName="g", UserName="a")
    iam._service.store._check()
