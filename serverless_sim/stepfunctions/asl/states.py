"""Compiled states: every field of a state parsed and checked once, at definition time.

:func:`compile_state` turns one state's JSON into a :class:`State` (paths parsed, templates
compiled, Choice rules turned into predicates, JSONata expressions parsed), reporting problems
as diagnostics (:mod:`.validation`). The interpreter (:mod:`..executions`) then never looks at
raw JSON on its hot path.

Field sets per state type and query language: SL "State Types"; DG statemachine-structure,
transforming-data ("forbidden in JSONata states: InputPath, Parameters, ResultSelector,
ResultPath, OutputPath, *Path fields"); the field list of AWS's JSON schema
(aws/amazon-states-language-service, src/json-schema).
"""

from __future__ import annotations

from typing import Any

from ..errors import PathError
from .choice import ChoiceRuleError, compile_rule, parse_timestamp
from .intrinsics import Call, IntrinsicSyntaxError, parse_intrinsic
from .jsonata_mode import JsonataSyntaxError, compile_value, is_expr
from .paths import Path, parse_path, parse_reference_path
from .templates import Template, TemplateError, compile_template
from .validation import Diagnostics

JSONPATH, JSONATA = "JSONPath", "JSONata"

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_IO = {"InputPath", "OutputPath"}
_JP_ONLY = {
    "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result",
    "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "ItemsPath", "Iterator",
    "TimeoutSecondsPath", "HeartbeatSecondsPath", "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath", "ToleratedFailureCountPath",
}
_JA_ONLY = {"Arguments", "Output", "Items"}

FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _IO | {"ResultPath", "Parameters", "Result", "Assign", "Output"},
    "Task": _COMMON | _FLOW | _IO | {
        "Resource", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
        "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        "Credentials", "Assign", "Arguments", "Output",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": _COMMON | _FLOW | _IO | {
        "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", "Output",
    },
    "Succeed": _COMMON | _IO | {"Output"},
    "Fail": _COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _IO | {
        "Branches", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Assign",
        "Arguments", "Output",
    },
    "Map": _COMMON | _FLOW | _IO | {
        "Iterator", "ItemProcessor", "ItemsPath", "Items", "ItemSelector", "Parameters",
        "MaxConcurrency", "MaxConcurrencyPath", "ItemReader", "ItemBatcher", "ResultWriter",
        "ToleratedFailurePercentage", "ToleratedFailurePercentagePath",
        "ToleratedFailureCount", "ToleratedFailureCountPath", "Label", "ResultPath",
        "ResultSelector", "Retry", "Catch", "Assign", "Output", "Arguments",
    },
}

MAX_TIMEOUT = 99_999_999


def _matches(errors: frozenset[str], all_: bool, error: str) -> bool:
    """ErrorEquals matching (DG concepts-error-handling): exact names; ``States.ALL`` matches
    everything; ``States.TaskFailed`` everything but ``States.Timeout``; ``States.Timeout`` also
    matches ``States.HeartbeatTimeout``. (Uncatchable errors are excluded by the caller.)"""
    if error in errors or all_:
        return True
    if "States.TaskFailed" in errors and error not in ("States.Timeout",):
        return True
    return error == "States.HeartbeatTimeout" and "States.Timeout" in errors


class Retrier:
    __slots__ = ("errors", "interval", "max_attempts", "backoff", "max_delay", "jitter", "all")

    def __init__(self, errors: list[str], interval: int, max_attempts: int, backoff: float,
                 max_delay: int | None, jitter: str) -> None:
        self.errors = frozenset(errors)
        self.all = "States.ALL" in errors
        self.interval = interval
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_delay = max_delay
        self.jitter = jitter

    def matches(self, error: str) -> bool:
        return _matches(self.errors, self.all, error)


class Catcher:
    __slots__ = ("errors", "all", "next", "result_path", "output", "assign", "index")

    def __init__(self, errors: list[str], next_: str, result_path: Any, output: Any,
                 assign: Any, index: int) -> None:
        self.errors = frozenset(errors)
        self.all = "States.ALL" in errors
        self.next = next_
        self.result_path = result_path
        self.output = output
        self.assign = assign
        self.index = index

    def matches(self, error: str) -> bool:
        return _matches(self.errors, self.all, error)


class _Unset:
    """The "field absent" marker (a singleton that survives copying and pickling)."""

    _instance: "_Unset | None" = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "UNSET"

    def __copy__(self) -> "_Unset":
        return self

    def __deepcopy__(self, memo: Any) -> "_Unset":
        return self


_UNSET: Any = _Unset()


class State:
    """One compiled state (any type). Fields not used by a type stay at their defaults."""

    __slots__ = (
        "name", "type", "raw", "ql", "next", "end", "input_path", "output_path",
        "parameters", "result_selector", "result_path", "result", "has_result", "assign",
        "output", "arguments", "retry", "catch", "resource", "timeout", "timeout_path",
        "heartbeat", "heartbeat_path", "credentials", "choices", "default", "seconds",
        "timestamp", "seconds_path", "timestamp_path", "error", "cause", "error_path",
        "cause_path", "branches", "processor", "items_path", "items", "item_selector",
        "max_concurrency", "max_concurrency_path", "tolerated_pct", "tolerated_pct_path",
        "tolerated_count", "tolerated_count_path", "item_reader", "item_batcher",
        "result_writer", "label", "distributed", "execution_type", "location",
    )

    def __init__(self, name: str, type_: str, raw: dict[str, Any], ql: str, location: str):
        self.name = name
        self.type = type_
        self.raw = raw
        self.ql = ql
        self.location = location
        self.next: str | None = None
        self.end = False
        # JSONPath I/O: _UNSET = default ($), None = JSON null ({} / discard).
        self.input_path: Any = _UNSET
        self.output_path: Any = _UNSET
        self.parameters: Template | None = None
        self.result_selector: Template | None = None
        self.result_path: Any = _UNSET
        self.result: Any = None
        self.has_result = False
        self.assign: Any = None
        self.output: Any = _UNSET
        self.arguments: Any = _UNSET
        self.retry: list[Retrier] = []
        self.catch: list[Catcher] = []
        self.resource: str | None = None
        self.timeout: Any = None
        self.timeout_path: Any = None
        self.heartbeat: Any = None
        self.heartbeat_path: Any = None
        self.credentials: Any = None
        self.choices: list[tuple[Any, Any, Any]] = []
        self.default: str | None = None
        self.seconds: Any = None
        self.timestamp: Any = None
        self.seconds_path: Any = None
        self.timestamp_path: Any = None
        self.error: Any = None
        self.cause: Any = None
        self.error_path: Any = None
        self.cause_path: Any = None
        self.branches: list[Any] = []
        self.processor: Any = None
        self.items_path: Any = _UNSET
        self.items: Any = _UNSET
        self.item_selector: Any = None
        self.max_concurrency: Any = 0
        self.max_concurrency_path: Any = None
        self.tolerated_pct: Any = None
        self.tolerated_pct_path: Any = None
        self.tolerated_count: Any = None
        self.tolerated_count_path: Any = None
        self.item_reader: Any = None
        self.item_batcher: Any = None
        self.result_writer: Any = None
        self.label: str | None = None
        self.distributed = False
        self.execution_type = "STANDARD"

    def __repr__(self) -> str:
        return f"<State {self.name!r} {self.type}>"


UNSET = _UNSET


def _is_int(v: Any) -> bool:
    return type(v) is int


def _is_num(v: Any) -> bool:
    return type(v) in (int, float)


def compile_path_field(st: dict[str, Any], key: str, loc: str, d: Diagnostics,
                       *, nullable: bool = True, reference: bool = False,
                       intrinsic: bool = False) -> Any:
    """A path field: _UNSET when absent, None for JSON null, else a Path (or Call)."""
    if key not in st:
        return _UNSET
    v = st[key]
    if v is None:
        if not nullable:
            d.schema(f"The value for the field '{key}' must be a STRING", f"{loc}/{key}")
        return None
    if type(v) is not str:
        d.schema(f"The value for the field '{key}' must be a STRING", f"{loc}/{key}")
        return _UNSET
    if intrinsic and v.startswith("States."):
        try:
            return parse_intrinsic(v)
        except IntrinsicSyntaxError:
            d.schema(f"The value for the field '{key}' must be a valid JSONPath or a valid "
                     "intrinsic function call", f"{loc}/{key}")
            return _UNSET
    try:
        p = parse_reference_path(v) if reference else parse_path(v)
    except PathError:
        kind = "ReferencePath" if reference else "JSONPath"
        d.schema(f"The value for the field '{key}' must be a valid {kind}", f"{loc}/{key}")
        return _UNSET
    if reference and p.root != "data":
        d.schema(f"The value for the field '{key}' must be a valid ReferencePath", f"{loc}/{key}")
        return _UNSET
    return p


def _template(st: dict[str, Any], key: str, loc: str, d: Diagnostics) -> Template | None:
    if key not in st:
        return None
    try:
        return compile_template(st[key])
    except TemplateError as exc:
        d.schema(str(exc), f"{loc}/{key}")
        return None


def _jsonata_field(st: dict[str, Any], key: str, loc: str, d: Diagnostics) -> Any:
    if key not in st:
        return _UNSET
    try:
        compile_value(st[key], key)
    except JsonataSyntaxError as exc:
        d.schema(f"The JSONata expression in the field '{key}' is invalid: {exc}",
                 f"{loc}/{key}")
    return st[key]


def _assign(st: dict[str, Any], ql: str, loc: str, d: Diagnostics) -> Any:
    if "Assign" not in st:
        return None
    v = st["Assign"]
    if type(v) is not dict:
        d.schema("The value for the field 'Assign' must be an OBJECT", f"{loc}/Assign")
        return None
    for k in v:
        name = k[:-2] if (ql == JSONPATH and k.endswith(".$")) else k
        if not name or not (name[0].isalpha() or name[0] == "_") or not all(
            c.isalnum() or c == "_" for c in name
        ):
            d.schema(f"The variable name '{name}' is invalid", f"{loc}/Assign/{k}")
        if name == "states":
            d.schema("The variable name 'states' is reserved", f"{loc}/Assign/{k}")
    if ql == JSONATA:
        return _jsonata_field(st, "Assign", loc, d)
    return _template(st, "Assign", loc, d)


def _error_names(v: Any, loc: str, d: Diagnostics, last: bool) -> list[str]:
    if type(v) is not list or not v or not all(type(e) is str for e in v):
        d.schema("The value for the field 'ErrorEquals' must be a non-empty array of strings",
                 f"{loc}/ErrorEquals")
        return []
    if "States.ALL" in v:
        if len(v) != 1:
            d.schema('Error "States.ALL" must appear alone in an ErrorEquals array',
                     f"{loc}/ErrorEquals")
        elif not last:
            d.schema('A Retrier or Catcher with "States.ALL" must be the last one',
                     f"{loc}/ErrorEquals")
    return v


def _retry(st: dict[str, Any], loc: str, d: Diagnostics) -> list[Retrier]:
    raw = st.get("Retry")
    if raw is None:
        return []
    if type(raw) is not list:
        d.schema("The value for the field 'Retry' must be an ARRAY", f"{loc}/Retry")
        return []
    out = []
    for i, r in enumerate(raw):
        rl = f"{loc}/Retry[{i}]"
        if type(r) is not dict:
            d.schema("A Retrier must be an OBJECT", rl)
            continue
        for k in r:
            if k not in ("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate",
                         "MaxDelaySeconds", "JitterStrategy", "Comment"):
                d.schema(f'The field "{k}" is not supported by Step Functions', rl)
        if "ErrorEquals" not in r:
            d.schema("These fields are required: [ErrorEquals]", rl)
        errs = _error_names(r.get("ErrorEquals"), rl, d, i == len(raw) - 1)
        interval = r.get("IntervalSeconds", 1)
        if not _is_int(interval) or not 1 <= interval <= MAX_TIMEOUT:
            d.schema("The value for the field 'IntervalSeconds' must be a positive integer",
                     f"{rl}/IntervalSeconds")
            interval = 1
        attempts = r.get("MaxAttempts", 3)
        if not _is_int(attempts) or not 0 <= attempts <= MAX_TIMEOUT:
            d.schema("The value for the field 'MaxAttempts' must be a non-negative integer",
                     f"{rl}/MaxAttempts")
            attempts = 3
        backoff = r.get("BackoffRate", 2.0)
        if not _is_num(backoff) or backoff < 1.0:
            d.schema("The value for the field 'BackoffRate' must be a number greater than or "
                     "equal to 1.0", f"{rl}/BackoffRate")
            backoff = 2.0
        max_delay = r.get("MaxDelaySeconds")
        if max_delay is not None and (not _is_int(max_delay) or not 0 < max_delay < 31622401):
            d.schema("The value for the field 'MaxDelaySeconds' must be a positive integer "
                     "less than 31622401", f"{rl}/MaxDelaySeconds")
            max_delay = None
        jitter = r.get("JitterStrategy", "NONE")
        if jitter not in ("FULL", "NONE"):
            d.schema("The value for the field 'JitterStrategy' must be one of FULL, NONE",
                     f"{rl}/JitterStrategy")
            jitter = "NONE"
        out.append(Retrier(errs, interval, attempts, float(backoff), max_delay, jitter))
    return out


def _catch(st: dict[str, Any], ql: str, loc: str, d: Diagnostics) -> list[Catcher]:
    raw = st.get("Catch")
    if raw is None:
        return []
    if type(raw) is not list:
        d.schema("The value for the field 'Catch' must be an ARRAY", f"{loc}/Catch")
        return []
    out = []
    for i, c in enumerate(raw):
        cl = f"{loc}/Catch[{i}]"
        if type(c) is not dict:
            d.schema("A Catcher must be an OBJECT", cl)
            continue
        allowed = {"ErrorEquals", "Next", "Comment", "Assign"} | (
            {"ResultPath"} if ql == JSONPATH else {"Output"}
        )
        for k in c:
            if k not in allowed:
                d.schema(f'The field "{k}" is not supported by Step Functions', cl)
        missing = [k for k in ("ErrorEquals", "Next") if k not in c]
        if missing:
            d.schema(f"These fields are required: [{', '.join(missing)}]", cl)
        errs = _error_names(c.get("ErrorEquals"), cl, d, i == len(raw) - 1)
        rp = compile_path_field(c, "ResultPath", cl, d, reference=True) if ql == JSONPATH \
            else _UNSET
        output = _jsonata_field(c, "Output", cl, d) if ql == JSONATA else _UNSET
        assign = _assign(c, ql, cl, d)
        nxt = c.get("Next")
        if "Next" in c and type(nxt) is not str:
            d.schema("The value for the field 'Next' must be a STRING", f"{cl}/Next")
        out.append(Catcher(errs, nxt if type(nxt) is str else "", rp, output, assign, i))
    return out


def _positive_int_or_expr(st: dict[str, Any], key: str, ql: str, loc: str, d: Diagnostics,
                          lo: int = 1, hi: int = MAX_TIMEOUT) -> Any:
    if key not in st:
        return None
    v = st[key]
    if ql == JSONATA and is_expr(v):
        return _jsonata_field(st, key, loc, d)
    if not _is_int(v) or not lo <= v <= hi:
        d.schema(f"The value for the field '{key}' must be an integer between {lo} and {hi}",
                 f"{loc}/{key}")
        return None
    return v


def compile_state(name: str, st: Any, scope_ql: str, loc: str, d: Diagnostics,
                  compile_scope: Any, in_distributed: bool = False) -> State | None:
    """Compile one state; ``compile_scope`` compiles nested Branches/ItemProcessor scopes."""
    if type(st) is not dict:
        d.schema("A state must be an OBJECT", loc)
        return None
    if len(name) > 80:
        d.schema("State names must be at most 80 characters long", loc)
    if "Type" not in st:
        d.schema("These fields are required: [Type]", loc)
        return None
    type_ = st["Type"]
    if type_ not in STATE_TYPES:
        d.schema(f"The value for the field 'Type' must be one of {', '.join(STATE_TYPES)}",
                 f"{loc}/Type")
        return None
    ql = st.get("QueryLanguage", scope_ql)
    if ql not in (JSONPATH, JSONATA):
        d.schema("The value for the field 'QueryLanguage' must be one of JSONPath, JSONata",
                 f"{loc}/QueryLanguage")
        ql = scope_ql
    elif scope_ql == JSONATA and ql == JSONPATH:
        d.schema("The QueryLanguage 'JSONPath' cannot be set on a state in a state machine "
                 "whose QueryLanguage is 'JSONata'", f"{loc}/QueryLanguage")
    s = State(name, type_, st, ql, loc)
    allowed = FIELDS[type_]
    for k in st:
        if k not in allowed:
            d.schema(f'The field "{k}" is not supported by Step Functions', loc)
        elif ql == JSONATA and k in _JP_ONLY:
            d.schema(f'The field "{k}" is not supported by Step Functions for the JSONata '
                     "query language", loc)
        elif ql == JSONPATH and k in _JA_ONLY:
            d.schema(f'The field "{k}" is not supported by Step Functions for the JSONPath '
                     "query language", loc)

    # transitions
    if type_ in ("Pass", "Task", "Wait", "Parallel", "Map"):
        has_next, has_end = "Next" in st, "End" in st
        if has_next and has_end:
            d.schema("Only one of Next or End is allowed", loc)
        elif not has_next and not has_end:
            d.schema("These fields are required: [Next or End]", loc)
        if has_next:
            if type(st["Next"]) is not str:
                d.schema("The value for the field 'Next' must be a STRING", f"{loc}/Next")
            else:
                s.next = st["Next"]
        if has_end:
            if st["End"] is not True:
                d.schema("The value for the field 'End' must be true", f"{loc}/End")
            else:
                s.end = True

    # data flow
    if ql == JSONPATH:
        if type_ != "Fail":
            s.input_path = compile_path_field(st, "InputPath", loc, d)
            s.output_path = compile_path_field(st, "OutputPath", loc, d)
        if type_ in ("Pass", "Task", "Parallel", "Map"):
            s.result_path = compile_path_field(st, "ResultPath", loc, d, reference=True)
            s.parameters = _template(st, "Parameters", loc, d)
        if type_ in ("Task", "Parallel", "Map"):
            s.result_selector = _template(st, "ResultSelector", loc, d)
    else:
        s.output = _jsonata_field(st, "Output", loc, d)
        if type_ in ("Task", "Parallel", "Map"):
            s.arguments = _jsonata_field(st, "Arguments", loc, d)
    if type_ not in ("Succeed", "Fail"):
        s.assign = _assign(st, ql, loc, d)
    if type_ in ("Task", "Parallel", "Map"):
        s.retry = _retry(st, loc, d)
        s.catch = _catch(st, ql, loc, d)

    compiler = _TYPE_COMPILERS.get(type_)
    if compiler is not None:
        compiler(s, st, ql, loc, d, compile_scope, in_distributed)
    return s


def _pass(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics, *_: Any) -> None:
    if "Result" in st:
        s.result = st["Result"]
        s.has_result = True


def _task(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics, *_: Any) -> None:
    res = st.get("Resource")
    if "Resource" not in st:
        d.schema("These fields are required: [Resource]", loc)
    elif type(res) is not str or not res.startswith("arn:"):
        d.schema("The value for the field 'Resource' must be a valid ARN", f"{loc}/Resource")
    else:
        s.resource = res
    s.timeout = _positive_int_or_expr(st, "TimeoutSeconds", ql, loc, d)
    s.heartbeat = _positive_int_or_expr(st, "HeartbeatSeconds", ql, loc, d)
    if ql == JSONPATH:
        for key, attr in (("TimeoutSecondsPath", "timeout_path"),
                          ("HeartbeatSecondsPath", "heartbeat_path")):
            p = compile_path_field(st, key, loc, d, nullable=False)
            if p is not _UNSET:
                setattr(s, attr, p)
        if "TimeoutSeconds" in st and "TimeoutSecondsPath" in st:
            d.schema("Only one of TimeoutSeconds or TimeoutSecondsPath is allowed", loc)
        if "HeartbeatSeconds" in st and "HeartbeatSecondsPath" in st:
            d.schema("Only one of HeartbeatSeconds or HeartbeatSecondsPath is allowed", loc)
    if _is_int(s.timeout) and _is_int(s.heartbeat) and s.heartbeat >= s.timeout:
        d.schema("The value for the field 'HeartbeatSeconds' must be smaller than the value "
                 "for the field 'TimeoutSeconds'", f"{loc}/HeartbeatSeconds")
    if "Credentials" in st:
        cred = st["Credentials"]
        if type(cred) is not dict or not ({"RoleArn", "RoleArn.$"} & set(cred)):
            d.schema("These fields are required: [RoleArn]", f"{loc}/Credentials")
        s.credentials = cred


def _choice(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics, *_: Any) -> None:
    choices = st.get("Choices")
    if "Choices" not in st:
        d.schema("These fields are required: [Choices]", loc)
        return
    if type(choices) is not list or not choices:
        d.schema("The value for the field 'Choices' must be a non-empty ARRAY", f"{loc}/Choices")
        return
    for i, rule in enumerate(choices):
        rl = f"{loc}/Choices[{i}]"
        if type(rule) is not dict:
            d.schema("A choice rule must be an OBJECT", rl)
            continue
        if "Next" not in rule:
            d.schema("These fields are required: [Next]", rl)
        nxt = rule.get("Next") if type(rule.get("Next")) is str else ""
        assign = _assign(rule, ql, rl, d)
        if ql == JSONATA:
            for k in rule:
                if k not in ("Condition", "Next", "Comment", "Assign", "Output"):
                    d.schema(f'The field "{k}" is not supported by Step Functions', rl)
            if "Condition" not in rule:
                d.schema("These fields are required: [Condition]", rl)
                continue
            cond = rule["Condition"]
            if type(cond) is not bool and not is_expr(cond):
                d.schema("The value for the field 'Condition' must be a JSONata expression or "
                         "a boolean", f"{rl}/Condition")
                continue
            _jsonata_field(rule, "Condition", rl, d)
            s.choices.append((cond, nxt, assign))
            continue
        body = {k: v for k, v in rule.items() if k not in ("Next", "Assign")}
        try:
            pred = compile_rule(body, False, "")
        except ChoiceRuleError as exc:
            d.error(exc.code, str(exc), rl + exc.location)
            continue
        s.choices.append((pred, nxt, assign))
    if "Default" in st:
        if type(st["Default"]) is not str:
            d.schema("The value for the field 'Default' must be a STRING", f"{loc}/Default")
        else:
            s.default = st["Default"]


def _wait(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics, *_: Any) -> None:
    keys = [k for k in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if k in st]
    if len(keys) != 1:
        d.schema("Exactly one of Seconds, Timestamp, SecondsPath or TimestampPath is required",
                 loc)
        return
    k = keys[0]
    v = st[k]
    if k == "Seconds":
        if ql == JSONATA and is_expr(v):
            s.seconds = _jsonata_field(st, k, loc, d)
        elif not _is_int(v) or not 0 <= v <= MAX_TIMEOUT:
            d.schema(f"The value for the field 'Seconds' must be an integer between 0 and "
                     f"{MAX_TIMEOUT}", f"{loc}/Seconds")
        else:
            s.seconds = v
    elif k == "Timestamp":
        if ql == JSONATA and is_expr(v):
            s.timestamp = _jsonata_field(st, k, loc, d)
        elif parse_timestamp(v) is None:
            d.schema("The value for the field 'Timestamp' must be a valid ISO-8601 timestamp",
                     f"{loc}/Timestamp")
        else:
            s.timestamp = v
    else:
        p = compile_path_field(st, k, loc, d, nullable=False)
        if p is not _UNSET:
            setattr(s, "seconds_path" if k == "SecondsPath" else "timestamp_path", p)


def _fail(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics, *_: Any) -> None:
    for key, path_key in (("Error", "ErrorPath"), ("Cause", "CausePath")):
        if key in st and path_key in st:
            d.schema(f"Only one of {key} or {path_key} is allowed", loc)
        if key in st:
            v = st[key]
            if type(v) is not str:
                d.schema(f"The value for the field '{key}' must be a STRING", f"{loc}/{key}")
            elif ql == JSONATA:
                _jsonata_field(st, key, loc, d)
            setattr(s, key.lower(), v)
        if path_key in st and ql == JSONPATH:
            p = compile_path_field(st, path_key, loc, d, nullable=False, intrinsic=True)
            if p is not _UNSET:
                setattr(s, "error_path" if key == "Error" else "cause_path", p)


def _parallel(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics,
              compile_scope: Any, in_distributed: bool) -> None:
    branches = st.get("Branches")
    if "Branches" not in st:
        d.schema("These fields are required: [Branches]", loc)
        return
    if type(branches) is not list or not branches:
        d.schema("The value for the field 'Branches' must be a non-empty ARRAY",
                 f"{loc}/Branches")
        return
    for i, b in enumerate(branches):
        scope = compile_scope(b, ql, f"{loc}/Branches[{i}]", in_distributed)
        s.branches.append(scope)


def _map(s: State, st: dict[str, Any], ql: str, loc: str, d: Diagnostics,
         compile_scope: Any, in_distributed: bool) -> None:
    if "ItemProcessor" in st and "Iterator" in st:
        d.schema("Only one of ItemProcessor or Iterator is allowed", loc)
    key = "ItemProcessor" if "ItemProcessor" in st else "Iterator"
    if key not in st:
        d.schema("These fields are required: [ItemProcessor]", loc)
        return
    proc = st[key]
    if type(proc) is not dict:
        d.schema(f"The value for the field '{key}' must be an OBJECT", f"{loc}/{key}")
        return
    config = proc.get("ProcessorConfig") or {}
    if type(config) is not dict:
        d.schema("The value for the field 'ProcessorConfig' must be an OBJECT",
                 f"{loc}/{key}/ProcessorConfig")
        config = {}
    mode = config.get("Mode", "INLINE")
    if mode not in ("INLINE", "DISTRIBUTED"):
        d.schema("The value for the field 'Mode' must be one of INLINE, DISTRIBUTED",
                 f"{loc}/{key}/ProcessorConfig/Mode")
    s.distributed = mode == "DISTRIBUTED"
    if s.distributed:
        et = config.get("ExecutionType")
        if et not in ("STANDARD", "EXPRESS"):
            d.schema("The value for the field 'ExecutionType' must be one of STANDARD, EXPRESS",
                     f"{loc}/{key}/ProcessorConfig/ExecutionType")
        else:
            s.execution_type = et
    body = {k: v for k, v in proc.items() if k != "ProcessorConfig"}
    s.processor = compile_scope(body, ql, f"{loc}/{key}", in_distributed or s.distributed)
    if ql == JSONPATH:
        s.items_path = compile_path_field(st, "ItemsPath", loc, d, reference=False)
        if "ItemSelector" in st and "Parameters" in st:
            d.schema("Only one of ItemSelector or Parameters is allowed", loc)
        s.item_selector = _template(st, "ItemSelector", loc, d) or s.parameters
        s.parameters = None
        p = compile_path_field(st, "MaxConcurrencyPath", loc, d, nullable=False)
        if p is not _UNSET:
            s.max_concurrency_path = p
        for k2, attr in (("ToleratedFailurePercentagePath", "tolerated_pct_path"),
                         ("ToleratedFailureCountPath", "tolerated_count_path")):
            p = compile_path_field(st, k2, loc, d, nullable=False)
            if p is not _UNSET:
                setattr(s, attr, p)
    else:
        s.items = _jsonata_field(st, "Items", loc, d)
        s.item_selector = _jsonata_field(st, "ItemSelector", loc, d)
        if s.item_selector is _UNSET:
            s.item_selector = None
    if "MaxConcurrency" in st:
        v = st["MaxConcurrency"]
        if ql == JSONATA and is_expr(v):
            s.max_concurrency = _jsonata_field(st, "MaxConcurrency", loc, d)
        elif not _is_int(v) or v < 0:
            d.schema("The value for the field 'MaxConcurrency' must be a non-negative integer",
                     f"{loc}/MaxConcurrency")
        else:
            s.max_concurrency = v
    if "ToleratedFailurePercentage" in st:
        v = st["ToleratedFailurePercentage"]
        if not (ql == JSONATA and is_expr(v)) and (not _is_num(v) or not 0 <= v <= 100):
            d.schema("The value for the field 'ToleratedFailurePercentage' must be a number "
                     "between 0 and 100", f"{loc}/ToleratedFailurePercentage")
        else:
            s.tolerated_pct = v
    if "ToleratedFailureCount" in st:
        v = st["ToleratedFailureCount"]
        if not (ql == JSONATA and is_expr(v)) and (not _is_int(v) or v < 0):
            d.schema("The value for the field 'ToleratedFailureCount' must be a non-negative "
                     "integer", f"{loc}/ToleratedFailureCount")
        else:
            s.tolerated_count = v
    for k2, attr in (("ItemReader", "item_reader"), ("ItemBatcher", "item_batcher"),
                     ("ResultWriter", "result_writer")):
        if k2 in st:
            if not s.distributed:
                d.schema(f'The field "{k2}" is only supported in DISTRIBUTED mode', loc)
            if type(st[k2]) is not dict:
                d.schema(f"The value for the field '{k2}' must be an OBJECT", f"{loc}/{k2}")
            setattr(s, attr, st[k2])
    for k2 in ("ToleratedFailurePercentage", "ToleratedFailureCount", "Label"):
        if k2 in st and not s.distributed:
            d.schema(f'The field "{k2}" is only supported in DISTRIBUTED mode', loc)
    if "Label" in st:
        s.label = st["Label"]


_TYPE_COMPILERS = {
    "Pass": _pass, "Task": _task, "Choice": _choice, "Wait": _wait, "Fail": _fail,
    "Parallel": _parallel, "Map": _map,
}

__all__ = ["State", "Retrier", "Catcher", "compile_state", "UNSET", "JSONPATH", "JSONATA",
           "Path", "Call"]
