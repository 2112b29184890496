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


#: REST API (v1) list operations: ``limit`` per page, 25 when absent, at most 500
#: (https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html).
V1_PAGE_DEFAULT = 25
V1_PAGE_MAX = 500


def page_v1(items: list[Any], request: dict[str, Any]) -> tuple[list[Any], str | None]:
    """One page of a REST API (v1) list operation: ``items`` already in the service's order, the
    page size ``request["limit"]`` (1..500, 25 when absent), the position ``request["position"]``
    (the ``position`` a previous page returned). Returns (page, next position or None when this
    is the last page). Positions are opaque to callers (an offset here). O(page)."""
    limit = request.get("limit")
    if limit is None:
        size = V1_PAGE_DEFAULT
    elif isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= V1_PAGE_MAX:
        raise BadRequestException(f"Invalid limit: {limit!r}. The limit must be between 1 and {V1_PAGE_MAX}")
    else:
        size = limit
    start = _position(request.get("position"), len(items))
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def listed_v1(items: list[dict[str, Any]], position: str | None) -> dict[str, Any]:
    """A v1 collection page: ``items``, and ``position`` when more follow."""
    out: dict[str, Any] = {"items": items}
    if position is not None:
        out["position"] = position
    return out


def page_v2(items: list[Any], request: dict[str, Any]) -> tuple[list[Any], str | None]:
    """One page of an HTTP/WebSocket API (v2) list operation: ``request["MaxResults"]`` (a
    string of digits in this API; every item when absent), ``request["NextToken"]`` (the token a
    previous page returned). Returns (page, NextToken or None). O(page)."""
    mr = request.get("MaxResults")
    if mr is None:
        size = len(items)
    else:
        text = str(mr)
        if not text.isdigit() or int(text) < 1:
            raise BadRequestException(f"Invalid MaxResults: {mr!r}. MaxResults must be a positive integer")
        size = int(text)
    start = _position(request.get("NextToken"), len(items))
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _position(token: Any, n: int) -> int:
    if token is None or token == "":
        return 0
    if not isinstance(token, str) or not token.isdigit() or int(token) > n:
        raise BadRequestException("Invalid pagination token")
    return int(token)


def unescape_patch_path(path: str) -> str:
    """JSON-Pointer escapes of PATCH paths: ``~1`` is ``/``, ``~0`` is ``~``."""
    return path.replace("~1", "/").replace("~0", "~")


__all__ = [
    "V1_PAGE_DEFAULT", "V1_PAGE_MAX", "check_stage_variables", "dt", "listed_v1", "new_id", "page_v1",
    "page_v2", "required", "unescape_patch_path",
]
