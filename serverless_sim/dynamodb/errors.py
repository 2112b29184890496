"""DynamoDB's error codes, one class each, with AWS's default wording.

Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
and the ``Errors`` of each action in the API reference. HTTP status is 400 for all but
``InternalServerError`` (500).
"""

from __future__ import annotations

from typing import Any

from ..kernel.errors import AWSError

_PREFIX = "com.amazonaws.dynamodb.v20120810#"


class DynamoDBError(AWSError):
    """Base of DynamoDB's errors."""

    service = "dynamodb"
    type_prefix = _PREFIX


class ValidationException(DynamoDBError):
    code = "ValidationException"


class ConditionalCheckFailedException(DynamoDBError):
    code = "ConditionalCheckFailedException"
    default_message = "The conditional request failed"


class ResourceNotFoundException(DynamoDBError):
    code = "ResourceNotFoundException"
    default_message = "Requested resource not found"


class ResourceInUseException(DynamoDBError):
    code = "ResourceInUseException"


class LimitExceededException(DynamoDBError):
    code = "LimitExceededException"


class ProvisionedThroughputExceededException(DynamoDBError):
    code = "ProvisionedThroughputExceededException"
    default_message = (
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API."
    )


class RequestLimitExceeded(DynamoDBError):
    code = "RequestLimitExceeded"
    default_message = "Throughput exceeds the current throughput limit for your account."


class ThrottlingException(DynamoDBError):
    code = "ThrottlingException"
    default_message = "Rate of requests exceeds the allowed throughput."


class ItemCollectionSizeLimitExceededException(DynamoDBError):
    code = "ItemCollectionSizeLimitExceededException"
    default_message = "Collection size exceeded."


class TransactionCanceledException(DynamoDBError):
    """``CancellationReasons`` (one per request item, in order) travel in ``extra``."""

    code = "TransactionCanceledException"

    @classmethod
    def from_reasons(cls, reasons: list[dict[str, Any]]) -> "TransactionCanceledException":
        codes = ", ".join(r.get("Code", "None") for r in reasons)
        return cls(
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]",
            CancellationReasons=reasons,
        )


class TransactionConflictException(DynamoDBError):
    code = "TransactionConflictException"
    default_message = "Transaction is ongoing for the item"


class TransactionInProgressException(DynamoDBError):
    code = "TransactionInProgressException"
    default_message = "Transaction is in progress"


class IdempotentParameterMismatchException(DynamoDBError):
    code = "IdempotentParameterMismatchException"
    default_message = (
        "One or more parameter values were invalid: The request uses the same client token as a "
        "previous, but non-identical request."
    )


class DuplicateItemException(DynamoDBError):
    code = "DuplicateItemException"
    default_message = "Duplicate primary key exists in table"


class InternalServerError(DynamoDBError):
    code = "InternalServerError"
    status = 500
    default_message = "Internal server error"


class TableNotFoundException(DynamoDBError):
    code = "TableNotFoundException"


class TableAlreadyExistsException(DynamoDBError):
    code = "TableAlreadyExistsException"


class TableInUseException(DynamoDBError):
    code = "TableInUseException"


class BackupNotFoundException(DynamoDBError):
    code = "BackupNotFoundException"


class BackupInUseException(DynamoDBError):
    code = "BackupInUseException"


class ContinuousBackupsUnavailableException(DynamoDBError):
    code = "ContinuousBackupsUnavailableException"


class PointInTimeRecoveryUnavailableException(DynamoDBError):
    code = "PointInTimeRecoveryUnavailableException"


class InvalidRestoreTimeException(DynamoDBError):
    code = "InvalidRestoreTimeException"


class ExpiredIteratorException(DynamoDBError):
    code = "ExpiredIteratorException"
    service = "dynamodbstreams"
    type_prefix = "com.amazonaws.dynamodb.v20120810#"


class TrimmedDataAccessException(DynamoDBError):
    code = "TrimmedDataAccessException"
    service = "dynamodbstreams"


class GlobalTableNotFoundException(DynamoDBError):
    code = "GlobalTableNotFoundException"


class ReplicaNotFoundException(DynamoDBError):
    code = "ReplicaNotFoundException"


class IndexNotFoundException(DynamoDBError):
    code = "IndexNotFoundException"


#: Every DynamoDB error class by code (clients expose these as ``client.exceptions.<Code>``).
ERRORS: dict[str, type[DynamoDBError]] = {
    cls.code: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, DynamoDBError) and cls is not DynamoDBError
}
