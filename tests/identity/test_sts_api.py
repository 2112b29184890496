"""STS: AssumeRole (trust policies, identity permission, durations, chaining, session
policies), GetCallerIdentity, GetSessionToken, and expiry on the virtual clock."""

from __future__ import annotations

import json

import pytest
from identity_helpers import doc, identity_services, make_cloud  # noqa: F401

from serverless_sim import AWSError

ACCT = "123456789012"


def trust(principal, **extra):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}]})


@pytest.fixture
def cloud():
    c = make_cloud()
    iam = c.client("iam")
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCT}:root"}))
    iam.put_role_policy(RoleName="reader", PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "sqs:*"], "Resource": "*"}))
    iam.create_user(UserName="alice")
    return c


def user_client(cloud, service, user="alice"):
    iam = cloud.client("iam")
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return cloud.client(service, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def test_get_caller_identity_trusted_is_root(cloud):
    out = cloud.client("sts").get_caller_identity()
    assert (out["UserId"], out["Account"], out["Arn"]) == (ACCT, ACCT, f"arn:aws:iam::{ACCT}:root")


def test_assume_role_returns_session_credentials(cloud):
    out = cloud.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader", RoleSessionName="job-1",
                                          DurationSeconds=900)
    c = out["Credentials"]
    assert c["AccessKeyId"].startswith("ASIA") and len(c["SecretAccessKey"]) == 40 and c["SessionToken"]
    assert c["Expiration"] == cloud.now.replace() + __import__("datetime").timedelta(seconds=900)
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/reader/job-1"
    assert out["AssumedRoleUser"]["AssumedRoleId"].endswith(":job-1")
    me = cloud.client("sts", credentials=c).get_caller_identity()
    assert me["Arn"] == f"arn:aws:sts::{ACCT}:assumed-role/reader/job-1"
    assert me["UserId"] == out["AssumedRoleUser"]["AssumedRoleId"]


def test_user_needs_identity_permission_unless_trust_names_them(cloud):
    sts = user_client(cloud, "sts")
    with pytest.raises(AWSError) as exc:
        sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader", RoleSessionName="s1")
    assert exc.value.code == "AccessDenied" and exc.value.status == 403
    assert exc.value.message == (f"User: arn:aws:iam::{ACCT}:user/alice is not authorized to perform: sts:AssumeRole "
                                 f"on resource: arn:aws:iam::{ACCT}:role/reader")
    iam = cloud.client("iam")
    iam.put_user_policy(UserName="alice", PolicyName="assume", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{ACCT}:role/reader"}))
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader", RoleSessionName="s1")["Credentials"]
    # a role whose trust policy names alice needs no identity permission
    iam.delete_user_policy(UserName="alice", PolicyName="assume")
    iam.create_role(RoleName="for-alice", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{ACCT}:user/alice"}))
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/for-alice", RoleSessionName="s2")["Credentials"]


def test_trust_policy_refusals(cloud):
    iam, sts = cloud.client("iam"), cloud.client("sts")
    iam.create_role(RoleName="svc", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.create_role(RoleName="ext", AssumeRolePolicyDocument=trust(
        {"AWS": ACCT}, Condition={"StringEquals": {"sts:ExternalId": "secret-1"}}))
    for role, kw in (("svc", {}), ("ext", {}), ("ext", {"ExternalId": "wrong"}), ("missing", {})):
        with pytest.raises(AWSError) as exc:
            sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/{role}", RoleSessionName="s1", **kw)
        assert exc.value.code == "AccessDenied"
    assert sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/ext", RoleSessionName="s1", ExternalId="secret-1")


def test_durations_and_chaining(cloud):
    sts = cloud.client("sts")
    arn = f"arn:aws:iam::{ACCT}:role/reader"
    for d, message in ((899, "greater than or equal to 900"), (7200, "exceeds the MaxSessionDuration")):
        with pytest.raises(AWSError) as exc:
            sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=d)
        assert exc.value.code == "ValidationError" and message in exc.value.message
    with pytest.raises(AWSError, match="length greater than or equal to 2"):
        sts.assume_role(RoleArn=arn, RoleSessionName="s")
    cloud.client("iam").update_role(RoleName="reader", MaxSessionDuration=7200)
    first = sts.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=7200)["Credentials"]
    chained = cloud.client("sts", credentials=first)
    cloud.client("iam").put_role_policy(RoleName="reader", PolicyName="chain", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn}))
    with pytest.raises(AWSError, match="1 hour session limit"):
        chained.assume_role(RoleArn=arn, RoleSessionName="s2", DurationSeconds=7200)
    assert chained.assume_role(RoleArn=arn, RoleSessionName="s2")["AssumedRoleUser"]["Arn"].endswith("/reader/s2")


def test_session_policy_intersects(cloud):
    sts = cloud.client("sts")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader", RoleSessionName="narrow",
                            Policy=doc({"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}))["Credentials"]
    ddb = cloud.client("dynamodb", credentials=creds)
    with pytest.raises(AWSError) as exc:
        ddb.get_item(TableName="tbl", Key={"k": {"S": "1"}})
    assert exc.value.message.endswith("because no session policy allows the dynamodb:GetItem action")


def test_credentials_expire_on_the_virtual_clock(cloud):
    creds = cloud.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCT}:role/reader", RoleSessionName="s1",
                                            DurationSeconds=900)["Credentials"]
    sts = cloud.client("sts", credentials=creds)
    cloud.advance(899)
    assert sts.get_caller_identity()["Arn"].endswith("/s1")
    cloud.advance(1)
    with pytest.raises(AWSError) as exc:
        sts.get_caller_identity()
    assert (exc.value.code, exc.value.message) == ("ExpiredToken", "The security token included in the request is expired")


def test_get_session_token_for_a_user(cloud):
    sts = user_client(cloud, "sts")
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert cloud.client("sts", credentials=creds).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:user/alice"
