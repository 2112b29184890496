"""Python values <-> DynamoDB attribute values, with boto3's type conventions.

boto3's resource layer (``Table.put_item(Item={"n": Decimal("1.5")})``) turns plain Python
values into DynamoDB's typed ``AttributeValue`` JSON and back. The conventions, which this
module follows so that code written for boto3 behaves the same here:

========================  ==========  ======================================================
Python                    DynamoDB    notes
========================  ==========  ======================================================
``None``                  ``NULL``
``bool``                  ``BOOL``    checked before ``int`` (``True`` is not the number 1)
``int``, ``Decimal``      ``N``       read back as ``Decimal``; ``float`` is refused
``str``                   ``S``
``bytes``, ``bytearray``  ``B``       read back as :class:`Binary`
``Binary``                ``B``
``set`` of numbers        ``NS``      read back as ``set[Decimal]``
``set`` of ``str``        ``SS``
``set`` of binaries       ``BS``      read back as ``set[Binary]``
``list``, ``tuple``       ``L``       read back as ``list``
``Mapping``               ``M``       read back as ``dict``
========================  ==========  ======================================================

Numbers go through :data:`DYNAMODB_CONTEXT` (38 significant digits, exponents -130..125), which
raises ``decimal.Inexact``/``Rounded`` rather than silently losing digits, as boto3 does.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Set
from typing import Any

__all__ = ["Binary", "DYNAMODB_CONTEXT", "TypeDeserializer", "TypeSerializer", "serialize", "deserialize"]

#: DynamoDB numbers: up to 38 significant digits, magnitude 1e-130 .. 9.99..e125. Losing a digit
#: is an error (traps on Inexact and Rounded), never a silent rounding.
DYNAMODB_CONTEXT = decimal.Context(
    Emin=-128,
    Emax=126,
    prec=38,
    traps=[decimal.Clamped, decimal.Overflow, decimal.Inexact, decimal.Rounded, decimal.Underflow],
)


class Binary:
    """A DynamoDB binary value (``B``), as the resource layer returns it.

    Wraps ``bytes`` so that a binary value read back is distinguishable from a string. Compares
    equal to another ``Binary`` or to ``bytes`` with the same content; hashable (usable in sets).
    """

    __slots__ = ("value",)

    def __init__(self, value: bytes | bytearray | memoryview) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"Value must be of the following types: bytes, bytearray, got {type(value).__name__}")
        self.value = bytes(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Binary):
            return self.value == other.value
        if isinstance(other, (bytes, bytearray)):
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.value)

    def __bytes__(self) -> bytes:
        return self.value

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"Binary({self.value!r})"

    __str__ = __repr__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool)


def _is_binary(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray, Binary))


def _number_text(value: Any) -> str:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    number = DYNAMODB_CONTEXT.create_decimal(value)
    if number.is_nan() or number.is_infinite():
        raise TypeError("Infinity and NaN not supported")
    return str(number)


def serialize(value: Any) -> dict[str, Any]:
    """One Python value -> its ``AttributeValue`` (``{"S": "x"}``, ``{"N": "1"}``...).

    Raises ``TypeError`` for floats and unsupported types, ``decimal.Inexact``/``Rounded`` for
    numbers DynamoDB cannot hold exactly. O(size of the value).
    """
    if value is None:
        return {"NULL": True}
    if value is True or value is False:
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if _is_number(value) or isinstance(value, float):
        return {"N": _number_text(value)}
    if isinstance(value, Binary):
        return {"B": value.value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        # An empty set is sent as NS (and refused by DynamoDB), as boto3 does.
        if all(_is_number(v) or isinstance(v, float) for v in value):
            return {"NS": [_number_text(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(_is_binary(v) for v in value):
            return {"BS": [v.value if isinstance(v, Binary) else bytes(v) for v in value]}
        raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": {k: serialize(v) for k, v in value.items()}}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def deserialize(av: Mapping[str, Any]) -> Any:
    """One ``AttributeValue`` -> its Python value (numbers as ``Decimal``, binaries as
    :class:`Binary`). O(size of the value)."""
    if not av:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    ((tag, value),) = av.items()
    if tag == "S":
        return value
    if tag == "N":
        return DYNAMODB_CONTEXT.create_decimal(value)
    if tag == "B":
        return Binary(value if not isinstance(value, str) else value.encode())
    if tag == "BOOL":
        return value
    if tag == "NULL":
        return None
    if tag == "M":
        return {k: deserialize(v) for k, v in value.items()}
    if tag == "L":
        return [deserialize(v) for v in value]
    if tag == "SS":
        return set(value)
    if tag == "NS":
        return {DYNAMODB_CONTEXT.create_decimal(v) for v in value}
    if tag == "BS":
        return {Binary(v) for v in value}
    raise TypeError(f"Dynamodb type {tag} is not supported")


class TypeSerializer:
    """boto3-compatible name for :func:`serialize` (``TypeSerializer().serialize(v)``)."""

    def serialize(self, value: Any) -> dict[str, Any]:
        return serialize(value)


class TypeDeserializer:
    """boto3-compatible name for :func:`deserialize` (``TypeDeserializer().deserialize(av)``)."""

    def deserialize(self, value: Mapping[str, Any]) -> Any:
        return deserialize(value)


def serialize_item(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A Python item (attribute name -> value) -> DynamoDB's item JSON."""
    return {k: serialize(v) for k, v in item.items()}


def deserialize_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """DynamoDB's item JSON -> a Python item."""
    return {k: deserialize(v) for k, v in item.items()}
