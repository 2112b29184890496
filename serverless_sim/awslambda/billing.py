"""Cost at AWS's list prices (US East (N. Virginia)): https://aws.amazon.com/lambda/pricing/

- Requests: $0.20 per 1M requests.
- Duration: GB-seconds at 1 ms granularity (billed duration rounded up to the ms; Init included
  for on-demand environments since 2025-08-01): $0.0000166667 per GB-s (x86_64),
  $0.0000133334 (arm64).
- Provisioned concurrency: configured concurrency x memory for the time enabled (rounded up to
  5 minutes): $0.0000041667 per GB-s (x86_64), $0.0000033334 (arm64); invocations it serves pay
  $0.0000097222 per GB-s (x86_64), $0.0000077778 (arm64) instead of the duration price.
- Free tier (optional, ``free_tier=True``): 1M requests and 400,000 GB-s of on-demand duration,
  treating the whole simulation as one month.

Not billed: the volume tiers above 6 billion GB-s a month, ephemeral storage above 512 MB,
SnapStart cache and restore charges, data transfer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from . import limits

if TYPE_CHECKING:
    from .service import Lambda

_MB_MS_PER_GB_S = 1024 * 1000


@attrs.frozen
class FunctionBill:
    requests: int
    gb_s: float
    gb_s_arm: float
    provisioned_gb_s: float
    provisioned_duration_gb_s: float
    cost: float


@attrs.frozen
class Billing:
    """A cost summary (USD) of everything simulated so far."""

    requests: int
    request_cost: float
    compute_gb_s: float
    compute_cost: float
    provisioned_gb_s: float
    provisioned_cost: float
    provisioned_duration_gb_s: float
    provisioned_duration_cost: float
    free_tier: bool
    total: float
    functions: dict[str, FunctionBill]


def compute_billing(svc: "Lambda", free_tier: bool = False) -> Billing:
    now = svc.cloud.clock.now_us
    x86, arm = "x86_64", "arm64"
    req = 0
    gb_x = gb_a = 0.0
    pc_cost = pc_gb = pcd_cost = pcd_gb = 0.0
    per_fn: dict[str, FunctionBill] = {}
    for name in sorted(svc.functions):
        fn = svc.functions[name]
        st = fn.stats
        arch = fn.latest.architecture
        f_gb = st.mb_ms_on_demand / _MB_MS_PER_GB_S
        f_gb_arm = st.mb_ms_on_demand_arm / _MB_MS_PER_GB_S
        f_pcd = st.mb_ms_provisioned / _MB_MS_PER_GB_S
        f_pc = sum(pc.billed_mb_us(now) for pc in fn.provisioned.values()) / (1024 * 1_000_000)
        cost = (st.requests_billed * limits.PRICE_PER_REQUEST + f_gb * limits.PRICE_PER_GB_S[x86]
                + f_gb_arm * limits.PRICE_PER_GB_S[arm] + f_pc * limits.PRICE_PC_PER_GB_S[arch]
                + f_pcd * limits.PRICE_PC_DURATION_PER_GB_S[arch])
        per_fn[name] = FunctionBill(st.requests_billed, f_gb, f_gb_arm, f_pc, f_pcd, cost)
        req += st.requests_billed
        gb_x += f_gb
        gb_a += f_gb_arm
        pc_gb += f_pc
        pc_cost += f_pc * limits.PRICE_PC_PER_GB_S[arch]
        pcd_gb += f_pcd
        pcd_cost += f_pcd * limits.PRICE_PC_DURATION_PER_GB_S[arch]
    retired_pc = svc._billing_retired_pc_mb_us / (1024 * 1_000_000)
    pc_gb += retired_pc
    pc_cost += retired_pc * limits.PRICE_PC_PER_GB_S[x86]
    billable_req = max(0, req - limits.FREE_TIER_REQUESTS) if free_tier else req
    if free_tier:
        free = float(limits.FREE_TIER_GB_S)
        take = min(free, gb_x)
        gb_x_billable, free = gb_x - take, free - take
        gb_a_billable = max(0.0, gb_a - free)
    else:
        gb_x_billable, gb_a_billable = gb_x, gb_a
    request_cost = billable_req * limits.PRICE_PER_REQUEST
    compute_cost = gb_x_billable * limits.PRICE_PER_GB_S[x86] + gb_a_billable * limits.PRICE_PER_GB_S[arm]
    total = request_cost + compute_cost + pc_cost + pcd_cost
    return Billing(
        requests=req, request_cost=request_cost, compute_gb_s=gb_x + gb_a, compute_cost=compute_cost,
        provisioned_gb_s=pc_gb, provisioned_cost=pc_cost, provisioned_duration_gb_s=pcd_gb,
        provisioned_duration_cost=pcd_cost, free_tier=free_tier, total=total, functions=per_fn,
    )
