"""PutEvents and the path of an event through a bus: archive, rules, targets.

Modelled (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html):

- 1 to 10 entries per call; the entries together under 256 KB, sized as AWS documents
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html: ``Time`` 14
  bytes, the UTF-8 bytes of Source, DetailType, Detail and each Resource);
- entries are processed in order; a bad entry fails alone with ``ErrorCode``/``ErrorMessage``
  and counts in ``FailedEntryCount`` (missing Source/DetailType/Detail: ``InvalidArgument``;
  Detail not a JSON object: ``MalformedDetail`` / ``Detail is malformed.``; a source starting
  with ``aws.``: ``NotAuthorizedForSourceException``); good ones get an ``EventId``;
- the event envelope: ``version`` "0", ``id`` (a UUID from the stream ``events/ids``),
  ``detail-type``, ``source``, ``account``, ``time`` (the entry's Time or now, to the second),
  ``region``, ``resources``, ``detail``;
- an entry for a bus that does not exist is accepted and goes nowhere, as AWS does
  (https://github.com/aws/aws-cli/issues/9186); the trace records ``event_dropped``.

After PutEvents returns, matching rules' targets are invoked on the clock (:mod:`.targets`).
Metrics (namespace AWS/Events, dimension RuleName): MatchedEvents, TriggeredRules,
Invocations, FailedInvocations.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .buses import EventBus
from .common import constraint, event_time, to_us
from .errors import ResourceNotFoundException, ValidationException

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .archive import Archive
    from .rules import Rule

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024


def entry_size(entry: dict[str, Any]) -> int:
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode())
    for r in entry.get("Resources") or []:
        if isinstance(r, str):
            size += len(r.encode())
    return size


def _failure(code: str, message: str) -> dict[str, Any]:
    return {"ErrorCode": code, "ErrorMessage": message}


class PutEventsOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        archives: dict[str, Archive]
        buses: dict[str, EventBus]
        cloud: Cloud
        def _archive_event(self, bus: EventBus, event: dict[str, Any]) -> None: ...
        def _deliver_to_targets(self, rule: Rule, event: dict[str, Any], event_json: str
        ) -> None: ...
        def get_bus(self, name_or_arn: Any) -> EventBus: ...

    @operation("PutEvents")
    def _put_events(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = request.get("Entries")
        if not isinstance(entries, list) or not entries:
            raise constraint(ValidationException, entries, "entries",
                             "Member must have length greater than or equal to 1")
        if len(entries) > MAX_ENTRIES:
            raise constraint(ValidationException, "[...]", "entries",
                             "Member must have length less than or equal to 10")
        if sum(entry_size(e) for e in entries if isinstance(e, dict)) > MAX_REQUEST_BYTES:
            raise ValidationException("Total size of the entries in the request is over the limit.")
        results: list[dict[str, Any]] = []
        accepted: list[tuple[EventBus | None, dict[str, Any], str]] = []
        for entry in entries:
            outcome = self._check_entry(entry)
            if isinstance(outcome, dict):
                results.append(outcome)
                continue
            detail, bus_name = outcome
            event = self._envelope(entry, detail)
            results.append({"EventId": event["id"]})
            accepted.append((self.buses.get(bus_name), event, bus_name))
        for bus, event, bus_name in accepted:
            if bus is None:
                self.cloud.trace.record("events", "event_dropped", event_id=event["id"],
                                        reason="NoSuchEventBus", bus=bus_name)
                continue
            self.ingest(bus, event)
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}

    def _check_entry(self, entry: Any) -> dict[str, Any] | tuple[dict[str, Any], str]:
        if not isinstance(entry, dict):
            return _failure("InvalidArgument", "Entry is not valid.")
        for key in ("Source", "DetailType", "Detail"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                return _failure("InvalidArgument",
                                f"Parameter {key} is not valid. Reason: {key} is a required argument.")
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            return _failure("MalformedDetail", "Detail is malformed.")
        if not isinstance(detail, dict):
            return _failure("MalformedDetail", "Detail is malformed.")
        if entry["Source"].startswith("aws."):
            return _failure("NotAuthorizedForSourceException", "Not authorized for the source.")
        bus = entry.get("EventBusName") or "default"
        if bus.startswith("arn:"):
            bus = bus.split(":event-bus/", 1)[-1]
        return detail, bus

    def _envelope(self, entry: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        when = entry.get("Time")
        when_us = self.cloud.now_us if when is None else to_us(when, ValidationException, "Time")
        return {
            "version": "0",
            "id": self.cloud.streams.uuid("events/ids"),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.cloud.account_id,
            "time": event_time(when_us),
            "region": self.cloud.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }

    def ingest(self,
        bus: EventBus,
        event: dict[str, Any],
        *,
        replay: str | None = None,
        only_rules: frozenset[str] | None = None,
    ) -> list[str]:
        """Route ``event`` (a complete envelope) on ``bus``: archive it (unless replayed), find
        the enabled rules that match, hand it to their targets. Returns the matched rule names."""
        cloud = self.cloud
        if replay is None and self.archives:
            self._archive_event(bus, event)
        matched = []
        for rule in bus.index.candidates(event):
            if not rule.enabled or not rule.event_pattern.matches(event):
                continue
            if only_rules is not None and rule.arn not in only_rules:
                continue
            matched.append(rule)
        cloud.trace.record("events", "event_routed", event_id=event["id"], bus=bus.name,
                           source=event.get("source"), detail_type=event.get("detail-type"),
                           rules=[r.name for r in matched], replay=replay)
        if matched:
            event_json = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
            for rule in matched:
                cloud.metrics.put("AWS/Events", "MatchedEvents", 1, {"RuleName": rule.name}, "Count")
                cloud.metrics.put("AWS/Events", "TriggeredRules", 1, {"RuleName": rule.name}, "Count")
                if rule.targets:
                    self._deliver_to_targets(rule, event, event_json)
        return [r.name for r in matched]

    def _forward_to_bus(self, arn: str, payload: str) -> None:
        name = arn.split(":event-bus/", 1)[-1]
        bus = self.buses.get(name)
        if bus is None:
            raise ResourceNotFoundException(f"Event bus {name} does not exist.")
        self.ingest(bus, json.loads(payload))

    # -- native API ---------------------------------------------------------------------------
    def put_event(self,
        source: str,
        detail_type: str,
        detail: dict[str, Any] | None = None,
        *,
        bus: str = "default",
        resources: list[str] | None = None,
    ) -> str:
        """Put one event (the PutEvents path); returns its id, raising ValidationException with
        the entry's error message when it fails."""
        resp = self._put_events({"Entries": [{
            "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail or {}),
            "EventBusName": bus, "Resources": resources or [],
        }]})
        entry = resp["Entries"][0]
        if "ErrorCode" in entry:
            raise ValidationException(entry["ErrorMessage"])
        return str(entry["EventId"])

    def matching_rules(self, event: dict[str, Any], bus: str = "default") -> list[str]:
        """Names of the enabled rules of ``bus`` whose pattern matches ``event`` (no delivery)."""
        return [r.name for r in self.get_bus(bus).index.matching(event) if r.enabled]
