"""Listing: ListObjectsV2, ListObjects and ListObjectVersions.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html):

- keys in UTF-8 binary order (Python's str order is code point order, the same order);
- ``Prefix``; ``Delimiter`` rolls keys sharing the text up to the next delimiter after the prefix
  into one ``CommonPrefixes`` entry; ``MaxKeys`` (default and maximum 1,000) counts keys and
  common prefixes together, as ``KeyCount`` does; ``StartAfter`` and ``ContinuationToken``
  (opaque; an invalid one is ``InvalidArgument``); ``IsTruncated``/``NextContinuationToken``;
  ``EncodingType=url`` URL-encodes keys and prefixes in the answer;
- ``Contents`` and ``CommonPrefixes`` are left out when empty, as boto3 shows them; a key whose
  current version is a delete marker is not listed;
- ListObjectVersions lists every version and delete marker, by key and then newest first, with
  ``IsLatest``, paged by ``KeyMarker``/``VersionIdMarker``.

Complexity: O(log n + k) for a page of k entries; a common prefix is skipped in O(log n).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import quote

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .errors import InvalidArgument

if TYPE_CHECKING:
    from .buckets import Bucket
    from .objects import ObjectVersion

MAX_KEYS = 1000
_TOP = "\U0010ffff"


def _ms(us: int) -> Any:
    return us_to_datetime(us - us % 1000)


def _max_keys(value: Any) -> int:
    if value is None:
        return MAX_KEYS
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument("Provided max-keys not an integer or within integer range")
    return min(value, MAX_KEYS)


def walk(bucket: "Bucket", prefix: str, after: str | None, delimiter: str | None,
         include: Any = None, *, from_after: bool = False) -> Iterator[tuple[str, str | None]]:
    """(key, None) for listed keys and (common_prefix, prefix) for roll-ups, in order, starting
    strictly after ``after`` (at it when ``from_after``). ``include(versions)`` says whether a
    key is listed (default: its current version is not a delete marker)."""
    objects = bucket.objects
    lo = prefix if after is None or after < prefix else after
    inclusive_lo = after is None or after < prefix or from_after
    it = objects.irange(minimum=lo, inclusive=(inclusive_lo, True))
    while True:
        key = next(it, None)
        if key is None or not key.startswith(prefix):
            return
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                cp = key[: cut + len(delimiter)]
                if after is None or cp > after:
                    yield cp, cp
                it = objects.irange(minimum=cp + _TOP, inclusive=(True, True))
                continue
        versions = objects[key]
        if include(versions) if include is not None else not versions[-1].delete_marker:
            yield key, None


def _token(text: str) -> str:
    return base64.b64encode(("1" + text).encode()).decode()


def _untoken(token: Any) -> str:
    try:
        text = base64.b64decode(str(token).encode(), validate=True).decode()
    except Exception:
        raise InvalidArgument("The continuation token provided is incorrect") from None
    if not text.startswith("1"):
        raise InvalidArgument("The continuation token provided is incorrect")
    return text[1:]


class ListingOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        def get_bucket(self, name: Any) -> Bucket: ...
        def owner(self) -> dict[str, str]: ...

    def _page(self, bucket: "Bucket", prefix: str, after: str | None,
              delimiter: str | None, max_keys: int) -> tuple[list[str], list[str], str | None]:
        keys: list[str] = []
        prefixes: list[str] = []
        last: str | None = None
        if max_keys == 0:
            return keys, prefixes, None
        for name, cp in walk(bucket, prefix, after, delimiter):
            if len(keys) + len(prefixes) == max_keys:
                return keys, prefixes, last
            (prefixes if cp is not None else keys).append(name)
            last = name
        return keys, prefixes, None

    def _content(self, obj: "ObjectVersion", encode: bool) -> dict[str, Any]:
        return {"Key": quote(obj.key) if encode else obj.key,
                "LastModified": _ms(obj.last_modified_us), "ETag": obj.etag,
                "Size": obj.size, "StorageClass": obj.storage_class}

    @operation("ListObjectsV2")
    def _list_objects_v2(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        prefix = request.get("Prefix") or ""
        delimiter = request.get("Delimiter") or None
        max_keys = _max_keys(request.get("MaxKeys"))
        encode = request.get("EncodingType") == "url"
        token = request.get("ContinuationToken")
        after = _untoken(token) if token is not None else request.get("StartAfter")
        keys, prefixes, last = self._page(bucket, prefix, after, delimiter, max_keys)
        out: dict[str, Any] = {"IsTruncated": last is not None}
        if keys:
            out["Contents"] = [self._content(bucket.objects[k][-1], encode) for k in keys]
        out["Name"] = bucket.name
        out["Prefix"] = quote(prefix) if encode else prefix
        if delimiter:
            out["Delimiter"] = delimiter
        out["MaxKeys"] = max_keys
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": quote(p) if encode else p} for p in prefixes]
        if encode:
            out["EncodingType"] = "url"
        out["KeyCount"] = len(keys) + len(prefixes)
        if token is not None:
            out["ContinuationToken"] = token
        if last is not None:
            out["NextContinuationToken"] = _token(last)
        if request.get("StartAfter") is not None:
            out["StartAfter"] = request["StartAfter"]
        return out

    @operation("ListObjects")
    def _list_objects(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        prefix = request.get("Prefix") or ""
        delimiter = request.get("Delimiter") or None
        max_keys = _max_keys(request.get("MaxKeys"))
        encode = request.get("EncodingType") == "url"
        marker = request.get("Marker")
        keys, prefixes, last = self._page(bucket, prefix, marker or None, delimiter, max_keys)
        out: dict[str, Any] = {"IsTruncated": last is not None, "Marker": marker or ""}
        if last is not None and delimiter:
            out["NextMarker"] = last
        if keys:
            out["Contents"] = [self._content(bucket.objects[k][-1], encode) for k in keys]
        out.update({"Name": bucket.name, "Prefix": prefix, "MaxKeys": max_keys})
        if delimiter:
            out["Delimiter"] = delimiter
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": p} for p in prefixes]
        return out

    @operation("ListObjectVersions")
    def _list_object_versions(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        prefix = request.get("Prefix") or ""
        delimiter = request.get("Delimiter") or None
        max_keys = _max_keys(request.get("MaxKeys"))
        key_marker = request.get("KeyMarker") or None
        vid_marker = request.get("VersionIdMarker") or None
        versions_out: list[dict[str, Any]] = []
        markers_out: list[dict[str, Any]] = []
        prefixes: list[str] = []
        count = 0
        truncated = False
        next_key: str | None = None
        next_vid: str | None = None
        resume = key_marker is not None and vid_marker is not None
        owner = self.owner()
        for name, cp in walk(bucket, prefix, key_marker, delimiter, include=lambda v: True,
                             from_after=resume):
            if count == max_keys:
                truncated = True
                break
            if cp is not None:
                prefixes.append(name)
                count += 1
                next_key, next_vid = name, None
                continue
            newest_first = list(reversed(bucket.objects[name]))
            skip = 0
            if resume and name == key_marker:
                ids = [v.version_id for v in newest_first]
                skip = ids.index(vid_marker) + 1 if vid_marker in ids else len(ids)
            for pos in range(skip, len(newest_first)):
                if count == max_keys:
                    truncated = True
                    break
                v = newest_first[pos]
                entry: dict[str, Any] = {"Key": v.key, "VersionId": v.version_id,
                                         "IsLatest": pos == 0,
                                         "LastModified": _ms(v.last_modified_us), "Owner": owner}
                if v.delete_marker:
                    markers_out.append(entry)
                else:
                    entry.update({"ETag": v.etag, "Size": v.size, "StorageClass": v.storage_class})
                    versions_out.append(entry)
                count += 1
                next_key, next_vid = v.key, v.version_id
            if truncated:
                break
        out: dict[str, Any] = {"IsTruncated": truncated, "KeyMarker": key_marker or "",
                               "VersionIdMarker": vid_marker or ""}
        if truncated:
            out["NextKeyMarker"] = next_key
            if next_vid is not None:
                out["NextVersionIdMarker"] = next_vid
        if versions_out:
            out["Versions"] = versions_out
        if markers_out:
            out["DeleteMarkers"] = markers_out
        out.update({"Name": bucket.name, "Prefix": prefix, "MaxKeys": max_keys})
        if delimiter:
            out["Delimiter"] = delimiter
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": p} for p in prefixes]
        return out
