"""Sweeps: one scenario over a grid of parameters and seeds, in parallel processes.

::

    from serverless_sim.sim import sweep

    df = sweep("shop.py", {"memory": [256, 512, 1024], "reserved": [50, 100]}, seeds=range(5),
               duration="1d", max_workers=4)
    df.groupby(["memory", "reserved"])["cost_total"].mean()

Each run is independent: a fresh ``Cloud(seed=seed)`` built by the scenario with one parameter
combination, so results are reproducible per seed whatever the executor or the worker count.
Runs go to ``concurrent.futures.ProcessPoolExecutor`` by default; ``executor=`` takes any
:class:`concurrent.futures.Executor`, e.g. Dask's ``distributed.Client(...).get_executor()`` or
a Ray-backed executor, when one machine is not enough (the scenario must then be importable or a
file path readable on the workers). ``max_workers=1`` runs in this process.

Each row holds the parameters, the seed and the run's numbers (:func:`summarise`) plus whatever
the scenario's ``measure(cloud, report)`` (or the ``measure=`` argument, a picklable function)
returns. Rows come in grid order (parameters, then seeds), not completion order.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from ..kernel.errors import SimError

if TYPE_CHECKING:
    from .report import Report


def grid(params: Mapping[str, Iterable[Any]] | Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Every combination of a ``{name: values}`` grid (in order), or a list of dicts as is."""
    if params is None:
        return [{}]
    if isinstance(params, Mapping):
        names = list(params)
        values = [list(params[n]) for n in names]
        return [dict(zip(names, combo)) for combo in itertools.product(*values)]
    return [dict(p) for p in params]


def summarise(report: "Report") -> dict[str, Any]:
    """Flat numbers of one run: per workload sent / errors / throttled / p50 / p99, per function
    invocations / cold-start rate / throttles, cost by service and total, trace digest."""
    row: dict[str, Any] = {"trace_digest": report.run["trace_digest"], "events": report.run["events_run"]}
    for name, w in report.workloads.items():
        for k in ("sent", "ok", "errors", "throttled", "p50_ms", "p99_ms", "max_ms"):
            row[f"{name}.{k}"] = w[k]
    for name, f in report.services.get("lambda", {}).items():
        for k in ("invocations", "cold_start_rate", "throttles", "errors", "peak_concurrency"):
            row[f"lambda.{name}.{k}"] = f[k]
    for svc, cost in report.cost_by_service.items():
        row[f"cost_{svc}"] = cost
    row["cost_total"] = report.total_cost
    return row


def run_one(scenario: Any, params: dict[str, Any], seed: Any, duration: Any, free_tier: bool,
            measure: Callable[..., Any] | None, cloud_kwargs: dict[str, Any]) -> dict[str, Any]:
    """One sweep run (module-level, so process pools can pickle it)."""
    from .runner import build_cloud
    from .report import report as make_report
    from .workloads import parse_duration_us

    cloud, sc = build_cloud(scenario, seed=seed, params=params, **cloud_kwargs)
    cloud.scheduler.run_until_us(cloud.clock.now_us + parse_duration_us(duration))
    rep = make_report(cloud, free_tier=free_tier)
    row: dict[str, Any] = {**params, "seed": seed, **summarise(rep)}
    fn = measure if measure is not None else sc.measure
    if fn is not None:
        extra = fn(cloud, rep)
        if extra:
            row.update(extra)
    return row


def sweep(scenario: Any, params: Mapping[str, Iterable[Any]] | Iterable[Mapping[str, Any]] | None = None, *,
          seeds: Iterable[Any] = (0,), duration: Any = "1d", executor: cf.Executor | None = None,
          max_workers: int | None = None, measure: Callable[..., Any] | None = None, free_tier: bool = False,
          frame: bool | None = None, **cloud_kwargs: Any) -> Any:
    """Run ``scenario`` for every parameter combination and seed; returns a pandas DataFrame
    (``frame=None``: when pandas is installed) or a list of dicts. See the module docstring."""
    combos = grid(params)
    seed_list = list(seeds)
    if not seed_list:
        raise SimError("a sweep needs at least one seed")
    tasks = [(scenario, p, s, duration, free_tier, measure, cloud_kwargs) for p in combos for s in seed_list]
    if executor is not None:
        futures = [executor.submit(run_one, *t) for t in tasks]
        rows = [f.result() for f in futures]
    elif max_workers == 1 or len(tasks) == 1:
        rows = [run_one(*t) for t in tasks]
    else:
        with cf.ProcessPoolExecutor(max_workers=max_workers) as pool:
            futures = [pool.submit(run_one, *t) for t in tasks]
            rows = [f.result() for f in futures]
    if frame is None:
        try:
            import pandas  # noqa: F401
        except ImportError:
            frame = False
        else:
            frame = True
    if frame:
        import pandas as pd

        return pd.DataFrame(rows)
    return rows


__all__ = ["grid", "run_one", "summarise", "sweep"]
