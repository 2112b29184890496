"""ProjectionExpression: which attributes (and nested parts) a read returns.

Modelled on
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html:
a nested path keeps its structure (``a.b[2].c`` returns ``{"a": {"M": {"b": {"L": [{"M": {"c":
...}}]}}}}``); elements picked from one list come back in index order; paths that do not exist
are left out (a list index past the end returns nothing, not an error). Overlapping or
conflicting paths are rejected when the projection is bound.
``apply`` is O(number of paths) for top-level paths, plus the path lengths for nested ones.
"""

from __future__ import annotations

from .paths import get_path


class Projection:
    """A bound projection: ``apply(item)`` returns a new item with only the projected paths."""

    __slots__ = ("paths", "attributes", "_top")

    def __init__(self, paths: tuple) -> None:
        self.paths = paths
        #: Top-level attribute names the projection touches.
        self.attributes: frozenset[str] = frozenset(p[0] for p in paths)
        self._top: tuple | None = (
            tuple(p[0] for p in paths) if all(len(p) == 1 for p in paths) else None
        )

    def apply(self, item: dict | None) -> dict:
        """The projected copy of ``item`` (an empty dict for ``None``). Never mutates ``item``."""
        if not item:
            return {}
        top = self._top
        if top is not None:
            out = {}
            for name in top:
                v = item.get(name)
                if v is not None:
                    out[name] = v
            return out
        # Build a tree of the wanted parts, then materialise it.
        tree: dict = {}
        for path in self.paths:
            value = get_path(item, path)
            if value is None:
                continue
            node = tree
            for el in path[:-1]:
                node = node.setdefault(el, {})
            node[path[-1]] = _Leaf(value)
        out = {}
        for name, sub in tree.items():
            out[name] = _materialise(sub, item[name])
        return out

    __call__ = apply

    def __repr__(self) -> str:
        return f"Projection({self.paths!r})"


class _Leaf:
    __slots__ = ("value",)

    def __init__(self, value: dict) -> None:
        self.value = value


def _materialise(node: object, source: dict) -> dict:
    if type(node) is _Leaf:
        return node.value
    assert isinstance(node, dict)
    if "M" in source:
        m = source["M"]
        return {"M": {k: _materialise(sub, m[k]) for k, sub in node.items()}}
    lst = source["L"]
    return {"L": [_materialise(node[i], lst[i]) for i in sorted(node)]}
