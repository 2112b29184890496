"""Execution history: compact event tuples, turned into AWS's ``HistoryEvent`` dicts on read.

An event is stored as ``(type, timestamp_us, previous_event_id, details)``; its id is its index
+ 1. ``details`` is None, a ``(name, data)`` pair for ``*StateEntered`` / ``*StateExited``
events (``data`` the Python value, serialised only when read), or a dict whose ``input`` /
``output`` / ``parameters`` members hold Python values serialised on read. Recording costs one
tuple and one list append; nothing is serialised unless someone reads the history.

The details member's name follows API: HistoryEvent (``stateEnteredEventDetails``,
``taskScheduledEventDetails``, ``lambdaFunctionFailedEventDetails``...). Events without details
(``ParallelStateStarted``, ``MapStateSucceeded``, ``LambdaFunctionStarted``...) carry none.

Limit: 25,000 events per execution (DG: service-quotas); the execution fails when it would
record more.
"""

from __future__ import annotations

import json
from typing import Any

from ..kernel.clock import us_to_datetime

MAX_EVENTS = 25_000

_DATA_KEYS = ("input", "output")


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    if event_type.startswith("MapIteration"):
        return "mapIteration" + event_type[len("MapIteration"):] + "EventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def event_to_wire(index: int, event: tuple[Any, ...], include_data: bool = True) -> dict[str, Any]:
    etype, ts, prev, details = event
    out: dict[str, Any] = {"timestamp": us_to_datetime(ts), "type": etype, "id": index + 1,
                           "previousEventId": prev}
    if details is None:
        return out
    if type(details) is tuple:
        name, data = details[0], details[1]
        d: dict[str, Any] = {"name": name}
        key = "input" if etype.endswith("Entered") else "output"
        if include_data:
            d[key] = _dumps(data)
            d[key + "Details"] = {"truncated": False}
        if len(details) > 2 and details[2]:
            d["assignedVariables"] = {k: _dumps(v) for k, v in details[2].items()}
            d["assignedVariablesDetails"] = {"truncated": False}
        out[details_key(etype)] = d
        return out
    d = {}
    for k, v in details.items():
        if k in _DATA_KEYS:
            if include_data:
                d[k] = v if type(v) is str else _dumps(v)
                d[k + "Details"] = {"truncated": False}
        elif k == "parameters":
            if include_data:
                d[k] = v if type(v) is str else _dumps(v)
        else:
            d[k] = v
    out[details_key(etype)] = d
    return out
