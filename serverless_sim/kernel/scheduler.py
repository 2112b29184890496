"""The event queue: a binary heap of ``(when_us, seq, callback, args)`` tuples.

Model: a discrete-event kernel in the manner of SimPy's, kept small. The ``seq`` number is unique
and increasing, so entries scheduled for the same instant run in the order they were scheduled and
the heap never compares callbacks. The handle returned by scheduling *is* the heap entry, so
scheduling allocates one tuple. Cancelling records the entry's ``seq`` in a set (O(1)); the dead
entry is dropped when it reaches the top of the heap.

Complexity: scheduling O(log n), cancelling O(1) (O(n) for an event due at the current instant),
running k events O(k log n).

*Daemon* events (periodic background work: TTL sweepers, pollers) do not keep the simulation
"busy": :meth:`Scheduler.run_until_idle_us` stops when only daemon events remain.

An exception raised by an event's callback propagates to whoever moved the clock (``advance``,
``run``...) unchanged in type, with a note naming the virtual time and the event's origin, and
with ``sim_time_us`` and ``sim_origin`` attributes set on it. The failed event is consumed; every
other event stays queued, and ``now`` stays at the failed event's time, so the caller may handle
the error and carry on.
"""

from __future__ import annotations

import traceback
from heapq import heappop, heappush
from typing import Any, Callable

from .clock import Clock, format_us
from .errors import SimError


#: A scheduled callback: the heap entry itself, ``(when_us, seq, fn, args)``. Treat it as opaque;
#: cancel it with ``Scheduler.cancel`` / ``Cloud.cancel``. Plain tuples are the cheapest entries
#: CPython's heapq can compare (subclasses are about 20% slower, measured in benchmarks/kernel.py).
Handle = tuple


def describe_callable(fn: Any) -> str:
    """A short, stable description of a callback, for error notes and traces."""
    if fn is None:
        return "<cancelled>"
    self_obj = getattr(fn, "__self__", None)
    name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    module = getattr(fn, "__module__", None) or type(fn).__module__
    text = f"{module}.{name}"
    origin = getattr(self_obj, "_origin_name", None)
    if callable(origin):
        text += f" [{origin()}]"
    return text


class Scheduler:
    """Clock plus event queue. Time moves only in ``run_until_us`` and ``run_until_idle_us``.

    ``debug=True`` records the stack of every scheduling call so that an error names the line
    that scheduled the failing event (costly: tests and debugging only).
    """

    __slots__ = (
        "clock", "_queue", "_seq", "_daemons", "_cancelled", "_debug", "_origins",
        "events_run", "running",
    )

    def __init__(self, clock: Clock, *, debug: bool = False) -> None:
        self.clock = clock
        self._queue: list[tuple[Any, ...]] = []
        self._seq = 0
        self._daemons = 0  # of which daemon entries
        self._cancelled: set[int] = set()  # seqs of cancelled entries still in the heap
        self._debug = debug
        self._origins: dict[int, str] = {}
        self.events_run = 0
        #: True while ``run_until_us`` / ``run_until_idle_us`` is running events (so a blocking
        #: call made from inside an event knows it must not re-enter the loop).
        self.running = False

    # -- scheduling -----------------------------------------------------------------------
    def schedule_at_us(
        self, when_us: int, fn: Callable[..., Any], args: tuple[Any, ...] = (), daemon: bool = False
    ) -> Handle:
        """Queue ``fn(*args)`` at ``when_us``. O(log n)."""
        if when_us < self.clock.now_us:
            raise SimError(
                f"cannot schedule in the past: {format_us(when_us)} is before now "
                f"({format_us(self.clock.now_us)})"
            )
        self._seq = seq = self._seq + 1
        if daemon:
            self._daemons += 1
            entry = (when_us, seq, self._run_daemon, (fn, args))
        else:
            entry = (when_us, seq, fn, args)
        heappush(self._queue, entry)
        if self._debug:
            self._origins[seq] = "".join(traceback.format_stack(limit=8)[:-2])
        return entry

    def call_at_us(self, when_us: int, fn: Callable[..., Any], *args: Any, daemon: bool = False) -> Handle:
        return self.schedule_at_us(when_us, fn, args, daemon)

    def call_later_us(self, delay_us: int, fn: Callable[..., Any], *args: Any, daemon: bool = False) -> Handle:
        if delay_us < 0:
            raise SimError(f"negative delay: {delay_us} us")
        return self.schedule_at_us(self.clock.now_us + delay_us, fn, args, daemon)

    def _run_daemon(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._daemons -= 1
        fn(*args)

    def is_pending(self, handle: Handle) -> bool:
        """True until the callback runs or is cancelled. O(1), or O(n) for one due right now."""
        when, seq = handle[0], handle[1]
        if seq in self._cancelled:
            return False
        now = self.clock.now_us
        if when > now:
            return True
        if when < now:
            return False
        return any(e is handle for e in self._queue)

    def cancel(self, handle: Handle) -> bool:
        """Cancel a scheduled callback; False when it already ran or was cancelled."""
        if not self.is_pending(handle):
            return False
        self._cancelled.add(handle[1])
        if handle[2] == self._run_daemon:
            self._daemons -= 1
        return True

    # -- introspection --------------------------------------------------------------------
    def peek_us(self) -> int | None:
        """The time of the next live event, or None. Drops dead entries at the top."""
        q = self._queue
        cancelled = self._cancelled
        while q and q[0][1] in cancelled:
            cancelled.discard(heappop(q)[1])
        return q[0][0] if q else None

    def next_at_us(self) -> int | None:
        """The time of the heap's first entry, live or cancelled, or None; changes nothing.

        Unlike :meth:`peek_us` it drops no cancelled entry, so it is safe in the middle of an
        event (a caller asking "is any event, even a dead one, due at this instant?"). O(1)."""
        q = self._queue
        return q[0][0] if q else None

    @property
    def pending(self) -> int:
        """Live (not cancelled, not run) events, daemon ones included. O(1).

        Every cancelled entry still in the heap has its seq in ``_cancelled`` (it leaves the set
        when popped), so live = heap size - cancelled."""
        return len(self._queue) - len(self._cancelled)

    @property
    def busy(self) -> bool:
        """True while any non-daemon event is pending."""
        return len(self._queue) - len(self._cancelled) > self._daemons

    # -- running --------------------------------------------------------------------------
    def run_until_us(self, until_us: int) -> int:
        """Run every event due at or before ``until_us``, then set now to ``until_us``.

        Returns the number of events run. O(k log n).
        """
        clock = self.clock
        if until_us < clock.now_us:
            raise SimError(
                f"cannot run back in time to {format_us(until_us)} (now {format_us(clock.now_us)})"
            )
        q = self._queue
        cancelled = self._cancelled
        ran = 0
        entry = None
        outer = self.running
        self.running = True
        try:
            while q:
                entry = heappop(q)
                if entry[0] > until_us:
                    heappush(q, entry)
                    entry = None
                    break
                if cancelled and entry[1] in cancelled:
                    cancelled.discard(entry[1])
                    continue
                clock.now_us = entry[0]
                ran += 1
                entry[2](*entry[3])
        except BaseException as exc:
            self.events_run += ran
            self._annotate(exc, entry)
            raise
        finally:
            self.running = outer
        self.events_run += ran
        clock.now_us = until_us
        return ran

    def run_until_idle_us(self, limit_us: int, max_events: int | None = None) -> int:
        """Run until no non-daemon event is pending, ``limit_us`` is reached, or ``max_events``.

        ``now`` ends at the time of the last event run, or at ``limit_us`` when work was still
        pending there. Returns the number of events run.
        """
        clock = self.clock
        q = self._queue
        cancelled = self._cancelled
        ran = 0
        budget = -1 if max_events is None else max_events
        entry = None
        outer = self.running
        self.running = True
        try:
            if budget < 0:
                # Fast loop while there are no daemon events: then "idle" means an empty queue.
                while q and not self._daemons:
                    entry = heappop(q)
                    if entry[0] > limit_us:
                        heappush(q, entry)
                        entry = None
                        break
                    if cancelled and entry[1] in cancelled:
                        cancelled.discard(entry[1])
                        continue
                    clock.now_us = entry[0]
                    ran += 1
                    entry[2](*entry[3])
            while len(q) - len(cancelled) > self._daemons and ran != budget:
                entry = heappop(q)
                if entry[0] > limit_us:
                    heappush(q, entry)
                    entry = None
                    break
                if cancelled and entry[1] in cancelled:
                    cancelled.discard(entry[1])
                    continue
                clock.now_us = entry[0]
                ran += 1
                entry[2](*entry[3])
        except BaseException as exc:
            self.events_run += ran
            self._annotate(exc, entry)
            raise
        finally:
            self.running = outer
        self.events_run += ran
        if self.busy and ran != budget and limit_us > clock.now_us:
            clock.now_us = limit_us
        return ran

    def _annotate(self, exc: BaseException, entry: Any) -> None:
        if entry is None or hasattr(exc, "sim_time_us"):
            return
        fn = entry[2]
        if fn == self._run_daemon:
            fn = entry[3][0]
        origin = describe_callable(fn)
        try:
            exc.sim_time_us = entry[0]  # type: ignore[attr-defined]
            exc.sim_origin = origin  # type: ignore[attr-defined]
        except AttributeError:  # pragma: no cover - exotic exception types
            return
        note = f"raised by a simulated event at virtual time {format_us(entry[0])}, callback {origin}"
        if self._debug and entry[1] in self._origins:
            note += "\nscheduled at:\n" + self._origins[entry[1]]
        exc.add_note(note)
