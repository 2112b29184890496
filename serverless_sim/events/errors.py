"""EventBridge's and EventBridge Scheduler's error codes, one class each.

Sources: the ``Errors`` of each action in
https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html and
https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html; messages as AWS
returns them (quoted in the classes that use them).
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class EventBridgeError(AWSError):
    """Base of EventBridge's errors."""

    service = "events"


class ValidationException(EventBridgeError):
    code = "ValidationException"


class ResourceNotFoundException(EventBridgeError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(EventBridgeError):
    code = "ResourceAlreadyExistsException"


class InvalidEventPatternException(EventBridgeError):
    code = "InvalidEventPatternException"


class LimitExceededException(EventBridgeError):
    code = "LimitExceededException"


class IllegalStatusException(EventBridgeError):
    code = "IllegalStatusException"


class InvalidStateException(EventBridgeError):
    code = "InvalidStateException"


class ManagedRuleException(EventBridgeError):
    code = "ManagedRuleException"


ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls
    for cls in (
        ValidationException,
        ResourceNotFoundException,
        ResourceAlreadyExistsException,
        InvalidEventPatternException,
        LimitExceededException,
        IllegalStatusException,
        InvalidStateException,
        ManagedRuleException,
    )
}


class SchedulerError(AWSError):
    """Base of EventBridge Scheduler's errors."""

    service = "scheduler"


class SchedulerValidationException(SchedulerError):
    code = "ValidationException"


class SchedulerResourceNotFoundException(SchedulerError):
    code = "ResourceNotFoundException"
    status = 404


class ConflictException(SchedulerError):
    code = "ConflictException"
    status = 409


class ServiceQuotaExceededException(SchedulerError):
    code = "ServiceQuotaExceededException"
    status = 402


SCHEDULER_ERRORS: dict[str, type[AWSError]] = {
    "ValidationException": SchedulerValidationException,
    "ResourceNotFoundException": SchedulerResourceNotFoundException,
    "ConflictException": ConflictException,
    "ServiceQuotaExceededException": ServiceQuotaExceededException,
}
