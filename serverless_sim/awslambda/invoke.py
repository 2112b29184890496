"""The invoke path: one :class:`Invocation` from arrival to completion, and the ``Invoke`` action.

One path serves every caller (the wire ``Invoke``, the native API, the asynchronous queue, event
source mappings, workloads):

1. :meth:`InvokeEngine._start` *at the current instant*: pick an environment (provisioned
   concurrency of the qualifier first, then the most recently used idle environment of the
   version, else a new one) after the concurrency checks (:mod:`.concurrency`), which raise
   ``TooManyRequestsException`` with AWS's ``Reason``; run Init (or a SnapStart restore) if the
   environment is new; run the handler on the virtual clock (:mod:`.runtime`). The handler's code
   runs *now*, in full; its duration is the virtual time it spent plus the function's duration
   model, capped by the timeout. The environment stays busy until the end instant.
2. :meth:`InvokeEngine._complete` *at the end instant* (one scheduled event per invocation):
   the environment is released (or reset), logs, metrics, billing and the trace are written, and
   the invocation's callbacks and kernel event fire. The asynchronous queue and event source
   mappings hang their retries / DLQ / destinations / batch bookkeeping on these callbacks.

Blocking semantics of a *synchronous* invoke (``Invoke`` RequestResponse, ``Lambda.invoke``):

- from user code **outside** the simulation: the call returns when the invocation completes, the
  clock advanced to that instant (events due meanwhile run), like the real blocking call;
- from **inside a handler** (a function calling another synchronously): the inner invocation runs
  at the caller's virtual instant and its latency moves the *caller's* clock forward (like a
  ``time.sleep`` of that length: it counts in the caller's duration and can time it out);
- from **another simulation event** (a process, a callback, an event source poller): the kernel
  is already running, so the call must not re-enter it: the result is returned at once and the
  clock is not moved (the environment is still busy until the end instant). A process that should
  *wait* for the response yields :meth:`InvokeEngine.invoke_event` instead, an event that fires
  at the completion instant with the :class:`Invocation`.

Side effects of handler code on other services happen at the instant the handler's code runs
(the invocation's start), not spread over its duration: a known deviation.
"""

from __future__ import annotations

import contextlib

import base64
import json
import sys
from typing import TYPE_CHECKING, Any, Callable

from ..kernel.process import Event
from ..kernel.rng import _UUID_KEEP, _UUID_SET
from ..kernel.scheduler import Scheduler
from ..kernel.service import operation
from . import limits, snapstart as _snapstart
from .context import LambdaContext
from .environments import (
    BUSY,
    IDLE,
    EnvironmentPool,
    ExecutionEnvironment,
    error_log_line,
    error_payload,
    load_package_handler,
    reserved_env_vars,
)
from .errors import (
    InvalidParameterValueException,
    InvalidRequestContentException,
    RequestTooLargeException,
    SnapStartException,
    SnapStartTimeoutException,
)
from .functions import Function, FunctionVersion
from .package import ModuleSpace, private_random_module
from .reporting import log_tail, report_line, timeout_line
from .runtime import _STACK, DeadlineExceeded, Outcome, Run, current_run, run_plain, run_user_code

_NO_IDENTITY = contextlib.nullcontext()
_new = object.__new__  # an instance without __init__ (the lean path sets every slot itself)
_push, _pop = _STACK.append, _STACK.pop  # the run stack's methods, looked up once

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .async_invoke import AsyncQueue
    from .config import LambdaConfig
    from .reporting import FunctionMetrics

_RUN_LOOP_CODES = (Scheduler.run_until_us.__code__, Scheduler.run_until_idle_us.__code__)


class PayloadStream:
    """The response ``Payload``: a read-once stream like botocore's ``StreamingBody``."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def read(self, amt: int | None = None) -> bytes:
        data = self._data
        if amt is None or amt < 0:
            chunk = data[self._pos:]
            self._pos = len(data)
        else:
            chunk = data[self._pos:self._pos + amt]
            self._pos += len(chunk)
        return chunk

    def iter_lines(self, chunk_size: int = 1024, keepends: bool = False) -> Any:
        yield from self.read().splitlines(keepends)

    def iter_chunks(self, chunk_size: int = 1024) -> Any:
        while True:
            chunk = self.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def __iter__(self) -> Any:
        return self.iter_chunks()

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<PayloadStream {len(self._data)} bytes>"


class Invocation:
    """One invocation: its request, environment, timing and outcome.

    Times are integer epoch microseconds: ``arrival_us`` (accepted), ``start_us`` (the
    environment starts working on it: Init or restore first if ``cold``), ``invoke_start_us``
    (the handler starts), ``end_us`` (the response is ready). ``payload`` is the handler's
    return value (native calls) or response bytes (wire calls), or the error document.
    """

    __slots__ = (
        "request_id", "function", "version", "resource", "invocation_type", "event", "wire",
        "arrival_us", "start_us", "invoke_start_us", "end_us", "env", "cold", "init_us",
        "restore_us", "duration_us", "billed_ms", "result", "error", "timed_out", "done",
        "provisioned", "spillover", "output", "callbacks", "_event", "log_lines", "reset",
        "tail", "client_context", "attempt", "tag",
    )

    def __init__(self, request_id: str, version: FunctionVersion, resource: str | None,
                 invocation_type: str, event: Any, wire: bool, arrival_us: int,
                 env: ExecutionEnvironment | None = None, spillover: bool = False, tail: bool = False,
                 client_context: Any = None, log_lines: list[tuple[int, str]] | None = None) -> None:
        self.request_id = request_id
        self.function = version.function
        self.version = version
        self.resource = resource
        self.invocation_type = invocation_type
        self.event = event
        self.wire = wire
        self.arrival_us = arrival_us
        self.start_us = arrival_us
        self.invoke_start_us = arrival_us
        self.end_us = arrival_us
        self.env = env
        self.cold = False
        self.init_us = 0
        self.restore_us = 0
        self.duration_us = 0
        self.billed_ms = 0
        self.result: Any = None
        self.error: dict[str, Any] | None = None
        self.timed_out = False
        self.done = False
        self.provisioned = env is not None and env.provisioned
        self.spillover = spillover
        self.output = ""
        self.callbacks: list[Callable[["Invocation"], Any]] | None = None
        self._event: Event | None = None
        self.log_lines = log_lines
        #: True when the environment must be reset after this invocation (timeout, crash).
        self.reset = False
        self.tail = tail
        self.client_context = client_context
        #: Attempt number (1 for the first); the async queue and ESMs may set it.
        self.attempt = 1
        #: Free slot for callers (the async queue and ESMs keep their record here).
        self.tag: Any = None

    # -- outcome ------------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def payload(self) -> Any:
        """The response: the handler's result, or the error document."""
        return self.result if self.error is None else self.error

    @property
    def function_error(self) -> str | None:
        """``"Unhandled"`` for a function error (the ``X-Amz-Function-Error`` header), else None."""
        return None if self.error is None else "Unhandled"

    @property
    def status_code(self) -> int:
        return 202 if self.invocation_type == "Event" else 200

    @property
    def executed_version(self) -> str:
        return self.version.version

    @property
    def cold_start(self) -> bool:
        return self.cold

    @property
    def duration_s(self) -> float:
        return self.duration_us / 1_000_000

    @property
    def latency_us(self) -> int:
        """From arrival to response (Init / restore included)."""
        return self.end_us - self.arrival_us

    def payload_bytes(self) -> bytes:
        """The response as the wire carries it (JSON bytes)."""
        value = self.payload
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        return json.dumps(value).encode()

    def on_complete(self, fn: Callable[["Invocation"], Any]) -> None:
        """Call ``fn(invocation)`` at the completion instant (at once if already complete)."""
        if self.done:
            fn(self)
        elif self.callbacks is None:
            self.callbacks = [fn]
        else:
            self.callbacks.append(fn)

    def __repr__(self) -> str:
        state = "done" if self.done else "running"
        return (
            f"<Invocation {self.request_id} {self.function.name}:{self.version.version} {state}"
            f"{' cold' if self.cold else ''}{' error' if self.error else ''}>"
        )


# The ``lambda/invoke`` trace body, "R" + repr(sorted(attributes)) (what Trace.record writes):
# R[('cold', ..), ('duration_us', ..), ('function', ..), ('request_id', ..), ('status', ..),
# ('version', ..)]. Its constant pieces, per environment (one function and version); request
# ids are hex digits and dashes, so their repr is the text in quotes.
_TRACE_WARM = "R[('cold', False), ('duration_us', "
_TRACE_COLD = "R[('cold', True), ('duration_us', "


def _trace_parts(env: ExecutionEnvironment) -> tuple[str, ...]:
    """``(before the request id, after it for ok, timeout, error)``, cached on ``env``."""
    version = env.version
    v = repr(version.version)
    parts = env.trace_parts = (
        f"), ('function', {version.function.name!r}), ('request_id', '",
        f"'), ('status', 'ok'), ('version', {v})]",
        f"'), ('status', 'timeout'), ('version', {v})]",
        f"'), ('status', 'error'), ('version', {v})]",
    )
    return parts


def _lean(env: ExecutionEnvironment) -> tuple[str, str, str, str, str, str, int]:
    """What the lean path of ``InvokeEngine._start`` reads for the context and the timeout,
    fixed for an environment (its version object's configuration never changes in place):
    ``(function name, version, unqualified function ARN, memory text, log group, log stream,
    timeout in microseconds)``. Cached as ``env.lean`` by ``InvokeEngine._plain`` for a plain
    environment."""
    version = env.version
    fn = version.function
    return (fn.name, version.version, fn.arn, env.memory_text, version.log_group, env.log_stream,
            version.timeout * 1_000_000)


def _scheduler_running(scheduler: Scheduler) -> bool:
    """True when called from inside the kernel's run loop (a simulation event)."""
    flag = getattr(scheduler, "running", None)
    if isinstance(flag, bool):
        return flag
    f: Any = sys._getframe(2)
    while f is not None:
        if f.f_code in _RUN_LOOP_CODES:
            return True
        f = f.f_back
    return False


class InvokeEngine:
    """The invoke path (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _async: AsyncQueue
        _day_cache: tuple[int, str]
        _reserved_total: int
        functions: dict[str, Function]
        _in_flight: int
        _unreserved_usage: int
        cloud: Cloud
        config: LambdaConfig
        def _admit(self, fn: Function) -> str | None: ...
        def _arm_reclaim(self, env: Any) -> None: ...
        def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]: ...
        def _function_metrics(self, fn: Function) -> FunctionMetrics: ...
        def _not_found(self, fn_or_name: Any, qualifier: str | None = None) -> Exception: ...
        def _resource_metrics(self, inv: Invocation, now_us: int) -> None: ...
        def _route(self, fn: Function, qualifier: str | None) -> tuple[FunctionVersion, str | None]: ...
        def _shutdown(self, env: Any, why: str) -> None: ...
        def _take_token(self, fn: Function, now_us: int) -> bool: ...
        def _throttle(self, fn: Function, resource: str | None, reason: str, scaling: bool = False) -> None: ...

    # -- environments -------------------------------------------------------------------------
    def _new_environment(self, version: FunctionVersion, pool: EnvironmentPool,
                         init_type: str, now_us: int) -> ExecutionEnvironment:
        fn = version.function
        fn.env_seq += 1
        day = self._day_prefix(now_us)
        stream = f"{day}[{version.version}]{self.cloud.streams.hex_id(f'lambda/{fn.name}/env')}"
        env = ExecutionEnvironment(f"{fn.name}:{version.version}#{fn.env_seq}", version, pool, now_us, stream, init_type)
        pool.live += 1
        pool.members[env.id] = env
        st = fn.stats
        st.env_area_base_us -= now_us  # the environment's life starts (see FunctionStats)
        st.environments += 1
        if self.config.trace_invocations or init_type != "on-demand":
            self.cloud.trace.record("lambda", "environment_created", function=fn.name,
                                    version=version.version, environment=env.id, init_type=init_type)
        return env

    def _day_prefix(self, now_us: int) -> str:
        day = now_us // 86_400_000_000
        cached = self._day_cache
        if cached[0] != day:
            cached = self._day_cache = (day, self.cloud.clock.now.strftime("%Y/%m/%d/"))
        return cached[1]

    def _env_vars(self, env: ExecutionEnvironment) -> dict[str, str] | None:
        version = env.version
        if version.code.is_native and not version.environment:
            return None
        if env.env_vars is None:
            env.env_vars = reserved_env_vars(version, self.cloud.region, env.log_stream, env.init_type)
        return env.env_vars

    def _initialise(self, env: ExecutionEnvironment, start_us: int, limit_us: int,
                    capture: bool) -> tuple[int, dict[str, Any] | None, str, bool]:
        """Run Init for ``env``: ``(init_us, error_document, output, timed_out)``."""
        version = env.version
        fn = version.function
        cfg = self.config
        if version.init_duration_us is not None:
            modelled = version.init_duration_us
        else:
            modelled = cfg.init_model.duration_us(version.runtime, version.memory)
        code = version.code
        if code.package is None and code.factory is None:
            env.handler = code.handler
            return modelled, None, "", False
        user_start = start_us + modelled
        deadline = start_us + limit_us
        if code.package is not None:
            seed = self.cloud.rng(f"lambda/{fn.name}/env").getrandbits(64)
            space = env.space = ModuleSpace(
                code.package, {"snapshot_restore_py": _snapstart_module(), "random": private_random_module(seed)}
            )
            hooks = env.hooks = _snapstart.HookRegistry()
            body: Callable[[], Any] = lambda: load_package_handler(space, version.handler)
            enter, leave = space.enter, space.exit
        else:
            hooks = env.hooks = _snapstart.HookRegistry()
            body = code.factory  # type: ignore[assignment]
            enter = leave = None  # type: ignore[assignment]
        _snapstart._TARGETS.append(hooks)
        try:
            out = run_user_code(
                body, (), start_us=user_start, deadline_us=deadline, env=self._env_vars(env),
                virtual_time=version.virtual_time, capture=capture, enter=enter, leave=leave,
            )
        finally:
            _snapstart._TARGETS.pop()
        init_us = modelled + out.elapsed_us
        if out.deadline:
            return limit_us, None, out.output, True
        if not out.ok:
            return init_us, error_payload(out.error, ""), out.output, False  # type: ignore[arg-type]
        if not callable(out.value):
            return init_us, {"errorMessage": f"Handler '{version.handler}' is not callable",
                             "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}, out.output, False
        env.handler = out.value
        return init_us, None, out.output, False

    def _restore(self, env: ExecutionEnvironment, start_us: int, capture: bool) -> tuple[int, str]:
        """Restore ``env`` from its version's snapshot: ``(restore_us, output)``."""
        version = env.version
        snap = version.snapshot
        assert snap is not None
        modules, hooks, handler = snap.restore()
        extra = {"snapshot_restore_py": _snapstart_module()}
        if "random" in modules:
            extra["random"] = modules.pop("random")
        space = env.space = ModuleSpace(version.code.package, extra)  # type: ignore[arg-type]
        space.modules.update(modules)
        env.hooks = hooks
        env.handler = handler
        modelled = self.config.restore_model.duration_us(version.runtime, version.memory)
        if not hooks.after:
            return modelled, ""
        out = run_user_code(
            hooks.run_after, (), start_us=start_us + modelled, deadline_us=start_us + modelled + 10_000_000,
            env=self._env_vars(env), virtual_time=version.virtual_time, capture=capture,
            enter=space.enter, leave=space.exit,
        )
        if out.deadline:
            raise SnapStartTimeoutException("Runtime failed to restore the snapshot within the timeout.")
        if not out.ok:
            raise SnapStartException(f"Runtime failed to restore the snapshot: {type(out.error).__name__}: {out.error}")
        return modelled + out.elapsed_us, out.output

    # -- the path ---------------------------------------------------------------------------
    def _start(self, version: FunctionVersion, resource: str | None, event: Any,
               invocation_type: str = "RequestResponse", wire: bool = False, start_us: int | None = None,
               tail: bool = False, client_context: Any = None) -> Invocation:
        """Start one invocation now (see the module docstring). Raises TooManyRequestsException.

        Callers name the arguments after ``event``, except the hot ``start_at`` (positional:
        a call with keywords costs more)."""
        cloud = self.cloud
        now = cloud.clock.now_us
        fn = version.function
        cfg = self.config
        # 1. an environment ------------------------------------------------------------------
        env = None
        spill = False
        if resource is not None and fn.provisioned:
            pc = fn.provisioned.get(resource)
            if pc is not None and pc.ready:
                env = pc.pool.take()
                spill = env is None
        if env is None:
            if fn.reserved is not None or self._unreserved_usage >= cfg.account_concurrency - self._reserved_total:
                reason = self._admit(fn)  # the common case (unreserved, capacity left) inlined
                if reason is not None:
                    self._throttle(fn, resource, reason)
            pool = version.pool
            assert pool is not None
            if pool.mru:  # EnvironmentPool.take, inlined
                idle = pool.idle
                if idle:
                    env = idle.pop()
                    env.state = BUSY
            else:
                env = pool.take()
            if env is None:
                if not self._take_token(fn, now):
                    self._throttle(fn, resource, "ConcurrentInvocationLimitExceeded", scaling=True)
                env = self._new_environment(version, version.pool, "on-demand", now)  # type: ignore[arg-type]
            fn.od_in_flight += 1
            if fn.reserved is None:
                self._unreserved_usage += 1
        st = fn.stats
        st.area_base_us -= now  # the invocation's share of the concurrency integral starts
        in_flight = fn.in_flight = fn.in_flight + 1
        self._in_flight += 1
        if in_flight > st.peak_concurrency:
            st.peak_concurrency = in_flight
        # 2. the invocation ----------------------------------------------------------------
        # The request id: RandomStreams.uuid(fn.rng_name), inlined (the same draw from the same
        # stream, the same text; test_invoke_lean.py pins the two equal).
        rng = env.rid_rng
        if rng is None:
            rng = env.rid_rng = cloud.rng(fn.rng_name)
        b = ((rng.getrandbits(128) & _UUID_KEEP) | _UUID_SET).to_bytes(16, "big")
        rid = f"{b[:4].hex()}-{b[4:10].hex('-', 2)}-{b[10:].hex()}"
        t0 = now if start_us is None or start_us < now else start_us
        lean = env.lean
        inv: Invocation | None
        if lean is None or cfg.logging or tail or wire or cloud.enforce_iam:
            # Init or restore first, the general handler run, or an error: _prepare; it returns
            # the environment's lean tuple when the handler still runs inline below.
            capture = cfg.logging or tail
            inv = Invocation(rid, version, resource, invocation_type, event, wire, t0, env, spill, tail,
                             client_context, [] if capture else None)
            lean = self._prepare(inv, env, now, t0, capture)
            invoke_start = inv.invoke_start_us
            warm = False
        else:
            # A warm plain environment without log capture: its Invocation is made below, once
            # the handler's outcome is known (nothing reads it while the handler runs).
            inv = None
            invoke_start = t0
            warm = not (spill or env.provisioned)  # on-demand: _complete_lean when it succeeds
        if lean is not None:
            # _run_handler with run_plain, inlined for the lean case (a plain environment, see
            # _plain; no log capture, no IAM identity): the same run stack, context and outcome;
            # anything but a success within the timeout goes through _settle as before.
            name, ver, arn, memory_text, log_group, log_stream, timeout_us = lean
            deadline = invoke_start + timeout_us
            # Run(invoke_start, deadline) and LambdaContext._fast(...), inlined (no constructor
            # frames; test_invoke_lean2.py pins every slot equal to the constructors').
            run = _new(Run)
            run.start_us = invoke_start
            run.elapsed_us = 0
            run.deadline_us = deadline
            run.traveller = None
            ctx = _new(LambdaContext)
            ctx.function_name = name
            ctx.function_version = ver
            ctx.invoked_function_arn = arn if resource is None else f"{arn}:{resource}"
            ctx.memory_limit_in_mb = memory_text
            ctx.aws_request_id = rid
            ctx.log_group_name = log_group
            ctx.log_stream_name = log_stream
            ctx.identity = None
            ctx.client_context = client_context
            ctx.tenant_id = None
            ctx._run = run
            ctx._deadline_us = deadline
            _push(run)
            try:
                value = env.handler(event, ctx)  # type: ignore[misc]
            except DeadlineExceeded as exc:
                _pop()
                out = Outcome()
                out.ok = False
                out.deadline = True
                out.error = exc
                out.elapsed_us = run.elapsed_us
                if inv is None:
                    inv = Invocation(rid, version, resource, invocation_type, event, wire, t0, env, spill, tail,
                                     client_context, None)
                self._settle(inv, env, invoke_start, out)
            except (Exception, SystemExit) as exc:
                _pop()
                out = Outcome()
                out.ok = False
                out.error = exc
                out.elapsed_us = run.elapsed_us
                if inv is None:
                    inv = Invocation(rid, version, resource, invocation_type, event, wire, t0, env, spill, tail,
                                     client_context, None)
                self._settle(inv, env, invoke_start, out)
            except BaseException:
                _pop()
                raise
            else:
                _pop()
                sampler = version.duration_sampler
                if sampler is None:
                    modelled = version.duration_const_us
                else:
                    rng = env.duration_rng
                    if rng is None:
                        rng = env.duration_rng = cloud.rng(fn.duration_stream)
                    sampled = sampler(rng)
                    modelled = round(sampled * 1_000_000) if sampled > 0 else 0
                total = run.elapsed_us + modelled
                if total > timeout_us:
                    out = Outcome()
                    out.value = value
                    out.elapsed_us = run.elapsed_us
                    if inv is None:
                        inv = Invocation(rid, version, resource, invocation_type, event, wire, t0, env, spill,
                                         tail, client_context, None)
                    self._settle(inv, env, invoke_start, out, modelled)
                elif inv is not None:
                    inv.result = value
                    inv.duration_us = total
                    inv.end_us = invoke_start + total
                else:
                    end = invoke_start + total
                    if end < now:
                        end = now
                    # Invocation(rid, version, resource, invocation_type, event, False, t0, env,
                    # spill, False, client_context, None) with its outcome (result, duration,
                    # end) set, inlined: one object, no constructor frame (wire, tail and log
                    # capture are off on this path; test_invoke_lean3.py pins every slot equal).
                    inv = _new(Invocation)
                    inv.request_id = rid
                    inv.function = fn
                    inv.version = version
                    inv.resource = resource
                    inv.invocation_type = invocation_type
                    inv.event = event
                    inv.wire = False
                    inv.arrival_us = t0
                    inv.start_us = t0
                    inv.invoke_start_us = t0
                    inv.end_us = end
                    inv.env = env
                    inv.cold = False
                    inv.init_us = 0
                    inv.restore_us = 0
                    inv.duration_us = total
                    inv.billed_ms = 0
                    inv.result = value
                    inv.error = None
                    inv.timed_out = False
                    inv.done = False
                    inv.provisioned = env.provisioned
                    inv.spillover = spill
                    inv.output = ""
                    inv.callbacks = None
                    inv._event = None
                    inv.log_lines = None
                    inv.reset = False
                    inv.tail = False
                    inv.client_context = client_context
                    inv.attempt = 1
                    inv.tag = None
                    cloud.scheduler.schedule_at_us(end, self._complete_lean if warm else self._complete, (inv,))
                    return inv
        # 3. completion at the end instant ---------------------------------------------------
        assert inv is not None  # made above unless the lean path returned already
        end = inv.end_us
        if end < now:
            end = inv.end_us = now
        cloud.scheduler.schedule_at_us(end, self._complete, (inv,))
        return inv

    def _prepare(self, inv: Invocation, env: ExecutionEnvironment, now: int, t0: int,
                 capture: bool) -> tuple[Any, ...] | None:
        """``_start``'s path for all but a warm plain environment without log capture: Init
        or restore on a cold start, then the general handler run (``_run_handler``) or an
        error. Returns the environment's lean tuple (see :meth:`_plain`) when the handler is to
        run inline in ``_start`` instead; sets ``inv.invoke_start_us``."""
        version = env.version
        fn = version.function
        cfg = self.config
        logs = inv.log_lines
        invoke_start = t0
        if env.handler is None and not env.init_pending:
            inv.cold = True
            fn.stats.cold_starts += 1
            env.plain = env.lean = None  # Init (re)sets the environment's code: recompute
            if version.snapshot is not None:
                try:
                    restore_us, output = self._restore(env, t0, capture)
                except Exception:
                    self._abort_start(fn, env, now)
                    raise
                inv.restore_us = restore_us
                fn.stats.restores += 1
                invoke_start = t0 + restore_us
                if logs is not None and output:
                    logs.extend((t0, line) for line in output.splitlines())
            else:
                limit = round(cfg.init_limit_s * 1_000_000)
                init_us, err, output, init_timed_out = self._initialise(env, t0, limit, capture)
                if logs is not None and output:
                    logs.extend((t0, line) for line in output.splitlines())
                if init_timed_out:
                    env.init_pending = True
                    env.space = None
                    if logs is not None:
                        logs.append((t0 + limit, f"INIT_REPORT Init Duration: {limit / 1000:.2f} ms\tPhase: init\tStatus: timeout"))
                    init_us = limit
                inv.init_us = init_us
                env.init_us = init_us
                invoke_start = t0 + init_us
                if err is not None:
                    inv.error = err
                    inv.reset = True
                    if logs is not None:
                        logs.append((invoke_start, error_log_line(err)))
        inv.invoke_start_us = invoke_start
        if inv.error is not None:
            inv.end_us = invoke_start
        elif capture or inv.wire or not (env.plain if env.plain is not None else self._plain(env)) \
                or self.cloud.enforce_iam:
            self._run_handler(inv, env, invoke_start, capture)
        else:
            return env.lean if env.lean is not None else _lean(env)
        return None

    @staticmethod
    def _plain(env: ExecutionEnvironment) -> bool:
        """Whether ``env``'s handler runs plainly: native code, no module space, no environment
        variables, no virtual-clock patching (what ``_start``'s lean path needs besides no log
        capture and no IAM identity). Cached on the environment once its Init is complete:
        these inputs are fixed for a version object (a configuration or code update makes a new
        version, with new environments) and for an initialised environment (``_start`` clears
        the cache when Init runs again). O(1)."""
        version = env.version
        plain = (not env.init_pending and env.space is None and not version.virtual_time
                 and not version.environment and version.code.is_native)
        if env.handler is not None and not env.init_pending:
            env.plain = plain
            if plain:
                env.lean = _lean(env)
        return plain

    def _run_handler(self, inv: Invocation, env: ExecutionEnvironment, invoke_start: int,
                     capture: bool) -> None:
        version = env.version
        fn = version.function
        timeout_us = version.timeout * 1_000_000
        deadline = invoke_start + timeout_us
        run = Run(invoke_start, deadline)
        handler: Any = env.handler
        if env.init_pending:
            # Suppressed init: Init runs again in the Invoke phase, under the function timeout.
            handler = self._suppressed_init_handler(env)
        event = inv.event
        if inv.wire:
            raw = event
            try:
                event = json.loads(raw) if raw else {}
            except ValueError:
                event = raw
        ctx = LambdaContext._fast(
            fn.name, version.version, fn.arn if inv.resource is None else f"{fn.arn}:{inv.resource}",
            str(version.memory), inv.request_id, version.log_group, env.log_stream, deadline, run,
            inv.client_context,
        )
        if self.cloud.enforce_iam and (role := getattr(version, "role", None)):
            # The handler's calls run with its execution role's policies (session = function name).
            from ..iam.enforce import run_as

            identity: Any = run_as(self.cloud, role, fn.name)
        else:
            identity = None
        env_vars = self._env_vars(env)
        if identity is None and not capture and not version.virtual_time and not env_vars and env.space is None:
            out = run_plain(handler, (event, ctx), run)  # type: ignore[arg-type]
        else:
            with identity if identity is not None else _NO_IDENTITY:
                out = run_user_code(
                    handler, (event, ctx), start_us=invoke_start, deadline_us=deadline,  # type: ignore[arg-type]
                    env=env_vars, virtual_time=version.virtual_time, capture=capture,
                    enter=env.enter if env.space is not None else None,
                    leave=env.leave if env.space is not None else None, run=run,
                )
        self._settle(inv, env, invoke_start, out)

    def _settle(self, inv: Invocation, env: ExecutionEnvironment, invoke_start: int, out: Outcome,
                modelled: int | None = None) -> None:
        """The invocation's outcome from its handler's run: duration (the run's elapsed time
        plus the modelled duration, drawn here unless given), timeout, error or result."""
        version = env.version
        fn = version.function
        timeout_us = version.timeout * 1_000_000
        if modelled is None:
            sampler = version.duration_sampler
            if sampler is None:
                modelled = version.duration_const_us
            else:
                value = sampler(self.cloud.rng(fn.duration_stream))
                modelled = round(value * 1_000_000) if value > 0 else 0
        total = out.elapsed_us + modelled
        logs = inv.log_lines
        if logs is not None and out.output:
            logs.extend((invoke_start, line) for line in out.output.splitlines())
        if out.deadline or total > timeout_us:
            total = timeout_us
            inv.timed_out = True
            inv.reset = True
            inv.error = {
                "errorMessage": f"RequestId: {inv.request_id} Error: Task timed out after {version.timeout:.2f} seconds",
                "errorType": "Sandbox.Timedout",
            }
            if logs is not None:
                logs.append((invoke_start + total, timeout_line(invoke_start + total, inv.request_id, version.timeout)))
        elif not out.ok:
            err = error_payload(out.error, inv.request_id)  # type: ignore[arg-type]
            inv.error = err
            if err.get("errorType") == "Runtime.ExitError":
                inv.reset = True
            if logs is not None:
                logs.append((invoke_start + total, error_log_line(err)))
        else:
            result = out.value
            if inv.wire:
                try:
                    data = json.dumps(result).encode()
                except (TypeError, ValueError) as exc:
                    inv.error = {
                        "errorMessage": f"Unable to marshal response: {exc}",
                        "errorType": "Runtime.MarshalError",
                        "requestId": inv.request_id,
                        "stackTrace": [],
                    }
                else:
                    if len(data) > limits.SYNC_PAYLOAD_MAX_BYTES:
                        inv.error = {
                            "errorMessage": f"Response payload size exceeded maximum allowed payload size ({limits.SYNC_PAYLOAD_MAX_BYTES} bytes).",
                            "errorType": "Function.ResponseSizeTooLarge",
                        }
                    else:
                        inv.result = data
            else:
                inv.result = result
            if env.init_pending:
                env.init_pending = False
        inv.duration_us = total
        inv.end_us = invoke_start + total

    def _suppressed_init_handler(self, env: ExecutionEnvironment) -> Callable[[Any, Any], Any]:
        version = env.version
        fn = version.function

        def init_then_handle(event: Any, context: Any) -> Any:
            handler: Any
            if version.code.package is not None:
                seed = self.cloud.rng(f"lambda/{fn.name}/env").getrandbits(64)
                space = env.space = ModuleSpace(
                    version.code.package,
                    {"snapshot_restore_py": _snapstart_module(), "random": private_random_module(seed)},
                )
                space.enter()
                try:
                    handler = load_package_handler(space, version.handler)
                finally:
                    space.exit()
            elif version.code.factory is not None:
                handler = version.code.factory()
            else:  # pragma: no cover - native handlers have no user Init
                handler = version.code.handler
            env.handler = handler
            if env.space is not None:
                env.space.enter()
                try:
                    return handler(event, context)
                finally:
                    env.space.exit()
            return handler(event, context)

        return init_then_handle

    def _abort_start(self, fn: Function, env: ExecutionEnvironment, now: int) -> None:
        """Undo the accounting of a start that failed before running (restore errors)."""
        fn.stats.area_base_us += now
        fn.in_flight -= 1
        self._in_flight -= 1
        if not env.provisioned:
            fn.od_in_flight -= 1
            if fn.reserved is None:
                self._unreserved_usage -= 1
        self._shutdown(env, "reset")

    def _complete(self, inv: Invocation) -> None:
        cloud = self.cloud
        now = cloud.clock.now_us
        env = inv.env
        assert env is not None
        fn = inv.function
        version = inv.version
        st = fn.stats
        concurrency = fn.in_flight
        st.area_base_us += now  # the invocation's share of the concurrency integral ends
        account_concurrency = self._in_flight
        fn.in_flight = concurrency - 1
        self._in_flight = account_concurrency - 1
        provisioned = env.provisioned
        # billing --------------------------------------------------------------------------
        st.invocations += 1
        st.requests_billed += 1
        dur = inv.duration_us
        if provisioned:
            billed = -(-dur // 1000)
            st.mb_ms_provisioned += billed * version.memory
            if billed < 1:
                billed = 1
        else:
            fn.od_in_flight -= 1
            if fn.reserved is None:
                self._unreserved_usage -= 1
            billed = -(-(dur + inv.init_us) // 1000)
            if billed < 1:
                billed = 1
            if version.architecture == "x86_64":
                st.mb_ms_on_demand += billed * version.memory
            else:
                st.mb_ms_on_demand_arm += billed * version.memory
        inv.billed_ms = billed
        error = inv.error
        if error is not None:
            st.errors += 1
            if inv.timed_out:
                st.timeouts += 1
        # environment ------------------------------------------------------------------------
        env.invocations += 1
        if inv.reset or version.retired or fn.deleted or env.doomed:
            self._shutdown(env, "reset" if inv.reset else "retired")
        else:
            env.state = IDLE
            env.last_used_us = now
            pool = env.pool
            if pool.mru:
                pool.idle.append(env)  # EnvironmentPool.put, inlined
            else:
                pool.put(env)
            if env.reclaim is None and not provisioned:
                self._arm_reclaim(env)
        # logs, metrics, trace -----------------------------------------------------------------
        if inv.log_lines is not None:
            self._write_logs(inv)
        m = fn.metrics
        if m is None:
            m = self._function_metrics(fn)
        m.record(dur / 1000, concurrency, account_concurrency, now)
        if error is not None or inv.provisioned or inv.spillover:
            m.record_rare(error is not None, inv.provisioned, inv.spillover, now)
        if inv.resource is not None:
            self._resource_metrics(inv, now)
        if self.config.trace_invocations:
            trace = cloud.trace
            if trace.digest_only:
                # The canonical text record() would build (sorted keys, repr of each value),
                # written directly from the environment's constant pieces (_trace_parts): no
                # attributes dict, no sort, no repr (test_trace_digest and
                # test_invoke_lean.py check it).
                parts = env.trace_parts
                if parts is None:
                    parts = _trace_parts(env)
                trace.record_body("lambda", "invoke", (
                    f"{_TRACE_COLD if inv.cold else _TRACE_WARM}{dur}{parts[0]}{inv.request_id}"
                    f"{parts[2] if inv.timed_out else (parts[3] if error else parts[1])}"))
            else:
                trace.record(
                    "lambda", "invoke", function=fn.name, version=version.version, request_id=inv.request_id,
                    cold=inv.cold, duration_us=dur,
                    status="timeout" if inv.timed_out else ("error" if error else "ok"),
                )
        self._notify(inv)

    def _complete_lean(self, inv: Invocation) -> None:
        """:meth:`_complete` for what ``_start``'s lean path schedules: a warm, on-demand (not
        provisioned, not spillover) invocation without log capture whose handler succeeded
        within its timeout. The same steps in the same order, without the branches such an
        invocation never takes (errors, timeouts, resets, logs, provisioned billing, Init
        duration, the cold-start text, the rare metrics). test_invoke_lean2.py pins the two
        equal, field by field."""
        cloud = self.cloud
        now = cloud.clock.now_us
        env: Any = inv.env
        fn = inv.function
        version = inv.version
        st = fn.stats
        concurrency = fn.in_flight
        st.area_base_us += now  # the invocation's share of the concurrency integral ends
        account_concurrency = self._in_flight
        fn.in_flight = concurrency - 1
        self._in_flight = account_concurrency - 1
        # billing (on demand, no Init duration) ------------------------------------------------
        st.invocations += 1
        st.requests_billed += 1
        fn.od_in_flight -= 1
        if fn.reserved is None:
            self._unreserved_usage -= 1
        dur = inv.duration_us
        billed = -(-dur // 1000)
        if billed < 1:
            billed = 1
        if version.architecture == "x86_64":
            st.mb_ms_on_demand += billed * version.memory
        else:
            st.mb_ms_on_demand_arm += billed * version.memory
        inv.billed_ms = billed
        # environment ------------------------------------------------------------------------
        env.invocations += 1
        if version.retired or fn.deleted or env.doomed:
            self._shutdown(env, "retired")
        else:
            env.state = IDLE
            env.last_used_us = now
            pool = env.pool
            if pool.mru:
                pool.idle.append(env)  # EnvironmentPool.put, inlined
            else:
                pool.put(env)
            if env.reclaim is None:
                self._arm_reclaim(env)
        # metrics, trace -----------------------------------------------------------------------
        m = fn.metrics
        if m is None:
            m = self._function_metrics(fn)
        m.record(dur / 1000, concurrency, account_concurrency, now)
        if inv.resource is not None:
            self._resource_metrics(inv, now)
        if self.config.trace_invocations:
            trace = cloud.trace
            if trace.digest_only:
                parts = env.trace_parts
                if parts is None:
                    parts = _trace_parts(env)
                trace.record_body("lambda", "invoke", f"{_TRACE_WARM}{dur}{parts[0]}{inv.request_id}{parts[1]}")
            else:
                trace.record("lambda", "invoke", function=fn.name, version=version.version,
                             request_id=inv.request_id, cold=False, duration_us=dur, status="ok")
        self._notify(inv)

    def _notify(self, inv: Invocation) -> None:
        """The end of a completion (``_complete``, ``_complete_lean``): the invocation is done;
        its callbacks run (once), a waiting process resumes, and the async queue may dispatch."""
        inv.done = True
        callbacks = inv.callbacks
        if callbacks:
            inv.callbacks = None
            for cb in callbacks:
                cb(inv)
        if inv._event is not None:
            inv._event.succeed(inv)
        if self._async.waiting:
            self._async.kick()

    def _write_logs(self, inv: Invocation) -> None:
        version = inv.version
        env = inv.env
        assert env is not None and inv.log_lines is not None
        rid = inv.request_id
        restore_billed = -(-inv.restore_us // 1000) if inv.restore_us else 0
        used = min(version.memory, self.config.max_memory_used_mb)
        lines: list[tuple[int, str]] = [(inv.start_us, f"START RequestId: {rid} Version: {version.version}")]
        lines.extend(inv.log_lines)
        lines.append((inv.end_us, f"END RequestId: {rid}"))
        lines.append((inv.end_us, report_line(
            rid, inv.duration_us, inv.billed_ms, version.memory, used,
            inv.init_us if inv.cold and not inv.restore_us else 0, inv.restore_us, restore_billed, inv.timed_out,
        )))
        inv.log_lines = lines
        if self.config.logging:
            write = self.cloud.logs.write
            group = version.log_group
            stream = env.log_stream
            for t, message in lines:
                write(group, stream, message, t // 1000)

    def log_tail(self, inv: Invocation) -> bytes:
        """The last 4 KB of an invocation's log (what ``LogType=Tail`` returns, decoded)."""
        if inv.log_lines is None:
            return b""
        return log_tail([m for _, m in inv.log_lines], limits.LOG_TAIL_BYTES)

    # -- the entry point for other services ---------------------------------------------------
    def start_at(self, function: "str | Function", qualifier: str | None, event: Any,
                 at_us: int | None = None,
                 on_done: Callable[[Invocation], Any] | None = None) -> Invocation:
        """Start one invocation (RequestResponse, native event) whose handler runs from ``at_us``.

        For services that call a function on behalf of a request (API Gateway, ...) and decide
        themselves how their caller waits. ``function`` is a name or a :class:`~.functions.Function`;
        ``qualifier`` a version, an alias, ``$LATEST`` or None. ``at_us`` (default: now) may be
        later than now (a caller whose own virtual clock ran ahead, such as a handler); the
        concurrency checks and the environment choice happen now. The handler's code runs at
        once; the returned :class:`Invocation` knows ``end_us``, ``result`` and ``error``
        already; completion (environment release, billing, metrics, trace, ``on_done``) happens
        at ``end_us`` as a kernel event. Fully modelled: cold starts, concurrency, throttling,
        timeouts, billing, metrics exactly as for ``Invoke``.

        Raises ``ResourceNotFoundException`` (no such function, version or alias) or
        ``TooManyRequestsException`` (throttled). O(1) plus the handler.
        """
        fn = function if isinstance(function, Function) else self.functions.get(function)
        if fn is None or fn.deleted:
            raise self._not_found(function, qualifier)
        if qualifier is None:
            inv = self._start(fn.latest, None, event, "RequestResponse", False, at_us)  # _route(fn, None), inlined
        else:
            version, resource = self._route(fn, qualifier)
            inv = self._start(version, resource, event, "RequestResponse", False, at_us)
        if on_done is not None:
            inv.callbacks = [on_done]  # inv.on_complete(on_done), inlined: inv is new, not done
        return inv

    # -- synchronous invocation with blocking semantics ----------------------------------------
    def _invoke_sync(self, version: FunctionVersion, resource: str | None, event: Any, *,
                     wire: bool = False, tail: bool = False, client_context: Any = None) -> Invocation:
        run = current_run()
        if run is not None:
            inv = self._start(version, resource, event, wire=wire, start_us=run.now_us, tail=tail,
                              client_context=client_context)
            run.advance(max(0, inv.end_us - run.now_us))
            return inv
        sched = self.cloud.scheduler
        if _scheduler_running(sched):
            return self._start(version, resource, event, wire=wire, tail=tail, client_context=client_context)
        inv = self._start(version, resource, event, wire=wire, tail=tail, client_context=client_context)
        sched.run_until_us(inv.end_us)
        return inv

    # -- wire ---------------------------------------------------------------------------------
    @operation("Invoke")
    def invoke_op(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        itype = request.get("InvocationType", "RequestResponse")
        if itype not in ("RequestResponse", "Event", "DryRun"):
            raise InvalidParameterValueException(
                f"1 validation error detected: Value '{itype}' at 'invocationType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
            )
        log_type = request.get("LogType", "None")
        if log_type not in ("None", "Tail"):
            raise InvalidParameterValueException(
                f"1 validation error detected: Value '{log_type}' at 'logType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [None, Tail]"
            )
        payload = request.get("Payload", b"")
        if hasattr(payload, "read"):
            payload = payload.read()
        if isinstance(payload, str):
            payload = payload.encode()
        if payload is None:
            payload = b""
        limit = limits.ASYNC_PAYLOAD_MAX_BYTES if itype == "Event" else limits.SYNC_PAYLOAD_MAX_BYTES
        if len(payload) > limit:
            raise RequestTooLargeException(
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
            )
        if payload:
            try:
                json.loads(payload)
            except ValueError as exc:
                raise InvalidRequestContentException(f"Could not parse request body into json: {exc}") from None
        version, resource = self._route(fn, qualifier)
        if itype == "DryRun":
            return {"StatusCode": 204, "Payload": PayloadStream(b"")}
        if itype == "Event":
            self._async.submit(fn, qualifier, payload, wire=True)
            return {"StatusCode": 202, "Payload": PayloadStream(b"")}
        client_context = request.get("ClientContext")
        if client_context:
            try:
                client_context = json.loads(base64.b64decode(client_context))
            except ValueError:
                raise InvalidRequestContentException("Client context must be a valid Base64-encoded JSON object.") from None
        inv = self._invoke_sync(version, resource, payload, wire=True, tail=log_type == "Tail",
                                client_context=client_context)
        response: dict[str, Any] = {
            "StatusCode": 200,
            "ExecutedVersion": inv.version.version,
            "Payload": PayloadStream(inv.payload_bytes()),
        }
        if inv.error is not None:
            response["FunctionError"] = "Unhandled"
        if log_type == "Tail":
            if not inv.done:
                self._finish_log_lines(inv)
            response["LogResult"] = base64.b64encode(self.log_tail(inv)).decode()
        return response

    def _finish_log_lines(self, inv: Invocation) -> None:
        """Log lines of an invocation still running (a Tail from inside the simulation)."""
        if inv.log_lines is None:
            return
        rid = inv.request_id
        inv.log_lines = [(inv.start_us, f"START RequestId: {rid} Version: {inv.version.version}")] + inv.log_lines + [
            (inv.end_us, f"END RequestId: {rid}")
        ]


def _snapstart_module() -> Any:
    """What ``import snapshot_restore_py`` gives code inside an environment."""
    return _snapstart


__all__ = ["Invocation", "InvokeEngine", "PayloadStream"]
