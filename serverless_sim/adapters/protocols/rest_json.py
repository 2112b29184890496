"""The ``rest-json`` protocol: Lambda, API Gateway (v1 and v2), the API Gateway Management API
and EventBridge Scheduler over HTTP, as botocore's ``RestJSONSerializer``/``RestJSONParser``
speak it.

A request is bound by :mod:`.rest` (operation from method + path + query; ``uri``,
``querystring`` and ``header`` members); the body is JSON by the input shape (blobs base64,
timestamps as the shape's ``timestampFormat`` or epoch seconds), or, when the input names a
``payload`` member, that member alone: the raw bytes for a blob/string payload (Lambda Invoke's
``Payload``, PostToConnection's ``Data``), the JSON of a structure payload.

The answer mirrors it: the status from the ``statusCode`` member (Invoke: 200, 202 for
``Event``, 204 for ``DryRun``) or the operation's modelled ``responseCode`` (201 for API
Gateway's creates), header members as headers (Invoke's ``X-Amz-Function-Error``,
``X-Amz-Log-Result``, ``X-Amz-Executed-Version``), the rest as a JSON body, or the payload
member as the raw body. Every answer carries ``x-amzn-RequestId`` (from the Cloud's ``requests``
stream) and ``Date`` (the virtual clock); JSON bodies are ``application/json``.

Errors (:class:`~serverless_sim.kernel.errors.AWSError`): the error's status, header
``x-amzn-ErrorType: <Code>`` (botocore's RestJSONParser takes the code from it), body
``{"message": ...}`` (botocore reads ``message`` first) plus the error's extra members (Lambda's
``Type``; a throttle's ``Reason``), by the modelled error shape when there is one: its header
members (``Retry-After``) become headers, and a modelled ``Message`` member (Lambda, Scheduler)
is written too, so ``ClientError.response`` carries it as the model says. Unknown paths answer 404 ``UnknownOperationException``; a body
or parameter that does not convert answers 400 ``SerializationException``.

Not modelled: SigV4 verification (signatures are not checked), ``Content-MD5``/checksums,
event-stream payloads (Lambda ``InvokeWithResponseStream``: the operation is answered, but not
as an event stream), ``hostPrefix`` endpoints.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from typing import TYPE_CHECKING, Any

from ...kernel.errors import AWSError
from ..wire import SerializationError
from . import rest
from .base import HttpRequest, HttpResponse, body_bytes, call, http_date
from .shapes import from_wire_json

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["handle", "to_json"]

_JSON = "application/json"


def handle(cloud: "Cloud", service_model: "botocore.model.ServiceModel", request: HttpRequest) -> HttpResponse:
    """Answer one REST-JSON request (see the module docstring)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    query = rest.parse_query(request.query)
    found = rest.match_operation(service_model, request.method, request.path, query, headers)
    if found is None:
        return _error_response(cloud, service_model, 404, "UnknownOperationException",
                               {"message": None}, None)
    operation, labels = found
    try:
        params = rest.bind_request(operation, labels, query, headers)
        params.update(_body_params(operation, request.body))
    except (rest.BindingError, SerializationError) as exc:
        text = str(exc)
        return _error_response(cloud, service_model, 400, "SerializationException",
                               {"message": text or None}, None)
    try:
        result = call(cloud, service_model.service_name, operation.name, params)
    except AWSError as err:
        return _aws_error(cloud, service_model, err)
    return _success(cloud, operation, result)


# -- request ------------------------------------------------------------------------------
def _body_params(operation: "botocore.model.OperationModel", body: bytes) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    payload = rest.payload_member(shape)
    if payload is not None:
        name, member = payload
        if member.type_name == "blob":
            return {name: body} if body else {}
        if member.type_name == "string":
            return {name: _utf8(body)} if body else {}
        if not body.strip():
            return {}
        value = from_wire_json(member, _load(body))
        # botocore sends ``{}`` for an absent structure payload: read it as absent
        return {name: value} if value != {} else {}
    if not body.strip():
        return {}
    data = _load(body)
    if not isinstance(data, dict):
        raise SerializationError("Start of list found where not expected")
    parsed = from_wire_json(shape, data)
    return {k: v for k, v in parsed.items() if shape.members[k].serialization.get("location") is None}


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SerializationError("Invalid UTF-8 middle byte") from exc


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SerializationError("") from exc


# -- response -----------------------------------------------------------------------------
def _base_headers(cloud: "Cloud", content_type: str | None) -> dict[str, str]:
    headers = {"x-amzn-RequestId": cloud.request_id(), "Date": http_date(cloud)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


def _success(cloud: "Cloud", operation: "botocore.model.OperationModel", result: dict[str, Any]) -> HttpResponse:
    status, member_headers, rest_members = rest.bind_response(operation, result)
    shape = operation.output_shape
    payload = rest.payload_member(shape)
    body: bytes
    content_type: str | None = _JSON
    if payload is not None:
        name, member = payload
        value = rest_members.get(name)
        if member.type_name in ("blob", "string"):
            body = body_bytes(value)
            content_type = "application/octet-stream" if member.type_name == "blob" else "text/plain"
        elif value is None:
            body = b""
        else:
            body = _dumps(to_json(member, value))
    elif shape is None or (status == 204 and not rest_members):
        body, content_type = b"", None
    else:
        body = _dumps(to_json(shape, rest_members))
    headers = _base_headers(cloud, content_type)
    for key, value in member_headers.items():
        if key.lower() == "content-type":
            headers["Content-Type"] = value
        else:
            headers[key] = value
    return HttpResponse(status, headers, body)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _aws_error(cloud: "Cloud", service_model: "botocore.model.ServiceModel", err: AWSError) -> HttpResponse:
    fields: dict[str, Any] = {"message": err.message}
    fields.update(err.extra)
    shape = service_model.shape_for_error_code(err.code)
    if shape is not None and "Message" in shape.members and "Message" not in fields:
        # The modelled member (Lambda's and Scheduler's shapes spell it ``Message``): botocore
        # then puts it beside ``Error`` in ``ClientError.response``, as the model promises.
        fields["Message"] = err.message
    return _error_response(cloud, service_model, err.status, err.code, fields, shape)


def _error_response(cloud: "Cloud", service_model: "botocore.model.ServiceModel", status: int, code: str,
                    fields: dict[str, Any], shape: "botocore.model.Shape | None") -> HttpResponse:
    headers = _base_headers(cloud, _JSON)
    headers["x-amzn-ErrorType"] = code
    body: dict[str, Any] = {}
    members = shape.members if shape is not None else {}
    for key, value in fields.items():
        member = members.get(key)
        if value is None:
            continue
        if member is None:
            body[key] = _generic(value)
            continue
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", key)] = rest.header_text(member, value)
        elif location is None:
            body[member.serialization.get("name", key)] = to_json(member, value)
    return HttpResponse(status, headers, _dumps(body))


# -- native -> JSON by shape ----------------------------------------------------------------
def to_json(shape: "botocore.model.Shape", value: Any) -> Any:
    """A native value as REST-JSON writes it, by shape: structures by their members' wire
    names (unmodelled keys and ``None`` left out), blobs base64, timestamps in the shape's
    ``timestampFormat`` (epoch seconds by default), non-finite doubles as ``"NaN"``/``"Infinity"``.
    O(size of the value)."""
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure":
        if getattr(shape, "is_document_type", False) or not isinstance(value, dict):
            return _generic(value)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None:
                out[member.serialization.get("name", name)] = to_json(member, item)
        return out
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            return _generic(value)
        return [to_json(shape.member, v) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        if not isinstance(value, dict):
            return _generic(value)
        return {k: to_json(shape.value, v) for k, v in value.items() if v is not None}  # type: ignore[attr-defined]
    if kind == "timestamp":
        return rest.format_timestamp(value, rest.timestamp_format(shape, None))
    if kind == "blob":
        return base64.b64encode(body_bytes(value)).decode("ascii")
    if kind in ("float", "double"):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return value if isinstance(value, int) and not isinstance(value, bool) else number
    return _generic(value)


def _generic(value: Any) -> Any:
    """Unmodelled values (documents, error extras) by Python type."""
    if isinstance(value, dict):
        return {k: _generic(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_generic(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, _dt.datetime):
        return rest.format_timestamp(value, "unixTimestamp")
    if hasattr(value, "as_tuple"):  # Decimal
        return int(value) if value == value.to_integral_value() else float(value)
    return value
