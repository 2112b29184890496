"""Condition builders for the resource layer: ``Key("pk").eq("a") & Attr("n").gt(3)``.

``Key`` builds key conditions (``KeyConditionExpression``), ``Attr`` builds conditions and
filters (``ConditionExpression``, ``FilterExpression``); both combine with ``&``, ``|`` and ``~``.
:class:`ExpressionBuilder` renders them to DynamoDB's expression language with placeholders
(``#n0`` for names, ``:v0`` for values), as boto3's resource layer does, so the values keep their
Python types until the resource serializes them.

Condition objects of ``boto3.dynamodb.conditions`` are accepted too (read through their public
``get_expression()``), so code that imports its builders from boto3 works unchanged.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Attr", "Condition", "ExpressionBuilder", "Key", "Size"]


class ConditionError(ValueError):
    """A condition that cannot be used where it was given (an OR in a key condition...)."""


class Condition:
    """One node of a condition tree: an operator and its operands (paths, values, conditions)."""

    __slots__ = ("op", "operands")

    def __init__(self, op: str, operands: tuple[Any, ...]) -> None:
        self.op = op
        self.operands = operands

    def __and__(self, other: "Condition") -> "Condition":
        if not isinstance(other, Condition):
            raise ConditionError(f"Operand must be a condition, got {other!r}")
        return Condition("AND", (self, other))

    def __or__(self, other: "Condition") -> "Condition":
        if not isinstance(other, Condition):
            raise ConditionError(f"Operand must be a condition, got {other!r}")
        return Condition("OR", (self, other))

    def __invert__(self) -> "Condition":
        return Condition("NOT", (self,))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Condition) and self.op == other.op and self.operands == other.operands
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Condition({self.op!r}, {self.operands!r})"


class Key:
    """A key attribute in a key condition (``Key("pk").eq("a") & Key("sk").begins_with("x")``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def eq(self, value: Any) -> Condition:
        return Condition("=", (self, value))

    def lt(self, value: Any) -> Condition:
        return Condition("<", (self, value))

    def lte(self, value: Any) -> Condition:
        return Condition("<=", (self, value))

    def gt(self, value: Any) -> Condition:
        return Condition(">", (self, value))

    def gte(self, value: Any) -> Condition:
        return Condition(">=", (self, value))

    def begins_with(self, value: Any) -> Condition:
        return Condition("begins_with", (self, value))

    def between(self, low: Any, high: Any) -> Condition:
        return Condition("BETWEEN", (self, low, high))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Attr(Key):
    """Any attribute in a condition or filter expression."""

    __slots__ = ()

    def ne(self, value: Any) -> Condition:
        return Condition("<>", (self, value))

    def is_in(self, values: list[Any]) -> Condition:
        return Condition("IN", (self, list(values)))

    def exists(self) -> Condition:
        return Condition("attribute_exists", (self,))

    def not_exists(self) -> Condition:
        return Condition("attribute_not_exists", (self,))

    def contains(self, value: Any) -> Condition:
        return Condition("contains", (self, value))

    def size(self) -> "Size":
        return Size(self.name)

    def attribute_type(self, value: str) -> Condition:
        return Condition("attribute_type", (self, value))


class Size(Attr):
    """``size(path)`` as an operand of a comparison (``Attr("tags").size().gt(2)``)."""

    __slots__ = ()


_COMPARISONS = ("=", "<>", "<", "<=", ">", ">=")
_FUNCTIONS = ("begins_with", "contains", "attribute_exists", "attribute_not_exists", "attribute_type")
_KEY_OPS = frozenset({"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with", "AND"})
_PART = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")


def _adopt(node: Any) -> Any:
    """Foreign (boto3) conditions and attributes -> ours, through their public interface."""
    if isinstance(node, (Condition, Key)):
        return node
    get_expression = getattr(node, "get_expression", None)
    if callable(get_expression):
        expr = get_expression()
        op = expr["operator"]
        operands = tuple(_adopt(v) for v in expr["values"])
        if op == "size":
            return Size(operands[0].name)
        return Condition(op, operands)
    if type(node).__module__.startswith("boto3.") and hasattr(node, "name"):
        return Key(node.name) if type(node).__name__ == "Key" else Attr(node.name)
    return node


def is_condition(value: Any) -> bool:
    """True for our conditions and for boto3's (anything with ``get_expression``)."""
    return isinstance(value, Condition) or callable(getattr(value, "get_expression", None))


class ExpressionBuilder:
    """Renders conditions with placeholders; one builder per request so that the placeholders of
    its expressions never collide. ``names`` and ``values`` collect what to send."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def build(self, condition: Any, *, key_condition: bool = False) -> str:
        """The expression text for ``condition``. Raises :class:`ConditionError` for an operator
        a key condition cannot use (OR, NOT, filters on non-key functions)."""
        return self._render(_adopt(condition), key_condition)

    def _name(self, path: str) -> str:
        parts = []
        for part in path.split("."):
            m = _PART.match(part)
            if m is None or not m.group(1):
                raise ConditionError(f"Invalid attribute path: {path!r}")
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = m.group(1)
            parts.append(placeholder + m.group(2))
        return ".".join(parts)

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def _operand(self, operand: Any, key_condition: bool) -> str:
        operand = _adopt(operand)
        if isinstance(operand, Size):
            return f"size({self._name(operand.name)})"
        if isinstance(operand, Key):
            return self._name(operand.name)
        if isinstance(operand, Condition):
            return self._render(operand, key_condition)
        return self._value(operand)

    def _render(self, cond: Any, key_condition: bool) -> str:
        if not isinstance(cond, Condition):
            raise ConditionError(f"Expected a condition, got {cond!r}")
        op, args = cond.op, cond.operands
        if key_condition:
            if op not in _KEY_OPS:
                raise ConditionError(f"{op} is not supported in a key condition expression")
            if op != "AND":
                first = _adopt(args[0])
                if not isinstance(first, Key) or isinstance(first, Attr):
                    raise ConditionError("A key condition compares key attributes: use Key(...)")
        if op in ("AND", "OR"):
            left = self._render(_adopt(args[0]), key_condition)
            right = self._render(_adopt(args[1]), key_condition)
            return f"({left} {op} {right})"
        if op == "NOT":
            return f"(NOT {self._render(_adopt(args[0]), key_condition)})"
        if op in _COMPARISONS:
            return f"{self._operand(args[0], key_condition)} {op} {self._operand(args[1], key_condition)}"
        if op == "BETWEEN":
            path, low, high = (self._operand(a, key_condition) for a in args)
            return f"{path} BETWEEN {low} AND {high}"
        if op == "IN":
            path = self._operand(args[0], key_condition)
            values = args[1]
            if not isinstance(values, (list, tuple)):
                values = list(values)
            return f"{path} IN ({', '.join(self._value(v) for v in values)})"
        if op in _FUNCTIONS:
            return f"{op}({', '.join(self._operand(a, key_condition) for a in args)})"
        raise ConditionError(f"Unknown condition operator {op!r}")
