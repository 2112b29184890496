"""Shared setup for the identity tests: registers the services (the lead adds them to
serverless_sim.services) and builds a Cloud with a user pool, an identity pool and roles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from serverless_sim import Cloud
from serverless_sim.services import SERVICES

OWN = {
    "cognito-idp": ("serverless_sim.cognito.service", "CognitoIdentityProvider"),
    "cognito-identity": ("serverless_sim.cognito.identity", "CognitoIdentity"),
    "iam": ("serverless_sim.iam.service", "IAM"),
    "sts": ("serverless_sim.iam.sts", "STS"),
}


def register() -> None:
    """For scripts (benchmarks) outside pytest."""
    for name, spec in OWN.items():
        SERVICES.setdefault(name, spec)


@pytest.fixture(autouse=True)
def identity_services(monkeypatch: Any) -> None:
    for name, spec in OWN.items():
        if name not in SERVICES:
            monkeypatch.setitem(SERVICES, name, spec)


#: Test keys: 1,024 bits keep the suite fast (AWS's 2,048 is tested in test_identity_jwt.py).
TEST_KEY_BITS = 1024

STRONG = "Passw0rd!"


def make_cloud(seed: int = 7, key_bits: int = TEST_KEY_BITS, **kw: Any) -> Cloud:
    cloud = Cloud(seed=seed, **kw)
    cloud.service("cognito-idp").config.key_bits = key_bits
    return cloud


def user_pool(cloud: Cloud, **kw: Any) -> tuple[str, str]:
    """(pool id, client id) of a pool signing in by username with USER_PASSWORD_AUTH."""
    idp = cloud.client("cognito-idp")
    args = {"PoolName": "users", "AutoVerifiedAttributes": ["email"]}
    args.update(kw)
    pool = idp.create_user_pool(**args)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    return pool, client


def signed_up(cloud: Cloud, pool: str, client: str, username: str = "alice", password: str = STRONG,
              email: str | None = None) -> str:
    """Sign a user up and confirm them with the code from the outbox; returns the sub."""
    idp = cloud.client("cognito-idp")
    out = idp.sign_up(ClientId=client, Username=username, Password=password,
                      UserAttributes=[{"Name": "email", "Value": email or f"{username}@example.com"}])
    code = cloud.service("cognito-idp").last_code(pool, username)
    idp.confirm_sign_up(ClientId=client, Username=username, ConfirmationCode=code)
    return out["UserSub"]


def sign_in(cloud: Cloud, client: str, username: str = "alice", password: str = STRONG) -> dict[str, Any]:
    idp = cloud.client("cognito-idp")
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})["AuthenticationResult"]


def web_identity_trust(identity_pool_id: str, amr: str = "authenticated") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": identity_pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}]})


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
