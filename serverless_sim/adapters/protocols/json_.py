"""The AWS JSON 1.0 / 1.1 protocols, driven by botocore's model, for any ``json`` service.

https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html (1.1 differs only in the
content type). A request is ``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` and a
JSON body; the body is read by the operation's input shape (:func:`.shapes.from_wire_json`:
base64 blobs -> ``bytes``, epoch-second or ISO timestamps -> aware ``datetime``), the operation
runs (:func:`.base.call`), and the result is written by the output shape (``bytes`` -> base64,
``datetime`` -> epoch seconds, ``None`` left out) with ``Content-Type:
application/x-amz-json-<jsonVersion>`` and ``x-amzn-RequestId``. An operation without an output
shape answers with an empty body.

Errors: the error's HTTP status and ``{"__type": "<namespace>#<Code>", "message": ...}`` plus the
error's extra members (:meth:`AWSError.wire_body`). For services with the
``awsQueryCompatible`` trait (SQS; CloudWatch's JSON flavour) ``__type`` is the modelled
exception name (``QueueDoesNotExist``) and the ``x-amzn-query-error: <QueryCode>;Sender`` header
carries the legacy query code, so botocore raises ``client.exceptions.QueueDoesNotExist`` with
``Error.Code == "AWS.SimpleQueueService.NonExistentQueue"`` as AWS's own answer does. Bodies that
are not JSON, or values of the wrong JSON type, answer 400 ``SerializationException``; an unknown
operation 400 ``UnknownOperationException``; a simulator bug 500 ``InternalFailure``.
"""

from __future__ import annotations

import json
import sys
import traceback
from typing import TYPE_CHECKING, Any

from ...kernel.errors import AWSError, SimError
from .base import HttpRequest, HttpResponse, call
from .shapes import SerializationError, from_wire_json, to_wire_json

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["handle", "error_type", "query_error_header", "error_members"]

#: ``__type`` namespace of errors raised by the protocol layer (not by a service).
CORAL = "com.amazon.coral.service#"


# -- shared with the CBOR protocol --------------------------------------------------------
def _query_compatible(service_model: "botocore.model.ServiceModel") -> bool:
    return service_model.metadata.get("awsQueryCompatible") is not None


def _modelled_name(service_model: "botocore.model.ServiceModel", err: AWSError) -> str | None:
    """The name of the modelled exception shape ``err`` stands for, if the model has one."""
    name = type(err).__name__
    for shape in service_model.error_shapes:
        if shape.name == name:
            return name
    return None


def error_type(service_model: "botocore.model.ServiceModel", err: AWSError) -> str:
    """The error's ``__type``: ``err.code`` with its namespace; for a query-compatible service
    the modelled exception's name (the legacy code travels in ``x-amzn-query-error``)."""
    prefix = err.type_prefix
    if _query_compatible(service_model):
        name = _modelled_name(service_model, err)
        if name is not None:
            return prefix + name
    return prefix + err.code


def query_error_header(service_model: "botocore.model.ServiceModel", err: AWSError) -> str | None:
    """``x-amzn-query-error`` for a query-compatible service: ``<QueryCode>;Sender`` (or
    ``;Receiver`` for a server fault), else None."""
    if not _query_compatible(service_model):
        return None
    given = getattr(err, "query_error", None)
    if isinstance(given, str):
        return given
    return f"{err.code};{'Sender' if err.status < 500 else 'Receiver'}"


def error_members(service_model: "botocore.model.ServiceModel", err: AWSError) -> tuple[Any, dict[str, Any]]:
    """(the error's modelled shape or None, its wire body without ``__type``: ``message`` and
    the error's extra members, as :meth:`AWSError.wire_body` has them)."""
    body = dict(err.wire_body())
    body.pop("__type", None)
    shape = None
    name = _modelled_name(service_model, err) if _query_compatible(service_model) else None
    try:
        shape = service_model.shape_for_error_code(err.code) or (
            service_model.shape_for(name) if name else None)
    except Exception:  # noqa: BLE001 - a shape lookup miss is not an error here
        shape = None
    return shape, body


def internal_error_message(exc: BaseException) -> str:
    """A simulator bug or misuse, reported to the caller (and printed with its traceback)."""
    if not isinstance(exc, SimError):
        traceback.print_exc(file=sys.stderr)
    return f"serverless_sim internal error: {type(exc).__name__}: {exc}"


# -- the protocol -------------------------------------------------------------------------
def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def handle(cloud: "Cloud", service_model: "botocore.model.ServiceModel", request: HttpRequest) -> HttpResponse:
    """One AWS JSON request to ``service_model``'s service -> its HTTP answer."""
    service_name = service_model.service_name
    version = service_model.metadata.get("jsonVersion", "1.0")
    headers = {"Content-Type": f"application/x-amz-json-{version}", "x-amzn-RequestId": cloud.request_id()}

    def coral(status: int, code: str, message: str | None) -> HttpResponse:
        body: dict[str, Any] = {"__type": CORAL + code}
        if message:
            body["message"] = message
        return HttpResponse(status, headers, _dumps(body))

    target = request.header("x-amz-target") or ""
    op_name = target.partition(".")[2]
    if not op_name or op_name not in service_model.operation_names:
        return coral(400, "UnknownOperationException",
                     f"Unknown operation {target!r} for {service_name}" if target else "Missing X-Amz-Target header")
    operation = service_model.operation_model(op_name)
    try:
        data: Any = json.loads(request.body) if request.body.strip() else {}
        if not isinstance(data, dict):
            raise SerializationError("Start of list found where not expected" if isinstance(data, list)
                                     else f"{type(data).__name__} found where a structure was expected")
        params = from_wire_json(operation.input_shape, data)
    except SerializationError as exc:
        return coral(400, "SerializationException", str(exc) or None)
    except (ValueError, UnicodeDecodeError):
        return coral(400, "SerializationException", None)
    try:
        result = call(cloud, service_name, op_name, params)
    except AWSError as err:
        status = err.status
        shape, members = error_members(service_model, err)
        body = {"__type": error_type(service_model, err), **to_wire_json(shape, members)}
        if shape is not None:  # members the shape does not model keep their generic form
            body.update({k: v for k, v in to_wire_json(None, members).items() if k not in body})
        query = query_error_header(service_model, err)
        if query is not None:
            headers["x-amzn-query-error"] = query
        return HttpResponse(status, headers, _dumps(body))
    except Exception as exc:  # a simulator bug: answer 500 as AWS would, and say why
        return coral(500, "InternalFailure", internal_error_message(exc))
    if operation.output_shape is None:
        return HttpResponse(200, headers, b"")
    return HttpResponse(200, headers, _dumps(to_wire_json(operation.output_shape, result)))
