"""JSONPath as Step Functions uses it (a small engine for AWS's subset).

AWS evaluates paths with Jayway JsonPath (its messages quote Jayway's rendering
``$['a']['b']`` and its "No results for path" text). Supported here:

- root ``$`` (the state's data), ``$$`` (the context object), ``$name`` (a workflow variable);
- child ``.name`` and ``['name']`` / ``["name"]`` (several names: ``['a','b']``);
- wildcards ``.*`` and ``[*]``; array index ``[0]`` (negative counts from the end), index
  lists ``[0,2]`` and slices ``[1:5]``, ``[:2]``, ``[-2:]``, ``[::2]``;
- recursive descent ``..name``, ``..*``, ``..[0]``;
- filters ``[?(@.price < 10)]`` with ``== != < <= > >= =~ in nin``, ``&&``, ``||``, ``!``,
  parentheses, existence tests ``[?(@.isbn)]`` and comparisons with ``$``-rooted paths.

A path is *definite* when it only has single-name and single-index steps; a definite path that
matches nothing is an error (:class:`PathNotFound`), an indefinite one yields a list (possibly
empty). *Reference paths* (ResultPath, Choice Variable) are definite paths of ``.name``,
``['name']`` and ``[n]`` steps only (SL: Reference Paths).

Complexity: parsing is linear in the path's length and done once, at definition time; a definite
path of k steps is evaluated in O(k).

Source: https://states-language.net/spec.html#path; DG: amazon-states-language-paths.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..errors import PathError, PathNotFound

_MISSING = object()

#: Root kinds.
DATA, CONTEXT, VARIABLE = "data", "context", "var"

# Step kinds.
_NAME, _INDEX, _NAMES, _INDEXES, _WILD, _SLICE, _FILTER, _DESC = range(8)

_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


class Path:
    """A compiled JSONPath. ``get(value)`` applies it; see the module docstring."""

    __slots__ = ("text", "root", "var", "steps", "definite", "keys", "reference")

    def __init__(self, text: str, root: str, var: str | None, steps: list[tuple[Any, ...]]) -> None:
        self.text = text
        self.root = root
        self.var = var
        self.steps = tuple(steps)
        self.definite = all(s[0] in (_NAME, _INDEX) for s in steps)
        #: For definite paths: the plain key sequence (fast evaluation).
        self.keys = tuple(s[1] for s in steps) if self.definite else None
        self.reference = self.definite

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    def jayway(self, upto: int | None = None) -> str:
        """Jayway's rendering (``$['a'][0]``) as AWS quotes it in messages."""
        out = ["$"]
        for step in self.steps[:upto]:
            kind = step[0]
            if kind == _NAME:
                out.append(f"['{step[1]}']")
            elif kind == _INDEX:
                out.append(f"[{step[1]}]")
            elif kind == _NAMES:
                out.append("[" + ",".join(f"'{n}'" for n in step[1]) + "]")
            elif kind == _INDEXES:
                out.append("[" + ",".join(str(n) for n in step[1]) + "]")
            elif kind == _WILD:
                out.append("[*]")
            elif kind == _SLICE:
                a, b, c = step[1]
                out.append(f"[{'' if a is None else a}:{'' if b is None else b}"
                           + ("" if c is None else f":{c}") + "]")
            elif kind == _FILTER:
                out.append(f"[?({step[2]})]")
            else:
                out.append(".." + ("" if step[1] is None else f"['{step[1]}']"))
        return "".join(out)

    # -- evaluation -----------------------------------------------------------------------
    def get(self, value: Any, root: Any = _MISSING) -> Any:
        """The value this path selects in ``value``: one value for a definite path (raising
        :class:`PathNotFound` if missing), a list for an indefinite one."""
        keys = self.keys
        if keys is not None:
            cur = value
            for i, key in enumerate(keys):
                t = type(cur)
                if t is dict:
                    if type(key) is not str:
                        raise PathNotFound(self.text, self.jayway(i + 1))
                    cur = cur.get(key, _MISSING)
                    if cur is _MISSING:
                        raise PathNotFound(self.text, self.jayway(i + 1))
                elif t is list and type(key) is int:
                    n = len(cur)
                    k = key + n if key < 0 else key
                    if not 0 <= k < n:
                        raise PathNotFound(self.text, self.jayway(i + 1))
                    cur = cur[k]
                else:
                    raise PathNotFound(self.text, self.jayway(i + 1))
            return cur
        return _select(self.steps, [value], value if root is _MISSING else root)

    def find(self, value: Any) -> tuple[bool, Any]:
        """``(found, value)`` without raising (IsPresent and friends)."""
        try:
            return True, self.get(value)
        except PathError:
            return False, None

    # -- reference paths: writing ----------------------------------------------------------
    def set(self, data: Any, value: Any) -> Any:
        """A copy of ``data`` with ``value`` placed at this reference path (ResultPath).

        Missing objects on the way are created; the input is never mutated (copies along the
        path only). Raises :class:`PathError` when the path crosses a non-object (AWS:
        States.ResultPathMatchFailure).
        """
        keys = self.keys
        assert keys is not None
        if not keys:
            return value
        return _set(data, keys, 0, value, self)


def _set(node: Any, keys: tuple[Any, ...], i: int, value: Any, path: Path) -> Any:
    key = keys[i]
    last = i == len(keys) - 1
    if type(key) is str:
        if node is _MISSING:
            node = {}
        if type(node) is not dict:
            raise PathError(path.text)
        out = dict(node)
        out[key] = value if last else _set(node.get(key, _MISSING), keys, i + 1, value, path)
        return out
    if type(node) is not list:
        raise PathError(path.text)
    n = len(node)
    k = key + n if key < 0 else key
    if not 0 <= k < n:
        raise PathError(path.text)
    out_list = list(node)
    out_list[k] = value if last else _set(node[k], keys, i + 1, value, path)
    return out_list


def _select(steps: tuple[tuple[Any, ...], ...], nodes: list[Any], root: Any) -> list[Any]:
    for step in steps:
        kind = step[0]
        out: list[Any] = []
        if kind == _NAME:
            key = step[1]
            for n in nodes:
                if type(n) is dict and key in n:
                    out.append(n[key])
        elif kind == _INDEX:
            for n in nodes:
                _take_index(n, step[1], out)
        elif kind == _NAMES:
            for n in nodes:
                if type(n) is dict:
                    for key in step[1]:
                        if key in n:
                            out.append(n[key])
        elif kind == _INDEXES:
            for n in nodes:
                for k in step[1]:
                    _take_index(n, k, out)
        elif kind == _WILD:
            for n in nodes:
                if type(n) is dict:
                    out.extend(n.values())
                elif type(n) is list:
                    out.extend(n)
        elif kind == _SLICE:
            a, b, c = step[1]
            for n in nodes:
                if type(n) is list:
                    out.extend(n[slice(a, b, c)])
        elif kind == _FILTER:
            pred = step[1]
            for n in nodes:
                if type(n) is list:
                    out.extend(x for x in n if pred(x, root))
                elif type(n) is dict:
                    out.extend(x for x in n.values() if pred(x, root))
        else:  # descendants, then the following step applies to each of them
            for n in nodes:
                _descend(n, out)
        nodes = out
    return nodes


def _take_index(n: Any, k: int, out: list[Any]) -> None:
    if type(n) is list:
        m = len(n)
        j = k + m if k < 0 else k
        if 0 <= j < m:
            out.append(n[j])


def _descend(n: Any, out: list[Any]) -> None:
    out.append(n)
    if type(n) is dict:
        for v in n.values():
            _descend(v, out)
    elif type(n) is list:
        for v in n:
            _descend(v, out)


# -- parsing ------------------------------------------------------------------------------
_CACHE: dict[str, Path] = {}


def parse_path(text: Any) -> Path:
    """Compile a path (``$...``, ``$$...``, ``$var...``). Raises :class:`PathError`."""
    if type(text) is not str:
        raise PathError(f"a path is a string, got {type(text).__name__}")
    cached = _CACHE.get(text)
    if cached is not None:
        return cached
    p = _Parser(text)
    path = p.path()
    if len(_CACHE) < 10_000:
        _CACHE[text] = path
    return path


def parse_reference_path(text: Any) -> Path:
    """Compile a reference path (only ``.name``, ``['name']``, ``[n]``)."""
    path = parse_path(text)
    if not path.definite:
        raise PathError(f"{text!r} is not a reference path")
    return path


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def error(self, what: str) -> PathError:
        return PathError(f"invalid JSONPath {self.s!r} at {self.i}: {what}")

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def path(self) -> Path:
        s = self.s
        if not s.startswith("$"):
            raise self.error("a path starts with '$'")
        self.i = 1
        root, var = DATA, None
        if self.peek() == "$":
            root = CONTEXT
            self.i = 2
        elif self.peek() not in ("", ".", "["):
            m = _VAR_NAME.match(s, 1)
            if not m:
                raise self.error("bad variable name")
            root, var = VARIABLE, m.group(0)
            self.i = m.end()
        steps = self.steps(stop="")
        return Path(s, root, var, steps)

    def steps(self, stop: str) -> list[tuple[Any, ...]]:
        steps: list[tuple[Any, ...]] = []
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if stop and c in stop:
                break
            if c == ".":
                if self.peek(1) == ".":
                    self.i += 2
                    steps.append((_DESC, None))
                    if self.peek() == "[":
                        continue
                    if self.peek() == "*":
                        self.i += 1
                        steps.append((_WILD,))
                        continue
                    steps.append((_NAME, self.dot_name()))
                    continue
                self.i += 1
                if self.peek() == "*":
                    self.i += 1
                    steps.append((_WILD,))
                    continue
                steps.append((_NAME, self.dot_name()))
            elif c == "[":
                self.i += 1
                steps.append(self.bracket())
            elif c.isspace() and stop:
                break
            else:
                raise self.error(f"unexpected {c!r}")
        return steps

    def dot_name(self) -> str:
        s = self.s
        start = self.i
        while self.i < len(s) and s[self.i] not in ".[ ()!=<>&|,":
            self.i += 1
        if self.i == start:
            raise self.error("empty property name")
        return s[start:self.i]

    def skip_ws(self) -> None:
        while self.peek().isspace() and self.peek():
            self.i += 1

    def bracket(self) -> tuple[Any, ...]:
        self.skip_ws()
        c = self.peek()
        if c == "*":
            self.i += 1
            self.expect_close()
            return (_WILD,)
        if c in "'\"":
            names = [self.quoted()]
            self.skip_ws()
            while self.peek() == ",":
                self.i += 1
                self.skip_ws()
                names.append(self.quoted())
                self.skip_ws()
            self.expect_close()
            return (_NAME, names[0]) if len(names) == 1 else (_NAMES, tuple(names))
        if c == "?":
            self.i += 1
            self.skip_ws()
            if self.peek() != "(":
                raise self.error("expected '(' after '?'")
            self.i += 1
            start = self.i
            pred = _FilterParser(self).or_expr()
            self.skip_ws()
            if self.peek() != ")":
                raise self.error("expected ')' closing the filter")
            text = self.s[start:self.i]
            self.i += 1
            self.expect_close()
            return (_FILTER, pred, text)
        # numbers: index, list, or slice
        parts: list[int | None] = []
        seps = ""
        while True:
            self.skip_ws()
            m = re.compile(r"-?\d+").match(self.s, self.i)
            if m:
                parts.append(int(m.group(0)))
                self.i = m.end()
            else:
                parts.append(None)
            self.skip_ws()
            c = self.peek()
            if c in ",:":
                seps += c
                self.i += 1
                continue
            break
        self.expect_close()
        if not seps:
            if parts[0] is None:
                raise self.error("empty brackets")
            return (_INDEX, parts[0])
        if set(seps) == {","}:
            if any(p is None for p in parts):
                raise self.error("bad index list")
            return (_INDEXES, tuple(parts))  # type: ignore[arg-type]
        if set(seps) == {":"} and len(parts) <= 3:
            while len(parts) < 3:
                parts.append(None)
            if parts[2] == 0:
                raise self.error("slice step cannot be zero")
            return (_SLICE, tuple(parts))
        raise self.error("bad subscript")

    def quoted(self) -> str:
        q = self.peek()
        if q not in "'\"":
            raise self.error("expected a quoted name")
        self.i += 1
        out = []
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == "\\" and self.i + 1 < len(s):
                out.append(s[self.i + 1])
                self.i += 2
                continue
            if c == q:
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        raise self.error("unterminated quoted name")

    def expect_close(self) -> None:
        self.skip_ws()
        if self.peek() != "]":
            raise self.error("expected ']'")
        self.i += 1


Pred = Callable[[Any, Any], Any]


class _FilterParser:
    """Filter expressions: ``||`` over ``&&`` over ``!``/comparisons; operands are ``@``/``$``
    paths, numbers, quoted strings, ``true``/``false``/``null``, ``[...]`` lists, ``/re/``."""

    def __init__(self, p: _Parser) -> None:
        self.p = p

    def or_expr(self) -> Pred:
        left = self.and_expr()
        while self._op("||"):
            right = self.and_expr()
            left = (lambda a, b: lambda x, r: bool(a(x, r)) or bool(b(x, r)))(left, right)
        return left

    def and_expr(self) -> Pred:
        left = self.unary()
        while self._op("&&"):
            right = self.unary()
            left = (lambda a, b: lambda x, r: bool(a(x, r)) and bool(b(x, r)))(left, right)
        return left

    def _op(self, op: str) -> bool:
        p = self.p
        p.skip_ws()
        if p.s.startswith(op, p.i):
            p.i += len(op)
            return True
        return False

    def unary(self) -> Pred:
        p = self.p
        p.skip_ws()
        if p.peek() == "!" and p.peek(1) != "=":
            p.i += 1
            inner = self.unary()
            return lambda x, r: not inner(x, r)
        if p.peek() == "(":
            p.i += 1
            inner = self.or_expr()
            p.skip_ws()
            if p.peek() != ")":
                raise p.error("expected ')'")
            p.i += 1
            return inner
        return self.comparison()

    def comparison(self) -> Pred:
        p = self.p
        left, left_is_path = self.operand()
        p.skip_ws()
        for op in ("==", "!=", "<=", ">=", "=~", "<", ">", " in ", " nin "):
            probe = op.strip()
            if p.s.startswith(probe, p.i) and (op[0] != " " or _word_at(p.s, p.i, probe)):
                p.i += len(probe)
                right, _ = self.operand()
                return _compare(op.strip(), left, right)
        if not left_is_path:
            raise p.error("a filter needs a comparison or a path")
        return lambda x, r: left(x, r) is not _MISSING

    def operand(self) -> tuple[Callable[[Any, Any], Any], bool]:
        p = self.p
        p.skip_ws()
        c = p.peek()
        s = p.s
        if c in "@$":
            p.i += 1
            sub = p.steps(stop=" )!=<>&|,]")
            steps = tuple(sub)
            definite = all(st[0] in (_NAME, _INDEX) for st in steps)
            at = c == "@"

            def get(x: Any, r: Any) -> Any:
                base = x if at else r
                found = _select(steps, [base], r)
                if definite:
                    return found[0] if found else _MISSING
                return found

            return get, True
        if c in "'\"":
            v = p.quoted()
            return (lambda x, r: v), False
        if c == "/":
            end = s.find("/", p.i + 1)
            if end < 0:
                raise p.error("unterminated regex")
            pattern = s[p.i + 1:end]
            p.i = end + 1
            flags = 0
            if p.peek() == "i":
                flags = re.IGNORECASE
                p.i += 1
            try:
                rx = re.compile(pattern, flags)
            except re.error as exc:
                raise p.error(f"bad regex: {exc}") from None
            return (lambda x, r: rx), False
        if c == "[":
            p.i += 1
            items: list[Any] = []
            while True:
                p.skip_ws()
                if p.peek() == "]":
                    p.i += 1
                    break
                f, _ = self.operand()
                items.append(f(None, None))
                p.skip_ws()
                if p.peek() == ",":
                    p.i += 1
            return (lambda x, r: items), False
        m = _NUMBER.match(s, p.i)
        if m:
            p.i = m.end()
            num: Any = float(m.group(0)) if (m.group(1) or m.group(2)) else int(m.group(0))
            return (lambda x, r: num), False
        for word, val in (("true", True), ("false", False), ("null", None)):
            if s.startswith(word, p.i):
                p.i += len(word)
                return (lambda x, r, v=val: v), False
        raise p.error("bad filter operand")


def _word_at(s: str, i: int, word: str) -> bool:
    return s.startswith(word, i) and (i + len(word) >= len(s) or not s[i + len(word)].isalnum())


def _is_num(v: Any) -> bool:
    return type(v) in (int, float)


def _compare(op: str, left: Callable[[Any, Any], Any], right: Callable[[Any, Any], Any]) -> Pred:
    def pred(x: Any, r: Any) -> bool:
        a = left(x, r)
        b = right(x, r)
        if a is _MISSING or b is _MISSING:
            return op == "!=" and not (a is _MISSING and b is _MISSING)
        if op == "==":
            return _json_eq(a, b)
        if op == "!=":
            return not _json_eq(a, b)
        if op == "=~":
            return isinstance(b, re.Pattern) and type(a) is str and b.fullmatch(a) is not None
        if op == "in":
            return type(b) is list and any(_json_eq(a, v) for v in b)
        if op == "nin":
            return type(b) is list and not any(_json_eq(a, v) for v in b)
        if _is_num(a) and _is_num(b) or (type(a) is str and type(b) is str):
            if op == "<":
                return a < b  # type: ignore[no-any-return]
            if op == "<=":
                return a <= b  # type: ignore[no-any-return]
            if op == ">":
                return a > b  # type: ignore[no-any-return]
            return a >= b  # type: ignore[no-any-return]
        return False

    return pred


def _json_eq(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), booleans are not numbers."""
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if _is_num(a) and _is_num(b):
        return a == b  # type: ignore[no-any-return]
    if ta is not tb:
        return False
    if ta is list:
        return len(a) == len(b) and all(_json_eq(x, y) for x, y in zip(a, b))
    if ta is dict:
        return a.keys() == b.keys() and all(_json_eq(a[k], b[k]) for k in a)
    return a == b  # type: ignore[no-any-return]


json_equal = _json_eq
