"""ExecuteStatement / BatchExecuteStatement / ExecuteTransaction against a fake ``call``.

The fake is a small dict-backed stand-in for the engine's wire operations. It understands only
the expression shapes the translator emits (key conditions, ``attribute_exists`` /
``attribute_not_exists`` conditions, ``SET #a = :v`` updates) and records every request, so the
tests check both the control flow and the requests sent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from serverless_sim.dynamodb.errors import (
    ConditionalCheckFailedException,
    DuplicateItemException,
    ResourceNotFoundException,
    TransactionCanceledException,
    ValidationException,
)
from serverless_sim.dynamodb.partiql import (
    batch_execute_statement,
    execute_statement,
    execute_transaction,
)

# --- the fake engine -----------------------------------------------------------------------------


def _order(v):
    kind, raw = next(iter(v.items()))
    return Decimal(raw) if kind == "N" else raw


class FakeDynamoDB:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_extra_conditions = False  # raise CCF when a condition has more than the key check

    def create(self, name, hash_key, range_key=None, types=None):
        types = types or {}
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        defs = [{"AttributeName": hash_key, "AttributeType": types.get(hash_key, "S")}]
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
            defs.append({"AttributeName": range_key, "AttributeType": types.get(range_key, "S")})
        self.tables[name] = {
            "desc": {"TableName": name, "KeySchema": schema, "AttributeDefinitions": defs},
            "items": {},
        }

    def put(self, table, item):
        self.tables[table]["items"][self._key(table, item)] = item

    def _names(self, table):
        return [e["AttributeName"] for e in self.tables[table]["desc"]["KeySchema"]]

    def _key(self, table, item):
        return tuple((n, _order(item[n])) for n in self._names(table))

    def _table(self, name):
        if name not in self.tables:
            raise ResourceNotFoundException()
        return self.tables[name]

    def _check(self, req, exists):
        cond = req.get("ConditionExpression")
        if cond is None:
            return
        if cond.startswith("attribute_not_exists(") and exists and " OR " not in cond:
            raise ConditionalCheckFailedException(**self._old(req))
        if cond.startswith("attribute_exists(") and not exists:
            raise ConditionalCheckFailedException()
        extra = cond.split(" AND ", 1)[1:] or cond.split(" OR ", 1)[1:]
        if extra and exists and self.fail_extra_conditions:
            raise ConditionalCheckFailedException(**self._old(req))

    def _old(self, req):
        if req.get("ReturnValuesOnConditionCheckFailure") != "ALL_OLD":
            return {}
        item = req.get("Item") or req["Key"]
        return {"Item": self.tables[req["TableName"]]["items"][self._key(req["TableName"], item)]}

    def __call__(self, op, req):
        self.calls.append((op, req))
        return getattr(self, op)(req)

    def DescribeTable(self, req):
        return {"Table": self._table(req["TableName"])["desc"]}

    def GetItem(self, req):
        item = self._table(req["TableName"])["items"].get(self._key(req["TableName"], req["Key"]))
        return {} if item is None else {"Item": item}

    def PutItem(self, req):
        t = self._table(req["TableName"])
        k = self._key(req["TableName"], req["Item"])
        self._check(req, k in t["items"])
        t["items"][k] = req["Item"]
        return {}

    def DeleteItem(self, req):
        t = self._table(req["TableName"])
        k = self._key(req["TableName"], req["Key"])
        self._check(req, k in t["items"])
        old = t["items"].pop(k, None)
        return {"Attributes": old} if old and req.get("ReturnValues") == "ALL_OLD" else {}

    def UpdateItem(self, req):
        t = self._table(req["TableName"])
        k = self._key(req["TableName"], req["Key"])
        self._check(req, k in t["items"])
        old = t["items"][k]
        new = dict(old)
        names, values = req.get("ExpressionAttributeNames", {}), req.get("ExpressionAttributeValues", {})
        for name, value in re.findall(r"(#p\d+) = (:v\d+)", req["UpdateExpression"]):
            new[names[name]] = values[value]
        t["items"][k] = new
        rv = req.get("ReturnValues")
        return {"Attributes": {"ALL_OLD": old, "ALL_NEW": new}[rv]} if rv else {}

    def _sorted(self, table):
        return [v for _, v in sorted(self.tables[table]["items"].items())]

    def _page(self, table, items, req):
        start = req.get("ExclusiveStartKey")
        if start is not None:
            k = self._key(table, start)
            keys = [self._key(table, i) for i in items]
            items = items[keys.index(k) + 1:] if k in keys else items
        limit = req.get("Limit")
        out: dict[str, Any] = {}
        if limit is not None and len(items) >= limit:
            items = items[:limit]
            out["LastEvaluatedKey"] = {n: items[-1][n] for n in self._names(table)}
        out.update(Items=items, Count=len(items), ScannedCount=len(items))
        return out

    def Scan(self, req):
        self._table(req["TableName"])
        return self._page(req["TableName"], self._sorted(req["TableName"]), req)

    def Query(self, req):
        table = req["TableName"]
        self._table(table)
        names, values = req["ExpressionAttributeNames"], req["ExpressionAttributeValues"]
        conds = req["KeyConditionExpression"].split(" AND ")
        m = re.fullmatch(r"(#p\d+) = (:v\d+)", conds[0])
        pk, pv = names[m.group(1)], values[m.group(2)]
        items = [i for i in self._sorted(table) if i.get(pk) == pv]
        for c in conds[1:]:
            m = re.fullmatch(r"(#p\d+) (>|<|>=|<=|=) (:v\d+)", c)
            if m:
                n, op, v = names[m.group(1)], m.group(2), _order(values[m.group(3)])
                import operator as o
                f = {">": o.gt, "<": o.lt, ">=": o.ge, "<=": o.le, "=": o.eq}[op]
                items = [i for i in items if n in i and f(_order(i[n]), v)]
        if req.get("ScanIndexForward") is False:
            items.reverse()
        return self._page(table, items, req)

    def TransactGetItems(self, req):
        out = []
        for entry in req["TransactItems"]:
            out.append(self.GetItem(entry["Get"]))
        return {"Responses": out}

    def TransactWriteItems(self, req):
        reasons = []
        for entry in req["TransactItems"]:
            (kind, body), = entry.items()
            t = self._table(body["TableName"])
            k = self._key(body["TableName"], body.get("Item") or body["Key"])
            try:
                self._check(body, k in t["items"])
                reasons.append({"Code": "None"})
            except ConditionalCheckFailedException as e:
                reasons.append({"Code": "ConditionalCheckFailed", "Message": e.message})
        if any(r["Code"] != "None" for r in reasons):
            raise TransactionCanceledException.from_reasons(reasons)
        for entry in req["TransactItems"]:
            (kind, body), = entry.items()
            if kind in ("Put", "Update", "Delete"):
                getattr(self, kind + "Item")(body)
        return {}


@pytest.fixture
def db():
    fake = FakeDynamoDB()
    fake.create("Music", "Artist", "SongTitle")
    fake.create("Orders", "OrderID", types={"OrderID": "N"})
    for artist, n in (("A", 3), ("B", 2)):
        for i in range(n):
            fake.put("Music", {"Artist": {"S": artist}, "SongTitle": {"S": f"s{i}"},
                               "Plays": {"N": str(10 * i)}, "Meta": {"M": {"tags": {"L": [{"S": "x"}, {"S": f"t{i}"}]}}}})
    fake.calls.clear()
    return fake


def run(db, statement, **kw):
    return execute_statement(db, {"Statement": statement, **kw})


# --- ExecuteStatement: reads ---------------------------------------------------------------------


def test_select_by_full_key_uses_get_item_and_projects_nested_paths(db):
    out = run(db, "SELECT Meta.tags[1], Plays FROM Music WHERE Artist = ? AND SongTitle = 's1'",
              Parameters=[{"S": "A"}])
    assert out == {"Items": [{"tags[1]": {"S": "t1"}, "Plays": {"N": "10"}}]}
    assert [op for op, _ in db.calls] == ["DescribeTable", "GetItem"]


def test_select_missing_item_is_empty(db):
    assert run(db, "SELECT * FROM Music WHERE Artist = 'Z' AND SongTitle = 'x'") == {"Items": []}


def test_select_query_order_by_desc(db):
    out = run(db, "SELECT SongTitle FROM Music WHERE Artist = 'A' ORDER BY SongTitle DESC")
    assert out["Items"] == [{"SongTitle": {"S": s}} for s in ("s2", "s1", "s0")]


def test_select_in_runs_one_query_per_value(db):
    out = run(db, "SELECT Artist, SongTitle FROM Music WHERE Artist IN ['B', 'A'] "
                  "ORDER BY Artist ASC")
    assert [(i["Artist"]["S"], i["SongTitle"]["S"]) for i in out["Items"]] == [
        ("A", "s0"), ("A", "s1"), ("A", "s2"), ("B", "s0"), ("B", "s1")
    ]
    assert [op for op, _ in db.calls] == ["DescribeTable", "Query", "Query"]


def test_key_conditions_beyond_the_key_condition_are_evaluated_here(db):
    out = run(db, "SELECT SongTitle FROM Music WHERE Artist = 'A' AND SongTitle > 's0' "
                  "AND SongTitle <> 's2'")
    assert out["Items"] == [{"SongTitle": {"S": "s1"}}]


def collect(db, statement, limit):
    pages, token = [], None
    while True:
        kw = {"Limit": limit}
        if token:
            kw["NextToken"] = token
        out = run(db, statement, **kw)
        pages.append(out["Items"])
        token = out.get("NextToken")
        if token is None:
            return pages


def test_scan_pagination_with_limit(db):
    pages = collect(db, "SELECT SongTitle FROM Music", 2)
    assert [len(p) for p in pages] == [2, 2, 1, 0] or [len(p) for p in pages] == [2, 2, 1]
    assert sum(len(p) for p in pages) == 5


def test_query_pagination_across_several_partition_keys(db):
    pages = collect(db, "SELECT SongTitle FROM Music WHERE Artist IN ['A', 'B']", 2)
    flat = [i["SongTitle"]["S"] for p in pages for i in p]
    assert flat == ["s0", "s1", "s2", "s0", "s1"]
    assert all(len(p) <= 2 for p in pages)


def test_next_token_is_deterministic_and_checked(db):
    a = run(db, "SELECT * FROM Music", Limit=1)["NextToken"]
    b = run(db, "SELECT * FROM Music", Limit=1)["NextToken"]
    assert a == b
    with pytest.raises(ValidationException) as e:
        run(db, "SELECT * FROM Orders", NextToken=a)
    assert e.value.message == "NextToken does not match request"
    with pytest.raises(ValidationException) as e:
        run(db, "SELECT * FROM Music", NextToken="not a token")
    assert e.value.message == "Invalid NextToken"


def test_parameter_count_must_match(db):
    for params in ([], [{"S": "A"}, {"S": "B"}]):
        kw = {"Parameters": params} if params else {}
        with pytest.raises(ValidationException) as e:
            run(db, "SELECT * FROM Music WHERE Artist = ?", **kw)
        assert e.value.message == "Number of parameters in request and statement don't match."


def test_request_validation(db):
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        run(db, "SELECT * FROM Music", Limit=0)
    with pytest.raises(ValidationException, match="less than or equal to 8192"):
        run(db, "SELECT * FROM Music WHERE a = '" + "x" * 8200 + "'")
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        run(db, "SELECT * FROM Music", Parameters=[])


def test_missing_table_error_comes_from_the_engine(db):
    with pytest.raises(ResourceNotFoundException):
        run(db, "SELECT * FROM Nope")


def test_exists_is_refused_outside_transactions(db):
    with pytest.raises(ValidationException) as e:
        run(db, "EXISTS(SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 's0' AND x = 1)")
    assert e.value.message == "EXISTS can only be used in ExecuteTransaction write requests."


# --- ExecuteStatement: writes --------------------------------------------------------------------


def test_insert_then_duplicate(db):
    assert run(db, "INSERT INTO Orders VALUE {'OrderID': 1, 'Total': 5}") == {"Items": []}
    with pytest.raises(DuplicateItemException) as e:
        run(db, "INSERT INTO Orders VALUE {'OrderID': 1, 'Total': 6}")
    assert e.value.message == "Duplicate primary key exists in table"
    assert e.value.code == "DuplicateItemException"


def test_update_returning_and_missing_item(db):
    out = run(db, "UPDATE Music SET Plays = 99 WHERE Artist = 'A' AND SongTitle = 's0' "
                  "RETURNING ALL NEW *")
    assert out["Items"][0]["Plays"] == {"N": "99"}
    assert run(db, "UPDATE Music SET Plays = 1 WHERE Artist = 'A' AND SongTitle = 's0'") == {
        "Items": []
    }
    with pytest.raises(ConditionalCheckFailedException):
        run(db, "UPDATE Music SET Plays = 1 WHERE Artist = 'Z' AND SongTitle = 's0'")


def test_update_condition_failure_returns_item_when_asked(db):
    db.fail_extra_conditions = True
    with pytest.raises(ConditionalCheckFailedException) as e:
        run(db, "UPDATE Music SET Plays = 1 WHERE Artist = 'A' AND SongTitle = 's0' AND Plays > 5",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert e.value.extra["Item"]["SongTitle"] == {"S": "s0"}
    op, req = db.calls[-1]
    assert req["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_delete_returning_all_old_and_missing_item(db):
    out = run(db, "DELETE FROM Music WHERE Artist = 'B' AND SongTitle = 's1' RETURNING ALL OLD *")
    assert out["Items"][0]["SongTitle"] == {"S": "s1"}
    assert run(db, "DELETE FROM Music WHERE Artist = 'B' AND SongTitle = 's1'") == {"Items": []}


# --- BatchExecuteStatement -----------------------------------------------------------------------


def test_batch_reads(db):
    out = batch_execute_statement(db, {"Statements": [
        {"Statement": "SELECT SongTitle FROM Music WHERE Artist = ? AND SongTitle = ?",
         "Parameters": [{"S": "A"}, {"S": "s1"}]},
        {"Statement": "SELECT * FROM Music WHERE Artist = 'Z' AND SongTitle = 's1'"},
        {"Statement": "SELECT * FROM Music WHERE Artist = 'A'"},
        {"Statement": "SELEC nonsense"},
        {"Statement": "SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 's2' AND Plays = 0"},
    ]})
    r = out["Responses"]
    assert r[0] == {"TableName": "Music", "Item": {"SongTitle": {"S": "s1"}}}
    assert r[1] == {"TableName": "Music"}
    assert r[2] == {"TableName": "Music", "Error": {
        "Code": "ValidationError", "Message": "Only single item select is supported"}}
    assert r[3]["Error"]["Code"] == "ValidationError"
    assert r[3]["Error"]["Message"].startswith("Statement wasn't well formed")
    assert r[4] == {"TableName": "Music"}  # the extra condition is false


def test_batch_writes_each_on_their_own(db):
    out = batch_execute_statement(db, {"Statements": [
        {"Statement": "INSERT INTO Orders VALUE {'OrderID': 1}"},
        {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'SongTitle': 's0'}"},
        {"Statement": "UPDATE Music SET x = 1 WHERE Artist = 'Q' AND SongTitle = 's0'"},
        {"Statement": "DELETE FROM Music WHERE Artist = 'A' AND SongTitle = 's1' RETURNING ALL OLD *"},
        {"Statement": "UPDATE Nope SET x = 1 WHERE a = 1"},
    ]})
    r = out["Responses"]
    assert r[0] == {"TableName": "Orders"}
    assert r[1] == {"TableName": "Music", "Error": {
        "Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}}
    assert r[2] == {"TableName": "Music", "Error": {
        "Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}}
    assert r[3]["TableName"] == "Music" and r[3]["Item"]["SongTitle"] == {"S": "s1"}
    assert r[4]["Error"]["Code"] == "ResourceNotFound"


def test_batch_rules(db):
    with pytest.raises(ValidationException) as e:
        batch_execute_statement(db, {"Statements": [
            {"Statement": "SELECT * FROM Orders WHERE OrderID = 1"},
            {"Statement": "DELETE FROM Orders WHERE OrderID = 1"},
        ]})
    assert e.value.message == "Read and write requests together in the same batch is not supported."
    with pytest.raises(ValidationException, match="less than or equal to 25"):
        batch_execute_statement(db, {"Statements": [
            {"Statement": f"DELETE FROM Orders WHERE OrderID = {i}"} for i in range(26)]})
    with pytest.raises(ValidationException) as e:
        batch_execute_statement(db, {"Statements": [
            {"Statement": "DELETE FROM Orders WHERE OrderID = 1"},
            {"Statement": "UPDATE Orders SET a = 1 WHERE OrderID = 1"},
        ]})
    assert e.value.message == "Provided list of item keys contains duplicates"
    assert not [c for c in db.calls if c[0] != "DescribeTable"]


# --- ExecuteTransaction --------------------------------------------------------------------------


def test_transaction_reads(db):
    out = execute_transaction(db, {"TransactStatements": [
        {"Statement": "SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 's0'"},
        {"Statement": "SELECT nothing_here FROM Music WHERE Artist = 'A' AND SongTitle = 's0'"},
        {"Statement": "SELECT * FROM Music WHERE Artist = 'Z' AND SongTitle = 's0'"},
    ]})
    assert out["Responses"][0]["Item"]["Artist"] == {"S": "A"}
    assert out["Responses"][1:] == [{"Item": {}}, {}]
    assert db.calls[-1][0] == "TransactGetItems"


def test_transaction_writes_and_exists(db):
    out = execute_transaction(db, {"ClientRequestToken": "tok", "TransactStatements": [
        {"Statement": "EXISTS(SELECT * FROM Music WHERE Artist = 'A' AND SongTitle = 's0' "
                      "AND Awards IS MISSING)"},
        {"Statement": "INSERT INTO Orders VALUE {'OrderID': ?}", "Parameters": [{"N": "5"}]},
        {"Statement": "UPDATE Music SET Plays = 1 WHERE Artist = 'B' AND SongTitle = 's0'"},
        {"Statement": "DELETE FROM Music WHERE Artist = 'B' AND SongTitle = 's1'"},
    ]})
    assert out == {}
    op, req = db.calls[-1]
    assert op == "TransactWriteItems"
    assert req["ClientRequestToken"] == "tok"
    assert [next(iter(i)) for i in req["TransactItems"]] == ["ConditionCheck", "Put", "Update", "Delete"]
    assert db.tables["Orders"]["items"]


def test_transaction_cancellation_reports_duplicate_insert(db):
    with pytest.raises(TransactionCanceledException) as e:
        execute_transaction(db, {"TransactStatements": [
            {"Statement": "UPDATE Music SET Plays = 1 WHERE Artist = 'B' AND SongTitle = 's0'"},
            {"Statement": "INSERT INTO Music VALUE {'Artist': 'A', 'SongTitle': 's0'}"},
            {"Statement": "UPDATE Music SET Plays = 1 WHERE Artist = 'Q' AND SongTitle = 's0'"},
        ]})
    assert e.value.extra["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert "[None, DuplicateItem, ConditionalCheckFailed]" in e.value.message


@pytest.mark.parametrize(
    "statements, message",
    [
        (["SELECT * FROM Orders WHERE OrderID = 1", "DELETE FROM Orders WHERE OrderID = 2"],
         "ExecuteTransaction API does not support both read and write operations in the same "
         "request."),
        (["SELECT * FROM Music WHERE Artist = 'A'"],
         "Select statements within ExecuteTransaction must specify the primary key in the where "
         "clause."),
        (['SELECT * FROM "Music"."ix" WHERE Artist = \'A\''],
         "Reads on indices are not supported within transactions."),
    ],
)
def test_transaction_errors(db, statements, message):
    with pytest.raises(ValidationException) as e:
        execute_transaction(db, {"TransactStatements": [{"Statement": s} for s in statements]})
    assert e.value.message == message


def test_transaction_size_limit(db):
    with pytest.raises(ValidationException, match="less than or equal to 100"):
        execute_transaction(db, {"TransactStatements": [
            {"Statement": f"DELETE FROM Orders WHERE OrderID = {i}"} for i in range(101)]})
