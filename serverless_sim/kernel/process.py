"""Generator-based processes and the events they wait on.

A process is a plain generator function that yields events::

    def client(cloud):
        for i in range(3):
            yield cloud.timeout(2.5)          # wait 2.5 virtual seconds
            result = yield some_event         # wait for an event, receive its value
        return "done"

    proc = cloud.process(client(cloud))       # starts at the current instant
    cloud.run_until_idle()
    proc.value                                # "done"

Semantics follow SimPy's: an event is *triggered* once (``succeed`` or ``fail``), its callbacks
run at the virtual instant it was triggered, through the queue (so call stacks stay flat and the
order of same-instant work is the order of scheduling). A process is itself an event that
triggers when its generator returns (value = the return value) or raises (the exception). A failed
event nobody waits on is loud: its exception propagates out of ``run``.

Fast path: a process that yields a :class:`Timeout` nobody else watches is resumed straight from
the queue, with no callback list, which is what makes processes cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Iterable

from heapq import heappush

from .errors import SimError
from .scheduler import Handle

if TYPE_CHECKING:
    from .scheduler import Scheduler

_PENDING = object()


class Interrupt(Exception):
    """Thrown into a process by :meth:`Process.interrupt`; ``cause`` says why."""

    @property
    def cause(self) -> Any:
        return self.args[0] if self.args else None


class Event:
    """Something that happens once at a virtual instant, with a value or an exception."""

    __slots__ = ("_sched", "_callbacks", "_value", "_ok", "_defused", "_scheduled")

    def __init__(self, scheduler: "Scheduler") -> None:
        self._sched = scheduler
        self._callbacks: list[Callable[["Event"], Any]] | None = []
        self._value: Any = _PENDING
        self._ok = True
        self._defused = False
        self._scheduled = False

    # -- state ----------------------------------------------------------------------------
    @property
    def triggered(self) -> bool:
        """True once ``succeed``/``fail`` was called (the callbacks may not have run yet)."""
        return self._value is not _PENDING

    @property
    def processed(self) -> bool:
        """True once the callbacks have run."""
        return self._callbacks is None

    @property
    def ok(self) -> bool:
        if self._value is _PENDING:
            raise SimError("the event has not been triggered yet")
        return self._ok

    @property
    def value(self) -> Any:
        """The event's value; raises the exception of a failed event."""
        if self._value is _PENDING:
            raise SimError(f"{self!r} has not been triggered yet")
        if not self._ok:
            self._defused = True
            raise self._value
        return self._value

    # -- triggering -----------------------------------------------------------------------
    def succeed(self, value: Any = None) -> "Event":
        """Trigger the event with ``value`` at the current instant."""
        if self._value is not _PENDING:
            raise SimError(f"{self!r} has already been triggered")
        self._value = value
        self._ok = True
        self._schedule_fire()
        return self

    def fail(self, exception: BaseException) -> "Event":
        """Trigger the event with an exception at the current instant."""
        if not isinstance(exception, BaseException):
            raise SimError(f"fail() needs an exception, got {exception!r}")
        if self._value is not _PENDING:
            raise SimError(f"{self!r} has already been triggered")
        self._value = exception
        self._ok = False
        self._schedule_fire()
        return self

    def defuse(self) -> None:
        """Mark a failure as handled so that it does not propagate out of ``run``."""
        self._defused = True

    def _schedule_fire(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._sched.schedule_at_us(self._sched.clock.now_us, self._fire)

    def _fire(self) -> None:
        callbacks = self._callbacks
        self._callbacks = None
        if callbacks:
            for cb in callbacks:
                cb(self)
        if not self._ok and not self._defused:
            raise self._value

    def add_callback(self, fn: Callable[["Event"], Any]) -> None:
        """Call ``fn(event)`` when the event is processed (at once, via the queue, if it was)."""
        if self._callbacks is None:
            self._sched.schedule_at_us(self._sched.clock.now_us, fn, (self,))
        else:
            self._callbacks.append(fn)

    def _origin_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        state = "pending" if self._value is _PENDING else ("ok" if self._ok else "failed")
        return f"<{type(self).__name__} {state}>"


class Timeout(tuple):  # type: ignore[type-arg]
    """An event that succeeds ``delay`` after it was created: ``(when_us, value, scheduler)``.

    A tuple, made without a Python-level ``__init__``, because processes create one per wait:
    a process yielding it is resumed straight from the queue (the fast path, no callback list).
    It still behaves as an event: ``add_callback``, ``triggered``, ``value``, ``all_of``/``any_of``.
    Any number of processes may wait on the same timeout.
    """

    __slots__ = ()

    @property
    def when_us(self) -> int:
        return self[0]

    @property
    def triggered(self) -> bool:
        return self[2].clock.now_us >= self[0]

    processed = triggered

    @property
    def ok(self) -> bool:
        return True

    @property
    def value(self) -> Any:
        if not self.triggered:
            raise SimError(f"{self!r} has not been triggered yet")
        return self[1]

    def add_callback(self, fn: Callable[[Any], Any]) -> None:
        """Call ``fn(timeout)`` when it triggers (at once, via the queue, if it has)."""
        sched = self[2]
        now = sched.clock.now_us
        sched.schedule_at_us(self[0] if self[0] > now else now, fn, (self,))

    def __repr__(self) -> str:
        return f"<Timeout {'ok' if self.triggered else 'pending'} at {self[0]}>"


_tuple_new = tuple.__new__


def make_timeout(scheduler: "Scheduler", delay_us: int, value: Any = None) -> Timeout:
    if delay_us < 0:
        raise SimError(f"negative delay: {delay_us} us")
    return _tuple_new(Timeout, (scheduler.clock.now_us + delay_us, value, scheduler))


def _outcome(event: Any) -> tuple[bool, Any]:
    """(ok, value-or-exception) of a processed event or timeout, defusing failures."""
    if type(event) is Timeout:
        return True, event[1]
    if not event._ok:
        event._defused = True
    return event._ok, event._value


class Process(Event):
    """Runs a generator; is itself an event that triggers when the generator ends."""

    __slots__ = ("_gen", "_target", "_wait", "name", "_resume_cb")

    def __init__(
        self, scheduler: "Scheduler", generator: Generator[Any, Any, Any], name: str | None = None
    ) -> None:
        if not hasattr(generator, "send") or not hasattr(generator, "throw"):
            raise SimError(
                f"process() needs a generator (call your generator function), got {generator!r}"
            )
        super().__init__(scheduler)
        self._gen = generator
        self._target: Event | None = None
        self._wait: Handle | None = None  # the queued fast-path resume, while waiting on one
        self.name = name or getattr(generator, "__qualname__", "process")
        self._resume_cb = self._resume  # one bound method, reused by every fast-path wake-up
        # Start at the current instant, after whatever is already queued for it.
        scheduler.schedule_at_us(scheduler.clock.now_us, self._resume, (None, True))

    @property
    def is_alive(self) -> bool:
        return self._value is _PENDING

    def _origin_name(self) -> str:
        return f"process {self.name}"

    def interrupt(self, cause: Any = None) -> None:
        """Throw :class:`Interrupt` into the process at the current instant."""
        if self._value is not _PENDING:
            raise SimError(f"{self!r} has terminated and cannot be interrupted")
        self._sched.schedule_at_us(self._sched.clock.now_us, self._interrupt, (cause,))

    def _interrupt(self, cause: Any) -> None:
        if self._value is not _PENDING:
            return
        if self._wait is not None:
            self._sched.cancel(self._wait)
            self._wait = None
        target = self._target
        if target is not None:
            cbs = target._callbacks
            if cbs is not None and self._on_event in cbs:
                cbs.remove(self._on_event)
        self._target = None
        self._resume(Interrupt(cause), False)

    def _on_event(self, event: Event) -> None:
        if event._ok:
            self._resume(event._value, True)
        else:
            event._defused = True
            self._resume(event._value, False)

    def _resume(self, value: Any, ok: bool) -> None:
        gen = self._gen
        while True:
            try:
                if ok:
                    target = gen.send(value)
                else:
                    target = gen.throw(value)
            except StopIteration as stop:
                self._target = self._wait = None
                self._value = stop.value
                self._ok = True
                self._schedule_fire()
                return
            except BaseException as exc:
                self._target = self._wait = None
                self._value = exc
                self._ok = False
                if self._callbacks:
                    self._schedule_fire()
                    return
                # Nobody waits on this process: be loud, right here.
                self._callbacks = None
                self._scheduled = True
                raise
            if type(target) is Timeout:
                # Fast path: resume straight from the queue (inlined schedule_at_us). The timeout
                # is only read, so any number of processes may wait on it this way.
                sched = self._sched
                when = target[0]
                now = sched.clock.now_us
                sched._seq = seq = sched._seq + 1
                self._wait = entry = (when if when > now else now, seq, self._resume_cb, (target[1], True))
                heappush(sched._queue, entry)
                return
            self._wait = None
            if not isinstance(target, Event):
                value = SimError(
                    f"process {self.name} yielded {target!r}; a process may yield only events "
                    "(cloud.timeout(...), another process, cloud.event()...)"
                )
                ok = False
                continue
            if target._callbacks is None:
                # Already processed: continue at once with its outcome.
                if target._ok:
                    value, ok = target._value, True
                else:
                    target._defused = True
                    value, ok = target._value, False
                continue
            self._target = target
            target.add_callback(self._on_event)
            return


class Condition(Event):
    """Triggers when all (AllOf) or any (AnyOf) of the given events have.

    Its value is a dict of the triggered events to their values, in the order given. A failing
    member fails the condition with that member's exception.
    """

    __slots__ = ("_events", "_done", "_need_all", "_results")

    def __init__(self, scheduler: "Scheduler", events: Iterable[Any], need_all: bool) -> None:
        super().__init__(scheduler)
        self._events = list(events)
        self._done = 0
        self._need_all = need_all
        self._results: dict[Any, Any] = {}
        for ev in self._events:
            if not isinstance(ev, (Event, Timeout)):
                raise SimError(f"not an event: {ev!r}")
        if not self._events:
            self.succeed({})
            return
        for ev in self._events:
            ev.add_callback(self._check)

    def _check(self, event: Any) -> None:
        ok, value = _outcome(event)
        if self._value is not _PENDING:
            return
        if not ok:
            self.fail(value)
            return
        self._done += 1
        self._results[event] = value
        if not self._need_all or self._done == len(self._events):
            self.succeed({ev: self._results[ev] for ev in self._events if ev in self._results})


def all_of(scheduler: "Scheduler", events: Iterable[Any]) -> Condition:
    return Condition(scheduler, events, need_all=True)


def any_of(scheduler: "Scheduler", events: Iterable[Any]) -> Condition:
    return Condition(scheduler, events, need_all=False)
