"""Functions, versions and aliases: the engine's entities (no wire shapes except ``describe``).

- :class:`Function` — one function: its ``$LATEST`` version, published versions, aliases,
  reserved concurrency, provisioned concurrency configs, and its run-time counters.
- :class:`FunctionVersion` — one version's configuration and code, *immutable once published*.
  Updating ``$LATEST`` makes a new ``FunctionVersion`` object (so environments of the old
  configuration retire: idle ones at once, busy ones when their invocation ends, as on AWS, where
  an update replaces the execution environments).
- :class:`Alias` — a name for a version, with weighted routing to one additional version
  (https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html).

Names and ARNs: ``my-function``, ``my-function:qualifier``, ``123456789012:function:my-function``
and ``arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]`` are all accepted
wherever a FunctionName is (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
"""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING, Any, Callable

import attrs

from . import limits
from .durations import DurationModel, compile_duration
from .package import DeploymentPackage

if TYPE_CHECKING:
    from .environments import EnvironmentPool
    from .provisioned import ProvisionedConfig
    from .snapstart import Snapshot

LATEST = "$LATEST"

_ARN_RE = re.compile(
    r"^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9\-_]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9\-_]+))?$"
)
NAME_RE = re.compile(r"^[a-zA-Z0-9\-_]+$")
ALIAS_RE = re.compile(r"^(?!^[0-9]+$)([a-zA-Z0-9\-_]+)$")


def parse_function_name(text: str) -> tuple[str, str | None, str | None, str | None] | None:
    """``(name, qualifier, region, account)`` of a FunctionName in any of AWS's forms, or None."""
    m = _ARN_RE.match(text)
    if m is None:
        return None
    return m["name"], m["qualifier"], m["region"], m["account"]


@attrs.define(eq=False)
class Code:
    """What an environment runs: a deployment package, or a native Python callable."""

    #: A ``.zip`` package (``Code={"ZipFile": ...}``), imported per environment.
    package: DeploymentPackage | None = None
    #: A native handler shared by every environment (``handler(event, context)``).
    handler: Callable[[Any, Any], Any] | None = None
    #: A native per-environment factory, run at Init, returning that environment's handler.
    factory: Callable[[], Callable[[Any, Any], Any]] | None = None

    @property
    def is_native(self) -> bool:
        return self.package is None


@attrs.define(eq=False, slots=True)
class FunctionVersion:
    """The configuration and code of ``$LATEST`` or of one published version."""

    function: "Function"
    version: str
    runtime: str
    handler: str
    role: str
    memory: int
    timeout: int
    code: Code
    code_sha256: str
    code_size: int
    last_modified: str
    revision_id: str
    description: str = ""
    environment: dict[str, str] = attrs.field(factory=dict)
    architecture: str = "x86_64"
    ephemeral_storage: int = limits.EPHEMERAL_STORAGE_DEFAULT_MB
    snapstart: bool = False
    tracing_mode: str = "PassThrough"
    log_format: str = "Text"
    log_group: str = ""
    layers: tuple[str, ...] = ()
    duration_model: DurationModel | None = None
    #: A fixed modelled Init duration for this version (None: the service's InitModel).
    init_duration_us: int | None = None
    #: Patch time (time-machine) while user code runs; native functions may turn it off.
    virtual_time: bool = True
    # -- run time --------------------------------------------------------------------------
    pool: "EnvironmentPool | None" = None
    snapshot: "Snapshot | None" = None
    retired: bool = False
    duration_const_us: int = 0
    duration_sampler: Callable[[random.Random], float] | None = None

    def __attrs_post_init__(self) -> None:
        self.duration_const_us, self.duration_sampler = compile_duration(self.duration_model)
        if not self.log_group:
            self.log_group = f"/aws/lambda/{self.function.name}"

    @property
    def arn(self) -> str:
        """The qualified ARN (``...:function:f:3``; ``...:function:f:$LATEST``)."""
        return f"{self.function.arn}:{self.version}"

    @property
    def config_arn(self) -> str:
        """``FunctionArn`` as GetFunctionConfiguration shows it (unqualified for ``$LATEST``)."""
        return self.function.arn if self.version == LATEST else self.arn

    def set_duration(self, model: DurationModel | None) -> None:
        self.duration_model = model
        self.duration_const_us, self.duration_sampler = compile_duration(model)

    def describe(self) -> dict[str, Any]:
        """The ``FunctionConfiguration`` shape of the Lambda API."""
        cfg: dict[str, Any] = {
            "FunctionName": self.function.name,
            "FunctionArn": self.config_arn,
            "Runtime": self.runtime,
            "Role": self.role,
            "Handler": self.handler,
            "CodeSize": self.code_size,
            "Description": self.description,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "LastModified": self.last_modified,
            "CodeSha256": self.code_sha256,
            "Version": self.version,
            "TracingConfig": {"Mode": self.tracing_mode},
            "RevisionId": self.revision_id,
            "Layers": [{"Arn": arn, "CodeSize": 0} for arn in self.layers],
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": [self.architecture],
            "EphemeralStorage": {"Size": self.ephemeral_storage},
            "SnapStart": {
                "ApplyOn": "PublishedVersions" if self.snapstart else "None",
                "OptimizationStatus": "On" if self.snapstart and self.version != LATEST else "Off",
            },
            "RuntimeVersionConfig": {
                "RuntimeVersionArn": f"arn:aws:lambda:{self.function.region}::runtime:{self.runtime}"
            },
            "LoggingConfig": {"LogFormat": self.log_format, "LogGroup": self.log_group},
        }
        if self.environment:
            cfg["Environment"] = {"Variables": dict(self.environment)}
        if not self.layers:
            del cfg["Layers"]
        return cfg


@attrs.define(eq=False)
class Alias:
    """An alias: a name for a version, optionally routing a share of traffic to another."""

    function: "Function"
    name: str
    function_version: str
    revision_id: str
    description: str = ""
    #: Additional version -> weight (0..1), AWS's ``RoutingConfig.AdditionalVersionWeights``.
    weights: dict[str, float] = attrs.field(factory=dict)

    @property
    def arn(self) -> str:
        return f"{self.function.arn}:{self.name}"

    @property
    def primary(self) -> "FunctionVersion":
        """The version the alias points at: a published one, or ``$LATEST`` (CreateAlias accepts
        ``FunctionVersion`` ``(\\$LATEST|[0-9]+)``)."""
        fn = self.function
        v = self.function_version
        return fn.latest if v == LATEST else fn.versions[v]

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AliasArn": self.arn,
            "Name": self.name,
            "FunctionVersion": self.function_version,
            "Description": self.description,
            "RevisionId": self.revision_id,
        }
        if self.weights:
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(self.weights)}
        return out


class FunctionStats:
    """Counters and time integrals of one function (what the simulation measured)."""

    __slots__ = (
        "invocations", "cold_starts", "restores", "throttles", "errors", "timeouts", "spillovers",
        "area_base_us", "env_area_base_us", "environments", "peak_concurrency",
        "requests_billed", "mb_ms_on_demand", "mb_ms_on_demand_arm", "mb_ms_provisioned",
    )

    def __init__(self, now_us: int) -> None:
        self.invocations = 0
        self.cold_starts = 0
        self.restores = 0
        self.throttles = 0
        self.errors = 0
        self.timeouts = 0
        self.spillovers = 0
        # The time integrals of concurrency (busy environments) and of live environments (busy
        # + idle), kept without a running clock: an invocation subtracts its start instant and
        # adds its completion instant (an environment: its creation and shutdown instants), so
        # the integral up to ``now`` is ``area_base_us + in_flight * now`` (see area_us). Exact
        # integers, equal to summing count x elapsed time at every change, and one addition
        # per change instead of a multiply-add of both integrals.
        self.area_base_us = 0
        self.env_area_base_us = 0
        self.environments = 0
        self.peak_concurrency = 0
        self.requests_billed = 0
        #: Billed MB x ms of on-demand invocations (x86_64 / arm64) and of provisioned ones.
        self.mb_ms_on_demand = 0
        self.mb_ms_on_demand_arm = 0
        self.mb_ms_provisioned = 0

    def area_us(self, in_flight: int, now_us: int) -> int:
        """Integral of concurrency over time up to ``now_us`` (environment-microseconds);
        ``in_flight`` is the function's current concurrency. O(1)."""
        return self.area_base_us + in_flight * now_us

    def env_area_us(self, now_us: int) -> int:
        """Integral of live environments (busy + idle) over time up to ``now_us``. O(1)."""
        return self.env_area_base_us + self.environments * now_us


@attrs.define(eq=False, slots=False)
class Function:
    """One Lambda function and everything it owns (see the module docstring)."""

    name: str
    arn: str
    region: str
    created_us: int
    rng: random.Random
    latest: FunctionVersion = attrs.field(default=None)
    versions: dict[str, FunctionVersion] = attrs.field(factory=dict)
    aliases: dict[str, Alias] = attrs.field(factory=dict)
    next_version: int = 1
    reserved: int | None = None
    tags: dict[str, str] = attrs.field(factory=dict)
    provisioned: dict[str, "ProvisionedConfig"] = attrs.field(factory=dict)
    deleted: bool = False
    # -- concurrency state -------------------------------------------------------------------
    #: Busy environments (on-demand and provisioned).
    in_flight: int = 0
    #: Busy on-demand environments (they count against the limits; provisioned ones are
    #: counted through ``pc_allocated`` whether busy or not).
    od_in_flight: int = 0
    #: Environments allocated to provisioned concurrency (all configs).
    pc_allocated: int = 0
    #: Scaling-rate bucket: micro-tokens and when it was last refilled.
    tokens_micro: int = 0
    tokens_us: int = 0
    env_seq: int = 0
    stats: FunctionStats = attrs.field(default=None)
    metrics: Any = None
    #: Names of the function's random streams: request ids, duration draws, alias routing.
    rng_name: str = ""
    duration_stream: str = ""
    routing_stream: str = ""

    def _repr_html_(self) -> str:
        """Notebook display (``serverless_sim.sim.display``)."""
        from ..sim.display import function_html

        return function_html(self)

    def __attrs_post_init__(self) -> None:
        if self.stats is None:
            self.stats = FunctionStats(self.created_us)
        self.rng_name = f"lambda/{self.name}"
        self.duration_stream = f"lambda/{self.name}/duration"
        self.routing_stream = f"lambda/{self.name}/routing"

    @property
    def usage(self) -> int:
        """Concurrency this function holds against its limits."""
        return self.od_in_flight + self.pc_allocated

    def all_versions(self) -> list[FunctionVersion]:
        """``$LATEST`` then published versions in number order."""
        return [self.latest] + [self.versions[k] for k in sorted(self.versions, key=int)]

    def __repr__(self) -> str:
        return f"<Function {self.name} versions={len(self.versions)} in_flight={self.in_flight}>"
