"""The Cloud: one account's simulated AWS on one virtual clock.

    >>> from serverless_sim import Cloud
    >>> cloud = Cloud(seed=7, start="2026-01-01T00:00:00Z")
    >>> fired = []
    >>> _ = cloud.call_later(90, fired.append, "hello")
    >>> cloud.advance(60)       # returns the number of events run
    0
    >>> fired
    []
    >>> cloud.advance(60)
    1
    >>> fired, cloud.now.isoformat()
    (['hello'], '2026-01-01T00:02:00+00:00')

Time moves only when told to (``advance``, ``run``, ``run_until_idle``) or when a call waits on
something that takes time (a synchronous Lambda invoke). Two Clouds share no state.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import random
import traceback
from heapq import heappush
from typing import Any, Callable, Generator, Iterable

from .kernel.clock import (
    DEFAULT_START,
    US_PER_SECOND,
    Clock,
    Duration,
    Instant,
    duration_to_us,
    format_us,
    instant_to_us,
)
from .kernel.errors import SimError
from .kernel.metrics import MetricStore
from .kernel.process import Condition, Event, Process, Timeout, all_of, any_of

_tuple_new = tuple.__new__
from .kernel.rng import RandomStreams
from .kernel.scheduler import Handle, Scheduler
from .kernel.service import Service
from .kernel.trace import Keep, Trace
from .services import SERVICES

#: The default horizon of ``run_until_idle``: far enough for retries over hours and TTL over
#: days, bounded so that a periodic event cannot run forever.
DEFAULT_IDLE_LIMIT_S = 366 * 86_400


class Cloud:
    """One simulated AWS account in one region, with its kernel and services.

    Parameters:
        seed: the simulation's seed; every random draw comes from a stream derived from it.
        start: the virtual start instant (ISO-8601 string, datetime, or epoch seconds).
        region, account_id: used in ARNs and responses.
        trace: ``"all"`` (keep every trace record), ``"none"`` (digest only) or a predicate.
        debug: record where each event was scheduled, to name it when it fails (slower).
        enforce_iam: check calls without credentials against IAM too (calls with credentials
            are always checked); see :mod:`serverless_sim.iam.enforce`.
    """

    def __init__(
        self,
        seed: int | str = 0,
        start: Instant = DEFAULT_START,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        *,
        trace: Keep = "all",
        debug: bool = False,
        enforce_iam: bool = False,
    ) -> None:
        if not isinstance(account_id, str) or len(account_id) != 12 or not account_id.isdigit():
            raise SimError(f"account_id is 12 digits, got {account_id!r}")
        self.seed = seed
        self.region = region
        self.account_id = account_id
        self.clock = Clock(start)
        self.start_us = self.clock.now_us
        self.scheduler = Scheduler(self.clock, debug=debug)
        self.streams = RandomStreams(seed)
        self.trace = Trace(self.clock, keep=trace)
        self.metrics = MetricStore(self.clock)
        self._services: dict[str, Service] = {}
        #: Authorize calls without credentials too (as the ambient role inside ``run_as``, e.g. a
        #: Lambda handler's execution role; as the account root elsewhere). See iam.enforce.
        self.enforce_iam = enforce_iam

    # -- time -----------------------------------------------------------------------------
    @property
    def now(self) -> _dt.datetime:
        """The current virtual instant, an aware UTC datetime."""
        return self.clock.now

    @property
    def now_us(self) -> int:
        """The current virtual instant in integer epoch microseconds."""
        return self.clock.now_us

    def time(self) -> float:
        """The current virtual instant in epoch seconds (what ``time.time`` gives on AWS)."""
        return self.clock.now_us / US_PER_SECOND

    @property
    def elapsed(self) -> _dt.timedelta:
        """Virtual time since the simulation's start."""
        return _dt.timedelta(microseconds=self.clock.now_us - self.start_us)

    def _instant_us(self, when: Instant | _dt.timedelta) -> int:
        """Datetimes and ISO strings are absolute; numbers and timedeltas count from the start."""
        if isinstance(when, (int, float)) and not isinstance(when, bool):
            return self.start_us + duration_to_us(when)
        if isinstance(when, _dt.timedelta):
            return self.start_us + duration_to_us(when)
        return instant_to_us(when)

    def advance(self, duration: Duration) -> int:
        """Move the clock forward by ``duration`` (seconds or timedelta), running what falls due.

        Afterwards ``now`` is exactly the old ``now`` plus ``duration``. Returns events run.
        """
        delta = duration_to_us(duration)
        if delta < 0:
            raise SimError(f"cannot advance by a negative duration ({duration!r})")
        return self.scheduler.run_until_us(self.clock.now_us + delta)

    def run(self, until: Instant | _dt.timedelta) -> int:
        """Run every event due up to ``until`` and leave ``now`` there.

        ``until`` is a datetime or ISO-8601 string (absolute), or seconds / a timedelta counted
        from the simulation's start. Returns the number of events run.
        """
        return self.scheduler.run_until_us(self._instant_us(until))

    def run_until_idle(
        self, limit: Duration = DEFAULT_IDLE_LIMIT_S, *, max_events: int | None = None
    ) -> int:
        """Run until no work is pending except periodic background (daemon) events.

        Bounded by ``limit`` (a duration from now, default 366 days) and ``max_events``. ``now``
        ends at the last event run. Returns the number of events run.
        """
        limit_us = self.clock.now_us + duration_to_us(limit)
        return self.scheduler.run_until_idle_us(limit_us, max_events)

    def call_at(self, when: Instant | _dt.timedelta, fn: Callable[..., Any], *args: Any) -> Handle:
        """Call ``fn(*args)`` at ``when`` (absolute, or seconds from the start). O(log n)."""
        return self.scheduler.call_at_us(self._instant_us(when), fn, *args)

    def call_later(self, delay: Duration, fn: Callable[..., Any], *args: Any) -> Handle:
        """Call ``fn(*args)`` after ``delay`` seconds (or a timedelta). O(log n)."""
        us: int
        t = type(delay)
        if t is float:
            us = round(delay * 1_000_000)  # type: ignore[operator, arg-type]
        elif t is int:
            us = delay * 1_000_000  # type: ignore[operator, assignment]
        else:
            us = duration_to_us(delay)
        if us < 0:
            raise SimError(f"cannot schedule with a negative delay ({delay!r})")
        # Inlined Scheduler.schedule_at_us: this is the hottest call of callback simulations.
        sched = self.scheduler
        sched._seq = seq = sched._seq + 1
        entry = (self.clock.now_us + us, seq, fn, args)
        heappush(sched._queue, entry)
        if sched._debug:
            sched._origins[seq] = "".join(traceback.format_stack(limit=8)[:-2])
        return entry

    def cancel(self, handle: Handle) -> bool:
        """Cancel what ``call_at``/``call_later`` scheduled; False if it already ran or was
        cancelled. O(1)."""
        return self.scheduler.cancel(handle)

    def is_pending(self, handle: Handle) -> bool:
        """True until the scheduled callback runs or is cancelled."""
        return self.scheduler.is_pending(handle)

    # -- processes ------------------------------------------------------------------------
    def process(self, generator: Generator[Any, Any, Any], name: str | None = None) -> Process:
        """Start a generator-based process at the current instant."""
        return Process(self.scheduler, generator, name)

    def timeout(self, delay: Duration, value: Any = None) -> Timeout:
        """An event that succeeds ``delay`` from now (``yield cloud.timeout(2.5)``)."""
        us: int
        t = type(delay)
        if t is float:
            us = round(delay * 1_000_000)  # type: ignore[operator, arg-type]
        elif t is int:
            us = delay * 1_000_000  # type: ignore[operator, assignment]
        else:
            us = duration_to_us(delay)
        if us < 0:
            raise SimError(f"cannot wait a negative duration ({delay!r})")
        return _tuple_new(Timeout, (self.clock.now_us + us, value, self.scheduler))

    def event(self) -> Event:
        """A fresh event to ``succeed``/``fail`` by hand."""
        return Event(self.scheduler)

    def all_of(self, events: Iterable[Event]) -> Condition:
        return all_of(self.scheduler, events)

    def any_of(self, events: Iterable[Event]) -> Condition:
        return any_of(self.scheduler, events)

    # -- randomness -----------------------------------------------------------------------
    def rng(self, name: str) -> random.Random:
        """The random stream ``name``, seeded from (seed, name); the same object every call."""
        return self.streams(name)

    def request_id(self) -> str:
        """An AWS-style request id from the ``requests`` stream."""
        return self.streams.uuid("requests")

    # -- services -------------------------------------------------------------------------
    def service(self, name: str) -> Service:
        """The service answering boto3 service ``name`` (created on first use)."""
        svc = self._services.get(name)
        if svc is None:
            spec = SERVICES.get(name)
            if spec is None:
                raise SimError(
                    f"unknown service {name!r}; this simulator offers: {', '.join(sorted(SERVICES))}"
                )
            module = importlib.import_module(spec[0])
            svc = self._services[name] = getattr(module, spec[1])(self)
        return svc

    def client(self, service_name: str, credentials: Any = None, **kwargs: Any) -> Any:
        """A boto3-shaped client for ``service_name`` (``region_name`` etc. are accepted and
        ignored: a Cloud is one account in one region).

        ``credentials`` (``{"AccessKeyId", "SecretKey", "SessionToken"}`` as GetCredentialsForIdentity
        returns them, or STS's ``Credentials``), or boto3's ``aws_access_key_id=``,
        ``aws_secret_access_key=``, ``aws_session_token=``: each call is authorized by IAM as
        that principal (see :mod:`serverless_sim.iam.enforce`)."""
        from .adapters.client import make_client

        if credentials is None and kwargs.get("aws_access_key_id") is not None:
            credentials = {"AccessKeyId": kwargs["aws_access_key_id"],
                           "SecretKey": kwargs.get("aws_secret_access_key"),
                           "SessionToken": kwargs.get("aws_session_token")}
        return make_client(self, self.service(service_name), credentials)

    def resource(self, service_name: str, **_ignored: Any) -> Any:
        """A boto3-style resource layer (DynamoDB ``Table``); boto3 is not needed."""
        from .adapters.resource import resource

        return resource(self, service_name)

    def boto3_session(self, **session_kwargs: Any) -> Any:
        """A real boto3 Session answered by this Cloud (needs the ``boto3`` extra)."""
        from .adapters.boto3_bridge import boto3_session

        return boto3_session(self, **session_kwargs)

    def patch_boto3(self) -> Any:
        """Context manager / decorator: ``boto3.client/resource/Session()`` made inside it talk
        to this Cloud (needs the ``boto3`` extra)."""
        from .adapters.boto3_bridge import patch_boto3

        return patch_boto3(self)

    @property
    def dynamodb(self) -> Any:
        """The DynamoDB service (native API)."""
        return self.service("dynamodb")

    @property
    def awslambda(self) -> Any:
        """AWS Lambda (native API: ``create_function_from_callable``, ``invoke``...)."""
        return self.service("lambda")

    @property
    def apigateway(self) -> Any:
        """API Gateway (REST, HTTP and WebSocket APIs); native requests with
        ``cloud.apigateway.request(api_id, method, path, headers=..., body=...)``."""
        return self.service("apigateway")

    @property
    def cloudwatch(self) -> Any:
        return self.service("cloudwatch")

    @property
    def logs(self) -> Any:
        """CloudWatch Logs (services write their log lines here)."""
        return self.service("logs")

    # -- simulations (serverless_sim.sim) --------------------------------------------------
    def fork(self) -> "Cloud":
        """An independent copy at the current instant: run it and the original to the same
        instant and their trace digests agree (``serverless_sim.sim.fork``)."""
        from .sim.fork import fork

        return fork(self)

    def checkpoint(self) -> Any:
        """A snapshot to :meth:`restore` later."""
        from .sim.fork import checkpoint

        return checkpoint(self)

    def restore(self, cp: Any) -> "Cloud":
        """Put this Cloud back to a :meth:`checkpoint`."""
        from .sim.fork import restore

        return restore(self, cp)

    def report(self, **kwargs: Any) -> Any:
        """Latency, cold starts, throttles, capacity and cost so far (``serverless_sim.sim.report``)."""
        from .sim.report import report

        return report(self, **kwargs)

    def _repr_html_(self) -> str:
        from .sim.display import cloud_html

        return cloud_html(self)

    def arn(self, service: str, resource: str, *, region: str | None = None) -> str:
        """``arn:aws:<service>:<region>:<account>:<resource>``."""
        return f"arn:aws:{service}:{self.region if region is None else region}:{self.account_id}:{resource}"

    def __repr__(self) -> str:
        return f"<Cloud seed={self.seed!r} now={format_us(self.clock.now_us)} region={self.region}>"
