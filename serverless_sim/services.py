"""Which services a Cloud offers, by boto3 service name (imported lazily, on first use)."""

from __future__ import annotations

#: boto3 service name -> (module, class) of the service that answers it.
SERVICES: dict[str, tuple[str, str]] = {
    "cloudwatch": ("serverless_sim.observability.cloudwatch", "CloudWatch"),
    "logs": ("serverless_sim.observability.logs", "CloudWatchLogs"),
    "dynamodb": ("serverless_sim.dynamodb.service", "DynamoDB"),
    "dynamodbstreams": ("serverless_sim.dynamodb.streams", "DynamoDBStreams"),
    "lambda": ("serverless_sim.awslambda.service", "Lambda"),
    "stepfunctions": ("serverless_sim.stepfunctions.service", "StepFunctions"),
    "s3": ("serverless_sim.s3.service", "S3"),
    "events": ("serverless_sim.events.service", "EventBridge"),
    "scheduler": ("serverless_sim.events.scheduler", "Scheduler"),
    "apigateway": ("serverless_sim.apigateway.service", "APIGateway"),
    "apigatewayv2": ("serverless_sim.apigateway.service", "APIGatewayV2"),
    "apigatewaymanagementapi": ("serverless_sim.apigateway.service", "APIGatewayManagementAPI"),
    "cognito-idp": ("serverless_sim.cognito.service", "CognitoIdentityProvider"),
    "cognito-identity": ("serverless_sim.cognito.identity", "CognitoIdentity"),
    "iam": ("serverless_sim.iam.service", "IAM"),
    "sts": ("serverless_sim.iam.sts", "STS"),
    "sqs": ("serverless_sim.sqs.service", "SQS"),
    "sns": ("serverless_sim.sns.service", "SNS"),
}
