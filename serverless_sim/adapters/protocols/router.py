"""Which service, and which wire protocol, an HTTP request is for.

Real AWS tells services apart by host name; an endpoint URL shared by every service
(``endpoint_url=server.url``) cannot, so :func:`resolve` reads what the SDKs put in the request,
in this order:

1. ``X-Amz-Target: <targetPrefix>.<Operation>`` (the JSON protocols): the service whose model
   has that ``targetPrefix`` (``AmazonSQS``, ``AWSStepFunctions``, ``AWSEvents``,
   ``AWSCognitoIdentityProviderService``, ``GraniteServiceVersion20100801``...); protocol ``json``.
2. ``Smithy-Protocol: rpc-v2-cbor`` or a ``/service/<targetPrefix>/operation/<Op>`` path: the
   service by that prefix (CloudWatch); protocol ``smithy-rpc-v2-cbor``.
3. The SigV4 signing name (``Authorization`` credential scope or a presigned URL's
   ``X-Amz-Credential``), mapped to the boto3 service: ``monitoring`` -> cloudwatch, ``states`` ->
   stepfunctions, ``execute-api`` -> apigatewaymanagementapi, ``apigateway`` -> apigatewayv2 for
   paths under ``/v2/`` else apigateway, ``dynamodb`` -> dynamodb; protocol: the model's, except
   that a form body with ``Action=`` to a service that also speaks ``query`` (CloudWatch) is query.
4. Unsigned query requests (``AssumeRoleWithWebIdentity``...): the form's ``Version`` (each query
   service has its own API version), else the service that has the ``Action``.
5. Any other unsigned request: S3 (anonymous access to a public bucket).

The protocol module (``json_``, ``cbor``, ``query``, ``rest_json``, ``rest_xml``) is imported on
first use; one that does not exist yet answers 501 ``NotImplemented`` in the protocol's error
format. A service serverless_sim does not simulate answers 400 ``UnknownServiceException``
naming the simulated ones.
"""

from __future__ import annotations

import functools
import importlib
import json
import types
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import attrs

from ...services import SERVICES
from . import cbor_codec
from .base import CURRENT_REQUEST, HttpRequest, HttpResponse, service_model, signing_name

if TYPE_CHECKING:
    from ...cloud import Cloud

__all__ = ["dispatch", "resolve", "Route", "RoutingError", "PROTOCOL_MODULES", "error_response"]

#: botocore protocol name -> module of this package that speaks it.
PROTOCOL_MODULES: dict[str, str] = {
    "json": "json_",
    "smithy-rpc-v2-cbor": "cbor",
    "query": "query",
    "rest-json": "rest_json",
    "rest-xml": "rest_xml",
}

_FORM = "application/x-www-form-urlencoded"


@attrs.frozen
class Route:
    """Where a request goes: a boto3 service name and the wire protocol it is spoken in."""

    service: str
    protocol: str


class RoutingError(Exception):
    """The request names no simulated service (answered in ``protocol``'s error format)."""

    def __init__(self, status: int, code: str, message: str, protocol: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.protocol = protocol


# -- the tables, from botocore's models (built once) ----------------------------------------
@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, list[str]], dict[str, str], dict[str, list[str]]]:
    """(targetPrefix -> service, signing name -> services, query API version -> service,
    query Action -> services), over the simulated services, in SERVICES order."""
    prefixes: dict[str, str] = {}
    signing: dict[str, list[str]] = {}
    versions: dict[str, str] = {}
    actions: dict[str, list[str]] = {}
    for name in SERVICES:
        model = service_model(name)
        meta = model.metadata
        if meta.get("targetPrefix"):
            prefixes.setdefault(meta["targetPrefix"], name)
        signing.setdefault(model.signing_name or name, []).append(name)
        if "query" in meta.get("protocols", [model.protocol]):
            versions.setdefault(meta["apiVersion"], name)
            for op in model.operation_names:
                actions.setdefault(op, []).append(name)
    return prefixes, signing, versions, actions


def _simulated() -> str:
    return ", ".join(sorted(SERVICES))


def _form(request: HttpRequest) -> dict[str, str]:
    """The query protocol's parameters: the form body, or the query string of a GET."""
    content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
    text = ""
    if content_type == _FORM and request.body:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
    elif request.method == "GET":
        text = request.query
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _by_signing_name(name: str, request: HttpRequest) -> str | None:
    candidates = _tables()[1].get(name)
    if not candidates:
        return None
    if name == "apigateway":
        v2 = request.path.startswith("/v2/")
        for c in candidates:
            if (c == "apigatewayv2") == v2:
                return c
    if name == "dynamodb" and "dynamodb" in candidates:
        return "dynamodb"
    return candidates[0]


def _guess_protocol(request: HttpRequest) -> str:
    """The error format a client of an unknown service can read."""
    if request.header("x-amz-target"):
        return "json"
    if (request.header("smithy-protocol") or "").lower() == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if "Action" in _form(request):
        return "query"
    return "rest-json"


def resolve(request: HttpRequest) -> Route:
    """The service and protocol of ``request`` (see the module docstring), or
    :class:`RoutingError`."""
    prefixes, _, versions, actions = _tables()
    target = request.header("x-amz-target")
    if target:
        prefix = target.partition(".")[0]
        service = prefixes.get(prefix)
        if service is None:
            raise RoutingError(400, "UnknownServiceException",
                               f"serverless_sim simulates no service with X-Amz-Target prefix {prefix!r} "
                               f"(it simulates: {_simulated()})", "json")
        return Route(service, "json")
    smithy = (request.header("smithy-protocol") or "").lower()
    if smithy == "rpc-v2-cbor" or "/service/" in request.path and "/operation/" in request.path:
        from .cbor import operation_of

        found = operation_of(request.path)
        service = prefixes.get(found[0]) if found else None
        if service is None:
            named = repr(found[0]) if found else f"in the path {request.path!r}"
            raise RoutingError(404, "UnknownServiceException",
                               f"serverless_sim simulates no RPC v2 service {named} (it simulates: {_simulated()})",
                               "smithy-rpc-v2-cbor")
        return Route(service, "smithy-rpc-v2-cbor")
    signer = signing_name(request)
    if signer is not None:
        service = _by_signing_name(signer, request)
        if service is None:
            raise RoutingError(400, "UnknownServiceException",
                               f"serverless_sim does not simulate the service signed as {signer!r} "
                               f"(it simulates: {_simulated()})", _guess_protocol(request))
        model = service_model(service)
        protocol = model.protocol
        if protocol != "query" and "query" in model.metadata.get("protocols", ()) and "Action" in _form(request):
            protocol = "query"
        return Route(service, protocol)
    form = _form(request)
    if "Action" in form:
        action = form["Action"]
        service = versions.get(form.get("Version", ""))
        if service is None:
            owners = actions.get(action, [])
            service = owners[0] if len(owners) == 1 else None
        if service is None:
            raise RoutingError(400, "InvalidAction",
                               f"serverless_sim simulates no query service with the action {action!r}"
                               + (f" and Version {form['Version']!r}" if "Version" in form else "")
                               + f" (it simulates: {_simulated()})", "query")
        return Route(service, "query")
    return Route("s3", service_model("s3").protocol)


# -- answering -----------------------------------------------------------------------------
def error_response(cloud: "Cloud", protocol: str, status: int, code: str, message: str) -> HttpResponse:
    """An error raised before any service runs, in ``protocol``'s error format."""
    request_id = cloud.request_id()
    if protocol in ("query", "rest-xml"):
        fault = "Sender" if status < 500 else "Receiver"
        if protocol == "query":
            xml = (f'<ErrorResponse><Error><Type>{fault}</Type><Code>{escape(code)}</Code>'
                   f'<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>')
        else:
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
                   f'<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>')
        return HttpResponse(status, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, xml.encode())
    if protocol == "smithy-rpc-v2-cbor":
        return HttpResponse(status, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
                                     "x-amzn-RequestId": request_id},
                            cbor_codec.dumps({"__type": code, "message": message}))
    content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
    return HttpResponse(status, {"Content-Type": content_type, "x-amzn-RequestId": request_id,
                                 "x-amzn-ErrorType": code},
                        json.dumps({"__type": code, "message": message}).encode())


def _protocol_module(protocol: str) -> types.ModuleType | None:
    name = PROTOCOL_MODULES.get(protocol)
    if name is None:
        return None
    qualified = f"{__package__}.{name}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


def dispatch(cloud: "Cloud", request: HttpRequest, route: Route | None = None) -> HttpResponse:
    """Answer one AWS request (any simulated service, any of its protocols) from ``cloud``;
    ``route``: what :func:`resolve` said, if the caller asked already. Needs botocore (the
    models). Call with the Cloud's lock held."""
    if route is None:
        try:
            route = resolve(request)
        except RoutingError as err:
            return error_response(cloud, err.protocol, err.status, err.code, str(err))
    if route.service not in SERVICES:  # pragma: no cover - the tables hold simulated ones only
        return error_response(cloud, route.protocol, 400, "UnknownServiceException",
                              f"{route.service} is not simulated (it simulates: {_simulated()})")
    module = _protocol_module(route.protocol)
    handle: Any = getattr(module, "handle", None)
    if handle is None:
        return error_response(cloud, route.protocol, 501, "NotImplemented",
                              f"serverless_sim's HTTP endpoint does not serve the {route.protocol} protocol "
                              f"({route.service}) yet; use the boto3 bridge (cloud.boto3_session())")
    token = CURRENT_REQUEST.set(request)
    try:
        response: HttpResponse = handle(cloud, service_model(route.service), request)
    finally:
        CURRENT_REQUEST.reset(token)
    return response
