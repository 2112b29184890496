"""Executions: StartExecution, StartSyncExecution, DescribeExecution, GetExecutionHistory,
StopExecution, ListExecutions, RedriveExecution.

Rules (API reference of each action):
- StartExecution returns at once; the execution proceeds as the clock advances. Names are
  unique per state machine (Standard): the same name with the same input while the first is
  RUNNING returns the same execution (idempotent), otherwise ExecutionAlreadyExists.
- Input is JSON text of at most 262,144 bytes (InvalidExecutionInput / ValidationException).
- StartSyncExecution (Express only) blocks like a synchronous call: the clock advances (running
  everything else that falls due) until the execution closes, at most five minutes.
- GetExecutionHistory pages with ``maxResults`` (default 100, max 1000) and ``nextToken``,
  ``reverseOrder``, ``includeExecutionData``; Express executions have no history here.
- RedriveExecution restarts a FAILED / ABORTED / TIMED_OUT Standard execution from the state
  that failed, within 14 days of its end (ExecutionNotRedrivable otherwise).

Deviation: DescribeExecution also answers for Express executions (AWS only describes Standard
ones), so tests can inspect them.
"""

from __future__ import annotations

import json
from typing import Any

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .errors import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    InvalidExecutionInput,
    StateMachineDeleting,
    StateMachineTypeNotSupported,
    ValidationException,
)
from .executions import Execution
from .history import event_to_wire
from .machines import check_name, page, require

_REDRIVE_WINDOW_US = 14 * 86_400 * 1_000_000


class RunOps:
    """Execution data plane."""

    def _execution(self, arn: Any) -> Execution:
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        ex = self.executions.get(arn)  # type: ignore[attr-defined]
        if ex is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return ex

    def _parse_input(self, request: dict[str, Any]) -> tuple[Any, str]:
        text = request.get("input")
        if text is None:
            text = "{}"
        if type(text) is not str:
            raise InvalidExecutionInput("Invalid State Machine Execution Input: 'input must be "
                                        "a string'")
        if len(text.encode()) > 262_144:
            raise ValidationException(
                "1 validation error detected: Value at 'input' failed to satisfy constraint: "
                "Member must have length less than or equal to 262144"
            )
        try:
            return json.loads(text), text
        except ValueError as exc:
            raise InvalidExecutionInput(
                f"Invalid State Machine Execution Input: '{exc}'"
            ) from None

    def _start(self, request: dict[str, Any], sync: bool) -> Execution:
        require(request, "stateMachineArn")
        full = request["stateMachineArn"]
        sm = self._machine(full)  # type: ignore[attr-defined]
        test_case = full.split("#", 1)[1] if "#" in full else None
        if sm.status == "DELETING":
            raise StateMachineDeleting(f"State machine is being deleted: '{sm.arn}'")
        if sync and sm.type != "EXPRESS":
            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine"
            )
        obj, text = self._parse_input(request)
        name = request.get("name")
        if name is None:
            name = self._new_id("executions")  # type: ignore[attr-defined]
        else:
            check_name(name)
        if sm.type == "EXPRESS":
            arn = (f"arn:aws:states:{self.cloud.region}:{self.cloud.account_id}:"  # type: ignore[attr-defined]
                   f"express:{sm.name}:{name}:{self._new_id('express')}")  # type: ignore[attr-defined]
        else:
            arn = self.arn("execution", f"{sm.name}:{name}")  # type: ignore[attr-defined]
            existing = self.executions.get(arn)  # type: ignore[attr-defined]
            if existing is not None:
                if existing.status == "RUNNING" and existing.input_text == text:
                    return existing
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        ex = Execution(self, arn, name, sm, obj, text, test_case)  # type: ignore[arg-type]
        ex.trace_header = request.get("traceHeader")
        self.executions[arn] = ex  # type: ignore[attr-defined]
        ex.start()
        return ex

    @operation("StartExecution")
    def start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        ex = self._start(request, sync=False)
        return {"executionArn": ex.arn, "startDate": us_to_datetime(ex.start_us)}

    @operation("StartSyncExecution")
    def start_sync_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        ex = self._start(request, sync=True)
        sched = self.cloud.scheduler  # type: ignore[attr-defined]
        while ex.status == "RUNNING":
            nxt = sched.peek_us()
            if nxt is None:  # pragma: no cover - the execution's timeout is always queued
                break
            sched.run_until_idle_us(nxt, 1)
        out = {
            "executionArn": ex.arn,
            "stateMachineArn": ex.machine_arn,
            "name": ex.name,
            "startDate": us_to_datetime(ex.start_us),
            "stopDate": us_to_datetime(ex.stop_us or ex.start_us),
            "status": ex.status,
            "input": ex.input_text,
            "inputDetails": {"included": True},
            "billingDetails": {
                "billedMemoryUsedInMB": 64,
                "billedDurationInMilliseconds": max(
                    100, -(-((ex.stop_us or ex.start_us) - ex.start_us) // 100_000) * 100),
            },
        }
        if ex.status == "SUCCEEDED":
            out["output"] = _dumps(ex.output)
            out["outputDetails"] = {"included": True}
        else:
            if ex.error is not None:
                out["error"] = ex.error
            if ex.cause is not None:
                out["cause"] = ex.cause
        if ex.trace_header is not None:
            out["traceHeader"] = ex.trace_header
        return out

    def _redrive_status(self, ex: Execution) -> tuple[str, str | None]:
        if ex.type != "STANDARD":
            return "NOT_REDRIVABLE", "Express executions cannot be redriven"
        if ex.status == "RUNNING":
            return "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"
        if ex.status == "SUCCEEDED":
            return "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"
        if ex.stop_us is not None and self.cloud.clock.now_us - ex.stop_us > _REDRIVE_WINDOW_US:  # type: ignore[attr-defined]
            return "NOT_REDRIVABLE", "Execution can no longer be redriven (14 days)"
        if ex.failed_at is None or ex.redrive_count >= 1000:
            return "NOT_REDRIVABLE", "Execution cannot be redriven"
        return "REDRIVABLE", None

    @operation("DescribeExecution")
    def describe_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])
        out: dict[str, Any] = {
            "executionArn": ex.arn,
            "stateMachineArn": ex.machine_arn,
            "name": ex.name,
            "status": ex.status,
            "startDate": us_to_datetime(ex.start_us),
            "input": ex.input_text,
            "inputDetails": {"included": True},
            "redriveCount": ex.redrive_count,
        }
        if ex.stop_us is not None:
            out["stopDate"] = us_to_datetime(ex.stop_us)
        if ex.status == "SUCCEEDED":
            out["output"] = _dumps(ex.output)
            out["outputDetails"] = {"included": True}
        if ex.error is not None:
            out["error"] = ex.error
        if ex.cause is not None:
            out["cause"] = ex.cause
        if ex.redrive_us is not None:
            out["redriveDate"] = us_to_datetime(ex.redrive_us)
        status, reason = self._redrive_status(ex)
        out["redriveStatus"] = status
        if reason:
            out["redriveStatusReason"] = reason
        if ex.trace_header is not None:
            out["traceHeader"] = ex.trace_header
        if ex.map_run_arn is not None:
            out["mapRunArn"] = ex.map_run_arn
        return out

    def describe_execution_data(self, ex: Execution) -> dict[str, Any]:
        """DescribeExecution in the PascalCase JSON a ``.sync`` task returns (dates as epoch
        milliseconds)."""
        out: dict[str, Any] = {
            "ExecutionArn": ex.arn, "Input": ex.input_text, "InputDetails": {"Included": True},
            "Name": ex.name, "StartDate": ex.start_us // 1000,
            "StateMachineArn": ex.machine_arn, "Status": ex.status,
            "StopDate": (ex.stop_us or ex.start_us) // 1000,
        }
        if ex.status == "SUCCEEDED":
            out["Output"] = _dumps(ex.output)
            out["OutputDetails"] = {"Included": True}
        if ex.error is not None:
            out["Error"] = ex.error
        if ex.cause is not None:
            out["Cause"] = ex.cause
        return out

    @operation("GetExecutionHistory")
    def get_execution_history(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])
        if ex.history is None:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: express'")
        include = request.get("includeExecutionData", True)
        n = len(ex.history)
        order = list(range(n - 1, -1, -1)) if request.get("reverseOrder") else list(range(n))
        chunk, nxt = page(order, request, "history:" + ex.arn[-32:])
        events = [event_to_wire(i, ex.history[i], include) for i in chunk]
        out: dict[str, Any] = {"events": events}
        if nxt:
            out["nextToken"] = nxt
        return out

    @operation("StopExecution")
    def stop_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])
        ex.stop(request.get("error"), request.get("cause"))
        return {"stopDate": us_to_datetime(ex.stop_us or self.cloud.clock.now_us)}  # type: ignore[attr-defined]

    @operation("ListExecutions")
    def list_executions(self, request: dict[str, Any]) -> dict[str, Any]:
        arn = request.get("stateMachineArn")
        map_run = request.get("mapRunArn")
        if arn is None and map_run is None:
            raise ValidationException("Must provide a StateMachine ARN or MapRun ARN")
        if arn is not None:
            sm = self._machine(arn)  # type: ignore[attr-defined]
            if sm.type == "EXPRESS":
                raise StateMachineTypeNotSupported(
                    "This operation is not supported by this type of state machine"
                )
            wanted = sm.arn
        status = request.get("statusFilter")
        if status is not None and status not in ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT",
                                                 "ABORTED", "PENDING_REDRIVE"):
            raise ValidationException(
                f"1 validation error detected: Value '{status}' at 'statusFilter' failed to "
                "satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, "
                "FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"
            )
        items = [
            e for e in self.executions.values()  # type: ignore[attr-defined]
            if (arn is None or e.machine_arn == wanted) and (status is None or e.status == status)
            and (map_run is None or e.map_run_arn == map_run)
        ]
        # Newest first, as AWS lists them; start order breaks ties.
        items = [e for _, _, e in sorted(
            ((-e.start_us, -i, e) for i, e in enumerate(items)), key=lambda t: (t[0], t[1]))]
        chunk, nxt = page(items, request, "executions")
        out: dict[str, Any] = {"executions": []}
        for e in chunk:
            row: dict[str, Any] = {
                "executionArn": e.arn, "stateMachineArn": e.machine_arn, "name": e.name,
                "status": e.status, "startDate": us_to_datetime(e.start_us),
                "redriveCount": e.redrive_count,
            }
            if e.stop_us is not None:
                row["stopDate"] = us_to_datetime(e.stop_us)
            if e.redrive_us is not None:
                row["redriveDate"] = us_to_datetime(e.redrive_us)
            if map_run is not None:
                mr = self.map_runs.get(map_run)  # type: ignore[attr-defined]
                row["mapRunArn"] = map_run
                row["itemCount"] = next((mr.sizes[i] for i, a in mr.children.items()
                                         if a == e.arn), 1) if mr is not None else 1
            out["executions"].append(row)
        if nxt:
            out["nextToken"] = nxt
        return out

    @operation("RedriveExecution")
    def redrive_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])
        status, reason = self._redrive_status(ex)
        if status != "REDRIVABLE":
            raise ExecutionNotRedrivable(
                f"Execution with arn {ex.arn} cannot be redriven: {reason}"
            )
        ex.redrive()
        return {"redriveDate": us_to_datetime(ex.redrive_us or 0)}


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
