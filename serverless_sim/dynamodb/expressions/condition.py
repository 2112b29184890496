"""ConditionExpression / FilterExpression: binding and evaluation.

Semantics modelled
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html,
and ScyllaDB Alternator's tests run against DynamoDB):

* ``=``/``<>`` compare any types (N numerically, sets order-free, L/M deeply); a missing operand
  is never equal, so ``<>`` with a missing operand is true.
* ``< <= > >=`` and ``BETWEEN`` apply to N, S and B of the same type; anything else from the item
  makes the condition false, while a ``:value`` of another type is a ValidationException, as are
  BETWEEN bounds that are both ``:values`` of different types or out of order.
* ``IN`` is equality against up to 100 operands.
* Functions: ``attribute_exists``, ``attribute_not_exists``, ``attribute_type`` (the type must be
  a ``:value`` naming one of the ten types), ``begins_with`` (S or B), ``contains`` (substring of
  S/B, member of a set or list; both operands may not be the same path), ``size`` (S: length,
  B: bytes, sets/L/M: element count) usable only as a comparison operand.

A bound condition is compiled into nested closures (no visitor dispatch at evaluation time);
evaluation is O(size of the expression) plus the cost of the compared values.
Known deviation: ``size`` of an S counts code points (AWS's exact unit for non-ASCII text is not
documented).
"""

from __future__ import annotations

import decimal
from typing import Callable

from ..types import values_equal
from .binding import Binder, av_display
from .nodes import (
    AndNode,
    BetweenNode,
    CompareNode,
    FuncCondNode,
    FuncNode,
    InNode,
    NotNode,
    OrNode,
    ParenNode,
    ParsedExpression,
    PathNode,
    ValueNode,
)
from .parser import invalid
from .paths import get_path

Getter = Callable[[dict], "dict | None"]
Predicate = Callable[[dict], bool]

ATTRIBUTE_TYPE_NAMES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")
CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
OPERAND_FUNCTIONS = frozenset({"size"})
UPDATE_FUNCTIONS = frozenset({"list_append", "if_not_exists"})
_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "list_append": 2,
    "if_not_exists": 2,
}
_ORDERED = frozenset({"N", "S", "B"})
_SIZED = frozenset({"S", "B", "SS", "NS", "BS", "L", "M"})
_EMPTY: dict = {}


# ---------------------------------------------------------------------------------------------
# Value semantics


def av_equal(a: dict, b: dict) -> bool:
    """Equality of two attribute values (fast path for identical canonical encodings)."""
    return a == b or values_equal(a, b)


def av_compare(a: dict, b: dict) -> int | None:
    """-1/0/1 ordering of two N, S or B values of the same type; ``None`` if not comparable."""
    (ta, va), = a.items()
    (tb, vb), = b.items()
    if ta != tb or ta not in _ORDERED:
        return None
    if ta == "N":
        if va == vb:
            return 0
        da = decimal.Decimal(va)
        db = decimal.Decimal(vb)
        return -1 if da < db else (1 if da > db else 0)
    return -1 if va < vb else (1 if va > vb else 0)


def av_size(av: dict) -> dict | None:
    """The ``size()`` of a value as an N attribute value, or ``None`` when undefined."""
    (tag, value), = av.items()
    if tag in _SIZED:
        return {"N": str(len(value))}
    return None


def av_begins_with(a: dict, b: dict) -> bool:
    (ta, va), = a.items()
    (tb, vb), = b.items()
    return ta == tb and (ta == "S" or ta == "B") and va.startswith(vb)


def av_contains(a: dict, b: dict) -> bool:
    (ta, va), = a.items()
    (tb, vb), = b.items()
    if ta == "S":
        return tb == "S" and vb in va
    if ta == "B":
        return tb == "B" and vb in va
    if ta == "SS":
        return tb == "S" and vb in va
    if ta == "BS":
        return tb == "B" and vb in va
    if ta == "NS":
        if tb != "N":
            return False
        if vb in va:
            return True
        d = decimal.Decimal(vb)
        return any(decimal.Decimal(x) == d for x in va)
    if ta == "L":
        return any(av_equal(e, b) for e in va)
    return False


def av_type_tag(av: dict) -> str:
    for tag in av:
        return tag
    return ""


# ---------------------------------------------------------------------------------------------
# Compilation


class _Operand:
    """A compiled operand: ``get(item)`` plus, for constants, the value itself."""

    __slots__ = ("get", "const", "path")

    def __init__(self, get: Getter, const: dict | None = None, path: tuple | None = None) -> None:
        self.get = get
        self.const = const
        self.path = path


def _path_getter(path: tuple) -> Getter:
    if len(path) == 1:
        name = path[0]

        def get_top(item: dict) -> dict | None:
            return item.get(name)

        return get_top

    def get_nested(item: dict) -> dict | None:
        return get_path(item, path)

    return get_nested


def _const_getter(av: dict) -> Getter:
    def get_const(item: dict) -> dict:
        return av

    return get_const


class ConditionCompiler:
    """Compiles a bound condition tree into a predicate; collects the paths it reads."""

    def __init__(self, binder: Binder) -> None:
        self.b = binder
        self.paths: list[tuple] = []

    # -- operands ----------------------------------------------------------------------------
    def operand(self, node: object) -> _Operand:
        if type(node) is PathNode:
            path = self.b.path(node)
            self.paths.append(path)
            return _Operand(_path_getter(path), None, path)
        if type(node) is ValueNode:
            av = self.b.value(node)
            return _Operand(_const_getter(av), av)
        assert type(node) is FuncNode
        return self.function_operand(node)

    def check_function(self, node: FuncNode) -> None:
        name = node.name
        if name not in _ARITY:
            raise self.b.unknown_function_error(name)
        if name in UPDATE_FUNCTIONS:
            raise invalid(
                self.b.kind, f"The function is not allowed in a condition expression; function: {name}"
            )
        if len(node.args) != _ARITY[name]:
            raise self.b.operand_count_error(name, len(node.args))

    def function_operand(self, node: FuncNode) -> _Operand:
        self.check_function(node)
        if node.name != "size":
            raise self.b.misused_function_error(node.name)
        arg = self.operand(node.args[0])
        if arg.const is not None:
            tag = av_type_tag(arg.const)
            if tag not in _SIZED:
                raise self.b.operand_type_error("size", tag)
            size = av_size(arg.const)
            return _Operand(_const_getter(size), size)  # type: ignore[arg-type]
        if arg.path is None:  # nested size(size(x)): size yields N
            raise self.b.operand_type_error("size", "N")
        inner = arg.get

        def get_size(item: dict) -> dict | None:
            v = inner(item)
            return None if v is None else av_size(v)

        return _Operand(get_size)

    # -- conditions --------------------------------------------------------------------------
    def condition(self, node: object) -> Predicate:
        if isinstance(node, ParenNode):
            return self.condition(node.inner)
        if isinstance(node, CompareNode):
            return self.compare(node)
        if isinstance(node, AndNode):
            left = self.condition(node.left)
            right = self.condition(node.right)
            return lambda item: left(item) and right(item)
        if isinstance(node, OrNode):
            left = self.condition(node.left)
            right = self.condition(node.right)
            return lambda item: left(item) or right(item)
        if isinstance(node, NotNode):
            inner = self.condition(node.operand)
            return lambda item: not inner(item)
        if isinstance(node, BetweenNode):
            return self.between(node)
        if isinstance(node, InNode):
            return self.in_(node)
        if isinstance(node, FuncCondNode):
            return self.function_condition(node.func)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def _check_ordered_const(self, op: str, operand: _Operand) -> None:
        if operand.const is not None:
            tag = av_type_tag(operand.const)
            if tag not in _ORDERED:
                raise self.b.operand_type_error(op, tag)

    def compare(self, node: CompareNode) -> Predicate:
        op = node.op
        left = self.operand(node.left)
        right = self.operand(node.right)
        lg, rg = left.get, right.get
        if op == "=" or op == "<>":
            negate = op == "<>"
            if right.const is not None and left.path is not None and len(left.path) == 1:
                name, c = left.path[0], right.const

                def eq_top_const(item: dict) -> bool:
                    v = item.get(name)
                    return (v is not None and (v == c or values_equal(v, c))) != negate

                return eq_top_const

            def eq(item: dict) -> bool:
                a = lg(item)
                if a is None:
                    return negate
                b = rg(item)
                if b is None:
                    return negate
                return av_equal(a, b) != negate

            return eq
        self._check_ordered_const(op, left)
        self._check_ordered_const(op, right)
        accept: tuple[int, ...]
        if op == "<":
            accept = (-1,)
        elif op == "<=":
            accept = (-1, 0)
        elif op == ">":
            accept = (1,)
        else:
            accept = (1, 0)

        def ordered(item: dict) -> bool:
            a = lg(item)
            if a is None:
                return False
            b = rg(item)
            if b is None:
                return False
            return av_compare(a, b) in accept

        return ordered

    def between(self, node: BetweenNode) -> Predicate:
        operand = self.operand(node.operand)
        low = self.operand(node.low)
        high = self.operand(node.high)
        for o in (operand, low, high):
            self._check_ordered_const("BETWEEN", o)
        if low.const is not None and high.const is not None:
            check_between_bounds(self.b.kind, low.const, high.const)
        og, lg, hg = operand.get, low.get, high.get

        def between(item: dict) -> bool:
            v = og(item)
            lo = lg(item)
            hi = hg(item)
            if v is None or lo is None or hi is None:
                return False
            c1 = av_compare(lo, v)
            if c1 is None or c1 > 0:
                return False
            c2 = av_compare(v, hi)
            return c2 is not None and c2 <= 0

        return between

    def in_(self, node: InNode) -> Predicate:
        operand = self.operand(node.operand)
        options = [self.operand(o) for o in node.options]
        og = operand.get
        if all(o.const is not None for o in options):
            consts = [o.const for o in options]

            def in_consts(item: dict) -> bool:
                v = og(item)
                if v is None:
                    return False
                for c in consts:
                    if av_equal(v, c):  # type: ignore[arg-type]
                        return True
                return False

            return in_consts
        getters = [o.get for o in options]

        def in_any(item: dict) -> bool:
            v = og(item)
            if v is None:
                return False
            for g in getters:
                c = g(item)
                if c is not None and av_equal(v, c):
                    return True
            return False

        return in_any

    def function_condition(self, node: FuncNode) -> Predicate:
        name = node.name
        if name not in _ARITY:
            raise self.b.unknown_function_error(name)
        if name in OPERAND_FUNCTIONS:
            raise self.b.misused_function_error(name)
        self.check_function(node)
        args = node.args
        if name == "attribute_exists" or name == "attribute_not_exists":
            if type(args[0]) is not PathNode:
                if type(args[0]) is ValueNode:
                    self.b.value(args[0])
                raise self.b.requires_path_error(name)
            g = self.operand(args[0]).get
            if name == "attribute_exists":
                return lambda item: g(item) is not None
            return lambda item: g(item) is None
        if name == "attribute_type":
            target = self.operand(args[0])
            if type(args[1]) is not ValueNode:
                raise invalid(
                    self.b.kind,
                    "Incorrect operand type for operator or function; "
                    "operator or function: attribute_type, operand type: path",
                )
            tav = self.b.value(args[1])
            tag = av_type_tag(tav)
            if tag != "S":
                raise self.b.operand_type_error("attribute_type", tag)
            wanted = tav["S"]
            if wanted not in ATTRIBUTE_TYPE_NAMES:
                raise invalid(
                    self.b.kind,
                    f"Invalid attribute type name found; type: {wanted}, "
                    "valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }",
                )
            tg = target.get

            def attribute_type(item: dict) -> bool:
                v = tg(item)
                return v is not None and wanted in v

            return attribute_type
        first = self.operand(args[0])
        second = self.operand(args[1])
        if name == "begins_with":
            for o in (first, second):
                if o.const is not None:
                    tag = av_type_tag(o.const)
                    if tag != "S" and tag != "B":
                        raise self.b.operand_type_error("begins_with", tag)
            fg, sg = first.get, second.get

            def begins_with(item: dict) -> bool:
                a = fg(item)
                if a is None:
                    return False
                b = sg(item)
                return b is not None and av_begins_with(a, b)

            return begins_with
        # contains
        if first.path is not None and first.path == second.path:
            from .paths import path_repr

            raise invalid(
                self.b.kind,
                "The first operand must be distinct from the remaining operands for this operator "
                f"or function; operator: contains, first operand: {path_repr(first.path)}",
            )
        fg, sg = first.get, second.get

        def contains(item: dict) -> bool:
            a = fg(item)
            if a is None:
                return False
            b = sg(item)
            return b is not None and av_contains(a, b)

        return contains


def check_between_bounds(kind: str, low: dict, high: dict) -> None:
    """AWS's errors for two constant BETWEEN bounds of different types or in the wrong order."""
    if av_type_tag(low) != av_type_tag(high):
        raise invalid(
            kind,
            "The BETWEEN operator requires same data type for lower and upper bounds; "
            f"lower bound operand: {av_display(low)}, upper bound operand: {av_display(high)}",
        )
    cmp = av_compare(low, high)
    if cmp is not None and cmp > 0:
        raise invalid(
            kind,
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            f"lower bound operand: {av_display(low)}, upper bound operand: {av_display(high)}",
        )


class Condition:
    """A bound ConditionExpression or FilterExpression.

    ``evaluate(item)`` answers for an item (``None`` = the item does not exist).
    ``attributes`` is the set of top-level attribute names the expression reads (what Query
    needs to reject key attributes in a FilterExpression); ``paths`` every document path.
    """

    __slots__ = ("kind", "text", "_predicate", "paths", "attributes")

    def __init__(self, parsed: ParsedExpression, binder: Binder) -> None:
        binder.check_placeholders(parsed)
        compiler = ConditionCompiler(binder)
        self._predicate = compiler.condition(parsed.root)
        self.kind = parsed.kind
        self.text = parsed.text
        self.paths: tuple = tuple(compiler.paths)
        self.attributes: frozenset[str] = frozenset(p[0] for p in compiler.paths)

    def evaluate(self, item: dict | None) -> bool:
        """True when the condition holds for ``item`` (``None``: no item)."""
        return bool(self._predicate(_EMPTY if item is None else item))

    __call__ = evaluate

    def __repr__(self) -> str:
        return f"Condition({self.kind}={self.text!r})"


def condition_references_attributes(cond: Condition) -> frozenset[str]:
    """Top-level attribute names a condition reads (for Query's key-attribute filter check)."""
    return cond.attributes
