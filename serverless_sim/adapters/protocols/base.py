"""What every wire protocol of the HTTP endpoint shares: the request and response it sees,
botocore's service models, and the call into a service.

The protocol modules (``json_``, ``cbor``, ``query``, ``rest_json``, ``rest_xml``) each export::

    handle(cloud, service_model, request: HttpRequest) -> HttpResponse

They parse ``request`` into the parameters a boto3 client would pass after validation (``bytes``
for blobs, aware ``datetime`` for timestamps, ``int``/``float``/``bool``/``str`` as modelled),
call :func:`call`, and serialize either the result (the dict botocore's parser would return,
without ``ResponseMetadata``) or the :class:`~serverless_sim.kernel.errors.AWSError` as the
protocol puts it on the wire. The model is botocore's (the ``boto3`` extra): the endpoint needs
it only for the services outside its hand-written JSON path (DynamoDB, Streams, Logs).
"""

from __future__ import annotations

import contextvars
import email.utils
import functools
import re
from typing import TYPE_CHECKING, Any, Mapping

import attrs

from ...kernel.errors import AWSError
from ...services import SERVICES

if TYPE_CHECKING:
    import botocore.model

    from ...cloud import Cloud

__all__ = ["HttpRequest", "HttpResponse", "body_bytes", "call", "service_model", "signing_name", "http_date"]


@attrs.define
class HttpRequest:
    """One HTTP request as received.

    ``path`` is the raw (percent-encoded) path without the query; ``query`` the raw query string
    (without ``?``); ``headers`` has lower-case names; ``body`` is already decompressed.
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    #: The body exactly as received when the server inflated it (gzip): what SigV4 signed.
    raw_body: bytes | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@attrs.define
class HttpResponse:
    """What the endpoint sends back (``Content-Length`` is added by the server)."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


@functools.lru_cache(maxsize=None)
def service_model(service_name: str) -> "botocore.model.ServiceModel":
    """botocore's model of a boto3 service name (loaded once per process)."""
    import botocore.session

    return _botocore_session().get_service_model(service_name)


@functools.lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/aws4_request")


def signing_name(request: HttpRequest) -> str | None:
    """The service a SigV4-signed request was signed for (``Authorization`` header or the
    ``X-Amz-Credential`` query parameter of a presigned URL), e.g. ``sqs``, ``monitoring``."""
    auth = request.header("authorization") or ""
    m = _SCOPE.search(auth)
    if m is None and "X-Amz-Credential=" in request.query:
        from urllib.parse import parse_qs

        cred = parse_qs(request.query).get("X-Amz-Credential", [""])[0]
        m = _SCOPE.search("Credential=" + cred)
    return m.group(1) if m else None


def body_bytes(value: Any) -> bytes:
    """A payload member as the bytes sent: ``bytes``-like as is, ``str`` as UTF-8, a readable
    (``StreamingBody``, file) read whole, None as empty."""
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(f"cannot send {type(value).__name__} as a body")


def http_date(cloud: "Cloud") -> str:
    """The ``Date`` header for the Cloud's current (virtual) instant."""
    return email.utils.formatdate(cloud.time(), usegmt=True)


#: The request being answered (set by the router around a protocol module's ``handle``), so
#: :func:`call` can run it as whoever signed it.
CURRENT_REQUEST: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "serverless_sim_current_request", default=None)


def call(cloud: "Cloud", service_name: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one operation of a simulated service as the boto3 bridge does; returns the parsed
    result or raises :class:`AWSError`. Records the call in the Cloud's trace.

    A request signed with credentials the Cloud issued (or any, when it enforces IAM) runs as
    their principal, authorized by IAM (:mod:`.sigv4`); others run trusted."""
    if service_name not in SERVICES:  # pragma: no cover - the router checks first
        raise KeyError(service_name)
    service = cloud.service(service_name)
    request = CURRENT_REQUEST.get()
    try:
        creds = None
        if request is not None:
            from .sigv4 import verified_credentials

            creds = verified_credentials(cloud, request)
        if creds is None and not getattr(cloud, "enforce_iam", False):
            result = service.dispatch(operation, params)
        else:
            from ...iam.enforce import dispatch_as

            result = dispatch_as(cloud, service, operation, params, creds)
    except AWSError as err:
        cloud.trace.record(service_name, "api_call", operation=operation, error=err.code)
        raise
    cloud.trace.record(service_name, "api_call", operation=operation)
    return result
