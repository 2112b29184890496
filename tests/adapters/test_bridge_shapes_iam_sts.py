"""IAM and STS through real boto3 (the botocore bridge): every offered operation, the paginators
in small pages, the waiters and the modelled errors; every response must be what botocore's
parser produces from the service model (:mod:`shape_check`), and the values that matter must
round-trip."""

from __future__ import annotations

import json
import re

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import WaiterError  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from shape_check import compare_bridge_http, conformance_problems, recorder, strip_metadata  # noqa: E402

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})
DENY_DELETE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})
ALL_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def pages(out, client, method, **kwargs):
    """Walk a real botocore paginator; record every page as a response of its operation."""
    op = client.meta.method_to_api_mapping[method]
    got = list(client.get_paginator(method).paginate(**kwargs))
    out.extend((client.meta.service_model.service_name, op, page) for page in got)
    return got


def scenario(client_factory, as_role=True):
    """Drive every IAM and STS operation the simulator offers; returns [(service, op, response)].
    ``as_role``: also call GetCallerIdentity with the assumed role's credentials."""
    out: list = []
    call = recorder(out)
    iam = client_factory("iam")

    # Roles.
    for i in range(3):
        call(iam, "create_role", RoleName=f"role-{i}", AssumeRolePolicyDocument=TRUST, Path="/svc/",
             Description=f"role {i}", Tags=[{"Key": "n", "Value": str(i)}])
    call(iam, "create_role", RoleName="role-0", AssumeRolePolicyDocument=TRUST)  # EntityAlreadyExists
    call(iam, "create_role", RoleName="bad", AssumeRolePolicyDocument="{not json")  # MalformedPolicyDocument
    iam.get_waiter("role_exists").wait(RoleName="role-0")
    call(iam, "get_role", RoleName="role-0")
    call(iam, "get_role", RoleName="nope")  # NoSuchEntity
    call(iam, "update_role", RoleName="role-0", Description="changed", MaxSessionDuration=7200)
    call(iam, "update_role", RoleName="role-0", MaxSessionDuration=50000)  # ValidationError
    call(iam, "update_assume_role_policy", RoleName="role-1", PolicyDocument=TRUST)
    call(iam, "tag_role", RoleName="role-0", Tags=[{"Key": f"t{i}", "Value": "v"} for i in range(3)])
    call(iam, "untag_role", RoleName="role-0", TagKeys=["t2"])
    call(iam, "list_role_tags", RoleName="role-0", MaxItems=2)
    pages(out, iam, "list_role_tags", RoleName="role-0", PaginationConfig={"PageSize": 2})
    call(iam, "list_roles", PathPrefix="/svc/")
    pages(out, iam, "list_roles", PaginationConfig={"PageSize": 2})

    # Managed policies and their versions.
    arns = [call(iam, "create_policy", PolicyName=f"pol-{i}", PolicyDocument=S3_READ, Path="/p/",
                 Description=f"policy {i}")["Policy"]["Arn"] for i in range(3)]
    call(iam, "create_policy", PolicyName="pol-0", PolicyDocument=S3_READ)  # EntityAlreadyExists
    iam.get_waiter("policy_exists").wait(PolicyArn=arns[0])
    call(iam, "get_policy", PolicyArn=arns[0])
    call(iam, "get_policy", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/none")  # NoSuchEntity
    call(iam, "create_policy_version", PolicyArn=arns[0], PolicyDocument=ALL_S3, SetAsDefault=True)
    call(iam, "create_policy_version", PolicyArn=arns[0], PolicyDocument=DENY_DELETE)
    call(iam, "get_policy_version", PolicyArn=arns[0], VersionId="v2")
    call(iam, "get_policy_version", PolicyArn=arns[0], VersionId="v9")  # NoSuchEntity
    call(iam, "list_policy_versions", PolicyArn=arns[0])
    pages(out, iam, "list_policy_versions", PolicyArn=arns[0], PaginationConfig={"PageSize": 2})
    call(iam, "set_default_policy_version", PolicyArn=arns[0], VersionId="v1")
    call(iam, "delete_policy_version", PolicyArn=arns[0], VersionId="v1")  # DeleteConflict: the default
    call(iam, "delete_policy_version", PolicyArn=arns[0], VersionId="v3")
    call(iam, "list_policies", Scope="Local", PathPrefix="/p/")
    pages(out, iam, "list_policies", Scope="Local", PaginationConfig={"PageSize": 2})
    call(iam, "list_policies", Scope="AWS", MaxItems=2)

    # Role policies (attached, inline) and the permissions boundary.
    for arn in arns:
        call(iam, "attach_role_policy", RoleName="role-0", PolicyArn=arn)
    call(iam, "attach_role_policy", RoleName="nope", PolicyArn=arns[0])  # NoSuchEntity
    call(iam, "list_attached_role_policies", RoleName="role-0")
    pages(out, iam, "list_attached_role_policies", RoleName="role-0", PaginationConfig={"PageSize": 2})
    call(iam, "detach_role_policy", RoleName="role-0", PolicyArn=arns[2])
    call(iam, "detach_role_policy", RoleName="role-0", PolicyArn=arns[2])  # NoSuchEntity
    for i in range(3):
        call(iam, "put_role_policy", RoleName="role-0", PolicyName=f"inline-{i}", PolicyDocument=S3_READ)
    call(iam, "get_role_policy", RoleName="role-0", PolicyName="inline-0")
    call(iam, "get_role_policy", RoleName="role-0", PolicyName="none")  # NoSuchEntity
    call(iam, "list_role_policies", RoleName="role-0")
    pages(out, iam, "list_role_policies", RoleName="role-0", PaginationConfig={"PageSize": 2})
    call(iam, "delete_role_policy", RoleName="role-0", PolicyName="inline-2")
    call(iam, "put_role_permissions_boundary", RoleName="role-1", PermissionsBoundary=arns[1])
    call(iam, "get_role", RoleName="role-1")
    call(iam, "delete_role_permissions_boundary", RoleName="role-1")
    call(iam, "delete_policy", PolicyArn=arns[0])  # DeleteConflict: attached

    # Users, groups, access keys.
    for i in range(3):
        call(iam, "create_user", UserName=f"user-{i}", Path="/people/")
    call(iam, "create_user", UserName="user-0")  # EntityAlreadyExists
    iam.get_waiter("user_exists").wait(UserName="user-0")
    call(iam, "get_user", UserName="user-0")
    call(iam, "get_user", UserName="nope")  # NoSuchEntity
    call(iam, "tag_user", UserName="user-0", Tags=[{"Key": "team", "Value": "a"}])
    call(iam, "list_users", PathPrefix="/people/")
    pages(out, iam, "list_users", PaginationConfig={"PageSize": 2})
    call(iam, "put_user_permissions_boundary", UserName="user-2", PermissionsBoundary=arns[1])
    call(iam, "attach_user_policy", UserName="user-0", PolicyArn=arns[1])
    call(iam, "attach_user_policy", UserName="user-0", PolicyArn=arns[2])
    call(iam, "list_attached_user_policies", UserName="user-0")
    pages(out, iam, "list_attached_user_policies", UserName="user-0", PaginationConfig={"PageSize": 1})
    call(iam, "detach_user_policy", UserName="user-0", PolicyArn=arns[2])
    for i in range(3):
        call(iam, "put_user_policy", UserName="user-0", PolicyName=f"inline-{i}", PolicyDocument=DENY_DELETE)
    call(iam, "get_user_policy", UserName="user-0", PolicyName="inline-1")
    call(iam, "list_user_policies", UserName="user-0")
    pages(out, iam, "list_user_policies", UserName="user-0", PaginationConfig={"PageSize": 2})
    call(iam, "delete_user_policy", UserName="user-0", PolicyName="inline-2")
    call(iam, "delete_user_policy", UserName="user-0", PolicyName="inline-2")  # NoSuchEntity
    for i in range(3):
        call(iam, "create_group", GroupName=f"group-{i}", Path="/teams/")
    call(iam, "create_group", GroupName="group-0")  # EntityAlreadyExists
    for i in range(3):
        call(iam, "add_user_to_group", GroupName="group-0", UserName=f"user-{i}")
        call(iam, "add_user_to_group", GroupName=f"group-{i}", UserName="user-1")
    call(iam, "add_user_to_group", GroupName="group-0", UserName="nope")  # NoSuchEntity
    call(iam, "get_group", GroupName="group-0")
    pages(out, iam, "get_group", GroupName="group-0", PaginationConfig={"PageSize": 2})
    call(iam, "list_groups", PathPrefix="/teams/")
    pages(out, iam, "list_groups", PaginationConfig={"PageSize": 2})
    call(iam, "list_groups_for_user", UserName="user-1")
    pages(out, iam, "list_groups_for_user", UserName="user-1", PaginationConfig={"PageSize": 2})
    call(iam, "attach_group_policy", GroupName="group-1", PolicyArn=arns[1])
    call(iam, "detach_group_policy", GroupName="group-1", PolicyArn=arns[1])
    call(iam, "put_group_policy", GroupName="group-1", PolicyName="g-inline", PolicyDocument=S3_READ)
    call(iam, "get_group_policy", GroupName="group-1", PolicyName="g-inline")
    call(iam, "get_group_policy", GroupName="group-1", PolicyName="none")  # NoSuchEntity
    call(iam, "remove_user_from_group", GroupName="group-2", UserName="user-1")
    call(iam, "delete_group", GroupName="group-0")  # DeleteConflict: has members
    call(iam, "delete_group", GroupName="group-2")
    keys = [call(iam, "create_access_key", UserName="user-1")["AccessKey"]["AccessKeyId"] for _ in range(2)]
    call(iam, "create_access_key", UserName="user-1")  # LimitExceeded: two keys a user
    call(iam, "update_access_key", UserName="user-1", AccessKeyId=keys[0], Status="Inactive")
    call(iam, "list_access_keys", UserName="user-1")
    pages(out, iam, "list_access_keys", UserName="user-1", PaginationConfig={"PageSize": 1})
    call(iam, "delete_access_key", UserName="user-1", AccessKeyId=keys[0])
    call(iam, "delete_access_key", UserName="user-1", AccessKeyId=keys[0])  # NoSuchEntity

    # Simulation, in pages of MaxItems.
    actions = ["s3:GetObject", "s3:DeleteObject", "s3:PutObject"]
    call(iam, "simulate_custom_policy", PolicyInputList=[S3_READ, DENY_DELETE], ActionNames=actions,
         ResourceArns=["arn:aws:s3:::b/k"])
    pages(out, iam, "simulate_custom_policy", PolicyInputList=[S3_READ], ActionNames=actions,
          PaginationConfig={"PageSize": 2})
    user0 = f"arn:aws:iam::{ACCOUNT}:user/people/user-0"
    call(iam, "simulate_principal_policy", PolicySourceArn=user0, ActionNames=actions, MaxItems=2)
    pages(out, iam, "simulate_principal_policy", PolicySourceArn=user0, ActionNames=actions,
          PaginationConfig={"PageSize": 2})
    call(iam, "simulate_principal_policy", PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nope",
         ActionNames=actions)  # NoSuchEntity

    # STS.
    sts = client_factory("sts")
    call(sts, "get_caller_identity")
    assumed = call(sts, "assume_role", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/svc/role-1", RoleSessionName="shapes",
                   DurationSeconds=900, Tags=[{"Key": "project", "Value": "x"}])
    call(sts, "assume_role", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/svc/role-1", RoleSessionName="bad session!")
    call(sts, "assume_role", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/svc/role-0", RoleSessionName="long",
         DurationSeconds=43200)  # ValidationError: over the role's MaxSessionDuration
    call(sts, "get_session_token", DurationSeconds=900)
    call(sts, "get_session_token", DurationSeconds=200000)  # ValidationError (over 36 h)
    creds = assumed.get("Credentials")
    if creds and as_role:
        role_sts = client_factory("sts", aws_access_key_id=creds["AccessKeyId"],
                                 aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        call(role_sts, "get_caller_identity")

    # Deleting.
    call(iam, "delete_role", RoleName="role-0")  # DeleteConflict: policies attached
    call(iam, "delete_role", RoleName="role-2")
    call(iam, "delete_role", RoleName="role-2")  # NoSuchEntity
    call(iam, "delete_policy", PolicyArn=arns[2])
    call(iam, "delete_user", UserName="user-1")  # DeleteConflict: access key, groups
    call(iam, "delete_user", UserName="user-2")  # DeleteConflict: in group-0
    call(iam, "remove_user_from_group", GroupName="group-0", UserName="user-2")
    call(iam, "delete_user", UserName="user-2")
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    records = scenario(session.client)
    return session, records


def responses(records, service, op):
    return [r for s, o, r in records if s == service and o == op]


def error_codes(records, service, op):
    return [r["Error"]["Code"] for r in responses(records, service, op) if "Error" in r]


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    problems, errors, _ = conformance_problems(session, records)
    # botocore's after-call handler decodes IAM's policy documents (URL-encoded JSON strings on
    # the wire) into dicts: what real boto3 returns, though the model says string.
    problems = [p for p in problems if not re.search(
        r"\.(AssumeRolePolicyDocument|PolicyDocument|Document): string expected, got dict", p)]
    assert not problems, "\n".join(problems)
    assert errors >= 25


@pytest.mark.parametrize("service", ["iam", "sts"])
def test_every_offered_operation_is_exercised(run, service):
    _, records = run
    seen = {op for s, op, _ in records if s == service}
    missing = sorted(set(Cloud().service(service).operations) - seen)
    assert not missing, f"{service} operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_roles_and_policy_documents_round_trip(run):
    _, records = run
    role = responses(records, "iam", "GetRole")[0]["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)  # decoded by botocore, as for real
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/role-0" and role["Path"] == "/svc/"
    assert role["RoleId"].startswith("AROA") and role["Description"] == "role 0"
    assert role["Tags"] == [{"Key": "n", "Value": "0"}]
    bounded = responses(records, "iam", "GetRole")[2]["Role"]
    assert bounded["PermissionsBoundary"] == {"PermissionsBoundaryType": "Policy",
                                              "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/p/pol-1"}
    assert responses(records, "iam", "GetRolePolicy")[0]["PolicyDocument"] == json.loads(S3_READ)
    assert responses(records, "iam", "GetUserPolicy")[0]["PolicyDocument"] == json.loads(DENY_DELETE)
    assert responses(records, "iam", "GetGroupPolicy")[0]["PolicyDocument"] == json.loads(S3_READ)
    version = responses(records, "iam", "GetPolicyVersion")[0]["PolicyVersion"]
    assert version["Document"] == json.loads(ALL_S3) and version["VersionId"] == "v2" and version["IsDefaultVersion"]
    assert [t["Key"] for t in responses(records, "iam", "ListRoleTags")[0]["Tags"]] == ["n", "t0"]
    assert responses(records, "iam", "ListRoleTags")[0]["IsTruncated"] is True


def test_lists_page_with_marker_and_max_items(run):
    _, records = run
    roles = responses(records, "iam", "ListRoles")
    assert [r["RoleName"] for r in roles[0]["Roles"]] == ["role-0", "role-1", "role-2"]
    assert [[r["RoleName"] for r in p["Roles"]] for p in roles[1:]] == [["role-0", "role-1"], ["role-2"]]
    assert [p["IsTruncated"] for p in roles[1:]] == [True, False] and "Marker" in roles[1]
    versions = responses(records, "iam", "ListPolicyVersions")
    assert [v["VersionId"] for v in versions[0]["Versions"]] == ["v3", "v2", "v1"]
    assert [len(p["Versions"]) for p in versions[1:]] == [2, 1]
    group = responses(records, "iam", "GetGroup")
    assert [u["UserName"] for u in group[0]["Users"]] == ["user-0", "user-1", "user-2"]
    assert [[u["UserName"] for u in p["Users"]] for p in group[1:]] == [["user-0", "user-1"], ["user-2"]]
    assert all(p["Group"]["GroupName"] == "group-0" for p in group)
    keys = responses(records, "iam", "ListAccessKeys")
    assert [m["Status"] for m in keys[0]["AccessKeyMetadata"]] == ["Inactive", "Active"]
    assert [len(p["AccessKeyMetadata"]) for p in keys[1:]] == [1, 1]
    aws_managed = responses(records, "iam", "ListPolicies")[-1]
    assert len(aws_managed["Policies"]) == 2 and aws_managed["IsTruncated"]
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws_managed["Policies"])


def test_simulation_decides_and_pages(run):
    _, records = run
    custom = responses(records, "iam", "SimulateCustomPolicy")
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in custom[0]["EvaluationResults"]] == [
        ("s3:GetObject", "allowed"), ("s3:DeleteObject", "explicitDeny"), ("s3:PutObject", "implicitDeny")]
    assert custom[0]["IsTruncated"] is False
    assert [len(p["EvaluationResults"]) for p in custom[1:]] == [2, 1]
    assert custom[1]["IsTruncated"] and custom[1]["Marker"] and not custom[2]["IsTruncated"]
    principal = responses(records, "iam", "SimulatePrincipalPolicy")
    # user-0: pol-1 (S3 read) attached, inline-0/1 deny deletes.
    assert [(r["EvalActionName"], r["EvalDecision"]) for r in principal[0]["EvaluationResults"]] == [
        ("s3:GetObject", "allowed"), ("s3:DeleteObject", "explicitDeny")]
    assert principal[0]["IsTruncated"] is True
    assert [r["EvalDecision"] for p in principal[1:3] for r in p["EvaluationResults"]] == [
        "allowed", "explicitDeny", "implicitDeny"]


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, "iam", "CreateRole") == ["EntityAlreadyExists", "MalformedPolicyDocument"]
    assert error_codes(records, "iam", "GetRole") == ["NoSuchEntity"]
    assert error_codes(records, "iam", "UpdateRole") == ["ValidationError"]
    assert error_codes(records, "iam", "DeletePolicyVersion") == ["DeleteConflict"]
    assert error_codes(records, "iam", "DeletePolicy") == ["DeleteConflict"]
    assert error_codes(records, "iam", "CreateAccessKey") == ["LimitExceeded"]
    assert error_codes(records, "iam", "DeleteRole") == ["DeleteConflict", "NoSuchEntity"]
    assert error_codes(records, "iam", "DeleteUser") == ["DeleteConflict", "DeleteConflict"]
    assert error_codes(records, "sts", "AssumeRole") == ["ValidationError", "ValidationError"]
    assert error_codes(records, "sts", "GetSessionToken") == ["ValidationError"]
    by_code: dict = {}
    for _, _, r in records:
        if "Error" in r:
            by_code.setdefault(r["Error"]["Code"], r)  # the first of each code
    assert by_code["NoSuchEntity"]["Error"]["Message"] == "The role with name nope cannot be found."
    assert by_code["NoSuchEntity"]["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert by_code["EntityAlreadyExists"]["Error"]["Message"] == "Role with name role-0 already exists."
    assert by_code["EntityAlreadyExists"]["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert by_code["DeleteConflict"]["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert by_code["MalformedPolicyDocument"]["ResponseMetadata"]["HTTPStatusCode"] == 400
    too_long = responses(records, "sts", "AssumeRole")[2]["Error"]["Message"]
    assert too_long == "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


def test_sts_identities(run):
    _, records = run
    me, as_role = responses(records, "sts", "GetCallerIdentity")
    assert me["Account"] == ACCOUNT and me["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assumed = responses(records, "sts", "AssumeRole")[0]
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/role-1/shapes"
    assert assumed["AssumedRoleUser"]["AssumedRoleId"].endswith(":shapes")
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert as_role["Arn"] == assumed["AssumedRoleUser"]["Arn"] and as_role["Account"] == ACCOUNT
    session = responses(records, "sts", "GetSessionToken")[0]["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
    assert (session["Expiration"] - creds["Expiration"]).total_seconds() == 0  # both 900 s from the same now


def test_modelled_exceptions_are_raised():
    session = Cloud().boto3_session()
    iam = session.client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_role(RoleName="nope")
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"
    iam.create_user(UserName="u")
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException) as e:
        iam.create_user(UserName="u")
    assert e.value.response["Error"]["Code"] == "EntityAlreadyExists"
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.create_policy(PolicyName="p", PolicyDocument="[]")
    sts = session.client("sts")
    with pytest.raises(sts.exceptions.ClientError) as e:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/none", RoleSessionName="ss")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_waiters_poll_on_the_virtual_clock():
    cloud = Cloud()
    iam = cloud.boto3_session().client("iam")
    start = cloud.now
    cloud.call_later(2.5, lambda: cloud.client("iam").create_role(RoleName="late", AssumeRolePolicyDocument=TRUST))
    iam.get_waiter("role_exists").wait(RoleName="late")
    assert (cloud.now - start).total_seconds() == 3  # polled every second (botocore's delay)
    with pytest.raises(WaiterError) as e:
        iam.get_waiter("user_exists").wait(UserName="never", WaiterConfig={"MaxAttempts": 2})
    assert e.value.kwargs["reason"] == "Max attempts exceeded"


def test_bridge_decodes_policy_documents_itself():
    iam = Cloud().boto3_session().client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST)


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_query_errors_carry_the_error_type():
    iam = Cloud().boto3_session().client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException) as e:
        iam.get_user(UserName="nope")
    assert e.value.response["Error"] == {"Type": "Sender", "Code": "NoSuchEntity",
                                         "Message": "The user with name nope cannot be found."}


def test_bridge_matches_http_endpoint():
    bridged, over_http = compare_bridge_http(lambda factory: scenario(factory, as_role=False))
    assert strip_metadata(bridged) == strip_metadata(over_http)
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in bridged] == \
        [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in over_http]


def test_http_endpoint_knows_the_caller():
    bridged, over_http = compare_bridge_http(lambda factory: scenario(factory))
    who = [r for s, op, r in strip_metadata(over_http) if op == "GetCallerIdentity"]
    assert who == [r for s, op, r in strip_metadata(bridged) if op == "GetCallerIdentity"]
    assert who[1]["Arn"].endswith(":assumed-role/role-1/shapes")
