"""The function's dead-letter queue: ``DeadLetterConfig`` (``TargetArn`` an SQS queue or SNS topic).

https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq,
https://docs.aws.amazon.com/lambda/latest/api/API_DeadLetterConfig.html

``DeadLetterConfig`` is part of a version's configuration: set by ``CreateFunction`` /
``UpdateFunctionConfiguration`` on ``$LATEST`` (``TargetArn: ""`` removes it), frozen into a
version by ``PublishVersion``, shown by ``GetFunction(Configuration)``. An asynchronous event
that fails for good (retries exhausted, too old, or reserved concurrency 0) is sent there *as
the original event* with the message attributes ``RequestID`` (String), ``ErrorCode`` (Number,
the HTTP status of the last attempt: 200 for a function error, 429 for a throttle) and
``ErrorMessage`` (String, the first 1 KB of the error message) - the delivery itself is in
:mod:`.destinations`.

This mixin wraps the control-plane operations of :mod:`.functions_api` (it comes first in the
service's bases) rather than changing them: the DLQ lives in a side table keyed by
``(function, version)``. Deviations: ``ListFunctions`` does not show ``DeadLetterConfig``;
publishing when only the DLQ changed returns the previous version (the DLQ is not part of the
"unchanged since the last version" check); the execution role's permissions are not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import InvalidParameterValueException, validation_error
from .event_invoke_config import arn_service
from .functions import LATEST, Function, FunctionVersion

if TYPE_CHECKING:
    from .event_invoke_config import EventInvokeConfig


def check_dead_letter(config: Any) -> str | None:
    """The TargetArn of a ``DeadLetterConfig`` ("" or None: no DLQ)."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise validation_error(config, "deadLetterConfig", "Member must be a structure")
    arn = config.get("TargetArn")
    if arn in (None, ""):
        return None
    if arn_service(arn) not in ("sqs", "sns"):
        raise InvalidParameterValueException(
            f"The provided target arn is invalid: {arn}. The target arn must be an SQS queue or an SNS topic."
        )
    return str(arn)


class DeadLetterOps:
    """``DeadLetterConfig`` on functions (mixed into :class:`~.service.Lambda`, before FunctionOps)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _dlq: dict[tuple[str, str], str]
        _eic: dict[tuple[str, str], EventInvokeConfig]
        functions: dict[str, Function]
        def _drop_event_invoke_configs(self, fn: Function) -> None: ...
        def _drop_event_source_mappings(self, fn: Function) -> None: ...
        def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]: ...
        def function(self, name: str) -> Function: ...

    def dead_letter_arn(self, version: FunctionVersion) -> str | None:
        """The DLQ of a version (``$LATEST`` or published). O(1)."""
        return self._dlq.get((version.function.name, version.version))

    def _with_dlq(self, fn: Function, response: dict[str, Any]) -> dict[str, Any]:
        arn = self._dlq.get((fn.name, response.get("Version", LATEST)))
        if arn:
            response["DeadLetterConfig"] = {"TargetArn": arn}
        return response

    @operation("CreateFunction")
    def create_function(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = check_dead_letter(request.get("DeadLetterConfig"))
        rest = {k: v for k, v in request.items() if k != "DeadLetterConfig"}
        response = super().create_function(rest)  # type: ignore[misc]
        fn = self.functions[response["FunctionName"]]
        if arn:
            self._dlq[(fn.name, LATEST)] = arn
            self._dlq[(fn.name, response["Version"])] = arn
        return self._with_dlq(fn, response)

    @operation("UpdateFunctionConfiguration")
    def update_function_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        has = "DeadLetterConfig" in request
        arn = check_dead_letter(request.get("DeadLetterConfig")) if has else None
        rest = {k: v for k, v in request.items() if k != "DeadLetterConfig"}
        response = super().update_function_configuration(rest)  # type: ignore[misc]
        fn = self.functions[response["FunctionName"]]
        if has:
            if arn:
                self._dlq[(fn.name, LATEST)] = arn
            else:
                self._dlq.pop((fn.name, LATEST), None)
        return self._with_dlq(fn, response)

    @operation("GetFunctionConfiguration")
    def get_function_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().get_function_configuration(request)  # type: ignore[misc]
        return self._with_dlq(self.functions[response["FunctionName"]], response)

    @operation("GetFunction")
    def get_function(self, request: dict[str, Any]) -> dict[str, Any]:
        response = super().get_function(request)  # type: ignore[misc]
        cfg = response["Configuration"]
        self._with_dlq(self.functions[cfg["FunctionName"]], cfg)
        return response

    @operation("DeleteFunction")
    def delete_function(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        response = super().delete_function(request)  # type: ignore[misc]
        if qualifier is None:
            for key in [k for k in self._dlq if k[0] == fn.name]:
                del self._dlq[key]
            self._drop_event_invoke_configs(fn)
            self._drop_event_source_mappings(fn)
        else:
            self._dlq.pop((fn.name, qualifier), None)
            self._eic.pop((fn.name, qualifier), None)
        return response

    def _publish(self, fn: Function, description: str) -> FunctionVersion:
        before = fn.next_version
        version = super()._publish(fn, description)  # type: ignore[misc]
        if fn.next_version != before:
            arn = self._dlq.get((fn.name, LATEST))
            if arn:
                self._dlq[(fn.name, version.version)] = arn
        return version  # type: ignore[no-any-return]

    def set_dead_letter(self, name: str, target_arn: str | None) -> None:
        """``UpdateFunctionConfiguration(DeadLetterConfig={"TargetArn": ...})`` natively
        (``$LATEST``; None removes it). Does not replace ``$LATEST`` (environments stay warm)."""
        fn = self.function(name)
        arn = check_dead_letter({"TargetArn": target_arn or ""})
        if arn:
            self._dlq[(fn.name, LATEST)] = arn
        else:
            self._dlq.pop((fn.name, LATEST), None)


__all__ = ["DeadLetterOps", "check_dead_letter"]
