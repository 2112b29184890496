"""Buckets: names, create/delete/list/head."""

from __future__ import annotations

import pytest

import s3sim_helpers
from serverless_sim import Cloud


@pytest.fixture
def s3(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    return Cloud(seed=1).client("s3")


@pytest.mark.parametrize("name", ["abc", "my-bucket.example", "a" * 63, "1bucket"])
def test_valid_names(s3, name):
    s3.create_bucket(Bucket=name)


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper", "-start", "end-", "a..b",
                                  "192.168.5.4", "xn--abc", "sthree-x", "amzn-s3-demo-x",
                                  "x-s3alias", "x--ol-s3", "x.mrap", "x--x-s3", "x--table-s3",
                                  "under_score"])
def test_invalid_names(s3, name):
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert e.value.response["Error"] == {"Code": "InvalidBucketName",
                                         "Message": "The specified bucket is not valid."}
    assert s3.list_buckets()["Buckets"] == []


def test_create_list_head_delete(s3):
    assert s3.create_bucket(Bucket="bucket-b")["Location"] == "/bucket-b"
    s3.create_bucket(Bucket="bucket-a")
    with pytest.raises(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket="bucket-b")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["bucket-a", "bucket-b"]
    assert s3.head_bucket(Bucket="bucket-b")["BucketRegion"] == "us-east-1"
    s3.put_object(Bucket="bucket-b", Key="k", Body=b"x")
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.delete_bucket(Bucket="bucket-b")
    assert e.value.response["Error"]["Code"] == "BucketNotEmpty"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket="bucket-b", Key="k")
    s3.delete_bucket(Bucket="bucket-b")
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.head_bucket(Bucket="bucket-b")
    assert e.value.response["Error"] == {"Code": "404", "Message": "Not Found"}
    with pytest.raises(s3.exceptions.NoSuchBucket) as e:
        s3.put_object(Bucket="bucket-b", Key="k", Body=b"")
    assert e.value.message == "The specified bucket does not exist"


def test_versioned_bucket_with_delete_markers_is_not_empty(s3):
    s3.create_bucket(Bucket="ver")
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="ver", Key="k", Body=b"x")
    s3.delete_object(Bucket="ver", Key="k")
    with pytest.raises(s3.exceptions.ClientError):
        s3.delete_bucket(Bucket="ver")
