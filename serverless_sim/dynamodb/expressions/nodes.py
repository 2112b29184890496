"""Syntax-tree nodes of the expression languages (unbound: placeholders not yet resolved).

A parsed tree depends only on the expression text, so it is cached and shared between
requests; :mod:`.context` binds it to one request's ``ExpressionAttributeNames``/``Values``.
Paths hold raw element tokens: ``"a"`` or ``"#n"`` for map keys, ``int`` for list indexes.
"""

from __future__ import annotations

from typing import Any, Union


class PathNode:
    __slots__ = ("elems", "start", "end")

    def __init__(self, elems: tuple, start: int, end: int) -> None:
        self.elems = elems
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"PathNode({self.elems!r})"


class ValueNode:
    __slots__ = ("name", "start", "end")

    def __init__(self, name: str, start: int, end: int) -> None:
        self.name = name
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"ValueNode({self.name!r})"


class FuncNode:
    __slots__ = ("name", "args", "start", "end")

    def __init__(self, name: str, args: tuple, start: int, end: int) -> None:
        self.name = name
        self.args = args
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"FuncNode({self.name!r}, {self.args!r})"


class ArithNode:
    """``left + right`` or ``left - right`` (UpdateExpression SET only)."""

    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Any, right: Any) -> None:
        self.op = op
        self.left = left
        self.right = right


Operand = Union[PathNode, ValueNode, FuncNode]


class CompareNode:
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Any, right: Any) -> None:
        self.op = op
        self.left = left
        self.right = right


class BetweenNode:
    __slots__ = ("operand", "low", "high")

    def __init__(self, operand: Any, low: Any, high: Any) -> None:
        self.operand = operand
        self.low = low
        self.high = high


class InNode:
    __slots__ = ("operand", "options")

    def __init__(self, operand: Any, options: tuple) -> None:
        self.operand = operand
        self.options = options


class FuncCondNode:
    """A function used as a condition on its own (``attribute_exists(a)``)."""

    __slots__ = ("func",)

    def __init__(self, func: Any) -> None:
        self.func = func


class AndNode:
    __slots__ = ("left", "right")

    def __init__(self, left: Any, right: Any) -> None:
        self.left = left
        self.right = right


class OrNode:
    __slots__ = ("left", "right")

    def __init__(self, left: Any, right: Any) -> None:
        self.left = left
        self.right = right


class NotNode:
    __slots__ = ("operand",)

    def __init__(self, operand: Any) -> None:
        self.operand = operand


class ParenNode:
    """Parentheses around a condition; kept to detect AWS's "redundant parentheses"."""

    __slots__ = ("inner",)

    def __init__(self, inner: Any) -> None:
        self.inner = inner


CondNode = Union[CompareNode, BetweenNode, InNode, FuncCondNode, AndNode, OrNode, NotNode, ParenNode]


class UpdateAction:
    """One action of an UpdateExpression: ``kind`` is SET, REMOVE, ADD or DELETE."""

    __slots__ = ("kind", "path", "value")

    def __init__(self, kind: str, path: Any, value: Any) -> None:
        self.kind = kind
        self.path = path
        self.value = value  # ArithNode | Operand for SET, ValueNode for ADD/DELETE, None for REMOVE


class ParsedExpression:
    """A parsed expression with the placeholders it uses, in order of appearance."""

    __slots__ = ("kind", "text", "root", "placeholders")

    def __init__(self, kind: str, text: str, root: object, placeholders: tuple) -> None:
        self.kind = kind
        self.text = text
        self.root = root
        self.placeholders = placeholders
