"""IAM authorization (``AWS_IAM``) of REST API methods and HTTP API routes.

AWS: "Control access to a REST API with IAM permissions"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html), "Control access
to HTTP APIs with IAM authorization"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html).
The client signs the request with SigV4 for the service ``execute-api``; API Gateway recomputes
the signature with the secret of the access key (path as sent, stage included; raw query;
signed headers; body), resolves the key to its principal (an IAM user, or an assumed-role
session with its session token), and asks IAM whether that principal may
``execute-api:Invoke`` the method ARN
``arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{path}`` (identity-based
policies, permissions boundary, session policy; an explicit Deny wins; wildcards in the policy's
resource match, as IAM matches them).

Refusals (all 403; bodies as the re:Post articles "How do I troubleshoot HTTP 403 errors from API
Gateway?" and "How do I troubleshoot signature mismatch errors when making SigV4 signed requests
with IAM authentication to API Gateway?" quote them):

- no signature: REST ``{"message":"Missing Authentication Token"}``
  (``MissingAuthenticationTokenException``), HTTP API ``{"message":"Forbidden"}``;
- an ``Authorization`` header that is not SigV4: REST ``IncompleteSignatureException`` naming the
  missing parts (wording from observed API Gateway answers; not in AWS's documentation), HTTP
  API ``{"message":"Forbidden"}``;
- an unknown, deactivated or deleted key, or a session key without its session token:
  ``{"message":"The security token included in the request is invalid."}``;
- a wrong secret (or a signature over other bytes, or scoped to another service or Region):
  ``{"message":"The request signature we calculated does not match the signature you
  provided. Check your AWS Secret Access Key and signing method. Consult the service
  documentation for details."}``;
- an expired session: ``{"message":"The security token included in the request is expired"}``;
- not allowed: ``{"Message":"User: <principal arn> is not authorized to perform:
  execute-api:Invoke on resource: <method arn> because no identity-based policy allows the
  execute-api:Invoke action"}`` (or ``with an explicit deny in an identity-based policy``),
  ``AccessDeniedException``; the capital ``M`` is how the re:Post articles show API Gateway's
  IAM denials.

``x-amzn-ErrorType`` (REST): ``UnrecognizedClientException``, ``InvalidSignatureException``,
``ExpiredTokenException`` as the identity services name these errors (unconfirmed for API
Gateway: one re:Post table gives ``AccessDeniedException`` for the invalid token). HTTP APIs send
the same bodies (unconfirmed: AWS documents only that unsigned requests get ``Forbidden``)
without the header, like their other gateway responses.

On success the Lambda proxy event names the caller: REST and payload 1.0
``requestContext.identity`` (``accessKey, accountId, caller, user, userArn``, and the Cognito
identity fields for identity-pool credentials); payload 2.0 ``requestContext.authorizer.iam``
(``accessKey, accountId, callerId, cognitoIdentity, principalOrgId, userArn, userId``).

Not modelled: the request time against the clock (``Signature expired``: virtual and wall time
differ by design), API resource policies (REST), cross-account callers, ``principalOrgId``
(always null: no Organizations).
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import TYPE_CHECKING, Any

from ..adapters.protocols.base import HttpRequest
from ..adapters.protocols.sigv4 import expected_signature, parse_signature
from ..iam.enforce import resolve
from ..iam.evaluate import ALLOW, denial_message
from ..iam.service import store_of
from ..kernel.errors import AWSError
from .responses import JSON, Response

if TYPE_CHECKING:
    from ..cloud import Cloud
    from ..iam.store import Principal
    from .events import IncomingRequest

__all__ = ["IamCaller", "authenticate", "INVOKE_ACTION"]

INVOKE_ACTION = "execute-api:Invoke"
SERVICE = "execute-api"
_COGNITO = "cognito-identity.amazonaws.com"


class IamCaller:
    """Who signed an IAM-authorized request: the access key and its principal."""

    __slots__ = ("access_key", "principal")

    def __init__(self, access_key: str, principal: "Principal") -> None:
        self.access_key = access_key
        self.principal = principal

    def _cognito(self) -> tuple[str | None, str | None, list[str] | None]:
        ctx = self.principal.context
        sub = ctx.get(f"{_COGNITO}:sub")
        aud = ctx.get(f"{_COGNITO}:aud")
        amr = ctx.get(f"{_COGNITO}:amr")
        return (sub if isinstance(sub, str) else None, aud if isinstance(aud, str) else None,
                list(amr) if isinstance(amr, (list, tuple)) else None)

    def identity_fields(self) -> dict[str, Any]:
        """The members of REST / payload 1.0 ``requestContext.identity`` an IAM caller fills."""
        p = self.principal
        out: dict[str, Any] = {
            "accessKey": self.access_key, "accountId": p.store.account, "caller": p.user_id,
            "user": p.user_id, "userArn": p.arn,
        }
        sub, aud, amr = self._cognito()
        if sub is not None:
            out["cognitoIdentityId"] = sub
            out["cognitoIdentityPoolId"] = aud
            if amr:
                out["cognitoAuthenticationType"] = amr[0]
                out["cognitoAuthenticationProvider"] = ",".join(amr[1:]) or None
        return out

    def authorizer_v2(self) -> dict[str, Any]:
        """Payload 2.0 ``requestContext.authorizer``: ``{"iam": {...}}``."""
        p = self.principal
        sub, aud, amr = self._cognito()
        cognito = None if sub is None else {"amr": amr or [], "identityId": sub, "identityPoolId": aud}
        return {"iam": {
            "accessKey": self.access_key, "accountId": p.store.account, "callerId": p.user_id,
            "cognitoIdentity": cognito, "principalOrgId": None, "userArn": p.arn, "userId": p.user_id,
        }}


def _refusal(status: int, body: str, error_type: str | None) -> Response:
    headers = {"content-type": JSON}
    if error_type is not None:
        headers["x-amzn-ErrorType"] = error_type
    r = Response(status, headers, body)
    r.error_type = error_type
    return r


def _message(key: str, text: str) -> str:
    return json.dumps({key: text}, separators=(",", ":"))


_MISSING_REST = (403, '{"message":"Missing Authentication Token"}', "MissingAuthenticationTokenException")
_MISSING_HTTP = (403, '{"message":"Forbidden"}', None)


def _http_request(req: "IncomingRequest", host: str) -> HttpRequest:
    """The request as SigV4 sees it: the path as the client sent it (stage included)."""
    headers: dict[str, str] = {}
    for k, v in req.pairs:
        k = k.lower()
        prev = headers.get(k)
        headers[k] = v if prev is None else prev + "," + v
    headers.setdefault("host", host)  # every HTTP client sends one; the API's own host name
    body = req.body
    if body is None:
        raw = b""
    elif req.is_base64:
        raw = base64.b64decode(body)
    else:
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    return HttpRequest(req.method, req.full_path, req.raw_query, headers, raw)


def _incomplete(auth: str) -> str:
    """``IncompleteSignatureException``'s message for an ``Authorization`` header that is not a
    SigV4 one (as API Gateway is observed to word it)."""
    parts = []
    for name in ("Credential", "Signature", "SignedHeaders"):
        if f"{name}=" not in auth:
            parts.append(f"Authorization header requires '{name}' parameter.")
    parts.append("Authorization=" + auth)
    return " ".join(parts)


def authenticate(cloud: "Cloud", req: "IncomingRequest", arn: str, host: str,
                 rest: bool) -> IamCaller | Response:
    """Verify the request's SigV4 signature and authorize ``execute-api:Invoke`` on ``arn``
    (the method / route ARN): the caller, or the gateway's 403 (see the module docstring).

    Cost: one HMAC chain over the canonical request (the body hashed once) and one policy
    decision (cached per principal and ARN by the IAM engine)."""
    http = _http_request(req, host)
    sig = parse_signature(http)
    if sig is None:
        auth = http.header("authorization")
        if auth and auth.strip():
            if not rest:
                return _refusal(*_MISSING_HTTP)
            return _refusal(403, _message("message", _incomplete(auth)), "IncompleteSignatureException")
        return _refusal(*(_MISSING_REST if rest else _MISSING_HTTP))
    store = store_of(cloud)
    cred = store.credentials.get(sig.access_key)
    secret = None
    if (cred is not None and sig.service == SERVICE and sig.region == cloud.region
            and hmac.compare_digest(expected_signature(http, sig, cred.secret), sig.signature)):
        secret = cred.secret
    try:
        # the identity services' checks, in their order: unknown or inactive key, session token,
        # signature, expiry
        principal = resolve(store, SERVICE, sig.access_key, secret, sig.session_token)
    except AWSError as err:
        return _refusal(403, _message("message", err.message), err.code if rest else None)
    reason = principal.decide(INVOKE_ACTION, arn, lambda: {
        "aws:sourceip": req.source_ip, "aws:useragent": req.user_agent})
    if reason != ALLOW:
        return _refusal(403, _message("Message", denial_message(principal.arn, INVOKE_ACTION, arn, reason)),
                        "AccessDeniedException" if rest else None)
    return IamCaller(sig.access_key, principal)
