"""Amazon SNS's error codes, one class each (named as botocore's modelled exceptions, with the
query-protocol ``code`` and HTTP status botocore's model gives them), with AWS's wording.

Source: botocore's SNS model (``error.code``/``httpStatusCode`` of each exception shape) and the
API reference, https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html.
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class SNSError(AWSError):
    service = "sns"


class InvalidParameterException(SNSError):
    code = "InvalidParameter"


class InvalidParameterValueException(SNSError):
    code = "ParameterValueInvalid"


class NotFoundException(SNSError):
    code = "NotFound"
    status = 404


class ResourceNotFoundException(SNSError):
    code = "ResourceNotFound"
    status = 404


class AuthorizationErrorException(SNSError):
    code = "AuthorizationError"
    status = 403


class FilterPolicyLimitExceededException(SNSError):
    code = "FilterPolicyLimitExceeded"
    status = 403
    default_message = "Filter policy limit exceeded"


class SubscriptionLimitExceededException(SNSError):
    code = "SubscriptionLimitExceeded"
    status = 403


class TopicLimitExceededException(SNSError):
    code = "TopicLimitExceeded"
    status = 403


class InvalidStateException(SNSError):
    code = "InvalidState"


class EmptyBatchRequestException(SNSError):
    code = "EmptyBatchRequest"
    default_message = "The batch request doesn't contain any entries."


class TooManyEntriesInBatchRequestException(SNSError):
    code = "TooManyEntriesInBatchRequest"
    default_message = "The batch request contains more entries than permissible."


class BatchEntryIdsNotDistinctException(SNSError):
    code = "BatchEntryIdsNotDistinct"
    default_message = "Two or more batch entries in the request have the same Id."


class InvalidBatchEntryIdException(SNSError):
    code = "InvalidBatchEntryId"
    default_message = "The Id of a batch entry in a batch request doesn't abide by the specification."


class BatchRequestTooLongException(SNSError):
    code = "BatchRequestTooLong"
    default_message = "The length of all the messages put together is more than the limit."


class ValidationException(SNSError):
    code = "ValidationException"


#: Error classes by modelled name (``client.exceptions.<Name>``).
ERRORS: dict[str, type[SNSError]] = {
    cls.__name__: cls
    for cls in list(globals().values())
    if isinstance(cls, type) and issubclass(cls, SNSError) and cls is not SNSError
}


def invalid(message: str) -> InvalidParameterException:
    """AWS's wording: ``Invalid parameter: <message>``."""
    return InvalidParameterException(f"Invalid parameter: {message}")
