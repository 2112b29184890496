"""The interpreter: executions as plain state data driven by scheduled callbacks.

An :class:`Execution` owns a tree of :class:`Frame` objects. A frame runs one scope of the
definition (the top level, a Parallel branch, a Map iteration) one state at a time. Every
transition is a scheduled callback (``cloud.call_later(0, frame.enter, next, output)``); a Wait,
a retry delay, a task timeout or a heartbeat deadline is a callback at a later virtual instant.
No generator or thread is kept, so the whole service's state can be deep-copied between events.

Per state, JSONPath mode follows InputPath -> Parameters -> work -> ResultSelector -> ResultPath
-> OutputPath (DG concepts-input-output-filtering); JSONata mode evaluates Arguments, the work,
then Assign and Output "in parallel" (DG transforming-data, workflow-variables). Errors go to
the state's retriers (first match; exhausted -> catchers), then catchers, else they fail the
scope: a failed branch or iteration fails its Parallel / Map state with the same error, a failed
top scope fails the execution. ``States.Runtime`` and ``States.DataLimitExceeded`` are never
retried or caught (DG concepts-error-handling).

Limits: 25,000 history events (Standard), one year (Standard) / five minutes (Express) maximum
duration, 256 KiB (262,144 bytes) per state output (``States.DataLimitExceeded``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .asl.definition import Machine
from .asl.intrinsics import Env
from .asl.jsonata_mode import Bindings, evaluate_value
from .asl.paths import Path
from .asl.states import JSONATA, UNSET, State
from .asl.choice import parse_timestamp
from .asl.templates import dumps, evaluate_expr, path_value
from .errors import UNCATCHABLE, PathError, StatesError
from .history import MAX_EVENTS

if TYPE_CHECKING:
    from .service import StepFunctions

PAYLOAD_LIMIT = 262_144
STANDARD_MAX_US = 366 * 86_400 * 1_000_000  # "1 year"
EXPRESS_MAX_US = 5 * 60 * 1_000_000

_ENTERED = {t: f"{t}StateEntered" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail",
                                               "Parallel", "Map")}
_EXITED = {t: f"{t}StateExited" for t in _ENTERED}
_ABORTED = {"Task": "TaskStateAborted", "Wait": "WaitStateAborted", "Map": "MapStateAborted",
            "Parallel": "ParallelStateAborted"}


def iso_ms(us: int) -> str:
    """AWS's context-object timestamps: ``2019-03-26T20:14:13.192Z`` (milliseconds)."""
    from ..kernel.clock import us_to_datetime

    t = us_to_datetime(us)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _runtime(frame: "Frame", message: str) -> StatesError:
    return StatesError(
        "States.Runtime",
        f"An error occurred while executing the state '{frame.state.name}' (entered at the "
        f"event id #{frame.entered_id}). {message}",
    )


class Fan:
    """Bookkeeping of a running Parallel or Map state (its children)."""

    __slots__ = ("kind", "children", "results", "remaining", "items", "next_index", "running",
                 "max", "failures", "tolerated_count", "tolerated_pct", "event_id", "done",
                 "map_run_arn", "batched")

    def __init__(self, kind: str, n: int) -> None:
        self.kind = kind
        self.children: dict[int, Frame] = {}
        self.results: list[Any] = [None] * n
        self.remaining = n
        self.items: list[Any] = []
        self.next_index = 0
        self.running = 0
        self.max = 0
        self.failures = 0
        self.tolerated_count: int | None = None
        self.tolerated_pct: float | None = None
        self.event_id = 0
        self.done = False
        self.map_run_arn: str | None = None
        self.batched = False


class Frame:
    """One running scope. See the module docstring."""

    __slots__ = (
        "ex", "machine", "parent", "index", "vars", "own_vars", "state", "raw_input",
        "entered_id", "entered_us", "last_id", "alive", "timers", "attempt", "retry_counts",
        "retry_count", "fan", "task_token", "task", "eff_input",
    )

    def __init__(self, ex: "Execution", machine: Machine, parent: "Frame | None", index: int,
                 variables: dict[str, Any], last_id: int) -> None:
        self.ex = ex
        self.machine = machine
        self.parent = parent
        self.index = index
        self.vars = variables
        self.own_vars = parent is None
        self.state: State = None  # type: ignore[assignment]
        self.raw_input: Any = None
        self.eff_input: Any = None
        self.entered_id = 0
        self.entered_us = 0
        self.last_id = last_id
        self.alive = True
        self.timers: list[Any] = []
        self.attempt = 0
        self.retry_counts: list[int] | None = None
        self.retry_count = 0
        self.fan: Fan | None = None
        self.task_token: str | None = None
        self.task: Any = None

    # -- context, environments ------------------------------------------------------------
    def context(self) -> dict[str, Any]:
        """The context object ``$$`` (DG input-output-contextobject)."""
        ex = self.ex
        ctx: dict[str, Any] = {
            "Execution": {
                "Id": ex.arn, "Input": ex.input, "StartTime": iso_ms(ex.start_us),
                "Name": ex.name, "RoleArn": ex.role_arn, "RedriveCount": ex.redrive_count,
            },
            "StateMachine": {"Id": ex.machine_arn, "Name": ex.machine_name},
            "State": {"EnteredTime": iso_ms(self.entered_us),
                      "Name": self.state.name if self.state else "",
                      "RetryCount": self.retry_count},
        }
        if ex.redrive_us is not None:
            ctx["Execution"]["RedriveTime"] = iso_ms(ex.redrive_us)
        if self.task_token is not None:
            ctx["Task"] = {"Token": self.task_token}
        return ctx

    def env(self, data: Any, context: Any = None) -> Env:
        ex = self.ex
        return Env(data, context or self.context, self.vars, ex.rng, ex.next_uuid)

    def bindings(self, input_: Any, **extra: Any) -> Bindings:
        states = {"input": input_, "context": self.context()}
        states.update(extra)
        ex = self.ex
        return Bindings(states, self.vars, ex.cloud.clock.now_us // 1000, ex.rng, ex.next_uuid)

    # -- JSONPath I/O helpers -------------------------------------------------------------
    def input_path(self, st: State, data: Any) -> Any:
        p = st.input_path
        if p is UNSET:
            return data
        if p is None:
            return {}
        return self._apply_path(p, data, "InputPath")

    def output_path(self, st: State, data: Any) -> Any:
        p = st.output_path
        if p is UNSET:
            return data
        if p is None:
            return {}
        return self._apply_path(p, data, "OutputPath")

    def _apply_path(self, p: Path, data: Any, field: str) -> Any:
        if p.root == "data":
            try:
                return p.get(data)
            except PathError as exc:
                jay = getattr(exc, "jayway", p.text)
                raise _runtime(self, f"Invalid path '{p.text}' : No results for path: {jay}") \
                    from None
        try:
            return path_value(p, self.env(data), field)
        except StatesError as exc:
            raise _runtime(self, str(exc.cause)) from None

    def result_path(self, rp: Any, raw: Any, result: Any) -> Any:
        if rp is UNSET:
            return result
        if rp is None:
            return raw
        try:
            return rp.set(raw, result)
        except PathError:
            raise StatesError(
                "States.ResultPathMatchFailure",
                f"An error occurred while executing the state '{self.state.name}' (entered at "
                f"the event id #{self.entered_id}). Unable to apply ReferencePath {rp.text} to "
                f"input '{dumps(raw)}'",
            ) from None

    def eval_assign(self, st_assign: Any, ql: str, data: Any, **states: Any) -> dict[str, Any] | None:
        if st_assign is None:
            return None
        if ql == JSONATA:
            b = self.bindings(self.raw_input, **states)
            return evaluate_value(st_assign, b, "Assign")  # type: ignore[no-any-return]
        try:
            return st_assign.evaluate(self.env(data))  # type: ignore[no-any-return]
        except StatesError as exc:
            if exc.error == "States.Runtime":
                raise _runtime(self, str(exc.cause)) from None
            raise

    def set_vars(self, assigned: dict[str, Any]) -> None:
        if not self.own_vars:
            self.vars = dict(self.vars)
            self.own_vars = True
        self.vars.update(assigned)

    def check_size(self, value: Any, what: str = "output") -> None:
        if type(value) in (dict, list, str) and len(dumps(value).encode()) > PAYLOAD_LIMIT:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state/task '{self.state.name}' returned a result with a size exceeding "
                f"the maximum number of bytes service limit.",
            )

    # -- the state loop -------------------------------------------------------------------
    def enter(self, name: str, data: Any) -> None:
        """Scheduled: enter state ``name`` with ``data`` as its raw input."""
        if not self.alive:
            return
        ex = self.ex
        st = self.machine.states[name]
        self.state = st
        self.raw_input = data
        self.retry_counts = None
        self.retry_count = 0
        self.task_token = None
        self.attempt += 1
        self.entered_us = ex.cloud.clock.now_us
        ex.transitions += 1
        try:
            if ex.history is not None:
                self.entered_id = self.last_id = ex.event(_ENTERED[st.type], self.last_id,
                                                          (name, data))
            _RUN[st.type](self, st, data)
        except StatesError as err:
            self.on_error(err)

    def rerun(self, attempt: int) -> None:
        """Scheduled: a retry of the current state (no new Entered event)."""
        if not self.alive or attempt != self.attempt:
            return
        self.attempt += 1
        self.task_token = None
        try:
            _RUN[self.state.type](self, self.state, self.raw_input)
        except StatesError as err:
            self.on_error(err)

    def exit(self, st: State, out: Any, assigned: dict[str, Any] | None = None,
             next_name: str | None = None) -> None:
        """Leave the current state with ``out``; go to ``next_name`` / Next, or end."""
        if out is not self.raw_input:
            self.check_size(out)
        if assigned:
            self.set_vars(assigned)
        ex = self.ex
        if ex.history is not None:
            self.last_id = ex.event(_EXITED[st.type], self.last_id, (st.name, out, assigned))
        self.cancel_timers()
        nxt = next_name if next_name is not None else st.next
        if nxt is None or (st.end and next_name is None) or st.type == "Succeed":
            self.complete(out)
        else:
            ex.cloud.call_later(0, self.enter, nxt, out)

    def finish(self, st: State, result: Any) -> None:
        """After a Task / Parallel / Map produced ``result``: selectors, Assign, Output."""
        try:
            if st.ql == JSONATA:
                assigned = self.eval_assign(st.assign, JSONATA, None, result=result)
                if st.output is UNSET:
                    out = result
                else:
                    out = evaluate_value(st.output, self.bindings(self.raw_input, result=result),
                                         "Output")
            else:
                if st.result_selector is not None:
                    result = self._template(st.result_selector, result, "ResultSelector")
                assigned = self.eval_assign(st.assign, st.ql, result)
                out = self.result_path(st.result_path, self.raw_input, result)
                out = self.output_path(st, out)
            self.exit(st, out, assigned)
        except StatesError as err:
            self.on_error(err)

    def _template(self, tpl: Any, data: Any, field: str, context: Any = None) -> Any:
        try:
            return tpl.evaluate(self.env(data, context))
        except StatesError as exc:
            if exc.error == "States.Runtime":
                raise _runtime(self, str(exc.cause)) from None
            raise

    # -- errors ---------------------------------------------------------------------------
    def on_error(self, err: StatesError) -> None:
        if not self.alive:
            return
        ex = self.ex
        st = self.state
        self.cancel_timers()
        self.task = None
        if ex.history_full:
            err = ex.history_full
        elif err.error not in UNCATCHABLE:
            for i, r in enumerate(st.retry):
                if r.matches(err.error):
                    counts = self.retry_counts
                    if counts is None:
                        counts = self.retry_counts = [0] * len(st.retry)
                    n = counts[i]
                    if n < r.max_attempts:
                        counts[i] = n + 1
                        self.retry_count += 1
                        delay = r.interval * (r.backoff ** n)
                        if r.max_delay is not None:
                            delay = min(delay, r.max_delay)
                        if r.jitter == "FULL":
                            delay = ex.rng.random() * delay
                        self.timers.append(ex.cloud.call_later(float(delay), self.rerun,
                                                               self.attempt))
                        ex.cloud.trace.record("stepfunctions", "retry", execution=ex.name,
                                              state=st.name, error=err.error,
                                              attempt=n + 1)
                        return
                    break
            for c in st.catch:
                if c.matches(err.error):
                    self._catch(st, c, err)
                    return
        self.fail(err)

    def _catch(self, st: State, c: Any, err: StatesError) -> None:
        error_output = err.output()
        try:
            if st.ql == JSONATA:
                assigned = self.eval_assign(c.assign, JSONATA, None, errorOutput=error_output)
                if c.output is UNSET:
                    out = error_output
                else:
                    out = evaluate_value(c.output, self.bindings(self.raw_input,
                                                                 errorOutput=error_output),
                                         "Output")
            else:
                assigned = self.eval_assign(c.assign, st.ql, error_output)
                out = self.result_path(c.result_path, self.raw_input, error_output)
        except StatesError as exc:
            self.fail(exc)
            return
        self.exit(st, out, assigned, next_name=c.next)

    def fail(self, err: StatesError) -> None:
        """This scope failed with ``err``."""
        if not self.alive:
            return
        self.alive = False
        self.cancel_timers()
        if self.parent is None:
            self.ex.root_failed(self, err)
        else:
            self.parent.child_failed(self, err)

    def complete(self, out: Any) -> None:
        self.alive = False
        if self.parent is None:
            self.ex.succeed(out)
        else:
            self.parent.child_succeeded(self, out)

    def cancel_timers(self) -> None:
        if self.timers:
            cloud = self.ex.cloud
            for h in self.timers:
                cloud.cancel(h)
            self.timers = []

    def abort(self, record: bool = True) -> None:
        """Stop this scope and everything under it (StopExecution, a sibling's failure)."""
        if not self.alive:
            return
        self.alive = False
        self.cancel_timers()
        ex = self.ex
        if self.task is not None:
            ex.service._forget_task(self)
            self.task = None
        fan = self.fan
        if fan is not None and not fan.done:
            fan.done = True
            for child in list(fan.children.values()):
                child.abort(record)
                if record and fan.kind == "map" and child.alive is False \
                        and fan.map_run_arn is None:
                    ex.event("MapIterationAborted", fan.event_id,
                             {"name": self.state.name, "index": child.index})
            if fan.map_run_arn is not None:
                mr = ex.service.map_runs.get(fan.map_run_arn)
                if mr is not None:
                    mr.close("ABORTED", ex.cloud.clock.now_us)
                if record:
                    ex.event("MapRunAborted", fan.event_id, None)
        if record and self.state is not None and self.state.type in _ABORTED \
                and ex.history is not None:
            self.last_id = ex.event(_ABORTED[self.state.type], self.last_id, None)

    # -- children (Parallel branches, Map iterations) -------------------------------------
    def child_succeeded(self, child: "Frame", out: Any) -> None:
        fan = self.fan
        if fan is None or fan.done or fan.children.get(child.index) is not child:
            return
        del fan.children[child.index]
        fan.results[child.index] = out
        fan.remaining -= 1
        ex = self.ex
        if fan.kind == "map":
            if fan.map_run_arn is None:
                ex.event("MapIterationSucceeded", child.last_id,
                         {"name": self.state.name, "index": child.index})
            fan.running -= 1
            self._start_iterations()
        if fan.remaining == 0:
            self._fan_done()

    def child_failed(self, child: "Frame", err: StatesError) -> None:
        fan = self.fan
        if fan is None or fan.done or fan.children.get(child.index) is not child:
            return
        del fan.children[child.index]
        ex = self.ex
        st = self.state
        if fan.kind == "map":
            run = None
            if fan.map_run_arn is None:
                ex.event("MapIterationFailed", child.last_id,
                         {"name": st.name, "index": child.index})
            else:
                run = ex.service.map_runs.get(fan.map_run_arn)
            if st.distributed and (run is not None or err.error not in UNCATCHABLE):
                from .maprun import failed_items, total_items

                fan.failures += failed_items(run, child.index)
                fan.results[child.index] = err.output()
                fan.remaining -= 1
                fan.running -= 1
                n = total_items(run, len(fan.items))
                limit_count = fan.tolerated_count
                limit_pct = fan.tolerated_pct
                # Exceeding either threshold given fails the run (DG maprun-fail-threshold).
                tolerated = not (
                    (limit_count is not None and fan.failures > limit_count)
                    or (limit_pct is not None and n and fan.failures * 100.0 / n > limit_pct))
                if tolerated:
                    self._start_iterations()
                    if fan.remaining == 0:
                        self._fan_done()
                    return
                err = StatesError("States.ExceedToleratedFailureThreshold",
                                  "The specified tolerated failure threshold was exceeded")
        fan.done = True
        for other in list(fan.children.values()):
            other.abort()
            if fan.kind == "map" and fan.map_run_arn is None:
                ex.event("MapIterationAborted", fan.event_id,
                         {"name": st.name, "index": other.index})
        fan.children.clear()
        if fan.map_run_arn is not None:
            ex.event("MapRunFailed", fan.event_id,
                     {"error": err.error, "cause": err.cause or ""})
            mr = ex.service.map_runs.get(fan.map_run_arn)
            if mr is not None:
                mr.close("FAILED", ex.cloud.clock.now_us)
                mr.error, mr.cause = err.error, err.cause
        self.last_id = ex.event("MapStateFailed" if fan.kind == "map" else "ParallelStateFailed",
                                self.last_id, None)
        self.fan = None
        self.on_error(err)

    def _fan_done(self) -> None:
        fan = self.fan
        assert fan is not None
        fan.done = True
        self.fan = None
        ex = self.ex
        st = self.state
        results = fan.results
        if fan.map_run_arn is not None:
            ex.event("MapRunSucceeded", fan.event_id, None)
            mr = ex.service.map_runs.get(fan.map_run_arn)
            if mr is not None:
                mr.close("SUCCEEDED", ex.cloud.clock.now_us)
            try:
                results = ex.service.integrations.write_results(
                    self, st, results, fan.map_run_arn, fan.items)
            except StatesError as err:
                self.last_id = ex.event("MapStateFailed", self.last_id, None)
                self.on_error(err)
                return
        self.last_id = ex.event("MapStateSucceeded" if fan.kind == "map"
                                else "ParallelStateSucceeded", self.last_id, None)
        self.finish(st, results)

    def _start_iterations(self) -> None:
        fan = self.fan
        if fan is None or fan.done:
            return
        st = self.state
        ex = self.ex
        items = fan.items
        proc = st.processor
        call_later = ex.cloud.call_later
        while fan.next_index < len(items) and (fan.max <= 0 or fan.running < fan.max):
            i = fan.next_index
            fan.next_index += 1
            fan.running += 1
            item = items[i]
            try:
                item_input = self._item_input(st, i, item, fan)
            except StatesError as err:
                fan.done = True
                for other in list(fan.children.values()):
                    other.abort()
                self.fan = None
                self.on_error(err)
                return
            if fan.map_run_arn is not None:
                # Distributed: each item / batch is a child execution of its own.
                from .maprun import start_child

                fan.children[i] = start_child(  # type: ignore[assignment]
                    self, ex.service.map_runs[fan.map_run_arn], i, item_input)
                continue
            eid = ex.event("MapIterationStarted", fan.event_id, {"name": st.name, "index": i})
            child = Frame(ex, proc, self, i, self.vars, eid)
            fan.children[i] = child
            call_later(0, child.enter, proc.start_at, item_input)

    def _item_input(self, st: State, i: int, item: Any, fan: Fan) -> Any:
        sel = st.item_selector
        if sel is None:
            return item
        if st.ql == JSONATA:
            ctx = self.context()
            ctx["Map"] = {"Item": {"Index": i, "Value": item}}
            b = self.bindings(self.raw_input)
            b.states["context"] = ctx
            return evaluate_value(sel, b, "ItemSelector")

        def context() -> dict[str, Any]:
            c = self.context()
            c["Map"] = {"Item": {"Index": i, "Value": item}}
            return c

        return self._template(sel, self.eff_input, "ItemSelector", context)


# -- state runners -------------------------------------------------------------------------
def _run_pass(f: Frame, st: State, data: Any) -> None:
    if st.ql == JSONATA:
        assigned = f.eval_assign(st.assign, JSONATA, None)
        out = data if st.output is UNSET else evaluate_value(st.output, f.bindings(data), "Output")
        f.exit(st, out, assigned)
        return
    eff = f.input_path(st, data)
    if st.parameters is not None:
        result = f._template(st.parameters, eff, "Parameters")
    elif st.has_result:
        result = st.result
    else:
        result = eff
    assigned = f.eval_assign(st.assign, st.ql, result) if st.assign is not None else None
    out = f.result_path(st.result_path, data, result)
    if st.output_path is not UNSET:
        out = f.output_path(st, out)
    f.exit(st, out, assigned)


def _run_choice(f: Frame, st: State, data: Any) -> None:
    if st.ql == JSONATA:
        b = f.bindings(data)
        target = None
        rule_assign = None
        for cond, nxt, assign in st.choices:
            ok = cond if type(cond) is bool else evaluate_value(cond, b, "Condition")
            if type(ok) is not bool:
                raise StatesError("States.QueryEvaluationError",
                                  "The Condition field of a Choice rule must evaluate to a "
                                  "boolean")
            if ok:
                target, rule_assign = nxt, assign
                break
        if target is None:
            target = st.default
            if target is None:
                raise StatesError("States.NoChoiceMatched",
                                  f"No Choice Rules matched and no Default was specified in "
                                  f"state '{st.name}'")
        assigned = f.eval_assign(rule_assign, JSONATA, None) if rule_assign is not None else None
        state_assigned = f.eval_assign(st.assign, JSONATA, None)
        if state_assigned:
            assigned = {**state_assigned, **(assigned or {})}
        out = data if st.output is UNSET else evaluate_value(st.output, b, "Output")
        f.exit(st, out, assigned, next_name=target)
        return
    eff = f.input_path(st, data)
    env = f.env(eff)
    target = None
    rule_assign = None
    try:
        for pred, nxt, assign in st.choices:
            if pred(env):
                target, rule_assign = nxt, assign
                break
    except StatesError as exc:
        if exc.error == "States.Runtime":
            raise _runtime(f, str(exc.cause)) from None
        raise
    if target is None:
        target = st.default
        if target is None:
            raise StatesError("States.NoChoiceMatched",
                              f"No Choice Rules matched and no Default was specified in state "
                              f"'{st.name}'")
    assigned = None
    if st.assign is not None or rule_assign is not None:
        assigned = {}
        if st.assign is not None:
            assigned.update(f.eval_assign(st.assign, st.ql, eff) or {})
        if rule_assign is not None:
            assigned.update(f.eval_assign(rule_assign, st.ql, eff) or {})
    out = f.output_path(st, eff)
    f.exit(st, out, assigned, next_name=target)


def _run_succeed(f: Frame, st: State, data: Any) -> None:
    if st.ql == JSONATA:
        out = data if st.output is UNSET else evaluate_value(st.output, f.bindings(data), "Output")
    else:
        out = f.output_path(st, f.input_path(st, data))
    f.exit(st, out)


def _run_fail(f: Frame, st: State, data: Any) -> None:
    error, cause = st.error, st.cause
    if st.ql == JSONATA:
        b = f.bindings(data)
        if error is not None:
            error = evaluate_value(error, b, "Error")
        if cause is not None:
            cause = evaluate_value(cause, b, "Cause")
    else:
        env = f.env(data)
        for attr, field in (("error_path", "ErrorPath"), ("cause_path", "CausePath")):
            expr = getattr(st, attr)
            if expr is not None:
                try:
                    v = evaluate_expr(expr, env, field)
                except StatesError as exc:
                    if exc.error == "States.Runtime":
                        raise _runtime(f, str(exc.cause)) from None
                    raise
                if type(v) is not str:
                    raise _runtime(f, f"The value of the field '{field}' must be a string, "
                                      f"got {dumps(v)}")
                if attr == "error_path":
                    error = v
                else:
                    cause = v
    # A Fail state ends its scope: no Retry/Catch of its own.
    err = StatesError(error if error is not None else "", cause)
    err._fail_state = True  # type: ignore[attr-defined]
    f.fail(err)


def _seconds_value(f: Frame, v: Any, field: str) -> int:
    if type(v) is not int or v < 0 or v > 99_999_999:
        if type(v) is float and v.is_integer() and v >= 0:
            return int(v)
        raise _runtime(f, f"The value of the field '{field}' must be a non-negative integer, "
                          f"got {dumps(v)}")
    return v


def _run_wait(f: Frame, st: State, data: Any) -> None:
    ex = f.ex
    now = ex.cloud.clock.now_us
    if st.ql == JSONATA:
        b = f.bindings(data)
        if st.seconds is not None:
            v = evaluate_value(st.seconds, b, "Seconds")
            if type(v) is not int or v < 0:
                raise StatesError("States.QueryEvaluationError",
                                  f"The Seconds field must evaluate to a non-negative integer, "
                                  f"got {dumps(v)}")
            until = now + v * 1_000_000
        else:
            v = evaluate_value(st.timestamp, b, "Timestamp")
            ts = parse_timestamp(v)
            if ts is None:
                raise StatesError("States.QueryEvaluationError",
                                  f"The Timestamp field must evaluate to a valid timestamp, "
                                  f"got {dumps(v)}")
            until = _ts_us(ts)
        eff = data
    else:
        eff = f.input_path(st, data)
        if st.seconds is not None:
            until = now + st.seconds * 1_000_000
        elif st.timestamp is not None:
            until = _ts_us(parse_timestamp(st.timestamp))
        elif st.seconds_path is not None:
            v = f._apply_path(st.seconds_path, eff, "SecondsPath")
            until = now + _seconds_value(f, v, "SecondsPath") * 1_000_000
        else:
            v = f._apply_path(st.timestamp_path, eff, "TimestampPath")
            ts = parse_timestamp(v)
            if ts is None:
                raise _runtime(f, f"The TimestampPath parameter does not reference a valid "
                                  f"ISO-8601 extended offset date-time format string: "
                                  f"{dumps(v)}")
            until = _ts_us(ts)
    f.eff_input = eff
    if until < now:
        until = now
    f.timers.append(ex.cloud.scheduler.call_at_us(until, f.wait_done, f.attempt))  # type: ignore[attr-defined]


def _ts_us(ts: Any) -> int:
    from ..kernel.clock import datetime_to_us

    return datetime_to_us(ts)


def _wait_done(self: Frame, attempt: int) -> None:
    if not self.alive or attempt != self.attempt:
        return
    self.timers = []
    st = self.state
    try:
        if st.ql == JSONATA:
            assigned = self.eval_assign(st.assign, JSONATA, None)
            out = self.raw_input if st.output is UNSET else evaluate_value(
                st.output, self.bindings(self.raw_input), "Output")
        else:
            assigned = self.eval_assign(st.assign, st.ql, self.eff_input)
            out = self.output_path(st, self.eff_input)
        self.exit(st, out, assigned)
    except StatesError as err:
        self.on_error(err)


Frame.wait_done = _wait_done  # type: ignore[attr-defined]


def _run_task(f: Frame, st: State, data: Any) -> None:
    f.ex.service.integrations.start(f, st, data)


def _run_parallel(f: Frame, st: State, data: Any) -> None:
    if st.ql == JSONATA:
        branch_input = data if st.arguments is UNSET else evaluate_value(
            st.arguments, f.bindings(data), "Arguments")
    else:
        eff = f.input_path(st, data)
        branch_input = eff if st.parameters is None else f._template(st.parameters, eff,
                                                                     "Parameters")
    ex = f.ex
    fan = Fan("parallel", len(st.branches))
    f.fan = fan
    fan.event_id = f.last_id = ex.event("ParallelStateStarted", f.last_id, None)
    for i, b in enumerate(st.branches):
        child = Frame(ex, b, f, i, f.vars, fan.event_id)
        fan.children[i] = child
        ex.cloud.call_later(0, child.enter, b.start_at, branch_input)


def _int_field(f: Frame, v: Any, field: str, ql: str, b: Any = None) -> int:
    if ql == JSONATA and type(v) is str:
        v = evaluate_value(v, b, field)
    if type(v) is float and v.is_integer():
        v = int(v)
    if type(v) is not int or v < 0:
        msg = f"The value of the field '{field}' must be a non-negative integer, got {dumps(v)}"
        if ql == JSONATA:
            raise StatesError("States.QueryEvaluationError", msg)
        raise _runtime(f, msg)
    return v


def _run_map(f: Frame, st: State, data: Any) -> None:
    ex = f.ex
    b = None
    if st.ql == JSONATA:
        b = f.bindings(data)
        if st.items is UNSET:
            items = data
        else:
            items = evaluate_value(st.items, b, "Items")
        eff = data
        if type(items) is not list and st.item_reader is None:
            raise StatesError("States.QueryEvaluationError",
                              "Map state input must be an array")
    else:
        eff = f.input_path(st, data)
        if st.items_path is UNSET or st.items_path is None:
            items = eff
        else:
            items = f._apply_path(st.items_path, eff, "ItemsPath")
        if type(items) is not list and st.item_reader is None:
            raise _runtime(f, f"Item path {st.items_path.text if st.items_path not in (UNSET, None) else '$'} "
                              f"does not point to a JSON array: {dumps(items)}")
    f.eff_input = eff
    mc = st.max_concurrency
    if st.max_concurrency_path is not None:
        mc = _int_field(f, f._apply_path(st.max_concurrency_path, eff, "MaxConcurrencyPath"),
                        "MaxConcurrencyPath", st.ql)
    elif type(mc) is str:
        mc = _int_field(f, mc, "MaxConcurrency", st.ql, b)
    fan = Fan("map", 0)
    if st.distributed:
        items = ex.service.integrations.read_items(f, st, eff, items)
        items = _batch(f, st, eff, items)
        fan.tolerated_count = _tolerance(f, st, eff, b, "count")
        fan.tolerated_pct = _tolerance(f, st, eff, b, "pct")
        if fan.tolerated_count is None and fan.tolerated_pct is None:
            fan.tolerated_count = 0
    fan.items = items
    fan.results = [None] * len(items)
    fan.remaining = len(items)
    fan.max = mc
    f.fan = fan
    fan.event_id = f.last_id = ex.event("MapStateStarted", f.last_id, {"length": len(items)})
    if st.distributed:
        from .maprun import start_map_run

        fan.batched = bool(st.item_batcher)
        start_map_run(f, st, fan, items)
        fan.event_id = ex.event("MapRunStarted", fan.event_id, {"mapRunArn": fan.map_run_arn})
    if not items:
        f._fan_done()
        return
    f._start_iterations()


def _tolerance(f: Frame, st: State, eff: Any, b: Any, kind: str) -> Any:
    if kind == "count":
        v, p, field = st.tolerated_count, st.tolerated_count_path, "ToleratedFailureCount"
    else:
        v, p, field = st.tolerated_pct, st.tolerated_pct_path, "ToleratedFailurePercentage"
    if p is not None:
        v = f._apply_path(p, eff, field + "Path")
    elif type(v) is str and st.ql == JSONATA:
        v = evaluate_value(v, b, field)
    if v is None:
        return None
    if type(v) not in (int, float) or v < 0:
        raise _runtime(f, f"{field} cannot be negative" if type(v) in (int, float)
                       else f"{field} must be a number")
    if kind == "pct" and v > 100:
        raise _runtime(f, "ToleratedFailurePercentage must be between 0 and 100")
    return v


def _batch(f: Frame, st: State, eff: Any, items: list[Any]) -> list[Any]:
    cfg = st.item_batcher
    if not cfg:
        return items
    max_items = cfg.get("MaxItemsPerBatch")
    if "MaxItemsPerBatchPath" in cfg:
        from .asl.paths import parse_path

        max_items = f._apply_path(parse_path(cfg["MaxItemsPerBatchPath"]), eff,
                                  "MaxItemsPerBatchPath")
    max_bytes = cfg.get("MaxInputBytesPerBatch", 262_144)
    if "MaxInputBytesPerBatchPath" in cfg:
        from .asl.paths import parse_path

        max_bytes = f._apply_path(parse_path(cfg["MaxInputBytesPerBatchPath"]), eff,
                                  "MaxInputBytesPerBatchPath")
    batch_input = cfg.get("BatchInput")
    if batch_input is not None and st.ql != JSONATA:
        from .asl.templates import compile_template

        batch_input = f._template(compile_template(batch_input), eff, "BatchInput")
    batches: list[Any] = []
    cur: list[Any] = []
    size = 0
    for item in items:
        n = len(dumps(item).encode())
        if cur and ((max_items and len(cur) >= max_items) or size + n > max_bytes):
            batches.append(cur)
            cur, size = [], 0
        cur.append(item)
        size += n
    if cur:
        batches.append(cur)
    out = []
    for bt in batches:
        entry: dict[str, Any] = {"Items": bt}
        if batch_input is not None:
            entry["BatchInput"] = batch_input
        out.append(entry)
    return out


_RUN = {
    "Pass": _run_pass, "Choice": _run_choice, "Succeed": _run_succeed, "Fail": _run_fail,
    "Wait": _run_wait, "Task": _run_task, "Parallel": _run_parallel, "Map": _run_map,
}


class Execution:
    """One execution of a state machine (Standard or Express)."""

    __slots__ = (
        "service", "cloud", "arn", "name", "machine_arn", "machine_name", "definition",
        "definition_text", "type", "status", "input", "input_text", "output", "error", "cause",
        "start_us", "stop_us", "history", "history_full", "rng_name", "rng", "root",
        "timeout_handle", "redrive_count", "redrive_us", "role_arn", "test_case", "mock_counts",
        "waiters", "transitions", "failed_at", "trace_header", "parent_token", "map_run_arn",
        "uuid_stream", "version_arn",
    )

    def _repr_html_(self) -> str:
        """Notebook display (``serverless_sim.sim.display``)."""
        from ..sim.display import execution_html

        return execution_html(self)

    def __init__(self, service: "StepFunctions", arn: str, name: str, machine: Any,
                 input_obj: Any, input_text: str, test_case: str | None = None) -> None:
        self.service = service
        self.cloud = service.cloud
        self.arn = arn
        self.name = name
        self.machine_arn = machine.arn
        self.machine_name = machine.name
        self.definition: Machine = machine.compiled
        self.definition_text = machine.definition
        self.role_arn = machine.role_arn
        self.type = machine.type
        self.status = "RUNNING"
        self.input = input_obj
        self.input_text = input_text
        self.output: Any = None
        self.error: str | None = None
        self.cause: str | None = None
        self.start_us = self.cloud.clock.now_us
        self.stop_us: int | None = None
        self.history: list[tuple[Any, ...]] | None = [] if self.type == "STANDARD" else None
        self.history_full: StatesError | None = None
        self.rng_name = f"stepfunctions/execution/{arn}"
        self.rng = self.cloud.rng(self.rng_name)
        self.uuid_stream = f"stepfunctions/uuid/{arn}"
        self.root: Frame | None = None
        self.timeout_handle: Any = None
        self.redrive_count = 0
        self.redrive_us: int | None = None
        self.test_case = test_case
        self.mock_counts: dict[str, int] = {}
        self.waiters: list[Any] = []
        self.transitions = 0
        self.failed_at: tuple[str, Any, dict[str, Any]] | None = None
        self.trace_header: str | None = None
        self.parent_token: str | None = None
        self.map_run_arn: str | None = None
        self.version_arn: str | None = None

    def __repr__(self) -> str:
        return f"<Execution {self.name!r} {self.status}>"

    def next_uuid(self) -> str:
        return self.cloud.streams.uuid(self.uuid_stream)

    # -- history --------------------------------------------------------------------------
    def event(self, etype: str, prev: int, details: Any = None) -> int:
        h = self.history
        if h is None:
            return 0
        if len(h) >= MAX_EVENTS and not etype.startswith("Execution"):
            if self.history_full is None:
                self.history_full = StatesError(
                    "States.Runtime",
                    f"The execution reached the maximum number of history events "
                    f"({MAX_EVENTS}).",
                )
                raise self.history_full
            return len(h)
        h.append((etype, self.cloud.clock.now_us, prev, details))
        return len(h)

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        cloud = self.cloud
        self.event("ExecutionStarted", 0, {"input": self.input_text, "roleArn": self.role_arn})
        cloud.trace.record("stepfunctions", "execution_started", execution=self.arn)
        self._schedule_timeout()
        root = self.root = Frame(self, self.definition, None, 0, {}, 0)
        cloud.call_later(0, root.enter, self.definition.start_at, self.input)

    def _schedule_timeout(self) -> None:
        limit = STANDARD_MAX_US if self.type == "STANDARD" else EXPRESS_MAX_US
        if self.definition.timeout is not None:
            limit = min(limit, self.definition.timeout * 1_000_000)
        base = self.start_us if self.redrive_us is None else self.redrive_us
        when = max(base + limit, self.cloud.clock.now_us)
        self.timeout_handle = self.cloud.scheduler.call_at_us(when, self.time_out)

    def _close(self, status: str) -> None:
        self.status = status
        self.stop_us = self.cloud.clock.now_us
        if self.timeout_handle is not None:
            self.cloud.cancel(self.timeout_handle)
            self.timeout_handle = None
        self.cloud.trace.record("stepfunctions", "execution_" + status.lower(),
                                execution=self.arn, transitions=self.transitions)
        self.cloud.metrics.put(
            "AWS/States", "Executions" + {"SUCCEEDED": "Succeeded", "FAILED": "Failed",
                                          "ABORTED": "Aborted", "TIMED_OUT": "TimedOut"}[status],
            1, dimensions={"StateMachineArn": self.machine_arn}, unit="Count",
        )
        waiters, self.waiters = self.waiters, []
        for w in waiters:
            w(self)
        self.service._execution_closed(self)

    def succeed(self, output: Any) -> None:
        if self.status != "RUNNING":
            return
        self.output = output
        last = self.root.last_id if self.root else 0
        self.event("ExecutionSucceeded", last, {"output": output})
        self._close("SUCCEEDED")

    def root_failed(self, frame: Frame, err: StatesError) -> None:
        if self.status != "RUNNING":
            return
        st = frame.state
        if st is not None:
            self.failed_at = (st.name, frame.raw_input, dict(frame.vars))
        self.error, self.cause = err.error, err.cause
        details: dict[str, Any] = {"error": err.error}
        if err.cause is not None:
            details["cause"] = err.cause
        self.event("ExecutionFailed", frame.last_id, details)
        self._close("FAILED")

    def time_out(self) -> None:
        if self.status != "RUNNING":
            return
        self.timeout_handle = None
        root = self.root
        if root is not None:
            if root.state is not None:
                self.failed_at = (root.state.name, root.raw_input, dict(root.vars))
            root.abort(record=False)
        self.error, self.cause = "States.Timeout", None
        self.event("ExecutionTimedOut", root.last_id if root else 0, {"error": "States.Timeout"})
        self._close("TIMED_OUT")

    def stop(self, error: str | None, cause: str | None) -> None:
        if self.status != "RUNNING":
            return
        root = self.root
        if root is not None:
            if root.state is not None:
                self.failed_at = (root.state.name, root.raw_input, dict(root.vars))
            root.abort(record=True)
        self.error, self.cause = error, cause
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.event("ExecutionAborted", root.last_id if root else 0, details or None)
        self._close("ABORTED")

    def redrive(self) -> None:
        """Restart from the state that failed (its raw input and the variables then)."""
        assert self.failed_at is not None
        name, raw, variables = self.failed_at
        self.redrive_count += 1
        self.redrive_us = self.cloud.clock.now_us
        self.status = "RUNNING"
        self.stop_us = None
        self.error = self.cause = None
        self.history_full = None
        last = len(self.history) if self.history is not None else 0
        if self.history is not None:
            self.history.append(("ExecutionRedriven", self.cloud.clock.now_us, last,
                                 {"redriveCount": self.redrive_count}))
            last = len(self.history)
        self._schedule_timeout()
        root = self.root = Frame(self, self.definition, None, 0, dict(variables), last)
        self.cloud.call_later(0, root.enter, name, raw)

    def describe_status_output(self) -> str | None:
        return None if self.output is None and self.status != "SUCCEEDED" else json.dumps(
            self.output, separators=(",", ":"), ensure_ascii=False)
