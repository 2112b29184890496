"""What a client of a deployed API receives: :class:`Response`, gateway error responses, and the
rules for turning a Lambda proxy result into a response.

Gateway responses (REST: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html;
HTTP APIs: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html)
keep AWS's exact bodies, including their spelling quirks: REST's 502 body has a space after the
colon (``{"message": "Internal server error"}``), a Lambda authorizer's deny uses a capital
``Message``, and an authorizer configuration error's message is ``null``.

Proxy results (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):

- REST and payload 1.0: ``{"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}``;
  ``multiValueHeaders`` and ``headers`` are merged (the multi-value list wins for a name in both);
  anything else (not an object, no integer ``statusCode``, a non-string body, non-scalar header
  values) is a malformed response: REST 502 ``{"message": "Internal server error"}``, HTTP API 500
  ``{"message":"Internal Server Error"}``.
- Payload 2.0 adds ``cookies`` (each a ``set-cookie`` header); a result *without* ``statusCode``
  is inferred: 200, ``content-type: application/json``, the body being the JSON of the result (a
  string is returned as is).
"""

from __future__ import annotations

import base64
import json
from typing import Any

JSON = "application/json"


class Response:
    """One response of a deployed API.

    ``status`` (int), ``headers`` (name -> value; a name with several values has them joined by
    ``", "``, except ``set-cookie`` which keeps the last one: all are in ``multi_value_headers``),
    ``body`` (``str``, or ``bytes`` when the integration returned base64), ``json()``.
    ``request_id``, ``start_us`` / ``end_us`` (virtual instants), ``latency_us`` and
    ``integration_latency_us`` describe how it was produced; ``error_type`` is API Gateway's
    ``x-amzn-ErrorType`` for gateway errors; ``cache_hit`` for REST stage caches.
    """

    __slots__ = ("status", "headers", "multi_value_headers", "body", "request_id", "start_us",
                 "end_us", "integration_latency_us", "error_type", "cache_hit", "route_key")

    def __init__(self, status: int, headers: dict[str, str], body: str | bytes,
                 multi_value_headers: dict[str, list[str]] | None = None) -> None:
        self.status = status
        self.headers = headers
        self.multi_value_headers = multi_value_headers
        self.body = body
        self.request_id = ""
        self.start_us = 0
        self.end_us = 0
        self.integration_latency_us: int | None = None
        self.error_type: str | None = None
        self.cache_hit = False
        self.route_key: str | None = None

    @property
    def latency_us(self) -> int:
        return self.end_us - self.start_us

    @property
    def text(self) -> str:
        b = self.body
        return b.decode("utf-8", "replace") if isinstance(b, bytes) else b

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """A header by case-insensitive name."""
        low = name.lower()
        for k, v in self.headers.items():
            if k.lower() == low:
                return v
        return None

    def __repr__(self) -> str:
        body = self.text
        if len(body) > 60:
            body = body[:57] + "..."
        return f"<Response {self.status} {body!r}>"


# -- gateway responses ----------------------------------------------------------------------
# (status, body, x-amzn-ErrorType)
MISSING_AUTH_TOKEN = (403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
REST_FORBIDDEN = (403, '{"message":"Forbidden"}', "ForbiddenException")
REST_UNAUTHORIZED = (401, '{"message":"Unauthorized"}', "UnauthorizedException")
EXPLICIT_DENY = (403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', "AccessDeniedException")
IMPLICIT_DENY = (403, '{"Message":"User is not authorized to access this resource"}', "AccessDeniedException")
REST_THROTTLED = (429, '{"message":"Too Many Requests"}', "TooManyRequestsException")
QUOTA_EXCEEDED = (429, '{"message":"Limit Exceeded"}', "LimitExceededException")
REST_BAD_GATEWAY = (502, '{"message": "Internal server error"}', "InternalServerErrorException")
REST_INTEGRATION_FAILURE = (500, '{"message": "Internal server error"}', "InternalServerErrorException")
UNSUPPORTED_MEDIA_TYPE = (415, '{"message": "Unsupported Media Type"}', "UnsupportedMediaTypeException")
REST_TIMEOUT = (504, '{"message": "Endpoint request timed out"}', "InternalServerErrorException")
AUTHORIZER_CONFIGURATION_ERROR = (500, '{"message": null}', "AuthorizerConfigurationException")
AUTHORIZER_FAILURE = (500, '{"message": null}', "AuthorizerFailureException")
HTTP_NOT_FOUND = (404, '{"message":"Not Found"}', None)
HTTP_UNAUTHORIZED = (401, '{"message":"Unauthorized"}', None)
HTTP_FORBIDDEN = (403, '{"message":"Forbidden"}', None)
HTTP_THROTTLED = (429, '{"message":"Too Many Requests"}', None)
HTTP_INTERNAL = (500, '{"message":"Internal Server Error"}', None)
HTTP_UNAVAILABLE = (503, '{"message":"Service Unavailable"}', None)


def gateway_response(kind: tuple[int, str, str | None], extra: dict[str, str] | None = None) -> Response:
    status, body, etype = kind
    headers = {"content-type": JSON}
    if etype is not None:
        headers["x-amzn-ErrorType"] = etype
    if extra:
        headers.update(extra)
    r = Response(status, headers, body)
    r.error_type = etype
    return r


class MalformedResponse(Exception):
    """The function's result is not a valid proxy response (502 REST, 500 HTTP API)."""


def _header_value(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    raise MalformedResponse(f"header value {v!r}")


def _status(result: dict[str, Any]) -> int:
    code = result.get("statusCode")
    if type(code) is int:
        return code
    if isinstance(code, str) and code.isdigit():
        return int(code)
    if isinstance(code, float) and code.is_integer():
        return int(code)
    raise MalformedResponse("statusCode")


def _body(result: dict[str, Any]) -> str | bytes:
    body = result.get("body")
    if body is None:
        return ""
    if not isinstance(body, str):
        raise MalformedResponse("body is not a string")
    b64 = result.get("isBase64Encoded")
    if b64:
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            raise MalformedResponse("body is not base64") from None
    return body


def _headers(result: dict[str, Any], headers: dict[str, str], multi: dict[str, list[str]]) -> None:
    h = result.get("headers")
    if h is not None:
        if not isinstance(h, dict):
            raise MalformedResponse("headers")
        for k, v in h.items():
            headers[k] = _header_value(v)
    mv = result.get("multiValueHeaders")
    if mv is not None:
        if not isinstance(mv, dict):
            raise MalformedResponse("multiValueHeaders")
        for k, vs in mv.items():
            if not isinstance(vs, list):
                raise MalformedResponse("multiValueHeaders")
            values = [_header_value(v) for v in vs]
            multi[k] = values
            headers[k] = ", ".join(values)


def proxy_response_v1(result: Any) -> Response:
    """A REST / payload 1.0 proxy result as a response; raises :class:`MalformedResponse`."""
    if type(result) is not dict:
        raise MalformedResponse("not an object")
    status = result.get("statusCode")
    if type(status) is not int:
        status = _status(result)
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    if "headers" in result or "multiValueHeaders" in result:
        _headers(result, headers, multi)
    body: Any = result.get("body")
    if type(body) is not str or result.get("isBase64Encoded"):
        body = _body(result)
    return Response(status, headers, body, multi or None)


def proxy_response_v2(result: Any) -> Response:
    """A payload 2.0 proxy result as a response (with inference); raises :class:`MalformedResponse`."""
    if type(result) is not dict or "statusCode" not in result:
        if isinstance(result, str):
            body = result
        else:
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError):
                raise MalformedResponse("not JSON") from None
        return Response(200, {"content-type": JSON}, body)
    status = result.get("statusCode")
    if type(status) is not int:
        status = _status(result)
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] | None = None
    if "headers" in result or "multiValueHeaders" in result:
        multi = {}
        _headers(result, headers, multi)
    cookies = result.get("cookies")
    if cookies:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedResponse("cookies")
        if multi is None:
            multi = {}
        multi["set-cookie"] = list(cookies)
        headers["set-cookie"] = cookies[-1]
    rbody: Any = result.get("body")
    if type(rbody) is not str or result.get("isBase64Encoded"):
        rbody = _body(result)
    return Response(status, headers, rbody, multi or None)


__all__ = ["MalformedResponse", "Response", "gateway_response", "proxy_response_v1", "proxy_response_v2"]
