"""Amazon S3 (``cloud.client("s3")``): buckets, objects, listing, versioning, event
notifications, lifecycle expiration and multipart upload
(https://docs.aws.amazon.com/AmazonS3/latest/API/).

Wire operations live in one mixin per concept: :mod:`.buckets`, :mod:`.objects`,
:mod:`.listing`, :mod:`.versioning`, :mod:`.notifications`, :mod:`.lifecycle`,
:mod:`.multipart`. The native API is on the service: ``s3 = cloud.service("s3")``;
``s3.put(bucket, key, data)``, ``s3.get(bucket, key)``, ``s3.keys(bucket, prefix)``.

Configuration (``cloud.service("s3").config``): the delay of event notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import Service
from .buckets import Bucket, BucketOps
from .errors import ERRORS
from .lifecycle import LifecycleOps
from .listing import ListingOps, walk
from .multipart import MultipartOps
from .notifications import NotificationOps
from .objects import ObjectOps
from .versioning import VersioningOps

if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class S3Config:
    #: Virtual seconds from a request to its event notifications (AWS: "typically ... seconds").
    notification_delay: float = 1.0


class S3(BucketOps, ObjectOps, ListingOps, VersioningOps, NotificationOps, LifecycleOps,
         MultipartOps, Service):
    """Amazon S3 of one Cloud (one account: the bucket namespace is this Cloud's)."""

    service_name = "s3"
    errors = ERRORS

    def __init__(self, cloud: "Cloud", config: S3Config | None = None) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else S3Config()
        self.buckets: dict[str, Bucket] = {}
        self._sweep_started: bool = False
        self._owner_id: str | None = None

    def owner(self) -> dict[str, str]:
        """The account's canonical user (a 64-hex-digit id from the stream ``s3/owner``)."""
        if self._owner_id is None:
            self._owner_id = self.cloud.streams.hex_id("s3/owner", 32)
        return {"DisplayName": "owner", "ID": self._owner_id}

    # -- native API -----------------------------------------------------------------------
    def create_bucket(self, name: str) -> None:
        self._create_bucket({"Bucket": name})

    def put(self, bucket: str, key: str, data: bytes | str, **params: Any) -> str:
        """PutObject; returns the ETag."""
        return str(self._put_object({"Bucket": bucket, "Key": key, "Body": data, **params})["ETag"])

    def get(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        """GetObject's bytes (NoSuchKey when absent)."""
        request = {"Bucket": bucket, "Key": key}
        if version_id is not None:
            request["VersionId"] = version_id
        return bytes(self._get_object(request)["Body"].read())

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every current key under ``prefix``, in S3's order."""
        return [k for k, _ in walk(self.get_bucket(bucket), prefix, None, None)]

    def __repr__(self) -> str:
        return f"<S3 buckets={len(self.buckets)}>"
