"""The Smithy RPC v2 CBOR protocol (what botocore >= 1.42 speaks to CloudWatch), model-driven.

https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html

A request is ``POST /service/<ServiceName>/operation/<Operation>`` with ``Smithy-Protocol:
rpc-v2-cbor`` and a CBOR map body (``Content-Type: application/cbor``; no body when the input is
empty). The body is decoded (:mod:`.cbor_codec`: tag 1 -> aware ``datetime``, byte strings ->
``bytes``), checked against the input shape (:func:`.shapes.from_wire_cbor`), the operation runs,
and the answer carries ``Smithy-Protocol: rpc-v2-cbor``, ``x-amzn-RequestId`` and:

- success: 200 and the output as a CBOR map (timestamps as tag 1 epoch seconds, doubles as
  floats, ``None`` left out, an empty map for an empty output), or an empty body without
  ``Content-Type`` when the operation has no output shape;
- an error: its HTTP status and a CBOR map ``{"__type": "<namespace>#<Name>", "message": ...}``
  plus the error's modelled members; CloudWatch is ``awsQueryCompatible``, so ``__type`` names the
  modelled exception (``InvalidParameterValueException``) and ``x-amzn-query-error:
  InvalidParameterValue;Sender`` carries the query code botocore shows as ``Error.Code``;
- a body that is not CBOR (or a value of the wrong type): 400 ``SerializationException``; an
  unknown operation: 404 ``UnknownOperationException``; a simulator bug: 500 ``InternalFailure``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ...kernel.errors import AWSError
from . import cbor_codec
from .base import HttpRequest, HttpResponse, call
from .json_ import error_members, error_type, internal_error_message, query_error_header
from .shapes import SerializationError, from_wire_cbor, to_wire_cbor

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["handle", "CONTENT_TYPE"]

CONTENT_TYPE = "application/cbor"


def operation_of(path: str) -> tuple[str, str] | None:
    """``/service/<Service>/operation/<Operation>`` -> (service, operation), else None."""
    parts = path.split("/")
    # A path prefix before /service/ is allowed (an endpoint with a path): match from the end.
    if len(parts) >= 5 and parts[-4] == "service" and parts[-2] == "operation":
        return unquote(parts[-3]), unquote(parts[-1])
    return None


def _namespaced(service_model: "botocore.model.ServiceModel", type_name: str) -> str:
    if "#" in type_name:
        return type_name
    return f"com.amazonaws.{service_model.service_name}#{type_name}"


def handle(cloud: "Cloud", service_model: "botocore.model.ServiceModel", request: HttpRequest) -> HttpResponse:
    """One RPC v2 CBOR request to ``service_model``'s service -> its HTTP answer."""
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": CONTENT_TYPE,
               "x-amzn-RequestId": cloud.request_id()}

    def fail(status: int, code: str, message: str) -> HttpResponse:
        return HttpResponse(status, headers, cbor_codec.dumps(
            {"__type": "com.amazon.coral.service#" + code, "message": message}))

    target = operation_of(request.path)
    if request.method != "POST":
        return fail(405, "UnknownOperationException", f"RPC v2 CBOR requests are POSTs, not {request.method}")
    if target is None or target[1] not in service_model.operation_names:
        return fail(404, "UnknownOperationException",
                    f"Unknown operation {target[1]!r} for {service_model.service_name}" if target
                    else f"No RPC v2 operation in the path {request.path!r}")
    op_name = target[1]
    operation = service_model.operation_model(op_name)
    try:
        data: Any = cbor_codec.loads(request.body) if request.body else {}
        if not isinstance(data, dict):
            raise SerializationError(f"the request body is a CBOR {type(data).__name__}, not a map")
        params = from_wire_cbor(operation.input_shape, data)
    except (SerializationError, cbor_codec.CBORDecodeError) as exc:
        return fail(400, "SerializationException", str(exc))
    try:
        result = call(cloud, service_model.service_name, op_name, params)
    except AWSError as err:
        shape, members = error_members(service_model, err)
        body: dict[str, Any] = {"__type": _namespaced(service_model, error_type(service_model, err))}
        body.update(to_wire_cbor(shape, members) if shape is not None else {})
        body.update({k: v for k, v in to_wire_cbor(None, members).items() if k not in body})
        query = query_error_header(service_model, err)
        if query is not None:
            headers["x-amzn-query-error"] = query
        return HttpResponse(err.status, headers, cbor_codec.dumps(body))
    except Exception as exc:  # a simulator bug: answer 500 as AWS would, and say why
        return fail(500, "InternalFailure", internal_error_message(exc))
    if operation.output_shape is None:
        del headers["Content-Type"]
        return HttpResponse(200, headers, b"")
    return HttpResponse(200, headers, cbor_codec.dumps(to_wire_cbor(operation.output_shape, result)))
