"""DynamoDB Streams through real boto3 (the botocore bridge): every offered operation, paging by
hand (botocore models no paginator or waiter for the service) and the modelled errors; every
response must be what botocore's parser produces from the service model (:mod:`shape_check`),
and the stream records must carry what was written."""

from __future__ import annotations

import datetime as dt

import pytest

boto3 = pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402
from shape_check import compare_bridge_http, conformance_problems, recorder, strip_metadata  # noqa: E402

SERVICE = "dynamodbstreams"
KEYS = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")


def scenario(client_factory):
    """Drive every DynamoDB Streams operation the simulator offers; returns the records."""
    out: list = []
    call = recorder(out)
    ddb = client_factory("dynamodb")
    arns = []
    for name, view in (("orders", "NEW_AND_OLD_IMAGES"), ("audit", "KEYS_ONLY"), ("plain", None)):
        spec = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}} if view else {}
        table = ddb.create_table(TableName=name, **KEYS, **spec)["TableDescription"]
        if view:
            arns.append(table["LatestStreamArn"])
    ddb.put_item(TableName="orders", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "qty": {"N": "2"},
                                           "blob": {"B": b"\x00\x01"}, "tags": {"SS": ["x", "y"]}})
    ddb.update_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}}, UpdateExpression="SET qty = :q",
                    ExpressionAttributeValues={":q": {"N": "3"}})
    for i in range(2, 5):
        ddb.put_item(TableName="orders", Item={"pk": {"S": "b"}, "sk": {"N": str(i)}})
    ddb.delete_item(TableName="orders", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    ddb.put_item(TableName="audit", Item={"pk": {"S": "k"}, "sk": {"N": "0"}, "v": {"S": "hidden"}})

    streams = client_factory(SERVICE)
    call(streams, "list_streams")
    first = call(streams, "list_streams", Limit=1)
    call(streams, "list_streams", Limit=1, ExclusiveStartStreamArn=first.get("LastEvaluatedStreamArn", arns[0]))
    call(streams, "list_streams", TableName="orders")
    call(streams, "list_streams", TableName="missing")  # ResourceNotFoundException
    call(streams, "describe_stream", StreamArn=arns[0])
    call(streams, "describe_stream", StreamArn=arns[0], Limit=1)
    missing = arns[0].replace("table/orders", "table/missing")
    call(streams, "describe_stream", StreamArn=missing)  # ResourceNotFoundException
    shard = call(streams, "describe_stream", StreamArn=arns[0])["StreamDescription"]["Shards"][0]["ShardId"]

    # Reading the shard: from the start in pages of 2, then from sequence numbers.
    it = call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId=shard,
              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seqs = []
    for _ in range(4):
        page = call(streams, "get_records", ShardIterator=it, Limit=2)
        seqs += [r["dynamodb"]["SequenceNumber"] for r in page.get("Records", [])]
        it = page.get("NextShardIterator")
        if not it:
            break
    at = call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
              SequenceNumber=seqs[1])["ShardIterator"]
    call(streams, "get_records", ShardIterator=at, Limit=1)
    after = call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId=shard,
                 ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[-2])["ShardIterator"]
    call(streams, "get_records", ShardIterator=after)
    latest = call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId=shard,
                  ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName="orders", Item={"pk": {"S": "c"}, "sk": {"N": "9"}})
    call(streams, "get_records", ShardIterator=latest)
    call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId="shardId-00000000000000000000-nothere0",
         ShardIteratorType="TRIM_HORIZON")  # ResourceNotFoundException
    call(streams, "get_shard_iterator", StreamArn=arns[0], ShardId=shard,
         ShardIteratorType="AT_SEQUENCE_NUMBER")  # ValidationException: no SequenceNumber
    call(streams, "get_records", ShardIterator="x" * 40)  # ValidationException: not an iterator
    call(streams, "get_records", ShardIterator=it or at, Limit=1001)  # ValidationException

    keys_only = call(streams, "describe_stream", StreamArn=arns[1])["StreamDescription"]["Shards"][0]["ShardId"]
    it = call(streams, "get_shard_iterator", StreamArn=arns[1], ShardId=keys_only,
              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    call(streams, "get_records", ShardIterator=it)

    # Disabling the stream closes it.
    ddb.update_table(TableName="audit", StreamSpecification={"StreamEnabled": False})
    call(streams, "describe_stream", StreamArn=arns[1])
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    records = scenario(session.client)
    return session, records


def responses(records, op):
    return [r for s, o, r in records if s == SERVICE and o == op]


def ok(records, op):
    return [r for r in responses(records, op) if "Error" not in r]


def error_codes(records, op):
    return [r["Error"]["Code"] for r in responses(records, op) if "Error" in r]


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    problems, errors, _ = conformance_problems(session, records)
    assert not problems, "\n".join(problems)
    assert errors >= 6


def test_every_offered_operation_is_exercised(run):
    _, records = run
    seen = {op for s, op, _ in records if s == SERVICE}
    missing = sorted(set(Cloud().service(SERVICE).operations) - seen)
    assert not missing, f"{SERVICE} operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_streams_list_and_page(run):
    _, records = run
    every, first, second, by_table = ok(records, "ListStreams")
    assert [s["TableName"] for s in every["Streams"]] == ["orders", "audit"]  # "plain" has no stream
    assert first["Streams"] == every["Streams"][:1] and first["LastEvaluatedStreamArn"] == every["Streams"][0]["StreamArn"]
    assert second["Streams"] == every["Streams"][1:] and "LastEvaluatedStreamArn" not in second
    assert by_table["Streams"] == every["Streams"][:1]
    arn = every["Streams"][0]["StreamArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/")
    assert arn.endswith("/" + every["Streams"][0]["StreamLabel"])
    desc = ok(records, "DescribeStream")[0]["StreamDescription"]
    assert desc["StreamStatus"] == "ENABLED" and desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["KeySchema"] == KEYS["KeySchema"] and isinstance(desc["CreationRequestDateTime"], dt.datetime)
    closed = ok(records, "DescribeStream")[-1]["StreamDescription"]
    assert closed["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in closed["Shards"][0]["SequenceNumberRange"]  # the shard is closed


def test_records_carry_what_was_written(run):
    _, records = run
    gets = responses(records, "GetRecords")
    paged = [r for page in gets[:4] for r in page.get("Records", [])]
    assert [len(p.get("Records", [])) for p in gets[:3]] == [2, 2, 2]
    assert [r["eventName"] for r in paged] == ["INSERT", "MODIFY", "INSERT", "INSERT", "INSERT", "REMOVE"]
    seqs = [r["dynamodb"]["SequenceNumber"] for r in paged]
    assert [int(s) for s in seqs] == sorted(int(s) for s in seqs) and len(set(seqs)) == 6
    insert, modify = paged[0]["dynamodb"], paged[1]["dynamodb"]
    assert insert["Keys"] == {"pk": {"S": "a"}, "sk": {"N": "1"}} and "OldImage" not in insert
    assert insert["NewImage"]["blob"] == {"B": b"\x00\x01"} and insert["NewImage"]["tags"] == {"SS": ["x", "y"]}
    assert modify["OldImage"]["qty"] == {"N": "2"} and modify["NewImage"]["qty"] == {"N": "3"}
    assert "NewImage" not in paged[-1]["dynamodb"] and paged[-1]["dynamodb"]["OldImage"]["qty"] == {"N": "3"}
    assert all(r["eventSource"] == "aws:dynamodb" and r["awsRegion"] == "us-east-1" for r in paged)
    at, after, latest = gets[4:7]
    assert at["Records"] == [paged[1]]  # AT_SEQUENCE_NUMBER includes that record
    assert after["Records"] == paged[-1:]  # AFTER_SEQUENCE_NUMBER starts past it
    assert [r["dynamodb"]["Keys"]["pk"] for r in latest["Records"]] == [{"S": "c"}]  # only what came after
    keys_only = gets[-1]["Records"][0]["dynamodb"]
    assert keys_only["StreamViewType"] == "KEYS_ONLY" and "NewImage" not in keys_only


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, "ListStreams") == ["ResourceNotFoundException"]
    assert error_codes(records, "DescribeStream") == ["ResourceNotFoundException"]
    assert error_codes(records, "GetShardIterator") == ["ResourceNotFoundException", "ValidationException"]
    assert error_codes(records, "GetRecords") == ["ValidationException", "ValidationException"]
    assert {r["ResponseMetadata"]["HTTPStatusCode"] for s, _, r in records if "Error" in r} == {400}


def test_modelled_exceptions_are_raised():
    session = Cloud().boto3_session()
    streams = session.client(SERVICE)
    with pytest.raises(streams.exceptions.ResourceNotFoundException) as e:
        streams.describe_stream(StreamArn="arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    ddb = session.client("dynamodb")
    arn = ddb.create_table(TableName="tbl", **KEYS, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    with pytest.raises(streams.exceptions.ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER")
    assert e.value.response["Error"]["Code"] == "ValidationException"


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    bridged, over_http = compare_bridge_http(scenario)
    assert strip_metadata(bridged) == strip_metadata(over_http)
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in bridged] == \
        [r["ResponseMetadata"]["HTTPStatusCode"] for _, _, r in over_http]
