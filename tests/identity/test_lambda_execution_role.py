"""With IAM enforcement on, a Lambda handler's calls run with its execution role's policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from serverless_sim import Cloud

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def make(enforce: bool) -> tuple[Cloud, list[Any]]:
    cloud = Cloud(seed=5, enforce_iam=enforce)
    ddb = cloud.client("dynamodb")
    for name in ("allowed", "secret"):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=name, Item={"pk": {"S": "k"}})
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="reader", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="reader", PolicyName="read-allowed", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
                                                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/allowed"}]}))
    outcomes: list[Any] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        client = cloud.client("dynamodb")
        try:
            client.get_item(TableName=event["table"], Key={"pk": {"S": "k"}})
            outcomes.append("ok")
        except client.exceptions.ClientError as err:
            outcomes.append((err.response["Error"]["Code"], err.response["Error"]["Message"]))

    cloud.service("lambda").create_function_from_callable("f", handler, duration=0.01, role=role)
    return cloud, outcomes


def invoke(cloud: Cloud, table: str) -> None:
    cloud.client("lambda").invoke(FunctionName="f", Payload=json.dumps({"table": table}).encode())


def test_the_role_allows_what_its_policy_allows_and_nothing_else():
    cloud, outcomes = make(enforce=True)
    invoke(cloud, "allowed")
    invoke(cloud, "secret")
    assert outcomes[0] == "ok"
    code, message = outcomes[1]
    assert code == "AccessDeniedException"
    assert "assumed-role/reader/f" in message and "dynamodb:GetItem" in message
    assert "table/secret" in message


def test_without_enforcement_handlers_stay_trusted():
    cloud, outcomes = make(enforce=False)
    invoke(cloud, "secret")
    assert outcomes == ["ok"]
