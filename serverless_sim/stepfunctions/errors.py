"""Step Functions' errors: the API's error codes (one class each) and the ASL runtime errors.

API errors (``InvalidDefinition``, ``ExecutionAlreadyExists``...) are what a wire operation
raises; their codes and HTTP statuses come from the service model (botocore's
``stepfunctions/2016-11-23/service-2.json``). ASL runtime errors (``States.Runtime``,
``States.TaskFailed``, a Lambda function's ``errorType``...) are not API errors: they happen
inside an execution and are represented by :class:`StatesError`, which carries the ASL error
name and cause that Retry/Catch match on and that end up in the execution's history.
"""

from __future__ import annotations

from typing import Any

from ..kernel.errors import AWSError


class StepFunctionsError(AWSError):
    """Base of Step Functions' API errors."""

    service = "stepfunctions"


def _make(code: str, message: str = "", status: int = 400) -> type[StepFunctionsError]:
    return type(
        code,
        (StepFunctionsError,),
        {
            "code": code,
            "status": status,
            "default_message": message,
            "__doc__": f"Step Functions API error ``{code}`` (HTTP {status}).",
            "__module__": __name__,
        },
    )


ActivityAlreadyExists = _make("ActivityAlreadyExists")
ActivityDoesNotExist = _make("ActivityDoesNotExist")
ActivityLimitExceeded = _make("ActivityLimitExceeded")
ConflictException = _make("ConflictException")
ExecutionAlreadyExists = _make("ExecutionAlreadyExists")
ExecutionDoesNotExist = _make("ExecutionDoesNotExist")
ExecutionLimitExceeded = _make("ExecutionLimitExceeded")
ExecutionNotRedrivable = _make("ExecutionNotRedrivable")
InvalidArn = _make("InvalidArn")
InvalidDefinition = _make("InvalidDefinition")
InvalidExecutionInput = _make("InvalidExecutionInput")
InvalidLoggingConfiguration = _make("InvalidLoggingConfiguration")
InvalidName = _make("InvalidName")
InvalidOutput = _make("InvalidOutput")
InvalidToken = _make("InvalidToken")
MissingRequiredParameter = _make("MissingRequiredParameter")
ResourceNotFound = _make("ResourceNotFound")
StateMachineAlreadyExists = _make("StateMachineAlreadyExists")
StateMachineDeleting = _make("StateMachineDeleting")
StateMachineDoesNotExist = _make("StateMachineDoesNotExist")
StateMachineTypeNotSupported = _make("StateMachineTypeNotSupported")
TaskDoesNotExist = _make("TaskDoesNotExist")
TaskTimedOut = _make("TaskTimedOut")
TooManyTags = _make("TooManyTags")
ValidationException = _make("ValidationException")

#: Every API error class by code (``client.exceptions.<Code>``).
ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls
    for cls in (
        ActivityAlreadyExists, ActivityDoesNotExist, ActivityLimitExceeded, ConflictException,
        ExecutionAlreadyExists, ExecutionDoesNotExist, ExecutionLimitExceeded,
        ExecutionNotRedrivable, InvalidArn, InvalidDefinition, InvalidExecutionInput,
        InvalidLoggingConfiguration, InvalidName, InvalidOutput, InvalidToken,
        MissingRequiredParameter, ResourceNotFound, StateMachineAlreadyExists,
        StateMachineDeleting, StateMachineDoesNotExist, StateMachineTypeNotSupported,
        TaskDoesNotExist, TaskTimedOut, TooManyTags, ValidationException,
    )
}


class StatesError(Exception):
    """An error inside an execution: an ASL error name (``States.Runtime``, ``Lambda.Unknown``,
    a function's ``errorType``...) and its cause (a string, possibly JSON).

    Retriers and catchers match ``error``; an uncaught one fails the execution with both.
    """

    __slots__ = ("error", "cause")

    def __init__(self, error: str, cause: str | None = "") -> None:
        self.error = error
        self.cause = cause
        super().__init__(f"{error}: {cause}")

    def __repr__(self) -> str:
        return f"StatesError({self.error!r}, {self.cause!r})"

    def output(self) -> dict[str, Any]:
        """The error output a Catch hands on: ``{"Error": ..., "Cause": ...}``."""
        if self.cause is None:
            return {"Error": self.error}
        return {"Error": self.error, "Cause": self.cause}


#: ASL errors that ``States.ALL`` does not match (DG: concepts-error-handling: "States.ALL ...
#: does not catch States.DataLimitExceeded or States.Runtime"), and that no retrier or catcher
#: can handle (observed on AWS: an explicit States.Runtime catcher does not catch either).
UNCATCHABLE = frozenset({"States.Runtime", "States.DataLimitExceeded"})


def runtime(message: str) -> StatesError:
    """A ``States.Runtime`` error; the state's prefix is added by the execution."""
    return StatesError("States.Runtime", message)


class PathError(Exception):
    """Internal: a JSONPath expression could not be parsed or applied."""


class PathNotFound(PathError):
    """Internal: a definite JSONPath matched nothing."""

    def __init__(self, path: str, jayway: str) -> None:
        self.path = path
        #: Jayway-style rendering of the path, as AWS's messages quote it (``$['a']['b']``).
        self.jayway = jayway
        super().__init__(f"No results for path: {jayway}")
