"""Simulations: workloads, scenario runs, reports and cost, time travel, sweeps, notebook display.

See docs/simulations.md. Everything here sits on the public kernel API of a Cloud.
"""

from .arrivals import Arrival, Bursts, Constant, Curve, Daily, Poisson, Replay, TraceRow, Weekly
from .cost import CostLine, Prices
from .fork import Checkpoint, checkpoint, fork, register_copier, register_shared, restore
from .report import Report, report, timeseries
from .runner import build_cloud, load_scenario, run_scenario
from .sweep import grid, summarise, sweep
from .workloads import (
    Bucket, Call, Function, LatencyHistogram, Queue, Route, StateMachine, Stats, Table, Target, Workload,
    workload, workloads,
)

__all__ = [
    "Arrival", "Bucket", "Bursts", "Call", "Checkpoint", "Constant", "CostLine", "Curve", "Daily", "Function",
    "LatencyHistogram", "Poisson", "Prices", "Queue", "Replay", "Report", "Route", "StateMachine", "Stats",
    "Table", "Target", "TraceRow", "Weekly", "Workload", "build_cloud", "checkpoint", "fork", "grid",
    "load_scenario", "register_copier", "register_shared", "report", "restore", "run_scenario", "summarise",
    "sweep", "timeseries", "workload", "workloads",
]
