"""ExpressionContext: the expressions of one request and their shared placeholders.

One request (PutItem, UpdateItem, Query, ...) carries ``ExpressionAttributeNames`` and
``ExpressionAttributeValues`` shared by all its expressions. AWS validates the two maps
(non-empty, well-formed keys, valid values), requires every placeholder an expression uses to
be defined, and rejects placeholders no expression used
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).

Usage::

    ctx = ExpressionContext(names, values)
    cond = ctx.condition(text)                 # or kind="FilterExpression"
    upd = ctx.update(update_text)
    ctx.finish()                               # unused names/values -> ValidationException

Parsing is cached by expression text (bounded LRU in :mod:`.parser`); binding to the request's
names and values is a walk of the small tree that builds closures.
"""

from __future__ import annotations

import re

from ..errors import ValidationException
from ..types import validate_value
from .binding import Binder
from .condition import Condition
from .keycond import KeyCondition, MultiKeyCondition
from .parser import parse_condition, parse_projection, parse_update
from .paths import check_overlaps
from .projection import Projection
from .update import Update

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+\Z")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+\Z")
_CONDITION_KINDS = frozenset({"ConditionExpression", "FilterExpression", "KeyConditionExpression"})


class ExpressionContext:
    """Validates a request's ``ExpressionAttributeNames``/``Values`` and builds its expressions."""

    __slots__ = ("names", "values", "used_names", "used_values")

    def __init__(self, names: dict | None = None, values: dict | None = None) -> None:
        if names is not None:
            if not isinstance(names, dict):
                raise ValidationException("ExpressionAttributeNames must be a map")
            if not names:
                raise ValidationException("ExpressionAttributeNames must not be empty")
            for key, name in names.items():
                if not isinstance(key, str) or _NAME_KEY.match(key) is None:
                    raise ValidationException(
                        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                    )
                if not isinstance(name, str):
                    raise ValidationException(
                        f"ExpressionAttributeNames contains invalid value: {name!r} for key {key}"
                    )
                if not name:
                    raise ValidationException(
                        "ExpressionAttributeNames contains invalid value: Empty attribute name "
                        f"for key {key}"
                    )
                if len(name) > 16383 and len(name.encode("utf-8", "surrogatepass")) > 65535:
                    raise ValidationException(
                        "ExpressionAttributeNames contains invalid value: Attribute name is too "
                        f"long: more than 65535 bytes for key {key}"
                    )
        if values is not None:
            if not isinstance(values, dict):
                raise ValidationException("ExpressionAttributeValues must be a map")
            if not values:
                raise ValidationException("ExpressionAttributeValues must not be empty")
            changed = None
            for key, av in values.items():
                if not isinstance(key, str) or _VALUE_KEY.match(key) is None:
                    raise ValidationException(
                        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                    )
                try:
                    norm = validate_value(av)
                except ValidationException as exc:
                    raise ValidationException(
                        f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                    ) from None
                if norm is not av:
                    if changed is None:
                        changed = dict(values)
                    changed[key] = norm
            if changed is not None:
                values = changed
        self.names = names
        self.values = values
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def _binder(self, kind: str) -> Binder:
        return Binder(kind, self.names, self.values, self.used_names, self.used_values)

    def condition(self, text: str, kind: str = "ConditionExpression") -> Condition:
        """A ConditionExpression or FilterExpression (``kind`` names it in error messages)."""
        if kind not in _CONDITION_KINDS:
            raise ValueError(f"not a condition kind: {kind}")
        return Condition(parse_condition(text, kind), self._binder(kind))

    def projection(self, text: str) -> Projection:
        """A ProjectionExpression."""
        kind = "ProjectionExpression"
        parsed = parse_projection(text, kind)
        binder = self._binder(kind)
        binder.check_placeholders(parsed)
        paths = tuple(binder.path(p) for p in parsed.root)  # type: ignore[attr-defined]
        check_overlaps(kind, list(paths))
        return Projection(paths)

    def update(self, text: str) -> Update:
        """An UpdateExpression."""
        kind = "UpdateExpression"
        return Update(parse_update(text, kind), self._binder(kind))

    def key_condition(
        self,
        text: str,
        hash_key: str,
        range_key: str | None = None,
        key_types: dict | None = None,
    ) -> KeyCondition:
        """A KeyConditionExpression for a table or index with these key attribute names.

        ``key_types`` (``{"pk": "S", "sk": "N"}``), when given, checks value types against the
        schema.
        """
        kind = "KeyConditionExpression"
        return KeyCondition(
            parse_condition(text, kind), self._binder(kind), hash_key, range_key, key_types
        )

    def multi_key_condition(self, text: str, hash_attrs: tuple, range_attrs: tuple) -> MultiKeyCondition:
        """A KeyConditionExpression for a GSI with several HASH/RANGE attributes
        (``((name, type), ...)`` each, in KeySchema order)."""
        kind = "KeyConditionExpression"
        return MultiKeyCondition(parse_condition(text, kind), self._binder(kind), hash_attrs, range_attrs)

    def finish(self) -> None:
        """Raise AWS's error if a name or value of the request was used by no expression."""
        if self.names is not None and len(self.used_names) != len(self.names):
            unused = [k for k in self.names if k not in self.used_names]
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
        if self.values is not None and len(self.used_values) != len(self.values):
            unused = [k for k in self.values if k not in self.used_values]
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
