"""Choice rules (JSONPath mode): compile a rule into a predicate ``(env) -> bool``.

A rule is ``Variable`` plus exactly one comparison operator, or one of ``And`` / ``Or`` (a
non-empty list of rules) / ``Not`` (one rule). The 39 operators: ``String{Equals, LessThan,
GreaterThan, LessThanEquals, GreaterThanEquals}``, ``StringMatches``, ``Numeric*`` (same five),
``BooleanEquals``, ``Timestamp*`` (same five), each comparison with a ``*Path`` variant (except
StringMatches), and ``IsNull``, ``IsPresent``, ``IsNumeric``, ``IsString``, ``IsBoolean``,
``IsTimestamp``. A value of the wrong type makes a comparison false, never an error; a Variable
path that matches nothing fails the state with States.Runtime (except under IsPresent).

Sources: SL "Choice Rules"; DG state-choice; timestamps are RFC 3339 with an upper-case ``T`` and
a ``Z`` or numeric offset (SL: Timestamps).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable

from ..errors import PathError, StatesError
from .intrinsics import Env
from .paths import Path, parse_path
from .templates import path_value

_OPS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_TYPES = ("String", "Numeric", "Timestamp")
COMPARISONS: tuple[str, ...] = tuple(
    [f"{t}{op}" for t in _TYPES for op in _OPS]
    + [f"{t}{op}Path" for t in _TYPES for op in _OPS]
    + ["StringMatches", "BooleanEquals", "BooleanEqualsPath", "IsNull", "IsPresent", "IsNumeric",
       "IsString", "IsBoolean", "IsTimestamp"]
)

_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


class ChoiceRuleError(Exception):
    """Internal: a malformed rule (definition error); ``location`` is a JSON pointer tail."""

    def __init__(self, message: str, location: str = "", code: str = "SCHEMA_VALIDATION_FAILED"):
        self.location = location
        self.code = code
        super().__init__(message)


def parse_timestamp(v: Any) -> _dt.datetime | None:
    """An aware datetime for an RFC 3339 timestamp string, or None."""
    if type(v) is not str:
        return None
    m = _TS.match(v)
    if not m:
        return None
    frac = m.group(7) or ""
    tz = m.group(8)
    try:
        micro = int((frac[1:] + "000000")[:6]) if frac else 0
        if tz == "Z":
            tzinfo = _dt.timezone.utc
        else:
            sign = 1 if tz[0] == "+" else -1
            tzinfo = _dt.timezone(sign * _dt.timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6])))
        return _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                            int(m.group(5)), int(m.group(6)), micro, tzinfo=tzinfo)
    except ValueError:
        return None


def string_matches_regex(pattern: str) -> re.Pattern[str]:
    """StringMatches: ``*`` matches any run of characters; ``\\*`` a star, ``\\\\`` a backslash."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "*" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def _cmp(op: str, a: Any, b: Any) -> bool:
    if op == "Equals":
        return a == b  # type: ignore[no-any-return]
    if op == "LessThan":
        return a < b  # type: ignore[no-any-return]
    if op == "GreaterThan":
        return a > b  # type: ignore[no-any-return]
    if op == "LessThanEquals":
        return a <= b  # type: ignore[no-any-return]
    return a >= b  # type: ignore[no-any-return]


Pred = Callable[[Env], bool]


def _invalid_path(path: Path) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"Invalid path '{path.text}': The choice state's condition path references an invalid "
        "value.",
    )


def _read(path: Path, env: Env) -> Any:
    try:
        return path_value(path, env)
    except StatesError:
        raise _invalid_path(path) from None


def compile_rule(rule: Any, top: bool, loc: str = "") -> Pred:
    """Compile one rule (``top``: a member of ``Choices``, which carries ``Next``)."""
    if type(rule) is not dict:
        raise ChoiceRuleError("A choice rule must be an object", loc)
    combinators = [k for k in ("And", "Or", "Not") if k in rule]
    ops = [k for k in rule if k in COMPARISONS]
    allowed = {"Variable", "Next", "Comment", "Assign", "And", "Or", "Not", *COMPARISONS}
    for k in rule:
        if k not in allowed:
            raise ChoiceRuleError(f"Field '{k}' is not supported", f"{loc}/{k}")
    if not top and "Next" in rule:
        raise ChoiceRuleError("Nested choice rules cannot have a 'Next' field", f"{loc}/Next")
    if len(combinators) + len(ops) != 1:
        raise ChoiceRuleError(
            "A choice rule must have exactly one comparison operator or And/Or/Not", loc
        )
    if combinators:
        if "Variable" in rule:
            raise ChoiceRuleError("Field 'Variable' is not supported with And/Or/Not", loc)
        kind = combinators[0]
        if kind == "Not":
            inner = compile_rule(rule["Not"], False, f"{loc}/Not")
            return lambda env: not inner(env)
        members = rule[kind]
        if type(members) is not list or not members:
            raise ChoiceRuleError(f"'{kind}' must be a non-empty array", f"{loc}/{kind}")
        preds = [compile_rule(r, False, f"{loc}/{kind}[{i}]") for i, r in enumerate(members)]
        if kind == "And":
            return lambda env: all(p(env) for p in preds)
        return lambda env: any(p(env) for p in preds)
    if "Variable" not in rule:
        raise ChoiceRuleError("A comparison needs a 'Variable' field", loc)
    try:
        var = parse_path(rule["Variable"])
    except PathError:
        raise ChoiceRuleError(
            "The value for the field 'Variable' must be a valid JSONPath", f"{loc}/Variable"
        ) from None
    op = ops[0]
    operand = rule[op]
    return _comparison(var, op, operand, f"{loc}/{op}")


def _comparison(var: Path, op: str, operand: Any, loc: str) -> Pred:
    if op.startswith("Is"):
        if type(operand) is not bool:
            raise ChoiceRuleError(f"The value for the field '{op}' must be a BOOLEAN", loc)
        want = operand
        if op == "IsPresent":
            def is_present(env: Env) -> bool:
                try:
                    path_value(var, env)
                    return want
                except StatesError:
                    return not want
            return is_present
        test: Callable[[Any], bool] = {
            "IsNull": lambda v: v is None,
            "IsNumeric": _is_num,
            "IsString": lambda v: type(v) is str,
            "IsBoolean": lambda v: type(v) is bool,
            "IsTimestamp": lambda v: parse_timestamp(v) is not None,
        }[op]
        return lambda env: test(_read(var, env)) == want

    is_path = op.endswith("Path")
    base = op[:-4] if is_path else op
    if is_path:
        if type(operand) is not str:
            raise ChoiceRuleError(f"The value for the field '{op}' must be a STRING", loc)
        try:
            other = parse_path(operand)
        except PathError:
            raise ChoiceRuleError(
                f"The value for the field '{op}' must be a valid JSONPath", loc
            ) from None
        if not other.definite:
            raise ChoiceRuleError(
                f"The value for the field '{op}' must be a valid reference path", loc
            )
    if base == "BooleanEquals":
        if not is_path and type(operand) is not bool:
            raise ChoiceRuleError(f"The value for the field '{op}' must be a BOOLEAN", loc)
        check: Callable[[Any], bool] = lambda v: type(v) is bool
        conv: Callable[[Any], Any] = lambda v: v
        cmp_op = "Equals"
    elif base == "StringMatches":
        if type(operand) is not str:
            raise ChoiceRuleError(f"The value for the field '{op}' must be a STRING", loc)
        rx = string_matches_regex(operand)
        return lambda env: (lambda v: type(v) is str and rx.fullmatch(v) is not None)(
            _read(var, env)
        )
    elif base.startswith("String"):
        cmp_op = base[6:]
        if not is_path and type(operand) is not str:
            raise ChoiceRuleError(f"The value for the field '{op}' must be a STRING", loc)
        check = lambda v: type(v) is str
        conv = lambda v: v
    elif base.startswith("Numeric"):
        cmp_op = base[7:]
        if not is_path and not _is_num(operand):
            raise ChoiceRuleError(f"The value for the field '{op}' must be a NUMBER", loc)
        check = _is_num
        conv = lambda v: v
    else:  # Timestamp
        cmp_op = base[9:]
        if not is_path and parse_timestamp(operand) is None:
            raise ChoiceRuleError(
                f"The value for the field '{op}' must be a valid timestamp (RFC 3339)", loc
            )
        check = lambda v: parse_timestamp(v) is not None
        conv = parse_timestamp

    if is_path:
        def compare_paths(env: Env) -> bool:
            a = _read(var, env)
            b = _read(other, env)
            if not (check(a) and check(b)):
                return False
            return _cmp(cmp_op, conv(a), conv(b))
        return compare_paths
    const = conv(operand)

    def compare(env: Env) -> bool:
        a = _read(var, env)
        if not check(a):
            return False
        return _cmp(cmp_op, conv(a), const)
    return compare
