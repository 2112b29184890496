"""Translation of a parsed statement into DynamoDB's ordinary wire requests.

PartiQL for DynamoDB is executed as the item operations it stands for, so it inherits all their
semantics (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html):

- ``SELECT`` whose WHERE pins the partition key with ``=``, ``IN`` or an ``OR`` of equalities
  becomes one Query per key value (GetItem when the whole primary key is pinned by single
  equalities and nothing else is asked); anything else is a Scan, that is a full table scan
  (ql-reference.select.html). A sort-key condition (``= < <= > >=``, BETWEEN, begins_with)
  joins the KeyConditionExpression; other conditions become the FilterExpression, except
  conditions on key attributes, which a FilterExpression may not name: those are evaluated
  here on the page read (:mod:`.evaluate`).
- ``INSERT`` is a PutItem conditioned on ``attribute_not_exists(<partition key>)``; a failed
  condition is ``DuplicateItemException`` (ql-reference.insert.html).
- ``UPDATE`` is an UpdateItem conditioned on the item existing ("If the WHERE clause of the
  UPDATE statement does not evaluate to true for any item ... ConditionalCheckFailedException",
  ql-reference.update.html); ``set_add``/``set_delete`` become the ADD/DELETE clauses.
- ``DELETE`` is a DeleteItem; extra conditions become ``attribute_not_exists(<pk>) OR (...)``,
  because deleting a missing item succeeds whatever the condition, while an existing item that
  fails the condition is ``ConditionalCheckFailedException`` (ql-reference.delete.html).
- ``EXISTS(SELECT ...)`` is a transaction's ConditionCheck on ``attribute_exists(<pk>) AND (...)``.

Every attribute name becomes an ``#pN`` placeholder and every value a ``:vN`` placeholder, so
reserved words and odd names work. Parentheses are emitted only where precedence needs them
(DynamoDB refuses redundant parentheses).
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

import attrs

from ..errors import ValidationException
from . import ast
from .values import AttributeValue, bind, equal, is_value, sort_key, type_of

INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"
TOO_MANY_READS = "Too many decomposed read operations for a given query."
#: At most this many partition-key values in one SELECT ("at max 50 hash attribute values",
#: ql-operators.html).
MAX_KEY_VALUES = 50

_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_IS_ATTRIBUTE_TYPE = {"BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N",
                      "STRUCT": "M", "TUPLE": "M", "LIST": "L"}


# --- schema --------------------------------------------------------------------------------


@attrs.frozen
class KeySchema:
    """Key attributes of a table or index (HASH names, RANGE names, declared types)."""

    hash: tuple[str, ...]
    range: tuple[str, ...]
    types: dict[str, str] = attrs.field(hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        return self.hash + self.range


@attrs.frozen
class TableInfo:
    name: str
    key: KeySchema
    indexes: dict[str, KeySchema] = attrs.field(hash=False)


def table_info(description: dict[str, Any]) -> TableInfo:
    """A :class:`TableInfo` from a DescribeTable response's ``Table``."""
    types = {d["AttributeName"]: d["AttributeType"] for d in description.get("AttributeDefinitions", [])}

    def schema(elements: list[dict[str, str]]) -> KeySchema:
        return KeySchema(
            tuple(e["AttributeName"] for e in elements if e["KeyType"] == "HASH"),
            tuple(e["AttributeName"] for e in elements if e["KeyType"] == "RANGE"),
            types,
        )

    indexes = {
        ix["IndexName"]: schema(ix["KeySchema"])
        for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        for ix in description.get(group) or []
    }
    return TableInfo(description["TableName"], schema(description["KeySchema"]), indexes)


SchemaLookup = Callable[[str], TableInfo]


# --- placeholders and rendering -------------------------------------------------------------


class Placeholders:
    """Allocates ``#pN`` names and ``:vN`` values for one request."""

    def __init__(self, params: Sequence[AttributeValue]) -> None:
        self.params = params
        self.names: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}

    def name(self, attribute: str) -> str:
        ph = self._by_name.get(attribute)
        if ph is None:
            ph = f"#p{len(self._by_name)}"
            self._by_name[attribute] = ph
            self.names[ph] = attribute
        return ph

    def value(self, v: AttributeValue) -> str:
        ph = f":v{len(self.values)}"
        self.values[ph] = v
        return ph

    def path(self, p: ast.Path) -> str:
        out = self.name(p.name)
        for step in p.steps:
            out += f"[{step}]" if isinstance(step, int) else "." + self.name(step)
        return out

    def attach(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            request["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            request["ExpressionAttributeValues"] = dict(self.values)
        return request

    # -- conditions --

    def operand(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Path):
            return self.path(e)
        if isinstance(e, ast.Missing):
            raise ValidationException("MISSING must be compared using IS operator")
        if isinstance(e, ast.Call) and e.name == "size":
            _arity(e, 1)
            return f"size({self.path(_path_arg(e, 0))})"
        if isinstance(e, ast.Arith):
            raise ValidationException(
                f"Unsupported operator in Condition Expression. Operator: {e.op}"
            )
        if is_value(e):
            return self.value(bind(e, self.params))
        raise ValidationException("Unsupported operand in condition expression")

    def condition(self, e: ast.Expr) -> str:
        """Render a WHERE condition as a DynamoDB condition expression string."""
        return self._cond(e, 0)

    def _cond(self, e: ast.Expr, context: int) -> str:
        # Precedence: OR 1, AND 2, NOT 3, predicates 4. Parenthesise a child only when it binds
        # more loosely than its context.
        if isinstance(e, ast.Or):
            text, level = f"{self._cond(e.left, 1)} OR {self._cond(e.right, 1)}", 1
        elif isinstance(e, ast.And):
            text, level = f"{self._cond(e.left, 2)} AND {self._cond(e.right, 2)}", 2
        elif isinstance(e, ast.Not):
            text, level = f"NOT {self._cond(e.operand, 3)}", 3
        else:
            text, level = self._predicate(e), 4
        return f"({text})" if level < context else text

    def _predicate(self, e: ast.Expr) -> str:
        if isinstance(e, ast.Compare):
            if isinstance(e.left, ast.Missing) or isinstance(e.right, ast.Missing):
                raise ValidationException("MISSING must be compared using IS operator")
            return f"{self.operand(e.left)} {e.op} {self.operand(e.right)}"
        if isinstance(e, ast.Between):
            return (
                f"{self.operand(e.operand)} BETWEEN {self.operand(e.low)} AND "
                f"{self.operand(e.high)}"
            )
        if isinstance(e, ast.In):
            return f"{self.operand(e.operand)} IN ({', '.join(self.operand(o) for o in e.options)})"
        if isinstance(e, ast.Is):
            if not isinstance(e.operand, ast.Path):
                raise ValidationException(
                    "The left hand side argument to IS must be a Variable Reference, Literal, or Path"
                )
            return self._cond(_is_condition(e), 4)
        if isinstance(e, ast.Call):
            return self._function(e)
        raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")

    def _function(self, e: ast.Call) -> str:
        if e.name in ("attribute_exists", "attribute_not_exists"):
            _arity(e, 1)
            return f"{e.name}({self.path(_path_arg(e, 0))})"
        if e.name in ("begins_with", "contains"):
            _arity(e, 2)
            return f"{e.name}({self.path(_path_arg(e, 0))}, {self.operand(e.args[1])})"
        if e.name == "attribute_type":
            _arity(e, 2)
            if not is_value(e.args[1]):
                raise ValidationException("attribute_type expects a type name such as 'S' or 'N'")
            return f"attribute_type({self.path(_path_arg(e, 0))}, {self.operand(e.args[1])})"
        raise ValidationException(
            f"Unsupported operator in Condition Expression. Operator: {e.name}"
        )


def _arity(e: ast.Call, n: int) -> None:
    if len(e.args) != n:
        raise ValidationException(
            f"Incorrect number of arguments for function {e.name}: expected {n}, got {len(e.args)}"
        )


def _path_arg(e: ast.Call, i: int) -> ast.Path:
    arg = e.args[i]
    if not isinstance(arg, ast.Path):
        raise ValidationException(
            f"The first argument of {e.name} must be an attribute name or document path"
        )
    return arg


def _is_condition(e: ast.Is) -> ast.Expr:
    p = e.operand
    cond: ast.Expr
    if e.type_name == "MISSING":
        return ast.Call("attribute_exists" if e.negated else "attribute_not_exists", (p,))
    if e.type_name == "NULL":
        # PartiQL: MISSING IS NULL is true.
        cond = ast.Or(
            ast.Call("attribute_not_exists", (p,)),
            ast.Call("attribute_type", (p, ast.Literal({"S": "NULL"}))),
        )
    else:
        cond = ast.Call("attribute_type", (p, ast.Literal({"S": _IS_ATTRIBUTE_TYPE[e.type_name]})))
    return ast.Not(cond) if e.negated else cond


# --- WHERE analysis --------------------------------------------------------------------------


def conjuncts(e: ast.Expr | None) -> list[ast.Expr]:
    if e is None:
        return []
    if isinstance(e, ast.And):
        return conjuncts(e.left) + conjuncts(e.right)
    return [e]


def conjoin(parts: Sequence[ast.Expr]) -> ast.Expr | None:
    out: ast.Expr | None = None
    for p in parts:
        out = p if out is None else ast.And(out, p)
    return out


def _is_attr(e: ast.Expr, name: str) -> bool:
    return isinstance(e, ast.Path) and e.name == name and not e.steps


def _equality_value(c: ast.Expr, name: str) -> ast.Expr | None:
    """The value side of ``name = value`` (either way round), else None."""
    if isinstance(c, ast.Compare) and c.op == "=":
        if _is_attr(c.left, name) and is_value(c.right):
            return c.right
        if _is_attr(c.right, name) and is_value(c.left):
            return c.left
    return None


def _pinned(c: ast.Expr, name: str) -> list[ast.Expr] | None:
    """Values a conjunct pins ``name`` to: ``=``, ``IN [...]``, or an OR of those."""
    v = _equality_value(c, name)
    if v is not None:
        return [v]
    if isinstance(c, ast.In) and _is_attr(c.operand, name) and all(is_value(o) for o in c.options):
        return list(c.options)
    if isinstance(c, ast.Or):
        left, right = _pinned(c.left, name), _pinned(c.right, name)
        if left is not None and right is not None:
            return left + right
    return None


def references(e: ast.Expr, names: Sequence[str]) -> bool:
    """True if ``e`` names any of the top-level attributes ``names``."""
    if isinstance(e, ast.Path):
        return e.name in names
    children: tuple[Any, ...] = ()
    if attrs.has(type(e)):
        children = tuple(getattr(e, f.name) for f in attrs.fields(type(e)))
    for child in children:
        if isinstance(child, tuple):
            for c in child:
                items = c if isinstance(c, tuple) else (c,)
                if any(attrs.has(type(x)) and references(x, names) for x in items):
                    return True
        elif attrs.has(type(child)) and references(child, names):
            return True
    return False


def _check_key_type(name: str, value: AttributeValue, schema: KeySchema) -> None:
    declared = schema.types.get(name)
    kind = type_of(value)
    if kind not in ("S", "N", "B"):
        raise ValidationException(
            f"Key value must be of type S, N, or B. Key name: {name}, Key type: {kind}"
        )
    if declared is not None and declared != kind:
        raise ValidationException(
            f"Key attribute's data type should match its data type in table's schema: Key {name}"
        )


def _dedupe(values: list[AttributeValue]) -> list[AttributeValue]:
    out: list[AttributeValue] = []
    for v in values:
        if not any(equal(v, w) for w in out):
            out.append(v)
    return out


# --- plans -----------------------------------------------------------------------------------


@attrs.frozen
class ReadPlan:
    """How to run a SELECT in ExecuteStatement.

    ``operation`` is GetItem, Query or Scan; ``requests`` holds one request per partition-key
    value for Query (run in order), otherwise one. ``post_filter`` is evaluated here on each
    item read; ``projection`` shapes each result (see :func:`.evaluate.project`).
    """

    operation: str
    table: str
    requests: tuple[dict[str, Any], ...] = attrs.field(hash=False)
    post_filter: ast.Expr | None
    projection: tuple[ast.Path, ...] | None


@attrs.frozen
class WritePlan:
    """One item write: ``operation`` is PutItem, UpdateItem, DeleteItem or ConditionCheck."""

    operation: str
    table: str
    request: dict[str, Any] = attrs.field(hash=False)
    kind: str  # insert | update | delete | exists


@attrs.frozen
class KeyReadPlan:
    """A SELECT on one full primary key (BatchExecuteStatement, ExecuteTransaction)."""

    table: str
    key: dict[str, AttributeValue] = attrs.field(hash=False)
    request: dict[str, Any] = attrs.field(hash=False)  # a GetItem request
    post_filter: ast.Expr | None
    projection: tuple[ast.Path, ...] | None
    params: tuple[AttributeValue, ...] = attrs.field(default=(), hash=False)


def _projection_expression(ph: Placeholders, projection: tuple[ast.Path, ...] | None) -> str | None:
    if projection is None:
        return None
    return ", ".join(ph.path(p) for p in projection)


def plan_select(
    stmt: ast.Select,
    params: Sequence[AttributeValue],
    lookup: SchemaLookup,
    *,
    consistent_read: bool | None = None,
    return_consumed_capacity: str | None = None,
) -> ReadPlan:
    """The reads that answer a SELECT in ExecuteStatement."""
    info = lookup(stmt.table)
    if stmt.index is not None:
        schema = info.indexes.get(stmt.index)
        if schema is None:
            raise ValidationException(f"The table does not have the specified index: {stmt.index}")
    else:
        schema = info.key
    common: dict[str, Any] = {"TableName": stmt.table}
    if stmt.index is not None:
        common["IndexName"] = stmt.index
    if consistent_read is not None:
        common["ConsistentRead"] = consistent_read
    if return_consumed_capacity is not None:
        common["ReturnConsumedCapacity"] = return_consumed_capacity

    parts = conjuncts(stmt.where)
    pins: dict[str, list[AttributeValue]] = {}
    used: set[int] = set()
    for name in schema.hash:
        for i, c in enumerate(parts):
            if i in used:
                continue
            vals = _pinned(c, name)
            if vals is not None:
                bound = _dedupe([bind(v, params) for v in vals])
                for v in bound:
                    _check_key_type(name, v, schema)
                pins[name] = bound
                used.add(i)
                break

    if stmt.order_by:
        _check_order_by(stmt, schema, pins)

    if len(pins) < len(schema.hash):  # not pinned: a full scan
        ph = Placeholders(params)
        request = dict(common)
        if stmt.where is not None:
            request["FilterExpression"] = ph.condition(stmt.where)
        proj = _projection_expression(ph, stmt.projection)
        if proj:
            request["ProjectionExpression"] = proj
        return ReadPlan("Scan", stmt.table, (ph.attach(request),), None, stmt.projection)

    # Sort-key conditions that can join the key condition: equalities on a prefix of the RANGE
    # attributes, then at most one range condition.
    range_conds: list[tuple[str, str, tuple[AttributeValue, ...]]] = []
    for name in schema.range:
        found = None
        for i, c in enumerate(parts):
            if i in used:
                continue
            rc = _range_condition(c, name, params)
            if rc is not None:
                found = (i, rc)
                if rc[0] == "=":
                    break
        if found is None:
            break
        i, rc = found
        for v in rc[1]:
            _check_key_type(name, v, schema)
        used.add(i)
        range_conds.append((name, rc[0], rc[1]))
        if rc[0] != "=":
            break

    rest = [c for i, c in enumerate(parts) if i not in used]
    key_names = schema.names
    filter_parts = [c for c in rest if not references(c, key_names)]
    post_parts = [c for c in rest if references(c, key_names)]
    post_filter = conjoin(post_parts)
    if post_filter is not None:
        Placeholders(params).condition(post_filter)  # validate as the engine would

    hash_values = [pins[n] for n in schema.hash]
    combos = list(itertools.product(*hash_values))
    if len(combos) > MAX_KEY_VALUES:
        raise ValidationException(TOO_MANY_READS)
    order = dict((p.name, desc) for p, desc in stmt.order_by)
    if len(schema.hash) == 1 and schema.hash[0] in order:
        combos.sort(key=lambda combo: sort_key(combo[0]), reverse=order[schema.hash[0]])

    full_key = (
        stmt.index is None
        and len(combos) == 1
        and not rest
        and not stmt.order_by
        and len(range_conds) == len(schema.range)
        and all(op == "=" for _, op, _ in range_conds)
    )
    if full_key:
        ph = Placeholders(params)
        key = dict(zip(schema.hash, combos[0]))
        key.update({n: bounds[0] for n, _, bounds in range_conds})
        request = dict(common)
        request["Key"] = key
        proj = _projection_expression(ph, stmt.projection)
        if proj:
            request["ProjectionExpression"] = proj
        return ReadPlan("GetItem", stmt.table, (ph.attach(request),), None, stmt.projection)

    requests = []
    range_desc = bool(schema.range) and order.get(schema.range[0], False)
    for combo in combos:
        ph = Placeholders(params)
        key_parts = [f"{ph.name(n)} = {ph.value(v)}" for n, v in zip(schema.hash, combo)]
        for name, op, bounds in range_conds:
            k = ph.name(name)
            if op == "BETWEEN":
                key_parts.append(f"{k} BETWEEN {ph.value(bounds[0])} AND {ph.value(bounds[1])}")
            elif op == "begins_with":
                key_parts.append(f"begins_with({k}, {ph.value(bounds[0])})")
            else:
                key_parts.append(f"{k} {op} {ph.value(bounds[0])}")
        request = dict(common)
        request["KeyConditionExpression"] = " AND ".join(key_parts)
        filt = conjoin(filter_parts)
        if filt is not None:
            request["FilterExpression"] = ph.condition(filt)
        if post_filter is None:
            proj = _projection_expression(ph, stmt.projection)
            if proj:
                request["ProjectionExpression"] = proj
        if range_desc:
            request["ScanIndexForward"] = False
        requests.append(ph.attach(request))
    return ReadPlan("Query", stmt.table, tuple(requests), post_filter, stmt.projection)


def _range_condition(
    c: ast.Expr, name: str, params: Sequence[AttributeValue]
) -> tuple[str, tuple[AttributeValue, ...]] | None:
    if isinstance(c, ast.Compare) and c.op in _FLIP:
        if _is_attr(c.left, name) and is_value(c.right):
            return c.op, (bind(c.right, params),)
        if _is_attr(c.right, name) and is_value(c.left):
            return _FLIP[c.op], (bind(c.left, params),)
    if isinstance(c, ast.Between) and _is_attr(c.operand, name):
        if is_value(c.low) and is_value(c.high):
            return "BETWEEN", (bind(c.low, params), bind(c.high, params))
    if isinstance(c, ast.Call) and c.name == "begins_with" and len(c.args) == 2:
        if _is_attr(c.args[0], name) and is_value(c.args[1]):
            return "begins_with", (bind(c.args[1], params),)
    return None


def _check_order_by(stmt: ast.Select, schema: KeySchema, pins: dict[str, Any]) -> None:
    if stmt.where is None:
        raise ValidationException("Must have WHERE clause in the statement when using ORDER BY clause.")
    if len(pins) < len(schema.hash):
        raise ValidationException(
            "Must have at least one non-optional hash key condition in WHERE clause when using "
            "ORDER BY clause."
        )
    names = []
    for path, _ in stmt.order_by:
        if path.steps or path.name not in schema.names:
            raise ValidationException(
                f"Variable reference {path} in ORDER BY clause must be part of the primary key"
            )
        names.append(path.name)
    many = any(len(v) > 1 for v in pins.values())
    if many and not any(n in names for n in schema.hash):
        raise ValidationException(
            "Must have hash key in ORDER BY clause when more than one hash key condition "
            "specified in WHERE clause."
        )


def _split_key(
    where: ast.Expr | None, schema: KeySchema, params: Sequence[AttributeValue], message: str
) -> tuple[dict[str, AttributeValue], ast.Expr | None]:
    """The full primary key a DML statement's WHERE pins, and the remaining condition."""
    parts = conjuncts(where)
    key: dict[str, AttributeValue] = {}
    used: set[int] = set()
    for name in schema.names:
        hits = [i for i, c in enumerate(parts) if _equality_value(c, name) is not None]
        if not hits:
            raise ValidationException(message)
        if len(hits) > 1:
            raise ValidationException(
                f"Multiple conditions on same key {name}. Only single item Update/Insert/Delete "
                "are supported"
            )
        value = bind(_equality_value(parts[hits[0]], name), params)  # type: ignore[arg-type]
        _check_key_type(name, value, schema)
        key[name] = value
        used.add(hits[0])
    return key, conjoin([c for i, c in enumerate(parts) if i not in used])


def plan_key_read(
    stmt: ast.Select, params: Sequence[AttributeValue], lookup: SchemaLookup, *, message: str,
    consistent_read: bool | None = None,
) -> KeyReadPlan:
    """A SELECT that must name one item by its full primary key."""
    if stmt.index is not None:
        raise ValidationException("Reads on indices are not supported within transactions.")
    if stmt.order_by:
        raise ValidationException(message)
    info = lookup(stmt.table)
    key, rest = _split_key(stmt.where, info.key, params, message)
    if rest is not None:
        Placeholders(params).condition(rest)  # validate
    ph = Placeholders(params)
    request: dict[str, Any] = {"TableName": stmt.table, "Key": key}
    if consistent_read is not None:
        request["ConsistentRead"] = consistent_read
    if rest is None:
        proj = _projection_expression(ph, stmt.projection)
        if proj:
            request["ProjectionExpression"] = proj
    return KeyReadPlan(stmt.table, key, ph.attach(request), rest, stmt.projection, tuple(params))


def plan_write(
    stmt: ast.Insert | ast.Update | ast.Delete | ast.Exists,
    params: Sequence[AttributeValue],
    lookup: SchemaLookup,
) -> WritePlan:
    """The single-item write a DML statement stands for (without per-call options)."""
    if isinstance(stmt, ast.Insert):
        return _plan_insert(stmt, params, lookup)
    if isinstance(stmt, ast.Exists):
        return _plan_exists(stmt, params, lookup)
    info = lookup(stmt.table)
    if stmt.where is None:
        raise ValidationException(INCOMPLETE_KEY)
    key, rest = _split_key(stmt.where, info.key, params, INCOMPLETE_KEY)
    ph = Placeholders(params)
    pk = ast.Path(info.key.hash[0])
    request: dict[str, Any]
    cond: ast.Expr
    if isinstance(stmt, ast.Delete):
        request = {"TableName": stmt.table, "Key": key}
        if rest is not None:
            cond = ast.Or(ast.Call("attribute_not_exists", (pk,)), rest)
            request["ConditionExpression"] = ph.condition(cond)
        if stmt.returning:
            request["ReturnValues"] = stmt.returning
        return WritePlan("DeleteItem", stmt.table, ph.attach(request), "delete")
    update_expression = _update_expression(stmt, ph, info.key)
    exists = ast.Call("attribute_exists", (pk,))
    cond = exists if rest is None else ast.And(exists, rest)
    request = {
        "TableName": stmt.table,
        "Key": key,
        "UpdateExpression": update_expression,
        "ConditionExpression": ph.condition(cond),
    }
    if stmt.returning:
        request["ReturnValues"] = stmt.returning
    return WritePlan("UpdateItem", stmt.table, ph.attach(request), "update")


def _plan_exists(stmt: ast.Exists, params: Sequence[AttributeValue], lookup: SchemaLookup) -> WritePlan:
    sel = stmt.select
    if sel.index is not None:
        raise ValidationException("Operations on indices are not supported in transactions")
    info = lookup(sel.table)
    key, rest = _split_key(
        sel.where, info.key, params,
        "EXISTS() must contain a single item read with additional condition",
    )
    ph = Placeholders(params)
    exists = ast.Call("attribute_exists", (ast.Path(info.key.hash[0]),))
    cond: ast.Expr = exists if rest is None else ast.And(exists, rest)
    request = {"TableName": sel.table, "Key": key, "ConditionExpression": ph.condition(cond)}
    return WritePlan("ConditionCheck", sel.table, ph.attach(request), "exists")


def _plan_insert(stmt: ast.Insert, params: Sequence[AttributeValue], lookup: SchemaLookup) -> WritePlan:
    info = lookup(stmt.table)
    value = bind(stmt.item, params)
    if type_of(value) != "M":
        raise ValidationException(
            "Unsupported format in item expression. Please use struct format {...} to express "
            "item values for insert statement."
        )
    item = value["M"]
    for name in info.key.names:
        if name not in item:
            raise ValidationException(f"Key attribute should be present in the item: Key {name}")
        _check_key_type(name, item[name], info.key)
    ph = Placeholders(params)
    cond = ast.Call("attribute_not_exists", (ast.Path(info.key.hash[0]),))
    request = {"TableName": stmt.table, "Item": item, "ConditionExpression": ph.condition(cond)}
    return WritePlan("PutItem", stmt.table, ph.attach(request), "insert")


def _update_expression(stmt: ast.Update, ph: Placeholders, key: KeySchema) -> str:
    clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for action in stmt.actions:
        if isinstance(action, ast.RemoveAction):
            clauses["REMOVE"].append(ph.path(action.path))
            continue
        target, value = action.path, action.value
        if isinstance(value, ast.Call) and value.name in ("set_add", "set_delete"):
            fn = value.name[4:].upper()
            if len(value.args) != 2:
                raise ValidationException(f"SET_{fn} must have exactly two arguments")
            if value.args[0] != target:
                raise ValidationException(f"The first argument to SET_{fn} must equal the assignment value")
            operand = value.args[1]
            v = bind(operand, ph.params) if is_value(operand) else None
            if v is None or type_of(v) not in ("SS", "NS", "BS"):
                raise ValidationException(f"The second argument to SET_{fn} must be a value with type SET")
            clauses[fn].append(f"{ph.path(target)} {ph.value(v)}")
            continue
        clauses["SET"].append(f"{ph.path(target)} = {_set_value(value, ph)}")
    return " ".join(f"{kw} {', '.join(items)}" for kw, items in clauses.items() if items)


def _set_value(e: ast.Expr, ph: Placeholders) -> str:
    if isinstance(e, ast.Arith):
        return f"{_update_operand(e.left, ph)} {e.op} {_update_operand(e.right, ph)}"
    if isinstance(e, ast.Call) and e.name == "list_append":
        _arity(e, 2)
        return f"list_append({_update_operand(e.args[0], ph)}, {_update_operand(e.args[1], ph)})"
    return _update_operand(e, ph)


def _update_operand(e: ast.Expr, ph: Placeholders) -> str:
    if isinstance(e, ast.Path):
        return ph.path(e)
    if is_value(e):
        return ph.value(bind(e, ph.params))
    if isinstance(e, ast.Missing):
        raise ValidationException("MISSING must be compared using IS operator")
    op = e.op if isinstance(e, ast.Arith) else getattr(e, "name", type(e).__name__)
    raise ValidationException(f"Unsupported operator in Update Expression. Operator: {op}")
