"""Lifecycle expiration: Put/Get/DeleteBucketLifecycleConfiguration and the daily sweep.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html):

- up to 1,000 rules, each with ``Status`` Enabled/Disabled, a ``Filter`` (``Prefix``,
  ``ObjectSizeGreaterThan``/``ObjectSizeLessThan``, or ``And`` of them; tags are accepted but
  not modelled) or the legacy top-level ``Prefix``, and actions ``Expiration`` (``Days`` > 0, or
  ``Date`` at midnight UTC, or ``ExpiredObjectDeleteMarker``), ``NoncurrentVersionExpiration``
  (``NoncurrentDays``, ``NewerNoncurrentVersions``) and ``AbortIncompleteMultipartUpload``
  (``DaysAfterInitiation``);
- "Amazon S3 calculates the time by adding the number of days specified in the rule to the
  object creation time and rounding the resulting time to the next day midnight UTC": an object
  created 15 January 10:30 with Days=3 expires 19 January 00:00 UTC; a noncurrent version counts
  from when it became noncurrent;
- expiry is applied by a sweep at every midnight UTC (a daemon event on the clock); it deletes
  objects of unversioned buckets (``LifecycleExpiration:Delete``) and adds delete markers to
  current versions in versioned buckets (``LifecycleExpiration:DeleteMarkerCreated``); AWS
  removes expired objects asynchronously, so real removal can lag; ours is at the sweep.
"""

from __future__ import annotations


from typing import TYPE_CHECKING, Any

from ..kernel.clock import US_PER_SECOND, instant_to_us
from ..kernel.service import operation
from .errors import InvalidArgument, MalformedXML, NoSuchLifecycleConfiguration

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buckets import Bucket
    from .objects import ObjectVersion

DAY_US = 86_400 * US_PER_SECOND
MAX_RULES = 1000


def expiry_us(start_us: int, days: int) -> int:
    """``start + days`` rounded to the next midnight UTC."""
    t = start_us + days * DAY_US
    return t - t % DAY_US + DAY_US


def _check_rule(rule: Any) -> dict[str, Any]:
    if not isinstance(rule, dict) or rule.get("Status") not in ("Enabled", "Disabled"):
        raise MalformedXML()
    if len(str(rule.get("ID") or "")) > 255:
        raise InvalidArgument("ID length should not exceed allowed limit of 255")
    actions = [a for a in ("Expiration", "NoncurrentVersionExpiration", "Transitions",
                           "NoncurrentVersionTransitions", "AbortIncompleteMultipartUpload")
               if rule.get(a)]
    if not actions:
        raise InvalidArgument("At least one action needs to be specified in a rule")
    exp = rule.get("Expiration") or {}
    if "Days" in exp and (not isinstance(exp["Days"], int) or exp["Days"] <= 0):
        raise InvalidArgument("'Days' for Expiration action must be a positive integer")
    if "Date" in exp:
        when = instant_to_us(exp["Date"])
        if when % DAY_US:
            raise InvalidArgument("'Date' must be at midnight GMT")
    if "Days" in exp and "Date" in exp:
        raise MalformedXML()
    nce = rule.get("NoncurrentVersionExpiration") or {}
    if "NoncurrentDays" in nce and (not isinstance(nce["NoncurrentDays"], int)
                                    or nce["NoncurrentDays"] <= 0):
        raise InvalidArgument("'NoncurrentDays' in NoncurrentVersionExpiration action must be "
                              "a positive integer")
    return rule


def _matches(rule: dict[str, Any], key: str, size: int) -> bool:
    flt = rule.get("Filter")
    if flt is None:
        return key.startswith(rule.get("Prefix") or "")
    conds = flt.get("And") or flt
    if not key.startswith(conds.get("Prefix") or ""):
        return False
    if "ObjectSizeGreaterThan" in conds and not size > conds["ObjectSizeGreaterThan"]:
        return False
    if "ObjectSizeLessThan" in conds and not size < conds["ObjectSizeLessThan"]:
        return False
    return True


class LifecycleOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        _sweep_started: bool
        buckets: dict[str, Bucket]
        cloud: Cloud
        def get_bucket(self, name: Any) -> Bucket: ...
        def new_version_id(self, bucket: "Bucket") -> str: ...
        def notify(self, bucket: "Bucket", event_name: str, version: "ObjectVersion",
                   reason: str) -> None: ...
        def remove_version(self, bucket: "Bucket", key: str, version_id: str) -> "ObjectVersion | None": ...
        def store_version(self, bucket: "Bucket", version: "ObjectVersion") -> None: ...

    @operation("PutBucketLifecycleConfiguration")
    def _put_bucket_lifecycle_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        rules = (request.get("LifecycleConfiguration") or {}).get("Rules")
        if not isinstance(rules, list) or not rules or len(rules) > MAX_RULES:
            raise MalformedXML()
        checked = [_check_rule(r) for r in rules]
        ids = [r.get("ID") for r in checked if r.get("ID")]
        if len(set(ids)) != len(ids):
            raise InvalidArgument("Rule ID must be unique. Found same ID for more than one rule")
        bucket.lifecycle = [dict(r) for r in checked]
        self._start_lifecycle_sweep()
        return {}

    @operation("GetBucketLifecycleConfiguration")
    def _get_bucket_lifecycle_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        if bucket.lifecycle is None:
            raise NoSuchLifecycleConfiguration()
        return {"Rules": [dict(r) for r in bucket.lifecycle]}

    @operation("DeleteBucketLifecycle")
    def _delete_bucket_lifecycle(self, request: dict[str, Any]) -> dict[str, Any]:
        self.get_bucket(request.get("Bucket")).lifecycle = None
        return {}

    # -- the sweep ------------------------------------------------------------------------
    def _start_lifecycle_sweep(self) -> None:
        if self._sweep_started:
            return
        self._sweep_started = True
        now = self.cloud.now_us
        self.cloud.scheduler.call_at_us(now - now % DAY_US + DAY_US, self._lifecycle_sweep,
                                        daemon=True)

    def _lifecycle_sweep(self) -> None:
        self.cloud.scheduler.call_later_us(DAY_US, self._lifecycle_sweep, daemon=True)
        for name in sorted(self.buckets):
            bucket = self.buckets[name]
            if bucket.lifecycle:
                self.apply_lifecycle(bucket)

    def apply_lifecycle(self, bucket: "Bucket") -> int:
        """Apply expiry actions due by now; returns the number of versions removed or marked."""
        now = self.cloud.now_us
        done = 0
        for rule in bucket.lifecycle or ():
            if rule.get("Status") != "Enabled":
                continue
            exp = rule.get("Expiration") or {}
            nce = rule.get("NoncurrentVersionExpiration") or {}
            for key in list(bucket.objects.keys()):
                versions = bucket.objects.get(key)
                if not versions:
                    continue
                current = versions[-1]
                if not _matches(rule, key, current.size):
                    continue
                if not current.delete_marker and self._expired(current, exp, now):
                    if bucket.versioning is None:
                        del bucket.objects[key]
                        self.notify(bucket, "LifecycleExpiration:Delete", current,
                                    "Lifecycle Expiration")
                    else:
                        self._lifecycle_marker(bucket, key)
                    done += 1
                    continue
                if nce:
                    done += self._expire_noncurrent(bucket, key, nce, now)
                versions = bucket.objects.get(key)
                if (exp.get("ExpiredObjectDeleteMarker") and versions and len(versions) == 1
                        and versions[0].delete_marker):
                    marker = versions[0]
                    del bucket.objects[key]
                    self.notify(bucket, "LifecycleExpiration:Delete", marker,
                                "Lifecycle Expiration")
                    done += 1
            abort = rule.get("AbortIncompleteMultipartUpload") or {}
            if abort.get("DaysAfterInitiation"):
                for upload_id in sorted(bucket.uploads):
                    upload = bucket.uploads[upload_id]
                    if (upload.key.startswith((rule.get("Filter") or {}).get("Prefix")
                                              or rule.get("Prefix") or "")
                            and expiry_us(upload.initiated_us, abort["DaysAfterInitiation"]) <= now):
                        del bucket.uploads[upload_id]
        if done:
            self.cloud.trace.record("s3", "lifecycle_expired", bucket=bucket.name, count=done)
        return done

    @staticmethod
    def _expired(obj: "ObjectVersion", exp: dict[str, Any], now: int) -> bool:
        if "Days" in exp:
            return expiry_us(obj.last_modified_us, exp["Days"]) <= now
        if "Date" in exp:
            return instant_to_us(exp["Date"]) <= now
        return False

    def _lifecycle_marker(self, bucket: "Bucket", key: str) -> None:
        from .objects import ObjectVersion

        marker = ObjectVersion(key=key, version_id=self.new_version_id(bucket),
                               last_modified_us=self.cloud.now_us, delete_marker=True)
        self.store_version(bucket, marker)
        self.notify(bucket, "LifecycleExpiration:DeleteMarkerCreated", marker,
                    "Lifecycle Expiration")

    def _expire_noncurrent(self, bucket: "Bucket", key: str, nce: dict[str, Any],
                           now: int) -> int:
        versions = bucket.objects[key]
        days = nce.get("NoncurrentDays")
        keep_newer = int(nce.get("NewerNoncurrentVersions") or 0)
        doomed = []
        # versions[i] became noncurrent when versions[i + 1] was written
        noncurrent = list(range(len(versions) - 1))
        for rank, i in enumerate(reversed(noncurrent)):
            if rank < keep_newer or days is None:
                continue
            if expiry_us(versions[i + 1].last_modified_us, days) <= now:
                doomed.append(versions[i])
        for v in doomed:
            self.remove_version(bucket, key, v.version_id)
            self.notify(bucket, "LifecycleExpiration:Delete", v, "Lifecycle Expiration")
        return len(doomed)



