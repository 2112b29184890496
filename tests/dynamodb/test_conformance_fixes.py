"""Engine bugs and message differences found by the Alternator conformance run
(docs/conformance.md), one test each. Expected texts: AWS's, as ScyllaDB Alternator's tests
(run against DynamoDB) observe them."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import (
    LimitExceededException,
    ResourceNotFoundException,
    ValidationException,
)


def S(v):
    return {"S": v}


def msg(excinfo) -> str:
    return excinfo.value.response["Error"]["Message"]


@pytest.fixture
def ddb():
    client = Cloud(seed=11).client("dynamodb")
    client.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"},
                              {"AttributeName": "x", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName="hash", KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    return client


def simple(client, name, **kw):
    return client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=kw.pop("defs", [{"AttributeName": "p", "AttributeType": "S"}]),
        BillingMode="PAY_PER_REQUEST", **kw)


def test_create_table_attribute_definition_without_name_is_a_validation_error(ddb):
    # Used to crash (TypeError, HTTP 500).
    with pytest.raises(ValidationException) as e:
        simple(ddb, "bad", defs=[{"AttributeType": "S"}])
    assert "Value null at 'attributeDefinitions.1.member.attributeName'" in msg(e)
    with pytest.raises(ValidationException) as e:
        simple(ddb, "bad", defs=[{"AttributeName": "p"}])
    assert "attributeDefinitions.1.member.attributeType" in msg(e)
    with pytest.raises(ValidationException) as e:
        simple(ddb, "bad", defs=[{"AttributeName": "p" * 256, "AttributeType": "S"}])
    assert "Member must have length less than or equal to 255" in msg(e)


def test_describe_endpoints(ddb):
    assert ddb.describe_endpoints()["Endpoints"] == [
        {"Address": "dynamodb.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}]


def test_gsi_projection_type_is_required(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.create_table(
            TableName="tbl2", KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
                                     "Projection": {}}],
            BillingMode="PAY_PER_REQUEST")
    assert msg(e) == "One or more parameter values were invalid: Unknown ProjectionType: null"


def test_update_table_gsi_updates_shape(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[])
    assert msg(e).startswith("At least one of ProvisionedThroughput")
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[
            {"Create": {"IndexName": "ind", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}}, "Delete": {"IndexName": "gsi"}}])
    assert msg(e) == ("One or more parameter values were invalid: Only one global secondary index action "
                      "is allowed per GlobalSecondaryIndexUpdate object")
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "N"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {
                             "IndexName": "ind", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}}])
    assert "Attributes cannot be redefined" in msg(e)
    with pytest.raises(ValidationException) as e:  # x must be defined again in the request
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "ind", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    assert "Some index key attributes are not defined in AttributeDefinitions" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {
                             "IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}}])
    assert msg(e) == "Attempting to create an index which already exists"
    with pytest.raises(LimitExceededException):
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "gsi"}}, {"Delete": {"IndexName": "other"}}])


def test_delete_table_description_leaves_out_the_schema(ddb):
    out = ddb.delete_table(TableName="tbl")["TableDescription"]
    assert out["TableStatus"] == "DELETING" and out["TableName"] == "tbl"
    for member in ("KeySchema", "AttributeDefinitions", "CreationDateTime", "GlobalSecondaryIndexes"):
        assert member not in out


def test_tags_validation(ddb):
    arn = ddb.describe_table(TableName="hash")["Table"]["TableArn"]
    with pytest.raises(ValidationException) as e:
        ddb.tag_resource(ResourceArn="I_do_not_exist", Tags=[{"Key": "7", "Value": "8"}])
    assert msg(e) == "One or more parameter values were invalid: ARNs must start with 'arn:': I_do_not_exist"
    with pytest.raises(ValidationException) as e:
        ddb.tag_resource(ResourceArn=arn, Tags=[])
    assert msg(e) == "Atleast one Tag needs to be provided as Input."
    for bad in ("hi!", 'd%g'):
        with pytest.raises(ValidationException):
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": bad, "Value": "dog"}])
        with pytest.raises(ValidationException):
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "dog", "Value": bad}])
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a b_c.d:e/f=g+h-i@j", "Value": "ok"}])
    gsi_arn = ddb.describe_table(TableName="tbl")["Table"]["GlobalSecondaryIndexes"][0]["IndexArn"]
    with pytest.raises(ValidationException) as e:
        ddb.list_tags_of_resource(ResourceArn=gsi_arn)
    assert "only table or stream is accepted" in msg(e)
    with pytest.raises(ValidationException) as e:
        simple(ddb, "many", Tags=[{"Key": str(i), "Value": str(i)} for i in range(51)])
    assert msg(e) == "Number of Tags exceed the current limit for the provided ResourceArn"
    with pytest.raises(ResourceNotFoundException):
        ddb.describe_table(TableName="many")


def test_invalid_table_name_on_data_plane_is_a_validation_error(ddb):
    with pytest.raises(ValidationException):
        ddb.put_item(TableName="non!existent!table", Item={"a": S("b")})
    with pytest.raises(ValidationException):
        ddb.put_item(TableName="xx", Item={"a": S("b")})
    with pytest.raises(ResourceNotFoundException):
        ddb.put_item(TableName="valid_but_missing", Item={"a": S("b")})


def test_key_condition_on_a_non_key_of_a_hash_only_index(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="tbl", IndexName="gsi", KeyConditionExpression="x = :x AND p = :p",
                  ExpressionAttributeValues={":x": S("1"), ":p": S("2")})
    assert msg(e) == "Query key condition not supported"


def test_batch_write_more_than_25_for_one_table(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.batch_write_item(RequestItems={"hash": [{"PutRequest": {"Item": {"p": S(str(i))}}} for i in range(26)]})
    assert "Member must have length less than or equal to 25" in msg(e)


def test_scan_applies_attributes_to_get_without_expressions(ddb):
    # AttributesToGet used to be ignored by a Scan with no expression at all.
    ddb.put_item(TableName="hash", Item={"p": S("1"), "a": S("x"), "b": S("y")})
    assert ddb.scan(TableName="hash", AttributesToGet=["a"])["Items"] == [{"a": S("x")}]


def test_gsi_refuses_unprojected_attributes(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="tbl", IndexName="gsi", KeyConditionExpression="x = :x",
                  ExpressionAttributeValues={":x": S("1")}, ProjectionExpression="b")
    assert msg(e) == "One or more parameter values were invalid: Global secondary index gsi does not project [b]"


def test_gsi_key_size_limits(ddb):
    ddb.put_item(TableName="tbl", Item={"p": S("1"), "c": S("1"), "x": S("a" * 2048)})
    with pytest.raises(ValidationException) as e:
        ddb.put_item(TableName="tbl", Item={"p": S("2"), "c": S("1"), "x": S("a" * 2049)})
    assert "2048" in msg(e)
    assert "Item" not in ddb.get_item(TableName="tbl", Key={"p": S("2"), "c": S("1")})


def test_exclusive_start_key_checks(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="hash", KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S("a")},
                  ExclusiveStartKey={"p": S("a")})
    assert "ExclusiveStartKey" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="tbl", KeyConditionExpression="p = :p AND c = :c",
                  ExpressionAttributeValues={":p": S("a"), ":c": S("b")},
                  ExclusiveStartKey={"p": S("a"), "c": S("z")})
    assert "outside query boundaries" in msg(e)


def test_attribute_names_up_to_65535_bytes(ddb):
    ddb.put_item(TableName="hash", Item={"p": S("1"), "n" * 65535: S("x")})
    for name in ("n" * 65536, "é" * 32768):
        with pytest.raises(ValidationException) as e:
            ddb.put_item(TableName="hash", Item={"p": S("1"), name: S("x")})
        assert "65535" in msg(e)
    with pytest.raises(ValidationException) as e:
        ddb.get_item(TableName="hash", Key={"p": S("1")}, ProjectionExpression="#n",
                     ExpressionAttributeNames={"#n": "n" * 65536})
    assert "65535" in msg(e)
