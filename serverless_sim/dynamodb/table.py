"""One DynamoDB table: its key schema, its storage, and the commit path of every write.

Storage (AWS: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.Partitions.html):
items are grouped by partition key; inside a partition they are ordered by sort key (N
numerically, S by UTF-8 bytes, which is code-point order, B as unsigned bytes). So a Query
is O(log n + k): a dict lookup for the partition, a bisection for the first sort key, then k
steps.

Memory: an item is stored *encoded*, as one flat tuple ``(size, name1, tag1, value1, name2, ...)``
instead of a dict of one-entry dicts (about a third of the memory). Scalar values (S, N, B,
BOOL, NULL) are immutable Python objects and shared; L, M and sets are deep-copied on the way in
and on the way out, so no caller can reach stored state. A table without a sort key maps
partition key -> encoded item directly; a table with one maps partition key -> :class:`Partition`,
a pair of parallel sorted lists promoted to a ``SortedDict`` when it grows past
:data:`PROMOTE_AT` entries.

Scan order: AWS scans partition by partition in the order of a hash of the partition key. We model
that with CRC-32 of the key's bytes (stable across processes, unlike ``hash()``), then the sort key.
The hash order is built lazily on the first Scan and then maintained incrementally; parallel-scan
segment ``s`` of ``T`` owns the hash range ``[s * 2**32 // T, (s + 1) * 2**32 // T)``.

Every committed change goes through :meth:`Table.commit`, which updates storage, the secondary
indexes (through one method, :meth:`Table._propagate`) and then calls the write listeners
(Streams, PITR and TTL hook in there).
"""

from __future__ import annotations

import zlib
from bisect import bisect_left, bisect_right
from decimal import Decimal
from typing import Any, Callable, Iterator

import attrs
from sortedcontainers import SortedDict, SortedList

from .errors import ValidationException
from .types import validate_key_value

#: A partition switches from two plain lists to a SortedDict beyond this many items.
PROMOTE_AT = 256

_SCALAR = frozenset({"S", "N", "B", "BOOL", "NULL"})
_SCHEMA_MISMATCH = "The provided key element does not match the schema"
_INVALID = "One or more parameter values were invalid: "

#: Exclusive upper bound of the 32-bit partition hash.
HASH_SPACE = 1 << 32


class _Top:
    """Compares greater than any key value (closes composite-key ranges)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __le__(self, other: object) -> bool:
        return other is self

    def __ge__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "TOP"


TOP = _Top()


# ---------------------------------------------------------------------------------------------
# Encoding


def copy_av(av: dict) -> dict:
    """A deep copy of an attribute value (fresh dicts and lists; scalars shared). O(size)."""
    for tag, v in av.items():
        if tag in _SCALAR:
            return {tag: v}
        if tag == "M":
            return {"M": {k: copy_av(x) for k, x in v.items()}}
        if tag == "L":
            return {"L": [copy_av(x) for x in v]}
        return {tag: list(v)}
    return {}


def _copy_value(tag: str, v: Any) -> Any:
    if tag == "M":
        return {k: copy_av(x) for k, x in v.items()}
    if tag == "L":
        return [copy_av(x) for x in v]
    return list(v)


def encode(item: dict, size: int) -> tuple:
    """The stored form of a (validated) item: ``(size, name, tag, value, ...)``. O(size)."""
    out: list[Any] = [size]
    for name, av in item.items():
        for tag, v in av.items():
            out.append(name)
            out.append(tag)
            out.append(v if tag in _SCALAR else _copy_value(tag, v))
    return tuple(out)


def decode(enc: tuple) -> dict:
    """A fresh item (fresh top-level dict and attribute-value dicts) from its stored form."""
    it = iter(enc)
    next(it)
    return {
        n: ({t: v} if t in _SCALAR else {t: _copy_value(t, v)}) for n, t, v in zip(it, it, it)
    }


def decode_attrs(enc: tuple, names: Any) -> dict:
    """Only the attributes of ``enc`` whose names are in ``names`` (a set), decoded fresh."""
    it = iter(enc)
    next(it)
    return {
        n: ({t: v} if t in _SCALAR else {t: _copy_value(t, v)})
        for n, t, v in zip(it, it, it)
        if n in names
    }


def partition_hash(pk: Any) -> int:
    """A stable 32-bit hash of a partition-key value (str, canonical number text, or bytes; a
    tuple of them for a GSI with several HASH attributes)."""
    if type(pk) is str:
        return zlib.crc32(pk.encode("utf-8", "surrogatepass"))
    if type(pk) is tuple:
        h = 0
        for part in pk:
            h = zlib.crc32(part.encode("utf-8", "surrogatepass") if type(part) is str else part, h)
            h = zlib.crc32(b"\x00", h)
        return h
    return zlib.crc32(pk)


def sort_value(tag: str, raw: Any) -> Any:
    """The orderable form of a key value: Decimal for N, the value itself for S and B."""
    return Decimal(raw) if tag == "N" else raw


# ---------------------------------------------------------------------------------------------
# Storage


class Partition:
    """The items of one partition key, ordered by sort key.

    Small partitions are two parallel lists (keys, values) kept sorted with ``bisect``; past
    :data:`PROMOTE_AT` entries they become a ``SortedDict``. ``nbytes`` sums the stored sizes
    (the item collection size for the 10 GB LSI limit). Lookup O(log k), insert O(k) while small
    then O(log k), range start O(log k).
    """

    __slots__ = ("keys", "vals", "big", "nbytes")

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.vals: list[tuple] = []
        self.big: SortedDict | None = None
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self.keys) if self.big is None else len(self.big)

    def get(self, k: Any) -> tuple | None:
        big = self.big
        if big is not None:
            return big.get(k)  # type: ignore[no-any-return]
        keys = self.keys
        i = bisect_left(keys, k)
        if i < len(keys) and keys[i] == k:
            return self.vals[i]
        return None

    def put(self, k: Any, v: tuple) -> tuple | None:
        big = self.big
        old: tuple | None
        if big is not None:
            old = big.get(k)
            big[k] = v
        else:
            keys = self.keys
            i = bisect_left(keys, k)
            if i < len(keys) and keys[i] == k:
                old = self.vals[i]
                self.vals[i] = v
            else:
                old = None
                keys.insert(i, k)
                self.vals.insert(i, v)
                if len(keys) > PROMOTE_AT:
                    self.big = SortedDict(zip(keys, self.vals))
                    self.keys = []
                    self.vals = []
        self.nbytes += v[0] - (old[0] if old is not None else 0)
        return old

    def pop(self, k: Any) -> tuple | None:
        big = self.big
        old: tuple | None
        if big is not None:
            old = big.pop(k, None)
        else:
            keys = self.keys
            i = bisect_left(keys, k)
            if i < len(keys) and keys[i] == k:
                del keys[i]
                old = self.vals.pop(i)
            else:
                old = None
        if old is not None:
            self.nbytes -= old[0]
        return old

    def positions(
        self, lo: Any = None, lo_incl: bool = True, hi: Any = None, hi_incl: bool = True
    ) -> tuple[int, int]:
        """Index range ``[i0, i1)`` of the keys within the bounds (None = unbounded)."""
        big = self.big
        if big is not None:
            n = len(big)
            i0 = 0 if lo is None else (big.bisect_left(lo) if lo_incl else big.bisect_right(lo))
            i1 = n if hi is None else (big.bisect_right(hi) if hi_incl else big.bisect_left(hi))
        else:
            keys = self.keys
            n = len(keys)
            i0 = 0 if lo is None else (bisect_left(keys, lo) if lo_incl else bisect_right(keys, lo))
            i1 = n if hi is None else (bisect_right(keys, hi) if hi_incl else bisect_left(keys, hi))
        return i0, max(i0, i1)

    def items(self, i0: int, i1: int, reverse: bool = False) -> Iterator[tuple[Any, tuple]]:
        """``(key, value)`` pairs at positions ``[i0, i1)``, ascending or descending."""
        big = self.big
        if big is not None:
            for k in big.islice(i0, i1, reverse=reverse):
                yield k, big[k]
            return
        keys, vals = self.keys, self.vals
        rng = range(i1 - 1, i0 - 1, -1) if reverse else range(i0, i1)
        for i in rng:
            yield keys[i], vals[i]

    def _check(self) -> None:
        if self.big is None:
            assert self.keys == sorted(self.keys)
            assert len(set(self.keys)) == len(self.keys)
            assert len(self.keys) == len(self.vals)
            vals = self.vals
        else:
            vals = list(self.big.values())
        assert self.nbytes == sum(v[0] for v in vals)


class Store:
    """Encoded entries by (partition key, sort key): a table's items or an index's entries.

    ``ranged=False`` (a table without sort key): ``data[pk] = entry``. Otherwise
    ``data[pk] = Partition`` keyed by the sort key (for indexes, a composite sort key that
    makes entries unique). ``count``/``nbytes`` are maintained on every change (O(1)).
    """

    __slots__ = ("data", "ranged", "count", "nbytes", "order")

    def __init__(self, ranged: bool) -> None:
        self.data: dict[Any, Any] = {}
        self.ranged = ranged
        self.count = 0
        self.nbytes = 0
        #: (partition hash, partition key) in scan order; built on the first scan.
        self.order: SortedList | None = None

    def get(self, pk: Any, sk: Any = None) -> tuple | None:
        if not self.ranged:
            return self.data.get(pk)  # type: ignore[no-any-return]
        part = self.data.get(pk)
        return None if part is None else part.get(sk)

    def put(self, pk: Any, sk: Any, enc: tuple) -> tuple | None:
        data = self.data
        if not self.ranged:
            old = data.get(pk)
            data[pk] = enc
            if old is None and self.order is not None:
                self.order.add((partition_hash(pk), pk))
        else:
            part = data.get(pk)
            if part is None:
                part = data[pk] = Partition()
                if self.order is not None:
                    self.order.add((partition_hash(pk), pk))
            old = part.put(sk, enc)
        if old is None:
            self.count += 1
            self.nbytes += enc[0]
        else:
            self.nbytes += enc[0] - old[0]
        return old

    def delete(self, pk: Any, sk: Any = None) -> tuple | None:
        data = self.data
        if not self.ranged:
            old = data.pop(pk, None)
            if old is not None and self.order is not None:
                self.order.remove((partition_hash(pk), pk))
        else:
            part = data.get(pk)
            if part is None:
                return None
            old = part.pop(sk)
            if not len(part):
                del data[pk]
                if self.order is not None:
                    self.order.remove((partition_hash(pk), pk))
        if old is not None:
            self.count -= 1
            self.nbytes -= old[0]
        return old

    def clear(self) -> None:
        self.data.clear()
        self.count = self.nbytes = 0
        self.order = None

    def partition_bytes(self, pk: Any) -> int:
        """Stored bytes under one partition key. O(1) for ranged stores."""
        entry = self.data.get(pk)
        if entry is None:
            return 0
        return entry.nbytes if self.ranged else entry[0]  # type: ignore[no-any-return]

    def _order(self) -> SortedList:
        order = self.order
        if order is None:
            order = self.order = SortedList((partition_hash(pk), pk) for pk in self.data)
        return order

    def scan(
        self,
        after: tuple[Any, Any] | None = None,
        lo_hash: int = 0,
        hi_hash: int = HASH_SPACE,
    ) -> Iterator[tuple[Any, Any, tuple]]:
        """``(pk, sk, entry)`` in scan order within the hash range ``[lo_hash, hi_hash)``,
        starting after the position ``after = (pk, sk)``. O(log P) to start, O(1) per entry."""
        order = self._order()
        data = self.data
        ranged = self.ranged
        if after is not None:
            apk, ask = after
            ah = partition_hash(apk)
            if ranged:
                part = data.get(apk)
                if part is not None:
                    i0, i1 = part.positions(ask, False)
                    for k, v in part.items(i0, i1):
                        yield apk, k, v
            keys = order.irange((ah, apk), (hi_hash,), inclusive=(False, False))
        else:
            keys = order.irange((lo_hash,), (hi_hash,), inclusive=(True, False))
        for _h, pk in keys:
            entry = data.get(pk)
            if entry is None:
                continue
            if ranged:
                i0, i1 = entry.positions()
                for k, v in entry.items(i0, i1):
                    yield pk, k, v
            else:
                yield pk, None, entry

    def _check(self) -> None:
        count = nbytes = 0
        for entry in self.data.values():
            if self.ranged:
                entry._check()
                assert len(entry) > 0
                count += len(entry)
                nbytes += entry.nbytes
            else:
                count += 1
                nbytes += entry[0]
        assert count == self.count, (count, self.count)
        assert nbytes == self.nbytes, (nbytes, self.nbytes)
        if self.order is not None:
            assert list(self.order) == sorted((partition_hash(pk), pk) for pk in self.data)


# ---------------------------------------------------------------------------------------------
# Write plans


@attrs.frozen
class WritePlan:
    """A validated, condition-checked write that has not happened yet (see ``Table.commit``).

    ``new_item`` None means delete; ``write=False`` marks a ConditionCheck (nothing to write).
    Sizes are the item sizes in bytes (0 when absent), for capacity and item counts.
    """

    table: "Table"
    key_id: Any
    key: dict
    old_item: dict | None
    new_item: dict | None
    write: bool = True
    old_size: int = 0
    new_size: int = 0


Listener = Callable[[dict | None, dict | None], None]
#: A change hook: ``(pk, sk, old_entry, new_entry)`` with the *stored* (encoded, immutable)
#: entries, None when absent. Cheaper than a listener (nothing is decoded) and the entries can be
#: kept as they are (TTL, Streams, PITR and global tables hook in here).
ChangeHook = Callable[[Any, Any, "tuple | None", "tuple | None"], None]


# ---------------------------------------------------------------------------------------------
# The table


@attrs.define(eq=False, repr=False)
class Table:
    """One table: key schema, settings, storage, indexes and write listeners.

    ``key_id`` of an item is its partition-key value (str, canonical number text or bytes) for a
    table without sort key, else ``(partition value, sort value)``: hashable and unique.
    """

    name: str
    arn: str
    table_id: str
    created_us: int
    hash_key: str
    hash_type: str
    range_key: str | None
    range_type: str | None
    attribute_definitions: list[dict]
    billing_mode: str = "PROVISIONED"
    billing_mode_explicit: bool = False
    read_capacity: int = 0
    write_capacity: int = 0
    last_increase_us: int | None = None
    last_decrease_us: int | None = None
    decreases: list[int] = attrs.field(factory=list)
    last_pay_per_request_us: int | None = None
    status: str = "CREATING"
    gsis: dict[str, Any] = attrs.field(factory=dict)
    lsis: dict[str, Any] = attrs.field(factory=dict)
    stream_spec: dict | None = None
    stream_label: str | None = None
    sse: dict | None = None
    table_class: str | None = None
    table_class_updated_us: int | None = None
    tags: dict[str, str] = attrs.field(factory=dict)
    deletion_protection: bool = False
    listeners: list[Listener] = attrs.field(factory=list)
    change_hooks: list[ChangeHook] = attrs.field(factory=list)
    store: Store = attrs.field(init=False)
    attribute_types: dict[str, str] = attrs.field(init=False)
    key_names: tuple[str, ...] = attrs.field(init=False)
    #: Fast key-id extraction for GetItem-shaped keys; None when the key needs full validation.
    fast_key_id: Callable[[Any], Any] = attrs.field(init=False)
    #: Key id of an item that passed ``fastpath.encode_new_item`` (PutItem's fast path), or None.
    fast_item_key: Callable[[dict], Any] = attrs.field(init=False)
    #: Key id of a native item that passed ``fastpath.encode_plain`` (``NativeTable.put``), or None.
    fast_plain_key: Callable[[dict], Any] = attrs.field(init=False)
    #: GetItem's fast path: ``Key -> entry | None | fastpath.SLOW`` (see ``fastpath.compile_get``).
    fast_get: Callable[[Any], Any] = attrs.field(init=False)
    #: The hash key's name when the key is that one S attribute (no sort key), else None: the
    #: one-frame case of ``ItemOps._put_plain``.
    plain_hash_s: str | None = attrs.field(init=False)
    #: Capacity state (``throughput.TableThroughput``); None = not tracked (no cost at all).
    throughput: Any = attrs.field(init=False, default=None)
    #: GSI propagation lag (``throughput.IndexLag``); None = GSIs are updated at once.
    index_lag: Any = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        self.store = Store(self.range_key is not None)
        self.attribute_types = {
            d["AttributeName"]: d["AttributeType"] for d in self.attribute_definitions
        }
        self.key_names = (
            (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)
        )
        self.fast_key_id = _compile_fast_key(self)
        from .fastpath import compile_get, compile_item_key, compile_plain_key

        self.fast_item_key = compile_item_key(self)
        self.fast_plain_key = compile_plain_key(self)
        self.fast_get = compile_get(self)
        self.plain_hash_s = (
            self.hash_key if self.range_key is None and self.hash_type == "S" else None
        )

    def __repr__(self) -> str:
        return f"<Table {self.name!r} {self.status} items={self.store.count}>"

    # -- indexes --------------------------------------------------------------------------
    @property
    def indexes(self) -> list[Any]:
        """Every secondary index (LSIs then GSIs)."""
        return [*self.lsis.values(), *self.gsis.values()]

    def index(self, name: str) -> Any:
        return self.gsis.get(name) or self.lsis.get(name)

    # -- keys -----------------------------------------------------------------------------
    def validate_key(self, key: Any) -> dict:
        """Validate a ``Key`` parameter against the schema; return it with numbers normalised.

        Messages as AWS: a wrong attribute count, a missing/extra/mistyped attribute ->
        "The provided key element does not match the schema"; empty or too long values as
        :func:`~.types.validate_key_value`.
        """
        if type(key) is not dict or len(key) != len(self.key_names):
            raise ValidationException(_SCHEMA_MISMATCH)
        out = {}
        for name, tag, is_range in (
            (self.hash_key, self.hash_type, False),
            (self.range_key, self.range_type, True),
        ):
            if name is None:
                continue
            av = key.get(name)
            if av is None:
                raise ValidationException(_SCHEMA_MISMATCH)
            if type(av) is dict and len(av) == 1 and tag not in av:
                from .types import ATTRIBUTE_TYPES

                if next(iter(av)) in ATTRIBUTE_TYPES:
                    raise ValidationException(_SCHEMA_MISMATCH)
            out[name] = validate_key_value(av, name, tag or "S", range_key=is_range)
        return out

    def key_from_item(self, item: dict) -> dict:
        """Validate the key attributes of a full item (PutItem) and return the key dict."""
        out = {}
        for name, tag, is_range in (
            (self.hash_key, self.hash_type, False),
            (self.range_key, self.range_type, True),
        ):
            if name is None:
                continue
            av = item.get(name)
            if av is None:
                raise ValidationException(_INVALID + f"Missing the key {name} in the item")
            out[name] = validate_key_value(av, name, tag or "S", range_key=is_range)
        return out

    def key_id(self, key_or_item: dict) -> Any:
        """The identity of an item, from its (validated) key or the item itself. O(1)."""
        hv = key_or_item[self.hash_key][self.hash_type]
        if self.range_key is None:
            return hv
        return (hv, key_or_item[self.range_key][self.range_type])

    def extract_key(self, item: dict) -> dict:
        """The key attributes of an item (fresh dicts)."""
        return {name: dict(item[name]) for name in self.key_names}

    def key_from_id(self, key_id: Any) -> dict:
        if self.range_key is None:
            return {self.hash_key: {self.hash_type: key_id}}
        return {
            self.hash_key: {self.hash_type: key_id[0]},
            self.range_key: {self.range_type: key_id[1]},
        }

    # -- storage --------------------------------------------------------------------------
    def lookup(self, key_id: Any) -> tuple | None:
        """The stored (encoded) item for ``key_id`` or None. O(1) or O(log k)."""
        if self.range_key is None:
            return self.store.data.get(key_id)  # type: ignore[no-any-return]
        part = self.store.data.get(key_id[0])
        if part is None:
            return None
        rv = key_id[1]
        return part.get(Decimal(rv) if self.range_type == "N" else rv)

    def get(self, key_id: Any) -> dict | None:
        """A fresh copy of the item with identity ``key_id``, or None."""
        enc = self.lookup(key_id)
        return None if enc is None else decode(enc)

    @property
    def item_count(self) -> int:
        return self.store.count

    @property
    def size_bytes(self) -> int:
        return self.store.nbytes

    def collection_bytes(self, pk: Any) -> int:
        """Item-collection size of partition ``pk``: its items plus their LSI entries."""
        total = self.store.partition_bytes(pk)
        for lsi in self.lsis.values():
            total += lsi.store.partition_bytes(pk)
        return total

    def commit(self, plan: WritePlan) -> None:
        """Apply a plan: storage, then indexes, then listeners and change hooks.

        O(log n) + indexes + listeners; with no listener and no hook registered (TTL, Streams,
        PITR and global tables all off) the hooks cost one attribute test.
        """
        if not plan.write:
            return
        key_id = plan.key_id
        new = plan.new_item
        store = self.store
        if self.range_key is None:
            pk, sk = key_id, None
        else:
            pk, rv = key_id
            sk = Decimal(rv) if self.range_type == "N" else rv
        if new is None:
            old_enc = store.delete(pk, sk)
            enc = None
        else:
            enc = encode(new, plan.new_size)
            old_enc = store.put(pk, sk, enc)
        self._after_write(pk, sk, plan.old_item, new, old_enc, enc)

    def put_encoded(
        self, pk: Any, sk: Any, item: dict | None, enc: tuple, applied: Any = None
    ) -> tuple | None:
        """Commit a put whose stored entry is already built (PutItem's fast path); returns the
        replaced entry. Same effects as :meth:`commit`; O(log n) + indexes + listeners.

        ``item`` is the new item's attribute values, or None to decode them from ``enc`` if
        they are needed (by indexes). ``applied`` is a change hook the caller applies itself
        (``TableThroughput.put_fast`` counts the partition's items): it is not called here."""
        store = self.store
        if store.ranged:
            old_enc = store.put(pk, sk, enc)
        else:
            # ``Store.put`` inlined for a table without sort key (every PutItem of one).
            data = store.data
            old_enc = data.get(pk)
            data[pk] = enc
            if old_enc is None:
                if store.order is not None:
                    store.order.add((partition_hash(pk), pk))
                store.count += 1
                store.nbytes += enc[0]
            else:
                store.nbytes += enc[0] - old_enc[0]
        if self.gsis or self.lsis or self.listeners:
            old = None if old_enc is None else decode(old_enc)
            if item is None:
                item = decode(enc)
            self._after_write(pk, sk, old, item, old_enc, enc, applied)
        elif self.change_hooks:
            # ``_after_write`` without indexes or listeners: the change hooks only.
            for hook in tuple(self.change_hooks):
                if hook is not applied:
                    hook(pk, sk, old_enc, enc)
        return old_enc

    def _after_write(
        self, pk: Any, sk: Any, old: dict | None, new: dict | None, old_enc: Any, enc: Any,
        applied: Any = None,
    ) -> None:
        """Everything after storage: indexes, then listeners, then change hooks (but
        ``applied``, see :meth:`put_encoded`)."""
        if self.gsis or self.lsis:
            self._propagate(old, new)
        if self.listeners:
            fresh_new = None if enc is None else decode(enc)
            for listener in list(self.listeners):
                listener(old, fresh_new)
        if self.change_hooks and (old_enc is not None or enc is not None):
            for hook in tuple(self.change_hooks):
                if hook is not applied:
                    hook(pk, sk, old_enc, enc)

    def _propagate(self, old_item: dict | None, new_item: dict | None) -> None:
        """Reflect one item change in every secondary index: the single propagation point.

        LSIs are updated at once (they are strongly consistent); GSIs at once too, unless a
        propagation lag is installed (``index_lag``, see ``throughput.IndexLag``), which
        schedules the change on the clock so a GSI read can be stale.
        """
        for index in self.lsis.values():
            index.apply(old_item, new_item)
        if self.gsis:
            lag = self.index_lag
            if lag is not None:
                lag(old_item, new_item)
                return
            for index in self.gsis.values():
                index.apply(old_item, new_item)

    def clear(self) -> None:
        self.store.clear()
        for index in self.indexes:
            index.store.clear()

    def _check(self) -> None:
        """Internal invariants (tests call this after mutations)."""
        self.store._check()
        for index in self.indexes:
            index.store._check()


def _compile_fast_key(table: Table) -> Callable[[Any], Any]:
    """A closure turning a plain, canonical ``Key`` into its key id, or None if unsure.

    Accepts only the common cases (S up to 512 characters, B up to 1024 bytes, N as a canonical
    non-negative integer up to 38 digits) so that anything else takes the validating path.
    """
    hk, ht, rk, rt = table.hash_key, table.hash_type, table.range_key, table.range_type

    def ok(tag: str, v: Any) -> bool:
        if tag == "S":
            return type(v) is str and 0 < len(v) <= 256
        if tag == "B":
            return type(v) is bytes and 0 < len(v) <= 1024
        return (
            type(v) is str
            and 0 < len(v) <= 38
            and v.isdigit()
            and v.isascii()
            and (v[0] != "0" or len(v) == 1)
        )

    if rk is None:
        if ht == "S":

            def fast_s(key: Any) -> Any:
                if type(key) is not dict or len(key) != 1:
                    return None
                av = key.get(hk)
                if type(av) is not dict or len(av) != 1:
                    return None
                v = av.get("S")
                if type(v) is str and 0 < len(v) <= 256:
                    return v
                return None

            return fast_s

        def fast_h(key: Any) -> Any:
            if type(key) is not dict or len(key) != 1:
                return None
            av = key.get(hk)
            if type(av) is not dict or len(av) != 1:
                return None
            v = av.get(ht)
            return v if ok(ht, v) else None

        return fast_h

    def fast_hr(key: Any) -> Any:
        if type(key) is not dict or len(key) != 2:
            return None
        av = key.get(hk)
        bv = key.get(rk)
        if type(av) is not dict or len(av) != 1 or type(bv) is not dict or len(bv) != 1:
            return None
        v = av.get(ht)
        w = bv.get(rt)
        if ok(ht, v) and ok(rt or "S", w):
            return (v, w)
        return None

    return fast_hr
