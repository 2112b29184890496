"""Target-tracking auto scaling on the virtual clock (serverless_sim/dynamodb/throughput.py):
scale out after 2 minutes above the target, scale in after 15 minutes 20 points below it, within
the minimum and maximum, obeying the decrease quota."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.dynamodb.errors import ValidationException


def make(wcu=10):
    cloud = Cloud(seed=9)
    c = cloud.client("dynamodb")
    c.create_table(
        TableName="tbl",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": wcu},
    )
    return cloud, c


def drive(cloud, c, per_second, seconds):
    """``per_second`` one-unit writes every second (throttled ones are dropped)."""
    throttled = 0
    for s in range(seconds):
        for i in range(per_second):
            try:
                c.put_item(TableName="tbl", Item={"pk": {"S": f"k{i}"}})
            except c.exceptions.ProvisionedThroughputExceededException:
                throttled += 1
        cloud.advance(1)
    return throttled


def wcu(c):
    return c.describe_table(TableName="tbl")["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"]


def test_scale_out_after_two_minutes_above_target():
    cloud, c = make(wcu=100)
    svc = cloud.dynamodb
    cloud.advance(60 - cloud.now.second)  # start on a minute boundary
    (pol,) = svc.enable_auto_scaling("tbl", write=(5, 1000), target=70.0)
    drive(cloud, c, 90, 60)  # 90% utilisation: one minute above target, no action yet
    assert wcu(c) == 100
    drive(cloud, c, 90, 61)
    assert wcu(c) == 129  # ceil(90 / 0.70)
    assert pol.activities[-1]["from"] == 100 and pol.activities[-1]["to"] == 129


def test_scale_in_after_fifteen_minutes_twenty_points_below_target():
    cloud, c = make(wcu=100)
    svc = cloud.dynamodb
    cloud.advance(60 - cloud.now.second)
    svc.enable_auto_scaling("tbl", write=(5, 1000), target=70.0)
    drive(cloud, c, 49, 14 * 60)  # 49% <= 50%: low, but only 14 minutes
    assert wcu(c) == 100
    drive(cloud, c, 49, 2 * 60)
    assert wcu(c) == 70  # ceil(49 / 0.70)


def test_no_scale_in_between_fifty_and_seventy_percent():
    cloud, c = make(wcu=100)
    svc = cloud.dynamodb
    cloud.advance(60 - cloud.now.second)
    svc.enable_auto_scaling("tbl", write=(5, 1000))
    drive(cloud, c, 60, 20 * 60)
    assert wcu(c) == 100


def test_idle_table_scales_to_its_minimum_and_obeys_the_decrease_quota():
    cloud, c = make(wcu=1000)
    svc = cloud.dynamodb
    (pol,) = svc.enable_auto_scaling("tbl", write=(5, 1000), scale_in=True)
    cloud.advance(16 * 60)
    assert wcu(c) == 5
    assert len(pol.activities) == 1


def test_decreases_beyond_the_quota_wait_an_hour():
    cloud, c = make(wcu=1000)
    svc = cloud.dynamodb
    for units in (900, 800, 700, 600):  # the first 4 decreases of the UTC day
        c.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": units})
    cloud.advance(1)
    (pol,) = svc.enable_auto_scaling("tbl", write=(5, 1000))
    cloud.advance(16 * 60)
    assert wcu(c) == 600  # 5th decrease within the hour refused; retried every minute
    cloud.advance(60 * 60)
    assert wcu(c) == 5
    assert pol.activities[-1]["time_us"] - svc.tables["tbl"].decreases[3] >= 3600 * 10**6


def test_validation():
    cloud, c = make()
    with pytest.raises(ValidationException):
        cloud.dynamodb.enable_auto_scaling("tbl", write=(5, 100), target=95.0)
    with pytest.raises(ValidationException):
        cloud.dynamodb.enable_auto_scaling("tbl", write=(0, 100))
