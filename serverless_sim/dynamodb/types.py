"""DynamoDB attribute values: validation, number normalisation, sizes, ordering and equality.

Items use the wire format boto3's *client* sends: ``{"name": {"S": "x"}, "n": {"N": "12.5"}, ...}``
with binary as Python ``bytes``. Attribute-value dicts are treated as immutable: nothing here
mutates its input, and functions that normalise return the *same object* when nothing changed
(the PutItem hot path relies on this to avoid copying).

AWS behaviour modelled (see docs/reference/dynamodb-semantics.md §3):

* Data types and naming rules:
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
* Numbers: up to 38 significant digits, magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125,
  returned in a canonical plain form (``"1.50"`` -> ``"1.5"``, ``"1E2"`` -> ``"100"``, ``"-0"`` -> ``"0"``).
* Sets are non-empty and duplicate-free; L/M nest at most 32 levels; S/B may be empty except in keys.
* Item size: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
* Key limits (partition key 2048 bytes, sort key 1024 bytes):
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html

Known deviations: the size of an N is the documented approximation (1 byte per 2 significant
digits + 1), not AWS's internal encoding; AWS answers a wrongly typed JSON member (``{"S": 5}``)
with a ``SerializationException`` before validation, which we report as ``ValidationException``.
"""

from __future__ import annotations

import base64
import decimal
import re
from typing import Any

from .errors import ValidationException

__all__ = [
    "ATTRIBUTE_TYPES",
    "KEY_TYPES",
    "MAX_NESTING_DEPTH",
    "av_type",
    "decimal_to_number",
    "item_size",
    "normalize_number",
    "sort_key",
    "to_decimal",
    "validate_item",
    "validate_key_value",
    "validate_value",
    "value_size",
    "values_equal",
]

#: Every attribute-value type tag.
ATTRIBUTE_TYPES: frozenset[str] = frozenset(
    {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}
)
#: Types a key attribute may have.
KEY_TYPES: frozenset[str] = frozenset({"S", "N", "B"})
#: Maximum nesting of L/M values (a top-level L or M is level 1).
MAX_NESTING_DEPTH = 32

MAX_PARTITION_KEY_BYTES = 2048
#: Attribute names: 1 to 65535 bytes (64 KB itself is refused, ALT:test_limits.py).
MAX_ATTRIBUTE_NAME_BYTES = 65535
MAX_SORT_KEY_BYTES = 1024

_INVALID = "One or more parameter values were invalid: "

# Exact decimal arithmetic: 38 digits at exponents from -130 to +125 need ~300 digits of
# precision to be exact, so every operation uses this local context, never the global one.
_CTX = decimal.Context(prec=400, Emax=999999, Emin=-999999, traps=[decimal.InvalidOperation])

_NUMBER_RE = re.compile(r"([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?\Z")

_MAX_DIGITS = 38
_MAX_ADJ_EXP = 125  # 9.99..E+125
_MIN_ADJ_EXP = -130  # 1E-130


def _number_error(text: Any) -> ValidationException:
    return ValidationException(f"The parameter cannot be converted to a numeric value: {text}")


def _canonical(negative: bool, digits: str, exp: int) -> str:
    """Plain-notation text of ``(-1)**negative * int(digits) * 10**exp`` (digits stripped)."""
    if exp >= 0:
        body = digits + "0" * exp
    else:
        point = len(digits) + exp
        if point > 0:
            body = digits[:point] + "." + digits[point:]
        else:
            body = "0." + "0" * (-point) + digits
    return "-" + body if negative else body


def _check_range(digits: str, exp: int) -> None:
    adjusted = exp + len(digits) - 1
    if adjusted > _MAX_ADJ_EXP:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if adjusted < _MIN_ADJ_EXP:
        raise ValidationException(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    if len(digits) > _MAX_DIGITS:
        raise ValidationException("Attempting to store more than 38 significant digits in a Number")


def normalize_number(text: str) -> str:
    """AWS's canonical text for the number ``text``; raises ``ValidationException`` as AWS does.

    ``"1.50"`` -> ``"1.5"``, ``"1E2"`` -> ``"100"``, ``"-0"`` -> ``"0"``, ``"00042"`` -> ``"42"``.
    At most 38 significant digits (leading and trailing zeros do not count) and a magnitude
    between 1E-130 and 9.9999999999999999999999999999999999999E+125. ``NaN``, ``Infinity``,
    spaces and other syntax are rejected. O(len(text)); plain small integers take a fast path.
    """
    if type(text) is not str:
        raise _number_error(text)
    # Fast path: canonical integers (no sign or a minus, no leading zero, <= 38 digits).
    if text.isdigit() and text.isascii():
        if (text[0] != "0" or len(text) == 1) and len(text) <= _MAX_DIGITS:
            return text
    elif text[:1] == "-" and text[1:2] != "0" and text[1:].isdigit() and text.isascii():
        if len(text) <= _MAX_DIGITS + 1:
            return text
    m = _NUMBER_RE.match(text)
    if m is None or not text.isascii():
        raise _number_error(text)
    sign, int_part, frac_part, only_frac, exp_text = m.groups()
    if only_frac is not None:
        int_part, frac_part = "", only_frac
    frac_part = frac_part or ""
    digits = int_part + frac_part
    exp = -len(frac_part)
    if exp_text:
        if len(exp_text) > 12:  # absurd exponents: decide without building huge ints
            stripped = digits.strip("0")
            if not stripped:
                return "0"
            if exp_text.startswith("-"):
                _check_range("1", -(10**12))
            _check_range("1", 10**12)
        exp += int(exp_text)
    stripped = digits.lstrip("0")
    if not stripped:
        return "0"
    core = stripped.rstrip("0")
    exp += len(stripped) - len(core)
    _check_range(core, exp)
    return _canonical(sign == "-", core, exp)


def to_decimal(text: str) -> decimal.Decimal:
    """The exact ``Decimal`` of a number text (conversion from a string is always exact)."""
    return decimal.Decimal(text)


def decimal_to_number(value: decimal.Decimal) -> str:
    """Canonical N text for a Decimal result of arithmetic, range- and precision-checked.

    DynamoDB reports a result needing more than 38 significant digits with its *overflow*
    message (observed: ``1e50 + 1``), so that is what this raises too.
    """
    if not value.is_finite():
        raise _number_error(value)
    sign, digit_tuple, exp = value.as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0"
    core = digits.rstrip("0")
    exp = int(exp) + len(digits) - len(core)
    if len(core) > _MAX_DIGITS:
        raise ValidationException(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    _check_range(core, exp)
    return _canonical(bool(sign), core, exp)


def add_numbers(a: str, b: str, *, subtract: bool = False) -> str:
    """Exact ``a + b`` (or ``a - b``) of two N texts, as canonical N text."""
    x = decimal.Decimal(a)
    y = decimal.Decimal(b)
    result = _CTX.subtract(x, y) if subtract else _CTX.add(x, y)
    return decimal_to_number(result)


# ---------------------------------------------------------------------------------------------
# Validation


def _invalid_value(message: str) -> ValidationException:
    return ValidationException(message)


def _set_repr(values: list[Any]) -> str:
    shown = []
    for v in values:
        if isinstance(v, (bytes, bytearray)):
            shown.append(base64.b64encode(bytes(v)).decode("ascii"))
        else:
            shown.append(str(v))
    return "[" + ", ".join(shown) + "]"


def _duplicates(values: list[Any]) -> ValidationException:
    return ValidationException(_INVALID + f"Input collection {_set_repr(values)} contains duplicates.")


def _empty_av() -> ValidationException:
    return ValidationException(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    )


def _wrong_python_type(tag: str, value: Any) -> ValidationException:
    return ValidationException(
        _INVALID + f"Invalid value for AttributeValue type {tag}: {type(value).__name__}"
    )


def _validate(av: Any, depth: int) -> dict:
    if type(av) is not dict:
        raise _empty_av() if av is None else _wrong_python_type("AttributeValue", av)
    if len(av) != 1:
        if not av:
            raise _empty_av()
        known = [k for k in av if k in ATTRIBUTE_TYPES]
        if len(known) > 1:
            raise ValidationException(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
                "of the supported datatypes"
            )
        raise _empty_av()
    for tag, value in av.items():
        if tag == "S":
            if type(value) is not str:
                raise _wrong_python_type(tag, value)
            return av
        if tag == "N":
            norm = normalize_number(value)
            return av if norm == value else {"N": norm}
        if tag == "B":
            if type(value) is bytes:
                return av
            if isinstance(value, (bytearray, memoryview)):
                return {"B": bytes(value)}
            raise _wrong_python_type(tag, value)
        if tag == "BOOL":
            if type(value) is not bool:
                raise _wrong_python_type(tag, value)
            return av
        if tag == "NULL":
            if value is not True:
                if type(value) is bool:
                    raise ValidationException(
                        _INVALID + "Null attribute value types must have the value of true"
                    )
                raise _wrong_python_type(tag, value)
            return av
        if tag == "M":
            if type(value) is not dict:
                raise _wrong_python_type(tag, value)
            if depth > MAX_NESTING_DEPTH:
                raise ValidationException("Nesting Levels have exceeded supported limits")
            changed = None
            for name, child in value.items():
                if type(name) is not str:
                    raise _wrong_python_type("M key", name)
                new = _validate(child, depth + 1)
                if new is not child:
                    if changed is None:
                        changed = dict(value)
                    changed[name] = new
            return av if changed is None else {"M": changed}
        if tag == "L":
            if type(value) is not list:
                if type(value) is tuple:
                    value = list(value)
                    av = {"L": value}
                else:
                    raise _wrong_python_type(tag, value)
            if depth > MAX_NESTING_DEPTH:
                raise ValidationException("Nesting Levels have exceeded supported limits")
            changed_list = None
            for i, child in enumerate(value):
                new = _validate(child, depth + 1)
                if new is not child:
                    if changed_list is None:
                        changed_list = list(value)
                    changed_list[i] = new
            return av if changed_list is None else {"L": changed_list}
        if tag == "SS":
            if type(value) is not list or any(type(v) is not str for v in value):
                raise _wrong_python_type(tag, value)
            if not value:
                raise ValidationException(_INVALID + "An string set  may not be empty")
            if len(set(value)) != len(value):
                raise _duplicates(value)
            return av
        if tag == "NS":
            if type(value) is not list:
                raise _wrong_python_type(tag, value)
            if not value:
                raise ValidationException(_INVALID + "An number set  may not be empty")
            norms = [normalize_number(v) for v in value]
            if len(set(norms)) != len(norms):
                raise _duplicates(value)
            return av if norms == value else {"NS": norms}
        if tag == "BS":
            if type(value) is not list:
                raise _wrong_python_type(tag, value)
            if not value:
                raise ValidationException(_INVALID + "Binary sets should not be empty")
            out = value
            if any(type(v) is not bytes for v in value):
                if not all(isinstance(v, (bytes, bytearray, memoryview)) for v in value):
                    raise _wrong_python_type(tag, value)
                out = [bytes(v) for v in value]
            if len(set(out)) != len(out):
                raise _duplicates(out)
            return av if out is value else {"BS": out}
        raise _empty_av()
    raise _empty_av()  # pragma: no cover - len(av) == 1 above


def validate_value(av: Any) -> dict:
    """Validate one attribute value as PutItem does; return it with numbers normalised.

    Returns ``av`` itself when it was already canonical. O(size of the value).
    """
    return _validate(av, 1)


def validate_item(item: Any, *, what: str = "item") -> dict:
    """Validate a whole item as PutItem does and return it with numbers normalised.

    Checks: each value has exactly one known type tag with a value of the right Python type,
    numbers are valid (see :func:`normalize_number`), sets are non-empty and duplicate-free,
    NULL is ``True``, L/M nest at most 32 levels, attribute names are non-empty strings.
    Returns ``item`` itself when nothing needed normalising (no copy on the hot path), otherwise a
    new dict sharing every unchanged value. ``what`` names the item in simulator-misuse errors.
    O(size of the item).
    """
    if type(item) is not dict:
        raise ValidationException(_INVALID + f"The {what} must be a map of attribute values")
    changed = None
    for name, av in item.items():
        if type(name) is not str or not name:
            raise ValidationException(_INVALID + "Empty attribute name")
        if len(name) > 16383 and len(name.encode("utf-8", "surrogatepass")) > MAX_ATTRIBUTE_NAME_BYTES:
            raise ValidationException(
                _INVALID + f"Attribute name is too long: more than {MAX_ATTRIBUTE_NAME_BYTES} bytes"
            )
        new = _validate(av, 1)
        if new is not av:
            if changed is None:
                changed = dict(item)
            changed[name] = new
    return item if changed is None else changed


def validate_key_value(
    av: Any, attr_name: str, expected_type: str, *, range_key: bool = False
) -> dict:
    """Validate a key attribute's value (table or index key); return it normalised.

    Messages as AWS: a type mismatch, an empty S/B, a partition key over 2048 bytes or a sort key
    over 1024 bytes (``range_key=True``).
    """
    if type(av) is not dict or len(av) != 1:
        av = _validate(av, 1)  # raises the generic AttributeValue errors
    tag = next(iter(av))
    if tag != expected_type:
        if tag not in ATTRIBUTE_TYPES:
            raise _empty_av()
        raise ValidationException(
            _INVALID + f"Type mismatch for key {attr_name} expected: {expected_type} actual: {tag}"
        )
    av = _validate(av, 1)
    value = av[tag]
    if tag == "S":
        if not value:
            raise ValidationException(
                "One or more parameter values are not valid. The AttributeValue for a key attribute "
                f"cannot contain an empty string value. Key: {attr_name}"
            )
        size = len(value) if value.isascii() else len(value.encode("utf-8"))
    elif tag == "B":
        if not value:
            raise ValidationException(
                "One or more parameter values are not valid. The AttributeValue for a key attribute "
                f"cannot contain an empty binary value. Key: {attr_name}"
            )
        size = len(value)
    else:
        size = _number_size(value)
    if range_key:
        if size > MAX_SORT_KEY_BYTES:
            raise ValidationException(
                _INVALID
                + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
            )
    elif size > MAX_PARTITION_KEY_BYTES:
        raise ValidationException(
            _INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
        )
    return av


# ---------------------------------------------------------------------------------------------
# Sizes


def _number_size(text: str) -> int:
    # Canonical N text is plain notation: significant digits = digits without sign/point,
    # leading and trailing zeros trimmed.
    digits = text.replace("-", "").replace(".", "").strip("0")
    if "e" in digits or "E" in digits:  # non-canonical input; be robust
        digits = normalize_number(text).replace("-", "").replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def _utf8_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8"))


def value_size(av: dict) -> int:
    """Size in bytes of one attribute value (without its name), per CapacityUnitCalculations.

    S: UTF-8 bytes. N: 1 byte per 2 significant digits + 1. B: raw bytes. BOOL/NULL: 1.
    L/M: 3 + per element (its size + 1) (+ the key names for M). Sets: sum of their elements.
    O(size of the value).
    """
    for tag, value in av.items():
        if tag == "S":
            return len(value) if value.isascii() else len(value.encode("utf-8"))
        if tag == "N":
            return _number_size(value)
        if tag == "B":
            return len(value)
        if tag == "BOOL" or tag == "NULL":
            return 1
        if tag == "M":
            total = 3
            for k, v in value.items():
                total += _utf8_len(k) + value_size(v) + 1
            return total
        if tag == "L":
            total = 3
            for v in value:
                total += value_size(v) + 1
            return total
        if tag == "SS":
            return sum(_utf8_len(v) for v in value)
        if tag == "NS":
            return sum(_number_size(v) for v in value)
        if tag == "BS":
            return sum(len(v) for v in value)
    return 0


def item_size(item: dict) -> int:
    """Size in bytes of an item: UTF-8 names plus value sizes (``shirt-color``/``shirt-size`` = 23)."""
    total = 0
    for name, av in item.items():
        total += (len(name) if name.isascii() else len(name.encode("utf-8"))) + value_size(av)
    return total


# ---------------------------------------------------------------------------------------------
# Type, ordering, equality


def av_type(av: dict) -> str:
    """The type tag of an attribute value (``"S"``, ``"N"``, ...)."""
    for tag in av:
        return tag
    raise _empty_av()


def sort_key(av: dict) -> Any:
    """A Python value ordering like DynamoDB orders key values of one type.

    N numerically (``Decimal``), S by UTF-8 bytes (Python's code-point order of ``str`` is the
    same order), B as unsigned bytes. Only S, N and B; values of different types do not compare.
    """
    for tag, value in av.items():
        if tag == "S" or tag == "B":
            return value
        if tag == "N":
            return decimal.Decimal(value)
    raise ValidationException(_INVALID + "Key attributes must be of type S, N or B")


def _number_set(values: list[str]) -> set[decimal.Decimal]:
    return {decimal.Decimal(v) for v in values}


def values_equal(a: dict, b: dict) -> bool:
    """DynamoDB equality of two attribute values.

    Different types are never equal; N compares numerically, sets as sets (order-free), L and M
    deeply.
    """
    if a is b:
        return True
    (ta, va), = a.items()
    (tb, vb), = b.items()
    if ta != tb:
        return False
    if ta == "N":
        return va == vb or decimal.Decimal(va) == decimal.Decimal(vb)
    if ta == "L":
        return len(va) == len(vb) and all(values_equal(x, y) for x, y in zip(va, vb))
    if ta == "M":
        if va.keys() != vb.keys():
            return False
        return all(values_equal(v, vb[k]) for k, v in va.items())
    if ta == "SS" or ta == "BS":
        return len(va) == len(vb) and set(va) == set(vb)
    if ta == "NS":
        return len(va) == len(vb) and _number_set(va) == _number_set(vb)
    return bool(va == vb)
