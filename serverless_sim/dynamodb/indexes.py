"""Global and local secondary indexes: key schema, projection, storage and maintenance.

AWS behaviour modelled:

* https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html and
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html
* an item is in an index only if it has *every* index key attribute (sparse indexes);
* index keys need not be unique: an entry is identified by its index key plus the table key,
  and entries with equal index keys are ordered by the table key (AWS leaves this order
  unspecified; ours is deterministic);
* projections KEYS_ONLY / INCLUDE / ALL; a projection always holds the table and index keys;
* a write whose index key attribute has the wrong type or an empty S/B value is rejected with
  AWS's messages (:meth:`Index.check_item`).

Multi-attribute GSI keys (Nov 2025, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
and API:KeySchemaElement; ALT:test_gsi_composite_keys.py): a GSI key may have 1-4 HASH and 0-4
RANGE attributes, each with its own type; an item is indexed only if it has all of them; a
Query gives equality on every HASH attribute and conditions on a prefix of the RANGE attributes
in KeySchema order (equalities, then at most one range condition, on the last one given).

Entries are stored encoded (see :mod:`.table`) in a ranged :class:`~.table.Store` keyed by
index partition key (the value; a tuple of values for several HASH attributes), then by the
composite sort key ``(index sort values..., table hash value, table sort value?)``, so the
entries of one partition are ordered by the RANGE attributes in KeySchema order and a Query's
conditions are one contiguous range. Maintenance (:meth:`Index.apply`) is O(log n) per write.

Known deviation: GSIs are updated synchronously (AWS propagates within a fraction of a second);
:meth:`Table._propagate <serverless_sim.dynamodb.table.Table._propagate>` is the single place a lag
would be added.
"""

from __future__ import annotations

from typing import Any

import attrs

from .errors import ValidationException
from .table import TOP, Store, decode, encode, sort_value
from .types import item_size, values_equal

_INVALID = "One or more parameter values were invalid: "


@attrs.define(eq=False, repr=False)
class Index:
    """One GSI (``kind="GSI"``) or LSI (``kind="LSI"``) of a table."""

    name: str
    kind: str
    arn: str
    hash_key: str
    hash_type: str
    range_key: str | None
    range_type: str | None
    projection_type: str
    non_key_attributes: tuple[str, ...]
    table_hash: str
    table_hash_type: str
    table_range: str | None
    table_range_type: str | None
    status: str = "ACTIVE"
    backfilling: bool = False
    read_capacity: int = 0
    write_capacity: int = 0
    last_increase_us: int | None = None
    last_decrease_us: int | None = None
    decreases: list[int] = attrs.field(factory=list)
    #: Every HASH attribute ``((name, type), ...)`` (1-4); defaults to ``hash_key`` alone.
    hash_attrs: tuple = ()
    #: Every RANGE attribute (0-4); defaults to ``range_key`` alone.
    range_attrs: tuple = ()
    #: More than one HASH or RANGE attribute (a multi-attribute GSI key).
    multi: bool = attrs.field(init=False, default=False)
    store: Store = attrs.field(init=False, factory=lambda: Store(True))
    #: Attribute names projected (None = ALL).
    projected: frozenset[str] | None = attrs.field(init=False)
    key_names: tuple[str, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if not self.hash_attrs:
            self.hash_attrs = ((self.hash_key, self.hash_type),)
        if not self.range_attrs and self.range_key:
            self.range_attrs = ((self.range_key, self.range_type),)
        self.multi = len(self.hash_attrs) > 1 or len(self.range_attrs) > 1
        keys = [self.table_hash]
        if self.table_range:
            keys.append(self.table_range)
        for k, _ in (*self.hash_attrs, *self.range_attrs):
            if k not in keys:
                keys.append(k)
        self.key_names = tuple(keys)
        if self.projection_type == "ALL":
            self.projected = None
        elif self.projection_type == "INCLUDE":
            self.projected = frozenset(keys) | frozenset(self.non_key_attributes)
        else:
            self.projected = frozenset(keys)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name!r} {self.status} entries={self.store.count}>"

    # -- schema ---------------------------------------------------------------------------
    def key_schema(self) -> list[dict]:
        out = [{"AttributeName": name, "KeyType": "HASH"} for name, _ in self.hash_attrs]
        out += [{"AttributeName": name, "KeyType": "RANGE"} for name, _ in self.range_attrs]
        return out

    @property
    def index_key_names(self) -> tuple[str, ...]:
        """The index's own key attributes (HASH then RANGE), without the table's."""
        return tuple(name for name, _ in (*self.hash_attrs, *self.range_attrs))

    def projection(self) -> dict:
        out: dict[str, Any] = {"ProjectionType": self.projection_type}
        if self.projection_type == "INCLUDE":
            out["NonKeyAttributes"] = list(self.non_key_attributes)
        return out

    def check_item(self, item: dict) -> None:
        """Reject an item whose index key attributes have the wrong type, an empty value or a
        value over the key size limits (2048 bytes for a HASH attribute, 1024 in all for the
        RANGE attributes: the messages of table keys)."""
        ranged = 0
        for position, (name, tag) in enumerate((*self.hash_attrs, *self.range_attrs)):
            av = item.get(name)
            if av is None:
                continue
            for actual, value in av.items():
                if actual != tag:
                    raise ValidationException(
                        _INVALID + f"Type mismatch for Index Key {name} Expected: {tag} "
                        f"Actual: {actual} IndexName: {self.name}"
                    )
                if not value:
                    kind = "string" if tag == "S" else "binary"
                    raise ValidationException(
                        "One or more parameter values are not valid. A value specified for a "
                        "secondary index key is not supported. The AttributeValue for a key "
                        f"attribute cannot contain an empty {kind} value. IndexName: {self.name}, "
                        f"IndexKey: {name}"
                    )
                if tag != "N" and len(value) > 256:
                    size = len(value) if tag == "B" or value.isascii() else len(value.encode("utf-8"))
                    if position < len(self.hash_attrs):
                        if size > 2048:
                            raise ValidationException(
                                _INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
                            )
                    else:
                        ranged += size
                        if ranged > 1024:
                            raise ValidationException(
                                _INVALID + "Aggregated size of all range keys has exceeded the size "
                                "limit of 1024 bytes"
                            )

    # -- entries --------------------------------------------------------------------------
    def entry_id(self, item: dict | None) -> tuple[Any, Any] | None:
        """``(index partition value, composite sort key)`` of an item, or None if the item is
        not in the index (missing or mistyped index key attribute)."""
        if item is None:
            return None
        if self.multi:
            return self._multi_entry_id(item)
        hav = item.get(self.hash_key)
        if hav is None:
            return None
        hv = hav.get(self.hash_type)
        if hv is None:
            return None
        tpk = item[self.table_hash][self.table_hash_type]
        comp: list[Any] = []
        if self.range_key is not None:
            rav = item.get(self.range_key)
            if rav is None:
                return None
            rv = rav.get(self.range_type)  # type: ignore[arg-type]
            if rv is None:
                return None
            comp.append(sort_value(self.range_type, rv))  # type: ignore[arg-type]
        comp.append(sort_value(self.table_hash_type, tpk))
        if self.table_range is not None:
            comp.append(
                sort_value(self.table_range_type, item[self.table_range][self.table_range_type])  # type: ignore[arg-type]
            )
        return hv, tuple(comp)

    def _multi_entry_id(self, item: dict) -> tuple[Any, Any] | None:
        hvs = []
        for name, tag in self.hash_attrs:
            av = item.get(name)
            v = None if av is None else av.get(tag)
            if v is None:
                return None
            hvs.append(v)
        comp: list[Any] = []
        for name, tag in self.range_attrs:
            av = item.get(name)
            v = None if av is None else av.get(tag)
            if v is None:
                return None
            comp.append(sort_value(tag, v))
        comp.append(sort_value(self.table_hash_type, item[self.table_hash][self.table_hash_type]))
        if self.table_range is not None:
            comp.append(
                sort_value(self.table_range_type, item[self.table_range][self.table_range_type])  # type: ignore[arg-type]
            )
        pk = tuple(hvs) if len(hvs) > 1 else hvs[0]
        return pk, tuple(comp)

    def partition_value(self, hash_values: tuple) -> Any:
        """The store partition key for the HASH attribute values (raw, in KeySchema order)."""
        return tuple(hash_values) if len(self.hash_attrs) > 1 else hash_values[0]

    def backfillable(self, item: dict) -> bool:
        """Whether a backfill indexes ``item``: AWS leaves out items whose key attributes could
        not be written to the index (empty or oversized values, ALT:test_gsi_updatetable.py)."""
        try:
            self.check_item(item)
        except ValidationException:
            return False
        return True

    def project(self, item: dict | None) -> dict | None:
        """The index entry of an item (its projected attributes) or None if not indexed."""
        if item is None or self.entry_id(item) is None:
            return None
        names = self.projected
        if names is None:
            return item
        return {k: v for k, v in item.items() if k in names}

    @staticmethod
    def entry_size(entry: dict) -> int:
        return item_size(entry)

    @staticmethod
    def entries_equal(a: dict, b: dict) -> bool:
        return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())

    def apply(self, old_item: dict | None, new_item: dict | None) -> None:
        """Move the index from ``old_item`` to ``new_item`` (either may be None). O(log n)."""
        old_id = self.entry_id(old_item)
        new_id = self.entry_id(new_item)
        store = self.store
        if old_id is not None and old_id != new_id:
            store.delete(*old_id)
        if new_id is not None:
            entry = self.project(new_item)
            store.put(new_id[0], new_id[1], encode(entry, item_size(entry)))  # type: ignore[arg-type]

    def rebuild(self, items: Any) -> None:
        """Index every item of ``items`` (encoded table items) from scratch (a backfill)."""
        self.store.clear()
        for enc in items:
            item = decode(enc)
            if self.backfillable(item):
                self.apply(None, item)

    # -- reads ----------------------------------------------------------------------------
    def position_of(self, key: dict) -> tuple[Any, Any] | None:
        """The store position of an ExclusiveStartKey (index keys plus table keys)."""
        return self.entry_id(key)

    def range_bounds(self, op: str | None, values: tuple) -> tuple[Any, bool, Any, bool]:
        """Bounds on the composite sort key for a sort-key condition (see ``query.py``)."""
        return composite_bounds(op, values, self.range_type)


def multi_bounds(
    prefix: tuple, op: str | None, values: tuple, tag: str | None
) -> tuple[Any, bool, Any, bool]:
    """Bounds over composite keys for equality on the leading RANGE attributes (``prefix``: their
    sort values) and an optional condition ``op`` on the next one (of type ``tag``)."""
    if op is None:
        if not prefix:
            return None, True, None, True
        return prefix, True, prefix + (TOP,), True
    vals = [sort_value(tag, next(iter(av.values()))) for av in values]  # type: ignore[arg-type]
    v = vals[0]
    lo: Any = prefix if prefix else None
    hi: Any = prefix + (TOP,) if prefix else None
    if op == "EQ":
        return prefix + (v,), True, prefix + (v, TOP), True
    if op == "LT":
        return lo, True, prefix + (v,), False
    if op == "LE":
        return lo, True, prefix + (v, TOP), True
    if op == "GT":
        return prefix + (v, TOP), False, hi, True
    if op == "GE":
        return prefix + (v,), True, hi, True
    if op == "BETWEEN":
        return prefix + (v,), True, prefix + (vals[1], TOP), True
    if op == "BEGINS_WITH":
        upper = prefix_upper(v)
        if upper is None:
            return prefix + (v,), True, hi, True
        return prefix + (v,), True, prefix + (upper,), False
    raise ValueError(op)


def composite_bounds(op: str | None, values: tuple, tag: str | None) -> tuple[Any, bool, Any, bool]:
    """``(lo, lo_incl, hi, hi_incl)`` over composite keys whose first element is the sort value.

    ``(v,)`` sorts before every ``(v, ...)`` and ``(v, TOP)`` after them, so prefixes bound runs
    of equal index sort values.
    """
    if op is None:
        return None, True, None, True
    vals = [sort_value(tag, next(iter(av.values()))) for av in values]  # type: ignore[arg-type]
    v = vals[0]
    if op == "EQ":
        return (v,), True, (v, TOP), True
    if op == "LT":
        return None, True, (v,), False
    if op == "LE":
        return None, True, (v, TOP), True
    if op == "GT":
        return (v, TOP), False, None, True
    if op == "GE":
        return (v,), True, None, True
    if op == "BETWEEN":
        return (v,), True, (vals[1], TOP), True
    if op == "BEGINS_WITH":
        upper = prefix_upper(v)
        return (v,), True, ((upper,) if upper is not None else None), False
    raise ValueError(op)


def prefix_upper(prefix: Any) -> Any:
    """The smallest value greater than every value starting with ``prefix`` (None if none)."""
    if isinstance(prefix, str):
        chars = list(prefix)
        while chars:
            c = ord(chars[-1])
            if c < 0x10FFFF:
                nxt = c + 1
                if 0xD800 <= nxt <= 0xDFFF:
                    nxt = 0xE000
                chars[-1] = chr(nxt)
                return "".join(chars)
            chars.pop()
        return None
    data = bytearray(prefix)
    while data:
        if data[-1] < 0xFF:
            data[-1] += 1
            return bytes(data)
        data.pop()
    return None
