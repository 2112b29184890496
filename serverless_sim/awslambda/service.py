"""AWS Lambda of one Cloud: functions, versions, aliases, concurrency, invocations.

Wire operations live in one mixin per concept: the control plane in :mod:`.functions_api`,
versions in :mod:`.versions`, aliases in :mod:`.aliases`, concurrency in :mod:`.concurrency`,
provisioned concurrency in :mod:`.provisioned`, ``Invoke`` and the invoke path in :mod:`.invoke`;
the asynchronous queue in :mod:`.async_invoke` (its settings in :mod:`.event_invoke_config`, the
DLQ in :mod:`.dead_letter`, destinations in :mod:`.destinations`); event source mappings in
:mod:`.esm`; the Pythonic API in :mod:`.native`. Tunables:
:class:`~.config.LambdaConfig` (``Lambda(cloud, config=...)`` or ``lam.config``, changeable at
any time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import Service
from .aliases import AliasOps
from .async_invoke import AsyncQueue
from .concurrency import ConcurrencyOps
from .config import LambdaConfig
from .dead_letter import DeadLetterOps
from .esm import EventSourceMappingOps
from .event_invoke_config import EventInvokeConfig, EventInvokeConfigOps
from .errors import ERRORS
from .functions import Function
from .functions_api import FunctionOps
from .invoke import Invocation, InvokeEngine
from .native import NativeAPI
from .provisioned import ProvisionedOps
from .reporting import FunctionMetrics, SeriesCache, dims
from .versions import VersionOps

if TYPE_CHECKING:
    from ..cloud import Cloud


class Lambda(DeadLetterOps, EventInvokeConfigOps, EventSourceMappingOps, FunctionOps, VersionOps, AliasOps,
             ConcurrencyOps, ProvisionedOps, InvokeEngine, NativeAPI, Service):
    """AWS Lambda (https://docs.aws.amazon.com/lambda/latest/api/)."""

    service_name = "lambda"
    errors = ERRORS
    #: The asynchronous queue's class (a subclass adds retries, DLQ and destinations).
    async_queue_class: type[AsyncQueue] = AsyncQueue

    def __init__(self, cloud: "Cloud", config: LambdaConfig | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else LambdaConfig()
        #: Functions by name.
        self.functions: dict[str, Function] = {}
        # Account-wide concurrency accounting (see .concurrency).
        self._reserved_total = 0
        self._unreserved_usage = 0
        self._in_flight = 0
        self._series = SeriesCache(cloud.metrics)
        # Asynchronous settings by (function, qualifier), DLQ ARNs by (function, version), and
        # event source mappings by UUID (see .event_invoke_config, .dead_letter, .esm).
        self._eic: dict[tuple[str, str], EventInvokeConfig] = {}
        self._dlq: dict[tuple[str, str], str] = {}
        self._esms: dict[str, Any] = {}
        self._async = self.async_queue_class(self)
        self._day_cache: tuple[int, str] = (-1, "")
        self._billing_retired_pc_mb_us = 0

    @property
    def async_queue(self) -> AsyncQueue:
        return self._async

    @property
    def concurrent_executions(self) -> int:
        """Requests being served right now, account-wide."""
        return self._in_flight

    def _function_metrics(self, fn: Function) -> FunctionMetrics:
        fn.metrics = FunctionMetrics(self._series, fn.name, self.config.duration_percentiles)
        return fn.metrics  # type: ignore[no-any-return]

    def _resource_metrics(self, inv: Invocation, now_us: int) -> None:
        fn = inv.function
        res = f"{fn.name}:{inv.resource}"
        get = self._series.get
        targets = [dims(FunctionName=fn.name, Resource=res)]
        if inv.resource is not None and not inv.resource.isdigit() and inv.resource != "$LATEST":
            targets.append(dims(FunctionName=fn.name, Resource=res, ExecutedVersion=inv.version.version))
        ms = inv.duration_us / 1000
        for d in targets:
            get("Invocations", d).add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
            get("Duration", d, "Milliseconds").add_statistic_set(now_us, 1, ms, ms, ms)
            if inv.error is not None:
                get("Errors", d).add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
            if inv.spillover:
                get("ProvisionedConcurrencySpilloverInvocations", d).add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)

    def __repr__(self) -> str:
        return f"<Lambda {len(self.functions)} functions, {self._in_flight} in flight>"


__all__ = ["Lambda"]
