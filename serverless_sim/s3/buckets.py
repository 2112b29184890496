"""Buckets: CreateBucket, DeleteBucket, ListBuckets, HeadBucket, GetBucketLocation.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): names
of 3-63 characters of lowercase letters, digits, dots and hyphens, beginning and ending with a
letter or digit, without two adjacent periods, not shaped like an IP address, not starting with
``xn--``, ``sthree-`` or ``amzn-s3-demo-``, not ending with ``-s3alias``, ``--ol-s3``, ``.mrap``,
``--x-s3`` or ``--table-s3`` (``InvalidBucketName``). Creating a bucket you already own gives
``BucketAlreadyOwnedByYou`` (AWS answers 200 in us-east-1 for legacy reasons; we always raise,
as every other region does). DeleteBucket refuses a bucket holding any object version or delete
marker (``BucketNotEmpty``). One Cloud is one account: the global bucket namespace shared with
other accounts (``BucketAlreadyExists``) is not modelled.

Each bucket keeps its keys in a ``SortedDict`` (key -> versions, oldest first), so listing is
O(log n + page) in UTF-8 byte order (which is code point order, the order of Python's str).
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedDict

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .errors import (
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidArgument,
    InvalidBucketName,
    NoSuchBucket,
    NotFound,
)
from .listing import _token, _untoken

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .objects import ObjectVersion

_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
#: ListBuckets' largest (and default, once paging) page.
MAX_BUCKETS_PAGE = 10_000


def valid_bucket_name(name: Any) -> bool:
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        return False
    if name.startswith(_BAD_PREFIXES) or name.endswith(_BAD_SUFFIXES):
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        return True


@attrs.define(eq=False)
class Bucket:
    name: str
    created_us: int
    region: str
    #: key -> versions, oldest first (the last is current; it may be a delete marker).
    objects: "SortedDict[str, list[ObjectVersion]]" = attrs.field(factory=SortedDict)
    #: None (never enabled), "Enabled" or "Suspended".
    versioning: str | None = None
    notification: dict[str, Any] = attrs.field(factory=dict)
    lifecycle: list[dict[str, Any]] | None = None
    uploads: dict[str, Any] = attrs.field(factory=dict)
    sequencer: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    def current(self, key: str) -> "ObjectVersion | None":
        """The current version of ``key`` unless it is a delete marker. O(log n)."""
        versions = self.objects.get(key)
        if not versions or versions[-1].delete_marker:
            return None
        return versions[-1]

    def next_sequencer(self, now_us: int) -> str:
        self.sequencer = max(self.sequencer + 1, now_us << 8)
        return f"{self.sequencer:018X}"

    def _check(self) -> None:
        for key, versions in self.objects.items():
            assert versions, key
            ids = [v.version_id for v in versions]
            assert len(set(ids)) == len(ids), key
            assert all(v.key == key for v in versions)
            if self.versioning is None:
                assert ids == ["null"], key


class BucketOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        buckets: dict[str, Bucket]
        cloud: Cloud
        def owner(self) -> dict[str, str]: ...

    def get_bucket(self, name: Any) -> Bucket:
        bucket = self.buckets.get(name) if isinstance(name, str) else None
        if bucket is None:
            raise NoSuchBucket()
        return bucket

    @operation("CreateBucket")
    def _create_bucket(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("Bucket")
        if not isinstance(name, str) or not valid_bucket_name(name):
            raise InvalidBucketName()
        if name in self.buckets:
            raise BucketAlreadyOwnedByYou()
        region = ((request.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
                  or self.cloud.region)
        self.buckets[name] = Bucket(name, self.cloud.now_us, region)
        if region == "us-east-1":
            return {"Location": f"/{name}"}
        return {"Location": f"http://{name}.s3.amazonaws.com/"}

    @operation("DeleteBucket")
    def _delete_bucket(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        if bucket.objects:
            raise BucketNotEmpty()
        del self.buckets[bucket.name]
        return {}

    @operation("ListBuckets")
    def _list_buckets(self, request: dict[str, Any]) -> dict[str, Any]:
        """Buckets in name order, filtered by ``Prefix`` and ``BucketRegion``. Without
        ``MaxBuckets``, ``Prefix``, ``BucketRegion`` or ``ContinuationToken`` every bucket comes
        back in one answer; with any of them, pages of ``MaxBuckets`` (1-10,000; default
        10,000) and an opaque ``ContinuationToken`` while more remain
        (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html). O(n log n)."""
        prefix = request.get("Prefix")
        region = request.get("BucketRegion")
        token = request.get("ContinuationToken")
        limit = request.get("MaxBuckets")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                                  or not 1 <= limit <= MAX_BUCKETS_PAGE):
            raise InvalidArgument("Argument max-buckets must be an integer between 1 and 10000")
        paged = limit is not None or prefix is not None or region is not None or token is not None
        after = _untoken(token) if token else None
        names = [n for n in sorted(self.buckets)
                 if (not prefix or n.startswith(prefix))
                 and (region is None or self.buckets[n].region == region)
                 and (after is None or n > after)]
        page = names[: limit or MAX_BUCKETS_PAGE] if paged else names
        out: dict[str, Any] = {
            "Buckets": [{"Name": n, "CreationDate": us_to_datetime(self.buckets[n].created_us)}
                        for n in page],
            "Owner": self.owner(),
        }
        if paged:  # "included in the response if the request contains at least one parameter"
            for entry in out["Buckets"]:
                entry["BucketRegion"] = self.buckets[entry["Name"]].region
        if len(page) < len(names):
            out["ContinuationToken"] = _token(page[-1])
        if prefix is not None:
            out["Prefix"] = prefix
        return out

    @operation("HeadBucket")
    def _head_bucket(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.buckets.get(request.get("Bucket"))  # type: ignore[arg-type]
        if bucket is None:
            raise NotFound()
        return {"BucketRegion": bucket.region}

    @operation("GetBucketLocation")
    def _get_bucket_location(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        return {"LocationConstraint": None if bucket.region == "us-east-1" else bucket.region}
