"""EventBridge event patterns, compiled once into a matcher.

Modelled: the content-filtering language of
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
as AWS's open-source matcher (https://github.com/aws/event-ruler, README) defines it:

- a pattern is a JSON object; its leaves are arrays of conditions; a field matches when *any*
  condition matches, the pattern when *all* fields (and every ``$or``) match;
- exact values (string, number, ``true``/``false``, ``null``; ``""`` matches only the empty
  string, ``null`` only JSON null, never a missing field); numbers compare numerically;
- ``prefix``, ``suffix`` (each also with ``equals-ignore-case`` inside), ``equals-ignore-case``,
  ``wildcard`` (``*``; ``\\*`` and ``\\\\`` escapes; consecutive ``**`` refused), ``anything-but``
  (a string, a number, a list of strings or of numbers, or ``prefix``/``suffix``/
  ``equals-ignore-case``/``wildcard`` inside), ``numeric`` (one or two comparisons; values within
  +/-5.0e9 as Ruler documents), ``exists`` (leaves only: an object value does not "exist", and
  ``exists: false`` matches it), ``cidr`` (IPv4 and IPv6), and ``$or`` (a list of two or more
  objects, at any level);
- arrays in the event: a leaf matches when any element matches (nested arrays are flattened); an
  object pattern matches an array of objects when one element matches the whole sub-pattern, so
  fields from different elements never combine (Ruler's "array-consistent" matching).

Prefix, suffix, equals-ignore-case, wildcard and cidr apply to strings only, numeric to numbers
only; anything-but matches any present scalar that it does not exclude (its string forms exclude
strings only).

Bad patterns raise ``InvalidEventPatternException`` with ``"Event pattern is not valid. Reason:
..."``; AWS also appends the Jackson parser position (``at [Source: ...]``), which we omit.

Complexity: compiling is O(size of the pattern). Matching one event is O(fields of the pattern)
plus, for array values, O(elements); exact conditions are a set lookup whatever their number.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Callable

from .errors import InvalidEventPatternException

MISSING: Any = object()
_EMPTY: dict[str, Any] = {}
_NUM = "n"
_BOOL = "b"
_NULL = ("z",)
#: Ruler's documented numeric range.
NUMERIC_LIMIT = 5.0e9
_OPERATORS = frozenset(
    ["prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "wildcard", "cidr"]
)

Leaf = Callable[[Any], bool]


def _bad(reason: str) -> InvalidEventPatternException:
    return InvalidEventPatternException(f"Event pattern is not valid. Reason: {reason}")


def value_key(v: Any) -> Any:
    """The identity of a scalar for exact matching: strings are themselves; numbers compare
    numerically (``5 == 5.0``), never equal to booleans; ``null`` is its own value."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return (_BOOL, v)
    if t is int or t is float:
        try:
            return (_NUM, float(v))
        except OverflowError:
            return (_NUM, v)
    if v is None:
        return _NULL
    return ("?", repr(v))


def flatten(values: list[Any], out: list[Any] | None = None) -> list[Any]:
    """The scalars of a (nested) array, in order; objects are skipped (they are not leaves)."""
    if out is None:
        out = []
    for v in values:
        t = type(v)
        if t is list:
            flatten(v, out)
        elif t is not dict:
            out.append(v)
    return out


def _dicts(values: list[Any], out: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    if out is None:
        out = []
    for v in values:
        t = type(v)
        if t is list:
            _dicts(v, out)
        elif t is dict:
            out.append(v)
    return out


def _is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


# -- single conditions ---------------------------------------------------------------------
def _wildcard_regex(text: str) -> re.Pattern[str]:
    out = []
    i = 0
    prev_star = False
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in ("*", "\\"):
                raise _bad(f"Invalid escape character at pos {i}")
            out.append(re.escape(nxt))
            i += 2
            prev_star = False
            continue
        if c == "*":
            if prev_star:
                raise _bad(f"Consecutive wildcard characters at pos {i}")
            out.append(".*")
            prev_star = True
        else:
            out.append(re.escape(c))
            prev_star = False
        i += 1
    return re.compile("".join(out), re.S)


def _string_op(op: str, arg: Any) -> Leaf:
    """prefix / suffix / equals-ignore-case / wildcard (and their ignore-case forms)."""
    if op in ("prefix", "suffix") and isinstance(arg, dict):
        if list(arg) != ["equals-ignore-case"] or not isinstance(arg["equals-ignore-case"], str):
            raise _bad(f"Unsupported {op} pattern: only equals-ignore-case is allowed inside {op}")
        low = arg["equals-ignore-case"].lower()
        if op == "prefix":
            return lambda v: type(v) is str and v.lower().startswith(low)
        return lambda v: type(v) is str and v.lower().endswith(low)
    if not isinstance(arg, str):
        raise _bad(f"{op} match pattern must be a string")
    if op == "prefix":
        return lambda v: type(v) is str and v.startswith(arg)
    if op == "suffix":
        return lambda v: type(v) is str and v.endswith(arg)
    if op == "equals-ignore-case":
        low = arg.lower()
        return lambda v: type(v) is str and v.lower() == low
    rx = _wildcard_regex(arg)
    fullmatch = rx.fullmatch
    return lambda v: type(v) is str and fullmatch(v) is not None


def _numeric(arg: Any) -> Leaf:
    if not isinstance(arg, list) or not arg:
        raise _bad("Value of numeric must be an array.")
    if len(arg) % 2 or len(arg) > 4:
        raise _bad("Too many elements in numeric expression" if len(arg) > 4 else
                   "Missing numeric value in numeric expression")
    checks: list[tuple[str, float]] = []
    for i in range(0, len(arg), 2):
        op, val = arg[i], arg[i + 1]
        if op not in ("=", "<", "<=", ">", ">="):
            raise _bad(f"Unrecognized numeric range operator: {op}")
        if not _is_number(val):
            raise _bad(f"Value of {op} must be numeric")
        if not -NUMERIC_LIMIT <= val <= NUMERIC_LIMIT:
            raise _bad("Value must be between -5.0E9 and 5.0E9, inclusive")
        checks.append((op, float(val)))
    if len(checks) == 2:
        (op1, v1), (op2, v2) = checks
        if op1 not in (">", ">=") or op2 not in ("<", "<="):
            raise _bad("Bad numeric range: the first comparison must be a lower bound (> or >=) "
                       "and the second an upper bound (< or <=)")
        if v1 >= v2:
            raise _bad("Bottom must be less than top")
    elif checks[0][0] == "=":
        pass

    def test(v: Any) -> bool:
        t = type(v)
        if t is not int and t is not float:
            return False
        for op, bound in checks:
            if op == "=":
                ok = v == bound
            elif op == "<":
                ok = v < bound
            elif op == "<=":
                ok = v <= bound
            elif op == ">":
                ok = v > bound
            else:
                ok = v >= bound
            if not ok:
                return False
        return True

    return test


def _cidr(arg: Any) -> Leaf:
    if not isinstance(arg, str):
        raise _bad("cidr match pattern must be a string")
    try:
        net = ipaddress.ip_network(arg, strict=False)
    except ValueError:
        raise _bad(f"Nonstandard IP address: {arg}") from None

    def test(v: Any) -> bool:
        if type(v) is not str:
            return False
        try:
            return ipaddress.ip_address(v) in net
        except ValueError:
            return False

    return test


def _anything_but(arg: Any) -> Leaf:
    if isinstance(arg, dict):
        if len(arg) != 1:
            raise _bad("Only one key allowed in match expression")
        (op, inner), = arg.items()
        if op not in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
            raise _bad(f"Unsupported anything-but pattern: {op}")
        if op == "equals-ignore-case" and isinstance(inner, list):
            if not inner or not all(isinstance(s, str) for s in inner):
                raise _bad("Inside anything-but/equals-ignore-case list, only strings are allowed")
            lows = frozenset(s.lower() for s in inner)
            return lambda v: type(v) is not str or v.lower() not in lows
        if op == "wildcard" and isinstance(inner, list):
            if not inner or not all(isinstance(s, str) for s in inner):
                raise _bad("Inside anything-but/wildcard list, only strings are allowed")
            subs = [_string_op("wildcard", s) for s in inner]
            return lambda v: type(v) is not str or not any(s(v) for s in subs)
        if op in ("prefix", "suffix") and isinstance(inner, str) and inner == "":
            raise _bad(f"Null {op} not allowed")
        positive = _string_op(op, inner)
        return lambda v: type(v) is not str or not positive(v)
    values = arg if isinstance(arg, list) else [arg]
    if not values:
        raise _bad("Empty array not allowed in anything-but")
    if all(isinstance(v, str) for v in values):
        pass
    elif all(_is_number(v) for v in values):
        pass
    else:
        raise _bad("Inside anything but list, mixed types are not allowed: only all strings or "
                   "all numbers")
    excluded = frozenset(value_key(v) for v in values)
    return lambda v: value_key(v) not in excluded


class _LeafSpec:
    """The conditions of one leaf array, split by kind for a fast test."""

    __slots__ = ("exact", "preds", "exists_true", "exists_false")

    def __init__(self) -> None:
        self.exact: set[Any] = set()
        self.preds: list[Leaf] = []
        self.exists_true = False
        self.exists_false = False


def _compile_leaf(conds: list[Any], name: str) -> tuple[Leaf, _LeafSpec]:
    spec = _LeafSpec()
    for c in conds:
        if isinstance(c, dict):
            if len(c) != 1:
                raise _bad("Only one key allowed in match expression" if c else
                           "Empty objects are not allowed")
            (op, arg), = c.items()
            if op not in _OPERATORS:
                raise _bad(f"Unrecognized match type {op}")
            if op in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
                spec.preds.append(_string_op(op, arg))
            elif op == "numeric":
                spec.preds.append(_numeric(arg))
            elif op == "cidr":
                spec.preds.append(_cidr(arg))
            elif op == "anything-but":
                spec.preds.append(_anything_but(arg))
            else:  # exists
                if arg is True:
                    spec.exists_true = True
                elif arg is False:
                    spec.exists_false = True
                else:
                    raise _bad("exists match pattern must be either true or false.")
        elif isinstance(c, list):
            raise _bad(f"Match value must be String, number, true, false, or null (in {name!r})")
        else:
            spec.exact.add(value_key(c))
    exact = frozenset(spec.exact)
    preds = tuple(spec.preds)
    exists_true, exists_false = spec.exists_true, spec.exists_false

    def test_one(v: Any) -> bool:
        if exact and value_key(v) in exact:
            return True
        for p in preds:
            if p(v):
                return True
        return exists_true

    if not preds and exact and all(type(k) is str for k in exact):
        # The common case: exact strings only (sources, detail-types, states...).
        def leaf(v: Any) -> bool:
            t = type(v)
            if t is str:
                return v in exact or exists_true
            if t is list:
                cands = flatten(v)
                if not cands:
                    return exists_false
                return any((type(c) is str and c in exact) for c in cands) or exists_true
            if v is MISSING or t is dict:
                return exists_false
            return exists_true
    else:
        def leaf(v: Any) -> bool:
            t = type(v)
            if t is list:
                cands = flatten(v)
                if not cands:
                    return exists_false
                return any(test_one(c) for c in cands)
            if v is MISSING or t is dict:
                return exists_false
            return test_one(v)

    return leaf, spec


def _is_or(key: str, value: Any) -> bool:
    return (
        key == "$or"
        and isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(v, dict) and not (set(v) & _OPERATORS) for v in value)
    )


def _compile_object(pat: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    if not pat:
        raise _bad("Empty objects are not allowed")
    fields: list[tuple[str, Leaf]] = []
    ors: list[tuple[Callable[[dict[str, Any]], bool], ...]] = []
    for key, value in pat.items():
        if _is_or(key, value):
            ors.append(tuple(_compile_object(alt) for alt in value))
        elif isinstance(value, dict):
            fields.append((key, _nested(_compile_object(value))))
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(value, key)[0]))
        else:
            raise _bad(f'"{key}" must be an object or an array')
    field_t = tuple(fields)
    or_t = tuple(ors)

    def match(obj: dict[str, Any]) -> bool:
        get = obj.get
        for key, f in field_t:
            if not f(get(key, MISSING)):
                return False
        for alts in or_t:
            for alt in alts:
                if alt(obj):
                    break
            else:
                return False
        return True

    return match


def _nested(sub: Callable[[dict[str, Any]], bool]) -> Leaf:
    def nested(v: Any) -> bool:
        t = type(v)
        if t is dict:
            return sub(v)
        if t is list:
            objs = _dicts(v)
            if objs:
                return any(sub(o) for o in objs)
        return sub(_EMPTY)

    return nested


class EventPattern:
    """A compiled event pattern. ``pattern.matches(event_dict)`` -> bool.

    ``index_field``/``index_values``: a top-level field all of whose conditions are exact strings
    (``source`` preferred, then ``detail-type``, then the first such field), which a rule index
    uses to find candidate rules without testing every pattern; None when there is none.
    """

    __slots__ = ("text", "pattern", "matches", "index_field", "index_values")

    def __init__(self, pattern: Any) -> None:
        if isinstance(pattern, (str, bytes)):
            text = pattern if isinstance(pattern, str) else pattern.decode()
            try:
                pattern = json.loads(text)
            except ValueError as exc:
                raise _bad(str(exc)) from None
        else:
            text = json.dumps(pattern)
        if not isinstance(pattern, dict):
            raise _bad("Filter is not an object")
        self.text = text
        self.pattern = pattern
        self.matches: Callable[[dict[str, Any]], bool] = _compile_object(pattern)
        self.index_field: str | None = None
        self.index_values: frozenset[str] = frozenset()
        candidates = [k for k in ("source", "detail-type") if k in pattern]
        candidates += [k for k in pattern if k not in ("source", "detail-type")]
        for key in candidates:
            value = pattern[key]
            if key == "$or" or not isinstance(value, list) or not value:
                continue
            if all(type(v) is str for v in value):
                self.index_field = key
                self.index_values = frozenset(value)
                break

    def __repr__(self) -> str:
        return f"EventPattern({self.text!r})"


def compile_pattern(pattern: Any) -> EventPattern:
    """Compile a pattern (JSON text or a dict), raising InvalidEventPatternException."""
    return EventPattern(pattern)


def test_event_pattern(pattern: Any, event: dict[str, Any]) -> bool:
    """True when ``event`` (a dict) matches ``pattern``."""
    return EventPattern(pattern).matches(event)


test_event_pattern.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
