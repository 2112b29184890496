"""Access logs: one line per request, in the stage's format, to CloudWatch Logs.

https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html and
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference:
``accessLogSettings = {destinationArn: <log group ARN>, format: "... $context.requestId ..."}``.
Supported variables: requestId, extendedRequestId, requestTime, requestTimeEpoch, httpMethod,
path, resourcePath, routeKey, stage, apiId, domainName, protocol, status, responseLength,
responseLatency, integrationLatency, integrationStatus, identity.sourceIp,
identity.userAgent, authorizer.principalId, error.message, error.responseType,
identity.apiKeyId; others log ``-``. The format is compiled once per stage change; a line costs
one join. The stream is named after the stage (``<apiId>/<stage>``; AWS's stream names are not
documented for access logs: a deviation).
"""

from __future__ import annotations

import re
from typing import Any, Callable

_VAR = re.compile(r"\$context\.([A-Za-z0-9_.]+)")


def log_group_of(arn: str | None) -> str | None:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` -> name."""
    if not arn:
        return None
    m = re.match(r"^arn:aws[a-zA-Z-]*:logs:[^:]*:\d*:log-group:([^:]+)(:\*)?$", arn)
    return m.group(1) if m else None


def compile_format(fmt: str) -> Callable[[dict[str, Any]], str]:
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _VAR.finditer(fmt):
        if m.start() > pos:
            parts.append((False, fmt[pos:m.start()]))
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(fmt):
        parts.append((False, fmt[pos:]))

    def render(values: dict[str, Any]) -> str:
        out = []
        for is_var, text in parts:
            if is_var:
                v = values.get(text)
                out.append("-" if v is None else str(v))
            else:
                out.append(text)
        return "".join(out)

    return render


__all__ = ["compile_format", "log_group_of"]
