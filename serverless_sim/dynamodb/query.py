"""Query and Scan, on tables and on secondary indexes.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html):

* a page reads items in key order (Query: one partition by sort key, ``ScanIndexForward=false``
  descending; Scan: partition-hash order, see :mod:`.table`) until ``Limit`` items have been
  *evaluated* or 1 MB has been read (the item that reaches 1 MB is included); the filter runs
  after that, so a page can be empty and still carry ``LastEvaluatedKey``;
* ``LastEvaluatedKey`` is present whenever the page stopped on Limit or size (AWS does not look
  ahead), and holds the table key, plus the index key for an index read;
* ``Count`` counts items after the filter, ``ScannedCount`` before it;
* ``Select``: ALL_ATTRIBUTES (default for tables), ALL_PROJECTED_ATTRIBUTES (default for
  indexes; indexes only), SPECIFIC_ATTRIBUTES (requires a projection), COUNT (no Items); a
  projection allows only SPECIFIC_ATTRIBUTES; ALL_ATTRIBUTES on a GSI needs projection ALL;
* a GSI returns only projected attributes and refuses ConsistentRead; an LSI fetches
  non-projected attributes from the table (adding table read cost);
* a Query's FilterExpression may not use the partition or sort key of what it queries;
* parallel Scan: ``Segment``/``TotalSegments`` both or neither; segment ``s`` of ``T`` owns a
  contiguous range of the partition-hash space, so segments are disjoint and cover the table;
* read cost: the sizes of all items read, rounded up to 4 KB once (eventually consistent half).

Complexity: Query O(log n + k) for k items evaluated; Scan O(log P + k) per page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from ..kernel.service import operation
from .capacity import check_return_consumed_capacity, consumed, read_units
from .errors import ValidationException
from .expressions import ExpressionContext, condition_references_attributes
from .indexes import Index, composite_bounds, multi_bounds, prefix_upper
from .items import enum_error, null_member
from .legacy import check_mixing, has_legacy, rewrite_read
from .table import HASH_SPACE, Table, decode, sort_value
from .types import validate_key_value

#: Query and Scan stop a page after reading this many bytes.
PAGE_BYTES = 1024 * 1024
_SELECTS = ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
_BAD_START = "The provided starting key is invalid: The provided key element does not match the schema"


def table_bounds(op: str | None, values: tuple, tag: str | None) -> tuple[Any, bool, Any, bool]:
    """``(lo, lo_incl, hi, hi_incl)`` over plain sort values for a sort-key condition."""
    if op is None:
        return None, True, None, True
    vals = [sort_value(tag, next(iter(av.values()))) for av in values]  # type: ignore[arg-type]
    v = vals[0]
    if op == "EQ":
        return v, True, v, True
    if op == "LT":
        return None, True, v, False
    if op == "LE":
        return None, True, v, True
    if op == "GT":
        return v, False, None, True
    if op == "GE":
        return v, True, None, True
    if op == "BETWEEN":
        return v, True, vals[1], True
    if op == "BEGINS_WITH":
        return v, True, prefix_upper(v), False
    raise ValueError(op)


class _Read:
    """The parsed parts of a Query or Scan request shared by both."""

    __slots__ = (
        "table", "index", "select", "limit", "consistent", "filter", "projection",
        "mode", "fetch_from_table", "ctx", "op",
    )
    op: str
    table: Table
    index: Index | None
    select: str
    limit: int | None
    consistent: bool
    filter: Any
    projection: Any
    mode: str
    fetch_from_table: bool
    ctx: Any


class QueryOps:
    """Query and Scan wire operations (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        def _data_table(self, request: dict) -> Table: ...

    def _read_request(self, request: dict, op: str) -> _Read:
        r = _Read()
        r.op = op
        table = r.table = self._data_table(request)
        index_name = request.get("IndexName")
        index: Index | None = None
        if index_name is not None:
            index = table.index(index_name)
            if index is None:
                raise ValidationException(f"The table does not have the specified index: {index_name}")
            if index.status == "CREATING":
                raise ValidationException(
                    f"Cannot read from backfilling global secondary index: {index_name}"
                )
        r.index = index
        limit = request.get("Limit")
        if limit is not None:
            if type(limit) is not int or limit < 1:
                raise ValidationException(
                    f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                    "constraint: Member must have value greater than or equal to 1"
                )
        r.limit = limit
        consistent = request.get("ConsistentRead", False)
        if consistent is None:
            consistent = False
        if type(consistent) is not bool:
            raise ValidationException(f"Invalid type for parameter ConsistentRead, value: {consistent}")
        if consistent and index is not None and index.kind == "GSI":
            raise ValidationException("Consistent reads are not supported on global secondary indexes")
        r.consistent = consistent
        r.mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        pe = request.get("ProjectionExpression")
        atg = request.get("AttributesToGet")
        if has_legacy(request, op):
            check_mixing(request, op)
        select = request.get("Select")
        if select is not None and select not in _SELECTS:
            raise enum_error(select, "select", _SELECTS)
        if (pe is not None or atg is not None) and select not in (None, "SPECIFIC_ATTRIBUTES"):
            which = "ProjectionExpression" if pe is not None else "AttributesToGet"
            raise ValidationException(f"Cannot specify the {which} when choosing to get {select}")
        if select == "SPECIFIC_ATTRIBUTES" and pe is None and atg is None:
            raise ValidationException(
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
                "SPECIFIC_ATTRIBUTES"
            )
        if select == "ALL_PROJECTED_ATTRIBUTES" and index is None:
            raise ValidationException(
                f"ALL_PROJECTED_ATTRIBUTES can be used only when {'Querying' if op == 'Query' else 'Scanning'} "
                "using an IndexName"
            )
        if (
            select == "ALL_ATTRIBUTES"
            and index is not None
            and index.kind == "GSI"
            and index.projection_type != "ALL"
        ):
            raise ValidationException(
                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not "
                f"supported for global secondary index {index.name} because its projection type "
                "is not ALL"
            )
        if select is None:
            select = "SPECIFIC_ATTRIBUTES" if (pe is not None or atg is not None) else (
                "ALL_PROJECTED_ATTRIBUTES" if index is not None else "ALL_ATTRIBUTES"
            )
        r.select = select
        r.fetch_from_table = (
            index is not None
            and index.kind == "LSI"
            and index.projection_type != "ALL"
            and select in ("ALL_ATTRIBUTES", "SPECIFIC_ATTRIBUTES")
        )
        r.filter = None
        r.projection = None
        r.ctx = None
        return r

    def _bind_expressions(self, r: _Read, request: dict, ctx: ExpressionContext | None) -> None:
        fe = request.get("FilterExpression")
        pe = request.get("ProjectionExpression")
        if ctx is None:
            if fe is None and pe is None:
                if request.get("ExpressionAttributeNames") is not None:
                    raise ValidationException(
                        "ExpressionAttributeNames can only be specified when using expressions"
                    )
                if request.get("ExpressionAttributeValues") is not None:
                    raise ValidationException(
                        "ExpressionAttributeValues can only be specified when using expressions: "
                        "FilterExpression is null"
                    )
                self._project_attributes_to_get(r, request)
                return
            ctx = ExpressionContext(
                request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
            )
        if fe is not None:
            r.filter = ctx.condition(fe, "FilterExpression")
        if pe is not None:
            r.projection = ctx.projection(pe)
        ctx.finish()
        self._project_attributes_to_get(r, request)

    def _project_attributes_to_get(self, r: _Read, request: dict) -> None:
        """AttributesToGet as the read's projection; a GSI refuses names it does not project."""
        atg = request.get("AttributesToGet")
        if atg is not None:
            wanted = frozenset(atg)
            r.projection = _TopLevel(wanted)
        index = r.index
        if r.projection is not None and index is not None and index.kind == "GSI" and index.projected is not None:
            asked = r.projection.attributes if atg is None else r.projection.names
            missing = sorted(asked - index.projected)
            if missing:
                # A GSI never fetches from the table (ALT:test_gsi.py::test_gsi_query_select_2).
                raise ValidationException(
                    "One or more parameter values were invalid: Global secondary index "
                    f"{index.name} does not project [{', '.join(missing)}]"
                )

    def _start_item_key(self, r: _Read, esk: Any) -> dict:
        """Validate an ExclusiveStartKey: exactly the table key (+ the index key)."""
        table, index = r.table, r.index
        names = dict.fromkeys(index.key_names if index is not None else table.key_names)
        if type(esk) is not dict or set(esk) != set(names):
            raise ValidationException(_BAD_START)
        types = dict(table.attribute_types)
        out = {}
        for name in names:
            av = esk[name]
            if type(av) is not dict or len(av) != 1 or types.get(name) not in av:
                raise ValidationException(_BAD_START)
            is_range = name == table.range_key or (
                index is not None and any(name == n for n, _ in index.range_attrs)
            )
            out[name] = validate_key_value(av, name, types[name], range_key=is_range)
        return out

    def _last_key(self, r: _Read, item: dict) -> dict:
        names = r.index.key_names if r.index is not None else r.table.key_names
        return {n: dict(item[n]) for n in names}

    def _emit(self, r: _Read, it: Iterator[tuple[Any, Any, tuple]]) -> dict:
        """Read one page from ``it`` (``(pk, sk, entry)`` triples) and shape the response."""
        limit = r.limit
        filt = r.filter
        proj = r.projection
        want_items = r.select != "COUNT"
        fetch = r.fetch_from_table
        table = r.table
        items: list[dict] = []
        count = scanned = size = table_size = 0
        last = None
        stopped = False
        for _pk, _sk, enc in it:
            scanned += 1
            size += enc[0]
            item = decode(enc)
            last = item
            if fetch:
                full = table.lookup(table.key_id(item))
                if full is not None:
                    table_size += full[0]
                    item = decode(full)
            if filt is None or filt.evaluate(item):
                count += 1
                if want_items:
                    items.append(item if proj is None else proj.apply(item))
            if (limit is not None and scanned >= limit) or size >= PAGE_BYTES:
                stopped = True
                break
        out: dict[str, Any] = {}
        if want_items:
            out["Items"] = items
        out["Count"] = count
        out["ScannedCount"] = scanned
        if stopped and last is not None:
            out["LastEvaluatedKey"] = self._last_key(r, last)
        tp = table.throughput
        if tp is not None:
            self._charge_read(r, tp, _pk if scanned else None, size, table_size, count)
        if r.mode != "NONE":
            out["ConsumedCapacity"] = self._read_capacity(r, size, table_size)
        return out

    def _charge_read(self, r: _Read, tp: Any, pk: Any, size: int, table_size: int, count: int
    ) -> None:
        """Charge a Query/Scan page to the table or GSI (raises a throttle) and record
        ReturnedItemCount. A Query's page is charged to its partition, a Scan's to the table."""
        op = r.op
        units = read_units(size, r.consistent)
        if r.index is not None and r.index.kind == "LSI" and table_size:
            units += read_units(table_size, r.consistent)
        tp.read(r.index, pk if op == "Query" else None, units, op)
        tp.metric(tp.base, "ReturnedItemCount", float(count), op)

    def _read_capacity(self, r: _Read, size: int, table_size: int) -> dict | None:
        units = read_units(size, r.consistent)
        index = r.index
        if index is None:
            return consumed(r.mode, r.table.name, units)
        if index.kind == "GSI":
            return consumed(r.mode, r.table.name, None, {index.name: units})
        table_units = read_units(table_size, r.consistent) if table_size else None
        return consumed(r.mode, r.table.name, table_units, None, {index.name: units})

    # -- Query ----------------------------------------------------------------------------
    @operation("Query")
    def query(self, request: dict) -> dict:
        """Query one partition of a table or index (see the module docstring)."""
        r = self._read_request(request, "Query")
        table, index = r.table, r.index
        if has_legacy(request, "Query"):
            hash_key = index.hash_key if index is not None else table.hash_key
            request = rewrite_read(request, "Query", hash_key)
        kce = request.get("KeyConditionExpression")
        if kce is None:
            raise ValidationException(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
            )
        forward = request.get("ScanIndexForward", True)
        if forward is None:
            forward = True
        if index is not None and index.multi:
            return self._query_multi(r, request, kce, bool(forward))
        if index is not None:
            hk, ht, rk, rt = index.hash_key, index.hash_type, index.range_key, index.range_type
        else:
            hk, ht, rk, rt = table.hash_key, table.hash_type, table.range_key, table.range_type
        types: dict[str, str | None] = {hk: ht}
        if rk is not None:
            types[rk] = rt
        ctx = ExpressionContext(
            request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
        )
        kc = ctx.key_condition(kce, hk, rk, types)
        self._bind_expressions(r, request, ctx)
        if r.filter is not None:
            refs = condition_references_attributes(r.filter)
            for name in (hk, rk):
                if name is not None and name in refs:
                    raise ValidationException(
                        "Filter Expression can only contain non-primary key attributes: "
                        f"Primary key attribute: {name}"
                    )
        hv_av = validate_key_value(kc.hash_value, hk, ht)
        hv = hv_av[ht]
        esk = request.get("ExclusiveStartKey")
        start = None
        if esk is not None and index is None and table.range_key is None:
            # One-item partitions: there is nothing after any key (ALT:test_query.py).
            raise ValidationException(
                f"The provided exclusive start key is invalid: ExclusiveStartKey: {esk}"
            )
        if esk is not None:
            start_key = self._start_item_key(r, esk)
            if start_key[hk][ht] != hv or (
                rk is not None and kc.range_op is not None and not kc.range_matches(start_key[rk])
            ):
                raise ValidationException(
                    "The provided starting key is outside query boundaries based on provided conditions"
                )
            start = start_key
        if index is None:
            it = self._query_table(table, hv, kc, bool(forward), start)
        else:
            it = self._query_index(index, hv, kc, bool(forward), start)
        return self._emit(r, it)

    def _query_multi(self, r: _Read, request: dict, kce: str, forward: bool) -> dict:
        """Query a GSI with several HASH and/or RANGE attributes (see :mod:`.indexes`)."""
        index = r.index
        assert index is not None
        ctx = ExpressionContext(
            request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
        )
        kc = ctx.multi_key_condition(kce, index.hash_attrs, index.range_attrs)
        self._bind_expressions(r, request, ctx)
        if r.filter is not None:
            refs = condition_references_attributes(r.filter)
            for name in index.index_key_names:
                if name in refs:
                    raise ValidationException(
                        "Filter Expression can only contain non-primary key attributes: "
                        f"Primary key attribute: {name}"
                    )
        hvs = tuple(
            validate_key_value(av, name, tag)[tag]
            for av, (name, tag) in zip(kc.hash_values, index.hash_attrs)
        )
        pv = index.partition_value(hvs)
        start = None
        esk = request.get("ExclusiveStartKey")
        if esk is not None:
            start_key = self._start_item_key(r, esk)
            if tuple(start_key[name][tag] for name, tag in index.hash_attrs) != hvs:
                raise ValidationException(
                    "The provided starting key is outside query boundaries based on provided conditions"
                )
            start = start_key
        part = index.store.data.get(pv)
        if part is None:
            return self._emit(r, iter(()))
        prefix = tuple(
            sort_value(tag, av[tag]) for av, (_, tag) in zip(kc.prefix, index.range_attrs)
        )
        lo, lo_incl, hi, hi_incl = multi_bounds(prefix, kc.range_op, kc.range_values, kc.range_type)
        i0, i1 = part.positions(lo, lo_incl, hi, hi_incl)
        if start is not None:
            pos = index.position_of(start)
            if pos is not None:
                s = pos[1]
                if forward:
                    i0 = max(i0, part.positions(s, False)[0])
                else:
                    i1 = min(i1, part.positions(None, True, s, False)[1])
        return self._emit(r, ((pv, k, v) for k, v in part.items(i0, max(i0, i1), not forward)))

    def _query_table(self, table: Table, hv: Any, kc: Any, forward: bool, start: dict | None
    ) -> Iterator[tuple[Any, Any, tuple]]:
        store = table.store
        if table.range_key is None:
            if start is not None:
                return iter(())
            enc = store.data.get(hv)
            return iter(() if enc is None else ((hv, None, enc),))
        part = store.data.get(hv)
        if part is None:
            return iter(())
        lo, lo_incl, hi, hi_incl = table_bounds(kc.range_op, kc.range_values, table.range_type)
        i0, i1 = part.positions(lo, lo_incl, hi, hi_incl)
        if start is not None:
            s = sort_value(table.range_type, start[table.range_key][table.range_type])  # type: ignore[index,arg-type]
            if forward:
                i0 = max(i0, part.positions(s, False)[0])
            else:
                i1 = min(i1, part.positions(None, True, s, False)[1])
        return ((hv, k, v) for k, v in part.items(i0, max(i0, i1), not forward))

    def _query_index(self, index: Index, hv: Any, kc: Any, forward: bool, start: dict | None
    ) -> Iterator[tuple[Any, Any, tuple]]:
        part = index.store.data.get(hv)
        if part is None:
            return iter(())
        lo, lo_incl, hi, hi_incl = composite_bounds(kc.range_op, kc.range_values, index.range_type)
        i0, i1 = part.positions(lo, lo_incl, hi, hi_incl)
        if start is not None:
            pos = index.position_of(start)
            if pos is not None:
                s = pos[1]
                if forward:
                    i0 = max(i0, part.positions(s, False)[0])
                else:
                    i1 = min(i1, part.positions(None, True, s, False)[1])
        return ((hv, k, v) for k, v in part.items(i0, max(i0, i1), not forward))

    # -- Scan -----------------------------------------------------------------------------
    @operation("Scan")
    def scan(self, request: dict) -> dict:
        """Scan a table or index, optionally one segment of a parallel scan."""
        r = self._read_request(request, "Scan")
        segment = request.get("Segment")
        total = request.get("TotalSegments")
        if total is not None and segment is None:
            raise ValidationException(
                "The Segment parameter is required but was not present in the request when "
                "parameter TotalSegments is present"
            )
        if segment is not None and total is None:
            raise ValidationException(
                "The TotalSegments parameter is required but was not present in the request when "
                "Segment parameter is present"
            )
        lo_h, hi_h = 0, HASH_SPACE
        if total is not None:
            assert segment is not None  # both or neither: checked above
            errors = []
            if type(total) is not int or not 1 <= total <= 1_000_000:
                bound = "greater than or equal to 1" if total < 1 else "less than or equal to 1000000"
                errors.append(
                    f"Value '{total}' at 'totalSegments' failed to satisfy constraint: Member must "
                    f"have value {bound}"
                )
            if type(segment) is not int or not 0 <= segment <= 999_999:
                bound = "greater than or equal to 0" if segment < 0 else "less than or equal to 999999"
                errors.append(
                    f"Value '{segment}' at 'segment' failed to satisfy constraint: Member must "
                    f"have value {bound}"
                )
            if errors:
                n = len(errors)
                raise ValidationException(
                    f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors)
                )
            if segment >= total:
                raise ValidationException(
                    "The Segment parameter is zero-based and must be less than parameter "
                    f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
                )
            lo_h = segment * HASH_SPACE // total
            hi_h = (segment + 1) * HASH_SPACE // total
        if has_legacy(request, "Scan"):
            request = rewrite_read(request, "Scan")
        self._bind_expressions(r, request, None)
        table, index = r.table, r.index
        esk = request.get("ExclusiveStartKey")
        after = None
        if esk is not None:
            start = self._start_item_key(r, esk)
            if index is None:
                pk = start[table.hash_key][table.hash_type]
                sk = (
                    None
                    if table.range_key is None
                    else sort_value(table.range_type, start[table.range_key][table.range_type])  # type: ignore[index,arg-type]
                )
                after = (pk, sk)
            else:
                after = index.position_of(start)
                if after is None:
                    raise ValidationException(_BAD_START)
            from .table import partition_hash

            if not lo_h <= partition_hash(after[0]) < hi_h:
                raise ValidationException(
                    "The provided Exclusive start key does not map to the provided Segment and "
                    "TotalSegments values."
                )
        store = index.store if index is not None else table.store
        return self._emit(r, store.scan(after, lo_h, hi_h))


class _TopLevel:
    """A projection of top-level names (AttributesToGet)."""

    __slots__ = ("names",)

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def apply(self, item: dict) -> dict:
        return {k: v for k, v in item.items() if k in self.names}
