"""UpdateExpression: binding and application to an item.

Modelled on https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
and on DynamoDB behaviour observed by ScyllaDB Alternator's tests:

* Every right-hand side is evaluated against the item *before* any action is applied
  (``REMOVE a SET b = a`` copies the old ``a``).
* SET: ``operand``, ``operand + operand``, ``operand - operand`` (N only, exact, range-checked),
  ``list_append(l1, l2)``, ``if_not_exists(path, value)``. A missing attribute on the right is
  "The provided expression refers to an attribute that does not exist in the item"; a wrong type
  is "An operand in the update expression has an incorrect data type". Setting ``a[i]`` past the
  end of a list appends (several appends in index order).
* REMOVE deletes attributes, map keys and list elements (indexes refer to the list before the
  update; the list is compacted). Removing something missing is a no-op.
* ADD: N (missing counts as 0) or a set (union, missing counts as empty). DELETE: removes set
  elements; an emptied set removes the attribute.
* Writing below a missing or wrongly typed parent is "The document path provided in the update
  expression is invalid for update" -- except that when the whole item is missing, a REMOVE of a
  nested path is silently ignored (as DynamoDB does).
* Paths of one update may not overlap or conflict; key attributes may not be updated.

Attribute values are never mutated: changed containers are copied along the updated paths
only (structural sharing). ``apply`` is O(actions + sizes of the containers on updated paths).
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..errors import ValidationException
from ..types import add_numbers
from .binding import Binder
from .condition import av_type_tag
from .nodes import ArithNode, FuncNode, ParsedExpression, PathNode, ValueNode
from .parser import invalid
from .paths import check_overlaps, get_path
from .projection import Projection

_MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
_WRONG_TYPE = "An operand in the update expression has an incorrect data type"
_BAD_PATH = "The document path provided in the update expression is invalid for update"
_SET_TYPES = frozenset({"SS", "NS", "BS"})
_LONG_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}

Evaluator = Callable[[dict], dict]


def _missing() -> ValidationException:
    return ValidationException(_MISSING_ATTRIBUTE)


def _wrong_type() -> ValidationException:
    return ValidationException(_WRONG_TYPE)


def _bad_path() -> ValidationException:
    return ValidationException(_BAD_PATH)


class _Node:
    """A node of the update tree: either a leaf action or a container of child nodes."""

    __slots__ = ("children", "action", "remove_only")

    def __init__(self) -> None:
        self.children: dict | None = None
        self.action: int | None = None
        self.remove_only = True


class _SetCompiler:
    """Compiles a SET right-hand side into an evaluator over the *original* item."""

    def __init__(self, binder: Binder) -> None:
        self.b = binder
        self.read_paths: list[tuple] = []

    def value(self, node: object, *, in_list_append: bool = False) -> tuple[Evaluator, dict | None]:
        """Returns (evaluator, constant value or None)."""
        if type(node) is ValueNode:
            av = self.b.value(node)
            return (lambda item: av), av
        if type(node) is PathNode:
            path = self.b.path(node)
            self.read_paths.append(path)

            def read(item: dict) -> dict:
                v = get_path(item, path)
                if v is None:
                    raise _missing()
                return v

            return read, None
        if type(node) is ArithNode:
            return self.arith(node), None
        assert type(node) is FuncNode
        return self.function(node, in_list_append=in_list_append), None

    def arith(self, node: ArithNode) -> Evaluator:
        subtract = node.op == "-"
        left, lc = self.value(node.left)
        right, rc = self.value(node.right)
        for c in (lc, rc):
            if c is not None and av_type_tag(c) != "N":
                raise self.b.operand_type_error(node.op, av_type_tag(c))

        def arith(item: dict) -> dict:
            a = left(item)
            b = right(item)
            na = a.get("N")
            nb = b.get("N")
            if na is None or nb is None:
                raise _wrong_type()
            return {"N": add_numbers(na, nb, subtract=subtract)}

        return arith

    def function(self, node: FuncNode, *, in_list_append: bool) -> Evaluator:
        name = node.name
        b = self.b
        if name not in ("list_append", "if_not_exists"):
            if name in ("size", "attribute_exists", "attribute_not_exists", "attribute_type",
                        "begins_with", "contains"):
                raise invalid(
                    b.kind, f"The function is not allowed in an update expression; function: {name}"
                )
            raise b.unknown_function_error(name)
        if len(node.args) != 2:
            raise b.operand_count_error(name, len(node.args))
        if name == "if_not_exists":
            first = node.args[0]
            if type(first) is not PathNode:
                if type(first) is ValueNode:
                    b.value(first)
                raise b.requires_path_error(name)
            path = b.path(first)
            self.read_paths.append(path)
            fallback, _ = self.value(node.args[1])

            def if_not_exists(item: dict) -> dict:
                v = get_path(item, path)
                return fallback(item) if v is None else v

            return if_not_exists
        if in_list_append:
            raise b.misused_function_error(name)
        left, lc = self.value(node.args[0], in_list_append=True)
        right, rc = self.value(node.args[1], in_list_append=True)
        for c in (lc, rc):
            if c is not None and av_type_tag(c) != "L":
                raise b.operand_type_error(name, av_type_tag(c))

        def list_append(item: dict) -> dict:
            a = left(item).get("L")
            c = right(item).get("L")
            if a is None or c is None:
                raise _wrong_type()
            return {"L": a + c}

        return list_append


def _add(current: dict | None, value: dict) -> dict:
    if current is None:
        return value
    (tc, vc), = current.items()
    (tv, vv), = value.items()
    if tc != tv:
        raise _wrong_type()
    if tc == "N":
        return {"N": add_numbers(vc, vv)}
    present = set(vc)
    extra = [x for x in vv if x not in present]
    return {tc: vc + extra} if extra else current


def _delete(current: dict, value: dict) -> dict | None:
    (tc, vc), = current.items()
    (tv, vv), = value.items()
    if tc != tv:
        raise _wrong_type()
    gone = set(vv)
    remaining = [x for x in vc if x not in gone]
    if not remaining:
        return None
    return current if len(remaining) == len(vc) else {tc: remaining}


class Update:
    """A bound UpdateExpression.

    ``apply(item, key_names=...)`` returns the updated attributes as a new dict (starting from
    ``{}`` when ``item`` is ``None``; the caller adds the key attributes of a new item).
    ``updated_paths_projection()`` projects the paths the update wrote, for
    ``ReturnValues=UPDATED_OLD/UPDATED_NEW``.
    """

    __slots__ = ("kind", "text", "actions", "paths", "read_paths", "attributes", "_tree",
                 "_evaluators", "_values", "removal_only")

    def __init__(self, parsed: ParsedExpression, binder: Binder) -> None:
        binder.check_placeholders(parsed)
        self.kind = parsed.kind
        self.text = parsed.text
        compiler = _SetCompiler(binder)
        actions = []
        evaluators: list[Evaluator | None] = []
        values: list[dict | None] = []
        for action in parsed.root:  # type: ignore[attr-defined]
            path = binder.path(action.path)
            if action.kind == "SET":
                ev, _ = compiler.value(action.value)
                evaluators.append(ev)
                values.append(None)
            elif action.kind == "REMOVE":
                evaluators.append(None)
                values.append(None)
            else:
                av = binder.value(action.value)
                tag = av_type_tag(av)
                ok = tag in _SET_TYPES or (action.kind == "ADD" and tag == "N")
                if not ok:
                    raise invalid(
                        self.kind,
                        "Incorrect operand type for operator or function; "
                        f"operator: {action.kind}, operand type: {_LONG_TYPE_NAMES.get(tag, tag)}",
                    )
                evaluators.append(None)
                values.append(av)
            actions.append((action.kind, path))
        self.actions: tuple = tuple(actions)
        #: Only REMOVE/DELETE actions: applied to a missing item, such an update creates nothing.
        self.removal_only = bool(actions) and all(k in ("REMOVE", "DELETE") for k, _ in actions)
        self.paths: tuple = tuple(p for _, p in actions)
        check_overlaps(self.kind, list(self.paths))
        self.read_paths: tuple = tuple(compiler.read_paths)
        self.attributes: frozenset[str] = frozenset(p[0] for p in self.paths)
        self._evaluators = evaluators
        self._values = values
        self._tree = self._build_tree()

    def _build_tree(self) -> _Node:
        root = _Node()
        root.children = {}
        for index, (kind, path) in enumerate(self.actions):
            node = root
            for el in path:
                if kind != "REMOVE":
                    node.remove_only = False
                if node.children is None:
                    node.children = {}
                node = node.children.setdefault(el, _Node())
            node.action = index
            node.remove_only = kind == "REMOVE"
        return root

    def check_key_attributes(self, key_names: Iterable[str]) -> None:
        """Raise AWS's error when the update writes a key attribute."""
        for name in key_names:
            if name in self.attributes:
                raise ValidationException(
                    "One or more parameter values were invalid: Cannot update attribute "
                    f"{name}. This attribute is part of the key"
                )

    def apply(self, item: dict | None, key_names: Iterable[str] = ()) -> dict:
        """The item after the update (a new dict; ``item`` and its values are not mutated)."""
        if key_names:
            self.check_key_attributes(key_names)
        source = {} if item is None else item
        evaluated = [None if ev is None else ev(source) for ev in self._evaluators]
        for i, v in enumerate(self._values):
            if v is not None:
                evaluated[i] = v
        kinds = self.actions
        out = dict(source)
        children = self._tree.children
        assert children is not None
        for name, node in children.items():
            if node.action is not None:
                _apply_leaf(out, name, kinds[node.action][0], evaluated[node.action])
            else:
                current = out.get(name)
                if current is None and item is None and node.remove_only:
                    continue
                new = _apply_inner(current, node, kinds, evaluated)
                out[name] = new
        return out

    __call__ = apply

    def updated_paths_projection(self) -> Projection:
        """A projection of every path this update writes."""
        return Projection(self.paths)

    def __repr__(self) -> str:
        return f"Update({self.text!r})"


def _apply_leaf(container: dict, key: object, kind: str, value: dict | None) -> None:
    """Apply one action to ``container[key]`` (container is a fresh, mutable copy)."""
    if kind == "SET":
        container[key] = value
    elif kind == "REMOVE":
        container.pop(key, None)
    elif kind == "ADD":
        container[key] = _add(container.get(key), value)  # type: ignore[arg-type]
    else:  # DELETE
        current = container.get(key)
        if current is None:
            return
        new = _delete(current, value)  # type: ignore[arg-type]
        if new is None:
            del container[key]
        else:
            container[key] = new


def _apply_inner(current: dict | None, node: _Node, kinds: tuple, evaluated: list) -> dict:
    children = node.children
    assert children is not None
    if current is None:
        raise _bad_path()
    first_key = next(iter(children))
    if type(first_key) is int:
        lst = current.get("L")
        if lst is None:
            raise _bad_path()
        return {"L": _apply_list(lst, children, kinds, evaluated)}
    m = current.get("M")
    if m is None:
        raise _bad_path()
    new = dict(m)
    for key, child in children.items():
        if child.action is not None:
            _apply_leaf(new, key, kinds[child.action][0], evaluated[child.action])
        else:
            new[key] = _apply_inner(new.get(key), child, kinds, evaluated)
    return {"M": new}


def _apply_list(lst: list, children: dict, kinds: tuple, evaluated: list) -> list:
    n = len(lst)
    new = list(lst)
    removed: set[int] = set()
    appended: list[dict] = []
    for index in sorted(children):
        child = children[index]
        if child.action is None:
            if index >= n:
                raise _bad_path()
            new[index] = _apply_inner(lst[index], child, kinds, evaluated)
            continue
        kind = kinds[child.action][0]
        value = evaluated[child.action]
        if index < n:
            if kind == "SET":
                new[index] = value
            elif kind == "REMOVE":
                removed.add(index)
            elif kind == "ADD":
                new[index] = _add(lst[index], value)
            else:
                result = _delete(lst[index], value)
                if result is None:
                    removed.add(index)
                else:
                    new[index] = result
        elif kind == "SET" or kind == "ADD":
            appended.append(value if kind == "SET" else _add(None, value))
    if removed:
        new = [v for i, v in enumerate(new) if i not in removed]
    if appended:
        new.extend(appended)
    return new
