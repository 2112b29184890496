"""What an invocation leaves behind: log lines, CloudWatch metrics.

Logs (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html), in the log
group ``/aws/lambda/<name>`` and the environment's stream ``YYYY/MM/DD/[<version>]<32 hex>``::

    START RequestId: <id> Version: $LATEST
    <what the handler printed, one event per line>
    [ERROR] ValueError: boom ...                     (an unhandled exception)
    <timestamp> <id> Task timed out after 3.00 seconds   (a timeout)
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 110.05 ms

``Restore Duration: X ms\tBilled Restore Duration: Y ms`` replaces ``Init Duration`` after a
SnapStart restore; ``Status: timeout`` ends the REPORT of a timed-out invocation. Billed
Duration is the duration rounded *up* to the millisecond, plus the Init duration for on-demand
environments (INIT is billed since 2025-08-01:
https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).

Metrics (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html), namespace
``AWS/Lambda``: ``Invocations``, ``Errors``, ``Throttles``, ``Duration`` (ms),
``ConcurrentExecutions``, ``ProvisionedConcurrencyInvocations``,
``ProvisionedConcurrencySpilloverInvocations``, ``ProvisionedConcurrentExecutions``, with the
dimension ``FunctionName``; also with ``FunctionName`` + ``Resource`` (``name:qualifier``) for
qualified invocations, ``FunctionName`` + ``Resource`` + ``ExecutedVersion`` for alias
invocations, and account-wide (no dimension) for ``Invocations``, ``Errors``, ``Throttles``,
``ConcurrentExecutions`` and ``UnreservedConcurrentExecutions``. Counts are stored as statistic
sets (constant memory); Duration keeps raw values for percentiles unless
``LambdaConfig.duration_percentiles`` is off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.clock import format_us

if TYPE_CHECKING:
    from ..kernel.metrics import MetricSeries, MetricStore

NAMESPACE = "AWS/Lambda"


class SeriesCache:
    """Metric series looked up once and then added to directly (the hot path)."""

    __slots__ = ("_store", "_cache")

    def __init__(self, store: "MetricStore") -> None:
        self._store = store
        self._cache: dict[tuple[str, tuple[tuple[str, str], ...]], "MetricSeries"] = {}

    def get(self, name: str, dims: tuple[tuple[str, str], ...], unit: str = "Count") -> "MetricSeries":
        key = (name, dims)
        series = self._cache.get(key)
        if series is None:
            series = self._cache[key] = self._store._get(NAMESPACE, name, dict(dims), unit, 60)
        return series


def report_line(
    request_id: str,
    duration_us: int,
    billed_ms: int,
    memory: int,
    used_mb: int,
    init_us: int,
    restore_us: int,
    restore_billed_ms: int,
    timed_out: bool,
) -> str:
    text = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_us / 1000:.2f} ms\t"
        f"Billed Duration: {billed_ms} ms\tMemory Size: {memory} MB\tMax Memory Used: {used_mb} MB"
    )
    if init_us:
        text += f"\tInit Duration: {init_us / 1000:.2f} ms"
    if restore_us:
        text += f"\tRestore Duration: {restore_us / 1000:.2f} ms\tBilled Restore Duration: {restore_billed_ms} ms"
    if timed_out:
        text += "\tStatus: timeout"
    return text


def timeout_line(end_us: int, request_id: str, timeout_s: int) -> str:
    return f"{format_us(end_us)[:23]}Z {request_id} Task timed out after {timeout_s:.2f} seconds"


def log_tail(lines: list[str], limit: int) -> bytes:
    """The last ``limit`` bytes of the log text (what LogType=Tail returns, base64-encoded)."""
    data = "".join(line if line.endswith("\n") else line + "\n" for line in lines).encode()
    return data[-limit:]


def dims(**kv: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in kv.items()))


class FunctionMetrics:
    """The metric series one function writes on every invocation (looked up once).

    The hot path keeps the current minute's buckets of the five series every invocation writes
    (Invocations and ConcurrentExecutions per function and account-wide, Duration), so that an
    invocation costs a few additions: the same aggregates ``MetricSeries.add_statistic_set``
    keeps (SampleCount, Sum, Minimum, Maximum), and the raw Duration value when percentiles are
    kept. Rarer series (Errors, provisioned concurrency, Throttles) go through the series."""

    __slots__ = (
        "invocations", "errors", "duration", "concurrency", "throttles", "spillover", "pc_invocations",
        "acct_invocations", "acct_errors", "acct_throttles", "acct_concurrency", "raw", "_minute", "_hot",
        "_dvalues",
    )

    def __init__(self, cache: SeriesCache, name: str, raw_durations: bool) -> None:
        d = dims(FunctionName=name)
        self.invocations = cache.get("Invocations", d)
        self.errors = cache.get("Errors", d)
        self.duration = cache.get("Duration", d, "Milliseconds")
        self.concurrency = cache.get("ConcurrentExecutions", d)
        self.throttles = cache.get("Throttles", d)
        self.spillover = cache.get("ProvisionedConcurrencySpilloverInvocations", d)
        self.pc_invocations = cache.get("ProvisionedConcurrencyInvocations", d)
        self.acct_invocations = cache.get("Invocations", ())
        self.acct_errors = cache.get("Errors", ())
        self.acct_throttles = cache.get("Throttles", ())
        self.acct_concurrency = cache.get("ConcurrentExecutions", ())
        self.raw = raw_durations
        self._minute = -1
        self._hot: tuple[Any, ...] = ()
        self._dvalues: Any = None  # the current Duration bucket's raw values, once fetched

    def _roll(self, start: int) -> tuple[Any, ...]:
        from ..kernel.metrics import _Bucket

        out = []
        for s in (self.invocations, self.acct_invocations, self.duration, self.concurrency, self.acct_concurrency):
            b = s.buckets.get(start)
            if b is None:
                b = s.buckets[start] = _Bucket()
            out.append(b)
        # The Invocations buckets only ever receive 1.0 (here and in add_statistic_set calls
        # alike), and a bucket's minimum only falls and its maximum only rises: once 1.0 is
        # within them, record() need not compare again. Done here, just before record() adds
        # its first value to the bucket, so no reader sees the bounds without the value.
        for b in out[:2]:
            if b.minimum > 1.0:
                b.minimum = 1.0
            if b.maximum < 1.0:
                b.maximum = 1.0
        self._minute = start
        self._dvalues = None
        self._hot = hot = tuple(out)
        return hot

    def record(self, duration_ms: float, concurrency: int, account_concurrency: int, now_us: int) -> None:
        """One invocation: Invocations, Duration and ConcurrentExecutions (function and account;
        ``concurrency`` counts this invocation). An error, a provisioned or a spillover
        invocation adds :meth:`record_rare`. O(1)."""
        start = now_us - now_us % 60_000_000  # the series' 60-second buckets
        hot = self._hot if start == self._minute else self._roll(start)
        inv, acct, dur, conc, aconc = hot
        inv.count += 1  # minimum / maximum already hold 1.0 (see _roll)
        inv.total += 1.0
        acct.count += 1
        acct.total += 1.0
        dur.count += 1
        dur.total += duration_ms
        if duration_ms < dur.minimum:
            dur.minimum = duration_ms
        if duration_ms > dur.maximum:
            dur.maximum = duration_ms
        if self.raw:
            dv = self._dvalues
            if dv is None:
                dv = self._dvalues = dur.values
            dv.append(duration_ms)
        c = float(concurrency)
        conc.count += 1
        conc.total += c
        if c < conc.minimum:
            conc.minimum = c
        if c > conc.maximum:
            conc.maximum = c
        c = float(account_concurrency)
        aconc.count += 1
        aconc.total += c
        if c < aconc.minimum:
            aconc.minimum = c
        if c > aconc.maximum:
            aconc.maximum = c

    def record_rare(self, error: bool, provisioned: bool, spillover: bool, now_us: int) -> None:
        """The rest of an invocation's metrics: Errors (function and account),
        ProvisionedConcurrencyInvocations or ProvisionedConcurrencySpilloverInvocations."""
        if error:
            self.errors.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
            self.acct_errors.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
        if provisioned:
            self.pc_invocations.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
        elif spillover:
            self.spillover.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)

    def throttle(self, now_us: int) -> None:
        self.throttles.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
        self.acct_throttles.add_statistic_set(now_us, 1, 1.0, 1.0, 1.0)
