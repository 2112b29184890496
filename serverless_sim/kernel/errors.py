"""Errors: AWS service errors and simulator misuse.

Every AWS error the simulator raises is an instance of a subclass of :class:`AWSError`, one class
per AWS error code, named as the code (``ConditionalCheckFailedException``...). The class carries
the code, the HTTP status and the service; the instance carries AWS's message text. From these
follows the shape botocore gives a ``ClientError``::

    err.response == {"Error": {"Code": "...", "Message": "..."},
                     "ResponseMetadata": {"HTTPStatusCode": 400, ...}}

so test code written for boto3 (``e.response["Error"]["Code"]``) works unchanged.

Misuse of the simulator itself (scheduling in the past, an unknown service name, a process that
yields something that is not an event) raises :class:`SimError`, never an AWS error.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SimError(Exception):
    """The simulator was used wrongly (not an AWS error)."""


class AWSError(Exception):
    """Base of every AWS service error.

    Subclasses set ``code`` (AWS's error code), ``status`` (HTTP status) and ``service``. Extra
    keyword arguments become extra members of the error response (for example DynamoDB's
    ``CancellationReasons`` or ``Item``), exactly where botocore puts them.
    """

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 400
    service: ClassVar[str] = ""
    #: Default message when none is given (AWS's usual wording for the code).
    default_message: ClassVar[str] = ""
    #: The JSON ``__type`` prefix for the JSON protocols (``com.amazonaws.dynamodb.v20120810#``).
    type_prefix: ClassVar[str] = ""

    def __init__(self, message: str | None = None, /, **extra: Any) -> None:
        self.message = self.default_message if message is None else message
        self.extra = extra
        #: Filled in by clients with the operation name, as botocore does.
        self.operation_name: str | None = None
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.operation_name:
            return (
                f"An error occurred ({self.code}) when calling the {self.operation_name} "
                f"operation: {self.message}"
            )
        return f"An error occurred ({self.code}): {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    @property
    def response(self) -> dict[str, Any]:
        """The error as botocore's ``ClientError.response`` shapes it."""
        body: dict[str, Any] = {"Error": {"Code": self.code, "Message": self.message}}
        body.update(self.extra)
        body["ResponseMetadata"] = {"HTTPStatusCode": self.status, "RetryAttempts": 0}
        return body

    def wire_body(self) -> dict[str, Any]:
        """The error as the AWS JSON protocols put it on the wire."""
        body: dict[str, Any] = {"__type": self.type_prefix + self.code, "message": self.message}
        body.update(self.extra)
        return body


def error_class(
    code: str,
    *,
    service: str,
    status: int = 400,
    message: str = "",
    base: type[AWSError] = AWSError,
    type_prefix: str = "",
) -> type[AWSError]:
    """Make the error class for one AWS error code (used by each service's ``errors`` module)."""
    return type(
        code,
        (base,),
        {
            "code": code,
            "status": status,
            "service": service,
            "default_message": message,
            "type_prefix": type_prefix,
            "__doc__": f"AWS {service} error ``{code}`` (HTTP {status}).",
        },
    )


class ValidationError(AWSError):
    """A request that fails validation (generic, for services whose code is ``ValidationError``)."""

    code = "ValidationError"
