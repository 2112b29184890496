"""API Gateway of one Cloud: three boto3 services over one data plane.

- ``apigateway`` (:class:`APIGateway`): REST APIs (:mod:`.rest`), API keys and usage plans
  (:mod:`.usage`), the native builders (:mod:`.native`), and the request entry points for every
  API type (``request``, ``submit``, ``request_event``, ``connect``).
- ``apigatewayv2`` (:class:`APIGatewayV2`): HTTP and WebSocket APIs (:mod:`.http`).
- ``apigatewaymanagementapi`` (:class:`APIGatewayManagementAPI`): ``@connections``.

They share one :class:`~.gateway.Gateway` (account throttle, API id space, JWKS, WebSocket
connections), kept by the ``apigateway`` service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ..kernel.process import Event
from ..kernel.service import Service, operation
from .errors import ERRORS, MANAGEMENT_ERRORS, ForbiddenException, GoneException
from .events import DEFAULT_SOURCE_IP
from .gateway import Gateway
from .http import HttpApi, HttpOps
from .native import NativeOps
from .responses import Response
from .rest import RestApi, RestOps
from .usage import ApiKey, UsageOps, UsagePlan
from .websocket import WebSocketClient

if TYPE_CHECKING:
    from ..cloud import Cloud


class _Requests:
    """The request entry points (shared by both services)."""

    gateway: Gateway

    def request(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
                source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> Response:
        """Send ``method path`` (``"/prod/items/42?x=1"``: the stage first, except for an HTTP
        API's ``$default`` stage) and wait for the :class:`~.responses.Response` like a real
        HTTP call: from user code the clock advances to the response. ``headers`` is a dict
        (a list value repeats a header) or a list of pairs; ``body`` a str or bytes."""
        return self.gateway.request(api_id, method, path, headers, body, source_ip=source_ip, user_agent=user_agent)

    def submit(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
               source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None,
               on_response: Callable[[Response], Any] | None = None) -> None:
        """Send without waiting (workloads, simulation events); ``on_response`` at the response instant."""
        self.gateway.submit(api_id, method, path, headers, body, source_ip=source_ip, user_agent=user_agent,
                            on_response=on_response)

    def request_event(self, api_id: str, method: str, path: str, headers: Any = None, body: Any = None, *,
                      source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> Event:
        """For processes: ``response = yield gw.request_event(...)``."""
        return self.gateway.request_event(api_id, method, path, headers, body, source_ip=source_ip,
                                          user_agent=user_agent)

    def connect(self, api_id: str, stage: str, *, headers: dict[str, str] | None = None, query: str = "",
                source_ip: str = DEFAULT_SOURCE_IP, user_agent: str | None = None) -> WebSocketClient:
        """Open a WebSocket connection (blocks until ``$connect`` answers)."""
        return self.gateway.connect(api_id, stage, headers=headers, query=query, source_ip=source_ip,
                                    user_agent=user_agent)


class APIGateway(RestOps, UsageOps, NativeOps, _Requests, Service):
    """Amazon API Gateway REST APIs (https://docs.aws.amazon.com/apigateway/latest/api/)."""

    service_name = "apigateway"
    errors = ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.rest_apis: dict[str, RestApi] = {}
        self.api_keys: dict[str, ApiKey] = {}
        self._key_values: dict[str, ApiKey] = {}
        self.usage_plans: dict[str, UsagePlan] = {}
        self.gateway = Gateway(cloud, self)
        # _Requests.submit only forwards: workloads call it once per request, so the instance
        # hands out the Gateway's method itself (same signature and behaviour, one frame fewer).
        self.submit = self.gateway.submit  # type: ignore[method-assign]

    # CreateRestApi's method name is taken by the native builder; the operation keeps its name.
    create_rest_api_op = RestOps.create_rest_api
    create_rest_api = NativeOps.create_rest_api  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<APIGateway {len(self.rest_apis)} REST APIs>"


class APIGatewayV2(HttpOps, _Requests, Service):
    """Amazon API Gateway HTTP and WebSocket APIs (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/)."""

    service_name = "apigatewayv2"
    errors = ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.apis: dict[str, HttpApi] = {}
        self.gateway: Gateway = cloud.service("apigateway").gateway  # type: ignore[attr-defined]
        self.submit = self.gateway.submit  # type: ignore[method-assign]  # as in APIGateway

    def __repr__(self) -> str:
        return f"<APIGatewayV2 {len(self.apis)} APIs>"


class APIGatewayManagementAPI(Service):
    """``@connections`` of WebSocket APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html)."""

    service_name = "apigatewaymanagementapi"
    errors = MANAGEMENT_ERRORS

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self.gateway: Gateway = cloud.service("apigateway").gateway  # type: ignore[attr-defined]
        self.submit = self.gateway.submit  # type: ignore[method-assign]  # as in APIGateway

    def _conn(self, request: dict[str, Any]) -> Any:
        cid = request.get("ConnectionId")
        if not isinstance(cid, str) or not cid:
            raise ForbiddenException("Forbidden")
        conn = self.gateway.connections.get(cid)
        if conn is None or not conn.open:
            raise GoneException()
        return conn

    @operation("PostToConnection")
    def post_to_connection(self, request: dict[str, Any]) -> dict[str, Any]:
        self._conn(request)
        data = request.get("Data", b"")
        if hasattr(data, "read"):
            data = data.read()
        self.gateway.post_to_connection(request["ConnectionId"], data)
        return {}

    @operation("GetConnection")
    def get_connection(self, request: dict[str, Any]) -> dict[str, Any]:
        from .common import dt
        conn = self._conn(request)
        ident = {"SourceIp": conn.source_ip}
        if conn.user_agent:
            ident["UserAgent"] = conn.user_agent
        return {"ConnectedAt": dt(conn.connected_us), "Identity": ident, "LastActiveAt": dt(conn.last_active_us)}

    @operation("DeleteConnection")
    def delete_connection(self, request: dict[str, Any]) -> dict[str, Any]:
        conn = self._conn(request)
        self.gateway._ws_close(conn.id, 1000, "Connection closed by server")
        return {}


def request(cloud: "Cloud", api_id: str, method: str, path: str, headers: Any = None, body: Any = None,
            **kwargs: Any) -> Response:
    """``serverless_sim.apigateway.request(cloud, api_id, "GET", "/prod/items/1")``."""
    gw: Any = cloud.service("apigateway")
    return gw.request(api_id, method, path, headers, body, **kwargs)  # type: ignore[no-any-return]


__all__ = ["APIGateway", "APIGatewayManagementAPI", "APIGatewayV2", "request"]
