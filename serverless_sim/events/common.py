"""Helpers shared by EventBridge's and Scheduler's wire operations: names, pages, times."""

from __future__ import annotations

import base64
import datetime as _dt
import re
from typing import Any, Callable, Sequence, TypeVar

from ..kernel.clock import instant_to_us, us_to_datetime
from ..kernel.errors import AWSError, SimError

T = TypeVar("T")
RULE_NAME = re.compile(r"^[\.\-_A-Za-z0-9]{1,64}$")
BUS_NAME = re.compile(r"^[/\.\-_A-Za-z0-9]{1,256}$")


def constraint(err: type[AWSError], value: Any, member: str, rule: str) -> AWSError:
    """AWS's generic validation message (``1 validation error detected: ...``)."""
    return err(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
        f"constraint: {rule}"
    )


def check_name(err: type[AWSError], value: Any, member: str, pattern: re.Pattern[str],
               max_len: int) -> str:
    if not isinstance(value, str) or not value:
        raise constraint(err, value, member, "Member must have length greater than or equal to 1")
    if len(value) > max_len:
        raise constraint(err, value, member,
                         f"Member must have length less than or equal to {max_len}")
    if not pattern.match(value):
        raise constraint(err, value, member,
                         f"Member must satisfy regular expression pattern: "
                         f"{pattern.pattern.strip('^$').split('{')[0]}+")
    return value


def paginate(
    items: Sequence[T], limit: Any, token: Any, err: type[AWSError], *, default: int = 100
) -> tuple[list[T], str | None]:
    """A page of ``items`` (already in their final order) and the next token (opaque)."""
    start = 0
    if token is not None:
        try:
            start = int(base64.b64decode(str(token).encode(), validate=True).decode().split(":")[1])
        except Exception:
            raise err("The NextToken provided is invalid.") from None
    size = default if limit is None else int(limit)
    if size < 1:
        raise constraint(err, limit, "limit", "Member must have value greater than or equal to 1")
    page = list(items[start : start + size])
    nxt = start + size
    next_token = base64.b64encode(f"page:{nxt}".encode()).decode() if nxt < len(items) else None
    return page, next_token


def to_us(value: Any, err: Callable[[str], AWSError], member: str) -> int:
    """A timestamp parameter (datetime, ISO string or epoch seconds) as epoch microseconds."""
    try:
        return instant_to_us(value)
    except SimError:
        raise err(f"Parameter {member} is not valid.") from None


def event_time(us: int) -> str:
    """EventBridge's event ``time``: ISO 8601 to the second, ``Z``."""
    return us_to_datetime(us).strftime("%Y-%m-%dT%H:%M:%SZ")


def dt(us: int) -> _dt.datetime:
    return us_to_datetime(us)
