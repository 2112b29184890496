"""Tunable parameters of the simulated Lambda service (``cloud.service("lambda").config``).

Defaults are AWS's documented numbers (:mod:`.limits`) where AWS documents one, and stated
assumptions where it does not (idle reclaim, init and restore durations, memory used).
"""

from __future__ import annotations

import attrs

from . import limits
from .durations import InitModel, RestoreModel


@attrs.define
class LambdaConfig:
    #: Account concurrency quota per Region (AWS default 1,000; raise or lower it freely).
    account_concurrency: int = limits.ACCOUNT_CONCURRENCY_DEFAULT
    #: Concurrency that reserved concurrency can never take (AWS: 100, or the quota if lower).
    unreserved_min: int = limits.UNRESERVED_MIN
    #: Which idle environment a request takes (AWS documents none): ``"mru"`` the most recently
    #: used (default), ``"newest"`` the most recently created (SimFaaS's assumption).
    warm_selection: str = attrs.field(default="mru", validator=attrs.validators.in_(("mru", "newest")))
    #: Idle time after which a warm environment is reclaimed (undocumented; ~10 min observed).
    idle_reclaim_s: float = limits.IDLE_RECLAIM_DEFAULT_S
    #: Per-function scaling rate: this many new environments per ``scaling_window_s``, refilled
    #: continuously, bucket capped at that many. ``None`` disables the rate limit.
    scaling_envs_per_window: int | None = limits.SCALING_ENVS_PER_WINDOW
    scaling_window_s: float = limits.SCALING_WINDOW_S
    #: The Init phase limit for on-demand environments (AWS: 10 s).
    init_limit_s: float = limits.INIT_LIMIT_S
    init_model: InitModel = attrs.field(factory=InitModel)
    restore_model: RestoreModel = attrs.field(factory=RestoreModel)
    #: Extra virtual seconds before a provisioned concurrency config becomes READY (AWS: "a
    #: minute or two" before allocation starts; 0 here so that tests need not wait).
    provisioned_allocation_delay_s: float = 0.0
    #: "Max Memory Used" in REPORT lines: not measurable in process; this many MB (capped at the
    #: function's memory).
    max_memory_used_mb: int = 40
    #: Write START/END/REPORT and the handler's output to CloudWatch Logs. Turn off for long
    #: simulations: metrics, billing and the trace are kept; LogType=Tail still works.
    logging: bool = True
    #: Record one trace record per invocation (``lambda/invoke``). Lifecycle records (environment
    #: created / shut down, throttles) are always recorded.
    trace_invocations: bool = True
    #: Record the raw Duration values (for percentiles) in CloudWatch metrics: 8 bytes a sample.
    duration_percentiles: bool = True
