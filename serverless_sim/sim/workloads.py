"""Workloads: arrival processes driving a mix of requests at targets, on the virtual clock.

::

    from serverless_sim.sim import workload, Daily, Function, Queue

    wl = workload(cloud, "shop", Daily(mean=10), [(0.9, Function("orders")), (0.1, Queue("jobs"))],
                  event=lambda i, rng: {"id": i})
    cloud.advance("1d")   # or cloud.run(...)
    wl.stats.summary()

A workload is **state as data**: a :class:`Workload` object with plain attributes (its arrival
process, its targets, counters, a latency histogram) whose bound method is the one scheduled
kernel event per arrival. Nothing is a live generator, so :func:`serverless_sim.sim.fork` can
copy a Cloud between any two events. Each workload draws from its own random stream,
``cloud.rng("workload/<name>")`` (arrival gaps, target choice, payloads), so adding a workload
never changes the draws of another.

Targets (each records ``ok`` / ``error`` / ``throttled`` and the latency it can observe):

- :class:`Function` — Lambda, through the native non-blocking path (``Lambda.submit``): the
  latency is the invocation's (arrival to response, cold starts included); a
  ``TooManyRequestsException`` counts as throttled. ``invocation="async"`` queues instead.
- :class:`Queue` — SQS SendMessage (latency 0).
- :class:`Bucket` — S3 PutObject or GetObject (latency 0).
- :class:`StateMachine` — Step Functions StartExecution; the latency is the execution's, recorded
  when it closes (failed / timed out / aborted count as errors).
- :class:`Table` — a DynamoDB put / get / update / delete / query (latency 0); throttles counted.
- :class:`Route` — an API Gateway route (REST or HTTP API) through ``submit``; the latency is
  the gateway's; 429 counts as throttled and 5xx as an error.
- :class:`Call` — any Python callable ``fn(cloud, event)``; an :class:`~serverless_sim.AWSError`
  it raises counts as an error (a throttling code as throttled). Other exceptions propagate.

Payloads: ``event`` is a constant or ``event(i, rng) -> payload`` (``i`` counts the workload's
requests from 0; ``rng`` is the workload's stream). A :class:`~.arrivals.Replay` row's payload,
when present, wins. Callables should be module-level functions or closures so that forks work.

Each workload also publishes CloudWatch-shaped metrics in the namespace
``ServerlessSim/Workloads`` (dimension ``Workload``): ``Requests``, ``Errors``, ``Throttles``
(statistic sets) and ``Latency`` in milliseconds (raw values for percentiles, or a statistic
set with ``latency_samples=False`` for memory that stays flat over long runs).
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder as _c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii as _encode_basestring_ascii
import math
import random
from bisect import bisect_right
from heapq import heappush
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..kernel.clock import US_PER_SECOND, duration_to_us, format_us
from ..kernel.errors import AWSError, SimError
from ..kernel.metrics import _Bucket
from .arrivals import Arrival, Replay

if TYPE_CHECKING:
    from ..cloud import Cloud

NAMESPACE = "ServerlessSim/Workloads"

_ENCODER = json.JSONEncoder(sort_keys=True, default=str)


def _make_c_encoder(markers: dict[int, Any]) -> Any:
    """The C encoder ``JSONEncoder.iterencode`` makes for ``_ENCODER`` (``indent`` None)."""
    enc = _ENCODER
    return _c_make_encoder(markers, enc.default, _encode_basestring_ascii, None, enc.key_separator,
                           enc.item_separator, enc.sort_keys, enc.skipkeys, enc.allow_nan)


#: One C encoder for every body, and its circular-reference markers (a dict of the ids of the
#: containers being encoded: empty between calls, since the encoder removes each id when its
#: container is done).
_MARKERS: dict[int, Any] = {}
_C_ENCODER = None if _c_make_encoder is None else _make_c_encoder(_MARKERS)


def _dumps(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, default=str)``: the same text.

    ``dumps`` with keyword arguments builds a new JSONEncoder per call; ``_ENCODER.encode``
    then runs ``encode`` and ``iterencode`` in Python to make the C encoder (a fresh one per
    call, for its circular-reference markers). This calls that same C encoder (the encoder's
    settings, as ``JSONEncoder.encode`` does for a non-str value when ``indent`` is None), made
    once: its markers are empty between calls. Non-empty markers mean an encoding is under way
    (a ``default`` that encodes in turn): that nested call gets a fresh encoder. An error
    leaves ids behind: they are cleared. Falls back to ``encode`` without the C encoder.
    O(size of value)."""
    if _C_ENCODER is None or type(value) is str:
        return _ENCODER.encode(value)
    if _MARKERS:  # a nested call: the shared encoder is busy
        return "".join(_make_c_encoder({})(value, 0))
    try:
        return "".join(_C_ENCODER(value, 0))
    except BaseException:
        _MARKERS.clear()
        raise

OK = "ok"
ERROR = "error"
THROTTLED = "throttled"

#: AWS error codes that mean "throttled" rather than "failed".
THROTTLE_CODES = frozenset({
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "ThrottlingException",
    "RequestLimitExceeded", "Throttling", "ThrottledException", "SlowDown", "LimitExceededException",
})

_LOG_BASE = math.log(1.01)
_INV_LOG_BASE = 1 / _LOG_BASE
_log = math.log


def bucket_of(us: int) -> int:
    """The :class:`LatencyHistogram` bucket of a latency in microseconds (-1 for <= 0). O(1)."""
    return -1 if us <= 0 else int(_log(us) * _INV_LOG_BASE)


@attrs.define(eq=False)
class LatencyHistogram:
    """Latencies in log buckets 1% wide: constant memory, percentiles within 1%.

    ``percentile(p)`` uses the nearest rank (as CloudWatch does) and returns the bucket's
    geometric middle, clamped to the exact minimum and maximum. O(buckets) per query.
    """

    buckets: dict[int, int] = attrs.field(factory=dict)
    count: int = 0
    total_us: int = 0
    min_us: int | None = None
    max_us: int | None = None

    def add(self, us: int) -> int:
        """Count one latency; returns its bucket (for :meth:`add_at`). O(1)."""
        i = bucket_of(us)
        self.add_at(i, us)
        return i

    def add_at(self, i: int, us: int) -> None:
        """Count one latency ``us`` whose bucket ``i`` is known (from :func:`bucket_of`). O(1)."""
        b = self.buckets
        b[i] = b.get(i, 0) + 1
        self.count += 1
        self.total_us += us
        lo = self.min_us
        if lo is None or us < lo:
            self.min_us = us
        hi = self.max_us
        if hi is None or us > hi:
            self.max_us = us

    def percentile(self, p: float) -> float | None:
        """The ``p``-th percentile in microseconds (None when empty)."""
        if not self.count:
            return None
        rank = max(1, math.ceil(p / 100.0 * self.count))
        if rank >= self.count:
            return float(self.max_us)  # type: ignore[arg-type]
        seen = 0
        for i in sorted(self.buckets):
            seen += self.buckets[i]
            if seen >= rank:
                value = 0.0 if i < 0 else math.exp((i + 0.5) * _LOG_BASE)
                assert self.min_us is not None and self.max_us is not None
                return min(max(value, float(self.min_us)), float(self.max_us))
        return float(self.max_us or 0)  # pragma: no cover - rank <= count

    @property
    def mean_us(self) -> float | None:
        return self.total_us / self.count if self.count else None

    def merge(self, other: "LatencyHistogram") -> None:
        for i, n in other.buckets.items():
            self.buckets[i] = self.buckets.get(i, 0) + n
        self.count += other.count
        self.total_us += other.total_us
        for v in (other.min_us,):
            if v is not None and (self.min_us is None or v < self.min_us):
                self.min_us = v
        for v in (other.max_us,):
            if v is not None and (self.max_us is None or v > self.max_us):
                self.max_us = v


@attrs.define(eq=False)
class Stats:
    """Counters of one workload (or one target of it)."""

    sent: int = 0
    ok: int = 0
    errors: int = 0
    throttled: int = 0
    latency: LatencyHistogram = attrs.field(factory=LatencyHistogram)

    @property
    def completed(self) -> int:
        return self.ok + self.errors + self.throttled

    @property
    def pending(self) -> int:
        return self.sent - self.completed

    def summary(self) -> dict[str, Any]:
        """Plain numbers: counts, rates and latency percentiles in milliseconds."""
        lat = self.latency
        out: dict[str, Any] = {
            "sent": self.sent, "ok": self.ok, "errors": self.errors, "throttled": self.throttled,
            "pending": self.pending,
            "error_rate": self.errors / self.completed if self.completed else 0.0,
            "throttle_rate": self.throttled / self.completed if self.completed else 0.0,
        }
        for p in (50, 90, 99, 99.9):
            v = lat.percentile(p)
            out[f"p{p:g}_ms"] = None if v is None else v / 1000
        out["mean_ms"] = None if lat.mean_us is None else lat.mean_us / 1000
        out["max_ms"] = None if lat.max_us is None else lat.max_us / 1000
        return out


# -- targets --------------------------------------------------------------------------------------
def _svc(wl: "Workload | None", name: str) -> Any:
    assert wl is not None
    return wl.cloud.service(name)


@attrs.define(eq=False)
class Target:
    """Where a workload's request goes. Subclasses implement :meth:`send` and report each
    outcome with ``self.workload._record(self, latency_us, outcome)``."""

    #: A label for reports (defaults to ``<kind>:<resource>``).
    name: str = attrs.field(default="", kw_only=True)
    #: The workload this target belongs to (set when the workload is made).
    workload: "Workload | None" = attrs.field(default=None, kw_only=True, repr=False)
    stats: Stats = attrs.field(factory=Stats, kw_only=True, repr=False)

    def default_name(self) -> str:
        return type(self).__name__.lower()

    def send(self, event: Any, now_us: int) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _outcome_of(self, exc: AWSError) -> str:
        return THROTTLED if getattr(exc, "code", "") in THROTTLE_CODES else ERROR

    def _done(self, latency_us: int, outcome: str) -> None:
        wl = self.workload
        assert wl is not None
        wl._record(self, latency_us, outcome)


@attrs.define(eq=False)
class Function(Target):
    """A Lambda function (name or ARN, optional qualifier). ``invocation="sync"`` starts the
    invocation now through the native non-blocking path and records its latency at completion;
    ``"async"`` queues it (``InvocationType=Event``) and records the enqueue only."""

    function: str
    qualifier: str | None = None
    invocation: str = attrs.field(default="sync", validator=attrs.validators.in_(("sync", "async")))
    _lambda: Any = attrs.field(default=None, repr=False, init=False)
    #: ``self._completed``, bound once (a fork rebinds it to the copy)
    _on_complete: Any = attrs.field(default=None, repr=False, init=False)

    def default_name(self) -> str:
        return f"lambda:{self.function}" + (f":{self.qualifier}" if self.qualifier else "")

    def send(self, event: Any, now_us: int) -> None:
        lam = self._lambda
        if lam is None:
            wl = self.workload
            assert wl is not None
            lam = self._lambda = wl.cloud.service("lambda")
            self._on_complete = self._completed
        try:
            if self.invocation == "async":
                lam.invoke_async(self.function, event, qualifier=self.qualifier)
                self._done(0, OK)
            else:
                lam.submit(self.function, event, qualifier=self.qualifier, on_complete=self._on_complete)
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))

    def _completed(self, inv: Any) -> None:
        wl = self.workload
        assert wl is not None
        wl._record(self, inv.end_us - inv.arrival_us, OK if inv.error is None else ERROR)  # what _done does


@attrs.define(eq=False)
class Queue(Target):
    """An SQS queue (name, URL or ARN): SendMessage with the payload as body (JSON-encoded
    unless it is a str). ``group`` (FIFO) is a constant or ``group(i, rng)``."""

    queue: str
    group: Any = None

    def default_name(self) -> str:
        return f"sqs:{self.queue}"

    def send(self, event: Any, now_us: int) -> None:
        wl = self.workload
        assert wl is not None
        body = event if isinstance(event, str) else _dumps(event)
        group = self.group(wl.stats.sent - 1, wl.rng) if callable(self.group) else self.group
        try:
            q = _svc(wl, "sqs").queue(self.queue)
            if group is None:
                q.send(body)
            else:
                q.send(body, group_id=group, dedup_id=f"{wl.name}-{wl.stats.sent}")
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))
        else:
            self._done(0, OK)


@attrs.define(eq=False)
class Bucket(Target):
    """An S3 bucket: ``op="put"`` writes the payload (str/bytes, else JSON) at ``key``;
    ``op="get"`` reads ``key``. ``key`` is a format string with ``{i}`` or ``key(i, rng)``."""

    bucket: str
    key: Any = "obj-{i}"
    op: str = attrs.field(default="put", validator=attrs.validators.in_(("put", "get")))

    def default_name(self) -> str:
        return f"s3:{self.bucket}:{self.op}"

    def send(self, event: Any, now_us: int) -> None:
        wl = self.workload
        assert wl is not None
        i = wl.stats.sent - 1
        key = self.key(i, wl.rng) if callable(self.key) else str(self.key).format(i=i)
        s3 = _svc(wl, "s3")
        try:
            if self.op == "put":
                data = event if isinstance(event, (str, bytes)) else _dumps(event)
                s3.put(self.bucket, key, data)
            else:
                s3.get(self.bucket, key)
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))
        else:
            wl._count_s3(self.op)
            self._done(0, OK)


@attrs.define(eq=False)
class StateMachine(Target):
    """A Step Functions state machine (ARN or name): StartExecution with the payload as input;
    the latency is recorded when the execution closes (failures count as errors)."""

    state_machine: str

    def default_name(self) -> str:
        return f"states:{self.state_machine.rsplit(':', 1)[-1]}"

    def send(self, event: Any, now_us: int) -> None:
        wl = self.workload
        assert wl is not None
        sfn = _svc(wl, "stepfunctions")
        arn = self.state_machine
        if not arn.startswith("arn:"):
            arn = sfn.arn("stateMachine", arn)
        try:
            out = sfn.start_execution({"stateMachineArn": arn,
                                       "input": json.dumps(event if event is not None else {}, sort_keys=True,
                                                           default=str)})
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))
            return
        ex = sfn.executions[out["executionArn"]]
        if ex.status != "RUNNING":
            self._closed(ex)
        else:
            ex.waiters.append(self._closed)

    def _closed(self, ex: Any) -> None:
        stop = ex.stop_us if ex.stop_us is not None else ex.start_us
        self._done(stop - ex.start_us, OK if ex.status == "SUCCEEDED" else ERROR)


@attrs.define(eq=False)
class Table(Target):
    """A DynamoDB table through the native API: ``op`` is ``put`` (the payload is the item),
    ``get`` / ``delete`` (the payload is the key: a value or a tuple), ``update`` (the payload
    is ``(key, {"set": ..., "add": ...})``) or ``query`` (the payload is the partition key)."""

    table: str
    op: str = attrs.field(default="put", validator=attrs.validators.in_(("put", "get", "update", "delete", "query")))

    def default_name(self) -> str:
        return f"dynamodb:{self.table}:{self.op}"

    def send(self, event: Any, now_us: int) -> None:
        wl = self.workload
        assert wl is not None
        t = wl.cloud.dynamodb.table(self.table)
        op = self.op
        try:
            if op == "put":
                t.put(event)
            elif op == "get":
                t.get(*event) if isinstance(event, tuple) else t.get(event)
            elif op == "delete":
                t.delete(*event) if isinstance(event, tuple) else t.delete(event)
            elif op == "update":
                key, changes = event
                t.update(key, **changes)
            else:
                t.query(event)
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))
        else:
            self._done(0, OK)


@attrs.define(eq=False)
class Route(Target):
    """An API Gateway route: ``Route(api_id, "POST", "/prod/orders")`` (REST: the stage first;
    HTTP APIs' ``$default`` stage: no stage). The payload is the body (JSON unless str/bytes).
    Sent through ``submit``; the latency is the gateway's. 429 counts as throttled, 5xx as an
    error."""

    api_id: str
    method: str = "GET"
    path: str = "/"
    headers: dict[str, str] | None = None
    _gateway: Any = attrs.field(default=None, repr=False, init=False)
    #: ``self._response``, bound once (a fork rebinds it to the copy)
    _on_response: Any = attrs.field(default=None, repr=False, init=False)

    def default_name(self) -> str:
        return f"apigateway:{self.api_id}:{self.method} {self.path}"

    def send(self, event: Any, now_us: int) -> None:
        gw = self._gateway
        if gw is None:
            gw = self._gateway = _svc(self.workload, "apigateway")
            self._on_response = self._response
        body = None if event is None else (event if isinstance(event, (str, bytes))
                                           else _dumps(event))
        gw.submit(self.api_id, self.method, self.path, self.headers, body, on_response=self._on_response)

    def _response(self, response: Any) -> None:
        wl = self.workload
        assert wl is not None
        status = response.status
        outcome = THROTTLED if status == 429 else (ERROR if status >= 500 else OK)
        # ``start_us`` is the instant ``submit`` ran (the send instant): the gateway sets it on
        # every response it returns (``Gateway._finish``, from the exchange's ``t0``, which
        # ``submit`` sets to the clock's now). tests/sim/test_sim_workload_route.py pins it.
        wl._record(self, wl._clock.now_us - response.start_us, outcome)  # what _done does


@attrs.define(eq=False)
class Call(Target):
    """Any Python callable ``fn(cloud, event)``, run at the arrival instant (latency 0)."""

    fn: Callable[[Any, Any], Any]

    def default_name(self) -> str:
        return f"call:{getattr(self.fn, '__qualname__', type(self.fn).__name__)}"

    def send(self, event: Any, now_us: int) -> None:
        wl = self.workload
        assert wl is not None
        try:
            self.fn(wl.cloud, event)
        except AWSError as exc:
            self._done(0, self._outcome_of(exc))
        else:
            self._done(0, OK)


# -- the workload -----------------------------------------------------------------------------------
@attrs.define(eq=False)
class Workload:
    """One arrival process driving a weighted mix of targets. Make it with :func:`workload`.

    ``stats`` counts every request of the workload, each target's ``stats`` its own; with a
    single target the two are one :class:`Stats` object (the same numbers, counted once)."""

    cloud: "Cloud" = attrs.field(repr=False)
    name: str
    arrival: Arrival
    targets: list[Target]
    cumulative: list[float] = attrs.field(repr=False)
    event: Any = attrs.field(default=None, repr=False)
    start_us: int = 0
    end_us: int | None = None
    limit: int | None = None
    latency_samples: bool = True
    stats: Stats = attrs.field(factory=Stats, repr=False)
    rng: random.Random = attrs.field(default=None, repr=False)
    handle: Any = attrs.field(default=None, repr=False)
    running: bool = False
    s3_requests: dict[str, int] = attrs.field(factory=dict, repr=False)
    _series: Any = attrs.field(default=None, repr=False)
    #: The Cloud's clock and scheduler (read per arrival).
    _clock: Any = attrs.field(init=False, repr=False,
                              default=attrs.Factory(lambda self: self.cloud.clock, takes_self=True))
    _sched: Any = attrs.field(init=False, repr=False,
                              default=attrs.Factory(lambda self: self.cloud.scheduler, takes_self=True))
    #: The buckets of the Requests and Latency series (``_series[0]`` / ``[3]``) and their width
    #: in microseconds, for the inlined statistic-set writes (set by :meth:`_publish`).
    _requests: Any = attrs.field(default=None, init=False, repr=False)
    _latency: Any = attrs.field(default=None, init=False, repr=False)
    _width: int = attrs.field(default=60 * US_PER_SECOND, init=False, repr=False)

    def _publish(self, series: Any) -> None:
        """Publish to ``series`` (Requests, Errors, Throttles, Latency), or to none (None)."""
        self._series = series
        if series is None:
            self._requests = self._latency = None
            return
        req, lat = series[0], series[3]
        if req.resolution_s == lat.resolution_s:
            self._requests, self._latency = req.buckets, lat.buckets
            self._width = req.resolution_s * US_PER_SECOND
        else:  # pragma: no cover - the workload makes both at 60 s
            self._requests = self._latency = None

    # -- the one event per arrival --------------------------------------------------------------
    def _arm(self, after_us: int) -> None:
        t = self.arrival.next_us(after_us, self.rng)
        if t is None or (self.end_us is not None and t > self.end_us) or (
                self.limit is not None and self.stats.sent >= self.limit):
            self.handle = None
            self.running = False
            return
        sched = self._sched
        sched._seq = seq = sched._seq + 1
        self.handle = entry = (t, seq, self._fire, ())
        heappush(sched._queue, entry)

    def _fire(self) -> None:
        now = self._clock.now_us
        arrival = self.arrival
        if arrival.idle:  # a thinned process found no arrival yet
            self._arm(now)
            return
        row = arrival.current if type(arrival) is Replay else None
        stats = self.stats
        i = stats.sent
        stats.sent = i + 1
        targets = self.targets
        if row is not None and row.target is not None:
            target = self._by_name(row.target)
        elif len(targets) == 1:
            target = targets[0]
        else:
            target = targets[bisect_right(self.cumulative, self.rng.random() * self.cumulative[-1])]
        ts = target.stats
        if ts is not stats:
            ts.sent += 1
        if row is not None and row.payload is not None:
            event = row.payload
        else:
            ev = self.event
            event = ev(i, self.rng) if callable(ev) else ev
        buckets = self._requests
        if buckets is not None:
            # _series[0].add_statistic_set(now, 1, 1.0, 1.0, 1.0), inlined (MetricSeries)
            start = now - now % self._width
            b = buckets.get(start)
            if b is None:
                b = buckets[start] = _Bucket()
            b.count += 1
            b.total += 1.0
            if 1.0 < b.minimum:
                b.minimum = 1.0
            if 1.0 > b.maximum:
                b.maximum = 1.0
        elif self._series is not None:  # pragma: no cover - series of another resolution
            self._series[0].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        # self._arm(now), inlined
        t = arrival.next_us(now, self.rng)
        if t is None or (self.end_us is not None and t > self.end_us) or (
                self.limit is not None and stats.sent >= self.limit):
            self.handle = None
            self.running = False
        else:
            sched = self._sched
            sched._seq = seq = sched._seq + 1
            self.handle = entry = (t, seq, self._fire, ())
            heappush(sched._queue, entry)
        target.send(event, now)

    def _by_name(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise SimError(f"workload {self.name!r}: the replayed row names target {name!r}; "
                       f"targets: {', '.join(t.name for t in self.targets)}")

    def _record(self, target: Target, latency_us: int, outcome: str) -> None:
        a, b = self.stats, target.stats
        both = b is not a  # a single target's Stats are the workload's (see workload())
        if outcome == OK:
            a.ok += 1
            if both:
                b.ok += 1
        elif outcome == ERROR:
            a.errors += 1
            if both:
                b.errors += 1
        else:
            a.throttled += 1
            if both:
                b.throttled += 1
        if outcome != THROTTLED:
            # the bucket once, for both histograms (bucket_of, inlined)
            i = int(_log(latency_us) * _INV_LOG_BASE) if latency_us > 0 else -1
            a.latency.add_at(i, latency_us)
            if both:
                b.latency.add_at(i, latency_us)
        series = self._series
        if series is not None:
            now = self._clock.now_us
            if outcome == ERROR:
                series[1].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
            elif outcome == THROTTLED:
                series[2].add_statistic_set(now, 1, 1.0, 1.0, 1.0)
            if outcome != THROTTLED:
                ms = latency_us / 1000
                if self.latency_samples:
                    series[3].add(now, ms)
                else:
                    buckets = self._latency
                    if buckets is None:  # pragma: no cover - series of another resolution
                        series[3].add_statistic_set(now, 1, ms, ms, ms)
                        return
                    # series[3].add_statistic_set(now, 1, ms, ms, ms), inlined (MetricSeries)
                    start = now - now % self._width
                    bk = buckets.get(start)
                    if bk is None:
                        bk = buckets[start] = _Bucket()
                    bk.count += 1
                    bk.total += ms
                    if ms < bk.minimum:
                        bk.minimum = ms
                    if ms > bk.maximum:
                        bk.maximum = ms

    def _count_s3(self, op: str) -> None:
        self.s3_requests[op] = self.s3_requests.get(op, 0) + 1

    # -- control -------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop arrivals now (requests in flight still complete)."""
        if self.handle is not None:
            self.cloud.scheduler.cancel(self.handle)
            self.handle = None
        self.running = False

    def summary(self) -> dict[str, Any]:
        """Counters and latency percentiles, for the workload and per target."""
        return {
            "workload": self.name, **self.stats.summary(),
            "targets": {t.name: t.stats.summary() for t in self.targets},
        }

    def _repr_html_(self) -> str:
        from .display import workload_html

        return workload_html(self)

    def __repr__(self) -> str:
        return (f"<Workload {self.name!r} {type(self.arrival).__name__} sent={self.stats.sent} "
                f"{'running' if self.running else 'stopped'}>")


def workloads(cloud: "Cloud") -> dict[str, Workload]:
    """The workloads of a Cloud, by name (kept on the Cloud so that forks carry them)."""
    reg = cloud.__dict__.get("_sim_workloads")
    if reg is None:
        reg = cloud.__dict__["_sim_workloads"] = {}
    return reg  # type: ignore[no-any-return]


TargetSpec = Any


def _normalise_targets(spec: TargetSpec) -> tuple[list[Target], list[float]]:
    if isinstance(spec, Target):
        pairs: list[tuple[float, Target]] = [(1.0, spec)]
    elif isinstance(spec, dict):
        pairs = [(float(w), t) for t, w in spec.items()]
    elif callable(spec):
        pairs = [(1.0, Call(spec))]
    else:
        pairs = []
        for item in spec:
            if isinstance(item, Target):
                pairs.append((1.0, item))
            else:
                w, t = item
                pairs.append((float(w), t if isinstance(t, Target) else Call(t)))
    if not pairs:
        raise SimError("a workload needs at least one target")
    targets, cumulative = [], []
    acc = 0.0
    seen: set[str] = set()
    for w, t in pairs:
        if not isinstance(t, Target):
            raise SimError(f"not a target: {t!r} (use Function(...), Queue(...), ... or a callable)")
        if not w >= 0:
            raise SimError(f"weights are non-negative, got {w!r}")
        t = attrs.evolve(t, stats=Stats(), workload=None)  # each workload owns its targets
        if not t.name:
            t.name = t.default_name()
        base, n = t.name, 2
        while t.name in seen:
            t.name = f"{base}#{n}"
            n += 1
        seen.add(t.name)
        acc += w
        targets.append(t)
        cumulative.append(acc)
    if not acc > 0:
        raise SimError("at least one weight must be positive")
    return targets, cumulative


def workload(
    cloud: "Cloud",
    name: str,
    arrival: Arrival,
    targets: TargetSpec,
    *,
    event: Any = None,
    start: Any = None,
    duration: Any = None,
    limit: int | None = None,
    metrics: bool = True,
    latency_samples: bool = True,
) -> Workload:
    """Start a workload on ``cloud``.

    ``targets``: one target, a callable, a list of targets or ``(weight, target)`` pairs, or a
    dict ``{target: weight}``. ``event``: the payload, constant or ``event(i, rng)``.
    ``start``: when arrivals begin (an instant as ``Cloud.call_at`` takes it; default now);
    ``duration`` (seconds, timedelta or ``"2h"``-style text) or ``limit`` (requests) end it.
    ``metrics=False`` publishes nothing to ``cloud.metrics`` (the counters stay).
    """
    reg = workloads(cloud)
    if not isinstance(name, str) or not name:
        raise SimError(f"a workload's name is a non-empty str, got {name!r}")
    if name in reg:
        raise SimError(f"a workload named {name!r} already exists in this Cloud")
    if not isinstance(arrival, Arrival):
        raise SimError(f"not an arrival process: {arrival!r} (use Constant, Poisson, Daily, ...)")
    tlist, cumulative = _normalise_targets(targets)
    now = cloud.clock.now_us
    start_us = now if start is None else cloud._instant_us(start)
    if start_us < now:
        raise SimError(f"a workload cannot start in the past ({format_us(start_us)})")
    end_us = None if duration is None else start_us + parse_duration_us(duration)
    # One target: its counters are the workload's, so they are one Stats object (counted once).
    stats = tlist[0].stats if len(tlist) == 1 else Stats()
    wl = Workload(cloud, name, arrival, tlist, cumulative, event=event, start_us=start_us, end_us=end_us,
                  limit=limit, latency_samples=latency_samples, stats=stats, rng=cloud.rng(f"workload/{name}"))
    for t in tlist:
        t.workload = wl
    if metrics:
        d = {"Workload": name}
        get = cloud.metrics._get
        wl._publish((get(NAMESPACE, "Requests", d, "Count", 60), get(NAMESPACE, "Errors", d, "Count", 60),
                     get(NAMESPACE, "Throttles", d, "Count", 60), get(NAMESPACE, "Latency", d, "Milliseconds", 60)))
    reg[name] = wl
    arrival.start(start_us)
    wl.running = True
    wl._arm(start_us)
    return wl


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration_us(value: Any) -> int:
    """Seconds, a timedelta, or text like ``"90s"``, ``"15m"``, ``"2h"``, ``"30d"``, ``"1w"``,
    ``"1d12h"`` -> integer microseconds."""
    if isinstance(value, str):
        import re

        text = value.strip().lower().replace(" ", "")
        parts = re.findall(r"(\d+(?:\.\d+)?)(us|ms|min|s|m|h|d|w)", text)
        if not parts or "".join(n + u for n, u in parts) != text:
            try:
                return duration_to_us(float(text))
            except ValueError:
                raise SimError(f"not a duration: {value!r} (try '90s', '15m', '2h', '30d', '1w')") from None
        return sum(round(float(n) * _UNITS[u] * 1_000_000) for n, u in parts)
    return duration_to_us(value)


__all__ = [
    "Bucket", "Call", "ERROR", "Function", "LatencyHistogram", "NAMESPACE", "OK", "Queue", "Route",
    "StateMachine", "Stats", "THROTTLED", "Table", "Target", "Workload", "parse_duration_us", "workload",
    "workloads",
]
