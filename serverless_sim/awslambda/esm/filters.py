"""Event filtering for event source mappings (``FilterCriteria``).

https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html

``FilterCriteria={"Filters": [{"Pattern": "<JSON>"}, ...]}``: up to 5 patterns, OR'd, each in
EventBridge's pattern language (compiled by :mod:`serverless_sim.events.patterns`) and matched
against the record Lambda would send, with these field names: SQS ``body`` (the message body
parsed as JSON when it is valid JSON, else the plain string), ``attributes``,
``messageAttributes``...; DynamoDB Streams ``eventName``, ``dynamodb`` (``Keys``, ``NewImage``,
``OldImage`` in DynamoDB JSON)...

What happens to records that match no filter is the poller's business: SQS deletes them,
streams skip them (the checkpoint moves past them). An invalid pattern is refused with
``InvalidParameterValueException`` ("Invalid filter pattern definition.").
"""

from __future__ import annotations

import json
from typing import Any

from ...events.errors import InvalidEventPatternException
from ...events.patterns import EventPattern, compile_pattern
from .. import limits
from ..errors import InvalidParameterValueException, validation_error


class FilterSet:
    """Compiled filter patterns: ``matches(record)`` is true when any pattern matches."""

    __slots__ = ("patterns", "criteria")

    def __init__(self, patterns: list[EventPattern], criteria: dict[str, Any]) -> None:
        self.patterns = patterns
        self.criteria = criteria

    def matches(self, record: dict[str, Any]) -> bool:
        """O(patterns x fields of a pattern)."""
        return any(p.matches(record) for p in self.patterns)

    def __repr__(self) -> str:
        return f"FilterSet({self.criteria!r})"


def check_filter_criteria(value: Any) -> FilterSet | None:
    """Validate and compile ``FilterCriteria`` (None or no filters: everything matches)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise validation_error(value, "filterCriteria", "Member must be a structure")
    filters = value.get("Filters") or []
    if not isinstance(filters, list):
        raise validation_error(filters, "filterCriteria.filters", "Member must be a list")
    if len(filters) > limits.ESM_FILTERS_MAX:
        raise InvalidParameterValueException(
            f"The number of filters must be less than or equal to {limits.ESM_FILTERS_MAX}."
        )
    patterns = []
    for f in filters:
        text = f.get("Pattern") if isinstance(f, dict) else None
        if not isinstance(text, str):
            raise InvalidParameterValueException("Invalid filter pattern definition.")
        try:
            patterns.append(compile_pattern(text))
        except InvalidEventPatternException:
            raise InvalidParameterValueException("Invalid filter pattern definition.") from None
    if not patterns:
        return None
    return FilterSet(patterns, {"Filters": [{"Pattern": p.text} for p in patterns]})


def sqs_view(record: dict[str, Any]) -> dict[str, Any]:
    """The SQS record as filters see it: ``body`` parsed when it is JSON."""
    body = record.get("body")
    try:
        parsed = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return record
    view = dict(record)
    view["body"] = parsed
    return view


__all__ = ["FilterSet", "check_filter_criteria", "sqs_view"]
