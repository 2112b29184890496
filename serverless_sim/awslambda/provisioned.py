"""Provisioned concurrency: pre-initialised environments on a published version or an alias.

https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html

- ``PutProvisionedConcurrencyConfig`` on a version number or an alias (never ``$LATEST``:
  "Provisioned Concurrency Configs cannot be applied to unpublished function versions."). The
  requested environments are initialised at once (their Init runs now, init type
  ``provisioned-concurrency``, limit max(130 s, timeout)); the config is ``IN_PROGRESS`` until the
  slowest Init has finished (plus ``LambdaConfig.provisioned_allocation_delay_s``), then
  ``READY``. Requests through that qualifier use the provisioned environments first (no cold
  start); when all are busy they *spill over* to on-demand environments of the same version
  (metric ``ProvisionedConcurrencySpilloverInvocations``).
- Allocated provisioned concurrency counts against the function's reserved concurrency, or the
  unreserved pool, busy or not; it cannot exceed reserved concurrency, nor leave the pool below
  its minimum ("Specified ConcurrentExecutions for function decreases account's
  UnreservedConcurrentExecution below its minimum value of [100].").
- Billing: the configured concurrency x memory for the time it is enabled, rounded up to 5
  minutes per enablement (https://aws.amazon.com/lambda/pricing/), plus the duration of the
  invocations it serves at the provisioned duration price.

Not modelled: the periodic recycling of provisioned environments ("every few hours"), Application
Auto Scaling, allocation speed limits (all requested environments are initialised at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.clock import format_us
from ..kernel.service import operation
from .environments import IDLE, EnvironmentPool
from .errors import (
    InvalidParameterValueException,
    ProvisionedConcurrencyConfigNotFoundException,
    ResourceConflictException,
    validation_error,
)
from .functions import LATEST, Function, FunctionVersion

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .config import LambdaConfig
    from .environments import ExecutionEnvironment


class ProvisionedConfig:
    """One provisioned concurrency config (per qualifier)."""

    __slots__ = ("qualifier", "version", "requested", "status", "ready_us", "pool", "envs",
                 "last_modified", "enabled_us", "mb_us", "ready_handle")

    def __init__(self, qualifier: str, version: FunctionVersion, requested: int, now_us: int) -> None:
        self.qualifier = qualifier
        self.version = version
        self.requested = requested
        self.status = "IN_PROGRESS"
        self.ready_us = now_us
        self.pool = EnvironmentPool(version)
        self.envs: list[Any] = []
        self.last_modified = format_us(now_us)[:23] + "+0000"
        self.enabled_us = now_us
        self.mb_us = 0  # allocated MB x microseconds, billed
        self.ready_handle: Any = None

    @property
    def ready(self) -> bool:
        return self.status == "READY"

    def describe(self) -> dict[str, Any]:
        available = self.requested if self.ready else 0
        out = {
            "RequestedProvisionedConcurrentExecutions": self.requested,
            "AvailableProvisionedConcurrentExecutions": available,
            "AllocatedProvisionedConcurrentExecutions": available,
            "Status": self.status,
            "LastModified": self.last_modified,
        }
        return out

    def billed_mb_us(self, now_us: int) -> int:
        """MB x microseconds to bill up to now (enablement rounded up to 5 minutes)."""
        five_min = 300_000_000
        span = now_us - self.enabled_us
        span = -(-span // five_min) * five_min if span > 0 else five_min
        return self.mb_us + span * self.requested * self.version.memory


class ProvisionedOps:
    """Provisioned concurrency configs (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _billing_retired_pc_mb_us: int
        _unreserved_usage: int
        cloud: Cloud
        config: LambdaConfig
        def _alias_not_found(self, fn: Function, alias: str) -> Exception: ...
        def _function_unqualified(self, request: dict[str, Any]) -> Function: ...
        def _initialise(self, env: ExecutionEnvironment, start_us: int, limit_us: int,
                        capture: bool) -> tuple[int, dict[str, Any] | None, str, bool]: ...
        def _min_unreserved(self) -> int: ...
        def _new_environment(self, version: FunctionVersion, pool: EnvironmentPool,
                             init_type: str, now_us: int) -> ExecutionEnvironment: ...
        def _not_found(self, fn_or_name: Any, qualifier: str | None = None) -> Exception: ...
        def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]: ...
        def _shutdown(self, env: Any, why: str) -> None: ...
        def _unreserved_capacity(self) -> int: ...

    def _pc_target(self, fn: Function, qualifier: str) -> FunctionVersion:
        if qualifier == LATEST:
            raise InvalidParameterValueException(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
            )
        if qualifier.isdigit():
            version = fn.versions.get(qualifier)
            if version is None:
                raise self._not_found(fn, qualifier)
            return version
        alias = fn.aliases.get(qualifier)
        if alias is None:
            raise self._alias_not_found(fn, qualifier)
        if alias.weights:
            raise InvalidParameterValueException("Alias with weights can not be used with Provisioned Concurrency")
        if alias.function_version == LATEST:
            raise InvalidParameterValueException(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
            )
        return alias.primary

    def _drop_pc(self, fn: Function, pc: ProvisionedConfig) -> None:
        now = self.cloud.clock.now_us
        if pc.ready_handle is not None:
            self.cloud.cancel(pc.ready_handle)
        self._billing_retired_pc_mb_us += pc.billed_mb_us(now)
        fn.provisioned.pop(pc.qualifier, None)
        if fn.reserved is None:
            self._unreserved_usage -= pc.requested
        fn.pc_allocated -= pc.requested
        for env in pc.envs:
            if env.state == IDLE:
                pc.pool.remove_idle(env)
                self._shutdown(env, "provisioned concurrency removed")
            else:
                env.doomed = True  # still serving; shut down when released

    @operation("PutProvisionedConcurrencyConfig")
    def put_provisioned_concurrency_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        qualifier = request.get("Qualifier")
        if not isinstance(qualifier, str) or not qualifier:
            raise validation_error(qualifier, "qualifier", "Member must not be null")
        count = request.get("ProvisionedConcurrentExecutions")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise validation_error(count, "provisionedConcurrentExecutions",
                                   "Member must have value greater than or equal to 1")
        version = self._pc_target(fn, qualifier)
        if version.snapstart:
            raise InvalidParameterValueException(
                "Provisioned Concurrency is not supported for function versions with SnapStart enabled."
            )
        for other in fn.provisioned.values():
            if other.qualifier != qualifier and other.version is version:
                raise ResourceConflictException(
                    f"Alias or version {other.qualifier} already has provisioned concurrency configured "
                    f"for version {version.version}."
                )
        old = fn.provisioned.get(qualifier)
        old_count = old.requested if old is not None else 0
        new_total = fn.pc_allocated - old_count + count
        if fn.reserved is not None:
            if new_total > fn.reserved:
                raise InvalidParameterValueException(
                    "Requested Provisioned Concurrency should not be greater than the "
                    "reservedConcurrentExecution for function"
                )
        else:
            unreserved_left = self._unreserved_capacity() - (new_total - fn.pc_allocated)
            if unreserved_left < self._min_unreserved() or \
                    self._unreserved_usage - old_count + count > self._unreserved_capacity():
                raise InvalidParameterValueException(
                    "Specified ConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{self._min_unreserved()}]."
                )
        if old is not None:
            self._drop_pc(fn, old)
        now = self.cloud.clock.now_us
        pc = ProvisionedConfig(qualifier, version, count, now)
        fn.provisioned[qualifier] = pc
        fn.pc_allocated += count
        if fn.reserved is None:
            self._unreserved_usage += count
        limit_us = max(130, version.timeout) * 1_000_000
        slowest = 0
        for _ in range(count):
            env = self._new_environment(version, pc.pool, "provisioned-concurrency", now)
            init_us, err, _output, timed_out = self._initialise(env, now, limit_us, False)
            if err is not None or timed_out:
                pc.status = "FAILED"
                self._shutdown(env, "init failed")
                continue
            env.init_us = init_us
            slowest = max(slowest, init_us)
            env.state = IDLE
            pc.envs.append(env)
            pc.pool.put(env)
        if pc.status != "FAILED":
            delay = round(self.config.provisioned_allocation_delay_s * 1_000_000) + slowest
            pc.ready_us = now + delay
            pc.ready_handle = self.cloud.scheduler.call_at_us(pc.ready_us, self._pc_ready, pc)
        self.cloud.trace.record("lambda", "provisioned_concurrency", function=fn.name, qualifier=qualifier,
                                requested=count)
        out = pc.describe()
        out.pop("LastModified", None)
        if pc.status == "FAILED":
            out["StatusReason"] = "FUNCTION_ERROR_INIT_FAILURE"
        return out

    def _pc_ready(self, pc: ProvisionedConfig) -> None:
        pc.ready_handle = None
        pc.status = "READY"

    @operation("GetProvisionedConcurrencyConfig")
    def get_provisioned_concurrency_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        qualifier = request.get("Qualifier")
        if not isinstance(qualifier, str) or not qualifier:
            raise validation_error(qualifier, "qualifier", "Member must not be null")
        pc = fn.provisioned.get(qualifier)
        if pc is None:
            if qualifier != LATEST and not qualifier.isdigit() and qualifier not in fn.aliases:
                raise self._alias_not_found(fn, qualifier)
            raise ProvisionedConcurrencyConfigNotFoundException(
                "No Provisioned Concurrency Config found for this function"
            )
        return pc.describe()

    @operation("DeleteProvisionedConcurrencyConfig")
    def delete_provisioned_concurrency_config(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        qualifier = request.get("Qualifier")
        if not isinstance(qualifier, str) or not qualifier:
            raise validation_error(qualifier, "qualifier", "Member must not be null")
        pc = fn.provisioned.get(qualifier)
        if pc is None:
            if qualifier != LATEST and not qualifier.isdigit() and qualifier not in fn.aliases:
                raise self._alias_not_found(fn, qualifier)
            raise ProvisionedConcurrencyConfigNotFoundException(
                "No Provisioned Concurrency Config found for this function"
            )
        self._drop_pc(fn, pc)
        return {}

    @operation("ListProvisionedConcurrencyConfigs")
    def list_provisioned_concurrency_configs(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        items = []
        for q in sorted(fn.provisioned):
            pc = fn.provisioned[q]
            item = {"FunctionArn": f"{fn.arn}:{q}"}
            item.update(pc.describe())
            items.append(item)
        return self._paginate(items, request, "ProvisionedConcurrencyConfigs")
