"""API keys and usage plans (REST APIs).

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html:
a method with ``apiKeyRequired`` needs a key (header ``x-api-key``, or the authorizer's
``usageIdentifierKey`` when the API's key source is ``AUTHORIZER``) that exists, is enabled and
belongs to a usage plan covering the API's stage; otherwise 403 ``{"message":"Forbidden"}``. The
plan's throttle (per key; per method through ``apiStages[].throttle``) answers 429
``{"message":"Too Many Requests"}``; its quota 429 ``{"message":"Limit Exceeded"}``.

Quota periods are calendar periods in UTC, counted lazily on the virtual clock (no event is
scheduled): DAY from midnight, WEEK from Sunday midnight (the SDK reference: "with a time period
of WEEK, an offset of 0 starts on Sunday"), MONTH from the first of the month (re:Post: monthly
quotas reset on the first day of the month). ``offset`` is subtracted from the limit in the
plan's first period (current API reference wording). GetUsage reports daily
``[used, remaining]`` pairs per key.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from . import limits
from .common import dt, listed_v1, new_id, page_v1
from .errors import BadRequestException, ConflictException, NotFoundException
from .throttling import TokenBucket

if TYPE_CHECKING:
    from ..cloud import Cloud

_DAY_US = 86_400_000_000


def period_start_us(period: str, t_us: int) -> int:
    """Start of the quota period containing ``t_us``."""
    day = t_us - t_us % _DAY_US
    if period == "DAY":
        return day
    d = _dt.datetime.fromtimestamp(day // 1_000_000, _dt.timezone.utc)
    if period == "WEEK":
        back = (d.weekday() + 1) % 7  # Monday=0 ... Sunday=6 -> days since Sunday
        return day - back * _DAY_US
    first = d.replace(day=1)
    return int(first.timestamp()) * 1_000_000


class ApiKey:
    __slots__ = ("id", "value", "name", "description", "enabled", "customer_id", "created_us", "updated_us",
                 "tags", "stage_keys")

    def __init__(self, id_: str, value: str, name: str, description: str, enabled: bool, customer_id: str | None,
                 now_us: int, tags: dict[str, str], stage_keys: list[str]) -> None:
        self.id, self.value, self.name, self.description = id_, value, name, description
        self.enabled, self.customer_id, self.tags, self.stage_keys = enabled, customer_id, tags, stage_keys
        self.created_us = self.updated_us = now_us

    def describe(self, include_value: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "enabled": self.enabled,
                               "createdDate": dt(self.created_us), "lastUpdatedDate": dt(self.updated_us),
                               "stageKeys": list(self.stage_keys)}
        if include_value:
            out["value"] = self.value
        if self.description:
            out["description"] = self.description
        if self.customer_id:
            out["customerId"] = self.customer_id
        if self.tags:
            out["tags"] = dict(self.tags)
        return out


class UsagePlan:
    __slots__ = ("id", "name", "description", "api_stages", "throttle", "quota", "tags", "keys", "created_us",
                 "_buckets", "_method_buckets", "_counts", "_daily")

    def __init__(self, id_: str, name: str, description: str, api_stages: list[dict[str, Any]],
                 throttle: dict[str, Any] | None, quota: dict[str, Any] | None, tags: dict[str, str], now_us: int) -> None:
        self.id, self.name, self.description = id_, name, description
        self.api_stages, self.throttle, self.quota, self.tags = api_stages, throttle, quota, tags
        self.keys: dict[str, str] = {}  # key id -> "API_KEY"
        self.created_us = now_us
        self._buckets: dict[str, TokenBucket] = {}
        self._method_buckets: dict[tuple[str, str, str, str], TokenBucket] = {}
        #: key id -> (period start, used in that period)
        self._counts: dict[str, tuple[int, int]] = {}
        #: (key id, day start) -> requests
        self._daily: dict[tuple[str, int], int] = {}

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "apiStages": [dict(s) for s in self.api_stages]}
        if self.description:
            out["description"] = self.description
        if self.throttle:
            out["throttle"] = dict(self.throttle)
        if self.quota:
            out["quota"] = dict(self.quota)
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    def covers(self, api_id: str, stage: str) -> dict[str, Any] | None:
        for s in self.api_stages:
            if s.get("apiId") == api_id and s.get("stage") == stage:
                return s
        return None

    # -- the data plane --------------------------------------------------------------------------
    def admit(self, key_id: str, api_stage: dict[str, Any], method_key: str, api_id: str, stage: str,
              now_us: int) -> str | None:
        """None if admitted, else ``"THROTTLED"`` or ``"QUOTA"``."""
        per_method = (api_stage.get("throttle") or {}).get(method_key)
        if per_method is not None:
            k = (key_id, api_id, stage, method_key)
            b = self._method_buckets.get(k)
            if b is None:
                b = self._method_buckets[k] = TokenBucket(float(per_method.get("rateLimit", 0.0)),
                                                          int(per_method.get("burstLimit", 0)), now_us)
            if not b.take(now_us):
                return "THROTTLED"
        elif self.throttle:
            b = self._buckets.get(key_id)
            if b is None:
                b = self._buckets[key_id] = TokenBucket(float(self.throttle.get("rateLimit", 0.0)),
                                                        int(self.throttle.get("burstLimit", 0)), now_us)
            if not b.take(now_us):
                return "THROTTLED"
        q = self.quota
        if q:
            period = q.get("period", "DAY")
            start = period_start_us(period, now_us)
            prev = self._counts.get(key_id)
            used = prev[1] if prev is not None and prev[0] == start else 0
            if used >= self.limit_in(start):
                return "QUOTA"
            self._counts[key_id] = (start, used + 1)
        day = now_us - now_us % _DAY_US
        dk = (key_id, day)
        self._daily[dk] = self._daily.get(dk, 0) + 1
        return None

    def limit_in(self, period_start: int) -> int:
        q = self.quota or {}
        limit = int(q.get("limit", 0))
        if period_start == period_start_us(q.get("period", "DAY"), self.created_us):
            limit -= int(q.get("offset", 0))
        return limit

    def remaining_on(self, key_id: str, day_us: int) -> int:
        """Quota left at the end of a day (0 without a quota), from the daily counts."""
        q = self.quota
        if not q:
            return 0
        start = period_start_us(q.get("period", "DAY"), day_us)
        used = sum(self._daily.get((key_id, d), 0) for d in range(start, day_us + 1, _DAY_US))
        return max(0, self.limit_in(start) - used)

    def remaining(self, key_id: str, now_us: int) -> int | None:
        q = self.quota
        if not q:
            return None
        start = period_start_us(q.get("period", "DAY"), now_us)
        prev = self._counts.get(key_id)
        used = prev[1] if prev is not None and prev[0] == start else 0
        return max(0, self.limit_in(start) - used)


def _throttle(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise BadRequestException("Invalid throttle settings")
    rate, burst = v.get("rateLimit", 0.0), v.get("burstLimit", 0)
    if not isinstance(rate, (int, float)) or rate < 0 or not isinstance(burst, int) or burst < 0:
        raise BadRequestException("Invalid throttle settings: rateLimit and burstLimit must be non-negative")
    return {"burstLimit": burst, "rateLimit": float(rate)}


def _quota(v: Any) -> dict[str, Any] | None:
    if v is None:
        return None
    if not isinstance(v, dict) or v.get("period") not in ("DAY", "WEEK", "MONTH"):
        raise BadRequestException("Invalid quota settings: period must be one of DAY, WEEK, MONTH")
    limit, offset = v.get("limit", 0), v.get("offset", 0)
    if not isinstance(limit, int) or limit < 0 or not isinstance(offset, int) or not 0 <= offset < max(limit, 1):
        raise BadRequestException("Invalid quota settings: limit must be non-negative and offset below the limit")
    return {"limit": limit, "offset": offset, "period": v["period"]}


class UsageOps:
    """Wire operations of API keys and usage plans (mixed into :class:`~.service.APIGateway`)."""

    if TYPE_CHECKING:
        cloud: Cloud
        rest_apis: dict[str, Any]
        api_keys: dict[str, ApiKey]
        _key_values: dict[str, ApiKey]
        usage_plans: dict[str, UsagePlan]

    def _key(self, key_id: Any) -> ApiKey:
        k = self.api_keys.get(key_id)
        if k is None:
            raise NotFoundException("Invalid API Key identifier specified")
        return k

    def _plan(self, plan_id: Any) -> UsagePlan:
        p = self.usage_plans.get(plan_id)
        if p is None:
            raise NotFoundException(f"Invalid Usage Plan ID specified")
        return p

    @operation("CreateApiKey")
    def create_api_key(self, request: dict[str, Any]) -> dict[str, Any]:
        value = request.get("value")
        if value is not None:
            if not isinstance(value, str) or not limits.API_KEY_MIN_LENGTH <= len(value) <= limits.API_KEY_MAX_LENGTH:
                raise BadRequestException(f"API Key value should be at least {limits.API_KEY_MIN_LENGTH} characters")
            if value in self._key_values:
                raise ConflictException("API Key already exists")
        else:
            rng = self.cloud.rng("apigateway/apikeys")
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            value = "".join(alphabet[rng.randrange(62)] for _ in range(40))
        if len(self.api_keys) >= limits.API_KEYS_MAX:
            raise BadRequestException("Exceeded the maximum number of API keys")
        stage_keys = []
        for sk in request.get("stageKeys") or []:
            api = self.rest_apis.get(sk.get("restApiId"))
            if api is None or sk.get("stageName") not in api.stages:
                raise BadRequestException("Invalid stage key specified")
            stage_keys.append(f"{api.id}/{sk['stageName']}")
        key = ApiKey(new_id(self.cloud, 10), value, request.get("name") or "", request.get("description", ""),
                     bool(request.get("enabled", False)), request.get("customerId"), self.cloud.now_us,
                     dict(request.get("tags") or {}), stage_keys)
        self.api_keys[key.id] = key
        self._key_values[value] = key
        return key.describe()

    @operation("GetApiKey")
    def get_api_key(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._key(request.get("apiKey")).describe(bool(request.get("includeValue", False)))

    @operation("GetApiKeys")
    def get_api_keys(self, request: dict[str, Any]) -> dict[str, Any]:
        keys = sorted(self.api_keys.values(), key=lambda k: (k.created_us, k.id))
        name = request.get("nameQuery")
        if name:
            keys = [k for k in keys if k.name.startswith(name)]
        keys, position = page_v1(keys, request)
        return listed_v1([k.describe(bool(request.get("includeValues", False))) for k in keys], position)

    @operation("UpdateApiKey")
    def update_api_key(self, request: dict[str, Any]) -> dict[str, Any]:
        key = self._key(request.get("apiKey"))
        changes: dict[str, Any] = {}
        for op in request.get("patchOperations") or []:
            path, value = op.get("path"), op.get("value")
            if op.get("op") != "replace" or path not in ("/enabled", "/name", "/description", "/customerId"):
                raise BadRequestException(f"Invalid patch path {path}")
            if path == "/enabled":
                if str(value).lower() not in ("true", "false"):
                    raise BadRequestException(f"Invalid boolean value: {value}")
                value = str(value).lower() == "true"
            changes[path[1:]] = value
        key.enabled = changes.get("enabled", key.enabled)
        key.name = changes.get("name", key.name)
        key.description = changes.get("description", key.description)
        key.customer_id = changes.get("customerId", key.customer_id)
        key.updated_us = self.cloud.now_us
        return key.describe()

    @operation("DeleteApiKey")
    def delete_api_key(self, request: dict[str, Any]) -> dict[str, Any]:
        key = self._key(request.get("apiKey"))
        del self.api_keys[key.id]
        del self._key_values[key.value]
        for p in self.usage_plans.values():
            p.keys.pop(key.id, None)
        return {}

    @operation("CreateUsagePlan")
    def create_usage_plan(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("name")
        if not name:
            raise BadRequestException("Usage plan name must be non-empty")
        if len(self.usage_plans) >= limits.USAGE_PLANS_MAX:
            raise BadRequestException("Exceeded the maximum number of usage plans")
        stages = []
        for s in request.get("apiStages") or []:
            api = self.rest_apis.get(s.get("apiId"))
            if api is None:
                raise NotFoundException(f"Invalid API identifier specified {self.cloud.account_id}:{s.get('apiId')}")
            if s.get("stage") not in api.stages:
                raise NotFoundException(f"Invalid stage name specified: {s.get('stage')}")
            entry: dict[str, Any] = {"apiId": api.id, "stage": s["stage"]}
            if s.get("throttle"):
                entry["throttle"] = {k: _throttle(v) for k, v in s["throttle"].items()}
            stages.append(entry)
        plan = UsagePlan(new_id(self.cloud, 6), name, request.get("description", ""), stages,
                         _throttle(request.get("throttle")), _quota(request.get("quota")),
                         dict(request.get("tags") or {}), self.cloud.now_us)
        self.usage_plans[plan.id] = plan
        return plan.describe()

    @operation("GetUsagePlan")
    def get_usage_plan(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._plan(request.get("usagePlanId")).describe()

    @operation("GetUsagePlans")
    def get_usage_plans(self, request: dict[str, Any]) -> dict[str, Any]:
        plans = sorted(self.usage_plans.values(), key=lambda p: (p.created_us, p.id))
        key_id = request.get("keyId")
        if key_id:
            plans = [p for p in plans if key_id in p.keys]
        plans, position = page_v1(plans, request)
        return listed_v1([p.describe() for p in plans], position)

    @operation("DeleteUsagePlan")
    def delete_usage_plan(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(request.get("usagePlanId"))
        del self.usage_plans[plan.id]
        return {}

    @operation("CreateUsagePlanKey")
    def create_usage_plan_key(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(request.get("usagePlanId"))
        if request.get("keyType") != "API_KEY":
            raise BadRequestException("Invalid key type specified. Must be API_KEY")
        key = self._key(request.get("keyId"))
        if key.id in plan.keys:
            raise ConflictException(f"Usage Plan {plan.id} cannot be added because API Key {key.id} cannot reference multiple Usage Plans with the same API Stage")
        if sum(1 for p in self.usage_plans.values() if key.id in p.keys) >= limits.PLANS_PER_KEY_MAX:
            raise BadRequestException(f"An API key can be associated with at most {limits.PLANS_PER_KEY_MAX} usage plans")
        for p in self.usage_plans.values():
            if key.id in p.keys and any(plan.covers(s["apiId"], s["stage"]) for s in p.api_stages):
                raise ConflictException(
                    f"Usage Plan {plan.id} cannot be added because API Key {key.id} cannot reference multiple Usage Plans with the same API Stage"
                )
        plan.keys[key.id] = "API_KEY"
        return {"id": key.id, "type": "API_KEY", "value": key.value, "name": key.name}

    @operation("GetUsagePlanKeys")
    def get_usage_plan_keys(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(request.get("usagePlanId"))
        items = []
        kids, position = page_v1(sorted(plan.keys), request)
        for kid in kids:
            k = self.api_keys[kid]
            items.append({"id": k.id, "type": "API_KEY", "value": k.value, "name": k.name})
        return listed_v1(items, position)

    @operation("DeleteUsagePlanKey")
    def delete_usage_plan_key(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(request.get("usagePlanId"))
        if plan.keys.pop(request.get("keyId"), None) is None:  # type: ignore[arg-type]
            raise NotFoundException("Invalid Usage Plan Key identifier specified")
        return {}

    @operation("GetUsage")
    def get_usage(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = self._plan(request.get("usagePlanId"))
        try:
            start = _dt.date.fromisoformat(request["startDate"])
            end = _dt.date.fromisoformat(request["endDate"])
        except (KeyError, TypeError, ValueError):
            raise BadRequestException("Invalid startDate or endDate: use yyyy-MM-dd") from None
        if end < start:
            raise BadRequestException("The end date must not be before the start date")
        key_filter = request.get("keyId")
        items: dict[str, list[list[int]]] = {}
        for kid in sorted(plan.keys):
            if key_filter and kid != key_filter:
                continue
            rows = []
            d = start
            while d <= end:
                day_us = int(_dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc).timestamp()) * 1_000_000
                used = plan._daily.get((kid, day_us), 0)
                rows.append([used, plan.remaining_on(kid, day_us)])
                d += _dt.timedelta(days=1)
            items[kid] = rows
        return {"usagePlanId": plan.id, "startDate": request["startDate"], "endDate": request["endDate"], "items": items}


__all__ = ["ApiKey", "UsageOps", "UsagePlan", "period_start_us"]
