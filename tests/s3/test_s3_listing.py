"""ListObjectsV2 / ListObjects / ListObjectVersions, with a property test against a reference."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import s3sim_helpers
from serverless_sim import Cloud


@pytest.fixture
def s3(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    client = Cloud(seed=1).client("s3")
    client.create_bucket(Bucket="bkt")
    return client


def keys_of(page):
    return [c["Key"] for c in page.get("Contents", [])], [p["Prefix"] for p in page.get("CommonPrefixes", [])]


def test_utf8_order_prefix_delimiter(s3):
    for k in ["b", "a/x", "a/y/1", "a/y/2", "a/z", "é", "Z", "a-", "a/"]:
        s3.put_object(Bucket="bkt", Key=k, Body=b"")
    assert keys_of(s3.list_objects_v2(Bucket="bkt"))[0] == [
        "Z", "a-", "a/", "a/x", "a/y/1", "a/y/2", "a/z", "b", "é"]
    page = s3.list_objects_v2(Bucket="bkt", Prefix="a/", Delimiter="/")
    assert keys_of(page) == (["a/", "a/x", "a/z"], ["a/y/"])
    assert page["KeyCount"] == 4 and page["Prefix"] == "a/" and page["Delimiter"] == "/"
    top = s3.list_objects_v2(Bucket="bkt", Delimiter="/")
    assert keys_of(top) == (["Z", "a-", "b", "é"], ["a/"])


def test_pagination_with_continuation_tokens_and_start_after(s3):
    for i in range(7):
        s3.put_object(Bucket="bkt", Key=f"k{i}", Body=b"")
    seen, token = [], None
    while True:
        kw = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket="bkt", MaxKeys=3, **kw)
        seen += keys_of(page)[0]
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
        assert page["KeyCount"] == 3
    assert seen == [f"k{i}" for i in range(7)]
    assert keys_of(s3.list_objects_v2(Bucket="bkt", StartAfter="k4"))[0] == ["k5", "k6"]
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.list_objects_v2(Bucket="bkt", ContinuationToken="garbage!")
    assert e.value.response["Error"]["Code"] == "InvalidArgument"
    empty = s3.list_objects_v2(Bucket="bkt", Prefix="zzz")
    assert "Contents" not in empty and empty["KeyCount"] == 0


def test_paginator_shape_matches_boto3_fields(s3):
    s3.put_object(Bucket="bkt", Key="a b", Body=b"12")
    page = s3.list_objects_v2(Bucket="bkt", EncodingType="url")
    assert page["Contents"][0]["Key"] == "a%20b"
    c = s3.list_objects_v2(Bucket="bkt")["Contents"][0]
    assert set(c) == {"Key", "LastModified", "ETag", "Size", "StorageClass"} and c["Size"] == 2


def test_list_objects_v1_marker(s3):
    for k in ("a", "b", "c"):
        s3.put_object(Bucket="bkt", Key=k, Body=b"")
    page = s3.list_objects(Bucket="bkt", Marker="a", MaxKeys=1)
    assert keys_of(page)[0] == ["b"] and page["IsTruncated"] is True


def test_list_object_versions_paging(s3):
    s3.put_bucket_versioning(Bucket="bkt", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket="bkt", Key="a", Body=body)
    s3.delete_object(Bucket="bkt", Key="a")
    s3.put_object(Bucket="bkt", Key="b", Body=b"3")
    full = s3.list_object_versions(Bucket="bkt")
    assert [(v["Key"], v["IsLatest"]) for v in full["Versions"]] == [
        ("a", False), ("a", False), ("b", True)]
    assert [(m["Key"], m["IsLatest"]) for m in full["DeleteMarkers"]] == [("a", True)]
    got, kw = [], {}
    while True:
        page = s3.list_object_versions(Bucket="bkt", MaxKeys=1, **kw)
        got += [v["VersionId"] for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if not page["IsTruncated"]:
            break
        kw = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    everything = [v["VersionId"] for v in full["Versions"]] + [m["VersionId"] for m in full["DeleteMarkers"]]
    assert sorted(got) == sorted(everything) and len(got) == 4


KEYS = st.lists(st.text(alphabet="ab/é", min_size=1, max_size=5), max_size=25, unique=True)


def reference(keys, prefix, delimiter):
    out = []
    for k in sorted(keys, key=lambda s: s.encode()):
        if not k.startswith(prefix):
            continue
        if delimiter and delimiter in k[len(prefix):]:
            cp = k[: k.index(delimiter, len(prefix)) + len(delimiter)]
            if not out or out[-1] != ("cp", cp):
                out.append(("cp", cp))
        else:
            out.append(("key", k))
    return out


@settings(max_examples=60, deadline=None)
@given(KEYS, st.sampled_from(["", "a", "a/", "b"]), st.sampled_from([None, "/", "b"]),
       st.integers(1, 6))
def test_listing_agrees_with_reference(keys, prefix, delimiter, max_keys):
    from unittest import mock

    from serverless_sim.services import SERVICES

    with mock.patch.dict(SERVICES, {"s3": ("serverless_sim.s3.service", "S3")}):
        s3 = Cloud().client("s3")
    s3.create_bucket(Bucket="bkt")
    for k in keys:
        s3.put_object(Bucket="bkt", Key=k, Body=b"")
    got, kw = [], {}
    extra = {"Delimiter": delimiter} if delimiter else {}
    while True:
        page = s3.list_objects_v2(Bucket="bkt", Prefix=prefix, MaxKeys=max_keys, **extra, **kw)
        items = [("key", c["Key"]) for c in page.get("Contents", [])] + [
            ("cp", p["Prefix"]) for p in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] == len(items) <= max_keys
        got += sorted(items, key=lambda t: t[1].encode())
        if not page["IsTruncated"]:
            break
        kw = {"ContinuationToken": page["NextContinuationToken"]}
    assert got == reference(keys, prefix, delimiter)
