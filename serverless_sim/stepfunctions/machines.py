"""State machines: CreateStateMachine, UpdateStateMachine, DescribeStateMachine,
ListStateMachines, DeleteStateMachine, DescribeStateMachineForExecution,
ValidateStateMachineDefinition, and tags.

Rules (API reference of each action):
- names are 1-80 characters without whitespace, ``< > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /``
  or control characters (InvalidName);
- CreateStateMachine is idempotent for the same name, definition, role and type; otherwise an
  existing name is StateMachineAlreadyExists;
- a definition is validated as :mod:`.asl.definition` describes (InvalidDefinition);
- DeleteStateMachine marks the machine DELETING; it disappears once its running executions end.
"""

from __future__ import annotations

import base64
from typing import Any

import attrs

from ..kernel.clock import us_to_datetime
from .asl.definition import Machine, parse_definition
from .errors import (
    ConflictException,
    InvalidArn,
    InvalidDefinition,
    InvalidName,
    InvalidToken,
    MissingRequiredParameter,
    ResourceNotFound,
    StateMachineAlreadyExists,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    TooManyTags,
    ValidationException,
)
from ..kernel.service import operation

_BAD_NAME_CHARS = set(' \t\n\r<>{}[]?*"#%\\^|~`$&,;:/')


def check_name(name: Any, what: str = "name") -> str:
    if type(name) is not str or not 1 <= len(name) <= 80 or any(
        c in _BAD_NAME_CHARS or ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in name
    ):
        raise InvalidName(f"Invalid Name: '{name}'")
    return name


def check_role_arn(role: Any) -> str:
    if type(role) is not str or not role.startswith("arn:") or len(role.split(":")) < 6:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {role}'")
    return role


def require(request: dict[str, Any], *keys: str) -> None:
    for k in keys:
        if request.get(k) is None:
            raise ValidationException(
                f"1 validation error detected: Value null at '{k}' failed to satisfy "
                "constraint: Member must not be null"
            )


def encode_token(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def decode_token(token: Any, kind: str) -> int:
    try:
        k, _, off = base64.b64decode(str(token).encode(), validate=True).decode().rpartition(":")
        if k != kind:
            raise ValueError(k)
        return int(off)
    except ValueError:
        raise InvalidToken(f"Invalid Token: '{token}'") from None


def page(items: list[Any], request: dict[str, Any], kind: str) -> tuple[list[Any], str | None]:
    mx = request.get("maxResults") or 100
    if type(mx) is not int or not 0 <= mx <= 1000:
        raise ValidationException(
            f"1 validation error detected: Value '{mx}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000"
        )
    start = decode_token(request["nextToken"], kind) if request.get("nextToken") else 0
    chunk = items[start:start + mx]
    nxt = encode_token(kind, start + mx) if start + mx < len(items) else None
    return chunk, nxt


@attrs.define
class StateMachine:
    """A state machine (engine record)."""

    arn: str
    name: str
    definition: str
    compiled: Machine
    role_arn: str
    type: str
    created_us: int
    updated_us: int
    revision_id: str
    logging_configuration: dict[str, Any] = attrs.field(factory=dict)
    tracing_configuration: dict[str, Any] = attrs.field(factory=lambda: {"enabled": False})
    status: str = "ACTIVE"
    description: str | None = None


class MachineOps:
    """State machine control plane."""

    def _machine(self, arn: Any, *, allow_deleting: bool = True) -> StateMachine:
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        sm = self.machines.get(arn.split("#", 1)[0])  # type: ignore[attr-defined]
        if sm is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        if not allow_deleting and sm.status == "DELETING":
            raise StateMachineDeleting(f"State machine is being deleted: '{arn}'")
        return sm

    def _compile(self, definition: Any, sm_type: str) -> Machine:
        machine, diags = parse_definition(definition, sm_type)
        if machine is None:
            raise InvalidDefinition(diags.invalid_definition_message())
        return machine

    @staticmethod
    def _logging(request: dict[str, Any]) -> dict[str, Any]:
        cfg = request.get("loggingConfiguration")
        if cfg is None:
            return {"level": "OFF", "includeExecutionData": False}
        out = {"level": cfg.get("level", "OFF"),
               "includeExecutionData": cfg.get("includeExecutionData", False)}
        if cfg.get("destinations"):
            out["destinations"] = cfg["destinations"]
        if out["level"] not in ("ALL", "ERROR", "FATAL", "OFF"):
            raise ValidationException(
                f"1 validation error detected: Value '{out['level']}' at "
                "'loggingConfiguration.level' failed to satisfy constraint: Member must "
                "satisfy enum value set: [ALL, ERROR, FATAL, OFF]"
            )
        return out

    @operation("CreateStateMachine")
    def create_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "name", "definition", "roleArn")
        name = check_name(request["name"])
        role = check_role_arn(request["roleArn"])
        sm_type = request.get("type", "STANDARD")
        if sm_type not in ("STANDARD", "EXPRESS"):
            raise ValidationException(
                f"1 validation error detected: Value '{sm_type}' at 'type' failed to satisfy "
                "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
            )
        compiled = self._compile(request["definition"], sm_type)
        logging_cfg = self._logging(request)
        arn = self.arn("stateMachine", name)  # type: ignore[attr-defined]
        existing = self.machines.get(arn)  # type: ignore[attr-defined]
        if existing is not None:
            if existing.status == "DELETING":
                raise StateMachineDeleting(f"State machine is being deleted: '{arn}'")
            if (existing.definition == request["definition"] and existing.role_arn == role
                    and existing.type == sm_type):
                return {"stateMachineArn": arn,
                        "creationDate": us_to_datetime(existing.created_us)}
            raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
        tags = request.get("tags") or []
        if len(tags) > 50:
            raise TooManyTags("Too many tags", resourceName=arn)
        now = self.cloud.clock.now_us  # type: ignore[attr-defined]
        sm = StateMachine(arn, name, request["definition"], compiled, role, sm_type, now, now,
                          self._new_id("revisions"), logging_cfg,  # type: ignore[attr-defined]
                          dict(request.get("tracingConfiguration") or {"enabled": False}))
        self.machines[arn] = sm  # type: ignore[attr-defined]
        if tags:
            self.tags[arn] = {t["key"]: t.get("value", "") for t in tags}  # type: ignore[attr-defined]
        self.cloud.trace.record("stepfunctions", "state_machine_created",  # type: ignore[attr-defined]
                                arn=arn, type=sm_type)
        return {"stateMachineArn": arn, "creationDate": us_to_datetime(now)}

    @operation("UpdateStateMachine")
    def update_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "stateMachineArn")
        sm = self._machine(request["stateMachineArn"], allow_deleting=False)
        if not any(k in request for k in ("definition", "roleArn", "loggingConfiguration",
                                          "tracingConfiguration")):
            raise MissingRequiredParameter(
                "Either the definition, the roleArn, the LoggingConfiguration or the "
                "TracingConfiguration must be specified"
            )
        compiled = self._compile(request["definition"], sm.type) if "definition" in request \
            else None
        role = check_role_arn(request["roleArn"]) if "roleArn" in request else None
        logging_cfg = self._logging(request) if "loggingConfiguration" in request else None
        if compiled is not None:
            sm.definition = request["definition"]
            sm.compiled = compiled
        if role is not None:
            sm.role_arn = role
        if logging_cfg is not None:
            sm.logging_configuration = logging_cfg
        if "tracingConfiguration" in request:
            sm.tracing_configuration = dict(request["tracingConfiguration"])
        sm.updated_us = self.cloud.clock.now_us  # type: ignore[attr-defined]
        sm.revision_id = self._new_id("revisions")  # type: ignore[attr-defined]
        return {"updateDate": us_to_datetime(sm.updated_us), "revisionId": sm.revision_id}

    def _describe_machine(self, sm: StateMachine) -> dict[str, Any]:
        return {
            "stateMachineArn": sm.arn,
            "name": sm.name,
            "status": sm.status,
            "definition": sm.definition,
            "roleArn": sm.role_arn,
            "type": sm.type,
            "creationDate": us_to_datetime(sm.created_us),
            "loggingConfiguration": dict(sm.logging_configuration),
            "tracingConfiguration": dict(sm.tracing_configuration),
            "revisionId": sm.revision_id,
        }

    @operation("DescribeStateMachine")
    def describe_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "stateMachineArn")
        return self._describe_machine(self._machine(request["stateMachineArn"]))

    @operation("DescribeStateMachineForExecution")
    def describe_state_machine_for_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "executionArn")
        ex = self._execution(request["executionArn"])  # type: ignore[attr-defined]
        sm = self.machines.get(ex.machine_arn)  # type: ignore[attr-defined]
        out = {"stateMachineArn": ex.machine_arn, "name": ex.machine_name,
               "definition": ex.definition_text, "roleArn": ex.role_arn,
               "updateDate": us_to_datetime(sm.updated_us if sm else ex.start_us)}
        if sm is not None:
            out["loggingConfiguration"] = dict(sm.logging_configuration)
            out["tracingConfiguration"] = dict(sm.tracing_configuration)
            out["revisionId"] = sm.revision_id
        if ex.map_run_arn is not None:
            run = self.map_runs.get(ex.map_run_arn)  # type: ignore[attr-defined]
            out["mapRunArn"] = ex.map_run_arn
            if run is not None:
                out["label"] = run.label
        return out

    @operation("ListStateMachines")
    def list_state_machines(self, request: dict[str, Any]) -> dict[str, Any]:
        items = sorted(self.machines.values(), key=lambda m: m.name)  # type: ignore[attr-defined]
        chunk, nxt = page(items, request, "sm")
        out: dict[str, Any] = {"stateMachines": [
            {"stateMachineArn": m.arn, "name": m.name, "type": m.type,
             "creationDate": us_to_datetime(m.created_us)} for m in chunk
        ]}
        if nxt:
            out["nextToken"] = nxt
        return out

    @operation("DeleteStateMachine")
    def delete_state_machine(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "stateMachineArn")
        arn = request["stateMachineArn"]
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        sm = self.machines.get(arn)  # type: ignore[attr-defined]
        if sm is None:
            return {}
        sm.status = "DELETING"
        if not any(e.status == "RUNNING" and e.machine_arn == arn
                   for e in self.executions.values()):  # type: ignore[attr-defined]
            self._remove_machine(sm)
        return {}

    def _remove_machine(self, sm: StateMachine) -> None:
        self.machines.pop(sm.arn, None)  # type: ignore[attr-defined]
        self.tags.pop(sm.arn, None)  # type: ignore[attr-defined]

    @operation("ValidateStateMachineDefinition")
    def validate_state_machine_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "definition")
        sm_type = request.get("type", "STANDARD")
        if sm_type not in ("STANDARD", "EXPRESS"):
            raise ValidationException(
                f"1 validation error detected: Value '{sm_type}' at 'type' failed to satisfy "
                "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"
            )
        severity = request.get("severity", "ERROR")
        mx = request.get("maxResults") or 100
        _, diags = parse_definition(request["definition"], sm_type)
        items = [d for d in diags.items if severity == "WARNING" or d.severity == "ERROR"]
        result = "FAIL" if diags.errors else "OK"
        return {"result": result, "diagnostics": [d.to_wire() for d in items[:mx]],
                "truncated": len(items) > mx}

    # -- tags -------------------------------------------------------------------------------
    def _taggable(self, arn: Any) -> str:
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        if arn not in self.machines and arn not in self.activities:  # type: ignore[attr-defined]
            raise ResourceNotFound(f"Resource not found: '{arn}'", resourceName=arn)
        return arn

    @operation("TagResource")
    def tag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "resourceArn", "tags")
        arn = self._taggable(request["resourceArn"])
        tags = self.tags.setdefault(arn, {})  # type: ignore[attr-defined]
        new = {t["key"]: t.get("value", "") for t in request["tags"]}
        if len({**tags, **new}) > 50:
            raise TooManyTags("Too many tags", resourceName=arn)
        tags.update(new)
        return {}

    @operation("UntagResource")
    def untag_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "resourceArn", "tagKeys")
        arn = self._taggable(request["resourceArn"])
        tags = self.tags.get(arn, {})  # type: ignore[attr-defined]
        for k in request["tagKeys"]:
            tags.pop(k, None)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "resourceArn")
        arn = self._taggable(request["resourceArn"])
        tags = self.tags.get(arn, {})  # type: ignore[attr-defined]
        return {"tags": [{"key": k, "value": v} for k, v in tags.items()]}


__all__ = ["MachineOps", "StateMachine", "ConflictException"]
