"""A small CBOR codec (RFC 8949), for the Smithy RPC v2 CBOR protocol.

https://www.rfc-editor.org/rfc/rfc8949.html

Decoding (:func:`loads`) reads every well-formed data item: major types 0-7, definite and
indefinite lengths (indefinite byte/text strings are joined from their definite chunks), half,
single and double floats, the simple values false/true/null/undefined (undefined reads as
``None``, as botocore reads it). Tags: 1 (epoch date/time, an int or float of seconds) becomes an
aware UTC ``datetime``; 0 (RFC 3339 text) too; 2/3 (bignums) become ``int``; any other tag is a
:class:`Tag`. Other simple values become :class:`Simple`. Malformed input (truncated, a break
out of place, a chunk of the wrong type, a non-hashable map key, trailing bytes, nesting deeper
than :data:`MAX_DEPTH`) raises :class:`CBORDecodeError`.

Encoding (:func:`dumps`) uses the preferred serialization: the shortest argument for lengths
and integers, definite lengths, and floats in the shortest of half/single/double that keeps the
value exactly (NaN as the half ``0xf97e00``). ``datetime`` -> tag 1 with an int when whole
seconds, else a double; ints beyond 64 bits -> tag 2/3 bignums; tuples encode as arrays.
Both directions are O(size).
"""

from __future__ import annotations

import datetime as _dt
import math
import struct
from typing import Any

import attrs

from ...kernel.clock import UTC, datetime_to_epoch, epoch_to_datetime

__all__ = ["CBORDecodeError", "Tag", "Simple", "dumps", "loads", "MAX_DEPTH"]

#: Deepest nesting :func:`loads` accepts (a request is never near it; it bounds the recursion).
MAX_DEPTH = 256
_BREAK = 0xFF


class CBORDecodeError(ValueError):
    """The bytes are not one well-formed CBOR data item."""


@attrs.frozen
class Tag:
    """A tagged data item whose tag the codec does not interpret."""

    tag: int
    value: Any


@attrs.frozen
class Simple:
    """A simple value other than false/true/null/undefined (major type 7, 0..255)."""

    value: int


# -- encoding -----------------------------------------------------------------------------
def _head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
    elif arg < 0x100:
        out.append(major << 5 | 24)
        out.append(arg)
    elif arg < 0x10000:
        out.append(major << 5 | 25)
        out += arg.to_bytes(2, "big")
    elif arg < 0x100000000:
        out.append(major << 5 | 26)
        out += arg.to_bytes(4, "big")
    else:
        out.append(major << 5 | 27)
        out += arg.to_bytes(8, "big")


def _float(value: float, out: bytearray) -> None:
    if math.isnan(value):
        out += b"\xf9\x7e\x00"
        return
    for code, fmt in ((25, ">e"), (26, ">f")):
        try:
            packed = struct.pack(fmt, value)
        except (OverflowError, struct.error):
            continue
        if struct.unpack(fmt, packed)[0] == value:
            out.append(0xE0 | code)
            out += packed
            return
    out.append(0xFB)
    out += struct.pack(">d", value)


def _encode(value: Any, out: bytearray) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True:
        out.append(0xF5)
    elif value is False:
        out.append(0xF4)
    elif isinstance(value, int):
        if value >= 0:
            if value < 1 << 64:
                _head(0, value, out)
            else:
                _head(6, 2, out)
                _encode(value.to_bytes((value.bit_length() + 7) // 8, "big"), out)
        else:
            n = -1 - value
            if n < 1 << 64:
                _head(1, n, out)
            else:
                _head(6, 3, out)
                _encode(n.to_bytes((n.bit_length() + 7) // 8, "big"), out)
    elif isinstance(value, float):
        _float(value, out)
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(3, len(data), out)
        out += data
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        _head(2, len(data), out)
        out += data
    elif isinstance(value, (list, tuple)):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for k, v in value.items():
            _encode(k, out)
            _encode(v, out)
    elif isinstance(value, _dt.datetime):
        _head(6, 1, out)
        _encode(datetime_to_epoch(value), out)
    elif isinstance(value, Tag):
        _head(6, value.tag, out)
        _encode(value.value, out)
    elif isinstance(value, Simple):
        if value.value < 24:
            out.append(0xE0 | value.value)
        else:
            out += bytes((0xF8, value.value))
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as CBOR: {value!r}")


def dumps(value: Any) -> bytes:
    """One Python value -> its CBOR encoding (preferred serialization)."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


# -- decoding -----------------------------------------------------------------------------
class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise CBORDecodeError("unexpected end of CBOR data")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise CBORDecodeError("unexpected end of CBOR data")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def argument(self, info: int) -> int:
        if info < 24:
            return info
        if info == 24:
            return self.byte()
        if info == 25:
            return int.from_bytes(self.take(2), "big")
        if info == 26:
            return int.from_bytes(self.take(4), "big")
        if info == 27:
            return int.from_bytes(self.take(8), "big")
        raise CBORDecodeError(f"reserved additional information {info}")

    def at_break(self) -> bool:
        if self.pos < len(self.data) and self.data[self.pos] == _BREAK:
            self.pos += 1
            return True
        return False


def _string(r: _Reader, major: int, info: int) -> bytes:
    if info != 31:
        return r.take(r.argument(info))
    chunks = []
    while not r.at_break():
        head = r.byte()
        if head >> 5 != major or head & 0x1F == 31:
            raise CBORDecodeError("an indefinite-length string holds a chunk that is not a definite string of its type")
        chunks.append(r.take(r.argument(head & 0x1F)))
    return b"".join(chunks)


def _from_epoch(value: Any) -> _dt.datetime:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CBORDecodeError(f"tag 1 (epoch date/time) holds {type(value).__name__}, not a number")
    try:
        return epoch_to_datetime(value)
    except (OverflowError, ValueError) as exc:
        raise CBORDecodeError(f"tag 1 value out of range: {value!r}") from exc


def _tagged(tag: int, value: Any) -> Any:
    if tag == 1:
        return _from_epoch(value)
    if tag == 0 and isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            return _dt.datetime.fromisoformat(text).astimezone(UTC)
        except ValueError as exc:
            raise CBORDecodeError(f"tag 0 holds an invalid date/time string: {value!r}") from exc
    if tag in (2, 3) and isinstance(value, bytes):
        n = int.from_bytes(value, "big")
        return n if tag == 2 else -1 - n
    return Tag(tag, value)


def _decode(r: _Reader, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise CBORDecodeError(f"CBOR nesting deeper than {MAX_DEPTH}")
    head = r.byte()
    major, info = head >> 5, head & 0x1F
    if major == 0:
        return r.argument(info)
    if major == 1:
        return -1 - r.argument(info)
    if major == 2:
        return _string(r, 2, info)
    if major == 3:
        try:
            return _string(r, 3, info).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CBORDecodeError(f"invalid UTF-8 in a text string: {exc}") from exc
    if major == 4:
        if info == 31:
            items = []
            while not r.at_break():
                items.append(_decode(r, depth + 1))
            return items
        return [_decode(r, depth + 1) for _ in range(r.argument(info))]
    if major == 5:
        out: dict[Any, Any] = {}
        count = -1 if info == 31 else r.argument(info)
        while (count < 0 and not r.at_break()) or count > 0:
            key = _decode(r, depth + 1)
            try:
                hash(key)
            except TypeError as exc:
                raise CBORDecodeError(f"a map key of type {type(key).__name__} is not supported") from exc
            out[key] = _decode(r, depth + 1)
            count -= 1 if count > 0 else 0
        return out
    if major == 6:
        return _tagged(r.argument(info), _decode(r, depth + 1))
    # major 7: simple values and floats
    if info < 20:
        return Simple(info)
    if info == 20:
        return False
    if info == 21:
        return True
    if info in (22, 23):
        return None
    if info == 24:
        value = r.byte()
        if value < 32:
            raise CBORDecodeError(f"simple value {value} in two bytes is not well-formed")
        return Simple(value)
    if info == 25:
        return struct.unpack(">e", r.take(2))[0]
    if info == 26:
        return struct.unpack(">f", r.take(4))[0]
    if info == 27:
        return struct.unpack(">d", r.take(8))[0]
    if info == 31:
        raise CBORDecodeError("a break code outside an indefinite-length item")
    raise CBORDecodeError(f"reserved additional information {info} for major type 7")


def loads(data: bytes) -> Any:
    """One CBOR data item (the whole of ``data``) -> Python values."""
    r = _Reader(bytes(data))
    value = _decode(r, 0)
    if r.pos != len(r.data):
        raise CBORDecodeError(f"{len(r.data) - r.pos} bytes of trailing data after the CBOR item")
    return value
