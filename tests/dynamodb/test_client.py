"""The boto3-shaped client over the DynamoDB wire operations."""

from __future__ import annotations

import pytest

from serverless_sim import AWSError, Cloud


@pytest.fixture
def ddb():
    client = Cloud().client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="tbl", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )
    return client


def test_operations_are_methods(ddb):
    for name in ["create_table", "describe_table", "list_tables", "update_table", "delete_table",
                 "put_item", "get_item", "update_item", "delete_item", "query", "scan",
                 "tag_resource", "untag_resource", "list_tags_of_resource", "describe_limits",
                 "describe_time_to_live"]:
        assert callable(getattr(ddb, name))


def test_response_metadata_and_errors(ddb):
    out = ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)")
    assert isinstance(e.value, ddb.exceptions.ClientError) and isinstance(e.value, AWSError)
    assert e.value.response["Error"] == {"Code": "ConditionalCheckFailedException",
                                         "Message": "The conditional request failed"}
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "when calling the PutItem operation" in str(e.value)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    with pytest.raises(TypeError):
        ddb.get_item("tbl")


def test_shapes_match_botocore_model(ddb):
    botocore = pytest.importorskip("botocore.session")
    model = botocore.get_session().get_service_model("dynamodb")
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"N": "1"}})
    responses = {
        "DescribeTable": ddb.describe_table(TableName="tbl"),
        "Query": ddb.query(TableName="tbl", KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "a"}}, ReturnConsumedCapacity="INDEXES"),
        "Scan": ddb.scan(TableName="tbl", Limit=1),
        "UpdateItem": ddb.update_item(TableName="tbl", Key={"pk": {"S": "a"}}, UpdateExpression="SET y = :y",
                                      ExpressionAttributeValues={":y": {"S": "z"}}, ReturnValues="ALL_NEW",
                                      ReturnConsumedCapacity="TOTAL"),
        "ListTables": ddb.list_tables(),
        "DescribeLimits": ddb.describe_limits(),
    }

    def check(shape, value, path):
        if shape.type_name == "structure":
            assert isinstance(value, dict), path
            for key, sub in value.items():
                if key == "ResponseMetadata":
                    continue
                assert key in shape.members, f"{path}.{key} not in {shape.name}"
                check(shape.members[key], sub, f"{path}.{key}")
        elif shape.type_name == "list":
            for i, sub in enumerate(value):
                check(shape.member, sub, f"{path}[{i}]")
        elif shape.type_name == "map":
            for k, sub in value.items():
                check(shape.value, sub, f"{path}[{k}]")

    for op, response in responses.items():
        check(model.operation_model(op).output_shape, response, op)
