"""Payload templates (``Parameters``, ``ResultSelector``, ``ItemSelector``, Assign in JSONPath
mode) and path resolution against data, the context object ``$$`` and variables.

A key ending in ``.$`` takes a path (``$.x``), a context path (``$$.Execution.Id``), a variable
path (``$var.x``) or an intrinsic call (``States.Format(...)``), evaluated at run time; the key is
emitted without ``.$``. Other values are copied as they are (nested objects and arrays are
templates too). A template with no ``.$`` key anywhere is a constant and costs nothing at run
time (SL: Payload Template; DG: input-output-inputpath-params).

Messages follow AWS's: a path that matches nothing in a template field fails the state with
``States.Runtime`` and "The JSONPath '$.x' specified for the field 'k.$' could not be found in
the input '{...}'".
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import PathError, PathNotFound, StatesError
from .intrinsics import Call, Env, IntrinsicSyntaxError, evaluate as eval_call, parse_intrinsic
from .paths import CONTEXT, DATA, Path, parse_path


class TemplateError(Exception):
    """Internal: a template is malformed (definition error). ``field`` is the offending key."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def dumps(v: Any) -> str:
    """Compact JSON, as AWS prints data in messages and history."""
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def path_value(path: Path, env: Env, field: str | None = None) -> Any:
    """Evaluate ``path`` against data, context or variables. A definite path that matches
    nothing raises States.Runtime with AWS's wording for ``field``."""
    root = path.root
    if root is DATA:
        base = env.data
    elif root is CONTEXT:
        ctx = env.context
        base = ctx() if callable(ctx) else ctx
    else:
        variables = env.variables
        if variables is None or path.var not in variables:
            raise StatesError(
                "States.Runtime",
                f"The variable '${path.var}' could not be found"
                + (f" for the field '{field}'" if field else ""),
            )
        base = variables[path.var]
    try:
        return path.get(base)
    except PathNotFound:
        where = "input" if root is DATA else ("context object" if root is CONTEXT else "variable")
        if field is None:
            raise StatesError(
                "States.Runtime", f"The JSONPath '{path.text}' could not be found in the "
                f"{where} '{dumps(base)}'"
            ) from None
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{path.text}' specified for the field '{field}' could not be found "
            f"in the {where} '{dumps(base)}'",
        ) from None


def compile_value_expr(text: Any, field: str) -> Path | Call:
    """The run-time expression of a ``.$`` field: a path or an intrinsic call."""
    if type(text) is not str:
        raise TemplateError(field, f"The value for the field '{field}' must be a STRING")
    if text.startswith("States."):
        try:
            return parse_intrinsic(text)
        except IntrinsicSyntaxError as exc:
            raise TemplateError(
                field, f"The value for the field '{field}' must be a valid JSONPath or a valid "
                f"intrinsic function call ({exc})"
            ) from None
    try:
        return parse_path(text)
    except PathError:
        raise TemplateError(
            field, f"The value for the field '{field}' must be a valid JSONPath or a valid "
            "intrinsic function call"
        ) from None


class Template:
    """A compiled payload template. ``constant`` is set when nothing is dynamic."""

    __slots__ = ("node", "constant", "is_constant")

    def __init__(self, node: Any, constant: Any, is_constant: bool) -> None:
        self.node = node
        self.constant = constant
        self.is_constant = is_constant

    def evaluate(self, env: Env) -> Any:
        if self.is_constant:
            return self.constant
        return _eval(self.node, env)


# Node kinds: ("c", value) constant; ("p", Path, field); ("i", Call, field);
# ("o", [(key, node)...]) object; ("a", [node...]) array.


def compile_template(value: Any) -> Template:
    node, dynamic = _compile(value)
    return Template(node, value if not dynamic else None, not dynamic)


def _compile(value: Any) -> tuple[Any, bool]:
    t = type(value)
    if t is dict:
        items = []
        dynamic = False
        for k, v in value.items():
            if k.endswith(".$"):
                expr = compile_value_expr(v, k)
                kind = "i" if type(expr) is Call else "p"
                items.append((k[:-2], (kind, expr, k)))
                dynamic = True
            else:
                node, d = _compile(v)
                dynamic = dynamic or d
                items.append((k, node))
        return ("o", items), dynamic
    if t is list:
        nodes = []
        dynamic = False
        for v in value:
            node, d = _compile(v)
            dynamic = dynamic or d
            nodes.append(node)
        return ("a", nodes), dynamic
    return ("c", value), False


def _eval(node: Any, env: Env) -> Any:
    kind = node[0]
    if kind == "c":
        return node[1]
    if kind == "o":
        return {k: _eval(n, env) for k, n in node[1]}
    if kind == "a":
        return [_eval(n, env) for n in node[1]]
    if kind == "p":
        return path_value(node[1], env, node[2])
    return eval_call(node[1], env)


def evaluate_expr(expr: Path | Call, env: Env, field: str | None = None) -> Any:
    """Evaluate a compiled path or intrinsic (ErrorPath, CausePath, ...)."""
    if type(expr) is Call:
        return eval_call(expr, env)
    return path_value(expr, env, field)  # type: ignore[arg-type]
