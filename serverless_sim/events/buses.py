"""Event buses: ``default`` and custom ones (CreateEventBus, DescribeEventBus, ListEventBuses,
DeleteEventBus).

Modelled (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html):
every account has the ``default`` bus, which cannot be created or deleted; names are 1-256 of
``[/\\.\\-_A-Za-z0-9]`` and may not start with ``aws.`` (partner buses are not modelled);
deleting a bus deletes its rules and their targets; deleting a bus that does not exist succeeds.
Each bus owns its rules and the index over their patterns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import operation
from .common import BUS_NAME, check_name, dt, paginate
from .errors import ResourceAlreadyExistsException, ResourceNotFoundException, ValidationException
from .rule_index import RuleIndex

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .rules import Rule


@attrs.define(eq=False)
class EventBus:
    name: str
    arn: str
    created_us: int
    description: str | None = None
    tags: dict[str, str] = attrs.field(factory=dict)
    rules: dict[str, "Rule"] = attrs.field(factory=dict)
    index: RuleIndex = attrs.field(factory=RuleIndex)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": self.name, "Arn": self.arn}
        if self.description is not None:
            out["Description"] = self.description
        out["CreationTime"] = dt(self.created_us)
        out["LastModifiedTime"] = dt(self.created_us)
        return out


class BusOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        buses: dict[str, EventBus]
        cloud: Cloud
        def _drop_rule(self, bus: "EventBus", rule: Rule) -> None: ...

    def _make_bus(self, name: str) -> EventBus:
        return EventBus(name, self.cloud.arn("events", f"event-bus/{name}"), self.cloud.now_us)

    def get_bus(self, name_or_arn: Any) -> EventBus:
        """The bus by name or ARN (``None`` means default); ResourceNotFoundException otherwise."""
        if name_or_arn is None:
            return self.buses["default"]
        name = str(name_or_arn)
        if name.startswith("arn:"):
            name = name.split(":event-bus/", 1)[-1]
        bus = self.buses.get(name)
        if bus is None:
            raise ResourceNotFoundException(f"Event bus {name} does not exist.")
        return bus

    @operation("CreateEventBus")
    def _create_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        name = check_name(ValidationException, request.get("Name"), "name", BUS_NAME, 256)
        if name == "default" or name.startswith("aws."):
            raise ValidationException(f"Event bus name {name} is not valid.")
        if name in self.buses:
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        bus = self._make_bus(name)
        bus.description = request.get("Description")
        bus.tags = {t["Key"]: t["Value"] for t in request.get("Tags") or []}
        self.buses[name] = bus
        out: dict[str, Any] = {"EventBusArn": bus.arn}
        if bus.description is not None:
            out["Description"] = bus.description
        return out

    @operation("DescribeEventBus")
    def _describe_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.get_bus(request.get("Name")).describe()

    @operation("ListEventBuses")
    def _list_event_buses(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        buses = [self.buses[n] for n in sorted(self.buses) if n.startswith(prefix)]
        page, token = paginate(buses, request.get("Limit"), request.get("NextToken"),
                               ValidationException)
        out: dict[str, Any] = {"EventBuses": [b.describe() for b in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation("DeleteEventBus")
    def _delete_event_bus(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("Name")
        if name == "default":
            raise ValidationException("Cannot delete event bus default.")
        bus = self.buses.get(str(name))
        if bus is None:  # AWS answers success for a bus that is not there
            return {}
        for rule in list(bus.rules.values()):
            self._drop_rule(bus, rule)
        del self.buses[bus.name]
        return {}
