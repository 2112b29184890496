"""The PutItem/GetItem hot path: one pass over an item that validates, sizes and encodes it.

The general write path (:meth:`ItemOps._plan_put <.items.ItemOps._plan_put>`) validates the item
(:func:`~.types.validate_item`), then its key (:meth:`Table.key_from_item
<.table.Table.key_from_item>`), then computes its size (:func:`~.types.item_size`), then builds a
:class:`~.table.WritePlan` and encodes the item (:func:`~.table.encode`): four walks over the
attributes and an attrs object per request. :func:`encode_new_item` does the same work in one
walk for the common item (every value already canonical), and :func:`compile_item_key` reads the
key attributes of a validated item with the checks of :func:`~.types.validate_key_value`.

Contract: each function either returns the result the general path would compute, or ``None``
meaning "take the general path" (which then raises AWS's exact error, in AWS's order). So the
fast path never changes behaviour, only cost. Anything unusual (a number that needs normalising,
a non-canonical value, a bad type, a too-long key) returns ``None``.

Complexity: O(size of the item), one pass; allocation: the encoded tuple (and its list builder).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .errors import ValidationException
from .table import _copy_value, decode
from .types import _number_size, _validate, normalize_number, value_size

_MAX_PK = 2048
_MAX_SK = 1024
_CONTAINERS = frozenset({"L", "M", "SS", "NS", "BS"})


def encode_new_item(item: Any) -> tuple | None:
    """The stored form ``(size, name, tag, value, ...)`` of a valid, canonical item, else None.

    Equivalent to ``encode(validate_item(item), item_size(item))`` when ``validate_item`` would
    return ``item`` unchanged; None when it would raise or normalise something.
    """
    if type(item) is not dict:
        return None
    out: list[Any] = [0]
    append = out.append
    size = 0
    for name, av in item.items():
        if type(av) is not dict or len(av) != 1 or type(name) is not str or not name:
            return None
        for tag in av:
            v = av[tag]
        if tag == "S":
            if type(v) is not str:
                return None
            if v.isascii():
                size += len(v)
            else:
                try:
                    size += len(v.encode("utf-8"))
                except UnicodeEncodeError:
                    return None
        elif tag == "N":
            if type(v) is not str:
                return None
            if v.isdigit() and v.isascii() and len(v) <= 38 and (v[0] != "0" or len(v) == 1):
                size += (len(v.rstrip("0")) + 1) // 2 + 1
            else:
                try:
                    if normalize_number(v) != v:
                        return None
                except ValidationException:
                    return None
                size += _number_size(v)
        elif tag == "BOOL":
            if type(v) is not bool:
                return None
            size += 1
        elif tag == "NULL":
            if v is not True:
                return None
            size += 1
        elif tag == "B":
            if type(v) is not bytes:
                return None
            size += len(v)
        elif tag in _CONTAINERS:
            try:
                if _validate(av, 1) is not av:
                    return None
                size += value_size(av)
            except (ValidationException, UnicodeEncodeError):
                return None
            v = _copy_value(tag, v)
        else:
            return None
        if name.isascii():
            n = len(name)
        else:
            try:
                n = len(name.encode("utf-8"))
            except UnicodeEncodeError:
                return None
        if n > 65535:  # the general path refuses the name
            return None
        size += n
        append(name)
        append(tag)
        append(v)
    out[0] = size
    return tuple(out)


#: The text of small integers (shared with :mod:`.native`'s ``to_av``).
_INT_TEXT = tuple(str(i) for i in range(1024))
#: Their sizes as a number attribute (the general rule below, precomputed).
_INT_SIZE = tuple((len(t.rstrip("0")) + 1) // 2 + 1 for t in _INT_TEXT)


#: Attribute names already accepted by :func:`encode_plain`, with their sizes (bounded).
_NAME_SIZE: dict[str, int] = {}


def _name_size(name: Any) -> int | None:
    """The size of a valid plain attribute name (a non-empty ASCII ``str`` of at most 65,535
    characters; anything else takes the general route), memoised; else None."""
    if type(name) is not str or not name or not name.isascii() or len(name) > 65535:
        return None
    if len(_NAME_SIZE) < 4096:
        _NAME_SIZE[name] = len(name)
    return len(name)


def encode_plain(values: Any) -> tuple | None:
    """The stored form of a native item of plain ``str`` and non-negative ``int`` values (the
    common case of ``NativeTable.put``), else None.

    Equivalent to :func:`encode_new_item(to_item(values)) <encode_new_item>` in one pass,
    without building the attribute values (small integers share their text, as ``to_av``
    does); :func:`encode_plain_item` adds them. None for anything else (the caller then takes
    that general route).
    """
    if type(values) is not dict:
        return None
    out: list[Any] = [0]
    size = 0
    names = _NAME_SIZE
    for name, v in values.items():
        if type(name) is not str:
            return None
        n = names.get(name)  # names repeat: check each once
        if n is None:
            n = _name_size(name)
            if n is None:
                return None
        t = type(v)
        if t is str:
            if v.isascii():
                size += len(v)
            else:
                try:
                    size += len(v.encode("utf-8"))
                except UnicodeEncodeError:
                    return None
            out += (name, "S", v)
        elif t is int and v >= 0:
            if v < 1024:
                size += _INT_SIZE[v]
                v = _INT_TEXT[v]
            else:
                v = str(v)
                if len(v) > 38:
                    return None
                size += (len(v.rstrip("0")) + 1) // 2 + 1
            out += (name, "N", v)
        else:
            return None
        size += n
    out[0] = size
    return tuple(out)


def encode_plain_item(values: Any) -> tuple[dict, tuple] | None:
    """``(item, stored form)`` for a native item of plain ``str`` and non-negative ``int``
    values (see :func:`encode_plain`), else None.

    Equivalent to ``item = to_item(values)`` then :func:`encode_new_item(item)
    <encode_new_item>`: the same attribute values and the same stored tuple and size.
    """
    enc = encode_plain(values)
    if enc is None:
        return None
    return decode(enc), enc


def compile_plain_key(table: Any) -> Callable[[dict], Any]:
    """A closure: the key id of a native item that passed :func:`encode_plain`, or None.

    Equivalent to ``compile_item_key(table)(to_item(values))`` for such items (the same key id;
    None when a key attribute is missing, has the wrong type, is empty or too long), without
    building the attribute values.
    """
    hk, ht, rk, rt = table.hash_key, table.hash_type, table.range_key, table.range_type

    def text(v: Any, tag: str, limit: int) -> Any:
        """The key value of the plain value ``v`` for a key of type ``tag``, or None."""
        if tag == "S":
            return v if type(v) is str and _key_ok("S", v, limit) else None
        if tag == "N" and type(v) is int and v >= 0:
            t = _INT_TEXT[v] if v < 1024 else str(v)
            return t if len(t) <= 38 else None
        return None  # plain values hold no B

    if rk is None:
        if ht == "S":

            def hash_s(values: dict) -> Any:
                v = values.get(hk)
                if type(v) is not str or not v:
                    return None
                if v.isascii():
                    return v if len(v) <= _MAX_PK else None
                return v if _key_ok("S", v, _MAX_PK) else None

            return hash_s

        def hash_only(values: dict) -> Any:
            return text(values.get(hk), ht, _MAX_PK)

        return hash_only

    def hash_range(values: dict) -> Any:
        v = text(values.get(hk), ht, _MAX_PK)
        w = text(values.get(rk), rt, _MAX_SK)
        return None if v is None or w is None else (v, w)

    return hash_range


def _key_ok(tag: str, v: Any, limit: int) -> bool:
    """A valid key value of type ``tag`` (already a canonical attribute value)."""
    if tag == "S":
        if not v:
            return False
        if v.isascii():
            return len(v) <= limit
        try:
            return len(v.encode("utf-8")) <= limit
        except UnicodeEncodeError:
            return False
    if tag == "B":
        return 0 < len(v) <= limit
    return True  # a canonical N has at most 38 digits: 21 bytes, always within the limits


def compile_item_key(table: Any) -> Callable[[dict], Any]:
    """A closure: the key id of an item that passed :func:`encode_new_item`, or None.

    None when a key attribute is missing, has the wrong type, is empty or too long (the general
    path then raises AWS's message).
    """
    hk, ht, rk, rt = table.hash_key, table.hash_type, table.range_key, table.range_type
    if rk is None:

        def hash_only(item: dict) -> Any:
            av = item.get(hk)
            if av is None:
                return None
            v = av.get(ht)
            if v is None or not _key_ok(ht, v, _MAX_PK):
                return None
            return v

        return hash_only

    def hash_range(item: dict) -> Any:
        av = item.get(hk)
        bv = item.get(rk)
        if av is None or bv is None:
            return None
        v = av.get(ht)
        w = bv.get(rt)
        if v is None or w is None or not _key_ok(ht, v, _MAX_PK) or not _key_ok(rt, w, _MAX_SK):
            return None
        return (v, w)

    return hash_range


_DECIMALS: dict[str, Decimal] = {}


def decimal(text: str) -> Decimal:
    """``Decimal(text)`` for a canonical N sort-key text, memoised (bounded, 4,096 entries):
    sort keys repeat (1, 2, 3...), and the conversion is a third of a GetItem."""
    d = _DECIMALS.get(text)
    if d is None:
        d = Decimal(text)
        if len(_DECIMALS) < 4096:
            _DECIMALS[text] = d
    return d


#: Returned by a compiled getter when the request needs the general path.
SLOW = object()


def _plain_key_value(tag: str, v: Any) -> bool:
    """A key value the fast path may use as it is: S of 1-256 characters, B of 1-1024 bytes,
    N as a canonical non-negative integer (anything else is validated by the general path)."""
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


def compile_get(table: Any) -> Callable[[Any], Any]:
    """A closure ``key -> stored entry | None | SLOW`` for GetItem-shaped ``Key`` maps.

    One call does the key checks of the fast path (see :func:`_plain_key_value`) and the storage
    lookup, O(1) (O(log k) with a sort key); SLOW when the key needs full validation.
    """
    hk, ht, rk, rt = table.hash_key, table.hash_type, table.range_key, table.range_type
    if rk is None:

        def get_h(key: Any) -> Any:
            if type(key) is not dict or len(key) != 1:
                return SLOW
            av = key.get(hk)
            if type(av) is not dict or len(av) != 1:
                return SLOW
            v = av.get(ht)
            if ht == "S":
                if type(v) is not str or not 0 < len(v) <= 256:
                    return SLOW
            elif not _plain_key_value(ht, v):
                return SLOW
            return table.store.data.get(v)

        return get_h

    numeric = rt == "N"

    def get_hr(key: Any) -> Any:
        if type(key) is not dict or len(key) != 2:
            return SLOW
        av = key.get(hk)
        bv = key.get(rk)
        if type(av) is not dict or type(bv) is not dict or len(av) != 1 or len(bv) != 1:
            return SLOW
        v = av.get(ht)
        w = bv.get(rt)
        if ht == "S":
            if type(v) is not str or not 0 < len(v) <= 256:
                return SLOW
        elif not _plain_key_value(ht, v):
            return SLOW
        if numeric:
            if (
                type(w) is not str
                or not w.isdigit()
                or not w.isascii()
                or len(w) > 38
                or (w[0] == "0" and len(w) != 1)
            ):
                return SLOW
            sk = _DECIMALS.get(w)
            if sk is None:
                sk = decimal(w)
        else:
            if not _plain_key_value(rt, w):
                return SLOW
            sk = w
        part = table.store.data.get(v)
        if part is None:
            return None
        return part.get(sk)

    return get_hr
