"""Amazon SQS's error codes, one class each, with AWS's wording.

SQS speaks the AWS JSON protocol with *query compatibility*: the JSON body names the modelled
exception (``com.amazonaws.sqs#QueueDoesNotExist``) while the ``x-amzn-query-error`` header carries
the legacy code (``AWS.SimpleQueueService.NonExistentQueue;Sender``), which is what botocore puts
in ``e.response["Error"]["Code"]``. So here each class is named as botocore's modelled exception
(``client.exceptions.QueueDoesNotExist``) and its ``code`` is the legacy code users see.
Adapters: ``type(err).__name__`` is the modelled name (the JSON ``__type`` and botocore's
``QueryErrorCode``); ``err.code`` is the query code.

Codes: the SQS API reference's Errors sections and the query-compatible codes the SDKs generate
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

from typing import Any

from ..kernel.errors import AWSError


class SQSError(AWSError):
    """Base of SQS's errors."""

    service = "sqs"
    type_prefix = "com.amazonaws.sqs#"

    def wire_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"__type": self.type_prefix + type(self).__name__, "message": self.message}
        body.update(self.extra)
        return body

    @property
    def query_error(self) -> str:
        """The ``x-amzn-query-error`` header value: ``<code>;Sender``."""
        return f"{self.code};Sender"


class QueueDoesNotExist(SQSError):
    code = "AWS.SimpleQueueService.NonExistentQueue"
    default_message = "The specified queue does not exist."


class QueueNameExists(SQSError):
    code = "QueueAlreadyExists"


class QueueDeletedRecently(SQSError):
    code = "AWS.SimpleQueueService.QueueDeletedRecently"
    default_message = (
        "You must wait 60 seconds after deleting a queue before you can create another with the "
        "same name."
    )


class PurgeQueueInProgress(SQSError):
    code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status = 403


class ReceiptHandleIsInvalid(SQSError):
    code = "ReceiptHandleIsInvalid"


class MessageNotInflight(SQSError):
    code = "AWS.SimpleQueueService.MessageNotInflight"
    default_message = "The message referred to isn't in flight."


class InvalidAttributeName(SQSError):
    code = "InvalidAttributeName"


class InvalidAttributeValue(SQSError):
    code = "InvalidAttributeValue"


class InvalidMessageContents(SQSError):
    code = "InvalidMessageContents"


class InvalidIdFormat(SQSError):
    code = "InvalidIdFormat"


class OverLimit(SQSError):
    code = "OverLimit"
    status = 403


class TooManyEntriesInBatchRequest(SQSError):
    code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class EmptyBatchRequest(SQSError):
    code = "AWS.SimpleQueueService.EmptyBatchRequest"


class BatchEntryIdsNotDistinct(SQSError):
    code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class BatchRequestTooLong(SQSError):
    code = "AWS.SimpleQueueService.BatchRequestTooLong"


class InvalidBatchEntryId(SQSError):
    code = "AWS.SimpleQueueService.InvalidBatchEntryId"
    default_message = (
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long."
    )


class UnsupportedOperation(SQSError):
    code = "AWS.SimpleQueueService.UnsupportedOperation"


class ResourceNotFoundException(SQSError):
    code = "ResourceNotFoundException"
    status = 404


class InvalidAddress(SQSError):
    code = "InvalidAddress"
    default_message = "The specified ID is invalid."


# -- common (unmodelled) errors of the SQS API ------------------------------------------------
class InvalidParameterValue(SQSError):
    code = "InvalidParameterValue"


class MissingParameter(SQSError):
    code = "MissingParameter"


class InvalidParameterCombination(SQSError):
    code = "InvalidParameterCombination"


#: Error classes by modelled name (``client.exceptions.<Name>``).
ERRORS: dict[str, type[SQSError]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, SQSError) and cls is not SQSError
}


def invalid_value(param: str, value: Any, reason: str) -> InvalidParameterValue:
    """AWS's usual wording: ``Value X for parameter P is invalid. Reason: R``."""
    return InvalidParameterValue(f"Value {value} for parameter {param} is invalid. Reason: {reason}")
