"""TransactWriteItems and TransactGetItems: all-or-nothing groups of item operations.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html):

* TransactWriteItems takes 1-100 actions, each exactly one of ``Put``, ``Update``, ``Delete``,
  ``ConditionCheck`` ("TransactItems can only contain one of Check, Put, Update or Delete"),
  on distinct items ("Transaction request cannot include multiple operations on one item"),
  with a request payload of at most 4 MB (the *request*: deleting 5 MB of items in one small
  transaction is allowed, putting 5 MB is not).
* All or nothing: every action is planned (validated, condition evaluated) against the same
  state before anything is written; only if all plans stand are they committed, together, so no
  reader between two calls sees part of a transaction.
* Errors, in the order they are found:
  request shape, an expression's syntax or placeholders, the 4 MB payload, the duplicate-item
  rule -> ``ValidationException`` for the whole request; a missing table ->
  ``ResourceNotFoundException``; a *data* error in one action (a key of the wrong type, an
  invalid attribute value, an item over 400 KB, an update that fails on the stored item's types)
  -> ``TransactionCanceledException`` whose reason for that action is ``ValidationError`` and
  ``None`` for every other action (validation stops at the first such error and no condition is
  reported); failed conditions -> ``TransactionCanceledException`` with one
  ``ConditionalCheckFailed`` reason per failed action ("The conditional request failed", plus the
  current ``Item`` when ``ReturnValuesOnConditionCheckFailure=ALL_OLD``) and ``{"Code":
  "None"}`` (no message) for the others, in request order; an LSI item collection over 10 GB ->
  reason ``ItemCollectionSizeLimitExceeded``.
* ``ClientRequestToken`` (1-36 characters) makes the call idempotent for 10 minutes of virtual
  time after the first successful call finished: an identical replay succeeds without writing
  (its ``ConsumedCapacity`` reports read units, one strongly consistent read of each item as it
  is now), the same token with different parameters raises
  ``IdempotentParameterMismatchException``. After 10 minutes the token is new again.
* Capacity: every item is read or written twice (prepare and commit): 2 write units per KB of
  the larger of the old and new item for Put/Update/Delete, and for ConditionCheck of the checked
  item, 2 read units per 4 KB for each Get, each item rounded up separately; index write
  amplification doubles too. ``ReturnItemCollectionMetrics=SIZE`` reports each item collection
  written in a table with a local secondary index.
* TransactGetItems takes 1-100 ``Get`` actions (tables only, never indexes) with optional
  ``ProjectionExpression``; it returns one response per action in request order, ``{}`` for an
  item that does not exist; at most 4 MB of items.

Evidence for messages and error classes: ScyllaDB Alternator's ``test_transact.py`` (run against
DynamoDB) and the AWS re:Post article on TransactWriteItems failures.

Deviations: the simulator runs one call at a time, so ``TransactionConflictException``,
``TransactionInProgressException`` and the ``TransactionConflict`` reason never arise. AWS does
not document the wording of the 4 MB errors; ours says what happened. A replay compares every
parameter except ``ReturnConsumedCapacity`` (AWS does not say which parameters count). A token
is remembered only for transactions that succeeded, so a canceled transaction can be retried
with its token. What a replay reports as read units is not documented; we charge one strongly
consistent read of each item touched.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import US_PER_SECOND
from ..kernel.service import operation
from .batch import (
    Usage,
    check_return_item_collection_metrics,
    loose_size,
    project,
    read_projection,
)
from .capacity import check_return_consumed_capacity, consumed, read_units
from .errors import (
    ConditionalCheckFailedException,
    IdempotentParameterMismatchException,
    ItemCollectionSizeLimitExceededException,
    TransactionCanceledException,
    ValidationException,
)
from .items import enum_error, expression_context, null_member
from .table import decode

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .table import Table, WritePlan

#: Actions per transaction.
MAX_TRANSACT_ITEMS = 100
#: Bytes of a TransactWriteItems request payload, and of a TransactGetItems response.
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
#: How long a ClientRequestToken is remembered after its transaction finished.
IDEMPOTENCY_WINDOW_US = 10 * 60 * US_PER_SECOND
MAX_TOKEN_LENGTH = 36

_ACTIONS = ("ConditionCheck", "Put", "Delete", "Update")
#: Required members of each action, with AWS's field names in validation messages.
_REQUIRED = {
    "ConditionCheck": (("Key", "key"), ("TableName", "tableName"), ("ConditionExpression", "conditionExpression")),
    "Put": (("Item", "item"), ("TableName", "tableName")),
    "Delete": (("Key", "key"), ("TableName", "tableName")),
    "Update": (("Key", "key"), ("UpdateExpression", "updateExpression"), ("TableName", "tableName")),
}
_MEMBER = {"ConditionCheck": "conditionCheck", "Put": "put", "Delete": "delete", "Update": "update"}
_MULTIPLE = "Transaction request cannot include multiple operations on one item"
_NONE = {"Code": "None"}


@attrs.frozen
class _Token:
    """A remembered ClientRequestToken: what the request was, and when it finished."""

    fingerprint: Any
    finished_us: int
    #: (table, key id) of every action, to report the read units of a replay.
    targets: tuple


def _fingerprint(value: Any) -> Any:
    """A hashable, order-insensitive (for maps) canonical form of request parameters."""
    if isinstance(value, dict):
        return ("M", tuple(sorted((k, _fingerprint(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("L", tuple(_fingerprint(v) for v in value))
    if isinstance(value, (bytes, bytearray)):
        return ("B", bytes(value))
    return (type(value).__name__, value)


def _check_transact_items(value: Any) -> list:
    if value is None:
        raise null_member("transactItems")
    if not isinstance(value, list):
        raise ValidationException("TransactItems must be a list")
    if not value:
        raise ValidationException(
            "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    if len(value) > MAX_TRANSACT_ITEMS:
        raise ValidationException(
            f"1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_TRANSACT_ITEMS}"
        )
    return value


def _reasons(count: int, index: int, reason: dict) -> list[dict]:
    """``None`` for every action but ``index``."""
    out = [dict(_NONE) for _ in range(count)]
    out[index] = reason
    return out


class TransactionOps:
    """Wire operations TransactWriteItems and TransactGetItems (a mixin of
    :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        def _item_collection_metrics(self, request: dict, table: Table, key: dict) -> dict | None: ...
        def _plan_condition_check(self, table: Table, request: dict) -> WritePlan: ...
        def _plan_delete(self, table: Table, request: dict) -> WritePlan: ...
        def _plan_put(self, table: Table, request: dict) -> WritePlan: ...
        def _plan_update(self, table: Table, request: dict) -> WritePlan: ...
        def get_table(self, name: Any) -> Table: ...

    # -- idempotency ----------------------------------------------------------------------
    def _transaction_tokens(self) -> "OrderedDict[str, _Token]":
        """Tokens of finished transactions, oldest first (created on first use)."""
        tokens: OrderedDict[str, _Token] | None = self.__dict__.get("_tokens")
        if tokens is None:
            tokens = self.__dict__["_tokens"] = OrderedDict()
        now = self.cloud.now_us
        while tokens:
            oldest = next(iter(tokens.values()))
            if now - oldest.finished_us <= IDEMPOTENCY_WINDOW_US:
                break
            tokens.popitem(last=False)
        return tokens

    # -- TransactWriteItems ---------------------------------------------------------------
    @operation("TransactWriteItems")
    def transact_write_items(self, request: dict) -> dict:
        """TransactWriteItems: up to 100 writes and checks, all or nothing (see the module
        docstring). O(k) for k actions, each as its single-item operation."""
        mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        metrics_mode = check_return_item_collection_metrics(request.get("ReturnItemCollectionMetrics"))
        entries = _check_transact_items(request.get("TransactItems"))
        token = request.get("ClientRequestToken")
        fingerprint = None
        if token is not None:
            if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN_LENGTH:
                constraint = (
                    f"Member must have length less than or equal to {MAX_TOKEN_LENGTH}"
                    if isinstance(token, str) and token
                    else "Member must have length greater than or equal to 1"
                )
                raise ValidationException(
                    f"1 validation error detected: Value '{token}' at 'clientRequestToken' "
                    f"failed to satisfy constraint: {constraint}"
                )
            fingerprint = _fingerprint(
                {k: v for k, v in request.items() if k not in ("ClientRequestToken", "ReturnConsumedCapacity")}
            )
            seen = self._transaction_tokens().get(token)
            if seen is not None:
                if seen.fingerprint != fingerprint:
                    raise IdempotentParameterMismatchException()
                return self._replay_response(mode, seen)

        # 1. Shape, tables and expressions: errors here reject the whole request.
        actions: list[tuple[str, dict, "Table"]] = []
        payload = 0
        for position, entry in enumerate(entries, 1):
            kinds = [k for k in _ACTIONS if isinstance(entry, dict) and entry.get(k) is not None]
            if len(kinds) != 1 or len(entry) != 1:
                raise ValidationException(
                    "TransactItems can only contain one of Check, Put, Update or Delete"
                    if kinds
                    else "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
                )
            kind = kinds[0]
            part = entry[kind]
            if not isinstance(part, dict):
                raise ValidationException(f"{kind} must be a structure")
            where = f"transactItems.{position}.member.{_MEMBER[kind]}"
            for member, field in _REQUIRED[kind]:
                if part.get(member) is None:
                    raise null_member(f"{where}.{field}")
            subject = "Item" if kind == "Put" else "Key"
            if not isinstance(part[subject], dict):
                raise ValidationException(f"{kind}.{subject} must be a map of attribute values")
            rvoccf = part.get("ReturnValuesOnConditionCheckFailure")
            if rvoccf is not None and rvoccf not in ("ALL_OLD", "NONE"):
                raise enum_error(rvoccf, f"{where}.returnValuesOnConditionCheckFailure", ("ALL_OLD", "NONE"))
            table = self.get_table(part["TableName"])
            _check_expressions(kind, part, table)
            actions.append((kind, part, table))
            payload += loose_size(part[subject])
            values = part.get("ExpressionAttributeValues")
            if isinstance(values, dict):
                payload += loose_size(values)
        if payload > MAX_TRANSACTION_BYTES:
            raise ValidationException("Transaction payload size cannot exceed 4 MB")

        # 2. Keys: a data error cancels the transaction; two actions on one item reject it.
        count = len(actions)
        targets: set[tuple[str, Any]] = set()
        for index, (kind, part, table) in enumerate(actions):
            try:
                key = table.key_from_item(part["Item"]) if kind == "Put" else table.validate_key(part["Key"])
            except ValidationException as err:
                raise TransactionCanceledException.from_reasons(
                    _reasons(count, index, {"Code": "ValidationError", "Message": err.message})
                ) from None
            target = (table.name, table.key_id(key))
            if target in targets:
                raise ValidationException(_MULTIPLE)
            targets.add(target)

        # 3. Plan every action against the same state; nothing is written yet.
        plans: list["WritePlan"] = []
        reasons: list[dict] = []
        failed = False
        for index, (kind, part, table) in enumerate(actions):
            try:
                plan = self._plan_action(kind, table, part)
            except ConditionalCheckFailedException as err:
                failed = True
                reason = {"Code": "ConditionalCheckFailed", "Message": err.message}
                if "Item" in err.extra:
                    reason["Item"] = err.extra["Item"]
                reasons.append(reason)
                continue
            except ItemCollectionSizeLimitExceededException as err:
                failed = True
                reasons.append({"Code": "ItemCollectionSizeLimitExceeded", "Message": err.message})
                continue
            except ValidationException as err:
                raise TransactionCanceledException.from_reasons(
                    _reasons(count, index, {"Code": "ValidationError", "Message": err.message})
                ) from None
            plans.append(plan)
            reasons.append(dict(_NONE))
        if failed:
            raise TransactionCanceledException.from_reasons(reasons)
        self._charge_transaction(plans, reasons)

        # 4. Commit them all.
        usage: dict[str, Usage] = {}
        metrics: dict[str, list[dict]] = {}
        for plan in plans:
            table = plan.table
            table.commit(plan)
            u = usage.get(table.name)
            if u is None:
                u = usage[table.name] = Usage(table)
            u.add_write(plan, transactional=True)
            if metrics_mode == "SIZE" and plan.write and table.lsis:
                icm = self._item_collection_metrics({"ReturnItemCollectionMetrics": "SIZE"}, table, plan.key)
                if icm is not None:
                    metrics.setdefault(table.name, []).append(icm)
        if token is not None:
            tokens = self._transaction_tokens()
            tokens.pop(token, None)
            tokens[token] = _Token(
                fingerprint, self.cloud.now_us, tuple((p.table, p.key_id) for p in plans)
            )
        response: dict[str, Any] = {}
        if mode != "NONE":
            response["ConsumedCapacity"] = [u.shape(mode) for u in usage.values()]
        if metrics_mode == "SIZE":
            response["ItemCollectionMetrics"] = metrics
        return response

    def _charge_transaction(self, plans: list, reasons: list[dict]) -> None:
        """Admit every action's (doubled) units on tracked tables, or cancel the transaction
        with a ``ProvisionedThroughputExceeded`` (on-demand: ``ThrottlingError``) reason at each
        throttled action (API:TransactionCanceledException). Nothing is consumed on cancel."""
        charged = []
        throttled = False
        for i, plan in enumerate(plans):
            tp = plan.table.throughput
            if tp is None:
                continue
            charges = tp.write_charges(plan, transactional=True)
            if not plan.write:  # ConditionCheck: charged as a (transactional) write of the item
                charges = charges[:1]
            err = tp.admit(charges, "TransactWriteItems")
            if err is not None:
                throttled = True
                code = (
                    "ProvisionedThroughputExceeded"
                    if err.code == "ProvisionedThroughputExceededException"  # type: ignore[attr-defined]
                    else "ThrottlingError"
                )
                reasons[i] = {"Code": code, "Message": err.message}  # type: ignore[attr-defined]
            else:
                charged.append((tp, charges))
        if throttled:
            for tp, charges in charged:  # give back what the admitted actions took
                tp.refund(charges)
            raise TransactionCanceledException.from_reasons(reasons)

    def _plan_action(self, kind: str, table: "Table", part: dict) -> "WritePlan":
        if kind == "Put":
            return self._plan_put(table, part)
        if kind == "Update":
            return self._plan_update(table, part)
        if kind == "Delete":
            return self._plan_delete(table, part)
        return self._plan_condition_check(table, part)

    def _replay_response(self, mode: str, token: _Token) -> dict:
        """What a replay within the idempotency window returns: success, and read units."""
        response: dict[str, Any] = {}
        if mode != "NONE":
            units: dict[str, float] = {}
            for table, key_id in token.targets:
                enc = table.lookup(key_id)
                size = 0 if enc is None else enc[0]
                units[table.name] = units.get(table.name, 0.0) + read_units(size, True)
            response["ConsumedCapacity"] = [
                consumed(mode, name, total) for name, total in units.items()
            ]
        return response

    # -- TransactGetItems -----------------------------------------------------------------
    @operation("TransactGetItems")
    def transact_get_items(self, request: dict) -> dict:
        """TransactGetItems: up to 100 consistent reads as of one instant (see the module
        docstring). O(k) for k gets, plus projections."""
        mode = check_return_consumed_capacity(request.get("ReturnConsumedCapacity"))
        entries = _check_transact_items(request.get("TransactItems"))
        gets = []
        for position, entry in enumerate(entries, 1):
            part = entry.get("Get") if isinstance(entry, dict) else None
            if part is None or len(entry) != 1:
                raise null_member(f"transactItems.{position}.member.get")
            if not isinstance(part, dict):
                raise ValidationException("Get must be a structure")
            where = f"transactItems.{position}.member.get"
            for member, field in (("Key", "key"), ("TableName", "tableName")):
                if part.get(member) is None:
                    raise null_member(f"{where}.{field}")
            if part.get("AttributesToGet") is not None:
                raise ValidationException("AttributesToGet is not a member of Get; use ProjectionExpression")
            table = self.get_table(part["TableName"])
            projection, _ = read_projection(part)
            gets.append((part, table, projection))

        count = len(gets)
        key_ids = []
        targets: set[tuple[str, Any]] = set()
        for index, (part, table, _projection) in enumerate(gets):
            try:
                key_id = table.key_id(table.validate_key(part["Key"]))
            except ValidationException as err:
                raise TransactionCanceledException.from_reasons(
                    _reasons(count, index, {"Code": "ValidationError", "Message": err.message})
                ) from None
            if (table.name, key_id) in targets:
                raise ValidationException(_MULTIPLE)
            targets.add((table.name, key_id))
            key_ids.append(key_id)

        responses: list[dict] = []
        units: dict[str, float] = {}
        total = 0
        charged: list[tuple[Any, list]] = []
        throttled: list[tuple[int, Exception]] = []
        for (part, table, projection), key_id in zip(gets, key_ids):
            enc = table.lookup(key_id)
            size = 0 if enc is None else enc[0]
            total += size
            if total > MAX_TRANSACTION_BYTES:
                raise ValidationException(
                    "Total size of the items read by the transaction exceeds 4 MB"
                )
            units[table.name] = units.get(table.name, 0.0) + read_units(size, True, transactional=True)
            tp = table.throughput
            if tp is not None:
                pk = key_id if table.range_key is None else key_id[0]
                charges = tp.read_charge(None, pk, read_units(size, True, transactional=True))
                throttle = tp.admit(charges, "TransactGetItems")
                if throttle is None:
                    charged.append((tp, charges))
                else:
                    throttled.append((len(responses), throttle))
            responses.append({} if enc is None else {"Item": project(decode(enc), projection, None)})
        if throttled:
            for tp, charges in charged:
                tp.refund(charges)
            reasons = [dict(_NONE) for _ in responses]
            for i, throttle in throttled:
                code = (
                    "ProvisionedThroughputExceeded"
                    if throttle.code == "ProvisionedThroughputExceededException"  # type: ignore[attr-defined]
                    else "ThrottlingError"
                )
                reasons[i] = {"Code": code, "Message": throttle.message}  # type: ignore[attr-defined]
            raise TransactionCanceledException.from_reasons(reasons)
        response: dict[str, Any] = {"Responses": responses}
        if mode != "NONE":
            response["ConsumedCapacity"] = [consumed(mode, name, u) for name, u in units.items()]
        return response


def _check_expressions(kind: str, part: dict, table: "Table") -> None:
    """Parse and bind an action's expressions with its placeholders, so that syntax errors,
    undefined or unused placeholders and updates of key attributes reject the whole request
    (as AWS does) before any item is looked at."""
    cond_text = part.get("ConditionExpression")
    if kind == "Update":
        upd_text = part.get("UpdateExpression")
        ctx = expression_context(part, upd_text, "UpdateExpression and ConditionExpression are null")
        assert ctx is not None
        upd = ctx.update(upd_text)  # type: ignore[arg-type]
        if cond_text is not None:
            ctx.condition(cond_text)
        ctx.finish()
        upd.check_key_attributes(table.key_names)
        return
    ctx = expression_context(part, cond_text, "ConditionExpression is null")
    if ctx is not None:
        ctx.condition(cond_text)  # type: ignore[arg-type]
        ctx.finish()
