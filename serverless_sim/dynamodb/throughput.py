"""Throughput: capacity modes, partitions, burst and adaptive capacity, throttling, auto scaling,
GSI propagation lag and the consumed-capacity metrics.

AWS behaviour modelled (DG = https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/):

* **Provisioned mode** (DG ``provisioned-capacity-mode.html``, ``ProvisionedThroughput.html``): a
  table (and each GSI) serves its RCU and WCU per second; a unit is a 4 KB strongly consistent
  read (half for eventually consistent, double for transactional) or a 1 KB write (double for
  transactional). Units are computed by :mod:`.capacity`; GSI writes are charged to the GSI,
  LSI writes to the table.
* **Burst capacity** (DG ``burst-adaptive-capacity.html``): "DynamoDB currently retains up to five
  minutes (300 seconds) of unused read and write capacity". Modelled as a token bucket per
  resource and direction whose depth is 300 s of its rate: 150 RCU left idle for 5 minutes give
  45,000 units, which at 200 RCU/s last 45,000 / (200 - 150) = 900 s, as the DG's example says.
  A new table starts with a full bucket (a model choice: AWS does not say; it keeps small tests
  from throttling), ``ThroughputConfig.initial_burst=False`` starts it empty.
* **Partitions** (DG ``HowItWorks.Partitions.html``, ``bp-partition-key-design.html``): a stable
  hash of the partition key (CRC-32, as the scan order in :mod:`.table`) picks a partition, each
  a range of the 32-bit hash space. A partition serves at most 3,000 RCU and 1,000 WCU per second
  (reads and writes independently) and holds about 10 GB. The count follows the historical
  formula ``max(ceil(size / 10 GB), ceil(RCU / 3,000 + WCU / 1,000))`` (on-demand:
  ``ceil(max(RRU / 3,000, WRU / 1,000))`` of the throughput it can serve at once, 4 for a new
  table); partitions split (never merge) when throughput is raised past them or one outgrows
  10 GB (at its median by bytes).
* **Adaptive capacity** (DG ``burst-adaptive-capacity.html``): on by default and instant: a hot
  partition may use the table's unused capacity up to its 3,000/1,000 ceiling, so the only
  partition limit is that ceiling (exceeding it throttles with ``KeyRangeThroughputExceeded``).
  With ``adaptive_capacity=False`` each partition gets an equal share of the table's rate (with
  its own burst bucket), the pre-2019 behaviour. **Hot-key isolation**: when one key keeps
  throttling its partition for ``hot_key_isolation_delay`` seconds (a model value, AWS gives
  none), the partition splits so the key has a partition of its own (never on a table with an
  LSI; in provisioned mode, never with a stream enabled). A single key still gets at most
  3,000/1,000.
* **On-demand mode** (DG ``on-demand-capacity-mode.html``): a new table "will be able to sustain
  up to 4,000 writes per second and 12,000 reads per second"; it instantly accommodates up to
  double its previous peak, and going beyond double within 30 minutes throttles; a peak becomes
  the "previous peak" 30 minutes after it was reached. A table switched from provisioned starts
  from the larger of those and its provisioned units. Per-table quota 40,000 RRU/WRU
  (``RequestLimitExceeded``, reason ``AccountLimitExceeded``); an optional
  ``OnDemandThroughput`` (``MaxReadRequestUnits``/``MaxWriteRequestUnits``) caps a table or GSI
  (reason ``MaxOnDemandThroughputExceeded``). On-demand tables are only tracked when
  ``ThroughputConfig.on_demand=True`` or when they set ``OnDemandThroughput``, so that unit tests
  and benchmarks writing thousands of items at one virtual instant never throttle.
* **Errors** (API ``ProvisionedThroughputExceededException``, ``ThrottlingException``,
  ``RequestLimitExceeded``, ``ThrottlingReason``): provisioned throttles raise
  ``ProvisionedThroughputExceededException`` ("The level of configured provisioned throughput for
  the table was exceeded..." or, for a GSI, "...for one or more global secondary indexes of the
  table was exceeded..."); on-demand throttles raise ``ThrottlingException`` ("Throughput exceeds
  the current capacity of your table or index..."); each carries ``ThrottlingReasons: [{"reason":
  "<Table|Index><Read|Write><LimitType>", "resource": ARN}]``. A GSI without write capacity
  throttles the base table's write (DG ``GSI.html``: back-pressure). Batches return the throttled
  part as ``UnprocessedKeys``/``UnprocessedItems`` and raise only when nothing was processed;
  transactions are cancelled with a ``ProvisionedThroughputExceeded`` (or ``ThrottlingError``)
  reason at the throttled action.
* **Failed conditional writes** consume write capacity (DG ``ProvisionedThroughput.html``): 1 WCU
  for a new item, else the existing item's size.

Token buckets refill lazily from the virtual clock when they are read: no events, O(1) per
request. Tokens are integers (half capacity units times microseconds), so arithmetic is exact.
A request is admitted when the bucket holds its units, or when the bucket is full (a request
larger than the whole bucket then leaves it in debt, as AWS lets a large item through).

Metrics (namespace ``AWS/DynamoDB``, DG ``metrics-dimensions.html``): ConsumedReadCapacityUnits,
ConsumedWriteCapacityUnits (dimensions TableName [+ GlobalSecondaryIndexName]),
ReadThrottleEvents, WriteThrottleEvents (same), ThrottledRequests and ReturnedItemCount
(TableName + Operation). They are aggregated in the engine per minute and flushed to
``cloud.metrics`` as statistic sets at the minute's end (a daemon event) or on
:meth:`ThroughputOps.flush_capacity_metrics`; untracked tables record nothing and pay nothing.

Known deviations: reads and writes of on-demand tables are limited independently (AWS: "or a
linear combination of both"); on-demand throttles beyond double the previous peak carry the
reason ``KeyRangeThroughputExceeded`` (the documented reasons have no other fit); partitions of a
GSI follow its throughput only (not its size); Scan charges the table-level bucket only.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from collections import deque
from typing import TYPE_CHECKING, Any, cast

import attrs

from .capacity import index_write_units, write_units
from .errors import (
    ProvisionedThroughputExceededException,
    RequestLimitExceeded,
    ThrottlingException,
)
from .table import HASH_SPACE, copy_av, partition_hash

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .indexes import Index
    from .service import DynamoDB, DynamoDBConfig
    from .table import Table, WritePlan

US = 1_000_000
#: Tokens per capacity unit: half units (an eventually consistent read is 0.5) x microseconds.
UNIT = 2 * US
PARTITION_MAX_RCU = 3_000
PARTITION_MAX_WCU = 1_000
PARTITION_MAX_BYTES = 10 * 1024**3
BURST_SECONDS = 300
ON_DEMAND_INITIAL_READ = 12_000
ON_DEMAND_INITIAL_WRITE = 4_000
ON_DEMAND_PEAK_WINDOW_S = 30 * 60
TABLE_QUOTA_UNITS = 40_000
_MINUTE = 60 * US
NAMESPACE = "AWS/DynamoDB"
#: A metric accumulator no longer in ``TableThroughput._acc`` (its minute can never be current):
#: what ``Resource.wacc``/``racc`` hold before their first data point.
_DEAD_ACC: list = [-1, 0.0, 0, 0.0, 0.0]

_MSG_TABLE = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)
_MSG_GSI = (
    "The level of configured provisioned throughput for one or more global secondary indexes of "
    "the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API."
)
_MSG_ON_DEMAND = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)
_MSG_ON_DEMAND_GSI = (
    "Throughput exceeds the current capacity for one or more global secondary indexes. DynamoDB "
    "is automatically scaling your index so please try again shortly."
)
_MSG_ACCOUNT = "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"


@attrs.define
class ThroughputConfig:
    """Capacity modelling switches (``cloud.dynamodb.config.throughput``); change any time."""

    #: Provisioned tables are throttled by their capacity (off: nothing is tracked).
    enabled: bool = True
    #: Track (and throttle) on-demand tables too: initial throughput, 2x previous peak, quotas.
    on_demand: bool = False
    #: Seconds of unused capacity kept as burst capacity (AWS: 300).
    burst_seconds: int = BURST_SECONDS
    #: A new (or re-provisioned) table starts with a full burst bucket.
    initial_burst: bool = True
    #: Adaptive capacity: a hot partition may use the table's unused capacity (AWS: on).
    adaptive_capacity: bool = True
    #: Seconds a key must keep throttling its partition before it is isolated (model value).
    hot_key_isolation_delay: float = 60.0
    #: Storage of one partition before it splits (AWS: about 10 GB); lower it to test splits.
    partition_max_bytes: int = PARTITION_MAX_BYTES
    #: GSI propagation delay in seconds: a number, a ``(low, high)`` uniform range, or
    #: ``rng -> seconds``; drawn per write from the stream ``dynamodb/index-lag/<table>``.
    #: 0 = immediate (AWS: "a fraction of a second"). Per table: ``set_index_lag``.
    index_lag: Any = 0.0


class Bucket:
    """A token bucket refilled lazily from the clock. O(1), no allocation."""

    __slots__ = ("rate", "cap", "tokens", "t")

    def __init__(self, units_per_s: float, depth_s: float, now: int, full: bool = True) -> None:
        self.rate = int(units_per_s * 2)  # tokens per microsecond
        self.cap = int(units_per_s * UNIT * max(depth_s, 1))
        self.tokens = self.cap if full else 0
        self.t = now

    def level(self, now: int) -> int:
        el = now - self.t
        if el > 0:
            tokens = self.tokens + el * self.rate
            self.tokens = tokens if tokens < self.cap else self.cap
            self.t = now
        return self.tokens

    def admits(self, need: int, now: int) -> bool:
        level = self.level(now)
        return level >= need or level >= self.cap

    def __repr__(self) -> str:
        return f"<Bucket {self.rate / 2:g}/s {self.tokens / UNIT:g}/{self.cap / UNIT:g}>"


class OnDemand:
    """One direction of an on-demand resource: per-second use against ``max(initial, 2 x
    previous peak)``, the quota and the optional maximum. O(1) amortised."""

    __slots__ = (
        "initial", "maximum", "second", "used", "peak", "pending", "window_s", "lim_second", "lim"
    )

    def __init__(self, initial: int, maximum: int | None, window_s: int) -> None:
        self.initial = initial
        #: Change it with :meth:`set_maximum` (which forgets the memoised limit).
        self.maximum = maximum
        self.second = -1
        self.used = 0  # half units in ``second``
        self.peak = 0  # matured previous peak, half units
        self.pending: deque[tuple[int, int]] = deque()
        self.window_s = window_s
        #: ``limit(lim_second)``, memoised by ``Resource.try_take`` (-1: none; see there).
        self.lim_second = -1
        self.lim = 0

    def set_maximum(self, maximum: int | None) -> None:
        self.maximum = maximum
        self.lim_second = -1

    def allowed(self, second: int) -> int:
        """Half units allowed in ``second`` by the scaling rule (before quota and maximum)."""
        if second != self.second:
            if self.used:
                self.pending.append((self.second, self.used))
            self.second = second
            self.used = 0
        pending = self.pending
        while pending and pending[0][0] <= second - self.window_s:
            s, used = pending.popleft()
            if used > self.peak:
                self.peak = used
        initial, peak = self.initial * 2, 2 * self.peak
        return initial if initial >= peak else peak  # = max(initial, peak), one call fewer

    def limit(self, second: int) -> int:
        """The half units ``second`` may use in all: the least of the scaling rule's allowance,
        the quota and the maximum, so that :meth:`check` refuses exactly when ``used + half_units``
        exceeds it. It changes only when the second does (``allowed`` moves pending peaks only
        then) or the maximum does (``set_maximum``).
        """
        lim = self.allowed(second)
        if lim > TABLE_QUOTA_UNITS * 2:
            lim = TABLE_QUOTA_UNITS * 2
        if self.maximum is not None and lim > self.maximum * 2:
            lim = self.maximum * 2
        return lim

    def check(self, half_units: int, second: int) -> str | None:
        allowed = self.allowed(second)
        after = self.used + half_units
        if self.maximum is not None and after > self.maximum * 2:
            return "MaxOnDemandThroughputExceeded"
        if after > TABLE_QUOTA_UNITS * 2:
            return "AccountLimitExceeded"
        if after > allowed:
            return "KeyRangeThroughputExceeded"
        return None


class Part:
    """One partition: a hash range's hard ceilings (or, without adaptive capacity, its share)
    and the items it holds."""

    __slots__ = ("read", "write", "count", "nbytes", "hot_key", "hot_since")

    def __init__(self, read: Bucket, write: Bucket) -> None:
        self.read = read
        self.write = write
        self.count = 0
        self.nbytes = 0
        self.hot_key: Any = None
        self.hot_since = 0


class Resource:
    """The capacity state of a table or a GSI: mode, buckets, partitions, metric accumulators."""

    def __init__(self, owner: "TableThroughput", index: "Index | None") -> None:
        self.owner = owner
        self.index = index
        table = owner.table
        self.kind = "Index" if index is not None else "Table"
        self.arn = index.arn if index is not None else table.arn
        self.dims: tuple[tuple[str, str], ...] = (("TableName", table.name),)
        if index is not None:
            self.dims += (("GlobalSecondaryIndexName", index.name),)
        self.mkeys: dict[str, tuple] = {}
        #: The metric keys of consumed capacity (``try_take`` aggregates them inline).
        self.wkey = self.mkeys["ConsumedWriteCapacityUnits"] = (self.dims, "ConsumedWriteCapacityUnits")
        self.rkey = self.mkeys["ConsumedReadCapacityUnits"] = (self.dims, "ConsumedReadCapacityUnits")
        #: The accumulators of ``wkey``/``rkey`` last seen in ``owner._acc`` (a dict lookup with
        #: a nested-tuple hash saved per charge). One that leaves ``_acc`` (emitted) gets minute
        #: -1 (``TableThroughput.metric``, ``flush``), so "its minute is the current one" means "it is
        #: still ``_acc[key]``".
        self.wacc: list = _DEAD_ACC
        self.racc: list = _DEAD_ACC
        self.mode = ""
        self.rcu = self.wcu = 0
        self.rbucket: Bucket | None = None
        self.wbucket: Bucket | None = None
        self.od_read: OnDemand | None = None
        self.od_write: OnDemand | None = None
        self.max_read: int | None = None
        self.max_write: int | None = None
        self.starts: list[int] = [0]
        self.parts: list[Part] = []
        #: The second (and partition count) of the last on-demand growth check: the allowed
        #: throughput changes only when the second does (see ``OnDemand.allowed``).
        self._grown: tuple[int, int] = (-1, 0)
        #: The partition index the last successful ``try_take`` charged.
        self.taken = 0
        self.sync(force=True)

    # -- configuration --------------------------------------------------------------------
    def source(self) -> Any:
        return self.index if self.index is not None else self.owner.table

    def sync(self, force: bool = False) -> None:
        """Follow the table's billing mode and provisioned units (UpdateTable, auto scaling)."""
        table = self.owner.table
        src = self.source()
        mode = table.billing_mode
        rcu, wcu = src.read_capacity, src.write_capacity
        if not force and mode == self.mode and rcu == self.rcu and wcu == self.wcu:
            return
        cfg = self.owner.config
        now = self.owner.cloud.now_us
        self._grown = (-1, 0)
        self._forget_limits()
        was_provisioned = self.mode == "PROVISIONED"
        old_r, old_w = self.rcu, self.wcu
        self.mode, self.rcu, self.wcu = mode, rcu, wcu
        if mode == "PROVISIONED":
            full = cfg.initial_burst
            if self.rbucket is not None and was_provisioned:
                # A change keeps the unused capacity accumulated so far (capped by the new depth).
                rb, wb = self.rbucket, self.wbucket
                rb_level, wb_level = rb.level(now), wb.level(now)  # type: ignore[union-attr]
                self.rbucket = Bucket(rcu, cfg.burst_seconds, now)
                self.wbucket = Bucket(wcu, cfg.burst_seconds, now)
                self.rbucket.tokens = min(rb_level, self.rbucket.cap)
                self.wbucket.tokens = min(wb_level, self.wbucket.cap)
            else:
                self.rbucket = Bucket(rcu, cfg.burst_seconds, now, full)
                self.wbucket = Bucket(wcu, cfg.burst_seconds, now, full)
            self.od_read = self.od_write = None
            need = math.ceil(rcu / PARTITION_MAX_RCU + wcu / PARTITION_MAX_WCU)
        else:
            init_r, init_w = ON_DEMAND_INITIAL_READ, ON_DEMAND_INITIAL_WRITE
            if was_provisioned:
                init_r, init_w = max(init_r, old_r), max(init_w, old_w)
            window = ON_DEMAND_PEAK_WINDOW_S
            if self.od_read is None:
                self.od_read = OnDemand(init_r, self.max_read, window)
                self.od_write = OnDemand(init_w, self.max_write, window)
            self.rbucket = self.wbucket = None
            need = self._on_demand_partitions()
        self.ensure_partitions(max(1, need))
        self.reshare()

    def _forget_limits(self) -> None:
        """Drop the on-demand limits ``try_take`` memoised (its partitions or mode changed)."""
        for od in (self.od_read, self.od_write):
            if od is not None:
                od.lim_second = -1

    def set_maximum(self, max_read: int | None, max_write: int | None) -> None:
        self.max_read, self.max_write = max_read, max_write
        if self.od_read is not None:
            self.od_read.set_maximum(max_read)
            self.od_write.set_maximum(max_write)  # type: ignore[union-attr]

    def _on_demand_partitions(self) -> int:
        second = self.owner.cloud.now_us // US
        r = self.od_read.allowed(second) // 2  # type: ignore[union-attr]
        w = self.od_write.allowed(second) // 2  # type: ignore[union-attr]
        return math.ceil(max(r / PARTITION_MAX_RCU, w / PARTITION_MAX_WCU))

    def grow_on_demand(self, now: int) -> None:
        """Split an on-demand resource when the throughput it may serve outgrows its
        partitions (each serves 3,000 RRU / 1,000 WRU). O(1) unless it splits."""
        second = now // US
        r = self.od_read.allowed(second)  # type: ignore[union-attr]
        w = self.od_write.allowed(second)  # type: ignore[union-attr]
        n = len(self.parts)
        if r > 2 * PARTITION_MAX_RCU * n or w > 2 * PARTITION_MAX_WCU * n:
            self.ensure_partitions(self._on_demand_partitions())
        self._grown = (second, len(self.parts))

    def _new_part(self) -> Part:
        now = self.owner.cloud.now_us
        return Part(Bucket(PARTITION_MAX_RCU, 1, now), Bucket(PARTITION_MAX_WCU, 1, now))

    def reshare(self) -> None:
        """Set every partition's buckets: the hard ceilings, or without adaptive capacity an
        equal share of the table's provisioned rate (with its own burst)."""
        cfg = self.owner.config
        now = self.owner.cloud.now_us
        n = len(self.parts)
        for part in self.parts:
            r: float
            w: float
            if cfg.adaptive_capacity or self.mode != "PROVISIONED":
                r, w, depth = PARTITION_MAX_RCU, PARTITION_MAX_WCU, 1
            else:
                r = min(PARTITION_MAX_RCU, self.rcu / n)
                w = min(PARTITION_MAX_WCU, self.wcu / n)
                depth = cfg.burst_seconds
            if part.read.rate != int(r * 2) or part.read.cap != int(r * UNIT * max(depth, 1)):
                part.read = Bucket(r, depth, now)
                part.write = Bucket(w, depth, now)

    # -- partitions -----------------------------------------------------------------------
    def store(self) -> Any:
        return self.index.store if self.index is not None else self.owner.table.store

    def ensure_partitions(self, need: int) -> None:
        """Split the widest partitions at their hash midpoints until there are ``need``."""
        if not self.parts:
            self.parts = [self._new_part()]
            self.starts = [0]
            self._forget_limits()
            self.recount()
        changed = False
        while len(self.parts) < need:
            widest = max(
                range(len(self.parts)),
                key=lambda i: (self._end(i) - self.starts[i], -i),
            )
            lo, hi = self.starts[widest], self._end(widest)
            if hi - lo < 2:
                break
            self._split_at(widest, (lo + hi) // 2, recount=False)
            changed = True
        if changed:
            self.recount()

    def _end(self, i: int) -> int:
        return self.starts[i + 1] if i + 1 < len(self.starts) else HASH_SPACE

    def _split_at(self, i: int, h: int, recount: bool = True) -> None:
        """Partition ``i`` becomes ``[start, h)`` and ``[h, end)``. Never merges."""
        if not self.starts[i] < h < self._end(i):
            return
        self.starts.insert(i + 1, h)
        self.parts.insert(i + 1, self._new_part())
        self._forget_limits()
        self.owner.splits += 1
        self.reshare()
        if recount:
            self._recount_range(i, i + 2)

    def part_index(self, pk: Any) -> int:
        return bisect_right(self.starts, partition_hash(pk)) - 1

    def recount(self) -> None:
        self._recount_range(0, len(self.parts))

    def _recount_range(self, i0: int, i1: int) -> None:
        """Item counts and bytes of partitions ``[i0, i1)`` from storage. O(items there)."""
        if self.index is not None:
            return
        store = self.store()
        lo, hi = self.starts[i0], self._end(i1 - 1)
        for i in range(i0, i1):
            self.parts[i].count = self.parts[i].nbytes = 0
        if not store.count:
            return
        order = store._order()
        ranged = store.ranged
        for h, pk in order.irange((lo,), (hi,), inclusive=(True, False)):
            part = self.parts[bisect_right(self.starts, h) - 1]
            entry = store.data[pk]
            part.count += len(entry) if ranged else 1
            part.nbytes += entry.nbytes if ranged else entry[0]

    def split_for_size(self, i: int) -> None:
        """Split an over-full partition at the hash where half its bytes lie below."""
        store = self.store()
        lo, hi = self.starts[i], self._end(i)
        half = self.parts[i].nbytes / 2
        acc = 0
        for h, pk in store._order().irange((lo,), (hi,), inclusive=(True, False)):
            acc += store.partition_bytes(pk)
            if acc >= half:
                cut = h + 1 if h + 1 < hi else h
                if cut <= lo:
                    return
                self._split_at(i, cut)
                return

    def isolate(self, i: int, pk: Any) -> None:
        """Give the key ``pk`` a partition of its own (hot-key isolation)."""
        h = partition_hash(pk)
        self._split_at(i, h)
        j = bisect_right(self.starts, h) - 1
        self._split_at(j, h + 1)

    # -- admission ------------------------------------------------------------------------
    def check(self, write: bool, pk: Any, need: int, now: int) -> tuple[str, Part | None] | None:
        """The limit ``need`` tokens would break, or None. Consumes nothing."""
        if self.mode == "PROVISIONED":
            bucket = self.wbucket if write else self.rbucket
            if not bucket.admits(need, now):  # type: ignore[union-attr]
                return "ProvisionedThroughputExceeded", None
        else:
            od = self.od_write if write else self.od_read
            limit = od.check(need // US, now // US)  # type: ignore[union-attr]
            if limit is not None:
                return limit, None
            if self._grown != (now // US, len(self.parts)):
                self.grow_on_demand(now)
        if pk is None:
            return None
        part = self.parts[bisect_right(self.starts, partition_hash(pk)) - 1]
        if not (part.write if write else part.read).admits(need, now):
            return "KeyRangeThroughputExceeded", part
        return None

    def try_take(self, write: bool, pk: Any, need: int, now: int) -> bool:
        """Admit and consume one charge in one pass (the single-resource fast path); leaves the
        partition index charged in ``taken``. O(log P).

        Same effects as ``check`` then ``take`` (a refusal consumes nothing and goes to the
        general path, which repeats the checks and raises the throttle); inlined here, on the
        path of every tracked GetItem/PutItem: ``OnDemand.check`` (as one comparison with
        ``OnDemand.limit``), ``partition_hash`` of a str key, ``Bucket.level`` and the common
        case of ``TableThroughput.metric`` (the minute's accumulator exists).

        On demand, the first charge of each second in each direction computes the limit and does
        ``check``'s growth test, then memoises the limit in ``od.lim_second``/``od.lim``; later
        charges of that second need neither (nothing they depend on changes within the second,
        and a split, a mode change or a new maximum drops the memo: ``_forget_limits``).
        """
        half = need // US
        if self.mode == "PROVISIONED":
            bucket = self.wbucket if write else self.rbucket
            level = bucket.level(now)  # type: ignore[union-attr]
            if level < need and level < bucket.cap:  # type: ignore[union-attr]
                return False
            od = None
        else:
            od = self.od_write if write else self.od_read
            second = now // US
            if od.lim_second == second:  # type: ignore[union-attr]
                if od.used + half > od.lim:  # type: ignore[union-attr]
                    return False
            else:
                lim = od.limit(second)  # type: ignore[union-attr]
                if od.used + half > lim:  # type: ignore[union-attr]
                    return False
                if self._grown != (second, len(self.parts)):
                    self.grow_on_demand(now)
                od.lim_second = second  # type: ignore[union-attr]
                od.lim = lim  # type: ignore[union-attr]
        parts = self.parts
        if len(parts) > 1:
            if type(pk) is str:
                try:
                    h = zlib.crc32(pk.encode())  # = "surrogatepass" when strict encoding works
                except UnicodeEncodeError:
                    h = partition_hash(pk)
            else:
                h = partition_hash(pk)
            i = bisect_right(self.starts, h) - 1
        else:
            i = 0
        part = parts[i]
        pb = part.write if write else part.read
        el = now - pb.t
        if el > 0:
            tokens = pb.tokens + el * pb.rate
            pb.tokens = tokens if tokens < pb.cap else pb.cap
            pb.t = now
        level = pb.tokens
        if level < need and level < pb.cap:
            return False
        if od is None:
            bucket.tokens -= need  # type: ignore[union-attr]
        else:
            od.used += half
        pb.tokens -= need
        self.taken = i
        value = need / UNIT
        acc = self.wacc if write else self.racc
        if acc[0] == now // _MINUTE:
            acc[1] += value
            acc[2] += 1
            if value < acc[3]:
                acc[3] = value
            elif value > acc[4]:
                acc[4] = value
        else:
            owner = self.owner
            if write:
                owner.metric(self, "ConsumedWriteCapacityUnits", value)
                self.wacc = owner._acc[self.wkey]
            else:
                owner.metric(self, "ConsumedReadCapacityUnits", value)
                self.racc = owner._acc[self.rkey]
        return True

    def take(self, write: bool, pk: Any, need: int, now: int) -> None:
        if self.mode == "PROVISIONED":
            (self.wbucket if write else self.rbucket).tokens -= need  # type: ignore[union-attr]
        else:
            od = self.od_write if write else self.od_read
            od.used += need // US  # type: ignore[union-attr]
        if pk is not None:
            part = self.parts[bisect_right(self.starts, partition_hash(pk)) - 1]
            (part.write if write else part.read).tokens -= need
        self.owner.metric(self, "ConsumedWriteCapacityUnits" if write else "ConsumedReadCapacityUnits", need / UNIT)

    def hot(self, part: Part, i: int, pk: Any, now: int) -> None:
        """A key throttled its partition: isolate it once it has stayed hot long enough."""
        table = self.owner.table
        if table.lsis or (self.mode == "PROVISIONED" and table.stream_spec is not None):
            return
        if part.hot_key != pk:
            part.hot_key, part.hot_since = pk, now
            return
        if now - part.hot_since >= self.owner.config.hot_key_isolation_delay * US:
            if self._end(i) - self.starts[i] > 1:
                self.isolate(i, pk)


class TableThroughput:
    """The capacity state of one table and its GSIs (``table.throughput``)."""

    def __init__(self, svc: "DynamoDB", table: "Table") -> None:
        self.svc = svc
        self.cloud = svc.cloud
        #: ``cloud.clock`` (``cloud.now_us`` is a property: one frame per read on hot paths).
        self.clock = svc.cloud.clock
        self.table = table
        self.splits = 0
        self.resources: dict[str | None, Resource] = {}
        #: metric accumulators: (dims, name) -> [minute, sum, count, min, max]
        self._acc: dict[tuple, list] = {}
        self._flush_at: int | None = None
        self.base = Resource(self, None)
        self.resources[None] = self.base
        self._gsis: dict[str, Any] = {}
        self.sync_indexes()
        #: The change hook (one bound method: ``put_fast`` tells ``Table.put_encoded`` to skip it).
        self._hook = self._stored
        table.change_hooks.append(self._hook)

    @property
    def config(self) -> ThroughputConfig:
        return self.svc.config.throughput  # type: ignore[no-any-return]

    def detach(self) -> None:
        self.flush()
        if self._stored in self.table.change_hooks:
            self.table.change_hooks.remove(self._stored)

    def sync_indexes(self) -> None:
        gsis = self.table.gsis
        if gsis == self._gsis:
            return
        self._gsis = dict(gsis)
        for name in [n for n in self.resources if n is not None and n not in gsis]:
            del self.resources[name]
        for name, index in gsis.items():
            res = self.resources.get(name)
            if res is None or res.index is not index:
                self.resources[name] = Resource(self, index)

    def sync(self) -> None:
        self.sync_indexes()
        for res in self.resources.values():
            res.sync()

    # -- storage bookkeeping (a change hook: every committed change) ------------------------
    def _stored(self, pk: Any, sk: Any, old_enc: Any, new_enc: Any) -> None:
        """Partition item counts and bytes (and a split when one outgrows its storage)."""
        base = self.base
        parts = base.parts
        # One partition (most tables): it holds every key, no hash needed (as in try_take).
        i = bisect_right(base.starts, partition_hash(pk)) - 1 if len(parts) > 1 else 0
        part = parts[i]
        if old_enc is not None:
            part.count -= 1
            part.nbytes -= old_enc[0]
        if new_enc is not None:
            part.count += 1
            part.nbytes += new_enc[0]
            if part.nbytes > self.svc.config.throughput.partition_max_bytes:
                base.split_for_size(i)

    # -- admission ------------------------------------------------------------------------
    def _error(self, res: Resource, write: bool, limit: str, back_pressure: bool) -> Exception:
        reasons = [
            {"reason": f"{res.kind}{'Write' if write else 'Read'}{limit}", "resource": res.arn}
        ]
        if limit == "AccountLimitExceeded":
            return RequestLimitExceeded(_MSG_ACCOUNT, ThrottlingReasons=reasons)
        if res.mode == "PROVISIONED":
            msg = _MSG_GSI if back_pressure else _MSG_TABLE
            return ProvisionedThroughputExceededException(msg, ThrottlingReasons=reasons)
        return ThrottlingException(_MSG_ON_DEMAND_GSI if back_pressure else _MSG_ON_DEMAND, ThrottlingReasons=reasons)

    def admit(self, charges: list[tuple[Resource, bool, Any, int]], operation: str) -> Exception | None:
        """Admit all ``(resource, is_write, partition key, tokens)`` charges or none.

        Returns the throttle error (recording the throttle metrics), or None after consuming.
        """
        now = self.cloud.now_us
        for res, write, pk, need in charges:
            if res.mode != self.table.billing_mode or res.rcu != res.source().read_capacity or res.wcu != res.source().write_capacity:
                res.sync()
            failed = res.check(write, pk, need, now)
            if failed is not None:
                limit, part = failed
                if part is not None:
                    res.hot(part, res.parts.index(part), pk, now)
                event = "WriteThrottleEvents" if write else "ReadThrottleEvents"
                for r2, w2, _pk, _n in charges:
                    if w2 == write:
                        self.metric(r2, event, 1.0)
                self.metric(self.base, "ThrottledRequests", 1.0, operation)
                back = res.index is not None and self.charges_table(charges)
                return self._error(res, write, limit, back)
        for res, write, pk, need in charges:
            res.take(write, pk, need, now)
        return None

    def refund(self, charges: list) -> None:
        """Give back admitted charges (a transaction cancelled by a later throttle)."""
        for res, write, pk, need in charges:
            if res.mode == "PROVISIONED":
                bucket = res.wbucket if write else res.rbucket
                bucket.tokens += need  # type: ignore[union-attr]
            else:
                od = res.od_write if write else res.od_read
                od.used -= need // US  # type: ignore[union-attr]
            if pk is not None:
                part = res.parts[bisect_right(res.starts, partition_hash(pk)) - 1]
                (part.write if write else part.read).tokens += need
            name = "ConsumedWriteCapacityUnits" if write else "ConsumedReadCapacityUnits"
            acc = self._acc.get((res.dims, name))
            if acc is not None:
                acc[1] -= need / UNIT
                acc[2] -= 1

    @staticmethod
    def charges_table(charges: list) -> bool:
        return any(res.index is None for res, _w, _pk, _n in charges)

    def read_charge(self, index: Any, pk: Any, units: float) -> list:
        """Charges for a read of ``units`` on the table (LSI reads too) or a GSI."""
        if index is not None and index.kind == "GSI":
            self.sync_indexes()
            return [(self.resources[index.name], False, pk, int(units * UNIT))]
        return [(self.base, False, pk, int(units * UNIT))]

    def write_charges(self, plan: "WritePlan", transactional: bool = False) -> list:
        """Charges of one write plan: the item (+ LSI units) on the table, each GSI's units on
        the GSI (partitioned by the entry's GSI partition key)."""
        table = self.table
        units = write_units(max(plan.old_size, plan.new_size), transactional=transactional)
        pk = plan.key_id if table.range_key is None else plan.key_id[0]
        factor = 2 if transactional else 1
        if plan.write and table.lsis:
            for u in index_write_units(table.lsis.values(), plan.old_item, plan.new_item).values():
                units += u * factor
        charges = [(self.base, True, pk, int(units * UNIT))]
        if plan.write and table.gsis:
            self.sync_indexes()
            per = index_write_units(table.gsis.values(), plan.old_item, plan.new_item)
            for name, u in per.items():
                index = table.gsis[name]
                entry = index.entry_id(plan.new_item) or index.entry_id(plan.old_item)
                gpk = entry[0] if entry is not None else None
                charges.append((self.resources[name], True, gpk, int(u * factor * UNIT)))
        return charges

    def admit_one(self, res: Resource, write: bool, pk: Any, need: int, operation: str) -> None:
        """One charge on one resource (GetItem, PutItem without GSIs); raises the throttle."""
        src = res.source()
        if (
            res.mode != self.table.billing_mode
            or res.rcu != src.read_capacity
            or res.wcu != src.write_capacity
            or not res.try_take(write, pk, need, self.clock.now_us)
        ):
            err = self.admit([(res, write, pk, need)], operation)
            if err is not None:
                raise err

    def read(self, index: Any, pk: Any, units: float, operation: str) -> None:
        err = self.admit(self.read_charge(index, pk, units), operation)
        if err is not None:
            raise err

    def write(self, plan: "WritePlan", operation: str) -> None:
        err = self.admit(self.write_charges(plan), operation)
        if err is not None:
            raise err

    def failed_condition(self, table: "Table", key_id: Any, operation: str) -> None:
        """Charge a failed conditional write: 1 WCU for a new item, else the existing item's
        size (raises a throttle instead when there is no capacity)."""
        enc = table.lookup(key_id)
        units = write_units(0 if enc is None else enc[0])
        pk = key_id if table.range_key is None else key_id[0]
        err = self.admit([(self.base, True, pk, int(units * UNIT))], operation)
        if err is not None:
            raise err

    def put_fast(self, table: "Table", pk: Any, sk: Any, item: dict | None, enc: tuple) -> None:
        """PutItem's fast path on a tracked table: admit, then store the encoded item (``item``:
        its attribute values, or None on a table without GSIs, see ``Table.put_encoded``)."""
        if table.gsis:
            from .table import WritePlan, decode

            if item is None:
                item = decode(enc)
            old = table.lookup(table.fast_item_key(item))
            plan = WritePlan(
                table, table.fast_item_key(item), {}, None if old is None else decode(old), item,
                True, 0 if old is None else old[0], enc[0],
            )
            err = self.admit(self.write_charges(plan), "PutItem")
        else:
            part = table.store.data.get(pk)
            if sk is None:
                old = part
            else:
                old = None if part is None else part.get(sk)
            size = enc[0] if old is None or old[0] < enc[0] else old[0]
            need = (-(-size // 1024) or 1) * UNIT
            # ``admit_one`` inlined (the table is the base resource's source).
            res = self.base
            if (
                res.mode == table.billing_mode
                and res.rcu == table.read_capacity
                and res.wcu == table.write_capacity
                and res.try_take(True, pk, need, self.clock.now_us)
            ):
                i = res.taken
            else:
                err = self.admit([(res, True, pk, need)], "PutItem")
                if err is not None:
                    raise err
                i = -1
            splits = self.splits
            old = table.put_encoded(pk, sk, item, enc, self._hook)
            # ``_stored(pk, sk, old, enc)`` inlined (skipped by ``put_encoded`` above), in the
            # partition just charged unless partitions changed meanwhile. It only counts the
            # partition's items and bytes: its place among the change hooks is not observable by
            # the others (Streams, TTL, PITR, global tables).
            parts = res.parts
            if i < 0 or splits != self.splits:
                i = bisect_right(res.starts, partition_hash(pk)) - 1 if len(parts) > 1 else 0
            part = parts[i]
            if old is None:
                part.count += 1
                part.nbytes += enc[0]
            else:
                part.nbytes += enc[0] - old[0]
            if part.nbytes > self.svc.config.throughput.partition_max_bytes:
                res.split_for_size(i)
            return
        if err is not None:
            raise err
        table.put_encoded(pk, sk, item, enc)

    def put_plain(self, table: "Table", pk: Any, enc: tuple) -> None:
        """``put_fast(table, pk, None, None, enc)`` for a table without sort key, indexes or
        listeners (``NativeTable.put``'s common case, via ``ItemOps._put_plain``), in one frame.

        For an on-demand table: ``admit_one`` as a direct ``Resource.try_take`` (the second's
        first write included), then, inlined, ``Table.put_encoded`` (its hash-only, no-index
        case: the store, then the change hooks but ``_stored``) and ``_stored``, as ``put_fast``
        does. Anything else
        (provisioned, a refusal, listeners, a changed billing mode or capacity) goes to
        ``put_fast`` before anything is consumed (the only state touched is what ``try_take``
        touches before refusing: the second's limit and growth, the partition bucket's refill at
        ``now``, which ``put_fast`` then repeats as no-ops). Pinned equal to ``put_fast`` and
        the general path by tests/dynamodb/test_put_fast_capacity.py and
        tests/dynamodb/test_put_plain_inline.py.
        """
        res = self.base
        od = res.od_write
        if (
            od is None
            or res.mode != table.billing_mode
            or res.rcu != table.read_capacity
            or res.wcu != table.write_capacity
            or table.listeners
        ):
            self.put_fast(table, pk, None, None, enc)
            return
        now = self.clock.now_us
        store = table.store
        data = store.data
        old = data.get(pk)
        nbytes = enc[0]
        if old is None:
            size = grown = nbytes  # the bytes the put adds to the table (and its partition)
        else:
            old_bytes = old[0]
            size = nbytes if old_bytes < nbytes else old_bytes
            grown = nbytes - old_bytes
        need = (-(-size // 1024) or 1) * UNIT
        if not res.try_take(True, pk, need, now):
            self.put_fast(table, pk, None, None, enc)  # refused: the general path raises it
            return
        i = res.taken
        part = res.parts[i]
        # ``Table.put_encoded(pk, None, None, enc, self._hook)`` for a table without sort key,
        # indexes or listeners (``Store.put`` inlined as there).
        splits = self.splits
        data[pk] = enc
        if old is None:
            if store.order is not None:
                store.order.add((partition_hash(pk), pk))
            store.count += 1
        store.nbytes += grown
        hooks = table.change_hooks
        applied = self._hook
        if len(hooks) == 2:
            # One other hook (a stream's, TTL's...), before or after ours: called without a copy.
            first = hooks[0]
            if first is applied:
                hooks[1](pk, None, old, enc)
            elif hooks[1] is applied:
                first(pk, None, old, enc)
            else:
                for hook in (first, hooks[1]):
                    hook(pk, None, old, enc)
        elif len(hooks) != 1 or hooks[0] is not applied:
            for hook in tuple(hooks):
                if hook is not applied:
                    hook(pk, None, old, enc)
        # ``_stored(pk, None, old, enc)``, as in ``put_fast``.
        if splits != self.splits:
            parts = res.parts
            i = bisect_right(res.starts, partition_hash(pk)) - 1 if len(parts) > 1 else 0
            part = parts[i]
        if old is None:
            part.count += 1
        part.nbytes += grown
        if part.nbytes > self.svc.config.throughput.partition_max_bytes:
            res.split_for_size(i)

    # -- metrics --------------------------------------------------------------------------
    def metric(self, res: Resource, name: str, value: float, operation: str | None = None) -> None:
        """Aggregate one data point into the current minute. O(1)."""
        if operation is None:
            key = res.mkeys.get(name)
            if key is None:
                key = res.mkeys[name] = (res.dims, name)
        else:
            key = ((res.dims[0], ("Operation", operation)), name)
        minute = self.clock.now_us // (60 * US)
        acc = self._acc.get(key)
        if acc is None or acc[0] != minute:
            if acc is not None:
                self._emit(key, acc)
                acc[0] = -1  # retired (see ``Resource.wacc``)
            self._acc[key] = [minute, value, 1, value, value]
            if self._flush_at is None:
                self._flush_at = (minute + 1) * 60 * US
                self.cloud.scheduler.call_at_us(self._flush_at, self._flush_event, daemon=True)
            return
        acc[1] += value
        acc[2] += 1
        if value < acc[3]:
            acc[3] = value
        elif value > acc[4]:
            acc[4] = value

    def _emit(self, key: tuple, acc: list) -> None:
        dims, name = key
        unit = "Count" if name.endswith(("Events", "Requests", "Count")) else "Count"
        self.cloud.metrics.put_statistic_set(
            NAMESPACE, name, [{"Name": k, "Value": v} for k, v in dims], unit,
            acc[2], acc[1], acc[3], acc[4], time_us=acc[0] * 60 * US,
        )

    def _flush_event(self) -> None:
        self._flush_at = None
        self.flush(before_current_minute=False)

    def flush(self, before_current_minute: bool = False) -> None:
        """Move the aggregated data points into ``cloud.metrics``."""
        minute = self.cloud.now_us // (60 * US)
        for key, acc in list(self._acc.items()):
            if before_current_minute and acc[0] >= minute:
                continue
            self._emit(key, acc)
            del self._acc[key]
            acc[0] = -1  # retired (see ``Resource.wacc``)

    # -- introspection --------------------------------------------------------------------
    def describe_partitions(self, index: str | None = None) -> list[dict]:
        res = self.resources[index]
        if res.mode != "PROVISIONED":
            res.grow_on_demand(self.cloud.now_us)
        out = []
        for i, part in enumerate(res.parts):
            out.append(
                {
                    "hash_range": (res.starts[i], res._end(i)),
                    "items": part.count,
                    "bytes": part.nbytes,
                    "read_units_per_s": part.read.rate / 2,
                    "write_units_per_s": part.write.rate / 2,
                }
            )
        return out

    def _check(self) -> None:
        """Invariants: partitions tile the hash space; their counts sum to the table's."""
        for res in self.resources.values():
            assert res.starts[0] == 0 and res.starts == sorted(set(res.starts))
            assert len(res.starts) == len(res.parts)
        base = self.base
        store = self.table.store
        assert sum(p.count for p in base.parts) == store.count, (
            [p.count for p in base.parts], store.count)
        assert sum(p.nbytes for p in base.parts) == store.nbytes
        counts = [p.count for p in base.parts]
        base.recount()
        assert counts == [p.count for p in base.parts]


# ---------------------------------------------------------------------------------------------
# GSI propagation lag


class IndexLag:
    """Delays GSI maintenance by a drawn delay, keeping each table's updates in order.

    Installed as ``table.index_lag``; :meth:`Table._propagate` hands it every GSI change. The
    delay model comes from the table's own setting or ``ThroughputConfig.index_lag``; draws come
    from the stream ``dynamodb/index-lag/<table>`` so a run is reproducible for a seed. Updates
    apply at ``max(now + delay, previous apply time)``, so an index never goes back in time.
    """

    def __init__(self, svc: "DynamoDB", table: "Table", model: Any) -> None:
        self.svc = svc
        self.table = table
        self.model = model
        self.rng = svc.cloud.rng(f"dynamodb/index-lag/{table.name}")
        self.last_us = 0
        self.pending = 0

    def delay_us(self) -> int:
        model = self.model
        if callable(model):
            seconds = float(model(self.rng))
        elif isinstance(model, tuple):
            seconds = self.rng.uniform(float(model[0]), float(model[1]))
        else:
            seconds = float(model)
        return max(0, round(seconds * US))

    def __call__(self, old_item: dict | None, new_item: dict | None) -> None:
        table = self.table
        now = self.svc.cloud.now_us
        due = max(now + self.delay_us(), self.last_us)
        self.last_us = due
        old = None if old_item is None else {k: copy_av(v) for k, v in old_item.items()}
        new = None if new_item is None else {k: copy_av(v) for k, v in new_item.items()}
        indexes = tuple(table.gsis.values())
        self.pending += 1
        self.svc.cloud.scheduler.call_at_us(due, self._apply, indexes, old, new)

    def _apply(self, indexes: tuple, old: dict | None, new: dict | None) -> None:
        self.pending -= 1
        table = self.table
        for index in indexes:
            if table.gsis.get(index.name) is index:
                index.apply(old, new)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Auto scaling


@attrs.define
class ScalingPolicy:
    """Target tracking on one dimension of a table or GSI (Application Auto Scaling-like).

    AWS (DG ``AutoScaling.html``; Application Auto Scaling target tracking): the policy keeps
    consumed / provisioned near ``target`` percent (20-90; the console's default 70); it scales
    out when utilisation stays above the target for 2 consecutive minutes, and in when it stays
    20 percentage points or more below the target for 15 consecutive minutes; the new capacity is
    ``ceil(consumed / target)`` within ``[minimum, maximum]``; decreases obey DynamoDB's quota
    (4 a day, then 1 per hour: a refused decrease waits for the next evaluation).
    """

    table: str
    index: str | None
    dimension: str  # "read" or "write"
    minimum: int
    maximum: int
    target: float = 70.0
    scale_in: bool = True
    high_minutes: int = 0
    low_minutes: int = 0
    last_consumed: float = 0.0
    activities: list[dict] = attrs.field(factory=list)


class ThroughputOps:
    """Capacity tracking on the DynamoDB service (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _index_lags: dict[str, Any]
        cloud: Cloud
        config: DynamoDBConfig
        tables: dict[str, Table]
        def _set_capacity(self, owner: Any, pt: tuple[int, int], now: int) -> None: ...

    # -- tracking -------------------------------------------------------------------------
    def _track_capacity(self, table: "Table", on_demand_spec: Any = None) -> None:
        """Start, refresh or stop capacity tracking for ``table`` after Create/UpdateTable."""
        cfg = self.config.throughput
        maxima = _on_demand_maxima(on_demand_spec)
        tp = table.throughput
        if maxima is not None and tp is not None:
            tp.base.set_maximum(*maxima)
        tracked = cfg.enabled and (
            table.billing_mode == "PROVISIONED"
            or cfg.on_demand
            or (maxima is not None and any(m is not None for m in maxima))
            or (tp is not None and (tp.base.max_read is not None or tp.base.max_write is not None))
        )
        if tracked and tp is None:
            tp = table.throughput = TableThroughput(cast("DynamoDB", self), table)
            if maxima is not None:
                tp.base.set_maximum(*maxima)
        elif not tracked and tp is not None:
            tp.detach()
            table.throughput = None
        elif tp is not None:
            tp.sync()
        self._install_index_lag(table)

    def set_index_lag(self, table: str, delay: Any) -> None:
        """Delay GSI propagation for ``table``: seconds, ``(low, high)``, ``rng -> seconds``,
        or None to follow ``config.throughput.index_lag``."""
        t = self.tables[table]
        self._index_lags[t.name] = delay
        self._install_index_lag(t)

    def _install_index_lag(self, table: "Table") -> None:
        lags = self.__dict__.setdefault("_index_lags", {})
        model = lags.get(table.name)
        if model is None:
            model = self.config.throughput.index_lag
        if model == 0 or model == 0.0 or model is None:
            table.index_lag = None
        elif not isinstance(table.index_lag, IndexLag) or table.index_lag.model != model:
            table.index_lag = IndexLag(cast("DynamoDB", self), table, model)

    def enable_capacity_tracking(self, table: str) -> "TableThroughput":
        """Track (and throttle) ``table`` whatever its mode (an on-demand table included)."""
        t = self.tables[table]
        if t.throughput is None:
            t.throughput = TableThroughput(cast("DynamoDB", self), t)
        return t.throughput  # type: ignore[no-any-return]

    def partitions(self, table: str, index: str | None = None) -> list[dict]:
        """The partitions of a tracked table (or GSI): hash range, items, bytes, ceilings."""
        t = self.tables[table]
        if t.throughput is None:
            return []
        t.throughput.sync()
        return t.throughput.describe_partitions(index)  # type: ignore[no-any-return]

    def flush_capacity_metrics(self) -> None:
        """Flush the per-minute capacity metrics of every tracked table into ``cloud.metrics``."""
        for t in self.tables.values():
            if t.throughput is not None:
                t.throughput.flush()

    # -- auto scaling ---------------------------------------------------------------------
    def enable_auto_scaling(self,
        table: str,
        *,
        index: str | None = None,
        read: tuple[int, int] | None = None,
        write: tuple[int, int] | None = None,
        target: float = 70.0,
        scale_in: bool = True,
    ) -> list[ScalingPolicy]:
        """Target-tracking auto scaling of a provisioned table or GSI (see :class:`ScalingPolicy`).

        ``read``/``write`` are ``(minimum, maximum)`` units. The policy is evaluated every
        virtual minute by a daemon event. Returns the policies created.
        """
        from .errors import ValidationException

        t = self.tables[table]
        if t.billing_mode != "PROVISIONED":
            raise ValidationException("Auto scaling applies to tables in provisioned mode")
        if index is not None and index not in t.gsis:
            raise ValidationException(f"The table does not have the specified index: {index}")
        if not 20.0 <= target <= 90.0:
            raise ValidationException("TargetValue must be between 20 and 90")
        policies = self.__dict__.setdefault("_scaling", {})
        made = []
        for dim, bounds in (("read", read), ("write", write)):
            if bounds is None:
                continue
            lo, hi = bounds
            if not 1 <= lo <= hi:
                raise ValidationException("MinCapacity must be at least 1 and at most MaxCapacity")
            pol = ScalingPolicy(t.name, index, dim, int(lo), int(hi), float(target), scale_in)
            policies[(t.name, index, dim)] = pol
            made.append(pol)
        if made:
            self.enable_capacity_tracking(t.name)
            if not self.__dict__.get("_scaling_scheduled"):
                self._scaling_scheduled = True  # type: ignore[attr-defined]
                now = self.cloud.now_us
                nxt = (now // (60 * US) + 1) * 60 * US
                self.cloud.scheduler.call_at_us(nxt, self._scaling_tick, daemon=True)
        return made

    def disable_auto_scaling(self, table: str, index: str | None = None) -> None:
        policies = self.__dict__.get("_scaling", {})
        for dim in ("read", "write"):
            policies.pop((table, index, dim), None)

    def scaling_policies(self) -> list[ScalingPolicy]:
        return list(self.__dict__.get("_scaling", {}).values())

    def _scaling_tick(self) -> None:
        policies = self.__dict__.get("_scaling", {})
        now = self.cloud.now_us
        for key in list(policies):
            pol = policies[key]
            t = self.tables.get(pol.table)
            if t is None or t.status == "DELETING" or t.billing_mode != "PROVISIONED":
                del policies[key]
                continue
            self._evaluate_policy(t, pol, now)
        if policies:
            self.cloud.scheduler.call_at_us(now + 60 * US, self._scaling_tick, daemon=True)
        else:
            self._scaling_scheduled = False  # type: ignore[attr-defined]

    def _evaluate_policy(self, t: "Table", pol: ScalingPolicy, now: int) -> None:
        from .errors import LimitExceededException

        tp = t.throughput
        if tp is None:
            tp = self.enable_capacity_tracking(t.name)
        owner = t if pol.index is None else t.gsis.get(pol.index)
        if owner is None:
            return
        name = "ConsumedReadCapacityUnits" if pol.dimension == "read" else "ConsumedWriteCapacityUnits"
        res = tp.resources.get(pol.index)
        if res is None:
            tp.sync_indexes()
            res = tp.resources[pol.index]
        key = (res.dims, name)
        minute = now // (60 * US) - 1  # the minute that just ended
        acc = tp._acc.get(key)
        total = acc[1] if acc is not None and acc[0] == minute else 0.0
        per_second = total / 60.0
        pol.last_consumed = per_second
        provisioned = owner.read_capacity if pol.dimension == "read" else owner.write_capacity
        utilisation = 100.0 * per_second / provisioned if provisioned else 0.0
        pol.high_minutes = pol.high_minutes + 1 if utilisation > pol.target else 0
        pol.low_minutes = pol.low_minutes + 1 if utilisation <= pol.target - 20.0 else 0
        desired = None
        if pol.high_minutes >= 2:
            desired = math.ceil(per_second * 100.0 / pol.target)
        elif pol.scale_in and pol.low_minutes >= 15:
            desired = math.ceil(per_second * 100.0 / pol.target)
        if provisioned < pol.minimum:
            desired = max(desired or 0, pol.minimum)
        if provisioned > pol.maximum:
            desired = min(desired or provisioned, pol.maximum)
        if desired is None:
            return
        desired = max(pol.minimum, min(pol.maximum, desired))
        if desired == provisioned:
            return
        r = desired if pol.dimension == "read" else owner.read_capacity
        w = desired if pol.dimension == "write" else owner.write_capacity
        try:
            self._set_capacity(owner, (r, w), now)
        except LimitExceededException:
            return  # decrease quota reached: try again at the next evaluation
        pol.high_minutes = pol.low_minutes = 0
        pol.activities.append(
            {"time_us": now, "dimension": pol.dimension, "from": provisioned, "to": desired}
        )
        self.cloud.trace.record(
            "dynamodb", "auto_scaling", table=t.name, index=pol.index,
            dimension=pol.dimension, old=provisioned, new=desired,
        )
        tp.sync()


def _on_demand_maxima(spec: Any) -> tuple[int | None, int | None] | None:
    if not isinstance(spec, dict):
        return None

    def unit(v: Any) -> int | None:
        return None if v is None or v == -1 else int(v)

    return unit(spec.get("MaxReadRequestUnits")), unit(spec.get("MaxWriteRequestUnits"))


__all__ = [
    "Bucket",
    "IndexLag",
    "OnDemand",
    "ScalingPolicy",
    "TableThroughput",
    "ThroughputConfig",
    "ThroughputOps",
]

