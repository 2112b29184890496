"""Enforcement: calls carrying credentials are authorized by IAM before the service runs them.

Who is checked:

- a client made with credentials, ``cloud.client("dynamodb", credentials={"AccessKeyId": ...,
  "SecretKey": ..., "SessionToken": ...})`` (the shape GetCredentialsForIdentity returns; STS's
  ``SecretAccessKey`` and boto3's ``aws_access_key_id=`` / ``aws_secret_access_key=`` /
  ``aws_session_token=`` keywords work too), and boto3 sessions made with such keys
  (``cloud.boto3_session(aws_access_key_id=...)``): every call is checked;
- with ``Cloud(enforce_iam=True)``, calls without credentials too: inside :func:`run_as` (what
  Lambda wraps around a handler, with the function's execution role) they run as that role's
  session; outside they are the account root (the test's own set-up code), which is allowed
  everything;
- without either, nothing changes: the generated clients are exactly today's (no wrapper, no
  cost).

Each call maps to its IAM checks (:mod:`.actions`), decided by the principal's policies
(:mod:`.evaluate`, cached per principal and request keys). A refusal raises the service's
AccessDenied error with AWS's message, e.g. ``User: arn:aws:sts::123456789012:assumed-role/R/S
is not authorized to perform: dynamodb:GetItem on resource:
arn:aws:dynamodb:us-east-1:123456789012:table/T because no identity-based policy allows the
dynamodb:GetItem action``; the service never sees the request, so nothing changes.

Credentials: a key the Cloud issued (IAM CreateAccessKey, STS, Cognito identity pools) resolves
to its principal; a wrong secret is ``InvalidSignatureException`` / ``SignatureDoesNotMatch``; a
missing or wrong session token, an unknown or deactivated ``AKIA``/``ASIA`` key is
``UnrecognizedClientException`` / ``InvalidClientTokenId`` ("The security token included in the
request is invalid."); an expired session is ``ExpiredTokenException`` ("The security token
included in the request is expired"). Keys that do not look like AWS keys (``testing``, ``x``,
what examples pass to boto3) keep the old trusted behaviour unless enforcement is on.

Services calling each other inside the simulator (Lambda polling SQS, Step Functions invoking
Lambda) go through ``Service.dispatch`` and are not checked (AWS authorizes those with service
roles; not modelled).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..kernel.errors import AWSError, SimError, error_class
from .actions import AUTH_FAMILY, DENIAL, authorizations
from .evaluate import ALLOW, denial_message
from .service import store_of
from .store import Credential, IdentityStore, Principal

if TYPE_CHECKING:
    from ..adapters.client import ServiceClient
    from ..cloud import Cloud
    from ..kernel.service import Service

#: Services whose operations read the caller (GetCallerIdentity, AssumeRole, IAM's GetUser).
CALLER_AWARE = frozenset({"sts", "iam", "cognito-identity"})

_ERROR_CLASSES: dict[tuple[str, str, int], type[AWSError]] = {}


def _error(service: str, code: str, status: int, message: str) -> AWSError:
    key = (service, code, status)
    cls = _ERROR_CLASSES.get(key)
    if cls is None:
        cls = _ERROR_CLASSES[key] = error_class(code, service=service, status=status)
    return cls(message)


def access_denied(service: str, message: str) -> AWSError:
    code, status = DENIAL.get(service, ("AccessDeniedException", 400))
    return _error(service, code, status, message)


_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED = "The security token included in the request is expired"
_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your "
              "AWS Secret Access Key and signing method. Consult the service documentation for details.")


def _bad_credentials(service: str, what: str) -> AWSError:
    family = AUTH_FAMILY.get(service, "json")
    if what == "expired":
        if family == "s3":
            return _error(service, "ExpiredToken", 400, "The provided token has expired.")
        code = "ExpiredToken" if family == "query" else "ExpiredTokenException"
        return _error(service, code, 403 if family == "query" else 400, _EXPIRED)
    if what == "signature":
        if family == "json":
            return _error(service, "InvalidSignatureException", 400, _SIGNATURE)
        return _error(service, "SignatureDoesNotMatch", 403, _SIGNATURE)
    if family == "s3":
        return _error(service, "InvalidAccessKeyId", 403,
                      "The AWS Access Key Id you provided does not exist in our records.")
    if family == "query":
        return _error(service, "InvalidClientTokenId", 403, _INVALID_TOKEN)
    return _error(service, "UnrecognizedClientException", 403 if service == "lambda" else 400, _INVALID_TOKEN)


def looks_issued(access_key_id: Any) -> bool:
    """Does this look like an AWS access key id (``AKIA``/``ASIA`` + 16), as opposed to the
    placeholders examples use (``testing``)?"""
    return (isinstance(access_key_id, str) and len(access_key_id) == 20
            and access_key_id[:4] in ("AKIA", "ASIA"))


def normalize_credentials(credentials: Any) -> tuple[str, str | None, str | None]:
    """(access key id, secret, session token) from any of the accepted shapes."""
    if isinstance(credentials, Credential):
        return credentials.access_key_id, credentials.secret, credentials.session_token
    if isinstance(credentials, Mapping):
        c = credentials.get("Credentials", credentials)
        akid = c.get("AccessKeyId", c.get("aws_access_key_id"))
        secret = c.get("SecretKey", c.get("SecretAccessKey", c.get("aws_secret_access_key")))
        token = c.get("SessionToken", c.get("aws_session_token"))
        if not isinstance(akid, str):
            raise SimError("credentials need an AccessKeyId")
        return akid, secret, token
    akid = getattr(credentials, "access_key", None)
    if isinstance(akid, str):  # botocore ReadOnlyCredentials
        return akid, getattr(credentials, "secret_key", None), getattr(credentials, "token", None)
    raise SimError(f"credentials must be a dict like GetCredentialsForIdentity's, got {credentials!r}")


def resolve(store: IdentityStore, service: str, akid: str, secret: str | None,
            token: str | None) -> Principal:
    """The principal of a credential triple, checked now (raises the service's auth errors)."""
    cred = store.credentials.get(akid)
    if cred is None or cred.status != "Active":
        raise _bad_credentials(service, "invalid")
    if cred.session_token is not None and token != cred.session_token:
        raise _bad_credentials(service, "invalid")
    if secret != cred.secret:
        raise _bad_credentials(service, "signature")
    if cred.expires_us is not None and store.cloud.now_us >= cred.expires_us:
        raise _bad_credentials(service, "expired")
    p = cred.principal
    if p is None:
        user = store.users.get(cred.user_name or "")
        if user is None:
            raise _bad_credentials(service, "invalid")
        p = cred.principal = store.user_principal(user)
    return p


def authorize(cloud: "Cloud", principal: Principal, service: str, operation: str,
              request: dict[str, Any]) -> None:
    """Raise the service's AccessDenied unless ``principal`` may make this call."""
    if principal.kind == "root":
        return
    checks = authorizations(cloud, service, operation, request)
    if not checks:
        return
    decide = principal.decide
    for action, resource, ctx in checks:
        reason = decide(action, resource, ctx)
        if reason is not ALLOW:
            raise access_denied(service, denial_message(principal.arn, action, resource, reason))


#: Calls whose IAM checks depend only on these request members (and the principal), so an
#: allowed decision can be remembered per principal: service -> (operations, members).
FAST_KEYS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "dynamodb": (frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                            "DescribeTable"}), ("TableName", "IndexName")),
    "sqs": (frozenset({"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
                       "DeleteMessageBatch", "ChangeMessageVisibility", "GetQueueAttributes"}), ("QueueUrl",)),
    "sns": (frozenset({"Publish", "PublishBatch", "GetTopicAttributes"}), ("TopicArn", "TargetArn")),
    "lambda": (frozenset({"Invoke", "GetFunction", "GetFunctionConfiguration"}), ("FunctionName", "Qualifier")),
    "stepfunctions": (frozenset({"StartExecution", "StartSyncExecution", "DescribeStateMachine"}),
                      ("stateMachineArn",)),
}

_MISS = object()
_SINGLE_ITEM = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem"})
_LEADING_ONLY = ("dynamodb:leadingkeys",)


def _dynamodb_fast(service: Any, operation: str, params: dict[str, Any], rkeys: tuple[str, ...]) -> Any:
    """The one request value a row-level policy (``dynamodb:LeadingKeys`` only) decides on, for
    single-item calls: the partition-key value; _MISS when the general path must decide."""
    if rkeys != _LEADING_ONLY or operation not in _SINGLE_ITEM:
        return _MISS
    table = service.tables.get(params.get("TableName"))
    if table is None:
        return _MISS
    src = params.get("Item") if operation == "PutItem" else params.get("Key")
    av = src.get(table.hash_key) if type(src) is dict else None
    if type(av) is not dict or len(av) != 1:
        return _MISS
    v = av.get(table.hash_type)
    return v if type(v) is str else _MISS


#: service -> ``(service, operation, request, request keys) -> value | _MISS``: the request values
#: a principal's policies read, when they can be had cheaply (see _enforced_call).
FAST_CONTEXT: dict[str, Any] = {"dynamodb": _dynamodb_fast}


class _Binding:
    """What an enforcing client holds: its credentials (checked per call) or none."""

    __slots__ = ("store", "clock", "credentials", "akid", "secret", "token", "fixed", "cred")

    def __init__(self, store: IdentityStore, credentials: Any) -> None:
        self.store = store
        self.clock = store.cloud.clock
        self.credentials = store.credentials
        self.fixed: Principal | None = None
        self.cred: Credential | None = None
        if credentials is None:
            self.akid = self.secret = self.token = None
        elif isinstance(credentials, Principal):
            self.fixed = credentials
            self.akid = self.secret = self.token = None
        else:
            self.akid, self.secret, self.token = normalize_credentials(credentials)

    def principal(self, service: str, enforce_all: bool) -> Principal | None:
        if self.fixed is not None:
            return self.fixed
        akid = self.akid
        if akid is not None:
            cred = self.cred
            # Verified once; afterwards only revocation, deactivation and expiry can change.
            if (cred is not None and cred.status == "Active"
                    and (cred.expires_us is None or self.clock.now_us < cred.expires_us)
                    and self.store.credentials.get(akid) is cred):
                return cred.principal
            if self.store.credentials.get(akid) is None and not looks_issued(akid) and not enforce_all:
                return None  # a placeholder key: trusted, as before
            p = resolve(self.store, service, akid, self.secret, self.token)
            self.cred = self.store.credentials[akid]
            return p
        ambient = self.store.ambient
        if ambient:
            return ambient[-1]
        return None


def enforcing_client(cloud: "Cloud", service: "Service", base: "type[ServiceClient]",
                     credentials: Any) -> "ServiceClient":
    """A client of ``service`` whose calls are authorized first (see the module docstring).
    Placeholder keys (not ``AKIA``/``ASIA``...) without enforcement get today's trusted client."""
    if (credentials is not None and not isinstance(credentials, Principal) and not cloud.enforce_iam
            and not looks_issued(normalize_credentials(credentials)[0])):
        return base(cloud, service)
    cls = _ENFORCING.get(base)
    if cls is None:
        cls = _ENFORCING[base] = type(base.__name__, (base,), {
            "_call": _enforced_call, "__module__": base.__module__, "_base_call": base._call})
    client = cls(cloud, service)
    name = service.service_name
    client._iam_binding = _Binding(store_of(cloud), credentials)  # type: ignore[attr-defined]
    spec = FAST_KEYS.get(name)
    client._iam_fast = None if spec is None else (  # type: ignore[attr-defined]
        spec[0], spec[1][0], spec[1][1] if len(spec[1]) > 1 else None, FAST_CONTEXT.get(name))
    client._iam_name = name  # type: ignore[attr-defined]
    client._iam_aware = name in CALLER_AWARE  # type: ignore[attr-defined]
    code, status = DENIAL.get(name, ("AccessDeniedException", 400))
    ns = client.exceptions
    if not hasattr(ns, code):
        setattr(ns, code, _ERROR_CLASSES.get((name, code, status)) or
                _ERROR_CLASSES.setdefault((name, code, status), error_class(code, service=name, status=status)))
    return client


_ENFORCING: dict[type, type] = {}


def _authorize_call(self: Any, principal: Principal, operation_name: str, params: dict[str, Any]) -> None:
    try:
        authorize(self._cloud, principal, self._iam_name, operation_name, params)
    except AWSError as err:
        err.operation_name = operation_name
        self._cloud.trace.record(self._iam_name, "api_call", operation=operation_name, error=err.code)
        raise


def _enforced_call(self: Any, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
    b: _Binding = self._iam_binding
    cred = b.cred
    # The common case inline: a verified key, still active, unexpired and not deleted.
    if (cred is not None and cred.status == "Active" and (cred.expires_us is None or b.clock.now_us < cred.expires_us)
            and b.credentials.get(b.akid or "") is cred):
        principal = cred.principal
    else:
        try:
            principal = b.principal(self._iam_name, self._cloud.enforce_iam)
        except AWSError as err:
            err.operation_name = operation_name
            self._cloud.trace.record(self._iam_name, "api_call", operation=operation_name, error=err.code)
            raise
    if principal is not None and principal.kind != "root":
        fast = self._iam_fast
        if fast is not None and operation_name in fast[0] and principal._gen == b.store.generation:
            # An allowed decision is remembered per principal under the request members it
            # depends on (and, for row-level policies, the partition-key value).
            rkeys = principal._request_keys
            if rkeys:
                fn = fast[3]
                extra = fn(self._service, operation_name, params, rkeys) if fn is not None else _MISS
            else:
                extra = None
            if extra is _MISS:
                _authorize_call(self, principal, operation_name, params)
            else:
                key = (operation_name, params.get(fast[1]), params.get(fast[2]) if fast[2] else None, extra)
                allowed = principal._allowed
                if key not in allowed:
                    _authorize_call(self, principal, operation_name, params)
                    if (isinstance(key[1], str) and (key[2] is None or isinstance(key[2], str))
                            and not principal.policies().time_dependent):
                        if len(allowed) >= 10_000:
                            allowed.clear()
                        allowed.add(key)
        else:
            _authorize_call(self, principal, operation_name, params)
    if principal is None or not self._iam_aware:
        return self._base_call(operation_name, params)  # type: ignore[no-any-return]
    callers = b.store.callers
    callers.append(principal)
    try:
        return self._base_call(operation_name, params)  # type: ignore[no-any-return]
    finally:
        callers.pop()


def dispatch_as(cloud: "Cloud", service: "Service", operation: str, request: dict[str, Any],
                credentials: Any) -> dict[str, Any]:
    """``service.dispatch(operation, request)`` as the holder of ``credentials`` (what the boto3
    bridge calls): authorized first when the credentials are real or enforcement is on."""
    enforce_all = bool(getattr(cloud, "enforce_iam", False))
    if not enforce_all and (credentials is None or not looks_issued(normalize_credentials(credentials)[0])):
        return service.dispatch(operation, request)  # trusted, as before (placeholder keys too)
    store = store_of(cloud)
    binding = _Binding(store, credentials)
    name = service.service_name
    principal = binding.principal(name, enforce_all)
    if principal is None:
        return service.dispatch(operation, request)
    authorize(cloud, principal, name, operation, request)
    store.callers.append(principal)
    try:
        return service.dispatch(operation, request)
    finally:
        store.callers.pop()


# -- Lambda execution roles ---------------------------------------------------------------
@contextlib.contextmanager
def run_as(cloud: "Cloud", role_arn: str, session_name: str = "session", *,
           context: Mapping[str, Any] | None = None) -> Iterator[Principal]:
    """Inside the block, calls without credentials run as a session of ``role_arn``
    (``arn:aws:sts::<acct>:assumed-role/<role>/<session_name>``) when the Cloud enforces IAM.

    What Lambda does around a handler: ``with run_as(cloud, version.role, fn.name): handler(...)``
    (the session name of a function's execution role is the function's name). Blocks nest; the
    innermost wins. A role that does not exist has no permissions. Yields the principal."""
    store = store_of(cloud)
    key = (role_arn, session_name)
    principal = store.run_as_sessions.get(key) if context is None else None
    if principal is None:
        # one session per (role, name): its compiled policies and decisions are reused by every
        # invocation (a Lambda environment keeps its credentials between invocations too)
        principal = store.role_session(role_arn, session_name, extra_context=context)
        if context is None:
            store.run_as_sessions[key] = principal
    store.ambient.append(principal)
    try:
        yield principal
    finally:
        store.ambient.pop()


def credentials_for(cloud: "Cloud", role_arn: str, session_name: str = "session",
                    duration_s: int = 3600) -> dict[str, Any]:
    """Temporary credentials for a session of ``role_arn`` without a trust check (what Lambda
    puts in a function's ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``):
    ``{"AccessKeyId", "SecretKey", "SessionToken", "Expiration"}``."""
    store = store_of(cloud)
    principal = store.role_session(role_arn, session_name)
    return store.issue_session_credentials(principal, duration_s).as_dict()


def check(cloud: "Cloud", principal: Principal | None, service: str, operation: str,
          request: dict[str, Any]) -> None:
    """For services that authorize a call themselves (an integration acting with a role):
    raise the service's AccessDenied unless ``principal`` (None: the ambient one) may make it."""
    store = store_of(cloud)
    p = principal if principal is not None else (store.ambient[-1] if store.ambient else None)
    if p is not None:
        authorize(cloud, p, service, operation, request)


__all__ = ["access_denied", "authorize", "check", "credentials_for", "dispatch_as", "enforcing_client",
           "normalize_credentials", "resolve", "run_as"]
