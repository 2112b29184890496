"""Legacy (pre-expression) parameters: Expected, AttributeUpdates, KeyConditions, QueryFilter,
ScanFilter, ConditionalOperator and AttributesToGet.

AWS behaviour modelled
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
and its pages for each parameter; messages as DynamoDB sends them, observed by ScyllaDB
Alternator's ``test_expected.py``, ``test_key_conditions.py``, ``test_query_filter.py``,
``test_item.py`` and by other DynamoDB re-implementations' tests run against AWS):

* A request may not mix legacy and expression parameters: "Can not use both expression and
  non-expression parameters in the same request: Non-expression parameters: {...} Expression
  parameters: {...}", each side listed in AWS's per-operation order. KeyConditions is exempt
  unless KeyConditionExpression is present (KeyConditions + FilterExpression is allowed).
* ConditionalOperator (AND, the default, or OR) needs an Expected/filter map with at least two
  conditions.
* A condition is ``ComparisonOperator`` + ``AttributeValueList`` (Expected also accepts
  ``Value`` and ``Exists``). Argument counts: EQ NE LE LT GE GT CONTAINS NOT_CONTAINS BEGINS_WITH
  one, NULL NOT_NULL none, BETWEEN two, IN at least one; all arguments of one type; LE LT GE GT
  BETWEEN IN CONTAINS NOT_CONTAINS take S, N or B only, BEGINS_WITH S or B; BETWEEN's bounds in
  order. A wrongly typed *item* attribute just makes the condition false.
* Semantics: EQ/NE compare any types (a missing attribute is "not equal"); NULL/NOT_NULL test
  existence (not the NULL type); CONTAINS is substring or set/list membership; NOT_CONTAINS is
  false for a missing attribute (unlike NE); IN is equality with one of the values.
* AttributeUpdates: PUT (the default) sets, DELETE without a value removes the attribute, DELETE
  with a set removes elements (an emptied set removes the attribute), ADD adds to a number, unites
  sets and -- unlike the ADD of UpdateExpression -- appends to a list; a value of another type
  than the stored one is "Type mismatch for attribute to update". An update made only of DELETEs
  does not create a missing item.

Implementation: conditions are translated into the expression machinery (a ConditionExpression,
FilterExpression or KeyConditionExpression over generated ``#_lN``/``:_lN`` placeholders) after
the legacy validation, so evaluation is shared; AttributeUpdates, whose semantics differ, is
applied by :class:`AttributeUpdates`. Nothing here runs for a request without legacy parameters.
"""

from __future__ import annotations

from typing import Any, Iterable

from .errors import ValidationException
from .expressions.condition import av_compare, av_type_tag
from .expressions.projection import Projection
from .types import add_numbers, validate_value

_INVALID = "One or more parameter values were invalid: "
#: AWS's ComparisonOperator enum, in the order its validation message lists it.
OPERATORS = (
    "IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
    "BEGINS_WITH", "GE", "CONTAINS",
)
_ONE = frozenset({"EQ", "NE", "LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH"})
_SCALAR = ("S", "N", "B")
_ALLOWED_TYPES = {
    "LE": _SCALAR, "LT": _SCALAR, "GE": _SCALAR, "GT": _SCALAR, "BETWEEN": _SCALAR,
    "IN": _SCALAR, "CONTAINS": _SCALAR, "NOT_CONTAINS": _SCALAR, "BEGINS_WITH": ("S", "B"),
}
_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_KEY_OPERATORS = frozenset({"EQ", "LE", "LT", "GE", "GT", "BEGINS_WITH", "BETWEEN"})
_SETS = frozenset({"SS", "NS", "BS"})
MAX_NAME_BYTES = 65535

#: Legacy and expression parameters of each operation, in the order AWS lists them.
NON_EXPRESSION = {
    "PutItem": ("Expected", "ConditionalOperator"),
    "DeleteItem": ("Expected", "ConditionalOperator"),
    "UpdateItem": ("AttributeUpdates", "Expected", "ConditionalOperator"),
    "GetItem": ("AttributesToGet",),
    "Query": ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
    "Scan": ("AttributesToGet", "ScanFilter", "ConditionalOperator"),
}
EXPRESSION = {
    "PutItem": ("ConditionExpression",),
    "DeleteItem": ("ConditionExpression",),
    "UpdateItem": ("UpdateExpression", "ConditionExpression"),
    "GetItem": ("ProjectionExpression",),
    "Query": ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
    "Scan": ("ProjectionExpression", "FilterExpression"),
}


def has_legacy(request: dict, op: str) -> bool:
    """Whether ``request`` carries any legacy parameter of ``op``. O(1)."""
    for key in NON_EXPRESSION[op]:
        if request.get(key) is not None:
            return True
    return False


def check_mixing(request: dict, op: str) -> None:
    """AWS's error for legacy and expression parameters in one request."""
    expr = [k for k in EXPRESSION[op] if request.get(k) is not None]
    if not expr:
        return
    non = [k for k in NON_EXPRESSION[op] if request.get(k) is not None]
    if op == "Query" and request.get("KeyConditionExpression") is None and "KeyConditions" in non:
        non.remove("KeyConditions")
    if non:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(non)}}} Expression parameters: "
            f"{{{', '.join(expr)}}}"
        )


def check_conditional_operator(request: dict, conditions: Any) -> str:
    """Validate ConditionalOperator against its Expected/filter map; returns AND or OR."""
    op = request.get("ConditionalOperator")
    if op is None:
        return "AND"
    if op not in ("AND", "OR"):
        raise ValidationException(
            f"1 validation error detected: Value '{op}' at 'conditionalOperator' failed to "
            "satisfy constraint: Member must satisfy enum value set: [AND, OR]"
        )
    if not conditions:
        raise ValidationException("ConditionalOperator cannot be used without Filter or Expected")
    if len(conditions) < 2:
        raise ValidationException(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
        )
    return str(op)


def check_attribute_name(name: Any) -> None:
    """A legacy attribute name: a non-empty string of at most 65535 bytes."""
    if not isinstance(name, str) or not name:
        raise ValidationException(_INVALID + "Empty attribute name")
    if len(name) > MAX_NAME_BYTES // 4 and len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ValidationException(
            _INVALID + f"Attribute name is too long: more than {MAX_NAME_BYTES} bytes"
        )


def check_attributes_to_get(names: Any) -> frozenset[str]:
    """Validate AttributesToGet (non-empty, no duplicates, valid names); returns the names."""
    if not isinstance(names, list) or not names:
        raise ValidationException(
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    for name in names:
        check_attribute_name(name)
    wanted = frozenset(names)
    if len(wanted) != len(names):
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValidationException(_INVALID + f"Duplicate value in attribute name: {name}")
            seen.add(name)
    return wanted


def check_expression_maps_unused(request: dict) -> None:
    """Expression maps without any expression (the legacy request has none)."""
    if request.get("ExpressionAttributeNames") is not None:
        raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
    if request.get("ExpressionAttributeValues") is not None:
        raise ValidationException("ExpressionAttributeValues can only be specified when using expressions")


# ---------------------------------------------------------------------------------------------
# Conditions


class _Builder:
    """Generates placeholders into a names and a values map, shared by one request."""

    __slots__ = ("names", "values", "_n", "_v")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, dict] = {}
        self._n: dict[str, str] = {}
        self._v = 0

    def name(self, attribute: str) -> str:
        ph = self._n.get(attribute)
        if ph is None:
            ph = self._n[attribute] = f"#_l{len(self._n)}"
            self.names[ph] = attribute
        return ph

    def value(self, av: dict) -> str:
        ph = f":_l{self._v}"
        self._v += 1
        self.values[ph] = av
        return ph


def _operator(op: Any, where: str) -> str:
    if op not in OPERATORS:
        raise ValidationException(
            f"1 validation error detected: Value '{op}' at '{where}.member.comparisonOperator' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(OPERATORS)}]"
        )
    return str(op)


def _arguments(op: str, args: Any) -> list[dict]:
    """Validate the argument list of ``op`` (count, values, types, BETWEEN order)."""
    if args is None:
        args = []
    if not isinstance(args, list):
        raise ValidationException(_INVALID + f"Invalid number of argument(s) for the {op} ComparisonOperator")
    n = len(args)
    if op in _ONE:
        ok = n == 1
    elif op == "BETWEEN":
        ok = n == 2
    elif op == "IN":
        ok = n >= 1
    else:  # NULL, NOT_NULL
        ok = n == 0
    if not ok:
        raise ValidationException(_INVALID + f"Invalid number of argument(s) for the {op} ComparisonOperator")
    values = [validate_value(av) for av in args]
    if values:
        first = av_type_tag(values[0])
        if any(av_type_tag(v) != first for v in values[1:]):
            raise ValidationException(
                _INVALID + "AttributeValues inside AttributeValueList must be of same type"
            )
        allowed = _ALLOWED_TYPES.get(op)
        if allowed is not None and first not in allowed:
            raise ValidationException(
                _INVALID + f"ComparisonOperator {op} is not valid for {first} AttributeValue type"
            )
        if op == "BETWEEN":
            cmp = av_compare(values[0], values[1])
            if cmp is not None and cmp > 0:
                raise ValidationException(
                    "The BETWEEN condition was provided a range where the lower bound is greater "
                    "than the upper bound"
                )
    return values


def _text(b: _Builder, attribute: str, op: str, values: list[dict], grouped: bool) -> str:
    """The expression text of one condition."""
    n = b.name(attribute)
    if op in _COMPARE:
        return f"{n} {_COMPARE[op]} {b.value(values[0])}"
    if op == "NULL":
        return f"attribute_not_exists({n})"
    if op == "NOT_NULL":
        return f"attribute_exists({n})"
    if op == "CONTAINS":
        return f"contains({n}, {b.value(values[0])})"
    if op == "NOT_CONTAINS":
        # A missing attribute does not satisfy NOT_CONTAINS (ALT:test_expected.py).
        text = f"attribute_exists({n}) AND NOT contains({n}, {b.value(values[0])})"
        return f"({text})" if grouped else text
    if op == "BEGINS_WITH":
        return f"begins_with({n}, {b.value(values[0])})"
    if op == "IN":
        return f"{n} IN ({', '.join(b.value(v) for v in values)})"
    return f"{n} BETWEEN {b.value(values[0])} AND {b.value(values[1])}"  # BETWEEN


def _join(parts: list[str], conj: str) -> str | None:
    return f" {conj} ".join(parts) if parts else None


def filter_text(b: _Builder, conditions: Any, conj: str, field: str) -> str | None:
    """A QueryFilter/ScanFilter as FilterExpression text (None when empty)."""
    if not conditions:
        return None
    if not isinstance(conditions, dict):
        raise ValidationException(f"{field} must be a map of conditions")
    grouped = len(conditions) > 1
    parts = []
    for attribute, spec in conditions.items():
        check_attribute_name(attribute)
        spec = spec if isinstance(spec, dict) else {}
        op = _operator(spec.get("ComparisonOperator"), f"{field}.{attribute}")
        values = _arguments(op, spec.get("AttributeValueList"))
        parts.append(_text(b, attribute, op, values, grouped))
    return _join(parts, conj)


def expected_text(b: _Builder, expected: Any, conj: str) -> str | None:
    """An Expected map as ConditionExpression text (None when empty)."""
    if not expected:
        return None
    if not isinstance(expected, dict):
        raise ValidationException("Expected must be a map of conditions")
    grouped = len(expected) > 1
    parts = []
    for attribute, spec in expected.items():
        check_attribute_name(attribute)
        spec = spec if isinstance(spec, dict) else {}
        has_list = spec.get("AttributeValueList") is not None
        has_value = spec.get("Value") is not None
        if has_list and has_value:
            raise ValidationException(
                _INVALID + f"Value and AttributeValueList cannot be used together for Attribute: {attribute}"
            )
        op = spec.get("ComparisonOperator")
        exists = spec.get("Exists")
        if op is not None:
            if exists is not None:
                raise ValidationException(
                    _INVALID + f"Exists and ComparisonOperator cannot be used together for Attribute: {attribute}"
                )
            op = _operator(op, f"expected.{attribute}")
            if op not in ("NULL", "NOT_NULL") and not has_list and not has_value:
                raise ValidationException(
                    _INVALID + f"Value or AttributeValueList must be used with ComparisonOperator: "
                    f"{op} for Attribute: {attribute}"
                )
            args = spec.get("AttributeValueList") if has_list else ([spec["Value"]] if has_value else [])
            values = _arguments(op, args)
            parts.append(_text(b, attribute, op, values, grouped))
            continue
        if has_list:
            raise ValidationException(
                _INVALID + f"AttributeValueList can only be used with a ComparisonOperator for Attribute: {attribute}"
            )
        if exists is None or exists:
            if not has_value:
                shown = "null" if exists is None else "true"
                raise ValidationException(
                    _INVALID + f"Value must be provided when Exists is {shown} for Attribute: {attribute}"
                )
            parts.append(_text(b, attribute, "EQ", [validate_value(spec["Value"])], grouped))
        else:
            if has_value:
                raise ValidationException(
                    _INVALID + f"Value cannot be used when Exists is false for Attribute: {attribute}"
                )
            parts.append(_text(b, attribute, "NULL", [], grouped))
    return _join(parts, conj)


def key_conditions_text(b: _Builder, conditions: Any, hash_key: str) -> str:
    """KeyConditions as KeyConditionExpression text. Which attributes may appear (and in which
    numbers) is checked by the key-condition analysis the text then goes through."""
    if not isinstance(conditions, dict) or not conditions:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    parts = []
    for attribute, spec in conditions.items():
        check_attribute_name(attribute)
        spec = spec if isinstance(spec, dict) else {}
        op = _operator(spec.get("ComparisonOperator"), f"keyConditions.{attribute}")
        values = _arguments(op, spec.get("AttributeValueList"))
        if attribute == hash_key and op != "EQ":
            raise ValidationException("Query key condition not supported")
        if op not in _KEY_OPERATORS:
            raise ValidationException("Attempted conditional constraint is not an indexable operation")
        parts.append(_text(b, attribute, op, values, False))
    return " AND ".join(parts)


# ---------------------------------------------------------------------------------------------
# Request rewriting


def _with_condition(request: dict, drop: Iterable[str], member: str, text: str | None, b: _Builder) -> dict:
    out = {k: v for k, v in request.items() if k not in drop}
    if text is not None:
        out[member] = text
        if b.names:
            out["ExpressionAttributeNames"] = b.names
        if b.values:
            out["ExpressionAttributeValues"] = b.values
    return out


def rewrite_write(request: dict, op: str) -> dict:
    """Put/Delete/Update: validate the legacy parameters and return the request with Expected
    as a ConditionExpression (AttributeUpdates, for UpdateItem, is left for
    :class:`AttributeUpdates`)."""
    check_mixing(request, op)
    check_expression_maps_unused(request)
    expected = request.get("Expected")
    conj = check_conditional_operator(request, expected)
    b = _Builder()
    text = expected_text(b, expected, conj)
    return _with_condition(request, ("Expected", "ConditionalOperator"), "ConditionExpression", text, b)


def rewrite_read(request: dict, op: str, hash_key: str | None = None) -> dict:
    """Query/Scan: validate the legacy parameters and return the request with KeyConditions as
    a KeyConditionExpression and QueryFilter/ScanFilter as a FilterExpression (AttributesToGet
    stays: the read path projects top-level names itself)."""
    check_mixing(request, op)
    field = "QueryFilter" if op == "Query" else "ScanFilter"
    filt = request.get(field)
    conj = check_conditional_operator(request, filt)
    if request.get("AttributesToGet") is not None:
        check_attributes_to_get(request["AttributesToGet"])
    kc = request.get("KeyConditions") if op == "Query" else None
    if kc is None and filt is None:
        return {k: v for k, v in request.items() if k != "ConditionalOperator"}
    user_expressions = any(
        request.get(k) is not None for k in ("FilterExpression", "ProjectionExpression")
    )
    if not user_expressions:
        check_expression_maps_unused(request)
    b = _Builder()
    out = {k: v for k, v in request.items() if k not in ("KeyConditions", field, "ConditionalOperator")}
    if kc is not None:
        out["KeyConditionExpression"] = key_conditions_text(b, kc, hash_key or "")
    text = filter_text(b, filt, conj, field[0].lower() + field[1:])
    if text is not None:
        out["FilterExpression"] = text
    if b.names:
        out["ExpressionAttributeNames"] = {**(request.get("ExpressionAttributeNames") or {}), **b.names}
    if b.values:
        out["ExpressionAttributeValues"] = {**(request.get("ExpressionAttributeValues") or {}), **b.values}
    return out


# ---------------------------------------------------------------------------------------------
# AttributeUpdates


def _type_mismatch() -> ValidationException:
    return ValidationException("Type mismatch for attribute to update")


class AttributeUpdates:
    """A validated ``AttributeUpdates`` map of UpdateItem, applied like an :class:`Update
    <.expressions.update.Update>` (``apply``, ``check_key_attributes``, ``removal_only``).

    O(number of attributes) to build; ``apply`` O(attributes + sizes of the sets/lists changed).
    """

    __slots__ = ("actions", "attributes", "removal_only")

    def __init__(self, updates: Any) -> None:
        if not isinstance(updates, dict):
            raise ValidationException("AttributeUpdates must be a map")
        actions: list[tuple[str, str, dict | None]] = []
        for name, spec in updates.items():
            check_attribute_name(name)
            spec = spec if isinstance(spec, dict) else {}
            action = spec.get("Action")
            if action is None:
                action = "PUT"
            if action not in ("ADD", "PUT", "DELETE"):
                raise ValidationException(
                    f"1 validation error detected: Value '{action}' at 'attributeUpdates.{name}."
                    "member.action' failed to satisfy constraint: Member must satisfy enum value "
                    "set: [ADD, PUT, DELETE]"
                )
            raw = spec.get("Value")
            value = None if raw is None else validate_value(raw)
            if value is None:
                if action != "DELETE":
                    raise ValidationException(
                        _INVALID + "Only DELETE action is allowed when no attribute value is specified"
                    )
            else:
                tag = av_type_tag(value)
                if action == "DELETE" and tag not in _SETS:
                    raise ValidationException(
                        _INVALID + f"DELETE action with value is not supported for the type {tag}"
                    )
                if action == "ADD" and tag not in _SETS and tag not in ("N", "L"):
                    raise ValidationException(
                        _INVALID + f"ADD action is not supported for the type {tag}"
                    )
            actions.append((name, str(action), value))
        self.actions = tuple(actions)
        self.attributes = frozenset(name for name, _, _ in actions)
        #: Only DELETEs: such an update does not create a missing item.
        self.removal_only = bool(actions) and all(a == "DELETE" for _, a, _ in actions)

    def check_key_attributes(self, key_names: Iterable[str]) -> None:
        for name in key_names:
            if name in self.attributes:
                raise ValidationException(
                    _INVALID + f"Cannot update attribute {name}. This attribute is part of the key"
                )

    def apply(self, item: dict | None, key_names: Iterable[str] = ()) -> dict:
        """The item after the updates (a new dict; ``item`` is not mutated)."""
        out = dict(item) if item is not None else {}
        for name, action, value in self.actions:
            current = out.get(name)
            if action == "PUT":
                out[name] = value  # type: ignore[assignment]
            elif action == "DELETE":
                if value is None:
                    out.pop(name, None)
                elif current is not None:
                    (tc, vc), = current.items()
                    (tv, vv), = value.items()
                    if tc != tv:
                        raise _type_mismatch()
                    gone = set(vv)
                    left = [x for x in vc if x not in gone]
                    if left:
                        out[name] = {tc: left}
                    else:
                        del out[name]
            else:  # ADD
                assert value is not None
                if current is None:
                    out[name] = value
                    continue
                (tc, vc), = current.items()
                (tv, vv), = value.items()
                if tc != tv:
                    raise _type_mismatch()
                if tc == "N":
                    out[name] = {"N": add_numbers(vc, vv)}
                elif tc == "L":
                    out[name] = {"L": list(vc) + list(vv)}
                else:
                    present = set(vc)
                    out[name] = {tc: list(vc) + [x for x in vv if x not in present]}
        return out

    def updated_paths_projection(self) -> Projection:
        """A projection of the attributes written (ReturnValues UPDATED_OLD/UPDATED_NEW)."""
        return Projection(tuple((name,) for name, _, _ in self.actions))
