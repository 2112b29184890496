"""REST APIs (``apigateway``): the control plane of resources, methods, integrations,
deployments, stages and authorizers.

https://docs.aws.amazon.com/apigateway/latest/api/API_Operations.html. A deployment is a
snapshot: requests to a stage see the resources and methods as they were when the stage's
deployment was created (:class:`Deployment` compiles them into a :class:`~.router.Router`), as on
AWS ("you must redeploy for changes to take effect").

Stage ``methodSettings`` are keyed ``*/*`` (the stage default) or ``<resource path without the
leading slash>/<METHOD>`` and patched with UpdateStage paths such as
``/*/*/throttling/rateLimit`` or ``/~1items~1{id}/GET/caching/enabled``
(https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from . import limits
from .authorizers import rest_identity_sources
from .common import check_stage_variables, dt, listed_v1, new_id, page_v1, unescape_patch_path
from .errors import BadRequestException, ConflictException, NotFoundException
from .integration import function_arn_of
from .router import Router

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .gateway import Gateway

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
_PATH_PART = re.compile(r"^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:@~-]+)$")
METHOD_SETTING_DEFAULTS: dict[str, Any] = {
    "metricsEnabled": False, "loggingLevel": "OFF", "dataTraceEnabled": False,
    "throttlingBurstLimit": limits.ACCOUNT_BURST, "throttlingRateLimit": float(limits.ACCOUNT_RATE),
    "cachingEnabled": False, "cacheTtlInSeconds": limits.CACHE_TTL_DEFAULT_S, "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
}
_SETTING_PATHS = {
    "metrics/enabled": ("metricsEnabled", "bool"), "logging/loglevel": ("loggingLevel", "str"),
    "logging/dataTrace": ("dataTraceEnabled", "bool"),
    "throttling/burstLimit": ("throttlingBurstLimit", "int"), "throttling/rateLimit": ("throttlingRateLimit", "float"),
    "caching/enabled": ("cachingEnabled", "bool"), "caching/ttlInSeconds": ("cacheTtlInSeconds", "int"),
    "caching/dataEncrypted": ("cacheDataEncrypted", "bool"),
    "caching/requireAuthorizationForCacheControl": ("requireAuthorizationForCacheControl", "bool"),
    "caching/unauthorizedCacheControlHeaderStrategy": ("unauthorizedCacheControlHeaderStrategy", "str"),
}


class Integration:
    __slots__ = ("type", "http_method", "uri", "timeout_ms", "cache_key_parameters", "cache_namespace",
                 "request_templates", "passthrough", "responses", "content_handling", "request_parameters",
                 "plan")

    def __init__(self, type_: str, http_method: str | None, uri: str | None, timeout_ms: int,
                 cache_key_parameters: list[str], cache_namespace: str, request_templates: dict[str, str],
                 passthrough: str, content_handling: str | None, request_parameters: dict[str, str]) -> None:
        self.type = type_
        self.http_method = http_method
        self.uri = uri
        self.timeout_ms = timeout_ms
        self.cache_key_parameters = cache_key_parameters
        self.cache_namespace = cache_namespace
        self.request_templates = request_templates
        self.passthrough = passthrough
        self.responses: dict[str, dict[str, Any]] = {}
        self.content_handling = content_handling
        self.request_parameters = request_parameters
        #: the data plane's view (.mapping.IntegrationPlan), built on the deployed copy's first request
        self.plan: Any = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "timeoutInMillis": self.timeout_ms,
                               "passthroughBehavior": self.passthrough,
                               "cacheNamespace": self.cache_namespace,
                               "cacheKeyParameters": list(self.cache_key_parameters)}
        if self.http_method:
            out["httpMethod"] = self.http_method
        if self.uri:
            out["uri"] = self.uri
        if self.request_templates:
            out["requestTemplates"] = dict(self.request_templates)
        if self.request_parameters:
            out["requestParameters"] = dict(self.request_parameters)
        if self.content_handling:
            out["contentHandling"] = self.content_handling
        if self.responses:
            out["integrationResponses"] = copy.deepcopy(self.responses)
        return out


class Method:
    __slots__ = ("http_method", "authorization_type", "authorizer_id", "api_key_required", "operation_name",
                 "request_parameters", "authorization_scopes", "responses", "integration")

    def __init__(self, http_method: str, authorization_type: str, authorizer_id: str | None,
                 api_key_required: bool, operation_name: str | None, request_parameters: dict[str, bool],
                 authorization_scopes: list[str] | None) -> None:
        self.http_method = http_method
        self.authorization_type = authorization_type
        self.authorizer_id = authorizer_id
        self.api_key_required = api_key_required
        self.operation_name = operation_name
        self.request_parameters = request_parameters
        self.authorization_scopes = authorization_scopes
        self.responses: dict[str, dict[str, Any]] = {}
        self.integration: Integration | None = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"httpMethod": self.http_method, "authorizationType": self.authorization_type,
                               "apiKeyRequired": self.api_key_required}
        if self.authorizer_id:
            out["authorizerId"] = self.authorizer_id
        if self.operation_name:
            out["operationName"] = self.operation_name
        if self.request_parameters:
            out["requestParameters"] = dict(self.request_parameters)
        if self.authorization_scopes:
            out["authorizationScopes"] = list(self.authorization_scopes)
        if self.responses:
            out["methodResponses"] = copy.deepcopy(self.responses)
        if self.integration is not None:
            out["methodIntegration"] = self.integration.describe()
        return out


class Resource:
    __slots__ = ("id", "parent_id", "path_part", "path", "methods")

    def __init__(self, id_: str, parent_id: str | None, path_part: str | None, path: str) -> None:
        self.id = id_
        self.parent_id = parent_id
        self.path_part = path_part
        self.path = path
        self.methods: dict[str, Method] = {}

    def describe(self, embed_methods: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "path": self.path}
        if self.parent_id is not None:
            out["parentId"] = self.parent_id
            out["pathPart"] = self.path_part
        if self.methods:
            out["resourceMethods"] = {m: (meth.describe() if embed_methods else {}) for m, meth in self.methods.items()}
        return out


class RestAuthorizer:
    __slots__ = ("id", "name", "type", "uri", "identity_source", "validation", "ttl_s", "provider_arns",
                 "sources", "_validation_rx")

    def __init__(self, id_: str, name: str, type_: str, uri: str | None, identity_source: str | None,
                 validation: str | None, ttl_s: int, provider_arns: list[str]) -> None:
        self.id = id_
        self.name = name
        self.type = type_
        self.uri = uri
        self.identity_source = identity_source
        self.validation = validation
        self.ttl_s = ttl_s
        self.provider_arns = provider_arns
        self.sources = rest_identity_sources(identity_source)
        self._validation_rx = re.compile(validation) if validation else None

    def token_valid(self, token: str) -> bool:
        rx = self._validation_rx
        return rx is None or rx.fullmatch(token) is not None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type,
                               "authorizerResultTtlInSeconds": self.ttl_s}
        if self.uri:
            out["authorizerUri"] = self.uri
        if self.identity_source:
            out["identitySource"] = self.identity_source
        if self.validation:
            out["identityValidationExpression"] = self.validation
        if self.provider_arns:
            out["providerARNs"] = list(self.provider_arns)
        return out


class MethodTarget:
    """A deployed method, as the data plane uses it."""

    __slots__ = ("resource_id", "resource_path", "method", "setting_key", "authorizer")

    def __init__(self, resource: Resource, method: Method, authorizer: RestAuthorizer | None) -> None:
        self.resource_id = resource.id
        self.resource_path = resource.path
        self.method = method
        self.setting_key = f"{resource.path.lstrip('/')}/{method.http_method}"
        self.authorizer = authorizer


class Deployment:
    __slots__ = ("id", "description", "created_us", "router", "summary")

    def __init__(self, id_: str, description: str, created_us: int, api: "RestApi") -> None:
        self.id = id_
        self.description = description
        self.created_us = created_us
        router: Router[MethodTarget] = Router()
        summary: dict[str, dict[str, Any]] = {}
        auths = copy.deepcopy(api.authorizers)
        for res in sorted(api.resources.values(), key=lambda r: r.path):
            for m, meth in sorted(res.methods.items()):
                snap = copy.deepcopy(meth)
                router.add(m, res.path, MethodTarget(res, snap, auths.get(meth.authorizer_id or "")))
                summary.setdefault(res.path, {})[m] = {"authorizationType": meth.authorization_type,
                                                      "apiKeyRequired": meth.api_key_required}
        self.router = router
        self.summary = summary

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "createdDate": dt(self.created_us), "apiSummary": self.summary}
        if self.description:
            out["description"] = self.description
        return out


class RestStage:
    __slots__ = ("api", "name", "deployment_id", "description", "variables", "cache_enabled", "cache_size",
                 "method_settings", "explicit", "access_log", "tracing", "created_us", "updated_us", "tags",
                 "runtime")

    def __init__(self, api: "RestApi", name: str, deployment_id: Any, description: str, variables: dict[str, str],
                 cache_enabled: bool, cache_size: str | None, tracing: bool, tags: dict[str, str], now_us: int) -> None:
        self.api = api
        self.name = name
        self.deployment_id: Any = deployment_id
        self.description = description
        self.variables = variables
        self.cache_enabled = cache_enabled
        self.cache_size = cache_size
        self.method_settings: dict[str, dict[str, Any]] = {}
        #: method setting key -> names set explicitly (the rest show AWS's defaults)
        self.explicit: dict[str, frozenset[str]] = {}
        self.access_log: dict[str, str] | None = None
        self.tracing = tracing
        self.created_us = now_us
        self.updated_us = now_us
        self.tags = tags
        #: data-plane state (buckets, cache, metric series): see gateway.StageRuntime
        self.runtime: Any = None

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "deploymentId": self.deployment_id, "stageName": self.name,
            "cacheClusterEnabled": self.cache_enabled,
            "cacheClusterStatus": "AVAILABLE" if self.cache_enabled else "NOT_AVAILABLE",
            "methodSettings": copy.deepcopy(self.method_settings), "tracingEnabled": self.tracing,
            "createdDate": dt(self.created_us), "lastUpdatedDate": dt(self.updated_us),
        }
        if self.cache_enabled:
            out["cacheClusterSize"] = self.cache_size or "0.5"
        if self.description:
            out["description"] = self.description
        if self.variables:
            out["variables"] = dict(self.variables)
        if self.access_log:
            out["accessLogSettings"] = dict(self.access_log)
        if self.tags:
            out["tags"] = dict(self.tags)
        return out

    def setting(self, key: str, name: str) -> Any:
        """A method setting set explicitly: the method's own, else the stage's ``*/*``; else None
        (the caller applies AWS's default, which may depend on the method: caching is on for GET)."""
        if name in self.explicit.get(key, ()):
            return self.method_settings[key][name]
        if name in self.explicit.get("*/*", ()):
            return self.method_settings["*/*"][name]
        return None


class RestApi:
    kind = "REST"

    def __init__(self, id_: str, name: str, description: str, created_us: int, api_key_source: str,
                 endpoint_types: list[str], binary_media_types: list[str], tags: dict[str, str],
                 disable_execute: bool, root_id: str, policy: str | None, version: str | None) -> None:
        self.id = id_
        self.name = name
        self.description = description
        self.created_us = created_us
        self.api_key_source = api_key_source
        self.endpoint_types = endpoint_types
        self.binary_media_types = binary_media_types
        self.tags = tags
        self.disable_execute = disable_execute
        self.root_id = root_id
        self.policy = policy
        self.version = version
        self.resources: dict[str, Resource] = {root_id: Resource(root_id, None, None, "/")}
        self.authorizers: dict[str, RestAuthorizer] = {}
        self.deployments: dict[str, Deployment] = {}
        self.stages: dict[str, RestStage] = {}

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "createdDate": dt(self.created_us),
            "apiKeySource": self.api_key_source, "endpointConfiguration": {"types": list(self.endpoint_types)},
            "disableExecuteApiEndpoint": self.disable_execute, "rootResourceId": self.root_id,
        }
        if self.description:
            out["description"] = self.description
        if self.binary_media_types:
            out["binaryMediaTypes"] = list(self.binary_media_types)
        if self.tags:
            out["tags"] = dict(self.tags)
        if self.policy:
            out["policy"] = self.policy
        if self.version:
            out["version"] = self.version
        return out


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    raise BadRequestException(f"Invalid boolean value: {v}")


def _convert(value: Any, kind: str, label: str) -> Any:
    try:
        if kind == "bool":
            return _bool(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except (TypeError, ValueError):
        raise BadRequestException(f"Invalid {label} value: {value}") from None
    return str(value)


class RestOps:
    """Wire operations of REST APIs (mixed into :class:`~.service.APIGateway`)."""

    if TYPE_CHECKING:
        cloud: Cloud
        gateway: Gateway
        rest_apis: dict[str, RestApi]

    # -- lookups --------------------------------------------------------------------------------
    def _api(self, request: dict[str, Any]) -> RestApi:
        api_id = request.get("restApiId")
        api = self.rest_apis.get(api_id)  # type: ignore[arg-type]
        if api is None:
            raise NotFoundException(f"Invalid API identifier specified {self.cloud.account_id}:{api_id}")
        return api

    def _resource(self, api: RestApi, resource_id: Any) -> Resource:
        res = api.resources.get(resource_id)
        if res is None:
            raise NotFoundException("Invalid Resource identifier specified")
        return res

    def _method(self, request: dict[str, Any]) -> tuple[RestApi, Resource, Method]:
        api = self._api(request)
        res = self._resource(api, request.get("resourceId"))
        meth = res.methods.get(str(request.get("httpMethod", "")).upper())
        if meth is None:
            raise NotFoundException("Invalid Method identifier specified")
        return api, res, meth

    def _stage(self, api: RestApi, name: Any) -> RestStage:
        st = api.stages.get(name)
        if st is None:
            raise NotFoundException("Invalid Stage identifier specified")
        return st

    # -- APIs -------------------------------------------------------------------------------------
    @operation("CreateRestApi")
    def create_rest_api(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequestException("Invalid REST API name specified: name must be non-empty")
        source = request.get("apiKeySource", "HEADER")
        if source not in ("HEADER", "AUTHORIZER"):
            raise BadRequestException(f"Invalid API key source specified: {source}")
        types = (request.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
        if len(types) != 1 or types[0] not in ("EDGE", "REGIONAL", "PRIVATE"):
            raise BadRequestException("Invalid endpoint configuration types specified")
        api_id = self.gateway.new_api_id()
        root = new_id(self.cloud, 10)
        api = RestApi(api_id, name, request.get("description", ""), self.cloud.now_us, source, list(types),
                      list(request.get("binaryMediaTypes") or []), dict(request.get("tags") or {}),
                      bool(request.get("disableExecuteApiEndpoint", False)), root, request.get("policy"),
                      request.get("version"))
        self.rest_apis[api_id] = api
        self.gateway.apis[api_id] = api
        return api.describe()

    @operation("GetRestApi")
    def get_rest_api(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._api(request).describe()

    @operation("GetRestApis")
    def get_rest_apis(self, request: dict[str, Any]) -> dict[str, Any]:
        items, position = page_v1(sorted(self.rest_apis.values(), key=lambda a: (a.created_us, a.id)), request)
        return listed_v1([a.describe() for a in items], position)

    @operation("DeleteRestApi")
    def delete_rest_api(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        del self.rest_apis[api.id]
        self.gateway.apis.pop(api.id, None)
        return {}

    # -- resources ------------------------------------------------------------------------------
    @operation("GetResources")
    def get_resources(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        embed = "methods" in (request.get("embed") or [])
        items, position = page_v1(sorted(api.resources.values(), key=lambda r: r.path), request)
        return listed_v1([r.describe(embed) for r in items], position)

    @operation("GetResource")
    def get_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return self._resource(api, request.get("resourceId")).describe("methods" in (request.get("embed") or []))

    @operation("CreateResource")
    def create_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        parent = self._resource(api, request.get("parentId"))
        part = request.get("pathPart")
        if not isinstance(part, str) or not _PATH_PART.match(part):
            raise BadRequestException(
                "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                "and an optional plus sign before the closing brace."
            )
        if parent.path_part and parent.path_part.endswith("+}"):
            raise BadRequestException(f"Cannot create a child of a resource with a greedy path variable: {parent.path_part}")
        siblings = [r for r in api.resources.values() if r.parent_id == parent.id]
        for s in siblings:
            if s.path_part == part:
                raise ConflictException(f"Another resource with the same parent already has this name: {part}")
        if part.startswith("{"):
            for s in siblings:
                if s.path_part and s.path_part.startswith("{"):
                    raise BadRequestException(
                        f"A sibling ({s.path_part}) of this resource already has a variable path part -- only one is allowed"
                    )
        if len(api.resources) >= limits.REST_RESOURCES_MAX:
            raise BadRequestException(f"Exceeded the maximum of {limits.REST_RESOURCES_MAX} resources per API")
        rid = new_id(self.cloud, 6)
        res = Resource(rid, parent.id, part, ("" if parent.path == "/" else parent.path) + "/" + part)
        api.resources[rid] = res
        return res.describe()

    @operation("DeleteResource")
    def delete_resource(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        res = self._resource(api, request.get("resourceId"))
        if res.id == api.root_id:
            raise BadRequestException("Cannot delete the root resource")
        doomed = {res.id}
        changed = True
        while changed:
            changed = False
            for r in api.resources.values():
                if r.parent_id in doomed and r.id not in doomed:
                    doomed.add(r.id)
                    changed = True
        for rid in sorted(doomed):
            del api.resources[rid]
        return {}

    # -- methods --------------------------------------------------------------------------------
    @operation("PutMethod")
    def put_method(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        res = self._resource(api, request.get("resourceId"))
        m = str(request.get("httpMethod", "")).upper()
        if m not in HTTP_METHODS:
            raise BadRequestException("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
        auth = request.get("authorizationType")
        if auth not in ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"):
            raise BadRequestException("Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS")
        auth_id = request.get("authorizerId")
        if auth in ("CUSTOM", "COGNITO_USER_POOLS"):
            a = api.authorizers.get(auth_id or "")
            if a is None or (auth == "CUSTOM") != (a.type in ("TOKEN", "REQUEST")):
                raise BadRequestException(
                    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                    "COGNITO_USER_POOLS requires a valid authorizer."
                )
        if m in res.methods:
            raise ConflictException("Method already exists for this resource")
        params = request.get("requestParameters") or {}
        meth = Method(m, auth, auth_id, bool(request.get("apiKeyRequired", False)), request.get("operationName"),
                      dict(params), request.get("authorizationScopes"))
        res.methods[m] = meth
        return meth.describe()

    @operation("GetMethod")
    def get_method(self, request: dict[str, Any]) -> dict[str, Any]:
        return self._method(request)[2].describe()

    @operation("DeleteMethod")
    def delete_method(self, request: dict[str, Any]) -> dict[str, Any]:
        _, res, meth = self._method(request)
        del res.methods[meth.http_method]
        return {}

    @operation("PutMethodResponse")
    def put_method_response(self, request: dict[str, Any]) -> dict[str, Any]:
        _, _, meth = self._method(request)
        code = str(request.get("statusCode", ""))
        if not re.fullmatch(r"[1-5]\d\d", code):
            raise BadRequestException("Invalid status code specified")
        out: dict[str, Any] = {"statusCode": code}
        if request.get("responseParameters"):
            out["responseParameters"] = dict(request["responseParameters"])
        if request.get("responseModels"):
            out["responseModels"] = dict(request["responseModels"])
        meth.responses[code] = out
        return dict(out)

    # -- integrations ---------------------------------------------------------------------------
    @operation("PutIntegration")
    def put_integration(self, request: dict[str, Any]) -> dict[str, Any]:
        api, res, meth = self._method(request)
        t = request.get("type")
        if not t:
            raise BadRequestException("Enumeration value for IntegrationType must be non-empty")
        if t not in ("HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"):
            raise BadRequestException(f"Invalid integration type specified: {t}")
        uri = request.get("uri")
        http_method = request.get("integrationHttpMethod")
        if t in ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY"):
            if not http_method:
                raise BadRequestException("Enumeration value for HttpMethod must be non-empty")
            if not uri:
                raise BadRequestException("Invalid integration URI specified")
        if t == "AWS_PROXY":
            assert isinstance(uri, str)
            if function_arn_of(uri) is None and "${stageVariables." not in uri:
                raise BadRequestException(
                    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."
                )
        timeout = request.get("timeoutInMillis", limits.REST_TIMEOUT_MS_DEFAULT)
        max_timeout = (limits.REST_TIMEOUT_MS_DEFAULT if api.endpoint_types[0] == "EDGE"
                       else limits.REST_TIMEOUT_MS_MAX_REGIONAL)
        if not isinstance(timeout, int) or not limits.REST_TIMEOUT_MS_MIN <= timeout <= max_timeout:
            raise BadRequestException(f"Timeout should be between {limits.REST_TIMEOUT_MS_MIN} ms and {max_timeout} ms")
        passthrough = request.get("passthroughBehavior", "WHEN_NO_MATCH")
        keys = list(request.get("cacheKeyParameters") or [])
        for k in keys:
            if not re.fullmatch(r"method\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.[^.]+", k):
                raise BadRequestException(f"Invalid cache key parameter specified: {k}")
        integ = Integration(t, http_method, uri, timeout, keys, request.get("cacheNamespace") or res.id,
                            dict(request.get("requestTemplates") or {}), passthrough, request.get("contentHandling"),
                            dict(request.get("requestParameters") or {}))
        meth.integration = integ
        return integ.describe()

    @operation("GetIntegration")
    def get_integration(self, request: dict[str, Any]) -> dict[str, Any]:
        _, _, meth = self._method(request)
        if meth.integration is None:
            raise NotFoundException("Invalid Integration identifier specified")
        return meth.integration.describe()

    @operation("PutIntegrationResponse")
    def put_integration_response(self, request: dict[str, Any]) -> dict[str, Any]:
        _, _, meth = self._method(request)
        if meth.integration is None:
            raise NotFoundException("Invalid Integration identifier specified")
        code = str(request.get("statusCode", ""))
        if not re.fullmatch(r"[1-5]\d\d", code):
            raise BadRequestException("Invalid status code specified")
        out: dict[str, Any] = {"statusCode": code}
        for k in ("selectionPattern", "responseParameters", "responseTemplates", "contentHandling"):
            if request.get(k) is not None:
                out[k] = copy.deepcopy(request[k])
        meth.integration.responses[code] = out
        return dict(out)

    # -- deployments and stages -----------------------------------------------------------------
    @operation("CreateDeployment")
    def create_deployment(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        if not any(r.methods for r in api.resources.values()):
            raise BadRequestException("The REST API doesn't contain any methods")
        for r in api.resources.values():
            for m in r.methods.values():
                if m.integration is None:
                    raise BadRequestException("No integration defined for method")
        stage_name = request.get("stageName")
        variables = check_stage_variables(request.get("variables"))
        if request.get("cacheClusterSize") is not None and request["cacheClusterSize"] not in limits.CACHE_SIZES:
            raise BadRequestException("Invalid cache cluster size specified")
        dep = Deployment(new_id(self.cloud, 6), request.get("description", ""), self.cloud.now_us, api)
        api.deployments[dep.id] = dep
        if stage_name:
            st = api.stages.get(stage_name)
            if st is None:
                st = RestStage(api, stage_name, dep.id, request.get("stageDescription", ""), variables,
                               bool(request.get("cacheClusterEnabled", False)), request.get("cacheClusterSize"),
                               bool(request.get("tracingEnabled", False)), {}, self.cloud.now_us)
                api.stages[stage_name] = st
            else:
                st.deployment_id = dep.id
                if variables:
                    st.variables.update(variables)
                st.updated_us = self.cloud.now_us
            self.gateway.stage_changed(st)
        out = dep.describe()
        out.pop("apiSummary")
        return out

    @operation("GetDeployment")
    def get_deployment(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        dep = api.deployments.get(request.get("deploymentId"))  # type: ignore[arg-type]
        if dep is None:
            raise NotFoundException("Invalid Deployment identifier specified")
        return dep.describe()

    @operation("GetDeployments")
    def get_deployments(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        deps, position = page_v1(sorted(api.deployments.values(), key=lambda d: (d.created_us, d.id)), request)
        items = []
        for d in deps:
            x = d.describe()
            x.pop("apiSummary")
            items.append(x)
        return listed_v1(items, position)

    @operation("CreateStage")
    def create_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        name = request.get("stageName")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", name):
            raise BadRequestException("Stage name only allows a-zA-Z0-9_-")
        dep_id = request.get("deploymentId")
        if dep_id not in api.deployments:
            raise BadRequestException("Invalid deployment identifier specified")
        if name in api.stages:
            raise ConflictException("Stage already exists")
        size = request.get("cacheClusterSize")
        if size is not None and size not in limits.CACHE_SIZES:
            raise BadRequestException("Invalid cache cluster size specified")
        st = RestStage(api, name, dep_id, request.get("description", ""), check_stage_variables(request.get("variables")),
                       bool(request.get("cacheClusterEnabled", False)), size,
                       bool(request.get("tracingEnabled", False)), dict(request.get("tags") or {}), self.cloud.now_us)
        api.stages[name] = st
        self.gateway.stage_changed(st)
        return st.describe()

    @operation("GetStage")
    def get_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return self._stage(api, request.get("stageName")).describe()

    @operation("GetStages")
    def get_stages(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        return {"item": [s.describe() for _, s in sorted(api.stages.items())]}

    @operation("DeleteStage")
    def delete_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = self._stage(api, request.get("stageName"))
        del api.stages[st.name]
        return {}

    @operation("UpdateStage")
    def update_stage(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = self._stage(api, request.get("stageName"))
        # Validate every operation on a copy first: bad input leaves the stage unchanged.
        work = copy.copy(st)
        work.variables = dict(st.variables)
        work.method_settings = copy.deepcopy(st.method_settings)
        work.explicit = dict(st.explicit)
        work.access_log = dict(st.access_log) if st.access_log else None
        for op in request.get("patchOperations") or []:
            self._patch_stage(api, work, op)
        for attr in RestStage.__slots__:
            setattr(st, attr, getattr(work, attr))
        st.updated_us = self.cloud.now_us
        self.gateway.stage_changed(st)
        return st.describe()

    def _patch_stage(self, api: RestApi, st: RestStage, op: dict[str, Any]) -> None:
        kind = op.get("op")
        path = op.get("path") or ""
        value = op.get("value")
        if kind not in ("replace", "add", "remove", "copy", "move", "test"):
            raise BadRequestException(f"Invalid patch operation specified. Must be one of: [add, remove, replace, move, copy, test]")
        if path.startswith("/variables/"):
            name = unescape_patch_path(path[len("/variables/"):])
            if kind == "remove":
                st.variables.pop(name, None)
            else:
                st.variables.update(check_stage_variables({name: value}))
            return
        simple = {"/description": "description", "/deploymentId": "deployment_id",
                  "/cacheClusterEnabled": "cache_enabled", "/cacheClusterSize": "cache_size",
                  "/tracingEnabled": "tracing"}
        if path in simple and kind == "replace":
            attr = simple[path]
            if attr == "deployment_id" and value not in api.deployments:
                raise BadRequestException("Invalid deployment identifier specified")
            if attr == "cache_size" and value not in limits.CACHE_SIZES:
                raise BadRequestException("Invalid cache cluster size specified")
            if attr in ("cache_enabled", "tracing"):
                value = _bool(value)
            setattr(st, attr, value)
            return
        if path.startswith("/accessLogSettings"):
            if kind == "remove":
                st.access_log = None
                return
            field = path[len("/accessLogSettings/"):]
            if field not in ("destinationArn", "format"):
                raise BadRequestException(f"Invalid patch path {path}")
            st.access_log = dict(st.access_log or {})
            st.access_log[field] = str(value)
            return
        # method settings: /<resource path>/<METHOD>/<setting>
        raw = unescape_patch_path(path).lstrip("/")
        for suffix, (name, kind_) in _SETTING_PATHS.items():
            if raw.endswith("/" + suffix):
                key = raw[: -len(suffix) - 1]
                break
        else:
            raise BadRequestException(f"Invalid patch path {path}")
        res_path, _, method = key.rpartition("/")
        if key != "*/*":
            if method not in HTTP_METHODS or not any(
                r.path == "/" + res_path.lstrip("/") and method in r.methods for r in api.resources.values()
            ):
                raise BadRequestException(f"Invalid method setting path: {path}. Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{{resourcePath}}/{{httpMethod}}/metrics/enabled, /{{resourcePath}}/{{httpMethod}}/logging/dataTrace, /{{resourcePath}}/{{httpMethod}}/logging/loglevel, /{{resourcePath}}/{{httpMethod}}/throttling/burstLimit/{{resourcePath}}/{{httpMethod}}/throttling/rateLimit/{{resourcePath}}/{{httpMethod}}/caching/ttlInSeconds, /{{resourcePath}}/{{httpMethod}}/caching/enabled, /{{resourcePath}}/{{httpMethod}}/caching/dataEncrypted, /{{resourcePath}}/{{httpMethod}}/caching/requireAuthorizationForCacheControl, /{{resourcePath}}/{{httpMethod}}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{{variable_name}}, /tracingEnabled]")
        if name == "cacheTtlInSeconds" and kind != "remove":
            v = _convert(value, "int", name)
            if not 0 <= v <= limits.CACHE_TTL_MAX_S:
                raise BadRequestException(f"Cache ttl must be between 0 and {limits.CACHE_TTL_MAX_S}")
        if name == "unauthorizedCacheControlHeaderStrategy" and kind != "remove" and value not in (
                "FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER"):
            raise BadRequestException(f"Invalid unauthorizedCacheControlHeaderStrategy: {value}")
        settings = st.method_settings.get(key)
        if settings is None:
            settings = st.method_settings[key] = dict(METHOD_SETTING_DEFAULTS)
        if kind == "remove":
            settings[name] = METHOD_SETTING_DEFAULTS[name]
            st.explicit[key] = st.explicit.get(key, frozenset()) - {name}
        else:
            settings[name] = _convert(value, kind_, name)
            st.explicit[key] = st.explicit.get(key, frozenset()) | {name}

    @operation("FlushStageCache")
    def flush_stage_cache(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = self._stage(api, request.get("stageName"))
        if st.runtime is not None and st.runtime.cache is not None:
            st.runtime.cache.flush()
        return {}

    @operation("FlushStageAuthorizersCache")
    def flush_stage_authorizers_cache(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        st = self._stage(api, request.get("stageName"))
        self.gateway.flush_authorizer_cache(api.id, st.name)
        return {}

    # -- authorizers ----------------------------------------------------------------------------
    @operation("CreateAuthorizer")
    def create_authorizer(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        name = request.get("name")
        if not name:
            raise BadRequestException("Authorizer name must be non-empty")
        t = request.get("type")
        if t not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS"):
            raise BadRequestException("Invalid authorizer type specified. Valid options are TOKEN,REQUEST,COGNITO_USER_POOLS")
        uri = request.get("authorizerUri")
        if t in ("TOKEN", "REQUEST") and (not uri or function_arn_of(uri) is None):
            raise BadRequestException("Invalid Authorizer URI specified")
        if t == "COGNITO_USER_POOLS" and not request.get("providerARNs"):
            raise BadRequestException("Invalid Cognito User Pool provider ARNs specified")
        ttl = request.get("authorizerResultTtlInSeconds", limits.AUTHORIZER_TTL_DEFAULT_S)
        if not isinstance(ttl, int) or not 0 <= ttl <= limits.AUTHORIZER_TTL_MAX_S:
            raise BadRequestException(f"Invalid TTL specified. TTL must be between 0 and {limits.AUTHORIZER_TTL_MAX_S} seconds")
        source = request.get("identitySource")
        if t in ("TOKEN", "COGNITO_USER_POOLS"):
            source = source or "method.request.header.Authorization"
            if not source.startswith("method.request.header.") or "," in source:
                raise BadRequestException("Invalid identity source specified: a TOKEN authorizer takes one header")
        elif not source and ttl > 0:
            raise BadRequestException("Identity source must be specified when caching is enabled")
        try:
            rest_identity_sources(source)
        except ValueError as exc:
            raise BadRequestException(f"Invalid identity source specified: {exc}") from None
        validation = request.get("identityValidationExpression")
        if validation:
            try:
                re.compile(validation)
            except re.error:
                raise BadRequestException("Invalid identity validation expression specified") from None
        a = RestAuthorizer(new_id(self.cloud, 6), name, t, uri, source, validation, ttl,
                           list(request.get("providerARNs") or []))
        api.authorizers[a.id] = a
        return a.describe()

    @operation("GetAuthorizer")
    def get_authorizer(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        a = api.authorizers.get(request.get("authorizerId"))  # type: ignore[arg-type]
        if a is None:
            raise NotFoundException("Invalid Authorizer identifier specified")
        return a.describe()

    @operation("GetAuthorizers")
    def get_authorizers(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        items, position = page_v1([a for _, a in sorted(api.authorizers.items())], request)
        return listed_v1([a.describe() for a in items], position)

    @operation("DeleteAuthorizer")
    def delete_authorizer(self, request: dict[str, Any]) -> dict[str, Any]:
        api = self._api(request)
        a = api.authorizers.get(request.get("authorizerId"))  # type: ignore[arg-type]
        if a is None:
            raise NotFoundException("Invalid Authorizer identifier specified")
        for r in api.resources.values():
            for m in r.methods.values():
                if m.authorizer_id == a.id:
                    raise ConflictException("Cannot delete authorizer, is referenced in method")
        del api.authorizers[a.id]
        return {}


__all__ = ["Deployment", "Integration", "Method", "MethodTarget", "Resource", "RestApi", "RestAuthorizer",
           "RestOps", "RestStage"]
