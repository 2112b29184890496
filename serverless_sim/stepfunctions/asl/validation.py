"""Definition diagnostics, as ValidateStateMachineDefinition and CreateStateMachine report them.

A diagnostic is ``(severity, code, message, location)``; ``location`` is a JSON-pointer-like
path (``/States/A/Next``, ``/States/C/Choices[0]/Next``) or None. Codes are AWS's:
``SCHEMA_VALIDATION_FAILED`` (a field missing, unknown, or of the wrong type or value),
``MISSING_TRANSITION_TARGET`` (``Missing 'Next' target: X`` for Next / Choices[].Next /
Default / Catch[].Next; ``State "X" is not reachable.``), ``MISSING_END_STATE`` ("Workflow has
no terminal state", no location; it suppresses the unreachable-state walk),
``DUPLICATE_STATE_NAME``, ``INVALID_JSON_DESCRIPTION``.

CreateStateMachine/UpdateStateMachine turn the errors into one ``InvalidDefinition``:
``Invalid State Machine Definition: 'CODE: message at /location, CODE: message ...'``.

Sources: API ValidateStateMachineDefinition; observed AWS texts quoted in public bug reports
(e.g. "MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next,
MISSING_TRANSITION_TARGET: State \\"pass2\\" is not reachable. at /States/pass2").
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Diagnostic(NamedTuple):
    severity: str
    code: str
    message: str
    location: str | None

    def text(self) -> str:
        return f"{self.code}: {self.message}" + (f" at {self.location}" if self.location else "")

    def to_wire(self) -> dict[str, Any]:
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location is not None:
            out["location"] = self.location
        return out


class Diagnostics:
    """A collector of diagnostics, in the order found."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, code: str, message: str, location: str | None) -> None:
        self.items.append(Diagnostic("ERROR", code, message, location))

    def warning(self, code: str, message: str, location: str | None) -> None:
        self.items.append(Diagnostic("WARNING", code, message, location))

    def schema(self, message: str, location: str | None) -> None:
        self.error("SCHEMA_VALIDATION_FAILED", message, location)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "ERROR"]

    def invalid_definition_message(self) -> str:
        return "Invalid State Machine Definition: '" + ", ".join(
            d.text() for d in self.errors
        ) + "'"


def check_graph(states: dict[str, Any], start_at: Any, base: str, diags: Diagnostics) -> None:
    """Transitions, reachability and terminal states of one scope (top level, a branch, or a
    Map processor); ``states`` is the raw ``States`` object, ``base`` its location prefix."""
    if not isinstance(states, dict):
        return
    targets: dict[str, list[tuple[str, str]]] = {}
    for name, st in states.items():
        if not isinstance(st, dict):
            continue
        loc = f"{base}/States/{name}"
        edges: list[tuple[str, str]] = []
        if isinstance(st.get("Next"), str):
            edges.append((st["Next"], f"{loc}/Next"))
        if st.get("Type") == "Choice":
            for i, rule in enumerate(st.get("Choices") or []):
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    edges.append((rule["Next"], f"{loc}/Choices[{i}]/Next"))
            if isinstance(st.get("Default"), str):
                edges.append((st["Default"], f"{loc}/Default"))
        for i, c in enumerate(st.get("Catch") or [] if isinstance(st.get("Catch"), list) else []):
            if isinstance(c, dict) and isinstance(c.get("Next"), str):
                edges.append((c["Next"], f"{loc}/Catch[{i}]/Next"))
        targets[name] = edges
    for name, edges in targets.items():
        for target, where in edges:
            if target not in states:
                diags.error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", where)
    if isinstance(start_at, str) and start_at not in states:
        diags.error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start_at}",
                    f"{base}/StartAt")
        return
    # Terminal states: End, Succeed, Fail (a Choice is never terminal).
    terminal = [
        n for n, st in states.items()
        if isinstance(st, dict) and (st.get("End") is True or st.get("Type") in ("Succeed", "Fail"))
    ]
    if not terminal:
        diags.error("MISSING_END_STATE", "Workflow has no terminal state", None)
        return
    if not isinstance(start_at, str):
        return
    seen = {start_at}
    stack = [start_at]
    while stack:
        for target, _ in targets.get(stack.pop(), []):
            if target in states and target not in seen:
                seen.add(target)
                stack.append(target)
    for name in states:
        if name not in seen:
            diags.error("MISSING_TRANSITION_TARGET", f'State "{name}" is not reachable.',
                        f"{base}/States/{name}")
