"""KeyConditionExpression: analysis into a partition-key value and an optional sort-key range.

Modelled on https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
and DynamoDB behaviour observed by ScyllaDB Alternator's tests: DynamoDB parses key conditions
with the condition grammar (so parentheses are accepted, and ``OR``, ``NOT``, ``IN`` and ``<>``
are parsed but refused), then requires ``hash = :v`` and optionally one of ``= < <= > >=``,
``BETWEEN`` or ``begins_with`` on the sort key, each key at most once, a path on one side and a
``:value`` on the other (either order; ``:v < sk`` means ``sk > :v``).
"""

from __future__ import annotations

from ..errors import ValidationException
from ..types import sort_key
from .binding import Binder
from .condition import av_compare, av_type_tag, check_between_bounds
from .nodes import (
    AndNode,
    BetweenNode,
    CompareNode,
    FuncCondNode,
    InNode,
    NotNode,
    OrNode,
    ParenNode,
    ParsedExpression,
    PathNode,
    ValueNode,
)
from .parser import invalid

_OPS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_KIND = "KeyConditionExpression"


def _unsupported() -> ValidationException:
    return ValidationException("Query key condition not supported")


def _bad_operator(op: str) -> ValidationException:
    return invalid(_KIND, f"Invalid operator used in KeyConditionExpression: {op}")


class KeyCondition:
    """A bound KeyConditionExpression.

    ``hash_value``: the partition key's value. ``range_op``: ``None`` or one of ``"EQ" "LT" "LE"
    "GT" "GE" "BETWEEN" "BEGINS_WITH"``, with ``range_values`` its operand values (two for
    BETWEEN). ``range_matches(av)`` tests one sort-key value.
    """

    __slots__ = ("hash_key", "range_key", "hash_value", "range_op", "range_values", "attributes")

    def __init__(
        self,
        parsed: ParsedExpression,
        binder: Binder,
        hash_key: str,
        range_key: str | None,
        key_types: dict | None = None,
    ) -> None:
        binder.check_placeholders(parsed)
        self.hash_key = hash_key
        self.range_key = range_key
        self.hash_value: dict | None = None
        self.range_op: str | None = None
        self.range_values: tuple = ()
        conditions = _flatten(parsed.root)
        analysed = [_analyse(c, binder) for c in conditions]
        seen: set[str] = set()
        for name, _, _ in analysed:
            if name in seen:
                raise invalid(
                    _KIND, "KeyConditionExpressions must only contain one condition per key"
                )
            seen.add(name)
        if len(conditions) > 2:
            raise ValidationException("Conditions can be of length 1 or 2 only")
        for name, op, values in analysed:
            if name == hash_key:
                if op != "EQ":
                    raise _unsupported()
                self.hash_value = values[0]
            elif range_key is not None and name == range_key:
                self.range_op = op
                self.range_values = values
            else:
                if range_key is None and hash_key in seen:
                    # Only a HASH key: a second condition is on no key at all (ALT:test_gsi.py::
                    # test_faux_range_key_in_keyconditionexpression).
                    raise ValidationException("Query key condition not supported")
                if len(analysed) == 2 and range_key is not None and hash_key in (
                    a[0] for a in analysed
                ):
                    raise ValidationException(
                        f"Query condition missed key schema element: {range_key}"
                    )
                raise ValidationException(f"Query condition missed key schema element: {hash_key}")
        if self.hash_value is None:
            raise ValidationException(f"Query condition missed key schema element: {hash_key}")
        if key_types:
            checks = ((hash_key, (self.hash_value,)), (range_key, self.range_values))
            for key_name, key_values in checks:
                expected = key_types.get(key_name) if key_name is not None else None
                if expected is None:
                    continue
                for v in key_values:
                    if av_type_tag(v) != expected:
                        raise ValidationException(
                            "One or more parameter values were invalid: Condition parameter type "
                            "does not match schema type"
                        )
        self.attributes = frozenset(seen)

    def range_matches(self, av: dict | None) -> bool:
        """Whether a sort-key value satisfies the sort-key condition (True when there is none)."""
        op = self.range_op
        if op is None:
            return True
        if av is None:
            return False
        values = self.range_values
        if op == "BEGINS_WITH":
            (t, v), = av.items()
            (tp, p), = values[0].items()
            return t == tp and v.startswith(p)
        c = av_compare(av, values[0])
        if c is None:
            return False
        if op == "EQ":
            return c == 0
        if op == "LT":
            return c < 0
        if op == "LE":
            return c <= 0
        if op == "GT":
            return c > 0
        if op == "GE":
            return c >= 0
        c2 = av_compare(av, values[1])
        return c >= 0 and c2 is not None and c2 <= 0

    def range_bounds(self) -> tuple:
        """(low, low_inclusive, high, high_inclusive) as :func:`sort_key` values, ``None`` = open.

        For BEGINS_WITH the low bound is the prefix (inclusive) and the high bound is open; the
        caller stops scanning when ``range_matches`` turns false.
        """
        op = self.range_op
        v = self.range_values
        if op is None:
            return (None, True, None, True)
        k = sort_key(v[0])
        if op == "EQ":
            return (k, True, k, True)
        if op == "LT":
            return (None, True, k, False)
        if op == "LE":
            return (None, True, k, True)
        if op == "GT":
            return (k, False, None, True)
        if op == "GE" or op == "BEGINS_WITH":
            return (k, True, None, True)
        return (k, True, sort_key(v[1]), True)

    def __repr__(self) -> str:
        return (
            f"KeyCondition(hash={self.hash_key}:{self.hash_value!r}, "
            f"range={self.range_key}:{self.range_op}{self.range_values!r})"
        )


def _flatten(node: object) -> list:
    if isinstance(node, ParenNode):
        return _flatten(node.inner)
    if isinstance(node, AndNode):
        return _flatten(node.left) + _flatten(node.right)
    if isinstance(node, OrNode):
        raise _bad_operator("OR")
    if isinstance(node, NotNode):
        raise _bad_operator("NOT")
    if isinstance(node, InNode):
        raise _bad_operator("IN")
    return [node]


def _side(node: object, binder: Binder) -> tuple[str | None, dict | None]:
    """(attribute name, None) for a path, (None, value) for a :value."""
    if type(node) is PathNode:
        path = binder.path(node)
        if len(path) != 1:
            raise invalid(
                _KIND, "KeyConditionExpressions cannot contain nested attribute paths"
            )
        return path[0], None
    if type(node) is ValueNode:
        return None, binder.value(node)
    raise _unsupported()


def _analyse(node: object, binder: Binder) -> tuple[str, str, tuple]:
    if isinstance(node, CompareNode):
        op = node.op
        if op == "<>":
            raise _bad_operator("<>")
        lname, lval = _side(node.left, binder)
        rname, rval = _side(node.right, binder)
        if lname is not None and rval is not None:
            return lname, _OPS[op], (rval,)
        if rname is not None and lval is not None:
            return rname, _OPS[_FLIP[op]], (lval,)
        raise _unsupported()
    if isinstance(node, BetweenNode):
        name, _ = _side(node.operand, binder)
        _, low = _side(node.low, binder)
        _, high = _side(node.high, binder)
        if name is None or low is None or high is None:
            raise _unsupported()
        for v in (low, high):
            tag = av_type_tag(v)
            if tag not in ("S", "N", "B"):
                raise binder.operand_type_error("BETWEEN", tag)
        check_between_bounds(_KIND, low, high)
        return name, "BETWEEN", (low, high)
    if isinstance(node, FuncCondNode):
        func = node.func
        if func.name != "begins_with":
            if func.name in ("attribute_exists", "attribute_not_exists", "attribute_type",
                             "contains", "size"):
                raise _bad_operator(func.name)
            raise binder.unknown_function_error(func.name)
        if len(func.args) != 2:
            raise binder.operand_count_error(func.name, len(func.args))
        name, _ = _side(func.args[0], binder)
        _, prefix = _side(func.args[1], binder)
        if name is None or prefix is None:
            raise _unsupported()
        tag = av_type_tag(prefix)
        if tag not in ("S", "B"):
            raise binder.operand_type_error("begins_with", tag)
        return name, "BEGINS_WITH", (prefix,)
    raise _unsupported()  # pragma: no cover


class MultiKeyCondition:
    """A bound KeyConditionExpression for a GSI with several HASH and/or RANGE attributes
    (multi-attribute keys, Nov 2025; ALT:test_gsi_composite_keys.py).

    Every HASH attribute needs an equality; the RANGE attributes used must be a prefix of the
    index's RANGE attributes in KeySchema order (in any textual order), all equalities but the
    last, which may be ``< <= > >= BETWEEN begins_with`` as well. ``hash_values``: the HASH
    values in KeySchema order; ``prefix``: the equality values of the leading RANGE attributes;
    ``range_op``/``range_values``/``range_type``: the condition on the next one (or None).
    """

    __slots__ = ("hash_values", "prefix", "range_op", "range_values", "range_type", "attributes")

    def __init__(
        self,
        parsed: ParsedExpression,
        binder: Binder,
        hash_attrs: tuple,
        range_attrs: tuple,
    ) -> None:
        binder.check_placeholders(parsed)
        analysed = [_analyse(c, binder) for c in _flatten(parsed.root)]
        given: dict[str, tuple[str, tuple]] = {}
        for name, op, values in analysed:
            if name in given:
                raise invalid(_KIND, "KeyConditionExpressions must only contain one condition per key")
            given[name] = (op, values)
        types = dict((*hash_attrs, *range_attrs))
        for name in given:
            if name not in types:
                raise ValidationException(f"Query condition missed key schema element: {name}")
        hash_values = []
        for name, _tag in hash_attrs:
            cond = given.get(name)
            if cond is None or cond[0] != "EQ":
                raise ValidationException(
                    "Query key condition not supported: every HASH key attribute of the index "
                    f"needs an equality (=) condition; attribute: {name}"
                )
            hash_values.append(cond[1][0])
        used = [i for i, (name, _) in enumerate(range_attrs) if name in given]
        if used and used != list(range(len(used))):
            missing = range_attrs[next(i for i in range(len(range_attrs)) if i not in used)][0]
            raise ValidationException(
                "Query key condition not supported: conditions on RANGE key attributes must "
                "be equality (=) conditions on the leading attributes in KeySchema order, the "
                f"last one given may be a range condition; missing attribute: {missing}"
            )
        prefix = []
        self.range_op: str | None = None
        self.range_values: tuple = ()
        self.range_type: str | None = None
        for position in used:
            name, tag = range_attrs[position]
            op, values = given[name]
            if op != "EQ" or position == used[-1]:
                if position != used[-1]:
                    raise ValidationException(
                        "Query key condition not supported: conditions on RANGE key attributes "
                        "must be equality (=) conditions on the leading attributes in KeySchema "
                        f"order, the last one given may be a range condition; attribute: {name}"
                    )
                self.range_op, self.range_values, self.range_type = op, values, tag
            else:
                prefix.append(values[0])
        for name, (op, values) in given.items():
            for v in values:
                if av_type_tag(v) != types[name]:
                    raise ValidationException(
                        "One or more parameter values were invalid: Condition parameter type "
                        "does not match schema type"
                    )
        self.hash_values = tuple(hash_values)
        self.prefix = tuple(prefix)
        self.attributes = frozenset(given)

    def __repr__(self) -> str:
        return (
            f"MultiKeyCondition(hash={self.hash_values!r}, prefix={self.prefix!r}, "
            f"range={self.range_op}{self.range_values!r})"
        )
