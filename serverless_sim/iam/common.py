"""Validation and paging shared by IAM's wire operations."""

from __future__ import annotations

import re
from typing import Any, Sequence

from .errors import InvalidInput, MalformedPolicyDocument, ValidationError
from .policy import PolicySyntaxError, parse_document

_NAME = re.compile(r"[\w+=,.@-]+")
_PATH = re.compile(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")


def check_name(value: Any, member: str, limit: int = 64) -> str:
    if value is None:
        raise ValidationError(f"1 validation error detected: Value null at '{member}' failed to satisfy "
                              "constraint: Member must not be null")
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+")
    if len(value) > limit:
        raise ValidationError(f"1 validation error detected: Value '{value}' at '{member}' failed to "
                              f"satisfy constraint: Member must have length less than or equal to {limit}")
    return value


def check_path(value: Any) -> str:
    if value is None:
        return "/"
    if not isinstance(value, str) or not _PATH.fullmatch(value) or len(value) > 512:
        raise ValidationError(
            f"The specified value for path is invalid. It must begin and end with / and contain only "
            "alphanumeric characters and/or / characters."
        )
    return value


def policy_document(value: Any, kind: str = "identity", *, max_chars: int | None = None,
                    quota: str = "PolicySize") -> dict[str, Any]:
    """Parse and validate a policy document (MalformedPolicyDocument with IAM's message)."""
    if value is None:
        raise ValidationError("1 validation error detected: Value null at 'policyDocument' failed to "
                              "satisfy constraint: Member must not be null")
    try:
        doc = parse_document(value, kind)
    except PolicySyntaxError as exc:
        raise MalformedPolicyDocument(str(exc)) from None
    if max_chars is not None and isinstance(value, str):
        size = sum(1 for ch in value if not ch.isspace())
        if size > max_chars:
            from .errors import LimitExceeded

            raise LimitExceeded(f"Cannot exceed quota for {quota}: {max_chars}")
    return doc


def page(items: Sequence[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
    """IAM's Marker/MaxItems paging: ``{key: [...], "IsTruncated": bool, "Marker"?}``."""
    max_items = request.get("MaxItems", 100)
    if not isinstance(max_items, int) or isinstance(max_items, bool) or not 1 <= max_items <= 1000:
        raise ValidationError(f"1 validation error detected: Value '{max_items}' at 'maxItems' failed to "
                              "satisfy constraint: Member must have value less than or equal to 1000")
    marker = request.get("Marker")
    start = 0
    if marker is not None:
        try:
            start = int(marker)
        except (TypeError, ValueError):
            raise InvalidInput("Invalid Marker.") from None
    chunk = list(items[start:start + max_items])
    out: dict[str, Any] = {key: chunk, "IsTruncated": start + max_items < len(items)}
    if out["IsTruncated"]:
        out["Marker"] = str(start + max_items)
    return out


def tags_of(request: dict[str, Any]) -> dict[str, str]:
    tags = request.get("Tags") or []
    out: dict[str, str] = {}
    for t in tags:
        if not isinstance(t, dict) or not isinstance(t.get("Key"), str) or not isinstance(t.get("Value", ""), str):
            raise ValidationError("1 validation error detected: Value at 'tags' failed to satisfy constraint")
        out[t["Key"]] = t.get("Value", "")
    if len(out) > 50:
        from .errors import LimitExceeded

        raise LimitExceeded("Cannot exceed quota for TagsPerRole: 50")
    return out
