"""The bridge to Lambda: integration URIs, and starting invocations at a virtual instant.

Integration URIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html):
``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations``, or
(HTTP and WebSocket APIs) the function ARN itself; ``${stageVariables.name}`` is substituted
from the stage's variables (e.g. an alias per stage).

Lambda's public entry point :meth:`~serverless_sim.awslambda.Lambda.start_at` starts an
invocation *at* an instant and knows its end at once (the handler's code runs immediately); the
gateway's pipeline (:mod:`.gateway`) then waits for that end (or the integration timeout) in
whatever way its caller waits. ``WAIT`` is what a pipeline step returns when it waits.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..kernel.errors import AWSError

if TYPE_CHECKING:
    from ..awslambda.invoke import Invocation
    from ..awslambda.service import Lambda


class WAIT:
    """Returned by a pipeline step that waits (``ex.wait_t`` / ``ex.next`` say for what): a
    class, so that it is the same object in every fork of a Cloud."""


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


def start_invocation(lam: "Lambda", uri: str | None, stage_vars: dict[str, str] | None, event: Any,
                     at_us: int) -> "Invocation":
    """Start the function the URI names, its handler at ``at_us``; raises FunctionMissing or
    Lambda's ``TooManyRequestsException``."""
    if not uri:
        raise FunctionMissing(uri)
    if "${" in uri:
        uri = substitute_stage_variables(uri, stage_vars)
    target = lambda_target(uri)
    if target is None:
        raise FunctionMissing(uri)
    try:
        return lam.start_at(target.name, target.qualifier, event, at_us)
    except AWSError as exc:
        if exc.code == "ResourceNotFoundException":
            raise FunctionMissing(uri) from None
        raise


__all__ = [
    "WAIT", "FunctionMissing", "LambdaTarget", "function_arn_of", "lambda_target", "start_invocation",
    "substitute_stage_variables",
]
