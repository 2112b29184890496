"""The Pythonic DynamoDB API: plain Python values in and out, the same engine underneath.

    >>> from decimal import Decimal
    >>> from serverless_sim import Cloud
    >>> cloud = Cloud()
    >>> orders = cloud.dynamodb.create_table("orders", hash_key=("pk", "S"), range_key=("sk", "N"))
    >>> orders.put({"pk": "a", "sk": 1, "tags": {"x"}, "total": Decimal("9.5")})
    >>> orders.get("a", 1)["tags"]
    {'x'}
    >>> orders.update(("a", 1), set={"status": "paid"}, add={"visits": 1})["visits"]
    1
    >>> [item["sk"] for item in orders.query("a", sk=(">=", 0))]
    [1]

Values map to DynamoDB types as boto3's resource layer maps them, except that numbers come back
as ``int`` when they are integral (``Decimal`` otherwise): str <-> S, int/Decimal <-> N, bytes <->
B, bool <-> BOOL, None <-> NULL, list/tuple -> L, dict <-> M, set of str/number/bytes <-> SS/NS/BS.
``float`` is refused (as boto3 does): use ``Decimal``.

Every method is a thin layer over the wire operations (PutItem, GetItem, UpdateItem, DeleteItem,
Query, Scan, CreateTable...), so validation, errors and semantics are identical.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator, cast

from ..kernel.errors import SimError
from .fastpath import _INT_TEXT

if TYPE_CHECKING:
    from .service import DynamoDB
    from .table import Table


#: The text of small integers, shared: a stored item (and a stream record) keeps its number
#: texts, and ``str(3)`` makes a new 50-byte string each time.
_SMALL_INT_TEXT = _INT_TEXT


def to_av(value: Any) -> dict:
    """A Python value as a DynamoDB attribute value."""
    t = type(value)
    if t is str:
        return {"S": value}
    if t is int and 0 <= value < 1024:
        return {"N": _SMALL_INT_TEXT[value]}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"B": bytes(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, dict):
        return {"M": {str(k): to_av(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_av(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        if not value:
            raise SimError("an empty set cannot be stored in DynamoDB")
        if all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in value):
            return {"NS": [str(v) for v in sorted(value)]}
        if all(isinstance(v, (bytes, bytearray)) for v in value):
            return {"BS": sorted(bytes(v) for v in value)}
        raise TypeError(f"a set must hold only str, only numbers or only bytes: {value!r}")
    raise TypeError(f"unsupported type for DynamoDB: {type(value).__name__}")


def _number(text: str) -> int | Decimal:
    if "." in text or "e" in text or "E" in text:
        d = Decimal(text)
        return int(d) if d == d.to_integral_value() and abs(d) < 10**38 and "." not in text else d
    return int(text)


def from_av(av: dict) -> Any:
    """A DynamoDB attribute value as a Python value."""
    for tag, v in av.items():
        if tag == "S" or tag == "B" or tag == "BOOL":
            return v
        if tag == "N":
            return _number(v)
        if tag == "NULL":
            return None
        if tag == "M":
            return {k: from_av(x) for k, x in v.items()}
        if tag == "L":
            return [from_av(x) for x in v]
        if tag == "SS" or tag == "BS":
            return set(v)
        if tag == "NS":
            return {_number(x) for x in v}
    raise TypeError(f"not an attribute value: {av!r}")


def to_item(values: dict) -> dict:
    return {k: to_av(v) for k, v in values.items()}


def from_item(item: dict) -> dict:
    return {k: from_av(v) for k, v in item.items()}


_OPS = {"=": "=", "==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class NativeTable:
    """A handle on one table for the Pythonic API (``cloud.dynamodb.table("orders")``)."""

    def _repr_html_(self) -> str:
        """Notebook display (``serverless_sim.sim.display``)."""
        from ..sim.display import table_html

        return table_html(self)

    def __init__(self, service: "DynamoDB", name: str) -> None:
        self._svc = service
        self.name = name

    def __repr__(self) -> str:
        return f"NativeTable({self.name!r})"

    # -- helpers --------------------------------------------------------------------------
    def _table(self) -> Any:
        return self._svc.get_table(self.name)

    def key(self, *parts: Any) -> dict:
        """The wire key of ``key`` given as a dict, a (hash, range) tuple or positional values."""
        table = self._table()
        if len(parts) == 1 and isinstance(parts[0], dict):
            return to_item({n: parts[0][n] for n in table.key_names if n in parts[0]})
        if len(parts) == 1 and isinstance(parts[0], tuple):
            parts = parts[0]
        if len(parts) != len(table.key_names):
            raise SimError(f"table {self.name!r} has key {table.key_names}, got {parts!r}")
        return {n: to_av(v) for n, v in zip(table.key_names, parts)}

    @staticmethod
    def _expr(request: dict, names: dict | None, values: dict | None) -> None:
        if names:
            request.setdefault("ExpressionAttributeNames", {}).update(names)
        if values:
            request.setdefault("ExpressionAttributeValues", {}).update(
                {k: to_av(v) for k, v in values.items()}
            )

    # -- items ----------------------------------------------------------------------------
    def put(
        self,
        item: dict,
        *,
        condition: str | None = None,
        names: dict | None = None,
        values: dict | None = None,
    ) -> None:
        """PutItem. ``condition`` is a ConditionExpression with ``names``/``values``."""
        if condition is None and not names and not values:
            # Plain str / int values: encode in one pass, then PutItem's fast path (the same
            # effects as the request below; anything unusual takes the request).
            if self._svc._put_plain(self.name, item):
                return
        request: dict[str, Any] = {"TableName": self.name, "Item": to_item(item)}
        if condition is not None:
            request["ConditionExpression"] = condition
        self._expr(request, names, values)
        self._svc.put_item(request)

    def get(self, *key: Any, projection: str | None = None, names: dict | None = None,
            consistent: bool = False) -> dict | None:
        """GetItem: the item as plain values, or None."""
        request: dict[str, Any] = {"TableName": self.name, "Key": self.key(*key)}
        if consistent:
            request["ConsistentRead"] = True
        if projection is not None:
            request["ProjectionExpression"] = projection
        self._expr(request, names, None)
        item = self._svc.get_item(request).get("Item")
        return None if item is None else from_item(item)

    def update(
        self,
        *key: Any,
        set: dict | None = None,
        remove: list | tuple | None = None,
        add: dict | None = None,
        delete: dict | None = None,
        expression: str | None = None,
        condition: str | None = None,
        names: dict | None = None,
        values: dict | None = None,
        return_values: str = "ALL_NEW",
    ) -> dict:
        """UpdateItem from top-level ``set``/``remove``/``add``/``delete`` maps or an
        UpdateExpression string; returns the attributes of ``return_values`` (default ALL_NEW)."""
        clauses: dict[str, list[str]] = {}
        gen_names: dict[str, str] = {}
        gen_values: dict[str, Any] = {}

        def placeholder(attr: str) -> str:
            n = f"#n{len(gen_names)}"
            gen_names[n] = attr
            return n

        def value(v: Any) -> str:
            p = f":v{len(gen_values)}"
            gen_values[p] = v
            return p

        for attr, v in (set or {}).items():
            clauses.setdefault("SET", []).append(f"{placeholder(attr)} = {value(v)}")
        for attr in remove or ():
            clauses.setdefault("REMOVE", []).append(placeholder(attr))
        for attr, v in (add or {}).items():
            clauses.setdefault("ADD", []).append(f"{placeholder(attr)} {value(v)}")
        for attr, v in (delete or {}).items():
            clauses.setdefault("DELETE", []).append(f"{placeholder(attr)} {value(v)}")
        parts = [f"{kw} {', '.join(acts)}" for kw, acts in clauses.items()]
        if expression is not None:
            parts.insert(0, expression)
        request: dict[str, Any] = {"TableName": self.name, "Key": self.key(*key)}
        if parts:
            request["UpdateExpression"] = " ".join(parts)
        if condition is not None:
            request["ConditionExpression"] = condition
        self._expr(request, {**gen_names, **(names or {})}, {**gen_values, **(values or {})})
        request["ReturnValues"] = return_values
        out = self._svc.update_item(request)
        return from_item(out.get("Attributes", {}))

    def delete(self, *key: Any, condition: str | None = None, names: dict | None = None,
               values: dict | None = None) -> dict | None:
        """DeleteItem; returns the deleted item (plain values) or None."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": self.key(*key),
            "ReturnValues": "ALL_OLD",
        }
        if condition is not None:
            request["ConditionExpression"] = condition
        self._expr(request, names, values)
        old = self._svc.delete_item(request).get("Attributes")
        return None if old is None else from_item(old)

    # -- reads ----------------------------------------------------------------------------
    def _pages(self, op: Any, request: dict) -> Iterator[dict]:
        while True:
            page = op(dict(request))
            yield page
            lek = page.get("LastEvaluatedKey")
            if lek is None:
                return
            request["ExclusiveStartKey"] = lek

    def query(
        self,
        pk: Any,
        *,
        sk: Any = None,
        index: str | None = None,
        filter: str | None = None,
        projection: str | None = None,
        names: dict | None = None,
        values: dict | None = None,
        limit: int | None = None,
        forward: bool = True,
        consistent: bool = False,
    ) -> list[dict]:
        """Every item of partition ``pk`` (of the table or ``index``), following pages.

        ``sk`` narrows the sort key: a value (equality), ``("<", v)`` and the other comparators,
        ``("between", low, high)`` or ``("begins_with", prefix)``. ``limit`` caps the items
        returned.
        """
        table = self._table()
        if index is not None:
            ix = table.index(index)
            if ix is None:
                raise SimError(f"table {self.name!r} has no index {index!r}")
            hk, rk = ix.hash_key, ix.range_key
        else:
            hk, rk = table.hash_key, table.range_key
        q_names = {"#pk": hk}
        q_values: dict[str, Any] = {":pk": pk}
        kce = "#pk = :pk"
        if sk is not None:
            if rk is None:
                raise SimError(f"{self.name!r} has no sort key to narrow")
            q_names["#sk"] = rk
            if isinstance(sk, tuple):
                op = str(sk[0]).lower()
                if op == "between":
                    kce += " AND #sk BETWEEN :sk0 AND :sk1"
                    q_values[":sk0"], q_values[":sk1"] = sk[1], sk[2]
                elif op == "begins_with":
                    kce += " AND begins_with(#sk, :sk0)"
                    q_values[":sk0"] = sk[1]
                elif op in _OPS:
                    kce += f" AND #sk {_OPS[op]} :sk0"
                    q_values[":sk0"] = sk[1]
                else:
                    raise SimError(f"unknown sort-key operator {sk[0]!r}")
            else:
                kce += " AND #sk = :sk0"
                q_values[":sk0"] = sk
        request: dict[str, Any] = {"TableName": self.name, "KeyConditionExpression": kce}
        if index is not None:
            request["IndexName"] = index
        if filter is not None:
            request["FilterExpression"] = filter
        if projection is not None:
            request["ProjectionExpression"] = projection
        if not forward:
            request["ScanIndexForward"] = False
        if consistent:
            request["ConsistentRead"] = True
        self._expr(request, {**q_names, **(names or {})}, {**q_values, **(values or {})})
        return self._collect(self._svc.query, request, limit)

    def scan(
        self,
        *,
        index: str | None = None,
        filter: str | None = None,
        projection: str | None = None,
        names: dict | None = None,
        values: dict | None = None,
        limit: int | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
        consistent: bool = False,
    ) -> list[dict]:
        """Every item of the table (or ``index``, or one parallel-scan segment), following pages."""
        request: dict[str, Any] = {"TableName": self.name}
        if index is not None:
            request["IndexName"] = index
        if filter is not None:
            request["FilterExpression"] = filter
        if projection is not None:
            request["ProjectionExpression"] = projection
        if segment is not None or total_segments is not None:
            request["Segment"] = segment
            request["TotalSegments"] = total_segments
        if consistent:
            request["ConsistentRead"] = True
        self._expr(request, names, values)
        return self._collect(self._svc.scan, request, limit)

    def _collect(self, op: Any, request: dict, limit: int | None) -> list[dict]:
        out: list[dict] = []
        for page in self._pages(op, request):
            for item in page.get("Items", ()):
                out.append(from_item(item))
                if limit is not None and len(out) >= limit:
                    return out
        return out

    def count(self) -> int:
        """The number of items in the table (exact; O(1))."""
        return int(self._table().item_count)

    def describe(self) -> dict:
        """DescribeTable's ``Table``."""
        return self._svc.describe_table({"TableName": self.name})["Table"]  # type: ignore[no-any-return]


def _index_specs(specs: Any, kind: str, attrs: dict[str, str], billing: str) -> list[dict]:
    out = []
    for spec in specs or ():
        if isinstance(spec, dict) and "IndexName" in spec:
            out.append(spec)
            continue
        name = spec["name"]
        keys = [{"AttributeName": spec["hash_key"][0], "KeyType": "HASH"}]
        attrs[spec["hash_key"][0]] = spec["hash_key"][1]
        if spec.get("range_key"):
            keys.append({"AttributeName": spec["range_key"][0], "KeyType": "RANGE"})
            attrs[spec["range_key"][0]] = spec["range_key"][1]
        projection: dict[str, Any] = {"ProjectionType": spec.get("projection", "ALL")}
        if spec.get("include"):
            projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(spec["include"])}
        entry: dict[str, Any] = {"IndexName": name, "KeySchema": keys, "Projection": projection}
        if kind == "GSI" and billing == "PROVISIONED":
            entry["ProvisionedThroughput"] = {
                "ReadCapacityUnits": spec.get("read_capacity", 5),
                "WriteCapacityUnits": spec.get("write_capacity", 5),
            }
        out.append(entry)
    return out


class NativeAPI:
    """The Pythonic methods of the DynamoDB service (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        tables: dict[str, Table]
        def _create_table_wire(self, request: dict) -> dict: ...
        def _delete_table_wire(self, request: dict) -> dict: ...
        def get_table(self, name: Any) -> Table: ...

    def create_table(self,
        name: str | dict,
        hash_key: tuple[str, str] = ("pk", "S"),
        range_key: tuple[str, str] | None = None,
        *,
        billing_mode: str = "PAY_PER_REQUEST",
        read_capacity: int = 5,
        write_capacity: int = 5,
        gsis: list | None = None,
        lsis: list | None = None,
        stream: str | None = None,
        tags: dict[str, str] | None = None,
        deletion_protection: bool = False,
    ) -> NativeTable:
        """CreateTable from Pythonic arguments; returns the table's handle.

        ``gsis``/``lsis`` entries are wire-shaped dicts or ``{"name": ..., "hash_key": (name,
        type), "range_key": (name, type), "projection": "ALL"|"KEYS_ONLY", "include": [...]}``.
        ``stream`` is a StreamViewType to enable a stream.

        Called with one wire-shaped request dict instead, it is the CreateTable wire operation
        and returns its response (``svc.create_table({"TableName": ...})``).
        """
        if isinstance(name, dict):
            return self._create_table_wire(name)  # type: ignore[return-value]
        attrs: dict[str, str] = {hash_key[0]: hash_key[1]}
        keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        if range_key is not None:
            attrs[range_key[0]] = range_key[1]
            keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        request: dict[str, Any] = {"TableName": name, "KeySchema": keys, "BillingMode": billing_mode}
        g = _index_specs(gsis, "GSI", attrs, billing_mode)
        lsi = _index_specs(lsis, "LSI", attrs, billing_mode)
        if g:
            request["GlobalSecondaryIndexes"] = g
        if lsi:
            request["LocalSecondaryIndexes"] = lsi
        request["AttributeDefinitions"] = [
            {"AttributeName": k, "AttributeType": v} for k, v in attrs.items()
        ]
        if billing_mode == "PROVISIONED":
            request["ProvisionedThroughput"] = {
                "ReadCapacityUnits": read_capacity,
                "WriteCapacityUnits": write_capacity,
            }
        if stream is not None:
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        if tags:
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        if deletion_protection:
            request["DeletionProtectionEnabled"] = True
        self._create_table_wire(request)
        return NativeTable(cast("DynamoDB", self), name)

    def table(self, name: str) -> NativeTable:
        """The handle of an existing table (raises ResourceNotFoundException if absent)."""
        self.get_table(name)
        return NativeTable(cast("DynamoDB", self), name)

    def delete_table(self, name: str | dict) -> Any:
        """DeleteTable by name; with a wire-shaped request dict, the wire operation itself."""
        if isinstance(name, dict):
            return self._delete_table_wire(name)
        self._delete_table_wire({"TableName": name})
        return None

    def table_names(self) -> list[str]:
        return sorted(self.tables)
