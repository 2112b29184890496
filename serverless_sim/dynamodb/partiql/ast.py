"""The syntax tree of a PartiQL-for-DynamoDB statement.

Values are immutable (``attrs.frozen``) and their ``repr`` is valid Python, so a failing
hypothesis example pastes into a test. Literal scalars already hold their DynamoDB wire value
(``{"S": "x"}``, ``{"N": "1"}``...); lists, tuples (maps) and bags (sets) keep their elements
as nodes, because an element may be a ``?`` parameter bound only at execution.
"""

from __future__ import annotations

from typing import Any, Union

import attrs


# --- values and operands -------------------------------------------------------------------


@attrs.frozen
class Path:
    """A document path: ``name`` then map keys (``str``) and list indexes (``int``)."""

    name: str
    steps: tuple[str | int, ...] = ()

    def label(self) -> str:
        """The name a projected path's value is returned under: its last name part plus any
        trailing list indexes (``a.b[1]`` -> ``b[1]``)."""
        last = self.name
        tail = ""
        for step in self.steps:
            if isinstance(step, int):
                tail += f"[{step}]"
            else:
                last, tail = step, ""
        return last + tail

    def __str__(self) -> str:
        out = self.name
        for step in self.steps:
            out += f"[{step}]" if isinstance(step, int) else f".{step}"
        return out


@attrs.frozen
class Literal:
    """A scalar literal as a wire value (S, N, BOOL or NULL)."""

    value: dict[str, Any] = attrs.field(hash=False)  # wire dicts are not hashable


@attrs.frozen
class Missing:
    """The ``MISSING`` literal (only meaningful after ``IS``)."""


@attrs.frozen
class Param:
    """The ``index``-th ``?`` of the statement (0-based, in text order)."""

    index: int


@attrs.frozen
class ListValue:
    """``[a, b, ...]``: a DynamoDB L."""

    items: tuple["Expr", ...]


@attrs.frozen
class TupleValue:
    """``{'k': v, ...}``: a DynamoDB M (a PartiQL tuple). Keys are kept as written."""

    pairs: tuple[tuple["Expr", "Expr"], ...]


@attrs.frozen
class BagValue:
    """``<<a, b, ...>>``: a DynamoDB SS or NS."""

    items: tuple["Expr", ...]


# --- expressions ---------------------------------------------------------------------------


@attrs.frozen
class Call:
    """A function call; ``name`` is lower case."""

    name: str
    args: tuple["Expr", ...]


@attrs.frozen
class Arith:
    """``left + right`` or ``left - right``."""

    op: str
    left: "Expr"
    right: "Expr"


@attrs.frozen
class Compare:
    """``left op right`` with op one of ``= <> < <= > >=`` (``!=`` is read as ``<>``)."""

    op: str
    left: "Expr"
    right: "Expr"


@attrs.frozen
class Between:
    operand: "Expr"
    low: "Expr"
    high: "Expr"


@attrs.frozen
class In:
    operand: "Expr"
    options: tuple["Expr", ...]


@attrs.frozen
class Is:
    """``operand IS [NOT] type`` where type is MISSING, NULL, BOOLEAN, STRING, NUMERIC..."""

    operand: "Expr"
    type_name: str
    negated: bool = False


@attrs.frozen
class Not:
    operand: "Expr"


@attrs.frozen
class And:
    left: "Expr"
    right: "Expr"


@attrs.frozen
class Or:
    left: "Expr"
    right: "Expr"


Expr = Union[
    Path, Literal, Missing, Param, ListValue, TupleValue, BagValue,
    Call, Arith, Compare, Between, In, Is, Not, And, Or,
]

# --- statements ----------------------------------------------------------------------------


@attrs.frozen
class Select:
    """``SELECT projection FROM "table"["index"] [WHERE ...] [ORDER BY ...]``.

    ``projection`` is ``None`` for ``*``. ``order_by`` holds ``(path, descending)`` pairs.
    """

    table: str
    index: str | None
    projection: tuple[Path, ...] | None
    where: Expr | None
    order_by: tuple[tuple[Path, bool], ...] = ()


@attrs.frozen
class Insert:
    """``INSERT INTO "table" VALUE item``."""

    table: str
    item: Expr


@attrs.frozen
class SetAction:
    path: Path
    value: Expr


@attrs.frozen
class RemoveAction:
    path: Path


@attrs.frozen
class Update:
    """``UPDATE "table" SET ... REMOVE ... WHERE ... [RETURNING ...]``.

    ``returning`` is one of ``ALL_OLD``, ``UPDATED_OLD``, ``ALL_NEW``, ``UPDATED_NEW`` (the
    UpdateItem ``ReturnValues`` it becomes) or ``None``.
    """

    table: str
    actions: tuple[SetAction | RemoveAction, ...]
    where: Expr | None
    returning: str | None = None


@attrs.frozen
class Delete:
    """``DELETE FROM "table" WHERE ... [RETURNING ALL OLD *]``."""

    table: str
    where: Expr | None
    returning: str | None = None


@attrs.frozen
class Exists:
    """``EXISTS(SELECT ...)``: a condition check, allowed only in write transactions."""

    select: Select


Statement = Union[Select, Insert, Update, Delete, Exists]


def is_read(statement: Statement) -> bool:
    """True for a SELECT (an EXISTS counts as a write: it is a transaction's ConditionCheck)."""
    return isinstance(statement, Select)
