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
    """How one operation pages (botocore's ``paginators-1.json`` entry for it).

    ``input_token`` / ``output_token`` are one member name or, for operations that page on
    several markers at once (S3 ``ListObjectVersions``), tuples of names paired in order. An
    output token may be a fallback expression such as ``"NextMarker || Contents[-1].Key"``.
    ``more_results`` names a boolean member (``IsTruncated``) that must be true to go on."""

    input_token: str | tuple[str, ...]
    output_token: str | tuple[str, ...]
    result_keys: tuple[str, ...]
    limit_key: str | None = None
    non_aggregate_keys: tuple[str, ...] = ()
    more_results: str | None = None

    @property
    def input_tokens(self) -> tuple[str, ...]:
        return (self.input_token,) if isinstance(self.input_token, str) else self.input_token

    @property
    def output_tokens(self) -> tuple[str, ...]:
        return (self.output_token,) if isinstance(self.output_token, str) else self.output_token


def _spec(inp: str | tuple[str, ...], out: str | tuple[str, ...], results: str | tuple[str, ...],
          limit: str | None = None, non_aggregate: tuple[str, ...] = (),
          more: str | None = None) -> PaginatorSpec:
    keys = (results,) if isinstance(results, str) else results
    return PaginatorSpec(inp, out, keys, limit, non_aggregate, more)


def _marker(results: str | tuple[str, ...], non_aggregate: tuple[str, ...] = ()) -> PaginatorSpec:
    """IAM's shape: ``Marker`` in and out, ``MaxItems`` limit, ``IsTruncated`` says more."""
    return _spec("Marker", "Marker", results, "MaxItems", non_aggregate, "IsTruncated")


def _position(non_aggregate: tuple[str, ...] = ()) -> PaginatorSpec:
    """API Gateway (REST)'s shape: ``position`` in and out, ``limit``, results in ``items``."""
    return _spec("position", "position", "items", "limit", non_aggregate)


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
    "sqs": {
        "ListQueues": _spec("NextToken", "NextToken", "QueueUrls", "MaxResults"),
        "ListDeadLetterSourceQueues": _spec("NextToken", "NextToken", "queueUrls", "MaxResults"),
    },
    "sns": {
        "ListTopics": _spec("NextToken", "NextToken", "Topics"),
        "ListSubscriptions": _spec("NextToken", "NextToken", "Subscriptions"),
        "ListSubscriptionsByTopic": _spec("NextToken", "NextToken", "Subscriptions"),
        "ListEndpointsByPlatformApplication": _spec("NextToken", "NextToken", "Endpoints"),
        "ListPlatformApplications": _spec("NextToken", "NextToken", "PlatformApplications"),
    },
    "s3": {
        "ListBuckets": _spec("ContinuationToken", "ContinuationToken", "Buckets", "MaxBuckets",
                             ("Owner", "Prefix")),
        "ListObjects": _spec("Marker", "NextMarker || Contents[-1].Key", ("Contents", "CommonPrefixes"),
                             "MaxKeys", ("RequestCharged", "Prefix"), "IsTruncated"),
        "ListObjectsV2": _spec("ContinuationToken", "NextContinuationToken", ("Contents", "CommonPrefixes"),
                               "MaxKeys", ("RequestCharged", "Prefix"), "IsTruncated"),
        "ListObjectVersions": _spec(("KeyMarker", "VersionIdMarker"), ("NextKeyMarker", "NextVersionIdMarker"),
                                    ("Versions", "DeleteMarkers", "CommonPrefixes"), "MaxKeys",
                                    ("RequestCharged", "Prefix"), "IsTruncated"),
        "ListMultipartUploads": _spec(("KeyMarker", "UploadIdMarker"), ("NextKeyMarker", "NextUploadIdMarker"),
                                      ("Uploads", "CommonPrefixes"), "MaxUploads",
                                      ("RequestCharged", "Prefix"), "IsTruncated"),
        "ListParts": _spec("PartNumberMarker", "NextPartNumberMarker", "Parts", "MaxParts",
                           ("ChecksumAlgorithm", "Initiator", "Owner", "StorageClass", "ChecksumType"),
                           "IsTruncated"),
    },
    "events": {
        "ListRules": _spec("NextToken", "NextToken", "Rules", "Limit"),
        "ListRuleNamesByTarget": _spec("NextToken", "NextToken", "RuleNames", "Limit"),
        "ListTargetsByRule": _spec("NextToken", "NextToken", "Targets", "Limit"),
    },
    "scheduler": {
        "ListSchedules": _spec("NextToken", "NextToken", "Schedules", "MaxResults"),
        "ListScheduleGroups": _spec("NextToken", "NextToken", "ScheduleGroups", "MaxResults"),
    },
    "apigateway": {
        "GetApiKeys": _position(),
        "GetAuthorizers": _position(),
        "GetBasePathMappings": _position(),
        "GetDeployments": _position(),
        "GetDomainNames": _position(),
        "GetModels": _position(),
        "GetResources": _position(),
        "GetRestApis": _position(),
        "GetUsage": _position(("usagePlanId", "startDate", "endDate")),
        "GetUsagePlanKeys": _position(),
        "GetUsagePlans": _position(),
    },
    "apigatewayv2": {
        "GetApis": _spec("NextToken", "NextToken", "Items", "MaxResults"),
        "GetAuthorizers": _spec("NextToken", "NextToken", "Items", "MaxResults"),
        "GetDeployments": _spec("NextToken", "NextToken", "Items", "MaxResults"),
        "GetIntegrations": _spec("NextToken", "NextToken", "Items", "MaxResults"),
        "GetRoutes": _spec("NextToken", "NextToken", "Items", "MaxResults"),
        "GetStages": _spec("NextToken", "NextToken", "Items", "MaxResults"),
    },
    "cognito-idp": {
        "ListUserPools": _spec("NextToken", "NextToken", "UserPools", "MaxResults"),
        "ListUserPoolClients": _spec("NextToken", "NextToken", "UserPoolClients", "MaxResults"),
        "ListUsers": _spec("PaginationToken", "PaginationToken", "Users", "Limit"),
        "ListGroups": _spec("NextToken", "NextToken", "Groups", "Limit"),
        "ListUsersInGroup": _spec("NextToken", "NextToken", "Users", "Limit"),
        "AdminListGroupsForUser": _spec("NextToken", "NextToken", "Groups", "Limit"),
    },
    "cognito-identity": {
        "ListIdentityPools": _spec("NextToken", "NextToken", "IdentityPools", "MaxResults"),
    },
    "iam": {
        "ListUsers": _marker("Users"),
        "ListRoles": _marker("Roles"),
        "ListGroups": _marker("Groups"),
        "ListGroupsForUser": _marker("Groups"),
        "GetGroup": _marker("Users", ("Group",)),
        "ListPolicies": _marker("Policies"),
        "ListPolicyVersions": _marker("Versions"),
        "ListAttachedRolePolicies": _marker("AttachedPolicies"),
        "ListAttachedUserPolicies": _marker("AttachedPolicies"),
        "ListAttachedGroupPolicies": _marker("AttachedPolicies"),
        "ListRolePolicies": _marker("PolicyNames"),
        "ListUserPolicies": _marker("PolicyNames"),
        "ListGroupPolicies": _marker("PolicyNames"),
        "ListRoleTags": _marker("Tags"),
        "ListUserTags": _marker("Tags"),
        "ListAccessKeys": _marker("AccessKeyMetadata"),
        "ListInstanceProfiles": _marker("InstanceProfiles"),
        "ListInstanceProfilesForRole": _marker("InstanceProfiles"),
        "SimulateCustomPolicy": _marker("EvaluationResults"),
        "SimulatePrincipalPolicy": _marker("EvaluationResults"),
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
            _inject_token(spec, params, token)
        primary = spec.result_keys[0]
        produced = 0
        previous_token: Any = _current_token(spec, params)
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
            # The next token comes from the page as the service sent it (before any cutting).
            next_token = _next_token(spec, page)
            if self._max_items is not None and produced + count >= self._max_items:
                keep = self._max_items - produced
                if keep < count:
                    page = dict(page)
                    for key in spec.result_keys:
                        if isinstance(page.get(key), list):
                            page[key] = page[key][:keep]
                    # Resume inside this page: same input token, skip what was handed out.
                    self.resume_token = encode_token(_current_token(spec, params), skip + keep)
                elif next_token is not None:
                    self.resume_token = encode_token(next_token, 0)
                page = dict(page)
                for name in _plain_output_members(spec):
                    page.pop(name, None)
                yield page
                return
            produced += count
            skip = 0
            yield page
            if next_token is None:
                return
            if next_token == previous_token:
                raise SimError(
                    f"{self._operation} returned the same token twice ({next_token!r}): "
                    "the paginator would loop forever"
                )
            previous_token = next_token
            _inject_token(spec, params, next_token)

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


# -- tokens in and out of requests -------------------------------------------------------
# A single-token operation's token is the member's value; a multi-token one's is a dict of
# input member -> value (botocore's shape), ``None`` for markers the page did not send.
def _current_token(spec: PaginatorSpec, params: dict[str, Any]) -> Any:
    if isinstance(spec.input_token, str):
        return params.get(spec.input_token)
    token = {name: params.get(name) for name in spec.input_tokens}
    return token if any(v is not None for v in token.values()) else None


def _inject_token(spec: PaginatorSpec, params: dict[str, Any], token: Any) -> None:
    if token is None:
        return
    if isinstance(spec.input_token, str):
        params[spec.input_token] = token
        return
    if not isinstance(token, dict):
        raise SimError("invalid StartingToken: not a token from this paginator")
    for name in spec.input_tokens:
        value = token.get(name)
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value


def _next_token(spec: PaginatorSpec, page: dict[str, Any]) -> Any:
    """The token for the page after ``page``, or ``None`` when it was the last one."""
    if spec.more_results is not None and not page.get(spec.more_results):
        return None
    values = [_token_expression(expr, page) for expr in spec.output_tokens]
    if all(v is None or v == "" for v in values):
        return None
    if isinstance(spec.input_token, str):
        return values[0]
    return dict(zip(spec.input_tokens, values))


def _token_expression(expression: str, page: dict[str, Any]) -> Any:
    """``A || B[-1].C``: the first alternative that has a (non-empty) value."""
    for alternative in expression.split("||"):
        value: Any = page
        for part in alternative.strip().split("."):
            index = None
            if part.endswith("]"):
                part, _, rest = part.partition("[")
                index = int(rest[:-1])
            value = value.get(part) if isinstance(value, dict) else None
            if index is not None:
                value = value[index] if isinstance(value, list) and value else None
            if value is None:
                break
        if value not in (None, ""):
            return value
    return None


def _plain_output_members(spec: PaginatorSpec) -> list[str]:
    """Response members that carry tokens (dropped from the page a ``MaxItems`` cut ends)."""
    names = []
    for expression in spec.output_tokens:
        for alternative in expression.split("||"):
            alternative = alternative.strip()
            if alternative.isidentifier():
                names.append(alternative)
    return names


def _method_name(operation_name: str) -> str:
    from .client import snake_case

    return snake_case(operation_name)
