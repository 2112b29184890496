"""Lifecycle expiration on the clock: AWS's midnight rounding, prefixes, versions."""

from __future__ import annotations

import datetime as dt

import pytest

import s3sim_helpers
from serverless_sim import Cloud
from serverless_sim.s3.lifecycle import expiry_us
from serverless_sim.kernel.clock import format_us, instant_to_us


@pytest.fixture
def cloud(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    return Cloud(seed=2, start="2014-01-15T10:30:00Z")


@pytest.fixture
def s3(cloud):
    client = cloud.client("s3")
    client.create_bucket(Bucket="logs")
    return client


def test_rounding_to_next_midnight_as_aws_documents():
    # "created on 1/15/2014 10:30 AM UTC and you specify 3 days ... 1/19/2014 00:00 UTC"
    assert format_us(expiry_us(instant_to_us("2014-01-15T10:30:00Z"), 3)).startswith(
        "2014-01-19T00:00:00")


def test_expiration_days_with_prefix_filter(cloud, s3):
    s3.put_bucket_lifecycle_configuration(Bucket="logs", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "Expiration": {"Days": 3}}]})
    s3.put_object(Bucket="logs", Key="tmp/a", Body=b"x")
    s3.put_object(Bucket="logs", Key="keep/a", Body=b"x")
    assert cloud.run_until_idle() == 0  # the sweep is a daemon
    cloud.run("2014-01-18T23:59:59Z")
    assert cloud.service("s3").keys("logs") == ["keep/a", "tmp/a"]
    cloud.run("2014-01-19T00:00:00Z")
    assert cloud.service("s3").keys("logs") == ["keep/a"]
    assert s3.get_bucket_lifecycle_configuration(Bucket="logs")["Rules"][0]["ID"] == "tmp"


def test_expiration_date_and_versioned_bucket_gets_delete_marker(cloud, s3):
    s3.put_bucket_versioning(Bucket="logs", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="logs", LifecycleConfiguration={"Rules": [
        {"ID": "all", "Status": "Enabled", "Filter": {},
         "Expiration": {"Date": dt.datetime(2014, 2, 1, tzinfo=dt.timezone.utc)}}]})
    s3.put_object(Bucket="logs", Key="a", Body=b"x")
    cloud.run("2014-02-01T00:00:00Z")
    versions = s3.list_object_versions(Bucket="logs")
    assert len(versions["Versions"]) == 1 and versions["DeleteMarkers"][0]["IsLatest"] is True


def test_noncurrent_version_expiration(cloud, s3):
    s3.put_bucket_versioning(Bucket="logs", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_lifecycle_configuration(Bucket="logs", LifecycleConfiguration={"Rules": [
        {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    s3.put_object(Bucket="logs", Key="a", Body=b"1")
    cloud.advance(3600)
    s3.put_object(Bucket="logs", Key="a", Body=b"2")
    cloud.run("2014-01-18T00:00:00Z")
    assert [v["IsLatest"] for v in s3.list_object_versions(Bucket="logs")["Versions"]] == [True]


def test_lifecycle_validation(s3):
    bad = [
        {"Status": "Enabled", "Expiration": {"Days": 0}},
        {"Status": "Enabled", "Expiration": {"Date": dt.datetime(2014, 2, 1, 5)}},
        {"Status": "Maybe", "Expiration": {"Days": 1}},
        {"Status": "Enabled"},
    ]
    for rule in bad:
        with pytest.raises(s3.exceptions.ClientError):
            s3.put_bucket_lifecycle_configuration(Bucket="logs",
                                                  LifecycleConfiguration={"Rules": [rule]})
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_bucket_lifecycle_configuration(Bucket="logs")
    assert e.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"


def test_lifecycle_expiration_event(cloud, s3):
    fn = cloud.service("lambda").create("f")
    s3.put_bucket_notification_configuration(Bucket="logs", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": fn,
                                          "Events": ["s3:LifecycleExpiration:*"]}]})
    s3.put_bucket_lifecycle_configuration(Bucket="logs", LifecycleConfiguration={"Rules": [
        {"ID": "x", "Status": "Enabled", "Prefix": "", "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket="logs", Key="a", Body=b"x")
    cloud.run("2014-01-18T00:00:00Z")
    (p,) = cloud.service("lambda").payloads(fn)
    assert p["Records"][0]["eventName"] == "LifecycleExpiration:Delete"
