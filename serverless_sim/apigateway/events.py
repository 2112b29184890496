"""The incoming request and the Lambda proxy events API Gateway builds from it.

Shapes (fields, nulls, casing) follow AWS's documentation:

- REST (and HTTP API payload 1.0): https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
  — ``resource, path, httpMethod, headers, multiValueHeaders, queryStringParameters,
  multiValueQueryStringParameters, pathParameters, stageVariables, requestContext, body,
  isBase64Encoded``; absent maps are ``null``; ``headers`` / ``queryStringParameters`` keep the
  last value of a repeated name, the ``multiValue*`` maps keep all.
- HTTP API payload 2.0: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
  — ``version, routeKey, rawPath, rawQueryString, cookies, headers, queryStringParameters,
  requestContext{accountId, apiId, authorizer, domainName, domainPrefix, http{method, path,
  protocol, sourceIp, userAgent}, requestId, routeKey, stage, time, timeEpoch}, body,
  pathParameters, isBase64Encoded, stageVariables``; header names lower-cased; repeated headers
  and query parameters joined with commas; ``Cookie`` headers become ``cookies``; empty fields
  are omitted. With a named stage, ``rawPath`` and ``http.path`` keep the stage prefix (AWS does
  this too).
- WebSocket: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
  (requestContext with ``routeKey, eventType, connectionId, messageId, connectedAt...``).

Every event is a fresh dict (the function may mutate it); nothing goes through JSON.
Times: ``requestTime`` ``"01/Jan/2026:00:00:00 +0000"`` and ``requestTimeEpoch`` in ms, on the
virtual clock.
"""

from __future__ import annotations

import base64
import time as _time
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl

DEFAULT_SOURCE_IP = "198.51.100.1"
DEFAULT_USER_AGENT = "serverless-sim"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class RequestTime:
    """``dd/Mon/yyyy:HH:MM:SS +0000`` for an epoch-µs instant, cached per second; the text up to
    the minute is cached per minute (one ``gmtime`` a minute, not one per new second)."""

    __slots__ = ("_sec", "_text", "_min", "_head")

    def __init__(self) -> None:
        self._sec = -1
        self._text = ""
        self._min = -1
        self._head = ""

    def __call__(self, t_us: int) -> str:
        sec = t_us // 1_000_000
        if sec != self._sec:
            minute = sec // 60
            if minute != self._min:
                tm = _time.gmtime(sec)
                self._head = (f"{tm.tm_mday:02d}/{_MONTHS[tm.tm_mon - 1]}/{tm.tm_year}:"
                              f"{tm.tm_hour:02d}:{tm.tm_min:02d}:")
                self._min = minute
            self._text = self._head + _SECONDS[sec - minute * 60]
            self._sec = sec
        return self._text


_SECONDS = tuple(f"{s:02d} +0000" for s in range(60))


HeadersIn = Mapping[str, "str | list[str]"] | Iterable[tuple[str, str]] | None


class IncomingRequest:
    """A client's request as API Gateway received it (views computed once, on demand).

    ``path`` is the path inside the stage (``/items/42``), ``full_path`` the one the client sent
    (``/prod/items/42``); ``raw_query`` the query string without ``?``.
    """

    __slots__ = ("method", "full_path", "path", "raw_query", "pairs", "body", "is_base64",
                 "source_ip", "user_agent", "_query", "_hmap", "_hmulti", "_hlow", "_qmap", "_qmulti")

    def __init__(self, method: str, full_path: str, raw_query: str, headers: HeadersIn,
                 body: str | bytes | None, source_ip: str, user_agent: str | None) -> None:
        self.method = method
        self.full_path = full_path
        self.path = full_path
        self.raw_query = raw_query
        if headers is None:
            pairs: list[tuple[str, str]] = []
        elif type(headers) is dict or isinstance(headers, Mapping):
            pairs = []
            for k, v in headers.items():
                if isinstance(v, list):
                    pairs.extend((k, x) for x in v)
                else:
                    pairs.append((k, v))
        else:
            pairs = list(headers)
        self.pairs = pairs
        if body is None or type(body) is str:
            self.is_base64 = False
        elif isinstance(body, (bytes, bytearray)):
            raw = bytes(body)
            try:
                body = raw.decode("utf-8")
                self.is_base64 = False
            except UnicodeDecodeError:
                body = base64.b64encode(raw).decode()
                self.is_base64 = True
        else:
            self.is_base64 = False
        self.body = body
        self.source_ip = source_ip
        ua = user_agent
        if ua is None:
            for k, v in pairs:
                if k.lower() == "user-agent":
                    ua = v
            if ua is None:
                ua = DEFAULT_USER_AGENT
        self.user_agent = ua
        self._query: list[tuple[str, str]] | None = None
        self._hmap: dict[str, str] | None = None
        self._hmulti: dict[str, list[str]] | None = None
        self._hlow: dict[str, str] | None = None
        self._qmap: dict[str, str] | None = None
        self._qmulti: dict[str, list[str]] | None = None

    # -- headers ----------------------------------------------------------------------------
    def header(self, name: str) -> str | None:
        """Case-insensitive lookup (the last value of a repeated header)."""
        low = self._hlow
        if low is None:
            low = self._hlow = {k.lower(): v for k, v in self.pairs}
        return low.get(name.lower())

    def headers_v1(self) -> dict[str, str]:
        m = self._hmap
        if m is None:
            m = self._hmap = dict(self.pairs)
        return m

    def multi_headers_v1(self) -> dict[str, list[str]]:
        m = self._hmulti
        if m is None:
            m = self._hmulti = {}
            for k, v in self.pairs:
                lst = m.get(k)
                if lst is None:
                    m[k] = [v]
                else:
                    lst.append(v)
        return m

    def headers_v2(self) -> tuple[dict[str, str], list[str]]:
        """Lower-cased names, repeats joined by commas; and the cookies."""
        out: dict[str, str] = {}
        cookies: list[str] = []
        for k, v in self.pairs:
            k = k.lower()
            if k == "cookie":
                cookies.extend(c.strip() for c in v.split(";") if c.strip())
                continue
            prev = out.get(k)
            out[k] = v if prev is None else prev + "," + v
        return out, cookies

    # -- query ------------------------------------------------------------------------------
    def query_pairs(self) -> list[tuple[str, str]]:
        q = self._query
        if q is None:
            q = self._query = parse_qsl(self.raw_query, keep_blank_values=True) if self.raw_query else []
        return q

    def query_v1(self) -> dict[str, str] | None:
        if not self.raw_query:
            return None
        m = self._qmap
        if m is None:
            m = self._qmap = dict(self.query_pairs())
        return m

    def multi_query_v1(self) -> dict[str, list[str]] | None:
        if not self.raw_query:
            return None
        m = self._qmulti
        if m is None:
            m = self._qmulti = {}
            for k, v in self.query_pairs():
                lst = m.get(k)
                if lst is None:
                    m[k] = [v]
                else:
                    lst.append(v)
        return m

    def query_v2(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.query_pairs():
            prev = out.get(k)
            out[k] = v if prev is None else prev + "," + v
        return out

    def query_param(self, name: str) -> str | None:
        m = self.query_v1()
        return None if m is None else m.get(name)


def _identity(req: IncomingRequest, api_key: str | None = None, api_key_id: str | None = None) -> dict[str, Any]:
    ident: dict[str, Any] = {
        "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
        "sourceIp": req.source_ip, "principalOrgId": None, "accessKey": None,
        "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
        "userAgent": req.user_agent, "user": None,
    }
    if api_key is not None:
        ident["apiKey"] = api_key
        ident["apiKeyId"] = api_key_id
    return ident


def rest_event(req: IncomingRequest, resource: str, path_params: dict[str, str] | None,
               stage: str, stage_vars: dict[str, str] | None, ctx: dict[str, Any]) -> dict[str, Any]:
    """The REST Lambda proxy event. ``ctx`` is the requestContext (built by the caller)."""
    pairs = req.pairs
    return {
        "resource": resource,
        "path": req.path,
        "httpMethod": req.method,
        "headers": dict(req.headers_v1()) if pairs else None,
        "multiValueHeaders": {k: list(v) for k, v in req.multi_headers_v1().items()} if pairs else None,
        "queryStringParameters": dict(req.query_v1()) if req.raw_query else None,  # type: ignore[arg-type]
        "multiValueQueryStringParameters": (
            {k: list(v) for k, v in req.multi_query_v1().items()} if req.raw_query else None  # type: ignore[union-attr]
        ),
        "pathParameters": dict(path_params) if path_params else None,
        "stageVariables": dict(stage_vars) if stage_vars else None,
        "requestContext": ctx,
        "body": req.body,
        "isBase64Encoded": req.is_base64,
    }


def rest_request_context(req: IncomingRequest, *, account_id: str, api_id: str, domain: str,
                         resource_id: str, resource_path: str, stage: str, request_id: str,
                         extended_id: str, time_text: str, time_ms: int, authorizer: dict[str, Any] | None,
                         api_key: str | None = None, api_key_id: str | None = None) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "extendedRequestId": extended_id,
        "httpMethod": req.method,
        "identity": _identity(req, api_key, api_key_id),
        "path": req.full_path,
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time_text,
        "requestTimeEpoch": time_ms,
        "resourceId": resource_id,
        "resourcePath": resource_path,
        "stage": stage,
    }
    if authorizer is not None:
        ctx["authorizer"] = authorizer
    return ctx


def http_v1_event(req: IncomingRequest, route_key: str, resource: str, path_params: dict[str, str] | None,
                  stage: str, stage_vars: dict[str, str] | None, *, account_id: str, api_id: str,
                  domain: str, request_id: str, time_text: str, time_ms: int,
                  authorizer: dict[str, Any] | None) -> dict[str, Any]:
    """An HTTP API payload format 1.0 event (the REST shape plus ``version``)."""
    ctx = {
        "accountId": account_id,
        "apiId": api_id,
        "authorizer": authorizer if authorizer is not None else {"claims": None, "scopes": None},
        "domainName": domain,
        "domainPrefix": api_id,
        "extendedRequestId": request_id,
        "httpMethod": req.method,
        "identity": _identity(req),
        "path": req.full_path,
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": time_text,
        "requestTimeEpoch": time_ms,
        "resourceId": route_key,
        "resourcePath": resource,
        "stage": stage,
    }
    event = rest_event(req, resource, path_params, stage, stage_vars, ctx)
    return {"version": "1.0", **event}


def http_v2_event(req: IncomingRequest, route_key: str, path_params: dict[str, str] | None,
                  stage: str, stage_vars: dict[str, str] | None, *, account_id: str, api_id: str,
                  domain: str, request_id: str, time_text: str, time_ms: int,
                  authorizer: dict[str, Any] | None) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event."""
    return v2_event(req, route_key, path_params, stage, stage_vars, account_id, api_id, domain, request_id,
                    time_text, time_ms, authorizer)


def v2_event(req: IncomingRequest, route_key: str, path_params: dict[str, str] | None, stage: str,
             stage_vars: dict[str, str] | None, account_id: str, api_id: str, domain: str, request_id: str,
             time_text: str, time_ms: int, authorizer: dict[str, Any] | None) -> dict[str, Any]:
    """:func:`http_v2_event` with positional arguments (the gateway calls it once per request)."""
    if req.pairs:
        headers, cookies = req.headers_v2()
    else:
        headers = {}
        cookies = None
    ctx: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": api_id,
        "http": {
            "method": req.method,
            "path": req.full_path,
            "protocol": "HTTP/1.1",
            "sourceIp": req.source_ip,
            "userAgent": req.user_agent,
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": time_text,
        "timeEpoch": time_ms,
    }
    if authorizer is not None:
        ctx["authorizer"] = authorizer
    raw_query = req.raw_query
    event: dict[str, Any]
    if cookies or raw_query:
        event = {"version": "2.0", "routeKey": route_key, "rawPath": req.full_path, "rawQueryString": raw_query}
        if cookies:
            event["cookies"] = cookies
        event["headers"] = headers
        if raw_query:
            event["queryStringParameters"] = req.query_v2()
        event["requestContext"] = ctx
    else:  # the same keys in the same order, less the two absent ones
        event = {"version": "2.0", "routeKey": route_key, "rawPath": req.full_path, "rawQueryString": raw_query,
                 "headers": headers, "requestContext": ctx}
    body = req.body
    if body is not None:
        event["body"] = body
    if path_params:
        event["pathParameters"] = dict(path_params)
    event["isBase64Encoded"] = req.is_base64
    if stage_vars:
        event["stageVariables"] = dict(stage_vars)
    return event


def websocket_event(*, route_key: str, event_type: str, connection_id: str, connected_at_ms: int,
                    stage: str, api_id: str, domain: str, account_id: str, request_id: str,
                    message_id: str | None, time_text: str, time_ms: int, source_ip: str,
                    user_agent: str | None, body: str | None = None, is_base64: bool = False,
                    headers: dict[str, str] | None = None, multi_headers: dict[str, list[str]] | None = None,
                    query: dict[str, str] | None = None, multi_query: dict[str, list[str]] | None = None,
                    stage_vars: dict[str, str] | None = None, authorizer: dict[str, Any] | None = None,
                    disconnect: tuple[int, str] | None = None) -> dict[str, Any]:
    """A WebSocket API Lambda proxy event ($connect carries headers and query strings)."""
    identity: dict[str, Any] = {"sourceIp": source_ip}
    if user_agent is not None:
        identity["userAgent"] = user_agent
    ctx: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time_text,
        "messageDirection": "IN",
        "stage": stage,
        "connectedAt": connected_at_ms,
        "requestTimeEpoch": time_ms,
        "identity": identity,
        "requestId": request_id,
        "domainName": domain,
        "connectionId": connection_id,
        "apiId": api_id,
    }
    if message_id is not None:
        ctx["messageId"] = message_id
    if authorizer is not None:
        ctx["authorizer"] = authorizer
    if disconnect is not None:
        ctx["disconnectStatusCode"], ctx["disconnectReason"] = disconnect
    event: dict[str, Any] = {}
    if event_type == "CONNECT":
        event["headers"] = headers or {}
        event["multiValueHeaders"] = multi_headers or {}
        if query:
            event["queryStringParameters"] = query
            event["multiValueQueryStringParameters"] = multi_query
    elif event_type == "DISCONNECT":
        event["headers"] = headers or {}
        event["multiValueHeaders"] = multi_headers or {}
    if stage_vars:
        event["stageVariables"] = dict(stage_vars)
    event["requestContext"] = ctx
    if event_type == "MESSAGE":
        event["body"] = body
    event["isBase64Encoded"] = is_base64
    _ = account_id
    return event


__all__ = [
    "DEFAULT_SOURCE_IP", "IncomingRequest", "RequestTime", "http_v1_event", "http_v2_event",
    "rest_event", "rest_request_context", "v2_event", "websocket_event",
]
