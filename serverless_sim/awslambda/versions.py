"""Versions: PublishVersion and ListVersionsByFunction.

https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html

Publishing snapshots ``$LATEST``'s code and configuration as an immutable numbered version
(1, 2, ...; numbers are never reused). Publishing again without any change since the last
version returns that version instead of creating one, as AWS does. ``CodeSha256`` and
``RevisionId`` in the request must match ``$LATEST`` when given. A SnapStart function takes its
snapshot here (:mod:`.snapstart`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import operation
from .environments import load_package_handler
from .errors import InvalidParameterValueException, validation_error
from .functions import LATEST, Function, FunctionVersion
from .functions_api import last_modified
from .package import ModuleSpace, private_random_module
from .runtime import run_user_code
from . import snapstart as _snapstart

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .config import LambdaConfig
    from .environments import EnvironmentPool

_FINGERPRINT_FIELDS = (
    "runtime", "handler", "role", "memory", "timeout", "code_sha256", "environment", "architecture",
    "ephemeral_storage", "snapstart", "tracing_mode", "layers", "log_group", "duration_model",
)


def _fingerprint(v: FunctionVersion) -> tuple[Any, ...]:
    return tuple(
        tuple(sorted(getattr(v, f).items())) if isinstance(getattr(v, f), dict) else getattr(v, f)
        for f in _FINGERPRINT_FIELDS
    )


class VersionOps:
    """Versions (mixed into :class:`~.service.Lambda`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: LambdaConfig
        def _check_revision(self, current: str, request: dict[str, Any]) -> None: ...
        def _function_unqualified(self, request: dict[str, Any]) -> Function: ...
        def _make_pool(self, version: FunctionVersion) -> EnvironmentPool: ...
        def _paginate(self, items: list[Any], request: dict[str, Any], key: str, default: int = 50) -> dict[str, Any]: ...
        def _revision(self) -> str: ...

    def _publish(self, fn: Function, description: str) -> FunctionVersion:
        latest = fn.latest
        if fn.versions:
            last = fn.versions[max(fn.versions, key=int)]
            if _fingerprint(last) == _fingerprint(latest) and (last.code is latest.code or latest.code.package is not None):
                return last
        now = self.cloud.clock.now_us
        number = str(fn.next_version)
        version = attrs.evolve(
            latest, version=number, description=description or latest.description,
            last_modified=last_modified(now), revision_id=self._revision(), pool=None, snapshot=None,
            retired=False, duration_model=latest.duration_model,
        )
        version.pool = self._make_pool(version)
        if version.snapstart:
            self._take_snapshot(version)
        fn.next_version += 1
        fn.versions[number] = version
        self.cloud.trace.record("lambda", "version_published", function=fn.name, version=number)
        return version

    def _take_snapshot(self, version: FunctionVersion) -> None:
        """Run Init once and the before-snapshot hooks, and keep the environment's modules."""
        fn = version.function
        pkg = version.code.package
        if pkg is None:
            from ..kernel.errors import SimError

            raise SimError("SnapStart needs a deployment package (native functions cannot be snapshotted)")
        now = self.cloud.clock.now_us
        seed = self.cloud.rng(f"lambda/{fn.name}/env").getrandbits(64)
        rnd = private_random_module(seed)
        space = ModuleSpace(pkg, {"snapshot_restore_py": _snapstart, "random": rnd})
        hooks = _snapstart.HookRegistry()
        holder: dict[str, Any] = {}

        def init() -> None:
            holder["handler"] = load_package_handler(space, version.handler)
            hooks.run_before()

        modelled = self.config.init_model.duration_us(version.runtime, version.memory)
        limit_us = max(130, version.timeout) * 1_000_000
        _snapstart._TARGETS.append(hooks)
        try:
            out = run_user_code(init, (), start_us=now + modelled, deadline_us=now + limit_us,
                                env=None, virtual_time=version.virtual_time, capture=True,
                                enter=space.enter, leave=space.exit)
        finally:
            _snapstart._TARGETS.pop()
        if not out.ok:
            raise InvalidParameterValueException(
                f"SnapStart snapshot creation failed during Init: {type(out.error).__name__}: {out.error}"
            )
        modules = dict(space.modules)
        modules["random"] = rnd
        version.snapshot = _snapstart.Snapshot(modules, hooks, holder["handler"], now, modelled + out.elapsed_us)
        self.cloud.trace.record("lambda", "snapshot_taken", function=fn.name, version=version.version)

    @operation("PublishVersion")
    def publish_version(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        latest = fn.latest
        sha = request.get("CodeSha256")
        if sha is not None and sha != latest.code_sha256:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest.code_sha256}). Please try again"
            )
        self._check_revision(latest.revision_id, request)
        description = request.get("Description", "")
        if not isinstance(description, str) or len(description) > 256:
            raise validation_error(description, "description", "Member must have length less than or equal to 256")
        return self._publish(fn, description).describe()

    @operation("ListVersionsByFunction")
    def list_versions_by_function(self, request: dict[str, Any]) -> dict[str, Any]:
        fn = self._function_unqualified(request)
        items = [v.describe() for v in fn.all_versions()]
        return self._paginate(items, request, "Versions")


__all__ = ["VersionOps", "LATEST"]
