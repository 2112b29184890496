"""Versioning: PutBucketVersioning, GetBucketVersioning, and how writes and deletes change the
versions of a key.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html):

- a bucket starts unversioned; once ``Enabled`` it can only be ``Suspended``, never unversioned
  again; GetBucketVersioning shows no ``Status`` until versioning was first set;
- unversioned: a write replaces the object (version id ``null``), a delete removes it;
- enabled: a write adds a version with a new id; a delete without VersionId adds a delete marker
  (``ObjectRemoved:DeleteMarkerCreated``); a delete with VersionId removes that version for good
  (``ObjectRemoved:Delete``);
- suspended: writes and delete markers take the id ``null``, replacing any ``null`` version;
  older versions stay.

Version ids are 32 characters of ``[A-Za-z0-9._]`` (the shape of AWS's) from the stream
``s3/version-ids``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import MalformedXML

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buckets import Bucket
    from .objects import ObjectVersion

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"


class VersioningOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        def get_bucket(self, name: Any) -> Bucket: ...

    def new_version_id(self, bucket: "Bucket") -> str:
        if bucket.versioning != "Enabled":
            return "null"
        rng = self.cloud.rng("s3/version-ids")
        return "".join(_ALPHABET[rng.getrandbits(6)] for _ in range(32))

    def store_version(self, bucket: "Bucket", version: "ObjectVersion") -> None:
        """Make ``version`` the current version of its key (its id already chosen)."""
        versions = bucket.objects.get(version.key)
        if versions is None or bucket.versioning is None:
            bucket.objects[version.key] = [version]
            return
        if version.version_id == "null":
            versions[:] = [v for v in versions if v.version_id != "null"]
        versions.append(version)

    def remove_version(self, bucket: "Bucket", key: str, version_id: str) -> "ObjectVersion | None":
        """Delete one version for good; returns it (None when there was no such version)."""
        versions = bucket.objects.get(key)
        if not versions:
            return None
        for i, v in enumerate(versions):
            if v.version_id == version_id:
                del versions[i]
                if not versions:
                    del bucket.objects[key]
                return v
        return None

    @operation("PutBucketVersioning")
    def _put_bucket_versioning(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        status = (request.get("VersioningConfiguration") or {}).get("Status")
        if status not in ("Enabled", "Suspended"):
            raise MalformedXML()
        if status == "Suspended" and bucket.versioning is None:
            bucket.versioning = "Suspended"
        else:
            bucket.versioning = status
        return {}

    @operation("GetBucketVersioning")
    def _get_bucket_versioning(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        return {} if bucket.versioning is None else {"Status": bucket.versioning}
