"""Who signed an HTTP request: AWS Signature Version 4, checked against the Cloud's identity store.

The endpoint answers as the caller, as AWS does: a request signed with credentials the Cloud's
IAM/STS issued (or any ``AKIA...`` / ``ASIA...`` key) runs as their principal, authorized by IAM (:func:`serverless_sim.iam.enforce.dispatch_as`);
placeholder keys (``testing``, ``x``) stay trusted, as on the bridge. The signature is
recomputed with the secret the store holds for the access key (the ``Authorization`` header, or a
presigned URL's ``X-Amz-*`` query parameters) and compared; a mismatch is AWS's
``SignatureDoesNotMatch`` / ``InvalidSignatureException``, an unknown key its
``InvalidClientTokenId`` / ``UnrecognizedClientException`` (the service's wording, from
:mod:`serverless_sim.iam.enforce`).

The canonical request follows AWS's "Create a signed AWS API request" (SigV4) page: the method;
the URI path, normalized (dot and empty segments removed) and URI-encoded once more except
for S3 (whose path is signed as sent); the query
parameters, each name and value URI-encoded (RFC 3986 unreserved characters kept) and sorted;
the signed headers, lower-case, values trimmed with inner runs of spaces collapsed; the
payload's SHA-256 (``x-amz-content-sha256`` when sent: S3's ``UNSIGNED-PAYLOAD`` and streaming
forms), over the bytes as received (before any gzip inflation). Not checked: the request time
against the clock (virtual time and wall time differ by design), and the chunk signatures of
S3's ``aws-chunked`` bodies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

import attrs

from .base import HttpRequest

if TYPE_CHECKING:
    from ...cloud import Cloud

__all__ = ["Signature", "parse_signature", "expected_signature", "verified_credentials"]

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<cred>[^,\s]+)\s*,\s*SignedHeaders=(?P<signed>[^,\s]+)\s*,"
    r"\s*Signature=(?P<sig>[0-9a-fA-F]+)"
)


@attrs.frozen
class Signature:
    """The parts of a SigV4 signature a request carries."""

    access_key: str
    date: str  # YYYYMMDD of the scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    presigned: bool
    session_token: str | None


def parse_signature(request: HttpRequest) -> Signature | None:
    """The request's SigV4 signature (header or presigned URL), or None if it has none."""
    auth = request.header("authorization") or ""
    m = _AUTH.search(auth)
    if m is not None:
        cred, signed, sig = m.group("cred"), m.group("signed"), m.group("sig")
        amz_date = request.header("x-amz-date") or ""
        token = request.header("x-amz-security-token")
        presigned = False
    elif "X-Amz-Signature=" in request.query:
        q = dict(query_pairs(request.query))
        cred, signed, sig = q.get("X-Amz-Credential", ""), q.get("X-Amz-SignedHeaders", ""), q.get("X-Amz-Signature", "")
        amz_date = q.get("X-Amz-Date", "")
        token = q.get("X-Amz-Security-Token")
        presigned = True
    else:
        return None
    parts = cred.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return None
    return Signature(parts[0], parts[1], parts[2], parts[3], tuple(signed.split(";")), sig.lower(),
                     amz_date, presigned, token)


def _normalized(path: str) -> str:
    """The path with ``.``/``..`` and empty segments removed (RFC 3986 section 5.2.4; SigV4
    normalizes every service's path but S3's), keeping a leading and a trailing slash."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if kept:
                kept.pop()
        elif segment and segment != ".":
            kept.append(segment)
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") and kept else ""
    return lead + "/".join(kept) + trail


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query's (name, value) pairs, percent-decoded, blanks kept, in order.

    A literal ``+`` stays a ``+`` (and is signed as ``%2B``): SigV4 percent-encodes each name and
    value per RFC 3986, where ``+`` is not a space (form decoding, as ``parse_qsl`` does, would
    canonicalize it as ``%20`` and refuse a correct signature)."""
    out = []
    for part in query.split("&"):
        if part:
            name, _, value = part.partition("=")
            out.append((unquote(name), unquote(value)))
    return out


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_request(request: HttpRequest, sig: Signature) -> str:
    path = request.path or "/"
    uri = path if sig.service == "s3" else quote(_normalized(path), safe="/~")
    pairs = [
        (_encode(k), _encode(v))
        for k, v in query_pairs(request.query)
        if not (sig.presigned and k == "X-Amz-Signature")
    ]
    query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    headers = "".join(
        f"{name}:{' '.join((request.header(name) or '').split())}\n" for name in sig.signed_headers
    )
    payload_hash = request.header("x-amz-content-sha256")
    if payload_hash is None:
        payload_hash = "UNSIGNED-PAYLOAD" if sig.presigned and sig.service == "s3" else \
            hashlib.sha256(request.raw_body if request.raw_body is not None else request.body).hexdigest()
    return "\n".join([request.method, uri, query, headers, ";".join(sig.signed_headers), payload_hash])


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def expected_signature(request: HttpRequest, sig: Signature, secret: str) -> str:
    """The signature ``secret`` gives this request (hex)."""
    scope = f"{sig.date}/{sig.region}/{sig.service}/aws4_request"
    to_sign = "\n".join([
        "AWS4-HMAC-SHA256", sig.amz_date, scope,
        hashlib.sha256(canonical_request(request, sig).encode("utf-8")).hexdigest(),
    ])
    key = _hmac(("AWS4" + secret).encode("utf-8"), sig.date)
    for part in (sig.region, sig.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verified_credentials(cloud: "Cloud", request: HttpRequest) -> dict[str, str | None] | None:
    """The credentials to run ``request`` as (for ``dispatch_as``), or None to run it trusted.

    None for unsigned requests and placeholder keys (not ``AKIA``/``ASIA``...). Otherwise
    the access key with the store's secret when the signature matches it, or with no secret
    (which ``dispatch_as`` rejects with the service's signature error) when it does not."""
    from ...iam.enforce import looks_issued

    sig = parse_signature(request)
    if sig is None:
        return None
    if not looks_issued(sig.access_key):
        return None  # a placeholder key (``testing``): trusted, as on the bridge (the store
        # issues only AKIA.../ASIA... keys, so it is not consulted, nor IAM made, for these)
    from ...iam.service import store_of

    cred = store_of(cloud).credentials.get(sig.access_key)
    secret = None
    if cred is not None and hmac.compare_digest(expected_signature(request, sig, cred.secret), sig.signature):
        secret = cred.secret
    return {"AccessKeyId": sig.access_key, "SecretAccessKey": secret, "SessionToken": sig.session_token}
