"""Event notifications: configuration rules, record shape, filters, destinations, EventBridge."""

from __future__ import annotations

import json

import pytest

import s3sim_helpers
from serverless_sim import Cloud


@pytest.fixture
def cloud(monkeypatch):
    s3sim_helpers.register(monkeypatch)
    return Cloud(seed=2, start="2026-01-01T00:00:00Z")


@pytest.fixture
def s3(cloud):
    client = cloud.client("s3")
    client.create_bucket(Bucket="photos")
    return client


def rules(prefix=None, suffix=None):
    r = []
    if prefix is not None:
        r.append({"Name": "prefix", "Value": prefix})
    if suffix is not None:
        r.append({"Name": "suffix", "Value": suffix})
    return {"Key": {"FilterRules": r}}


def test_lambda_record_shape_and_delay(cloud, s3):
    fn = cloud.service("lambda").create("thumbs")
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"Id": "thumbs", "LambdaFunctionArn": fn,
                                          "Events": ["s3:ObjectCreated:*"],
                                          "Filter": rules("uploads/", ".jpg")}]})
    s3.put_object(Bucket="photos", Key="uploads/red flower.jpg", Body=b"12345")
    s3.put_object(Bucket="photos", Key="uploads/a.png", Body=b"x")
    s3.put_object(Bucket="photos", Key="other/a.jpg", Body=b"x")
    assert cloud.service("lambda").payloads(fn) == []
    cloud.run_until_idle()
    (at, payload), = cloud.service("lambda").functions[fn]
    assert at - cloud.start_us == 1_000_000  # the modelled delay
    (rec,) = payload["Records"]
    assert rec["eventVersion"] == "2.1" and rec["eventSource"] == "aws:s3"
    assert rec["awsRegion"] == "us-east-1" and rec["eventTime"] == "2026-01-01T00:00:00.000Z"
    assert rec["eventName"] == "ObjectCreated:Put"
    s3rec = rec["s3"]
    assert s3rec["s3SchemaVersion"] == "1.0" and s3rec["configurationId"] == "thumbs"
    assert s3rec["bucket"]["name"] == "photos" and s3rec["bucket"]["arn"] == "arn:aws:s3:::photos"
    assert "principalId" in s3rec["bucket"]["ownerIdentity"]
    obj = s3rec["object"]
    assert obj["key"] == "uploads/red+flower.jpg" and obj["size"] == 5
    assert obj["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b" and "versionId" not in obj
    assert len(obj["sequencer"]) == 18


def test_removed_events_and_sqs_test_event(cloud, s3):
    sqs = cloud.service("sqs")
    q = sqs.create("removed")
    s3.put_bucket_versioning(Bucket="photos", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": q, "Events": ["s3:ObjectRemoved:*"]}]})
    v = s3.put_object(Bucket="photos", Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket="photos", Key="k")["VersionId"]
    s3.delete_object(Bucket="photos", Key="k", VersionId=v)
    cloud.run_until_idle()
    bodies = sqs.bodies("removed")
    assert bodies[0]["Event"] == "s3:TestEvent" and bodies[0]["Bucket"] == "photos"
    recs = [b["Records"][0] for b in bodies[1:]]
    assert [r["eventName"] for r in recs] == ["ObjectRemoved:DeleteMarkerCreated",
                                              "ObjectRemoved:Delete"]
    assert recs[0]["s3"]["object"]["versionId"] == marker
    assert "size" not in recs[0]["s3"]["object"]
    seq = [r["s3"]["object"]["sequencer"] for r in recs]
    assert seq == sorted(seq)


def test_copy_and_multipart_event_names_to_sns(cloud, s3):
    topic = cloud.arn("sns", "uploads")
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
        "TopicConfigurations": [{"TopicArn": topic, "Events": [
            "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload"]}]})
    s3.put_object(Bucket="photos", Key="a", Body=b"x")
    s3.copy_object(Bucket="photos", Key="b", CopySource="photos/a")
    up = s3.create_multipart_upload(Bucket="photos", Key="big")["UploadId"]
    etag = s3.upload_part(Bucket="photos", Key="big", UploadId=up, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(Bucket="photos", Key="big", UploadId=up,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    cloud.run_until_idle()
    published = cloud.service("sns").published
    assert published[0]["Message"].startswith('{"Service": "Amazon S3"')
    names = [json.loads(p["Message"])["Records"][0]["eventName"] for p in published[1:]]
    assert names == ["ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"]
    assert published[1]["Subject"] == "Amazon S3 Notification"


def test_overlapping_and_invalid_configurations(cloud, s3):
    fn = cloud.service("lambda").create("f")
    a = {"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"], "Filter": rules("img/")}
    b = {"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:Put"], "Filter": rules("img/x")}
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.put_bucket_notification_configuration(
            Bucket="photos", NotificationConfiguration={"LambdaFunctionConfigurations": [a, b]})
    assert e.value.response["Error"]["Message"] == (
        "Configurations overlap. Configurations on the same bucket cannot share a common event type.")
    c = dict(b, Filter=rules("doc/"))
    s3.put_bucket_notification_configuration(
        Bucket="photos", NotificationConfiguration={"LambdaFunctionConfigurations": [a, c]})
    got = s3.get_bucket_notification_configuration(Bucket="photos")
    assert len(got["LambdaFunctionConfigurations"]) == 2 and all(
        x["Id"] for x in got["LambdaFunctionConfigurations"])
    with pytest.raises(s3.exceptions.ClientError) as e:
        s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
            "LambdaFunctionConfigurations": [dict(a, Events=["s3:Nope"])]})
    assert e.value.response["Error"]["Message"] == "The event is not supported for notifications"
    with pytest.raises(s3.exceptions.ClientError):
        s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={
            "LambdaFunctionConfigurations": [dict(a, Filter=rules("x", None) | {"Key": {
                "FilterRules": [{"Name": "prefix", "Value": "a"}, {"Name": "prefix", "Value": "b"}]}})]})
    assert len(s3.get_bucket_notification_configuration(Bucket="photos")[
        "LambdaFunctionConfigurations"]) == 2  # unchanged


def test_eventbridge_events(cloud, s3):
    fn = cloud.service("lambda").create("on-s3")
    ev = cloud.client("events")
    ev.put_rule(Name="s3", EventPattern=json.dumps({
        "source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"],
        "detail": {"bucket": {"name": ["photos"]}}}))
    ev.put_targets(Rule="s3", Targets=[{"Id": "t", "Arn": fn}])
    s3.put_bucket_notification_configuration(
        Bucket="photos", NotificationConfiguration={"EventBridgeConfiguration": {}})
    s3.put_object(Bucket="photos", Key="a b.txt", Body=b"hi")
    s3.delete_object(Bucket="photos", Key="a b.txt")
    cloud.run_until_idle()
    created, deleted = cloud.service("lambda").payloads(fn)
    assert created["detail-type"] == "Object Created" and created["source"] == "aws.s3"
    assert created["resources"] == ["arn:aws:s3:::photos"]
    d = created["detail"]
    assert d["version"] == "0" and d["bucket"] == {"name": "photos"}
    assert d["object"]["key"] == "a b.txt" and d["object"]["size"] == 2
    assert d["object"]["etag"] == "49f68a5c8493ec2c0bf489821c21fc3b" and d["reason"] == "PutObject"
    assert deleted["detail-type"] == "Object Deleted"
    assert deleted["detail"]["deletion-type"] == "Permanently Deleted"
    assert deleted["detail"]["reason"] == "DeleteObject"
