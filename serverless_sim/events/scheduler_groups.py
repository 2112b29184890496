"""EventBridge Scheduler schedule groups: CreateScheduleGroup, GetScheduleGroup,
ListScheduleGroups, DeleteScheduleGroup.

Modelled (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html):
every account has the group ``default``, which cannot be deleted; names are 1-64 of
``[0-9a-zA-Z-_.]``; deleting a group deletes its schedules (AWS does it asynchronously, in state
DELETING; we do it at once).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import operation
from .common import check_name, dt, paginate
from .errors import (
    ConflictException,
    SchedulerResourceNotFoundException,
    SchedulerValidationException,
)

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .scheduler import Schedule

NAME = re.compile(r"^[0-9a-zA-Z\-_.]{1,64}$")


@attrs.define(eq=False)
class ScheduleGroup:
    name: str
    arn: str
    created_us: int
    tags: dict[str, str] = attrs.field(factory=dict)

    def describe(self) -> dict[str, Any]:
        return {"Arn": self.arn, "CreationDate": dt(self.created_us),
                "LastModificationDate": dt(self.created_us), "Name": self.name,
                "State": "ACTIVE"}


class ScheduleGroupOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        groups: dict[str, ScheduleGroup]
        schedules: dict[tuple[str, str], Schedule]
        def _drop_schedule(self, schedule: Schedule) -> None: ...

    def _make_group(self, name: str) -> ScheduleGroup:
        return ScheduleGroup(name, self.cloud.arn("scheduler", f"schedule-group/{name}"),
                             self.cloud.now_us)

    def get_group(self, name: Any) -> ScheduleGroup:
        group = self.groups.get("default" if name is None else name)
        if group is None:
            raise SchedulerResourceNotFoundException(f"Schedule group {name} does not exist.")
        return group

    @operation("CreateScheduleGroup")
    def _create_schedule_group(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(SchedulerValidationException, request.get("Name"), "name", NAME, 64)
        if name in self.groups:
            raise ConflictException(f"Schedule group {name} already exists.")
        group = self._make_group(name)
        group.tags = {t["Key"]: t["Value"] for t in request.get("Tags") or []}
        self.groups[name] = group
        return {"ScheduleGroupArn": group.arn}

    @operation("GetScheduleGroup")
    def _get_schedule_group(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.get_group(request.get("Name")).describe()

    @operation("ListScheduleGroups")
    def _list_schedule_groups(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        groups = [self.groups[n].describe() for n in sorted(self.groups) if n.startswith(prefix)]
        page, token = paginate(groups, request.get("MaxResults"), request.get("NextToken"),
                               SchedulerValidationException)
        out: dict[str, Any] = {"ScheduleGroups": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("DeleteScheduleGroup")
    def _delete_schedule_group(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("Name")
        if name == "default":
            raise SchedulerValidationException("The default schedule group cannot be deleted.")
        group = self.get_group(name)
        for key in [k for k in self.schedules if k[0] == group.name]:
            self._drop_schedule(self.schedules[key])
        del self.groups[group.name]
        return {}
