"""Paginators for the generated clients: ``client.get_paginator("query").paginate(...)``.

Each paginated operation is described by one row of :data:`PAGINATORS` (the facts botocore
publishes for the operation: which request member carries the token in, which response member
carries it out, which member limits the page size, and which members are the results), written
here as our own data. Semantics follow botocore's paginators:

- iterating a :class:`PageIterator` calls the operation page by page until the response has no
  output token;
- ``PaginationConfig={"PageSize": n}`` sets the limit member, ``"MaxItems": n`` stops after n
  results of the first result key (cutting the last page) and leaves a ``resume_token``;
  ``"StartingToken": t`` resumes from such a token;
- ``build_full_result()`` concatenates the list results, adds the numeric ones (``Count``,
  ``ScannedCount``) and keeps the first value of the non-aggregate keys (``ConsumedCapacity``).

Tokens handed to users are opaque (base64 of JSON); binary key values survive the round trip.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any, Iterator

import attrs

from ..kernel.errors import SimError

if TYPE_CHECKING:
    from .client import ServiceClient


@attrs.frozen
class PaginatorSpec:
    """How one operation pages (botocore's ``paginators-1.json`` entry for it)."""

    input_token: str
    output_token: str
    result_keys: tuple[str, ...]
    limit_key: str | None = None
    non_aggregate_keys: tuple[str, ...] = ()


def _spec(inp: str, out: str, results: str | tuple[str, ...], limit: str | None = None,
          non_aggregate: tuple[str, ...] = ()) -> PaginatorSpec:
    keys = (results,) if isinstance(results, str) else results
    return PaginatorSpec(inp, out, keys, limit, non_aggregate)


#: Service name -> operation -> how it pages. Operations listed here whose service does not
#: implement them yet are skipped by ``can_paginate``.
PAGINATORS: dict[str, dict[str, PaginatorSpec]] = {
    "dynamodb": {
        "ListBackups": _spec("ExclusiveStartBackupArn", "LastEvaluatedBackupArn", "BackupSummaries", "Limit"),
        "ListTables": _spec("ExclusiveStartTableName", "LastEvaluatedTableName", "TableNames", "Limit"),
        "Query": _spec("ExclusiveStartKey", "LastEvaluatedKey", ("Items", "Count", "ScannedCount"),
                       "Limit", ("ConsumedCapacity",)),
        "Scan": _spec("ExclusiveStartKey", "LastEvaluatedKey", ("Items", "Count", "ScannedCount"),
                      "Limit", ("ConsumedCapacity",)),
        "ListTagsOfResource": _spec("NextToken", "NextToken", "Tags"),
    },
    "cloudwatch": {
        "ListMetrics": _spec("NextToken", "NextToken", ("Metrics", "OwningAccounts")),
        "GetMetricData": _spec("NextToken", "NextToken", ("MetricDataResults", "Messages"), "MaxDatapoints"),
        "DescribeAlarms": _spec("NextToken", "NextToken", ("MetricAlarms", "CompositeAlarms"), "MaxRecords"),
        "DescribeAlarmHistory": _spec("NextToken", "NextToken", "AlarmHistoryItems", "MaxRecords"),
        "ListDashboards": _spec("NextToken", "NextToken", "DashboardEntries"),
    },
    "logs": {
        "DescribeLogGroups": _spec("nextToken", "nextToken", "logGroups", "limit"),
        "DescribeLogStreams": _spec("nextToken", "nextToken", "logStreams", "limit"),
        "FilterLogEvents": _spec("nextToken", "nextToken", ("events", "searchedLogStreams"), "limit"),
        "DescribeMetricFilters": _spec("nextToken", "nextToken", "metricFilters", "limit"),
        "DescribeSubscriptionFilters": _spec("nextToken", "nextToken", "subscriptionFilters", "limit"),
    },
    "stepfunctions": {
        "ListStateMachines": _spec("nextToken", "nextToken", "stateMachines", "maxResults"),
        "ListExecutions": _spec("nextToken", "nextToken", "executions", "maxResults"),
        "GetExecutionHistory": _spec("nextToken", "nextToken", "events", "maxResults"),
        "ListActivities": _spec("nextToken", "nextToken", "activities", "maxResults"),
        "ListMapRuns": _spec("nextToken", "nextToken", "mapRuns", "maxResults"),
    },
    "lambda": {
        "ListFunctions": _spec("Marker", "NextMarker", "Functions", "MaxItems"),
        "ListAliases": _spec("Marker", "NextMarker", "Aliases", "MaxItems"),
        "ListVersionsByFunction": _spec("Marker", "NextMarker", "Versions", "MaxItems"),
        "ListEventSourceMappings": _spec("Marker", "NextMarker", "EventSourceMappings", "MaxItems"),
        "ListLayers": _spec("Marker", "NextMarker", "Layers", "MaxItems"),
        "ListLayerVersions": _spec("Marker", "NextMarker", "LayerVersions", "MaxItems"),
        "ListFunctionEventInvokeConfigs": _spec("Marker", "NextMarker", "FunctionEventInvokeConfigs", "MaxItems"),
        "ListProvisionedConcurrencyConfigs": _spec("Marker", "NextMarker", "ProvisionedConcurrencyConfigs", "MaxItems"),
        "ListFunctionUrlConfigs": _spec("Marker", "NextMarker", "FunctionUrlConfigs", "MaxItems"),
    },
}


# -- opaque tokens ------------------------------------------------------------------------
def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _unjsonable(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "__bytes__" in value:
            return base64.b64decode(value["__bytes__"])
        return {k: _unjsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unjsonable(v) for v in value]
    return value


def encode_token(token: Any, skip: int) -> str:
    """An opaque resume token: the service's token plus how many results of its page to skip."""
    payload = {"token": _jsonable(token), "skip": skip}
    return base64.b64encode(json.dumps(payload, sort_keys=True).encode()).decode()


def decode_token(text: str) -> tuple[Any, int]:
    try:
        payload = json.loads(base64.b64decode(text.encode(), validate=True))
        return _unjsonable(payload["token"]), int(payload["skip"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SimError(f"invalid StartingToken {text!r}: not a token from this paginator") from exc


class Paginator:
    """``client.get_paginator(name)``: makes page iterators for one operation."""

    def __init__(self, client: "ServiceClient", operation_name: str, spec: PaginatorSpec) -> None:
        self._client = client
        self._operation = operation_name
        self._spec = spec

    def paginate(self, **kwargs: Any) -> "PageIterator":
        """Pages of the operation called with ``kwargs`` (plus ``PaginationConfig``)."""
        config = dict(kwargs.pop("PaginationConfig", None) or {})
        unknown = set(config) - {"MaxItems", "PageSize", "StartingToken"}
        if unknown:
            raise SimError(f"unknown PaginationConfig keys: {sorted(unknown)}")
        return PageIterator(self._client, self._operation, self._spec, kwargs, config)

    def __repr__(self) -> str:
        return f"<Paginator {self._operation}>"


class PageIterator:
    """Iterates the response pages; ``resume_token`` is set when ``MaxItems`` cut the run short."""

    def __init__(self, client: "ServiceClient", operation_name: str, spec: PaginatorSpec,
                 params: dict[str, Any], config: dict[str, Any]) -> None:
        self._client = client
        self._operation = operation_name
        self._spec = spec
        self._params = params
        self._max_items = config.get("MaxItems")
        self._page_size = config.get("PageSize")
        self._starting_token = config.get("StartingToken")
        self.resume_token: str | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        spec = self._spec
        params = dict(self._params)
        if self._page_size is not None:
            if spec.limit_key is None:
                raise SimError(f"{self._operation} has no page size to set (PageSize)")
            params[spec.limit_key] = self._page_size
        skip = 0
        if self._starting_token is not None:
            token, skip = decode_token(self._starting_token)
            if token is not None:
                params[spec.input_token] = token
        primary = spec.result_keys[0]
        produced = 0
        previous_token: Any = params.get(spec.input_token)
        call = getattr(self._client, _method_name(self._operation))
        while True:
            page = call(**params)
            results = page.get(primary)
            if skip and isinstance(results, list):
                page = dict(page)
                for key in spec.result_keys:
                    if isinstance(page.get(key), list):
                        page[key] = page[key][skip:]
                results = page.get(primary)
            count = len(results) if isinstance(results, list) else 0
            next_token = page.get(spec.output_token)
            if self._max_items is not None and produced + count >= self._max_items:
                keep = self._max_items - produced
                if keep < count:
                    page = dict(page)
                    for key in spec.result_keys:
                        if isinstance(page.get(key), list):
                            page[key] = page[key][:keep]
                    # Resume inside this page: same input token, skip what was handed out.
                    self.resume_token = encode_token(params.get(spec.input_token), skip + keep)
                elif next_token:
                    self.resume_token = encode_token(next_token, 0)
                page.pop(spec.output_token, None)
                yield page
                return
            produced += count
            skip = 0
            yield page
            if not next_token:
                return
            if next_token == previous_token:
                raise SimError(
                    f"{self._operation} returned the same token twice ({next_token!r}): "
                    "the paginator would loop forever"
                )
            previous_token = next_token
            params[spec.input_token] = next_token

    def build_full_result(self) -> dict[str, Any]:
        """All pages merged: lists concatenated, numbers added, non-aggregate keys from the first
        page that has them; ``NextToken`` holds the resume token if ``MaxItems`` cut the run."""
        spec = self._spec
        result: dict[str, Any] = {}
        for page in self:
            for key in spec.result_keys:
                value = page.get(key)
                if value is None:
                    continue
                if isinstance(value, list):
                    result.setdefault(key, []).extend(value)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    result[key] = result.get(key, 0) + value
                elif key not in result:
                    result[key] = value
            for key in spec.non_aggregate_keys:
                if key in page and key not in result:
                    result[key] = page[key]
        if self.resume_token is not None:
            result["NextToken"] = self.resume_token
        return result

    def __repr__(self) -> str:
        return f"<PageIterator {self._operation}>"


def _method_name(operation_name: str) -> str:
    from .client import snake_case

    return snake_case(operation_name)
