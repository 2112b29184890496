"""Time to Live: UpdateTimeToLive, DescribeTimeToLive and the background sweeper.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html,
howitworks-ttl.html, time-to-live-ttl-before-you-start.html, time-to-live-ttl-streams.html and
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html):

* one TTL attribute per table, a name of 1-255 characters; its value must be a *top-level* N
  holding epoch **seconds**; any other type (S, a nested number, a list...) is ignored;
* an item is expired once ``now > value``, unless the value is more than **5 years** in the past
  (then it is ignored as malformed, and the item is never deleted);
* expired items are deleted in the background, "typically within 48 hours" (DG) / "within two
  days" (API reference, current). Until then they are still returned by GetItem, Query and Scan
  and can be updated (removing or moving the TTL value saves them);
* a TTL deletion goes through the ordinary commit path: it is removed from LSIs and GSIs like a
  DeleteItem, consumes **no** capacity, and writes a REMOVE stream record whose ``userIdentity`` is
  ``{"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}`` (GetRecords' member names;
  a Lambda event spells them ``type``/``principalId``). On a global table only the replica where
  the deletion happened marks it so; other replicas see an ordinary delete;
* UpdateTimeToLive: one enable or disable per table per hour (DG:ServiceQuotas); another within
  the hour raises ``ValidationException("Time to live has been modified multiple times within a
  fixed interval")``. Enabling an enabled table raises "TimeToLive is already enabled", disabling a
  disabled one "TimeToLive is already disabled", naming another attribute "TimeToLive is active
  on a different AttributeName: current AttributeName is <name>" (AWS's wording as observed);
* metric ``TimeToLiveDeletedItemCount`` (AWS/DynamoDB, dimension TableName), one sample per item.

Modelling choices (see docs/dynamodb-time.md):

* **deletion delay**: each expiry value gets a delay drawn from the table's random stream
  (``dynamodb/ttl/<table>``) by :attr:`DynamoDBConfig.ttl_delete_delay
  <serverless_sim.dynamodb.service.DynamoDBConfig.ttl_delete_delay>`: a number of seconds, a
  ``(low, high)`` uniform range, or a callable ``rng -> seconds``. Default ``(300, 172800)``:
  uniformly between 5 minutes and 48 hours. ``0`` deletes right after expiry (tests);
* **status**: ENABLING -> ENABLED (DISABLING -> DISABLED) after ``ttl_update_delay`` seconds
  (default 0: AWS answers DescribeTimeToLive with ENABLED straight after the update, as the
  ScyllaDB Alternator tests run against DynamoDB observe). Deletions happen only while ENABLED.

Cost: an expiry index (a dict ``key -> (due, expiry)`` plus a lazily-cleaned heap of due times)
is maintained by a change hook, O(log n) per write that has or had a TTL value, and nothing at
all when TTL is disabled (no hook is registered). One daemon event is scheduled at the earliest
due time, so a sweep costs O(log n) per deleted item, never a table scan (the scan happens once,
when TTL is enabled, to index the items already there).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any, Callable, cast

from ..kernel.service import operation
from .errors import ResourceInUseException, ValidationException
from .table import Table, WritePlan, decode

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import DynamoDB, DynamoDBConfig

US = 1_000_000
#: DG:ServiceQuotas: "UpdateTimeToLive ... one per hour".
UPDATE_INTERVAL_US = 3600 * US
#: DG:howitworks-ttl: values more than five years in the past are ignored (5 x 365 days here).
FIVE_YEARS_US = 5 * 365 * 86_400 * US
#: The default deletion delay: uniform between 5 minutes and 48 hours after expiry.
DEFAULT_DELETE_DELAY = (300.0, 48 * 3600.0)
#: What GetRecords reports as the ``userIdentity`` of a TTL deletion.
SERVICE_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}

DelayModel = float | int | tuple[float, float] | Callable[[Any], float]


def expiry_us(enc: tuple | None, name: str) -> int | None:
    """The TTL value of a stored item in epoch microseconds, or None if it has none (or one of
    another type than N). O(attributes), in C for the common case."""
    if enc is None:
        return None
    try:
        i = enc.index(name, 1)
    except ValueError:
        return None
    if i % 3 != 1:  # the name also occurs as a value: find it among the names
        for i in range(1, len(enc), 3):
            if enc[i] == name:
                break
        else:
            return None
    if enc[i + 1] != "N":
        return None
    v = enc[i + 2]
    if v.isdigit():
        return int(v) * US
    try:
        return int(Decimal(v) * US)
    except (InvalidOperation, ValueError, OverflowError):  # pragma: no cover
        return None


def delay_drawer(model: DelayModel) -> Callable[[Any], int]:
    """A function ``rng -> microseconds`` for a delay model: seconds, a ``(low, high)`` uniform
    range, or ``rng -> seconds``. (Built once per model: this runs on every TTL write.)"""
    if callable(model):
        return lambda rng: max(0, round(float(model(rng)) * US))  # type: ignore[operator]
    if isinstance(model, tuple):
        lo, hi = model
        if lo == hi:
            fixed = max(0, round(lo * US))
            return lambda rng: fixed
        lo_us = lo * US
        span_us = (hi - lo) * US
        return lambda rng: int(lo_us + span_us * rng.random())
    fixed_us = max(0, round(float(model) * US))
    return lambda rng: fixed_us


def draw_delay_us(model: DelayModel, rng: Any) -> int:
    """Microseconds from a delay model: seconds, a ``(low, high)`` range, or ``rng -> seconds``."""
    return delay_drawer(model)(rng)


class TableTTL:
    """The TTL state of one table: its attribute, status and expiry index.

    The index is a dict ``key -> (due_us, expiry_us)`` (the truth) plus a heap of
    ``(due_us, key)`` entries with lazy deletion: an entry whose key no longer maps to that
    due time is skipped when it reaches the top. The heap is rebuilt from the dict when stale
    entries outnumber live ones, so memory stays O(items with a TTL value).
    """

    __slots__ = (
        "service", "table", "attribute", "status", "heap", "due", "handle", "handle_us", "rng",
        "ranged", "clock", "model", "draw",
    )

    def __init__(self, service: "DynamoDB", table: Table, attribute: str, status: str) -> None:
        self.service = service
        self.table = table
        self.attribute = attribute
        self.status = status
        #: (due_us, key) for every item with a TTL value (and stale ones); key = pk or (pk, sk).
        self.heap: list[tuple[int, Any]] = []
        #: key -> (due_us, expiry_us): the live entries.
        self.due: dict[Any, tuple[int, int]] = {}
        self.handle: Any = None
        self.handle_us: int | None = None
        self.rng = service.cloud.rng(f"dynamodb/ttl/{table.name}")
        self.ranged = table.range_key is not None
        self.clock = service.cloud.clock
        self.model: Any = None
        self.draw: Callable[[Any], int] = delay_drawer(0)

    def __repr__(self) -> str:
        return f"<TableTTL {self.table.name!r} {self.attribute!r} {self.status} indexed={len(self.due)}>"

    # -- the index ------------------------------------------------------------------------
    def build(self) -> None:
        """Index the items already in the table (once, when TTL is enabled). O(n log n)."""
        # Walk the storage maps directly: Store.scan() would build (and from then on maintain)
        # the scan-order index, a cost the table would pay on every write.
        store = self.table.store
        hook = self.hook
        for pk, entry in list(store.data.items()):
            if not store.ranged:
                hook(pk, None, None, entry)
            elif entry.big is not None:
                for sk, enc in list(entry.big.items()):
                    hook(pk, sk, None, enc)
            else:
                for sk, enc in list(zip(entry.keys, entry.vals)):
                    hook(pk, sk, None, enc)

    def hook(self, pk: Any, sk: Any, old: tuple | None, new: tuple | None) -> None:
        """The change hook: keep the expiry index in step with the table. O(log n)."""
        key = (pk, sk) if self.ranged else pk
        exp = None
        if new is not None:
            attr = self.attribute
            try:
                i = new.index(attr, 1)
            except ValueError:
                i = 0
            if i:
                # the common case inline: a canonical integer N at a name position
                v = new[i + 2] if i % 3 == 1 and new[i + 1] == "N" else None
                exp = int(v) * US if v is not None and v.isdigit() else expiry_us(new, attr)
        due = self.due
        if exp is None:
            if old is not None:
                due.pop(key, None)
            return
        prev = due.get(key)
        if prev is not None and exp == prev[1]:
            return  # same expiry: keep its drawn delay
        if exp < self.clock.now_us - FIVE_YEARS_US:
            if prev is not None:
                del due[key]
            return  # ignored for good: it only gets older
        model = self.service.config.ttl_delete_delay
        if model is not self.model:
            self.model = model
            self.draw = delay_drawer(model)
        when = exp + (self.draw(self.rng) or 1)
        due[key] = (when, exp)
        heap = self.heap
        heappush(heap, (when, key))
        if len(heap) > 2 * len(due) + 1024:
            self.compact()
        if self.handle_us is None or when < self.handle_us:
            if self.status == "ENABLED":
                self.schedule(when)

    def compact(self) -> None:
        """Drop stale heap entries. O(n)."""
        self.heap = [(when, key) for key, (when, _exp) in self.due.items()]
        heapify(self.heap)

    def next_due(self) -> int | None:
        """The earliest live due time (dropping stale heap tops). O(log n) amortised."""
        heap = self.heap
        due = self.due
        while heap:
            when, key = heap[0]
            live = due.get(key)
            if live is not None and live[0] == when:
                return when
            heappop(heap)
        return None

    # -- the sweeper ----------------------------------------------------------------------
    def schedule(self, when: int | None = None) -> None:
        """(Re)schedule the sweeper's daemon event at ``when`` (default: the earliest due)."""
        sched = self.service.cloud.scheduler
        if self.handle is not None:
            sched.cancel(self.handle)
            self.handle = self.handle_us = None
        if when is None:
            when = self.next_due()
            if when is None:
                return
        when = max(when, self.clock.now_us)
        self.handle = sched.call_at_us(when, self.sweep, daemon=True)
        self.handle_us = when

    def cancel(self) -> None:
        if self.handle is not None:
            self.service.cloud.scheduler.cancel(self.handle)
        self.handle = self.handle_us = None

    def sweep(self) -> None:
        """Delete every item whose deletion is due. O(k log n) for k deletions."""
        self.handle = self.handle_us = None
        svc = self.service
        table = self.table
        if self.status != "ENABLED" or svc.tables.get(table.name) is not table:
            return
        now = self.clock.now_us
        heap = self.heap
        due = self.due
        store = table.store
        deleted = 0
        while True:
            when = self.next_due()
            if when is None or when > now:
                break
            _when, key = heappop(heap)
            _due, exp = due.pop(key)
            enc = store.get(key[0], key[1]) if self.ranged else store.get(key)
            if enc is None or exp >= now or exp < now - FIVE_YEARS_US:
                continue  # gone already, not expired, or too old to count
            self.delete(enc)
            deleted += 1
        if deleted:
            svc.cloud.metrics.put(
                "AWS/DynamoDB", "TimeToLiveDeletedItemCount", deleted,
                {"TableName": table.name}, "Count",
            )
        nxt = self.next_due()
        if nxt is not None:
            self.schedule(nxt)

    def delete(self, enc: tuple) -> None:
        """Delete one expired item through the commit path, marked as the service's doing."""
        svc = self.service
        table = self.table
        item = decode(enc)
        key = table.extract_key(item)
        plan = WritePlan(table, table.key_id(key), key, item, None, True, enc[0], 0)
        previous = svc._write_identity
        svc._write_identity = SERVICE_IDENTITY
        try:
            table.commit(plan)
        finally:
            svc._write_identity = previous
        svc.cloud.trace.record("dynamodb", "ttl_delete", table=table.name, key=table.key_id(key))

    def _check(self) -> None:
        live = {(when, key) for when, key in self.heap if self.due.get(key, (None,))[0] == when}
        assert live == {(when, key) for key, (when, _exp) in self.due.items()}
        for key, (when, exp) in self.due.items():
            enc = self.table.store.get(key[0], key[1]) if self.ranged else self.table.store.get(key)
            assert enc is not None and expiry_us(enc, self.attribute) == exp, key


class TimeToLiveOps:
    """UpdateTimeToLive and DescribeTimeToLive (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: DynamoDBConfig
        def _table_for_control(self, name: Any, where: str = "tableName") -> Table: ...

    def _init_ttl(self) -> None:
        #: TTL state by table id (only tables with TTL enabled or changing).
        self.ttl: dict[str, TableTTL] = {}
        #: Time of the last UpdateTimeToLive by table id (kept across disable, for the 1 h rule).
        self._ttl_updated_us: dict[str, int] = {}
        #: The identity the change hooks attach to the write being committed (TTL sets it).
        self._write_identity: dict | None = None

    def ttl_state(self, table: Table) -> TableTTL | None:
        """The TTL state of ``table`` (None when TTL is disabled)."""
        return self.ttl.get(table.table_id)

    @operation("UpdateTimeToLive")
    def update_time_to_live(self, request: dict) -> dict:
        """UpdateTimeToLive (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html)."""
        from .tables import validation_errors

        errors: list[str] = []
        spec = request.get("TimeToLiveSpecification")
        if request.get("TableName") is None:
            errors.append("Value null at 'tableName' failed to satisfy constraint: Member must not be null")
        if spec is None:
            errors.append(
                "Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member "
                "must not be null"
            )
            validation_errors(errors)
        assert spec is not None  # validation_errors raised above
        name = spec.get("AttributeName")
        enabled = spec.get("Enabled")
        if name is None:
            errors.append(
                "Value null at 'timeToLiveSpecification.attributeName' failed to satisfy "
                "constraint: Member must not be null"
            )
        elif not isinstance(name, str):
            raise ValidationException(f"Invalid type for parameter TimeToLiveSpecification.AttributeName, value: {name!r}")
        elif len(name) < 1:
            errors.append(
                f"Value '{name}' at 'timeToLiveSpecification.attributeName' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"
            )
        elif len(name) > 255:
            errors.append(
                f"Value '{name}' at 'timeToLiveSpecification.attributeName' failed to satisfy "
                "constraint: Member must have length less than or equal to 255"
            )
        if enabled is None:
            errors.append(
                "Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: "
                "Member must not be null"
            )
        elif not isinstance(enabled, bool):
            raise ValidationException(f"Invalid type for parameter TimeToLiveSpecification.Enabled, value: {enabled!r}")
        validation_errors(errors)
        table = self._table_for_control(request.get("TableName"))
        if table.status in ("CREATING", "DELETING"):
            what = "created" if table.status == "CREATING" else "deleted"
            raise ResourceInUseException(
                f"Attempt to change a resource which is still in use: Table is being {what}: {table.name}"
            )
        state = self.ttl.get(table.table_id)
        active = state is not None and state.status in ("ENABLING", "ENABLED")
        if active and state.attribute != name:  # type: ignore[union-attr]
            raise ValidationException(
                "TimeToLive is active on a different AttributeName: current AttributeName is "
                f"{state.attribute}"  # type: ignore[union-attr]
            )
        if enabled and active:
            raise ValidationException("TimeToLive is already enabled")
        if not enabled and not active:
            raise ValidationException("TimeToLive is already disabled")
        now = self.cloud.now_us
        last = self._ttl_updated_us.get(table.table_id)
        if last is not None and now - last < UPDATE_INTERVAL_US:
            raise ValidationException("Time to live has been modified multiple times within a fixed interval")
        self._ttl_updated_us[table.table_id] = now
        delay = self.config.ttl_update_delay
        if enabled:
            if state is not None:  # still DISABLING: drop it at once
                self._drop_ttl(state)
            state = TableTTL(cast("DynamoDB", self), table, name, "ENABLING" if delay > 0 else "ENABLED")
            self.ttl[table.table_id] = state
            table.change_hooks.append(state.hook)
            state.build()
            if delay > 0:
                self.cloud.scheduler.call_later_us(round(delay * US), self._ttl_settle, state, "ENABLED")
            else:
                state.schedule()
        else:
            state.cancel()  # type: ignore[union-attr]
            if delay > 0:
                state.status = "DISABLING"  # type: ignore[union-attr]
                self.cloud.scheduler.call_later_us(round(delay * US), self._ttl_settle, state, "DISABLED")
            else:
                self._drop_ttl(state)  # type: ignore[arg-type]
        self.cloud.trace.record(
            "dynamodb", "ttl_update", table=table.name, attribute=name, enabled=enabled
        )
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": name}}

    def _ttl_settle(self, state: TableTTL, status: str) -> None:
        if self.ttl.get(state.table.table_id) is not state:
            return
        if status == "ENABLED" and state.status == "ENABLING":
            state.status = "ENABLED"
            state.schedule()
        elif status == "DISABLED" and state.status == "DISABLING":
            self._drop_ttl(state)

    def _drop_ttl(self, state: TableTTL) -> None:
        state.cancel()
        state.status = "DISABLED"
        try:
            state.table.change_hooks.remove(state.hook)
        except ValueError:  # pragma: no cover
            pass
        if self.ttl.get(state.table.table_id) is state:
            del self.ttl[state.table.table_id]

    @operation("DescribeTimeToLive")
    def describe_time_to_live(self, request: dict) -> dict:
        """DescribeTimeToLive: ``TimeToLiveStatus`` and, unless DISABLED, ``AttributeName``."""
        table = self._table_for_control(request.get("TableName"))
        state = self.ttl.get(table.table_id)
        if state is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {
            "TimeToLiveDescription": {"TimeToLiveStatus": state.status, "AttributeName": state.attribute}
        }

    def _ttl_table_deleted(self, table: Table) -> None:
        state = self.ttl.get(table.table_id)
        if state is not None:
            self._drop_ttl(state)
