"""The bridge to Lambda: integration URIs, starting invocations at a virtual instant, and how a
request's caller waits.

Integration URIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html):
``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations``, or
(HTTP and WebSocket APIs) the function ARN itself; ``${stageVariables.name}`` is substituted
from the stage's variables (e.g. an alias per stage).

Lambda's invocation path starts an invocation *at* an instant and knows its end at once (the
handler's code runs immediately; :mod:`serverless_sim.awslambda.invoke`). API Gateway's request
pipeline is a generator that yields the instants it waits for (an authorizer's end, the
integration's end or its timeout); :func:`drive_blocking` and :func:`drive_nonblocking` run it.

Uses two internals of the Lambda package (``Lambda._start`` with ``start_us`` and the
"is the kernel's run loop on the stack" test): listed for the lead as the Lambda API this
package relies on.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Generator

from ..awslambda.invoke import _scheduler_running
from ..awslambda.runtime import current_run
from ..kernel.errors import AWSError

if TYPE_CHECKING:
    from ..awslambda.invoke import Invocation
    from ..cloud import Cloud

_URI = re.compile(r"^arn:aws[a-zA-Z-]*:apigateway:[^:]+:lambda:path/[^/]+/functions/(.+)/invocations$")
_FN_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$")
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


class FunctionMissing(Exception):
    """The integration names no function that exists (a configuration error: 500)."""


def function_arn_of(uri: str) -> str | None:
    """The function ARN inside an integration URI (None if it is not a Lambda URI)."""
    m = _URI.match(uri)
    if m is not None:
        return m.group(1)
    if _FN_ARN.match(uri):
        return uri
    return None


def substitute_stage_variables(text: str, variables: dict[str, str] | None) -> str:
    if "${" not in text:
        return text
    vs = variables or {}
    return _STAGE_VAR.sub(lambda m: vs.get(m.group(1), ""), text)


class LambdaTarget:
    """A parsed function ARN: (name, qualifier), cached per URI text."""

    __slots__ = ("name", "qualifier")

    def __init__(self, name: str, qualifier: str | None) -> None:
        self.name = name
        self.qualifier = qualifier


_TARGETS: dict[str, LambdaTarget | None] = {}


def lambda_target(uri: str) -> LambdaTarget | None:
    t = _TARGETS.get(uri, False)
    if t is False:
        arn = function_arn_of(uri)
        m = _FN_ARN.match(arn) if arn else None
        t = LambdaTarget(m.group(3), m.group(4)) if m else None
        if len(_TARGETS) < 100_000:
            _TARGETS[uri] = t
    return t  # type: ignore[return-value]


def start_invocation(cloud: "Cloud", uri: str, stage_vars: dict[str, str] | None, event: Any,
                     at_us: int) -> "Invocation":
    """Start the function the URI names, at ``at_us``; raises FunctionMissing or Lambda's
    ``TooManyRequestsException``."""
    if "${" in uri:
        uri = substitute_stage_variables(uri, stage_vars)
    target = lambda_target(uri)
    if target is None:
        raise FunctionMissing(uri)
    lam: Any = cloud.service("lambda")
    fn = lam.functions.get(target.name)
    if fn is None or fn.deleted:
        raise FunctionMissing(uri)
    try:
        version, resource = lam._route(fn, target.qualifier)
    except AWSError:
        raise FunctionMissing(uri) from None
    inv: Invocation = lam._start(version, resource, event, start_us=at_us)
    return inv


# -- drivers ---------------------------------------------------------------------------------
Flow = Generator[int, None, Any]


def drive_blocking(cloud: "Cloud", make_flow: Callable[[int], Flow]) -> Any:
    """Run a pipeline for a caller that waits, like a real HTTP call.

    From user code the clock advances to the response (events due meanwhile run); from inside a
    Lambda handler the handler's clock advances; from a simulation event the kernel is not
    re-entered: the pipeline runs on at later instants and its response is returned at once
    (use ``request_event`` / ``submit`` in processes).
    """
    run = current_run()
    sched = cloud.scheduler
    if run is not None:
        t0 = run.now_us
        flow = make_flow(t0)
        t = t0
        try:
            while True:
                t = next(flow)
        except StopIteration as stop:
            result = stop.value
        if t > run.now_us:
            run.advance(t - run.now_us)
        return result
    if _scheduler_running(sched):
        flow = make_flow(cloud.clock.now_us)
        try:
            while True:
                next(flow)
        except StopIteration as stop:
            return stop.value
    flow = make_flow(cloud.clock.now_us)
    try:
        t = next(flow)
        while True:
            if t > cloud.clock.now_us:
                sched.run_until_us(t)
            t = flow.send(None)
    except StopIteration as stop:
        return stop.value


def drive_nonblocking(cloud: "Cloud", make_flow: Callable[[int], Flow],
                      on_done: Callable[[Any], Any] | None) -> None:
    """Run a pipeline on the kernel: each wait is a scheduled event; ``on_done(result)`` is
    called at the response instant (at once if the response needs no waiting)."""
    flow = make_flow(cloud.clock.now_us)
    sched = cloud.scheduler

    def step() -> None:
        try:
            t = next(flow)
        except StopIteration as stop:
            if on_done is not None:
                on_done(stop.value)
            return
        sched.schedule_at_us(max(t, cloud.clock.now_us), step)

    step()


__all__ = [
    "FunctionMissing", "LambdaTarget", "drive_blocking", "drive_nonblocking", "function_arn_of",
    "lambda_target", "start_invocation", "substitute_stage_variables",
]
