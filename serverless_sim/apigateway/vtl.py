"""API Gateway's mapping-template language: Velocity (VTL) with ``$input``, ``$context``,
``$stageVariables`` and ``$util``.

Sources:
- https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
  (``$input``, ``$context``, ``$stageVariables``, ``$util``);
- https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html and
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-variable-examples.html
  (the petstore and parameter examples, reproduced in ``tests/apigateway/test_apigw_vtl.py``);
- https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
  (``$context.requestOverride`` / ``responseOverride``; "overrides are final": a second
  assignment of the same override fails the request with a 5XX);
- https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (1,000 iterations
  per ``#foreach``);
- the Velocity 1.7 user guide for the language itself (API Gateway runs Velocity 1.x).

Public API::

    result = render(template, body='{"a": 1}', params={"path": {...}, "querystring": {...},
                    "header": {...}}, context={...}, stage_variables={...})
    result.text, result.status_override, result.header_overrides, result.request_overrides

``compile_template(text)`` parses once (cached by text, failures too) and returns a
:class:`Template` whose ``render(...)`` takes the same keywords. Rendering walks a tree of
closures built at parse time: no re-parsing per request.

Errors (all :class:`VtlError`):
- :class:`VtlParseError`: the template does not parse (line, column). API Gateway answers the
  request with 500 ``{"message": "Internal server error"}``; the execution log says
  ``Execution failed due to configuration error: ...`` with the reason.
- :class:`VtlRuntimeError`: a method threw (``substring`` out of range, bad regex,
  ``parseJson`` of non-JSON), an override was set twice. Same 500.
- :class:`VtlBodyParseError`: ``$input.path`` / ``$input.json`` on a body that is not JSON.
  API Gateway answers 400 ``{"message": "Could not parse request body into json: ..."}``
  (:attr:`VtlBodyParseError.message` is that text).

Velocity semantics modelled (1.7):
- References ``$a``, ``${a}``, ``$!a``, ``$a.b`` (map key, or the getter of a known object),
  ``$a.m(args)``, ``$a[i]`` (lists, negative indexes from the end; maps by key). Identifiers
  are ``[A-Za-z_][A-Za-z0-9_-]*``: Velocity 1.x accepts ``-`` in identifiers, so ``$a-1`` is
  the reference ``a-1`` (write ``$a - 1``), and ``$context.responseOverride.header.X-Foo``
  works.
- A null or undefined reference renders as the empty string, as API Gateway does (observed
  behaviour, not documented; stock Velocity prints the reference's text, available with
  ``literal_undefined=True``). ``$!a`` is always quiet.
- ``#set`` whose right side is null leaves the variable unchanged (Velocity 1.7 default).
- ``#if`` truth: null and ``false`` are false, everything else (even ``""``) is true.
- ``==`` compares numbers by value, same-class values by equality, others by their
  ``toString()``; ``<``/``>``/``<=``/``>=`` only numbers (otherwise false). ``+`` with a
  string concatenates. Integer ``/`` and ``%`` truncate toward zero (Java); division by zero
  yields null.
- Whitespace (Velocity 1.x rules): a directive's closing ``)`` followed by spaces/tabs and a
  newline eats them; so do ``#else`` and ``#end``; ``#set`` also eats the spaces/tabs before
  it on its line; ``##`` comments eat their newline. Indentation before other directives stays.
- ``#foreach`` over a list, a map (its values) or ``keySet()``/``entrySet()``; ``$foreach``
  (``index``, ``count``, ``hasNext``, ``first``, ``last``, ``parent``); at most 1,000
  iterations (API Gateway's quota; the loop stops there). ``#break``, ``#stop``.
- Literals: ``'single'`` (verbatim), ``"double"`` (interpolated: references and directives),
  integers, decimals, ``true``/``false``, ``[a, b]``, ``[1..3]``, ``{"k": v}``.
- Values print as Java's ``toString()``: ``true``, ``249.99``, ``1.0E20``, ``[1, 2]``,
  ``{a=1, b=x}``.

Deviations: strings index by code point, not UTF-16 unit; Java regexes run on Python's ``re``
(the common syntax is shared; ``\\p{..}`` classes and possessive quantifiers are not);
``#macro``, ``#define``, ``#parse``, ``#include``, ``#evaluate`` are refused at parse time;
``$velocityCount`` (not documented for API Gateway) is not provided.
"""

from __future__ import annotations

import base64
import json
import math
import re
import urllib.parse
from decimal import Decimal
from typing import Any, Callable

__all__ = [
    "FOREACH_MAX_ITERATIONS", "RenderResult", "Template", "VtlBodyParseError", "VtlError",
    "VtlParseError", "VtlRuntimeError", "compile_template", "java_string", "jsonpath",
    "mock_status_code", "render",
]

#: Iterations of one ``#foreach ... #end`` loop (quotas page, REST APIs, "Can be increased: No").
FOREACH_MAX_ITERATIONS = 1000


# --------------------------------------------------------------------------------------------
# errors and result

class VtlError(Exception):
    """A mapping template could not be rendered (the request fails)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VtlParseError(VtlError):
    """The template is not valid VTL. ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(f"{message} at line {line}, column {column}" if line else message)
        self.line = line
        self.column = column


class VtlRuntimeError(VtlError):
    """Rendering failed (a Java method would have thrown, or an override was set twice)."""


class VtlBodyParseError(VtlError):
    """``$input.path``/``$input.json`` on a payload that is not JSON (API Gateway: 400)."""


class RenderResult:
    """What a template produced: ``text`` (the body), ``status_override`` (int or None, from
    ``$context.responseOverride.status``), ``header_overrides`` (from
    ``$context.responseOverride.header.<name>``) and ``request_overrides``
    (``{"header": {}, "path": {}, "querystring": {}}`` from ``$context.requestOverride``)."""

    __slots__ = ("text", "status_override", "header_overrides", "request_overrides")

    def __init__(self, text: str, status_override: int | None, header_overrides: dict[str, str],
                 request_overrides: dict[str, dict[str, str]]) -> None:
        self.text = text
        self.status_override = status_override
        self.header_overrides = header_overrides
        self.request_overrides = request_overrides

    def __repr__(self) -> str:
        return (f"RenderResult({self.text!r}, {self.status_override!r}, {self.header_overrides!r}, "
                f"{self.request_overrides!r})")


# --------------------------------------------------------------------------------------------
# Java-like values

_MISSING = object()


def _is_num(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def java_double(x: float) -> str:
    """``Double.toString``: ``1.0``, ``249.99``, ``1.0E20``, ``1.0E-5``."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    a = abs(x)
    if 1e-3 <= a < 1e7:
        r = repr(x)
        return r if "." in r else r + ".0"
    _, digits, exp = Decimal(repr(a)).as_tuple()
    ds = "".join(map(str, digits)).rstrip("0") or "0"
    e10 = len(digits) + int(exp) - 1
    return ("-" if x < 0 else "") + ds[0] + "." + (ds[1:] or "0") + "E" + str(e10)


def java_string(v: Any) -> str:
    """``String.valueOf(v)`` for the values templates handle."""
    t = type(v)
    if t is str:
        return v
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return java_double(v)
    if t is list or t is tuple:
        return "[" + ", ".join(java_string(x) for x in v) + "]"
    if t is dict:
        return "{" + ", ".join(f"{java_string(k)}={java_string(x)}" for k, x in v.items()) + "}"
    if isinstance(v, _Obj):
        return v.vtl_str()
    return str(v)


def _to_json(v: Any) -> str:
    """Compact JSON, numbers as Java prints them (``$input.json``)."""
    t = type(v)
    if t is str:
        return json.dumps(v, ensure_ascii=False)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return java_double(v)
    if t is list or t is tuple:
        return "[" + ",".join(_to_json(x) for x in v) + "]"
    if t is dict:
        return "{" + ",".join(json.dumps(java_string(k), ensure_ascii=False) + ":" + _to_json(x)
                              for k, x in v.items()) + "}"
    if isinstance(v, _Obj):
        return json.dumps(v.vtl_str(), ensure_ascii=False)
    return json.dumps(str(v), ensure_ascii=False)


def _truthy(v: Any) -> bool:
    if v is None:
        return False
    if type(v) is bool:
        return v
    return True


def _equals(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if _is_num(a) and _is_num(b):
        return bool(a == b)
    if type(a) is type(b):
        return bool(a == b)
    return java_string(a) == java_string(b)


def _java_equals(a: Any, b: Any) -> bool:
    """``a.equals(b)``: same class and value (Integer 1 is not Double 1.0)."""
    return type(a) is type(b) and bool(a == b)


def _iterable(v: Any) -> list[Any] | None:
    t = type(v)
    if t is list:
        return v
    if t is tuple:
        return list(v)
    if t is dict:
        return list(v.values())
    if isinstance(v, _Obj):
        return v.vtl_iter()
    return None


class _Obj:
    """An object with Java-like members (``$input``, ``$util``, ``$context``...)."""

    def vtl_get(self, name: str) -> Any:
        return None

    def vtl_set(self, name: str, value: Any) -> bool:
        return False

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "toString" and not args:
            return self.vtl_str()
        return None

    def vtl_str(self) -> str:
        return object.__repr__(self)

    def vtl_iter(self) -> list[Any] | None:
        return None


class _Entry(_Obj):
    """A ``Map.Entry`` from ``entrySet()``."""

    __slots__ = ("key", "value")

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def vtl_get(self, name: str) -> Any:
        if name == "key":
            return self.key
        if name == "value":
            return self.value
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if not args and name in ("getKey", "getValue"):
            return self.key if name == "getKey" else self.value
        return super().vtl_call(name, args)

    def vtl_str(self) -> str:
        return f"{java_string(self.key)}={java_string(self.value)}"


# --------------------------------------------------------------------------------------------
# Java regexes and strings

_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _java_regex(rx: Any) -> re.Pattern[str]:
    if type(rx) is not str:
        raise VtlRuntimeError(f"regex must be a String, got {java_string(rx)}")
    p = _REGEX_CACHE.get(rx)
    if p is None:
        src = re.sub(r"\\Q(.*?)(?:\\E|$)", lambda m: re.escape(m.group(1)), rx, flags=re.S)
        try:
            p = re.compile(src)
        except re.error as e:
            raise VtlRuntimeError(f"java.util.regex.PatternSyntaxException: {e} near index {e.pos}: {rx}") from None
        if len(_REGEX_CACHE) > 512:
            _REGEX_CACHE.clear()
        _REGEX_CACHE[rx] = p
    return p


def _java_replacement(rep: Any) -> Callable[[re.Match[str]], str]:
    """``Matcher.appendReplacement`` syntax: ``$1``, ``${name}``, ``\\x`` is a literal x."""
    if type(rep) is not str:
        raise VtlRuntimeError("replacement must be a String")
    parts: list[Any] = []
    buf: list[str] = []
    i, n = 0, len(rep)
    while i < n:
        c = rep[i]
        if c == "\\":
            if i + 1 >= n:
                raise VtlRuntimeError("java.lang.IllegalArgumentException: character to be escaped is missing")
            buf.append(rep[i + 1])
            i += 2
        elif c == "$":
            m = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}|(\d)").match(rep, i + 1)
            if not m:
                raise VtlRuntimeError("java.lang.IllegalArgumentException: Illegal group reference")
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(m.group(1) if m.group(1) else int(m.group(2)))
            i = m.end()
        else:
            buf.append(c)
            i += 1
    if buf:
        parts.append("".join(buf))

    def fn(m: re.Match[str]) -> str:
        out = []
        for p in parts:
            if type(p) is str:
                out.append(p)
            else:
                try:
                    out.append(m.group(p) or "")
                except (IndexError, re.error):
                    raise VtlRuntimeError(f"java.lang.IndexOutOfBoundsException: No group {p}") from None
        return "".join(out)
    return fn


def _java_split(s: str, rx: Any, limit: int = 0) -> list[str]:
    if s == "":
        return [""]
    p = _java_regex(rx)
    out: list[str] = []
    idx = 0
    for m in p.finditer(s):
        if limit > 0 and len(out) >= limit - 1:
            break
        if m.end() == 0:
            continue  # a zero-width match at the start yields no leading empty string (Java 8+)
        if m.start() == m.end() and m.start() >= len(s):
            break
        out.append(s[idx:m.start()])
        idx = m.end()
    if not out:
        return [s]
    out.append(s[idx:])
    if limit == 0:
        while out and out[-1] == "":
            out.pop()
    return out


def _check_int(*vals: Any) -> bool:
    return all(type(v) is int for v in vals)


def _substring(s: str, b: Any, e: Any = _MISSING) -> Any:
    if e is _MISSING:
        e = len(s)
    if not _check_int(b, e):
        return None
    if b < 0 or e > len(s) or b > e:
        raise VtlRuntimeError(f"java.lang.StringIndexOutOfBoundsException: begin {b}, end {e}, length {len(s)}")
    return s[b:e]


def _char_at(s: str, i: Any) -> Any:
    if not _check_int(i):
        return None
    if not 0 <= i < len(s):
        raise VtlRuntimeError(f"java.lang.StringIndexOutOfBoundsException: index {i}, length {len(s)}")
    return s[i]


def _index_of(s: str, sub: Any, frm: Any = 0) -> Any:
    if type(sub) is not str or not _check_int(frm):
        return None
    return s.find(sub, max(frm, 0))


def _last_index_of(s: str, sub: Any, frm: Any = _MISSING) -> Any:
    if type(sub) is not str:
        return None
    if frm is _MISSING:
        return s.rfind(sub)
    if not _check_int(frm) or frm < 0:
        return -1 if _check_int(frm) else None
    return s.rfind(sub, 0, frm + len(sub))


def _str_replace(s: str, a: Any, b: Any) -> Any:
    if type(a) is not str or type(b) is not str:
        return None
    return s.replace(a, b)


def _java_trim(s: str) -> str:
    i, j = 0, len(s)
    while i < j and s[i] <= " ":
        i += 1
    while j > i and s[j - 1] <= " ":
        j -= 1
    return s[i:j]


def _split(s: str, rx: Any, limit: Any = 0) -> Any:
    if not _check_int(limit):
        return None
    return _java_split(s, rx, limit)


def _matches(s: str, rx: Any) -> bool:
    return _java_regex(rx).fullmatch(s) is not None


def _eq_ic(s: str, o: Any) -> bool:
    return type(o) is str and s.lower() == o.lower()


def _str_bool(f: Callable[[str, str], bool]) -> Callable[[str, Any], Any]:
    def g(s: str, o: Any) -> Any:
        return f(s, o) if type(o) is str else None
    return g


_STR_METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "length": (len, 0, 0),
    "isEmpty": (lambda s: len(s) == 0, 0, 0),
    "substring": (_substring, 1, 2),
    "toLowerCase": (str.lower, 0, 0),
    "toUpperCase": (str.upper, 0, 0),
    "replace": (_str_replace, 2, 2),
    "replaceAll": (lambda s, rx, rep: _java_regex(rx).sub(_java_replacement(rep), s), 2, 2),
    "replaceFirst": (lambda s, rx, rep: _java_regex(rx).sub(_java_replacement(rep), s, count=1), 2, 2),
    "split": (_split, 1, 2),
    "trim": (_java_trim, 0, 0),
    "strip": (str.strip, 0, 0),
    "startsWith": (_str_bool(str.startswith), 1, 1),
    "endsWith": (_str_bool(str.endswith), 1, 1),
    "contains": (_str_bool(lambda s, o: o in s), 1, 1),
    "equals": (_java_equals, 1, 1),
    "equalsIgnoreCase": (_eq_ic, 1, 1),
    "indexOf": (_index_of, 1, 2),
    "lastIndexOf": (_last_index_of, 1, 2),
    "charAt": (_char_at, 1, 1),
    "concat": (lambda s, o: s + o if type(o) is str else None, 1, 1),
    "matches": (_matches, 1, 1),
    "toString": (lambda s: s, 0, 0),
    "hashCode": (lambda s: _java_hash(s), 0, 0),
}


def _java_hash(s: str) -> int:
    """``String.hashCode()`` over UTF-16 code units."""
    b = s.encode("utf-16-be", "surrogatepass")
    h = 0
    for i in range(0, len(b), 2):
        h = (31 * h + ((b[i] << 8) | b[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= (1 << 31) else h


def _list_get(v: list[Any], i: Any) -> Any:
    if not _check_int(i):
        return None
    if not 0 <= i < len(v):
        raise VtlRuntimeError(f"java.lang.IndexOutOfBoundsException: Index {i} out of bounds for length {len(v)}")
    return v[i]


def _list_add(v: list[Any], a: Any, b: Any = _MISSING) -> Any:
    if b is _MISSING:
        v.append(a)
        return True
    if not _check_int(a) or not 0 <= a <= len(v):
        raise VtlRuntimeError("java.lang.IndexOutOfBoundsException")
    v.insert(a, b)
    return None


def _list_add_all(v: list[Any], other: Any) -> Any:
    items = _iterable(other)
    if items is None:
        return None
    v.extend(items)
    return bool(items)


def _list_set(v: list[Any], i: Any, x: Any) -> Any:
    old = _list_get(v, i)
    v[i] = x
    return old


def _list_remove(v: list[Any], x: Any) -> Any:
    if type(x) is int:
        return v.pop(x) if 0 <= x < len(v) else _list_get(v, x)
    for k, y in enumerate(v):
        if _java_equals(y, x):
            del v[k]
            return True
    return False


def _list_index_of(v: list[Any], x: Any) -> int:
    for k, y in enumerate(v):
        if _java_equals(y, x):
            return k
    return -1


def _sub_list(v: list[Any], a: Any, b: Any) -> Any:
    if not _check_int(a, b):
        return None
    if a < 0 or b > len(v) or a > b:
        raise VtlRuntimeError("java.lang.IndexOutOfBoundsException")
    return v[a:b]


_LIST_METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "size": (len, 0, 0),
    "isEmpty": (lambda v: len(v) == 0, 0, 0),
    "get": (_list_get, 1, 1),
    "contains": (lambda v, x: any(_java_equals(y, x) for y in v), 1, 1),
    "indexOf": (_list_index_of, 1, 1),
    "add": (_list_add, 1, 2),
    "addAll": (_list_add_all, 1, 1),
    "set": (_list_set, 2, 2),
    "remove": (_list_remove, 1, 1),
    "clear": (lambda v: v.clear(), 0, 0),
    "subList": (_sub_list, 2, 2),
    "toString": (java_string, 0, 0),
    "equals": (_java_equals, 1, 1),
}


def _map_put(m: dict[Any, Any], k: Any, v: Any) -> Any:
    old = m.get(k)
    m[k] = v
    return old


def _map_put_all(m: dict[Any, Any], o: Any) -> None:
    if type(o) is dict:
        m.update(o)


_MAP_METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "get": (lambda m, k: m.get(k) if k is None or isinstance(k, (str, int, float, bool)) else None, 1, 1),
    "containsKey": (lambda m, k: k in m if isinstance(k, (str, int, float, bool)) else False, 1, 1),
    "containsValue": (lambda m, x: any(_java_equals(y, x) for y in m.values()), 1, 1),
    "keySet": (lambda m: list(m.keys()), 0, 0),
    "values": (lambda m: list(m.values()), 0, 0),
    "entrySet": (lambda m: [_Entry(k, x) for k, x in m.items()], 0, 0),
    "size": (len, 0, 0),
    "isEmpty": (lambda m: len(m) == 0, 0, 0),
    "put": (_map_put, 2, 2),
    "putAll": (_map_put_all, 1, 1),
    "remove": (lambda m, k: m.pop(k, None) if isinstance(k, (str, int, float, bool)) else None, 1, 1),
    "toString": (java_string, 0, 0),
    "equals": (_java_equals, 1, 1),
}

_NUM_METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "toString": (java_string, 0, 0),
    "intValue": (lambda x: int(x), 0, 0),
    "longValue": (lambda x: int(x), 0, 0),
    "doubleValue": (lambda x: float(x), 0, 0),
    "equals": (_java_equals, 1, 1),
}

_BOOL_METHODS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "toString": (java_string, 0, 0),
    "booleanValue": (lambda x: x, 0, 0),
    "equals": (_java_equals, 1, 1),
}

_METHODS_BY_TYPE: dict[type, dict[str, tuple[Callable[..., Any], int, int]]] = {
    str: _STR_METHODS, list: _LIST_METHODS, dict: _MAP_METHODS, int: _NUM_METHODS,
    float: _NUM_METHODS, bool: _BOOL_METHODS,
}


def _call(v: Any, name: str, args: list[Any]) -> Any:
    table = _METHODS_BY_TYPE.get(type(v))
    if table is None:
        if isinstance(v, _Obj):
            return v.vtl_call(name, args)
        if type(v) is tuple:
            return _call(list(v), name, args)
        return None
    entry = table.get(name)
    if entry is None:
        return None  # Velocity: no such method -> null (logged)
    fn, lo, hi = entry
    if not lo <= len(args) <= hi:
        return None
    return fn(v, *args)


def _get_prop(v: Any, name: str) -> Any:
    t = type(v)
    if t is dict:
        return v.get(name)
    if isinstance(v, _Obj):
        return v.vtl_get(name)
    if name == "empty" and (t is str or t is list):  # isEmpty() as a boolean property
        return len(v) == 0
    return None


def _get_index(v: Any, i: Any) -> Any:
    t = type(v)
    if t is list or t is tuple:
        if type(i) is not int:
            return None
        if i < 0:
            i += len(v)
        if not 0 <= i < len(v):
            raise VtlRuntimeError(f"java.lang.IndexOutOfBoundsException: Index {i} out of bounds for length {len(v)}")
        return v[i]
    if t is dict:
        return v.get(i) if isinstance(i, (str, int, float, bool)) else None
    if isinstance(v, _Obj):
        return v.vtl_get(i) if type(i) is str else None
    return None


# --------------------------------------------------------------------------------------------
# JSONPath (the subset API Gateway templates use)

_JP_CACHE: dict[str, list[tuple[str, Any]]] = {}
_JP_NAME = re.compile(r"[^.\[\]\s]+")


def _jp_compile(path: str) -> list[tuple[str, Any]]:
    steps = _JP_CACHE.get(path)
    if steps is not None:
        return steps
    p = path.strip()
    if not p.startswith("$") and not p.startswith("@"):
        p = "$." + p  # Jayway JsonPath prefixes relative paths with "$."
    i, n = 1, len(p)
    out: list[tuple[str, Any]] = []
    while i < n:
        c = p[i]
        if p.startswith("..", i):
            i += 2
            if i < n and p[i] == "*":
                out.append(("deep", None))
                i += 1
                continue
            if i < n and p[i] == "[":
                out.append(("deep", None))
                continue
            m = _JP_NAME.match(p, i)
            if not m:
                raise VtlRuntimeError(f"Invalid JSONPath {path!r}")
            out.append(("deepname", m.group()))
            i = m.end()
        elif c == ".":
            i += 1
            if i < n and p[i] == "*":
                out.append(("wild", None))
                i += 1
                continue
            m = _JP_NAME.match(p, i)
            if not m:
                raise VtlRuntimeError(f"Invalid JSONPath {path!r}")
            out.append(("name", m.group()))
            i = m.end()
        elif c == "[":
            j = p.find("]", i)
            if j < 0:
                raise VtlRuntimeError(f"Invalid JSONPath {path!r}: missing ]")
            inner = p[i + 1:j].strip()
            i = j + 1
            if inner == "*":
                out.append(("wild", None))
            elif inner[:1] in ("'", '"'):
                names = [x.strip()[1:-1] for x in inner.split(",")]
                out.append(("name", names[0]) if len(names) == 1 else ("names", names))
            elif re.fullmatch(r"-?\d+", inner):
                out.append(("index", int(inner)))
            elif re.fullmatch(r"-?\d*:-?\d*", inner):
                a, b = inner.split(":")
                out.append(("slice", (int(a) if a else None, int(b) if b else None)))
            elif re.fullmatch(r"-?\d+(\s*,\s*-?\d+)+", inner):
                out.append(("indexes", [int(x) for x in inner.split(",")]))
            else:
                raise VtlRuntimeError(f"Unsupported JSONPath {path!r} (filters are not modelled)")
        else:
            raise VtlRuntimeError(f"Invalid JSONPath {path!r}")
    if len(_JP_CACHE) > 1024:
        _JP_CACHE.clear()
    _JP_CACHE[path] = out
    return out


def _jp_deep(v: Any, acc: list[Any]) -> None:
    acc.append(v)
    if type(v) is dict:
        for x in v.values():
            _jp_deep(x, acc)
    elif type(v) is list:
        for x in v:
            _jp_deep(x, acc)


def jsonpath(doc: Any, path: str) -> tuple[Any, bool]:
    """Evaluate ``path`` on ``doc``: ``(value, found)``. A definite path gives its value; one
    with ``*``, ``..``, slices or unions gives the list of matches (always found)."""
    steps = _jp_compile(path)
    cur: list[Any] = [doc]
    definite = True
    for kind, arg in steps:
        nxt: list[Any] = []
        if kind == "name":
            for v in cur:
                if type(v) is dict and arg in v:
                    nxt.append(v[arg])
        elif kind == "names":
            definite = False
            for v in cur:
                if type(v) is dict:
                    nxt.extend(v[k] for k in arg if k in v)
        elif kind == "index":
            for v in cur:
                if type(v) is list and -len(v) <= arg < len(v):
                    nxt.append(v[arg])
        elif kind == "indexes":
            definite = False
            for v in cur:
                if type(v) is list:
                    nxt.extend(v[k] for k in arg if -len(v) <= k < len(v))
        elif kind == "slice":
            definite = False
            for v in cur:
                if type(v) is list:
                    nxt.extend(v[arg[0]:arg[1]])
        elif kind == "wild":
            definite = False
            for v in cur:
                if type(v) is dict:
                    nxt.extend(v.values())
                elif type(v) is list:
                    nxt.extend(v)
        elif kind == "deep":
            definite = False
            for v in cur:
                acc: list[Any] = []
                _jp_deep(v, acc)
                nxt.extend(acc)
        else:  # deepname
            definite = False
            for v in cur:
                acc = []
                _jp_deep(v, acc)
                nxt.extend(x[arg] for x in acc if type(x) is dict and arg in x)
        cur = nxt
    if definite:
        return (cur[0], True) if cur else (None, False)
    return cur, True


# --------------------------------------------------------------------------------------------
# $input, $util, $context

class _Input(_Obj):
    __slots__ = ("body", "_params", "_params_src", "_doc")

    def __init__(self, body: str, params: dict[str, dict[str, str]] | None) -> None:
        self.body = body
        self._params_src = params
        self._params: dict[str, dict[str, str]] | None = None
        self._doc: Any = _MISSING

    def doc(self) -> Any:
        d = self._doc
        if d is _MISSING:
            text = self.body
            if not text.strip():
                d = {}
            else:
                try:
                    d = json.loads(text)
                except ValueError as e:
                    raise VtlBodyParseError(
                        f"Could not parse request body into json: Could not parse payload into json: {e}") from None
            self._doc = d
        return d

    def all_params(self) -> dict[str, dict[str, str]]:
        p = self._params
        if p is None:
            src = self._params_src or {}
            p = {"path": dict(src.get("path") or {}), "querystring": dict(src.get("querystring") or {}),
                 "header": dict(src.get("header") or {})}
            self._params = p
        return p

    def param(self, name: Any) -> str:
        src = self._params_src or {}
        key = java_string(name)
        for kind in ("path", "querystring", "header"):
            d = src.get(kind)
            if d and key in d:
                return d[key]
        return ""

    def vtl_get(self, name: str) -> Any:
        if name == "body":
            return self.body
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        n = len(args)
        if name == "json" and n == 1:
            value, found = jsonpath(self.doc(), java_string(args[0]))
            return _to_json(value) if found else '""'
        if name == "path" and n == 1:
            return jsonpath(self.doc(), java_string(args[0]))[0]
        if name == "params":
            if n == 0:
                return self.all_params()
            if n == 1:
                return self.param(args[0])
        if name == "getBody" and n == 0:
            return self.body
        return super().vtl_call(name, args)

    def vtl_str(self) -> str:
        return "$input"


def _escape_js(s: str) -> str:
    """Apache Commons Lang 2 ``StringEscapeUtils.escapeJavaScript``."""
    out = []
    for ch in s:
        o = ord(ch)
        if o > 0xFFFF:
            o -= 0x10000
            out.append("\\u%04X\\u%04X" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
        elif o > 0x7F:
            out.append("\\u%04X" % o)
        elif o < 32:
            esc = _JS_CTRL.get(ch)
            out.append(esc if esc else "\\u%04X" % o)
        elif ch in "'\"\\/":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


_JS_CTRL = {"\b": "\\b", "\n": "\\n", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def _url_encode(s: str) -> str:
    """``java.net.URLEncoder.encode(s, "UTF-8")``: ``[A-Za-z0-9.*_-]`` kept, space -> ``+``."""
    return urllib.parse.quote_plus(s, safe="*").replace("~", "%7E")


class _Util(_Obj):
    __slots__ = ()

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if len(args) != 1:
            return super().vtl_call(name, args)
        a = args[0]
        if a is None:
            return None
        s = java_string(a)
        if name == "escapeJavaScript":
            return _escape_js(s)
        if name == "parseJson":
            try:
                return json.loads(s)
            except ValueError as e:
                raise VtlRuntimeError(f"$util.parseJson: invalid JSON: {e}") from None
        if name == "urlEncode":
            return _url_encode(s)
        if name == "urlDecode":
            return urllib.parse.unquote_plus(s, errors="strict") if "%" in s or "+" in s else s
        if name == "base64Encode":
            return base64.b64encode(s.encode("utf-8")).decode("ascii")
        if name == "base64Decode":
            try:
                return base64.b64decode(s.encode("ascii"), validate=False).decode("utf-8", "replace")
            except (ValueError, UnicodeEncodeError) as e:
                raise VtlRuntimeError(f"$util.base64Decode: {e}") from None
        return None  # "When a non-existent function is referenced, no error is shown"

    def vtl_str(self) -> str:
        return "$util"


class _OverrideMap(_Obj):
    """``$context.responseOverride.header`` and the ``requestOverride`` maps: each key may be
    set once ("Overrides are final")."""

    __slots__ = ("data", "what")

    def __init__(self, what: str) -> None:
        self.what = what
        self.data: dict[str, str] = {}

    def vtl_get(self, name: str) -> Any:
        return self.data.get(name)

    def vtl_set(self, name: str, value: Any) -> bool:
        if name in self.data:
            raise VtlRuntimeError(f"$context.{self.what}.{name} was overridden more than once")
        self.data[name] = java_string(value)
        return True

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "put" and len(args) == 2:
            old = self.data.get(java_string(args[0]))
            self.vtl_set(java_string(args[0]), args[1])
            return old
        return _call(self.data, name, args)

    def vtl_str(self) -> str:
        return java_string(self.data)

    def vtl_iter(self) -> list[Any] | None:
        return list(self.data.values())


class _ResponseOverride(_Obj):
    __slots__ = ("status", "header")

    def __init__(self) -> None:
        self.status: int | None = None
        self.header = _OverrideMap("responseOverride.header")

    def vtl_get(self, name: str) -> Any:
        if name == "status":
            return self.status
        if name == "header":
            return self.header
        return None

    def vtl_set(self, name: str, value: Any) -> bool:
        if name != "status":
            return False
        if self.status is not None:
            raise VtlRuntimeError("$context.responseOverride.status was overridden more than once")
        try:
            code = value if type(value) is int else int(java_string(value).strip())
        except ValueError:
            raise VtlRuntimeError(f"$context.responseOverride.status is not a status code: {java_string(value)}") from None
        self.status = code
        return True

    def vtl_str(self) -> str:
        return java_string({"status": self.status, "header": self.header.data})


class _RequestOverride(_Obj):
    __slots__ = ("maps",)

    def __init__(self) -> None:
        self.maps = {k: _OverrideMap("requestOverride." + k) for k in ("header", "path", "querystring")}

    def vtl_get(self, name: str) -> Any:
        return self.maps.get(name)

    def vtl_str(self) -> str:
        return java_string({k: m.data for k, m in self.maps.items()})


class _Context(_Obj):
    __slots__ = ("base", "local", "response", "request")

    def __init__(self, base: dict[str, Any] | None) -> None:
        self.base = base or {}
        self.local: dict[str, Any] | None = None
        self.response: _ResponseOverride | None = None
        self.request: _RequestOverride | None = None

    def vtl_get(self, name: str) -> Any:
        if self.local is not None and name in self.local:
            return self.local[name]
        if name == "responseOverride":
            if self.response is None:
                self.response = _ResponseOverride()
            return self.response
        if name == "requestOverride":
            if self.request is None:
                self.request = _RequestOverride()
            return self.request
        return self.base.get(name)

    def vtl_set(self, name: str, value: Any) -> bool:
        if name in ("responseOverride", "requestOverride"):
            return False
        if self.local is None:
            self.local = {}
        self.local[name] = value
        return True

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if name == "get" and len(args) == 1 and type(args[0]) is str:
            return self.vtl_get(args[0])
        if name in ("keySet", "size", "isEmpty", "containsKey"):
            merged = dict(self.base)
            if self.local:
                merged.update(self.local)
            return _call(merged, name, args)
        return super().vtl_call(name, args)

    def vtl_str(self) -> str:
        merged = dict(self.base)
        if self.local:
            merged.update(self.local)
        return java_string(merged)


class _Foreach(_Obj):
    __slots__ = ("index", "has_next", "parent")

    def __init__(self, parent: Any) -> None:
        self.index = 0
        self.has_next = False
        self.parent = parent

    def vtl_get(self, name: str) -> Any:
        if name == "hasNext":
            return self.has_next
        if name == "index":
            return self.index
        if name == "count":
            return self.index + 1
        if name == "first":
            return self.index == 0
        if name == "last":
            return not self.has_next
        if name == "parent":
            return self.parent
        return None

    def vtl_call(self, name: str, args: list[Any]) -> Any:
        if not args:
            prop = {"hasNext": "hasNext", "getIndex": "index", "getCount": "count", "isFirst": "first",
                    "isLast": "last", "getParent": "parent", "getHasNext": "hasNext"}.get(name)
            if prop is not None:
                return self.vtl_get(prop)
        return super().vtl_call(name, args)

    def vtl_str(self) -> str:
        return "$foreach"


_UTIL = _Util()


# --------------------------------------------------------------------------------------------
# evaluation scope and control flow

class _Scope:
    __slots__ = ("vars", "literal", "context")

    def __init__(self, vars_: dict[str, Any], literal: bool, context: _Context) -> None:
        self.vars = vars_
        self.literal = literal
        self.context = context


class _Break(Exception):
    pass


class _Stop(Exception):
    pass


Render = Callable[[_Scope, list[str]], None]
Eval = Callable[[_Scope], Any]
Step = Callable[[Any, _Scope], Any]


def _block(items: list[Any]) -> Render:
    """Merge adjacent text; one closure for the block."""
    merged: list[Any] = []
    for it in items:
        if type(it) is str:
            if not it:
                continue
            if merged and type(merged[-1]) is str:
                merged[-1] += it
                continue
        merged.append(it)
    if not merged:
        return lambda sc, out: None
    if len(merged) == 1:
        only = merged[0]
        if type(only) is str:
            return lambda sc, out: out.append(only)
        return only  # type: ignore[no-any-return]
    seq = tuple(merged)

    def run(sc: _Scope, out: list[str]) -> None:
        for f in seq:
            if f.__class__ is str:
                out.append(f)
            else:
                f(sc, out)
    return run


# --------------------------------------------------------------------------------------------
# parser

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_DIRECTIVE = re.compile(r"#(?:\{([A-Za-z]+)\}|([A-Za-z]+))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
             "le": "<=", "ge": ">="}
_UNSUPPORTED = {"macro", "define", "parse", "include", "evaluate"}
_EOL_GOBBLE = re.compile(r"[ \t]*(?:\r\n|\n|\r)")
_LINE_START_WS = re.compile(r"(?:^|(?<=\n)|(?<=\r))[ \t]*\Z")


class _Parser:
    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)

    # -- helpers
    def err(self, msg: str, i: int) -> VtlParseError:
        line = self.s.count("\n", 0, i) + 1
        col = i - (self.s.rfind("\n", 0, i) + 1) + 1
        return VtlParseError(f"Encountered {msg}", line, col)

    def ws(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n and s[i] in " \t\r\n":
            i += 1
        return i

    def gobble_eol(self, i: int) -> int:
        m = _EOL_GOBBLE.match(self.s, i)
        return m.end() if m else i

    # -- template text
    def parse_template(self) -> Render:
        items, term, i = self.parse_block(0, ())
        return _block(items)

    def parse_block(self, i: int, terms: tuple[str, ...]) -> tuple[list[Any], str, int]:
        """Parse until one of ``terms`` (a directive name) or the end. Returns the items, the
        terminator found ("" at the end of input) and the index after the terminator."""
        s, n = self.s, self.n
        items: list[Any] = []
        text: list[str] = []
        start = i

        def flush() -> None:
            if text:
                items.append("".join(text))
                text.clear()

        while i < n:
            c = s[i]
            if c == "$":
                ref = self.parse_ref(i)
                if ref is None:
                    text.append("$")
                    i += 1
                    continue
                fn, i = ref
                flush()
                items.append(fn)
            elif c == "#":
                if s.startswith("##", i):
                    j = s.find("\n", i)
                    i = n if j < 0 else j + 1
                    continue
                if s.startswith("#*", i):
                    j = s.find("*#", i + 2)
                    if j < 0:
                        raise self.err("an unterminated #* comment", i)
                    i = j + 2
                    continue
                if s.startswith("#[[", i):
                    j = s.find("]]#", i + 3)
                    if j < 0:
                        raise self.err("an unterminated #[[ block", i)
                    text.append(s[i + 3:j])
                    i = j + 3
                    continue
                m = _DIRECTIVE.match(s, i)
                name = (m.group(1) or m.group(2)) if m else ""
                if name in ("end", "else", "elseif"):
                    if name not in terms:
                        raise self.err(f'"#{name}" without a matching #if/#foreach', i)
                    flush()
                    assert m is not None
                    j = m.end()
                    if name != "elseif":
                        j = self.gobble_eol(j)
                    return items, name, j
                if name == "set":
                    assert m is not None
                    # "#set" eats the spaces/tabs before it when they start a line/token
                    if text:
                        joined = "".join(text)
                        ws = _LINE_START_WS.search(joined)
                        text.clear()
                        text.append(joined[:ws.start()] if ws else joined)
                    elif items and type(items[-1]) is str:
                        ws = _LINE_START_WS.search(items[-1])
                        if ws and ws.start() > 0:
                            items[-1] = items[-1][:ws.start()]
                    flush()
                    fn, i = self.parse_set(m.end(), i)
                    items.append(fn)
                elif name == "if":
                    assert m is not None
                    flush()
                    fn, i = self.parse_if(m.end(), i)
                    items.append(fn)
                elif name == "foreach":
                    assert m is not None
                    flush()
                    fn, i = self.parse_foreach(m.end(), i)
                    items.append(fn)
                elif name in ("break", "stop"):
                    assert m is not None
                    flush()
                    j = m.end()
                    if name == "break" and s.startswith("(", j):
                        k = s.find(")", j)
                        j = n if k < 0 else k + 1
                    items.append(_break_fn if name == "break" else _stop_fn)
                    i = j
                elif name in _UNSUPPORTED:
                    raise self.err(f'"#{name}", a directive API Gateway templates do not support here', i)
                else:
                    text.append("#")
                    i += 1
            elif c == "\\":
                j = i
                while j < n and s[j] == "\\":
                    j += 1
                k = j - i
                if j < n and s[j] == "$":
                    parts = self.parse_ref_parts(j)
                    if parts is not None:
                        root, steps, quiet, _, end = parts
                        flush()
                        items.append(_escaped_ref(root, steps, quiet, s[j:end], k))
                        i = end
                        continue
                if j < n and s[j] == "#" and k % 2 == 1:
                    m = _DIRECTIVE.match(s, j)
                    if m and (m.group(1) or m.group(2)) in ("set", "if", "elseif", "else", "end", "foreach",
                                                           "break", "stop", "macro", "define", "parse",
                                                           "include", "evaluate"):
                        text.append("\\" * (k // 2) + m.group())
                        i = m.end()
                        continue
                text.append(s[i:j])
                i = j
            else:
                j = i + 1
                while j < n and s[j] not in "$#\\":
                    j += 1
                text.append(s[i:j])
                i = j
        if terms:
            raise self.err(f'the end of the template: "#end" missing for the block opened', start)
        flush()
        return items, "", i

    # -- directives
    def open_paren(self, i: int, at: int, what: str) -> int:
        j = i
        while j < self.n and self.s[j] in " \t":
            j += 1
        if j >= self.n or self.s[j] != "(":
            raise self.err(f'"#{what}" without "("', at)
        return j + 1

    def close_paren(self, i: int, at: int) -> int:
        i = self.ws(i)
        if i >= self.n or self.s[i] != ")":
            raise self.err('a missing ")"', i)
        return self.gobble_eol(i + 1)

    def parse_set(self, i: int, at: int) -> tuple[Render, int]:
        i = self.ws(self.open_paren(i, at, "set"))
        if i >= self.n or self.s[i] != "$":
            raise self.err("#set without a reference on its left side", i)
        lhs = self.parse_ref_parts(i)
        if lhs is None:
            raise self.err("#set without a reference on its left side", i)
        root, steps, _, _, i = lhs
        i = self.ws(i)
        if i >= self.n or self.s[i] != "=":
            raise self.err('#set without "="', i)
        rhs, i = self.parse_expr(i + 1)
        i = self.close_paren(i, at)
        return _set_fn(root, steps, rhs), i

    def parse_if(self, i: int, at: int) -> tuple[Render, int]:
        i = self.open_paren(i, at, "if")
        cond, i = self.parse_expr(i)
        i = self.close_paren(i, at)
        branches: list[tuple[Eval, Render]] = []
        items, term, i = self.parse_block(i, ("end", "else", "elseif"))
        branches.append((cond, _block(items)))
        while term == "elseif":
            i = self.open_paren(i, i, "elseif")
            c2, i = self.parse_expr(i)
            i = self.close_paren(i, at)
            items, term, i = self.parse_block(i, ("end", "else", "elseif"))
            branches.append((c2, _block(items)))
        other: Render | None = None
        if term == "else":
            items, term, i = self.parse_block(i, ("end",))
            other = _block(items)
        return _if_fn(branches, other), i

    def parse_foreach(self, i: int, at: int) -> tuple[Render, int]:
        i = self.ws(self.open_paren(i, at, "foreach"))
        var = self.parse_ref_parts(i)
        if var is None or var[1]:
            raise self.err("#foreach without a loop variable", i)
        name, i = var[0], var[4]
        i = self.ws(i)
        if not self.s.startswith("in", i) or (i + 2 < self.n and (self.s[i + 2].isalnum() or self.s[i + 2] == "_")):
            raise self.err('#foreach without "in"', i)
        coll, i = self.parse_expr(i + 2)
        i = self.close_paren(i, at)
        items, _, i = self.parse_block(i, ("end",))
        return _foreach_fn(name, coll, _block(items)), i

    # -- references
    def parse_ref_parts(self, i: int) -> tuple[str, list[Step], bool, int, int] | None:
        """``$[!][{]name(.prop|.call(args)|[expr])*[}]`` at ``i``: (root, steps, quiet, start,
        end) or None when no reference starts here."""
        s, n = self.s, self.n
        j = i + 1
        quiet = False
        if j < n and s[j] == "!":
            quiet = True
            j += 1
        brace = j < n and s[j] == "{"
        if brace:
            j += 1
        m = _IDENT.match(s, j)
        if not m:
            return None
        root = m.group()
        j = m.end()
        steps: list[Step] = []
        while j < n:
            c = s[j]
            if c == ".":
                m2 = _IDENT.match(s, j + 1)
                if not m2:
                    break
                k = m2.end()
                name = m2.group()
                if k < n and s[k] == "(":
                    args, k = self.parse_args(k + 1, ")")
                    steps.append(_call_step(name, args))
                else:
                    steps.append(_prop_step(name))
                j = k
            elif c == "[":
                try:
                    idx, k = self.parse_expr(j + 1)
                    k = self.ws(k)
                except VtlParseError:
                    break
                if k >= n or s[k] != "]":
                    break
                steps.append(_index_step(idx))
                j = k + 1
            else:
                break
        if brace:
            if j < n and s[j] == "}":
                j += 1
            else:
                raise self.err('a reference "${" without its "}"', i)
        return root, steps, quiet, i, j

    def parse_ref(self, i: int) -> tuple[Render, int] | None:
        parts = self.parse_ref_parts(i)
        if parts is None:
            return None
        root, steps, quiet, start, end = parts
        return _ref_render(root, steps, quiet, self.s[start:end]), end

    def parse_args(self, i: int, close: str) -> tuple[list[Eval], int]:
        args: list[Eval] = []
        i = self.ws(i)
        if i < self.n and self.s[i] == close:
            return args, i + 1
        while True:
            e, i = self.parse_expr(i)
            args.append(e)
            i = self.ws(i)
            if i < self.n and self.s[i] == ",":
                i += 1
                continue
            if i < self.n and self.s[i] == close:
                return args, i + 1
            raise self.err(f'a missing "{close}"', i)

    # -- expressions
    def parse_expr(self, i: int) -> tuple[Eval, int]:
        return self.parse_or(i)

    def op(self, i: int, ops: tuple[str, ...]) -> tuple[str, int] | None:
        i = self.ws(i)
        s = self.s
        for o in ops:
            if o.isalpha():
                if s.startswith(o, i) and not (i + len(o) < self.n and (s[i + len(o)].isalnum() or s[i + len(o)] == "_")):
                    return _WORD_OPS[o], i + len(o)
            elif s.startswith(o, i):
                if o in ("<", ">", "!", "=") and s.startswith("=", i + 1) and o != "=":
                    continue
                return o, i + len(o)
        return None

    def parse_or(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_and(i)
        while True:
            o = self.op(i, ("||", "or"))
            if o is None:
                return left, i
            right, i = self.parse_and(o[1])
            left = _or(left, right)

    def parse_and(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_eq(i)
        while True:
            o = self.op(i, ("&&", "and"))
            if o is None:
                return left, i
            right, i = self.parse_eq(o[1])
            left = _and(left, right)

    def parse_eq(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_rel(i)
        while True:
            o = self.op(i, ("==", "!=", "eq", "ne"))
            if o is None:
                return left, i
            right, i = self.parse_rel(o[1])
            left = _eq(left, right, o[0] == "!=")

    def parse_rel(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_add(i)
        while True:
            o = self.op(i, ("<=", ">=", "<", ">", "le", "ge", "lt", "gt"))
            if o is None:
                return left, i
            right, i = self.parse_add(o[1])
            left = _rel(left, right, o[0])

    def parse_add(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_mul(i)
        while True:
            o = self.op(i, ("+", "-"))
            if o is None:
                return left, i
            right, i = self.parse_mul(o[1])
            left = _arith(left, right, o[0])

    def parse_mul(self, i: int) -> tuple[Eval, int]:
        left, i = self.parse_unary(i)
        while True:
            o = self.op(i, ("*", "/", "%"))
            if o is None:
                return left, i
            right, i = self.parse_unary(o[1])
            left = _arith(left, right, o[0])

    def parse_unary(self, i: int) -> tuple[Eval, int]:
        o = self.op(i, ("!", "not"))
        if o is not None:
            e, j = self.parse_unary(o[1])
            return (lambda sc: not _truthy(e(sc))), j
        i = self.ws(i)
        if i < self.n and self.s[i] == "-" and not (i + 1 < self.n and self.s[i + 1].isdigit()):
            e, j = self.parse_unary(i + 1)
            return _neg(e), j
        return self.parse_primary(i)

    def parse_primary(self, i: int) -> tuple[Eval, int]:
        s, n = self.s, self.n
        i = self.ws(i)
        if i >= n:
            raise self.err("the end of the template inside an expression", i)
        c = s[i]
        if c == "$":
            parts = self.parse_ref_parts(i)
            if parts is None:
                raise self.err('"$" without a reference name', i)
            root, steps, _, _, j = parts
            return _ref_eval(root, steps), j
        if c == "'":
            j = s.find("'", i + 1)
            if j < 0:
                raise self.err("an unterminated string", i)
            lit = s[i + 1:j]
            return (lambda sc: lit), j + 1
        if c == '"':
            j = s.find('"', i + 1)
            if j < 0:
                raise self.err("an unterminated string", i)
            raw = s[i + 1:j]
            if "$" not in raw and "#" not in raw:
                return (lambda sc: raw), j + 1
            try:
                inner = _Parser(raw).parse_template()
            except VtlParseError as err:
                raise self.err(f"an invalid interpolated string ({err.message})", i) from None

            def interp(sc: _Scope) -> str:
                out: list[str] = []
                inner(sc, out)
                return "".join(out)
            return interp, j + 1
        if c.isdigit() or (c == "-" and i + 1 < n and s[i + 1].isdigit()):
            m = _NUMBER.match(s, i + 1 if c == "-" else i)
            assert m is not None
            text = s[i:m.end()]
            val: Any = float(text) if "." in text else int(text)
            return (lambda sc: val), m.end()
        if c == "(":
            inner_e, j = self.parse_expr(i + 1)
            j = self.ws(j)
            if j >= n or s[j] != ")":
                raise self.err('a missing ")"', j)
            return inner_e, j + 1
        if c == "[":
            j = self.ws(i + 1)
            if j < n and s[j] == "]":
                return (lambda sc: []), j + 1
            first, j = self.parse_expr(j)
            j = self.ws(j)
            if s.startswith("..", j):
                last, j = self.parse_expr(j + 2)
                j = self.ws(j)
                if j >= n or s[j] != "]":
                    raise self.err('a missing "]"', j)
                return _range(first, last), j + 1
            elems = [first]
            while j < n and s[j] == ",":
                elem, j = self.parse_expr(j + 1)
                elems.append(elem)
                j = self.ws(j)
            if j >= n or s[j] != "]":
                raise self.err('a missing "]"', j)
            tup = tuple(elems)
            return (lambda sc: [e(sc) for e in tup]), j + 1
        if c == "{":
            j = self.ws(i + 1)
            pairs: list[tuple[Eval, Eval]] = []
            if j < n and s[j] == "}":
                return (lambda sc: {}), j + 1
            while True:
                k, j = self.parse_expr(j)
                j = self.ws(j)
                if j >= n or s[j] != ":":
                    raise self.err('a missing ":" in a map literal', j)
                v, j = self.parse_expr(j + 1)
                pairs.append((k, v))
                j = self.ws(j)
                if j < n and s[j] == ",":
                    j += 1
                    continue
                if j < n and s[j] == "}":
                    break
                raise self.err('a missing "}"', j)
            ptup = tuple(pairs)
            return (lambda sc: {k(sc): v(sc) for k, v in ptup}), j + 1
        m = _IDENT.match(s, i)
        if m and m.group() in ("true", "false"):
            b = m.group() == "true"
            return (lambda sc: b), m.end()
        raise self.err(f'"{s[i:i + 10]}" where an expression was expected', i)


# --------------------------------------------------------------------------------------------
# closures

def _prop_step(name: str) -> Step:
    def step(v: Any, sc: _Scope) -> Any:
        if v.__class__ is dict:
            return v.get(name)
        return _get_prop(v, name)
    step.target = ("prop", name)  # type: ignore[attr-defined]  # read by #set
    return step


def _call_step(name: str, args: list[Eval]) -> Step:
    a = tuple(args)

    def step(v: Any, sc: _Scope) -> Any:
        return _call(v, name, [e(sc) for e in a])
    step.target = ("call", name)  # type: ignore[attr-defined]
    return step


def _index_step(idx: Eval) -> Step:
    def step(v: Any, sc: _Scope) -> Any:
        return _get_index(v, idx(sc))
    step.target = ("index", idx)  # type: ignore[attr-defined]
    return step


def _ref_eval(root: str, steps: list[Step]) -> Eval:
    st = tuple(steps)
    if not st:
        return lambda sc: sc.vars.get(root)
    if len(st) == 1:
        s0 = st[0]

        def ev1(sc: _Scope) -> Any:
            v = sc.vars.get(root)
            return None if v is None else s0(v, sc)
        return ev1

    def ev(sc: _Scope) -> Any:
        v = sc.vars.get(root)
        for step in st:
            if v is None:
                return None
            v = step(v, sc)
        return v
    return ev


def _ref_render(root: str, steps: list[Step], quiet: bool, src: str) -> Render:
    ev = _ref_eval(root, steps)

    def render(sc: _Scope, out: list[str]) -> None:
        v = ev(sc)
        if v is None:
            if sc.literal and not quiet:
                out.append(src)
        elif v.__class__ is str:
            out.append(v)
        else:
            out.append(java_string(v))
    return render


def _escaped_ref(root: str, steps: list[Step], quiet: bool, src: str, backslashes: int) -> Render:
    """``\\$a``: Velocity prints ``$a`` when ``$a`` is defined, ``\\$a`` when it is not; an
    even run of backslashes is halved and the reference rendered."""
    half = "\\" * (backslashes // 2)
    ev = _ref_eval(root, steps)
    if backslashes % 2 == 0:
        inner = _ref_render(root, steps, quiet, src)

        def even(sc: _Scope, out: list[str]) -> None:
            out.append(half)
            inner(sc, out)
        return even
    all_bs = "\\" * backslashes

    def odd(sc: _Scope, out: list[str]) -> None:
        out.append((half if ev(sc) is not None else all_bs) + src)
    return odd


def _set_fn(root: str, steps: list[Step], rhs: Eval) -> Render:
    if not steps:
        def set_var(sc: _Scope, out: list[str]) -> None:
            v = rhs(sc)
            if v is not None:  # Velocity 1.7: a null right side leaves the variable unchanged
                sc.vars[root] = v
        return set_var
    target = _ref_eval(root, steps[:-1])
    last = steps[-1]

    def set_member(sc: _Scope, out: list[str]) -> None:
        v = rhs(sc)
        if v is None:
            return
        obj = target(sc)
        if obj is None:
            return
        _assign(obj, last, v, sc)
    return set_member


def _assign(obj: Any, step: Step, value: Any, sc: _Scope) -> None:
    kind, arg = step.target  # type: ignore[attr-defined]
    if kind == "prop":
        if type(obj) is dict:
            obj[arg] = value
        elif isinstance(obj, _Obj):
            obj.vtl_set(arg, value)
    elif kind == "index":
        key = arg(sc)
        if type(obj) is dict:
            obj[key] = value
        elif type(obj) is list and type(key) is int and -len(obj) <= key < len(obj):
            obj[key] = value
        elif isinstance(obj, _Obj) and type(key) is str:
            obj.vtl_set(key, value)


def _if_fn(branches: list[tuple[Eval, Render]], other: Render | None) -> Render:
    if len(branches) == 1:
        cond, body = branches[0]
        if other is None:
            def if1(sc: _Scope, out: list[str]) -> None:
                v = cond(sc)
                if v is True or (v is not None and v is not False):
                    body(sc, out)
            return if1
    br = tuple(branches)

    def run(sc: _Scope, out: list[str]) -> None:
        for c, b in br:
            if _truthy(c(sc)):
                b(sc, out)
                return
        if other is not None:
            other(sc, out)
    return run


def _foreach_fn(var: str, coll: Eval, body: Render) -> Render:
    def run(sc: _Scope, out: list[str]) -> None:
        items = _iterable(coll(sc))
        if not items:
            return
        vars_ = sc.vars
        old_var = vars_.get(var, _MISSING)
        old_fe = vars_.get("foreach", _MISSING)
        fe = _Foreach(old_fe if isinstance(old_fe, _Foreach) else None)
        n = len(items)
        limit = min(n, FOREACH_MAX_ITERATIONS)
        try:
            vars_["foreach"] = fe
            for i in range(limit):
                fe.index = i
                fe.has_next = i + 1 < n
                item = items[i]
                if item is None:
                    vars_.pop(var, None)
                else:
                    vars_[var] = item
                try:
                    body(sc, out)
                except _Break:
                    break
        finally:
            if old_var is _MISSING:
                vars_.pop(var, None)
            else:
                vars_[var] = old_var
            if old_fe is _MISSING:
                vars_.pop("foreach", None)
            else:
                vars_["foreach"] = old_fe
    return run


def _break_fn(sc: _Scope, out: list[str]) -> None:
    raise _Break()


def _stop_fn(sc: _Scope, out: list[str]) -> None:
    raise _Stop()


def _or(a: Eval, b: Eval) -> Eval:
    return lambda sc: _truthy(a(sc)) or _truthy(b(sc))


def _and(a: Eval, b: Eval) -> Eval:
    return lambda sc: _truthy(a(sc)) and _truthy(b(sc))


def _eq(a: Eval, b: Eval, negate: bool) -> Eval:
    if negate:
        return lambda sc: not _equals(a(sc), b(sc))
    return lambda sc: _equals(a(sc), b(sc))


def _rel(a: Eval, b: Eval, op: str) -> Eval:
    def ev(sc: _Scope) -> bool:
        x, y = a(sc), b(sc)
        if not (_is_num(x) and _is_num(y)):
            return False
        if op == "<":
            return bool(x < y)
        if op == ">":
            return bool(x > y)
        if op == "<=":
            return bool(x <= y)
        return bool(x >= y)
    return ev


def _java_div(x: Any, y: Any) -> Any:
    if y == 0:
        return None  # Velocity logs the division by zero and yields null
    if type(x) is int and type(y) is int:
        q = abs(x) // abs(y)
        return q if (x >= 0) == (y >= 0) else -q
    return x / y


def _java_mod(x: Any, y: Any) -> Any:
    if y == 0:
        return None
    if type(x) is int and type(y) is int:
        return x - y * _java_div(x, y)
    return math.fmod(x, y)


def _arith(a: Eval, b: Eval, op: str) -> Eval:
    def ev(sc: _Scope) -> Any:
        x, y = a(sc), b(sc)
        if _is_num(x) and _is_num(y):
            if op == "+":
                return x + y
            if op == "-":
                return x - y
            if op == "*":
                return x * y
            if op == "/":
                return _java_div(x, y)
            return _java_mod(x, y)
        if op == "+" and (type(x) is str or type(y) is str) and x is not None and y is not None:
            return java_string(x) + java_string(y)
        return None  # Velocity: a math operation on a non-number yields null
    return ev


def _neg(e: Eval) -> Eval:
    def ev(sc: _Scope) -> Any:
        v = e(sc)
        return -v if _is_num(v) else None
    return ev


def _range(a: Eval, b: Eval) -> Eval:
    def ev(sc: _Scope) -> Any:
        x, y = a(sc), b(sc)
        if type(x) is not int or type(y) is not int:
            return None
        return list(range(x, y + 1)) if x <= y else list(range(x, y - 1, -1))
    return ev


# --------------------------------------------------------------------------------------------
# public API

class Template:
    """A compiled mapping template. ``render`` is O(size of the output) plus what the
    template's loops and methods do; the text is never re-parsed."""

    __slots__ = ("source", "_fn")

    def __init__(self, source: str) -> None:
        self.source = source
        self._fn = _Parser(source).parse_template()

    def render(self, *, body: str | bytes | None = "", params: dict[str, dict[str, str]] | None = None,
               context: dict[str, Any] | None = None, stage_variables: dict[str, str] | None = None,
               literal_undefined: bool = False) -> RenderResult:
        """Render with ``$input`` over ``body`` and ``params`` (``{"path", "querystring",
        "header"}``; ``$input.params(x)`` searches them in that order), ``$context`` over
        ``context`` (nested dicts: ``{"identity": {"sourceIp": ...}, "authorizer": {...}}``) and
        ``$stageVariables``. Raises :class:`VtlRuntimeError` or :class:`VtlBodyParseError`."""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        ctx = _Context(context)
        sc = _Scope({"input": _Input(body or "", params), "context": ctx,
                     "stageVariables": dict(stage_variables or {}), "util": _UTIL},
                    literal_undefined, ctx)
        out: list[str] = []
        try:
            self._fn(sc, out)
        except (_Stop, _Break):
            pass
        except VtlError:
            raise
        except RecursionError:
            raise VtlRuntimeError("template nesting too deep") from None
        except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError, OverflowError) as e:
            raise VtlRuntimeError(f"{type(e).__name__}: {e}") from None
        resp = ctx.response
        req = ctx.request
        return RenderResult(
            "".join(out),
            resp.status if resp is not None else None,
            dict(resp.header.data) if resp is not None else {},
            {k: dict(m.data) for k, m in req.maps.items()} if req is not None
            else {"header": {}, "path": {}, "querystring": {}},
        )

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


_CACHE: dict[str, Template | VtlParseError] = {}
_CACHE_MAX = 4096


def compile_template(source: str) -> Template:
    """Parse ``source`` once; later calls with the same text reuse the result (a parse failure
    is cached too and re-raised). Raises :class:`VtlParseError`."""
    hit = _CACHE.get(source)
    if hit is None:
        try:
            hit = Template(source)
        except VtlParseError as e:
            hit = e
        except RecursionError:
            hit = VtlParseError("Encountered a template nested too deeply")
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[source] = hit
    if isinstance(hit, VtlParseError):
        raise hit
    return hit


def render(template: str, *, body: str | bytes | None = "", params: dict[str, dict[str, str]] | None = None,
           context: dict[str, Any] | None = None, stage_variables: dict[str, str] | None = None,
           literal_undefined: bool = False) -> RenderResult:
    """``compile_template(template).render(...)``."""
    return compile_template(template).render(body=body, params=params, context=context,
                                             stage_variables=stage_variables,
                                             literal_undefined=literal_undefined)


def mock_status_code(rendered: str) -> int:
    """A MOCK integration's request template output -> the ``statusCode`` that selects the
    integration response. API Gateway: ``Execution failed due to configuration error: Unable
    to parse statusCode. It should be an integer that is defined in the request template.``
    (raised here as :class:`VtlRuntimeError`) when it is missing or not an integer."""
    msg = "Unable to parse statusCode. It should be an integer that is defined in the request template."
    try:
        doc = json.loads(rendered)
    except ValueError:
        raise VtlRuntimeError(msg) from None
    code = doc.get("statusCode") if isinstance(doc, dict) else None
    if type(code) is int:
        return code
    if type(code) is str and code.strip().isdigit():
        return int(code)
    raise VtlRuntimeError(msg)
