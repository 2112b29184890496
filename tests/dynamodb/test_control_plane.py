"""Control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)


@pytest.fixture
def cloud():
    return Cloud(seed=3)


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


def S(name):
    return {"AttributeName": name, "AttributeType": "S"}


def N(name):
    return {"AttributeName": name, "AttributeType": "N"}


def H(name):
    return {"AttributeName": name, "KeyType": "HASH"}


def R(name):
    return {"AttributeName": name, "KeyType": "RANGE"}


def create(ddb, name="tbl", **kw):
    kw.setdefault("KeySchema", [H("pk")])
    kw.setdefault("AttributeDefinitions", [S("pk")])
    if "ProvisionedThroughput" not in kw:
        kw.setdefault("BillingMode", "PAY_PER_REQUEST")
    return ddb.create_table(TableName=name, **kw)


def err(excinfo):
    return excinfo.value.response["Error"]


# -- CreateTable -------------------------------------------------------------------------------
def test_create_table_description_shape(ddb, cloud):
    out = create(
        ddb,
        KeySchema=[H("pk"), R("sk")],
        AttributeDefinitions=[S("pk"), N("sk")],
        Tags=[{"Key": "team", "Value": "a"}],
    )["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    assert out["TableName"] == "tbl"
    assert out["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/tbl"
    assert out["KeySchema"] == [H("pk"), R("sk")]
    assert out["AttributeDefinitions"] == [S("pk"), N("sk")]
    assert out["CreationDateTime"] == cloud.now
    assert out["ItemCount"] == 0 and out["TableSizeBytes"] == 0
    assert out["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert out["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": 0,
        "WriteCapacityUnits": 0,
    }
    assert out["DeletionProtectionEnabled"] is False
    assert len(out["TableId"]) == 36
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["TableStatus"] == "ACTIVE"  # default delay 0
    assert desc["TableId"] == out["TableId"]


def test_table_id_is_deterministic():
    ids = []
    for _ in range(2):
        ddb = Cloud(seed=11).client("dynamodb")
        ids.append(create(ddb)["TableDescription"]["TableId"])
    assert ids[0] == ids[1]


def test_create_provisioned(ddb):
    out = ddb.create_table(
        TableName="prov",
        KeySchema=[H("pk")],
        AttributeDefinitions=[S("pk")],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
    )["TableDescription"]
    assert out["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert out["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert "BillingModeSummary" not in out


def test_create_table_already_exists(ddb):
    create(ddb)
    with pytest.raises(ResourceInUseException) as e:
        create(ddb)
    assert err(e)["Message"] == "Table already exists: tbl"


@pytest.mark.parametrize(
    "kw, message",
    [
        (
            {"AttributeDefinitions": [S("pk"), S("other")]},
            "One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            {"AttributeDefinitions": [S("x")]},
            "One or more parameter values were invalid: Some index key attributes are not defined "
            "in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [x]",
        ),
        (
            {"KeySchema": [R("pk")]},
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            {"KeySchema": [H("pk"), H("sk")], "AttributeDefinitions": [S("pk"), S("sk")]},
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ),
        (
            {"KeySchema": [H("pk"), R("pk")]},
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
    ],
)
def test_create_table_schema_errors(ddb, kw, message):
    with pytest.raises(ValidationException) as e:
        create(ddb, **kw)
    assert err(e)["Message"] == message
    assert ddb.list_tables()["TableNames"] == []


def test_create_table_shape_errors(ddb):
    with pytest.raises(ValidationException) as e:
        create(ddb, name="ab")
    assert "Member must have length greater than or equal to 3" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, name="bad name!")
    assert "regular expression pattern: [a-zA-Z0-9_.-]+" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}])
    assert err(e)["Message"].startswith("1 validation error detected: Value 'BOOL' at ")
    with pytest.raises(ValidationException) as e:
        create(ddb, KeySchema=[H("a"), R("b"), R("c")])
    assert "Member must have length less than or equal to 2" in err(e)["Message"]


def test_billing_mode_errors(ddb):
    with pytest.raises(ValidationException) as e:
        ddb.create_table(TableName="tbl", KeySchema=[H("pk")], AttributeDefinitions=[S("pk")])
    assert err(e)["Message"] == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED"
    )
    with pytest.raises(ValidationException) as e:
        create(
            ddb,
            BillingMode="PAY_PER_REQUEST",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )
    assert "Neither ReadCapacityUnits nor WriteCapacityUnits" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, BillingMode=None or "PROVISIONED",
               ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1})
    assert "Member must have value greater than or equal to 1" in err(e)["Message"]


def gsi(name, hash_key, range_key=None, projection=None, **extra):
    keys = [H(hash_key)] + ([R(range_key)] if range_key else [])
    return {"IndexName": name, "KeySchema": keys, "Projection": projection or {"ProjectionType": "ALL"}, **extra}


def test_index_validation(ddb):
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[S("pk"), S("g"), S("unused")],
               GlobalSecondaryIndexes=[gsi("byG", "g")])
    assert "Some AttributeDefinitions are not used" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[S("pk"), S("g")],
               GlobalSecondaryIndexes=[gsi("byG", "g"), gsi("byG", "g")])
    assert err(e)["Message"].endswith("Duplicate index name: byG")
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[S("pk"), S("g")],
               GlobalSecondaryIndexes=[gsi(f"g{i:02d}", "g") for i in range(21)])
    assert "limit of 20" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[S("pk"), S("g")],
               LocalSecondaryIndexes=[gsi("lsi", "pk", "g")])
    assert "Table KeySchema does not have a range key" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, KeySchema=[H("pk"), R("sk")], AttributeDefinitions=[S("pk"), S("sk"), S("g")],
               LocalSecondaryIndexes=[gsi("lsi", "g", "sk")])
    assert "does not have the same leading hash key" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, KeySchema=[H("pk"), R("sk")], AttributeDefinitions=[S("pk"), S("sk"), S("g")],
               LocalSecondaryIndexes=[gsi(f"l{i:02d}", "pk", "g") for i in range(6)])
    assert "limit of 5" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        create(ddb, AttributeDefinitions=[S("pk"), S("g")],
               GlobalSecondaryIndexes=[gsi("byG", "g", projection={"ProjectionType": "KEYS_ONLY", "NonKeyAttributes": ["x"]})])
    assert "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified" in err(e)["Message"]
    with pytest.raises(ValidationException) as e:
        ddb.create_table(TableName="tbl", KeySchema=[H("pk")], AttributeDefinitions=[S("pk"), S("g")],
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                         GlobalSecondaryIndexes=[gsi("byG", "g")])
    assert err(e)["Message"].endswith("ProvisionedThroughput must be specified for index: byG")


def test_describe_with_indexes_streams_sse_class(ddb):
    out = create(
        ddb,
        KeySchema=[H("pk"), R("sk")],
        AttributeDefinitions=[S("pk"), S("sk"), S("g"), N("l")],
        GlobalSecondaryIndexes=[gsi("byG", "g", projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]})],
        LocalSecondaryIndexes=[gsi("byL", "pk", "l", projection={"ProjectionType": "KEYS_ONLY"})],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        SSESpecification={"Enabled": True},
        TableClass="STANDARD_INFREQUENT_ACCESS",
        DeletionProtectionEnabled=True,
    )["TableDescription"]
    g = out["GlobalSecondaryIndexes"][0]
    assert g["IndexName"] == "byG" and g["IndexStatus"] == "CREATING"
    assert g["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]}
    assert g["IndexArn"] == out["TableArn"] + "/index/byG"
    l = out["LocalSecondaryIndexes"][0]
    assert set(l) == {"IndexName", "KeySchema", "Projection", "IndexSizeBytes", "ItemCount", "IndexArn"}
    assert out["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert out["LatestStreamArn"] == f"{out['TableArn']}/stream/{out['LatestStreamLabel']}"
    assert out["LatestStreamLabel"] == "2026-01-01T00:00:00.000"
    assert out["SSEDescription"]["Status"] == "ENABLED"
    assert out["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert out["DeletionProtectionEnabled"] is True
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"


def test_describe_counts_items(ddb):
    create(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "x": {"S": "yy"}})
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["ItemCount"] == 1
    assert desc["TableSizeBytes"] == 2 + 1 + 1 + 2  # "pk"+"a" + "x"+"yy"


def test_describe_missing(ddb):
    with pytest.raises(ResourceNotFoundException) as e:
        ddb.describe_table(TableName="nope")
    assert err(e)["Message"] == "Requested resource not found: Table: nope not found"


# -- status transitions --------------------------------------------------------------------
def test_status_delays(cloud, ddb):
    cloud.dynamodb.config.table_create_delay = 5
    cloud.dynamodb.config.table_delete_delay = 3
    create(ddb)
    assert ddb.describe_table(TableName="tbl")["Table"]["TableStatus"] == "CREATING"
    with pytest.raises(ResourceNotFoundException) as e:
        ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    assert err(e)["Message"] == "Requested resource not found"
    with pytest.raises(ResourceInUseException) as e:
        ddb.delete_table(TableName="tbl")
    assert err(e)["Message"] == (
        "Attempt to change a resource which is still in use: Table is being created: tbl"
    )
    with pytest.raises(ResourceInUseException):
        ddb.update_table(TableName="tbl", DeletionProtectionEnabled=True)
    cloud.advance(5)
    assert ddb.describe_table(TableName="tbl")["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    assert ddb.delete_table(TableName="tbl")["TableDescription"]["TableStatus"] == "DELETING"
    assert ddb.describe_table(TableName="tbl")["Table"]["TableStatus"] == "DELETING"
    with pytest.raises(ResourceNotFoundException):
        ddb.get_item(TableName="tbl", Key={"pk": {"S": "a"}})
    cloud.advance(3)
    with pytest.raises(ResourceNotFoundException):
        ddb.describe_table(TableName="tbl")
    statuses = [r.attributes["status"] for r in cloud.trace if r.kind == "table_status"]
    assert statuses == ["CREATING", "ACTIVE", "DELETING", "DELETED"]


# -- ListTables ------------------------------------------------------------------------------
def test_list_tables_pagination(ddb):
    for name in ["ccc", "aaa", "bbb", "ddd"]:
        create(ddb, name=name)
    assert ddb.list_tables()["TableNames"] == ["aaa", "bbb", "ccc", "ddd"]
    page = ddb.list_tables(Limit=2)
    assert page["TableNames"] == ["aaa", "bbb"] and page["LastEvaluatedTableName"] == "bbb"
    page = ddb.list_tables(Limit=2, ExclusiveStartTableName="bbb")
    assert page["TableNames"] == ["ccc", "ddd"] and "LastEvaluatedTableName" not in page
    with pytest.raises(ValidationException) as e:
        ddb.list_tables(Limit=0)
    assert "Member must have value greater than or equal to 1" in err(e)["Message"]
    with pytest.raises(ValidationException):
        ddb.list_tables(Limit=101)


# -- DeleteTable -----------------------------------------------------------------------------
def test_delete_table(ddb):
    create(ddb)
    out = ddb.delete_table(TableName="tbl")["TableDescription"]
    assert out["TableStatus"] == "DELETING"
    assert ddb.list_tables()["TableNames"] == []
    with pytest.raises(ResourceNotFoundException) as e:
        ddb.delete_table(TableName="tbl")
    assert err(e)["Message"] == "Requested resource not found: Table: tbl not found"
    create(ddb)  # the name is free again


def test_deletion_protection(ddb):
    create(ddb, DeletionProtectionEnabled=True)
    with pytest.raises(ValidationException) as e:
        ddb.delete_table(TableName="tbl")
    assert err(e)["Message"] == (
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first."
    )
    ddb.update_table(TableName="tbl", DeletionProtectionEnabled=False)
    ddb.delete_table(TableName="tbl")


# -- UpdateTable -----------------------------------------------------------------------------
def test_update_table_nothing(ddb):
    create(ddb)
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl")
    assert err(e)["Message"].startswith("At least one of ProvisionedThroughput, BillingMode")


def test_update_throughput_and_billing(ddb, cloud):
    ddb.create_table(TableName="tbl", KeySchema=[H("pk")], AttributeDefinitions=[S("pk")],
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert err(e)["Message"].startswith("The provisioned throughput for the table will not change.")
    out = ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 5})
    assert out["TableDescription"]["TableStatus"] == "UPDATING"
    pt = ddb.describe_table(TableName="tbl")["Table"]["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 10 and pt["LastIncreaseDateTime"] == cloud.now
    # Decreases: 4 freely, then one per hour.
    for r in (9, 8, 7, 6):
        cloud.advance(1)
        ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": r, "WriteCapacityUnits": 5})
    assert ddb.describe_table(TableName="tbl")["Table"]["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 4
    with pytest.raises(LimitExceededException):
        ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    cloud.advance(3600)
    ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    ddb.update_table(TableName="tbl", BillingMode="PAY_PER_REQUEST")
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    with pytest.raises(ValidationException):
        ddb.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})


def test_update_table_gsi_create_and_delete(ddb, cloud):
    create(ddb)
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    ddb.put_item(TableName="tbl", Item={"pk": {"S": "b"}})
    cloud.dynamodb.config.index_create_delay = 10
    out = ddb.update_table(
        TableName="tbl",
        AttributeDefinitions=[S("g")],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("byG", "g")}],
    )["TableDescription"]
    g = out["GlobalSecondaryIndexes"][0]
    assert g["IndexStatus"] == "CREATING" and g["Backfilling"] is True
    with pytest.raises(ValidationException) as e:
        ddb.query(TableName="tbl", IndexName="byG", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "x"}})
    assert err(e)["Message"] == "Cannot read from backfilling global secondary index: byG"
    with pytest.raises(ResourceInUseException):
        ddb.update_table(TableName="tbl", DeletionProtectionEnabled=True)
    cloud.advance(10)
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert desc["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    items = ddb.query(TableName="tbl", IndexName="byG", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "x"}})["Items"]
    assert items == [{"pk": {"S": "a"}, "g": {"S": "x"}}]
    with pytest.raises(LimitExceededException):
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "byG"}}, {"Create": gsi("byH", "g")}])
    with pytest.raises(ResourceNotFoundException):
        ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "zzz"}}])
    ddb.update_table(TableName="tbl", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName="tbl")["Table"]


def test_update_stream(ddb):
    create(ddb)
    with pytest.raises(ValidationException):
        ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    desc = ddb.describe_table(TableName="tbl")["Table"]
    assert desc["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    # AWS answers ValidationException here (ALT:test_streams.py::test_streams_enable_on_enabled).
    with pytest.raises(ValidationException) as e:
        ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert err(e)["Message"] == "Table already has an enabled stream: TableName: tbl"
    ddb.update_table(TableName="tbl", StreamSpecification={"StreamEnabled": False})
    assert "StreamSpecification" not in ddb.describe_table(TableName="tbl")["Table"]


# -- tags, limits, TTL --------------------------------------------------------------------------
def test_tags(ddb):
    arn = create(ddb, Tags=[{"Key": "a", "Value": "1"}])["TableDescription"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "a", "Value": "3"}, {"Key": "b", "Value": "2"}
    ]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    missing = arn.replace("tbl", "nope")
    with pytest.raises(ResourceNotFoundException) as e:
        ddb.list_tags_of_resource(ResourceArn=missing)
    assert err(e)["Message"] == f"Requested resource not found: ResourcArn: {missing} not found"
    with pytest.raises(ValidationException):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])


def test_describe_limits_and_ttl(ddb):
    assert ddb.describe_limits()["TableMaxReadCapacityUnits"] == 40000
    create(ddb)
    assert ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    with pytest.raises(ResourceNotFoundException):
        ddb.describe_time_to_live(TableName="nope")


def test_data_calls_accept_table_arn(ddb):
    arn = create(ddb)["TableDescription"]["TableArn"]
    ddb.put_item(TableName=arn, Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    assert isinstance(ddb.describe_table(TableName=arn)["Table"]["CreationDateTime"], dt.datetime)
