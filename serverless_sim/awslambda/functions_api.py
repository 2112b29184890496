"""The function control plane: CreateFunction, Get*, ListFunctions, Update*, DeleteFunction.

Request and response shapes are the Lambda API's
(https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html and siblings), as boto3
passes and returns them. Validation follows AWS's limits (:mod:`.limits`) and wording; a rejected
request changes nothing.

Packages: ``Code={"ZipFile": bytes}`` with Python source and ``Runtime="python3.x"`` (run in
process). ``S3Bucket``/``S3Key`` and container images are not supported by this simulator (a
``SimError``), nor are non-Python runtimes.
"""

from __future__ import annotations

import base64
import json
import re
from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.clock import format_us
from ..kernel.errors import SimError
from ..kernel.service import operation
from . import limits
from .environments import IDLE, EnvironmentPool, NewestFirstPool
from .errors import (
    InvalidParameterValueException,
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
    validation_error,
)
from .functions import LATEST, NAME_RE, Code, Function, FunctionVersion, parse_function_name
from .package import DeploymentPackage

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .config import LambdaConfig
    from .provisioned import ProvisionedConfig

#: Runtimes the Lambda API knows (botocore's ``Runtime`` enum, abridged to current ones).
KNOWN_RUNTIMES = (
    "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "python3.8", "python3.9", "python3.10",
    "python3.11", "python3.12", "python3.13", "python3.14", "java8.al2", "java11", "java17", "java21",
    "java25", "dotnet8", "dotnet10", "ruby3.2", "ruby3.3", "ruby3.4", "provided.al2", "provided.al2023",
)
RESERVED_ENV_KEYS = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
_ENV_KEY_RE = re.compile(r"^[a-zA-Z]([a-zA-Z0-9_])+$")
_ROLE_RE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")


def last_modified(now_us: int) -> str:
    """AWS's ``LastModified`` text: ``2026-01-01T00:00:00.000+0000``."""
    return format_us(now_us)[:23] + "+0000"


# -- validation (shared with the native API) -------------------------------------------------------
def check_memory(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < limits.MEMORY_MIN_MB:
        raise validation_error(value, "memorySize", f"Member must have value greater than or equal to {limits.MEMORY_MIN_MB}")
    if value > limits.MEMORY_MAX_MB:
        raise InvalidParameterValueException(
            f"'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to {limits.MEMORY_MAX_MB}"
        )
    return value


def check_timeout(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < limits.TIMEOUT_MIN_S:
        raise validation_error(value, "timeout", f"Member must have value greater than or equal to {limits.TIMEOUT_MIN_S}")
    if value > limits.TIMEOUT_MAX_S:
        raise validation_error(value, "timeout", f"Member must have value less than or equal to {limits.TIMEOUT_MAX_S}")
    return value


def check_environment(env: Any) -> dict[str, str]:
    if env is None:
        return {}
    if not isinstance(env, dict):
        raise validation_error(env, "environment", "Member must be a structure")
    variables = env.get("Variables", {}) or {}
    if not isinstance(variables, dict):
        raise validation_error(variables, "environment.variables", "Member must be a map")
    for key, value in variables.items():
        if not isinstance(key, str) or not _ENV_KEY_RE.match(key):
            raise ValidationKeyError()
        if not isinstance(value, str):
            raise validation_error(value, f"environment.variables.{key}", "Member must be a string")
    reserved = sorted(k for k in variables if k in RESERVED_ENV_KEYS)
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            "variables you have provided contains reserved keys that are currently not supported "
            f"for modification. Reserved keys used in this request: {', '.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > limits.ENV_VARS_MAX_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided exceeded the 4KB limit. String measured: {measured}"
        )
    return dict(variables)


def ValidationKeyError() -> Exception:
    return validation_error(
        "", "environment.variables",
        "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
    )


def check_runtime(runtime: Any, *, required: bool) -> str | None:
    if runtime is None:
        if required:
            raise InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages."
            )
        return None
    if runtime not in KNOWN_RUNTIMES:
        raise validation_error(runtime, "runtime", "Member must satisfy enum value set: [" + ", ".join(KNOWN_RUNTIMES) + "]")
    if runtime == "python3.8":
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS "
            "Lambda functions. We recommend you use a supported runtime while creating or updating functions."
        )
    if not runtime.startswith("python"):
        raise SimError(f"serverless_sim runs Python deployment packages only, not {runtime}")
    return runtime  # type: ignore[no-any-return]


def check_snapstart(snap: Any, runtime: str) -> bool:
    if snap is None:
        return False
    apply_on = snap.get("ApplyOn", "None") if isinstance(snap, dict) else snap
    if apply_on not in ("PublishedVersions", "None"):
        raise validation_error(apply_on, "snapStart.applyOn", "Member must satisfy enum value set: [PublishedVersions, None]")
    if apply_on == "PublishedVersions" and runtime not in limits.SNAPSTART_PYTHON_RUNTIMES:
        raise InvalidParameterValueException(f"{runtime} is not supported for SnapStart enabled functions.")
    return apply_on == "PublishedVersions"


class FunctionOps:
    """Function control plane (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: LambdaConfig
        functions: dict[str, Function]
        def _drop_pc(self, fn: Function, pc: ProvisionedConfig) -> None: ...
        def _publish(self, fn: Function, description: str) -> FunctionVersion: ...
        def _set_reserved(self, fn: Function, value: int | None) -> None: ...

    # -- lookup ------------------------------------------------------------------------------------
    def _arn_of(self, name: str) -> str:
        return self.cloud.arn("lambda", f"function:{name}")

    def _not_found(self, fn_or_name: Any, qualifier: str | None = None) -> Exception:
        name = fn_or_name.name if isinstance(fn_or_name, Function) else fn_or_name
        arn = self._arn_of(name)
        if qualifier is not None:
            arn += f":{qualifier}"
        return ResourceNotFoundException(f"Function not found: {arn}")

    def _alias_not_found(self, fn: Function, alias: str) -> Exception:
        return ResourceNotFoundException(f"Cannot find alias arn: {fn.arn}:{alias}")

    def _parse_name(self, text: Any, member: str = "functionName") -> tuple[str, str | None]:
        if not isinstance(text, str) or not text:
            raise validation_error(text, member, "Member must have length greater than or equal to 1")
        parsed = parse_function_name(text)
        if parsed is None:
            raise validation_error(
                text, member,
                "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}"
                "((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)"
                "(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
            )
        name, qualifier, region, account = parsed
        if (region is not None and region != self.cloud.region) or (account is not None and account != self.cloud.account_id):
            raise ResourceNotFoundException(f"Function not found: {text}")
        return name, qualifier

    def _function_from_request(self, request: dict[str, Any]) -> tuple[Function, str | None]:
        """The function and qualifier a request names (FunctionName may carry a qualifier)."""
        name, qualifier = self._parse_name(request.get("FunctionName"))
        q = request.get("Qualifier")
        if q is not None:
            if qualifier is not None and qualifier != q:
                raise InvalidParameterValueException("The derived qualifier from the function name does not match the specified qualifier.")
            qualifier = q
        fn = self.functions.get(name)
        if fn is None:
            raise self._not_found(name, qualifier)
        return fn, qualifier

    def _function_unqualified(self, request: dict[str, Any]) -> Function:
        name, _qualifier = self._parse_name(request.get("FunctionName"))
        fn = self.functions.get(name)
        if fn is None:
            raise self._not_found(name)
        return fn

    def _version_of(self, fn: Function, qualifier: str | None) -> FunctionVersion:
        """The version a qualifier names (an alias names its primary version)."""
        if qualifier is None or qualifier == LATEST:
            return fn.latest
        if qualifier.isdigit():
            version = fn.versions.get(qualifier)
            if version is None:
                raise self._not_found(fn, qualifier)
            return version
        alias = fn.aliases.get(qualifier)
        if alias is None:
            raise self._not_found(fn, qualifier)
        return alias.primary

    def _route(self, fn: Function, qualifier: str | None) -> tuple[FunctionVersion, str | None]:
        """The version an invocation runs, and the ``Resource`` qualifier it was made through.

        An alias with ``AdditionalVersionWeights`` sends each request to the additional version
        with its weight, drawn from the function's routing stream. O(1).
        """
        if qualifier is None:
            return fn.latest, None
        if qualifier == LATEST:
            return fn.latest, LATEST
        if qualifier.isdigit():
            version = fn.versions.get(qualifier)
            if version is None:
                raise self._not_found(fn, qualifier)
            return version, qualifier
        alias = fn.aliases.get(qualifier)
        if alias is None:
            raise self._not_found(fn, qualifier)
        if alias.weights:
            draw = self.cloud.rng(fn.routing_stream).random()
            for v, w in alias.weights.items():
                if draw < w:
                    return fn.versions[v], qualifier
                draw -= w
        return alias.primary, qualifier

    def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]:
        max_items = request.get("MaxItems", default)
        if not isinstance(max_items, int) or isinstance(max_items, bool) or not 1 <= max_items <= 10_000:
            raise validation_error(max_items, "maxItems", "Member must have value between 1 and 10000")
        start = 0
        marker = request.get("Marker")
        if marker:
            try:
                start = int(json.loads(base64.b64decode(marker))["i"])
            except (ValueError, KeyError, TypeError):
                raise InvalidParameterValueException("Invalid marker") from None
        page = items[start:start + max_items]
        out: dict[str, Any] = {key: page}
        if start + max_items < len(items):
            out["NextMarker"] = base64.b64encode(json.dumps({"i": start + max_items}).encode()).decode()
        return out

    def _make_pool(self, version: FunctionVersion) -> EnvironmentPool:
        if self.config.warm_selection == "newest":
            return NewestFirstPool(version)
        return EnvironmentPool(version)

    def _revision(self) -> str:
        return self.cloud.streams.uuid("lambda/revisions")

    # -- creation (shared by the wire and the native API) ------------------------------------------------
    def _create_function(
        self, name: str, *, code: Code, runtime: str, handler: str, role: str, memory: int,
        timeout: int, description: str = "", environment: dict[str, str] | None = None,
        architecture: str = "x86_64", ephemeral_storage: int = limits.EPHEMERAL_STORAGE_DEFAULT_MB,
        snapstart: bool = False, tracing_mode: str = "PassThrough", tags: dict[str, str] | None = None,
        layers: tuple[str, ...] = (), duration: Any = None, virtual_time: bool = True,
        init_duration_us: int | None = None, log_group: str = "",
    ) -> Function:
        if name in self.functions:
            raise ResourceConflictException(f"Function already exist: {name}")
        now = self.cloud.clock.now_us
        fn = Function(name=name, arn=self._arn_of(name), region=self.cloud.region, created_us=now,
                      rng=self.cloud.rng(f"lambda/{name}"), tags=dict(tags or {}))
        cap = self.config.scaling_envs_per_window
        fn.tokens_micro = (cap or 0) * 1_000_000
        fn.tokens_us = now
        pkg = code.package
        if pkg is not None:
            pkg.runtime_cloud = self.cloud  # its boto3 talks to this Cloud (package.runtime_boto3)
        version = FunctionVersion(
            function=fn, version=LATEST, runtime=runtime, handler=handler, role=role, memory=memory,
            timeout=timeout, code=code,
            code_sha256=pkg.sha256 if pkg is not None else _native_sha(name),
            code_size=pkg.size if pkg is not None else 0,
            last_modified=last_modified(now), revision_id=self._revision(), description=description,
            environment=dict(environment or {}), architecture=architecture,
            ephemeral_storage=ephemeral_storage, snapstart=snapstart, tracing_mode=tracing_mode,
            layers=layers, duration_model=duration, virtual_time=virtual_time,
            init_duration_us=init_duration_us, log_group=log_group,
        )
        version.pool = self._make_pool(version)
        fn.latest = version
        self.functions[name] = fn
        self.cloud.trace.record("lambda", "function_created", function=name)
        return fn

    def _replace_latest(self, fn: Function, **changes: Any) -> FunctionVersion:
        """Make a new ``$LATEST`` with ``changes``; environments of the old one retire."""
        old = fn.latest
        now = self.cloud.clock.now_us
        duration = changes.pop("duration_model", old.duration_model)
        new = attrs.evolve(
            old, last_modified=last_modified(now), revision_id=self._revision(), pool=None,
            snapshot=None, retired=False, duration_model=duration, **changes,
        )
        new.pool = self._make_pool(new)
        self._retire(old)
        fn.latest = new
        return new

    def _retire(self, version: FunctionVersion) -> None:
        version.retired = True
        pool = version.pool
        if pool is not None:
            for env in pool.drain():
                self._shutdown(env, "code or configuration updated")

    # -- wire operations ------------------------------------------------------------------------------
    @operation("CreateFunction")
    def create_function(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("FunctionName")
        if not isinstance(name, str) or not name:
            raise validation_error(name, "functionName", "Member must have length greater than or equal to 1")
        parsed_name, qualifier = self._parse_name(name)
        if qualifier is not None or not NAME_RE.match(parsed_name) or len(parsed_name) > limits.FUNCTION_NAME_MAX:
            raise validation_error(name, "functionName", "Member must satisfy regular expression pattern: "
                                   "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)")
        role = request.get("Role")
        if not isinstance(role, str) or not _ROLE_RE.match(role):
            raise validation_error(role, "role", "Member must satisfy regular expression pattern: "
                                   "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
        package_type = request.get("PackageType", "Zip")
        if package_type != "Zip":
            raise SimError("serverless_sim runs .zip deployment packages only (PackageType=Zip)")
        runtime = check_runtime(request.get("Runtime"), required=True)
        handler = request.get("Handler")
        if not isinstance(handler, str) or not handler:
            raise InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages."
            )
        if len(handler) > limits.HANDLER_MAX or re.search(r"\s", handler):
            raise validation_error(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+")
        memory = check_memory(request.get("MemorySize", limits.MEMORY_DEFAULT_MB))
        timeout = check_timeout(request.get("Timeout", limits.TIMEOUT_DEFAULT_S))
        description = request.get("Description", "")
        if not isinstance(description, str) or len(description) > limits.DESCRIPTION_MAX:
            raise validation_error(description, "description", "Member must have length less than or equal to 256")
        environment = check_environment(request.get("Environment"))
        architecture = _check_architectures(request.get("Architectures"))
        storage = _check_storage(request.get("EphemeralStorage"))
        assert runtime is not None
        snapstart = check_snapstart(request.get("SnapStart"), runtime)
        tracing = (request.get("TracingConfig") or {}).get("Mode", "PassThrough")
        package = _package_from_code(request.get("Code"))
        log_group = ((request.get("LoggingConfig") or {}).get("LogGroup")) or ""
        fn = self._create_function(
            parsed_name, code=Code(package=package), runtime=runtime, handler=handler, role=role, memory=memory,
            timeout=timeout, description=description, environment=environment, architecture=architecture,
            ephemeral_storage=storage, snapstart=snapstart, tracing_mode=tracing, tags=request.get("Tags"),
            layers=tuple(request.get("Layers") or ()), log_group=log_group,
        )
        if request.get("Publish"):
            return self._publish(fn, "").describe()
        return fn.latest.describe()

    @operation("GetFunction")
    def get_function(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        version = self._version_of(fn, qualifier)
        out: dict[str, Any] = {
            "Configuration": version.describe(),
            "Code": {
                "RepositoryType": "S3",
                "Location": f"https://awslambda-{self.cloud.region}-tasks.s3.{self.cloud.region}.amazonaws.com/"
                            f"snapshots/{self.cloud.account_id}/{fn.name}-{version.revision_id}",
            },
        }
        if fn.tags:
            out["Tags"] = dict(fn.tags)
        if fn.reserved is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": fn.reserved}
        return out

    @operation("GetFunctionConfiguration")
    def get_function_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        return self._version_of(fn, qualifier).describe()

    @operation("ListFunctions")
    def list_functions(self, request: dict[str, Any]) -> dict[str, Any]:
        which = request.get("FunctionVersion")
        if which not in (None, "ALL"):
            raise validation_error(which, "functionVersion", "Member must satisfy enum value set: [ALL]")
        items: list[dict[str, Any]] = []
        for name in sorted(self.functions):
            fn = self.functions[name]
            versions = fn.all_versions() if which == "ALL" else [fn.latest]
            items.extend(v.describe() for v in versions)
        return self._paginate(items, request, "Functions")

    @operation("UpdateFunctionCode")
    def update_function_code(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        self._check_revision(fn.latest.revision_id, request)
        if request.get("S3Bucket") or request.get("ImageUri"):
            raise SimError("serverless_sim takes code as ZipFile bytes only")
        zip_bytes = request.get("ZipFile")
        if zip_bytes is None:
            raise InvalidParameterValueException("Please provide a source for function code.")
        package = _package_from_code({"ZipFile": zip_bytes})
        package.runtime_cloud = self.cloud
        changes: dict[str, Any] = {"code": Code(package=package), "code_sha256": package.sha256, "code_size": package.size}
        if request.get("Architectures") is not None:
            changes["architecture"] = _check_architectures(request["Architectures"])
        if request.get("DryRun"):
            return attrs.evolve(fn.latest, **changes).describe()
        self._replace_latest(fn, **changes)
        if request.get("Publish"):
            return self._publish(fn, "").describe()
        return fn.latest.describe()

    @operation("UpdateFunctionConfiguration")
    def update_function_configuration(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        latest = fn.latest
        self._check_revision(latest.revision_id, request)
        changes: dict[str, Any] = {}
        if "Role" in request:
            role = request["Role"]
            if not isinstance(role, str) or not _ROLE_RE.match(role):
                raise validation_error(role, "role", "Member must satisfy regular expression pattern: "
                                       "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
            changes["role"] = role
        if "Handler" in request:
            handler = request["Handler"]
            if not isinstance(handler, str) or not handler or re.search(r"\s", handler) or len(handler) > limits.HANDLER_MAX:
                raise validation_error(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+")
            changes["handler"] = handler
        if "Runtime" in request:
            changes["runtime"] = check_runtime(request["Runtime"], required=True)
        if "MemorySize" in request:
            changes["memory"] = check_memory(request["MemorySize"])
        if "Timeout" in request:
            changes["timeout"] = check_timeout(request["Timeout"])
        if "Description" in request:
            description = request["Description"]
            if not isinstance(description, str) or len(description) > limits.DESCRIPTION_MAX:
                raise validation_error(description, "description", "Member must have length less than or equal to 256")
            changes["description"] = description
        if "Environment" in request:
            changes["environment"] = check_environment(request["Environment"])
        if "EphemeralStorage" in request:
            changes["ephemeral_storage"] = _check_storage(request["EphemeralStorage"])
        if "SnapStart" in request:
            changes["snapstart"] = check_snapstart(request["SnapStart"], changes.get("runtime", latest.runtime))
        elif "runtime" in changes and latest.snapstart:
            check_snapstart({"ApplyOn": "PublishedVersions"}, changes["runtime"])
        if "TracingConfig" in request:
            changes["tracing_mode"] = (request["TracingConfig"] or {}).get("Mode", "PassThrough")
        if "Layers" in request:
            changes["layers"] = tuple(request["Layers"] or ())
        if "LoggingConfig" in request:
            group = (request["LoggingConfig"] or {}).get("LogGroup")
            if group:
                changes["log_group"] = group
        self._replace_latest(fn, **changes)
        return fn.latest.describe()

    def _check_revision(self, current: str, request: dict[str, Any]) -> None:
        rev = request.get("RevisionId")
        if rev is not None and rev != current:
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                "API to retrieve the latest Revision Id"
            )

    @operation("DeleteFunction")
    def delete_function(self, request: dict[str, Any]) -> dict[str, Any]:
        fn, qualifier = self._function_from_request(request)
        if qualifier is not None:
            if qualifier == LATEST:
                raise InvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.")
            if not qualifier.isdigit():
                raise InvalidParameterValueException(
                    "Deletion of aliases is not supported with DeleteFunction; use DeleteAlias."
                )
            version = fn.versions.get(qualifier)
            if version is None:
                raise self._not_found(fn, qualifier)
            users = sorted(a.name for a in fn.aliases.values()
                           if a.function_version == qualifier or qualifier in a.weights)
            if users:
                raise ResourceConflictException(
                    f"Unable to delete version because the following aliases reference it: [{', '.join(users)}]"
                )
            for pc in list(fn.provisioned.values()):
                if pc.version is version:
                    self._drop_pc(fn, pc)
            del fn.versions[qualifier]
            self._retire(version)
            return {"StatusCode": 204}
        for pc in list(fn.provisioned.values()):
            self._drop_pc(fn, pc)
        if fn.reserved is not None:
            self._set_reserved(fn, None)
        fn.deleted = True
        for version in fn.all_versions():
            self._retire(version)
        del self.functions[fn.name]
        self.cloud.trace.record("lambda", "function_deleted", function=fn.name)
        return {"StatusCode": 204}

    # -- shutdown and reclaim ----------------------------------------------------------------------------
    def _shutdown(self, env: Any, why: str) -> None:
        if env.state == "dead":
            return
        fn = env.version.function
        now = self.cloud.clock.now_us
        env.state = "dead"
        env.pool.live -= 1
        env.pool.members.pop(env.id, None)
        st = fn.stats
        st.env_area_base_us += now  # the environment's life ends (see FunctionStats)
        st.environments -= 1
        if env.reclaim is not None:
            self.cloud.scheduler.cancel(env.reclaim)
            env.reclaim = None
        env.handler = None
        env.space = None
        if self.config.trace_invocations or env.init_type != "on-demand" or why != "idle":
            self.cloud.trace.record("lambda", "environment_shutdown", function=fn.name,
                                    environment=env.id, reason=why)

    def _arm_reclaim(self, env: Any) -> None:
        idle_us = round(self.config.idle_reclaim_s * 1_000_000)
        env.reclaim = self.cloud.scheduler.call_at_us(env.last_used_us + idle_us, self._reclaim, env, daemon=True)

    def _reclaim(self, env: Any) -> None:
        env.reclaim = None
        if env.state == "dead":
            return
        if env.state != IDLE:
            return  # busy: re-armed when released
        now = self.cloud.clock.now_us
        due = env.last_used_us + round(self.config.idle_reclaim_s * 1_000_000)
        if due > now:
            env.reclaim = self.cloud.scheduler.call_at_us(due, self._reclaim, env, daemon=True)
            return
        env.pool.remove_idle(env)
        self._shutdown(env, "idle")


def _native_sha(name: str) -> str:
    import hashlib

    return base64.b64encode(hashlib.sha256(f"native:{name}".encode()).digest()).decode()


def _check_architectures(value: Any) -> str:
    if value is None:
        return "x86_64"
    if not isinstance(value, (list, tuple)) or len(value) != 1 or value[0] not in ("x86_64", "arm64"):
        raise validation_error(value, "architectures", "Member must have length less than or equal to 1 "
                               "and satisfy enum value set: [x86_64, arm64]")
    return value[0]  # type: ignore[no-any-return]


def _check_storage(value: Any) -> int:
    if value is None:
        return limits.EPHEMERAL_STORAGE_DEFAULT_MB
    size = value.get("Size") if isinstance(value, dict) else None
    if not isinstance(size, int) or not limits.EPHEMERAL_STORAGE_DEFAULT_MB <= size <= limits.EPHEMERAL_STORAGE_MAX_MB:
        raise validation_error(size, "ephemeralStorage.size", "Member must have value between 512 and 10240")
    return size


def _package_from_code(code: Any) -> DeploymentPackage:
    if not isinstance(code, dict):
        raise validation_error(code, "code", "Member must not be null")
    if code.get("S3Bucket") or code.get("ImageUri"):
        raise SimError("serverless_sim takes code as ZipFile bytes only (no S3 or image locations)")
    data = code.get("ZipFile")
    if data is None:
        raise InvalidParameterValueException("Please provide a source for function code.")
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.")
    return DeploymentPackage(bytes(data))
