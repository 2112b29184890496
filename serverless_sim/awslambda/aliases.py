"""Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases; weighted routing.

https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html and
https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html

An alias points at one published version (or ``$LATEST``) and may send a share of requests to
*one* additional published version (``RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}}``,
weight 0.0-1.0). Routing is drawn per request from the function's ``routing`` random stream
(:meth:`~.functions_api.FunctionOps._route`); ``ExecutedVersion`` tells which ran. AWS requires
both versions to be published, to differ, and (for weighted aliases) to share an execution role
and dead-letter configuration (the last two are not checked here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
    validation_error,
)
from .functions import ALIAS_RE, LATEST, Alias, Function

if TYPE_CHECKING:
    from .provisioned import ProvisionedConfig


class AliasOps:
    """Aliases (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        def _alias_not_found(self, fn: Function, alias: str) -> Exception: ...
        def _check_revision(self, current: str, request: dict[str, Any]) -> None: ...
        def _drop_pc(self, fn: Function, pc: ProvisionedConfig) -> None: ...
        def _function_unqualified(self, request: dict[str, Any]) -> Function: ...
        def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]: ...
        def _revision(self) -> str: ...
        def put_provisioned_concurrency_config(self, request: dict[str, Any]) -> dict[str, Any]: ...

    def _check_alias_name(self, name: Any) -> str:
        if not isinstance(name, str) or not 1 <= len(name) <= 128 or not ALIAS_RE.match(name):
            raise validation_error(name, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
        return name

    def _check_target(self, fn: Function, version: Any) -> str:
        if not isinstance(version, str) or not version:
            raise validation_error(version, "functionVersion", "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)")
        if version != LATEST and version not in fn.versions:
            raise ResourceNotFoundException(f"Function not found: {fn.arn}:{version}")
        return version

    def _check_routing(self, fn: Function, primary: str, routing: Any) -> dict[str, float]:
        if routing is None:
            return {}
        weights = routing.get("AdditionalVersionWeights", {}) if isinstance(routing, dict) else None
        if not isinstance(weights, dict):
            raise validation_error(routing, "routingConfig", "Member must be a structure")
        if len(weights) > 1:
            raise InvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1")
        out: dict[str, float] = {}
        for v, w in weights.items():
            if not isinstance(w, (int, float)) or isinstance(w, bool) or not 0.0 <= w <= 1.0:
                raise validation_error(w, "routingConfig.additionalVersionWeights", "Member must have value between 0.0 and 1.0")
            if primary == LATEST or v == LATEST:
                raise InvalidParameterValueException("$LATEST is not supported for an alias pointing to more than 1 version")
            if v not in fn.versions:
                raise InvalidParameterValueException(f"Version {v} does not exist for function {fn.name}")
            if v == primary:
                raise InvalidParameterValueException(
                    "Invalid function version {0}. Function version {0} is already included in routing configuration.".format(v)
                )
            out[v] = float(w)
        return out

    @operation("CreateAlias")
    def create_alias(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        name = self._check_alias_name(request.get("Name"))
        version = self._check_target(fn, request.get("FunctionVersion"))
        weights = self._check_routing(fn, version, request.get("RoutingConfig"))
        if name in fn.aliases:
            raise ResourceConflictException(f"Alias already exists: {fn.arn}:{name}")
        description = request.get("Description", "")
        alias = Alias(fn, name, version, self._revision(), description, weights)
        fn.aliases[name] = alias
        return alias.describe()

    def _alias(self, fn: Function, request: dict[str, Any]) -> Alias:
        name = request.get("Name")
        if not isinstance(name, str) or not name:
            raise validation_error(name, "name", "Member must not be null")
        alias = fn.aliases.get(name)
        if alias is None:
            raise self._alias_not_found(fn, name)
        return alias

    @operation("GetAlias")
    def get_alias(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        return self._alias(fn, request).describe()

    @operation("UpdateAlias")
    def update_alias(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        alias = self._alias(fn, request)
        self._check_revision(alias.revision_id, request)
        version = alias.function_version
        if "FunctionVersion" in request:
            version = self._check_target(fn, request["FunctionVersion"])
        weights = alias.weights
        if "RoutingConfig" in request:
            weights = self._check_routing(fn, version, request["RoutingConfig"])
        elif weights:
            weights = self._check_routing(fn, version, {"AdditionalVersionWeights": weights})
        if weights and alias.name in fn.provisioned:
            raise InvalidParameterValueException("Alias with weights can not be used with Provisioned Concurrency")
        pc = fn.provisioned.get(alias.name)
        alias.function_version = version
        alias.weights = weights
        if "Description" in request:
            alias.description = request["Description"]
        alias.revision_id = self._revision()
        if pc is not None and pc.version is not fn.versions.get(version):
            # Moving a provisioned alias re-provisions the new version (AWS does this gradually).
            count = pc.requested
            self._drop_pc(fn, pc)
            self.put_provisioned_concurrency_config(
                {"FunctionName": fn.name, "Qualifier": alias.name, "ProvisionedConcurrentExecutions": count}
            )
        return alias.describe()

    @operation("DeleteAlias")
    def delete_alias(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        name = request.get("Name")
        if name in fn.aliases:
            pc = fn.provisioned.get(name)
            if pc is not None:
                self._drop_pc(fn, pc)
            del fn.aliases[name]
        return {}

    @operation("ListAliases")
    def list_aliases(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        which = request.get("FunctionVersion")
        items = [
            fn.aliases[n].describe() for n in sorted(fn.aliases)
            if which is None or fn.aliases[n].function_version == which
        ]
        return self._paginate(items, request, "Aliases")
