"""Small helpers shared by the control planes: ids from a seeded stream, timestamps, validation."""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from ..kernel.clock import us_to_datetime
from .errors import BadRequestException

if TYPE_CHECKING:
    from ..cloud import Cloud

_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_VAR_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def new_id(cloud: "Cloud", length: int = 10, stream: str = "apigateway/ids") -> str:
    """A lowercase alphanumeric id (``a1b2c3d4e5``) from a seeded stream."""
    rng = cloud.rng(stream)
    return "".join(_ALNUM[rng.randrange(36)] for _ in range(length))


def dt(us: int) -> _dt.datetime:
    return us_to_datetime(us)


def required(request: dict[str, Any], name: str, label: str | None = None) -> Any:
    v = request.get(name)
    if v is None or v == "":
        raise BadRequestException(f"{label or name} must not be null or empty" if label is None else label)
    return v


def check_stage_variables(variables: Any) -> dict[str, str]:
    """Stage variables: names ``[A-Za-z0-9_]`` up to 64, values up to 512 characters
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/stage-variables.html)."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise BadRequestException("variables must be a map")
    for k, v in variables.items():
        if not isinstance(k, str) or not _VAR_NAME.match(k) or len(k) > 64:
            raise BadRequestException(
                "Stage variable name must be alphanumeric or underscore and must not exceed 64 characters"
            )
        if not isinstance(v, str) or len(v) > 512:
            raise BadRequestException(
                "Stage variable value must not exceed 512 characters"
            )
    return dict(variables)


def unescape_patch_path(path: str) -> str:
    """JSON-Pointer escapes of PATCH paths: ``~1`` is ``/``, ``~0`` is ``~``."""
    return path.replace("~1", "/").replace("~0", "~")


__all__ = ["check_stage_variables", "dt", "new_id", "required", "unescape_patch_path"]
