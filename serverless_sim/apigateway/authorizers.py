"""Lambda authorizers: identity sources, IAM policy evaluation, results and their cache.

REST (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html):

- ``TOKEN``: the identity source is one header (``method.request.header.Authorization``); a
  missing or empty token, or one failing ``identityValidationExpression``, is a 401
  ``{"message":"Unauthorized"}`` without invoking the function. Event:
  ``{"type": "TOKEN", "authorizationToken", "methodArn"}``.
- ``REQUEST``: identity sources are headers, query strings, stage variables and ``$context``
  values (``method.request.header.X``, ``method.request.querystring.X``, ``stageVariables.X``,
  ``context.X``); with caching on, any missing one is a 401 without invoking. The event is the
  proxy event's request part plus ``type`` and ``methodArn``.
- Output ``{principalId, policyDocument, context, usageIdentifierKey}``: the policy is evaluated
  for ``execute-api:Invoke`` on the method ARN
  ``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`` (the request's path),
  ``*`` and ``?`` wildcards in actions and resources, an explicit Deny beats any Allow, no Allow
  is an implicit deny. Explicit deny: 403 ``{"Message":"User is not authorized to access this
  resource with an explicit deny"}``; implicit: 403 ``{"Message":"User is not authorized to
  access this resource"}``. The function failing with the message ``Unauthorized``: 401; any
  other failure, an invalid output, or a context value that is an object or an array: 500
  ``{"message": null}`` (AuthorizerConfigurationException).
- The integration sees ``requestContext.authorizer = {principalId, integrationLatency, <context
  values as strings>}``.
- Caching: TTL default 300 s, 0-3,600 (0 = off), keyed by the token (TOKEN) or the identity
  source values (REQUEST), per stage, lazily expired on the virtual clock; a cached policy is
  reused for every method of the API, so it must cover them all (a policy naming one path then
  denies the others: AWS's documented pitfall).

HTTP APIs (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html):
``REQUEST`` only; identity sources ``$request.header.X`` (case-insensitive),
``$request.querystring.X``, ``$context.X``, ``$stageVariables.X``; payload 2.0 with simple
responses ``{"isAuthorized": bool, "context": {...}}`` or an IAM policy; a missing identity
source is 401, a refusal 403 ``{"message":"Forbidden"}``, a failure 500; the integration sees
``requestContext.authorizer.lambda`` (2.0). Caching needs at least one identity source.
"""

from __future__ import annotations

import re
from typing import Any

from .limits import AUTHORIZER_TTL_DEFAULT_S

INVOKE = "execute-api:Invoke"
INVALIDATE_CACHE = "execute-api:InvalidateCache"

_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM's ``*`` (any run) and ``?`` (one character) as a compiled regex (cached)."""
    key = (pattern, ignore_case)
    rx = _PATTERNS.get(key)
    if rx is None:
        parts = []
        for ch in pattern:
            parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        rx = re.compile("".join(parts), re.S | (re.I if ignore_case else 0))
        if len(_PATTERNS) < 50_000:
            _PATTERNS[key] = rx
    return rx


def _as_list(v: Any) -> list[str] | None:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return v
    return None


class PolicyError(ValueError):
    """The authorizer's policy document is not valid."""


class Policy:
    """An IAM policy document reduced to what API Gateway evaluates (Effect/Action/Resource)."""

    __slots__ = ("statements",)

    def __init__(self, document: Any) -> None:
        if not isinstance(document, dict):
            raise PolicyError("policyDocument is not an object")
        stmts = document.get("Statement")
        if isinstance(stmts, dict):
            stmts = [stmts]
        if not isinstance(stmts, list):
            raise PolicyError("Statement")
        out: list[tuple[bool, list[re.Pattern[str]], list[re.Pattern[str]]]] = []
        for s in stmts:
            if not isinstance(s, dict):
                raise PolicyError("Statement")
            effect = s.get("Effect")
            if effect not in ("Allow", "Deny"):
                raise PolicyError("Effect")
            actions = _as_list(s.get("Action"))
            resources = _as_list(s.get("Resource"))
            if actions is None or resources is None:
                raise PolicyError("Action/Resource")
            out.append((effect == "Deny", [wildcard(a, True) for a in actions],
                        [wildcard(r) for r in resources]))
        self.statements = out

    def evaluate(self, action: str, arn: str) -> str:
        """``"Allow"``, ``"Deny"`` (explicit) or ``"ImplicitDeny"``."""
        allowed = False
        for deny, actions, resources in self.statements:
            if any(a.fullmatch(action) for a in actions) and any(r.fullmatch(arn) for r in resources):
                if deny:
                    return "Deny"
                allowed = True
        return "Allow" if allowed else "ImplicitDeny"


class AuthResult:
    """What an authorizer decided, as cached: the policy (or a simple yes/no), the principal,
    the context for the integration, and the usage identifier key (REST API keys)."""

    __slots__ = ("policy", "authorized", "principal_id", "context", "usage_key", "expires_us")

    def __init__(self, policy: Policy | None, authorized: bool, principal_id: Any,
                 context: dict[str, Any] | None, usage_key: str | None, expires_us: int) -> None:
        self.policy = policy
        self.authorized = authorized
        self.principal_id = principal_id
        self.context = context
        self.usage_key = usage_key
        self.expires_us = expires_us

    def decide(self, action: str, arn: str) -> str:
        if self.policy is None:
            return "Allow" if self.authorized else "ImplicitDeny"
        return self.policy.evaluate(action, arn)


def rest_output(result: Any, now_us: int, ttl_s: int) -> AuthResult:
    """Validate a REST authorizer's output (raises PolicyError: a 500 for the client)."""
    if not isinstance(result, dict):
        raise PolicyError("output is not an object")
    if "principalId" not in result:
        raise PolicyError("principalId")
    policy = Policy(result.get("policyDocument"))
    ctx = result.get("context")
    if ctx is not None:
        ctx = stringify_context(ctx)
    usage = result.get("usageIdentifierKey")
    return AuthResult(policy, True, result["principalId"], ctx,
                      usage if isinstance(usage, str) else None, now_us + ttl_s * 1_000_000)


def stringify_context(ctx: Any) -> dict[str, Any]:
    """Context values must be strings, numbers or booleans (objects and arrays are refused)."""
    if not isinstance(ctx, dict):
        raise PolicyError("context is not an object")
    out: dict[str, Any] = {}
    for k, v in ctx.items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, (str, int, float)) or v is None:
            out[k] = v if isinstance(v, str) or v is None else str(v)
        else:
            raise PolicyError(f"context value of {k} is not a string, number or boolean")
    return out


def http_output(result: Any, simple: bool, now_us: int, ttl_s: int) -> AuthResult:
    """Validate an HTTP API Lambda authorizer's output (simple response or IAM policy)."""
    if not isinstance(result, dict):
        raise PolicyError("output is not an object")
    if simple and "isAuthorized" in result:
        ok = result["isAuthorized"]
        if not isinstance(ok, bool):
            raise PolicyError("isAuthorized")
        ctx = result.get("context")
        if ctx is not None and not isinstance(ctx, dict):
            raise PolicyError("context")
        return AuthResult(None, ok, None, ctx, None, now_us + ttl_s * 1_000_000)
    if "principalId" not in result:
        raise PolicyError("principalId")
    ctx = result.get("context")
    if ctx is not None and not isinstance(ctx, dict):
        raise PolicyError("context")
    return AuthResult(Policy(result.get("policyDocument")), True, result["principalId"], ctx, None,
                      now_us + ttl_s * 1_000_000)


class AuthorizerCache:
    """Results by (stage, authorizer id, identity key); expired lazily. O(1)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[tuple[Any, ...], AuthResult] = {}

    def get(self, key: tuple[Any, ...], now_us: int) -> AuthResult | None:
        r = self._items.get(key)
        if r is None:
            return None
        if r.expires_us <= now_us:
            del self._items[key]
            return None
        return r

    def put(self, key: tuple[Any, ...], result: AuthResult) -> None:
        if len(self._items) > 100_000:  # bound memory on long simulations: drop the expired
            self._items = {k: v for k, v in self._items.items() if v.expires_us > result.expires_us - 3_600_000_000}
        self._items[key] = result

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def method_arn(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}{path}"


# -- identity sources ---------------------------------------------------------------------
def rest_identity_sources(text: str | None) -> list[tuple[str, str]]:
    """``"method.request.header.Auth, method.request.querystring.q"`` ->
    ``[("header", "Auth"), ("querystring", "q")]`` (also ``stageVariables`` and ``context``)."""
    out: list[tuple[str, str]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        for prefix, kind in (("method.request.header.", "header"), ("method.request.querystring.", "querystring"),
                             ("stageVariables.", "stageVariables"), ("context.", "context")):
            if part.startswith(prefix) and len(part) > len(prefix):
                out.append((kind, part[len(prefix):]))
                break
        else:
            raise ValueError(part)
    return out


def http_identity_sources(items: list[str] | None) -> list[tuple[str, str]]:
    """``["$request.header.Authorization", "$context.routeKey"]`` -> kinds and names."""
    out: list[tuple[str, str]] = []
    for part in items or []:
        for prefix, kind in (("$request.header.", "header"), ("$request.querystring.", "querystring"),
                             ("$stageVariables.", "stageVariables"), ("$context.", "context")):
            if part.startswith(prefix) and len(part) > len(prefix):
                out.append((kind, part[len(prefix):]))
                break
        else:
            raise ValueError(part)
    return out


__all__ = [
    "AUTHORIZER_TTL_DEFAULT_S", "AuthResult", "AuthorizerCache", "INVALIDATE_CACHE", "INVOKE", "Policy",
    "PolicyError", "http_identity_sources", "http_output", "method_arn", "rest_identity_sources",
    "rest_output", "stringify_context", "wildcard",
]
