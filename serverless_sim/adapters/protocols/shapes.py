"""Wire values <-> native values, walked by botocore's shapes (shared by the protocol modules).

Native values are what a boto3 client passes and gets back: ``bytes`` for blobs, aware UTC
``datetime`` for timestamps, ``int``/``float``/``bool``/``str``, lists and dicts. On the wire:

- **JSON** (AWS JSON 1.0/1.1, the bodies of REST-JSON): blobs are base64 text, timestamps are
  epoch seconds (a JSON number) unless the member says otherwise (``timestampFormat``), and
  special doubles are the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``.
- **CBOR** (Smithy RPC v2): blobs are byte strings, timestamps are tag 1 (epoch seconds); the
  codec (:mod:`.cbor_codec`) already gives ``bytes`` and ``datetime``.

The API (four walkers, two timestamp helpers, one error)::

    from_wire_json(shape, value)                       # request JSON -> native (validates)
    to_wire_json(shape, value, timestamp_format=None)  # native -> JSON-able (drops None)
    from_wire_cbor(shape, value)                       # decoded CBOR -> native (validates)
    to_wire_cbor(shape, value)                         # native -> CBOR-encodable (drops None)
    parse_timestamp(value) -> datetime                 # epoch number/text, ISO 8601, RFC 822
    format_timestamp(dt, fmt) -> int | float | str     # "unixtimestamp" | "iso8601" | "rfc822"

Structures: only modelled members are read or written (by their serialized ``name`` when the
model renames them), as AWS ignores unknown request members and botocore ignores unknown
response members; ``None`` members are left out. Requests of the wrong JSON type raise
:class:`SerializationError` with Coral's wording (AWS answers ``SerializationException``).
Each walk is O(size of the value).
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal
import email.utils
import math
from typing import TYPE_CHECKING, Any, Callable

from ...kernel.clock import UTC, datetime_to_epoch, epoch_to_datetime
from ..wire import SerializationError

if TYPE_CHECKING:
    from botocore.model import Shape

__all__ = [
    "SerializationError", "from_wire_json", "to_wire_json", "from_wire_cbor", "to_wire_cbor",
    "parse_timestamp", "format_timestamp",
]

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# -- timestamps ---------------------------------------------------------------------------
def parse_timestamp(value: Any) -> _dt.datetime:
    """A wire timestamp -> aware UTC datetime: epoch seconds (number or numeric text), ISO 8601
    (``2026-01-01T00:00:00Z``, with or without fraction/offset) or RFC 822 (HTTP date).
    Raises :class:`SerializationError` for anything else."""
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise SerializationError(f"Invalid timestamp: {value!r}")
        return epoch_to_datetime(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return epoch_to_datetime(int(text) if text.lstrip("-").isdigit() else float(text))
        except (ValueError, OverflowError):
            pass
        try:
            iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
            parsed = _dt.datetime.fromisoformat(iso)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except ValueError:
            pass
        try:
            parsed = email.utils.parsedate_to_datetime(text)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except (TypeError, ValueError, IndexError):
            pass
    raise SerializationError(f"Invalid timestamp: {value!r}")


def format_timestamp(value: Any, fmt: str | None = "unixtimestamp") -> int | float | str:
    """A native timestamp (datetime, or epoch seconds, or ISO text) as the wire writes it:
    ``unixtimestamp`` (the default: an int when whole seconds, else a float), ``iso8601``
    (``2026-01-01T00:00:00Z``, milliseconds when not whole) or ``rfc822`` (HTTP date)."""
    when = value if isinstance(value, _dt.datetime) else parse_timestamp(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    fmt = fmt.lower() if fmt else None  # models spell it "unixTimestamp"
    if fmt in (None, "unixtimestamp"):
        return datetime_to_epoch(when)
    if fmt == "iso8601":
        base = when.strftime("%Y-%m-%dT%H:%M:%S")
        return base + (f".{when.microsecond // 1000:03d}Z" if when.microsecond else "Z")
    if fmt == "rfc822":
        return email.utils.format_datetime(when.replace(microsecond=0), usegmt=True)
    raise ValueError(f"unknown timestampFormat {fmt!r}")


# -- type checks (Coral's wording) --------------------------------------------------------
def _token(value: Any) -> str:
    if isinstance(value, bool):
        return "VALUE_TRUE" if value else "VALUE_FALSE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, (bytes, bytearray)):
        return "BYTE_STRING"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    return type(value).__name__


_TARGET = {"string": "a String", "integer": "an Integer", "long": "a Long", "float": "a Float",
           "double": "a Double", "boolean": "a Boolean", "blob": "a Blob", "timestamp": "a Date"}


def _mismatch(shape: "Shape", value: Any) -> SerializationError:
    if isinstance(value, dict):
        return SerializationError("Start of structure or map found where not expected.")
    if isinstance(value, list):
        return SerializationError("Start of list found where not expected")
    return SerializationError(f"{_token(value)} can not be converted to {_TARGET.get(shape.type_name, shape.type_name)}")


# -- requests: wire -> native -------------------------------------------------------------
def _blob_from_json(shape: "Shape", value: Any) -> bytes:
    if not isinstance(value, str):
        raise _mismatch(shape, value)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SerializationError(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}"
            if len(value) % 4 else "Invalid base64 value") from exc


def _blob_from_cbor(shape: "Shape", value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):  # botocore encodes a str blob as its UTF-8 bytes; be lenient
        return value.encode("utf-8")
    raise _mismatch(shape, value)


def _timestamp_in(shape: "Shape", value: Any) -> _dt.datetime:
    if isinstance(value, (bool, dict, list)):
        raise _mismatch(shape, value)
    return parse_timestamp(value)


def _walk_in(shape: "Shape", value: Any, blob: Callable[["Shape", Any], bytes]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return value
        if not isinstance(value, dict):
            raise _mismatch(shape, value)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            item = value.get(wire_name)
            if item is not None:
                out[name] = _walk_in(member, item, blob)
        return out
    if kind == "list":
        if not isinstance(value, list):
            raise _mismatch(shape, value)
        return [_walk_in(shape.member, v, blob) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        if not isinstance(value, dict):
            raise _mismatch(shape, value)
        return {k: _walk_in(shape.value, v, blob) for k, v in value.items()  # type: ignore[attr-defined]
                if v is not None}
    if kind == "string":
        if not isinstance(value, str):
            raise _mismatch(shape, value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _mismatch(shape, value)
        return value
    if kind in ("integer", "long", "short", "byte"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _mismatch(shape, value)
        if isinstance(value, float):
            if not value.is_integer():
                raise SerializationError(f"NUMBER_VALUE can not be converted to {_TARGET.get(kind, kind)}")
            return int(value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, str) and value in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[value]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _mismatch(shape, value)
        return float(value)
    if kind == "timestamp":
        return _timestamp_in(shape, value)
    if kind == "blob":
        return blob(shape, value)
    return value


def from_wire_json(shape: "Shape | None", value: Any) -> Any:
    """A decoded JSON request (or part of one) -> native values, by ``shape``. ``None`` shape:
    ``{}``. Raises :class:`SerializationError` on a value of the wrong JSON type."""
    if shape is None:
        return {}
    return _walk_in(shape, value, _blob_from_json)


def from_wire_cbor(shape: "Shape | None", value: Any) -> Any:
    """A decoded CBOR request (bytes and datetimes already typed) -> native values."""
    if shape is None:
        return {}
    return _walk_in(shape, value, _blob_from_cbor)


# -- responses: native -> wire ------------------------------------------------------------
def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _generic_json(value: Any) -> Any:
    """Unmodelled parts (document members, error extras): by Python type."""
    if isinstance(value, dict):
        return {k: _generic_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_generic_json(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, _dt.datetime):
        return datetime_to_epoch(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_generic_json(v) for v in value)
    return _number(value)


def _walk_out(shape: "Shape", value: Any, leaf: Callable[["Shape", Any], Any],
              generic: Callable[[Any], Any]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False) or not isinstance(value, dict):
            return generic(value)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is not None:
                out[member.serialization.get("name", name)] = _walk_out(member, item, leaf, generic)
        return out
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            return generic(value)
        return [_walk_out(shape.member, v, leaf, generic) for v in value]  # type: ignore[attr-defined]
    if kind == "map":
        if not isinstance(value, dict):
            return generic(value)
        return {k: _walk_out(shape.value, v, leaf, generic)  # type: ignore[attr-defined]
                for k, v in value.items() if v is not None}
    return leaf(shape, value)


def _json_leaf(timestamp_format: str | None) -> Callable[["Shape", Any], Any]:
    def leaf(shape: "Shape", value: Any) -> Any:
        kind = shape.type_name
        if kind == "timestamp":
            return format_timestamp(value, shape.serialization.get("timestampFormat", timestamp_format))
        if kind == "blob":
            if isinstance(value, str):
                value = value.encode("utf-8")
            if isinstance(value, (bytes, bytearray, memoryview)):
                return base64.b64encode(bytes(value)).decode("ascii")
        if kind in ("float", "double"):
            value = _number(value)
            if isinstance(value, float) and not math.isfinite(value):
                return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return value
        return _generic_json(value)

    return leaf


def to_wire_json(shape: "Shape | None", value: Any, timestamp_format: str | None = None) -> Any:
    """Native values -> what ``json.dumps`` can write, by ``shape`` (``None``: by Python type).
    ``timestamp_format`` is the protocol's default for timestamps without a ``timestampFormat``
    trait (``None`` = epoch seconds, as the JSON protocols and REST-JSON bodies use)."""
    if shape is None:
        return _generic_json(value)
    return _walk_out(shape, value, _json_leaf(timestamp_format), _generic_json)


def _generic_cbor(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _generic_cbor(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_generic_cbor(v) for v in value]
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_generic_cbor(v) for v in value)
    return _number(value)


def _cbor_leaf(shape: "Shape", value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return value if isinstance(value, _dt.datetime) else parse_timestamp(value)
    if kind == "blob" and isinstance(value, str):
        return value.encode("utf-8")
    if kind in ("float", "double"):
        value = _number(value)
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return _generic_cbor(value)


def to_wire_cbor(shape: "Shape | None", value: Any) -> Any:
    """Native values -> what the CBOR encoder writes, by ``shape``: timestamps become
    ``datetime`` (tag 1 on the wire), doubles ``float``, ``None`` members are left out."""
    if shape is None:
        return _generic_cbor(value)
    return _walk_out(shape, value, _cbor_leaf, _generic_cbor)
