"""Route matching: a segment trie shared by REST resources and HTTP API routes.

AWS's rules, one algorithm:

- HTTP APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html):
  the most specific match wins: a full match of route and method (static segments or
  ``{param}`` segments; ``GET /pets/dog/1`` beats ``GET /pets/dog/{id}``), then a greedy
  ``{proxy+}`` route, then the ``$default`` route (handled by the caller). ``ANY`` matches the
  methods not otherwise defined for a route.
- REST APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html):
  a specific resource beats a generic one at the same level; ``{proxy+}`` is the last segment;
  resolution is on the resource *and* method pair, so a more specific resource without the
  verb falls through to a less specific one that has it; ``/{proxy+}`` needs at least one segment
  (it never matches ``/``).

Formally: among the templates that match the path and define the method (or ``ANY``), the one
whose per-segment kinds (static < param < greedy) are lexicographically smallest wins; on one
template an explicit method beats ``ANY``. A depth-first walk trying static, then parameter,
then greedy children finds exactly that template first, so a lookup costs O(path depth) in the
usual case, independent of the number of routes (backtracking only visits branches that match
the path so far). ``tests/apigateway/test_apigw_router.py`` checks it against a brute-force
reference on random tables.

Path parameter values are percent-decoded; empty segments never match a parameter.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar
from urllib.parse import unquote

T = TypeVar("T")


class _Node:
    __slots__ = ("static", "param", "methods", "greedy")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.param: _Node | None = None
        #: method -> entry of the template ending here
        self.methods: dict[str, Any] | None = None
        #: method -> entry of the template ``<here>/{name+}``
        self.greedy: dict[str, Any] | None = None


class RouteEntry(Generic[T]):
    """One (method, template) of a table: ``names`` are its parameter names in order."""

    __slots__ = ("method", "template", "names", "target")

    def __init__(self, method: str, template: str, names: tuple[str, ...], target: T) -> None:
        self.method = method
        self.template = template
        self.names = names
        self.target = target

    def __repr__(self) -> str:
        return f"RouteEntry({self.method!r}, {self.template!r})"


def split_template(template: str) -> list[tuple[int, str]]:
    """``"/a/{id}/{p+}"`` -> ``[(0, "a"), (1, "id"), (2, "p")]`` (0 static, 1 param, 2 greedy)."""
    out: list[tuple[int, str]] = []
    for part in template.strip("/").split("/") if template.strip("/") else []:
        if part.startswith("{") and part.endswith("+}"):
            out.append((2, part[1:-2]))
        elif part.startswith("{") and part.endswith("}"):
            out.append((1, part[1:-1]))
        else:
            out.append((0, part))
    return out


class Router(Generic[T]):
    """A table of (method, path template) -> target. ``add`` O(depth); ``match`` O(depth)."""

    __slots__ = ("_root", "_count")

    def __init__(self) -> None:
        self._root = _Node()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, method: str, template: str, target: T) -> RouteEntry[T]:
        parts = split_template(template)
        node = self._root
        names: list[str] = []
        for i, (kind, text) in enumerate(parts):
            if kind == 2:
                if i != len(parts) - 1:
                    raise ValueError(f"a greedy path variable must be the last segment: {template}")
                names.append(text)
                if node.greedy is None:
                    node.greedy = {}
                entry = RouteEntry(method, template, tuple(names), target)
                node.greedy[method] = entry
                self._count += 1
                return entry
            if kind == 1:
                names.append(text)
                if node.param is None:
                    node.param = _Node()
                node = node.param
            else:
                child = node.static.get(text)
                if child is None:
                    child = node.static[text] = _Node()
                node = child
        if node.methods is None:
            node.methods = {}
        entry = RouteEntry(method, template, tuple(names), target)
        node.methods[method] = entry
        self._count += 1
        return entry

    def match(self, method: str, path: str) -> tuple[RouteEntry[T], dict[str, str]] | None:
        """The winning entry and its path parameters for ``path`` (no query), or None."""
        segs = path.split("/")
        # "/a/b" -> ["", "a", "b"]; "/a/b/" -> ["", "a", "b", ""]: ignore one trailing slash.
        if segs and segs[0] == "":
            del segs[0]
        if segs and segs[-1] == "":
            segs.pop()
        # Fast path: the search below tries, at every level, the static child first and then the
        # parameter; its first candidate is the path that takes the static child where there is
        # one and the parameter otherwise. Follow that path without recursion; search (with
        # backtracking and greedy ``{proxy+}`` nodes) only if it does not end at an entry.
        root = self._root
        node = root
        vals: list[str] | None = None
        for seg in segs:
            child = node.static.get(seg)
            if child is None:
                child = node.param
                if child is None or not seg:
                    break
                if vals is None:
                    vals = [seg]
                else:
                    vals.append(seg)
            node = child
        else:
            m = node.methods
            if m is not None:
                e = m.get(method) or m.get("ANY")
                if e is not None:
                    if vals is None:
                        return e, {}
                    return e, _params(e.names, vals)
        found = _walk(root, segs, 0, len(segs), method, [])
        if found is None:
            return None
        entry, found_vals = found
        return entry, _params(entry.names, found_vals)

    def entries(self) -> list[RouteEntry[T]]:
        out: list[RouteEntry[T]] = []
        stack = [self._root]
        while stack:
            n = stack.pop()
            if n.methods:
                out.extend(n.methods.values())
            if n.greedy:
                out.extend(n.greedy.values())
            stack.extend(n.static[k] for k in sorted(n.static, reverse=True))
            if n.param is not None:
                stack.append(n.param)
        return out


def _params(names: tuple[str, ...], vals: list[str]) -> dict[str, str]:
    if len(names) == 1:
        v = vals[0]
        return {names[0]: v if "%" not in v else unquote(v)}
    return {name: unquote(v) for name, v in zip(names, vals)}


def _walk(node: _Node, segs: list[str], i: int, n: int, method: str,
          values: list[str]) -> tuple[RouteEntry[Any], list[str]] | None:
    if i == n:
        m = node.methods
        if m is not None:
            e = m.get(method) or m.get("ANY")
            if e is not None:
                return e, list(values)
        return None
    seg = segs[i]
    child = node.static.get(seg)
    if child is not None:
        r = _walk(child, segs, i + 1, n, method, values)
        if r is not None:
            return r
    if node.param is not None and seg:
        values.append(seg)
        r = _walk(node.param, segs, i + 1, n, method, values)
        values.pop()
        if r is not None:
            return r
    g = node.greedy
    if g is not None:
        e = g.get(method) or g.get("ANY")
        if e is not None:
            return e, values + ["/".join(segs[i:])]
    return None


__all__ = ["RouteEntry", "Router", "split_template"]
