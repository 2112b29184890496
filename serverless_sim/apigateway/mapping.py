"""REST API non-proxy integrations: mapping templates on the request and the response.

What is modelled (AWS developer guide: "Set up an integration request", "Mapping templates",
"Method request behavior for payloads without mapping templates", "Set up an integration
response", "Handle Lambda errors in API Gateway",
https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html):

- **Request template**: chosen by the request's ``Content-Type`` (media type, parameters
  ignored; absent: ``application/json``). Without a match, ``passthroughBehavior`` decides:
  ``WHEN_NO_MATCH`` passes the body through; ``WHEN_NO_TEMPLATES`` passes it through only when
  the integration has no template at all, else 415; ``NEVER`` answers 415
  ``{"message": "Unsupported Media Type"}``.
- Templates see ``$input`` (the body; ``$input.params()`` = path, querystring, header),
  ``$context`` (the request context the proxy events carry, plus ``authorizer``) and
  ``$stageVariables``; they run on :mod:`.vtl` (each text parsed once).
- **Integration response**: the one whose ``selectionPattern`` (a Java regex, whole-string
  match) matches the selection value: the backend's status code for MOCK (and HTTP / AWS
  services), the function's ``errorMessage`` for a Lambda custom integration whose function
  failed; otherwise the default response (no or empty ``selectionPattern``). Patterns are tried
  in status-code order (AWS documents no order). None: 500, execution log "No match for output
  mapping and no default output mapping configured".
- **Response template** by the request's ``Accept`` (then ``application/json``, then the first
  template); none (or an empty one): the integration output passes through. The
  ``Content-Type`` is the template's media type (``application/json`` on passthrough).
- **responseParameters** ``method.response.header.X`` from ``'static'``,
  ``integration.response.header.Y`` / ``multivalueheader.Y``, ``integration.response.body``,
  ``integration.response.body.<JSONPath>``, ``context.<name>``, ``stageVariables.<name>``;
  then ``$context.responseOverride.header.X`` and ``.status`` from the response template.

Errors: a template that does not parse or fails -> 500 ``{"message": "Internal server error"}``
(execution log ``Execution failed due to configuration error: ...``); ``$input.path`` /
``$input.json`` on a request body that is not JSON -> 400 ``{"message": "Could not parse request
body into json: ..."}``.

Deviations: a MOCK backend's output (``$input.body`` in its response templates) is empty;
``requestParameters`` and ``$context.requestOverride`` are not applied to Lambda invocations;
``contentHandling`` is stored, not applied; integration responses are not checked against the
method responses (AWS refuses at PutIntegrationResponse).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .responses import JSON, Response
from .vtl import (
    VtlError, VtlRuntimeError, _java_regex, compile_template, java_string, jsonpath, mock_status_code,
)

if TYPE_CHECKING:
    from .events import IncomingRequest
    from .rest import Integration

NO_MATCH = ("No match for output mapping and no default output mapping configured. "
            "Endpoint Response Status Code: {}")


class IntegrationPlan:
    """What the data plane needs of an integration, computed on its first request: the
    selection patterns (compiled) and the default integration response."""

    __slots__ = ("patterns", "default", "has_templates")

    def __init__(self, integ: "Integration") -> None:
        self.patterns: list[tuple[Any, dict[str, Any]]] = []
        self.default: dict[str, Any] | None = None
        for code in sorted(integ.responses):
            ir = integ.responses[code]
            pattern = ir.get("selectionPattern")
            if not pattern:
                if self.default is None:
                    self.default = ir
                continue
            try:
                rx = _java_regex(pattern)
            except VtlRuntimeError:
                continue  # an invalid pattern never matches
            self.patterns.append((rx, ir))
        self.has_templates = bool(integ.request_templates)

    def select(self, value: str | None) -> dict[str, Any] | None:
        """The integration response for a selection value (None: the default one)."""
        if value is not None:
            for rx, ir in self.patterns:
                if rx.fullmatch(value) is not None:
                    return ir
        return self.default


def plan_of(integ: "Integration") -> IntegrationPlan:
    p = integ.plan
    if p is None:
        p = integ.plan = IntegrationPlan(integ)
    return p


class Unsupported(Exception):
    """passthroughBehavior refuses the request (415)."""


def _media_type(value: str | None) -> str | None:
    if not value:
        return None
    return value.split(";", 1)[0].strip().lower() or None


def request_template(integ: "Integration", req: "IncomingRequest") -> str | None:
    """The request template for the request's Content-Type, or None to pass the body through;
    raises :class:`Unsupported` when ``passthroughBehavior`` refuses."""
    templates = integ.request_templates
    ctype = _media_type(req.header("Content-Type")) or JSON
    if templates:
        t = templates.get(ctype)
        if t is None:
            for k, v in templates.items():
                if k.lower() == ctype:
                    t = v
                    break
        if t is not None:
            return t
    behaviour = integ.passthrough
    if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
        raise Unsupported(ctype)
    return None


def template_params(req: "IncomingRequest", path_params: dict[str, str] | None) -> dict[str, dict[str, str]]:
    """``$input.params()``: path, querystring, header (the last value of a repeated name)."""
    return {"path": dict(path_params) if path_params else {},
            "querystring": dict(req.query_v1() or {}),
            "header": dict(req.headers_v1()) if req.pairs else {}}


class TemplateData:
    """What templates of one request see, each part built on first use: a template whose text
    never names ``input`` / ``context`` does not pay for the parameters / the context. The
    context comes from ``gateway._template_context(ex, api_key)`` (no closure: a Cloud forks
    with requests in flight)."""

    __slots__ = ("gateway", "ex", "api_key", "_params", "_context")

    def __init__(self, gateway: Any, ex: Any, api_key: str | None) -> None:
        self.gateway = gateway
        self.ex = ex
        self.api_key = api_key
        self._params: dict[str, dict[str, str]] | None = None
        self._context: dict[str, Any] | None = None

    def params(self) -> dict[str, dict[str, str]]:
        p = self._params
        if p is None:
            p = self._params = template_params(self.ex.req, self.ex.params)
        return p

    def context(self) -> dict[str, Any]:
        c = self._context
        if c is None:
            c = self._context = self.gateway._template_context(self.ex, self.api_key)
        return c

    @property
    def stage_variables(self) -> dict[str, str] | None:
        return self.ex.stage.variables  # type: ignore[no-any-return]


def render(text: str, body: str, data: TemplateData) -> Any:
    """Compile (cached) and render; raises the :mod:`.vtl` errors."""
    t = compile_template(text)
    return t.render(body=body, params=data.params() if "input" in text else None,
                    context=data.context() if "context" in text else None,
                    stage_variables=data.stage_variables)


def mock_selection(text: str | None) -> int:
    """A MOCK backend's status code: the request template's ``statusCode`` (no template: 200)."""
    if text is None:
        return 200
    return mock_status_code(text)


def lambda_payload(text: str | None) -> Any:
    """The invocation payload (a template's output or the passed-through body) as the event
    Lambda hands the function: JSON, an empty payload being ``{}``. Raises ValueError."""
    if text is None or not text.strip():
        return {}
    return json.loads(text)


def lambda_output(value: Any) -> str:
    """The function's result (or error document) as the integration response body."""
    return json.dumps(value)


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    low = name.lower()
    for k in [k for k in headers if k.lower() == low]:
        del headers[k]
    headers[name] = value


def _parameter_value(source: str, body: str, backend_headers: dict[str, str], data: TemplateData) -> str | None:
    if len(source) >= 2 and source[0] == "'" and source[-1] == "'":
        return source[1:-1]
    if source.startswith("integration.response."):
        rest = source[len("integration.response."):]
        if rest == "body":
            return body
        if rest.startswith("body.") or rest.startswith("body["):
            try:
                doc = json.loads(body) if body.strip() else {}
                value, found = jsonpath(doc, "$" + rest[4:])
            except (ValueError, VtlError):
                return None
            if not found or value is None:
                return None
            return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        kind, _, name = rest.partition(".")
        if kind in ("header", "multivalueheader"):
            low = name.lower()
            for k, v in backend_headers.items():
                if k.lower() == low:
                    return v
        return None
    if source.startswith("stageVariables."):
        return (data.stage_variables or {}).get(source[len("stageVariables."):])
    if source.startswith("context."):
        cur: Any = data.context()
        for part in source[len("context."):].split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        return None if cur is None else java_string(cur)
    return None


def method_response(ir: dict[str, Any], output: str, backend_headers: dict[str, str], req: "IncomingRequest",
                    data: TemplateData) -> Response:
    """The client's response from an integration response and the backend's output; raises
    the :mod:`.vtl` errors of the response template."""
    templates = ir.get("responseTemplates") or {}
    ctype = JSON
    text = None
    if templates:
        accept = _media_type(req.header("Accept"))
        if accept is not None and accept in templates:
            ctype = accept
        elif JSON in templates:
            ctype = JSON
        else:
            ctype = next(iter(templates))
        text = templates[ctype]
    status = int(ir["statusCode"])
    headers = {"content-type": ctype}
    overrides: dict[str, str] = {}
    if text:
        result = render(text, output, data)
        body = result.text
        if result.status_override is not None:
            status = result.status_override
        overrides = result.header_overrides
    else:
        body = output
    for key, source in (ir.get("responseParameters") or {}).items():
        if not key.startswith("method.response.header.") or not isinstance(source, str):
            continue
        value = _parameter_value(source, output, backend_headers, data)
        if value is not None:
            _set_header(headers, key[len("method.response.header."):], value)
    for name, value in overrides.items():
        _set_header(headers, name, value)
    return Response(status, headers, body)


__all__ = [
    "NO_MATCH", "IntegrationPlan", "TemplateData", "Unsupported", "lambda_output", "lambda_payload", "method_response",
    "mock_selection", "plan_of", "render", "request_template", "template_params",
]
