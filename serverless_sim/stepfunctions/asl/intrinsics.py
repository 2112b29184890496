"""Intrinsic functions (JSONPath mode): parser and evaluator.

Grammar (SL: Intrinsic Functions; DG: intrinsic-functions)::

    call  := 'States.' Name '(' [arg (',' arg)*] ')'
    arg   := 'string' | number | true | false | null | path | call
    path  := $... | $$... | $var...          (evaluated against input / context / variables)

String literals use single quotes with the escapes ``\\'``, ``\\{``, ``\\}``, ``\\\\``. Calls nest
at most 10 deep. A malformed call is a definition error (SCHEMA_VALIDATION_FAILED); bad
arguments at run time raise ``States.IntrinsicFailure`` (a :class:`StatesError`).

Argument rules and results follow the Developer Guide's page on intrinsic functions
(https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html) and behaviour
observed on AWS recorded in /work/shared/reference/asl-features.md (States.Format renders objects
as Java maps, StringSplit drops empty tokens, MathAdd rounds decimals with Java's Math.round).
``States.UUID`` and ``States.MathRandom`` (unseeded) draw from the execution's random stream.

Complexity: parsing is linear in the text; evaluation linear in the arguments' sizes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
from typing import Any, Callable

from ..errors import PathError, StatesError
from .paths import Path, parse_path

MAX_NESTING = 10


class IntrinsicSyntaxError(Exception):
    """Internal: the text is not a well-formed intrinsic call."""


class Call:
    """A parsed intrinsic call: function name and argument nodes."""

    __slots__ = ("name", "args", "text")

    def __init__(self, name: str, args: list[Any], text: str) -> None:
        self.name = name
        self.args = args
        self.text = text

    def __repr__(self) -> str:
        return f"Call({self.text!r})"


class Literal:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def is_intrinsic(text: Any) -> bool:
    return type(text) is str and text.startswith("States.")


def parse_intrinsic(text: str) -> Call:
    """Parse an intrinsic call; raises :class:`IntrinsicSyntaxError`."""
    if type(text) is not str:
        raise IntrinsicSyntaxError("not a string")
    p = _Parser(text)
    call = p.call(0)
    p.ws()
    if p.i != len(text):
        raise IntrinsicSyntaxError(f"unexpected text after the call at {p.i}")
    return call


class _Parser:
    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def ws(self) -> None:
        s = self.s
        while self.i < len(s) and s[self.i] in " \t\n\r":
            self.i += 1

    def call(self, depth: int) -> Call:
        if depth >= MAX_NESTING:
            raise IntrinsicSyntaxError("intrinsic functions nest at most 10 deep")
        s = self.s
        start = self.i
        if not s.startswith("States.", self.i):
            raise IntrinsicSyntaxError("expected 'States.'")
        self.i += 7
        j = self.i
        while j < len(s) and (s[j].isalnum()):
            j += 1
        name = s[self.i:j]
        if name not in FUNCTIONS:
            raise IntrinsicSyntaxError(f"unknown intrinsic function States.{name}")
        self.i = j
        self.ws()
        if self.i >= len(s) or s[self.i] != "(":
            raise IntrinsicSyntaxError("expected '('")
        self.i += 1
        args: list[Any] = []
        self.ws()
        if self.i < len(s) and s[self.i] == ")":
            self.i += 1
        else:
            while True:
                self.ws()
                args.append(self.arg(depth))
                self.ws()
                if self.i >= len(s):
                    raise IntrinsicSyntaxError("unterminated call")
                c = s[self.i]
                self.i += 1
                if c == ",":
                    continue
                if c == ")":
                    break
                raise IntrinsicSyntaxError(f"unexpected {c!r}")
        for k, a in enumerate(args):
            if type(a) is Literal and type(a.value) is str and not (name == "Format" and k == 0):
                a.value = _unescape(a.value)
        return Call(name, args, s[start:self.i])

    def arg(self, depth: int) -> Any:
        s = self.s
        if self.i >= len(s):
            raise IntrinsicSyntaxError("missing argument")
        c = s[self.i]
        if c == "'":
            return Literal(self.string())
        if c == "$":
            return self.path()
        if s.startswith("States.", self.i):
            return self.call(depth + 1)
        j = self.i
        while j < len(s) and s[j] not in ",) \t\n\r":
            j += 1
        word = s[self.i:j]
        self.i = j
        if word == "true":
            return Literal(True)
        if word == "false":
            return Literal(False)
        if word == "null":
            return Literal(None)
        try:
            if any(ch in word for ch in ".eE"):
                value = float(word)
                if not math.isfinite(value):
                    raise ValueError(word)
                return Literal(value)
            return Literal(int(word))
        except ValueError:
            raise IntrinsicSyntaxError(f"bad argument {word!r}") from None

    def string(self) -> str:
        s = self.s
        self.i += 1
        out: list[str] = []
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                if self.i + 1 >= len(s):
                    raise IntrinsicSyntaxError("dangling escape")
                nxt = s[self.i + 1]
                if nxt in "'{}\\":
                    # keep \{ \} escaped for States.Format; others resolve now
                    out.append("\\" + nxt if nxt in "{}\\" else nxt)
                    self.i += 2
                    continue
                raise IntrinsicSyntaxError(f"bad escape \\{nxt}")
            if c == "'":
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        raise IntrinsicSyntaxError("unterminated string")

    def path(self) -> Path:
        s = self.s
        j = self.i
        depth = 0
        quote = ""
        while j < len(s):
            c = s[j]
            if quote:
                if c == "\\":
                    j += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in "'\"" and depth:
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
            elif depth == 0 and c in ", \t\n\r)":
                break
            j += 1
        text = s[self.i:j]
        self.i = j
        try:
            return parse_path(text)
        except PathError as exc:
            raise IntrinsicSyntaxError(str(exc)) from None


def _unescape(s: str) -> str:
    """Resolve the ``\\{ \\} \\\\`` escapes kept for States.Format."""
    return s.replace("\\{", "{").replace("\\}", "}").replace("\\\\", "\\")


# -- evaluation ----------------------------------------------------------------------------
class Env:
    """What an intrinsic call can see: data, context, variables, and a random stream."""

    __slots__ = ("data", "context", "variables", "rng", "uuid")

    def __init__(
        self,
        data: Any,
        context: Any,
        variables: Any,
        rng: random.Random | None = None,
        uuid: Callable[[], str] | None = None,
    ) -> None:
        self.data = data
        self.context = context
        self.variables = variables
        self.rng = rng
        self.uuid = uuid


def fail(message: str) -> StatesError:
    return StatesError("States.IntrinsicFailure", message)


def resolve_path(path: Path, env: Env, field: str | None = None) -> Any:
    """Evaluate a path against the env's data / context / variables (raising States.Runtime
    the way AWS does for paths that match nothing)."""
    from .templates import path_value

    return path_value(path, env, field)


def evaluate(call: Call, env: Env) -> Any:
    """Evaluate a parsed call. Raises :class:`StatesError` (``States.IntrinsicFailure``, or
    ``States.Runtime`` for a path that matches nothing)."""
    args = []
    for a in call.args:
        t = type(a)
        if t is Literal:
            args.append(a.value)
        elif t is Call:
            args.append(evaluate(a, env))
        else:
            args.append(resolve_path(a, env))
    return FUNCTIONS[call.name](call, args, env)


def _literal_string(call: Call, idx: int) -> bool:
    a = call.args[idx]
    return type(a) is Literal and type(a.value) is str


def _nargs(call: Call, args: list[Any], lo: int, hi: int | None = None) -> None:
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        if lo == hi:
            raise fail(
                f"Invalid arguments in States.{call.name}: expected {lo} argument"
                f"{'' if lo == 1 else 's'} but got {len(args)}"
            )
        raise fail(f"Invalid arguments in States.{call.name}: expected between {lo} and {hi} "
                   f"arguments but got {len(args)}")


def _want(call: Call, value: Any, kind: str, pos: int) -> Any:
    ok = {
        "string": lambda v: type(v) is str,
        "array": lambda v: type(v) is list,
        "object": lambda v: type(v) is dict,
        "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
        "number": lambda v: type(v) in (int, float),
        "boolean": lambda v: type(v) is bool,
    }[kind](value)
    if not ok:
        raise fail(
            f"Invalid arguments in States.{call.name}: argument {pos} must be of type {kind}, "
            f"got {_type_name(value)}"
        )
    if kind == "integer":
        return int(value)
    return value


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(v), type(v).__name__)


def _java_text(v: Any, top: bool = True) -> str:
    """How AWS renders a value inside States.Format (Java's toString of Jackson values)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is str:
        return v
    if type(v) is float:
        return repr(v) if not v.is_integer() else f"{v:.1f}"
    if type(v) is int:
        return str(v)
    if type(v) is list:
        return "[" + ", ".join(_java_text(x, False) for x in v) + "]"
    return "{" + ", ".join(f"{k}={_java_text(x, False)}" for k, x in v.items()) + "}"


def _format(call: Call, args: list[Any], env: Env) -> Any:
    if not args:
        _nargs(call, args, 1)
    template = _want(call, args[0], "string", 1)
    values = args[1:]
    out: list[str] = []
    n = 0
    i = 0
    while i < len(template):
        c = template[i]
        if c == "\\" and i + 1 < len(template):
            out.append(template[i + 1])
            i += 2
            continue
        if template.startswith("{}", i):
            if n >= len(values):
                raise fail(f"Number of arguments in States.Format do not match the "
                           f"occurrences of {{}}")
            out.append(_java_text(values[n]))
            n += 1
            i += 2
            continue
        out.append(c)
        i += 1
    if n != len(values):
        raise fail("Number of arguments in States.Format do not match the occurrences of {}")
    return "".join(out)


def _string_to_json(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 1)
    s = _want(call, args[0], "string", 1)
    if not s.strip():
        return None
    try:
        return json.loads(s)
    except ValueError:
        raise fail(f"Invalid arguments in States.StringToJson: the string {s!r:.100} "
                   "is not valid JSON") from None


def _json_to_string(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 1)
    return json.dumps(args[0], separators=(",", ":"), ensure_ascii=False)


def _array(call: Call, args: list[Any], env: Env) -> Any:
    return list(args)


def _array_partition(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2)
    arr = _want(call, args[0], "array", 1)
    size = _want(call, args[1], "integer", 2)
    if size <= 0:
        raise fail("Invalid arguments in States.ArrayPartition: the chunk size must be "
                   "greater than 0")
    return [arr[i:i + size] for i in range(0, len(arr), size)]


def _array_contains(call: Call, args: list[Any], env: Env) -> Any:
    from .paths import json_equal

    _nargs(call, args, 2)
    arr = _want(call, args[0], "array", 1)
    return any(json_equal(x, args[1]) for x in arr)


def _array_range(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 3)
    start = _want(call, args[0], "integer", 1)
    end = _want(call, args[1], "integer", 2)
    step = _want(call, args[2], "integer", 3)
    if step == 0:
        raise fail("Invalid arguments in States.ArrayRange: the step cannot be 0")
    count = max(0, (end - start) // step + 1)
    if count > 1000:
        raise fail("Invalid arguments in States.ArrayRange: the array cannot contain more "
                   "than 1000 items")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2)
    arr = _want(call, args[0], "array", 1)
    idx = _want(call, args[1], "integer", 2)
    if not 0 <= idx < len(arr):
        raise fail(f"Invalid arguments in States.ArrayGetItem: index {idx} out of bounds for "
                   f"an array of length {len(arr)}")
    return arr[idx]


def _array_length(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 1)
    return len(_want(call, args[0], "array", 1))


def _array_unique(call: Call, args: list[Any], env: Env) -> Any:
    from .paths import json_equal

    _nargs(call, args, 1)
    arr = _want(call, args[0], "array", 1)
    out: list[Any] = []
    for x in arr:
        if not any(json_equal(x, y) for y in out):
            out.append(x)
    return out


def _b64encode(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 1)
    s = _want(call, args[0], "string", 1)
    if len(s) > 10_000:
        raise fail("Invalid arguments in States.Base64Encode: the input string must be at "
                   "most 10000 characters")
    return base64.b64encode(s.encode()).decode()


def _b64decode(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 1)
    s = _want(call, args[0], "string", 1)
    if len(s) > 10_000:
        raise fail("Invalid arguments in States.Base64Decode: the input string must be at "
                   "most 10000 characters")
    try:
        return base64.b64decode(s, validate=True).decode()
    except (binascii.Error, ValueError):
        raise fail("Invalid arguments in States.Base64Decode: the input is not valid "
                   "base64") from None


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
           "SHA-512": "sha512"}


def _hash(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2)
    data = args[0]
    if data is None:
        raise fail("Invalid arguments in States.Hash: the data to hash cannot be null")
    if type(data) is not str:
        data = json.dumps(data, separators=(",", ":"))
    if len(data) > 10_000:
        raise fail("Invalid arguments in States.Hash: the input string must be at most "
                   "10000 characters")
    alg = _want(call, args[1], "string", 2)
    name = _HASHES.get(alg)
    if name is None:
        raise fail(f"Invalid arguments in States.Hash: unsupported algorithm {alg!r}; use one "
                   "of MD5, SHA-1, SHA-256, SHA-384, SHA-512")
    return hashlib.new(name, data.encode()).hexdigest()


def _json_merge(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 3)
    a = _want(call, args[0], "object", 1)
    b = _want(call, args[1], "object", 2)
    deep = _want(call, args[2], "boolean", 3)
    if deep:
        raise fail("Invalid arguments in States.JsonMerge: deep merging is not supported; "
                   "the third argument must be false")
    out = dict(a)
    out.update(b)
    return out


def _math_random(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2, 3)
    start = _want(call, args[0], "integer", 1)
    end = _want(call, args[1], "integer", 2)
    if start >= end:
        raise fail("Invalid arguments in States.MathRandom: the start must be less than the end")
    if len(args) == 3:
        seed = _want(call, args[2], "integer", 3)
        rng = random.Random(seed)
    else:
        rng = env.rng or random.Random(0)
    return rng.randrange(start, end)


def _java_round(v: Any) -> int:
    return math.floor(v + 0.5) if type(v) is float else int(v)


def _math_add(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2)
    a = _java_round(_want(call, args[0], "number", 1))
    b = _java_round(_want(call, args[1], "number", 2))
    for v in (a, b):
        if not -2_147_483_648 <= v <= 2_147_483_647:
            raise fail("Invalid arguments in States.MathAdd: the values must be between "
                       "-2147483648 and 2147483647")
    return a + b


def _string_split(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 2)
    s = _want(call, args[0], "string", 1)
    delims = _want(call, args[1], "string", 2)
    if not delims:
        return [s] if s else []
    out: list[str] = []
    cur: list[str] = []
    for ch in s:
        if ch in delims:
            if cur:
                out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _uuid(call: Call, args: list[Any], env: Env) -> Any:
    _nargs(call, args, 0)
    if env.uuid is not None:
        return env.uuid()
    rng = env.rng or random.Random(0)
    n = rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


FUNCTIONS: dict[str, Callable[[Call, list[Any], Env], Any]] = {
    "Format": _format,
    "StringToJson": _string_to_json,
    "JsonToString": _json_to_string,
    "Array": _array,
    "ArrayPartition": _array_partition,
    "ArrayContains": _array_contains,
    "ArrayRange": _array_range,
    "ArrayGetItem": _array_get_item,
    "ArrayLength": _array_length,
    "ArrayUnique": _array_unique,
    "Base64Encode": _b64encode,
    "Base64Decode": _b64decode,
    "Hash": _hash,
    "JsonMerge": _json_merge,
    "MathRandom": _math_random,
    "MathAdd": _math_add,
    "StringSplit": _string_split,
    "UUID": _uuid,
}


def unescape_literal(s: str) -> str:
    """A string literal's value outside States.Format (escapes resolved)."""
    return _unescape(s)
