"""Deployment packages and the private module namespace of each execution environment.

A ``.zip`` deployment package (``Code={"ZipFile": bytes}``) is read once into memory
(:class:`DeploymentPackage`): its files, its SHA-256 (``CodeSha256``, base64 as AWS gives it),
its size, and the compiled code of its ``.py`` files (compiled once, executed per environment).

Each execution environment imports the package afresh into a :class:`ModuleSpace`, so module-level
state lives per environment exactly as on AWS (a counter at module level counts the invocations
of *one* environment). Nothing is extracted to disk and nothing stays in ``sys.modules``: while an
environment runs (its Init, or one handler call) the space is *entered*:

- the package's top-level names (``app``, ``lib``...) are taken out of ``sys.modules`` and the
  space's own modules put in their place (names in the package shadow installed ones, as
  ``/var/task`` comes first on ``sys.path`` on AWS);
- a finder at the front of ``sys.meta_path`` serves the package's modules from memory, with
  ``__file__`` under ``/var/task`` so tracebacks read as on AWS;
- ``snapshot_restore_py`` resolves to the simulator's SnapStart hooks module, and ``random`` to a
  private copy of the stdlib module seeded from the function's random stream (so handler code that
  draws random numbers stays deterministic, and SnapStart's documented pitfall shows: a restored
  environment carries the random state captured in the snapshot).

On exit every name is put back as it was. Third-party and stdlib modules the package imports
(``json``, ``boto3``...) are shared by all environments, like site-packages would be; their
module-level state is therefore process-wide (a known deviation).

``boto3`` (when installed: the ``boto3`` extra) talks to the function's Cloud while the space is
entered, as AWS's runtime ships it: ``boto3.client("s3")`` at module level or in the handler is
answered by the simulated S3 (:func:`runtime_boto3`; the calls run as the execution role when
the Cloud enforces IAM). Clients made outside the space keep their own endpoint.

Complexity: entering or leaving a space is O(number of modules of the package).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import posixpath
import random as _stdlib_random
import sys
import zipfile
from types import CodeType, ModuleType
from typing import Any, Iterable, Sequence

from . import limits
from .errors import InvalidParameterValueException, RequestTooLargeException

TASK_ROOT = "/var/task"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class DeploymentPackage:
    """The files of a ``.zip`` deployment package, read into memory once."""

    __slots__ = ("zip_bytes", "files", "sha256", "size", "unzipped_size", "top_names", "_code", "runtime_cloud")

    def __init__(self, zip_bytes: bytes) -> None:
        #: The Cloud the package's ``boto3`` talks to (set by the Lambda service that deploys it).
        self.runtime_cloud: Any = None
        if len(zip_bytes) > limits.ZIP_MAX_BYTES:
            raise RequestTooLargeException(
                f"Request must be smaller than {limits.ZIP_MAX_BYTES} bytes for the CreateFunction operation"
            )
        try:
            with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
                files = {
                    info.filename: zf.read(info)
                    for info in zf.infolist()
                    if not info.is_dir()
                }
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise InvalidParameterValueException(
                "Could not unzip uploaded file. Please check your file, then try to upload again."
            ) from exc
        unzipped = sum(len(v) for v in files.values())
        if unzipped > limits.UNZIPPED_MAX_BYTES:
            raise InvalidParameterValueException(
                f"Unzipped size must be smaller than {limits.UNZIPPED_MAX_BYTES} bytes"
            )
        self.zip_bytes = zip_bytes
        self.files: dict[str, bytes] = {k.lstrip("/"): v for k, v in sorted(files.items())}
        self.sha256 = base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()
        self.size = len(zip_bytes)
        self.unzipped_size = unzipped
        tops = set()
        for path in self.files:
            head = path.split("/", 1)[0]
            if "/" in path:
                tops.add(head)
            elif head.endswith(".py"):
                tops.add(head[:-3])
        self.top_names: tuple[str, ...] = tuple(sorted(tops))
        self._code: dict[str, CodeType] = {}

    @classmethod
    def from_files(cls, files: dict[str, str | bytes]) -> "DeploymentPackage":
        """Build a package from ``{"app.py": "source", ...}`` (a deterministic zip)."""
        return cls(build_zip(files))

    # -- module lookup -----------------------------------------------------------------------
    def locate(self, fullname: str) -> tuple[str, bool] | None:
        """``(path, is_package)`` of module ``fullname`` in the package, or None. O(1)."""
        rel = fullname.replace(".", "/")
        init = rel + "/__init__.py"
        if init in self.files:
            return init, True
        mod = rel + ".py"
        if mod in self.files:
            return mod, False
        prefix = rel + "/"
        if any(p.startswith(prefix) for p in self.files):  # namespace package
            return prefix, True
        return None

    def code(self, path: str) -> CodeType:
        """The compiled code of one ``.py`` file (compiled once per package)."""
        code = self._code.get(path)
        if code is None:
            source = self.files.get(path, b"") if not path.endswith("/") else b""
            code = self._code[path] = compile(source, posixpath.join(TASK_ROOT, path), "exec", dont_inherit=True)
        return code


def build_zip(files: dict[str, str | bytes]) -> bytes:
    """A zip of ``files`` with fixed timestamps and sorted names (same input, same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            data = files[name]
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


class _SpaceLoader(importlib.abc.Loader):
    """Loads one module of a package into one environment's space."""

    def __init__(self, space: "ModuleSpace", path: str, is_package: bool) -> None:
        self.space = space
        self.path = path
        self._is_package = is_package

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        modules = self.space.modules
        modules[module.__name__] = module
        if not self.path.endswith("/"):
            try:
                exec(self.space.package.code(self.path), module.__dict__)
            except BaseException:
                modules.pop(module.__name__, None)
                raise

    def is_package(self, fullname: str) -> bool:
        return self._is_package

    def get_source(self, fullname: str) -> str | None:
        data = self.space.package.files.get(self.path)
        return None if data is None else data.decode("utf-8", "replace")

    def get_data(self, path: str) -> bytes:
        rel = posixpath.relpath(path, TASK_ROOT) if path.startswith(TASK_ROOT) else path
        try:
            return self.space.package.files[rel]
        except KeyError:
            raise OSError(f"[Errno 2] No such file or directory: {path!r}") from None

    def get_filename(self, fullname: str) -> str:
        return posixpath.join(TASK_ROOT, self.path)


class _SpaceFinder(importlib.abc.MetaPathFinder):
    def __init__(self, space: "ModuleSpace") -> None:
        self.space = space

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        space = self.space
        if fullname.split(".", 1)[0] not in space.top_set:
            return None
        found = space.package.locate(fullname)
        if found is None:
            return None
        rel, is_pkg = found
        loader = _SpaceLoader(space, rel, is_pkg)
        origin = posixpath.join(TASK_ROOT, rel) if not rel.endswith("/") else None
        spec = importlib.machinery.ModuleSpec(fullname, loader, origin=origin, is_package=is_pkg)
        if is_pkg:
            spec.submodule_search_locations = [posixpath.join(TASK_ROOT, fullname.replace(".", "/"))]
        spec.has_location = origin is not None
        return spec


def private_random_module(seed: int) -> ModuleType:
    """A fresh copy of the stdlib ``random`` module, seeded with ``seed``."""
    spec = importlib.util.spec_from_file_location("random", _stdlib_random.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.seed(seed)
    return module


_BOTO3_AVAILABLE: list[bool] = []


def runtime_boto3(cloud: Any) -> Any:
    """What a zip package's ``boto3`` talks to: a lazy swap of boto3's default session to
    ``cloud`` (AWS's Python runtime ships boto3, with the execution role's credentials), or None
    when boto3 is not installed (the ``boto3`` extra)."""
    if not _BOTO3_AVAILABLE:
        _BOTO3_AVAILABLE.append(importlib.util.find_spec("boto3") is not None)
    if not _BOTO3_AVAILABLE[0]:
        return None
    from ..adapters.boto3_bridge import DefaultSessionSwap

    return DefaultSessionSwap(cloud, lazy=True)


class ModuleSpace:
    """The modules of one execution environment (see the module docstring)."""

    __slots__ = ("package", "modules", "extra", "top_set", "_finder", "_saved", "_depth", "boto3")

    def __init__(self, package: DeploymentPackage, extra: dict[str, ModuleType] | None = None) -> None:
        self.package = package
        #: The package's modules imported in this environment, by name.
        self.modules: dict[str, ModuleType] = {}
        #: Other names served to this environment (``snapshot_restore_py``, ``random``).
        self.extra: dict[str, ModuleType] = dict(extra or {})
        self.top_set = frozenset(package.top_names)
        self._finder = _SpaceFinder(self)
        self._saved: list[tuple[str, Any]] = []
        self._depth = 0
        #: While the space is entered, boto3's default session talks to this (a
        #: :class:`~serverless_sim.adapters.boto3_bridge.DefaultSessionSwap`), or None.
        self.boto3: Any = runtime_boto3(package.runtime_cloud) if package.runtime_cloud is not None else None

    def _names(self) -> Iterable[str]:
        yield from self.package.top_names
        yield from self.modules
        yield from self.extra

    def enter(self) -> None:
        """Make this space what ``import`` sees. Re-entrant (a nested call is a no-op)."""
        self._depth += 1
        if self._depth > 1:
            return
        mods = sys.modules
        missing = _MISSING
        self._saved = [(name, mods.pop(name, missing)) for name in dict.fromkeys(self._names())]
        mods.update(self.modules)
        mods.update(self.extra)
        sys.meta_path.insert(0, self._finder)
        if self.boto3 is not None:
            self.boto3.enter()

    def exit(self) -> None:
        """Put ``sys.modules`` and ``sys.meta_path`` back as they were before :meth:`enter`."""
        self._depth -= 1
        if self._depth > 0:
            return
        if self.boto3 is not None:
            self.boto3.exit()
        mods = sys.modules
        try:
            sys.meta_path.remove(self._finder)
        except ValueError:  # pragma: no cover - user code rewrote meta_path
            pass
        for name, module in self.modules.items():
            if mods.get(name) is module:
                del mods[name]
        for name, module in self.extra.items():
            if mods.get(name) is module:
                del mods[name]
        for name, module in self._saved:
            if module is not _MISSING:
                mods[name] = module
            elif name in mods and name.split(".", 1)[0] in self.top_set:
                # Imported during the call but failed before exec_module: drop it.
                del mods[name]
        self._saved = []

    def import_module(self, name: str) -> ModuleType:
        """Import ``name`` inside the space (the caller has entered it)."""
        module = self.modules.get(name)
        if module is not None:
            return module
        return importlib.import_module(name)


_MISSING = object()
