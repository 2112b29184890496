"""Evaluating a WHERE condition on one item, and shaping projected results.

Most conditions travel to the engine as FilterExpression or ConditionExpression strings, so
the engine's rules apply. Three places have no expression parameter to carry them, and use
this evaluator instead (with the same semantics as DynamoDB's condition expressions,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):

- a Query's extra conditions on key attributes (a FilterExpression may not name a key);
- the extra conditions of a SELECT read with GetItem (BatchExecuteStatement) or
  TransactGetItems (ExecuteTransaction).

Comparisons between values of different types are false, never errors; ``<>`` with a missing
attribute is true.

Projection: AWS returns a projected document path under its last name part
(``SELECT m.k[1], l[0], m.z`` gives ``k[1]``, ``l[0]`` and ``z``, as observed on DynamoDB Local,
which runs AWS's PartiQL front end); :func:`project` does the same.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import ValidationException
from . import ast
from .values import AttributeValue, bind, equal, is_value, less, type_of

Item = dict[str, AttributeValue]

_IS_TYPES = {"BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N", "STRUCT": "M",
             "TUPLE": "M", "LIST": "L"}


def get_path(item: Item, path: ast.Path) -> AttributeValue | None:
    """The value at ``path`` in ``item``, or ``None`` when it is missing."""
    value: Any = item.get(path.name)
    for step in path.steps:
        if value is None:
            return None
        if isinstance(step, int):
            seq = value.get("L") if isinstance(value, dict) else None
            value = seq[step] if seq is not None and step < len(seq) else None
        else:
            m = value.get("M") if isinstance(value, dict) else None
            value = m.get(step) if m is not None else None
    return value


def project(item: Item, projection: tuple[ast.Path, ...] | None) -> Item:
    """``item`` reduced to the projected paths, each under :meth:`Path.label`."""
    if projection is None:
        return item
    out: Item = {}
    for p in projection:
        v = get_path(item, p)
        if v is not None:
            out[p.label()] = v
    return out


def matches(cond: ast.Expr | None, item: Item, params: Sequence[AttributeValue]) -> bool:
    """True if ``item`` satisfies ``cond`` (``None`` matches everything)."""
    if cond is None:
        return True
    return _Eval(item, params).test(cond)


class _Eval:
    def __init__(self, item: Item, params: Sequence[AttributeValue]) -> None:
        self.item = item
        self.params = params

    def operand(self, e: ast.Expr) -> AttributeValue | None:
        if isinstance(e, ast.Path):
            return get_path(self.item, e)
        if isinstance(e, ast.Call) and e.name == "size" and len(e.args) == 1:
            v = self.operand(e.args[0])
            if v is None:
                return None
            t = type_of(v)
            if t == "S":
                return {"N": str(len(v["S"]))}
            if t == "B":
                return {"N": str(len(bytes(v["B"])))}
            if t in ("SS", "NS", "BS", "L", "M"):
                return {"N": str(len(v[t]))}
            return None
        if is_value(e):
            return bind(e, self.params)
        raise ValidationException(f"Unsupported operand in condition: {type(e).__name__}")

    def test(self, e: ast.Expr) -> bool:
        if isinstance(e, ast.And):
            return self.test(e.left) and self.test(e.right)
        if isinstance(e, ast.Or):
            return self.test(e.left) or self.test(e.right)
        if isinstance(e, ast.Not):
            return not self.test(e.operand)
        if isinstance(e, ast.Compare):
            a, b = self.operand(e.left), self.operand(e.right)
            if e.op == "<>":
                return a is None or b is None or not equal(a, b)
            if a is None or b is None:
                return False
            if e.op == "=":
                return equal(a, b)
            lt, gt = less(a, b), less(b, a)
            if lt is None or gt is None:
                return False
            return {"<": lt, "<=": not gt, ">": gt, ">=": not lt}[e.op]
        if isinstance(e, ast.Between):
            x, lo, hi = self.operand(e.operand), self.operand(e.low), self.operand(e.high)
            if x is None or lo is None or hi is None:
                return False
            below, above = less(x, lo), less(hi, x)
            return below is False and above is False
        if isinstance(e, ast.In):
            x = self.operand(e.operand)
            return x is not None and any(
                (o := self.operand(opt)) is not None and equal(x, o) for opt in e.options
            )
        if isinstance(e, ast.Is):
            v = self.operand(e.operand)
            if e.type_name == "MISSING":
                result = v is None
            elif e.type_name == "NULL":
                result = v is None or type_of(v) == "NULL"
            else:
                result = v is not None and type_of(v) == _IS_TYPES[e.type_name]
            return result != e.negated
        if isinstance(e, ast.Call):
            return self.call(e)
        raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")

    def call(self, e: ast.Call) -> bool:
        args = e.args
        if e.name == "attribute_exists":
            return self.operand(args[0]) is not None
        if e.name == "attribute_not_exists":
            return self.operand(args[0]) is None
        a = self.operand(args[0])
        b = self.operand(args[1]) if len(args) > 1 else None
        if a is None or b is None:
            return False
        ta, tb = type_of(a), type_of(b)
        if e.name == "attribute_type":
            return tb == "S" and ta == b["S"]
        if e.name == "begins_with":
            if ta == tb == "S":
                return bool(a["S"].startswith(b["S"]))
            if ta == tb == "B":
                return bytes(a["B"]).startswith(bytes(b["B"]))
            return False
        if e.name == "contains":
            if ta == tb == "S":
                return b["S"] in a["S"]
            if ta in ("SS", "NS", "BS") and tb == ta[0]:
                return any(equal({tb: x}, b) for x in a[ta])
            if ta == "L":
                return any(equal(x, b) for x in a["L"])
            return False
        raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")
