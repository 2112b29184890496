"""Subscription filter policies: validation and matching.

Model: https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html and the
pages it links (attribute-based and payload-based filtering; string matching: exact, prefix,
suffix, anything-but (a value, a list, or a prefix/suffix), equals-ignore-case; numeric matching:
exact and ranges; exists; IP address (cidr); null for payloads; ``$or``). Constraints
(https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html): at most
5 keys, at most 150 combinations (the product of the lengths of the value arrays, ``$or``
branches adding up), numbers within +-10^9 with five decimal digits, 256 KB.

Semantics: every key of the policy must match (AND); the values listed for a key are
alternatives (OR); a message value that is an array matches when one element does. With
``FilterPolicyScope`` ``MessageAttributes`` (the default) the keys are message attribute names
and only String, String.Array and Number attributes take part (Binary ones are ignored); with
``MessageBody`` the policy mirrors the JSON payload's structure. A key absent from the message
matches only ``{"exists": false}`` (also under anything-but).

Complexity: matching is O(size of the policy x values per key).
"""

from __future__ import annotations

import ipaddress
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import invalid
from .limits import (
    FILTER_MAX_COMBINATIONS,
    FILTER_MAX_KEYS,
    FILTER_NUMBER_LIMIT,
    FILTER_POLICY_MAX_BYTES,
)

_MISSING = object()
_NUMERIC_OPS = ("<", "<=", "=", ">", ">=")
_Q = Decimal("0.00001")  # five decimal digits of accuracy


def _bad(reason: str) -> Exception:
    return invalid(f"FilterPolicy: {reason}")


def _num(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(_Q)


def parse(text: Any, scope: str = "MessageAttributes") -> dict[str, Any]:
    """Validate a FilterPolicy string; return the policy (JSON object). Raises InvalidParameter."""
    if not isinstance(text, str):
        raise _bad("Filter policy must be a JSON string.")
    if len(text.encode()) > FILTER_POLICY_MAX_BYTES:
        raise _bad("Filter policy is too large.")
    try:
        policy = json.loads(text)
    except ValueError:
        raise _bad("failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise _bad("Filter policy must be a JSON object.")
    keys: set[tuple[str, ...]] = set()
    _validate(policy, scope, (), keys)
    if len(keys) > FILTER_MAX_KEYS:
        raise _bad(f"Filter policy can not have more than {FILTER_MAX_KEYS} keys")
    if combinations(policy) > FILTER_MAX_COMBINATIONS:
        raise _bad("Filter policy is too complex")
    return policy


def _validate(policy: dict[str, Any], scope: str, path: tuple[str, ...], keys: set[tuple[str, ...]]) -> None:
    for key, cond in policy.items():
        if key == "$or":
            if not isinstance(cond, list) or len(cond) < 2 or not all(isinstance(c, dict) for c in cond):
                raise _bad("$or must be a list of at least two filter policies")
            for c in cond:
                _validate(c, scope, path, keys)
            continue
        if isinstance(cond, dict):
            if scope == "MessageAttributes":
                raise _bad("Filter policy scope MessageAttributes does not support nested filter policy")
            _validate(cond, scope, path + (key,), keys)
            continue
        if not isinstance(cond, list) or not cond:
            raise _bad(f'"{key}" must be an object or an array')
        keys.add(path + (key,))
        for value in cond:
            _validate_matcher(key, value, scope)


def _validate_matcher(key: str, value: Any, scope: str) -> None:
    if value is None:
        if scope == "MessageAttributes":
            raise _bad("Null is not supported for attribute-based filtering")
        return
    if isinstance(value, (str, bool)):
        return
    if isinstance(value, (int, float)):
        _check_number(value)
        return
    if not isinstance(value, dict) or len(value) != 1:
        raise _bad(f"Match value must be String, number, true, false, or null")
    (op, arg), = value.items()
    if op in ("prefix", "suffix", "equals-ignore-case"):
        if not isinstance(arg, str):
            raise _bad(f"{op} match pattern must be a string")
    elif op == "anything-but":
        if isinstance(arg, dict):
            if len(arg) != 1 or next(iter(arg)) not in ("prefix", "suffix") or not isinstance(
                next(iter(arg.values())), str
            ):
                raise _bad("Unsupported anything-but pattern")
        elif isinstance(arg, list):
            if not arg or not all(isinstance(a, (str, int, float)) and not isinstance(a, bool) for a in arg):
                raise _bad("Inside anything but list, start|null|boolean is not supported.")
            for a in arg:
                if not isinstance(a, str):
                    _check_number(a)
        elif isinstance(arg, (str, int, float)) and not isinstance(arg, bool):
            if not isinstance(arg, str):
                _check_number(arg)
        else:
            raise _bad("Unsupported anything-but pattern")
    elif op == "numeric":
        _check_numeric(arg)
    elif op == "exists":
        if not isinstance(arg, bool):
            raise _bad("exists match pattern must be either true or false.")
    elif op == "cidr":
        try:
            ipaddress.ip_network(arg, strict=False)
        except (ValueError, TypeError):
            raise _bad("Malformed CIDR, one '/' required") from None
    else:
        raise _bad(f"Unrecognized match type {op}")


def _check_number(value: Any) -> None:
    if isinstance(value, bool) or not -FILTER_NUMBER_LIMIT <= value <= FILTER_NUMBER_LIMIT:
        raise _bad("Numeric value must be between -1.0E9 and 1.0E9 inclusive")


def _check_numeric(arg: Any) -> None:
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise _bad("Value of numeric must be an array.")
    lower = upper = None
    for i in range(0, len(arg), 2):
        op, n = arg[i], arg[i + 1]
        if op not in _NUMERIC_OPS:
            raise _bad(f"Unrecognized numeric range operator: {op}")
        if not isinstance(n, (int, float)) or isinstance(n, bool):
            raise _bad(f"Value of {op} must be numeric")
        _check_number(n)
        if op == "=" and len(arg) != 2:
            raise _bad("Bad numeric range operator: =")
        if op in (">", ">="):
            if lower is not None:
                raise _bad("Bad numeric range operator")
            lower = n
        elif op in ("<", "<="):
            if upper is not None:
                raise _bad("Bad numeric range operator")
            upper = n
    if lower is not None and upper is not None and lower >= upper:
        raise _bad("Bottom must be less than top")


def combinations(policy: dict[str, Any]) -> int:
    """The complexity AWS limits: product over keys of the number of values, $or branches summed."""
    total = 1
    for key, cond in policy.items():
        if key == "$or":
            total *= sum(combinations(c) for c in cond)
        elif isinstance(cond, dict):
            total *= combinations(cond)
        else:
            total *= len(cond)
    return total


# -- matching ---------------------------------------------------------------------------------
def attributes_view(message_attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """SNS message attributes as the values a policy sees: String -> str, Number -> Decimal,
    String.Array -> list (parsed JSON); Binary attributes are left out."""
    out: dict[str, Any] = {}
    for name, attr in message_attributes.items():
        dt = attr.get("DataType", "")
        if dt.startswith("Binary"):
            continue
        value: Any = attr.get("StringValue")
        if dt == "String.Array":
            try:
                parsed = json.loads(value, parse_float=Decimal, parse_int=Decimal)
            except (ValueError, TypeError):
                continue
            out[name] = parsed if isinstance(parsed, list) else [parsed]
        elif dt.startswith("Number"):
            try:
                out[name] = Decimal(value)
            except (InvalidOperation, TypeError):
                continue
        else:
            out[name] = value
    return out


def body_view(message: str) -> dict[str, Any] | None:
    """The JSON payload for MessageBody-scoped policies (None when not a JSON object)."""
    try:
        parsed = json.loads(message, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def matches(policy: dict[str, Any], message: Any) -> bool:
    """True if ``message`` (an attributes or body view) satisfies ``policy``."""
    if not isinstance(message, dict):
        return False
    for key, cond in policy.items():
        if key == "$or":
            if not any(matches(c, message) for c in cond):
                return False
            continue
        value = message.get(key, _MISSING)
        if isinstance(cond, dict):
            if isinstance(value, list):
                if not any(matches(cond, v) for v in value):
                    return False
            elif not matches(cond, value):
                return False
            continue
        if not _match_values(cond, value):
            return False
    return True


def _match_values(cond: list[Any], value: Any) -> bool:
    if value is _MISSING:
        return any(type(m) is dict and m.get("exists") is False for m in cond)
    values = value if isinstance(value, list) else (value,)
    for m in cond:
        if type(m) is dict and "exists" in m:
            if m["exists"]:
                return True
            continue
        for v in values:
            if _match_one(m, v):
                return True
    return False


def _is_number(v: Any) -> bool:
    return isinstance(v, (Decimal, int, float)) and not isinstance(v, bool)


def _match_one(m: Any, v: Any) -> bool:
    if m is None:
        return v is None
    if isinstance(m, bool):
        return isinstance(v, bool) and v == m
    if isinstance(m, str):
        return isinstance(v, str) and v == m
    if isinstance(m, (int, float)):
        return _is_number(v) and _num(v) == _num(m)
    (op, arg), = m.items()
    if op == "prefix":
        return isinstance(v, str) and v.startswith(arg)
    if op == "suffix":
        return isinstance(v, str) and v.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(v, str) and v.casefold() == arg.casefold()
    if op == "anything-but":
        if isinstance(arg, dict):
            (sub, s), = arg.items()
            if not isinstance(v, str):
                return False
            return not (v.startswith(s) if sub == "prefix" else v.endswith(s))
        excluded = arg if isinstance(arg, list) else [arg]
        for x in excluded:
            if isinstance(x, str):
                if isinstance(v, str) and v == x:
                    return False
            elif _is_number(v) and _num(v) == _num(x):
                return False
        return v is not None
    if op == "numeric":
        if not _is_number(v):
            return False
        n = _num(v)
        for i in range(0, len(arg), 2):
            op2, bound = arg[i], _num(arg[i + 1])
            if not ((op2 == "<" and n < bound) or (op2 == "<=" and n <= bound)
                    or (op2 == "=" and n == bound) or (op2 == ">" and n > bound)
                    or (op2 == ">=" and n >= bound)):
                return False
        return True
    if op == "cidr":
        if not isinstance(v, str):
            return False
        try:
            return ipaddress.ip_address(v) in ipaddress.ip_network(arg, strict=False)
        except ValueError:
            return False
    return False
