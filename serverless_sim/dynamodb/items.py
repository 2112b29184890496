"""Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem, and the write plans they
share with transactions.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html,
API_GetItem, API_UpdateItem, API_DeleteItem):

* every write is planned first (validation, key and index-key checks, the 400 KB limit, the
  condition against the current item) and committed only if the plan stands, so a failed
  condition or a validation error changes nothing; transactions plan all their items the same
  way (``_plan_put``/``_plan_update``/``_plan_delete``/``_plan_condition_check``) and commit
  them together with :meth:`Table.commit <serverless_sim.dynamodb.table.Table.commit>`;
* UpdateItem creates the item when it is absent (an update of a missing item starts from its
  key); updating a key attribute is rejected;
* ReturnValues: Put/Delete NONE or ALL_OLD; Update NONE, ALL_OLD, UPDATED_OLD, ALL_NEW,
  UPDATED_NEW. ReturnValuesOnConditionCheckFailure=ALL_OLD puts the current ``Item`` into the
  ConditionalCheckFailedException;
* ReturnConsumedCapacity per :mod:`.capacity`; ReturnItemCollectionMetrics=SIZE on tables with
  LSIs returns ``ItemCollectionKey`` and ``SizeEstimateRangeGB``;
* 400 KB item limit (with LSIs: item plus its LSI entries); 10 GB item-collection limit on tables
  with LSIs (``ItemCollectionSizeLimitExceededException``).

GetItem has a fast path for the common request (TableName + Key [+ ConsistentRead]): a dict
lookup, no exceptions, and a fresh copy of the stored item. O(1) (O(log k) with a sort key).

Legacy parameters (Expected, ConditionalOperator, AttributeUpdates, AttributesToGet) are validated
and translated by :mod:`.legacy`, only for requests that carry them. An update made only of
REMOVE/DELETE actions does not create a missing item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .capacity import check_return_consumed_capacity, read_units, write_consumed
from .errors import (
    ConditionalCheckFailedException,
    ItemCollectionSizeLimitExceededException,
    ResourceNotFoundException,
    ValidationException,
)
from .expressions import ExpressionContext
from .legacy import AttributeUpdates, check_attributes_to_get, check_mixing, rewrite_write
from .table import Table, WritePlan, copy_av, decode
from .tables import check_name, validation_errors
from .fastpath import decimal as _decimal
from .fastpath import _INT_SIZE, _INT_TEXT, _MAX_PK, _NAME_SIZE, SLOW, _name_size, encode_new_item, encode_plain
from .types import item_size, validate_item

if TYPE_CHECKING:
    from .service import DynamoDBConfig

MAX_ITEM_BYTES = 400 * 1024
GB = 1024**3
_RETURN_VALUES = ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
_DATA_OK = frozenset({"ACTIVE", "UPDATING"})


def null_member(where: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value null at '{where}' failed to satisfy constraint: "
        "Member must not be null"
    )


def enum_error(value: Any, where: str, allowed: tuple[str, ...]) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]"
    )


def copy_item(item: dict) -> dict:
    """A deep copy of an item (fresh dicts and lists all the way down)."""
    return {k: copy_av(v) for k, v in item.items()}


def expression_context(request: dict, used: str | None, null_names: str) -> ExpressionContext | None:
    """The request's ExpressionContext, or None (raising AWS's errors for orphan maps).

    ``used`` is any expression present; ``null_names`` the suffix AWS gives when none is
    (``"ConditionExpression is null"``).
    """
    names = request.get("ExpressionAttributeNames")
    values = request.get("ExpressionAttributeValues")
    if used is None:
        if names is not None:
            raise ValidationException(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
        if values is not None:
            raise ValidationException(
                f"ExpressionAttributeValues can only be specified when using expressions: {null_names}"
            )
        return None
    return ExpressionContext(names, values)


class ItemOps:
    """Wire operations on single items (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        config: DynamoDBConfig
        tables: dict[str, Table]
        def get_table(self, name: Any) -> Table: ...

    # -- shared checks --------------------------------------------------------------------
    def _data_table(self, request: dict) -> Table:
        name = request.get("TableName")
        if name is None:
            raise null_member("tableName")
        try:
            return self.get_table(name)
        except ResourceNotFoundException:
            if isinstance(name, str) and not name.startswith("arn:"):
                # A name no table could have is a ValidationException (ALT:test_item.py).
                errors: list[str] = []
                check_name(name, "tableName", errors)
                validation_errors(errors)
            raise

    def _check_new_item(self, table: Table, item: dict, update: bool) -> int:
        """Index-key types and the 400 KB limit; returns the item's size."""
        for index in table.lsis.values():
            index.check_item(item)
        for index in table.gsis.values():
            index.check_item(item)
        size = item_size(item)
        total = size
        if table.lsis:
            for index in table.lsis.values():
                entry = index.project(item)
                if entry is not None:
                    total += item_size(entry)
        if total > MAX_ITEM_BYTES:
            raise ValidationException(
                "Item size to update has exceeded the maximum allowed size"
                if update
                else "Item size has exceeded the maximum allowed size"
            )
        return size

    def _check_collection(self, table: Table, plan: WritePlan) -> None:
        """The 10 GB item-collection limit of tables with LSIs."""
        if not table.lsis or plan.new_item is None:
            return
        pk = plan.key_id if table.range_key is None else plan.key_id[0]

        def with_lsis(item: dict | None, size: int) -> int:
            if item is None:
                return 0
            total = size
            for index in table.lsis.values():
                entry = index.project(item)
                if entry is not None:
                    total += item_size(entry)
            return total

        after = (
            table.collection_bytes(pk)
            - with_lsis(plan.old_item, plan.old_size)
            + with_lsis(plan.new_item, plan.new_size)
        )
        if after > self.config.item_collection_limit_bytes:
            raise ItemCollectionSizeLimitExceededException("Collection size exceeded.")

    def _rvoccf(self, request: dict) -> str:
        value = request.get("ReturnValuesOnConditionCheckFailure")
        if value is None:
            return "NONE"
        if value not in ("ALL_OLD", "NONE"):
            raise enum_error(value, "returnValuesOnConditionCheckFailure", ("ALL_OLD", "NONE"))
        return str(value)

    def _condition_failed(self, old: dict | None, rvoccf: str) -> ConditionalCheckFailedException:
        if rvoccf == "ALL_OLD" and old is not None:
            return ConditionalCheckFailedException(Item=copy_item(old))
        return ConditionalCheckFailedException()

    def _item_collection_metrics(self, request: dict, table: Table, key: dict) -> dict | None:
        value = request.get("ReturnItemCollectionMetrics")
        if value is None or value == "NONE" or not table.lsis:
            return None
        pk = key[table.hash_key][table.hash_type]
        gb = table.collection_bytes(pk) / GB
        low = float(int(gb))
        return {
            "ItemCollectionKey": {table.hash_key: dict(key[table.hash_key])},
            "SizeEstimateRangeGB": [low, low + 1.0],
        }

    def _check_write_options(self, request: dict, allowed: tuple[str, ...]) -> str:
        rv = request.get("ReturnValues")
        if rv is not None and rv != "NONE":
            if rv not in _RETURN_VALUES:
                raise enum_error(rv, "returnValues", _RETURN_VALUES)
            if rv not in allowed:
                raise ValidationException("ReturnValues can only be ALL_OLD or NONE")
        ricm = request.get("ReturnItemCollectionMetrics")
        if ricm is not None and ricm not in ("SIZE", "NONE"):
            raise enum_error(ricm, "returnItemCollectionMetrics", ("SIZE", "NONE"))
        return rv or "NONE"

    # -- plans ----------------------------------------------------------------------------
    def _plan_put(self, table: Table, request: dict) -> WritePlan:
        """Validate a Put (item, keys, index keys, size, condition) against the current item."""
        if request.get("Expected") is not None or request.get("ConditionalOperator") is not None:
            request = rewrite_write(request, "PutItem")
        item = request.get("Item")
        if item is None:
            raise null_member("item")
        item = validate_item(item)
        key = table.key_from_item(item)
        size = self._check_new_item(table, item, update=False)
        key_id, enc, old = self._checked_current(table, request, key, self._optional_condition(request))
        plan = WritePlan(table, key_id, key, old, item, True, 0 if enc is None else enc[0], size)
        self._check_collection(table, plan)
        return plan

    def _plan_update(self, table: Table, request: dict) -> WritePlan:
        """Validate an Update and compute the new item (an absent item starts from its key)."""
        legacy_updates = None
        if (
            request.get("AttributeUpdates") is not None
            or request.get("Expected") is not None
            or request.get("ConditionalOperator") is not None
        ):
            request = rewrite_write(request, "UpdateItem")
            if request.get("AttributeUpdates") is not None:
                legacy_updates = AttributeUpdates(request["AttributeUpdates"])
        raw_key = request.get("Key")
        if raw_key is None:
            raise null_member("key")
        key = table.validate_key(raw_key)
        upd_text = request.get("UpdateExpression")
        cond_text = request.get("ConditionExpression")
        ctx = expression_context(
            request,
            upd_text if upd_text is not None else cond_text,
            "UpdateExpression and ConditionExpression are null",
        )
        upd = cond = None
        if ctx is not None:
            if upd_text is not None:
                upd = ctx.update(upd_text)
            if cond_text is not None:
                cond = ctx.condition(cond_text)
            ctx.finish()
        if legacy_updates is not None:
            upd = legacy_updates  # type: ignore[assignment]  # same interface as Update
        if upd is not None:
            upd.check_key_attributes(table.key_names)
        rvoccf = self._rvoccf(request)
        key_id = table.key_id(key)
        enc = table.lookup(key_id)
        old = None if enc is None else decode(enc)
        if cond is not None and not cond.evaluate(old):
            raise self._condition_failed(old, rvoccf)
        if old is None and upd is not None and upd.removal_only:
            # Only REMOVE/DELETE actions: a missing item stays missing (ALT:test_item.py::
            # test_update_item_non_existent, test_update_expression.py::
            # test_nested_attribute_remove_from_missing_item).
            return WritePlan(table, key_id, key, None, None, False, 0, 0)
        source = old if old is not None else key
        new = upd.apply(source, table.key_names) if upd is not None else dict(source)
        size = self._check_new_item(table, new, update=True)
        plan = WritePlan(table, key_id, key, old, new, True, 0 if enc is None else enc[0], size)
        self._check_collection(table, plan)
        return plan

    def _plan_delete(self, table: Table, request: dict) -> WritePlan:
        """Validate a Delete and check its condition (deleting a missing item is allowed)."""
        if request.get("Expected") is not None or request.get("ConditionalOperator") is not None:
            request = rewrite_write(request, "DeleteItem")
        raw_key = request.get("Key")
        if raw_key is None:
            raise null_member("key")
        key = table.validate_key(raw_key)
        key_id, enc, old = self._checked_current(table, request, key, self._optional_condition(request))
        return WritePlan(table, key_id, key, old, None, True, 0 if enc is None else enc[0], 0)

    @staticmethod
    def _optional_condition(request: dict) -> Any:
        """The request's ConditionExpression, parsed and its placeholders checked; None if absent."""
        cond_text = request.get("ConditionExpression")
        ctx = expression_context(request, cond_text, "ConditionExpression is null")
        if ctx is None:
            return None
        cond = ctx.condition(cond_text)  # type: ignore[arg-type]
        ctx.finish()
        return cond

    def _checked_current(self, table: Table, request: dict, key: dict, cond: Any) -> tuple[Any, Any, Any]:
        """``(key_id, stored entry, decoded item)`` of the item at ``key``, after ``cond`` (if
        any) held for it; raises ConditionalCheckFailedException (with the item when
        ReturnValuesOnConditionCheckFailure asks) otherwise. Changes nothing."""
        rvoccf = self._rvoccf(request)
        key_id = table.key_id(key)
        enc = table.lookup(key_id)
        old = None if enc is None else decode(enc)
        if cond is not None and not cond.evaluate(old):
            raise self._condition_failed(old, rvoccf)
        return key_id, enc, old

    def _plan_condition_check(self, table: Table, request: dict) -> WritePlan:
        """Validate a ConditionCheck (ConditionExpression required) and evaluate it."""
        raw_key = request.get("Key")
        if raw_key is None:
            raise null_member("key")
        key = table.validate_key(raw_key)
        cond_text = request.get("ConditionExpression")
        if cond_text is None:
            raise null_member("conditionExpression")
        ctx = ExpressionContext(
            request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
        )
        cond = ctx.condition(cond_text)
        ctx.finish()
        key_id, enc, old = self._checked_current(table, request, key, cond)
        size = 0 if enc is None else enc[0]
        return WritePlan(table, key_id, key, old, old, False, size, size)

    def _write_response(self, request: dict, table: Table, plan: WritePlan, attributes: dict | None
    ) -> dict:
        out: dict[str, Any] = {}
        if attributes:
            out["Attributes"] = attributes
        mode = request.get("ReturnConsumedCapacity")
        if mode is not None and mode != "NONE":
            out["ConsumedCapacity"] = write_consumed(
                mode, table, plan.old_item, plan.new_item, plan.old_size, plan.new_size
            )
        if table.lsis:
            icm = self._item_collection_metrics(request, table, plan.key)
            if icm is not None:
                out["ItemCollectionMetrics"] = icm
        return out

    def _plan_charged(self, table: Table, request: dict, planner: Any, op: str) -> WritePlan:
        """Plan an Update/Delete and charge its capacity on a tracked table (a failed condition
        is charged too; a throttle is raised before anything changes)."""
        tp = table.throughput
        if tp is None:
            return planner(table, request)  # type: ignore[no-any-return]
        try:
            plan = planner(table, request)
        except ConditionalCheckFailedException:
            tp.failed_condition(table, table.key_id(table.validate_key(request["Key"])), op)
            raise
        tp.write(plan, op)
        return plan  # type: ignore[no-any-return]

    # -- operations -----------------------------------------------------------------------
    @operation("PutItem")
    def put_item(self, request: dict) -> dict:
        """PutItem: create or replace one item (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).

        Fast path: ``TableName`` + ``Item`` only, on a table without LSIs, for an item whose
        values are already canonical (see :mod:`.fastpath`); anything else, and every error, takes
        the general path, so behaviour is identical.
        """
        if len(request) == 2:
            item = request.get("Item")
            enc = encode_new_item(item)
            if enc is not None and self._put_encoded(request.get("TableName"), item, enc):  # type: ignore[arg-type]
                return {}
        table = self._data_table(request)
        rv = self._check_write_options(request, ("ALL_OLD",))
        check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        tp = table.throughput
        if tp is None:
            plan = self._plan_put(table, request)
        else:
            try:
                plan = self._plan_put(table, request)
            except ConditionalCheckFailedException:
                item = validate_item(request["Item"])
                tp.failed_condition(table, table.key_id(table.key_from_item(item)), "PutItem")
                raise
            tp.write(plan, "PutItem")
        table.commit(plan)
        old = plan.old_item
        return self._write_response(
            request, table, plan, copy_item(old) if rv == "ALL_OLD" and old else None
        )

    def _put_encoded(self, name: Any, item: dict, enc: tuple) -> bool:
        """PutItem's fast path for an item already encoded (by :func:`.fastpath.encode_new_item`
        or :func:`.fastpath.encode_plain_item`): True when done, False when the request must
        take the general path (which then raises AWS's error, if any)."""
        table = self.tables.get(name)
        if table is None or table.status not in _DATA_OK or table.lsis:
            return False
        key_id = table.fast_item_key(item)
        if key_id is None:
            return False
        if table.gsis:
            for index in table.gsis.values():
                index.check_item(item)
        if enc[0] > MAX_ITEM_BYTES:
            raise ValidationException("Item size has exceeded the maximum allowed size")
        if table.range_key is None:
            pk, sk = key_id, None
        else:
            pk, sk = key_id
            if table.range_type == "N":
                sk = _decimal(sk)
        tp = table.throughput
        if tp is not None:
            tp.put_fast(table, pk, sk, item, enc)
        else:
            table.put_encoded(pk, sk, item, enc)
        return True

    def _put_plain(self, name: Any, values: dict) -> bool:
        """``NativeTable.put``'s fast path: :meth:`_put_encoded` for a native item of plain
        values (:func:`.fastpath.encode_plain`), without building its attribute values unless
        an index needs them. True when done, False when the item must take the general path.

        On a tracked table whose key is one S attribute, without indexes (the common case):
        :func:`.fastpath.encode_plain` inlined here, reading the hash key on the way (the checks
        of ``table.fast_plain_key``), then ``TableThroughput.put_plain``; anything else takes
        :meth:`_put_plain_general` (the route before). Pinned equal to it by
        tests/dynamodb/test_put_plain_inline.py.
        """
        table = self.tables.get(name)
        if table is None:
            return False
        hk = table.plain_hash_s
        tp = table.throughput
        if (
            hk is None
            or tp is None
            or type(values) is not dict
            or table.status not in _DATA_OK
            or table.lsis
            or table.gsis
        ):
            return self._put_plain_general(name, table, values)
        # ``encode_plain(values)`` inlined (same checks, same stored tuple), the key value kept.
        out: list[Any] = [0]
        size = 0
        names = _NAME_SIZE
        key_id: Any = None
        for attr, v in values.items():
            if type(attr) is not str:
                return False
            n = names.get(attr)
            if n is None:
                n = _name_size(attr)
                if n is None:
                    return False
            t = type(v)
            if t is str:
                if v.isascii():
                    size += len(v) + n
                    if attr == hk:
                        key_id = v if len(v) <= _MAX_PK else None
                else:
                    try:
                        b = len(v.encode("utf-8"))
                    except UnicodeEncodeError:
                        return False
                    size += b + n
                    if attr == hk:
                        key_id = v if b <= _MAX_PK else None
                out += (attr, "S", v)
            elif t is int and v >= 0:
                if v < 1024:
                    size += _INT_SIZE[v] + n
                    v = _INT_TEXT[v]
                else:
                    v = str(v)
                    if len(v) > 38:
                        return False
                    size += (len(v.rstrip("0")) + 1) // 2 + 1 + n
                out += (attr, "N", v)
            else:
                return False
        if not key_id:  # missing, not a string, empty or too long: the general path says why
            return False
        if size > MAX_ITEM_BYTES:
            raise ValidationException("Item size has exceeded the maximum allowed size")
        out[0] = size
        tp.put_plain(table, key_id, tuple(out))  # = ``put_fast(table, key_id, None, None, enc)``
        return True

    def _put_plain_general(self, name: Any, table: Table, values: Any) -> bool:
        """:meth:`_put_plain` on any table (``tables[name]``): with indexes, a sort key, another
        key type, untracked, or not ACTIVE/UPDATING (then False)."""
        enc = encode_plain(values)
        if enc is None:
            return False
        if table.status not in _DATA_OK or table.lsis:
            return False
        if table.gsis:
            return self._put_encoded(name, decode(enc), enc)
        # ``_put_encoded`` without indexes, the key read from the plain values: the common case
        # of ``table.fast_plain_key`` (an ASCII string hash key) inlined, the closure otherwise.
        key_id: Any = values.get(table.hash_key)
        if (
            table.range_key is not None
            or table.hash_type != "S"
            or type(key_id) is not str
            or not key_id
            or not key_id.isascii()
            or len(key_id) > _MAX_PK
        ):
            key_id = table.fast_plain_key(values)
            if key_id is None:
                return False
        if enc[0] > MAX_ITEM_BYTES:
            raise ValidationException("Item size has exceeded the maximum allowed size")
        tp = table.throughput
        if table.range_key is None:
            if tp is not None:
                tp.put_plain(table, key_id, enc)  # = ``put_fast(table, key_id, None, None, enc)``
            else:
                table.put_encoded(key_id, None, None, enc)
            return True
        pk, sk = key_id
        if table.range_type == "N":
            sk = _decimal(sk)
        if tp is not None:
            tp.put_fast(table, pk, sk, None, enc)
        else:
            table.put_encoded(pk, sk, None, enc)
        return True

    @operation("UpdateItem")
    def update_item(self, request: dict) -> dict:
        """UpdateItem: edit (or create) one item (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html)."""
        table = self._data_table(request)
        rv = self._check_write_options(request, _RETURN_VALUES)
        check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        plan = self._plan_charged(table, request, self._plan_update, "UpdateItem")
        table.commit(plan)
        attributes = None
        old, new = plan.old_item, plan.new_item
        if rv == "ALL_OLD":
            attributes = copy_item(old) if old else None
        elif rv == "ALL_NEW":
            attributes = copy_item(new) if new else None
        elif rv in ("UPDATED_OLD", "UPDATED_NEW"):
            text = request.get("UpdateExpression")
            if request.get("AttributeUpdates") is not None:
                proj = AttributeUpdates(request["AttributeUpdates"]).updated_paths_projection()
                source = old if rv == "UPDATED_OLD" else new
                attributes = copy_item(proj.apply(source)) if source else None
            elif text is not None:
                ctx = ExpressionContext(
                    request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
                )
                proj = ctx.update(text).updated_paths_projection()
                source = old if rv == "UPDATED_OLD" else new
                attributes = copy_item(proj.apply(source)) if source else None
        return self._write_response(request, table, plan, attributes)

    @operation("DeleteItem")
    def delete_item(self, request: dict) -> dict:
        """DeleteItem (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html)."""
        table = self._data_table(request)
        rv = self._check_write_options(request, ("ALL_OLD",))
        check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        plan = self._plan_charged(table, request, self._plan_delete, "DeleteItem")
        table.commit(plan)
        old = plan.old_item
        return self._write_response(
            request, table, plan, copy_item(old) if rv == "ALL_OLD" and old else None
        )

    @operation("GetItem")
    def get_item(self, request: dict) -> dict:
        """GetItem (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html).

        Fast path: ``TableName`` + ``Key`` (+ a bool ``ConsistentRead``) of a plain key.
        """
        table = self.tables.get(request.get("TableName"))  # type: ignore[arg-type]
        if table is not None and table.status in _DATA_OK:
            n = len(request)
            if n == 2 or (n == 3 and type(request.get("ConsistentRead")) is bool):
                # Any, not Optional: fast_get answers SLOW for a missing or malformed Key.
                key: Any = request.get("Key")
                enc = table.fast_get(key)
                if enc is not SLOW:
                    tp = table.throughput
                    if tp is not None:
                        # 4 KB per unit, strongly consistent = 2 half units, eventual = 1.
                        blocks = 1 if enc is None else (-(-enc[0] // 4096) or 1)
                        half = blocks * 2 if request.get("ConsistentRead") else blocks
                        pk = key[table.hash_key][table.hash_type]
                        tp.admit_one(tp.base, False, pk, half * 1_000_000, "GetItem")
                    if enc is None:
                        return {}
                    return {"Item": decode(enc)}
        return self._get_item(request)

    def _get_item(self, request: dict) -> dict:
        table = self._data_table(request)
        raw_key = request.get("Key")
        if raw_key is None:
            raise null_member("key")
        mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        consistent = request.get("ConsistentRead", False)
        if consistent is not None and type(consistent) is not bool:
            raise ValidationException(f"Invalid type for parameter ConsistentRead, value: {consistent}")
        wanted = None
        if request.get("AttributesToGet") is not None:
            check_mixing(request, "GetItem")
            wanted = check_attributes_to_get(request["AttributesToGet"])
        key = table.validate_key(raw_key)
        text = request.get("ProjectionExpression")
        ctx = expression_context(request, text, "ProjectionExpression is null")
        proj = None
        if ctx is not None:
            proj = ctx.projection(text)  # type: ignore[arg-type]
            ctx.finish()
        key_id = table.key_id(key)
        enc = table.lookup(key_id)
        tp = table.throughput
        if tp is not None:
            tp.read(
                None,
                key_id if table.range_key is None else key_id[0],
                read_units(0 if enc is None else enc[0], bool(consistent)),
                "GetItem",
            )
        out: dict[str, Any] = {}
        if enc is not None:
            item = decode(enc)
            if proj is not None:
                item = proj.apply(item)
            elif wanted is not None:
                item = {k: v for k, v in item.items() if k in wanted}
            out["Item"] = item
        if mode != "NONE":
            from .capacity import consumed

            units = read_units(0 if enc is None else enc[0], bool(consistent))
            out["ConsumedCapacity"] = consumed(mode, table.name, units)
        return out
