"""A few AWS managed policies, as documents (they exist in every account).

Their ARNs are ``arn:aws:iam::aws:policy/<name>`` (some under a path, e.g.
``service-role/``). Only policies whose documents are short are carried; attach your own managed
policies (CreatePolicy) for anything else.
"""

from __future__ import annotations

from typing import Any

#: name -> (path, document)
AWS_MANAGED: dict[str, tuple[str, dict[str, Any]]] = {
    "AdministratorAccess": ("/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }),
    "AWSLambdaBasicExecutionRole": ("/service-role/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": "*"}],
    }),
    "AmazonS3ReadOnlyAccess": ("/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                  "s3-object-lambda:List*"],
                       "Resource": "*"}],
    }),
    "AmazonDynamoDBReadOnlyAccess": ("/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow",
                       "Action": ["dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*",
                                  "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
                                  "dynamodb:PartiQLSelect"],
                       "Resource": "*"}],
    }),
    "AmazonSQSFullAccess": ("/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sqs:*"], "Resource": "*"}],
    }),
    "AmazonSNSFullAccess": ("/", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sns:*"], "Resource": "*"}],
    }),
}


def aws_managed_arn(name: str) -> str:
    path = AWS_MANAGED[name][0]
    return f"arn:aws:iam::aws:policy{path}{name}"
