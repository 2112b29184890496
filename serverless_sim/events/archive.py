"""Archives and replays: CreateArchive, DescribeArchive, ListArchives, UpdateArchive,
DeleteArchive, StartReplay, DescribeReplay, ListReplays, CancelReplay.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html):

- an archive keeps the events that reach its source bus and match its optional ``EventPattern``,
  for ``RetentionDays`` (0 or absent: indefinitely); archive names are 1-48 of
  ``[\\.\\-_A-Za-z0-9]``;
- StartReplay re-sends the archived events whose time falls in [EventStartTime, EventEndTime),
  in the order they were archived, to the archive's source bus (``Destination.Arn`` must be that
  bus: "Cross event bus replay is not permitted"), to all its rules or only those in
  ``Destination.FilterArns``. Each replayed event carries ``"replay-name"``; replayed events are
  not archived again. EventEndTime may not be in the future; EventStartTime must be before it.
- state: STARTING when StartReplay returns, then RUNNING and COMPLETED after
  ``config.replay_start_delay`` virtual seconds (AWS documents no figure; default 1 s), when all
  events are re-sent at once in order; CancelReplay before that -> CANCELLED.

Deviation: AWS archives asynchronously (an event may reach the archive some minutes later) and
replays at its own pace; we archive at once and replay in one step. No managed archive rule is
shown in ListRules.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import US_PER_SECOND, instant_to_us
from ..kernel.service import operation
from .buses import EventBus
from .common import check_name, dt, paginate, to_us
from .errors import (
    IllegalStatusException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from .patterns import EventPattern

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import EventBridgeConfig

ARCHIVE_NAME = re.compile(r"^[\.\-_A-Za-z0-9]{1,48}$")
DAY_US = 86_400 * US_PER_SECOND


@attrs.define(eq=False)
class Archive:
    name: str
    arn: str
    source_arn: str
    bus_name: str
    created_us: int
    pattern: EventPattern | None = None
    retention_days: int = 0
    description: str | None = None
    #: (archived at us, event time us, event) in arrival order.
    events: list[tuple[int, int, dict[str, Any]]] = attrs.field(factory=list)
    size_bytes: int = 0

    def prune(self, now_us: int) -> None:
        if self.retention_days:
            horizon = now_us - self.retention_days * DAY_US
            kept = [e for e in self.events if e[0] >= horizon]
            if len(kept) != len(self.events):
                self.events = kept
                self.size_bytes = sum(len(json.dumps(e[2])) for e in kept)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ArchiveArn": self.arn, "ArchiveName": self.name,
                               "EventSourceArn": self.source_arn}
        if self.description is not None:
            out["Description"] = self.description
        if self.pattern is not None:
            out["EventPattern"] = self.pattern.text
        out.update({"State": "ENABLED", "RetentionDays": self.retention_days,
                    "SizeBytes": self.size_bytes, "EventCount": len(self.events),
                    "CreationTime": dt(self.created_us)})
        return out


@attrs.define(eq=False)
class Replay:
    name: str
    arn: str
    archive: str
    source_arn: str
    destination: dict[str, Any]
    start_us: int
    end_us: int
    created_us: int
    description: str | None = None
    state: str = "STARTING"
    reason: str | None = None
    replay_end_us: int | None = None
    last_replayed_us: int | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ReplayName": self.name, "ReplayArn": self.arn}
        if self.description is not None:
            out["Description"] = self.description
        out.update({"State": self.state, "EventSourceArn": self.source_arn,
                    "Destination": self.destination, "EventStartTime": dt(self.start_us),
                    "EventEndTime": dt(self.end_us), "ReplayStartTime": dt(self.created_us)})
        if self.reason is not None:
            out["StateReason"] = self.reason
        if self.last_replayed_us is not None:
            out["EventLastReplayedTime"] = dt(self.last_replayed_us)
        if self.replay_end_us is not None:
            out["ReplayEndTime"] = dt(self.replay_end_us)
        return out


def _event_us(event: dict[str, Any]) -> int:
    return instant_to_us(event["time"])


class ArchiveOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        archives: dict[str, Archive]
        buses: dict[str, EventBus]
        cloud: Cloud
        config: EventBridgeConfig
        replays: dict[str, Replay]
        def get_bus(self, name_or_arn: Any) -> EventBus: ...
        def ingest(self,
            bus: EventBus,
            event: dict[str, Any],
            *,
            replay: str | None = None,
            only_rules: frozenset[str] | None = None,
        ) -> list[str]: ...

    def _archive_event(self, bus: EventBus, event: dict[str, Any]) -> None:
        for archive in self.archives.values():
            if archive.bus_name != bus.name:
                continue
            if archive.pattern is not None and not archive.pattern.matches(event):
                continue
            archive.events.append((self.cloud.now_us, _event_us(event), event))
            archive.size_bytes += len(json.dumps(event))

    def _get_archive(self, name: Any) -> Archive:
        archive = self.archives.get(name) if isinstance(name, str) else None
        if archive is None:
            raise ResourceNotFoundException(f"Archive {name} does not exist.")
        archive.prune(self.cloud.now_us)
        return archive

    @operation("CreateArchive")
    def _create_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(ValidationException, request.get("ArchiveName"), "archiveName",
                          ARCHIVE_NAME, 48)
        source = request.get("EventSourceArn")
        if not isinstance(source, str) or ":event-bus/" not in source:
            raise ValidationException("Parameter EventSourceArn is not valid.")
        bus = self.get_bus(source)
        pattern = request.get("EventPattern")
        compiled = None if pattern is None else EventPattern(pattern)
        retention = int(request.get("RetentionDays") or 0)
        if retention < 0:
            raise ValidationException("Parameter RetentionDays is not valid.")
        if name in self.archives:
            raise ResourceAlreadyExistsException(f"Archive {name} already exists.")
        archive = Archive(name, self.cloud.arn("events", f"archive/{name}"), bus.arn, bus.name,
                          self.cloud.now_us, compiled, retention, request.get("Description"))
        self.archives[name] = archive
        return {"ArchiveArn": archive.arn, "State": "ENABLED",
                "CreationTime": dt(archive.created_us)}

    @operation("DescribeArchive")
    def _describe_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._get_archive(request.get("ArchiveName")).describe()

    @operation("ListArchives")
    def _list_archives(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        source = request.get("EventSourceArn")
        items = []
        for name in sorted(self.archives):
            a = self._get_archive(name)
            if name.startswith(prefix) and (source is None or a.source_arn == source):
                d = a.describe()
                items.append({k: d[k] for k in ("ArchiveName", "EventSourceArn", "State",
                                                "RetentionDays", "SizeBytes", "EventCount",
                                                "CreationTime")})
        page, token = paginate(items, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"Archives": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("UpdateArchive")
    def _update_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        archive = self._get_archive(request.get("ArchiveName"))
        pattern = request.get("EventPattern")
        compiled = archive.pattern if pattern is None else EventPattern(pattern)
        archive.pattern = compiled
        if request.get("RetentionDays") is not None:
            archive.retention_days = int(request["RetentionDays"])
        if request.get("Description") is not None:
            archive.description = request["Description"]
        return {"ArchiveArn": archive.arn, "State": "ENABLED",
                "CreationTime": dt(archive.created_us)}

    @operation("DeleteArchive")
    def _delete_archive(self, request: dict[str, Any]) -> dict[str, Any]:
        archive = self._get_archive(request.get("ArchiveName"))
        del self.archives[archive.name]
        return {}

    # -- replays ------------------------------------------------------------------------------
    @operation("StartReplay")
    def _start_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(ValidationException, request.get("ReplayName"), "replayName",
                          ARCHIVE_NAME, 64)
        source = request.get("EventSourceArn")
        archive_name = source.split(":archive/", 1)[-1] if isinstance(source, str) else None
        archive = self._get_archive(archive_name)
        start = to_us(request.get("EventStartTime"), ValidationException, "EventStartTime")
        end = to_us(request.get("EventEndTime"), ValidationException, "EventEndTime")
        if start >= end:
            raise ValidationException("Parameter EventStartTime is not valid. Reason: "
                                      "EventStartTime must be before EventEndTime.")
        if end > self.cloud.now_us:
            raise ValidationException("Parameter EventEndTime is not valid. Reason: "
                                      "EventEndTime cannot be in the future.")
        destination = request.get("Destination") or {}
        if destination.get("Arn") != archive.source_arn:
            raise ValidationException("Parameter Destination.Arn is not valid. Reason: Cross "
                                      "event bus replay is not permitted.")
        if name in self.replays:
            raise ResourceAlreadyExistsException(f"Replay {name} already exists.")
        replay = Replay(name, self.cloud.arn("events", f"replay/{name}"), archive.name,
                        archive.arn, dict(destination), start, end, self.cloud.now_us,
                        request.get("Description"))
        self.replays[name] = replay
        self.cloud.call_later(self.config.replay_start_delay, self._run_replay, replay)
        return {"ReplayArn": replay.arn, "State": replay.state,
                "ReplayStartTime": dt(replay.created_us)}

    def _run_replay(self, replay: Replay) -> None:
        if replay.state != "STARTING":
            return
        replay.state = "RUNNING"
        archive = self.archives.get(replay.archive)
        bus = self.buses.get(archive.bus_name) if archive is not None else None
        if archive is None or bus is None:
            replay.state = "FAILED"
            replay.reason = "The archive or its event bus no longer exists."
            replay.replay_end_us = self.cloud.now_us
            return
        archive.prune(self.cloud.now_us)
        filters = replay.destination.get("FilterArns")
        only = frozenset(filters) if filters else None
        for _archived_us, event_us, event in archive.events:
            if replay.start_us <= event_us < replay.end_us:
                replayed = dict(event)
                replayed["replay-name"] = replay.name
                self.ingest(bus, replayed, replay=replay.name, only_rules=only)
                replay.last_replayed_us = event_us
        replay.state = "COMPLETED"
        replay.replay_end_us = self.cloud.now_us

    @operation("DescribeReplay")
    def _describe_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("ReplayName")
        replay = self.replays.get(name) if isinstance(name, str) else None
        if replay is None:
            raise ResourceNotFoundException(f"Replay {name} does not exist.")
        return replay.describe()

    @operation("ListReplays")
    def _list_replays(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        state = request.get("State")
        items = []
        for name in sorted(self.replays):
            r = self.replays[name]
            if name.startswith(prefix) and (state is None or r.state == state):
                d = r.describe()
                items.append({k: d[k] for k in d if k not in ("Description", "Destination",
                                                               "ReplayArn")})
        page, token = paginate(items, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"Replays": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("CancelReplay")
    def _cancel_replay(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("ReplayName")
        replay = self.replays.get(name) if isinstance(name, str) else None
        if replay is None:
            raise ResourceNotFoundException(f"Replay {name} does not exist.")
        if replay.state not in ("STARTING", "RUNNING"):
            raise IllegalStatusException(f"Replay {name} is not in a valid state for this "
                                         f"operation.")
        replay.state = "CANCELLED"
        replay.replay_end_us = self.cloud.now_us
        return {"ReplayArn": replay.arn, "State": "CANCELLING"}

