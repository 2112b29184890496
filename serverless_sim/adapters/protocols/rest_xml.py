"""REST-XML: Amazon S3 over HTTP (https://docs.aws.amazon.com/AmazonS3/latest/API/).

The operation is found by :func:`.rest.match_operation` (method, path template with greedy
``{Key+}``, the literal query of templates such as ``/{Bucket}?list-type=2`` or
``/{Bucket}/{Key+}?uploads``, required query/header members: UploadPart's ``partNumber``,
CopyObject's ``x-amz-copy-source``); its URI, query-string, header and ``x-amz-meta-*`` members
are bound by :func:`.rest.bind_request`; the payload member is the raw body (PutObject,
UploadPart) or an XML document read by the shape (CreateBucketConfiguration, Delete,
CompleteMultipartUpload, NotificationConfiguration, LifecycleConfiguration,
VersioningConfiguration; :mod:`.xml_util`).

Addressing: path style (``http://host/bucket/key``) and virtual-hosted style, where the Host
header names the bucket: ``bucket.s3.amazonaws.com``, ``bucket.s3.<region>.amazonaws.com``,
``bucket.s3-<region>.amazonaws.com`` or ``bucket.localhost[:port]`` (so
``addressing_style="virtual"`` with ``--endpoint-url http://localhost:PORT`` works where
``*.localhost`` resolves to the loopback).

Bodies: ``Content-Encoding: aws-chunked`` (``x-amz-content-sha256: STREAMING-...``) is decoded
here: ``size;chunk-signature=...`` lines, then trailer headers (``x-amz-checksum-crc32: ...``);
``aws-chunked`` is removed from the stored ``Content-Encoding``. Chunk signatures are not checked.
``x-amz-checksum-crc32``/``-sha1``/``-sha256`` (header or trailer) are verified (``400
BadDigest`` when wrong) and echoed in the answer where the model has the member (PutObject,
UploadPart); other algorithms (CRC32C, CRC64NVME) are echoed unverified. GetObject does not
return stored checksums (the simulated S3 keeps none), so botocore skips response validation.

Answers: headers from the output's ``header``/``headers`` members (``ETag``, ``Last-Modified``,
``Content-Length``, ``x-amz-meta-*``, ``x-amz-version-id``...), the object's bytes for
GetObject (``206`` with ``Content-Range`` for a ranged read), else an XML document rooted at
S3's element name (``ListBucketResult``, ``InitiateMultipartUploadResult``...) in S3's
namespace; the modelled status (204 for deletes). Errors are S3's document
``<Error><Code/><Message/><Key|BucketName|UploadId/><RequestId/><HostId/></Error>`` with the
error's status; HEAD requests and ``304`` answers have no body (botocore then reports the status
as the code, ``"404"``).

Served: every operation the Cloud's S3 simulates (``cloud.service("s3").operations``); any other
S3 operation (tagging, ACLs, policies, CORS, website...) is answered ``501 NotImplemented``.
Not modelled here: signatures (never checked), presigned-URL expiry, POST object uploads (HTML
forms), ``x-amz-tagging`` on PutObject.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import traceback
import zlib
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import quote

from ...kernel.errors import AWSError
from .base import HttpRequest, HttpResponse, body_bytes, call, http_date
from .rest import BindingError, bind_request, bind_response, match_operation, parse_query, payload_member
from .xml_util import XmlShapeError, escape, from_xml, parse_document, read_members, to_xml, write_members

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["handle", "decode_aws_chunked", "virtual_host_bucket", "S3_NAMESPACE"]

S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

#: The root element of each answer whose output has body members (S3's names; the model does
#: not carry them).
ROOT_ELEMENTS = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLocation": "LocationConstraint",
    "GetObjectTagging": "Tagging",
    "GetBucketTagging": "Tagging",
}

#: Which request member an error document names (``<Key>`` for NoSuchKey...).
_ERROR_FIELDS = {
    "NoSuchKey": ("Key", "Key"),
    "NoSuchBucket": ("BucketName", "Bucket"),
    "BucketAlreadyOwnedByYou": ("BucketName", "Bucket"),
    "BucketAlreadyExists": ("BucketName", "Bucket"),
    "BucketNotEmpty": ("BucketName", "Bucket"),
    "NoSuchUpload": ("UploadId", "UploadId"),
    "NoSuchVersion": ("VersionId", "VersionId"),
}

_VHOST = re.compile(r"^(?P<bucket>.+?)\.(?:s3[.-][^:]*|localhost)$", re.IGNORECASE)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")

#: Checksum algorithms verified on upload: header name -> digest of the data.
_CHECKSUMS = {
    "x-amz-checksum-crc32": lambda data: (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"),
    "x-amz-checksum-sha1": lambda data: hashlib.sha1(data).digest(),
    "x-amz-checksum-sha256": lambda data: hashlib.sha256(data).digest(),
}


class _S3Error(Exception):
    def __init__(self, status: int, code: str, message: str, **fields: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields


# -- addressing -------------------------------------------------------------------------------
def virtual_host_bucket(host: str | None) -> str | None:
    """The bucket a virtual-hosted-style Host header names, or None for path style."""
    if not host:
        return None
    name = host.strip()
    if name.startswith("["):  # IPv6 literal
        return None
    name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    if _IPV4.match(name):
        return None
    m = _VHOST.match(name)
    if m is None:
        return None
    bucket = m.group("bucket")
    if bucket.lower() == "s3" or bucket.lower().startswith(("s3.", "s3-")):
        return None
    return bucket


# -- bodies -----------------------------------------------------------------------------------
def decode_aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """The data and the trailer headers (lower-case names) of an ``aws-chunked`` body."""
    chunks: list[bytes] = []
    pos = 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            raise _S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
        try:
            size = int(body[pos:end].split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise _S3Error(400, "InvalidChunkSizeError",
                           "Only the last chunk is allowed to have a size less than 8192 bytes") from None
        pos = end + 2
        if size == 0:
            break
        if pos + size > len(body):
            raise _S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
        chunks.append(body[pos:pos + size])
        pos += size
        if body[pos:pos + 2] == b"\r\n":
            pos += 2
    trailers: dict[str, str] = {}
    for line in body[pos:].split(b"\r\n"):
        if not line.strip():
            continue
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            trailers[name.strip().lower()] = value.strip()
    return b"".join(chunks), trailers


def _request_body(request: HttpRequest) -> tuple[bytes, dict[str, str]]:
    """The body's bytes and the headers to bind (trailers merged, ``aws-chunked`` removed)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    body = request.body
    encoding = headers.get("content-encoding", "")
    codings = [c.strip() for c in encoding.split(",") if c.strip()]
    streaming = headers.get("x-amz-content-sha256", "").startswith("STREAMING-")
    if "aws-chunked" in [c.lower() for c in codings] or streaming:
        body, trailers = decode_aws_chunked(body)
        trailers.pop("x-amz-trailer-signature", None)
        headers.update(trailers)
        rest = [c for c in codings if c.lower() != "aws-chunked"]
        if rest:
            headers["content-encoding"] = ",".join(rest)
        else:
            headers.pop("content-encoding", None)
        declared = headers.get("x-amz-decoded-content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) != len(body):
            raise _S3Error(400, "IncompleteBody",
                           "You did not provide the number of bytes specified by the Content-Length HTTP header")
    for name, digest in _CHECKSUMS.items():
        given = headers.get(name)
        if given is not None and base64.b64encode(digest(body)).decode() != given.strip():
            algorithm = name.rsplit("-", 1)[1].upper()
            raise _S3Error(400, "BadDigest",
                           f"The {algorithm} you specified did not match the calculated checksum.")
    return body, headers


# -- answers ----------------------------------------------------------------------------------
_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _xml_body(operation_model: "botocore.model.OperationModel", rest: dict[str, Any]) -> bytes | None:
    shape = operation_model.output_shape
    if shape is None:
        return None
    ns = f' xmlns="{S3_NAMESPACE}"'
    payload = payload_member(shape)
    if payload is not None:
        name, member = payload
        if member.type_name in ("blob", "string"):
            return body_bytes(rest.get(name))
        if rest.get(name) is None:
            return None
        root = str(member.serialization.get("name", name))
        return (_XML_DECL + to_xml(member, rest[name], root, extra_attrs=ns)).encode("utf-8")
    if not any(not m.serialization.get("location") for m in shape.members.values()):
        return None
    root = ROOT_ELEMENTS.get(operation_model.name) or str(shape.serialization.get("name", f"{operation_model.name}Result"))
    if operation_model.name == "GetBucketLocation":  # the constraint is the root's text
        text = rest.get("LocationConstraint") or ""
        return f"{_XML_DECL}<{root}{ns}>{escape(str(text))}</{root}>".encode("utf-8")
    out = [f"{_XML_DECL}<{root}{ns}>"]
    write_members(out, shape, rest)
    out.append(f"</{root}>")
    return "".join(out).encode("utf-8")


def _error(status: int, code: str, message: str, fields: Mapping[str, Any], request_id: str,
           headers: dict[str, str], head: bool) -> HttpResponse:
    headers = dict(headers)
    if head or status == 304:
        return HttpResponse(status, headers, b"")
    parts = [f"{_XML_DECL}<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"]
    for name, value in fields.items():
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            parts.append(f"<{name}>{escape(str(value))}</{name}>")
    parts.append(f"<RequestId>{escape(request_id)}</RequestId>"
                 f"<HostId>{escape(headers['x-amz-id-2'])}</HostId></Error>")
    headers["Content-Type"] = "application/xml"
    return HttpResponse(status, headers, "".join(parts).encode("utf-8"))


def error_fields(err: AWSError, params: Mapping[str, Any]) -> dict[str, Any]:
    """The extra elements of S3's ``<Error>`` document for ``err`` (``Key``, ``BucketName``...),
    from the error and the request's parameters (the bridge adds the same to ``Error``)."""
    fields: dict[str, Any] = {}
    spec = _ERROR_FIELDS.get(err.code)
    if spec is not None and params.get(spec[1]) is not None:
        fields[spec[0]] = params[spec[1]]
    for k, v in err.extra.items():
        fields.setdefault(k, v)
    return fields


_MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"


def parse_request(service_model: "botocore.model.ServiceModel", request: HttpRequest
                  ) -> tuple["botocore.model.OperationModel", dict[str, Any], dict[str, str]]:
    """The operation, the parameters a boto3 client would pass, and the request's headers
    (trailers merged). Raises the S3 error a malformed request gets."""
    path = request.path or "/"
    bucket = virtual_host_bucket(request.header("host"))
    if bucket is not None:
        path = "/" + quote(bucket, safe="") + (path if path != "/" else "")
    query = parse_query(request.query)
    body, headers = _request_body(request)
    method = request.method.upper()
    found = match_operation(service_model, method, path, query, headers)
    if found is None:
        raise _S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                       Method=method, ResourceType="OBJECT" if path.strip("/").count("/") else "BUCKET")
    operation_model, labels = found
    try:
        params = bind_request(operation_model, labels, query, headers)
    except BindingError as exc:
        raise _S3Error(400, "InvalidArgument", str(exc)) from None
    shape = operation_model.input_shape
    payload = payload_member(shape)
    try:
        if payload is not None:
            name, member = payload
            if member.type_name in ("blob", "string"):
                params[name] = body
            elif body.strip():
                params[name] = from_xml(member, parse_document(body))
        elif shape is not None and body.strip() and any(
                not m.serialization.get("location") for m in shape.members.values()):
            params.update(read_members(shape, parse_document(body)))
    except XmlShapeError:
        raise _S3Error(400, "MalformedXML", _MALFORMED) from None
    return operation_model, params, headers


# -- the handler ------------------------------------------------------------------------------
def s3_request_ids(cloud: "Cloud") -> tuple[str, str]:
    """S3's request id (16 upper-case hex digits) and host id (``x-amz-id-2``), from the Cloud's
    request-id stream (the bridge uses the same, so both answer alike)."""
    request_id = cloud.request_id().replace("-", "")[:16].upper()
    return request_id, base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()


def handle(cloud: "Cloud", service_model: "botocore.model.ServiceModel", request: HttpRequest) -> HttpResponse:
    """Answer one S3 REST request."""
    request_id, host_id = s3_request_ids(cloud)
    headers = {"x-amz-request-id": request_id, "x-amz-id-2": host_id, "Date": http_date(cloud)}
    head = request.method.upper() == "HEAD"
    params: dict[str, Any] = {}
    try:
        operation_model, params, req_headers = parse_request(service_model, request)
        if operation_model.name not in cloud.service("s3").operations:
            raise _S3Error(501, "NotImplemented",
                           f"A header you provided implies functionality that is not implemented "
                           f"(serverless_sim does not simulate S3 {operation_model.name})")
        try:
            result = call(cloud, "s3", operation_model.name, params)
        except AWSError as err:
            return _error(err.status, err.code, err.message, error_fields(err, params), request_id, headers, head)
        result = dict(result)
        out_shape = operation_model.output_shape
        if out_shape is not None:  # echo the checksums the client sent, where modelled
            for member_name, member in out_shape.members.items():
                wire = str(member.serialization.get("name", "")).lower()
                if (member.serialization.get("location") == "header" and wire.startswith("x-amz-checksum-")
                        and wire in req_headers and member_name not in result):
                    result[member_name] = req_headers[wire]
        status, out_headers, rest = bind_response(operation_model, result)
        if operation_model.name == "GetObject" and result.get("ContentRange"):
            status = 206
        headers.update(out_headers)
        out_payload = payload_member(out_shape)
        raw = out_payload is not None and out_payload[1].type_name in ("blob", "string")
        content = b"" if head else (_xml_body(operation_model, rest) or b"")
        if content and not raw:
            headers["Content-Type"] = "application/xml"
        if not head:  # the server counts the bytes it sends; HEAD keeps the object's length
            headers.pop("Content-Length", None)
        return HttpResponse(status, headers, content)
    except _S3Error as exc:
        return _error(exc.status, exc.code, exc.message, exc.fields, request_id, headers, head)
    except Exception as exc:  # a simulator bug: answer 500 as AWS would, and say why
        traceback.print_exc(file=sys.stderr)
        return _error(500, "InternalError", f"serverless_sim internal error: {type(exc).__name__}: {exc}",
                      {}, request_id, headers, head)
