"""API Gateway's control-plane error codes, one class each, with AWS's wording and HTTP status.

Statuses come from the service models (botocore ``apigateway/2015-07-09``,
``apigatewayv2/2018-11-29`` and ``apigatewaymanagementapi/2018-11-29``, each error shape's
``httpStatusCode``). The REST-JSON error body carries ``message``; botocore puts it in
``ClientError.response["Error"]["Message"]``.

Errors of the *data plane* (what a client of a deployed API sees: 403 Missing Authentication
Token, 429 Too Many Requests...) are not exceptions but responses: see :mod:`.responses`.
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class APIGatewayError(AWSError):
    """Base of API Gateway's errors."""

    service = "apigateway"


def _make(code: str, status: int, message: str = "") -> type[APIGatewayError]:
    return type(code, (APIGatewayError,), {
        "code": code, "status": status, "default_message": message,
        "__doc__": f"API Gateway error ``{code}`` (HTTP {status}).",
    })


BadRequestException = _make("BadRequestException", 400)
ConflictException = _make("ConflictException", 409)
LimitExceededException = _make("LimitExceededException", 429)
NotFoundException = _make("NotFoundException", 404)
TooManyRequestsException = _make("TooManyRequestsException", 429)
UnauthorizedException = _make("UnauthorizedException", 401)
ServiceUnavailableException = _make("ServiceUnavailableException", 503)
AccessDeniedException = _make("AccessDeniedException", 403)
# apigatewaymanagementapi
GoneException = _make("GoneException", 410)
ForbiddenException = _make("ForbiddenException", 403)
PayloadTooLargeException = _make("PayloadTooLargeException", 413)

ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls
    for cls in (
        BadRequestException, ConflictException, LimitExceededException, NotFoundException,
        TooManyRequestsException, UnauthorizedException, ServiceUnavailableException,
        AccessDeniedException,
    )
}
MANAGEMENT_ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls for cls in (GoneException, LimitExceededException, ForbiddenException, PayloadTooLargeException)
}

__all__ = [
    "APIGatewayError", "AccessDeniedException", "BadRequestException", "ConflictException", "ERRORS",
    "ForbiddenException", "GoneException", "LimitExceededException", "MANAGEMENT_ERRORS", "NotFoundException",
    "PayloadTooLargeException", "ServiceUnavailableException", "TooManyRequestsException",
    "UnauthorizedException",
]
