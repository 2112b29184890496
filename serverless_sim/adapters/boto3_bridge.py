"""The botocore bridge: real boto3 clients and resources that talk to a Cloud.

Requires the optional extra ``serverless_sim[boto3]``; this is the only module of the package
that imports boto3/botocore.

::

    session = boto3_session(cloud)                  # cloud.boto3_session()
    ddb = session.client("dynamodb")                # a real botocore client...
    ddb.put_item(TableName="orders", Item={...})    # ...answered by cloud.dynamodb

    with patch_boto3(cloud):                        # code that calls boto3.client() itself
        run_my_code()

How it works (no network, no credentials, no global patching, no wire codec): handlers on the
session's own event system.

- ``before-parameter-build`` keeps a reference to the call's parameters in the request context
  (boto3's resource layer has already turned Python values into attribute values in place by the
  time they are read) and fills idempotency tokens (``ClientRequestToken``) from the Cloud's
  random stream ``boto3/idempotency`` instead of ``uuid4``, so runs stay reproducible.
- botocore then validates the parameters (``ParamValidationError`` as for real) and serializes
  the request, which nobody sends: ``before-call`` answers first. It calls the service's wire
  operation and returns ``(http_response, parsed)``, exactly what botocore's endpoint would have
  returned after parsing AWS's answer. botocore's ``after-call`` handlers run on it (the resource
  layer's type conversion among them), and a status >= 300 makes botocore raise the modelled
  ``ClientError`` subclass (``client.exceptions.ConditionalCheckFailedException``) from our
  ``Error`` shape, with the error's modelled members (``Item``, ``CancellationReasons``...) at the
  top of ``.response``, where botocore's parser puts them.
- Since the endpoint is never reached, botocore's retry loop never runs: no real sleeps and no
  retries (``RetryAttempts`` is 0). A throttling error surfaces on the first attempt.
- Waiters (``client.get_waiter``, ``Table.wait_until_exists``) keep botocore's waiter model but
  advance the Cloud's virtual clock by the delay instead of sleeping: the clients of a bridged
  session get a mixin (through ``creating-client-class``) whose ``get_waiter`` does that.

Blob members given as ``str`` (botocore accepts them and sends their UTF-8 bytes) reach the
service as ``bytes``; everything else reaches it as botocore validated it. Services outside the
simulator raise :class:`~serverless_sim.kernel.errors.SimError` (never a network call).
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import json
import threading
import urllib.parse
import weakref
import zlib
from typing import TYPE_CHECKING, Any, Callable, Iterator

import boto3
import boto3.session
import botocore.awsrequest
import botocore.exceptions
import botocore.model
from botocore.config import Config

from ..kernel.errors import AWSError, SimError
from ..services import SERVICES

if TYPE_CHECKING:
    from ..cloud import Cloud

__all__ = ["attach", "boto3_session", "patch_boto3"]

_PARAMS = "serverless_sim.params"
#: Dummy credentials: botocore never signs anything here, but wants credentials to exist.
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
_CONTENT_TYPE = {"json": "application/x-amz-json-1.0", "rest-json": "application/json", "rest-xml": "application/xml",
                 "query": "text/xml"}


def boto3_session(cloud: "Cloud", **session_kwargs: Any) -> boto3.session.Session:
    """A new boto3 Session whose clients and resources are answered by ``cloud``.

    ``session_kwargs`` go to ``boto3.Session`` (dummy credentials and the Cloud's region are the
    defaults). The session is independent of boto3's default session and of any other Cloud.
    """
    kwargs = {**DUMMY_CREDENTIALS, "region_name": cloud.region, **session_kwargs}
    session = boto3.session.Session(**kwargs)
    attach(cloud, session)
    return session


def attach(cloud: "Cloud", session: boto3.session.Session) -> None:
    """Route every client that ``session`` creates from now on to ``cloud``."""
    bridge = _Bridge(cloud)
    events = session.events
    events.register_first("before-parameter-build", bridge.before_parameter_build,
                          unique_id="serverless_sim.before-parameter-build")
    events.register_last("before-call", bridge.before_call, unique_id="serverless_sim.before-call")
    events.register("creating-client-class", bridge.creating_client_class,
                    unique_id="serverless_sim.creating-client-class")
    # Nothing is retried (the endpoint is never reached); say so in the client config too.
    config = Config(retries={"max_attempts": 1, "mode": "standard"})
    session._session.set_default_client_config(config)


class _Bridge:
    """The handlers bound to one Cloud."""

    def __init__(self, cloud: "Cloud") -> None:
        self.cloud = cloud
        self._normalizers: dict[tuple[str, str], Callable[[Any], Any] | None] = {}

    # -- before-parameter-build -----------------------------------------------------------
    def before_parameter_build(self, params: dict[str, Any], model: botocore.model.OperationModel,
                               context: dict[str, Any], **_: Any) -> None:
        context[_PARAMS] = params
        for name in model.idempotent_members:
            if name not in params:
                params[name] = self.cloud.streams.uuid("boto3/idempotency")

    # -- creating-client-class ------------------------------------------------------------
    def creating_client_class(self, class_attributes: dict[str, Any], base_classes: list[type],
                              **_: Any) -> None:
        class_attributes["_serverless_sim_cloud"] = self.cloud
        base_classes.insert(0, _VirtualTimeWaiters)

    # -- before-call ----------------------------------------------------------------------
    def before_call(self, model: botocore.model.OperationModel, params: dict[str, Any],
                    context: dict[str, Any], request_signer: Any = None,
                    **_: Any) -> tuple[Any, dict[str, Any]]:
        cloud = self.cloud
        service_model = model.service_model
        service_name = service_model.service_name
        if service_name not in SERVICES:
            raise SimError(
                f"boto3 called {service_name}.{model.name}, which serverless_sim does not "
                f"simulate (it offers: {', '.join(sorted(SERVICES))})"
            )
        request = context.get(_PARAMS)
        if request is None:  # pragma: no cover - botocore always emits before-parameter-build
            raise SimError("the bridge saw no parameters for this call")
        normalize = self._normalizer(model)
        if normalize is not None:
            request = normalize(request)
        service = cloud.service(service_name)
        host_id = None
        if service_name == "s3":  # S3's own request ids (x-amz-request-id, x-amz-id-2)
            from .protocols.rest_xml import s3_request_ids

            request_id, host_id = s3_request_ids(cloud)
            headers = {"x-amz-request-id": request_id, "x-amz-id-2": host_id}
        else:
            request_id = cloud.request_id()
            headers = {"x-amzn-requestid": request_id}
        headers["content-type"] = _CONTENT_TYPE.get(service_model.protocol, "application/json")
        headers["date"] = email.utils.formatdate(cloud.time(), usegmt=True)
        try:
            creds = _call_credentials(request_signer)
            if creds is None and not cloud.enforce_iam:
                parsed = service.dispatch(model.name, request)
            else:  # IAM authorizes the call first (serverless_sim.iam.enforce)
                from ..iam.enforce import dispatch_as

                parsed = dispatch_as(cloud, service, model.name, request, creds)
        except AWSError as err:
            cloud.trace.record(service_name, "api_call", operation=model.name, error=err.code)
            status = err.status
            parsed = {"Error": {"Code": err.code, "Message": err.message}}
            protocol = service_model.protocol
            if service_model.metadata.get("awsQueryCompatible") is not None:
                # Query-compatible services (SQS, CloudWatch): AWS sends
                # ``x-amzn-query-error: <legacy code>;<Sender|Receiver>``; botocore keeps the
                # modelled name (which picks the exception class) as QueryErrorCode, shows the
                # legacy code as Error.Code, and the fault as Error.Type.
                parsed["Error"]["QueryErrorCode"] = type(err).__name__
                parsed["Error"]["Type"] = _fault(status)
            elif protocol == "query":  # <ErrorResponse><Error><Type>Sender</Type>...
                parsed["Error"]["Type"] = _fault(status)
            elif protocol == "rest-xml":  # S3's <Error> document: its extra elements, as text
                from .protocols.rest_xml import error_fields

                for name, value in error_fields(err, request).items():
                    if isinstance(value, (str, int)) and not isinstance(value, bool):
                        parsed["Error"].setdefault(name, str(value))
            parsed.update(_modeled_error_fields(service_model, err))
        else:
            cloud.trace.record(service_name, "api_call", operation=model.name)
            status = _success_status(model, parsed)
            if service_name == "iam" and model.output_shape is not None:
                _quote_policy_documents(parsed, model.output_shape)
            elif "checksum" in context:
                _echo_checksum(model, request, context, parsed)
        parsed["ResponseMetadata"] = {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        }
        if host_id is not None:
            parsed["ResponseMetadata"]["HostId"] = host_id
        raw = _RAW_BODIES.get((service_name, model.name)) if status < 300 else None
        http = botocore.awsrequest.AWSResponse(
            f"https://{service_name}.{cloud.region}.amazonaws.com/", status, headers,
            _Body(raw(parsed) if raw is not None else b""),
        )
        return http, parsed

    def _normalizer(self, model: botocore.model.OperationModel) -> Callable[[Any], Any] | None:
        key = (model.service_model.service_name, model.name)
        try:
            return self._normalizers[key]
        except KeyError:
            fn = self._normalizers[key] = (
                _blob_normalizer(model.input_shape) if model.input_shape is not None else None
            )
            return fn


_CHECKSUMS: dict[str, Callable[[bytes], bytes]] = {
    "crc32": lambda b: zlib.crc32(b).to_bytes(4, "big"),
    "sha1": lambda b: hashlib.sha1(b).digest(),
    "sha256": lambda b: hashlib.sha256(b).digest(),
}


def _echo_checksum(model: botocore.model.OperationModel, request: dict[str, Any], context: dict[str, Any],
                   parsed: dict[str, Any]) -> None:
    """S3 answers an upload that carried a checksum (botocore adds a CRC32 by default) with that
    checksum (``ChecksumCRC32``...): add what botocore would have sent, computed over the payload.
    CRC32C and CRC64NVME need awscrt and are left out."""
    algorithm = ((context.get("checksum") or {}).get("request_algorithm") or {}).get("algorithm")
    digest = _CHECKSUMS.get(str(algorithm).lower()) if algorithm else None
    out = model.output_shape
    if digest is None or out is None or model.input_shape is None:
        return
    member = "Checksum" + str(algorithm).upper()
    if member not in out.members or member in parsed:
        return
    payload = model.input_shape.serialization.get("payload")
    body = request.get(payload, b"") if payload else b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        parsed[member] = base64.b64encode(digest(bytes(body))).decode("ascii")


def _fault(status: int) -> str:
    """Who is at fault, as AWS's query errors say it: ``Sender`` (4xx) or ``Receiver`` (5xx)."""
    return "Receiver" if status >= 500 else "Sender"


def _quote_policy_documents(value: Any, shape: botocore.model.Shape) -> None:
    """IAM sends policy documents (``policyDocumentType`` strings) URL-encoded, and botocore's
    ``after-call.iam`` handler decodes them into dicts: give it what the wire would (in place)."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name not in value:
                continue
            if member.type_name == "string" and member.name == "policyDocumentType":
                doc = value[name]
                if not isinstance(doc, str):
                    value[name] = urllib.parse.quote(json.dumps(doc, separators=(",", ":")))
            else:
                _quote_policy_documents(value[name], member)
    elif shape.type_name == "list" and isinstance(value, list):
        for item in value:
            _quote_policy_documents(item, shape.member)


#: (service, operation) -> the output member bound to the HTTP status line, if any.
_STATUS_MEMBERS: dict[tuple[str, str], str | None] = {}


def _success_status(model: botocore.model.OperationModel, parsed: dict[str, Any]) -> int:
    """The HTTP status AWS answers a success with: an output member bound to the status line
    (Lambda Invoke's and DeleteFunction's ``StatusCode``: 202 for an Event invoke, 204...), 206
    for a ranged S3 GetObject, else the operation's modelled ``responseCode`` (S3 deletes 204,
    Lambda CreateFunction 201...)."""
    key = (model.service_model.service_name, model.name)
    try:
        member = _STATUS_MEMBERS[key]
    except KeyError:
        shape = model.output_shape
        member = _STATUS_MEMBERS[key] = next(
            (n for n, m in shape.members.items() if m.serialization.get("location") == "statusCode"), None
        ) if shape is not None else None
    if member is not None and isinstance(parsed.get(member), int):
        return int(parsed[member])
    if "ContentRange" in parsed and model.name == "GetObject" and model.service_model.service_name == "s3":
        return 206
    return int(model.http.get("responseCode", 200))


def _call_credentials(request_signer: Any) -> Any:
    """The client's credentials when they may be real ones (not the dummy default)."""
    creds = getattr(request_signer, "_credentials", None)
    if creds is None:
        return None
    frozen = creds.get_frozen_credentials()
    if frozen.access_key == DUMMY_CREDENTIALS["aws_access_key_id"] and not frozen.token:
        return None
    return frozen


class _Body:
    """The raw body of a response that was never on the wire (empty but for :data:`_RAW_BODIES`)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        return iter((self._data,) if self._data else ())


def _location_constraint_xml(parsed: dict[str, Any]) -> bytes:
    """S3 GetBucketLocation's XML: botocore's ``after-call`` handler re-reads
    ``LocationConstraint`` from the raw body (the operation cannot be modelled); an empty
    element means us-east-1 (None)."""
    from xml.sax.saxutils import escape

    region = parsed.get("LocationConstraint")
    inner = escape(region) if region else ""
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint '
            b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' + inner.encode() + b"</LocationConstraint>")


#: Operations whose botocore ``after-call`` handlers read the raw HTTP body: (service,
#: operation) -> the body, from the parsed answer.
_RAW_BODIES: dict[tuple[str, str], Callable[[dict[str, Any]], bytes]] = {
    ("s3", "GetBucketLocation"): _location_constraint_xml,
}


def _modeled_error_fields(service_model: botocore.model.ServiceModel, err: AWSError) -> dict[str, Any]:
    """The members botocore's parser adds at the top of an error response: those of the
    error's modelled shape that the wire body (:meth:`AWSError.wire_body`) carries, by exact
    name (``message``, ``Item``, ``CancellationReasons``...), as parsing the HTTP answer would
    (none for the query protocols: see below)."""
    if service_model.protocol in ("query", "ec2"):
        # botocore's query parser looks for modelled members among the children of
        # <ErrorResponse> (Error, RequestId), where AWS never puts them: it adds none.
        return {}
    shape = service_model.shape_for_error_code(err.code)
    if shape is None:
        return {}
    body = err.wire_body()
    if service_model.protocol == "rest-json" and "Message" in shape.members and "Message" not in body:
        # Lambda's and Scheduler's error shapes spell the member ``Message``; their answers
        # carry it, so botocore puts it beside ``Error`` (as the HTTP endpoint's do).
        body = {**body, "Message": err.message}
    return {member: body[member] for member in shape.members if member in body}


# -- blobs given as str -------------------------------------------------------------------
def _blob_normalizer(shape: botocore.model.Shape) -> Callable[[Any], Any] | None:
    """A function copying a request so that every blob member is ``bytes`` (copy-on-write:
    containers are copied only where something changed), or None if the shape has no blob."""
    memo: dict[str, Callable[[Any], Any] | None] = {}
    has_blob: dict[str, bool] = {}

    def contains(s: botocore.model.Shape, seen: frozenset[str]) -> bool:
        if s.name in has_blob:
            return has_blob[s.name]
        if s.name in seen:
            return False
        seen = seen | {s.name}
        if s.type_name == "blob":
            found = True
        elif s.type_name == "structure":
            found = any(contains(m, seen) for m in s.members.values())
        elif s.type_name == "list":
            found = contains(s.member, seen)
        elif s.type_name == "map":
            found = contains(s.value, seen)
        else:
            found = False
        has_blob[s.name] = found
        return found

    def build(s: botocore.model.Shape) -> Callable[[Any], Any] | None:
        if not contains(s, frozenset()):
            return None
        if s.name in memo:
            return memo[s.name]
        cell: list[Callable[[Any], Any]] = []

        def late(value: Any) -> Any:  # recursion through shapes (AttributeValue.M -> ...)
            return cell[0](value)

        memo[s.name] = late
        fn: Callable[[Any], Any]
        if s.type_name == "blob":
            fn = _to_bytes
        elif s.type_name == "structure":
            members = {n: f for n, m in s.members.items() if (f := build(m)) is not None}

            def fn(value: Any) -> Any:
                if not isinstance(value, dict):
                    return value
                out = value
                for name, f in members.items():
                    if name in value:
                        new = f(value[name])
                        if new is not value[name]:
                            if out is value:
                                out = dict(value)
                            out[name] = new
                return out
        elif s.type_name == "list":
            item = build(s.member)
            assert item is not None

            def fn(value: Any) -> Any:
                if not isinstance(value, list):
                    return value
                new = [item(v) for v in value]
                return value if all(a is b for a, b in zip(new, value)) else new
        else:  # map
            val = build(s.value)
            assert val is not None

            def fn(value: Any) -> Any:
                if not isinstance(value, dict):
                    return value
                out = value
                for k, v in value.items():
                    new = val(v)
                    if new is not v:
                        if out is value:
                            out = dict(value)
                        out[k] = new
                return out
        cell.append(fn)
        memo[s.name] = fn
        return fn

    return build(shape)


def _to_bytes(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    read = getattr(value, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return value


# -- waiters on the virtual clock ---------------------------------------------------------
class _VirtualTimeWaiters:
    """Mixed into bridged clients: waiters advance the Cloud's clock instead of sleeping, and a
    client held in a Cloud's state (a Lambda package's module-level ``boto3.client("s3")``) is
    copied by ``cloud.fork()`` as a new client of the same service talking to the fork."""

    _serverless_sim_cloud: "Cloud"

    def get_waiter(self, waiter_name: str) -> Any:
        waiter = super().get_waiter(waiter_name)  # type: ignore[misc]
        return _VirtualWaiter(self, waiter, self._serverless_sim_cloud)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # The Cloud itself (the attribute may be a weak proxy: a bound method knows its object).
        cloud = self._serverless_sim_cloud.service.__self__  # type: ignore[attr-defined]
        new_cloud = memo.get(id(cloud))
        if new_cloud is None:
            raise TypeError("a bridged boto3 client can be copied only with its Cloud (cloud.fork())")
        entry = _sim_sessions(new_cloud)
        if entry[1] is None:
            entry[1] = entry[0]()
        meta = self.meta  # type: ignore[attr-defined]
        new = entry[1].client(meta.service_model.service_name, region_name=meta.region_name, config=meta.config)
        memo[id(self)] = new
        return new


class _VirtualWaiter:
    """botocore's waiter model, polled on the virtual clock (same acceptors, same errors)."""

    def __init__(self, client: Any, waiter: Any, cloud: "Cloud") -> None:
        self._client = client
        self._waiter = waiter
        self._cloud = cloud
        self.name = waiter.name
        self.config = waiter.config

    def wait(self, **kwargs: Any) -> None:
        from botocore import xform_name

        config = self.config
        waiter_config = kwargs.pop("WaiterConfig", None) or {}
        delay = waiter_config.get("Delay", config.delay)
        max_attempts = waiter_config.get("MaxAttempts", config.max_attempts)
        call = getattr(self._client, xform_name(config.operation))
        attempts = 0
        while True:
            try:
                response = call(**kwargs)
            except botocore.exceptions.ClientError as exc:
                response = exc.response
            attempts += 1
            acceptor = next((a for a in config.acceptors if a.matcher_func(response)), None)
            state = acceptor.state if acceptor is not None else "waiting"
            if state == "success":
                return None
            if state == "failure":
                reason = (
                    f'Waiter encountered a terminal failure state: For expression "{acceptor.argument}" '  # type: ignore[union-attr]
                    f'we matched expected path: "{acceptor.expected}"'  # type: ignore[union-attr]
                    if acceptor is not None and acceptor.matcher.startswith("path")
                    else "Waiter encountered a terminal failure state"
                )
                raise botocore.exceptions.WaiterError(name=self.name, reason=reason, last_response=response)
            if acceptor is None and "Error" in response:
                raise botocore.exceptions.WaiterError(
                    name=self.name,
                    reason=f"An error occurred ({response['Error'].get('Code', 'Unknown')}): "
                    f"{response['Error'].get('Message', 'Unknown')}",
                    last_response=response,
                )
            if attempts >= max_attempts:
                raise botocore.exceptions.WaiterError(
                    name=self.name, reason="Max attempts exceeded", last_response=response
                )
            self._cloud.advance(delay)


# -- patching boto3's module-level entry points -------------------------------------------
_PATCH_LOCK = threading.RLock()


@contextlib.contextmanager
def patch_boto3(cloud: "Cloud") -> Iterator[boto3.session.Session]:
    """Inside the block (or the decorated function), ``boto3.client(...)``,
    ``boto3.resource(...)`` and ``boto3.Session()`` talk to ``cloud``; on exit, boto3's default
    session and ``boto3.Session`` are restored. Yields the default (bridged) session.

    Only boto3's module attributes are replaced (``boto3.DEFAULT_SESSION``, ``boto3.Session``):
    code holding ``from boto3.session import Session`` or a client created before the block is
    not redirected. Blocks nest; the innermost Cloud wins.
    """

    swap = DefaultSessionSwap(cloud)
    session = swap.enter()
    assert session is not None
    try:
        yield session
    finally:
        swap.exit()


#: Per Cloud: its boto3.Session subclass and default session (made on first use, then kept: a
#: boto3 Session costs milliseconds; Lambda handlers enter and leave the patch around every call).
_SESSIONS: "weakref.WeakKeyDictionary[Cloud, list[Any]]" = weakref.WeakKeyDictionary()


def _sim_sessions(cloud: "Cloud") -> list[Any]:
    """``[SimSession class, default session or None]`` for ``cloud``."""
    found = _SESSIONS.get(cloud)
    if found is None:
        # A weak proxy: the cache's values must not keep their key (the Cloud) alive.
        target: Any = weakref.proxy(cloud)
        region = cloud.region

        class SimSession(boto3.session.Session):
            """boto3.Session, answered by the patched Cloud."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                if not args and "aws_access_key_id" not in kwargs and "botocore_session" not in kwargs \
                        and "profile_name" not in kwargs:
                    kwargs = {**DUMMY_CREDENTIALS, **kwargs}
                kwargs.setdefault("region_name", region)
                super().__init__(*args, **kwargs)
                attach(target, self)

        found = _SESSIONS[cloud] = [SimSession, None]
    return found


class DefaultSessionSwap:
    """boto3's module-level entry points (``boto3.DEFAULT_SESSION``, ``boto3.Session``) pointed
    at a Cloud between :meth:`enter` and :meth:`exit` (nestable): what :func:`patch_boto3` does,
    and what Lambda does around the Init and handler of a zip package, as AWS's runtime ships
    boto3 (so ``boto3.client("s3")`` in a deployed handler talks to the simulated S3).

    ``lazy``: leave the default session unmade until code calls ``boto3.client()`` (boto3 then
    makes one with ``boto3.Session``, the Cloud's class); it is kept for the next entry."""

    __slots__ = ("cloud", "lazy", "_saved")

    def __init__(self, cloud: "Cloud", lazy: bool = False) -> None:
        self.cloud = cloud
        self.lazy = lazy
        self._saved: list[tuple[Any, Any]] = []

    def enter(self) -> boto3.session.Session | None:
        entry = _sim_sessions(self.cloud)
        cls, session = entry
        if session is None and not self.lazy:
            session = entry[1] = cls()
        with _PATCH_LOCK:
            self._saved.append((boto3.DEFAULT_SESSION, boto3.Session))
            boto3.Session = cls  # type: ignore[misc]
            boto3.DEFAULT_SESSION = session
        return session

    def exit(self) -> None:
        entry = _sim_sessions(self.cloud)
        with _PATCH_LOCK:
            made = boto3.DEFAULT_SESSION
            if entry[1] is None and isinstance(made, entry[0]):
                entry[1] = made  # made lazily inside: keep it for the next entry
            boto3.DEFAULT_SESSION, boto3.Session = self._saved.pop()  # type: ignore[misc]
