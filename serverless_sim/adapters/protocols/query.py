"""The AWS query protocol: SNS, IAM, STS (and CloudWatch's query flavour) over HTTP.

Requests (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/Query_QueryAPI.html
describes the encoding; botocore's ``QuerySerializer`` writes it) are
``application/x-www-form-urlencoded`` POST bodies, or GET query strings, of ``Action``,
``Version`` and the parameters flattened by the operation's input shape:

- structure members by ``locationName`` (else member name), nested with ``.``;
- lists as ``Name.member.N`` (the item's ``locationName`` replaces ``member``), flattened lists
  as ``Name.N``; an empty list as ``Name=`` (nothing after the ``=``);
- maps as ``Name.entry.N.key`` / ``Name.entry.N.value`` (SNS ``Attributes.entry.1.key``),
  flattened maps without ``entry``;
- booleans ``true``/``false``, timestamps ISO 8601, blobs base64, numbers in decimal.

Answers are ``text/xml``::

    <CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
      <CreateTopicResult><TopicArn>...</TopicArn></CreateTopicResult>
      <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
    </CreateTopicResponse>

(``resultWrapper`` and ``xmlNamespace`` from the model; values by :mod:`.xml_util`). Errors are
``<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>
</ErrorResponse>`` with the error's HTTP status, and ``x-amzn-RequestId`` on every answer.

Served: every operation the Cloud's service simulates (``cloud.service(name).operations``) of
any query-protocol model handed in: SNS, IAM, STS (AssumeRole, GetCallerIdentity,
GetSessionToken; AssumeRoleWithWebIdentity is not simulated) and CloudWatch when a client speaks
query to it (botocore itself speaks CBOR to CloudWatch). Not checked: signatures, the
``Version`` parameter. A request the model cannot read (a malformed number, boolean, timestamp or
base64 value) is answered ``400 MalformedInput``; an unknown or unsimulated action
``400 InvalidAction``.
"""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ...kernel.errors import AWSError
from .base import HttpRequest, HttpResponse, call, http_date
from .xml_util import XmlShapeError, escape, parse_scalar, write_members

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["handle", "parse_params", "serialize_result", "serialize_error"]


class _QueryError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# -- request ----------------------------------------------------------------------------------
def form_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """The request's parameters: the query string, then the form body."""
    pairs = parse_qsl(request.query, keep_blank_values=True) if request.query else []
    ctype = (request.header("content-type") or "").lower()
    if request.body and (not ctype or "x-www-form-urlencoded" in ctype):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise _QueryError(400, "MalformedQueryString", "The request body is not UTF-8") from None
        pairs.extend(parse_qsl(text, keep_blank_values=True))
    return pairs


class _Form:
    """The flat parameters, with every dotted prefix that occurs (to find nested values)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.values = dict(pairs)
        self.prefixes: set[str] = set()
        for key in self.values:
            parts = key.split(".")
            for i in range(1, len(parts) + 1):
                self.prefixes.add(".".join(parts[:i]))


def _list_prefix(shape: "botocore.model.Shape", prefix: str) -> str:
    item_name = shape.member.serialization.get("name")
    if shape.serialization.get("flattened"):
        if item_name:  # botocore replaces the last part of the name with the item's name
            return ".".join(prefix.split(".")[:-1] + [item_name])
        return prefix
    return f"{prefix}.{item_name or 'member'}"


def _present(form: _Form, shape: "botocore.model.Shape", prefix: str) -> bool:
    if shape.type_name == "list":
        return prefix in form.values or _list_prefix(shape, prefix) in form.prefixes
    return prefix in form.prefixes


def _read(form: _Form, shape: "botocore.model.Shape", prefix: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        out: dict[str, Any] = {}
        for member_name, member_shape in shape.members.items():
            key = member_shape.serialization.get("name", member_name)
            child = f"{prefix}.{key}" if prefix else key
            if _present(form, member_shape, child):
                out[member_name] = _read(form, member_shape, child)
        return out
    if kind == "list":
        base = _list_prefix(shape, prefix)
        items = []
        i = 1
        while f"{base}.{i}" in form.prefixes:
            items.append(_read(form, shape.member, f"{base}.{i}"))
            i += 1
        return items
    if kind == "map":
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[Any, Any] = {}
        i = 1
        while f"{base}.{i}" in form.prefixes:
            entry = f"{base}.{i}"
            if f"{entry}.{key_name}" not in form.prefixes:
                raise _QueryError(400, "MalformedInput", f"{entry} has no {key_name}")
            key = _read(form, shape.key, f"{entry}.{key_name}")
            value = _read(form, shape.value, f"{entry}.{value_name}") \
                if f"{entry}.{value_name}" in form.prefixes else None
            result[key] = value
            i += 1
        return result
    text = form.values.get(prefix)
    if text is None:  # a scalar given as a nested name
        raise _QueryError(400, "MalformedInput", f"{prefix} is not a structure")
    try:
        return parse_scalar(shape, text)
    except XmlShapeError as exc:
        raise _QueryError(400, "MalformedInput", f"Invalid value for {prefix}: {exc}") from None


def parse_params(shape: "botocore.model.Shape | None", pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The parameters a boto3 client would pass, from the form pairs (``Action`` and
    ``Version`` are not members and are ignored)."""
    if shape is None:
        return {}
    result: dict[str, Any] = _read(_Form(pairs), shape, "")
    return result


# -- response ---------------------------------------------------------------------------------
def _namespace(service_model: "botocore.model.ServiceModel") -> str:
    ns = service_model.metadata.get("xmlNamespace")
    return f' xmlns="{escape(ns)}"' if ns else ""


def serialize_result(operation_model: "botocore.model.OperationModel", result: dict[str, Any],
                     request_id: str) -> bytes:
    """The XML answer of a successful call."""
    name = operation_model.name
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response{_namespace(operation_model.service_model)}>']
    shape = operation_model.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper")
        if wrapper:
            out.append(f"<{wrapper}>")
        write_members(out, shape, result)
        if wrapper:
            out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
               f"</{name}Response>")
    return "".join(out).encode("utf-8")


def serialize_error(service_model: "botocore.model.ServiceModel", status: int, code: str,
                    message: str, request_id: str, extra: dict[str, Any] | None = None) -> bytes:
    """The ``ErrorResponse`` document; modelled extra members of the error go inside
    ``<Error>``, where botocore's parser reads them."""
    kind = "Sender" if status < 500 else "Receiver"
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse{_namespace(service_model)}>'
           f"<Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
           f"<Message>{escape(message)}</Message>"]
    if extra:
        shape = service_model.shape_for_error_code(code)
        if shape is not None:
            fields = {k: v for k, v in extra.items() if k in shape.members and k not in ("message", "Message")}
            write_members(out, shape, fields)
    out.append(f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>")
    return "".join(out).encode("utf-8")


# -- the handler ------------------------------------------------------------------------------
def handle(cloud: "Cloud", service_model: "botocore.model.ServiceModel", request: HttpRequest) -> HttpResponse:
    """Answer one query-protocol request for ``service_model``'s service."""
    request_id = cloud.request_id()
    headers = {"Content-Type": "text/xml", "x-amzn-RequestId": request_id, "Date": http_date(cloud)}
    service_name = service_model.service_name
    try:
        pairs = form_pairs(request)
        action = next((v for k, v in pairs if k == "Action"), None)
        if not action:
            raise _QueryError(400, "MissingAction", "Missing Action")
        if action not in service_model.operation_names or action not in cloud.service(service_name).operations:
            raise _QueryError(400, "InvalidAction",
                              f"The action {action} is not valid for this web service.")
        operation_model = service_model.operation_model(action)
        params = parse_params(operation_model.input_shape, pairs)
        try:
            result = call(cloud, service_name, action, params)
        except AWSError as err:
            body = serialize_error(service_model, err.status, err.code, err.message, request_id, err.extra)
            return HttpResponse(err.status, headers, body)
        return HttpResponse(200, headers, serialize_result(operation_model, result, request_id))
    except _QueryError as exc:
        return HttpResponse(exc.status, headers,
                            serialize_error(service_model, exc.status, exc.code, exc.message, request_id))
    except Exception as exc:  # a simulator bug: answer 500 as AWS would, and say why
        traceback.print_exc(file=sys.stderr)
        message = f"serverless_sim internal error: {type(exc).__name__}: {exc}"
        return HttpResponse(500, headers, serialize_error(service_model, 500, "InternalFailure", message, request_id))
