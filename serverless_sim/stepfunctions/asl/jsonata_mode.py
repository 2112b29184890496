"""JSONata query language (``"QueryLanguage": "JSONata"``) over the ``jsonata-python`` library.

A string value that starts with ``{%`` and ends with ``%}`` is a JSONata expression; any depth
inside Arguments, Output, Assign, Items, ItemSelector... may hold them (DG: transforming-data).
Expressions see ``$states`` (``input``, ``result``, ``errorOutput``, ``context``) and the
workflow variables as ``$name``. AWS's extra functions are provided: ``$partition``, ``$range``,
``$hash``, ``$random([seed])``, ``$uuid``, ``$parse``; ``$now()``/``$millis()`` read the virtual
clock; ``$eval`` is unavailable. An evaluation error, or an expression that returns nothing
(undefined), raises ``States.QueryEvaluationError``.

Expressions are parsed once (at definition time) and cached by text.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import Any

import jsonata
from jsonata import utils as _jutils

from ..errors import StatesError

_NULL = _jutils.Utils.NULL_VALUE


class JsonataSyntaxError(Exception):
    """Internal: a malformed JSONata expression (definition error)."""


def is_expr(v: Any) -> bool:
    return type(v) is str and len(v) >= 4 and v.startswith("{%") and v.endswith("%}")


class _Runtime:
    """What AWS's extra functions read while one expression evaluates (single-threaded)."""

    now_ms = 0
    rng: random.Random = random.Random(0)
    uuid: Any = None


_RT = _Runtime()


def _iso(ms: int) -> str:
    import datetime as _dt

    t = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _qe(msg: str) -> StatesError:
    return StatesError("States.QueryEvaluationError", msg)


def _partition(arr: Any, size: Any) -> Any:
    if not isinstance(arr, list) or type(size) not in (int, float) or size <= 0:
        raise _qe("Invalid arguments in $partition")
    size = int(size)
    return [list(arr[i:i + size]) for i in range(0, len(arr), size)]


def _range(start: Any, end: Any, step: Any) -> Any:
    if not all(type(v) in (int, float) for v in (start, end, step)) or step == 0:
        raise _qe("Invalid arguments in $range")
    start, end, step = int(start), int(end), int(step)
    out = list(range(start, end + (1 if step > 0 else -1), step))
    if len(out) > 1000:
        raise _qe("The $range function can return at most 1000 items")
    return out


def _hash(data: Any, alg: Any) -> Any:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
             "SHA-512": "sha512"}
    if type(data) is not str or alg not in names:
        raise _qe("Invalid arguments in $hash")
    return hashlib.new(names[alg], data.encode()).hexdigest()


def _random(*seed: Any) -> Any:
    if seed and seed[0] is not None:
        return random.Random(int(seed[0])).random()
    return _RT.rng.random()


def _uuid() -> Any:
    if _RT.uuid is not None:
        return _RT.uuid()
    n = _RT.rng.getrandbits(128)
    n = (n & ~(0xF000 << 64)) | (0x4000 << 64)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _parse(text: Any) -> Any:
    if type(text) is not str:
        raise _qe("Invalid arguments in $parse")
    try:
        return _to_jsonata(json.loads(text))
    except ValueError:
        raise _qe("Invalid arguments in $parse: the string is not valid JSON") from None


def _no_eval(*_a: Any) -> Any:
    raise _qe("The $eval function is not supported")


_EXTRA = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
    "now": lambda *a: _iso(_RT.now_ms),
    "millis": lambda *a: _RT.now_ms,
    "eval": _no_eval,
}

_CACHE: dict[str, Any] = {}


def compile_expr(text: str) -> Any:
    """Parse the JSONata inside ``{% ... %}``; raises :class:`JsonataSyntaxError`."""
    body = text[2:-2].strip()
    cached = _CACHE.get(body)
    if cached is not None:
        return cached
    if not body:
        raise JsonataSyntaxError("empty JSONata expression")
    try:
        expr = jsonata.Jsonata(body)
    except Exception as exc:  # the library raises JException (a RuntimeError) and others
        raise JsonataSyntaxError(str(exc)) from None
    expr.set_output_convert_nulls(False)
    for name, fn in _EXTRA.items():
        expr.register_lambda(name, fn)
    _CACHE[body] = expr
    return expr


def _to_jsonata(v: Any) -> Any:
    t = type(v)
    if v is None:
        return _NULL
    if t is dict:
        return {k: _to_jsonata(x) for k, x in v.items()}
    if t is list:
        return [_to_jsonata(x) for x in v]
    return v


def _from_jsonata(v: Any) -> Any:
    if v is _NULL:
        return None
    if isinstance(v, dict):
        return {k: _from_jsonata(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [_from_jsonata(x) for x in v]
    if type(v) is float and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, (str, int, float, bool)):
        return v
    raise _qe("The JSONata expression returned a function, which is not a JSON value")


class Bindings:
    """The variables an expression sees: ``$states`` and the workflow variables."""

    __slots__ = ("states", "variables", "now_ms", "rng", "uuid")

    def __init__(self, states: dict[str, Any], variables: dict[str, Any] | None, now_ms: int,
                 rng: random.Random | None = None, uuid: Any = None) -> None:
        self.states = states
        self.variables = variables
        self.now_ms = now_ms
        self.rng = rng
        self.uuid = uuid

    def as_dict(self) -> dict[str, Any]:
        out = {k: _to_jsonata(v) for k, v in (self.variables or {}).items()}
        out["states"] = _to_jsonata(self.states)
        return out


def evaluate_expr(text: str, b: Bindings, field: str) -> Any:
    """Evaluate one ``{% %}`` string; raise States.QueryEvaluationError like AWS."""
    expr = compile_expr(text)
    _RT.now_ms = b.now_ms
    _RT.rng = b.rng or random.Random(0)
    _RT.uuid = b.uuid
    try:
        result = expr.evaluate(None, b.as_dict())
    except StatesError:
        raise
    except RecursionError:
        raise _qe(f"The JSONata expression '{text[2:-2].strip()}' specified for the field "
                  f"'{field}' exceeded the maximum recursion depth") from None
    except Exception as exc:
        raise _qe(f"An error occurred while evaluating the JSONata expression "
                  f"'{text[2:-2].strip()}' specified for the field '{field}': {exc}") from None
    if result is None:
        raise _qe(f"The JSONata expression '{text[2:-2].strip()}' specified for the field "
                  f"'{field}' returned nothing (undefined).")
    if type(result) is float and not math.isfinite(result):
        raise _qe(f"The JSONata expression '{text[2:-2].strip()}' specified for the field "
                  f"'{field}' returned a non-finite number.")
    return _from_jsonata(result)


def compile_value(value: Any, field: str) -> tuple[Any, bool]:
    """Check every ``{% %}`` string inside ``value`` parses; returns (value, dynamic)."""
    if is_expr(value):
        try:
            compile_expr(value)
        except JsonataSyntaxError as exc:
            raise JsonataSyntaxError(f"field '{field}': {exc}") from None
        return value, True
    if type(value) is dict:
        dyn = False
        for k, v in value.items():
            dyn = compile_value(v, field)[1] or dyn
        return value, dyn
    if type(value) is list:
        dyn = False
        for v in value:
            dyn = compile_value(v, field)[1] or dyn
        return value, dyn
    return value, False


def evaluate_value(value: Any, b: Bindings, field: str) -> Any:
    """Evaluate every ``{% %}`` string inside ``value`` (objects and arrays recursively)."""
    if type(value) is str:
        if is_expr(value):
            return evaluate_expr(value, b, field)
        return value
    if type(value) is dict:
        return {k: evaluate_value(v, b, field) for k, v in value.items()}
    if type(value) is list:
        return [evaluate_value(v, b, field) for v in value]
    return value
