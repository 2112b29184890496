"""HTTP and WebSocket APIs (``apigatewayv2``): APIs, routes, integrations, stages,
authorizers, deployments.

https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/. Route keys: ``GET /items/{id}``,
``ANY /{proxy+}``, ``$default`` (HTTP); ``$connect``, ``$disconnect``, ``$default`` or any
``action`` value (WebSocket). ``CreateApi`` with ``Target`` is "quick create": an integration,
the ``$default`` route (or ``RouteKey``) and an auto-deployed ``$default`` stage.

A stage with ``AutoDeploy`` always serves the API's current routes (recompiled on the first
request after a change); other stages serve the snapshot their ``DeploymentId`` names.
Integration ``TimeoutInMillis``: 50-30,000 (HTTP, default 30,000) / 50-29,000 (WebSocket, default
29,000) (:mod:`.limits`).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, TypeVar

from ..kernel.service import operation
from . import limits
from .authorizers import http_identity_sources
from .common import check_stage_variables, dt, new_id, page_v2
from .errors import BadRequestException, ConflictException, NotFoundException
from .integration import function_arn_of
from .router import Router, split_template

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .gateway import Gateway

_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
_ROUTE_PATH = re.compile(r"^/([a-zA-Z0-9._:@~$-]+|\{[a-zA-Z0-9._-]+\+?\})(/([a-zA-Z0-9._:@~$-]+|\{[a-zA-Z0-9._-]+\+?\}))*$|^/$")

_T = TypeVar("_T")


def _member(table: dict[str, _T], request: dict[str, Any], key: str, what: str) -> _T:
    """``table[request[key]]``, or AWS's NotFoundException "Invalid <what> identifier specified <id>"."""
    ident = request.get(key)
    found = table.get(ident)  # type: ignore[arg-type]
    if found is None:
        raise NotFoundException(f"Invalid {what} identifier specified {ident}")
    return found


class HttpIntegration:
    __slots__ = ("id", "type", "uri", "payload_format", "timeout_ms", "method", "description",
                 "request_templates", "template_selection", "connection_type")

    def __init__(self, id_: str, type_: str, uri: str | None, payload_format: str, timeout_ms: int,
                 method: str | None, description: str, request_templates: dict[str, str],
                 template_selection: str | None) -> None:
        self.id = id_
        self.type = type_
        self.uri = uri
        self.payload_format = payload_format
        self.timeout_ms = timeout_ms
        self.method = method
        self.description = description
        self.request_templates = request_templates
        self.template_selection = template_selection
        self.connection_type = "INTERNET"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"IntegrationId": self.id, "IntegrationType": self.type,
                               "ConnectionType": self.connection_type, "PayloadFormatVersion": self.payload_format,
                               "TimeoutInMillis": self.timeout_ms}
        if self.uri:
            out["IntegrationUri"] = self.uri
        if self.method:
            out["IntegrationMethod"] = self.method
        if self.description:
            out["Description"] = self.description
        if self.request_templates:
            out["RequestTemplates"] = dict(self.request_templates)
        if self.template_selection:
            out["TemplateSelectionExpression"] = self.template_selection
        return out


class Route:
    __slots__ = ("id", "key", "target", "authorization_type", "authorizer_id", "scopes", "api_key_required",
                 "response_selection", "operation_name", "responses")

    def __init__(self, id_: str, key: str, target: str | None, authorization_type: str, authorizer_id: str | None,
                 scopes: list[str], api_key_required: bool, response_selection: str | None,
                 operation_name: str | None) -> None:
        self.id = id_
        self.key = key
        self.target = target
        self.authorization_type = authorization_type
        self.authorizer_id = authorizer_id
        self.scopes = scopes
        self.api_key_required = api_key_required
        self.response_selection = response_selection
        self.operation_name = operation_name
        self.responses: dict[str, dict[str, Any]] = {}

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"RouteId": self.id, "RouteKey": self.key, "AuthorizationType": self.authorization_type,
                               "ApiKeyRequired": self.api_key_required, "ApiGatewayManaged": False}
        if self.target:
            out["Target"] = self.target
        if self.authorizer_id:
            out["AuthorizerId"] = self.authorizer_id
        if self.scopes:
            out["AuthorizationScopes"] = list(self.scopes)
        if self.response_selection:
            out["RouteResponseSelectionExpression"] = self.response_selection
        if self.operation_name:
            out["OperationName"] = self.operation_name
        return out


class HttpAuthorizer:
    __slots__ = ("id", "name", "type", "identity_source", "sources", "issuer", "audience", "uri",
                 "payload_format", "simple", "ttl_s")

    def __init__(self, id_: str, name: str, type_: str, identity_source: list[str], issuer: str | None,
                 audience: list[str], uri: str | None, payload_format: str | None, simple: bool, ttl_s: int) -> None:
        self.id = id_
        self.name = name
        self.type = type_
        self.identity_source = identity_source
        self.sources = http_identity_sources(identity_source)
        self.issuer = issuer
        self.audience = audience
        self.uri = uri
        self.payload_format = payload_format
        self.simple = simple
        self.ttl_s = ttl_s

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"AuthorizerId": self.id, "Name": self.name, "AuthorizerType": self.type,
                               "IdentitySource": list(self.identity_source)}
        if self.type == "JWT":
            out["JwtConfiguration"] = {"Issuer": self.issuer, "Audience": list(self.audience)}
        else:
            out["AuthorizerUri"] = self.uri
            out["AuthorizerResultTtlInSeconds"] = self.ttl_s
            if self.payload_format:
                out["AuthorizerPayloadFormatVersion"] = self.payload_format
                out["EnableSimpleResponses"] = self.simple
        return out


class RouteTarget:
    """A deployed route, as the data plane uses it."""

    __slots__ = ("route", "integration", "authorizer", "path")

    def __init__(self, route: Route, integration: HttpIntegration | None, authorizer: HttpAuthorizer | None) -> None:
        self.route = route
        self.integration = integration
        self.authorizer = authorizer
        self.path = route.key.split(" ", 1)[1] if " " in route.key else route.key


class Compiled:
    """Routes compiled for serving: a router for ``METHOD /path`` keys, and the others by key."""

    __slots__ = ("router", "by_key", "default")

    def __init__(self, api: "HttpApi") -> None:
        self.router: Router[RouteTarget] = Router()
        self.by_key: dict[str, RouteTarget] = {}
        integrations = copy.deepcopy(api.integrations)
        authorizers = copy.deepcopy(api.authorizers)
        for r in sorted(api.routes.values(), key=lambda r: r.key):
            r = copy.deepcopy(r)
            integ = None
            if r.target and r.target.startswith("integrations/"):
                integ = integrations.get(r.target[len("integrations/"):])
            t = RouteTarget(r, integ, authorizers.get(r.authorizer_id or ""))
            self.by_key[r.key] = t
            if api.protocol == "HTTP" and " " in r.key:
                m, path = r.key.split(" ", 1)
                self.router.add(m, path, t)
        self.default = self.by_key.get("$default")


class HttpDeployment:
    __slots__ = ("id", "description", "created_us", "auto", "compiled")

    def __init__(self, id_: str, description: str, created_us: int, auto: bool, api: "HttpApi") -> None:
        self.id = id_
        self.description = description
        self.created_us = created_us
        self.auto = auto
        self.compiled = Compiled(api)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"DeploymentId": self.id, "CreatedDate": dt(self.created_us),
                               "DeploymentStatus": "DEPLOYED", "AutoDeployed": self.auto}
        if self.description:
            out["Description"] = self.description
        return out


class HttpStage:
    __slots__ = ("api", "name", "auto_deploy", "deployment_id", "description", "variables", "default_route_settings",
                 "route_settings", "access_log", "created_us", "updated_us", "tags", "runtime", "_compiled",
                 "_compiled_gen")

    def __init__(self, api: "HttpApi", name: str, auto_deploy: bool, deployment_id: str | None, description: str,
                 variables: dict[str, str], default_route_settings: dict[str, Any],
                 route_settings: dict[str, dict[str, Any]], access_log: dict[str, str] | None,
                 tags: dict[str, str], now_us: int) -> None:
        self.api = api
        self.name = name
        self.auto_deploy = auto_deploy
        self.deployment_id = deployment_id
        self.description = description
        self.variables = variables
        self.default_route_settings = default_route_settings
        self.route_settings = route_settings
        self.access_log = access_log
        self.created_us = now_us
        self.updated_us = now_us
        self.tags = tags
        self.runtime: Any = None
        self._compiled: Compiled | None = None
        self._compiled_gen = -1

    def compiled(self) -> Compiled | None:
        """What this stage serves now (None: never deployed)."""
        api = self.api
        if self.auto_deploy:
            if self._compiled_gen != api.generation:
                self._compiled = Compiled(api)
                self._compiled_gen = api.generation
            return self._compiled
        dep = api.deployments.get(self.deployment_id or "")
        return dep.compiled if dep is not None else None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "StageName": self.name, "AutoDeploy": self.auto_deploy, "CreatedDate": dt(self.created_us),
            "LastUpdatedDate": dt(self.updated_us), "DefaultRouteSettings": dict(self.default_route_settings),
            "RouteSettings": copy.deepcopy(self.route_settings), "StageVariables": dict(self.variables),
            "Tags": dict(self.tags), "ApiGatewayManaged": False,
        }
        if self.deployment_id:
            out["DeploymentId"] = self.deployment_id
        if self.description:
            out["Description"] = self.description
        if self.access_log:
            out["AccessLogSettings"] = {"DestinationArn": self.access_log.get("destinationArn"),
                                        "Format": self.access_log.get("format")}
        return out


class HttpApi:
    def __init__(self, id_: str, name: str, protocol: str, route_selection: str, api_key_selection: str | None,
                 description: str, version: str | None, created_us: int, cors: dict[str, Any] | None,
                 disable_execute: bool, tags: dict[str, str], region: str) -> None:
        self.id = id_
        self.kind = protocol
        self.name = name
        self.protocol = protocol
        self.route_selection = route_selection
        self.api_key_selection = api_key_selection
        self.description = description
        self.version = version
        self.created_us = created_us
        self.cors = cors
        self.disable_execute = disable_execute
        self.tags = tags
        self.endpoint = (f"{'wss' if protocol == 'WEBSOCKET' else 'https'}://{id_}.execute-api.{region}.amazonaws.com")
        self.routes: dict[str, Route] = {}
        self.integrations: dict[str, HttpIntegration] = {}
        self.authorizers: dict[str, HttpAuthorizer] = {}
        self.stages: dict[str, HttpStage] = {}
        self.deployments: dict[str, HttpDeployment] = {}
        #: bumped on every change of routes, integrations or authorizers (auto-deploy recompiles)
        self.generation = 0

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ApiEndpoint": self.endpoint, "ApiId": self.id, "Name": self.name, "ProtocolType": self.protocol,
            "RouteSelectionExpression": self.route_selection, "CreatedDate": dt(self.created_us),
            "DisableExecuteApiEndpoint": self.disable_execute, "Tags": dict(self.tags), "ApiGatewayManaged": False,
        }
        if self.api_key_selection:
            out["ApiKeySelectionExpression"] = self.api_key_selection
        if self.description:
            out["Description"] = self.description
        if self.version:
            out["Version"] = self.version
        if self.cors:
            out["CorsConfiguration"] = copy.deepcopy(self.cors)
        return out


def _check_route_key(api: HttpApi, key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise BadRequestException("RouteKey must not be null or empty")
    if api.protocol == "WEBSOCKET" or key == "$default":
        return key
    method, _, path = key.partition(" ")
    if method not in _METHODS or not _ROUTE_PATH.match(path):
        raise BadRequestException(f"Unable to create route {key}: The route key must be $default or an HTTP method followed by a path, for example GET /pets.")
    parts = split_template(path)
    if any(kind == 2 for kind, _ in parts[:-1]):
        raise BadRequestException(f"Unable to create route {key}: a greedy path variable must be the last path segment.")
    return key


class HttpOps:
    """Wire operations of ``apigatewayv2`` (mixed into :class:`~.service.APIGatewayV2`)."""

    if TYPE_CHECKING:
        cloud: Cloud
        gateway: Gateway
        apis: dict[str, HttpApi]

    def _api(self, request: dict[str, Any]) -> HttpApi:
        api = self.apis.get(request.get("ApiId"))  # type: ignore[arg-type]
        if api is None:
            raise NotFoundException(f"Invalid API identifier specified {request.get('ApiId')}")
        return api

    def _changed(self, api: HttpApi) -> None:
        api.generation += 1

    # -- APIs ---------------------------------------------------------------------------------
    @operation("CreateApi")
    def create_api(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("Name")
        if not isinstance(name, str) or not name:
            raise BadRequestException("Name must not be null or empty")
        proto = request.get("ProtocolType")
        if proto not in ("HTTP", "WEBSOCKET"):
            raise BadRequestException("ProtocolType must be HTTP or WEBSOCKET")
        rse = request.get("RouteSelectionExpression")
        if proto == "WEBSOCKET":
            if not rse:
                raise BadRequestException("RouteSelectionExpression is required for WEBSOCKET APIs")
            if not (rse.startswith("$request.body.") or rse == "${request.body.action}" or rse.startswith("${request.body.")):
                raise BadRequestException(f"Invalid route selection expression: {rse}")
        else:
            rse = rse or "${request.method} ${request.path}"
            if rse != "${request.method} ${request.path}":
                raise BadRequestException("Route selection expression of an HTTP API must be ${request.method} ${request.path}")
        target = request.get("Target")
        if target and proto != "HTTP":
            raise BadRequestException("Target is supported for HTTP APIs only")
        api = HttpApi(self.gateway.new_api_id(), name, proto, rse, request.get("ApiKeySelectionExpression"),
                      request.get("Description", ""), request.get("Version"), self.cloud.now_us,
                      request.get("CorsConfiguration"), bool(request.get("DisableExecuteApiEndpoint", False)),
                      dict(request.get("Tags") or {}), self.cloud.region)
        if target:
            if function_arn_of(target) is None:
                raise BadRequestException("Target must be a Lambda function ARN or an HTTP URL")
            key = request.get("RouteKey", "$default")
            integ = HttpIntegration(new_id(self.cloud, 7), "AWS_PROXY", target, "2.0", limits.HTTP_TIMEOUT_MS_DEFAULT,
                                    "POST", "", {}, None)
            api.integrations[integ.id] = integ
            r = Route(new_id(self.cloud, 7), _check_route_key(api, key), f"integrations/{integ.id}", "NONE", None, [],
                      False, None, None)
            api.routes[r.id] = r
            api.stages["$default"] = HttpStage(api, "$default", True, None, "", {}, {}, {}, None, {}, self.cloud.now_us)
        self.apis[api.id] = api
        self.gateway.apis[api.id] = api
        for st in api.stages.values():
            self.gateway.stage_changed(st)
        return api.describe()

    @operation("GetApi")
    def get_api(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._api(request).describe()

    @operation("GetApis")
    def get_apis(self, request: dict[str, Any]) -> dict[str, Any]:
        return _items(sorted(self.apis.values(), key=lambda a: (a.created_us, a.id)), request)

    @operation("DeleteApi")
    def delete_api(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        del self.apis[api.id]
        self.gateway.apis.pop(api.id, None)
        return {}

    # -- integrations ---------------------------------------------------------------------------
    @operation("CreateIntegration")
    def create_integration(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        t = request.get("IntegrationType")
        if t not in ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"):
            raise BadRequestException(f"Invalid IntegrationType: {t}")
        uri = request.get("IntegrationUri")
        pfv = request.get("PayloadFormatVersion")
        if api.protocol == "HTTP":
            if t not in ("AWS_PROXY", "HTTP_PROXY"):
                raise BadRequestException(f"Integration type {t} is not supported for HTTP APIs")
            if t == "AWS_PROXY":
                if pfv is None:
                    raise BadRequestException("PayloadFormatVersion is required for AWS_PROXY integrations")
                if pfv not in ("1.0", "2.0"):
                    raise BadRequestException(f"Invalid PayloadFormatVersion: {pfv}. Valid values are 1.0 and 2.0")
            pfv = pfv or "1.0"
            default_timeout, max_timeout = limits.HTTP_TIMEOUT_MS_DEFAULT, limits.HTTP_TIMEOUT_MS_MAX
        else:
            if pfv not in (None, "1.0"):
                raise BadRequestException("WebSocket integrations support PayloadFormatVersion 1.0 only")
            pfv = "1.0"
            default_timeout, max_timeout = limits.WS_TIMEOUT_MS_DEFAULT, limits.WS_TIMEOUT_MS_MAX
        if t in ("AWS_PROXY", "AWS"):
            if not uri or (function_arn_of(uri) is None and "${stageVariables." not in uri):
                raise BadRequestException("IntegrationUri must be a Lambda function ARN or invocation URI")
        timeout = request.get("TimeoutInMillis", default_timeout)
        if not isinstance(timeout, int) or not limits.REST_TIMEOUT_MS_MIN <= timeout <= max_timeout:
            raise BadRequestException(f"TimeoutInMillis must be between {limits.REST_TIMEOUT_MS_MIN} ms and {max_timeout} ms")
        integ = HttpIntegration(new_id(self.cloud, 7), t, uri, pfv, timeout, request.get("IntegrationMethod"),
                                request.get("Description", ""), dict(request.get("RequestTemplates") or {}),
                                request.get("TemplateSelectionExpression"))
        api.integrations[integ.id] = integ
        self._changed(api)
        return integ.describe()

    @operation("GetIntegration")
    def get_integration(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        integ = _member(api.integrations, request, "IntegrationId", "Integration")
        return integ.describe()

    @operation("GetIntegrations")
    def get_integrations(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return _items([i for _, i in sorted(api.integrations.items())], request)

    # -- routes ------------------------------------------------------------------------------------
    def _check_route_refs(self, api: HttpApi, request: dict[str, Any], key: str) -> tuple[str, str | None]:
        target = request.get("Target")
        if target is not None:
            if not isinstance(target, str) or not target.startswith("integrations/") or \
                    target[len("integrations/"):] not in api.integrations:
                raise BadRequestException(f"Invalid target {target}: must be integrations/<an integration of this API>")
        auth = request.get("AuthorizationType", "NONE")
        auth_id = request.get("AuthorizerId")
        if auth not in ("NONE", "JWT", "CUSTOM", "AWS_IAM"):
            raise BadRequestException(f"Invalid AuthorizationType: {auth}")
        if auth in ("JWT", "CUSTOM"):
            a = api.authorizers.get(auth_id or "")
            if a is None or (a.type == "JWT") != (auth == "JWT"):
                raise BadRequestException(f"Unable to create route {key}: the authorizer must be of type {'JWT' if auth == 'JWT' else 'REQUEST'}")
            if api.protocol == "WEBSOCKET" and key != "$connect":
                raise BadRequestException("Currently, authorization is restricted to the $connect route only")
        elif auth_id:
            raise BadRequestException("AuthorizerId requires AuthorizationType JWT or CUSTOM")
        if request.get("AuthorizationScopes") and auth != "JWT":
            raise BadRequestException("AuthorizationScopes are supported with JWT authorizers only")
        return auth, auth_id

    @operation("CreateRoute")
    def create_route(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        key = _check_route_key(api, request.get("RouteKey"))
        if any(r.key == key for r in api.routes.values()):
            raise ConflictException(f"Unable to create route {key}: the route key already exists")
        if api.protocol == "HTTP" and len(api.routes) >= limits.HTTP_ROUTES_MAX:
            raise BadRequestException(f"Exceeded the maximum of {limits.HTTP_ROUTES_MAX} routes per API")
        auth, auth_id = self._check_route_refs(api, request, key)
        r = Route(new_id(self.cloud, 7), key, request.get("Target"), auth, auth_id,
                  list(request.get("AuthorizationScopes") or []), bool(request.get("ApiKeyRequired", False)),
                  request.get("RouteResponseSelectionExpression"), request.get("OperationName"))
        api.routes[r.id] = r
        self._changed(api)
        return r.describe()

    @operation("UpdateRoute")
    def update_route(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        r = _member(api.routes, request, "RouteId", "Route")
        key = _check_route_key(api, request.get("RouteKey", r.key))
        if key != r.key and any(x.key == key for x in api.routes.values()):
            raise ConflictException(f"Unable to update route {key}: the route key already exists")
        merged: dict[str, Any] = {"Target": r.target, "AuthorizationType": r.authorization_type, "AuthorizerId": r.authorizer_id,
                  "AuthorizationScopes": r.scopes}
        merged.update({k: v for k, v in request.items() if k in merged})
        auth, auth_id = self._check_route_refs(api, merged, key)
        r.key, r.target, r.authorization_type, r.authorizer_id = key, merged["Target"], auth, auth_id
        r.scopes = list(merged["AuthorizationScopes"] or [])
        if "ApiKeyRequired" in request:
            r.api_key_required = bool(request["ApiKeyRequired"])
        if "RouteResponseSelectionExpression" in request:
            r.response_selection = request["RouteResponseSelectionExpression"]
        self._changed(api)
        return r.describe()

    @operation("GetRoute")
    def get_route(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        r = _member(api.routes, request, "RouteId", "Route")
        return r.describe()

    @operation("GetRoutes")
    def get_routes(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return _items(sorted(api.routes.values(), key=lambda r: (r.key, r.id)), request)

    @operation("DeleteRoute")
    def delete_route(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        if api.routes.pop(request.get("RouteId"), None) is None:  # type: ignore[arg-type]
            raise NotFoundException(f"Invalid Route identifier specified {request.get('RouteId')}")
        self._changed(api)
        return {}

    @operation("CreateRouteResponse")
    def create_route_response(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        r = _member(api.routes, request, "RouteId", "Route")
        key = request.get("RouteResponseKey")
        if not key:
            raise BadRequestException("RouteResponseKey must not be null or empty")
        rr = {"RouteResponseId": new_id(self.cloud, 6), "RouteResponseKey": key}
        r.responses[rr["RouteResponseId"]] = rr
        self._changed(api)
        return dict(rr)

    # -- authorizers -------------------------------------------------------------------------------
    @operation("CreateAuthorizer")
    def create_authorizer(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        name = request.get("Name")
        if not name:
            raise BadRequestException("Name must not be null or empty")
        t = request.get("AuthorizerType")
        if t not in ("JWT", "REQUEST"):
            raise BadRequestException(f"Invalid AuthorizerType: {t}")
        if t == "JWT" and api.protocol != "HTTP":
            raise BadRequestException("JWT authorizers are supported for HTTP APIs only")
        if len(api.authorizers) >= limits.HTTP_AUTHORIZERS_MAX:
            raise BadRequestException(f"Exceeded the maximum of {limits.HTTP_AUTHORIZERS_MAX} authorizers per API")
        sources = request.get("IdentitySource")
        if isinstance(sources, str):
            sources = [s.strip() for s in sources.split(",") if s.strip()]
        ttl = request.get("AuthorizerResultTtlInSeconds", 0 if t == "REQUEST" and api.protocol == "HTTP" else limits.AUTHORIZER_TTL_DEFAULT_S)
        if not isinstance(ttl, int) or not 0 <= ttl <= limits.AUTHORIZER_TTL_MAX_S:
            raise BadRequestException(f"AuthorizerResultTtlInSeconds must be between 0 and {limits.AUTHORIZER_TTL_MAX_S}")
        issuer = None
        audience: list[str] = []
        uri = None
        pfv = None
        if t == "JWT":
            jwt = request.get("JwtConfiguration") or {}
            issuer = jwt.get("Issuer")
            audience = list(jwt.get("Audience") or [])
            if not issuer or not audience:
                raise BadRequestException("JwtConfiguration needs an Issuer and at least one Audience")
            sources = sources or ["$request.header.Authorization"]
            if len(sources) != 1:
                raise BadRequestException("A JWT authorizer takes exactly one identity source")
        else:
            uri = request.get("AuthorizerUri")
            if not uri or function_arn_of(uri) is None:
                raise BadRequestException("AuthorizerUri must be a Lambda function invocation URI")
            if api.protocol == "HTTP":
                pfv = request.get("AuthorizerPayloadFormatVersion")
                if pfv not in ("1.0", "2.0"):
                    raise BadRequestException("AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for HTTP APIs")
                if request.get("EnableSimpleResponses") and pfv != "2.0":
                    raise BadRequestException("EnableSimpleResponses requires AuthorizerPayloadFormatVersion 2.0")
            if ttl > 0 and not sources:
                raise BadRequestException("Identity source is required when caching is enabled")
        try:
            a = HttpAuthorizer(new_id(self.cloud, 6), name, t, list(sources or []), issuer, audience, uri, pfv,
                               bool(request.get("EnableSimpleResponses", False)), ttl)
        except ValueError as exc:
            raise BadRequestException(f"Invalid identity source: {exc}") from None
        api.authorizers[a.id] = a
        self._changed(api)
        return a.describe()

    @operation("GetAuthorizer")
    def get_authorizer(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        a = _member(api.authorizers, request, "AuthorizerId", "Authorizer")
        return a.describe()

    # -- stages and deployments ------------------------------------------------------------------
    @operation("CreateStage")
    def create_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        name = request.get("StageName")
        if not isinstance(name, str) or not re.fullmatch(r"\$default|[A-Za-z0-9_-]{1,128}", name):
            raise BadRequestException("Stage name only allows a-zA-Z0-9_- or $default")
        if name in api.stages:
            raise ConflictException(f"Stage {name} already exists")
        if len(api.stages) >= limits.HTTP_STAGES_MAX:
            raise BadRequestException(f"Exceeded the maximum of {limits.HTTP_STAGES_MAX} stages per API")
        dep = request.get("DeploymentId")
        if dep is not None and dep not in api.deployments:
            raise BadRequestException(f"Invalid deployment identifier specified {dep}")
        st = HttpStage(api, name, bool(request.get("AutoDeploy", False)), dep, request.get("Description", ""),
                       check_stage_variables(request.get("StageVariables")),
                       _route_settings(request.get("DefaultRouteSettings")),
                       {k: _route_settings(v) for k, v in (request.get("RouteSettings") or {}).items()},
                       _access_log(request.get("AccessLogSettings")), dict(request.get("Tags") or {}),
                       self.cloud.now_us)
        api.stages[name] = st
        self.gateway.stage_changed(st)
        return st.describe()

    @operation("GetStage")
    def get_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = _member(api.stages, request, "StageName", "stage")
        return st.describe()

    @operation("GetStages")
    def get_stages(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return _items([s for _, s in sorted(api.stages.items())], request)

    @operation("UpdateStage")
    def update_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = _member(api.stages, request, "StageName", "stage")
        dep = request.get("DeploymentId")
        if dep is not None and dep not in api.deployments:
            raise BadRequestException(f"Invalid deployment identifier specified {dep}")
        variables = check_stage_variables(request["StageVariables"]) if "StageVariables" in request else None
        default = _route_settings(request["DefaultRouteSettings"]) if "DefaultRouteSettings" in request else None
        routes = ({k: _route_settings(v) for k, v in (request["RouteSettings"] or {}).items()}
                  if "RouteSettings" in request else None)
        log = _access_log(request["AccessLogSettings"]) if "AccessLogSettings" in request else False
        if dep is not None:
            st.deployment_id = dep
        if "AutoDeploy" in request:
            st.auto_deploy = bool(request["AutoDeploy"])
        if "Description" in request:
            st.description = request["Description"]
        if variables is not None:
            st.variables = variables
        if default is not None:
            st.default_route_settings = default
        if routes is not None:
            st.route_settings.update(routes)
        if log is not False:
            st.access_log = log  # type: ignore[assignment]
        st.updated_us = self.cloud.now_us
        self.gateway.stage_changed(st)
        return st.describe()

    @operation("DeleteStage")
    def delete_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        if api.stages.pop(request.get("StageName"), None) is None:  # type: ignore[arg-type]
            raise NotFoundException(f"Invalid stage identifier specified {request.get('StageName')}")
        return {}

    @operation("CreateDeployment")
    def create_deployment(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        name = request.get("StageName")
        st = None
        if name is not None:
            st = api.stages.get(name)
            if st is None:
                raise NotFoundException(f"Invalid stage identifier specified {name}")
            if st.auto_deploy:
                raise BadRequestException("Deployments of a stage with AutoDeploy enabled are managed by API Gateway")
        dep = HttpDeployment(new_id(self.cloud, 6), request.get("Description", ""), self.cloud.now_us, False, api)
        api.deployments[dep.id] = dep
        if st is not None:
            st.deployment_id = dep.id
            self.gateway.stage_changed(st)
        return dep.describe()

    @operation("GetDeployments")
    def get_deployments(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return _items(sorted(api.deployments.values(), key=lambda d: (d.created_us, d.id)), request)


def _items(objects: list[Any], request: dict[str, Any]) -> dict[str, Any]:
    """A v2 collection page: ``Items`` (described), and ``NextToken`` when more follow."""
    page, token = page_v2(objects, request)
    out: dict[str, Any] = {"Items": [o.describe() for o in page]}
    if token is not None:
        out["NextToken"] = token
    return out


def _route_settings(v: Any) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise BadRequestException("RouteSettings must be an object")
    out = dict(v)
    if "ThrottlingRateLimit" in out and (not isinstance(out["ThrottlingRateLimit"], (int, float)) or out["ThrottlingRateLimit"] < 0):
        raise BadRequestException("ThrottlingRateLimit must be a non-negative number")
    if "ThrottlingBurstLimit" in out and (not isinstance(out["ThrottlingBurstLimit"], int) or out["ThrottlingBurstLimit"] < 0):
        raise BadRequestException("ThrottlingBurstLimit must be a non-negative integer")
    return out


def _access_log(v: Any) -> dict[str, str] | None:
    if not v:
        return None
    return {"destinationArn": v.get("DestinationArn"), "format": v.get("Format")}


__all__ = ["Compiled", "HttpApi", "HttpAuthorizer", "HttpDeployment", "HttpIntegration", "HttpOps", "HttpStage",
           "Route", "RouteTarget"]
