"""Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

Model (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html):
the source must be the dead-letter queue of some queue; messages go to DestinationArn, or back
to the queue each came from (its DeadLetterQueueSourceArn); one active task per source queue;
MaxNumberOfMessagesPerSecond at most 500. The task moves, once per virtual second, up to its
rate of the messages that were visible when it started (ApproximateNumberOfMessagesToMove),
oldest first, then completes. Without a rate AWS "optimises" it; here that is 500 per second.
A moved message keeps its id, body, attributes and SentTimestamp; its receive count restarts.
A message whose destination no longer exists fails the task (FAILED, FailureReason).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import operation
from . import limits as L
from .errors import (
    InvalidParameterValue,
    MissingParameter,
    ResourceNotFoundException,
    UnsupportedOperation,
    invalid_value,
)
from .messages import VISIBLE

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .queue import Queue


@attrs.define(eq=False)
class MoveTask:
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started_us: int
    to_move: int
    moved: int = 0
    status: str = "RUNNING"
    failure: str | None = None
    timer: Any = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.status == "RUNNING":
            out["TaskHandle"] = self.handle
        out["Status"] = self.status
        out["SourceArn"] = self.source_arn
        if self.destination_arn is not None:
            out["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            out["MaxNumberOfMessagesPerSecond"] = self.rate
        out["ApproximateNumberOfMessagesMoved"] = self.moved
        out["ApproximateNumberOfMessagesToMove"] = self.to_move
        if self.failure is not None:
            out["FailureReason"] = self.failure
        out["StartedTimestamp"] = self.started_us // 1000
        return out


class MoveTaskOps:
    """Mixin of :class:`~.service.SQS`."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _by_arn: dict[str, Queue]
        _move_by_handle: dict[str, MoveTask]
        _move_tasks: dict[str, list[MoveTask]]
        cloud: Cloud
        queues: dict[str, Queue]

    def _source_queue(self, arn: Any, param: str = "SourceArn") -> "Queue":
        q = self._by_arn.get(arn) if isinstance(arn, str) else None
        if q is None:
            raise ResourceNotFoundException(
                f"The resource that you specified for the {param} parameter doesn't exist."
            )
        return q

    @operation("StartMessageMoveTask")
    def _start_message_move_task(self, req: dict[str, Any]) -> dict[str, Any]:
        if "SourceArn" not in req:
            raise MissingParameter("The request must contain the parameter SourceArn.")
        src = self._source_queue(req["SourceArn"])
        if not any(q.redrive_arn == src.arn for q in self.queues.values()):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        dest_arn = req.get("DestinationArn")
        if dest_arn is not None:
            self._source_queue(dest_arn, "DestinationArn")
        rate = req.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and (type(rate) is not int or not 1 <= rate <= L.MOVE_RATE_MAX):
            raise invalid_value("MaxNumberOfMessagesPerSecond", rate,
                                f"Must be between 1 and {L.MOVE_RATE_MAX}.")
        tasks = self._move_tasks.setdefault(src.arn, [])
        if tasks and tasks[-1].status == "RUNNING":
            raise UnsupportedOperation(
                "There is already a task running. Only one active task is allowed for each "
                "source queue arn at a given time."
            )
        visible, _, _ = src.counts()
        task = MoveTask(self.cloud.streams.hex_id("sqs/move-tasks", 24), src.arn, dest_arn, rate,
                        self.cloud.now_us, visible)
        tasks.append(task)
        self._move_by_handle[task.handle] = task
        self.cloud.trace.record("sqs", "move_task_started", source=src.name, to_move=visible)
        task.timer = self.cloud.scheduler.call_later_us(0, self._move_tick, task)
        return {"TaskHandle": task.handle}

    def _move_tick(self, task: MoveTask) -> None:
        task.timer = None
        if task.status != "RUNNING":
            return
        src = self._by_arn.get(task.source_arn)
        if src is None:
            task.status, task.failure = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
            return
        budget = min(task.rate or L.MOVE_RATE_MAX, task.to_move - task.moved)
        src.counts()
        picked = [m for m in src._by_seq.values() if m.state == VISIBLE][:budget]
        for m in picked:
            dest_arn = task.destination_arn or m.dlq_source_arn
            dest = self._by_arn.get(dest_arn) if dest_arn else None
            if dest is None:
                task.status = "FAILED"
                task.failure = "AWS.SimpleQueueService.NonExistentQueue"
                self.cloud.trace.record("sqs", "move_task_failed", source=src.name)
                return
            src._remove(m)
            m.receive_count = 0
            m.first_receive_us = 0
            dest._accept_moved(m, None)  # type: ignore[arg-type]
            task.moved += 1
        if task.moved >= task.to_move or not picked:
            task.status = "COMPLETED"
            self.cloud.trace.record("sqs", "move_task_completed", source=src.name, moved=task.moved)
            return
        task.timer = self.cloud.scheduler.call_later_us(L.US, self._move_tick, task)

    @operation("ListMessageMoveTasks")
    def _list_message_move_tasks(self, req: dict[str, Any]) -> dict[str, Any]:
        if "SourceArn" not in req:
            raise MissingParameter("The request must contain the parameter SourceArn.")
        src = self._source_queue(req["SourceArn"])
        n = req.get("MaxResults", 1)
        if type(n) is not int or not 1 <= n <= L.MOVE_TASKS_LIST_MAX:
            raise invalid_value("MaxResults", n, f"Must be between 1 and {L.MOVE_TASKS_LIST_MAX}.")
        tasks = self._move_tasks.get(src.arn, [])
        return {"Results": [t.to_wire() for t in reversed(tasks[-n:])]}

    @operation("CancelMessageMoveTask")
    def _cancel_message_move_task(self, req: dict[str, Any]) -> dict[str, Any]:
        task = self._move_by_handle.get(req.get("TaskHandle"))  # type: ignore[arg-type]
        if task is None or task.status != "RUNNING":
            raise ResourceNotFoundException("Task does not exist.")
        task.status = "CANCELLED"
        if task.timer is not None:
            self.cloud.scheduler.cancel(task.timer)
            task.timer = None
        return {"ApproximateNumberOfMessagesMoved": task.moved}
