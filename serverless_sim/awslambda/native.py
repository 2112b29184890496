"""The Pythonic API: ``lam = cloud.service("lambda")``.

::

    lam.create_function_from_callable("hello", lambda event, ctx: {"hi": event["name"]},
                                      memory=256, timeout=10, duration=0.120)
    inv = lam.invoke("hello", {"name": "sim"})     # blocks: the clock moves to the end
    inv.payload, inv.cold_start, inv.duration_s

    lam.create_function_from_source("orders", {"app.py": SOURCE}, handler="app.handler")

Invocation entry points, by how the caller waits (see :mod:`.invoke` for the full semantics):

- :meth:`NativeAPI.invoke` — synchronous, blocking like the real call (from outside the
  simulation the clock advances to the completion; from a handler the caller's clock does;
  from a simulation event the result returns at once).
- :meth:`NativeAPI.invoke_event` — for processes: a kernel event that fires at the completion
  instant with the :class:`~.invoke.Invocation` (or fails with ``TooManyRequestsException``).
- :meth:`NativeAPI.submit` — start now, never wait (workloads, event sources); throttles raise.
- :meth:`NativeAPI.invoke_async` — ``InvocationType=Event``: queue it (the 202).

Native functions take Python objects as events and return Python objects (no JSON round trip);
wire ``Invoke`` calls always go through JSON, as on AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, cast

from ..kernel.errors import AWSError, SimError
from ..kernel.process import Event
from . import limits
from .async_invoke import AsyncRecord
from .billing import Billing, compute_billing
from .durations import DurationModel
from .environments import ExecutionEnvironment
from .functions import Code, Function
from .functions_api import check_environment, check_memory, check_runtime, check_snapstart, check_timeout
from .invoke import Invocation
from .package import DeploymentPackage

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .async_invoke import AsyncQueue
    from .functions import FunctionVersion
    from .service import Lambda

DEFAULT_ROLE = "arn:aws:iam::{account}:role/lambda-role"


def fn_env_number(env: ExecutionEnvironment) -> int:
    return int(env.id.rsplit("#", 1)[1])


class NativeAPI:
    """Convenience methods over the engine (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _async: AsyncQueue
        cloud: Cloud
        functions: dict[str, Function]
        def _create_function(
            self, name: str, *, code: Code, runtime: str, handler: str, role: str, memory: int,
            timeout: int, description: str = "", environment: dict[str, str] | None = None,
            architecture: str = "x86_64", ephemeral_storage: int = limits.EPHEMERAL_STORAGE_DEFAULT_MB,
            snapstart: bool = False, tracing_mode: str = "PassThrough", tags: dict[str, str] | None = None,
            layers: tuple[str, ...] = (), duration: Any = None, virtual_time: bool = True,
            init_duration_us: int | None = None, log_group: str = "",
        ) -> Function: ...
        def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]: ...
        def _invoke_sync(self, version: FunctionVersion, resource: str | None, event: Any, *,
                         wire: bool = False, tail: bool = False, client_context: Any = None) -> Invocation: ...
        def _not_found(self, fn_or_name: Any, qualifier: str | None = None) -> Exception: ...
        def _parse_name(self, text: Any, member: str = "functionName") -> tuple[str, str | None]: ...
        def _publish(self, fn: Function, description: str) -> FunctionVersion: ...
        def _route(self, fn: Function, qualifier: str | None) -> tuple[FunctionVersion, str | None]: ...
        def _start(self, version: FunctionVersion, resource: str | None, event: Any, *,
                   invocation_type: str = "RequestResponse", wire: bool = False, start_us: int | None = None,
                   tail: bool = False, client_context: Any = None) -> Invocation: ...
        def _version_of(self, fn: Function, qualifier: str | None) -> FunctionVersion: ...

    # -- functions ---------------------------------------------------------------------------------
    def create_function_from_callable(
        self,
        name: str,
        handler: Callable[[Any, Any], Any] | None = None,
        *,
        factory: Callable[[], Callable[[Any, Any], Any]] | None = None,
        memory: int = limits.MEMORY_DEFAULT_MB,
        timeout: int = limits.TIMEOUT_DEFAULT_S,
        duration: DurationModel | None = None,
        init_duration: float | None = None,
        runtime: str = "python3.12",
        environment: dict[str, str] | None = None,
        architecture: str = "x86_64",
        description: str = "",
        virtual_time: bool = True,
        role: str | None = None,
    ) -> Function:
        """A function whose code is a Python callable, run in process.

        ``handler(event, context)`` is shared by every environment; or give ``factory()``, run at
        each environment's Init (its virtual time counts as Init), returning that environment's
        handler, so closures hold per-environment state like module globals would.
        ``duration`` is the duration model (seconds, a Distribution or ``rng -> seconds``);
        ``init_duration`` fixes the modelled Init (default: the service's InitModel).
        ``virtual_time=False`` skips patching the clock during calls (faster; the handler then
        sees the wall clock and must not sleep). ``role`` is the execution role's ARN (its
        policies apply to the handler's calls when the Cloud enforces IAM). Validation is the
        wire API's.
        """
        if (handler is None) == (factory is None):
            raise SimError("give exactly one of handler= (shared) or factory= (per environment)")
        self._check_new_name(name)
        environment = check_environment({"Variables": environment} if environment else None)
        fn = self._create_function(
            name, code=Code(handler=handler, factory=factory), runtime=check_runtime(runtime, required=True) or runtime,
            handler=getattr(handler or factory, "__qualname__", "handler"),
            role=role or DEFAULT_ROLE.format(account=self.cloud.account_id), memory=check_memory(memory),
            timeout=check_timeout(timeout), description=description, environment=environment,
            architecture=architecture, duration=duration, virtual_time=virtual_time,
            init_duration_us=None if init_duration is None else round(init_duration * 1_000_000),
        )
        return fn

    def create_function_from_source(
        self,
        name: str,
        files: dict[str, str | bytes],
        *,
        handler: str = "app.handler",
        runtime: str = "python3.12",
        memory: int = limits.MEMORY_DEFAULT_MB,
        timeout: int = limits.TIMEOUT_DEFAULT_S,
        environment: dict[str, str] | None = None,
        duration: DurationModel | None = None,
        snapstart: bool = False,
        architecture: str = "x86_64",
        role: str | None = None,
    ) -> Function:
        """A function from source files (``{"app.py": "def handler(event, context): ..."}``),
        packaged as a deterministic zip, exactly as CreateFunction with ``ZipFile`` would."""
        self._check_new_name(name)
        rt = check_runtime(runtime, required=True) or runtime
        package = DeploymentPackage.from_files(files)
        fn = self._create_function(
            name, code=Code(package=package), runtime=rt, handler=handler,
            role=role or DEFAULT_ROLE.format(account=self.cloud.account_id), memory=check_memory(memory),
            timeout=check_timeout(timeout),
            environment=check_environment({"Variables": environment} if environment else None),
            architecture=architecture, duration=duration,
            snapstart=check_snapstart({"ApplyOn": "PublishedVersions"} if snapstart else None, rt),
        )
        return fn

    def _check_new_name(self, name: str) -> None:
        parsed, qualifier = self._parse_name(name)
        if qualifier is not None or parsed != name or len(name) > limits.FUNCTION_NAME_MAX:
            raise SimError(f"not a plain function name: {name!r}")

    def function(self, name: str) -> Function:
        """The :class:`~.functions.Function` named ``name`` (ResourceNotFoundException if none)."""
        fn = self.functions.get(name)
        if fn is None:
            raise self._not_found(name)
        return fn

    def set_duration(self, name: str, model: DurationModel | None, qualifier: str | None = None) -> None:
        """Set the duration model of ``$LATEST`` (or of one version)."""
        fn = self.function(name)
        self._version_of(fn, qualifier).set_duration(model)

    def publish(self, name: str, description: str = "") -> str:
        """Publish ``$LATEST``; returns the version number."""
        return self._publish(self.function(name), description).version

    # -- invoking -------------------------------------------------------------------------------------
    def _resolve(self, name: Any, qualifier: str | None) -> tuple[Any, str | None]:
        fn = name if isinstance(name, Function) else self.functions.get(name)
        if fn is None:
            fn, q = self._function_from_request({"FunctionName": name, **({"Qualifier": qualifier} if qualifier else {})})
            qualifier = q
        return self._route(fn, qualifier)

    def invoke(self, name: str | Function, event: Any = None, *, qualifier: str | None = None) -> Invocation:
        """Invoke synchronously (RequestResponse) with blocking semantics; see the module doc."""
        version, resource = self._resolve(name, qualifier)
        return self._invoke_sync(version, resource, event)

    def submit(
        self, name: str | Function, event: Any = None, *, qualifier: str | None = None,
        on_complete: Callable[[Invocation], Any] | None = None,
    ) -> Invocation:
        """Start an invocation now and return at once (the clock does not move)."""
        fn = name if isinstance(name, Function) else self.functions.get(name)
        if fn is not None and qualifier is None:
            inv = self._start(fn.latest, None, event)  # self._resolve(name, None), inlined
        else:
            version, resource = self._resolve(name, qualifier)
            inv = self._start(version, resource, event)
        if on_complete is not None:
            inv.callbacks = [on_complete]  # inv.on_complete(on_complete), inlined: inv is new, not done
        return inv

    def invoke_event(self, name: str | Function, event: Any = None, *, qualifier: str | None = None) -> Event:
        """An event a process can ``yield``: it fires at the completion instant with the
        :class:`~.invoke.Invocation`, or fails with ``TooManyRequestsException``."""
        ev = Event(self.cloud.scheduler)
        try:
            inv = self.submit(name, event, qualifier=qualifier)
        except AWSError as exc:
            ev.fail(exc)
            return ev
        inv._event = ev
        return ev

    def invoke_async(self, name: str | Function, event: Any = None, *, qualifier: str | None = None) -> AsyncRecord:
        """Queue an asynchronous invocation (``InvocationType=Event``)."""
        fn = name if isinstance(name, Function) else self.function(name)
        if qualifier is not None:
            self._route(fn, qualifier)  # validates
        return self._async.submit(fn, qualifier, event)

    # -- observing -----------------------------------------------------------------------------------------
    def environments(self, name: str, qualifier: str | None = None) -> list[ExecutionEnvironment]:
        """Live environments of a version (busy and idle), oldest first."""
        fn = self.function(name)
        version = self._version_of(fn, qualifier)
        found: list[ExecutionEnvironment] = list(version.pool.members.values()) if version.pool else []
        for pc in fn.provisioned.values():
            if pc.version is version:
                found.extend(pc.pool.members.values())
        return sorted(found, key=lambda e: (e.created_us, fn_env_number(e)))

    def stats(self, name: str) -> dict[str, Any]:
        """What the simulation measured for a function (counts, means over its lifetime)."""
        fn = self.function(name)
        now = self.cloud.clock.now_us
        st = fn.stats
        span = max(1, now - fn.created_us)
        return {
            "invocations": st.invocations,
            "cold_starts": st.cold_starts,
            "restores": st.restores,
            "throttles": st.throttles,
            "errors": st.errors,
            "timeouts": st.timeouts,
            "cold_start_probability": st.cold_starts / st.invocations if st.invocations else 0.0,
            "mean_concurrency": st.area_us(fn.in_flight, now) / span,
            "mean_environments": st.env_area_us(now) / span,
            "peak_concurrency": st.peak_concurrency,
            "in_flight": fn.in_flight,
            "environments": st.environments,
        }

    def billing(self, *, free_tier: bool = False) -> Billing:
        """Cost so far at AWS's list prices (see :mod:`.billing`)."""
        return compute_billing(cast("Lambda", self), free_tier)
