"""Stateful reference-model test of the DynamoDB engine.

A Hypothesis ``RuleBasedStateMachine`` drives the real engine through ``cloud.client("dynamodb")``
and, side by side, a tiny reference model: a ``dict`` from ``(pk, sk)`` to a plain Python item
(``{"pk": "a", "sk": 1, "n": 3, "s": "x", "tags": frozenset({"t1"})}``). Every rule does the same
thing to both and compares everything the engine lets us observe (return values, errors,
cancellation reasons, query pages and their order, scan contents). Invariants call the engine's
internal consistency check when the table has one.

The table has a string partition key ``pk`` and a number sort key ``sk``; keys come from a small
domain so that operations collide often. Conditions and updates are drawn from a fixed menu whose
meaning the model evaluates directly in Python, so the model stays obviously correct.

Semantics the model encodes (DynamoDB Developer Guide: WorkingWithItems, Expressions.*, Query):

* PutItem replaces the whole item; ReturnValues=ALL_OLD gives the previous item.
* UpdateItem creates a missing item (with its key attributes), except when it only REMOVEs and
  DELETEs (ALT:test_item.py::test_update_item_non_existent); ADD to a missing number starts at
  0, ADD to a missing set starts at the empty set; REMOVE of a missing attribute is a no-op;
  DELETE removes set elements and an emptied set removes the attribute.
  ReturnValues=ALL_NEW gives the item after the update.
* A failed condition raises ConditionalCheckFailedException and changes nothing.
* Query returns one partition's items in sort-key order (reversed when ScanIndexForward=False),
  at most ``Limit`` per page, and a LastEvaluatedKey to resume from while it may have more.
* BatchWriteItem applies every put/delete; BatchGetItem returns the existing items (in request
  order: the simulator's deterministic choice). TransactWriteItems applies all or nothing,
  reports one cancellation reason per action in request order, and refuses two actions on one
  item; TransactGetItems returns one response per key, ``{}`` for a missing item.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from serverless_sim import Cloud

TABLE = "stateful"
PKS = ("a", "b", "c")
SKS = (0, 1, 2, 3, 4)
STRINGS = ("", "x", "yy", "zzz")
TAGS = ("t1", "t2", "t3")
PREFIXES = ("x", "y", "z")  # begins_with(s, "") is left out: not a case worth pinning here

Key = tuple[str, int]
Item = dict[str, Any]

keys = st.tuples(st.sampled_from(PKS), st.sampled_from(SKS))
numbers = st.integers(min_value=-5, max_value=5)
attrs = st.fixed_dictionaries(
    {},
    optional={
        "n": numbers,
        "s": st.sampled_from(STRINGS),
        "tags": st.frozensets(st.sampled_from(TAGS), min_size=1),
    },
)

# -- conditions: (name, expression, names, values); the model evaluates them by name -------------
CONDITIONS = (None, "exists", "not_exists", "n_equals", "n_less", "s_begins")
conditions = st.sampled_from(CONDITIONS)
# -- update actions (each one clause; a rule combines up to three on distinct attributes) --------
UPDATES = ("set_n", "set_s", "add_n", "remove_s", "remove_n", "add_tags", "delete_tags")
updates = st.tuples(
    st.sampled_from([None, "set_n", "add_n", "remove_n"]),
    st.sampled_from([None, "set_s", "remove_s"]),
    st.sampled_from([None, "add_tags", "delete_tags"]),
).map(lambda picked: [a for a in picked if a is not None]).filter(bool)  # one clause per attribute


# ---------------------------------------------------------------------------------------------
# Wire encoding of the model's plain values


def to_wire(item: Item) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in item.items():
        if isinstance(value, frozenset):
            out[name] = {"SS": sorted(value)}
        elif isinstance(value, int):
            out[name] = {"N": str(value)}
        else:
            out[name] = {"S": value}
    return out


def from_wire(item: dict[str, dict[str, Any]] | None) -> Item | None:
    if item is None:
        return None
    out: Item = {}
    for name, av in item.items():
        ((tag, value),) = av.items()
        if tag == "N":
            out[name] = int(value)
        elif tag == "S":
            out[name] = value
        elif tag == "SS":
            assert len(set(value)) == len(value), f"duplicate set members in {av}"
            out[name] = frozenset(value)
        else:  # pragma: no cover - the model never writes other types
            raise AssertionError(f"unexpected attribute value {av!r}")
    return out


def wire_key(key: Key) -> dict[str, dict[str, str]]:
    return {"pk": {"S": key[0]}, "sk": {"N": str(key[1])}}


def key_of(item: Item) -> Key:
    return (item["pk"], item["sk"])


# ---------------------------------------------------------------------------------------------
# The reference model's meaning of conditions and updates


def condition_request(cond: str | None, operand: int, prefix: str) -> dict[str, Any]:
    """The ConditionExpression parameters of ``cond`` (empty for no condition)."""
    if cond is None:
        return {}
    if cond == "exists":
        return {"ConditionExpression": "attribute_exists(pk)"}
    if cond == "not_exists":
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    if cond == "n_equals":
        return {
            "ConditionExpression": "#n = :c",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": {":c": {"N": str(operand)}},
        }
    if cond == "n_less":
        return {
            "ConditionExpression": "#n < :c",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": {":c": {"N": str(operand)}},
        }
    if cond == "s_begins":
        return {
            "ConditionExpression": "begins_with(s, :c)",
            "ExpressionAttributeValues": {":c": {"S": prefix}},
        }
    raise AssertionError(cond)


def condition_holds(cond: str | None, item: Item | None, operand: int, prefix: str) -> bool:
    if cond is None:
        return True
    if cond == "exists":
        return item is not None
    if cond == "not_exists":
        return item is None
    if item is None:
        return False
    if cond == "n_equals":
        return item.get("n") == operand
    if cond == "n_less":
        return "n" in item and item["n"] < operand
    if cond == "s_begins":
        return isinstance(item.get("s"), str) and item["s"].startswith(prefix)
    raise AssertionError(cond)


def merge_expression(params: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Combine two sets of expression parameters (names/values merged, other keys set)."""
    out = dict(params)
    for k, v in extra.items():
        if k in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            out[k] = {**out.get(k, {}), **v}
        else:
            out[k] = v
    return out


def update_request(actions: list[str], number: int, text: str, tags: frozenset[str]) -> dict[str, Any]:
    """The UpdateExpression parameters of ``actions``."""
    clauses: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for action in actions:
        if action == "set_n":
            clauses.setdefault("SET", []).append("n = :un")
            values[":un"] = {"N": str(number)}
        elif action == "set_s":
            clauses.setdefault("SET", []).append("s = :us")
            values[":us"] = {"S": text}
        elif action == "add_n":
            clauses.setdefault("ADD", []).append("n :un")
            values[":un"] = {"N": str(number)}
        elif action == "remove_s":
            clauses.setdefault("REMOVE", []).append("s")
        elif action == "remove_n":
            clauses.setdefault("REMOVE", []).append("n")
        elif action == "add_tags":
            clauses.setdefault("ADD", []).append("tags :ut")
            values[":ut"] = {"SS": sorted(tags)}
        elif action == "delete_tags":
            clauses.setdefault("DELETE", []).append("tags :ut")
            values[":ut"] = {"SS": sorted(tags)}
        else:  # pragma: no cover
            raise AssertionError(action)
    expression = " ".join(f"{clause} {', '.join(parts)}" for clause, parts in clauses.items())
    out: dict[str, Any] = {"UpdateExpression": expression}
    if values:
        out["ExpressionAttributeValues"] = values
    return out


def apply_update(
    item: Item | None, key: Key, actions: list[str], number: int, text: str, tags: frozenset[str]
) -> Item | None:
    if item is None and actions and all(a in ("remove_s", "remove_n", "delete_tags") for a in actions):
        return None  # only removals: a missing item stays missing
    new: Item = dict(item) if item is not None else {"pk": key[0], "sk": key[1]}
    for action in actions:
        if action == "set_n":
            new["n"] = number
        elif action == "set_s":
            new["s"] = text
        elif action == "add_n":
            new["n"] = new.get("n", 0) + number
        elif action == "remove_s":
            new.pop("s", None)
        elif action == "remove_n":
            new.pop("n", None)
        elif action == "add_tags":
            new["tags"] = new.get("tags", frozenset()) | tags
        elif action == "delete_tags":
            left = new.get("tags", frozenset()) - tags
            if left:
                new["tags"] = left
            else:
                new.pop("tags", None)
    return new


# ---------------------------------------------------------------------------------------------


class DynamoDBModel(RuleBasedStateMachine):
    """The engine against a dict of key -> plain item."""

    def __init__(self) -> None:
        super().__init__()
        self.cloud = Cloud(seed=1)
        self.client = self.cloud.client("dynamodb")
        self.client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self.model: dict[Key, Item] = {}

    # -- single-item writes -----------------------------------------------------------------
    @rule(key=keys, body=attrs, cond=conditions, operand=numbers, prefix=st.sampled_from(PREFIXES))
    def put_item(self, key: Key, body: Item, cond: str | None, operand: int, prefix: str) -> None:
        item = {"pk": key[0], "sk": key[1], **body}
        old = self.model.get(key)
        request = {"TableName": TABLE, "Item": to_wire(item), "ReturnValues": "ALL_OLD"}
        request.update(condition_request(cond, operand, prefix))
        if condition_holds(cond, old, operand, prefix):
            response = self.client.put_item(**request)
            assert from_wire(response.get("Attributes")) == old
            self.model[key] = item
        else:
            self._expect_conditional_failure(self.client.put_item, request, old)

    @rule(
        key=keys,
        actions=updates,
        number=numbers,
        text=st.sampled_from(STRINGS),
        tags=st.frozensets(st.sampled_from(TAGS), min_size=1),
        cond=conditions,
        operand=numbers,
        prefix=st.sampled_from(PREFIXES),
    )
    def update_item(
        self,
        key: Key,
        actions: list[str],
        number: int,
        text: str,
        tags: frozenset[str],
        cond: str | None,
        operand: int,
        prefix: str,
    ) -> None:
        old = self.model.get(key)
        request = {"TableName": TABLE, "Key": wire_key(key), "ReturnValues": "ALL_NEW"}
        request = merge_expression(request, update_request(actions, number, text, tags))
        request = merge_expression(request, condition_request(cond, operand, prefix))
        if condition_holds(cond, old, operand, prefix):
            response = self.client.update_item(**request)
            new = apply_update(old, key, actions, number, text, tags)
            assert from_wire(response.get("Attributes")) == new
            if new is None:
                self.model.pop(key, None)
            else:
                self.model[key] = new
        else:
            self._expect_conditional_failure(self.client.update_item, request, old)

    @rule(key=keys, cond=conditions, operand=numbers, prefix=st.sampled_from(PREFIXES))
    def delete_item(self, key: Key, cond: str | None, operand: int, prefix: str) -> None:
        old = self.model.get(key)
        request = {"TableName": TABLE, "Key": wire_key(key), "ReturnValues": "ALL_OLD"}
        request.update(condition_request(cond, operand, prefix))
        if condition_holds(cond, old, operand, prefix):
            response = self.client.delete_item(**request)
            assert from_wire(response.get("Attributes")) == old
            self.model.pop(key, None)
        else:
            self._expect_conditional_failure(self.client.delete_item, request, old)

    def _expect_conditional_failure(self, call: Any, request: dict[str, Any], old: Item | None) -> None:
        request = dict(request, ReturnValuesOnConditionCheckFailure="ALL_OLD")
        with pytest.raises(self.client.exceptions.ConditionalCheckFailedException) as info:
            call(**request)
        assert info.value.response["Error"]["Message"] == "The conditional request failed"
        assert from_wire(info.value.response.get("Item")) == old

    # -- reads ------------------------------------------------------------------------------
    @rule(key=keys, consistent=st.booleans())
    def get_item(self, key: Key, consistent: bool) -> None:
        response = self.client.get_item(TableName=TABLE, Key=wire_key(key), ConsistentRead=consistent)
        assert from_wire(response.get("Item")) == self.model.get(key)

    @rule(
        pk=st.sampled_from(PKS),
        op=st.sampled_from([None, "=", "<", "<=", ">", ">=", "BETWEEN"]),
        bounds=st.tuples(st.sampled_from(SKS), st.sampled_from(SKS)).map(sorted),
        forward=st.booleans(),
        limit=st.none() | st.integers(min_value=1, max_value=4),
    )
    def query(self, pk: str, op: str | None, bounds: list[int], forward: bool, limit: int | None) -> None:
        lo, hi = bounds
        values: dict[str, Any] = {":p": {"S": pk}}
        expression = "pk = :p"
        if op == "BETWEEN":
            expression += " AND sk BETWEEN :lo AND :hi"
            values[":lo"] = {"N": str(lo)}
            values[":hi"] = {"N": str(hi)}
        elif op is not None:
            expression += f" AND sk {op} :lo"
            values[":lo"] = {"N": str(lo)}
        checks = {
            None: lambda s: True,
            "=": lambda s: s == lo,
            "<": lambda s: s < lo,
            "<=": lambda s: s <= lo,
            ">": lambda s: s > lo,
            ">=": lambda s: s >= lo,
            "BETWEEN": lambda s: lo <= s <= hi,
        }
        expected = sorted(
            (item for (p, s), item in self.model.items() if p == pk and checks[op](s)),
            key=lambda item: item["sk"],
            reverse=not forward,
        )
        request: dict[str, Any] = {
            "TableName": TABLE,
            "KeyConditionExpression": expression,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": forward,
        }
        if limit is not None:
            request["Limit"] = limit
        got: list[Item] = []
        for _page in range(len(expected) + 2):
            response = self.client.query(**request)
            items = [from_wire(i) for i in response["Items"]]
            assert response["Count"] == len(items)
            assert response["ScannedCount"] == len(items)
            if limit is not None:
                assert len(items) <= limit
            got.extend(items)  # type: ignore[arg-type]
            last = response.get("LastEvaluatedKey")
            if last is None:
                break
            assert set(last) == {"pk", "sk"}
            assert last == wire_key(key_of(items[-1]))  # type: ignore[arg-type]
            request["ExclusiveStartKey"] = last
        else:
            raise AssertionError("query pagination did not end")
        assert got == expected

    @rule(limit=st.none() | st.integers(min_value=1, max_value=7))
    def scan(self, limit: int | None) -> None:
        request: dict[str, Any] = {"TableName": TABLE}
        if limit is not None:
            request["Limit"] = limit
        got: list[Item] = []
        for _page in range(len(self.model) + 2):
            response = self.client.scan(**request)
            if limit is not None:
                assert len(response["Items"]) <= limit
            got.extend(from_wire(i) for i in response["Items"])  # type: ignore[misc]
            last = response.get("LastEvaluatedKey")
            if last is None:
                break
            request["ExclusiveStartKey"] = last
        else:
            raise AssertionError("scan pagination did not end")
        assert len(got) == len(self.model), "scan returned an item twice or missed one"
        assert sorted(got, key=key_of) == sorted(self.model.values(), key=key_of)

    @rule(chosen=st.lists(keys, min_size=1, max_size=6, unique=True))
    def batch_get(self, chosen: list[Key]) -> None:
        response = self.client.batch_get_item(
            RequestItems={TABLE: {"Keys": [wire_key(k) for k in chosen], "ConsistentRead": True}}
        )
        assert response["UnprocessedKeys"] == {}
        got = [from_wire(i) for i in response["Responses"][TABLE]]
        expected = [self.model[k] for k in chosen if k in self.model]
        assert got == expected  # request order (the simulator's deterministic choice)

    # -- multi-item writes ------------------------------------------------------------------
    @rule(
        ops=st.lists(
            st.tuples(keys, st.one_of(st.none(), attrs)), min_size=1, max_size=8, unique_by=lambda op: op[0]
        )
    )
    def batch_write(self, ops: list[tuple[Key, Item | None]]) -> None:
        requests = []
        for key, body in ops:
            if body is None:
                requests.append({"DeleteRequest": {"Key": wire_key(key)}})
            else:
                requests.append({"PutRequest": {"Item": to_wire({"pk": key[0], "sk": key[1], **body})}})
        response = self.client.batch_write_item(RequestItems={TABLE: requests})
        assert response["UnprocessedItems"] == {}
        for key, body in ops:
            if body is None:
                self.model.pop(key, None)
            else:
                self.model[key] = {"pk": key[0], "sk": key[1], **body}

    @rule(
        actions=st.lists(
            st.tuples(
                keys,
                st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]),
                attrs,
                updates,
                conditions,
                numbers,
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda a: a[0],
        ),
        text=st.sampled_from(STRINGS),
        prefix=st.sampled_from(PREFIXES),
        tags=st.frozensets(st.sampled_from(TAGS), min_size=1),
    )
    def transact_write(
        self, actions: list[tuple[Any, ...]], text: str, prefix: str, tags: frozenset[str]
    ) -> None:
        transact_items = []
        outcomes = []
        for key, kind, body, update, cond, operand in actions:
            if kind == "ConditionCheck" and cond is None:
                cond = "exists"
            part: dict[str, Any] = {"TableName": TABLE}
            if kind == "Put":
                part["Item"] = to_wire({"pk": key[0], "sk": key[1], **body})
            else:
                part["Key"] = wire_key(key)
            if kind == "Update":
                part = merge_expression(part, update_request(update, operand, text, tags))
            part = merge_expression(part, condition_request(cond, operand, prefix))
            part["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            transact_items.append({kind: part})
            old = self.model.get(key)
            outcomes.append(condition_holds(cond, old, operand, prefix))
        if all(outcomes):
            self.client.transact_write_items(TransactItems=transact_items)
            for key, kind, body, update, _cond, operand in actions:
                if kind == "Put":
                    self.model[key] = {"pk": key[0], "sk": key[1], **body}
                elif kind == "Update":
                    new = apply_update(self.model.get(key), key, update, operand, text, tags)
                    if new is not None:
                        self.model[key] = new
                elif kind == "Delete":
                    self.model.pop(key, None)
        else:
            with pytest.raises(self.client.exceptions.TransactionCanceledException) as info:
                self.client.transact_write_items(TransactItems=transact_items)
            reasons = info.value.response["CancellationReasons"]
            assert len(reasons) == len(actions)
            for reason, ok, (key, *_rest) in zip(reasons, outcomes, actions):
                if ok:
                    assert reason == {"Code": "None"}
                else:
                    assert reason["Code"] == "ConditionalCheckFailed"
                    assert reason["Message"] == "The conditional request failed"
                    assert from_wire(reason.get("Item")) == self.model.get(key)

    @rule(key=keys, first=st.sampled_from(["Put", "Delete", "ConditionCheck"]), body=attrs)
    def transact_write_same_item_twice(self, key: Key, first: str, body: Item) -> None:
        part: dict[str, Any] = {"TableName": TABLE}
        if first == "Put":
            part["Item"] = to_wire({"pk": key[0], "sk": key[1], **body})
        else:
            part["Key"] = wire_key(key)
        if first == "ConditionCheck":
            part["ConditionExpression"] = "attribute_not_exists(pk)"
        items = [
            {first: part},
            {"Update": {"TableName": TABLE, "Key": wire_key(key), "UpdateExpression": "REMOVE s"}},
        ]
        with pytest.raises(self.client.exceptions.ValidationException) as info:
            self.client.transact_write_items(TransactItems=items)
        assert info.value.message == "Transaction request cannot include multiple operations on one item"

    @rule(chosen=st.lists(keys, min_size=1, max_size=5, unique=True))
    def transact_get(self, chosen: list[Key]) -> None:
        response = self.client.transact_get_items(
            TransactItems=[{"Get": {"TableName": TABLE, "Key": wire_key(k)}} for k in chosen]
        )
        got = [from_wire(r.get("Item")) for r in response["Responses"]]
        assert got == [self.model.get(k) for k in chosen]

    # -- invariants -------------------------------------------------------------------------
    @invariant()
    def engine_is_consistent(self) -> None:
        table = self.cloud.dynamodb.get_table(TABLE)
        check = getattr(table, "_check", None)
        if check is not None:
            check()

    @invariant()
    def item_count_matches(self) -> None:
        response = self.client.scan(TableName=TABLE, Select="COUNT")
        assert response["Count"] == len(self.model)


# max_examples comes from the active profile (tests/conftest.py: ci 60, dev 100, thorough 2000);
# 100 runs of 40 steps take about 3 s.
DynamoDBModel.TestCase.settings = settings(
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDynamoDBModel = DynamoDBModel.TestCase
