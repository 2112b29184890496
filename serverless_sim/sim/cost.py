"""AWS list prices (US East (N. Virginia), USD) and the cost of what a simulation used.

Every price is a field of :class:`Prices` (override any of them: ``Prices(sqs_standard=0.45e-6)``
for another region or a negotiated rate). Sources, read for us-east-1:

- Lambda, https://aws.amazon.com/lambda/pricing/: $0.20 per 1M requests; $0.0000166667 per GB-s
  (x86_64), $0.0000133334 (arm64), 1 ms granularity; provisioned concurrency $0.0000041667 per
  GB-s enabled (x86_64; $0.0000033334 arm64) and $0.0000097222 per GB-s of duration it serves
  ($0.0000077778 arm64). Free tier: 1M requests and 400,000 GB-s a month.
- API Gateway, https://aws.amazon.com/api-gateway/pricing/: REST APIs $3.50 per million requests
  (first 333 million), HTTP APIs $1.00 per million (first 300 million; metered in 512 KB
  increments), WebSocket $1.00 per million messages (32 KB increments) and $0.25 per million
  connection minutes. Free tier (first 12 months): 1M REST, 1M HTTP, 1M messages and 750,000
  connection minutes a month.
- DynamoDB, https://aws.amazon.com/dynamodb/pricing/on-demand/ and
  https://aws.amazon.com/dynamodb/pricing/provisioned/: on-demand $0.625 per million write
  request units and $0.125 per million read request units; provisioned $0.00065 per WCU-hour and
  $0.00013 per RCU-hour; storage $0.25 per GB-month (first 25 GB free). Free tier: 25 WCU and
  25 RCU of provisioned capacity, 25 GB.
- Step Functions, https://aws.amazon.com/step-functions/pricing/: Standard $0.025 per 1,000 state
  transitions (4,000 free a month); Express $1.00 per 1M requests and $0.00001667 per GB-s for
  the first 1,000 GB-hours, $0.00000833 for the next 4,000, $0.00000456 beyond (duration rounded
  up to 100 ms, memory in 64 MB chunks: this simulator bills 64 MB per execution, as the
  ``billingDetails`` of StartSyncExecution report).
- SQS, https://aws.amazon.com/sqs/pricing/: $0.40 per million requests (standard), $0.50 (FIFO);
  every 64 KB chunk of a payload is one request. Free tier: 1M requests a month.
- SNS, https://aws.amazon.com/sns/pricing/: $0.50 per million publishes (64 KB chunks), HTTP/S
  deliveries $0.60 per million, email $2.00 per 100,000, mobile push $0.50 per million;
  deliveries to SQS and Lambda are free. Free tier: 1M publishes, 100,000 HTTP/S and 1,000
  email deliveries a month.
- S3 Standard, https://aws.amazon.com/s3/pricing/: storage $0.023 per GB-month (first 50 TB);
  PUT, COPY, POST, LIST $0.005 per 1,000 requests; GET, SELECT and others $0.0004 per 1,000;
  DELETE free. Free tier (first 12 months): 5 GB, 20,000 GET and 2,000 PUT requests a month.

Free tier (``free_tier=True``): each monthly allowance is granted once per started 730-hour month
of simulated time (AWS's billing month is a calendar month; a simulation of up to 30 days gets
one). Volume tiers beyond the first are not modelled except where stated (Express duration).
Data transfer, KMS, CloudWatch and X-Ray charges are not included.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

HOURS_PER_MONTH = 730
GIB = 1024**3


@attrs.frozen(kw_only=True)
class Prices:
    """List prices in USD per unit (see the module docstring for the sources)."""

    region: str = "us-east-1"
    # Lambda
    lambda_request: float = 0.20 / 1e6
    lambda_gb_s_x86: float = 0.0000166667
    lambda_gb_s_arm: float = 0.0000133334
    lambda_pc_gb_s_x86: float = 0.0000041667
    lambda_pc_gb_s_arm: float = 0.0000033334
    lambda_pc_duration_gb_s_x86: float = 0.0000097222
    lambda_pc_duration_gb_s_arm: float = 0.0000077778
    lambda_free_requests: int = 1_000_000
    lambda_free_gb_s: float = 400_000.0
    # API Gateway
    apigw_rest_request: float = 3.50 / 1e6
    apigw_http_request: float = 1.00 / 1e6
    apigw_ws_message: float = 1.00 / 1e6
    apigw_ws_connection_minute: float = 0.25 / 1e6
    apigw_free_rest: int = 1_000_000
    apigw_free_http: int = 1_000_000
    apigw_free_ws_messages: int = 1_000_000
    # DynamoDB
    ddb_wru: float = 0.625 / 1e6
    ddb_rru: float = 0.125 / 1e6
    ddb_wcu_hour: float = 0.00065
    ddb_rcu_hour: float = 0.00013
    ddb_storage_gb_month: float = 0.25
    ddb_free_storage_gb: float = 25.0
    ddb_free_wcu: int = 25
    ddb_free_rcu: int = 25
    # Step Functions
    sfn_transition: float = 0.025 / 1000
    sfn_free_transitions: int = 4_000
    sfn_express_request: float = 1.00 / 1e6
    sfn_express_gb_s_tiers: tuple[tuple[float, float], ...] = (
        (1_000 * 3600.0, 0.00001667), (4_000 * 3600.0, 0.00000833), (math.inf, 0.00000456))
    sfn_express_memory_mb: int = 64
    # SQS
    sqs_standard_request: float = 0.40 / 1e6
    sqs_fifo_request: float = 0.50 / 1e6
    sqs_free_requests: int = 1_000_000
    # SNS
    sns_publish: float = 0.50 / 1e6
    sns_free_publishes: int = 1_000_000
    sns_delivery: dict[str, float] = attrs.field(factory=lambda: {
        "http": 0.60 / 1e6, "https": 0.60 / 1e6, "email": 2.00 / 1e5, "email-json": 2.00 / 1e5,
        "application": 0.50 / 1e6, "sqs": 0.0, "lambda": 0.0,
    })
    sns_free_http_deliveries: int = 100_000
    sns_free_email_deliveries: int = 1_000
    # S3 Standard
    s3_put_request: float = 0.005 / 1000
    s3_get_request: float = 0.0004 / 1000
    s3_storage_gb_month: float = 0.023
    s3_free_storage_gb: float = 5.0
    s3_free_get: int = 20_000
    s3_free_put: int = 2_000


US_EAST_1 = Prices()


@attrs.frozen
class CostLine:
    """One priced quantity: ``quantity`` of ``unit`` at ``unit_price`` (after the free tier,
    ``billable`` of it is charged)."""

    service: str
    item: str
    resource: str
    quantity: float
    unit: str
    billable: float
    unit_price: float

    @property
    def cost(self) -> float:
        return self.billable * self.unit_price

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "item": self.item, "resource": self.resource,
                "quantity": self.quantity, "unit": self.unit, "billable": self.billable,
                "unit_price": self.unit_price, "cost": self.cost}


def months_of(duration_us: int) -> int:
    """Started 730-hour months in a duration (at least 1): how many free-tier grants apply."""
    hours = duration_us / 3_600_000_000
    return max(1, math.ceil(hours / HOURS_PER_MONTH - 1e-12))


class FreeTier:
    """Allowances shared across the lines of one kind (``take(kind, amount) -> billable``)."""

    def __init__(self, enabled: bool, allowances: dict[str, float]) -> None:
        self.enabled = enabled
        self.left = dict(allowances)

    def take(self, kind: str, amount: float) -> float:
        if not self.enabled:
            return amount
        left = self.left.get(kind, 0.0)
        used = min(left, amount)
        self.left[kind] = left - used
        return amount - used


def free_allowances(prices: Prices, months: int) -> dict[str, float]:
    p = prices
    return {k: v * months for k, v in {
        "lambda_requests": p.lambda_free_requests, "lambda_gb_s": p.lambda_free_gb_s,
        "apigw_rest": p.apigw_free_rest, "apigw_http": p.apigw_free_http, "apigw_ws": p.apigw_free_ws_messages,
        "ddb_storage_gb_month": p.ddb_free_storage_gb, "ddb_wcu_hours": p.ddb_free_wcu * HOURS_PER_MONTH,
        "ddb_rcu_hours": p.ddb_free_rcu * HOURS_PER_MONTH, "sfn_transitions": p.sfn_free_transitions,
        "sqs_requests": p.sqs_free_requests, "sns_publishes": p.sns_free_publishes,
        "sns_http": p.sns_free_http_deliveries, "sns_email": p.sns_free_email_deliveries,
        "s3_get": p.s3_free_get, "s3_put": p.s3_free_put, "s3_storage_gb_month": p.s3_free_storage_gb,
    }.items()}


def express_duration_cost(gb_s: float, prices: Prices) -> float:
    """Express duration cost over the volume tiers (the first tier first)."""
    cost, left = 0.0, gb_s
    for size, price in prices.sfn_express_gb_s_tiers:
        take = min(left, size)
        cost += take * price
        left -= take
        if left <= 0:
            break
    return cost


def sqs_requests_for(size_bytes: int) -> int:
    """Billed SQS requests of one payload: one per started 64 KB chunk (at least 1)."""
    return max(1, -(-size_bytes // (64 * 1024)))


__all__ = ["CostLine", "FreeTier", "GIB", "HOURS_PER_MONTH", "Prices", "US_EAST_1", "express_duration_cost",
           "free_allowances", "months_of", "sqs_requests_for"]
