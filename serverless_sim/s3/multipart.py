"""Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
AbortMultipartUpload, ListParts, ListMultipartUploads (UploadPartCopy is not modelled).

Modelled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): part numbers
1-10,000; every part but the last at least 5 MiB (``EntityTooSmall`` at completion); parts up to
5 GiB; the completed object's ETag is the MD5 of the concatenated binary MD5s of its parts,
then ``-`` and the number of parts (quoted); parts listed out of order are ``InvalidPartOrder``,
unknown parts or ETags ``InvalidPart``; an unknown or finished upload is ``NoSuchUpload``.
Completion emits ``ObjectCreated:CompleteMultipartUpload``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import us_to_datetime
from ..kernel.service import operation
from .body import body_bytes
from .errors import (
    EntityTooLarge,
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    MalformedXML,
    NoSuchUpload,
)
from .objects import check_key, check_metadata, md5_etag

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .buckets import Bucket
    from .objects import ObjectVersion

MIN_PART_BYTES = 5 * 1024**2
MAX_PART_BYTES = 5 * 1024**3
MAX_PARTS = 10_000
#: ListMultipartUploads' largest (and default) page.
MAX_UPLOADS_PAGE = 1000


@attrs.define(eq=False)
class Upload:
    upload_id: str
    key: str
    initiated_us: int
    content_type: str | None
    metadata: dict[str, str]
    #: part number -> (etag, data, uploaded at)
    parts: dict[int, tuple[str, bytes, int]] = attrs.field(factory=dict)


class MultipartOps:
    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        def get_bucket(self, name: Any) -> Bucket: ...
        def owner(self) -> dict[str, str]: ...
        def write_object(self, bucket: "Bucket", key: str, data: bytes, *, content_type: str | None,
            metadata: dict[str, str], headers: dict[str, str], event: str, reason: str,
            etag: str | None = None, parts_count: int | None = None,
        ) -> ObjectVersion: ...

    def _upload(self, bucket: "Bucket", request: dict[str, Any]) -> Upload:
        upload = bucket.uploads.get(request.get("UploadId"))  # type: ignore[arg-type]
        if upload is None or upload.key != request.get("Key"):
            raise NoSuchUpload()
        return upload

    @operation("CreateMultipartUpload")
    def _create_multipart_upload(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        key = check_key(request.get("Key"))
        upload_id = self.cloud.streams.hex_id("s3/upload-ids", 32)
        bucket.uploads[upload_id] = Upload(upload_id, key, self.cloud.now_us,
                                           request.get("ContentType"),
                                           check_metadata(request.get("Metadata")))
        return {"Bucket": bucket.name, "Key": key, "UploadId": upload_id}

    @operation("UploadPart")
    def _upload_part(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        upload = self._upload(bucket, request)
        number = request.get("PartNumber")
        if not isinstance(number, int) or not 1 <= number <= MAX_PARTS:
            raise InvalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        data = body_bytes(request.get("Body"))
        if len(data) > MAX_PART_BYTES:
            raise EntityTooLarge()
        etag = md5_etag(data)
        upload.parts[number] = (etag, data, self.cloud.now_us)
        return {"ETag": etag}

    @operation("CompleteMultipartUpload")
    def _complete_multipart_upload(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        upload = self._upload(bucket, request)
        parts = (request.get("MultipartUpload") or {}).get("Parts")
        if not isinstance(parts, list) or not parts:
            raise MalformedXML()
        numbers = [p.get("PartNumber") for p in parts]
        if any(not isinstance(n, int) for n in numbers):
            raise MalformedXML()
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise InvalidPartOrder()
        chosen = []
        for p in parts:
            have = upload.parts.get(p["PartNumber"])
            if have is None or have[0].strip('"') != str(p.get("ETag", "")).strip('"'):
                raise InvalidPart()
            chosen.append(have)
        for _etag, data, _at in chosen[:-1]:
            if len(data) < MIN_PART_BYTES:
                raise EntityTooSmall()
        digest = hashlib.md5(b"".join(hashlib.md5(d).digest() for _, d, _ in chosen)).hexdigest()
        etag = f'"{digest}-{len(chosen)}"'
        del bucket.uploads[upload.upload_id]
        version = self.write_object(
            bucket, upload.key, b"".join(d for _, d, _ in chosen),
            content_type=upload.content_type, metadata=upload.metadata, headers={},
            event="ObjectCreated:CompleteMultipartUpload", reason="CompleteMultipartUpload",
            etag=etag, parts_count=len(chosen),
        )
        out: dict[str, Any] = {
            "Location": f"https://{bucket.name}.s3.amazonaws.com/{upload.key}",
            "Bucket": bucket.name, "Key": upload.key, "ETag": etag,
        }
        if bucket.versioning is not None:
            out["VersionId"] = version.version_id
        return out

    @operation("AbortMultipartUpload")
    def _abort_multipart_upload(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        upload = self._upload(bucket, request)
        del bucket.uploads[upload.upload_id]
        return {}

    @operation("ListParts")
    def _list_parts(self, request: dict[str, Any]) -> dict[str, Any]:
        bucket = self.get_bucket(request.get("Bucket"))
        upload = self._upload(bucket, request)
        marker = int(request.get("PartNumberMarker") or 0)
        max_parts = int(request.get("MaxParts") or 1000)
        numbers = [n for n in sorted(upload.parts) if n > marker]
        page = numbers[:max_parts]
        out: dict[str, Any] = {
            "Bucket": bucket.name, "Key": upload.key, "UploadId": upload.upload_id,
            "PartNumberMarker": marker, "MaxParts": max_parts,
            "IsTruncated": len(numbers) > max_parts,
            "Parts": [{"PartNumber": n, "LastModified": us_to_datetime(upload.parts[n][2]),
                       "ETag": upload.parts[n][0], "Size": len(upload.parts[n][1])}
                      for n in page],
            "StorageClass": "STANDARD",
        }
        if out["IsTruncated"]:
            out["NextPartNumberMarker"] = page[-1]
        return out

    @operation("ListMultipartUploads")
    def _list_multipart_uploads(self, request: dict[str, Any]) -> dict[str, Any]:
        """In-progress uploads in key order, uploads of one key oldest first, pages of
        ``MaxUploads`` (default and at most 1,000); ``KeyMarker`` resumes after that key or,
        with ``UploadIdMarker``, after that upload of it (``UploadIdMarker`` alone is ignored);
        ``Delimiter`` rolls keys up into ``CommonPrefixes``, which count towards the page
        (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html).
        Deviation: AWS compares an unknown ``UploadIdMarker`` with the upload ids; ours resumes
        after the marker's position, and an id it does not know resumes after the whole key.
        O(u log u) for u uploads in the bucket."""
        bucket = self.get_bucket(request.get("Bucket"))
        prefix = request.get("Prefix") or ""
        delimiter = str(request.get("Delimiter") or "")
        key_marker = request.get("KeyMarker") or ""
        id_marker = (request.get("UploadIdMarker") or "") if key_marker else ""
        limit = request.get("MaxUploads")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise InvalidArgument("Argument max-uploads must be an integer between 0 and 2147483647")
        max_uploads = MAX_UPLOADS_PAGE if limit is None else min(limit, MAX_UPLOADS_PAGE)
        ordered = sorted((u for u in bucket.uploads.values() if u.key.startswith(prefix)),
                         key=lambda u: (u.key, u.initiated_us))  # stable: creation order breaks ties
        if key_marker:
            same = [u.upload_id for u in ordered if u.key == key_marker]
            skip = same.index(id_marker) + 1 if id_marker in same else len(same)
            ordered = ([u for u in ordered if u.key == key_marker][skip:]
                       + [u for u in ordered if u.key > key_marker])
        # Entries in order: an upload, or a common prefix standing for every key under it.
        entries: list[tuple[str, Upload | None]] = []
        for u in ordered:
            cut = u.key.find(delimiter, len(prefix)) if delimiter else -1
            if cut < 0:
                entries.append((u.key, u))
                continue
            cp = u.key[: cut + len(delimiter)]
            if cp <= key_marker and key_marker.startswith(cp):
                continue  # the marker is inside this prefix: it was listed already
            if not entries or entries[-1] != (cp, None):
                entries.append((cp, None))
        page = entries[:max_uploads]
        out: dict[str, Any] = {"Bucket": bucket.name, "KeyMarker": key_marker, "UploadIdMarker": id_marker,
                               "Prefix": prefix, "MaxUploads": max_uploads,
                               "IsTruncated": len(page) < len(entries)}
        if delimiter:
            out["Delimiter"] = delimiter
        if out["IsTruncated"]:
            last_key, last = page[-1]
            out["NextKeyMarker"] = last_key
            out["NextUploadIdMarker"] = last.upload_id if last is not None else ""
        uploads = [u for _, u in page if u is not None]
        if uploads:
            owner = self.owner()
            out["Uploads"] = [{"UploadId": u.upload_id, "Key": u.key,
                               "Initiated": us_to_datetime(u.initiated_us),
                               "StorageClass": "STANDARD", "Owner": dict(owner),
                               "Initiator": dict(owner)} for u in uploads]
        prefixes = [cp for cp, u in page if u is None]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": cp} for cp in prefixes]
        return out
