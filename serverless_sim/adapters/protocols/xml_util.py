"""XML by botocore's shapes: what the query protocol answers and what S3 (REST-XML) reads and
answers.

The rules are the ones botocore's ``BaseXMLResponseParser`` and ``RestXMLSerializer`` read and
write (facts of the AWS XML wire format, re-implemented here):

- a structure member is the element named by its ``locationName`` (else the member name);
  members with ``xmlAttribute`` are attributes of the parent; ``xmlNamespace`` adds an
  ``xmlns[:prefix]`` declaration;
- a list is a wrapper element holding one ``<member>`` (or the member's ``locationName``) per
  item; a *flattened* list repeats the item element in place of the wrapper (named by the item's
  ``locationName`` if it has one);
- a map is ``<entry><key>..</key><value>..</value></entry>`` per pair (``key``/``value``
  renamed by their ``locationName``); a flattened map repeats the map's own element per pair;
- booleans are ``true``/``false``, blobs base64, timestamps ISO 8601 unless the shape says
  otherwise (``timestampFormat``), floats ``Infinity``/``-Infinity``/``NaN`` when not finite.

:func:`to_xml` serializes a Python value; :func:`from_xml` reads one back from an
``xml.etree.ElementTree`` element, giving the parameters a boto3 client passes (``bytes`` for
blobs, aware ``datetime`` for timestamps).

Complexity: linear in the size of the value (or document).
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.utils
import json
import math
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import quote
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    import botocore.model

__all__ = [
    "XmlShapeError", "escape", "format_scalar", "format_timestamp", "from_xml", "local_name",
    "parse_document", "parse_scalar", "parse_timestamp", "read_members", "to_xml", "write_members",
    "xml_name",
]

_UTC = _dt.timezone.utc


class XmlShapeError(ValueError):
    """A value on the wire does not fit its shape (a malformed request)."""


# -- text -------------------------------------------------------------------------------------
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"}


def escape(text: str) -> str:
    """XML character data (also safe inside double-quoted attributes). ``\\r`` is written as a
    character reference, which XML parsers do not normalize to ``\\n``."""
    if not any(c in text for c in _ESCAPES):
        return text
    return "".join(_ESCAPES.get(c, c) for c in text)


# -- timestamps -------------------------------------------------------------------------------
def _as_datetime(value: Any) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _dt.datetime.fromtimestamp(value, _UTC)
    if isinstance(value, str):
        return parse_timestamp(value)
    raise XmlShapeError(f"not a timestamp: {value!r}")


def format_timestamp(value: Any, fmt: str = "iso8601") -> str:
    """A timestamp as AWS writes it: ``iso8601`` (``2026-01-01T00:00:00.123Z``, fractions only
    when non-zero), ``rfc822`` (HTTP date, whole seconds) or ``unixtimestamp``."""
    dt = _as_datetime(value).astimezone(_UTC)
    fmt = fmt.lower()
    if fmt == "rfc822":
        return email.utils.format_datetime(dt.replace(microsecond=0), usegmt=True)
    if fmt == "unixtimestamp":
        seconds = dt.timestamp()
        return str(int(seconds)) if dt.microsecond == 0 else repr(seconds)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond % 1000 == 0 and dt.microsecond:
        text += f".{dt.microsecond // 1000:03d}"
    elif dt.microsecond:
        text += f".{dt.microsecond:06d}"
    return text + "Z"


def parse_timestamp(text: str) -> _dt.datetime:
    """An aware datetime from ISO 8601, an HTTP date or epoch seconds."""
    text = text.strip()
    try:
        dt = _dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=_UTC)
    try:
        return _dt.datetime.fromtimestamp(float(text), _UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        dt = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise XmlShapeError(f"not a timestamp: {text!r}") from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=_UTC)


# -- scalars ----------------------------------------------------------------------------------
def format_scalar(shape: "botocore.model.Shape", value: Any, timestamp_format: str = "iso8601") -> str:
    """One scalar as wire text (query values, XML text, REST headers and query strings)."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "long", "short", "byte"):
        return str(int(value))
    if kind in ("float", "double"):
        f = float(value)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return repr(int(f)) if isinstance(value, int) else repr(f)
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat") or timestamp_format)
    if kind == "blob":
        data = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(data).decode()
    if isinstance(value, (dict, list)):
        # IAM returns policy documents URL-encoded; botocore decodes them back into dicts.
        text = json.dumps(value, separators=(",", ":"))
        return quote(text, safe="") if shape.name == "policyDocumentType" else text
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_scalar(shape: "botocore.model.Shape", text: str) -> Any:
    """Wire text back to the Python value a boto3 caller passes for ``shape``."""
    kind = shape.type_name
    try:
        if kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if kind in ("integer", "long", "short", "byte"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "timestamp":
            return parse_timestamp(text)
        if kind == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise XmlShapeError(f"{text!r} is not a valid {kind}") from exc
    return text


# -- serializing ------------------------------------------------------------------------------
def xml_name(member_shape: "botocore.model.Shape", member_name: str) -> str:
    """The element name of a structure member (flattened lists use their item's name)."""
    if member_shape.type_name == "list" and member_shape.serialization.get("flattened"):
        item_name = member_shape.member.serialization.get("name")
        if item_name:
            return str(item_name)
    return str(member_shape.serialization.get("name", member_name))


def _ns_attr(shape: "botocore.model.Shape") -> str:
    ns = shape.serialization.get("xmlNamespace")
    if not ns:
        return ""
    if isinstance(ns, str):
        return f' xmlns="{escape(ns)}"'
    prefix = ns.get("prefix")
    uri = escape(ns.get("uri", ""))
    return f' xmlns:{prefix}="{uri}"' if prefix else f' xmlns="{uri}"'


def to_xml(shape: "botocore.model.Shape", value: Any, name: str, *, extra_attrs: str = "") -> str:
    """``value`` as the element ``<name>`` (lists and maps as their wrapper element; flattened
    ones as the repeated elements)."""
    out: list[str] = []
    _write(out, shape, value, name, extra_attrs)
    return "".join(out)


def write_members(out: list[str], shape: "botocore.model.Shape", value: dict[str, Any],
                  skip_located: bool = True) -> None:
    """The child elements of a structure (members placed in headers/URI are skipped)."""
    for member_name, member_shape in shape.members.items():
        if member_name not in value or value[member_name] is None:
            continue
        ser = member_shape.serialization
        if ser.get("xmlAttribute") or (skip_located and ser.get("location")):
            continue
        _write(out, member_shape, value[member_name], xml_name(member_shape, member_name))


def _write(out: list[str], shape: "botocore.model.Shape", value: Any, name: str,
           extra_attrs: str = "") -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise XmlShapeError(f"{name}: expected a structure, got {type(value).__name__}")
        attrs = [extra_attrs, _ns_attr(shape)]
        for member_name, member_shape in shape.members.items():
            ser = member_shape.serialization
            if ser.get("xmlAttribute") and value.get(member_name) is not None:
                attrs.append(_ns_attr(member_shape))
                attrs.append(f' {ser.get("name", member_name)}="'
                             f'{escape(format_scalar(member_shape, value[member_name]))}"')
        out.append(f"<{name}{''.join(attrs)}>")
        write_members(out, shape, value, skip_located=False)
        out.append(f"</{name}>")
    elif kind == "list":
        item_shape = shape.member
        if shape.serialization.get("flattened"):
            item_name = item_shape.serialization.get("name", name)
            for item in value:
                _write(out, item_shape, item, item_name)
        else:
            item_name = item_shape.serialization.get("name", "member")
            out.append(f"<{name}{extra_attrs}{_ns_attr(shape)}>")
            for item in value:
                _write(out, item_shape, item, item_name)
            out.append(f"</{name}>")
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")

        def pair(k: Any, v: Any) -> None:
            _write(out, shape.key, k, key_name)
            _write(out, shape.value, v, value_name)

        if shape.serialization.get("flattened"):
            for k, v in value.items():
                out.append(f"<{name}>")
                pair(k, v)
                out.append(f"</{name}>")
        else:
            out.append(f"<{name}{extra_attrs}{_ns_attr(shape)}>")
            for k, v in value.items():
                out.append("<entry>")
                pair(k, v)
                out.append("</entry>")
            out.append(f"</{name}>")
    else:
        out.append(f"<{name}{extra_attrs}{_ns_attr(shape)}>{escape(format_scalar(shape, value))}</{name}>")


# -- parsing ----------------------------------------------------------------------------------
def local_name(element: ET.Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[1] if tag.startswith("{") else tag


def _children(element: ET.Element) -> dict[str, list[ET.Element]]:
    found: dict[str, list[ET.Element]] = {}
    for child in element:
        found.setdefault(local_name(child), []).append(child)
    return found


def from_xml(shape: "botocore.model.Shape", element: ET.Element) -> Any:
    """The value of ``element`` read by ``shape`` (the element is the structure, the
    non-flattened list's wrapper, or the scalar)."""
    return _read(shape, [element])


def read_members(shape: "botocore.model.Shape", element: ET.Element) -> dict[str, Any]:
    """A structure's members from the children (and attributes) of ``element``."""
    children = _children(element)
    out: dict[str, Any] = {}
    for member_name, member_shape in shape.members.items():
        ser = member_shape.serialization
        if ser.get("location"):
            continue
        if ser.get("xmlAttribute"):
            attr = _attribute(element, str(ser.get("name", member_name)))
            if attr is not None:
                out[member_name] = parse_scalar(member_shape, attr)
            continue
        nodes = children.get(xml_name(member_shape, member_name))
        if nodes:
            out[member_name] = _read(member_shape, nodes)
    return out


def _attribute(element: ET.Element, name: str) -> str | None:
    local = name.split(":", 1)[-1]
    for key, value in element.attrib.items():
        if key == name or key.rsplit("}", 1)[-1] == local:
            return value
    return None


def _read(shape: "botocore.model.Shape", nodes: list[ET.Element]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return read_members(shape, nodes[0])
    if kind == "list":
        items: Iterable[ET.Element] = nodes if shape.serialization.get("flattened") else list(nodes[0])
        return [_read(shape.member, [item]) for item in items]
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entries: Iterable[ET.Element] = nodes if shape.serialization.get("flattened") else list(nodes[0])
        result: dict[Any, Any] = {}
        for entry in entries:
            parts = _children(entry)
            if key_name not in parts or value_name not in parts:
                raise XmlShapeError(f"map entry without {key_name}/{value_name}")
            result[_read(shape.key, parts[key_name])] = _read(shape.value, parts[value_name])
        return result
    return parse_scalar(shape, nodes[0].text or "")


def parse_document(body: bytes) -> ET.Element:
    """The root element of an XML body (``XmlShapeError`` when it is not well-formed)."""
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise XmlShapeError(str(exc)) from None
