"""The DynamoDB resource layer: ``resource(cloud, "dynamodb").Table("orders")``.

Works like boto3's ``boto3.resource("dynamodb")``, over the Cloud's generated client (no boto3
needed): items are plain Python values with boto3's conventions (numbers are ``Decimal``, sets
are ``set``, binaries :class:`~serverless_sim.adapters.dynamodb_types.Binary`; see
:mod:`.dynamodb_types`), and ``KeyConditionExpression`` / ``ConditionExpression`` /
``FilterExpression`` accept the builders of :mod:`.conditions` (or boto3's) as well as strings.

What the resource layer converts, in each request and response:

- request: ``Item``, ``Key``, ``ExclusiveStartKey``, ``ExpressionAttributeValues``, the legacy
  ``Expected`` / ``AttributeUpdates`` / ``KeyConditions`` / ``QueryFilter`` / ``ScanFilter``, and
  the items and keys of ``BatchWriteItem`` / ``BatchGetItem``;
- response: ``Item``, ``Items``, ``Attributes``, ``LastEvaluatedKey``, ``ItemCollectionMetrics``,
  and ``Responses`` / ``UnprocessedKeys`` / ``UnprocessedItems`` of the batch operations.

Everything else passes through unchanged. Errors are the client's (``AWSError`` subclasses with
botocore's ``.response`` shape).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Iterator

from ..kernel.errors import SimError
from .conditions import ExpressionBuilder, is_condition
from .dynamodb_types import deserialize, serialize

if TYPE_CHECKING:
    from ..cloud import Cloud

__all__ = ["BatchWriter", "DynamoDBResource", "DynamoDBTable", "Table", "resource"]


def resource(cloud: "Cloud", service_name: str, **_ignored: Any) -> "DynamoDBResource":
    """The resource interface of ``service_name`` (only ``"dynamodb"`` has one here)."""
    if service_name != "dynamodb":
        raise SimError(f"no resource interface for {service_name!r} (only 'dynamodb')")
    return DynamoDBResource(cloud.client("dynamodb"))


# -- request / response conversion --------------------------------------------------------
def _item(item: Any) -> Any:
    return {k: serialize(v) for k, v in item.items()} if isinstance(item, dict) else item


def _from_item(item: Any) -> Any:
    return {k: deserialize(v) for k, v in item.items()} if isinstance(item, dict) else item


def _values_list(conditions: Any) -> Any:
    """Legacy ``{name: {"AttributeValueList": [...], "Value": v}}`` maps."""
    if not isinstance(conditions, dict):
        return conditions
    out = {}
    for name, cond in conditions.items():
        cond = dict(cond)
        if "Value" in cond:
            cond["Value"] = serialize(cond["Value"])
        if "AttributeValueList" in cond:
            cond["AttributeValueList"] = [serialize(v) for v in cond["AttributeValueList"]]
        out[name] = cond
    return out


_EXPRESSIONS = (
    ("KeyConditionExpression", True),
    ("ConditionExpression", False),
    ("FilterExpression", False),
)


def to_request(params: dict[str, Any]) -> dict[str, Any]:
    """Python-typed resource parameters -> the client's (wire-shaped) parameters."""
    out = dict(params)
    builder: ExpressionBuilder | None = None
    for member, is_key in _EXPRESSIONS:
        cond = out.get(member)
        if cond is not None and is_condition(cond):
            if builder is None:
                builder = ExpressionBuilder()
            out[member] = builder.build(cond, key_condition=is_key)
    if builder is not None:
        if builder.names:
            out["ExpressionAttributeNames"] = {**builder.names, **(out.get("ExpressionAttributeNames") or {})}
        if builder.values:
            out["ExpressionAttributeValues"] = {**builder.values, **(out.get("ExpressionAttributeValues") or {})}
    for member in ("Item", "Key", "ExclusiveStartKey"):
        if member in out:
            out[member] = _item(out[member])
    if "ExpressionAttributeValues" in out and isinstance(out["ExpressionAttributeValues"], dict):
        out["ExpressionAttributeValues"] = _item(out["ExpressionAttributeValues"])
    for member in ("Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter"):
        if member in out:
            out[member] = _values_list(out[member])
    requests = out.get("RequestItems")
    if isinstance(requests, dict):
        converted: dict[str, Any] = {}
        for table, entry in requests.items():
            if isinstance(entry, list):  # BatchWriteItem
                writes = []
                for w in entry:
                    w = dict(w)
                    if "PutRequest" in w:
                        w["PutRequest"] = {**w["PutRequest"], "Item": _item(w["PutRequest"].get("Item"))}
                    if "DeleteRequest" in w:
                        w["DeleteRequest"] = {**w["DeleteRequest"], "Key": _item(w["DeleteRequest"].get("Key"))}
                    writes.append(w)
                converted[table] = writes
            elif isinstance(entry, dict):  # BatchGetItem
                entry = dict(entry)
                if "Keys" in entry:
                    entry["Keys"] = [_item(k) for k in entry["Keys"]]
                converted[table] = entry
            else:
                converted[table] = entry
        out["RequestItems"] = converted
    return out


def from_response(response: dict[str, Any]) -> dict[str, Any]:
    """The client's response -> Python-typed values (in place; returns it)."""
    for member in ("Item", "Attributes", "LastEvaluatedKey"):
        if member in response:
            response[member] = _from_item(response[member])
    if "Items" in response:
        response["Items"] = [_from_item(i) for i in response["Items"]]
    metrics = response.get("ItemCollectionMetrics")
    if isinstance(metrics, dict) and "ItemCollectionKey" in metrics:
        metrics["ItemCollectionKey"] = _from_item(metrics["ItemCollectionKey"])
    if isinstance(response.get("Responses"), dict):
        response["Responses"] = {t: [_from_item(i) for i in items] for t, items in response["Responses"].items()}
    unprocessed = response.get("UnprocessedKeys")
    if isinstance(unprocessed, dict):
        for entry in unprocessed.values():
            if "Keys" in entry:
                entry["Keys"] = [_from_item(k) for k in entry["Keys"]]
    unprocessed = response.get("UnprocessedItems")
    if isinstance(unprocessed, dict):
        for writes in unprocessed.values():
            for w in writes:
                if "PutRequest" in w:
                    w["PutRequest"]["Item"] = _from_item(w["PutRequest"]["Item"])
                if "DeleteRequest" in w:
                    w["DeleteRequest"]["Key"] = _from_item(w["DeleteRequest"]["Key"])
    return response


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


#: Table attributes (boto3's snake_case names) -> DescribeTable members.
_TABLE_ATTRIBUTES = {
    _snake(m): m
    for m in (
        "ArchivalSummary AttributeDefinitions BillingModeSummary CreationDateTime "
        "DeletionProtectionEnabled GlobalSecondaryIndexes GlobalTableVersion ItemCount KeySchema "
        "LatestStreamArn LatestStreamLabel LocalSecondaryIndexes OnDemandThroughput "
        "ProvisionedThroughput Replicas RestoreSummary SSEDescription StreamSpecification "
        "TableArn TableClassSummary TableId TableName TableSizeBytes TableStatus "
        "WarmThroughput MultiRegionConsistency"
    ).split()
}
_TABLE_ATTRIBUTES["sse_description"] = "SSEDescription"


class DynamoDBResource:
    """``resource(cloud, "dynamodb")``: tables and the batch operations, Python-typed."""

    def __init__(self, client: Any) -> None:
        self.meta = SimpleNamespace(client=client, service_name="dynamodb")
        self.tables = _TableCollection(self)

    def Table(self, name: str) -> "DynamoDBTable":  # noqa: N802 - boto3's name
        """A handle on table ``name`` (no call is made until it is used)."""
        return DynamoDBTable(self, name)

    def create_table(self, **kwargs: Any) -> "DynamoDBTable":
        """CreateTable; returns the new table's handle (loaded with the response)."""
        response = self.meta.client.create_table(**kwargs)
        table = DynamoDBTable(self, kwargs["TableName"])
        table._data = response["TableDescription"]
        return table

    def batch_get_item(self, **kwargs: Any) -> dict[str, Any]:
        return from_response(self.meta.client.batch_get_item(**to_request(kwargs)))

    def batch_write_item(self, **kwargs: Any) -> dict[str, Any]:
        return from_response(self.meta.client.batch_write_item(**to_request(kwargs)))

    def __repr__(self) -> str:
        return "dynamodb.ServiceResource()"


class _TableCollection:
    """``resource.tables.all()`` / ``.limit(n)`` / ``.page_size(n)``: Table handles, lazily."""

    def __init__(self, resource: DynamoDBResource, limit: int | None = None, page_size: int | None = None) -> None:
        self._resource = resource
        self._limit = limit
        self._page_size = page_size

    def all(self) -> "_TableCollection":
        return _TableCollection(self._resource, self._limit, self._page_size)

    def limit(self, count: int) -> "_TableCollection":
        return _TableCollection(self._resource, count, self._page_size)

    def page_size(self, count: int) -> "_TableCollection":
        return _TableCollection(self._resource, self._limit, count)

    def __iter__(self) -> Iterator["Table"]:
        config = {"PageSize": self._page_size} if self._page_size else {}
        pages = self._resource.meta.client.get_paginator("list_tables").paginate(PaginationConfig=config)
        produced = 0
        for page in pages:
            for name in page["TableNames"]:
                if self._limit is not None and produced >= self._limit:
                    return
                produced += 1
                yield DynamoDBTable(self._resource, name)


class DynamoDBTable:
    """A DynamoDB table with Python-typed items (boto3's ``dynamodb.Table``).

    Attributes (``table_status``, ``item_count``, ``key_schema``...) come from DescribeTable,
    loaded on first access and cached until :meth:`load` / :meth:`reload`.
    """

    def __init__(self, resource: DynamoDBResource, name: str) -> None:
        self._resource = resource
        self.name = name
        self.table_name = name
        self.meta = SimpleNamespace(client=resource.meta.client, data=None)
        self._data: dict[str, Any] | None = None

    # -- attributes -----------------------------------------------------------------------
    def load(self) -> None:
        """DescribeTable into the cached attributes."""
        self._data = self.meta.client.describe_table(TableName=self.name)["Table"]
        self.meta.data = self._data

    reload = load

    def __getattr__(self, attr: str) -> Any:
        member = _TABLE_ATTRIBUTES.get(attr)
        if member is None:
            raise AttributeError(f"'dynamodb.Table' object has no attribute {attr!r}")
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data.get(member)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynamoDBTable) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("dynamodb.Table", self.name))

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"

    # -- operations -----------------------------------------------------------------------
    def _call(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        request = to_request({"TableName": self.name, **kwargs})
        return from_response(getattr(self.meta.client, method)(**request))

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("put_item", kwargs)

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_item", kwargs)

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("update_item", kwargs)

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("delete_item", kwargs)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("query", kwargs)

    def scan(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("scan", kwargs)

    def update(self, **kwargs: Any) -> "DynamoDBTable":
        """UpdateTable; refreshes the cached attributes from the response."""
        response = self.meta.client.update_table(TableName=self.name, **kwargs)
        self._data = self.meta.data = response["TableDescription"]
        return self

    def delete(self) -> dict[str, Any]:
        result: dict[str, Any] = self.meta.client.delete_table(TableName=self.name)
        return result

    def wait_until_exists(self, **kwargs: Any) -> None:
        """The ``table_exists`` waiter (advances the virtual clock), then reloads."""
        self.meta.client.get_waiter("table_exists").wait(TableName=self.name, **kwargs)
        self.load()

    def wait_until_not_exists(self, **kwargs: Any) -> None:
        self.meta.client.get_waiter("table_not_exists").wait(TableName=self.name, **kwargs)

    def batch_writer(self, overwrite_by_pkeys: list[str] | None = None) -> "BatchWriter":
        """Buffers put_item / delete_item into BatchWriteItem calls of 25, resending what comes
        back unprocessed; ``overwrite_by_pkeys`` keeps only the last write per key in the
        buffer (BatchWriteItem refuses two writes of one key)."""
        return BatchWriter(self.name, self.meta.client, overwrite_by_pkeys=overwrite_by_pkeys)


class BatchWriter:
    """Context manager buffering writes to one table (boto3's ``batch_writer``)."""

    #: BatchWriteItem takes at most 25 writes.
    FLUSH_AMOUNT = 25

    def __init__(self, table_name: str, client: Any, flush_amount: int = FLUSH_AMOUNT,
                 overwrite_by_pkeys: list[str] | None = None) -> None:
        self._table_name = table_name
        self._client = client
        self._flush_amount = flush_amount
        self._pkeys = overwrite_by_pkeys
        self._buffer: list[dict[str, Any]] = []

    def put_item(self, Item: dict[str, Any]) -> None:  # noqa: N803 - boto3's name
        self._add({"PutRequest": {"Item": Item}})

    def delete_item(self, Key: dict[str, Any]) -> None:  # noqa: N803
        self._add({"DeleteRequest": {"Key": Key}})

    def _key_of(self, request: dict[str, Any]) -> tuple[Any, ...]:
        body = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key")
        assert self._pkeys is not None and body is not None
        return tuple(repr(serialize(body[k])) for k in self._pkeys)

    def _add(self, request: dict[str, Any]) -> None:
        if self._pkeys:
            key = self._key_of(request)
            self._buffer = [r for r in self._buffer if self._key_of(r) != key]
        self._buffer.append(request)
        if len(self._buffer) >= self._flush_amount:
            self._flush()

    def _flush(self) -> None:
        batch, self._buffer = self._buffer[: self._flush_amount], self._buffer[self._flush_amount :]
        request = to_request({"RequestItems": {self._table_name: batch}})
        response = self._client.batch_write_item(**request)
        unprocessed = response.get("UnprocessedItems", {}).get(self._table_name)
        if unprocessed:
            self._buffer.extend(from_response({"UnprocessedItems": {self._table_name: unprocessed}})
                                ["UnprocessedItems"][self._table_name])

    def __enter__(self) -> "BatchWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        while self._buffer:
            self._flush()


#: boto3's name for the table resource.
Table = DynamoDBTable
