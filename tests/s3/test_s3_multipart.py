"""Multipart upload: ETag of parts, size and order rules."""

from __future__ import annotations

import hashlib

import pytest

import s3sim_helpers
from serverless_sim import Cloud

MIB = 1024 * 1024


@pytest.fixture
def s3(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    client = Cloud(seed=1).client("s3")
    client.create_bucket(Bucket="bkt")
    return client


def test_multipart_etag_and_content(s3):
    up = s3.create_multipart_upload(Bucket="bkt", Key="big", ContentType="text/plain")["UploadId"]
    p1, p2 = b"a" * (5 * MIB), b"tail"
    e1 = s3.upload_part(Bucket="bkt", Key="big", UploadId=up, PartNumber=1, Body=p1)["ETag"]
    e2 = s3.upload_part(Bucket="bkt", Key="big", UploadId=up, PartNumber=2, Body=p2)["ETag"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket="bkt", Key="big", UploadId=up)["Parts"]] == [1, 2]
    r = s3.complete_multipart_upload(Bucket="bkt", Key="big", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
    expected = hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest()
    assert r["ETag"] == f'"{expected}-2"'
    got = s3.get_object(Bucket="bkt", Key="big")
    assert got["ContentLength"] == 5 * MIB + 4 and got["ContentType"] == "text/plain"
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.upload_part(Bucket="bkt", Key="big", UploadId=up, PartNumber=3, Body=b"")


def test_part_rules(s3):
    up = s3.create_multipart_upload(Bucket="bkt", Key="k")["UploadId"]
    e1 = s3.upload_part(Bucket="bkt", Key="k", UploadId=up, PartNumber=1, Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket="bkt", Key="k", UploadId=up, PartNumber=2, Body=b"x")["ETag"]
    for parts, code in [
        ([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}], "InvalidPartOrder"),
        ([{"PartNumber": 1, "ETag": '"bad"'}], "InvalidPart"),
        ([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}], "EntityTooSmall"),
    ]:
        with pytest.raises(s3.exceptions.ClientError) as e:
            s3.complete_multipart_upload(Bucket="bkt", Key="k", UploadId=up,
                                         MultipartUpload={"Parts": parts})
        assert e.value.response["Error"]["Code"] == code
    with pytest.raises(s3.exceptions.ClientError):
        s3.upload_part(Bucket="bkt", Key="k", UploadId=up, PartNumber=10001, Body=b"")
    assert s3.list_multipart_uploads(Bucket="bkt")["Uploads"][0]["UploadId"] == up
    s3.abort_multipart_upload(Bucket="bkt", Key="k", UploadId=up)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket="bkt")
