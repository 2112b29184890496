"""TransactWriteItems and TransactGetItems, with AWS's numbers and messages.

Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html,
API_TransactWriteItems.html, API_TransactGetItems.html, API_CancellationReason.html, and
ScyllaDB Alternator's test_transact.py (run against DynamoDB).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from serverless_sim import Cloud

KB = 1024


def s(value: str) -> dict:
    return {"S": value}


def n(value: int) -> dict:
    return {"N": str(value)}


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(seed=5)


def create(client: Any, name: str, *, range_key: bool = False, **extra: Any) -> None:
    schema = [{"AttributeName": "p", "KeyType": "HASH"}]
    defs = [{"AttributeName": "p", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": "c", "KeyType": "RANGE"})
        defs.append({"AttributeName": "c", "AttributeType": "S"})
    defs.extend(extra.pop("ExtraDefinitions", []))
    client.create_table(
        TableName=name, KeySchema=schema, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST", **extra
    )


@pytest.fixture
def client(cloud: Cloud) -> Any:
    c = cloud.client("dynamodb")
    create(c, "tab")
    create(c, "tabc", range_key=True)
    return c


def get(client: Any, key: dict, table: str = "tab") -> dict | None:
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def cancel_reasons(client: Any, items: list, **kwargs: Any) -> list[dict]:
    with pytest.raises(client.exceptions.TransactionCanceledException) as info:
        client.transact_write_items(TransactItems=items, **kwargs)
    response = info.value.response
    codes = ", ".join(r["Code"] for r in response["CancellationReasons"])
    assert response["Error"]["Message"] == (
        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]"
    )
    return response["CancellationReasons"]  # type: ignore[no-any-return]


def validation(client: Any, items: list, match: str, **kwargs: Any) -> None:
    """The call fails with a ValidationException whose message matches ``match``."""
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.transact_write_items(TransactItems=items, **kwargs)
    assert re.search(match, info.value.response["Error"]["Message"]), info.value.message


# -- TransactWriteItems: success --------------------------------------------------------------


def test_all_four_actions_across_two_tables(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("upd"), "x": n(42)})
    client.put_item(TableName="tab", Item={"p": s("del")})
    client.put_item(TableName="tab", Item={"p": s("chk"), "x": n(1)})
    response = client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "tabc", "Item": {"p": s("a"), "c": s("b"), "v": s("dog")}}},
            {
                "Update": {
                    "TableName": "tab",
                    "Key": {"p": s("upd")},
                    "UpdateExpression": "SET #x = #x + :one",
                    "ConditionExpression": "#x = :v",
                    "ExpressionAttributeNames": {"#x": "x"},
                    "ExpressionAttributeValues": {":one": n(1), ":v": n(42)},
                }
            },
            {"Delete": {"TableName": "tab", "Key": {"p": s("del")}, "ConditionExpression": "attribute_exists(p)"}},
            {"ConditionCheck": {"TableName": "tab", "Key": {"p": s("chk")}, "ConditionExpression": "x = :one",
                                "ExpressionAttributeValues": {":one": n(1)}}},
        ]
    )
    assert response == {"ResponseMetadata": response["ResponseMetadata"]}
    assert get(client, {"p": s("a"), "c": s("b")}, "tabc") == {"p": s("a"), "c": s("b"), "v": s("dog")}
    assert get(client, {"p": s("upd")}) == {"p": s("upd"), "x": n(43)}
    assert get(client, {"p": s("del")}) is None
    assert get(client, {"p": s("chk")}) == {"p": s("chk"), "x": n(1)}


def test_put_replaces_and_update_creates(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("a"), "x": s("old")})
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "tab", "Item": {"p": s("a"), "y": s("new")}}},
            {"Update": {"TableName": "tab", "Key": {"p": s("b")}, "UpdateExpression": "SET z = :z",
                        "ExpressionAttributeValues": {":z": n(7)}}},
        ]
    )
    assert get(client, {"p": s("a")}) == {"p": s("a"), "y": s("new")}
    assert get(client, {"p": s("b")}) == {"p": s("b"), "z": n(7)}


def test_condition_check_writes_nothing(client: Any) -> None:
    client.transact_write_items(
        TransactItems=[{"ConditionCheck": {"TableName": "tab", "Key": {"p": s("x")},
                                           "ConditionExpression": "attribute_not_exists(p)"}}]
    )
    assert get(client, {"p": s("x")}) is None
    assert client.scan(TableName="tab")["Count"] == 0


def test_100_actions_allowed(client: Any) -> None:
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": "tab", "Item": {"p": s(f"k{i}"), "x": n(i)}}} for i in range(100)]
    )
    assert client.scan(TableName="tab", Select="COUNT")["Count"] == 100


# -- TransactWriteItems: cancellation ---------------------------------------------------------


def test_failed_conditions_cancel_everything_with_reasons_in_order(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("p4"), "x": n(42), "y": s("dog")})
    reasons = cancel_reasons(
        client,
        [
            {"Put": {"TableName": "tab", "Item": {"p": s("p1")}}},
            {"Put": {"TableName": "tab", "Item": {"p": s("p2")}, "ConditionExpression": "attribute_not_exists(p)"}},
            {"ConditionCheck": {"TableName": "tab", "Key": {"p": s("p3")}, "ConditionExpression": "attribute_exists(p)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Update": {"TableName": "tab", "Key": {"p": s("p4")}, "UpdateExpression": "SET x = x + :one",
                        "ConditionExpression": "x = :v", "ExpressionAttributeValues": {":one": n(1), ":v": n(43)},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Delete": {"TableName": "tab", "Key": {"p": s("p4x")}, "ConditionExpression": "attribute_exists(p)",
                        "ReturnValuesOnConditionCheckFailure": "NONE"}},
        ],
    )
    failed = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    assert reasons == [
        {"Code": "None"},
        {"Code": "None"},
        failed,  # ALL_OLD, but there is no item to return
        {**failed, "Item": {"p": s("p4"), "x": n(42), "y": s("dog")}},
        failed,
    ]
    assert get(client, {"p": s("p1")}) is None
    assert get(client, {"p": s("p2")}) is None
    assert get(client, {"p": s("p4")}) == {"p": s("p4"), "x": n(42), "y": s("dog")}


def test_data_error_in_one_action_is_a_validation_error_reason(client: Any) -> None:
    # Alternator test_transact_write_cancellation_reasons_validationerror: only the first data
    # error is reported, and no condition is evaluated.
    reasons = cancel_reasons(
        client,
        [
            {"Put": {"TableName": "tab", "Item": {"p": n(7)}}},
            {"Put": {"TableName": "tab", "Item": {"p": n(8)}}},
            {"Put": {"TableName": "tab", "Item": {"p": s("x")}, "ConditionExpression": "attribute_exists(p)"}},
        ],
    )
    assert [r["Code"] for r in reasons] == ["ValidationError", "None", "None"]
    assert reasons[0]["Message"]
    assert "Message" not in reasons[1]


def test_item_too_large_after_update_is_a_validation_error_reason(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("big"), "a": s("x" * (300 * KB))})
    reasons = cancel_reasons(
        client,
        [
            {"Put": {"TableName": "tab", "Item": {"p": s("other")}, "ConditionExpression": "attribute_exists(p)"}},
            {"Update": {"TableName": "tab", "Key": {"p": s("big")}, "UpdateExpression": "SET b = :b",
                        "ExpressionAttributeValues": {":b": s("y" * (150 * KB))}}},
        ],
    )
    assert reasons == [
        {"Code": "None"},
        {"Code": "ValidationError", "Message": "Item size to update has exceeded the maximum allowed size"},
    ]
    assert get(client, {"p": s("big")}) == {"p": s("big"), "a": s("x" * (300 * KB))}


def test_update_type_error_on_the_stored_item_is_a_validation_error_reason(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("a"), "x": s("text")})
    reasons = cancel_reasons(
        client,
        [{"Update": {"TableName": "tab", "Key": {"p": s("a")}, "UpdateExpression": "ADD x :one",
                     "ExpressionAttributeValues": {":one": n(1)}}}],
    )
    assert reasons[0]["Code"] == "ValidationError"


def test_item_collection_limit_is_its_own_reason(cloud: Cloud) -> None:
    client = cloud.client("dynamodb")
    create(
        client,
        "lsi",
        range_key=True,
        ExtraDefinitions=[{"AttributeName": "l", "AttributeType": "S"}],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_l",
                "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    cloud.dynamodb.config.item_collection_limit_bytes = 2 * KB
    reasons = cancel_reasons(
        client,
        [
            {"Put": {"TableName": "lsi", "Item": {"p": s("a"), "c": s("1"), "l": s("x"), "v": s("v" * KB)}}},
            {"Put": {"TableName": "lsi", "Item": {"p": s("b"), "c": s("1")}}},
        ],
    )
    assert reasons == [
        {"Code": "ItemCollectionSizeLimitExceeded", "Message": "Collection size exceeded."},
        {"Code": "None"},
    ]


# -- TransactWriteItems: whole-request errors -------------------------------------------------


@pytest.mark.parametrize(
    "second",
    [
        {"Put": {"TableName": "tab", "Item": {"p": s("k"), "v": n(2)}}},
        {"ConditionCheck": {"TableName": "tab", "Key": {"p": s("k")}, "ConditionExpression": "attribute_not_exists(p)"}},
        {"Delete": {"TableName": "tab", "Key": {"p": s("k")}}},
    ],
)
def test_two_actions_on_one_item_rejected(client: Any, second: dict) -> None:
    validation(
        client,
        [{"Put": {"TableName": "tab", "Item": {"p": s("k")}}}, second],
        "^Transaction request cannot include multiple operations on one item$",
    )
    assert get(client, {"p": s("k")}) is None


def test_same_key_in_two_tables_is_two_items(client: Any) -> None:
    create(client, "tab2")
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "tab", "Item": {"p": s("k")}}},
            {"Put": {"TableName": "tab2", "Item": {"p": s("k")}}},
        ]
    )


def test_transact_items_count_and_shape(client: Any) -> None:
    validation(client, [], "transactItems.*greater than or equal to 1")
    validation(
        client,
        [{"Put": {"TableName": "tab", "Item": {"p": s(f"k{i}")}}} for i in range(101)],
        "transactItems.*less than or equal to 100",
    )
    validation(
        client,
        [{"Put": {"TableName": "tab", "Item": {"p": s("a")}}, "Delete": {"TableName": "tab", "Key": {"p": s("b")}}}],
        "^TransactItems can only contain one of Check, Put, Update or Delete$",
    )
    validation(client, [{}], "should contain Delete or Put or Update")
    validation(
        client,
        [{"ConditionCheck": {"TableName": "tab", "Key": {"p": s("a")}}}],
        "transactItems.1.member.conditionCheck.conditionExpression.*must not be null",
    )
    validation(client, [{"Update": {"TableName": "tab", "Key": {"p": s("a")}}}], "updateExpression")
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.transact_write_items(TransactItems=[{"Put": {"TableName": "nope", "Item": {"p": s("a")}}}])


@pytest.mark.parametrize(
    "part, match",
    [
        ({"ConditionExpression": "attribute_exists(#xyz)"}, "#xyz"),
        ({"ConditionExpression": "p = :xyz"}, ":xyz"),
        ({"ConditionExpression": "attribute_exists(p)", "ExpressionAttributeNames": {"#xyz": "x"}}, "unused.*#xyz"),
        ({"ConditionExpression": "attribute_exists(p)", "ExpressionAttributeValues": {":xyz": n(7)}}, "unused.*:xyz"),
        ({"ConditionExpression": "hello!"}, "Syntax error"),
        ({"ReturnValuesOnConditionCheckFailure": "dog"}, "returnValuesOnConditionCheckFailure"),
    ],
)
def test_expression_errors_reject_the_whole_request(client: Any, part: dict, match: str) -> None:
    # Alternator: these are ValidationException for the request, not per-action reasons.
    validation(
        client,
        [
            {"Put": {"TableName": "tab", "Item": {"p": s("ok")}}},
            {"Put": {"TableName": "tab", "Item": {"p": s("x")}, **part}},
        ],
        match,
    )
    assert get(client, {"p": s("ok")}) is None


def test_updating_a_key_attribute_rejects_the_request(client: Any) -> None:
    validation(
        client,
        [{"Update": {"TableName": "tab", "Key": {"p": s("a")}, "UpdateExpression": "SET p = :v",
                     "ExpressionAttributeValues": {":v": s("b")}}}],
        "key",
    )


def test_4_mb_limit_counts_the_request_not_the_items(client: Any) -> None:
    long = "x" * 100_000
    validation(
        client,
        [{"Put": {"TableName": "tab", "Item": {"p": s(f"k{i}"), "x": s(long)}}} for i in range(50)],
        "size cannot exceed 4 MB",
    )
    assert client.scan(TableName="tab", Select="COUNT")["Count"] == 0
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": "tab", "Item": {"p": s(f"k{i}"), "x": s(long)}}} for i in range(30)]
    )
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": "tab", "Item": {"p": s(f"m{i}"), "x": s(long)}}} for i in range(30)]
    )
    # Deleting 6 MB of items in one small request is fine.
    client.transact_write_items(
        TransactItems=[{"Delete": {"TableName": "tab", "Key": {"p": s(f"{c}{i}")}}} for c in "km" for i in range(30)]
    )
    assert client.scan(TableName="tab", Select="COUNT")["Count"] == 0


# -- ClientRequestToken -----------------------------------------------------------------------

INCREMENT = [{"Update": {"TableName": "tab", "Key": {"p": s("ctr")}, "UpdateExpression": "ADD x :one",
                         "ExpressionAttributeValues": {":one": n(1)}}}]


def counter(client: Any) -> int:
    return int(get(client, {"p": s("ctr")})["x"]["N"])  # type: ignore[index]


def test_without_a_token_every_call_applies(client: Any) -> None:
    client.transact_write_items(TransactItems=INCREMENT)
    client.transact_write_items(TransactItems=INCREMENT)
    assert counter(client) == 2


def test_a_token_replay_within_10_minutes_applies_once(cloud: Cloud, client: Any) -> None:
    client.transact_write_items(TransactItems=INCREMENT, ClientRequestToken="tok")
    cloud.advance(599)
    response = client.transact_write_items(
        TransactItems=INCREMENT, ClientRequestToken="tok", ReturnConsumedCapacity="TOTAL"
    )
    assert counter(client) == 1
    # A replay reports read units (the item is tiny: one 4 KB read unit).
    assert response["ConsumedCapacity"] == [{"TableName": "tab", "CapacityUnits": 1.0}]
    cloud.advance(2)  # 601 s after the first call finished: the token is new again
    client.transact_write_items(TransactItems=INCREMENT, ClientRequestToken="tok")
    assert counter(client) == 2


def test_a_token_with_other_parameters_is_a_mismatch(client: Any) -> None:
    client.transact_write_items(TransactItems=INCREMENT, ClientRequestToken="tok")
    other = [{"Put": {"TableName": "tab", "Item": {"p": s("else")}}}]
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException) as info:
        client.transact_write_items(TransactItems=other, ClientRequestToken="tok")
    assert info.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert get(client, {"p": s("else")}) is None


def test_a_canceled_transaction_does_not_use_up_its_token(client: Any) -> None:
    guarded = [{"Put": {"TableName": "tab", "Item": {"p": s("a"), "v": n(1)}, "ConditionExpression": "attribute_exists(p)"}}]
    cancel_reasons(client, guarded, ClientRequestToken="tok")
    client.put_item(TableName="tab", Item={"p": s("a")})
    client.transact_write_items(TransactItems=guarded, ClientRequestToken="tok")
    assert get(client, {"p": s("a")}) == {"p": s("a"), "v": n(1)}


def test_token_length(client: Any) -> None:
    put = [{"Put": {"TableName": "tab", "Item": {"p": s("a")}}}]
    client.transact_write_items(TransactItems=put, ClientRequestToken="t" * 36)
    validation(client, put, "clientRequestToken.*less than or equal to 36", ClientRequestToken="t" * 37)
    validation(client, put, "clientRequestToken.*greater than or equal to 1", ClientRequestToken="")


# -- capacity and metrics ---------------------------------------------------------------------


def test_transactional_writes_cost_double(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("big"), "a": s("a" * (2 * KB))})  # 3 KB blocks
    response = client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "tab", "Item": {"p": s("new")}}},  # 1 KB -> 2
            {"Update": {"TableName": "tab", "Key": {"p": s("big")}, "UpdateExpression": "REMOVE a"}},  # max(3, 1) -> 6
            {"ConditionCheck": {"TableName": "tabc", "Key": {"p": s("x"), "c": s("y")},
                                "ConditionExpression": "attribute_not_exists(p)"}},  # -> 2
        ],
        ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"] == [
        {"TableName": "tab", "CapacityUnits": 8.0, "Table": {"CapacityUnits": 8.0}},
        {"TableName": "tabc", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}},
    ]


def test_gsi_amplification_doubles_and_item_collection_metrics(cloud: Cloud) -> None:
    client = cloud.client("dynamodb")
    create(
        client,
        "idx",
        range_key=True,
        ExtraDefinitions=[{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "by_l",
             "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}
        ],
    )
    response = client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "idx", "Item": {"p": s("a"), "c": s("1"), "g": s("g")}}},
            {"ConditionCheck": {"TableName": "idx", "Key": {"p": s("b"), "c": s("1")},
                                "ConditionExpression": "attribute_not_exists(p)"}},
        ],
        ReturnConsumedCapacity="INDEXES",
        ReturnItemCollectionMetrics="SIZE",
    )
    assert response["ConsumedCapacity"] == [
        {"TableName": "idx", "CapacityUnits": 6.0, "Table": {"CapacityUnits": 4.0},
         "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 2.0}}}
    ]
    assert response["ItemCollectionMetrics"] == {
        "idx": [{"ItemCollectionKey": {"p": s("a")}, "SizeEstimateRangeGB": [0.0, 1.0]}]
    }


# -- TransactGetItems -------------------------------------------------------------------------


def test_transact_get_in_order_with_empty_responses_for_missing_items(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("a"), "x": n(1), "y": n(2), "z": n(3)})
    client.put_item(TableName="tabc", Item={"p": s("a"), "c": s("b")})
    response = client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": "tabc", "Key": {"p": s("a"), "c": s("b")}}},
            {"Get": {"TableName": "tab", "Key": {"p": s("missing")}}},
            {"Get": {"TableName": "tab", "Key": {"p": s("a")}, "ProjectionExpression": "#x, z",
                     "ExpressionAttributeNames": {"#x": "x"}}},
        ]
    )
    assert response["Responses"] == [
        {"Item": {"p": s("a"), "c": s("b")}},
        {},
        {"Item": {"x": n(1), "z": n(3)}},
    ]
    assert "ConsumedCapacity" not in response


def test_transact_get_validation(client: Any) -> None:
    def rejected(items: list, match: str) -> None:
        with pytest.raises(client.exceptions.ValidationException, match=match):
            client.transact_get_items(TransactItems=items)

    key = {"p": s("a")}
    rejected([{"Get": {"TableName": "tab", "Key": key, "ProjectionExpression": "#x",
                       "ExpressionAttributeNames": {"#x": "x", "#qq": "q"}}}], "unused.*#qq")
    rejected([{"Get": {"TableName": "tab", "Key": key, "ProjectionExpression": "#x, #zz",
                       "ExpressionAttributeNames": {"#x": "x"}}}], "#zz")
    rejected([{"Get": {"TableName": "tab", "Key": {"p": s(str(i))}}} for i in range(101)],
             "transactItems.*less than or equal to 100")
    rejected([], "transactItems")
    rejected([{"Get": {"TableName": "tab", "Key": key}}, {"Get": {"TableName": "tab", "Key": key}}],
             "multiple operations on one item")
    rejected([{"Put": {"TableName": "tab", "Item": key}}], "get")
    with pytest.raises(client.exceptions.TransactionCanceledException) as info:
        client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "tab", "Key": key}}, {"Get": {"TableName": "tab", "Key": {"p": n(1)}}}]
        )
    assert [r["Code"] for r in info.value.response["CancellationReasons"]] == ["None", "ValidationError"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "nope", "Key": key}}])


def test_transact_get_100_and_capacity(client: Any) -> None:
    client.put_item(TableName="tab", Item={"p": s("k0"), "v": s("x" * (5 * KB))})  # 8 KB -> 2 x 2
    response = client.transact_get_items(
        TransactItems=[{"Get": {"TableName": "tab", "Key": {"p": s(f"k{i}")}}} for i in range(100)],
        ReturnConsumedCapacity="TOTAL",
    )
    assert len(response["Responses"]) == 100
    assert response["Responses"][0]["Item"]["p"] == s("k0")
    assert response["Responses"][1:] == [{}] * 99
    assert response["ConsumedCapacity"] == [{"TableName": "tab", "CapacityUnits": 4.0 + 99 * 2.0}]


def test_transact_get_4_mb_limit(client: Any) -> None:
    body = "x" * (390 * KB)
    for i in range(11):
        client.put_item(TableName="tab", Item={"p": s(f"k{i}"), "b": s(body)})
    client.transact_get_items(TransactItems=[{"Get": {"TableName": "tab", "Key": {"p": s(f"k{i}")}}} for i in range(10)])
    with pytest.raises(client.exceptions.ValidationException, match="4 MB"):
        client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "tab", "Key": {"p": s(f"k{i}")}}} for i in range(11)]
        )
