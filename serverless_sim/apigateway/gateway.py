"""The data plane: what happens to one request to a deployed API.

REST (:meth:`Gateway._rest`): stage (first path segment; unknown: 403 ``{"message":"Forbidden"}``)
-> route (:mod:`.router`; none: 403 Missing Authentication Token) -> throttling (stage per
method, account) -> authorization (Lambda TOKEN/REQUEST, Cognito user pools, IAM) -> API key
and usage plan -> stage cache -> integration (AWS_PROXY Lambda; MOCK and AWS Lambda custom
integrations through mapping templates, :mod:`.mapping`) -> response.

HTTP API (:meth:`Gateway._http`): stage (an explicit stage matching the first segment, else
``$default``; none: 404) -> CORS preflight -> route (else ``$default`` route; none: 404) ->
throttling (route, stage default, account) -> authorization (JWT, Lambda REQUEST, IAM) ->
integration (AWS_PROXY payload 1.0 / 2.0) -> response.

Every request ends in :meth:`Gateway._finish`: response headers, CloudWatch metrics
(``AWS/ApiGateway``: REST ``Count, 4XXError, 5XXError, Latency, IntegrationLatency,
CacheHitCount, CacheMissCount`` by ``ApiName`` + ``Stage``; HTTP ``Count, 4xx, 5xx, Latency,
IntegrationLatency`` by ``ApiId`` + ``Stage``:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html), the access
log line, and a trace record (``apigateway/request``).

Time: a request in flight is a plain object (:class:`Exchange`) moved along by callbacks. A step
of the pipeline either returns the result (a :class:`~.responses.Response`) or ``WAIT`` after
setting ``ex.wait_t`` (the instant it waits for: an authorizer's or the integration's completion,
or the timeout) and ``ex.next`` (a bound method: the step to run then). How the caller waits is
the driver's business (:meth:`Gateway._blocking` for ``request``: the clock advances from user
code, a handler's clock advances inside a handler, nothing waits inside a simulation event;
:meth:`Gateway._nonblocking` for ``submit``: each wait is one kernel event, except that an
HTTP API request's wait for a Lambda answer that comes in time continues inside Lambda's own
completion event, :meth:`Gateway._answered`). Nothing in flight is a generator, so a Cloud forks
(``cloud.fork()``) with requests in flight.
Latency = the integration's latency plus the authorizer's plus ``GatewayConfig.overhead_ms``
(AWS's own overhead: 0 by default).

Short path (speed only): ``submit`` of an HTTP API request remembers, per (API, method, path),
an :class:`HttpPlan` (the stage, route and Lambda proxy integration it resolves to). A request
without headers or query string to a route with no authorizer and a payload 2.0 Lambda proxy
integration then runs ``_http`` / ``_http_integrate`` / ``_http_integrated`` / ``_finish`` in
two frames (``submit``, ``_short_answered``) without an Exchange; any other turn (throttled,
Lambda refusing the call, a timeout, an error or unusual result, CORS, an access log) continues
on the general steps with the Exchange they would hold at that point. Same effects in the same
order: tests/apigateway/test_apigw_short_path.py compares the two paths (property-based).
"""

from __future__ import annotations

import json
from binascii import b2a_base64 as _b2a_base64
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..kernel.errors import AWSError, SimError
from ..kernel.process import Event
from . import limits, mapping
from .accesslog import compile_format, log_group_of
from .authorizers import (
    INVALIDATE_CACHE, INVOKE, AuthorizerCache, AuthResult, PolicyError, http_output, method_arn, rest_output,
)
from .caching import StageCache, copy_response
from .common import new_id
from .events import (
    DEFAULT_SOURCE_IP, DEFAULT_USER_AGENT, IncomingRequest, RequestTime, http_v1_event, http_v2_event, rest_event,
    rest_request_context, v2_event,
)
from ..awslambda import current_run
from .integration import _TARGETS, WAIT, FunctionMissing, lambda_target, start_invocation
from .jwt import JwtError, claims_for_event, token_scopes, validate
from .responses import (
    AUTHORIZER_CONFIGURATION_ERROR, AUTHORIZER_FAILURE, EXPLICIT_DENY, HTTP_FORBIDDEN, HTTP_INTERNAL,
    HTTP_NOT_FOUND, HTTP_THROTTLED, HTTP_UNAUTHORIZED, HTTP_UNAVAILABLE, IMPLICIT_DENY, JSON,
    MISSING_AUTH_TOKEN, QUOTA_EXCEEDED, REST_BAD_GATEWAY, REST_FORBIDDEN, REST_INTEGRATION_FAILURE,
    REST_THROTTLED, REST_TIMEOUT, REST_UNAUTHORIZED, UNSUPPORTED_MEDIA_TYPE, MalformedResponse, Response,
    gateway_response,
    proxy_response_v1, proxy_response_v2,
)
from .throttling import TokenBucket
from .vtl import VtlBodyParseError, VtlError
from .websocket import WebSocketMixin

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .http import HttpApi, HttpStage, RouteTarget
    from .rest import MethodTarget, RestApi, RestStage

NAMESPACE = "AWS/ApiGateway"


@attrs.define

class GatewayConfig:
    """Tunables of the data plane (``cloud.service("apigateway").gateway.config``)."""

    #: Account throttle (requests per second, bucket size); None = AWS's default for the Region.
    account_rate: float | None = None
    account_burst: int | None = None
    #: API Gateway's own latency added to every response (AWS does not document one; 0 here).
    overhead_ms: float = 0.0
    #: One ``apigateway/request`` trace record per request.
    trace_requests: bool = True
    #: Keep raw Latency / IntegrationLatency values (percentiles); counts are statistic sets.
    latency_percentiles: bool = True
    #: Publish CloudWatch metrics at all.
    metrics: bool = True


class StageRuntime:
    """Per-stage data-plane state: buckets, cache, metric series, access log, compiled routes."""

    __slots__ = ("buckets", "cache", "series", "log_group", "log_render", "router", "routes", "routes_of")

    def __init__(self) -> None:
        self.buckets: dict[str, TokenBucket | None] = {}
        self.cache: StageCache | None = None
        self.series: Any = None
        self.log_group: str | None = None
        self.log_render: Callable[[dict[str, Any]], str] | None = None
        self.router: Any = None
        #: HTTP APIs: (method, path) -> (route target or None, path parameters) for the routes
        #: ``routes_of`` (an immutable ``Compiled``) serves; at most ROUTE_MEMO entries
        self.routes: dict[tuple[str, str], tuple[Any, dict[str, str]]] = {}
        self.routes_of: Any = None


#: Matches remembered per HTTP API stage (the table is emptied when full).
ROUTE_MEMO = 256

#: Short-path plans remembered per gateway (the table is emptied when full).
PLAN_MEMO = 1024


class HttpPlan:
    """What ``submit`` of one (API, method, path) resolves to on an HTTP API, for its short path
    (:meth:`Gateway.submit`): the stage, the route, the Lambda proxy integration and the constant
    parts of the payload 2.0 event.

    Valid while the stage the path resolves to, its runtime and the ``Compiled`` routes it serves
    are the same objects (checked on every request: a new stage, a deployment, a changed route or
    integration make new ones). What can change in place (stage variables, route throttling
    buckets, CORS, access log, the gateway's config) is read on every request, as the general
    pipeline reads it. ``ok`` False: the request takes the general pipeline (another route kind,
    an authorizer, another integration or payload format, a query string...). Never changed once
    made (a request in flight keeps the plan it started with)."""

    __slots__ = ("api", "api_id", "key_method", "probe", "stage", "rt", "compiled", "ok", "method", "inner_path",
                 "route_key",
                 "resource_path", "target", "params", "fn_name", "fn_qualifier", "timeout_us", "stage_name",
                 "domain", "trace_parts")

    def __init__(self, api: Any, key_method: str, probe: str | None, stage: Any, rt: Any, compiled: Any) -> None:
        self.api = api
        self.api_id: str = api.id
        self.key_method = key_method  # the method as submit was given it (the plan's key)
        #: the first path segment when it could name a stage (else None): the stage resolves to
        #: ``stages.get(probe)``, else ``$default`` (what ``Gateway._http`` does)
        self.probe = probe
        self.stage = stage
        self.rt = rt
        self.compiled = compiled
        self.ok = False
        self.method = ""
        self.inner_path = ""
        self.route_key = ""
        self.resource_path = ""
        self.target: Any = None
        self.params: dict[str, str] = {}
        self.fn_name = ""
        self.fn_qualifier: str | None = None
        self.timeout_us = 0
        self.stage_name = ""
        self.domain = ""
        #: the ``apigateway/request`` trace body around its latency, request id and status
        self.trace_parts: tuple[str, str, str] = ("", "", "")


class StageMetrics:
    """The metric series of one stage, with the current minute's buckets kept at hand so that a
    request costs a few additions (the same aggregates ``MetricSeries.add_statistic_set`` keeps)."""

    __slots__ = ("series", "raw", "minute", "until", "buckets", "lat_values", "ilat_values", "primed")

    def __init__(self, series: tuple[Any, ...], raw: bool) -> None:
        self.series = series
        self.raw = raw
        self.minute = -1
        self.until = -1
        self.buckets: list[Any] = []
        # the current buckets' raw-value arrays, fetched on the first raw value of the minute
        self.lat_values: Any = None
        self.ilat_values: Any = None
        # True once this minute's Count bucket holds a 1.0 and its 4xx / 5xx buckets a 0.0 from
        # here: their minimum / maximum cannot move for another 1.0 / 0.0 (a minimum only goes
        # down, a maximum only up), so a request below 400 only counts and adds.
        self.primed = False

    def _roll(self, t: int) -> None:
        from ..kernel.metrics import _Bucket
        self.minute = start = t - t % 60_000_000
        self.until = start + 60_000_000
        out: list[Any] = []
        for s in self.series:
            if s is None:
                out.append(None)
                continue
            b = s.buckets.get(start)
            if b is None:
                b = s.buckets[start] = _Bucket()
            out.append(b)
        self.buckets = out
        self.lat_values = self.ilat_values = None
        self.primed = False

    def record(self, t: int, status: int, latency_ms: float, integ_ms: float | None, hit: bool | None) -> None:
        if not self.minute <= t < self.until:
            self._roll(t)
        count, e4, e5, lat, ilat, hb, mb = self.buckets
        # Count, 4xx, 5xx: one sample each (1.0 or 0.0), inlined
        count.count += 1
        count.total += 1.0
        if status < 400 and self.primed:
            e4.count += 1
            e5.count += 1
        else:
            if count.maximum < 1.0:
                count.maximum = 1.0
            if count.minimum > 1.0:
                count.minimum = 1.0
            if 400 <= status < 500:
                _one(e4, 1.0)
                _one(e5, 0.0)
            elif status >= 500:
                _one(e4, 0.0)
                _one(e5, 1.0)
            else:
                e4.count += 1
                if e4.maximum < 0.0:
                    e4.maximum = 0.0
                if e4.minimum > 0.0:
                    e4.minimum = 0.0
                e5.count += 1
                if e5.maximum < 0.0:
                    e5.maximum = 0.0
                if e5.minimum > 0.0:
                    e5.minimum = 0.0
                self.primed = True
        lat.count += 1
        lat.total += latency_ms
        if latency_ms < lat.minimum:
            lat.minimum = latency_ms
        if latency_ms > lat.maximum:
            lat.maximum = latency_ms
        raw = self.raw
        if raw:
            lv = self.lat_values
            if lv is None:
                lv = self.lat_values = lat.values
            lv.append(latency_ms)
        if integ_ms is not None:
            ilat.count += 1
            ilat.total += integ_ms
            if integ_ms < ilat.minimum:
                ilat.minimum = integ_ms
            if integ_ms > ilat.maximum:
                ilat.maximum = integ_ms
            if raw:
                iv = self.ilat_values
                if iv is None:
                    iv = self.ilat_values = ilat.values
                iv.append(integ_ms)
        if hit is not None and hb is not None:
            _one(hb, 1.0 if hit else 0.0)
            _one(mb, 0.0 if hit else 1.0)


def _one(b: Any, v: float) -> None:
    b.count += 1
    b.total += v
    if v < b.minimum:
        b.minimum = v
    if v > b.maximum:
        b.maximum = v


class Exchange:
    """One request in flight: plain data and bound methods (copyable by ``cloud.fork()``).

    ``t`` is the request's own instant (it runs ahead of the clock while the caller waits),
    ``wait_t`` / ``next`` the pending wait and the step after it, ``istatus`` / ``ivalue`` the
    outcome of the last Lambda call (``ok``, ``error``, ``timeout``, ``throttled``,
    ``missing``); the other slots carry the pipeline's state across waits. Only the slots every
    request reads are set here; the others are written by the step that needs them before any
    read (the drivers set ``wait_t`` / ``on_done``, ``_rest`` the authorization slots, ``_invoke``
    the outcome, ...)."""

    __slots__ = ("req", "api", "stage", "rt", "t", "t0", "request_id", "route_key", "resource_path",
                 "integ_us", "integ_status", "auth_us", "principal", "api_key_id", "error_message",
                 "response_type", "is_rest", "cacheable", "wait_t", "next", "on_done", "istatus",
                 "ivalue", "istart", "ext_id", "target", "params", "auth", "actx", "arn", "cache",
                 "cache_key", "ttl", "aux", "conn", "client", "iam", "pending")

    if TYPE_CHECKING:  # written before read (see the class docstring)
        wait_t: int
        next: Callable[["Exchange"], Any]
        on_done: Callable[[Any], Any] | None
        istatus: str
        ivalue: Any
        istart: int
        ext_id: str
        target: Any
        params: dict[str, str]
        auth: AuthResult | None
        actx: dict[str, Any] | None
        arn: str
        cache: StageCache | None
        cache_key: tuple[Any, ...] | None
        ttl: int
        aux: Any
        conn: Any
        client: Any
        iam: Any  # the IamCaller of an AWS_IAM method / route
        pending: Any  # the Invocation whose completion ends the wait (set by _settle), or None

    def __init__(self, req: IncomingRequest, t0: int) -> None:
        self.req = req
        self.t = t0
        self.t0 = t0
        self.api: Any = None
        self.stage: Any = None
        self.rt: StageRuntime | None = None
        self.request_id = ""
        self.route_key: str | None = None
        self.resource_path: str | None = None
        self.integ_us: int | None = None
        self.integ_status: int | None = None
        self.auth_us = 0
        self.principal: Any = None
        self.api_key_id: str | None = None
        self.error_message: str | None = None
        self.response_type: str | None = None
        self.is_rest = True
        self.cacheable = False


def _settle(ex: Exchange, inv: Any, deadline: int, then: Any) -> Any:
    """The outcome of a started invocation on the exchange: the integration times out at
    ``deadline`` if the function is still running then; the request resumes with ``then``."""
    end = inv.end_us
    if end > deadline:
        ex.t = ex.wait_t = deadline
        ex.istatus = "timeout"
        ex.ivalue = None
        ex.pending = None
    else:
        ex.t = ex.wait_t = end
        ex.pending = inv
        err = inv.error
        if err is None:
            ex.istatus = "ok"
            ex.ivalue = inv.result
        else:
            ex.istatus = "error"
            ex.ivalue = err
    ex.next = then
    return WAIT


class Gateway(WebSocketMixin):
    """API Gateway's data plane for one Cloud (REST, HTTP and WebSocket APIs share it: one
    account throttle, one id space)."""

    def __init__(self, cloud: "Cloud", owner: Any) -> None:
        self.cloud = cloud
        self.owner = owner  # the APIGateway service (API keys, usage plans)
        self.config = GatewayConfig()
        #: API id -> RestApi | HttpApi
        self.apis: dict[str, Any] = {}
        #: issuer -> kid -> (n, e): JWKS "published" to this Cloud (see .jwt)
        self.jwks: dict[str, dict[str, tuple[int, int]]] = {}
        self.auth_cache = AuthorizerCache()
        self._account: TokenBucket | None = None
        self._time = RequestTime()
        self._rng = cloud.rng("apigateway/requests")
        self._region = cloud.region
        self._account_id = cloud.account_id
        self._lambda: Any = None
        #: API id -> its execute-api domain name
        self._domains: dict[str, str] = {}
        #: WebSocket connections by id (see .websocket)
        self.connections: dict[str, Any] = {}
        #: (API id, method, path) -> HttpPlan: submit's short path (see HttpPlan); None: seen once
        self._plans: dict[tuple[str, str, str], HttpPlan | None] = {}
        #: path -> the last plan made for it (looked up first: no key tuple to make and hash)
        self._plans_by_path: dict[str, HttpPlan] = {}
        #: False: submit never takes the short path (tests compare the two)
        self._short = True

    # -- ids --------------------------------------------------------------------------------
    def new_api_id(self) -> str:
        while True:
            i = new_id(self.cloud, 10)
            if i not in self.apis:
                return i

    def _request_ids(self, rest: bool) -> tuple[str, str]:
        """(uuid-shaped request id, 16-character extended id) from the ``apigateway/requests``
        stream (one draw per request; HTTP APIs use the extended id only)."""
        n = self._rng.getrandbits(216)
        ext = _b64_id(n >> 128)
        if not rest:
            return ext, ext
        u = (n & ((1 << 128) - 1))
        u = (u & ~(0xF000 << 64)) | (0x4000 << 64)
        u = (u & ~(0xC000 << 48)) | (0x8000 << 48)
        h = f"{u:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}", ext

    # -- configuration hooks -------------------------------------------------------------------
    def stage_changed(self, stage: Any) -> None:
        rt = stage.runtime
        if rt is None:
            rt = stage.runtime = StageRuntime()
        rt.buckets = {}
        rt.series = None
        log = stage.access_log
        rt.log_group = log_group_of(log.get("destinationArn")) if log else None
        rt.log_render = compile_format(log["format"]) if log and log.get("format") and rt.log_group else None
        if getattr(stage.api, "kind", "") == "REST":
            dep = stage.api.deployments.get(stage.deployment_id)
            rt.router = dep.router if dep is not None else None
            if stage.cache_enabled:
                if rt.cache is None:
                    rt.cache = StageCache()
            else:
                rt.cache = None

    def flush_authorizer_cache(self, api_id: str, stage: str) -> None:
        items = self.auth_cache._items
        for k in [k for k in items if k[0] == api_id and k[1] == stage]:
            del items[k]

    def _account_bucket(self, now_us: int) -> TokenBucket:
        b = self._account
        if b is None:
            cfg = self.config
            small = self._region in limits.SMALL_REGIONS
            rate = cfg.account_rate if cfg.account_rate is not None else (
                limits.SMALL_REGION_RATE if small else limits.ACCOUNT_RATE)
            burst = cfg.account_burst if cfg.account_burst is not None else (
                limits.SMALL_REGION_BURST if small else limits.ACCOUNT_BURST)
            b = self._account = TokenBucket(rate, burst, now_us)
        return b

    def set_account_throttle(self, rate: float, burst: int) -> None:
        """Change the account throttle (a raised quota); the bucket starts full."""
        self.config.account_rate = rate
        self.config.account_burst = burst
        self._account = None

    # -- entry points ----------------------------------------------------------------------------
    def request(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
                source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> Response:
        """Send a request and wait for the response (the clock advances to it from user code)."""
        ex = self._exchange(api_id, method, path, headers, body, source_ip, user_agent)
        return self._blocking(ex, self._begin if self.config.overhead_ms else self._dispatch)  # type: ignore[no-any-return]

    def submit(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
               source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None,
               on_response: Callable[[Response], Any] | None = None) -> None:
        """Send a request now without waiting; ``on_response(response)`` runs at the response
        instant (for workloads and other simulation events)."""
        api = self.apis.get(api_id)
        if api is None or api.kind != "HTTP" or self.config.overhead_ms or type(path) is not str \
                or not path.startswith("/"):
            ex = self._exchange(api_id, method, path, headers, body, source_ip, user_agent)
            self._nonblocking(ex, self._begin if self.config.overhead_ms else self._dispatch, on_response)
            return
        plan = self._plans_by_path.get(path)
        if plan is None or plan.key_method != method or plan.api_id != api_id:
            plan = self._plans.get((api_id, method, path))
        fresh = False
        if plan is not None:
            # Does the plan still hold? The stage the path resolves to (as in _http), its runtime
            # and the Compiled routes it serves (stage.compiled(), inlined for auto-deploy)
            # must be the ones it was made from.
            stages = api.stages
            probe = plan.probe
            stage = stages.get(probe) if probe is not None else None
            if stage is None:
                stage = stages.get("$default")
            fresh = stage is plan.stage and stage.runtime is plan.rt and plan.api is api and (
                (stage._compiled_gen == api.generation and stage._compiled is plan.compiled)
                if stage.auto_deploy else stage.compiled() is plan.compiled)
            if fresh and plan.ok and headers is None and (body is None or type(body) is str) and not api.cors:
                # The short path: the general steps below (_http: stage, route, throttling, no
                # authorizer; _http_integrate: v2_event, Lambda's start_at, _settle) with what
                # the plan holds; the same effects in the same order. Anything else at any
                # step continues on the general steps with the Exchange they would hold there
                # (_plan_exchange).
                now = self.cloud.clock.now_us
                # _request_ids(False): one draw, the extended id only (_b64_id inlined)
                rid = _b2a_base64((self._rng.getrandbits(216) >> 128).to_bytes(11), newline=False).decode()
                # throttling, as in _http: route settings, stage default, account
                key = plan.route_key
                buckets = plan.rt.buckets
                bucket: Any = buckets.get(key, False)
                if bucket is False:
                    bucket = buckets[key] = _route_bucket(stage, key, now)
                account = self._account
                if account is None:
                    account = self._account_bucket(now)
                if bucket is None:
                    throttled = not account.take(now)
                else:
                    throttled = not bucket.take(now)
                    if not throttled and not account.take(now):
                        bucket.give_back()
                        throttled = True
                if throttled:
                    ex = self._plan_exchange(plan, now, rid, method, path, body, source_ip, user_agent, on_response)
                    r = self._finish(ex, gateway_response(HTTP_THROTTLED))
                    if on_response is not None:
                        on_response(r)
                    return
                # the payload 2.0 event: v2_event for a request without headers, query or cookies
                tm = self._time
                text = tm._text if tm._sec == now // 1_000_000 else tm(now)
                api_id = plan.api_id
                ctx = {"accountId": self._account_id, "apiId": api_id, "domainName": plan.domain,
                       "domainPrefix": api_id,
                       "http": {"method": plan.method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                                "userAgent": DEFAULT_USER_AGENT if user_agent is None else user_agent},
                       "requestId": rid, "routeKey": key, "stage": plan.stage_name, "time": text,
                       "timeEpoch": now // 1000}
                params = plan.params
                stage_vars = stage.variables
                event: dict[str, Any]
                if body is not None and not params and not stage_vars:
                    event = {"version": "2.0", "routeKey": key, "rawPath": path, "rawQueryString": "", "headers": {},
                             "requestContext": ctx, "body": body, "isBase64Encoded": False}
                else:
                    event = {"version": "2.0", "routeKey": key, "rawPath": path, "rawQueryString": "", "headers": {},
                             "requestContext": ctx}
                    if body is not None:
                        event["body"] = body
                    if params:
                        event["pathParameters"] = dict(params)
                    event["isBase64Encoded"] = False
                    if stage_vars:
                        event["stageVariables"] = dict(stage_vars)
                # the integration (_http_integrate's inlined start_at, then _settle)
                try:
                    # (the continuation is registered with the call: an invocation's callbacks
                    # run at its completion; one that times out finds no tag and does nothing)
                    inv = self._lambda.start_at(plan.fn_name, plan.fn_qualifier, event, now, self._short_answered)
                except AWSError as exc:
                    ex = self._plan_exchange(plan, now, rid, method, path, body, source_ip, user_agent, on_response)
                    ex.istart = now
                    ex.istatus = "missing" if exc.code == "ResourceNotFoundException" else "throttled"
                    ex.ivalue = None
                    r = self._http_integrated(ex)
                    if on_response is not None:
                        on_response(r)
                    return
                deadline = now + plan.timeout_us
                if inv.end_us > deadline:  # the integration times out: the scheduled pipeline
                    ex = self._plan_exchange(plan, now, rid, method, path, body, source_ip, user_agent, on_response)
                    ex.istart = now
                    _settle(ex, inv, deadline, self._http_integrated)
                    self.cloud.scheduler.schedule_at_us(deadline if deadline > now else now, self._resume, (ex,))
                    return
                # see _answered: the response needs no event of its own
                inv.tag = (plan, rid, now, on_response, path, body, source_ip, user_agent)
                return
        # The common case fused (_exchange, _nonblocking, _dispatch inlined; same effects in the
        # same order): an HTTP API request with no gateway overhead. A wait for a Lambda answer
        # that comes before the timeout continues in Lambda's completion event (_answered).
        raw_path, _, raw_query = path.partition("?")
        now = self.cloud.clock.now_us
        ex = Exchange(IncomingRequest(method.upper(), raw_path, raw_query, headers, body, source_ip, user_agent), now)
        ex.api = api
        ex.on_done = on_response
        ex.is_rest = False
        ex.pending = None
        # _request_ids(False): one draw, the extended id only (_b64_id inlined; the top 88 of 216
        # bits need no mask)
        ex.request_id = _b2a_base64((self._rng.getrandbits(216) >> 128).to_bytes(11), newline=False).decode()
        r = self._http(ex)
        if r is WAIT:
            inv = ex.pending
            if inv is not None:  # see _answered: the response needs no event of its own
                ex.pending = None
                inv.tag = ex
                inv.on_complete(self._answered)
            else:
                w = ex.wait_t
                self.cloud.scheduler.schedule_at_us(w if w > now else now, self._resume, (ex,))
        elif on_response is not None:
            on_response(r)
        if not fresh and self._short:
            # (re)plan after the request (planning has no effects; the request ran as before); a
            # (method, path) seen for the first time is only noted, so that paths seen once
            # (ids in the path) cost no plan
            plans = self._plans
            pkey = (api_id, method, path)
            if plan is None and pkey not in plans:
                new_plan = None
            else:
                new_plan = self._http_plan(api, method, path)
            if len(plans) >= PLAN_MEMO:
                plans.clear()
                self._plans_by_path.clear()
            plans[pkey] = new_plan
            if new_plan is not None:
                self._plans_by_path[path] = new_plan

    def _http_plan(self, api: Any, method: str, path: str) -> HttpPlan | None:
        """The plan of ``submit(api, method, path)`` now (None: no stage to resolve to). Reads
        only: the same resolution as ``_http`` (stage, router match) and ``_http_integrate``
        (the integration's parsed function ARN)."""
        raw_path, sep, _ = path.partition("?")
        stages = api.stages
        cut = raw_path.find("/", 1)
        first = raw_path[1:cut] if cut > 0 else raw_path[1:]
        probe = first if first and first != "$default" else None
        stage = stages.get(probe) if probe is not None else None
        if stage is not None:
            inner = raw_path[cut:] if cut > 0 else "/"
        else:
            stage = stages.get("$default")
            if stage is None:
                return None
            inner = raw_path
        rt = stage.runtime
        compiled = stage.compiled()
        plan = HttpPlan(api, method, probe, stage, rt, compiled)
        lam = self._lambda
        if compiled is None or rt is None or sep or lam is None:
            return plan
        upper = method.upper()
        m = compiled.router.match(upper, inner)
        target, params = (m[0].target, m[1]) if m is not None else (compiled.default, {})
        if target is None or target.route.authorization_type != "NONE":
            return plan
        integ = target.integration
        uri = None if integ is None else integ.uri
        if integ is None or integ.type != "AWS_PROXY" or integ.payload_format != "2.0" or not uri or "${" in uri:
            return plan
        fn = lambda_target(uri)
        if fn is None:
            return plan
        plan.method = upper
        plan.inner_path = inner
        plan.route_key = target.route.key
        plan.resource_path = target.path
        plan.target = target
        plan.params = params
        plan.fn_name = fn.name
        plan.fn_qualifier = fn.qualifier
        plan.timeout_us = integ.timeout_ms * 1000
        plan.stage_name = stage.name
        plan.domain = f"{api.id}.execute-api.{self._region}.amazonaws.com"
        plan.trace_parts = (f"R[('api', {api.id!r}), ('latency_us', ",
                            f"), ('method', {upper!r}), ('path', {path!r}), ('request_id', '",
                            f"'), ('stage', {stage.name!r}), ('status', ")
        plan.ok = True
        return plan

    def _plan_exchange(self, plan: HttpPlan, t0: int, request_id: str, method: str, path: str, body: Any,
                       source_ip: str, user_agent: str | None, on_response: Any) -> Exchange:
        """The Exchange the general pipeline holds for a short-path request after its route and
        throttling steps (``submit`` -> ``_http``), for a step the short path leaves to it."""
        ex = Exchange(IncomingRequest(method.upper(), path, "", None, body, source_ip, user_agent), t0)
        ex.api = plan.api
        ex.on_done = on_response
        ex.is_rest = False
        ex.pending = None
        ex.request_id = request_id
        ex.req.path = plan.inner_path
        ex.stage = plan.stage
        ex.rt = plan.rt
        ex.route_key = plan.route_key
        ex.resource_path = plan.resource_path
        ex.target = plan.target
        ex.params = plan.params
        return ex

    def _short_answered(self, inv: Any) -> None:
        """:meth:`_answered` for a short-path request: ``_http_integrated`` and ``_finish`` for
        a function that answered a valid proxy response, without CORS or an access log; anything
        else continues on the general steps with the request's Exchange."""
        tag = inv.tag
        if tag is None:  # the integration timed out: the request went on without this call
            return
        plan, rid, t0, on_response, path, body, source_ip, user_agent = tag
        inv.tag = None
        a = self._lambda._async
        if a.waiting:
            a.kick()
        rt = plan.rt
        end = inv.end_us
        resp: Response | None = None
        if inv.error is None and rt.log_render is None and not plan.api.cors:
            result = inv.result
            if type(result) is dict and len(result) == 2 and type(result.get("statusCode")) is int \
                    and type(result.get("body")) is str:
                # proxy_response_v2 of {"statusCode": int, "body": str} (nothing else in it: no
                # headers), with _finish's request id header
                resp = Response(result["statusCode"], {"apigw-requestid": rid}, result["body"], None)
            else:
                try:
                    resp = proxy_response_v2(result)
                except MalformedResponse:
                    resp = None
                else:
                    resp.headers["apigw-requestid"] = rid  # what _finish adds
        if resp is None:
            ex = self._plan_exchange(plan, t0, rid, plan.method, path, body, source_ip, user_agent, on_response)
            ex.istart = t0
            _settle(ex, inv, end, self._http_integrated)
            ex.pending = None
            r = self._http_integrated(ex)
            if on_response is not None:
                on_response(r)
            return
        # _http_integrated and _finish for this response (no CORS headers, no access log)
        integ_us = end - t0
        resp.request_id = rid
        resp.start_us = t0
        resp.end_us = end
        resp.integration_latency_us = integ_us
        resp.route_key = plan.route_key
        status = resp.status
        cfg = self.config
        if cfg.metrics:
            m = rt.series
            if m is None:
                m = rt.series = StageMetrics(self._series_of(False, plan.api, plan.stage), cfg.latency_percentiles)
            elif m.raw is not cfg.latency_percentiles:
                m.raw = bool(cfg.latency_percentiles)
            ms = integ_us / 1000  # Latency = IntegrationLatency here (no overhead, no authorizer)
            m.record(end, status, ms, ms, None)
        if cfg.trace_requests:
            trace = self.cloud.trace
            if trace.digest_only and type(status) is int:
                # The canonical text record() computes for these flat values (keys sorted), its
                # constant parts made with the plan (a request id is base64: its repr is 'id').
                parts = plan.trace_parts
                trace.record_body("apigateway", "request", f"{parts[0]}{integ_us}{parts[1]}{rid}{parts[2]}{status})]")
            else:
                trace.record("apigateway", "request", api=plan.api_id, stage=plan.stage_name, method=plan.method,
                             path=path, status=status, request_id=rid, latency_us=integ_us)
        if on_response is not None:
            on_response(resp)

    def request_event(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
                      source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> Event:
        """An event a process can ``yield``: it fires at the response instant with the Response."""
        ev = Event(self.cloud.scheduler)
        self.submit(api_id, method, path, headers, body, source_ip=source_ip, user_agent=user_agent,
                    on_response=ev.succeed)
        return ev

    def _exchange(self, api_id: str, method: str, target: str, headers: Any, body: Any, source_ip: str,
                  user_agent: str | None) -> Exchange:
        api = self.apis.get(api_id)
        if api is None:
            raise SimError(f"no API {api_id!r} in this Cloud (on AWS the host name would not resolve)")
        if api.kind == "WEBSOCKET":
            raise SimError("WebSocket APIs take connections: use connect(api_id, stage)")
        if not isinstance(target, str) or not target.startswith("/"):
            raise SimError(f"the path starts with '/' (and the stage, except for $default): {target!r}")
        raw_path, _, raw_query = target.partition("?")
        ex = Exchange(IncomingRequest(method.upper(), raw_path, raw_query, headers, body, source_ip, user_agent), 0)
        ex.api = api
        return ex

    # -- drivers: how the caller waits ---------------------------------------------------------------
    def _blocking(self, ex: Exchange, first: Callable[[Exchange], Any]) -> Any:
        """Run a request for a caller that waits, like a real HTTP call.

        From user code the clock advances to the response (events due meanwhile run); from inside a
        Lambda handler the handler's clock advances; from a simulation event the kernel is not
        re-entered: the pipeline runs on at later instants and its response is returned at once
        (use ``request_event`` / ``submit`` in processes)."""
        run = current_run()
        if run is not None:
            ex.t = ex.t0 = ex.wait_t = run.now_us
            r = first(ex)
            if r is WAIT:
                t = ex.wait_t
                r = ex.next(ex)  # type: ignore[misc]
                while r is WAIT:
                    t = ex.wait_t
                    r = ex.next(ex)  # type: ignore[misc]
                if t > run.now_us:
                    run.advance(t - run.now_us)
            return r
        cloud = self.cloud
        clock = cloud.clock
        ex.t = ex.t0 = ex.wait_t = clock.now_us
        r = first(ex)
        if r is WAIT:
            sched = cloud.scheduler
            if sched.running:
                while r is WAIT:
                    r = ex.next(ex)  # type: ignore[misc]
            else:
                while r is WAIT:
                    if ex.wait_t > clock.now_us:
                        sched.run_until_us(ex.wait_t)
                    r = ex.next(ex)  # type: ignore[misc]
        return r

    def _nonblocking(self, ex: Exchange, first: Callable[[Exchange], Any],
                     on_done: Callable[[Any], Any] | None) -> None:
        """Run a request on the kernel: each wait is one scheduled event (:meth:`_resume`);
        ``on_done(result)`` is called at the response instant (at once if nothing waits)."""
        now = self.cloud.clock.now_us
        ex.t = ex.t0 = ex.wait_t = now
        ex.on_done = on_done
        r = first(ex)
        if r is WAIT:
            w = ex.wait_t
            self.cloud.scheduler.schedule_at_us(w if w > now else now, self._resume, (ex,))
        elif on_done is not None:
            on_done(r)

    def _resume(self, ex: Exchange) -> None:
        r = ex.next(ex)  # type: ignore[misc]
        if r is WAIT:
            now = self.cloud.clock.now_us
            w = ex.wait_t
            self.cloud.scheduler.schedule_at_us(w if w > now else now, self._resume, (ex,))
        elif ex.on_done is not None:
            ex.on_done(r)

    def _answered(self, inv: Any) -> None:
        """The HTTP API request waiting for ``inv`` (an authorizer or the integration that answers
        before its timeout) continues inside Lambda's completion event (``on_complete``), not
        in an event of its own.

        Exact: ``submit`` would have scheduled ``_resume`` at ``inv.end_us`` right after
        ``Lambda._start`` scheduled ``InvokeEngine._complete`` at that same instant, nothing being
        scheduled in between (``_settle`` is the last thing a step does before returning
        ``WAIT``, and the driver's schedule the first after), so the two events have consecutive
        sequence numbers and always ran back to back. ``_complete`` runs its ``on_complete``
        callbacks (only this one: the invocation is the gateway's own) after its trace record;
        what it still does after them is ``_async.kick()`` when async events wait for capacity,
        which schedules a dispatch pass at the same instant: that is done first here, so that the
        pass keeps its place before whatever the rest of the request schedules (the kick in
        ``_complete`` then finds the pass pending and does nothing). Pinned by
        tests/apigateway/test_apigw_answered.py."""
        ex: Exchange = inv.tag
        inv.tag = None
        a = self._lambda._async
        if a.waiting:
            a.kick()
        r = ex.next(ex)  # type: ignore[misc]
        if r is WAIT:
            nxt = ex.pending
            if nxt is not None:
                ex.pending = None
                nxt.tag = ex
                nxt.on_complete(self._answered)
            else:
                now = self.cloud.clock.now_us
                w = ex.wait_t
                self.cloud.scheduler.schedule_at_us(w if w > now else now, self._resume, (ex,))
        elif ex.on_done is not None:
            ex.on_done(r)

    # -- the pipeline's first steps ---------------------------------------------------------------------
    def _begin(self, ex: Exchange) -> Any:
        overhead = self.config.overhead_ms
        if overhead:
            # API Gateway's own latency, before the integration is called
            ex.t = ex.wait_t = ex.t0 + round(overhead * 1000)
            ex.next = self._dispatch
            return WAIT
        return self._dispatch(ex)

    def _dispatch(self, ex: Exchange) -> Any:
        if ex.api.kind == "REST":
            ex.request_id, ex.ext_id = self._request_ids(True)
            return self._rest(ex)
        ex.is_rest = False
        ex.request_id = _b64_id(self._rng.getrandbits(216) >> 128)  # _request_ids(False), one draw
        return self._http(ex)

    # -- Lambda ------------------------------------------------------------------------------------
    def _invoke(self, ex: Exchange, uri: str | None, stage_vars: dict[str, str] | None, event: Any,
                timeout_us: int, then: Callable[[Exchange], Any]) -> Any:
        """Call the function ``uri`` names at ``ex.t``; ``then(ex)`` runs when it answers (or at
        the timeout), with ``ex.istatus`` ``"ok" | "error" | "timeout" | "throttled" | "missing"``
        and ``ex.ivalue`` the result or error document. A call that cannot start continues at once."""
        t = ex.t
        lam = self._lambda
        if lam is None:
            lam = self._lambda = self.cloud.service("lambda")
        try:
            target = _TARGETS.get(uri) if uri is not None and "${" not in uri else None  # type: ignore[arg-type]
            if target is not None:  # a parsed function ARN seen before (start_invocation, inlined)
                try:
                    inv = lam.start_at(target.name, target.qualifier, event, t)
                except AWSError as exc:
                    if exc.code == "ResourceNotFoundException":
                        raise FunctionMissing(uri) from None
                    raise
            else:
                inv = start_invocation(lam, uri, stage_vars, event, t)
        except FunctionMissing:
            ex.istatus = "missing"
            ex.ivalue = None
            return then(ex)
        except AWSError:
            ex.istatus = "throttled"
            ex.ivalue = None
            return then(ex)
        return _settle(ex, inv, t + timeout_us, then)

    # -- REST ----------------------------------------------------------------------------------------
    def _rest(self, ex: Exchange) -> Any:
        api: RestApi = ex.api
        req = ex.req
        path = req.full_path
        cut = path.find("/", 1)
        stage_name = path[1:cut] if cut > 0 else path[1:]
        req.path = path[cut:] if cut > 0 else "/"
        stage: RestStage | None = api.stages.get(stage_name)
        if stage is None or stage.runtime is None or stage.runtime.router is None:
            return self._finish(ex, gateway_response(REST_FORBIDDEN))
        ex.stage = stage
        rt = ex.rt = stage.runtime
        m = rt.router.match(req.method, req.path)
        if m is None:
            return self._finish(ex, gateway_response(MISSING_AUTH_TOKEN))
        entry, params = m
        target: MethodTarget = entry.target
        ex.resource_path = target.resource_path
        meth = target.method
        # throttling: stage per method, then account
        key = target.setting_key
        bucket: Any = rt.buckets.get(key, False)
        if bucket is False:
            bucket = rt.buckets[key] = _stage_bucket(stage, key, ex.t)
        account = self._account
        if account is None:
            account = self._account_bucket(ex.t)
        if bucket is not None:
            if not bucket.take(ex.t):
                return self._finish(ex, gateway_response(REST_THROTTLED))
            if not account.take(ex.t):
                bucket.give_back()
                return self._finish(ex, gateway_response(REST_THROTTLED))
        elif not account.take(ex.t):
            return self._finish(ex, gateway_response(REST_THROTTLED))
        # authorization
        ex.target = target
        ex.params = params
        ex.auth = ex.actx = None
        ex.arn = ""
        atype = meth.authorization_type
        if atype != "NONE":
            ex.arn = method_arn(self._region, self._account_id, api.id, stage.name, req.method, req.path)
            if atype == "CUSTOM":
                return self._rest_authorize(ex)
            elif atype == "AWS_IAM":
                caller = self._iam(ex, ex.arn, True)
                if isinstance(caller, Response):
                    return self._finish(ex, caller)
            elif atype == "COGNITO_USER_POOLS":
                outcome2 = self._cognito(target, req)
                if isinstance(outcome2, Response):
                    return self._finish(ex, outcome2)
                ex.actx = outcome2
        return self._rest_integrate(ex)

    def _iam(self, ex: Exchange, arn: str, rest: bool) -> Any:
        """``AWS_IAM``: the signed caller (kept in ``ex.iam``) or the gateway's 403 (:mod:`.iam_auth`)."""
        from .iam_auth import authenticate  # only IAM-authorized methods pay for the import

        caller = authenticate(self.cloud, ex.req, arn, f"{ex.api.id}.execute-api.{self._region}.amazonaws.com", rest)
        if not isinstance(caller, Response):
            ex.iam = caller
        return caller

    def _rest_authorized(self, ex: Exchange, outcome: Any) -> Any:
        if isinstance(outcome, Response):
            return self._finish(ex, outcome)
        ex.auth, ex.actx = outcome
        return self._rest_integrate(ex)

    def _rest_integrate(self, ex: Exchange) -> Any:
        """API key and usage plan, stage cache, integration."""
        api: RestApi = ex.api
        req = ex.req
        stage: RestStage = ex.stage
        rt: StageRuntime = ex.rt  # type: ignore[assignment]
        target: MethodTarget = ex.target
        params = ex.params
        meth = target.method
        key = target.setting_key
        auth = ex.auth
        arn = ex.arn
        # API key and usage plan
        api_key_value = None
        if meth.api_key_required:
            refused = self._usage(ex, api, stage, target, auth)
            if refused is not None:
                return self._finish(ex, refused)
            api_key_value = self.owner.api_keys[ex.api_key_id].value
        # stage cache
        cache_key = None
        cache = ex.cache = rt.cache
        ttl = 0
        if cache is not None and _caching_on(stage, target):
            ttl = stage.setting(key, "cacheTtlInSeconds")
            ttl = limits.CACHE_TTL_DEFAULT_S if ttl is None else ttl
            if ttl > 0:
                ex.cacheable = True
                cache_key = _cache_key(target, req, params)
                refresh = False
                cc = req.header("Cache-Control")
                if cc and "max-age=0" in cc.replace(" ", ""):
                    require = stage.setting(key, "requireAuthorizationForCacheControl")
                    if require is False or (auth is not None and auth.decide(INVALIDATE_CACHE, arn or method_arn(
                            self._region, self._account_id, api.id, stage.name, req.method, req.path)) == "Allow"):
                        refresh = True
                    elif stage.setting(key, "unauthorizedCacheControlHeaderStrategy") == "FAIL_WITH_403":
                        return self._finish(ex, gateway_response(REST_FORBIDDEN))
                if refresh:
                    cache.invalidate(cache_key)
                else:
                    hit = cache.get(cache_key, ex.t)
                    if hit is not None:
                        cache.hits += 1
                        r = copy_response(hit)
                        r.cache_hit = True
                        return self._finish(ex, r)
                cache.misses += 1
        ex.cache_key = cache_key
        ex.ttl = ttl
        # integration
        integ = meth.integration
        if integ is None:  # pragma: no cover - deployments require integrations
            return self._finish(ex, gateway_response(REST_INTEGRATION_FAILURE))
        if integ.type == "MOCK":
            resp = self._rest_mock(ex, integ, api_key_value)
            ex.integ_us = 0
        elif integ.type == "AWS_PROXY":
            ctx = rest_request_context(
                req, account_id=self._account_id, api_id=api.id, domain=f"{api.id}.execute-api.{self._region}.amazonaws.com",
                resource_id=target.resource_id, resource_path=target.resource_path, stage=stage.name,
                request_id=ex.request_id, extended_id=ex.ext_id, time_text=self._time(ex.t0),
                time_ms=ex.t0 // 1000, authorizer=ex.actx, api_key=api_key_value, api_key_id=ex.api_key_id)
            if meth.authorization_type == "AWS_IAM":
                ctx["identity"].update(ex.iam.identity_fields())
            event = rest_event(req, target.resource_path, params, stage.name, stage.variables, ctx)
            ex.istart = ex.t
            return self._invoke(ex, integ.uri, stage.variables, event, integ.timeout_ms * 1000, self._rest_integrated)
        elif integ.type == "AWS" and integ.uri and ":lambda:path/" in integ.uri:
            return self._rest_lambda(ex, integ, api_key_value)
        else:
            ex.error_message = f"integration type {integ.type} is not simulated"
            resp = gateway_response(REST_INTEGRATION_FAILURE)
        return self._rest_respond(ex, resp)

    def _rest_integrated(self, ex: Exchange) -> Any:
        ex.integ_us = ex.t - ex.istart
        status = ex.istatus
        if status == "ok":
            try:
                resp = proxy_response_v1(ex.ivalue)
            except MalformedResponse:
                ex.error_message = "Malformed Lambda proxy response"
                resp = gateway_response(REST_BAD_GATEWAY)
            ex.integ_status = 200
        elif status == "error":
            ex.integ_status = 200
            ex.error_message = "Internal server error"
            resp = gateway_response(REST_BAD_GATEWAY)
        else:
            resp = self._rest_not_answered(ex, status)
        return self._rest_respond(ex, resp)

    def _rest_not_answered(self, ex: Exchange, status: str) -> Response:
        """The function did not answer: timeout (504), throttled or missing (500)."""
        if status == "timeout":
            ex.error_message = "Endpoint request timed out"
            return gateway_response(REST_TIMEOUT)
        ex.integ_status = 429 if status == "throttled" else None
        ex.error_message = "Execution failed due to configuration error" if status == "missing" else "Internal server error"
        return gateway_response(REST_INTEGRATION_FAILURE)

    # -- REST non-proxy integrations: mapping templates (.mapping) ----------------------------------
    def _template_context(self, ex: Exchange, api_key_value: str | None) -> dict[str, Any]:
        """``$context``: the request context the proxy events carry (with ``authorizer``)."""
        api = ex.api
        target: MethodTarget = ex.target
        return rest_request_context(
            ex.req, account_id=self._account_id, api_id=api.id,
            domain=f"{api.id}.execute-api.{self._region}.amazonaws.com", resource_id=target.resource_id,
            resource_path=target.resource_path, stage=ex.stage.name, request_id=ex.request_id,
            extended_id=ex.ext_id, time_text=self._time(ex.t0), time_ms=ex.t0 // 1000, authorizer=ex.actx,
            api_key=api_key_value, api_key_id=ex.api_key_id)

    def _integration_request(self, ex: Exchange, integ: Any, api_key_value: str | None) -> Any:
        """Select and render the request template: ``(text or None for passthrough,
        TemplateData)``, or the Response that refuses the request (415, 400, 500)."""
        req = ex.req
        try:
            text = mapping.request_template(integ, req)
        except mapping.Unsupported:
            ex.error_message = "Unsupported Media Type"
            return gateway_response(UNSUPPORTED_MEDIA_TYPE)
        data = mapping.TemplateData(self, ex, api_key_value)
        if text is not None:
            try:
                text = mapping.render(text, req.body or "", data).text
            except VtlBodyParseError as exc:
                ex.error_message = exc.message
                return gateway_response((400, json.dumps({"message": exc.message}), "BadRequestException"))
            except VtlError as exc:
                return self._configuration_error(ex, exc.message)
        return text, data

    def _configuration_error(self, ex: Exchange, reason: str) -> Response:
        """500 ``Internal server error``; the reason goes to the execution log (the trace record
        ``apigateway/execution_error`` and ``$context.error.message``)."""
        ex.error_message = f"Execution failed due to configuration error: {reason}"
        if self.config.trace_requests:
            self.cloud.trace.record("apigateway", "execution_error", api=ex.api.id, stage=ex.stage.name,
                                    request_id=ex.request_id, message=ex.error_message)
        return gateway_response(REST_INTEGRATION_FAILURE)

    def _integration_response(self, ex: Exchange, integ: Any, selection: str | None, endpoint_status: int,
                              output: str, backend_headers: dict[str, str], data: Any) -> Response:
        ir = mapping.plan_of(integ).select(selection)
        if ir is None:
            return self._configuration_error(ex, mapping.NO_MATCH.format(endpoint_status))
        try:
            return mapping.method_response(ir, output, backend_headers, ex.req, data)
        except VtlError as exc:
            return self._configuration_error(ex, exc.message)

    def _rest_mock(self, ex: Exchange, integ: Any, api_key_value: str | None) -> Response:
        """MOCK: the request template's ``statusCode`` selects the integration response."""
        got = self._integration_request(ex, integ, api_key_value)
        if isinstance(got, Response):
            return got
        text, data = got
        try:
            code = mapping.mock_selection(text)
        except VtlError as exc:
            return self._configuration_error(ex, exc.message)
        ex.integ_status = code
        return self._integration_response(ex, integ, str(code), code, "", {}, data)

    def _rest_lambda(self, ex: Exchange, integ: Any, api_key_value: str | None) -> Any:
        """AWS (custom) Lambda integration: the template's output (or the body) is the payload."""
        got = self._integration_request(ex, integ, api_key_value)
        if isinstance(got, Response):
            return self._rest_respond(ex, got)
        text, data = got
        try:
            event = mapping.lambda_payload(ex.req.body if text is None else text)
        except ValueError as exc:
            ex.integ_status = 400
            ex.error_message = f"Lambda invocation failed with status: 400. Could not parse request body into json: {exc}"
            return self._rest_respond(ex, gateway_response(REST_INTEGRATION_FAILURE))
        ex.aux = data
        ex.istart = ex.t
        return self._invoke(ex, integ.uri, ex.stage.variables, event, integ.timeout_ms * 1000, self._rest_lambda_done)

    def _rest_lambda_done(self, ex: Exchange) -> Any:
        ex.integ_us = ex.t - ex.istart
        status = ex.istatus
        if status != "ok" and status != "error":
            return self._rest_respond(ex, self._rest_not_answered(ex, status))
        ex.integ_status = 200
        value = ex.ivalue
        headers = {"Content-Type": JSON}
        selection = None
        if status == "error":
            headers["X-Amz-Function-Error"] = "Unhandled"
            message = value.get("errorMessage") if isinstance(value, dict) else None
            selection = "" if message is None else str(message)
        resp = self._integration_response(ex, ex.target.method.integration, selection, 200,
                                          mapping.lambda_output(value), headers, ex.aux)
        return self._rest_respond(ex, resp)

    def _rest_respond(self, ex: Exchange, resp: Response) -> Response:
        cache = ex.cache
        if ex.cache_key is not None and cache is not None:
            cache.put(ex.cache_key, copy_response(resp), ex.ttl, ex.t)
        return self._finish(ex, resp)

    def _rest_authorize(self, ex: Exchange) -> Any:
        """A Lambda authorizer (TOKEN or REQUEST), through the authorizer cache; continues with
        :meth:`_rest_authorized` (a Response to refuse, or ``(AuthResult, context)``)."""
        target: MethodTarget = ex.target
        params = ex.params
        arn = ex.arn
        a = target.authorizer
        req = ex.req
        stage = ex.stage
        if a is None:
            return self._rest_authorized(ex, gateway_response(AUTHORIZER_CONFIGURATION_ERROR))
        if a.type == "TOKEN":
            token = req.header(a.sources[0][1]) if a.sources else None
            if not token or not a.token_valid(token):
                return self._rest_authorized(ex, gateway_response(REST_UNAUTHORIZED))
            cache_key: tuple[Any, ...] = (ex.api.id, stage.name, a.id, token)
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        else:
            values = []
            missing = False
            for kind, name in a.sources:
                v = self._identity_value(ex, kind, name, params)
                if not v:
                    missing = True
                values.append(v)
            if missing and a.ttl_s > 0:
                return self._rest_authorized(ex, gateway_response(REST_UNAUTHORIZED))
            cache_key = (ex.api.id, stage.name, a.id, *values)
            ctx = rest_request_context(
                req, account_id=self._account_id, api_id=ex.api.id,
                domain=f"{ex.api.id}.execute-api.{self._region}.amazonaws.com", resource_id=target.resource_id,
                resource_path=target.resource_path, stage=stage.name, request_id=ex.request_id,
                extended_id=ex.request_id, time_text=self._time(ex.t0), time_ms=ex.t0 // 1000, authorizer=None)
            event = {"type": "REQUEST", "methodArn": arn,
                     **rest_event(req, target.resource_path, params, stage.name, stage.variables, ctx)}
            for k in ("body", "isBase64Encoded"):
                event.pop(k, None)
        result = self.auth_cache.get(cache_key, ex.t) if a.ttl_s > 0 else None
        if result is None:
            ex.istart = ex.t
            ex.aux = cache_key
            return self._invoke(ex, a.uri, stage.variables, event, limits.REST_TIMEOUT_MS_DEFAULT * 1000,
                                self._rest_authorizer_answered)
        return self._rest_authorized(ex, self._rest_decide(ex, result, 0))

    def _rest_authorizer_answered(self, ex: Exchange) -> Any:
        a = ex.target.authorizer
        latency = ex.t - ex.istart
        ex.auth_us += latency
        status, value = ex.istatus, ex.ivalue
        if status == "error":
            if isinstance(value, dict) and value.get("errorMessage") == "Unauthorized":
                return self._rest_authorized(ex, gateway_response(REST_UNAUTHORIZED))
            return self._rest_authorized(ex, gateway_response(AUTHORIZER_CONFIGURATION_ERROR))
        if status != "ok":
            return self._rest_authorized(ex, gateway_response(AUTHORIZER_FAILURE))
        try:
            result = rest_output(value, ex.t, a.ttl_s)
        except PolicyError:
            return self._rest_authorized(ex, gateway_response(AUTHORIZER_CONFIGURATION_ERROR))
        if a.ttl_s > 0:
            self.auth_cache.put(ex.aux, result)
        return self._rest_authorized(ex, self._rest_decide(ex, result, latency))

    def _rest_decide(self, ex: Exchange, result: AuthResult, latency: int) -> Any:
        """The policy's decision for the method: a Response, or ``(result, authorizer context)``."""
        decision = result.decide(INVOKE, ex.arn)
        ex.principal = result.principal_id
        if decision == "Deny":
            return gateway_response(EXPLICIT_DENY)
        if decision != "Allow":
            return gateway_response(IMPLICIT_DENY)
        ctx_out: dict[str, Any] = {"principalId": result.principal_id, "integrationLatency": latency // 1000}
        if result.context:
            ctx_out.update(result.context)
        return result, ctx_out

    def _identity_value(self, ex: Exchange, kind: str, name: str, params: dict[str, str]) -> str | None:
        req = ex.req
        if kind == "header":
            return req.header(name)
        if kind == "querystring":
            return req.query_param(name)
        if kind == "stageVariables":
            return ex.stage.variables.get(name)
        return self._context_value(ex, name)

    def _context_value(self, ex: Exchange, name: str) -> str | None:
        req = ex.req
        values = {
            "httpMethod": req.method, "path": req.full_path, "stage": ex.stage.name if ex.stage else None,
            "requestId": ex.request_id, "identity.sourceIp": req.source_ip, "identity.userAgent": req.user_agent,
            "resourcePath": ex.resource_path, "routeKey": ex.route_key, "apiId": ex.api.id,
            "domainName": f"{ex.api.id}.execute-api.{self._region}.amazonaws.com",
        }
        return values.get(name)

    def _cognito(self, target: "MethodTarget", req: IncomingRequest) -> Response | dict[str, Any]:
        """COGNITO_USER_POOLS: the token's signature, issuer (one of the pools) and expiry."""
        a = target.authorizer
        if a is None:
            return gateway_response(AUTHORIZER_CONFIGURATION_ERROR)
        token = req.header(a.sources[0][1]) if a.sources else None
        if not token:
            return gateway_response(REST_UNAUTHORIZED)
        now_s = self.cloud.now_us // 1_000_000
        if "cognito-idp" in self.cloud._services:
            # Pools of this Cloud's Cognito: signature, issuer, expiry as Cognito issued them.
            from ..cognito.tokens import TokenError, verify_cognito_token

            try:
                claims = verify_cognito_token(self.cloud, token, a.provider_arns)
            except TokenError:
                pass
            else:
                return {"claims": claims_for_event(claims)}
        for pool_arn in a.provider_arns:
            pool = pool_arn.rsplit("/", 1)[-1]
            region = pool.split("_", 1)[0]
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
            try:
                claims = validate(token, issuer=issuer, audiences=[], keys=self.jwks.get(issuer), now_s=now_s,
                                  check_audience=False)
            except JwtError:
                continue
            return {"claims": claims_for_event(claims)}
        return gateway_response(REST_UNAUTHORIZED)

    def _usage(self, ex: Exchange, api: "RestApi", stage: "RestStage", target: "MethodTarget",
               auth: AuthResult | None) -> Response | None:
        owner = self.owner
        if api.api_key_source == "AUTHORIZER":
            value = auth.usage_key if auth is not None else None
        else:
            value = ex.req.header("x-api-key")
        key = owner._key_values.get(value) if value else None
        if key is None or not key.enabled:
            return gateway_response(REST_FORBIDDEN)
        for plan in owner.usage_plans.values():
            if key.id in plan.keys:
                api_stage = plan.covers(api.id, stage.name)
                if api_stage is not None:
                    break
        else:
            return gateway_response(REST_FORBIDDEN)
        ex.api_key_id = key.id
        verdict = plan.admit(key.id, api_stage, f"{target.resource_path}/{target.method.http_method}",
                             api.id, stage.name, ex.t)
        if verdict == "THROTTLED":
            return gateway_response(REST_THROTTLED)
        if verdict == "QUOTA":
            return gateway_response(QUOTA_EXCEEDED)
        return None

    # -- HTTP APIs -----------------------------------------------------------------------------------
    def _http(self, ex: Exchange) -> Any:
        api: HttpApi = ex.api
        req = ex.req
        path = req.full_path
        stages = api.stages
        cut = path.find("/", 1)
        first = path[1:cut] if cut > 0 else path[1:]
        stage: HttpStage | None = stages.get(first) if first and first != "$default" else None
        if stage is not None:
            req.path = path[cut:] if cut > 0 else "/"
        else:
            stage = stages.get("$default")
            if stage is None:
                return self._finish(ex, gateway_response(HTTP_NOT_FOUND))
            req.path = path
        ex.stage = stage
        rt = ex.rt = stage.runtime
        compiled = stage.compiled()
        if compiled is None:
            return self._finish(ex, gateway_response(HTTP_NOT_FOUND))
        cors = api.cors
        method = req.method
        if cors and method == "OPTIONS" and req.header("Origin") and req.header("Access-Control-Request-Method"):
            return self._finish(ex, _preflight(cors, req))
        # route: the router's match, remembered per stage for the Compiled routes it came from
        # (those never change: a deployment makes a new one); params are read, never written
        assert rt is not None
        memo = rt.routes
        if rt.routes_of is not compiled:
            memo = rt.routes = {}
            rt.routes_of = compiled
        mkey = (method, req.path)
        hit = memo.get(mkey)
        if hit is None:
            m = compiled.router.match(method, req.path)
            if m is not None:
                hit = (m[0].target, m[1])
            else:
                hit = (compiled.default, {})
            if len(memo) >= ROUTE_MEMO:
                memo.clear()
            memo[mkey] = hit
        target: RouteTarget
        target, params = hit  # type: ignore[assignment]
        if target is None:
            return self._finish(ex, gateway_response(HTTP_NOT_FOUND))
        route = target.route
        key = ex.route_key = route.key
        ex.resource_path = target.path
        # throttling: route settings, stage default, account
        t = ex.t
        bucket: Any = rt.buckets.get(key, False)
        if bucket is False:
            bucket = rt.buckets[key] = _route_bucket(stage, key, t)
        account = self._account
        if account is None:
            account = self._account_bucket(t)
        if bucket is not None:
            if not bucket.take(t):
                return self._finish(ex, gateway_response(HTTP_THROTTLED))
            if not account.take(t):
                bucket.give_back()
                return self._finish(ex, gateway_response(HTTP_THROTTLED))
        elif not account.take(t):
            return self._finish(ex, gateway_response(HTTP_THROTTLED))
        # authorization
        ex.target = target
        ex.params = params
        atype = route.authorization_type
        if atype == "NONE":
            return self._http_integrate(ex, None)
        authorizer: dict[str, Any] | None = None
        if atype == "JWT":
            outcome = self._jwt(ex, target)
            if isinstance(outcome, Response):
                return self._finish(ex, outcome)
            authorizer = outcome
        elif atype == "CUSTOM":
            return self._http_authorize(ex)
        elif atype == "AWS_IAM":
            caller = self._iam(ex, method_arn(self._region, self._account_id, api.id, stage.name, method,
                                              req.path), False)
            if isinstance(caller, Response):
                return self._finish(ex, caller)
        return self._http_integrate(ex, authorizer)

    def _http_authorized(self, ex: Exchange, outcome: Any) -> Any:
        if isinstance(outcome, Response):
            return self._finish(ex, outcome)
        return self._http_integrate(ex, outcome)

    def _http_integrate(self, ex: Exchange, authorizer: dict[str, Any] | None) -> Any:
        target: RouteTarget = ex.target
        integ = target.integration
        if integ is None or integ.type != "AWS_PROXY":
            ex.error_message = "no integration" if integ is None else f"integration type {integ.type} is not simulated"
            return self._finish(ex, gateway_response(HTTP_INTERNAL if integ is not None else HTTP_NOT_FOUND))
        api = ex.api
        api_id = api.id
        stage = ex.stage
        req = ex.req
        t0 = ex.t0
        domain = self._domains.get(api_id)
        if domain is None:
            domain = self._domains[api_id] = f"{api_id}.execute-api.{self._region}.amazonaws.com"
        route = target.route
        iam = route.authorization_type == "AWS_IAM"
        stage_vars = stage.variables
        if integ.payload_format == "2.0":
            event = v2_event(req, route.key, ex.params, stage.name, stage_vars, self._account_id, api_id, domain,
                             ex.request_id, self._time(t0), t0 // 1000,
                             ex.iam.authorizer_v2() if iam else authorizer)
        else:
            event = http_v1_event(req, route.key, target.path, ex.params, stage.name, stage_vars,
                                  account_id=self._account_id, api_id=api_id, domain=domain,
                                  request_id=ex.request_id, time_text=self._time(t0), time_ms=t0 // 1000,
                                  authorizer=authorizer)
            if iam:
                event["requestContext"]["identity"].update(ex.iam.identity_fields())
        t = ex.istart = ex.t
        uri = integ.uri
        target_fn = _TARGETS.get(uri) if uri is not None and "${" not in uri else None  # type: ignore[arg-type]
        lam = self._lambda
        if target_fn is None or lam is None:
            return self._invoke(ex, uri, stage_vars, event, integ.timeout_ms * 1000, self._http_integrated)
        # _invoke inlined for a function ARN seen before (the same effects, in the same order)
        try:
            inv = lam.start_at(target_fn.name, target_fn.qualifier, event, t)
        except AWSError as exc:
            ex.istatus = "missing" if exc.code == "ResourceNotFoundException" else "throttled"
            ex.ivalue = None
            return self._http_integrated(ex)
        return _settle(ex, inv, t + integ.timeout_ms * 1000, self._http_integrated)

    def _http_integrated(self, ex: Exchange) -> Any:
        ex.integ_us = ex.t - ex.istart
        status = ex.istatus
        if status == "ok":
            ex.integ_status = 200
            try:
                resp = (proxy_response_v2(ex.ivalue) if ex.target.integration.payload_format == "2.0"
                        else proxy_response_v1(ex.ivalue))
            except MalformedResponse:
                ex.error_message = "Malformed Lambda proxy response"
                resp = gateway_response(HTTP_INTERNAL)
        elif status == "timeout":
            ex.error_message = "Integration timeout"
            resp = gateway_response(HTTP_UNAVAILABLE)
        else:
            ex.error_message = "Internal Server Error"
            resp = gateway_response(HTTP_INTERNAL)
        cors = ex.api.cors
        if cors:
            _cors_headers(cors, ex.req, resp)
        return self._finish(ex, resp)

    def _jwt(self, ex: Exchange, target: "RouteTarget") -> Response | dict[str, Any]:
        a = target.authorizer
        if a is None:
            return gateway_response(HTTP_INTERNAL)
        kind, name = a.sources[0] if a.sources else ("header", "Authorization")
        token = self._identity_value(ex, kind, name, {})
        if not token:
            return gateway_response(HTTP_UNAUTHORIZED, {"www-authenticate": 'Bearer'})
        issuer = (a.issuer or "").rstrip("/")
        keys = self.jwks.get(issuer)
        if keys is None and "cognito-idp" in self.cloud._services:
            from ..cognito.tokens import jwks_for_issuer  # a user pool of this Cloud as issuer

            keys = jwks_for_issuer(self.cloud, issuer)
        try:
            claims = validate(token, issuer=issuer, audiences=a.audience, keys=keys,
                              now_s=ex.t // 1_000_000)
        except JwtError as exc:
            return gateway_response(HTTP_UNAUTHORIZED, {
                "www-authenticate": f'Bearer scope="" error="invalid_token" error_description="{exc.description}"'})
        scopes = token_scopes(claims)
        wanted = target.route.scopes
        if wanted and not any(s in scopes for s in wanted):
            return gateway_response(HTTP_FORBIDDEN, {
                "www-authenticate": f'Bearer scope="{" ".join(wanted)}" error="insufficient_scope" '
                                    f'error_description="expected scopes: [{" ".join(wanted)}]"'})
        ex.principal = claims.get("sub")
        return {"jwt": {"claims": claims_for_event(claims), "scopes": scopes or None}}

    def _http_authorize(self, ex: Exchange) -> Any:
        """A Lambda REQUEST authorizer (payload 1.0 or 2.0, simple or IAM responses), through the
        authorizer cache; continues with :meth:`_http_authorized` (a Response to refuse, or the
        event's ``authorizer`` context)."""
        target: RouteTarget = ex.target
        params = ex.params
        a = target.authorizer
        req = ex.req
        stage = ex.stage
        api = ex.api
        if a is None:
            return self._http_authorized(ex, gateway_response(HTTP_INTERNAL))
        values: list[str | None] = []
        for kind, name in a.sources:
            v = self._identity_value(ex, kind, name, params)
            if not v:
                return self._http_authorized(ex, gateway_response(HTTP_UNAUTHORIZED))
            values.append(v)
        route_arn = method_arn(self._region, self._account_id, api.id, stage.name, req.method, req.path)
        cache_key = (api.id, stage.name, a.id, *values)
        result = self.auth_cache.get(cache_key, ex.t) if a.ttl_s > 0 and values else None
        if result is not None:
            return self._http_authorized(ex, self._http_decide(ex, result, route_arn))
        domain = f"{api.id}.execute-api.{self._region}.amazonaws.com"
        if a.payload_format == "2.0":
            base = http_v2_event(req, target.route.key, params, stage.name, stage.variables,
                                 account_id=self._account_id, api_id=api.id, domain=domain,
                                 request_id=ex.request_id, time_text=self._time(ex.t0), time_ms=ex.t0 // 1000,
                                 authorizer=None)
            event: dict[str, Any] = {"version": "2.0", "type": "REQUEST", "routeArn": route_arn,
                                     "identitySource": [v for v in values if v is not None]}
            for k, v in base.items():
                if k not in ("version", "body", "isBase64Encoded"):
                    event[k] = v
        else:
            base = http_v1_event(req, target.route.key, target.path, params, stage.name, stage.variables,
                                 account_id=self._account_id, api_id=api.id, domain=domain,
                                 request_id=ex.request_id, time_text=self._time(ex.t0), time_ms=ex.t0 // 1000,
                                 authorizer=None)
            event = {"version": "1.0", "type": "REQUEST", "methodArn": route_arn,
                     "identitySource": ",".join(v for v in values if v is not None)}
            for k, v in base.items():
                if k not in ("version", "body", "isBase64Encoded"):
                    event[k] = v
        ex.istart = ex.t
        ex.aux = (cache_key, route_arn, bool(values))
        return self._invoke(ex, a.uri, stage.variables, event, limits.HTTP_AUTHORIZER_TIMEOUT_MS * 1000,
                            self._http_authorizer_answered)

    def _http_authorizer_answered(self, ex: Exchange) -> Any:
        a = ex.target.authorizer
        cache_key, route_arn, has_values = ex.aux
        ex.auth_us += ex.t - ex.istart
        if ex.istatus != "ok":
            return self._http_authorized(ex, gateway_response(HTTP_INTERNAL))
        try:
            result = http_output(ex.ivalue, a.simple, ex.t, a.ttl_s)
        except PolicyError:
            return self._http_authorized(ex, gateway_response(HTTP_INTERNAL))
        if a.ttl_s > 0 and has_values:
            self.auth_cache.put(cache_key, result)
        return self._http_authorized(ex, self._http_decide(ex, result, route_arn))

    def _http_decide(self, ex: Exchange, result: AuthResult, route_arn: str) -> Any:
        if result.decide(INVOKE, route_arn) != "Allow":
            return gateway_response(HTTP_FORBIDDEN)
        ex.principal = result.principal_id
        ctx = dict(result.context or {})
        if ex.target.authorizer.payload_format == "2.0":
            return {"lambda": ctx}
        out = dict(ctx)
        if result.principal_id is not None:
            out["principalId"] = result.principal_id
        return out

    # -- the end of every request ---------------------------------------------------------------------
    def _finish(self, ex: Exchange, resp: Response) -> Response:
        cfg = self.config
        end = ex.t
        t0 = ex.t0
        request_id = ex.request_id
        integ_us = ex.integ_us
        resp.request_id = request_id
        resp.start_us = t0
        resp.end_us = end
        resp.integration_latency_us = integ_us
        resp.route_key = ex.route_key
        if ex.is_rest:
            resp.headers["x-amzn-RequestId"] = request_id
        else:
            resp.headers["apigw-requestid"] = request_id
        status = resp.status
        stage = ex.stage
        rt = ex.rt
        if stage is not None and rt is not None and cfg.metrics:
            m = rt.series
            if m is None:
                m = rt.series = StageMetrics(self._series(ex), cfg.latency_percentiles)
            elif m.raw is not cfg.latency_percentiles:
                m.raw = bool(cfg.latency_percentiles)
            m.record(end, status, (end - t0) / 1000, None if integ_us is None else integ_us / 1000,
                     resp.cache_hit if ex.cacheable else None)
            if rt.log_render is not None:
                self._access_log(ex, resp, end)
        if cfg.trace_requests:
            trace = self.cloud.trace
            stage_name = stage.name if stage else None
            req = ex.req
            full_path = req.full_path
            if trace.digest_only and type(status) is int and type(full_path) is str:
                # The canonical text record() computes for these flat values (keys sorted).
                trace.record_body("apigateway", "request", (
                    f"R[('api', {ex.api.id!r}), ('latency_us', {end - t0!r}), ('method', {req.method!r}), "
                    f"('path', {full_path!r}), ('request_id', {request_id!r}), "
                    f"('stage', {stage_name!r}), ('status', {status!r})]"))
            else:
                trace.record("apigateway", "request", api=ex.api.id, stage=stage_name, method=req.method,
                             path=full_path, status=status, request_id=request_id,
                             latency_us=end - t0)
        return resp

    def _series(self, ex: Exchange) -> tuple[Any, ...]:
        return self._series_of(ex.is_rest, ex.api, ex.stage)

    def _series_of(self, is_rest: bool, api: Any, stage: Any) -> tuple[Any, ...]:
        store = self.cloud.metrics
        names: tuple[str, ...]
        if is_rest:
            dims = {"ApiName": api.name, "Stage": stage.name}
            names = ("Count", "4XXError", "5XXError", "Latency", "IntegrationLatency", "CacheHitCount", "CacheMissCount")
        else:
            dims = {"ApiId": api.id, "Stage": stage.name}
            names = ("Count", "4xx", "5xx", "Latency", "IntegrationLatency")
        units = {"Latency": "Milliseconds", "IntegrationLatency": "Milliseconds"}
        out: list[Any] = [store._get(NAMESPACE, n, dims, units.get(n, "Count"), 60) for n in names]
        if not is_rest:
            out += [None, None]
        return tuple(out)

    def _access_log(self, ex: Exchange, resp: Response, end: int) -> None:
        req = ex.req
        body = resp.body
        values = {
            "requestId": ex.request_id, "extendedRequestId": ex.request_id, "requestTime": self._time(ex.t0),
            "requestTimeEpoch": ex.t0 // 1000, "httpMethod": req.method, "path": req.full_path,
            "resourcePath": ex.resource_path, "routeKey": ex.route_key, "stage": ex.stage.name, "apiId": ex.api.id,
            "domainName": f"{ex.api.id}.execute-api.{self._region}.amazonaws.com", "protocol": "HTTP/1.1",
            "status": resp.status, "responseLength": len(body) if isinstance(body, bytes) else len(body.encode()),
            "responseLatency": (end - ex.t0) // 1000,
            "integrationLatency": None if ex.integ_us is None else ex.integ_us // 1000,
            "integrationStatus": ex.integ_status, "identity.sourceIp": req.source_ip,
            "identity.userAgent": req.user_agent, "authorizer.principalId": ex.principal,
            "error.message": ex.error_message if ex.error_message else (
                _message_of(resp) if resp.error_type or resp.status >= 400 and ex.integ_us is None else None),
            "error.responseType": resp.error_type, "identity.apiKeyId": ex.api_key_id,
        }
        line = ex.rt.log_render(values)  # type: ignore[union-attr, misc]
        self.cloud.logs.write(ex.rt.log_group, f"{ex.api.id}/{ex.stage.name}", line, end // 1000)  # type: ignore[union-attr, arg-type]


# -- helpers -----------------------------------------------------------------------------------------
_MASK88 = (1 << 88) - 1


def _b64_id(n: int) -> str:
    """11 random bytes in base64: 15 characters and ``=`` (AWS's extended request ids look like
    ``JKJaXmPLvHcESHA=``). Base64 is ASCII: ``decode()``'s default UTF-8 gives the same text,
    faster than naming a codec."""
    return _b2a_base64((n & _MASK88).to_bytes(11), newline=False).decode()


def _stage_bucket(stage: "RestStage", key: str, now_us: int) -> TokenBucket | None:
    rate = stage.setting(key, "throttlingRateLimit")
    burst = stage.setting(key, "throttlingBurstLimit")
    if rate is None and burst is None:
        return None
    return TokenBucket(float(limits.ACCOUNT_RATE if rate is None else rate),
                       int(limits.ACCOUNT_BURST if burst is None else burst), now_us)


def _route_bucket(stage: "HttpStage", route_key: str, now_us: int) -> TokenBucket | None:
    s = stage.route_settings.get(route_key) or {}
    d = stage.default_route_settings or {}
    rate = s.get("ThrottlingRateLimit", d.get("ThrottlingRateLimit"))
    burst = s.get("ThrottlingBurstLimit", d.get("ThrottlingBurstLimit"))
    if rate is None and burst is None:
        return None
    return TokenBucket(float(limits.ACCOUNT_RATE if rate is None else rate),
                       int(limits.ACCOUNT_BURST if burst is None else burst), now_us)


def _caching_on(stage: "RestStage", target: "MethodTarget | None") -> bool:
    if target is None:
        return False
    on = stage.setting(target.setting_key, "cachingEnabled")
    if on is None:
        return target.method.http_method == "GET"
    return bool(on)


def _cache_key(target: "MethodTarget", req: IncomingRequest, params: dict[str, str]) -> tuple[Any, ...]:
    values: list[Any] = [target.resource_path, req.method]
    integ = target.method.integration
    for p in integ.cache_key_parameters if integ is not None else ():
        _, _, rest = p.partition("method.request.")
        kind, _, name = rest.partition(".")
        if kind == "header":
            values.append(req.header(name))
        elif kind == "querystring":
            values.append(req.query_param(name))
        elif kind == "path":
            values.append(params.get(name))
        elif kind == "multivaluequerystring":
            values.append(tuple(v for k, v in req.query_pairs() if k == name))
        else:
            values.append(tuple(v for k, v in req.pairs if k.lower() == name.lower()))
    return tuple(values)


def _message_of(resp: Response) -> str | None:
    try:
        body = json.loads(resp.body)
    except (TypeError, ValueError):
        return None
    if isinstance(body, dict):
        return body.get("message", body.get("Message"))
    return None


def _origin_allowed(cors: dict[str, Any], origin: str | None) -> str | None:
    if not origin:
        return None
    allowed = cors.get("AllowOrigins") or []
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def _preflight(cors: dict[str, Any], req: IncomingRequest) -> Response:
    """CORS preflight answered by API Gateway itself (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html)."""
    headers: dict[str, str] = {}
    origin = _origin_allowed(cors, req.header("Origin"))
    if origin is not None:
        headers["access-control-allow-origin"] = origin
        if cors.get("AllowMethods"):
            headers["access-control-allow-methods"] = ",".join(cors["AllowMethods"])
        if cors.get("AllowHeaders"):
            headers["access-control-allow-headers"] = ",".join(cors["AllowHeaders"])
        if cors.get("MaxAge") is not None:
            headers["access-control-max-age"] = str(cors["MaxAge"])
        if cors.get("AllowCredentials"):
            headers["access-control-allow-credentials"] = "true"
    return Response(204, headers, "")


def _cors_headers(cors: dict[str, Any], req: IncomingRequest, resp: Response) -> None:
    """With a CORS configuration, API Gateway ignores the integration's CORS headers."""
    for k in [k for k in resp.headers if k.lower().startswith("access-control-")]:
        del resp.headers[k]
    origin = _origin_allowed(cors, req.header("Origin"))
    if origin is not None:
        resp.headers["access-control-allow-origin"] = origin
        if cors.get("ExposeHeaders"):
            resp.headers["access-control-expose-headers"] = ",".join(cors["ExposeHeaders"])
        if cors.get("AllowCredentials"):
            resp.headers["access-control-allow-credentials"] = "true"


__all__ = ["Gateway", "GatewayConfig", "StageRuntime"]
