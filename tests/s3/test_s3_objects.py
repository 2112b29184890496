"""Objects: put/get/head/delete/copy, bodies, ranges, metadata, ETags, conditions."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest

import s3sim_helpers
from serverless_sim import Cloud


@pytest.fixture
def cloud(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    return Cloud(seed=1, start="2026-01-01T00:00:00.250Z")


@pytest.fixture
def s3(cloud):
    client = cloud.client("s3")
    client.create_bucket(Bucket="bkt")
    return client


def test_put_get_bodies_etag_and_metadata(s3):
    for body in (b"hello", "hello", io.BytesIO(b"hello"), bytearray(b"hello")):
        r = s3.put_object(Bucket="bkt", Key="k", Body=body, ContentType="text/plain",
                          Metadata={"Owner": "me"})
        assert r["ETag"] == f'"{hashlib.md5(b"hello").hexdigest()}"'
        assert "VersionId" not in r
    got = s3.get_object(Bucket="bkt", Key="k")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain" and got["ContentLength"] == 5
    assert got["Metadata"] == {"owner": "me"}
    assert got["LastModified"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert got["AcceptRanges"] == "bytes"
    head = s3.head_object(Bucket="bkt", Key="k")
    assert head["ETag"] == got["ETag"] and "Body" not in head
    s3.put_object(Bucket="bkt", Key="raw", Body=b"")
    assert s3.head_object(Bucket="bkt", Key="raw")["ContentType"] == "binary/octet-stream"


def test_missing_keys(s3):
    with pytest.raises(s3.exceptions.NoSuchKey) as e:
        s3.get_object(Bucket="bkt", Key="nope")
    assert e.value.response["Error"] == {"Code": "NoSuchKey",
                                         "Message": "The specified key does not exist."}
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.head_object(Bucket="bkt", Key="nope")
    assert e.value.response["Error"]["Code"] == "404"


@pytest.mark.parametrize("rng, body, content_range", [
    ("bytes=0-4", b"01234", "bytes 0-4/10"),
    ("bytes=5-", b"56789", "bytes 5-9/10"),
    ("bytes=-3", b"789", "bytes 7-9/10"),
    ("bytes=8-100", b"89", "bytes 8-9/10"),
])
def test_ranges(s3, rng, body, content_range):
    s3.put_object(Bucket="bkt", Key="k", Body=b"0123456789")
    r = s3.get_object(Bucket="bkt", Key="k", Range=rng)
    assert r["Body"].read() == body and r["ContentRange"] == content_range
    assert r["ContentLength"] == len(body)


def test_unsatisfiable_and_ignored_ranges(s3):
    s3.put_object(Bucket="bkt", Key="k", Body=b"0123456789")
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", Range="bytes=10-")
    assert e.value.response["Error"] == {"Code": "InvalidRange",
                                         "Message": "The requested range is not satisfiable"}
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    whole = s3.get_object(Bucket="bkt", Key="k", Range="bytes=0-1,3-4")
    assert whole["Body"].read() == b"0123456789" and "ContentRange" not in whole


def test_limits_leave_state_unchanged(s3):
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k" * 1025, Body=b"")
    assert e.value.response["Error"]["Code"] == "KeyTooLongError"
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.put_object(Bucket="bkt", Key="k", Body=b"", Metadata={"m": "x" * 2048})
    assert e.value.response["Error"]["Code"] == "MetadataTooLarge"
    assert s3.list_objects_v2(Bucket="bkt")["KeyCount"] == 0


def test_conditional_get(s3):
    etag = s3.put_object(Bucket="bkt", Key="k", Body=b"x")["ETag"]
    assert s3.get_object(Bucket="bkt", Key="k", IfMatch=etag)["Body"].read() == b"x"
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", IfMatch='"other"')
    assert e.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_object(Bucket="bkt", Key="k", IfNoneMatch=etag)
    assert e.value.response["Error"]["Code"] == "304"


def test_delete_and_delete_objects(s3):
    for k in ("a", "b", "c"):
        s3.put_object(Bucket="bkt", Key=k, Body=k)
    assert s3.delete_object(Bucket="bkt", Key="a")["ResponseMetadata"]["HTTPStatusCode"] == 200
    s3.delete_object(Bucket="bkt", Key="a")  # idempotent
    r = s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "b"}, {"Key": "zz"}]})
    assert r["Deleted"] == [{"Key": "b"}, {"Key": "zz"}]
    assert s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": "c"}], "Quiet": True}).get(
        "Deleted") is None
    assert s3.list_objects_v2(Bucket="bkt")["KeyCount"] == 0
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.delete_objects(Bucket="bkt", Delete={"Objects": [{"Key": str(i)} for i in range(1001)]})
    assert e.value.response["Error"]["Code"] == "MalformedXML"


def test_copy_object_with_metadata_directive(s3):
    s3.put_object(Bucket="bkt", Key="src", Body=b"data", ContentType="text/plain",
                  Metadata={"a": "1"})
    s3.create_bucket(Bucket="other")
    r = s3.copy_object(Bucket="other", Key="dst", CopySource="bkt/src")
    assert r["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"data").hexdigest()}"'
    got = s3.get_object(Bucket="other", Key="dst")
    assert got["Metadata"] == {"a": "1"} and got["ContentType"] == "text/plain"
    s3.copy_object(Bucket="bkt", Key="src", CopySource={"Bucket": "bkt", "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="app/x")
    got = s3.head_object(Bucket="bkt", Key="src")
    assert got["Metadata"] == {"b": "2"} and got["ContentType"] == "app/x"
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.copy_object(Bucket="bkt", Key="src", CopySource="bkt/src")
    assert e.value.response["Error"]["Code"] == "InvalidRequest"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.copy_object(Bucket="bkt", Key="x", CopySource="bkt/missing")


def test_native_api(cloud, s3):
    native = cloud.service("s3")
    native.put("bkt", "a/1", "one")
    assert native.get("bkt", "a/1") == b"one"
    assert native.keys("bkt", "a/") == ["a/1"]
