"""BatchGetItem and BatchWriteItem, with AWS's numbers and messages.

Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html,
API_BatchWriteItem.html, DG ProvisionedThroughput (capacity examples), and ScyllaDB Alternator's
test_batch.py / test_returnconsumedcapacity.py (run against DynamoDB).
"""

from __future__ import annotations

from typing import Any

import pytest

from serverless_sim import Cloud

KB = 1024


def make_table(client: Any, name: str, *, range_key: bool = False, **extra: Any) -> None:
    schema = [{"AttributeName": "p", "KeyType": "HASH"}]
    defs = [{"AttributeName": "p", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": "c", "KeyType": "RANGE"})
        defs.append({"AttributeName": "c", "AttributeType": "N"})
    for index in extra.get("GlobalSecondaryIndexes", []) + extra.get("LocalSecondaryIndexes", []):
        for part in index["KeySchema"]:
            if all(d["AttributeName"] != part["AttributeName"] for d in defs):
                defs.append({"AttributeName": part["AttributeName"], "AttributeType": "S"})
    client.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=defs,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(seed=3)


@pytest.fixture
def client(cloud: Cloud) -> Any:
    c = cloud.client("dynamodb")
    make_table(c, "hash")
    make_table(c, "ranged", range_key=True)
    return c


def s(value: str) -> dict:
    return {"S": value}


def n(value: int) -> dict:
    return {"N": str(value)}


def put(item: dict) -> dict:
    return {"PutRequest": {"Item": item}}


def delete(key: dict) -> dict:
    return {"DeleteRequest": {"Key": key}}


def error(info: Any) -> tuple[str, str]:
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


def get(client: Any, table: str, key: dict) -> dict | None:
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


# -- BatchWriteItem ---------------------------------------------------------------------------


def test_batch_write_puts_and_deletes_across_tables(client: Any) -> None:
    client.put_item(TableName="hash", Item={"p": s("old")})
    response = client.batch_write_item(
        RequestItems={
            "hash": [put({"p": s("a"), "v": n(1)}), delete({"p": s("old")})],
            "ranged": [put({"p": s("a"), "c": n(1)}), put({"p": s("a"), "c": n(2), "x": s("y")})],
        }
    )
    assert response["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in response
    assert get(client, "hash", {"p": s("a")}) == {"p": s("a"), "v": n(1)}
    assert get(client, "hash", {"p": s("old")}) is None
    assert get(client, "ranged", {"p": s("a"), "c": n(2)}) == {"p": s("a"), "c": n(2), "x": s("y")}


def test_batch_put_replaces_the_whole_item(client: Any) -> None:
    client.put_item(TableName="hash", Item={"p": s("k"), "a": s("hi")})
    client.batch_write_item(RequestItems={"hash": [put({"p": s("k"), "b": s("hello")})]})
    assert get(client, "hash", {"p": s("k")}) == {"p": s("k"), "b": s("hello")}


def test_batch_delete_of_a_missing_item_is_fine(client: Any) -> None:
    response = client.batch_write_item(RequestItems={"hash": [delete({"p": s("nothing")})]})
    assert response["UnprocessedItems"] == {}


@pytest.mark.parametrize(
    "writes",
    [
        [put({"p": s("k")}), put({"p": s("k"), "v": n(2)})],
        [delete({"p": s("k")}), delete({"p": s("k")})],
        [delete({"p": s("k")}), put({"p": s("k")})],
    ],
)
def test_batch_write_duplicate_keys_rejected(client: Any, writes: list) -> None:
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.batch_write_item(RequestItems={"hash": writes})
    assert error(info) == ("ValidationException", "Provided list of item keys contains duplicates")
    assert get(client, "hash", {"p": s("k")}) is None


def test_batch_write_same_key_in_two_tables_or_other_sort_key_is_not_a_duplicate(client: Any) -> None:
    make_table(client, "hash2")
    client.batch_write_item(
        RequestItems={
            "hash": [put({"p": s("k"), "a": s("hi")})],
            "hash2": [put({"p": s("k"), "b": s("hello")})],
            "ranged": [put({"p": s("k"), "c": n(1)}), put({"p": s("k"), "c": n(2)})],
        }
    )
    assert get(client, "hash2", {"p": s("k")}) == {"p": s("k"), "b": s("hello")}


def test_batch_write_duplicate_numbers_in_different_spellings(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="duplicates"):
        client.batch_write_item(
            RequestItems={"ranged": [put({"p": s("k"), "c": {"N": "1"}}), delete({"p": s("k"), "c": {"N": "1.0"}})]}
        )


def test_batch_write_25_ok_26_too_many(client: Any) -> None:
    client.batch_write_item(RequestItems={"hash": [put({"p": s(f"k{i}")}) for i in range(25)]})
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.batch_write_item(
            RequestItems={
                "hash": [put({"p": s(f"x{i}")}) for i in range(13)],
                "ranged": [put({"p": s("x"), "c": n(i)}) for i in range(13)],
            }
        )
    assert error(info) == ("ValidationException", "Too many items requested for the BatchWriteItem call")
    assert get(client, "hash", {"p": s("x0")}) is None


@pytest.mark.parametrize(
    "bad",
    [
        put({"p": n(3)}),  # key of the wrong type
        put({"x": s("whatever")}),  # key missing
        put({"p": s("big"), "blob": s("x" * (400 * KB))}),  # over 400 KB
        put({"p": s("k"), "v": {"N": "not a number"}}),
        delete({"p": s("k"), "extra": s("no")}),  # key does not match the schema
    ],
)
def test_one_bad_request_fails_the_batch_and_writes_nothing(client: Any, bad: dict) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.batch_write_item(RequestItems={"hash": [put({"p": s("first")}), bad, put({"p": s("last")})]})
    assert get(client, "hash", {"p": s("first")}) is None
    assert get(client, "hash", {"p": s("last")}) is None


def test_missing_table_fails_the_batch(client: Any) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.batch_write_item(
            RequestItems={"hash": [put({"p": s("a")})], "nope": [put({"p": s("a")})]}
        )
    assert get(client, "hash", {"p": s("a")}) is None


def test_batch_write_request_shapes(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="cannot be null or empty: hash"):
        client.batch_write_item(RequestItems={"hash": []})
    with pytest.raises(client.exceptions.ValidationException, match="requestItems"):
        client.batch_write_item(RequestItems={})
    for write in ({}, {"PutRequest": {"Item": {"p": s("a")}}, "DeleteRequest": {"Key": {"p": s("a")}}}):
        with pytest.raises(client.exceptions.ValidationException, match="exactly one"):
            client.batch_write_item(RequestItems={"hash": [write]})
    with pytest.raises(client.exceptions.ValidationException, match="returnConsumedCapacity"):
        client.batch_write_item(RequestItems={"hash": [put({"p": s("a")})]}, ReturnConsumedCapacity="ALL")
    with pytest.raises(client.exceptions.ValidationException, match="returnItemCollectionMetrics"):
        client.batch_write_item(RequestItems={"hash": [put({"p": s("a")})]}, ReturnItemCollectionMetrics="ALL")


def test_batch_write_over_16_mb_rejected(client: Any) -> None:
    big = "x" * (690 * KB)  # 25 of these are 16.8 MB; each is over 400 KB as well
    with pytest.raises(client.exceptions.ValidationException, match="16 MB"):
        client.batch_write_item(RequestItems={"hash": [put({"p": s(f"k{i}"), "b": s(big)}) for i in range(25)]})


def test_batch_write_consumed_capacity_rounds_each_write(client: Any) -> None:
    # DG ProvisionedThroughput: 0.5 KB + 3.5 KB = 1 + 4 = 5 WCU (each write rounded up on its own).
    client.put_item(TableName="ranged", Item={"p": s("old"), "c": n(1), "a": s("a" * (2 * KB))})
    response = client.batch_write_item(
        RequestItems={
            "hash": [
                put({"p": s("a"), "v": s("x" * 500)}),
                put({"p": s("b"), "v": s("x" * (3 * KB + 500))}),
            ],
            "ranged": [delete({"p": s("old"), "c": n(1)}), delete({"p": s("none"), "c": n(1)})],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["ConsumedCapacity"] == [
        {"TableName": "hash", "CapacityUnits": 5.0},
        {"TableName": "ranged", "CapacityUnits": 4.0},  # 3 for the 2 KB+ item, 1 for a missing one
    ]


def test_batch_put_over_a_larger_item_pays_for_the_larger(client: Any) -> None:
    client.put_item(TableName="hash", Item={"p": s("k"), "a": s("a" * (2 * KB))})
    response = client.batch_write_item(
        RequestItems={"hash": [put({"p": s("k"), "a": s("hi")})]}, ReturnConsumedCapacity="TOTAL"
    )
    assert response["ConsumedCapacity"] == [{"TableName": "hash", "CapacityUnits": 3.0}]


def test_batch_write_indexes_capacity_and_item_collection_metrics(cloud: Cloud) -> None:
    client = cloud.client("dynamodb")
    make_table(
        client,
        "indexed",
        range_key=True,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_l",
                "KeySchema": [
                    {"AttributeName": "p", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    response = client.batch_write_item(
        RequestItems={
            "indexed": [
                put({"p": s("a"), "c": n(1), "g": s("g1"), "l": s("l1")}),
                put({"p": s("a"), "c": n(2), "g": s("g1")}),
                put({"p": s("b"), "c": n(1)}),
            ]
        },
        ReturnConsumedCapacity="INDEXES",
        ReturnItemCollectionMetrics="SIZE",
    )
    assert response["ConsumedCapacity"] == [
        {
            "TableName": "indexed",
            "CapacityUnits": 6.0,
            "Table": {"CapacityUnits": 3.0},
            "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 2.0}},
            "LocalSecondaryIndexes": {"by_l": {"CapacityUnits": 1.0}},
        }
    ]
    metrics = response["ItemCollectionMetrics"]["indexed"]
    assert [m["ItemCollectionKey"] for m in metrics] == [{"p": s("a")}, {"p": s("a")}, {"p": s("b")}]
    assert all(m["SizeEstimateRangeGB"] == [0.0, 1.0] for m in metrics)


def test_item_collection_metrics_only_for_tables_with_lsis(client: Any) -> None:
    response = client.batch_write_item(
        RequestItems={"hash": [put({"p": s("a")})]}, ReturnItemCollectionMetrics="SIZE"
    )
    assert response["ItemCollectionMetrics"] == {}


# -- BatchGetItem -----------------------------------------------------------------------------


def fill(client: Any) -> None:
    client.batch_write_item(
        RequestItems={
            "hash": [put({"p": s(f"k{i}"), "v": n(i), "w": s("x")}) for i in range(5)],
            "ranged": [put({"p": s("a"), "c": n(i), "v": n(i)}) for i in range(5)],
        }
    )


def test_batch_get_across_tables_in_request_order(client: Any) -> None:
    fill(client)
    response = client.batch_get_item(
        RequestItems={
            "ranged": {"Keys": [{"p": s("a"), "c": n(i)} for i in (3, 1, 9, 0)], "ConsistentRead": True},
            "hash": {"Keys": [{"p": s("k4")}, {"p": s("missing")}, {"p": s("k2")}]},
        }
    )
    assert response["UnprocessedKeys"] == {}
    assert "ConsumedCapacity" not in response
    assert list(response["Responses"]) == ["ranged", "hash"]
    assert [i["c"] for i in response["Responses"]["ranged"]] == [n(3), n(1), n(0)]
    assert response["Responses"]["hash"] == [
        {"p": s("k4"), "v": n(4), "w": s("x")},
        {"p": s("k2"), "v": n(2), "w": s("x")},
    ]


def test_batch_get_table_whose_keys_all_miss_gives_an_empty_list(client: Any) -> None:
    response = client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": s("nothing")}]}})
    assert response["Responses"] == {"hash": []}


def test_batch_get_duplicate_keys_rejected(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": s("a")}, {"p": s("a")}]}})
    assert error(info) == ("ValidationException", "Provided list of item keys contains duplicates")
    client.batch_get_item(
        RequestItems={"ranged": {"Keys": [{"p": s("a"), "c": n(1)}, {"p": s("a"), "c": n(2)}]}}
    )


def test_batch_get_100_ok_101_too_many(client: Any) -> None:
    response = client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": s(f"k{i}")} for i in range(100)]}})
    assert response["Responses"]["hash"] == []
    with pytest.raises(client.exceptions.ValidationException) as info:
        client.batch_get_item(
            RequestItems={
                "hash": {"Keys": [{"p": s(f"k{i}")} for i in range(50)]},
                "ranged": {"Keys": [{"p": s("a"), "c": n(i)} for i in range(51)]},
            }
        )
    assert error(info) == ("ValidationException", "Too many items requested for the BatchGetItem call")


def test_batch_get_request_validation(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException, match="hash has empty list"):
        client.batch_get_item(RequestItems={"hash": {"Keys": []}})
    with pytest.raises(client.exceptions.ValidationException, match="does not match the schema"):
        client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": n(1)}]}})
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": s("a")}]}, "nope": {"Keys": [{"p": s("a")}]}})


def test_batch_get_projection(client: Any) -> None:
    fill(client)
    keys = [{"p": s("k1")}, {"p": s("k2")}]
    response = client.batch_get_item(
        RequestItems={"hash": {"Keys": keys, "ProjectionExpression": "#v", "ExpressionAttributeNames": {"#v": "v"}}}
    )
    assert response["Responses"]["hash"] == [{"v": n(1)}, {"v": n(2)}]
    response = client.batch_get_item(RequestItems={"hash": {"Keys": keys, "AttributesToGet": ["p", "w"]}})
    assert response["Responses"]["hash"] == [{"p": s("k1"), "w": s("x")}, {"p": s("k2"), "w": s("x")}]
    with pytest.raises(client.exceptions.ValidationException, match="unused"):
        client.batch_get_item(
            RequestItems={
                "hash": {
                    "Keys": keys,
                    "ProjectionExpression": "#v",
                    "ExpressionAttributeNames": {"#v": "v", "#unused": "u"},
                }
            }
        )
    with pytest.raises(client.exceptions.ValidationException, match="non-expression"):
        client.batch_get_item(
            RequestItems={"hash": {"Keys": keys, "ProjectionExpression": "v", "AttributesToGet": ["v"]}}
        )


def test_batch_get_16_mb_limit_leaves_unprocessed_keys_in_request_shape(client: Any) -> None:
    body = "x" * (350 * KB)
    for start in (0, 25):
        client.batch_write_item(
            RequestItems={"hash": [put({"p": s(f"k{i:02}"), "b": s(body)}) for i in range(start, start + 25)]}
        )
    size = len("p") + 3 + len("b") + len(body)  # one item's size in bytes
    fits = (16 * KB * KB) // size
    assert fits == 46
    request = {
        "hash": {
            "Keys": [{"p": s(f"k{i:02}")} for i in range(50)],
            "ConsistentRead": True,
            "ProjectionExpression": "p",
        }
    }
    response = client.batch_get_item(RequestItems=request, ReturnConsumedCapacity="TOTAL")
    assert [i["p"]["S"] for i in response["Responses"]["hash"]] == [f"k{i:02}" for i in range(fits)]
    assert response["UnprocessedKeys"] == {
        "hash": {
            "Keys": [{"p": s(f"k{i:02}")} for i in range(fits, 50)],
            "ConsistentRead": True,
            "ProjectionExpression": "p",
        }
    }
    # 350 KB rounds up to 88 units of 4 KB per item, each item separately.
    assert response["ConsumedCapacity"] == [{"TableName": "hash", "CapacityUnits": 88.0 * fits}]
    again = client.batch_get_item(RequestItems=response["UnprocessedKeys"])
    assert len(again["Responses"]["hash"]) == 50 - fits
    assert again["UnprocessedKeys"] == {}


def test_batch_get_consumed_capacity(client: Any) -> None:
    # DG ProvisionedThroughput: 1.5 KB + 6.5 KB read in one BatchGetItem = 4 KB + 8 KB = 3 RCU.
    client.put_item(TableName="hash", Item={"p": s("a"), "v": s("x" * (1536 - 2))})
    client.put_item(TableName="hash", Item={"p": s("b"), "v": s("x" * (6656 - 2))})
    keys = [{"p": s("a")}, {"p": s("b")}]
    strong = client.batch_get_item(
        RequestItems={"hash": {"Keys": keys, "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL"
    )
    assert strong["ConsumedCapacity"] == [{"TableName": "hash", "CapacityUnits": 3.0}]
    eventual = client.batch_get_item(
        RequestItems={"hash": {"Keys": keys}, "ranged": {"Keys": [{"p": s("z"), "c": n(1)}]}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert eventual["ConsumedCapacity"] == [
        {"TableName": "hash", "CapacityUnits": 1.5, "Table": {"CapacityUnits": 1.5}},
        {"TableName": "ranged", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}},
    ]


def test_batch_get_returns_copies(client: Any) -> None:
    client.put_item(TableName="hash", Item={"p": s("a"), "l": {"L": [n(1)]}})
    response = client.batch_get_item(RequestItems={"hash": {"Keys": [{"p": s("a")}]}})
    response["Responses"]["hash"][0]["l"]["L"].append(n(2))
    assert get(client, "hash", {"p": s("a")}) == {"p": s("a"), "l": {"L": [n(1)]}}
