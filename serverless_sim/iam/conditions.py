"""IAM condition operators, compiled to predicates over a request context.

A request context maps lower-cased condition keys (``aws:username``, ``dynamodb:leadingkeys``) to
a string (single-valued keys) or a list of strings (multivalued keys). AWS's rules
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):

- several operators in a block, and several keys under one operator, are ANDed; several values
  for one key are ORed (NOR for the negated operators: ``StringNotEquals`` with ``[a, b]`` means
  "neither a nor b");
- a key missing from the context makes the condition false, except for the negated operators
  (``StringNotLike``, ``ArnNotEquals``...: true), ``...IfExists`` (true) and ``Null`` (which
  tests presence);
- ``ForAllValues:`` is true when every value of the context key matches (and when the key is
  missing or empty); ``ForAnyValue:`` when at least one does (false when missing);
- a plain operator over a multivalued key matches when any value matches (the negated ones when
  none does) — AWS asks for a set operator there; this is the simulator's reading;
- String operators are case-sensitive except ``...IgnoreCase``; ``StringLike`` and the ARN
  operators take ``*``/``?`` wildcards (ARNs compared part by part, six parts); ``Bool`` ignores
  case; Numeric values are decimals; Date values are ISO 8601 or epoch seconds, compared as
  instants on the virtual clock; ``IpAddress`` takes CIDR blocks; ``BinaryEquals`` compares the
  base64 text.

Compilation is done once per policy (per principal, with its policy variables substituted):
evaluating a clause is a dict lookup and a set membership or one regex match.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from .wildcards import UNRESOLVED, has_variables, literal, pattern, substitute, union

Context = Mapping[str, Any]
Lookup = Callable[[str], "str | None"]

# base operator (lower case) -> (family, negated)
_OPS: dict[str, tuple[str, bool]] = {
    "stringequals": ("str", False),
    "stringnotequals": ("str", True),
    "stringequalsignorecase": ("stri", False),
    "stringnotequalsignorecase": ("stri", True),
    "stringlike": ("like", False),
    "stringnotlike": ("like", True),
    "numericequals": ("num=", False),
    "numericnotequals": ("num=", True),
    "numericlessthan": ("num<", False),
    "numericlessthanequals": ("num<=", False),
    "numericgreaterthan": ("num>", False),
    "numericgreaterthanequals": ("num>=", False),
    "dateequals": ("date=", False),
    "datenotequals": ("date=", True),
    "datelessthan": ("date<", False),
    "datelessthanequals": ("date<=", False),
    "dategreaterthan": ("date>", False),
    "dategreaterthanequals": ("date>=", False),
    "bool": ("bool", False),
    "binaryequals": ("bin", False),
    "ipaddress": ("ip", False),
    "notipaddress": ("ip", True),
    "arnequals": ("arn", False),
    "arnlike": ("arn", False),
    "arnnotequals": ("arn", True),
    "arnnotlike": ("arn", True),
    "null": ("null", False),
}

#: Keys whose value is the virtual clock: a policy using them is never decision-cached.
TIME_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})


class ConditionSyntaxError(ValueError):
    """A condition block that is not valid IAM policy grammar."""


def parse_operator(name: str) -> tuple[str | None, str, bool, str, bool]:
    """``"ForAnyValue:StringLikeIfExists"`` -> (qualifier, base, if_exists, family, negated)."""
    text = name
    qualifier = None
    low = text.lower()
    for q in ("forallvalues:", "foranyvalue:"):
        if low.startswith(q):
            qualifier = q[:-1]
            low = low[len(q):]
            break
    if_exists = False
    if low.endswith("ifexists") and low != "ifexists":
        if_exists = True
        low = low[: -len("ifexists")]
    spec = _OPS.get(low)
    if spec is None or (low == "null" and if_exists):
        raise ConditionSyntaxError(name)
    return qualifier, low, if_exists, spec[0], spec[1]


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, Decimal)):
        return str(v)
    if isinstance(v, str):
        return v
    raise ConditionSyntaxError(repr(v))


def _number(text: str) -> Decimal | None:
    try:
        d = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


_EPOCH_RE = re.compile(r"-?\d+(\.\d+)?")


def parse_date_us(text: str) -> int | None:
    """An ISO 8601 instant (naive = UTC) or epoch seconds, as epoch microseconds; None if bad."""
    text = text.strip()
    if _EPOCH_RE.fullmatch(text):
        return int(Decimal(text) * 1_000_000)
    try:
        from dateutil.parser import isoparse

        dt = isoparse(text)
    except (ValueError, OverflowError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=_dt.timezone.utc)
    delta = dt - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _positive_matcher(family: str, values: list[str]) -> Callable[[str], bool]:
    """``x -> bool``: does context value ``x`` match any of the (substituted) policy values?"""
    vals = [v for v in values if v != UNRESOLVED]
    if family == "str":
        exact = {literal(v) for v in vals}
        return exact.__contains__
    if family == "stri":
        low = {literal(v).lower() for v in vals}
        return lambda x: x.lower() in low
    if family == "like":
        return union(vals)
    if family == "bool":
        low = {v.lower() for v in vals}
        return lambda x: x.lower() in low
    if family == "bin":
        exact = set(vals)
        return exact.__contains__
    if family.startswith("num"):
        nums = [n for n in (_number(v) for v in vals) if n is not None]
        cmp = _COMPARE[family[3:]]
        return lambda x: (d := _number(x)) is not None and any(cmp(d, n) for n in nums)
    if family.startswith("date"):
        dates = [d for d in (parse_date_us(v) for v in vals) if d is not None]
        cmp = _COMPARE[family[4:]]
        return lambda x: (d := parse_date_us(x)) is not None and any(cmp(d, n) for n in dates)
    if family == "ip":
        nets = []
        for v in vals:
            try:
                nets.append(ipaddress.ip_network(v, strict=False))
            except ValueError:
                continue

        def ip_match(x: str) -> bool:
            try:
                addr = ipaddress.ip_address(x)
            except ValueError:
                return False
            return any(addr.version == n.version and addr in n for n in nets)

        return ip_match
    if family == "arn":
        patterns = []
        for v in vals:
            parts = v.split(":", 5)
            if len(parts) == 6:
                patterns.append([pattern(p) for p in parts])

        def arn_match(x: str) -> bool:
            parts = x.split(":", 5)
            if len(parts) != 6:
                return False
            return any(all(p.fullmatch(s) for p, s in zip(pp, parts)) for pp in patterns)

        return arn_match
    raise ConditionSyntaxError(family)  # pragma: no cover


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class Clause:
    """One (operator, key, values) test of a condition block."""

    __slots__ = ("key", "qualifier", "if_exists", "family", "negated", "raw", "match", "late")

    def __init__(self, operator: str, key: str, values: list[str], lookup: Lookup | None) -> None:
        q, _base, ife, fam, neg = parse_operator(operator)
        self.key = key.lower()
        self.qualifier = q
        self.if_exists = ife
        self.family = fam
        self.negated = neg
        self.raw = values
        self.late = False
        self.match: Callable[[str], bool] | None = None
        if fam == "null":
            return
        substitutable = fam in ("str", "stri", "like", "arn")
        if lookup is not None and substitutable and any(has_variables(v) for v in values):
            subst = [substitute(v, lookup) for v in values]
            if any(s == UNRESOLVED for s in subst):
                self.late = True  # resolve against the whole request context at evaluation
                return
            values = subst
        self.match = _positive_matcher(fam, values if substitutable else [literal(v) for v in values])

    def _matcher(self, ctx: Context) -> Callable[[str], bool]:
        if not self.late:
            return self.match  # type: ignore[return-value]

        def lookup(name: str) -> str | None:
            v = ctx.get(name)
            return v if isinstance(v, str) else None

        return _positive_matcher(self.family, [substitute(v, lookup) for v in self.raw])

    def test(self, ctx: Context) -> bool:
        v = ctx.get(self.key)
        if self.family == "null":
            absent = v is None or (isinstance(v, list) and not v)
            return any((s.lower() == "true") == absent for s in self.raw)
        if v is None or (isinstance(v, list) and not v):
            if self.if_exists:
                return True
            if self.qualifier == "forallvalues":
                return True
            if self.qualifier == "foranyvalue":
                return False
            return self.negated
        m = self._matcher(ctx)
        vals = v if isinstance(v, list) else (v,)
        neg = self.negated
        if self.qualifier == "forallvalues":
            return all(m(x) != neg for x in vals)
        if self.qualifier == "foranyvalue":
            return any(m(x) != neg for x in vals)
        hit = any(m(x) for x in vals)
        return not hit if neg else hit


class ConditionBlock:
    """A whole ``Condition`` element: every clause must hold."""

    __slots__ = ("clauses", "keys")

    def __init__(self, block: Mapping[str, Any], lookup: Lookup | None) -> None:
        clauses: list[Clause] = []
        for operator, body in block.items():
            if not isinstance(operator, str) or not isinstance(body, dict):
                raise ConditionSyntaxError(repr(operator))
            for key, values in body.items():
                if not isinstance(key, str):
                    raise ConditionSyntaxError(repr(key))
                vals = values if isinstance(values, list) else [values]
                clauses.append(Clause(operator, key, [_as_text(x) for x in vals], lookup))
        self.clauses = clauses
        self.keys = frozenset(c.key for c in clauses)

    def test(self, ctx: Context) -> bool:
        for c in self.clauses:
            if not c.test(ctx):
                return False
        return True


def context_value(v: Any) -> Any:
    """A request-context value as conditions read it: a string, or a list of strings."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, set, frozenset)):
        items = sorted(v) if isinstance(v, (set, frozenset)) else v
        return [_as_text(x) if not isinstance(x, str) else x for x in items]
    return _as_text(v)


def normalize_context(context: Mapping[str, Any] | None) -> dict[str, Any]:
    """Lower-cased keys and string values (bools as ``"true"``/``"false"``, numbers as text)."""
    return {k.lower(): context_value(v) for k, v in (context or {}).items() if v is not None}


def validate_block(block: Any) -> None:
    """Raise ConditionSyntaxError unless ``block`` is a valid Condition element."""
    if not isinstance(block, dict):
        raise ConditionSyntaxError("Condition")
    ConditionBlock(block, None)
