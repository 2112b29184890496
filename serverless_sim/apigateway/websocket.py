"""WebSocket APIs: connections, route selection, and the ``@connections`` management API.

https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-overview.html:

- ``$connect`` runs when a client connects; the upgrade waits for its integration (and its
  REQUEST authorizer, the only place WebSocket APIs authorize). A non-2xx ``statusCode`` from the
  integration, an error, or a refusal rejects the connection (401 / 403 / 500); no ``$connect``
  route accepts every connection.
- Messages are routed by the API's route selection expression (``$request.body.action``: the
  body is parsed as JSON and the field's value is the route key); no match goes to ``$default``;
  without ``$default`` the client receives ``{"message": "Forbidden", "connectionId": ...,
  "requestId": ...}``. A route with ``RouteResponseSelectionExpression`` sends the integration's
  response body back to the client (two-way).
- ``$disconnect`` runs after the connection closes (best effort): client close, DeleteConnection,
  the 10-minute idle timeout or the 2-hour maximum (:mod:`.limits`).
- Connection ids (``L0SM9cOFvHcCIhw=``) come from the seeded stream ``apigateway/connections``.

The management API (``apigatewaymanagementapi``: PostToConnection, GetConnection,
DeleteConnection) delivers to the native :class:`WebSocketClient` at once; a closed or unknown
connection is ``GoneException`` (410). Deviation: boto3 addresses the management API by
``endpoint_url`` (one API and stage); here connection ids are unique per Cloud, so the endpoint
is not needed.

Timing: ``connect`` blocks like the upgrade request (the clock advances to the ``$connect``
integration's end from user code); ``send`` is a frame on the wire: it never blocks, its
integration runs on the kernel and its response (if any) arrives at the integration's end.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from ..kernel.errors import SimError
from . import limits
from .events import DEFAULT_SOURCE_IP, IncomingRequest, websocket_event

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .gateway import Exchange, Gateway
    from .http import HttpApi, HttpStage, RouteTarget


class WebSocketClient:
    """The client end of one connection: ``send``, ``close``, and what the server sent."""

    def __init__(self, gateway: "Gateway", api_id: str, stage: str) -> None:
        self._gateway = gateway
        self.api_id = api_id
        self.stage = stage
        self.connection_id: str | None = None
        #: 101 when connected, else the upgrade's refusal status
        self.status = 0
        self.connected = False
        #: (virtual instant in epoch µs, data) for every message received
        self.messages: list[tuple[int, str | bytes]] = []
        self.close_code: int | None = None
        self.on_message: Callable[[str | bytes], Any] | None = None

    @property
    def received(self) -> list[str | bytes]:
        return [m for _, m in self.messages]

    def send(self, data: str | bytes | dict[str, Any] | list[Any]) -> None:
        """Send one message (a dict or list is sent as JSON text). Never blocks."""
        if not self.connected:
            raise SimError("the connection is closed")
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        self._gateway._ws_message(self.connection_id, data)  # type: ignore[arg-type]

    def close(self, code: int = 1000, reason: str = "") -> None:
        if self.connected:
            self._gateway._ws_close(self.connection_id, code, reason)  # type: ignore[arg-type]

    def _deliver(self, t_us: int, data: str | bytes) -> None:
        self.messages.append((t_us, data))
        if self.on_message is not None:
            self.on_message(data)

    def __repr__(self) -> str:
        return f"<WebSocketClient {self.connection_id} {'open' if self.connected else 'closed'} {len(self.messages)} messages>"


class Connection:
    __slots__ = ("id", "api", "stage", "client", "connected_us", "last_active_us", "source_ip", "user_agent",
                 "authorizer", "headers", "open", "idle_handle")

    def __init__(self, id_: str, api: "HttpApi", stage: "HttpStage", client: WebSocketClient, now_us: int,
                 source_ip: str, user_agent: str | None) -> None:
        self.id = id_
        self.api = api
        self.stage = stage
        self.client = client
        self.connected_us = now_us
        self.last_active_us = now_us
        self.source_ip = source_ip
        self.user_agent = user_agent
        self.authorizer: dict[str, Any] | None = None
        self.headers: dict[str, str] = {}
        self.open = True
        self.idle_handle: Any = None


def select_route(expression: str, body: str | bytes) -> str | None:
    """Evaluate ``$request.body.a.b`` (or ``${request.body.a.b}``) on a JSON body."""
    expr = expression
    if expr.startswith("${") and expr.endswith("}"):
        expr = "$" + expr[2:-1]
    if not expr.startswith("$request.body."):
        return None
    try:
        value: Any = json.loads(body)
    except (TypeError, ValueError):
        return None
    for part in expr[len("$request.body."):].split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if isinstance(value, (dict, list)) or value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _nothing(ex: Any) -> None:
    """The ``$disconnect`` integration's answer goes nowhere."""
    return None


class WebSocketMixin:
    """The WebSocket data plane (mixed into :class:`~.gateway.Gateway`)."""

    if TYPE_CHECKING:
        cloud: Cloud
        apis: dict[str, Any]
        connections: dict[str, Connection]
        auth_cache: Any
        config: Any
        _region: str
        _account_id: str
        _time: Any
        _account_bucket: Any
        _invoke: Any
        _identity_value: Any
        _blocking: Any
        _nonblocking: Any

    def connect(self, api_id: str, stage: str, *, headers: dict[str, str] | None = None,
                query: str = "", source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> WebSocketClient:
        """Open a connection (blocks until ``$connect`` answers). Check ``client.connected``."""
        from .gateway import Exchange
        api = self.apis.get(api_id)
        if api is None or api.kind != "WEBSOCKET":
            raise SimError(f"no WebSocket API {api_id!r} in this Cloud")
        client = WebSocketClient(self, api_id, stage)  # type: ignore[arg-type]
        ex = Exchange(IncomingRequest("GET", f"/{stage}", query, headers or {}, None, source_ip, user_agent), 0)
        ex.api = api
        ex.client = client
        ex.aux = stage
        return self._blocking(ex, self._ws_connect)  # type: ignore[no-any-return]

    def _ws_ids(self) -> tuple[str, str]:
        from .gateway import _b64_id
        rng = self.cloud.rng("apigateway/connections")
        return _b64_id(rng.getrandbits(90)), _b64_id(rng.getrandbits(90))

    def _ws_connect(self, ex: "Exchange") -> Any:
        """``$connect``: account throttle, REQUEST authorizer, integration; continues with
        :meth:`_ws_authorized`, :meth:`_ws_connect_answered`, :meth:`_ws_open`."""
        api: HttpApi = ex.api
        stage_name: str = ex.aux
        client: WebSocketClient = ex.client
        t0 = ex.t0
        stage = api.stages.get(stage_name)
        compiled = stage.compiled() if stage is not None else None
        if stage is None or compiled is None:
            client.status = 403
            return client
        conn_id, request_id = self._ws_ids()
        req = ex.req
        ex.stage, ex.rt, ex.request_id, ex.is_rest = stage, stage.runtime, request_id, False
        ex.route_key = "$connect"
        target = ex.target = compiled.by_key.get("$connect")
        conn = ex.conn = Connection(conn_id, api, stage, client, t0, req.source_ip, req.user_agent)
        if not self._account_bucket(t0).take(t0):
            client.status = 429
            return client
        if target is not None:
            if target.route.authorization_type == "CUSTOM":
                return self._ws_authorize(ex)
            return self._ws_connect_integrate(ex)
        return self._ws_open(ex)

    def _ws_authorized(self, ex: "Exchange", outcome: Any) -> Any:
        if isinstance(outcome, int):
            ex.client.status = outcome
            return ex.client
        ex.conn.authorizer = outcome
        return self._ws_connect_integrate(ex)

    def _ws_connect_integrate(self, ex: "Exchange") -> Any:
        target = ex.target
        if target.integration is not None and target.integration.type == "AWS_PROXY":
            conn = ex.conn
            event = self._ws_event(conn, "$connect", "CONNECT", ex.request_id, None, ex.t, req=ex.req)
            return self._invoke(ex, target.integration.uri, ex.stage.variables, event,
                                target.integration.timeout_ms * 1000, self._ws_connect_answered)
        return self._ws_open(ex)

    def _ws_connect_answered(self, ex: "Exchange") -> Any:
        client: WebSocketClient = ex.client
        status, value = ex.istatus, ex.ivalue
        code = value.get("statusCode") if status == "ok" and isinstance(value, dict) else None
        if status != "ok":
            client.status = 500 if status != "timeout" else 504
            return client
        if code is not None and not (isinstance(code, int) and 200 <= code < 300):
            client.status = code if isinstance(code, int) else 502
            return client
        return self._ws_open(ex)

    def _ws_open(self, ex: "Exchange") -> WebSocketClient:
        conn: Connection = ex.conn
        client: WebSocketClient = ex.client
        conn_id = conn.id
        conn.connected_us = conn.last_active_us = ex.t
        self.connections[conn_id] = conn
        client.connection_id = conn_id
        client.connected = True
        client.status = 101
        self._ws_metric(conn, "ConnectCount", ex.t)
        sched = self.cloud.scheduler
        sched.call_at_us(ex.t + limits.WS_CONNECTION_MAX_S * 1_000_000, self._ws_expire, conn_id, 1001,
                         "Going away", daemon=True)
        self._ws_arm_idle(conn)
        self.cloud.trace.record("apigateway", "ws_connect", api=ex.api.id, stage=ex.stage.name, connection_id=conn_id)
        return client

    def _ws_authorize(self, ex: "Exchange") -> Any:
        target: RouteTarget = ex.target
        conn: Connection = ex.conn
        a = target.authorizer
        if a is None:
            return self._ws_authorized(ex, 500)
        req = ex.req
        values = []
        for kind, name in a.sources:
            v = self._identity_value(ex, kind, name, {})
            if not v:
                return self._ws_authorized(ex, 401)
            values.append(v)
        arn = (f"arn:aws:execute-api:{self._region}:{self._account_id}:{conn.api.id}/{conn.stage.name}/$connect")
        cache_key = (conn.api.id, conn.stage.name, a.id, *values)
        result = self.auth_cache.get(cache_key, ex.t) if a.ttl_s > 0 else None
        if result is not None:
            return self._ws_authorized(ex, self._ws_decide(result, arn))
        event = {"type": "REQUEST", "methodArn": arn, "headers": req.headers_v1(),
                 "multiValueHeaders": req.multi_headers_v1(), "queryStringParameters": req.query_v1() or {},
                 "multiValueQueryStringParameters": req.multi_query_v1() or {},
                 "stageVariables": dict(conn.stage.variables),
                 "requestContext": self._ws_event(conn, "$connect", "CONNECT", ex.request_id, None, ex.t)["requestContext"]}
        ex.aux = (cache_key, arn)
        return self._invoke(ex, a.uri, conn.stage.variables, event, limits.WS_TIMEOUT_MS_DEFAULT * 1000,
                            self._ws_authorizer_answered)

    def _ws_authorizer_answered(self, ex: "Exchange") -> Any:
        from .authorizers import PolicyError, rest_output
        a = ex.target.authorizer
        cache_key, arn = ex.aux
        status, value = ex.istatus, ex.ivalue
        if status == "error" and isinstance(value, dict) and value.get("errorMessage") == "Unauthorized":
            return self._ws_authorized(ex, 401)
        if status != "ok":
            return self._ws_authorized(ex, 500)
        try:
            result = rest_output(value, ex.t, a.ttl_s)
        except PolicyError:
            return self._ws_authorized(ex, 500)
        if a.ttl_s > 0:
            self.auth_cache.put(cache_key, result)
        return self._ws_authorized(ex, self._ws_decide(result, arn))

    @staticmethod
    def _ws_decide(result: Any, arn: str) -> Any:
        if result.decide("execute-api:Invoke", arn) != "Allow":
            return 403
        ctx: dict[str, Any] = {"principalId": result.principal_id}
        ctx.update(result.context or {})
        return ctx

    def _ws_event(self, conn: Connection, route_key: str, event_type: str, request_id: str,
                  body: str | bytes | None, t: int, req: IncomingRequest | None = None,
                  message_id: str | None = None, disconnect: tuple[int, str] | None = None) -> dict[str, Any]:
        is_b64 = isinstance(body, bytes)
        if is_b64:
            import base64
            body = base64.b64encode(body).decode()  # type: ignore[arg-type]
        return websocket_event(
            route_key=route_key, event_type=event_type, connection_id=conn.id, connected_at_ms=conn.connected_us // 1000,
            stage=conn.stage.name, api_id=conn.api.id, domain=f"{conn.api.id}.execute-api.{self._region}.amazonaws.com",
            account_id=self._account_id, request_id=request_id, message_id=message_id, time_text=self._time(t),
            time_ms=t // 1000, source_ip=conn.source_ip, user_agent=conn.user_agent, body=body,  # type: ignore[arg-type]
            is_base64=is_b64, headers=req.headers_v1() if req else None,
            multi_headers=req.multi_headers_v1() if req else None, query=req.query_v1() if req else None,
            multi_query=req.multi_query_v1() if req else None, stage_vars=conn.stage.variables,
            authorizer=conn.authorizer, disconnect=disconnect)

    def _ws_message(self, conn_id: str, data: str | bytes) -> None:
        from .gateway import Exchange
        conn = self.connections.get(conn_id)
        if conn is None or not conn.open:
            raise SimError("the connection is closed")
        size = len(data.encode() if isinstance(data, str) else data)
        now = self.cloud.now_us
        if size > limits.WS_MESSAGE_MAX_BYTES:
            self._ws_close(conn_id, 1009, "Message too big")
            return
        conn.last_active_us = now
        self._ws_arm_idle(conn)
        ex = Exchange(IncomingRequest("POST", "/", "", None, None, conn.source_ip, conn.user_agent), now)
        ex.api, ex.stage, ex.is_rest, ex.conn, ex.aux = conn.api, conn.stage, False, conn, data
        self._nonblocking(ex, self._ws_route, None)

    def _ws_route(self, ex: "Exchange") -> Any:
        conn: Connection = ex.conn
        data = ex.aux
        t0 = ex.t0
        message_id, request_id = self._ws_ids()
        compiled = conn.stage.compiled()
        key = select_route(conn.api.route_selection, data)
        target = compiled.by_key.get(key) if (compiled is not None and key is not None
                                               and not key.startswith("$")) else None
        if target is None and compiled is not None:
            target = compiled.default
        self._ws_metric(conn, "MessageCount", t0)
        if not self._account_bucket(t0).take(t0):
            conn.client._deliver(t0, json.dumps({"message": "Too Many Requests", "connectionId": conn.id,
                                                 "requestId": request_id}))
            return None
        if target is None:
            conn.client._deliver(t0, json.dumps({"message": "Forbidden", "connectionId": conn.id,
                                                 "requestId": request_id}))
            return None
        integ = target.integration
        if integ is None or integ.type != "AWS_PROXY":
            return None
        ex.request_id = request_id
        ex.target = target
        event = self._ws_event(conn, target.route.key, "MESSAGE", request_id, data, t0, message_id=message_id)
        return self._invoke(ex, integ.uri, conn.stage.variables, event, integ.timeout_ms * 1000, self._ws_routed)

    def _ws_routed(self, ex: "Exchange") -> None:
        conn: Connection = ex.conn
        if not conn.open:
            return None
        status, value = ex.istatus, ex.ivalue
        if status != "ok":
            conn.client._deliver(ex.t, json.dumps({"message": "Internal server error", "connectionId": conn.id,
                                                   "requestId": ex.request_id}))
            return None
        if ex.target.route.response_selection:
            if isinstance(value, dict) and "body" in value:
                body = value.get("body")
                if body is not None:
                    conn.client._deliver(ex.t, body if isinstance(body, str) else json.dumps(body))
            elif value is not None:
                conn.client._deliver(ex.t, value if isinstance(value, str) else json.dumps(value))
        return None

    def _ws_close(self, conn_id: str, code: int, reason: str) -> None:
        from .gateway import Exchange
        conn = self.connections.get(conn_id)
        if conn is None or not conn.open:
            return
        conn.open = False
        conn.client.connected = False
        conn.client.close_code = code
        if conn.idle_handle is not None:
            self.cloud.scheduler.cancel(conn.idle_handle)
            conn.idle_handle = None
        self.cloud.trace.record("apigateway", "ws_disconnect", api=conn.api.id, connection_id=conn.id, code=code)
        compiled = conn.stage.compiled()
        target = compiled.by_key.get("$disconnect") if compiled is not None else None
        if target is not None and target.integration is not None and target.integration.type == "AWS_PROXY":
            ex = Exchange(IncomingRequest("POST", "/", "", None, None, conn.source_ip, conn.user_agent), 0)
            ex.api, ex.stage, ex.conn, ex.target, ex.aux = conn.api, conn.stage, conn, target, (code, reason)
            self._nonblocking(ex, self._ws_disconnect, None)

    def _ws_disconnect(self, ex: "Exchange") -> Any:
        conn: Connection = ex.conn
        integ = ex.target.integration
        _, ex.request_id = self._ws_ids()
        event = self._ws_event(conn, "$disconnect", "DISCONNECT", ex.request_id, None, ex.t0, disconnect=ex.aux)
        return self._invoke(ex, integ.uri, conn.stage.variables, event, integ.timeout_ms * 1000, _nothing)

    def _ws_arm_idle(self, conn: Connection) -> None:
        sched = self.cloud.scheduler
        if conn.idle_handle is not None:
            sched.cancel(conn.idle_handle)
        conn.idle_handle = sched.call_at_us(conn.last_active_us + limits.WS_IDLE_TIMEOUT_S * 1_000_000,
                                            self._ws_expire, conn.id, 1001, "Going away", daemon=True)

    def _ws_expire(self, conn_id: str, code: int, reason: str) -> None:
        conn = self.connections.get(conn_id)
        if conn is not None and conn.open:
            conn.idle_handle = None
            self._ws_close(conn_id, code, reason)

    def _ws_metric(self, conn: Connection, name: str, t: int) -> None:
        if self.config.metrics:
            self.cloud.metrics.put_statistic_set("AWS/ApiGateway", name, {"ApiId": conn.api.id, "Stage": conn.stage.name},
                                                 "Count", 1, 1.0, 1.0, 1.0, time_us=t)

    # -- management API -------------------------------------------------------------------------------
    def post_to_connection(self, conn_id: str, data: str | bytes) -> None:
        from .errors import GoneException, PayloadTooLargeException
        conn = self.connections.get(conn_id)
        if conn is None or not conn.open:
            raise GoneException()
        size = len(data.encode() if isinstance(data, str) else data)
        if size > limits.WS_MESSAGE_MAX_BYTES:
            raise PayloadTooLargeException("Message too long")
        if not self._account_bucket(self.cloud.now_us).take(self.cloud.now_us):
            from .errors import LimitExceededException
            raise LimitExceededException("Too Many Requests")
        conn.client._deliver(self.cloud.now_us, data)


__all__ = ["Connection", "WebSocketClient", "WebSocketMixin", "select_route"]
