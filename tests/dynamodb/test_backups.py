"""Point-in-time recovery and on-demand backups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.backups import snapshot
from serverless_sim.dynamodb.errors import (
    BackupInUseException,
    BackupNotFoundException,
    InvalidRestoreTimeException,
    PointInTimeRecoveryUnavailableException,
    TableAlreadyExistsException,
    TableNotFoundException,
    ValidationException,
)

MIN = 60
HOUR = 3600
DAY = 86_400
UTC = dt.timezone.utc


@pytest.fixture
def cloud():
    return Cloud(seed=31, start="2026-02-01T00:00:00Z")


@pytest.fixture
def ddb(cloud):
    return cloud.client("dynamodb")


def make(ddb, name="src", **kw):
    kw.setdefault("KeySchema", [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    kw.setdefault("AttributeDefinitions", [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
    ])
    if "ProvisionedThroughput" not in kw:
        kw.setdefault("BillingMode", "PAY_PER_REQUEST")
    ddb.create_table(TableName=name, **kw)


def put(ddb, pk, sk, v, name="src"):
    ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"N": str(v)}})


def items(ddb, name):
    out = {}
    for i in ddb.scan(TableName=name)["Items"]:
        out[(i["pk"]["S"], i["sk"]["N"])] = i
    return out


def enable_pitr(ddb, name="src", **kw):
    return ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, **kw}
    )


# -- DescribeContinuousBackups / UpdateContinuousBackups ----------------------------------------
def test_describe_continuous_backups_default(ddb):
    make(ddb)
    out = ddb.describe_continuous_backups(TableName="src")["ContinuousBackupsDescription"]
    assert out == {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    with pytest.raises(TableNotFoundException):
        ddb.describe_continuous_backups(TableName="missing")


def test_enable_pitr_window(cloud, ddb):
    make(ddb)
    out = enable_pitr(ddb)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert out["PointInTimeRecoveryStatus"] == "ENABLED"
    assert out["RecoveryPeriodInDays"] == 35
    assert out["EarliestRestorableDateTime"] == cloud.now
    cloud.advance(HOUR)
    desc = ddb.describe_continuous_backups(TableName="src")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert desc["EarliestRestorableDateTime"] == dt.datetime(2026, 2, 1, tzinfo=UTC)
    assert desc["LatestRestorableDateTime"] == cloud.now - dt.timedelta(minutes=5)
    cloud.advance(40 * DAY)
    desc = ddb.describe_continuous_backups(TableName="src")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert desc["EarliestRestorableDateTime"] == cloud.now - dt.timedelta(days=35)


def test_recovery_period_bounds(cloud, ddb):
    make(ddb)
    with pytest.raises(ValidationException, match="greater than or equal to 1"):
        enable_pitr(ddb, RecoveryPeriodInDays=0)
    with pytest.raises(ValidationException, match="less than or equal to 35"):
        enable_pitr(ddb, RecoveryPeriodInDays=36)
    enable_pitr(ddb, RecoveryPeriodInDays=1)
    cloud.advance(3 * DAY)
    desc = ddb.describe_continuous_backups(TableName="src")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert desc["RecoveryPeriodInDays"] == 1
    assert desc["EarliestRestorableDateTime"] == cloud.now - dt.timedelta(days=1)
    with pytest.raises(TableNotFoundException):
        enable_pitr(ddb, name="missing")


def test_reenabling_resets_earliest(cloud, ddb):
    make(ddb)
    enable_pitr(ddb)
    cloud.advance(DAY)
    ddb.update_continuous_backups(TableName="src", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert cloud.dynamodb.tables["src"].change_hooks == []
    cloud.advance(HOUR)
    desc = enable_pitr(ddb)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert desc["EarliestRestorableDateTime"] == cloud.now


# -- RestoreTableToPointInTime ------------------------------------------------------------------
def test_restore_to_an_instant(cloud, ddb):
    make(ddb)
    put(ddb, "a", 1, 0)
    enable_pitr(ddb)
    t0 = cloud.now
    cloud.advance(10 * MIN)
    put(ddb, "a", 1, 1)
    put(ddb, "b", 2, 1)
    t1 = cloud.now
    cloud.advance(10 * MIN)
    ddb.delete_item(TableName="src", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    put(ddb, "b", 2, 2)
    cloud.advance(10 * MIN)
    out = ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rr0", RestoreDateTime=t0)
    desc = out["TableDescription"]
    assert desc["TableName"] == "rr0"
    assert desc["RestoreSummary"]["SourceTableArn"].endswith(":table/src")
    assert desc["RestoreSummary"]["RestoreDateTime"] == t0
    assert {k: i["v"]["N"] for k, i in items(ddb, "rr0").items()} == {("a", "1"): "0"}
    ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rr1", RestoreDateTime=t1)
    assert {k: i["v"]["N"] for k, i in items(ddb, "rr1").items()} == {("a", "1"): "1", ("b", "2"): "1"}
    ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rr2", UseLatestRestorableTime=True)
    assert {k: i["v"]["N"] for k, i in items(ddb, "rr2").items()} == {("b", "2"): "2"}
    for name in ("rr0", "rr1", "rr2"):
        cloud.dynamodb.tables[name]._check()
    cloud.dynamodb._check_pitr(cloud.dynamodb.tables["src"])


def test_restore_errors(cloud, ddb):
    make(ddb)
    make(ddb, "other")
    with pytest.raises(PointInTimeRecoveryUnavailableException):
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rrr", UseLatestRestorableTime=True)
    enable_pitr(ddb)
    cloud.advance(HOUR)
    with pytest.raises(TableNotFoundException):
        ddb.restore_table_to_point_in_time(SourceTableName="nope", TargetTableName="rrr", UseLatestRestorableTime=True)
    with pytest.raises(TableAlreadyExistsException):
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="other", UseLatestRestorableTime=True)
    with pytest.raises(InvalidRestoreTimeException):  # before Earliest
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rrr", RestoreDateTime=cloud.now - dt.timedelta(hours=2))
    with pytest.raises(InvalidRestoreTimeException):  # after Latest (now - 5 min)
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rrr", RestoreDateTime=cloud.now - dt.timedelta(minutes=4))
    ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rrr", RestoreDateTime=cloud.now - dt.timedelta(minutes=5))
    with pytest.raises(ValidationException):
        ddb.restore_table_to_point_in_time(SourceTableName="src", TargetTableName="rr9")


def test_restore_by_arn_keeps_indexes_billing_not_stream_ttl_tags(cloud, ddb):
    make(
        ddb,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        }],
        LocalSecondaryIndexes=[{
            "IndexName": "byl",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        Tags=[{"Key": "team", "Value": "x"}],
    )
    ddb.update_time_to_live(TableName="src", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    enable_pitr(ddb)
    ddb.put_item(TableName="src", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "G"}, "l": {"S": "L"}})
    cloud.advance(HOUR)
    arn = ddb.describe_table(TableName="src")["Table"]["TableArn"]
    ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName="copy", UseLatestRestorableTime=True)
    desc = ddb.describe_table(TableName="copy")["Table"]
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert desc["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert desc["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    assert desc["LocalSecondaryIndexes"][0]["ItemCount"] == 1
    assert "StreamSpecification" not in desc and "LatestStreamArn" not in desc
    assert ddb.describe_time_to_live(TableName="copy")["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    assert ddb.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"] == []
    pitr = ddb.describe_continuous_backups(TableName="copy")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    out = ddb.query(TableName="copy", IndexName="byg", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "G"}})
    assert out["Count"] == 1
    # overrides
    ddb.restore_table_to_point_in_time(
        SourceTableName="src", TargetTableName="copy2", UseLatestRestorableTime=True,
        BillingModeOverride="PAY_PER_REQUEST", GlobalSecondaryIndexOverride=[],
    )
    d2 = ddb.describe_table(TableName="copy2")["Table"]
    assert d2["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST" and "GlobalSecondaryIndexes" not in d2


def test_pitr_memory_is_the_window(cloud, ddb):
    make(ddb)
    enable_pitr(ddb, RecoveryPeriodInDays=1)
    for i in range(100):
        put(ddb, "a", i % 10, i)
        cloud.advance(HOUR)
    log = cloud.dynamodb.pitr_log(cloud.dynamodb.tables["src"])
    assert len(log.log) <= 26  # one day of changes, folded at most hourly
    assert len(log.base) == 10
    cloud.dynamodb._check_pitr(cloud.dynamodb.tables["src"])


def test_deleted_table_keeps_a_system_backup(cloud, ddb):
    make(ddb)
    put(ddb, "a", 1, 1)
    enable_pitr(ddb)
    ddb.delete_table(TableName="src")
    assert ddb.list_backups()["BackupSummaries"] == []
    (summary,) = ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert summary["BackupName"] == "src$DeletedTableBackup"
    assert summary["BackupExpiryDateTime"] == cloud.now + dt.timedelta(days=35)
    ddb.restore_table_from_backup(TargetTableName="back", BackupArn=summary["BackupArn"])
    assert len(items(ddb, "back")) == 1
    cloud.advance(35 * DAY)
    with pytest.raises(BackupNotFoundException):
        ddb.describe_backup(BackupArn=summary["BackupArn"])


# -- on-demand backups -------------------------------------------------------------------------
def test_backup_lifecycle(cloud, ddb):
    make(ddb)
    put(ddb, "a", 1, 1)
    put(ddb, "b", 2, 2)
    details = ddb.create_backup(TableName="src", BackupName="nightly")["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE" and details["BackupType"] == "USER"
    assert details["BackupName"] == "nightly"
    assert ":table/src/backup/" in details["BackupArn"]
    assert details["BackupCreationDateTime"] == cloud.now
    put(ddb, "c", 3, 3)
    desc = ddb.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    src = desc["SourceTableDetails"]
    assert src["TableName"] == "src" and src["ItemCount"] == 2 and src["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["SourceTableFeatureDetails"]["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    out = ddb.restore_table_from_backup(TargetTableName="restored", BackupArn=details["BackupArn"])
    assert out["TableDescription"]["RestoreSummary"]["SourceBackupArn"] == details["BackupArn"]
    assert set(items(ddb, "restored")) == {("a", "1"), ("b", "2")}
    with pytest.raises(TableAlreadyExistsException):
        ddb.restore_table_from_backup(TargetTableName="restored", BackupArn=details["BackupArn"])
    deleted = ddb.delete_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(BackupNotFoundException):
        ddb.describe_backup(BackupArn=details["BackupArn"])
    with pytest.raises(BackupNotFoundException):
        ddb.delete_backup(BackupArn=details["BackupArn"])
    with pytest.raises(TableNotFoundException):
        ddb.create_backup(TableName="missing", BackupName="x1x")


def test_backup_in_use_while_creating(cloud, ddb):
    cloud.dynamodb.config.backup_create_delay = 30
    make(ddb)
    arn = ddb.create_backup(TableName="src", BackupName="b01")["BackupDetails"]["BackupArn"]
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "CREATING"
    with pytest.raises(BackupInUseException):
        ddb.delete_backup(BackupArn=arn)
    with pytest.raises(BackupInUseException):
        ddb.restore_table_from_backup(TargetTableName="r01", BackupArn=arn)
    cloud.advance(30)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    ddb.delete_backup(BackupArn=arn)


def test_list_backups_filters_and_pages(cloud, ddb):
    make(ddb)
    make(ddb, "two")
    arns = []
    for i in range(5):
        arns.append(ddb.create_backup(TableName="src" if i % 2 == 0 else "two", BackupName=f"b{i:02d}")["BackupDetails"]["BackupArn"])
        cloud.advance(HOUR)
    assert [b["BackupArn"] for b in ddb.list_backups()["BackupSummaries"]] == arns
    assert [b["BackupName"] for b in ddb.list_backups(TableName="two")["BackupSummaries"]] == ["b01", "b03"]
    start = dt.datetime(2026, 2, 1, 1, tzinfo=UTC)
    end = dt.datetime(2026, 2, 1, 3, tzinfo=UTC)
    got = ddb.list_backups(TimeRangeLowerBound=start, TimeRangeUpperBound=end)["BackupSummaries"]
    assert [b["BackupName"] for b in got] == ["b01", "b02"]  # lower inclusive, upper exclusive
    page = ddb.list_backups(Limit=2)
    assert page["LastEvaluatedBackupArn"] == arns[1]
    page2 = ddb.list_backups(Limit=2, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [b["BackupArn"] for b in page2["BackupSummaries"]] == arns[2:4]
    assert ddb.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(BackupType="ALL")["BackupSummaries"]) == 5
    with pytest.raises(ValidationException):
        ddb.list_backups(Limit=101)
    summary = ddb.list_backups()["BackupSummaries"][0]
    assert set(summary) >= {"TableName", "TableId", "TableArn", "BackupArn", "BackupName", "BackupCreationDateTime", "BackupStatus", "BackupType", "BackupSizeBytes"}


# -- property: restore == replay of the write log ----------------------------------------------
writes = st.lists(
    st.tuples(
        st.sampled_from(["put", "delete", "update"]),
        st.integers(0, 5),  # pk
        st.integers(0, 3),  # sk
        st.integers(0, 9),  # value
        st.integers(0, 7200),  # seconds to wait after
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(writes, st.integers(0, 10**9))
def test_restore_equals_replay(ops, pick):
    cloud = Cloud(seed=5)
    ddb = cloud.client("dynamodb")
    make(ddb)
    ddb.update_continuous_backups(TableName="src", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 1})
    start = cloud.now_us // 1_000_000
    model: dict = {}
    states: list[tuple[int, dict]] = [(start, {})]  # (second, model state at the end of it)
    for op, p, s, v, wait in ops:
        key = {"pk": {"S": f"p{p}"}, "sk": {"N": str(s)}}
        k = (f"p{p}", str(s))
        if op == "put":
            ddb.put_item(TableName="src", Item={**key, "v": {"N": str(v)}})
            model[k] = {**key, "v": {"N": str(v)}}
        elif op == "update":
            ddb.update_item(TableName="src", Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": str(v)}})
            model[k] = {**key, "v": {"N": str(v)}}
        else:
            ddb.delete_item(TableName="src", Key=key)
            model.pop(k, None)
        now_s = cloud.now_us // 1_000_000
        if states[-1][0] == now_s:
            states[-1] = (now_s, dict(model))
        else:
            states.append((now_s, dict(model)))
        cloud.advance(wait)
    cloud.advance(10 * 60)
    desc = ddb.describe_continuous_backups(TableName="src")["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    lo = int(desc["EarliestRestorableDateTime"].timestamp())
    hi = int(desc["LatestRestorableDateTime"].timestamp())
    t = lo + pick % (hi - lo + 1)
    expected: dict = {}
    for second, state in states:
        if second <= t:
            expected = state
    ddb.restore_table_to_point_in_time(
        SourceTableName="src", TargetTableName="dst",
        RestoreDateTime=dt.datetime.fromtimestamp(t, UTC),
    )
    got = {(i["pk"]["S"], i["sk"]["N"]): i for i in ddb.scan(TableName="dst")["Items"]}
    assert got == expected
    cloud.dynamodb.tables["dst"]._check()
    cloud.dynamodb._check_pitr(cloud.dynamodb.tables["src"])
    assert snapshot(cloud.dynamodb.tables["src"]).keys() == {(p, Decimal(s)) for p, s in model}
