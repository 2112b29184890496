"""Scenarios: a Python file with ``build(cloud, **params)``, run for a simulated duration.

A scenario file::

    # shop.py
    from serverless_sim.sim import workload, Daily, Function

    PARAMS = {"rate": 10.0, "memory": 512}        # optional defaults (overridable: --param)
    CLOUD = {"trace": "none"}                       # optional Cloud(...) keyword arguments

    def build(cloud, rate, memory):
        cloud.service("lambda").create_function_from_callable("api", handler, memory=memory)
        workload(cloud, "users", Daily(mean=rate), Function("api"))

    def measure(cloud, report):                     # optional: extra numbers for sweeps
        return {"p99": report.workloads["users"]["p99_ms"]}

Run it: ``python -m serverless_sim run shop.py --seed 7 --for 30d --report text`` (or
``--report json``, ``--param rate=20``, ``--free-tier``). From Python: :func:`run_scenario`.
The run shows a progress bar on stderr when it is a terminal (``--progress`` / ``--no-progress``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import sys
import types
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..kernel.errors import SimError
from .progress import run_with_progress
from .workloads import parse_duration_us

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .report import Report

Scenario = Any  # a path (str), a module, or a build callable


@attrs.frozen
class Loaded:
    """A scenario resolved to its parts."""

    name: str
    build: Callable[..., Any]
    params: dict[str, Any]
    cloud_kwargs: dict[str, Any]
    measure: Callable[..., Any] | None


_MODULE_CACHE: dict[str, types.ModuleType] = {}


def load_scenario(scenario: Scenario) -> Loaded:
    """Resolve a scenario: a ``.py`` path, ``package.module`` or ``package.module:build`` text,
    a module, or a ``build(cloud, **params)`` callable."""
    if callable(scenario) and not isinstance(scenario, types.ModuleType):
        return Loaded(getattr(scenario, "__qualname__", "scenario"), scenario,
                      dict(getattr(scenario, "PARAMS", {}) or {}), {}, None)
    module: types.ModuleType
    attr = "build"
    if isinstance(scenario, types.ModuleType):
        module = scenario
    elif isinstance(scenario, str):
        if scenario.endswith(".py"):
            module = _load_file(scenario)
        else:
            modname, _, attr = scenario.partition(":")
            attr = attr or "build"
            module = importlib.import_module(modname)
    else:
        raise SimError(f"a scenario is a .py path, a module name, a module or a callable, got {scenario!r}")
    build = getattr(module, attr, None)
    if not callable(build):
        raise SimError(f"scenario {getattr(module, '__name__', scenario)!r} defines no {attr}(cloud, ...) function")
    return Loaded(getattr(module, "__name__", str(scenario)), build, dict(getattr(module, "PARAMS", {}) or {}),
                  dict(getattr(module, "CLOUD", {}) or {}), getattr(module, "measure", None))


def _load_file(path: str) -> types.ModuleType:
    import hashlib
    import os

    full = os.path.abspath(path)
    cached = _MODULE_CACHE.get(full)
    if cached is not None:
        return cached
    if not os.path.exists(full):
        raise SimError(f"no scenario file {path!r}")
    name = "serverless_sim_scenario_" + hashlib.sha256(full.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, full)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that its functions pickle (sweeps) and dataclasses work
    spec.loader.exec_module(module)
    _MODULE_CACHE[full] = module
    return module


def build_cloud(scenario: Scenario, *, seed: int | str = 0, params: dict[str, Any] | None = None,
                **cloud_kwargs: Any) -> tuple["Cloud", Loaded]:
    """A fresh Cloud with the scenario built into it (at its start instant)."""
    from ..cloud import Cloud

    sc = load_scenario(scenario)
    kwargs = {**sc.cloud_kwargs, **cloud_kwargs}
    cloud = Cloud(seed=seed, **kwargs)
    merged = {**sc.params, **(params or {})}
    sig = inspect.signature(sc.build)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = [k for k in merged if k not in sig.parameters and not accepts_any]
    if unknown:
        raise SimError(f"scenario {sc.name!r}: build() takes no parameter {', '.join(sorted(unknown))} "
                       f"(it takes: {', '.join(list(sig.parameters)[1:]) or 'none'})")
    sc.build(cloud, **merged)
    return cloud, sc


def run_scenario(scenario: Scenario, *, seed: int | str = 0, duration: Any = "1d",
                 params: dict[str, Any] | None = None, progress: Any = False, free_tier: bool = False,
                 report: bool = True, **cloud_kwargs: Any) -> tuple["Cloud", "Report | None"]:
    """Build the scenario in a fresh ``Cloud(seed=seed)`` and run it for ``duration`` (seconds,
    timedelta or ``"30d"``-style text); returns ``(cloud, report)``."""
    cloud, _ = build_cloud(scenario, seed=seed, params=params, **cloud_kwargs)
    until = cloud.clock.now_us + parse_duration_us(duration)
    run_with_progress(cloud, until, progress)
    if not report:
        return cloud, None
    from .report import report as make_report

    return cloud, make_report(cloud, free_tier=free_tier)


def _param_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``run`` subcommand's arguments."""
    parser.add_argument("scenario", help="a scenario .py file defining build(cloud, ...)")
    parser.add_argument("--seed", default="0", help="the simulation seed (default 0)")
    parser.add_argument("--for", dest="duration", default="1d",
                        help="simulated duration: 90s, 15m, 2h, 30d, 1w, 1d12h (default 1d)")
    parser.add_argument("--report", choices=("text", "json", "none"), default="text")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="override a scenario parameter (VALUE parsed as JSON when it can be)")
    parser.add_argument("--free-tier", action="store_true", help="apply AWS's monthly free tier to the cost")
    parser.add_argument("--trace", choices=("all", "none"), default=None,
                        help="keep every trace record (all) or only the digest (none; default: the scenario's)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None)
    group.add_argument("--no-progress", dest="progress", action="store_false")


def main_run(args: argparse.Namespace) -> int:
    """Entry point of ``python -m serverless_sim run``."""
    seed: int | str = int(args.seed) if str(args.seed).lstrip("-").isdigit() else args.seed
    params: dict[str, Any] = {}
    for item in args.param:
        name, eq, value = item.partition("=")
        if not eq:
            raise SystemExit(f"--param takes NAME=VALUE, got {item!r}")
        params[name] = _param_value(value)
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    kwargs = {"trace": args.trace} if args.trace else {}
    cloud, rep = run_scenario(args.scenario, seed=seed, duration=args.duration, params=params,
                              progress=progress, free_tier=args.free_tier, report=args.report != "none", **kwargs)
    if rep is not None:
        print(rep.to_json() if args.report == "json" else rep.text())
    return 0


__all__ = ["Loaded", "add_arguments", "build_cloud", "load_scenario", "main_run", "run_scenario"]
