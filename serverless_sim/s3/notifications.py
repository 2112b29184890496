"""Event notifications: PutBucketNotificationConfiguration, GetBucketNotificationConfiguration,
and the events themselves, to Lambda, SQS, SNS and EventBridge.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html):

- ``LambdaFunctionConfigurations``, ``QueueConfigurations``, ``TopicConfigurations`` with
  ``Events`` (``s3:ObjectCreated:*`` / ``Put`` / ``Post`` / ``Copy`` /
  ``CompleteMultipartUpload``, ``s3:ObjectRemoved:*`` / ``Delete`` / ``DeleteMarkerCreated``,
  ``s3:LifecycleExpiration:*`` / ``Delete`` / ``DeleteMarkerCreated``, and the other documented
  types, accepted though never emitted here) and ``Filter.Key.FilterRules`` (one ``prefix`` and
  one ``suffix`` at most); two configurations whose event types and key filters overlap are
  refused ("Configurations overlap..."); an ``Id`` is generated when absent;
- ``EventBridgeConfiguration: {}`` sends every event to the default event bus as
  ``Object Created`` / ``Object Deleted`` from ``aws.s3`` (detail ``version``, ``bucket``,
  ``object`` with the key *not* URL-encoded, ``request-id``, ``requester``, ``reason``, and
  ``deletion-type`` for deletions);
- the record: ``eventVersion`` "2.1", ``eventSource`` "aws:s3", ``awsRegion``, ``eventTime``
  (ISO 8601 with milliseconds and ``Z``), ``eventName`` (without the ``s3:`` prefix),
  ``userIdentity``, ``requestParameters``, ``responseElements``, ``s3`` with ``s3SchemaVersion``
  "1.0", ``configurationId``, ``bucket`` (name, ownerIdentity, arn) and ``object`` (key
  URL-encoded with spaces as ``+``, ``size`` and ``eTag`` without quotes for creations,
  ``versionId`` when the bucket is versioned, ``sequencer`` increasing per bucket), wrapped in
  ``{"Records": [...]}``;
- setting a configuration with queues or topics sends them the ``s3:TestEvent`` message;
- delivery is asynchronous, ``config.notification_delay`` virtual seconds after the request
  (AWS: "typically ... in seconds"; default 1 s). Failures are recorded in the trace and dropped
  (S3 does not retry into a missing queue).

Deviation: AWS checks that destinations exist and allow S3 when the configuration is set; we do
not (a missing destination shows as a delivery failure in the trace).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from ..kernel.clock import duration_to_us, us_to_datetime
from ..kernel.errors import AWSError
from ..kernel.service import operation
from .errors import InvalidArgument

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buckets import Bucket
    from .objects import ObjectVersion
    from .service import S3Config

EVENT_TYPES = (
    "s3:TestEvent", "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject", "s3:Replication:*",
    "s3:Replication:OperationFailedReplication", "s3:Replication:OperationNotTracked",
    "s3:Replication:OperationMissedThreshold", "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
    "s3:IntelligentTiering", "s3:ObjectTagging:*", "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
)
_KINDS = (
    ("LambdaFunctionConfigurations", "LambdaFunctionArn"),
    ("QueueConfigurations", "QueueArn"),
    ("TopicConfigurations", "TopicArn"),
)
OVERLAP = ("Configurations overlap. Configurations on the same bucket cannot share a common "
           "event type.")


def _expand(events: list[str]) -> set[str]:
    out: set[str] = set()
    for e in events:
        if e.endswith(":*"):
            out.update(x for x in EVENT_TYPES if x.startswith(e[:-1]) and not x.endswith("*"))
        else:
            out.add(e)
    return out


def _filters(config: dict[str, Any]) -> tuple[str, str]:
    rules = ((config.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    prefix = suffix = None
    for rule in rules:
        name = str(rule.get("Name", "")).lower()
        if name == "prefix":
            if prefix is not None:
                raise InvalidArgument("Cannot specify more than one prefix rule in a filter.")
            prefix = str(rule.get("Value", ""))
        elif name == "suffix":
            if suffix is not None:
                raise InvalidArgument("Cannot specify more than one suffix rule in a filter.")
            suffix = str(rule.get("Value", ""))
        else:
            raise InvalidArgument("filter rule name must be either prefix or suffix")
    return prefix or "", suffix or ""


def _overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (pa, sa), (pb, sb) = a, b
    return (pa.startswith(pb) or pb.startswith(pa)) and (sa.endswith(sb) or sb.endswith(sa))


def event_key(key: str) -> str:
    """The object key as S3 writes it in notification records (URL-encoded, spaces as '+')."""
    return quote_plus(key, safe="/")


class NotificationOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: S3Config
        def get_bucket(self, name: Any) -> Bucket: ...

    @operation("PutBucketNotificationConfiguration")
    def _put_bucket_notification_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        config = request.get("NotificationConfiguration")
        if not isinstance(config, dict):
            raise InvalidArgument("NotificationConfiguration is required.")
        normalized: dict[str, Any] = {}
        seen: list[tuple[set[str], tuple[str, str]]] = []
        ids: set[str] = set()
        for kind, arn_key in _KINDS:
            items = []
            for item in config.get(kind) or []:
                if not isinstance(item, dict) or not isinstance(item.get(arn_key), str):
                    raise InvalidArgument(f"{arn_key} is required.")
                events = item.get("Events")
                if not isinstance(events, list) or not events:
                    raise InvalidArgument("At least one event must be specified.")
                for e in events:
                    if e not in EVENT_TYPES:
                        raise InvalidArgument("The event is not supported for notifications")
                filters = _filters(item)
                expanded = _expand(events)
                for other_events, other_filters in seen:
                    if expanded & other_events and _overlap(filters, other_filters):
                        raise InvalidArgument(OVERLAP)
                seen.append((expanded, filters))
                entry = dict(item)
                if not entry.get("Id"):
                    entry["Id"] = self.cloud.streams.hex_id("s3/notification-ids", 18)
                if entry["Id"] in ids:
                    raise InvalidArgument("Configuration Ids must be unique.")
                ids.add(entry["Id"])
                items.append(entry)
            if items:
                normalized[kind] = items
        if config.get("EventBridgeConfiguration") is not None:
            normalized["EventBridgeConfiguration"] = {}
        bucket.notification = normalized
        for kind, arn_key in _KINDS[1:]:
            for item in normalized.get(kind, []):
                self._send(bucket, item[arn_key], json.dumps(self._test_event(bucket)),
                           "s3:TestEvent", item["Id"])
        return {}

    @operation("GetBucketNotificationConfiguration")
    def _get_bucket_notification_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        out = json.loads(json.dumps(bucket.notification))
        # S3 answers with the rule names capitalized ("Prefix"/"Suffix") whatever case they
        # were given in (https://github.com/aws/aws-sdk/issues/389).
        for kind, _ in _KINDS:
            for item in out.get(kind, []):
                for rule in ((item.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
                    rule["Name"] = str(rule.get("Name", "")).capitalize()
        return out

    # -- events ---------------------------------------------------------------------------
    def _test_event(self, bucket: "Bucket") -> dict[str, Any]:
        return {"Service": "Amazon S3", "Event": "s3:TestEvent",
                "Time": self._event_time(), "Bucket": bucket.name,
                "RequestId": self.cloud.streams.hex_id("s3/request-ids", 8).upper(),
                "HostId": self.cloud.streams.hex_id("s3/host-ids", 24)}

    def _event_time(self) -> str:
        return us_to_datetime(self.cloud.now_us).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def notify(self, bucket: "Bucket", event_name: str, version: "ObjectVersion",
               reason: str) -> None:
        """Emit ``event_name`` (``ObjectCreated:Put``...) for ``version`` to every matching
        configuration and to EventBridge when enabled. O(configurations)."""
        config = bucket.notification
        if not config:
            return
        full = "s3:" + event_name
        sequencer = bucket.next_sequencer(self.cloud.now_us)
        for kind, arn_key in _KINDS:
            for item in config.get(kind, ()):
                if full not in _expand(item["Events"]):
                    continue
                prefix, suffix = _filters(item)
                if not (version.key.startswith(prefix) and version.key.endswith(suffix)):
                    continue
                record = self._record(bucket, event_name, version, item["Id"], sequencer)
                self._send(bucket, item[arn_key], json.dumps({"Records": [record]}), full,
                           item["Id"])
        if "EventBridgeConfiguration" in config:
            self._to_eventbridge(bucket, event_name, version, reason, sequencer)

    def _record(self, bucket: "Bucket", event_name: str, version: "ObjectVersion",
                config_id: str, sequencer: str) -> dict[str, Any]:
        obj: dict[str, Any] = {"key": event_key(version.key)}
        if event_name.startswith("ObjectCreated"):
            obj["size"] = version.size
            obj["eTag"] = version.etag.strip('"')
        if bucket.versioning is not None:
            obj["versionId"] = version.version_id
        obj["sequencer"] = sequencer
        principal = f"AWS:{self.cloud.account_id}"
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": bucket.region,
            "eventTime": self._event_time(),
            "eventName": event_name,
            "userIdentity": {"principalId": principal},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {
                "x-amz-request-id": self.cloud.streams.hex_id("s3/request-ids", 8).upper(),
                "x-amz-id-2": self.cloud.streams.hex_id("s3/host-ids", 24),
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": config_id,
                "bucket": {"name": bucket.name, "ownerIdentity": {"principalId": principal},
                           "arn": bucket.arn},
                "object": obj,
            },
        }

    def _send(self, bucket: "Bucket", arn: str, payload: str, event: str,
              config_id: str) -> None:
        from ..events.delivery import arn_service, invoke_arn

        cloud = self.cloud

        def deliver() -> None:
            try:
                if arn_service(arn) == "sns":
                    cloud.service("sns").dispatch("Publish", {
                        "TopicArn": arn, "Message": payload, "Subject": "Amazon S3 Notification"})
                else:
                    invoke_arn(cloud, arn, payload)
            except AWSError as err:
                cloud.trace.record("s3", "notification_failed", bucket=bucket.name, event=event,
                                   destination=arn, error=err.code)
                return
            cloud.trace.record("s3", "notification_sent", bucket=bucket.name, event=event,
                               destination=arn, configuration=config_id)

        cloud.scheduler.call_later_us(duration_to_us(self.config.notification_delay), deliver)

    def _to_eventbridge(self, bucket: "Bucket", event_name: str, version: "ObjectVersion",
                        reason: str, sequencer: str) -> None:
        cloud = self.cloud
        created = event_name.startswith("ObjectCreated")
        obj: dict[str, Any] = {"key": version.key}
        if created:
            obj["size"] = version.size
            obj["etag"] = version.etag.strip('"')
        if bucket.versioning is not None:
            obj["version-id"] = version.version_id
        obj["sequencer"] = sequencer
        detail: dict[str, Any] = {
            "version": "0",
            "bucket": {"name": bucket.name},
            "object": obj,
            "request-id": cloud.streams.hex_id("s3/request-ids", 8).upper(),
            "requester": cloud.account_id,
            "source-ip-address": "127.0.0.1",
            "reason": reason,
        }
        if not created:
            detail["deletion-type"] = ("Delete Marker Created" if event_name.endswith(
                "DeleteMarkerCreated") else "Permanently Deleted")
        event = {
            "version": "0",
            "id": cloud.streams.uuid("events/ids"),
            "detail-type": "Object Created" if created else "Object Deleted",
            "source": "aws.s3",
            "account": cloud.account_id,
            "time": us_to_datetime(cloud.now_us).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": bucket.region,
            "resources": [bucket.arn],
            "detail": detail,
        }

        def deliver() -> None:
            events = cloud.service("events")
            events.ingest(events.get_bus("default"), event)  # type: ignore[attr-defined]

        cloud.scheduler.call_later_us(duration_to_us(self.config.notification_delay), deliver)
