"""PartiQL literals and parameters -> DynamoDB wire values, and wire-value comparison.

Models https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.data-types.html:
``'text'`` is S, numbers are N, ``TRUE``/``FALSE`` are BOOL, ``NULL`` is NULL, ``[...]`` is L,
``{'k': v}`` is M and ``<<...>>`` is SS or NS (a bag holds only numbers or only strings; a
binary set can only arrive as a ``?`` parameter). Error texts for bags are AWS's as DynamoDB
Local reports them ("Empty bags are not supported", "Input collection contains duplicates",
"Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags").

Comparison follows DynamoDB's rules (the reference inventory, section 4): N numerically, S by
UTF-8 bytes, B as unsigned bytes; values of different types are never equal and never ordered.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from ..errors import ValidationException
from . import ast

AttributeValue = dict[str, Any]

_TYPES = frozenset({"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"})
_BAG_ERROR = "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"


def is_value(expr: ast.Expr) -> bool:
    """True if ``expr`` is a constant (literal, parameter, or a list/tuple/bag of constants)."""
    if isinstance(expr, (ast.Literal, ast.Param)):
        return True
    if isinstance(expr, (ast.ListValue, ast.BagValue)):
        return all(is_value(e) for e in expr.items)
    if isinstance(expr, ast.TupleValue):
        return all(is_value(k) and is_value(v) for k, v in expr.pairs)
    return False


def check_parameter(value: Any) -> AttributeValue:
    """A ``Parameters`` entry must be a wire value with exactly one known type."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in _TYPES:
        raise ValidationException(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    return value


def bind(expr: ast.Expr, params: Sequence[AttributeValue]) -> AttributeValue:
    """The wire value of a constant expression, with ``?`` taken from ``params``."""
    if isinstance(expr, ast.Literal):
        return dict(expr.value)
    if isinstance(expr, ast.Param):
        return check_parameter(params[expr.index])
    if isinstance(expr, ast.ListValue):
        return {"L": [bind(e, params) for e in expr.items]}
    if isinstance(expr, ast.TupleValue):
        out: dict[str, AttributeValue] = {}
        for k, v in expr.pairs:
            key = bind(k, params) if is_value(k) else None
            if key is None or "S" not in key:
                kind = "null" if key is None else next(iter(key))
                raise ValidationException(f"Tuple keys must be of type String. Actual type: {kind}")
            if key["S"] in out:
                raise ValidationException(f"Duplicate keys in tuple. Key: {key['S']}")
            out[key["S"]] = bind(v, params)
        return {"M": out}
    if isinstance(expr, ast.BagValue):
        return _bag(expr)
    if isinstance(expr, ast.Missing):
        raise ValidationException("MISSING must be compared using IS operator")
    raise ValidationException(f"Unsupported operation: {type(expr).__name__} is not a value")


def _bag(expr: ast.BagValue) -> AttributeValue:
    if not expr.items:
        raise ValidationException("Empty bags are not supported")
    kinds = set()
    texts: list[str] = []
    for e in expr.items:
        if not isinstance(e, ast.Literal) or not ({"S", "N"} & e.value.keys()):
            raise ValidationException(_BAG_ERROR)
        kind = next(iter(e.value))
        kinds.add(kind)
        texts.append(e.value[kind])
    if len(kinds) > 1:
        raise ValidationException(_BAG_ERROR)
    kind = kinds.pop()
    seen = {number(t) for t in texts} if kind == "N" else set(texts)
    if len(seen) != len(texts):
        raise ValidationException("Input collection contains duplicates")
    return {kind + "S": texts}


def number(text: str) -> Decimal:
    """The Decimal of an N string (ValidationException if it is not a number)."""
    try:
        d = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationException("A value provided cannot be converted into a number") from None
    if not d.is_finite():
        raise ValidationException("A value provided cannot be converted into a number")
    return d


def type_of(value: AttributeValue) -> str:
    return next(iter(value))


def sort_key(value: AttributeValue) -> tuple[str, Any]:
    """An ordering key for S, N or B values (DynamoDB's key order)."""
    kind = type_of(value)
    v = value[kind]
    if kind == "N":
        return (kind, number(v))
    if kind == "S":
        return (kind, v.encode("utf-8"))
    if kind == "B":
        return (kind, bytes(v))
    raise ValidationException(f"Key value must be of type S, N, or B. Key type: {kind}")


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: same type and same value (numbers numerically, sets unordered)."""
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    va, vb = a[ta], b[tb]
    if ta == "N":
        return number(va) == number(vb)
    if ta in ("B",):
        return bytes(va) == bytes(vb)
    if ta == "NS":
        return {number(x) for x in va} == {number(x) for x in vb}
    if ta in ("SS", "BS"):
        return {bytes(x) if ta == "BS" else x for x in va} == {
            bytes(x) if ta == "BS" else x for x in vb
        }
    if ta == "L":
        return len(va) == len(vb) and all(equal(x, y) for x, y in zip(va, vb))
    if ta == "M":
        return va.keys() == vb.keys() and all(equal(va[k], vb[k]) for k in va)
    return bool(va == vb)


def less(a: AttributeValue, b: AttributeValue) -> bool | None:
    """``a < b`` for two N, S or B values of one type; ``None`` when they are not comparable."""
    ta, tb = type_of(a), type_of(b)
    if ta != tb or ta not in ("N", "S", "B"):
        return None
    return sort_key(a)[1] < sort_key(b)[1]
