"""What a target receives: the event, ``Input``, ``InputPath`` or an ``InputTransformer``.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html,
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html):

- no input setting: the whole event, as JSON;
- ``Input``: that JSON text, as is;
- ``InputPath``: the part of the event a JSONPath selects (``$``, ``.name``, ``['name']``,
  ``[index]``);
- ``InputTransformer``: ``InputPathsMap`` (up to 100 variables, each a JSONPath) and an
  ``InputTemplate`` in which ``<variable>`` is replaced. Outside a JSON string the value goes in
  as JSON (``"RUNNING"``, ``5``, ``{...}``); inside a string (``"state is <state>"``) it goes in
  as string content (a string without its quotes, anything else as escaped JSON). Predefined
  variables: ``<aws.events.rule-arn>``, ``<aws.events.rule-name>``,
  ``<aws.events.event.ingestion-time>``, ``<aws.events.event>`` (the event without ``detail``)
  and ``<aws.events.event.json>`` (the whole event). ``<...>`` text that names no variable is
  left alone.

Deviation: a path that selects nothing gives ``null`` outside strings and an empty string inside.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import ValidationException

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_VAR = re.compile(r"<([^<>\s]+)>")
_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
MISSING: Any = object()
PREDEFINED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)


def parse_path(path: Any, where: str) -> tuple[Any, ...]:
    """A JSONPath as a tuple of keys and indexes; raises ValidationException when unsupported."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise ValidationException(f"{where} is not valid: {path!r} is not a valid JSONPath.")
    steps: list[Any] = []
    pos = 1
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            raise ValidationException(f"{where} is not valid: {path!r} is not a valid JSONPath.")
        name, index, q1, q2 = m.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(name if name is not None else (q1 if q1 is not None else q2))
        pos = m.end()
    return tuple(steps)


def select(value: Any, steps: tuple[Any, ...]) -> Any:
    for step in steps:
        if isinstance(step, int):
            if isinstance(value, list) and -len(value) <= step < len(value):
                value = value[step]
            else:
                return MISSING
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return MISSING
    return value


def validate_transformer(spec: Any) -> None:
    if not isinstance(spec, dict) or not isinstance(spec.get("InputTemplate"), str):
        raise ValidationException("InputTransformer must have an InputTemplate.")
    paths = spec.get("InputPathsMap") or {}
    if not isinstance(paths, dict):
        raise ValidationException("InputPathsMap must be a map of strings.")
    if len(paths) > 100:
        raise ValidationException(
            "1 validation error detected: Value at 'inputPathsMap' failed to satisfy constraint: "
            "Member must have length less than or equal to 100"
        )
    for key, path in paths.items():
        if not _KEY.match(key):
            raise ValidationException(
                f"InputTransformer is not valid: key {key!r} must match [A-Za-z0-9_-]+."
            )
        if key.startswith("aws.events."):
            raise ValidationException(f"InputTransformer is not valid: {key!r} is reserved.")
        parse_path(path, "InputPathsMap")


def validate_input(target: dict[str, Any]) -> None:
    given = [k for k in ("Input", "InputPath", "InputTransformer") if target.get(k) is not None]
    if len(given) > 1:
        raise ValidationException(
            "Only one of Input, InputPath, or InputTransformer must be provided."
        )
    if "Input" in given:
        try:
            json.loads(target["Input"])
        except (TypeError, ValueError):
            raise ValidationException("Input is not a valid JSON text.") from None
    if "InputPath" in given:
        parse_path(target["InputPath"], "InputPath")
    if "InputTransformer" in given:
        validate_transformer(target["InputTransformer"])


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def render_template(template: str, values: dict[str, Any], raw: dict[str, str]) -> str:
    """Substitute ``<name>`` in ``template``: ``values`` are JSON values, ``raw`` inserted as is."""
    out: list[str] = []
    in_string = False
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        if c == "<":
            m = _VAR.match(template, i)
            if m is not None and (m.group(1) in values or m.group(1) in raw):
                name = m.group(1)
                if name in raw:
                    out.append(raw[name])
                else:
                    v = values[name]
                    if in_string:
                        if v is MISSING:
                            pass
                        elif isinstance(v, str):
                            out.append(_dumps(v)[1:-1])
                        else:
                            out.append(_dumps(_dumps(v))[1:-1])
                    else:
                        out.append("null" if v is MISSING else _dumps(v))
                i = m.end()
                continue
        if c == "\\" and in_string and i + 1 < n:
            out.append(template[i : i + 2])
            i += 2
            continue
        if c == '"':
            in_string = not in_string
        out.append(c)
        i += 1
    return "".join(out)


def target_input(
    target: dict[str, Any], event: dict[str, Any], *, rule_arn: str, rule_name: str,
    event_json: str | None = None,
) -> str:
    """The text a target receives for ``event``."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath") is not None:
        value = select(event, parse_path(target["InputPath"], "InputPath"))
        return "null" if value is MISSING else _dumps(value)
    spec = target.get("InputTransformer")
    if spec is not None:
        values = {
            key: select(event, parse_path(path, "InputPathsMap"))
            for key, path in (spec.get("InputPathsMap") or {}).items()
        }
        values["aws.events.rule-arn"] = rule_arn
        values["aws.events.rule-name"] = rule_name
        values["aws.events.event.ingestion-time"] = event.get("time", "")
        without_detail = {k: v for k, v in event.items() if k != "detail"}
        raw = {
            "aws.events.event": _dumps(without_detail),
            "aws.events.event.json": event_json if event_json is not None else _dumps(event),
        }
        return render_template(spec["InputTemplate"], values, raw)
    return event_json if event_json is not None else _dumps(event)
