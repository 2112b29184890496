"""AWS Lambda's error codes, one class each, with AWS's wording and HTTP status.

Statuses come from the Lambda API model (botocore ``lambda/2015-03-31/service-2.json``, each
error shape's ``httpStatusCode``); messages are the texts AWS returns, e.g.
``Function not found: arn:aws:lambda:us-east-1:123456789012:function:f`` (see
https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).

Lambda's REST-JSON error bodies carry ``Type`` (``User`` or ``Service``) and ``message``; a
throttle also carries ``Reason`` (``ConcurrentInvocationLimitExceeded``,
``ReservedFunctionConcurrentInvocationLimitExceeded``...). botocore copies these body members
into ``ClientError.response`` beside ``Error``, so they are extra members here too.
"""

from __future__ import annotations

from typing import Any

from ..kernel.errors import AWSError


class LambdaError(AWSError):
    """Base of Lambda's errors."""

    service = "lambda"
    #: The body's ``Type`` member: ``User`` for the caller's faults, ``Service`` for AWS's.
    fault_type = "User"

    def __init__(self, message: str | None = None, /, **extra: Any) -> None:
        extra.setdefault("Type", self.fault_type)
        super().__init__(message, **extra)
        self.extra.setdefault("message", self.message)


def _make(code: str, status: int, message: str = "", fault: str = "User") -> type[LambdaError]:
    return type(
        code,
        (LambdaError,),
        {
            "code": code,
            "status": status,
            "default_message": message,
            "fault_type": fault,
            "__doc__": f"AWS Lambda error ``{code}`` (HTTP {status}).",
            "__module__": __name__,
        },
    )


ResourceNotFoundException = _make("ResourceNotFoundException", 404)
ResourceConflictException = _make("ResourceConflictException", 409)
InvalidParameterValueException = _make("InvalidParameterValueException", 400)
ValidationException = _make("ValidationException", 400)
TooManyRequestsException = _make("TooManyRequestsException", 429, "Rate Exceeded.")
RequestTooLargeException = _make(
    "RequestTooLargeException", 413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
)
ServiceException = _make("ServiceException", 500, "", "Service")
ProvisionedConcurrencyConfigNotFoundException = _make(
    "ProvisionedConcurrencyConfigNotFoundException", 404, "No Provisioned Concurrency Config found for this function"
)
InvalidRequestContentException = _make("InvalidRequestContentException", 400)
PreconditionFailedException = _make("PreconditionFailedException", 412)
InvalidZipFileException = _make("InvalidZipFileException", 502, "", "User")
ResourceNotReadyException = _make("ResourceNotReadyException", 502)
UnsupportedMediaTypeException = _make("UnsupportedMediaTypeException", 415)
InvalidRuntimeException = _make("InvalidRuntimeException", 502)
SnapStartNotReadyException = _make("SnapStartNotReadyException", 409)
CodeStorageExceededException = _make("CodeStorageExceededException", 400)
SnapStartTimeoutException = _make("SnapStartTimeoutException", 408)
SnapStartException = _make("SnapStartException", 400)

#: Every error class by code (``client.exceptions.<Code>``).
ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls
    for cls in (
        ResourceNotFoundException,
        ResourceConflictException,
        InvalidParameterValueException,
        ValidationException,
        TooManyRequestsException,
        RequestTooLargeException,
        ServiceException,
        ProvisionedConcurrencyConfigNotFoundException,
        InvalidRequestContentException,
        PreconditionFailedException,
        InvalidZipFileException,
        ResourceNotReadyException,
        UnsupportedMediaTypeException,
        InvalidRuntimeException,
        SnapStartNotReadyException,
        CodeStorageExceededException,
        SnapStartTimeoutException,
        SnapStartException,
    )
}


def validation_error(value: Any, member: str, constraint: str) -> LambdaError:
    """AWS's model-validation wording (``1 validation error detected: ...``)."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )
