"""Concurrency: the account pool, reserved concurrency, the scaling rate, throttling.

Modelled (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html,
https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html):

- **Concurrency** is the number of requests being served at once (busy environments). Idle warm
  environments hold none.
- **Account pool**: ``LambdaConfig.account_concurrency`` (AWS default 1,000 per Region). Functions
  without reserved concurrency share ``account - sum(reserved)``; above it a request is throttled
  with ``Reason: ConcurrentInvocationLimitExceeded``.
- **Reserved concurrency** is both the function's maximum and a guaranteed share, taken out of the
  pool; 0 throttles every invocation (``Reason: ReservedFunctionConcurrentInvocationLimitExceeded``).
  It can never leave the unreserved pool below ``min(100, account)``; AWS's error:
  "Specified ReservedConcurrentExecutions for function decreases account's
  UnreservedConcurrentExecution below its minimum value of [100]."
- **Provisioned concurrency** counts against the function's reserved concurrency (or the pool)
  whether busy or not, from allocation (:mod:`.provisioned`).
- **Scaling rate**: each function may create at most 1,000 new execution environments per 10 s,
  a token bucket refilled continuously and capped at 1,000 (unused rate does not accrue). A
  request that needs a new environment when the bucket is empty is throttled (429). AWS does not
  document the Reason for this throttle; ``ConcurrentInvocationLimitExceeded`` is used.

Not modelled: the requests-per-second quota (10 x concurrency) and burst quotas of the pre-2023
scaling model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from . import limits
from .errors import InvalidParameterValueException, TooManyRequestsException, validation_error
from .functions import Function
from .reporting import dims

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .config import LambdaConfig
    from .reporting import FunctionMetrics, SeriesCache


class ScalingThrottle(TooManyRequestsException):  # type: ignore[misc, valid-type]
    """A throttle caused by the per-function scaling rate (the async queue waits for a token)."""


class ConcurrencyOps:
    """Concurrency accounting and its wire operations (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _reserved_total: int
        _series: SeriesCache
        _unreserved_usage: int
        cloud: Cloud
        config: LambdaConfig
        functions: dict[str, Function]
        def _function_metrics(self, fn: Function) -> FunctionMetrics: ...
        def _function_unqualified(self, request: dict[str, Any]) -> Function: ...

    # -- accounting ---------------------------------------------------------------------------
    def _unreserved_capacity(self) -> int:
        return self.config.account_concurrency - self._reserved_total

    def _min_unreserved(self) -> int:
        return min(self.config.unreserved_min, self.config.account_concurrency)

    def _admit(self, fn: Function) -> str | None:
        """None if one more on-demand request may run now, else the throttle Reason. O(1)."""
        reserved = fn.reserved
        if reserved is not None:
            if fn.od_in_flight + fn.pc_allocated >= reserved:
                return "ReservedFunctionConcurrentInvocationLimitExceeded"
            return None
        if self._unreserved_usage >= self.config.account_concurrency - self._reserved_total:
            return "ConcurrentInvocationLimitExceeded"
        return None

    def _take_token(self, fn: Function, now_us: int) -> bool:
        """Take one new-environment token from the function's scaling bucket. O(1)."""
        cap = self.config.scaling_envs_per_window
        if cap is None:
            return True
        elapsed = now_us - fn.tokens_us
        if elapsed > 0:
            window_us = round(self.config.scaling_window_s * 1_000_000)
            fn.tokens_micro = min(cap * 1_000_000, fn.tokens_micro + elapsed * cap * 1_000_000 // window_us)
            fn.tokens_us = now_us
        if fn.tokens_micro >= 1_000_000:
            fn.tokens_micro -= 1_000_000
            return True
        return False

    def _next_token_us(self, fn: Function) -> int:
        """Microseconds until the scaling bucket holds one token again."""
        cap = self.config.scaling_envs_per_window or 1
        window_us = round(self.config.scaling_window_s * 1_000_000)
        missing = 1_000_000 - fn.tokens_micro
        return max(1, -(-missing * window_us // (cap * 1_000_000)))

    def _throttle(self, fn: Function, resource: str | None, reason: str, scaling: bool = False) -> None:
        fn.stats.throttles += 1
        now = self.cloud.clock.now_us
        m = fn.metrics if fn.metrics is not None else self._function_metrics(fn)
        m.throttle(now)
        if resource is not None:
            self._series.get("Throttles", dims(FunctionName=fn.name, Resource=f"{fn.name}:{resource}")).add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        self.cloud.trace.record("lambda", "throttle", function=fn.name, reason=reason)
        cls = ScalingThrottle if scaling else TooManyRequestsException
        raise cls("Rate Exceeded.", Reason=reason)

    def _set_reserved(self, fn: Function, value: int | None) -> None:
        old = fn.reserved
        if old is None:
            self._unreserved_usage -= fn.usage
        else:
            self._reserved_total -= old
        fn.reserved = value
        if value is None:
            self._unreserved_usage += fn.usage
        else:
            self._reserved_total += value

    # -- wire -----------------------------------------------------------------------------------
    @operation("PutFunctionConcurrency")
    def put_function_concurrency(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        value = request.get("ReservedConcurrentExecutions")
        if not isinstance(value, int) or isinstance(value, bool):
            raise validation_error(value, "reservedConcurrentExecutions", "Member must not be null")
        if value < 0:
            raise validation_error(value, "reservedConcurrentExecutions",
                                   "Member must have value greater than or equal to 0")
        others = self._reserved_total - (fn.reserved or 0)
        if self.config.account_concurrency - (others + value) < self._min_unreserved():
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self._min_unreserved()}]."
            )
        if value < fn.pc_allocated:
            raise InvalidParameterValueException(
                "Specified ReservedConcurrentExecutions for function is less than the function's "
                f"total provisioned concurrency [{fn.pc_allocated}]."
            )
        self._set_reserved(fn, value)
        return {"ReservedConcurrentExecutions": value}

    @operation("GetFunctionConcurrency")
    def get_function_concurrency(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        return {} if fn.reserved is None else {"ReservedConcurrentExecutions": fn.reserved}

    @operation("DeleteFunctionConcurrency")
    def delete_function_concurrency(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        if fn.reserved is not None:
            self._set_reserved(fn, None)
        return {}

    @operation("GetAccountSettings")
    def get_account_settings(self, request: dict[str, Any]) -> dict[str, Any]:
        total_code = sum(v.code_size for fn in self.functions.values() for v in fn.all_versions())
        return {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800,  # 75 GB [quotas]
                "CodeSizeUnzipped": limits.UNZIPPED_MAX_BYTES,
                "CodeSizeZipped": limits.ZIP_MAX_BYTES,
                "ConcurrentExecutions": self.config.account_concurrency,
                "UnreservedConcurrentExecutions": self._unreserved_capacity(),
            },
            "AccountUsage": {"TotalCodeSize": total_code, "FunctionCount": len(self.functions)},
        }
