"""Document paths: resolution in items, display, and overlap/conflict checks.

A bound path is a tuple whose first element is the top-level attribute name and whose other
elements are ``str`` (map key) or ``int`` (list index), e.g. ``("a", "b", 3, "c")`` for
``a.b[3].c``. See
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html.
"""

from __future__ import annotations

from typing import Any

from .parser import invalid

Path = tuple


def get_path(item: dict | None, path: Path) -> dict | None:
    """The attribute value at ``path`` in ``item``, or ``None`` when any step is missing.

    O(len(path)).
    """
    if item is None:
        return None
    cur = item.get(path[0])
    if len(path) == 1:
        return cur
    for el in path[1:]:
        if cur is None:
            return None
        if type(el) is int:
            lst = cur.get("L")
            if lst is None or el >= len(lst):
                return None
            cur = lst[el]
        else:
            m = cur.get("M")
            if m is None:
                return None
            cur = m.get(el)
    return cur


def path_repr(path: Path) -> str:
    """AWS's display of a path in error messages: ``[a, b, [3]]``."""
    return "[" + ", ".join(f"[{el}]" if type(el) is int else str(el) for el in path) + "]"


def path_text(path: Path) -> str:
    """Expression-like text of a path: ``a.b[3]``."""
    out = str(path[0])
    for el in path[1:]:
        out += f"[{el}]" if type(el) is int else f".{el}"
    return out


def check_overlaps(kind: str, paths: list[Path]) -> None:
    """Raise AWS's overlap/conflict errors for a set of paths written (or projected) together.

    Two paths *overlap* when one is a prefix of the other (``a`` and ``a.b``, or equal); they
    *conflict* when they diverge at one position where one uses a map key and the other a list
    index (``a.b`` and ``a[1]``). O(n log n) in the number of paths plus their lengths.
    """
    if len(paths) < 2:
        return
    # Group by top-level name first: the common case has all-distinct names.
    tops: dict[Any, list[Path]] = {}
    for p in paths:
        tops.setdefault(p[0], []).append(p)
    for group in tops.values():
        if len(group) < 2:
            continue
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                _check_pair(kind, group[i], group[j])


def _check_pair(kind: str, one: Path, two: Path) -> None:
    n = min(len(one), len(two))
    for k in range(n):
        a, b = one[k], two[k]
        if a == b and type(a) is type(b):
            continue
        if (type(a) is int) != (type(b) is int):
            raise invalid(
                kind,
                "Two document paths conflict with each other; must remove or rewrite one of these "
                f"paths; path one: {path_repr(one)}, path two: {path_repr(two)}",
            )
        return
    raise invalid(
        kind,
        "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        f"path one: {path_repr(one)}, path two: {path_repr(two)}",
    )
