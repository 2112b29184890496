"""The REST binding shared by the ``rest-json`` and ``rest-xml`` protocols: which operation a
request is, and which members travel outside the body.

AWS's REST protocols place an operation's members by the model's ``location`` trait:

- ``uri``: a ``{Label}`` of ``http.requestUri`` (one path segment, percent-encoded) or a greedy
  ``{Label+}`` (the rest of the path, slashes included);
- ``querystring``: a query parameter (a ``list`` repeats it; a ``map`` takes every query
  parameter no other member claims);
- ``header``: one header (timestamps as RFC 822 unless the shape says otherwise, lists
  comma-separated, ``jsonvalue`` strings as base64-encoded JSON), ``headers``: every header with
  a prefix (``x-amz-meta-``) as a map;
- ``statusCode`` (output only): the HTTP status;
- no location: the body, or the one member named by the structure's ``payload`` trait.

The body's format is the protocol's (JSON, XML), so this module never reads or writes a body:

::

    op, labels = match_operation(model, "GET", "/2015-03-31/functions/f", "")   # or None
    params = bind_request(op, labels, parse_query(query), headers)   # + the body's members
    status, headers, rest = bind_response(op, result)                # rest: the body's members

Operations are found from ``http.method`` + ``http.requestUri`` only (the request's path and
query, not its host): literal path segments, labels, greedy labels, and the literal query part
of a template (``/{Bucket}?tagging``, ``/{Bucket}?list-type=2``, ``/2018-10-31/layers?find=LayerVersion``).
When several templates match, the most specific wins (more literal path segments, then more
literal query keys, then fewer greedy labels); operations sharing one template
(S3's ``PUT /{Bucket}/{Key+}``: PutObject, CopyObject, UploadPart, UploadPartCopy) are told apart
by their required ``querystring``/``header`` members that the request carries (most first), then
non-deprecated before deprecated, then by name. The index is built once per service model.
Complexity: O(templates of the method) regular-expression matches per request (tens).

Values outside the body arrive as strings and are converted by shape: integers, floats,
booleans (``true``/``false``), timestamps (any of ISO 8601, RFC 822 or epoch seconds, whatever
the shape's ``timestampFormat``), blobs (base64), ``jsonvalue`` headers. Nothing here is specific
to a service.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import email.utils
import json
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence
from urllib.parse import unquote, unquote_plus

import attrs

from ...kernel.clock import epoch_to_datetime

if TYPE_CHECKING:
    import botocore.model

__all__ = [
    "BindingError",
    "QueryParams",
    "bind_request",
    "bind_response",
    "format_timestamp",
    "header_text",
    "match_operation",
    "parse_query",
    "parse_timestamp",
    "payload_member",
    "timestamp_format",
]

#: Query parameters by name, each with its values in request order.
QueryParams = dict[str, list[str]]

_DEFAULT_TIMESTAMP_FORMAT = {"header": "rfc822", "querystring": "iso8601", "uri": "iso8601"}


class BindingError(ValueError):
    """A value outside the body does not convert to its shape (a protocol answers it with its
    serialization/validation error)."""

    def __init__(self, member: str, value: str, reason: str) -> None:
        self.member = member
        self.value = value
        super().__init__(f"{member}: {reason}: {value!r}")


# -- query strings ------------------------------------------------------------------------
def parse_query(raw: str) -> QueryParams:
    """The parameters of a raw query string (without ``?``), percent-decoded (``+`` is a space,
    as in form encoding; SDKs always send ``%20``/``%2B``). Keys without ``=`` get ``""``."""
    out: QueryParams = {}
    if not raw:
        return out
    for part in raw.split("&"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        out.setdefault(unquote_plus(key), []).append(unquote_plus(value) if sep else "")
    return out


def _as_query(query: str | Mapping[str, Sequence[str]]) -> Mapping[str, Sequence[str]]:
    return parse_query(query) if isinstance(query, str) else query


# -- the operation index ------------------------------------------------------------------
@attrs.frozen
class _Template:
    operation: "botocore.model.OperationModel"
    regex: re.Pattern[str]
    #: group name in the regex -> label name (without ``+``), and whether it is greedy
    labels: tuple[tuple[str, str], ...]
    #: literal query parts: (key, value or None for a bare key)
    query: tuple[tuple[str, str | None], ...]
    #: (location, wire name) of required query/header members, to tell same-template operations apart
    required: tuple[tuple[str, str], ...]
    specificity: tuple[int, ...]

    def match(self, path: str, query: Mapping[str, Sequence[str]]) -> dict[str, str] | None:
        for key, value in self.query:
            got = query.get(key)
            if got is None or (value is not None and value not in got):
                return None
        m = self.regex.fullmatch(path)
        if m is None and path.endswith("/") and len(path) > 1:
            m = self.regex.fullmatch(path[:-1])  # a trailing slash the template does not have
        if m is None:
            return None
        return {label: unquote(m.group(group)) for group, label in self.labels}

    def carried(self, query: Mapping[str, Sequence[str]], headers: Mapping[str, str]) -> int:
        """How many of the required query/header members the request carries (-1: not all)."""
        n = 0
        for location, name in self.required:
            if (name in query) if location == "querystring" else (name.lower() in headers):
                n += 1
            else:
                return -1
        return n


_LABEL = re.compile(r"\{([^}]+)\}")


def _compile(operation: "botocore.model.OperationModel") -> _Template:
    uri = operation.http.get("requestUri", "/")
    path, _, literal_query = uri.partition("?")
    pattern: list[str] = []
    labels: list[tuple[str, str]] = []
    pos = 0
    for i, m in enumerate(_LABEL.finditer(path)):
        pattern.append(re.escape(path[pos:m.start()]))
        name = m.group(1)
        group = f"l{i}"
        if name.endswith("+"):
            pattern.append(f"(?P<{group}>.+)")
            name = name[:-1]
        else:
            pattern.append(f"(?P<{group}>[^/]+)")
        labels.append((group, name))
        pos = m.end()
    pattern.append(re.escape(path[pos:]))
    query: list[tuple[str, str | None]] = []
    for part in literal_query.split("&") if literal_query else ():
        key, sep, value = part.partition("=")
        query.append((unquote(key), unquote(value) if sep else None))
    required: list[tuple[str, str]] = []
    shape = operation.input_shape
    if shape is not None:
        for name in shape.required_members:
            member = shape.members[name]
            location = member.serialization.get("location")
            if location in ("querystring", "header") and member.type_name != "map":
                required.append((location, member.serialization.get("name", name)))
    literal_segments = sum(1 for seg in path.split("/") if seg and "{" not in seg)
    greedy = path.count("+}")
    literal_chars = len(_LABEL.sub("", path))
    specificity = (literal_segments, len(query), -greedy, literal_chars)
    return _Template(operation, re.compile("".join(pattern)), tuple(labels), tuple(query),
                     tuple(required), specificity)


@attrs.frozen
class _Index:
    by_method: Mapping[str, tuple[_Template, ...]]


_INDEXES: dict[int, tuple[Any, _Index]] = {}


def _index(service_model: "botocore.model.ServiceModel") -> _Index:
    entry = _INDEXES.get(id(service_model))
    if entry is not None and entry[0] is service_model:
        return entry[1]
    by_method: dict[str, list[_Template]] = {}
    for name in service_model.operation_names:  # sorted by name: ties stay deterministic
        op = service_model.operation_model(name)
        by_method.setdefault(op.http.get("method", "POST").upper(), []).append(_compile(op))
    index = _Index({
        method: tuple(sorted(ts, key=lambda t: (
            tuple(-x for x in t.specificity), bool(t.operation.deprecated), t.operation.name)))
        for method, ts in by_method.items()
    })
    _INDEXES[id(service_model)] = (service_model, index)  # keeps the model alive: ids stay unique
    return index


def match_operation(
    service_model: "botocore.model.ServiceModel",
    method: str,
    raw_path: str,
    query: str | Mapping[str, Sequence[str]],
    headers: Mapping[str, str] | None = None,
) -> tuple["botocore.model.OperationModel", dict[str, str]] | None:
    """The operation a request is, and its URI labels (percent-decoded, by label name without
    ``+``), or None when no template of the model matches.

    ``raw_path`` is the percent-encoded path without the query; ``query`` the raw query string or
    its parsed parameters (:func:`parse_query`); ``headers`` (lower-case names), when given, tell
    apart operations sharing one template by their required headers (S3's CopyObject). A path
    that matches nothing is tried again without its leading segments, for endpoint URLs with a
    base path (``.../prod/@connections/{id}``).
    """
    templates = _index(service_model).by_method.get(method.upper(), ())
    params = _as_query(query)
    hdrs = headers or {}
    raw_path = _ASCII_ESCAPE.sub(_unescape, raw_path)
    found = _best(templates, raw_path, params, hdrs)
    # An endpoint URL with a base path (``https://<api>.execute-api.<region>.amazonaws.com/prod``
    # for the Management API) prefixes every request path: try without its leading segments.
    path = raw_path
    while found is None and path.count("/") > 1:
        path = path[path.index("/", 1):]
        found = _best(templates, path, params, hdrs)
    return found


#: Percent-escapes of ASCII characters other than ``%`` and ``/``: decoded before matching, so a
#: client that escapes ``@`` or ``$`` still meets the template's literal segments (``%2F`` stays:
#: it is a label's slash, not a separator; non-ASCII stays: labels decode it as UTF-8).
_ASCII_ESCAPE = re.compile(r"%(?!25|2[fF])[0-7][0-9A-Fa-f]")


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(0)[1:], 16))


def _best(templates: Sequence[_Template], raw_path: str, params: Mapping[str, Sequence[str]],
          hdrs: Mapping[str, str]) -> tuple["botocore.model.OperationModel", dict[str, str]] | None:
    best: tuple[tuple[int, ...], int, _Template, dict[str, str]] | None = None
    for template in templates:
        if best is not None and template.specificity < best[0]:
            break  # sorted by specificity: nothing later can be more specific
        labels = template.match(raw_path, params)
        if labels is None:
            continue
        carried = template.carried(params, hdrs)
        if best is None or carried > best[1]:
            best = (template.specificity, carried, template, labels)
    if best is None:
        return None
    return best[2].operation, best[3]


# -- timestamps ---------------------------------------------------------------------------
def timestamp_format(shape: "botocore.model.Shape", location: str | None,
                     body_default: str = "unixTimestamp") -> str:
    """The wire format of a timestamp shape at a location: the shape's (or its member's)
    ``timestampFormat`` trait, else the protocol's default for that location (headers RFC 822,
    query strings and URIs ISO 8601, bodies ``body_default``)."""
    fmt = shape.serialization.get("timestampFormat")
    if fmt:
        return str(fmt)
    return _DEFAULT_TIMESTAMP_FORMAT.get(location or "", body_default)


def parse_timestamp(value: str | int | float) -> _dt.datetime:
    """An aware UTC datetime from epoch seconds, ISO 8601 or RFC 822 text (formats are
    recognised, not trusted: AWS accepts any of them)."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        return epoch_to_datetime(value)
    text = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return epoch_to_datetime(float(text) if "." in text else int(text))
    if text[:4].isdigit() and "-" in text:
        dt = _dt.datetime.fromisoformat(text.replace("z", "Z"))
    else:
        dt = email.utils.parsedate_to_datetime(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_dt.timezone.utc)
    return dt.astimezone(_dt.timezone.utc)


def _to_datetime(value: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=_dt.timezone.utc)
    return parse_timestamp(value)


def format_timestamp(value: Any, fmt: str) -> str | int | float:
    """A timestamp (aware/naive-UTC datetime, epoch seconds or text) in a wire format:
    ``iso8601`` (``2026-01-01T00:00:00Z``, milliseconds when not whole), ``rfc822``
    (``Thu, 01 Jan 2026 00:00:00 GMT``) or ``unixTimestamp`` (a number: int when whole,
    else milliseconds)."""
    dt = _to_datetime(value).astimezone(_dt.timezone.utc)
    fmt = fmt.lower()
    if fmt == "iso8601":
        if dt.microsecond:
            return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{dt.microsecond // 1000:03d}Z"
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "rfc822":
        return email.utils.format_datetime(dt.replace(microsecond=0), usegmt=True)
    epoch_us = (dt - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)) // _dt.timedelta(microseconds=1)
    if epoch_us % 1_000_000 == 0:
        return epoch_us // 1_000_000
    return round(epoch_us / 1_000_000, 3)


# -- request ------------------------------------------------------------------------------
#: The query parameters of a presigned URL (SigV4): never an operation's members.
_PRESIGN_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                   "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token")


def _scalar(shape: "botocore.model.Shape", text: str, member: str, location: str) -> Any:
    kind = shape.type_name
    try:
        if kind == "string":
            if location == "header" and shape.serialization.get("jsonvalue"):
                return json.loads(base64.b64decode(text, validate=True).decode("utf-8"))
            return text
        if kind in ("integer", "long", "short", "byte"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            raise ValueError("not a boolean")
        if kind == "timestamp":
            return parse_timestamp(text)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError) as exc:
        raise BindingError(member, text, str(exc) or type(exc).__name__) from None
    return text


def _split_header_list(text: str) -> list[str]:
    """A comma-separated header list; items may be double-quoted (with ``\\"`` escapes)."""
    items: list[str] = []
    i, n = 0, len(text)
    while i <= n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == '"':
            i += 1
            buf: list[str] = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(text[i])
                i += 1
            items.append("".join(buf))
            i += 1
            while i < n and text[i] != ",":
                i += 1
        else:
            j = text.find(",", i)
            j = n if j < 0 else j
            items.append(text[i:j].strip())
            i = j
        i += 1
    return items


def bind_request(
    operation_model: "botocore.model.OperationModel",
    labels: Mapping[str, str],
    query_params: str | Mapping[str, Sequence[str]],
    headers: Mapping[str, str],
) -> dict[str, Any]:
    """The input members a request carries outside its body, converted by shape.

    ``labels`` come from :func:`match_operation`; ``query_params`` is the raw query string or
    :func:`parse_query`'s result; ``headers`` has lower-case names. Raises
    :class:`BindingError` for a value that does not convert. Query parameters that no member
    names (and that are not the template's literal ones) go to a ``querystring`` map member if
    the shape has one (except a presigned URL's ``X-Amz-*`` signature parameters), else are
    ignored.
    """
    shape = operation_model.input_shape
    if shape is None:
        return {}
    query = _as_query(query_params)
    hdrs = {k.lower(): v for k, v in headers.items()}
    out: dict[str, Any] = {}
    claimed: set[str] = set(_PRESIGN_PARAMS)
    uri = operation_model.http.get("requestUri", "/")
    if "?" in uri:
        for part in uri.partition("?")[2].split("&"):
            claimed.add(unquote(part.partition("=")[0]))
    query_map: tuple[str, "botocore.model.Shape"] | None = None
    for name, member in shape.members.items():
        ser = member.serialization
        location = ser.get("location")
        wire = ser.get("name", name)
        if location == "uri":
            if wire in labels:
                out[name] = _scalar(member, labels[wire], name, location)
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
                continue
            claimed.add(wire)
            values = query.get(wire)
            if values is None:
                continue
            if member.type_name == "list":
                out[name] = [_scalar(member.member, v, name, location) for v in values]
            else:
                out[name] = _scalar(member, values[0], name, location)
        elif location == "header":
            text = hdrs.get(wire.lower())
            if text is None:
                continue
            if member.type_name == "list":
                out[name] = [_scalar(member.member, v, name, location) for v in _split_header_list(text)] if text else []
            else:
                out[name] = _scalar(member, text, name, location)
        elif location == "headers":
            prefix = wire.lower()
            found = {k[len(prefix):]: v for k, v in hdrs.items() if k.startswith(prefix)}
            if found:
                out[name] = {k: _scalar(member.value, v, name, "header") for k, v in found.items()}
    if query_map is not None:
        name, member = query_map
        found_map: dict[str, Any] = {}
        for key, values in query.items():
            if key in claimed:
                continue
            if member.value.type_name == "list":
                found_map[key] = [_scalar(member.value.member, v, name, "querystring") for v in values]
            else:
                found_map[key] = _scalar(member.value, values[0], name, "querystring")
        if found_map:
            out[name] = found_map
    return out


# -- response -----------------------------------------------------------------------------
def payload_member(shape: "botocore.model.Shape | None") -> tuple[str, "botocore.model.Shape"] | None:
    """The member named by a structure's ``payload`` trait and its shape, or None. A ``blob`` or
    ``string`` payload is the raw body (streaming or not); a structure payload is the body
    alone, in the protocol's format."""
    if shape is None:
        return None
    name = shape.serialization.get("payload")
    if name is None:
        return None
    return name, shape.members[name]


def header_text(shape: "botocore.model.Shape", value: Any) -> str:
    """A native value as a header writes it, by shape (timestamps RFC 822 unless the shape
    says otherwise, lists comma-separated, blobs and ``jsonvalue`` strings base64)."""
    kind = shape.type_name
    if kind == "timestamp":
        return str(format_timestamp(value, timestamp_format(shape, "header")))
    if kind == "list":
        return ",".join(_header_list_item(shape.member, v) for v in value if v is not None)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(data).decode("ascii")
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value, separators=(",", ":")).encode("utf-8")).decode("ascii")
    if kind in ("float", "double"):
        return repr(float(value))
    return str(value)


def _header_list_item(shape: "botocore.model.Shape", value: Any) -> str:
    text = header_text(shape, value)
    if shape.type_name == "string" and ("," in text or '"' in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def bind_response(
    operation_model: "botocore.model.OperationModel", result: Mapping[str, Any],
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """Split an operation's result into the HTTP status, the headers its ``header``/``headers``
    members make, and the members left for the body (the payload member among them; see
    :func:`payload_member`).

    The status is the ``statusCode`` member when present, else the operation's modelled
    ``http.responseCode``, else 200. Header names keep the model's spelling.
    """
    status = int(operation_model.http.get("responseCode", 200))
    headers: dict[str, str] = {}
    shape = operation_model.output_shape
    if shape is None:
        return status, headers, {}
    rest: dict[str, Any] = {}
    members = shape.members
    for name, value in result.items():
        member = members.get(name)
        if member is None:
            continue  # not in the model (ResponseMetadata, simulator extras): never on the wire
        ser = member.serialization
        location = ser.get("location")
        if location is None:
            rest[name] = value
        elif value is None:
            continue
        elif location == "statusCode":
            status = int(value)
        elif location == "header":
            if member.type_name == "list" and not value:
                continue
            headers[ser.get("name", name)] = header_text(member, value)
        elif location == "headers":
            prefix = ser.get("name", "")
            for key, item in value.items():
                headers[prefix + key] = header_text(member.value, item)
        else:  # uri/querystring in an output shape: not on the wire
            continue
    return status, headers, rest

