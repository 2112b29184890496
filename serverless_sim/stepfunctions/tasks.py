"""Activities and task tokens: CreateActivity, DescribeActivity, DeleteActivity, ListActivities,
GetActivityTask, SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

A task token is issued for each ``.waitForTaskToken`` task and each activity task
(``$$.Task.Token``). SendTaskSuccess's ``output`` must be JSON (InvalidOutput). A token that was
issued but whose task has ended (completed, timed out, aborted) answers TaskTimedOut; a token
never issued answers InvalidToken.

Deviation: GetActivityTask does not long-poll (AWS waits up to 60 s); with no task scheduled it
returns at once without ``taskToken``, as AWS does when its poll times out.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import attrs

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .errors import (
    ActivityDoesNotExist,
    InvalidArn,
    InvalidOutput,
    InvalidToken,
    StatesError,
    TaskTimedOut,
)
from .machines import check_name, page, require


@attrs.define
class Activity:
    arn: str
    name: str
    created_us: int
    #: Scheduled activity tasks not yet handed to a worker: (token, input, frame).
    pending: deque[tuple[str, Any, Any]] = attrs.field(factory=deque)


class TaskOps:
    """Activities and task tokens."""

    @operation("CreateActivity")
    def create_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "name")
        name = check_name(request["name"])
        arn = self.arn("activity", name)  # type: ignore[attr-defined]
        act = self.activities.get(arn)  # type: ignore[attr-defined]
        if act is None:
            act = self.activities[arn] = Activity(arn, name, self.cloud.clock.now_us)  # type: ignore[attr-defined]
            if request.get("tags"):
                self.tags[arn] = {t["key"]: t.get("value", "") for t in request["tags"]}  # type: ignore[attr-defined]
        return {"activityArn": arn, "creationDate": us_to_datetime(act.created_us)}

    def _activity(self, arn: Any) -> Activity:
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        act = self.activities.get(arn)  # type: ignore[attr-defined]
        if act is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return act

    @operation("DescribeActivity")
    def describe_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "activityArn")
        act = self._activity(request["activityArn"])
        return {"activityArn": act.arn, "name": act.name,
                "creationDate": us_to_datetime(act.created_us)}

    @operation("DeleteActivity")
    def delete_activity(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "activityArn")
        arn = request["activityArn"]
        if type(arn) is not str or not arn.startswith("arn:"):
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        self.activities.pop(arn, None)  # type: ignore[attr-defined]
        return {}

    @operation("ListActivities")
    def list_activities(self, request: dict[str, Any]) -> dict[str, Any]:
        items = sorted(self.activities.values(), key=lambda a: a.name)  # type: ignore[attr-defined]
        chunk, nxt = page(items, request, "activities")
        out: dict[str, Any] = {"activities": [
            {"activityArn": a.arn, "name": a.name, "creationDate": us_to_datetime(a.created_us)}
            for a in chunk
        ]}
        if nxt:
            out["nextToken"] = nxt
        return out

    def _enqueue_activity(self, arn: str, token: str, args: Any, frame: Any) -> None:
        act = self.activities.get(arn)  # type: ignore[attr-defined]
        if act is None:
            self.integrations.failed(  # type: ignore[attr-defined]
                frame, frame.attempt,
                StatesError("States.Runtime", f"Activity Does Not Exist: '{arn}'"),
            )
            return
        frame.task.activity = arn
        act.pending.append((token, args, frame))

    def _forget_activity_token(self, token: str) -> None:
        for act in self.activities.values():  # type: ignore[attr-defined]
            if any(t == token for t, _, _ in act.pending):
                act.pending = deque(e for e in act.pending if e[0] != token)

    @operation("GetActivityTask")
    def get_activity_task(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "activityArn")
        act = self._activity(request["activityArn"])
        while act.pending:
            token, args, frame = act.pending.popleft()
            if token not in self.tokens:  # type: ignore[attr-defined]
                continue
            details = {"workerName": request["workerName"]} if request.get("workerName") else None
            frame.last_id = frame.ex.event("ActivityStarted", frame.last_id, details)
            return {"taskToken": token, "input": json.dumps(args, separators=(",", ":"))}
        return {}

    def _live_token(self, token: Any) -> tuple[Any, int]:
        if type(token) is not str or not 1 <= len(token) <= 2048:
            raise InvalidToken("Invalid Token: 'Invalid token'")
        live = self.tokens.get(token)  # type: ignore[attr-defined]
        if live is None:
            if token in self.issued_tokens:  # type: ignore[attr-defined]
                raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
            raise InvalidToken("Invalid Token: 'Invalid token'")
        return live

    @operation("SendTaskSuccess")
    def send_task_success(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "taskToken", "output")
        frame, attempt = self._live_token(request["taskToken"])
        text = request["output"]
        try:
            value = json.loads(text) if type(text) is str else None
            if type(text) is not str:
                raise ValueError("output must be a string")
        except ValueError as exc:
            raise InvalidOutput(f"Invalid Output: '{exc}'") from None
        if len(text.encode()) > 262_144:
            raise InvalidOutput("Invalid Output: 'The output exceeds 262144 bytes'")
        self.integrations.succeeded(frame, attempt, value)  # type: ignore[attr-defined]
        return {}

    @operation("SendTaskFailure")
    def send_task_failure(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "taskToken")
        frame, attempt = self._live_token(request["taskToken"])
        err = StatesError(request.get("error") or "", request.get("cause") or "")
        self.integrations.failed(frame, attempt, err)  # type: ignore[attr-defined]
        return {}

    @operation("SendTaskHeartbeat")
    def send_task_heartbeat(self, request: dict[str, Any]) -> dict[str, Any]:
        require(request, "taskToken")
        frame, attempt = self._live_token(request["taskToken"])
        self.integrations.heartbeat(frame, attempt)  # type: ignore[attr-defined]
        return {}


__all__ = ["Activity", "TaskOps", "page"]
