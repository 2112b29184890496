"""Asynchronous invocation settings: ``Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s)``.

https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html,
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html

One configuration per function version or alias (``$LATEST`` when the FunctionName is
unqualified): ``MaximumRetryAttempts`` (0-2, default 2), ``MaximumEventAgeInSeconds``
(60-21,600, default 21,600) and ``DestinationConfig`` (``OnSuccess`` / ``OnFailure``, each an
SQS queue, SNS topic, Lambda function or EventBridge bus ARN). ``Put`` replaces the whole
configuration, ``Update`` changes only the members given. An asynchronous event uses the
configuration of the qualifier it was invoked through (an alias's own, not its version's).

Deviations: destination ARNs are checked by shape (service) only, not for existence or
permissions (a missing destination shows at delivery, as ``DestinationDeliveryFailures``); the
exact wording of AWS's "invalid destination" error is not documented and is approximated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from . import limits
from .errors import InvalidParameterValueException, ResourceNotFoundException, validation_error
from .functions import LATEST, Function

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .functions import FunctionVersion

#: Services a destination may be (``arn:aws:<service>:...``).
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")


@attrs.frozen
class EventInvokeConfig:
    """The asynchronous settings of one function version or alias."""

    function: str
    qualifier: str
    function_arn: str
    max_retries: int | None = None
    max_age_s: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified_us: int = 0

    @property
    def retries(self) -> int:
        return limits.ASYNC_MAX_RETRIES_DEFAULT if self.max_retries is None else self.max_retries

    @property
    def age_s(self) -> int:
        return limits.ASYNC_MAX_EVENT_AGE_MAX_S if self.max_age_s is None else self.max_age_s

    def describe(self) -> dict[str, Any]:
        # AWS reports it to the millisecond (as the wire form, epoch seconds with 3 decimals).
        out: dict[str, Any] = {"LastModified": us_to_datetime(self.last_modified_us // 1000 * 1000),
                               "FunctionArn": self.function_arn}
        if self.max_retries is not None:
            out["MaximumRetryAttempts"] = self.max_retries
        if self.max_age_s is not None:
            out["MaximumEventAgeInSeconds"] = self.max_age_s
        dest: dict[str, Any] = {}
        dest["OnSuccess"] = {"Destination": self.on_success} if self.on_success else {}
        dest["OnFailure"] = {"Destination": self.on_failure} if self.on_failure else {}
        out["DestinationConfig"] = dest
        return out


#: Defaults for a function with no configuration.
DEFAULT_CONFIG = EventInvokeConfig("", LATEST, "")


def arn_service(arn: str) -> str:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[2] if len(parts) >= 6 and parts[0] == "arn" else ""


def _check_destination(dest: Any, which: str) -> str | None:
    if dest is None:
        return None
    if not isinstance(dest, dict):
        raise validation_error(dest, f"destinationConfig.{which}", "Member must be a structure")
    arn = dest.get("Destination")
    if arn in (None, ""):
        return None
    if arn_service(arn) not in DESTINATION_SERVICES:
        raise InvalidParameterValueException(
            f"The provided destination config DestinationConfig({which}=Destination({arn})) is invalid."
        )
    return str(arn)


def _check_int(value: Any, member: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise validation_error(value, member, "Member must not be null")
    if value < low:
        raise validation_error(value, member, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise validation_error(value, member, f"Member must have value less than or equal to {high}")
    return value


class EventInvokeConfigOps:
    """EventInvokeConfig wire operations and lookup (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _eic: dict[tuple[str, str], EventInvokeConfig]
        cloud: Cloud
        def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]: ...
        def _function_unqualified(self, request: dict[str, Any]) -> Function: ...
        def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]: ...
        def _version_of(self, fn: Function, qualifier: str | None) -> FunctionVersion: ...
        def function(self, name: str) -> Function: ...

    def _eic_target(self, request: dict[str, Any]) -> tuple[Function, str]:
        fn, qualifier = self._function_from_request(request)
        q = qualifier or LATEST
        self._version_of(fn, q)  # validates the version or alias (ResourceNotFoundException)
        return fn, q

    def event_invoke_config(self, fn: Function, qualifier: str | None) -> EventInvokeConfig:
        """The configuration an asynchronous event invoked through ``qualifier`` uses. O(1)."""
        return self._eic.get((fn.name, qualifier or LATEST), DEFAULT_CONFIG)

    def _eic_not_found(self, fn: Function, q: str) -> Exception:
        return ResourceNotFoundException(f"The function {fn.arn}:{q} doesn't have an EventInvokeConfig")

    def _eic_apply(self, request: dict[str, Any], base: EventInvokeConfig | None) -> dict[str, Any]:
        fn, q = self._eic_target(request)
        changes: dict[str, Any] = {}
        if request.get("MaximumRetryAttempts") is not None:
            changes["max_retries"] = _check_int(request["MaximumRetryAttempts"], "maximumRetryAttempts", 0,
                                                limits.ASYNC_MAX_RETRIES_MAX)
        if request.get("MaximumEventAgeInSeconds") is not None:
            changes["max_age_s"] = _check_int(request["MaximumEventAgeInSeconds"], "maximumEventAgeInSeconds",
                                              limits.ASYNC_MAX_EVENT_AGE_MIN_S, limits.ASYNC_MAX_EVENT_AGE_MAX_S)
        dest = request.get("DestinationConfig")
        if dest is not None:
            if not isinstance(dest, dict):
                raise validation_error(dest, "destinationConfig", "Member must be a structure")
            if "OnSuccess" in dest:
                changes["on_success"] = _check_destination(dest["OnSuccess"], "OnSuccess")
            if "OnFailure" in dest:
                changes["on_failure"] = _check_destination(dest["OnFailure"], "OnFailure")
        if base is None:
            base = EventInvokeConfig(fn.name, q, f"{fn.arn}:{q}")
        cfg = attrs.evolve(base, last_modified_us=self.cloud.clock.now_us, **changes)
        self._eic[(fn.name, q)] = cfg
        return cfg.describe()

    @operation("PutFunctionEventInvokeConfig")
    def put_function_event_invoke_config(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._eic_apply(request, None)

    @operation("UpdateFunctionEventInvokeConfig")
    def update_function_event_invoke_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, q = self._eic_target(request)
        return self._eic_apply(request, self._eic.get((fn.name, q)))

    @operation("GetFunctionEventInvokeConfig")
    def get_function_event_invoke_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, q = self._eic_target(request)
        cfg = self._eic.get((fn.name, q))
        if cfg is None:
            raise self._eic_not_found(fn, q)
        return cfg.describe()

    @operation("DeleteFunctionEventInvokeConfig")
    def delete_function_event_invoke_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, q = self._eic_target(request)
        if self._eic.pop((fn.name, q), None) is None:
            raise self._eic_not_found(fn, q)
        return {}

    @operation("ListFunctionEventInvokeConfigs")
    def list_function_event_invoke_configs(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        mine = [c for (name, _q), c in self._eic.items() if name == fn.name]
        mine.sort(key=lambda c: (c.qualifier != LATEST, not c.qualifier.isdigit(),
                                 int(c.qualifier) if c.qualifier.isdigit() else 0, c.qualifier))
        max_items = request.get("MaxItems", 50)
        if not isinstance(max_items, int) or not 1 <= max_items <= 50:
            raise validation_error(max_items, "maxItems", "Member must have value between 1 and 50")
        out = self._paginate([c.describe() for c in mine], {**request, "MaxItems": max_items},
                             "FunctionEventInvokeConfigs")
        return out

    # -- native ----------------------------------------------------------------------------------
    def configure_async(self, name: str, *, qualifier: str | None = None,
                        max_retries: int | None = None, max_event_age: int | None = None,
                        on_success: str | None = None, on_failure: str | None = None) -> EventInvokeConfig:
        """``PutFunctionEventInvokeConfig`` natively (same validation); returns the config."""
        request: dict[str, Any] = {"FunctionName": name}
        if qualifier is not None:
            request["Qualifier"] = qualifier
        if max_retries is not None:
            request["MaximumRetryAttempts"] = max_retries
        if max_event_age is not None:
            request["MaximumEventAgeInSeconds"] = max_event_age
        request["DestinationConfig"] = {"OnSuccess": {"Destination": on_success} if on_success else {},
                                        "OnFailure": {"Destination": on_failure} if on_failure else {}}
        self.put_function_event_invoke_config(request)
        fn = self.function(name)
        return self._eic[(fn.name, qualifier or LATEST)]

    def _drop_event_invoke_configs(self, fn: Function) -> None:
        for key in [k for k in self._eic if k[0] == fn.name]:
            del self._eic[key]


__all__ = ["EventInvokeConfig", "EventInvokeConfigOps", "DEFAULT_CONFIG", "arn_service"]
