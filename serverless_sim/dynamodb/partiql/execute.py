"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction over DynamoDB's wire operations.

Each function takes ``call(operation, request) -> response``, which performs DynamoDB's
ordinary wire operations (DescribeTable, GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan,
TransactGetItems, TransactWriteItems) with boto3-client-shaped dicts and raises the errors of
:mod:`serverless_sim.dynamodb.errors`. ``call`` is the only coupling to the engine.

Modelled AWS behaviour:

- ExecuteStatement (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html):
  reads answer ``Items`` and, while more may follow, ``NextToken``; ``Limit`` counts items
  *evaluated* (a page may be empty and still carry a token). The token is ours: base64 of JSON
  holding a digest of the statement and parameters, which partition-key read it is on, and
  that read's LastEvaluatedKey. It is deterministic. Writes answer ``Items: []``, or the item
  asked for with RETURNING. INSERT of an existing key raises DuplicateItemException.
- BatchExecuteStatement (API_BatchExecuteStatement.html): 1 to 25 statements, all reads or all
  writes ("Read and write requests together in the same batch is not supported."), each run on
  its own; a failing statement gets ``{"Error": {"Code", "Message"[, "Item"]}}`` in its place
  (codes from BatchStatementErrorCodeEnum, e.g. ConditionalCheckFailed, DuplicateItem,
  ValidationError). Reads must name one item by its full key.
- ExecuteTransaction (API_ExecuteTransaction.html): 1 to 100 statements, all SELECTs (one
  TransactGetItems) or all writes and EXISTS checks (one TransactWriteItems, with
  ClientRequestToken). Read responses are ``{"Item": ...}`` per statement, ``{}`` for a missing
  item. A cancelled INSERT reports ``DuplicateItem`` as its cancellation reason.

Known deviations: ConsumedCapacity is the sum of the underlying calls' figures; a Query per
partition-key value is a separate read (AWS may combine them).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Callable, Sequence

from ..errors import (
    ConditionalCheckFailedException,
    DuplicateItemException,
    DynamoDBError,
    TransactionCanceledException,
    ValidationException,
)
from . import ast
from .evaluate import matches, project
from .lexer import tokenize
from .parser import parse
from .translate import (
    KeyReadPlan,
    ReadPlan,
    TableInfo,
    WritePlan,
    plan_key_read,
    plan_select,
    plan_write,
    table_info,
)
from .values import AttributeValue

Call = Callable[[str, dict[str, Any]], dict[str, Any]]

MAX_STATEMENT_LENGTH = 8192
MAX_BATCH = 25
MAX_TRANSACTION = 100

PARAMETER_MISMATCH = "Number of parameters in request and statement don't match."
BATCH_MIXED = "Read and write requests together in the same batch is not supported."
TRANSACTION_MIXED = (
    "ExecuteTransaction API does not support both read and write operations in the same request."
)
BATCH_READ_NOT_SINGLE = "Only single item select is supported"
TRANSACTION_READ_KEY = (
    "Select statements within ExecuteTransaction must specify the primary key in the where clause."
)
EXISTS_ONLY_IN_TRANSACTIONS = "EXISTS can only be used in ExecuteTransaction write requests."
RETURNING_IN_TRANSACTION = "RETURNING is not supported in ExecuteTransaction write requests."

#: Error class code -> BatchStatementErrorCodeEnum.
_BATCH_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ValidationException": "ValidationError",
    "ResourceNotFoundException": "ResourceNotFound",
    "ProvisionedThroughputExceededException": "ProvisionedThroughputExceeded",
    "TransactionConflictException": "TransactionConflict",
    "RequestLimitExceeded": "RequestLimitExceeded",
    "ThrottlingException": "ThrottlingError",
    "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceeded",
    "InternalServerError": "InternalServerError",
    "AccessDeniedException": "AccessDenied",
}


# --- shared helpers ---------------------------------------------------------------------------


def _constraint(value: str, member: str, constraint: str) -> ValidationException:
    return ValidationException(
        f"1 validation error detected: Value {value} at '{member}' failed to satisfy constraint: "
        f"{constraint}"
    )


class _Schemas:
    """DescribeTable, once per table per request."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.cache: dict[str, TableInfo] = {}

    def __call__(self, table: str) -> TableInfo:
        info = self.cache.get(table)
        if info is None:
            info = table_info(self.call("DescribeTable", {"TableName": table})["Table"])
            self.cache[table] = info
        return info


def _statement_text(text: Any, member: str) -> str:
    if not isinstance(text, str):
        raise ValidationException(f"1 validation error detected: Value null at '{member}' failed "
                                  "to satisfy constraint: Member must not be null")
    if len(text) < 1:
        raise _constraint("''", member, "Member must have length greater than or equal to 1")
    if len(text) > MAX_STATEMENT_LENGTH:
        raise _constraint("'...'", member, "Member must have length less than or equal to 8192")
    return text


def _parameters(params: Any, member: str) -> list[AttributeValue]:
    if params is None:
        return []
    if not isinstance(params, list):
        raise ValidationException(f"Parameters must be a list, at '{member}'")
    if not params:
        raise _constraint("'[]'", member, "Member must have length greater than or equal to 1")
    return params


def _parse(text: str, params: Sequence[AttributeValue]) -> ast.Statement:
    stmt = parse(text)
    wanted = sum(1 for t in tokenize(text) if t.kind == "param")
    if wanted != len(params):
        raise ValidationException(PARAMETER_MISMATCH)
    return stmt


def _add_capacity(total: list[dict[str, Any]], response: dict[str, Any]) -> None:
    cc = response.get("ConsumedCapacity")
    if not cc:
        return
    for entry in cc if isinstance(cc, list) else [cc]:
        for existing in total:
            if existing.get("TableName") == entry.get("TableName"):
                for k, v in entry.items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        existing[k] = existing.get(k, 0) + v
                break
        else:
            total.append({k: v for k, v in entry.items() if not isinstance(v, dict)})


def _with_capacity(response: dict[str, Any], total: list[dict[str, Any]], single: bool) -> dict[str, Any]:
    if total:
        response["ConsumedCapacity"] = total[0] if single else total
    return response


# --- NextToken ----------------------------------------------------------------------------------


def _encode_value(v: AttributeValue) -> list[str]:
    kind = next(iter(v))
    raw = v[kind]
    if kind == "B":
        return [kind, base64.b64encode(bytes(raw)).decode("ascii")]
    return [kind, raw]


def _decode_value(v: list[str]) -> AttributeValue:
    kind, raw = v
    if kind == "B":
        return {"B": base64.b64decode(raw.encode("ascii"), validate=True)}
    if kind not in ("S", "N"):
        raise ValueError(kind)
    return {kind: raw}


def _digest(statement: str, params: Sequence[AttributeValue]) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, (bytes, bytearray)):
            return {"__b64": base64.b64encode(bytes(o)).decode("ascii")}
        if isinstance(o, (set, frozenset)):
            return sorted(o, key=repr)
        return repr(o)

    blob = json.dumps([statement, list(params)], sort_keys=True, default=default)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def encode_token(digest: str, index: int, key: dict[str, AttributeValue] | None) -> str:
    """The NextToken for resuming at read ``index`` after ``key`` (deterministic)."""
    body = {"h": digest, "i": index}
    if key is not None:
        body["k"] = {name: _encode_value(v) for name, v in sorted(key.items())}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode_token(token: Any, digest: str) -> tuple[int, dict[str, AttributeValue] | None]:
    """(read index, ExclusiveStartKey) from a NextToken made by :func:`encode_token`."""
    try:
        if not isinstance(token, str) or not token:
            raise ValueError
        body = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
        index = body["i"]
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise ValueError
        key = body.get("k")
        start = None if key is None else {n: _decode_value(v) for n, v in key.items()}
        h = body["h"]
    except Exception:
        raise ValidationException("Invalid NextToken") from None
    if h != digest:
        raise ValidationException("NextToken does not match request")
    return index, start


# --- ExecuteStatement ---------------------------------------------------------------------------


def execute_statement(call: Call, request: dict[str, Any]) -> dict[str, Any]:
    """ExecuteStatement: one PartiQL statement, run as DynamoDB item operations.

    Request: Statement, Parameters, ConsistentRead, NextToken, Limit, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure. Response: ``Items`` (and ``NextToken``,
    ``ConsumedCapacity``). https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
    """
    text = _statement_text(request.get("Statement"), "statement")
    params = _parameters(request.get("Parameters"), "parameters")
    limit = request.get("Limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise _constraint(f"'{limit}'", "limit", "Member must have value greater than or equal to 1")
    token = request.get("NextToken")
    if token is not None and (not isinstance(token, str) or not 1 <= len(token) <= 32768):
        raise ValidationException("Invalid NextToken")
    stmt = _parse(text, params)
    schemas = _Schemas(call)
    rcc = request.get("ReturnConsumedCapacity")
    if isinstance(stmt, ast.Exists):
        raise ValidationException(EXISTS_ONLY_IN_TRANSACTIONS)
    if isinstance(stmt, ast.Select):
        plan = plan_select(
            stmt, params, schemas,
            consistent_read=request.get("ConsistentRead"), return_consumed_capacity=rcc,
        )
        return _run_read(call, plan, params, _digest(text, params), limit, token)
    wplan = plan_write(stmt, params, schemas)
    wreq = dict(wplan.request)
    rv = request.get("ReturnValuesOnConditionCheckFailure")
    if rv is not None:
        wreq["ReturnValuesOnConditionCheckFailure"] = rv
    if rcc is not None:
        wreq["ReturnConsumedCapacity"] = rcc
    resp = _run_write(call, wplan, wreq)
    items = [resp["Attributes"]] if resp.get("Attributes") else []
    total: list[dict[str, Any]] = []
    _add_capacity(total, resp)
    return _with_capacity({"Items": items}, total, single=True)


def _run_read(
    call: Call, plan: ReadPlan, params: Sequence[AttributeValue], digest: str,
    limit: int | None, token: str | None,
) -> dict[str, Any]:
    total: list[dict[str, Any]] = []
    if plan.operation == "GetItem":
        if token is not None:
            decode_token(token, digest)
            return {"Items": []}
        resp = call("GetItem", dict(plan.requests[0]))
        _add_capacity(total, resp)
        item = resp.get("Item")
        found = [project(item, plan.projection)] if item is not None else []
        return _with_capacity({"Items": found}, total, single=True)

    index, start = (0, None) if token is None else decode_token(token, digest)
    remaining = limit
    items: list[dict[str, AttributeValue]] = []
    next_token: str | None = None
    while index < len(plan.requests):
        req = dict(plan.requests[index])
        if start is not None:
            req["ExclusiveStartKey"] = start
        if remaining is not None:
            req["Limit"] = remaining
        resp = call(plan.operation, req)
        _add_capacity(total, resp)
        page = resp.get("Items", [])
        for item in page:
            if plan.post_filter is None or matches(plan.post_filter, item, params):
                items.append(project(item, plan.projection))
        if remaining is not None:
            remaining -= resp.get("ScannedCount", len(page))
        last = resp.get("LastEvaluatedKey")
        if last:
            next_token = encode_token(digest, index, last)
            break
        index, start = index + 1, None
        if remaining is not None and remaining <= 0:
            if index < len(plan.requests):
                next_token = encode_token(digest, index, None)
            break
    out: dict[str, Any] = {"Items": items}
    if next_token is not None:
        out["NextToken"] = next_token
    return _with_capacity(out, total, single=len(total) == 1)


def _run_write(call: Call, plan: WritePlan, request: dict[str, Any]) -> dict[str, Any]:
    try:
        return call(plan.operation, request)
    except ConditionalCheckFailedException as e:
        if plan.kind != "insert":
            raise
        extra = {"Item": e.extra["Item"]} if "Item" in e.extra else {}
        raise DuplicateItemException(**extra) from None


# --- BatchExecuteStatement ----------------------------------------------------------------------


def _error_entry(e: DynamoDBError, table: str | None) -> dict[str, Any]:
    error: dict[str, Any] = {"Code": _BATCH_CODES.get(e.code, e.code.removesuffix("Exception")),
                             "Message": e.message}
    if "Item" in e.extra:
        error["Item"] = e.extra["Item"]
    entry: dict[str, Any] = {"Error": error}
    if table is not None:
        entry["TableName"] = table
    return entry


def batch_execute_statement(call: Call, request: dict[str, Any]) -> dict[str, Any]:
    """BatchExecuteStatement: up to 25 reads or writes, each with its own result or error.

    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
    """
    statements = request.get("Statements")
    if not isinstance(statements, list) or not statements:
        raise _constraint("'[]'", "statements", "Member must have length greater than or equal to 1")
    if len(statements) > MAX_BATCH:
        raise _constraint("'[...]'", "statements", "Member must have length less than or equal to 25")
    rcc = request.get("ReturnConsumedCapacity")
    parsed: list[tuple[ast.Statement, list[AttributeValue], dict[str, Any]] | DynamoDBError] = []
    kinds: set[bool] = set()
    for i, entry in enumerate(statements):
        if not isinstance(entry, dict):
            raise ValidationException("The statement was empty.")
        text = entry.get("Statement")
        if not isinstance(text, str) or not text:
            raise ValidationException("The statement was empty.")
        _statement_text(text, f"statements.{i + 1}.member.statement")
        try:
            params = _parameters(entry.get("Parameters"), f"statements.{i + 1}.member.parameters")
            stmt = _parse(text, params)
            if isinstance(stmt, ast.Exists):
                raise ValidationException(EXISTS_ONLY_IN_TRANSACTIONS)
        except ValidationException as e:
            parsed.append(e)
            continue
        kinds.add(ast.is_read(stmt))
        parsed.append((stmt, params, entry))
    if len(kinds) > 1:
        raise ValidationException(BATCH_MIXED)

    schemas = _Schemas(call)
    total: list[dict[str, Any]] = []
    planned: list[Any] = []
    seen_keys: set[tuple[str, str]] = set()
    for p in parsed:
        if isinstance(p, DynamoDBError):
            planned.append(p)
            continue
        stmt, params, entry = p
        table = getattr(stmt, "table", None)
        try:
            if isinstance(stmt, ast.Select):
                if stmt.index is not None:
                    raise ValidationException(BATCH_READ_NOT_SINGLE)
                planned.append(plan_key_read(
                    stmt, params, schemas, message=BATCH_READ_NOT_SINGLE,
                    consistent_read=entry.get("ConsistentRead"),
                ))
                continue
            wplan = plan_write(stmt, params, schemas)  # type: ignore[arg-type]
            key = wplan.request.get("Key") or _item_key(wplan, schemas)
        except DynamoDBError as e:
            planned.append(_WithTable(e, table))
            continue
        ident = (wplan.table, json.dumps({k: _encode_value(v) for k, v in key.items()}, sort_keys=True))
        if ident in seen_keys:  # BatchWriteItem's rule, checked before anything runs
            raise ValidationException("Provided list of item keys contains duplicates")
        seen_keys.add(ident)
        planned.append((wplan, entry))

    responses: list[dict[str, Any]] = []
    for item in planned:
        if isinstance(item, _WithTable):
            responses.append(_error_entry(item.error, item.table))
        elif isinstance(item, DynamoDBError):
            responses.append(_error_entry(item, None))
        elif isinstance(item, KeyReadPlan):
            req = dict(item.request)
            if rcc is not None:
                req["ReturnConsumedCapacity"] = rcc
            try:
                resp = call("GetItem", req)
            except DynamoDBError as e:
                responses.append(_error_entry(e, item.table))
                continue
            _add_capacity(total, resp)
            out: dict[str, Any] = {"TableName": item.table}
            got = resp.get("Item")
            if got is not None and matches(item.post_filter, got, item.params):
                out["Item"] = project(got, item.projection)
            responses.append(out)
        else:
            wplan, entry = item
            req = dict(wplan.request)
            rv = entry.get("ReturnValuesOnConditionCheckFailure")
            if rv is not None:
                req["ReturnValuesOnConditionCheckFailure"] = rv
            if rcc is not None:
                req["ReturnConsumedCapacity"] = rcc
            try:
                resp = _run_write(call, wplan, req)
            except DynamoDBError as e:
                responses.append(_error_entry(e, wplan.table))
                continue
            _add_capacity(total, resp)
            out = {"TableName": wplan.table}
            if resp.get("Attributes"):
                out["Item"] = resp["Attributes"]
            responses.append(out)
    return _with_capacity({"Responses": responses}, total, single=False)


class _WithTable:
    def __init__(self, error: DynamoDBError, table: str | None) -> None:
        self.error = error
        self.table = table


def _item_key(plan: WritePlan, schemas: _Schemas) -> dict[str, AttributeValue]:
    info = schemas(plan.table)
    item = plan.request["Item"]
    return {n: item[n] for n in info.key.names}


# --- ExecuteTransaction -------------------------------------------------------------------------


def execute_transaction(call: Call, request: dict[str, Any]) -> dict[str, Any]:
    """ExecuteTransaction: all reads (TransactGetItems) or all writes (TransactWriteItems).

    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
    """
    statements = request.get("TransactStatements")
    if not isinstance(statements, list) or not statements:
        raise _constraint("'[]'", "transactStatements", "Member must have length greater than or equal to 1")
    if len(statements) > MAX_TRANSACTION:
        raise _constraint("'[...]'", "transactStatements", "Member must have length less than or equal to 100")
    rcc = request.get("ReturnConsumedCapacity")
    parsed: list[tuple[ast.Statement, list[AttributeValue], dict[str, Any]]] = []
    for i, entry in enumerate(statements):
        if not isinstance(entry, dict) or not entry.get("Statement"):
            raise ValidationException("ExecutePartiQLTransaction can not have empty statement.")
        text = _statement_text(entry["Statement"], f"transactStatements.{i + 1}.member.statement")
        params = _parameters(entry.get("Parameters"), f"transactStatements.{i + 1}.member.parameters")
        parsed.append((_parse(text, params), params, entry))
    reads = {ast.is_read(s) for s, _, _ in parsed}
    if len(reads) > 1:
        raise ValidationException(TRANSACTION_MIXED)
    schemas = _Schemas(call)
    total: list[dict[str, Any]] = []

    if reads == {True}:
        plans = [
            plan_key_read(s, p, schemas, message=TRANSACTION_READ_KEY)  # type: ignore[arg-type]
            for s, p, _ in parsed
        ]
        treq: dict[str, Any] = {"TransactItems": [{"Get": dict(pl.request)} for pl in plans]}
        if rcc is not None:
            treq["ReturnConsumedCapacity"] = rcc
        resp = call("TransactGetItems", treq)
        _add_capacity(total, resp)
        responses: list[dict[str, Any]] = []
        for (_, params, _), pl, r in zip(parsed, plans, resp.get("Responses", [])):
            got = r.get("Item") if r else None
            if got is None or not matches(pl.post_filter, got, params):
                responses.append({})
            else:
                responses.append({"Item": project(got, pl.projection)})
        return _with_capacity({"Responses": responses}, total, single=False)

    wplans: list[WritePlan] = []
    items = []
    for stmt, params, entry in parsed:
        if getattr(stmt, "returning", None):
            raise ValidationException(RETURNING_IN_TRANSACTION)
        wplan = plan_write(stmt, params, schemas)  # type: ignore[arg-type]
        body = dict(wplan.request)
        rv = entry.get("ReturnValuesOnConditionCheckFailure")
        if rv is not None:
            body["ReturnValuesOnConditionCheckFailure"] = rv
        wplans.append(wplan)
        items.append({_TRANSACT_KIND[wplan.operation]: body})
    twreq: dict[str, Any] = {"TransactItems": items}
    if request.get("ClientRequestToken") is not None:
        twreq["ClientRequestToken"] = request["ClientRequestToken"]
    if rcc is not None:
        twreq["ReturnConsumedCapacity"] = rcc
    try:
        resp = call("TransactWriteItems", twreq)
    except TransactionCanceledException as e:
        reasons = e.extra.get("CancellationReasons")
        if not isinstance(reasons, list):
            raise
        remapped = []
        for plan, reason in zip(wplans, reasons):
            if plan.kind == "insert" and reason.get("Code") == "ConditionalCheckFailed":
                reason = dict(reason, Code="DuplicateItem",
                              Message=DuplicateItemException.default_message)
            remapped.append(reason)
        remapped.extend(reasons[len(remapped):])
        extra = {k: v for k, v in e.extra.items() if k != "CancellationReasons"}
        err = TransactionCanceledException.from_reasons(remapped)
        err.extra.update(extra)
        raise err from None
    _add_capacity(total, resp)
    return _with_capacity({}, total, single=False)


_TRANSACT_KIND = {
    "PutItem": "Put",
    "UpdateItem": "Update",
    "DeleteItem": "Delete",
    "ConditionCheck": "ConditionCheck",
}
