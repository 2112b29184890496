"""Objects: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject.

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and the pages of
the other actions):

- ``Body`` bytes, str or file-like (:mod:`.body`); keys up to 1,024 UTF-8 bytes
  (``KeyTooLongError``); single-PUT objects up to 5 GB (``EntityTooLarge``); user metadata up to
  2 KB (keys and values in UTF-8, ``MetadataTooLarge``), keys lower-cased as S3 stores them;
  ``ContentType`` defaults to ``binary/octet-stream``;
- the ETag of a single-part object is the quoted MD5 hex of its bytes;
- GetObject ``Range: bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` answers with ``ContentRange``
  (``bytes a-b/size``) and only those bytes; a range starting past the end is ``InvalidRange``
  (416); a range S3 cannot parse (or several ranges) is ignored and the whole object returned;
- ``IfMatch``/``IfUnmodifiedSince`` (412 ``PreconditionFailed``) and ``IfNoneMatch``/
  ``IfModifiedSince`` (304) on GetObject and HeadObject;
- a missing key or a current delete marker is ``NoSuchKey`` (HeadObject: ``404``/``Not Found``);
  a VersionId naming a delete marker is ``MethodNotAllowed``; an unknown VersionId
  ``NoSuchVersion``;
- DeleteObject is idempotent; DeleteObjects takes up to 1,000 keys (``MalformedXML`` beyond);
- CopyObject: ``CopySource`` as ``"bucket/key"``, ``"bucket/key?versionId=..."`` or a dict;
  ``MetadataDirective`` COPY (default) or REPLACE; copying an object onto itself without
  REPLACE is ``InvalidRequest``.

Every successful write or delete emits its event notification (:mod:`.notifications`).
Known deviation: a ranged GetObject answers HTTP 200 in ``ResponseMetadata`` (AWS: 206), because
the generated client sets the status.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import attrs

from ..kernel.clock import instant_to_us, us_to_datetime
from ..kernel.errors import SimError
from ..kernel.service import operation
from .body import StreamingBody, body_bytes
from .errors import (
    EntityTooLarge,
    InvalidArgument,
    InvalidRange,
    InvalidRequest,
    KeyTooLongError,
    MalformedXML,
    MetadataTooLarge,
    MethodNotAllowed,
    NoSuchKey,
    NoSuchVersion,
    NotFound,
    NotModified,
    PreconditionFailed,
)

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buckets import Bucket

MAX_KEY_BYTES = 1024
MAX_PUT_BYTES = 5 * 1024**3
MAX_METADATA_BYTES = 2 * 1024
MAX_DELETE_KEYS = 1000
_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
            "WebsiteRedirectLocation")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@attrs.define(eq=False, slots=True)
class ObjectVersion:
    key: str
    version_id: str
    last_modified_us: int
    data: bytes = b""
    etag: str = ""
    content_type: str = "binary/octet-stream"
    metadata: dict[str, str] = attrs.field(factory=dict)
    headers: dict[str, str] = attrs.field(factory=dict)
    delete_marker: bool = False
    storage_class: str = "STANDARD"
    parts_count: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidArgument("A key must be a non-empty string.")
    if len(key.encode()) > MAX_KEY_BYTES:
        raise KeyTooLongError()
    return key


def check_metadata(metadata: Any) -> dict[str, str]:
    if not metadata:
        return {}
    md = {str(k).lower(): str(v) for k, v in metadata.items()}
    if sum(len(k.encode()) + len(v.encode()) for k, v in md.items()) > MAX_METADATA_BYTES:
        raise MetadataTooLarge()
    return md


def parse_range(text: Any, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, None to ignore the header; InvalidRange when unsatisfiable."""
    if not isinstance(text, str):
        return None
    m = _RANGE.match(text.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):
        n = int(m.group(2))
        if n == 0 or size == 0:
            raise InvalidRange()
        return max(0, size - n), size - 1
    first = int(m.group(1))
    if m.group(2) and int(m.group(2)) < first:
        return None
    last = int(m.group(2)) if m.group(2) else size - 1
    if first >= size:
        raise InvalidRange()
    return first, min(last, size - 1)


def http_time(us: int) -> Any:
    """S3's Last-Modified header has whole seconds."""
    return us_to_datetime(us - us % 1_000_000)


def parse_copy_source(source: Any) -> tuple[str, str, str | None]:
    if isinstance(source, dict):
        return str(source.get("Bucket")), str(source.get("Key")), source.get("VersionId")
    if not isinstance(source, str) or "/" not in source.lstrip("/"):
        raise InvalidArgument("Copy Source must mention the source bucket and key: "
                              "sourcebucket/sourcekey")
    text = source.lstrip("/")
    version = None
    if "?versionId=" in text:
        text, version = text.split("?versionId=", 1)
    bucket, key = text.split("/", 1)
    return bucket, unquote(key), version


class ObjectOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        buckets: dict[str, Bucket]
        cloud: Cloud
        def get_bucket(self, name: Any) -> Bucket: ...
        def new_version_id(self, bucket: "Bucket") -> str: ...
        def notify(self, bucket: "Bucket", event_name: str, version: "ObjectVersion",
                   reason: str) -> None: ...
        def remove_version(self, bucket: "Bucket", key: str, version_id: str) -> "ObjectVersion | None": ...
        def store_version(self, bucket: "Bucket", version: "ObjectVersion") -> None: ...

    # -- helpers --------------------------------------------------------------------------
    def _read_version(self, bucket: "Bucket", key: str, version_id: Any, head: bool
                      ) -> ObjectVersion:
        versions = bucket.objects.get(key)
        if version_id is None:
            if not versions or versions[-1].delete_marker:
                raise NotFound() if head else NoSuchKey()
            return versions[-1]
        for v in versions or ():
            if v.version_id == version_id:
                if v.delete_marker:
                    raise MethodNotAllowed()
                return v
        raise NotFound() if head else NoSuchVersion()

    def _check_conditions(self, obj: ObjectVersion, request: dict[str, Any]) -> None:
        def etag_in(value: str) -> bool:
            tags = [t.strip().strip('"') for t in value.split(",")]
            return "*" in tags or obj.etag.strip('"') in tags

        modified = obj.last_modified_us - obj.last_modified_us % 1_000_000
        if request.get("IfMatch") is not None and not etag_in(request["IfMatch"]):
            raise PreconditionFailed()
        if request.get("IfUnmodifiedSince") is not None and request.get("IfMatch") is None:
            if modified > instant_to_us(request["IfUnmodifiedSince"]):
                raise PreconditionFailed()
        if request.get("IfNoneMatch") is not None and etag_in(request["IfNoneMatch"]):
            raise NotModified()
        if request.get("IfModifiedSince") is not None and request.get("IfNoneMatch") is None:
            if modified <= instant_to_us(request["IfModifiedSince"]):
                raise NotModified()

    def _describe(self, bucket: "Bucket", obj: ObjectVersion) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AcceptRanges": "bytes",
            "LastModified": http_time(obj.last_modified_us),
            "ContentLength": obj.size,
            "ETag": obj.etag,
        }
        if bucket.versioning is not None:
            out["VersionId"] = obj.version_id
        out.update(obj.headers)
        out["ContentType"] = obj.content_type
        out["Metadata"] = dict(obj.metadata)
        if obj.storage_class != "STANDARD":
            out["StorageClass"] = obj.storage_class
        if obj.parts_count is not None:
            out["PartsCount"] = obj.parts_count
        return out

    def write_object(self, bucket: "Bucket", key: str, data: bytes, *, content_type: str | None,
        metadata: dict[str, str], headers: dict[str, str], event: str, reason: str,
        etag: str | None = None, parts_count: int | None = None,
    ) -> ObjectVersion:
        version = ObjectVersion(
            key=key, version_id=self.new_version_id(bucket), last_modified_us=self.cloud.now_us,
            data=data, etag=etag or md5_etag(data),
            content_type=content_type or "binary/octet-stream", metadata=metadata,
            headers=headers, parts_count=parts_count,
        )
        self.store_version(bucket, version)
        self.notify(bucket, event, version, reason)
        return version

    def delete_key(self, bucket: "Bucket", key: str, version_id: Any, reason: str
                   ) -> dict[str, Any]:
        """DeleteObject's semantics for one key; returns the response fields."""
        if version_id is not None:
            removed = self.remove_version(bucket, key, version_id)
            out: dict[str, Any] = {"VersionId": version_id}
            if removed is not None:
                if removed.delete_marker:
                    out["DeleteMarker"] = True
                self.notify(bucket, "ObjectRemoved:Delete", removed, reason)
            return out
        if bucket.versioning is None:
            versions = bucket.objects.pop(key, None)
            if versions:
                self.notify(bucket, "ObjectRemoved:Delete", versions[-1], reason)
            return {}
        marker = ObjectVersion(key=key, version_id=self.new_version_id(bucket),
                               last_modified_us=self.cloud.now_us, delete_marker=True)
        self.store_version(bucket, marker)
        self.notify(bucket, "ObjectRemoved:DeleteMarkerCreated", marker, reason)
        return {"DeleteMarker": True, "VersionId": marker.version_id}

    # -- wire operations ------------------------------------------------------------------
    @operation("PutObject")
    def _put_object(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        key = check_key(request.get("Key"))
        try:
            data = body_bytes(request.get("Body"))
        except TypeError as exc:
            raise SimError(str(exc)) from None
        if len(data) > MAX_PUT_BYTES:
            raise EntityTooLarge()
        metadata = check_metadata(request.get("Metadata"))
        if request.get("ContentMD5") is not None:
            if base64.b64encode(hashlib.md5(data).digest()).decode() != request["ContentMD5"]:
                raise InvalidArgument("The Content-MD5 you specified did not match what we received.")
        headers = {h: str(request[h]) for h in _HEADERS if request.get(h) is not None}
        version = self.write_object(
            bucket, key, data, content_type=request.get("ContentType"), metadata=metadata,
            headers=headers, event="ObjectCreated:Put", reason="PutObject",
        )
        if request.get("StorageClass"):
            version.storage_class = str(request["StorageClass"])
        out: dict[str, Any] = {"ETag": version.etag}
        if bucket.versioning is not None:
            out["VersionId"] = version.version_id
        return out

    @operation("GetObject")
    def _get_object(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        obj = self._read_version(bucket, str(request.get("Key")), request.get("VersionId"), False)
        self._check_conditions(obj, request)
        out = self._describe(bucket, obj)
        rng = parse_range(request.get("Range"), obj.size) if request.get("Range") else None
        if rng is None:
            out["Body"] = StreamingBody(obj.data)
        else:
            first, last = rng
            out["ContentLength"] = last - first + 1
            out["ContentRange"] = f"bytes {first}-{last}/{obj.size}"
            out["Body"] = StreamingBody(obj.data[first:last + 1])
        return out

    @operation("HeadObject")
    def _head_object(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.buckets.get(request.get("Bucket"))  # type: ignore[arg-type]
        if bucket is None:
            raise NotFound()
        obj = self._read_version(bucket, str(request.get("Key")), request.get("VersionId"), True)
        self._check_conditions(obj, request)
        out = self._describe(bucket, obj)
        if request.get("Range"):
            rng = parse_range(request["Range"], obj.size)
            if rng is not None:
                out["ContentLength"] = rng[1] - rng[0] + 1
                out["ContentRange"] = f"bytes {rng[0]}-{rng[1]}/{obj.size}"
        return out

    @operation("DeleteObject")
    def _delete_object(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        key = check_key(request.get("Key"))
        return self.delete_key(bucket, key, request.get("VersionId"), "DeleteObject")

    @operation("DeleteObjects")
    def _delete_objects(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        spec = request.get("Delete") or {}
        objects = spec.get("Objects")
        if not isinstance(objects, list) or not objects or len(objects) > MAX_DELETE_KEYS:
            raise MalformedXML()
        for o in objects:
            check_key(o.get("Key") if isinstance(o, dict) else None)
        deleted = []
        for o in objects:
            result = self.delete_key(bucket, o["Key"], o.get("VersionId"), "DeleteObjects")
            entry: dict[str, Any] = {"Key": o["Key"]}
            if o.get("VersionId") is not None:
                entry["VersionId"] = o["VersionId"]
                if result.get("DeleteMarker"):
                    entry["DeleteMarker"] = True
                    entry["DeleteMarkerVersionId"] = o["VersionId"]
            elif result.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = result["VersionId"]
            deleted.append(entry)
        return {} if spec.get("Quiet") else {"Deleted": deleted}

    @operation("CopyObject")
    def _copy_object(self, request: dict[str, Any]) -> dict[str, Any]:
        src_bucket_name, src_key, src_version = parse_copy_source(request.get("CopySource"))
        src_bucket = self.get_bucket(src_bucket_name)
        versions = src_bucket.objects.get(src_key) or []
        if src_version is None:
            if not versions or versions[-1].delete_marker:
                raise NoSuchKey()
            src = versions[-1]
        else:
            found = [v for v in versions if v.version_id == src_version]
            if not found:
                raise NoSuchVersion()
            if found[0].delete_marker:
                raise InvalidRequest("The source of a copy request may not specifically refer to "
                                     "a delete marker by version id.")
            src = found[0]
        bucket = self.get_bucket(request.get("Bucket"))
        key = check_key(request.get("Key"))
        directive = request.get("MetadataDirective") or "COPY"
        if directive not in ("COPY", "REPLACE"):
            raise InvalidArgument("Unknown metadata directive.")
        if (bucket is src_bucket and key == src_key and directive == "COPY"
                and not request.get("StorageClass")):
            raise InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes."
            )
        if directive == "REPLACE":
            metadata = check_metadata(request.get("Metadata"))
            content_type = request.get("ContentType")
            headers = {h: str(request[h]) for h in _HEADERS if request.get(h) is not None}
        else:
            metadata, content_type, headers = dict(src.metadata), src.content_type, dict(src.headers)
        version = self.write_object(
            bucket, key, src.data, content_type=content_type, metadata=metadata, headers=headers,
            event="ObjectCreated:Copy", reason="CopyObject",
            etag=src.etag if src.parts_count is None else None,
        )
        out: dict[str, Any] = {"CopyObjectResult": {
            "ETag": version.etag, "LastModified": us_to_datetime(version.last_modified_us)}}
        if bucket.versioning is not None:
            out["VersionId"] = version.version_id
        if src_bucket.versioning is not None:
            out["CopySourceVersionId"] = src.version_id
        return out
