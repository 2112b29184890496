"""Running user code in an execution environment: the virtual clock, env vars and stdout.

While user code runs (a package's module top level during Init, or one handler call):

- **Virtual time.** The clock readers of the ``time`` and ``datetime`` modules (``time.time``,
  ``datetime.now``, ``date.today``, ``time.gmtime``...) read the *virtual* instant, through
  time-machine (``time_machine.travel(..., tick=False)``, started for the call and stopped after
  it; nothing is patched outside a call). ``time.sleep`` is replaced for the call's duration by
  :func:`virtual_sleep`, which moves the traveller forward the seconds asked, at no wall time;
  the seconds slept count in the invocation's duration. ``time.monotonic`` and
  ``time.perf_counter`` stay real (time-machine does not patch them): use them for wall-clock
  profiling only.
- **Deadlines.** A sleep that would cross the phase's deadline (the function timeout, or the 10 s
  Init limit) stops at the deadline and raises :class:`DeadlineExceeded`, a ``BaseException``, so
  the user's ``except Exception`` does not swallow it: the call ends there, as AWS ends a timed-out
  invocation. (CPU-bound code cannot be interrupted: its time is the duration model's.)
- **Environment variables** of the function are set in ``os.environ`` for the call and the
  previous values restored afterwards.
- **stdout / stderr** are captured and become the function's log lines.

Calls nest (a handler synchronously invoking another function): runs form a stack, and the
inner invocation's latency moves the outer run's clock forward (see :mod:`.invoke`).
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import sys
import time
from typing import Any, Callable

import time_machine

from ..kernel.clock import EPOCH

try:  # the runtime's TZ is UTC on AWS (TZ=:UTC): naive datetime.now() reads UTC  # noqa: wallclock (comment, not a call)
    from zoneinfo import ZoneInfo

    _UTC: _dt.tzinfo = ZoneInfo("UTC")
    _EPOCH = EPOCH.replace(tzinfo=_UTC)
except Exception:  # pragma: no cover - no tz database
    _EPOCH = EPOCH

_real_sleep = time.sleep
_ONE_US = _dt.timedelta(microseconds=1)


class DeadlineExceeded(BaseException):
    """Raised inside user code when its phase's deadline (timeout, Init limit) is reached."""


class Run:
    """One execution of user code on the virtual clock (a stack of these is kept)."""

    __slots__ = ("start_us", "elapsed_us", "deadline_us", "traveller")

    def __init__(self, start_us: int, deadline_us: int | None) -> None:
        self.start_us = start_us
        self.elapsed_us = 0
        self.deadline_us = deadline_us
        self.traveller: Any = None

    @property
    def now_us(self) -> int:
        return self.start_us + self.elapsed_us

    def advance(self, us: int) -> None:
        """Move this run's clock forward ``us``; raise at the deadline."""
        deadline = self.deadline_us
        if deadline is not None and self.start_us + self.elapsed_us + us > deadline:
            self._move(max(0, deadline - self.start_us - self.elapsed_us))
            raise DeadlineExceeded()
        self._move(us)

    def _move(self, us: int) -> None:
        if us:
            self.elapsed_us += us
            if self.traveller is not None:
                self.traveller.shift(_dt.timedelta(microseconds=us))


_STACK: list[Run] = []


def current_run() -> Run | None:
    """The innermost run of user code in progress, or None outside user code."""
    return _STACK[-1] if _STACK else None


def virtual_sleep(seconds: float) -> None:
    """``time.sleep`` inside user code: advance the virtual clock, no wall time."""
    if not _STACK:
        _real_sleep(seconds)
        return
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _STACK[-1].advance(round(seconds * 1_000_000))


class Outcome:
    """What one run of user code produced."""

    __slots__ = ("ok", "value", "error", "elapsed_us", "output", "deadline")

    def __init__(self) -> None:
        self.ok = True
        self.value: Any = None
        self.error: BaseException | None = None
        self.elapsed_us = 0
        self.output = ""
        #: True when the run was stopped at its deadline.
        self.deadline = False


def run_user_code(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    start_us: int,
    deadline_us: int | None,
    env: dict[str, str] | None = None,
    virtual_time: bool = True,
    capture: bool = True,
    enter: Callable[[], None] | None = None,
    leave: Callable[[], None] | None = None,
    run: Run | None = None,
) -> Outcome:
    """Call ``fn(*args)`` as user code (see the module docstring) and report what happened.

    ``enter``/``leave`` bracket the call (a :class:`~.package.ModuleSpace`'s). ``run`` may be
    given to let the caller hand it to a ``context`` before the call. Exceptions of user code
    are caught and returned in the :class:`Outcome`; errors of the simulator propagate.
    """
    out = Outcome()
    if run is None:
        run = Run(start_us, deadline_us)
    travel = None
    if virtual_time:
        travel = time_machine.travel(_EPOCH + _dt.timedelta(microseconds=start_us), tick=False)
        run.traveller = travel.start()
        if time.sleep is not virtual_sleep:
            time.sleep = virtual_sleep  # type: ignore[assignment]
    saved_env: list[tuple[str, str | None]] | None = None
    if env:
        environ = os.environ
        saved_env = [(k, environ.get(k)) for k in env]
        environ.update(env)
    buf = None
    if capture:
        buf = io.StringIO()
        old_out, old_err = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = buf
    if enter is not None:
        enter()
    _STACK.append(run)
    try:
        out.value = fn(*args)
    except DeadlineExceeded as exc:
        out.ok = False
        out.deadline = True
        out.error = exc
    except (Exception, SystemExit) as exc:
        out.ok = False
        out.error = exc
    finally:
        _STACK.pop()
        if leave is not None:
            leave()
        if buf is not None:
            sys.stdout, sys.stderr = old_out, old_err
            out.output = buf.getvalue()
        if saved_env is not None:
            environ = os.environ
            for k, v in saved_env:
                if v is None:
                    environ.pop(k, None)
                else:
                    environ[k] = v
        if travel is not None:
            travel.stop()
            run.traveller = None
            if not _STACK_TRAVELLING():
                time.sleep = _real_sleep  # type: ignore[assignment]
    out.elapsed_us = run.elapsed_us
    return out


def run_plain(fn: Callable[..., Any], args: tuple[Any, ...], run: Run) -> Outcome:
    """:func:`run_user_code` for the common lean case: no clock patching (``virtual_time=False``),
    no output capture, no environment variables, no module space. Same outcome, same stack of
    runs (a nested blocking call inside ``fn`` sees ``run``)."""
    out = Outcome()
    _STACK.append(run)
    try:
        out.value = fn(*args)
    except DeadlineExceeded as exc:
        out.ok = False
        out.deadline = True
        out.error = exc
    except (Exception, SystemExit) as exc:
        out.ok = False
        out.error = exc
    finally:
        _STACK.pop()
    out.elapsed_us = run.elapsed_us
    return out


def _STACK_TRAVELLING() -> bool:
    return any(r.traveller is not None for r in _STACK)
