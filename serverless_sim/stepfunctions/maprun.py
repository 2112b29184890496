"""Distributed Map: Map Runs and their child executions.

A Map state in ``DISTRIBUTED`` mode (DG state-map-distributed) creates a *Map Run*
(``arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<uuid>``) and runs every item (or
every ItemBatcher batch) as a separate child execution of the processor, of the
``ProcessorConfig.ExecutionType`` (STANDARD or EXPRESS):

- Standard children: ``arn:aws:states:<region>:<account>:execution:<machine>/<label>:<uuid>``
  (the execution's name is the uuid), with their own history;
- Express children: ``arn:aws:states:<region>:<account>:express:<machine>/<label>:<uuid>:<uuid>``
  (no history, as for any Express execution).

A child's ``stateMachineArn`` is ``arn:...:stateMachine:<machine>/<label>``; ListExecutions with
``mapRunArn`` lists the children (not ListExecutions with the parent's machine ARN). Children
start with no workflow variables (outer variables are not visible in a Distributed Map's child
workflows, DG workflow-variables).

Wire operations: DescribeMapRun, ListMapRuns, UpdateMapRun (MaxConcurrency,
ToleratedFailurePercentage, ToleratedFailureCount; a higher MaxConcurrency starts more children
at once). The parent's history records MapRunStarted / MapRunSucceeded / MapRunFailed /
MapRunAborted, not MapIteration* events.

Tolerated failures count failed *items* (a failed batch counts all its items) against the total
number of items (DG maprun-fail-threshold); the run fails with
``States.ExceedToleratedFailureThreshold`` as soon as either threshold given is exceeded.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .errors import InvalidArn, ResourceNotFound, StatesError, ValidationException
from .machines import page, require

if TYPE_CHECKING:
    from .executions import Execution, Frame

_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "ABORTED")


class ProcessorMachine:
    """What an :class:`~.executions.Execution` needs of a state machine, for a child workflow."""

    __slots__ = ("arn", "name", "compiled", "definition", "role_arn", "type")

    def __init__(self, arn: str, name: str, compiled: Any, role_arn: str, type_: str) -> None:
        self.arn = arn
        self.name = name
        self.compiled = compiled
        self.definition = json.dumps(compiled.raw, separators=(",", ":"))
        self.role_arn = role_arn
        self.type = type_


class MapRun:
    """One Map Run (plain data; the parent frame drives it)."""

    __slots__ = ("arn", "uuid", "execution_arn", "state_machine_arn", "label", "start_us",
                 "stop_us", "status", "frame", "fan", "sizes", "children", "execution_type",
                 "machine", "results_written", "error", "cause")

    def __init__(self, arn: str, uuid: str, parent: "Execution", label: str, frame: "Frame",
                 fan: Any, sizes: list[int], machine: ProcessorMachine) -> None:
        self.arn = arn
        self.uuid = uuid
        self.execution_arn = parent.arn
        self.state_machine_arn = parent.machine_arn
        self.label = label
        self.start_us = parent.cloud.clock.now_us
        self.stop_us: int | None = None
        self.status = "RUNNING"
        self.frame = frame
        self.fan = fan
        self.sizes = sizes
        #: index -> child execution ARN, in start order.
        self.children: dict[int, str] = {}
        self.execution_type = machine.type
        self.machine = machine
        self.results_written = 0
        self.error: str | None = None
        self.cause: str | None = None

    def close(self, status: str, now_us: int) -> None:
        if self.status == "RUNNING":
            self.status = status
            self.stop_us = now_us


class ChildRun:
    """The parent frame's handle on one child execution (stands where an iteration frame
    stands in ``fan.children``)."""

    __slots__ = ("index", "arn", "service", "alive", "last_id")

    def __init__(self, index: int, arn: str, service: Any) -> None:
        self.index = index
        self.arn = arn
        self.service = service
        self.alive = True
        self.last_id = 0

    def abort(self, record: bool = True) -> None:
        if not self.alive:
            return
        self.alive = False
        ex = self.service.executions.get(self.arn)
        if ex is not None and ex.status == "RUNNING":
            ex.stop(None, None)


class _ChildClosed:
    """Waiter: a child execution closed; report it to the parent frame."""

    __slots__ = ("frame", "handle")

    def __init__(self, frame: "Frame", handle: ChildRun) -> None:
        self.frame = frame
        self.handle = handle

    def __call__(self, child: "Execution") -> None:
        h = self.handle
        if not h.alive:
            return
        h.alive = False
        if child.status == "SUCCEEDED":
            self.frame.child_succeeded(h, child.output)  # type: ignore[arg-type]
        else:
            error = child.error
            if error is None:
                error = "States.Timeout" if child.status == "TIMED_OUT" else "States.Aborted"
            self.frame.child_failed(h, StatesError(error, child.cause))  # type: ignore[arg-type]


# -- driven by executions.py ----------------------------------------------------------------
def start_map_run(frame: "Frame", st: Any, fan: Any, items: list[Any]) -> MapRun:
    """Create the Map Run of a distributed Map state (after its items are read/batched)."""
    ex = frame.ex
    svc = ex.service
    label = st.label or st.name
    uuid = svc._new_id("maprun")
    base = ex.machine_name
    arn = f"{ex.machine_arn.replace(':stateMachine:', ':mapRun:')}/{label}:{uuid}"
    machine = ProcessorMachine(
        svc.arn("stateMachine", f"{base}/{label}"), f"{base}/{label}", st.processor,
        ex.role_arn, st.execution_type)
    sizes = [len(it["Items"]) if fan.batched and type(it) is dict and type(it.get("Items"))
             is list else 1 for it in items]
    run = MapRun(arn, uuid, ex, label, frame, fan, sizes, machine)
    svc.map_runs[arn] = run
    fan.map_run_arn = arn
    return run


def start_child(frame: "Frame", run: MapRun, index: int, item_input: Any) -> ChildRun:
    """Start the child execution of item (or batch) ``index``."""
    from .executions import Execution

    svc = frame.ex.service
    cloud = svc.cloud
    uuid = svc._new_id("mapchild")
    m = run.machine
    if m.type == "EXPRESS":
        arn = (f"arn:aws:states:{cloud.region}:{cloud.account_id}:express:{m.name}:{uuid}:"
               f"{svc._new_id('express')}")
    else:
        arn = svc.arn("execution", f"{m.name}:{uuid}")
    text = json.dumps(item_input, separators=(",", ":"), ensure_ascii=False)
    child = Execution(svc, arn, uuid, m, item_input, text)
    child.map_run_arn = run.arn
    svc.executions[arn] = child
    run.children[index] = arn
    handle = ChildRun(index, arn, svc)
    child.waiters.append(_ChildClosed(frame, handle))
    child.start()
    return handle


def failed_items(run: MapRun | None, index: int) -> int:
    return run.sizes[index] if run is not None and index < len(run.sizes) else 1


def total_items(run: MapRun | None, n: int) -> int:
    return sum(run.sizes) if run is not None else n


# -- wire operations ---------------------------------------------------------------------------
def _counts(svc: Any, run: MapRun, items: bool) -> dict[str, int]:
    c = {"pending": 0, "running": 0, "succeeded": 0, "failed": 0, "timedOut": 0, "aborted": 0,
         "total": 0, "resultsWritten": 0, "failuresNotRedrivable": 0, "pendingRedrive": 0}
    key = {"RUNNING": "running", "SUCCEEDED": "succeeded", "FAILED": "failed",
           "TIMED_OUT": "timedOut", "ABORTED": "aborted"}
    for i, size in enumerate(run.sizes):
        w = size if items else 1
        c["total"] += w
        arn = run.children.get(i)
        if arn is None:
            c["pending" if run.status == "RUNNING" else "aborted"] += w
            continue
        ex = svc.executions.get(arn)
        if ex is not None:
            c[key[ex.status]] += w
    if run.results_written:
        c["resultsWritten"] = c["succeeded"] + c["failed"] + c["timedOut"] + c["aborted"]
    return c


class MapRunOps:
    """DescribeMapRun, ListMapRuns, UpdateMapRun."""

    def _map_run(self, arn: Any) -> MapRun:
        if type(arn) is not str or ":mapRun:" not in arn:
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        run = self.map_runs.get(arn)  # type: ignore[attr-defined]
        if run is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return run  # type: ignore[no-any-return]

    @operation("DescribeMapRun")
    def describe_map_run(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "mapRunArn")
        run = self._map_run(request["mapRunArn"])
        fan = run.fan
        out: dict[str, Any] = {
            "mapRunArn": run.arn, "executionArn": run.execution_arn, "status": run.status,
            "startDate": us_to_datetime(run.start_us),
            "maxConcurrency": max(0, fan.max or 0),
            "toleratedFailurePercentage": float(fan.tolerated_pct or 0.0),
            "toleratedFailureCount": int(fan.tolerated_count or 0),
            "itemCounts": _counts(self, run, True),
            "executionCounts": _counts(self, run, False),
            "redriveCount": 0,
        }
        if run.stop_us is not None:
            out["stopDate"] = us_to_datetime(run.stop_us)
        return out

    @operation("ListMapRuns")
    def list_map_runs(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])  # type: ignore[attr-defined]
        runs = [r for r in self.map_runs.values()  # type: ignore[attr-defined]
                if r.execution_arn == ex.arn]
        chunk, nxt = page(runs, request, "mapruns:" + ex.arn[-32:])
        out: dict[str, Any] = {"mapRuns": []}
        for r in chunk:
            row = {"executionArn": r.execution_arn, "mapRunArn": r.arn,
                   "stateMachineArn": r.state_machine_arn,
                   "startDate": us_to_datetime(r.start_us)}
            if r.stop_us is not None:
                row["stopDate"] = us_to_datetime(r.stop_us)
            out["mapRuns"].append(row)
        if nxt:
            out["nextToken"] = nxt
        return out

    @operation("UpdateMapRun")
    def update_map_run(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "mapRunArn")
        run = self._map_run(request["mapRunArn"])
        mc = request.get("maxConcurrency")
        pct = request.get("toleratedFailurePercentage")
        cnt = request.get("toleratedFailureCount")
        if mc is None and pct is None and cnt is None:
            raise ValidationException("At least one of the parameters maxConcurrency, "
                                      "toleratedFailurePercentage or toleratedFailureCount "
                                      "must be provided")
        if mc is not None and (type(mc) is not int or mc < 0):
            raise ValidationException("1 validation error detected: Value at "
                                      "'maxConcurrency' failed to satisfy constraint: Member "
                                      "must have value greater than or equal to 0")
        if pct is not None and (type(pct) not in (int, float) or not 0 <= pct <= 100):
            raise ValidationException("1 validation error detected: Value at "
                                      "'toleratedFailurePercentage' failed to satisfy "
                                      "constraint: Member must have value between 0 and 100")
        if cnt is not None and (type(cnt) is not int or cnt < 0):
            raise ValidationException("1 validation error detected: Value at "
                                      "'toleratedFailureCount' failed to satisfy constraint: "
                                      "Member must have value greater than or equal to 0")
        fan = run.fan
        if mc is not None:
            fan.max = mc
        if pct is not None:
            fan.tolerated_pct = float(pct)
        if cnt is not None:
            fan.tolerated_count = cnt
        if run.status == "RUNNING" and mc is not None:
            self.cloud.call_later(0, run.frame._start_iterations)  # type: ignore[attr-defined]
        return {}
