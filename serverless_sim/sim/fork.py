"""Time travel: fork a Cloud at the current instant, checkpoint it, restore it.

::

    from serverless_sim.sim import fork, checkpoint, restore

    cloud.run("7d")
    what_if = fork(cloud)                              # independent copy at this instant
    what_if.service("lambda").put_function_concurrency({"FunctionName": "orders",
                                                        "ReservedConcurrentExecutions": 200})
    cloud.run("8d"); what_if.run("8d")                 # two futures from one past

    cp = checkpoint(cloud)                             # keep this instant
    cloud.run("9d")
    restore(cloud, cp)                                 # back to it (the object stays the same)

A fork is a deep copy of everything the Cloud holds: clock, event queue (bound methods are
rebound to the copies), services, random streams (``random.Random`` copies its state exactly),
trace (the records made so far are shared, being immutable; the running digest is copied),
metrics and workloads. It is **exact**: a fork run to T and the original run to T give the same
trace digest, as long as everything the future depends on is reachable from the Cloud.

What the copy rebinds, beyond ``copy.deepcopy``'s rules:

- **closures** (Lambda handlers, callbacks, rate curves made inside a function): their cells are
  copied, so a handler that closes over ``cloud`` or a table talks to the *fork*;
- **bound built-in methods** (``rng.random``, ``items.append``) are bound to the copied object;
- **Lambda package environments**: the modules of each environment's private module space are
  copied (module data deep-copied, the package's functions rebound to the copies), so
  module-level state stays per environment and per fork;
- modules, classes and functions without a closure are shared (they are code, not state).

Not copyable, with a clear :class:`~serverless_sim.SimError`: live generator processes
(``cloud.process(...)``) and anything else Python cannot copy (locks, files, sockets). Workloads
(:mod:`.workloads`) are plain data for this reason; write simulations that must fork as
callbacks with state in objects, not as generator processes. Module-level functions that reach
a Cloud through a *global* variable keep reaching the original (globals are not copied): pass
the Cloud through a closure or an object instead. Classes defined inside a Lambda deployment
package are shared between copies (as SnapStart restores share them).

Extension hooks: :func:`register_copier` (a function ``(obj, memo) -> copy`` for one class) and
:func:`register_shared` (instances shared, never copied: immutable, heavy data).

Cost: O(size of the Cloud's state); a Cloud with a few thousand items and executions forks in
tens of milliseconds.
"""

from __future__ import annotations

import copy
import threading
import types
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..kernel.clock import format_us
from ..kernel.errors import SimError

if TYPE_CHECKING:
    from ..cloud import Cloud

_lock = threading.RLock()
_local = threading.local()
_REGISTERED: dict[type, Callable[[Any, dict[int, Any]], Any]] = {}

_MISSING = object()
_SHARED_MODULE_KEYS = frozenset({"__builtins__", "__loader__", "__spec__"})


def register_copier(cls: type, copier: Callable[[Any, dict[int, Any]], Any]) -> None:
    """Copy instances of exactly ``cls`` with ``copier(obj, memo)`` during forks (the copier may
    call ``copy.deepcopy(part, memo)`` for parts)."""
    _REGISTERED[cls] = copier


def register_shared(cls: type) -> None:
    """Share instances of exactly ``cls`` between a Cloud and its forks (immutable data)."""
    _REGISTERED[cls] = lambda obj, memo: obj


def _active() -> bool:
    return getattr(_local, "forking", False)


def _copy_function(fn: types.FunctionType, memo: dict[int, Any]) -> Any:
    if not _active():
        return fn
    new_globals = memo.get(id(fn.__globals__))
    closure = fn.__closure__
    if not closure and new_globals is None:
        return fn
    cells = tuple(types.CellType() for _ in closure) if closure else None
    new = types.FunctionType(fn.__code__, new_globals if new_globals is not None else fn.__globals__,
                             fn.__name__, fn.__defaults__, cells)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__ = fn.__qualname__
    new.__doc__ = fn.__doc__
    new.__module__ = fn.__module__
    memo[id(fn)] = new
    if fn.__dict__:
        new.__dict__.update(copy.deepcopy(fn.__dict__, memo))
    if closure:
        for old, cell in zip(closure, cells):  # type: ignore[arg-type]
            try:
                contents = old.cell_contents
            except ValueError:  # an empty cell (a name assigned later)
                continue
            cell.cell_contents = copy.deepcopy(contents, memo)
    return new


def _copy_builtin(fn: Any, memo: dict[int, Any]) -> Any:
    if not _active():
        return fn
    owner = getattr(fn, "__self__", None)
    if owner is None or isinstance(owner, (types.ModuleType, type)):
        return fn
    try:
        new_owner = copy.deepcopy(owner, memo)
    except TypeError:  # files, streams: shared, like modules
        return fn
    return getattr(new_owner, fn.__name__)


def _copy_module(mod: types.ModuleType, memo: dict[int, Any]) -> Any:
    return mod  # only reached for modules not pre-mapped (shared code)


def _copy_generator(gen: Any, memo: dict[int, Any]) -> Any:
    if not _active():
        raise TypeError(f"cannot copy {type(gen).__name__} object")
    _local.generators.append(getattr(gen, "__qualname__", repr(gen)))
    return None


_HOOKS: dict[type, Callable[[Any, dict[int, Any]], Any]] = {
    types.FunctionType: _copy_function,
    types.BuiltinFunctionType: _copy_builtin,
    types.ModuleType: _copy_module,
    types.GeneratorType: _copy_generator,
    types.CoroutineType: _copy_generator,
}


def _premap_lambda_modules(cloud: "Cloud", memo: dict[int, Any]) -> list[tuple[types.ModuleType, types.ModuleType]]:
    """Fresh module objects for every Lambda environment's private modules (filled after the
    main copy, with the same memo, so their data points at the copied Cloud)."""
    lam = cloud.__dict__.get("_services", {}).get("lambda")
    if lam is None:
        return []
    pairs: list[tuple[types.ModuleType, types.ModuleType]] = []
    for name in sorted(lam.functions):
        fn = lam.functions[name]
        pools = []
        for v in [fn.latest, *fn.versions.values()]:
            if v is not None and v.pool is not None:
                pools.append(v.pool)
        for pc in fn.provisioned.values():
            pools.append(pc.pool)
        for pool in pools:
            for env in pool.members.values():
                space = env.space
                if space is None:
                    continue
                mods = list(space.modules.values())
                private_random = space.extra.get("random")
                if private_random is not None:
                    mods.append(private_random)
                for old in mods:
                    if id(old) in memo:
                        continue
                    new = types.ModuleType(old.__name__, old.__doc__)
                    memo[id(old)] = new
                    memo[id(old.__dict__)] = new.__dict__
                    pairs.append((old, new))
    return pairs


def _fill_modules(pairs: list[tuple[types.ModuleType, types.ModuleType]], memo: dict[int, Any]) -> None:
    for old, new in pairs:
        target = new.__dict__
        for key, value in old.__dict__.items():
            target[key] = value if key in _SHARED_MODULE_KEYS else copy.deepcopy(value, memo)


def deep_copy(obj: Any, memo: dict[int, Any] | None = None, *, cloud: "Cloud | None" = None) -> Any:
    """``copy.deepcopy`` with the fork rules (see the module docstring). Thread-safe: the rules
    apply to the calling thread only, while it copies."""
    memo = {} if memo is None else memo
    with _lock:
        saved = {cls: copy._deepcopy_dispatch.get(cls, _MISSING) for cls in (*_HOOKS, *_REGISTERED)}  # type: ignore[attr-defined]
        dispatch = copy._deepcopy_dispatch  # type: ignore[attr-defined]
        _local.forking = True
        _local.generators = []
        try:
            for cls, hook in _HOOKS.items():
                dispatch[cls] = hook
            for cls, hook in _REGISTERED.items():
                dispatch[cls] = hook
            pairs = _premap_lambda_modules(cloud, memo) if cloud is not None else []
            try:
                result = copy.deepcopy(obj, memo)
                _fill_modules(pairs, memo)
            except SimError:
                raise
            except (TypeError, AttributeError, RecursionError) as exc:
                raise SimError(
                    f"this Cloud cannot be copied: {type(exc).__name__}: {exc}. Everything a Cloud "
                    "holds must be plain data, closures or objects Python can copy (no locks, files "
                    "or sockets); see serverless_sim.sim.fork"
                ) from exc
            generators = _local.generators
        finally:
            _local.forking = False
            _local.generators = []
            for cls, old in saved.items():
                if old is _MISSING:
                    dispatch.pop(cls, None)
                else:
                    dispatch[cls] = old
    if generators:
        names = ", ".join(sorted(set(generators)))
        raise SimError(
            f"cannot fork: live generator processes cannot be copied ({names}). Run them to "
            "completion first, or write them as callbacks with their state in objects (as the "
            "workloads of serverless_sim.sim are)"
        )
    return result


def fork(cloud: "Cloud") -> "Cloud":
    """An independent copy of ``cloud`` at its current instant (see the module docstring).

    Raises :class:`~serverless_sim.SimError` naming the generator processes (or the object)
    that cannot be copied. O(size of the state)."""
    return deep_copy(cloud, {}, cloud=cloud)  # type: ignore[no-any-return]


@attrs.frozen
class Checkpoint:
    """A saved instant of a Cloud (a private fork): ``restore(cloud, cp)`` returns to it, any
    number of times."""

    time_us: int
    digest: str
    events_run: int
    _state: Any = attrs.field(repr=False)

    @property
    def time(self) -> str:
        return format_us(self.time_us)

    def __repr__(self) -> str:
        return f"<Checkpoint at {format_us(self.time_us)} digest {self.digest[:12]}>"


def checkpoint(cloud: "Cloud") -> Checkpoint:
    """Save the Cloud's current state (a private fork). O(size of the state)."""
    return Checkpoint(cloud.clock.now_us, cloud.trace.digest(), cloud.scheduler.events_run, fork(cloud))


def restore(cloud: "Cloud", cp: Checkpoint) -> "Cloud":
    """Put ``cloud`` back into the state saved by ``checkpoint`` (in place: the Cloud object
    stays the same; objects obtained from it before, such as a table or a workload, belong to
    the abandoned timeline: get them again). Returns ``cloud``."""
    saved = cp._state
    if type(saved) is not type(cloud):
        raise SimError(f"not a checkpoint of a Cloud: {cp!r}")
    memo: dict[int, Any] = {id(saved): cloud}
    state = deep_copy(saved.__dict__, memo, cloud=saved)
    cloud.__dict__.clear()
    cloud.__dict__.update(state)
    return cloud


def _register_defaults() -> None:
    # Deployment packages are immutable and heavy (zip bytes, compiled code): shared.
    try:
        from ..awslambda.package import DeploymentPackage
    except ImportError:  # pragma: no cover - Lambda not present
        return
    register_shared(DeploymentPackage)


_register_defaults()

__all__ = ["Checkpoint", "checkpoint", "deep_copy", "fork", "register_copier", "register_shared", "restore"]
