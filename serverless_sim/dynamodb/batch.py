"""BatchGetItem and BatchWriteItem: many single-item reads or writes in one call.

AWS behaviour modelled:

* BatchGetItem (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html):
  1-100 keys in total over all tables ("Too many items requested for the BatchGetItem call");
  the same key twice in one table is a ValidationException ("Provided list of item keys contains
  duplicates"), a key missing from the table is simply not returned; per table
  ``ProjectionExpression``/``ExpressionAttributeNames`` (or the legacy ``AttributesToGet``) and
  ``ConsistentRead`` (eventually consistent by default); a response carries at most 16 MB of
  items, the keys left over are returned in ``UnprocessedKeys`` in the request's own shape
  (with the table's projection and consistency settings) for the caller to resend;
  ``UnprocessedKeys`` is always present (``{}`` when everything was read). Each item's read
  units are rounded up to 4 KB *separately*
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ProvisionedThroughput.html).
* BatchWriteItem (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html):
  1-25 ``PutRequest``/``DeleteRequest`` in total ("Too many items requested for the
  BatchWriteItem call"), each holding exactly one of the two; no two requests on the same key of
  one table ("Provided list of item keys contains duplicates"); every request is validated (key
  schema, item size, attribute values) before anything is written, so one bad item fails the
  whole call and writes nothing; each write is atomic, the batch is not (other callers may see
  some of its writes before the rest); a request over 16 MB is rejected; ``UnprocessedItems`` is
  always present. Each write's units are rounded up to 1 KB separately, as PutItem/DeleteItem
  would charge them (the larger of the old and new item), plus index write amplification.
  ``ReturnItemCollectionMetrics=SIZE`` reports the item collections written in tables with a
  local secondary index.

Evidence for messages: ScyllaDB Alternator's ``test_batch.py`` (run against DynamoDB) and
observations of DynamoDB Local, whose wording is reused for the shapes AWS does not document
(an empty list for a table, a write request with neither or both members).

Deviations: AWS returns items in no particular order; we return each table's items in request
order, so runs are reproducible. Throttling never leaves keys or items unprocessed here (the
simulator has no partial throttling yet); only the 16 MB response limit of BatchGetItem does.
AWS may leave work unprocessed well below the limits; we never do. A BatchWriteItem request
over 16 MB is refused with a ValidationException in our words (AWS's front end answers such a
request before the service sees it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .capacity import check_return_consumed_capacity, consumed, index_write_units, read_units, write_units
from .errors import ValidationException
from .items import enum_error, expression_context, null_member
from .legacy import check_attributes_to_get, check_mixing
from .table import decode
from .types import item_size

if TYPE_CHECKING:
    from .table import Table, WritePlan

#: Keys per BatchGetItem call (over all tables).
MAX_BATCH_GET_KEYS = 100
#: Requests per BatchWriteItem call (over all tables).
MAX_BATCH_WRITE_REQUESTS = 25
#: Bytes of items in one BatchGetItem response, and of one BatchWriteItem request.
MAX_BATCH_BYTES = 16 * 1024 * 1024

_DUPLICATES = "Provided list of item keys contains duplicates"
_SIZE_METRICS = {"ReturnItemCollectionMetrics": "SIZE"}


def check_return_item_collection_metrics(value: Any) -> str:
    """Validate ``ReturnItemCollectionMetrics``; returns ``"NONE"`` when absent."""
    if value is None:
        return "NONE"
    if value not in ("SIZE", "NONE"):
        raise enum_error(value, "returnItemCollectionMetrics", ("SIZE", "NONE"))
    return str(value)


def check_request_items(value: Any) -> dict[str, Any]:
    """``RequestItems`` must be a non-empty map of table name to that table's requests."""
    if value is None:
        raise null_member("requestItems")
    if not isinstance(value, dict) or not value:
        raise ValidationException(
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    return value


def loose_size(value: Any) -> int:
    """The size of an item that has not been validated yet (0 when it is malformed: the
    validation that follows reports that precisely)."""
    try:
        return item_size(value)
    except Exception:  # noqa: BLE001
        return 0


class Usage:
    """Capacity used in one table by a multi-item call: summed per write, shaped once."""

    __slots__ = ("table", "units", "gsi", "lsi")

    def __init__(self, table: "Table") -> None:
        self.table = table
        self.units = 0.0
        self.gsi: dict[str, float] = {}
        self.lsi: dict[str, float] = {}

    def add_write(self, plan: "WritePlan", *, transactional: bool = False) -> None:
        """One write plan: the item's units (each write rounded up on its own) plus its index
        amplification; doubled for transactions. O(number of indexes)."""
        self.units += write_units(max(plan.old_size, plan.new_size), transactional=transactional)
        if not plan.write:
            return
        factor = 2.0 if transactional else 1.0
        table = self.table
        for indexes, out in ((table.gsis, self.gsi), (table.lsis, self.lsi)):
            if indexes:
                changes = index_write_units(indexes.values(), plan.old_item, plan.new_item)
                for name, units in changes.items():
                    out[name] = out.get(name, 0.0) + units * factor

    def shape(self, mode: str) -> dict[str, Any]:
        out = consumed(mode, self.table.name, self.units, self.gsi, self.lsi)
        assert out is not None
        return out


def read_projection(part: dict[str, Any]) -> tuple[Any, frozenset[str] | None]:
    """The projection of one table's ``KeysAndAttributes`` (or a transaction's ``Get``):
    ``(Projection or None, AttributesToGet names or None)``, validated as GetItem does."""
    text = part.get("ProjectionExpression")
    if part.get("AttributesToGet") is not None:
        check_mixing(part, "GetItem")
        check_attributes_to_get(part["AttributesToGet"])
    ctx = expression_context(part, text, "ProjectionExpression is null")
    projection = None
    if ctx is not None:
        projection = ctx.projection(text)  # type: ignore[arg-type]
        ctx.finish()
    legacy = part.get("AttributesToGet")
    return projection, (frozenset(legacy) if legacy is not None else None)


def project(item: dict, projection: Any, legacy: frozenset[str] | None) -> dict:
    if projection is not None:
        return projection.apply(item)  # type: ignore[no-any-return]
    if legacy is not None:
        return {k: v for k, v in item.items() if k in legacy}
    return item


class BatchOps:
    """Wire operations BatchGetItem and BatchWriteItem (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        def _item_collection_metrics(self, request: dict, table: Table, key: dict) -> dict | None: ...
        def _plan_delete(self, table: Table, request: dict) -> WritePlan: ...
        def _plan_put(self, table: Table, request: dict) -> WritePlan: ...
        def get_table(self, name: Any) -> Table: ...

    @operation("BatchGetItem")
    def batch_get_item(self, request: dict) -> dict:
        """BatchGetItem: read up to 100 items from one or more tables (see the module docstring).

        Validates every table's keys and projection before reading anything. O(k) for k keys,
        plus the projection of each item returned.
        """
        mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        request_items = check_request_items(request.get("RequestItems"))
        total = 0
        for name, part in request_items.items():
            keys = part.get("Keys") if isinstance(part, dict) else None
            if keys is None:
                raise null_member(f"requestItems.{name}.member.keys")
            if not isinstance(keys, list) or not keys:
                raise ValidationException(
                    f"The list of keys in RequestItems for BatchGetItem is required: {name} has empty list"
                )
            total += len(keys)
        if total > MAX_BATCH_GET_KEYS:
            raise ValidationException("Too many items requested for the BatchGetItem call")

        reads = []
        for name, part in request_items.items():
            table = self.get_table(name)
            projection, legacy = read_projection(part)
            consistent = part.get("ConsistentRead", False)
            if consistent is not None and type(consistent) is not bool:
                raise ValidationException(
                    f"Invalid type for parameter ConsistentRead, value: {consistent}"
                )
            seen: set[Any] = set()
            key_ids = []
            for key in part["Keys"]:
                key_id = table.key_id(table.validate_key(key))
                if key_id in seen:
                    raise ValidationException(_DUPLICATES)
                seen.add(key_id)
                key_ids.append(key_id)
            reads.append((name, part, table, projection, legacy, bool(consistent), key_ids))

        responses: dict[str, list[dict]] = {}
        unprocessed: dict[str, Any] = {}
        capacity: list[dict[str, Any]] = []
        budget = MAX_BATCH_BYTES
        full = False
        processed = 0
        throttle: Exception | None = None
        for name, part, table, projection, legacy, consistent, key_ids in reads:
            out: list[dict] = []
            responses[name] = out
            units = 0.0
            left: list[dict] = []
            tp = table.throughput
            for key, key_id in zip(part["Keys"], key_ids):
                if not full:
                    enc = table.lookup(key_id)
                    size = 0 if enc is None else enc[0]
                    # The response is full: this key and every later one wait for a retry.
                    full = size > budget
                if full:
                    left.append(key)
                    continue
                if tp is not None:
                    pk = key_id if table.range_key is None else key_id[0]
                    err = tp.admit(
                        tp.read_charge(None, pk, read_units(size, consistent)), "BatchGetItem"
                    )
                    if err is not None:
                        # Throttled keys come back in UnprocessedKeys (API:BatchGetItem).
                        throttle = throttle or err
                        left.append(key)
                        continue
                processed += 1
                budget -= size
                units += read_units(size, consistent)
                if enc is not None:
                    out.append(project(decode(enc), projection, legacy))
            if left:
                unprocessed[name] = {**part, "Keys": left}
            if mode != "NONE" and units:
                capacity.append(consumed(mode, table.name, units))  # type: ignore[arg-type]
        if throttle is not None and not processed:
            raise throttle  # nothing could be read: the batch fails with the throttle
        response: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
        if mode != "NONE":
            response["ConsumedCapacity"] = capacity
        return response

    @operation("BatchWriteItem")
    def batch_write_item(self, request: dict) -> dict:
        """BatchWriteItem: put or delete up to 25 items in one or more tables (see the module
        docstring).

        Plans (validates) every write first, then commits them one by one. O(k) writes.
        """
        mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        metrics_mode = check_return_item_collection_metrics(request.get("ReturnItemCollectionMetrics"))
        request_items = check_request_items(request.get("RequestItems"))
        total = 0
        request_bytes = 0
        for name, writes in request_items.items():
            if not isinstance(writes, list) or not writes:
                raise ValidationException(
                    f"The batch write request list for a table cannot be null or empty: {name}"
                )
            if len(writes) > MAX_BATCH_WRITE_REQUESTS:
                raise ValidationException(
                    "1 validation error detected: Value at 'requestItems' failed to satisfy "
                    "constraint: Map value must satisfy constraint: [Member must have length less "
                    f"than or equal to {MAX_BATCH_WRITE_REQUESTS}, Member must have length greater "
                    "than or equal to 1]"
                )
            total += len(writes)
            for write in writes:
                body = write.get("PutRequest") if isinstance(write, dict) else None
                if isinstance(body, dict):
                    request_bytes += loose_size(body.get("Item"))
        if total > MAX_BATCH_WRITE_REQUESTS:
            raise ValidationException("Too many items requested for the BatchWriteItem call")
        if request_bytes > MAX_BATCH_BYTES:
            raise ValidationException(
                "Item size has exceeded the maximum allowed size: a BatchWriteItem request "
                "carries at most 16 MB"
            )

        plans: list[tuple[str, "WritePlan", dict]] = []
        usage: dict[str, Usage] = {}
        for name, writes in request_items.items():
            table = self.get_table(name)
            usage[name] = Usage(table)
            seen: set[Any] = set()
            for write in writes:
                if not isinstance(write, dict) or len(write) != 1 or not (
                    "PutRequest" in write or "DeleteRequest" in write
                ):
                    raise ValidationException(
                        "Supplied AttributeValue has more than one datatypes set, must contain "
                        "exactly one of the supported datatypes"
                    )
                if "PutRequest" in write:
                    body = write["PutRequest"]
                    item = body.get("Item") if isinstance(body, dict) else None
                    if item is None:
                        raise null_member(f"requestItems.{name}.member.putRequest.item")
                    plan = self._plan_put(table, {"Item": item})
                else:
                    body = write["DeleteRequest"]
                    key = body.get("Key") if isinstance(body, dict) else None
                    if key is None:
                        raise null_member(f"requestItems.{name}.member.deleteRequest.key")
                    plan = self._plan_delete(table, {"Key": key})
                if plan.key_id in seen:
                    raise ValidationException(_DUPLICATES)
                seen.add(plan.key_id)
                plans.append((name, plan, write))

        # Each write is atomic on its own. Keys are distinct, so every plan's old item is still
        # the current one when it commits.
        metrics: dict[str, list[dict]] = {}
        unprocessed: dict[str, list[dict]] = {}
        throttle: Exception | None = None
        processed = 0
        for name, plan, write in plans:
            tp = plan.table.throughput
            if tp is not None:
                err = tp.admit(tp.write_charges(plan), "BatchWriteItem")
                if err is not None:
                    # Throttled writes come back in UnprocessedItems (API:BatchWriteItem).
                    throttle = throttle or err
                    unprocessed.setdefault(name, []).append(write)
                    continue
            processed += 1
            plan.table.commit(plan)
            usage[name].add_write(plan)
            if metrics_mode == "SIZE" and plan.table.lsis:
                icm = self._item_collection_metrics(_SIZE_METRICS, plan.table, plan.key)
                if icm is not None:
                    metrics.setdefault(name, []).append(icm)
        if throttle is not None and not processed:
            raise throttle  # nothing could be written: the batch fails with the throttle
        response: dict[str, Any] = {"UnprocessedItems": unprocessed}
        if mode != "NONE":
            response["ConsumedCapacity"] = [u.shape(mode) for u in usage.values()]
        if metrics_mode == "SIZE":
            response["ItemCollectionMetrics"] = metrics
        return response
