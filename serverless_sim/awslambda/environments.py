"""Execution environments: Init -> Invoke, Invoke, ... -> Shutdown.

https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html

- **Init** runs once per environment: for a package, a fresh :class:`~.package.ModuleSpace`
  imports the handler's module (its top level runs: module-level state is per environment); for a
  native function, its ``factory`` (if any) makes the environment's handler. Init takes the
  modelled init duration (:class:`~.durations.InitModel`, by runtime and memory) plus the virtual
  time the top level spends, and is limited to 10 s on demand. An Init that hits the limit is
  retried once in the Invoke phase under the function timeout ("suppressed init"), as AWS does.
  A SnapStart version *restores* its snapshot instead (:mod:`.snapstart`).
- **Invoke**: the environment runs one request at a time; between requests it is idle (frozen).
  A new request takes the *most recently used* idle environment of its version (AWS documents no
  routing policy; this one keeps the fewest environments warm, as observed), else a new one.
- **Shutdown** happens after ``idle_reclaim_s`` of idleness (undocumented by AWS; ~10 minutes
  observed; a :class:`~.config.LambdaConfig` parameter), when the version's configuration is
  replaced, after a timeout or a crash (the environment is reset: the next request initialises a
  new one), or when the function is deleted. Reclaim checks are *daemon* events, one per
  environment at a time, so ``run_until_idle`` is not kept busy by warm environments.
"""

from __future__ import annotations

import linecache
import traceback
from collections import deque
from typing import TYPE_CHECKING, Any, Callable

from .package import TASK_ROOT

if TYPE_CHECKING:
    from .functions import FunctionVersion
    from .package import ModuleSpace
    from .snapstart import HookRegistry

IDLE = "idle"
BUSY = "busy"
DEAD = "dead"


class ExecutionEnvironment:
    """One execution environment of one function version."""

    __slots__ = (
        "id", "version", "pool", "handler", "space", "hooks", "state", "created_us",
        "last_used_us", "invocations", "log_stream", "reclaim", "provisioned", "init_type",
        "env_vars", "init_pending", "init_us", "restore_us", "doomed",
        "plain", "lean", "memory_text", "rid_rng", "duration_rng", "trace_parts",
    )

    def __init__(self, env_id: str, version: "FunctionVersion", pool: "EnvironmentPool", now_us: int,
                 log_stream: str, init_type: str) -> None:
        self.id = env_id
        self.version = version
        self.pool = pool
        self.handler: Callable[[Any, Any], Any] | None = None
        self.space: "ModuleSpace | None" = None
        self.hooks: "HookRegistry | None" = None
        self.state = BUSY
        self.created_us = now_us
        self.last_used_us = now_us
        self.invocations = 0
        self.log_stream = log_stream
        self.reclaim: Any = None  # the pending daemon reclaim check, if any
        self.provisioned = init_type == "provisioned-concurrency"
        self.init_type = init_type
        self.env_vars: dict[str, str] | None = None
        #: True when Init timed out and must be redone in the Invoke phase.
        self.init_pending = False
        self.init_us = 0
        self.restore_us = 0
        #: Shut down when the current invocation ends (its config was removed or replaced).
        self.doomed = False
        # -- per-environment caches of the invoke path (what every invocation would recompute) --
        #: True when the handler runs plainly (native code, no module space, no environment
        #: variables, no virtual-clock patching); None until known (set after Init completes,
        #: cleared when Init runs again). See ``InvokeEngine._plain``.
        self.plain: bool | None = None
        #: ``invoke._lean(self)`` while ``plain`` is True (the lean path's context pieces and
        #: timeout), else None.
        self.lean: tuple[str, str, str, str, str, str, int] | None = None
        #: ``str(version.memory)``: the context's ``memory_limit_in_mb``.
        self.memory_text = str(version.memory)
        #: The function's request-id and duration streams (``cloud.rng(name)``: the same object
        #: for a name), looked up at their first use by this environment.
        self.rid_rng: Any = None
        self.duration_rng: Any = None
        #: The constant pieces of the ``lambda/invoke`` trace text (``invoke._trace_parts``).
        self.trace_parts: tuple[str, ...] | None = None

    def enter(self) -> None:
        if self.space is not None:
            self.space.enter()

    def leave(self) -> None:
        if self.space is not None:
            self.space.exit()

    def __repr__(self) -> str:
        return f"<ExecutionEnvironment {self.id} {self.version.function.name}:{self.version.version} {self.state}>"


class EnvironmentPool:
    """The environments of one version (or one provisioned concurrency config).

    ``idle`` is a deque ordered by last use: the right end is the most recently used (taken
    first), the left end the least recently used (reclaimed first). O(1) take and put.
    """

    __slots__ = ("idle", "live", "version", "members")

    #: True when :meth:`take` and :meth:`put` are this class's (the invoke path inlines them);
    #: set for each subclass from whether it overrides either.
    mru = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.mru = cls.put is EnvironmentPool.put and cls.take is EnvironmentPool.take

    def __init__(self, version: "FunctionVersion | None" = None) -> None:
        self.idle: deque[ExecutionEnvironment] = deque()
        self.live = 0
        self.version = version
        #: Every live environment of the pool (busy or idle), in creation order.
        self.members: dict[str, ExecutionEnvironment] = {}

    def take(self) -> ExecutionEnvironment | None:
        """The most recently used idle environment, now busy; None if none is idle. O(1)."""
        idle = self.idle
        if idle:
            env = idle.pop()
            env.state = BUSY
            return env
        return None

    def put(self, env: ExecutionEnvironment) -> None:
        """Return ``env`` to the idle set (it becomes the most recently used). O(1)."""
        self.idle.append(env)

    def remove_idle(self, env: ExecutionEnvironment) -> None:
        """Take an idle environment out (reclaim: usually the least recently used, O(1))."""
        idle = self.idle
        if idle and idle[0] is env:
            idle.popleft()
        else:
            idle.remove(env)

    def drain(self) -> list[ExecutionEnvironment]:
        """Remove and return every idle environment."""
        out = list(self.idle)
        self.idle.clear()
        return out

    def idle_envs(self) -> list[ExecutionEnvironment]:
        return list(self.idle)


class NewestFirstPool(EnvironmentPool):
    """Idle environments taken newest-*created* first (the policy SimFaaS and the TCC model
    assume), instead of most recently used. O(log n) take / put / remove."""

    __slots__ = ("_sorted",)

    def __init__(self, version: "FunctionVersion | None" = None) -> None:
        super().__init__(version)
        from sortedcontainers import SortedDict

        self._sorted: Any = SortedDict()

    def take(self) -> ExecutionEnvironment | None:
        if self._sorted:
            _, env = self._sorted.popitem(-1)
            env.state = BUSY
            return env
        return None

    def put(self, env: ExecutionEnvironment) -> None:
        self._sorted[(env.created_us, env.id.rsplit("#", 1)[1].zfill(12))] = env

    def remove_idle(self, env: ExecutionEnvironment) -> None:
        del self._sorted[(env.created_us, env.id.rsplit("#", 1)[1].zfill(12))]

    def drain(self) -> list[ExecutionEnvironment]:
        out = list(self._sorted.values())
        self._sorted.clear()
        return out

    def idle_envs(self) -> list[ExecutionEnvironment]:
        return list(self._sorted.values())


class RuntimeFault(Exception):
    """An error the Lambda runtime itself reports (bad handler, import failure...)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


def load_package_handler(space: "ModuleSpace", handler: str) -> Callable[[Any, Any], Any]:
    """Import the handler's module in ``space`` and return the handler, as the Python runtime
    (``awslambdaric``) does, with its error types and messages."""
    modname, sep, fname = handler.rpartition(".")
    if not sep or not modname or not fname:
        raise RuntimeFault(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
        )
    modname = modname.replace("/", ".")
    try:
        module = space.import_module(modname)
    except ModuleNotFoundError as exc:
        raise RuntimeFault("Runtime.ImportModuleError", f"Unable to import module '{modname}': {exc}") from None
    except SyntaxError as exc:
        raise RuntimeFault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{modname}': {exc}") from None
    fn = getattr(module, fname, None)
    if fn is None:
        raise RuntimeFault("Runtime.HandlerNotFound", f"Handler '{fname}' missing on module '{modname}'")
    return fn  # type: ignore[no-any-return]


_SIM_DIR = __file__.rsplit("/", 2)[0]


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The error document the Python runtime returns for an unhandled exception."""
    if isinstance(exc, RuntimeFault):
        return {"errorMessage": exc.message, "errorType": exc.error_type, "requestId": request_id, "stackTrace": []}
    # Every package's files are under /var/task, so linecache may hold another package's lines
    # for the same path: drop them, to be read again through this frame's module loader.
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(TASK_ROOT):
            linecache.cache.pop(name, None)
        tb = tb.tb_next
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_SIM_DIR)]
    error_type = type(exc).__name__
    if isinstance(exc, SystemExit):
        return {
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {exc.code}",
            "errorType": "Runtime.ExitError",
        }
    return {
        "errorMessage": str(exc),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def error_log_line(payload: dict[str, Any]) -> str:
    """The ``[ERROR]`` line the Python runtime logs for an unhandled exception."""
    text = f"[ERROR] {payload.get('errorType')}: {payload.get('errorMessage')}"
    stack = payload.get("stackTrace")
    if stack:
        text += "\nTraceback (most recent call last):\n" + "".join(stack)
    return text.rstrip("\n")


def reserved_env_vars(version: "FunctionVersion", region: str, log_stream: str, init_type: str) -> dict[str, str]:
    """The environment variables Lambda sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
    without credentials, plus the function's own (which cannot override reserved keys)."""
    fn = version.function
    env = dict(version.environment)
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": fn.name,
            "AWS_LAMBDA_FUNCTION_VERSION": version.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(version.memory),
            "AWS_LAMBDA_LOG_GROUP_NAME": version.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": init_type,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{version.runtime}",
            "_HANDLER": version.handler,
            "LAMBDA_TASK_ROOT": TASK_ROOT,
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
        }
    )
    return env
