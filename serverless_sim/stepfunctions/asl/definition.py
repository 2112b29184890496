"""A state machine definition: parse the JSON text, validate it, compile every state.

:func:`parse_definition` returns ``(Machine | None, Diagnostics)``; the machine is None when
there are errors. A :class:`Machine` is one scope (the top level, a Parallel branch or a Map
processor): ``start_at``, ``states`` (name -> compiled :class:`~.states.State`), its query
language and (top level) ``TimeoutSeconds``.

Checks: JSON syntax (INVALID_JSON_DESCRIPTION), top-level fields, every state's fields
(:mod:`.states`), transitions and reachability per scope (:mod:`.validation`), state names
unique across the whole definition (DUPLICATE_STATE_NAME), size ≤ 1 MiB, and for EXPRESS
machines the integrations Express does not support (``.sync``, ``.waitForTaskToken``,
activities, distributed Map).
"""

from __future__ import annotations

import json
from typing import Any

from .states import JSONATA, JSONPATH, State, compile_state
from .validation import Diagnostics, check_graph

MAX_DEFINITION_BYTES = 1_048_576


class Machine:
    """One compiled scope of a definition."""

    __slots__ = ("start_at", "states", "ql", "timeout", "comment", "raw", "location")

    def __init__(self, start_at: str, states: dict[str, State], ql: str, timeout: int | None,
                 raw: dict[str, Any], location: str) -> None:
        self.start_at = start_at
        self.states = states
        self.ql = ql
        self.timeout = timeout
        self.comment = raw.get("Comment")
        self.raw = raw
        self.location = location

    def walk(self) -> Any:
        """Every state of this scope and of nested scopes, depth first."""
        for st in self.states.values():
            yield st
            for b in st.branches:
                yield from b.walk()
            if st.processor is not None:
                yield from st.processor.walk()

    def __repr__(self) -> str:
        return f"<Machine StartAt={self.start_at!r} states={len(self.states)}>"


def parse_definition(text: Any, machine_type: str = "STANDARD") -> tuple[Machine | None, Diagnostics]:
    d = Diagnostics()
    if type(text) is not str:
        d.error("INVALID_JSON_DESCRIPTION", "The definition must be a string", None)
        return None, d
    if len(text.encode()) > MAX_DEFINITION_BYTES:
        d.error("SCHEMA_VALIDATION_FAILED", "The definition must be at most 1048576 bytes", None)
        return None, d
    try:
        raw = json.loads(text)
    except ValueError as exc:
        d.error("INVALID_JSON_DESCRIPTION", f"Invalid JSON: {exc}", None)
        return None, d
    if type(raw) is not dict:
        d.error("INVALID_JSON_DESCRIPTION", "The definition must be a JSON object", None)
        return None, d
    names: dict[str, str] = {}
    machine = _scope(raw, JSONPATH, "", d, names, top=True)
    if machine is not None and machine_type == "EXPRESS":
        for st in machine.walk():
            res = st.resource or ""
            if st.type == "Task" and (".sync" in res or res.endswith(".waitForTaskToken")):
                d.schema("Express state machines do not support the '.sync' or "
                         "'.waitForTaskToken' service integration patterns",
                         f"{st.location}/Resource")
            elif st.type == "Task" and ":activity:" in res:
                d.schema("Express state machines do not support activities",
                         f"{st.location}/Resource")
            elif st.type == "Map" and st.distributed and st.execution_type == "STANDARD":
                d.schema("Express state machines only support distributed Map with an "
                         "ExecutionType of EXPRESS", st.location)
    if d.errors:
        return None, d
    return machine, d


def _scope(raw: Any, parent_ql: str, base: str, d: Diagnostics, names: dict[str, str],
           top: bool = False, in_distributed: bool = False) -> Machine | None:
    if type(raw) is not dict:
        d.schema("The value must be an OBJECT", base or None)
        return None
    allowed = {"StartAt", "States", "Comment", "QueryLanguage"}
    if top:
        allowed |= {"Version", "TimeoutSeconds"}
    for k in raw:
        if k not in allowed:
            d.schema(f'The field "{k}" is not supported by Step Functions', base or "/")
    missing = [k for k in ("StartAt", "States") if k not in raw]
    if missing:
        d.schema(f"These fields are required: [{', '.join(missing)}]", base or "/")
        return None
    ql = raw.get("QueryLanguage", parent_ql)
    if ql not in (JSONPATH, JSONATA):
        d.schema("The value for the field 'QueryLanguage' must be one of JSONPath, JSONata",
                 f"{base}/QueryLanguage")
        ql = parent_ql
    timeout = None
    if top and "TimeoutSeconds" in raw:
        t = raw["TimeoutSeconds"]
        if type(t) is not int or not 0 < t <= 99_999_999:
            d.schema("The value for the field 'TimeoutSeconds' must be a positive integer",
                     "/TimeoutSeconds")
        else:
            timeout = t
    if top and "Version" in raw and type(raw["Version"]) is not str:
        d.schema("The value for the field 'Version' must be a STRING", "/Version")
    start_at = raw["StartAt"]
    if type(start_at) is not str:
        d.schema("The value for the field 'StartAt' must be a STRING", f"{base}/StartAt")
    states_raw = raw["States"]
    if type(states_raw) is not dict or not states_raw:
        d.schema("The value for the field 'States' must be a non-empty OBJECT", f"{base}/States")
        return None
    compiled: dict[str, State] = {}

    def compile_nested(body: Any, ql_: str, loc: str, dist: bool) -> Machine | None:
        return _scope(body, ql_, loc, d, names, in_distributed=dist)

    for name, st in states_raw.items():
        loc = f"{base}/States/{name}"
        if name in names:
            d.error("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", loc)
        names[name] = loc
        cs = compile_state(name, st, ql, loc, d, compile_nested, in_distributed)
        if cs is not None:
            compiled[name] = cs
    check_graph(states_raw, start_at, base, d)
    return Machine(start_at if type(start_at) is str else "", compiled, ql, timeout, raw, base)
