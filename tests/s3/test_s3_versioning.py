"""Versioning: ids, delete markers, suspended buckets."""

from __future__ import annotations

import pytest

import s3sim_helpers
from serverless_sim import Cloud


@pytest.fixture
def cloud(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    return Cloud(seed=4)


@pytest.fixture
def s3(cloud):
    client = cloud.client("s3")
    client.create_bucket(Bucket="ver")
    return client


def test_status_transitions(s3):
    assert "Status" not in s3.get_bucket_versioning(Bucket="ver")
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket="ver")["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket="ver")["Status"] == "Suspended"
    with pytest.raises(s3.exceptions.ClientError):
        s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Off"})


def test_versions_and_delete_markers(cloud, s3):
    s3.put_object(Bucket="ver", Key="k", Body=b"old")  # before versioning: the null version
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    v2 = s3.put_object(Bucket="ver", Key="k", Body=b"new")["VersionId"]
    assert len(v2) == 32 and v2 != "null"
    assert s3.get_object(Bucket="ver", Key="k")["VersionId"] == v2
    assert s3.get_object(Bucket="ver", Key="k", VersionId="null")["Body"].read() == b"old"
    d = s3.delete_object(Bucket="ver", Key="k")
    assert d["DeleteMarker"] is True
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="ver", Key="k")
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_object(Bucket="ver", Key="k", VersionId=d["VersionId"])
    assert e.value.response["Error"]["Code"] == "MethodNotAllowed"
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.get_object(Bucket="ver", Key="k", VersionId="nope")
    assert e.value.response["Error"]["Code"] == "NoSuchVersion"
    assert s3.list_objects_v2(Bucket="ver")["KeyCount"] == 0
    # removing the delete marker brings the object back
    r = s3.delete_object(Bucket="ver", Key="k", VersionId=d["VersionId"])
    assert r["DeleteMarker"] is True
    assert s3.get_object(Bucket="ver", Key="k")["Body"].read() == b"new"
    cloud.service("s3").get_bucket("ver")._check()


def test_version_ids_are_seeded(monkeypatch):
    s3sim_helpers.register(monkeypatch)

    def run():
        c = Cloud(seed=8).client("s3")
        c.create_bucket(Bucket="ver")
        c.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
        return c.put_object(Bucket="ver", Key="k", Body=b"")["VersionId"]

    assert run() == run()


def test_suspended_overwrites_null_version(cloud, s3):
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="ver", Key="k", Body=b"1")["VersionId"]
    s3.put_bucket_versioning(Bucket="ver", VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket="ver", Key="k", Body=b"2")
    s3.put_object(Bucket="ver", Key="k", Body=b"3")
    ids = [v["VersionId"] for v in s3.list_object_versions(Bucket="ver")["Versions"]]
    assert ids == ["null", v1]
    assert s3.delete_object(Bucket="ver", Key="k")["VersionId"] == "null"
    cloud.service("s3").get_bucket("ver")._check()
