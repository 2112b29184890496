"""Amazon S3's error codes, one class each, with AWS's messages and HTTP statuses.

Source: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList.
HEAD requests have no body, so botocore reports their errors with the HTTP status as the code
(``"404"``, message ``"Not Found"``): :class:`NotFound` models that.
"""

from __future__ import annotations

from ..kernel.errors import AWSError


class S3Error(AWSError):
    service = "s3"


def _err(code: str, status: int, message: str) -> type[S3Error]:
    return type(code, (S3Error,), {"code": code, "status": status, "default_message": message,
                                   "__doc__": f"S3 ``{code}`` (HTTP {status})."})


NoSuchBucket = _err("NoSuchBucket", 404, "The specified bucket does not exist")
NoSuchKey = _err("NoSuchKey", 404, "The specified key does not exist.")
NoSuchVersion = _err("NoSuchVersion", 404, "The specified version does not exist.")
NoSuchUpload = _err(
    "NoSuchUpload", 404,
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have "
    "been aborted or completed.",
)
NoSuchLifecycleConfiguration = _err(
    "NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"
)
BucketAlreadyExists = _err(
    "BucketAlreadyExists", 409,
    "The requested bucket name is not available. The bucket namespace is shared by all users of "
    "the system. Please select a different name and try again.",
)
BucketAlreadyOwnedByYou = _err(
    "BucketAlreadyOwnedByYou", 409,
    "Your previous request to create the named bucket succeeded and you already own it.",
)
BucketNotEmpty = _err("BucketNotEmpty", 409, "The bucket you tried to delete is not empty")
InvalidBucketName = _err("InvalidBucketName", 400, "The specified bucket is not valid.")
InvalidRange = _err("InvalidRange", 416, "The requested range is not satisfiable")
InvalidArgument = _err("InvalidArgument", 400, "Invalid Argument")
InvalidRequest = _err("InvalidRequest", 400, "Invalid Request")
MalformedXML = _err(
    "MalformedXML", 400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)
InvalidPart = _err(
    "InvalidPart", 400,
    "One or more of the specified parts could not be found.  The part may not have been "
    "uploaded, or the specified entity tag may not match the part's entity tag.",
)
InvalidPartOrder = _err(
    "InvalidPartOrder", 400,
    "The list of parts was not in ascending order. Parts must be ordered by part number.",
)
EntityTooSmall = _err(
    "EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."
)
EntityTooLarge = _err(
    "EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."
)
KeyTooLongError = _err("KeyTooLongError", 400, "Your key is too long")
MetadataTooLarge = _err(
    "MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size"
)
MethodNotAllowed = _err(
    "MethodNotAllowed", 405, "The specified method is not allowed against this resource."
)
PreconditionFailed = _err(
    "PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"
)
NotModified = _err("304", 304, "Not Modified")
NotFound = _err("404", 404, "Not Found")
NotFound.__name__ = NotFound.__qualname__ = "NotFound"
NotModified.__name__ = NotModified.__qualname__ = "NotModified"

#: Exposed as ``client.exceptions.<Code>`` (botocore's S3 client has these modelled errors).
ERRORS: dict[str, type[AWSError]] = {
    cls.code: cls
    for cls in (NoSuchBucket, NoSuchKey, NoSuchUpload, BucketAlreadyExists,
                BucketAlreadyOwnedByYou)
}
