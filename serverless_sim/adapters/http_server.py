"""An HTTP endpoint speaking the AWS protocols of every simulated service, over one Cloud.

``python -m serverless_sim serve`` (or :func:`serve`) answers what AWS answers, without Java or
Docker: any SDK or the AWS CLI pointed at ``--endpoint-url http://127.0.0.1:8000`` (one URL for
every service; the endpoint tells services apart as described below).

Two paths:

- **Hand-written AWS JSON** (no dependency): ``POST /`` with an ``X-Amz-Target`` prefix in
  :data:`~serverless_sim.adapters.wire.TARGETS` (DynamoDB ``DynamoDB_20120810``, DynamoDB Streams,
  CloudWatch Logs ``Logs_20140328``, CloudWatch's JSON flavour, Step Functions). Requests are
  converted with :mod:`.wire`, dispatched to the service's wire operation, and answered as AWS
  does: 200 with the JSON body, or the error's status with ``{"__type": "<namespace>#<Code>",
  "message": ...}``, plus DynamoDB's ``x-amz-crc32``.
- **Model-driven** (needs botocore, the ``serverless_sim[boto3]`` extra), every other request:
  :func:`serverless_sim.adapters.protocols.dispatch` picks the service (``X-Amz-Target`` prefix,
  ``Smithy-Protocol: rpc-v2-cbor`` path, the SigV4 signing name, a query form's ``Action``) and
  speaks its protocol from botocore's model: AWS JSON 1.0/1.1 (SQS, EventBridge, Cognito user
  pools and identity pools), Smithy RPC v2 CBOR (CloudWatch, as botocore >= 1.42 sends it),
  query (SNS, IAM, STS), REST-JSON (Lambda, API Gateway v1/v2, the management API, Scheduler) and
  REST-XML (S3). Any method (GET/PUT/POST/DELETE/HEAD/PATCH) on any path.

Gzip/deflate request bodies (``Content-Encoding``) are accepted (S3 keeps ``Content-Encoding`` as
object metadata and gets the body as sent; ``aws-chunked`` bodies are decoded by the S3
protocol). ``Expect: 100-continue`` is answered (HTTP/1.1). Signatures are not checked. The
``Date`` header is the Cloud's virtual time, so answers are reproducible.

The clock:

- ``frozen`` (the default): time moves only through the clock endpoint,
  ``POST /_sim/clock/advance {"seconds": 60}``; ``GET /_sim/clock`` reads it. Runs are
  reproducible: same seed, same requests, same answers (request ids come from the Cloud's
  random stream).
- ``wall``: virtual time follows the wall clock at ``rate`` virtual seconds per real second
  (``--clock-rate 3600``: an hour per second), for external suites that wait in real time for
  TTL or streams. Before each request, and every ``tick`` seconds from a background thread, the
  Cloud is advanced to ``start + wall elapsed x rate`` (plus whatever ``/_sim/clock/advance``
  added). Not reproducible, by nature.

Thread safety: ``ThreadingHTTPServer`` serves connections on threads; one lock guards every use
of the Cloud (requests, clock moves, the ticker), so the Cloud itself needs no locking.

Other endpoints: ``GET /`` without a signature (health check, as DynamoDB's ``healthy: ...``; a
signed ``GET /`` is S3's ListBuckets), ``POST /_sim/reset`` (a fresh Cloud with the same seed and
start), ``POST /_sim/clock/run_until_idle``.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import gzip
import json
import sys
import threading
import time
import traceback
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Callable

from ..kernel.clock import US_PER_SECOND, format_us
from ..kernel.errors import AWSError, SimError
from ..services import SERVICES
from .wire import CORAL, NO_OUTPUT, TARGETS, SerializationError, decode_request, encode_response

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .protocols.base import HttpRequest, HttpResponse

__all__ = ["SimServer", "serve"]


class SimServer:
    """The endpoint: an HTTP server, its Cloud, the lock around it and the clock policy.

    Parameters:
        cloud_factory: makes the Cloud (called again by ``/_sim/reset``).
        host, port: where to listen (port 0 picks a free port; see :attr:`url`).
        clock: ``"frozen"`` or ``"wall"``; rate: virtual seconds per wall second (wall mode);
        tick: wall seconds between background clock moves (wall mode).
    """

    def __init__(self, cloud_factory: Callable[[], "Cloud"], host: str = "127.0.0.1", port: int = 8000,
                 *, clock: str = "frozen", rate: float = 1.0, tick: float = 0.1,
                 quiet: bool = True) -> None:
        if clock not in ("frozen", "wall"):
            raise SimError(f"clock is 'frozen' or 'wall', got {clock!r}")
        if rate <= 0:
            raise SimError(f"clock rate must be positive, got {rate!r}")
        self.cloud_factory = cloud_factory
        self.cloud = cloud_factory()
        self.lock = threading.RLock()
        self.clock_mode = clock
        self.rate = rate
        self.tick = tick
        self.quiet = quiet
        self._base_us = self.cloud.now_us
        self._wall0 = time.monotonic()  # noqa: wallclock (--clock wall mode follows the wall clock by design)
        self._offset_us = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        handler = type("Handler", (_Handler,), {"sim": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"

    # -- clock ----------------------------------------------------------------------------
    def sync_clock(self) -> None:
        """Wall mode: bring the Cloud up to wall time (call with the lock held)."""
        if self.clock_mode != "wall":
            return
        target = self._base_us + int((time.monotonic() - self._wall0) * self.rate * US_PER_SECOND) + self._offset_us  # noqa: wallclock (--clock wall mode follows the wall clock by design)
        behind = target - self.cloud.now_us
        if behind > 0:
            self.cloud.advance(_dt.timedelta(microseconds=behind))

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.sync_clock()
            self.cloud.advance(seconds)
            self._offset_us += round(seconds * US_PER_SECOND)

    def clock_state(self) -> dict[str, Any]:
        with self.lock:
            self.sync_clock()
            return {
                "now": format_us(self.cloud.now_us),
                "epoch_seconds": self.cloud.now_us / US_PER_SECOND,
                "elapsed_seconds": (self.cloud.now_us - self.cloud.start_us) / US_PER_SECOND,
                "mode": self.clock_mode,
                "rate": self.rate,
            }

    def reset(self) -> None:
        with self.lock:
            self.cloud = self.cloud_factory()
            self._base_us = self.cloud.now_us
            self._wall0 = time.monotonic()  # noqa: wallclock (--clock wall mode follows the wall clock by design)
            self._offset_us = 0

    def _ticker(self) -> None:
        while not self._stop.wait(self.tick):
            with self.lock:
                try:
                    self.sync_clock()
                except Exception:  # pragma: no cover - a failing scheduled event: report, go on
                    traceback.print_exc()

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> "SimServer":
        """Serve on background threads (returns at once; see :meth:`stop`)."""
        t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                             name="serverless_sim-http", daemon=True)
        t.start()
        self._threads.append(t)
        if self.clock_mode == "wall":
            tk = threading.Thread(target=self._ticker, name="serverless_sim-clock", daemon=True)
            tk.start()
            self._threads.append(tk)
        return self

    def serve_forever(self) -> None:
        """Serve on this thread until interrupted."""
        if self.clock_mode == "wall":
            tk = threading.Thread(target=self._ticker, name="serverless_sim-clock", daemon=True)
            tk.start()
            self._threads.append(tk)
        try:
            self.httpd.serve_forever()
        finally:
            self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> "SimServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- one AWS request ------------------------------------------------------------------
    def handle_aws(self, target: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        """One AWS JSON request -> (status, headers, body)."""
        prefix, _, op = target.partition(".")
        spec = TARGETS.get(prefix)
        version = spec[1] if spec else "1.0"
        content_type = f"application/x-amz-json-{version}"
        with self.lock:
            cloud = self.cloud
            self.sync_clock()
            request_id = cloud.request_id()
            headers = {"Content-Type": content_type, "x-amzn-RequestId": request_id}
            try:
                if spec is None or not op or spec[0] not in SERVICES:
                    raise _Unknown(f"Unknown operation: {target!r}" if target else "Missing X-Amz-Target header")
                service_name = spec[0]
                try:
                    service = cloud.service(service_name)
                except (SimError, ImportError) as exc:
                    raise _Unknown(f"{service_name} is not simulated yet ({exc})") from exc
                if op not in service.operations:
                    raise _Unknown(f"The operation {op} is not supported by {service_name} in this simulator")
                request = decode_request(service_name, body)
                try:
                    response = service.dispatch(op, request)
                except AWSError as err:
                    cloud.trace.record(service_name, "api_call", operation=op, error=err.code)
                    payload = encode_response(err.wire_body())
                    headers["x-amzn-ErrorType"] = err.code
                    status = err.status
                else:
                    cloud.trace.record(service_name, "api_call", operation=op)
                    empty = not response and op in NO_OUTPUT.get(service_name, ())
                    payload = b"" if empty else encode_response(response)
                    status = 200
            except SerializationError as exc:
                error: dict[str, Any] = {"__type": CORAL + exc.code}
                if str(exc):
                    error["message"] = str(exc)
                headers["x-amzn-ErrorType"] = exc.code
                return 400, headers, encode_response(error)
            except _Unknown as exc:
                payload = encode_response({"__type": CORAL + "UnknownOperationException", "message": str(exc)})
                return 400, headers, payload
            except Exception as exc:  # a simulator bug: answer 500 as AWS would, and say why
                traceback.print_exc(file=sys.stderr)
                payload = encode_response({
                    "__type": CORAL + "InternalFailure",
                    "message": f"serverless_sim internal error: {type(exc).__name__}: {exc}",
                })
                return 500, headers, payload
        if prefix.startswith("DynamoDB"):
            headers["x-amz-crc32"] = ""  # filled by the handler over the bytes actually sent
        return status, headers, payload


    def handle_routed(self, request: "HttpRequest", raw_encoding: str) -> tuple[int, dict[str, str], bytes]:
        """Any other AWS request, through the model-driven protocols -> (status, headers, body).

        ``request.body`` is the body as received; ``raw_encoding`` its ``Content-Encoding``:
        gzip/deflate bodies are inflated here, except for S3 (whose ``Content-Encoding`` is the
        object's metadata, and whose ``aws-chunked`` framing its protocol module reads)."""
        try:
            import botocore  # noqa: F401 - the service models the protocols are driven by

            from .protocols import router
        except ImportError as exc:  # botocore (the models) is the boto3 extra
            return _json_error(501, "NotImplemented",
                               "This request needs botocore's service models: pip install 'serverless_sim[boto3]' "
                               f"(only the X-Amz-Target JSON services work without it; {exc})")
        with self.lock:
            cloud = self.cloud
            self.sync_clock()
            try:
                try:
                    route = router.resolve(request)
                except router.RoutingError as err:
                    response = router.error_response(cloud, err.protocol, err.status, err.code, str(err))
                    return response.status, response.headers, response.body
                if raw_encoding not in ("", "identity") and route.service != "s3":
                    try:
                        request.raw_body = request.body
                        request.body = _inflate_body(request.body, raw_encoding)
                    except _HTTPError as exc:
                        response = router.error_response(cloud, route.protocol, exc.status, exc.code, str(exc))
                        return response.status, response.headers, response.body
                response = router.dispatch(cloud, request, route)
            except Exception as exc:  # a simulator bug: answer 500, and say why
                traceback.print_exc(file=sys.stderr)
                return _json_error(500, "InternalFailure",
                                   f"serverless_sim internal error: {type(exc).__name__}: {exc}")
        return response.status, response.headers, response.body


def _json_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, \
        encode_response({"__type": code, "message": message})


class _Unknown(Exception):
    pass


#: DynamoDB's request size limit (16 MB, after decompression), answered with 413.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: Requests to the model-driven protocols may be larger (S3 uploads); they are held in memory.
MAX_ROUTED_REQUEST_BYTES = 1024 * 1024 * 1024
#: Longer request paths are refused with 400 (DynamoDB does not read an unbounded URL).
MAX_PATH = 16 * 1024
#: Responses larger than this are compressed when the client accepts gzip or deflate.
COMPRESSION_THRESHOLD = 4096
_CORS_EXPOSE = ("x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date,Content-Encoding,x-amzn-query-error,"
                "smithy-protocol,ETag,x-amz-request-id,x-amz-version-id")


class _HTTPError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _quality(params: str) -> float:
    """The q-value of one ``Accept-Encoding`` entry's parameters, as DynamoDB reads it: the first
    ``q=`` in the text counts; a value that is not a number counts as 1; values are clamped to
    [0, 1]."""
    at = params.find("q=")
    if at < 0:
        return 1.0
    text = params[at + 2:].split(";")[0].strip()
    try:
        q = float(text)
    except ValueError:
        return 1.0
    return min(1.0, max(0.0, q))


def negotiate_encoding(header: str | None) -> str | None:
    """The response coding for an ``Accept-Encoding`` header: ``"gzip"``, ``"deflate"`` or None.

    As DynamoDB answers: the highest q-value wins; a coding named explicitly beats one matched by
    ``*``; then the order of the header; ``*`` alone means gzip; ``q=0`` refuses a coding;
    malformed entries (quotes, spaces or ``:`` in the name) are ignored; of repeated entries the
    highest q counts. Only the first ``Accept-Encoding`` header is read (as DynamoDB does).
    """
    if not header:
        return None
    explicit: dict[str, tuple[float, int]] = {}
    star: float | None = None
    for position, part in enumerate(header.split(",")):
        name, _, params = part.partition(";")
        name = name.strip().lower()
        if not name or any(c in name for c in ' \t":'):
            continue
        q = _quality(params)
        if name == "*":
            star = q if star is None else max(star, q)
        elif name in explicit:
            explicit[name] = (max(q, explicit[name][0]), explicit[name][1])
        else:
            explicit[name] = (q, position)
    best: tuple[float, int, int] | None = None
    chosen = None
    for coding in ("gzip", "deflate"):
        if coding in explicit:
            q, position = explicit[coding]
            rank = (q, 1, -position)
        elif star is not None:
            q = star
            rank = (q, 0, -1 if coding == "gzip" else -2)
        else:
            continue
        if q > 0 and (best is None or rank > best):
            best, chosen = rank, coding
    return chosen


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB"


def _inflate(data: bytes, wbits: int, *, multi: bool) -> bytes:
    if not data:
        raise ValueError("empty compressed body")
    out: list[bytes] = []
    total = 0
    while data:
        d = zlib.decompressobj(wbits)
        chunk = d.decompress(data, MAX_REQUEST_BYTES + 1 - total)
        total += len(chunk)
        if total > MAX_REQUEST_BYTES or d.unconsumed_tail:
            raise _HTTPError(413, "RequestEntityTooLarge", "Decompressed request exceeds the 16 MB limit")
        if not d.eof:
            raise ValueError("truncated compressed body")
        out.append(chunk)
        data = d.unused_data
        if data and not multi:
            raise ValueError("trailing data after the compressed body")
    return b"".join(out)


def _inflate_body(body: bytes, encoding: str) -> bytes:
    """A request body as sent with ``Content-Encoding: encoding`` -> its bytes; AWS answers a
    body it cannot decode with a 500 (raised as :class:`_HTTPError`)."""
    if encoding in ("", "identity"):
        return body
    try:
        if encoding == "gzip":
            return _inflate(body, 16 + zlib.MAX_WBITS, multi=True)
        if encoding == "deflate":
            return _inflate(body, zlib.MAX_WBITS, multi=False)
        raise ValueError(f"unsupported Content-Encoding {encoding!r}")
    except _HTTPError:
        raise
    except Exception as exc:
        raise _HTTPError(500, "InternalFailure", f"Cannot decode the request body: {exc}") from exc


class _Handler(BaseHTTPRequestHandler):
    sim: SimServer
    protocol_version = "HTTP/1.1"
    # One buffered write per response (headers and body together), no Nagle delay: otherwise
    # keep-alive clients wait for delayed ACKs (~40 ms a request).
    wbufsize = -1
    disable_nagle_algorithm = True
    server_version = "serverless_sim"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's name
        if not self.sim.quiet:
            super().log_message(format, *args)

    # -- reading --------------------------------------------------------------------------
    def _read_raw(self, limit: int = MAX_REQUEST_BYTES) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                total += size
                if total > limit:
                    self.close_connection = True
                    raise _HTTPError(413, "RequestEntityTooLarge", f"Request body exceeds the {_size(limit)} limit")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            self.close_connection = True
            raise _HTTPError(413, "RequestEntityTooLarge", f"Request body exceeds the {_size(limit)} limit")
        return self.rfile.read(length) if length else b""

    def _read_body(self) -> bytes:
        body = self._read_raw()
        return _inflate_body(body, (self.headers.get("Content-Encoding") or "").strip().lower())

    # -- writing --------------------------------------------------------------------------
    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (S3 uploads): the interim answer must leave at once, before
        the client sends the body; the buffered ``wfile`` would hold it back."""
        self.send_response_only(100)
        self.end_headers()
        self.wfile.flush()
        return True

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header: the Cloud's virtual time (responses stay reproducible)."""
        if timestamp is not None:  # pragma: no cover - the stdlib passes none when answering
            return super().date_time_string(timestamp)
        return email.utils.formatdate(self.sim.cloud.time(), usegmt=True)

    def _cors(self, headers: dict[str, str], preflight: bool = False) -> None:
        if self.headers.get("Origin") is None:
            return
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = _CORS_EXPOSE
        if preflight:
            headers["Access-Control-Max-Age"] = "172800"
            headers["Access-Control-Allow-Methods"] = self.headers.get("Access-Control-Request-Method") or "POST"
            headers["Access-Control-Allow-Headers"] = self.headers.get("Access-Control-Request-Headers") or "*"

    def _send(self, status: int, headers: dict[str, str], body: bytes, *, preflight: bool = False,
              compress: bool = True) -> None:
        if compress and len(body) > COMPRESSION_THRESHOLD:
            coding = negotiate_encoding(self.headers.get("Accept-Encoding"))
            if coding == "gzip":
                body = gzip.compress(body, compresslevel=6)
                headers["Content-Encoding"] = "gzip"
            elif coding == "deflate":
                body = zlib.compress(body, 6)
                headers["Content-Encoding"] = "deflate"
        if "x-amz-crc32" in headers:  # DynamoDB's checksum covers the (compressed) wire bytes
            headers["x-amz-crc32"] = str(zlib.crc32(body) & 0xFFFFFFFF)
        self._cors(headers, preflight)
        # A HEAD answer keeps the Content-Length its GET would have (S3's HeadObject says it).
        length = str(len(body))
        for k in [k for k in headers if k.lower() == "content-length"]:
            given = headers.pop(k)
            if self.command == "HEAD":
                length = given
        date = next((v for k, v in headers.items() if k.lower() == "date"), None)
        self.log_request(status)
        self.send_response_only(status)
        self.send_header("Server", self.version_string())
        if date is None:
            self.send_header("Date", self.date_time_string())
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", length)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, {"Content-Type": "application/json"}, json.dumps(data).encode())

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": code},
                   encode_response({"__type": CORAL + code, "message": message}))

    # -- methods --------------------------------------------------------------------------
    def _signed(self) -> bool:
        return bool(self.headers.get("Authorization")) or "X-Amz-Credential=" in self.path

    def _request(self) -> None:
        """Every method but OPTIONS: the simulator's own endpoints, the hand-written JSON path,
        or the model-driven protocols."""
        path, _, query = self.path.partition("?")
        if len(path) > MAX_PATH:
            self._read_discard()
            self._error(400, "BadRequest", "Request URI too long")
            return
        if path.startswith("/_sim/") or path == "/_sim":
            self._simulator(path)
            return
        target = self.headers.get("X-Amz-Target") or ""
        if target and path != "/":
            # The JSON protocols are served at "/" only (DynamoDB answers other paths with 404;
            # the path is signed, so AWS would refuse the signature first).
            self._read_discard()
            self._error(404, "UnknownOperationException", f"No such path: {path}")
            return
        legacy = self.command == "POST" and path == "/" and (
            target.partition(".")[0] in TARGETS
            or not (target or self._signed() or self.headers.get("Smithy-Protocol")
                    or (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded")))
        if legacy:  # the hand-written AWS JSON path (no botocore needed)
            body = self._read_body_or_answer()
            if body is None:
                return
            status, headers, payload = self.sim.handle_aws(target, body)
            self._send(status, headers, payload)
            return
        if self.command in ("GET", "HEAD") and path == "/" and not self._signed():
            # DynamoDB's health check answers with the host it was reached at.
            host = self.headers.get("Host") or f"dynamodb.{self.sim.cloud.region}.amazonaws.com"
            self._send(200, {"Content-Type": "text/plain"}, f"healthy: {host}".encode())
            return
        try:
            raw = self._read_raw(MAX_ROUTED_REQUEST_BYTES)
        except _HTTPError as exc:
            self._send(*_json_error(exc.status, exc.code, str(exc)))
            return
        except (OSError, ValueError) as exc:
            self._send(*_json_error(400, "SerializationException", f"Cannot read the request body: {exc}"))
            return
        from .protocols.base import HttpRequest

        headers = {k.lower(): v for k, v in self.headers.items()}
        request = HttpRequest(self.command, path, query, headers, raw)
        status, out_headers, payload = self.sim.handle_routed(
            request, (self.headers.get("Content-Encoding") or "").strip().lower())
        content_type = next((v for k, v in out_headers.items() if k.lower() == "content-type"), "")
        self._send(status, out_headers, payload, compress=content_type.startswith("application/x-amz-json"))

    def _read_body_or_answer(self) -> bytes | None:
        """The (inflated) body, or None after answering the error that reading it raised."""
        try:
            return self._read_body()
        except _HTTPError as exc:
            self._error(exc.status, exc.code, str(exc))
        except (OSError, ValueError) as exc:
            self._error(400, "SerializationException", f"Cannot read the request body: {exc}")
        return None

    def _read_discard(self) -> None:
        try:
            self._read_raw()
        except (_HTTPError, OSError, ValueError):
            self.close_connection = True

    def _simulator(self, path: str) -> None:
        if self.command == "GET" and path == "/_sim/clock":
            self._read_discard()
            self._json(200, self.sim.clock_state())
            return
        if self.command != "POST":
            self._read_discard()
            self._json(404, {"message": f"unknown simulator endpoint {self.command} {path}"})
            return
        body = self._read_body_or_answer()
        if body is not None:
            self._sim_endpoint(path, body)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _request

    def do_OPTIONS(self) -> None:  # noqa: N802 - a CORS pre-flight request
        self._read_discard()
        self._send(200, {"Content-Type": "text/plain"}, b"", preflight=True)

    def _sim_endpoint(self, path: str, body: bytes) -> None:
        try:
            data = json.loads(body) if body.strip() else {}
            if path == "/_sim/clock/advance":
                seconds = data.get("seconds")
                if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                    raise SimError('advance takes {"seconds": <non-negative number>}')
                self.sim.advance(seconds)
            elif path == "/_sim/clock/run_until_idle":
                with self.sim.lock:
                    self.sim.cloud.run_until_idle()
            elif path == "/_sim/reset":
                self.sim.reset()
            else:
                self._json(404, {"message": f"unknown simulator endpoint {path}"})
                return
        except (SimError, ValueError, AttributeError) as exc:
            self._json(400, {"message": str(exc)})
            return
        self._json(200, self.sim.clock_state())


def serve(cloud_factory: Callable[[], "Cloud"], host: str = "127.0.0.1", port: int = 8000, *,
          clock: str = "frozen", rate: float = 1.0, quiet: bool = False) -> None:
    """Serve until interrupted (what ``python -m serverless_sim serve`` runs)."""
    server = SimServer(cloud_factory, host, port, clock=clock, rate=rate, quiet=quiet)
    print(f"serverless_sim: AWS endpoint on {server.url} (clock: {clock}"
          + (f", rate {rate:g})" if clock == "wall" else ")"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
