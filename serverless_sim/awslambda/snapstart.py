"""SnapStart: snapshots taken at PublishVersion, restored in place of Init.

Modelled (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html):

- ``SnapStart={"ApplyOn": "PublishedVersions"}`` on Python 3.12+ functions. PublishVersion runs
  the version's Init once (limit: max(130 s, function timeout), per
  https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html), then the
  before-snapshot hooks *in reverse order of registration*, and captures the environment's
  modules as the snapshot.
- A new environment of that version *restores* instead of initialising: it gets a copy of the
  snapshot's module state (data deep-copied, module-level functions rebound to the copy), runs
  the after-restore hooks *in order of registration* (limit 10 s, else
  ``SnapStartTimeoutException``), and reports ``Restore Duration`` (modelled restore time plus
  the hooks' virtual time) instead of ``Init Duration``.
- **The uniqueness pitfall** (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html):
  whatever Init computed is *identical* in every restored environment: an id drawn at module
  level, and the state of the environment's ``random`` module, which the snapshot captures (every
  restored environment draws the same sequence until an after-restore hook reseeds it).

Hooks: package code does ``from snapshot_restore_py import register_before_snapshot,
register_after_restore`` (the import resolves to this module inside an environment); native code
may import them from here. Both work as decorators and as ``register_x(func, *args, **kwargs)``.

Deviations: classes defined in the package, closures and objects that cannot be deep-copied are
*shared* between restored environments rather than copied; the snapshot is ready as soon as
PublishVersion returns (no ``Pending`` state).
"""

from __future__ import annotations

import copy
import types
from typing import Any, Callable

__all__ = ["register_before_snapshot", "register_after_restore", "Snapshot", "HookRegistry"]


class HookRegistry:
    """The runtime hooks registered by one environment's code."""

    __slots__ = ("before", "after")

    def __init__(self) -> None:
        self.before: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.after: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def run_before(self) -> None:
        for fn, args, kwargs in reversed(self.before):
            fn(*args, **kwargs)

    def run_after(self) -> None:
        for fn, args, kwargs in self.after:
            fn(*args, **kwargs)


#: The registries of the environments whose code is running (innermost last).
_TARGETS: list[HookRegistry] = []


def _register(kind: str, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if func is None:  # used as @register_x() with parentheses
        return lambda f: _register(kind, f, args, kwargs)
    if _TARGETS:
        getattr(_TARGETS[-1], kind).append((func, args, kwargs))
    return func


def register_before_snapshot(func: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Run ``func(*args, **kwargs)`` before the snapshot is taken (reverse registration order)."""
    return _register("before", func, args, kwargs)


def register_after_restore(func: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Run ``func(*args, **kwargs)`` after a restore (registration order)."""
    return _register("after", func, args, kwargs)


class Snapshot:
    """The captured state of one initialised environment of a SnapStart version."""

    __slots__ = ("modules", "hooks", "handler", "taken_us", "init_us")

    def __init__(
        self,
        modules: dict[str, types.ModuleType],
        hooks: HookRegistry,
        handler: Any,
        taken_us: int,
        init_us: int,
    ) -> None:
        self.modules = modules
        self.hooks = hooks
        self.handler = handler
        self.taken_us = taken_us
        self.init_us = init_us

    def restore(self) -> tuple[dict[str, types.ModuleType], HookRegistry, Any]:
        """Fresh copies of the snapshot's modules, hooks and handler for a new environment."""
        memo: dict[int, Any] = {}
        new_modules: dict[str, types.ModuleType] = {}
        old_dicts: dict[int, dict[str, Any]] = {}
        for name, old in self.modules.items():
            new = types.ModuleType(name)
            new_modules[name] = new
            memo[id(old)] = new
            memo[id(old.__dict__)] = new.__dict__
            old_dicts[id(old.__dict__)] = new.__dict__
        # Functions defined in the package's modules are rebound to the copies' globals.
        for old in self.modules.values():
            for value in old.__dict__.values():
                if isinstance(value, types.FunctionType) and id(value.__globals__) in old_dicts:
                    if id(value) not in memo:
                        memo[id(value)] = _rebind(value, old_dicts[id(value.__globals__)])
        for name, old in self.modules.items():
            target = new_modules[name].__dict__
            for key, value in old.__dict__.items():
                target[key] = _copy(value, memo)
        for fn in list(memo.values()):
            if isinstance(fn, types.FunctionType) and fn.__defaults__:
                fn.__defaults__ = tuple(_copy(v, memo) for v in fn.__defaults__)
        hooks = HookRegistry()
        hooks.before = [(_copy(f, memo), _copy(a, memo), _copy(k, memo)) for f, a, k in self.hooks.before]
        hooks.after = [(_copy(f, memo), _copy(a, memo), _copy(k, memo)) for f, a, k in self.hooks.after]
        handler = memo.get(id(self.handler), self.handler)
        return new_modules, hooks, handler


def _rebind(fn: types.FunctionType, globals_: dict[str, Any]) -> types.FunctionType:
    new = types.FunctionType(fn.__code__, globals_, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__dict__.update(fn.__dict__)
    new.__qualname__ = fn.__qualname__
    new.__doc__ = fn.__doc__
    new.__module__ = fn.__module__
    return new


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    hit = memo.get(id(value))
    if hit is not None:
        return hit
    if isinstance(value, types.BuiltinMethodType):
        owner = value.__self__
        if owner is not None and not isinstance(owner, (types.ModuleType, type)):
            # A bound C method (``random.random`` is ``_inst.random``): bind it to the copy.
            return getattr(_copy(owner, memo), value.__name__)
        return value
    if isinstance(value, (type, types.ModuleType, types.FunctionType)):
        return value  # classes, foreign modules and functions are shared (see deviations)
    try:
        return copy.deepcopy(value, memo)
    except Exception:  # locks, sockets, generators...: shared, as documented
        return value
