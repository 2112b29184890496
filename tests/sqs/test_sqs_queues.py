"""Queues: CreateQueue rules and defaults, attributes, listing, deletion, purge, tags."""

from __future__ import annotations

import json

import pytest

from serverless_sim.kernel.errors import AWSError


def code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_defaults_from_the_createqueue_reference(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert a["DelaySeconds"] == "0"
    assert a["MaximumMessageSize"] == "1048576"        # 1 MiB
    assert a["MessageRetentionPeriod"] == "345600"     # 4 days
    assert a["ReceiveMessageWaitTimeSeconds"] == "0"
    assert a["VisibilityTimeout"] == "30"
    assert a["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:q"
    assert a["CreatedTimestamp"] == str(1767225600)
    assert "FifoQueue" not in a


def test_url_and_get_queue_url(sqs, url):
    assert url == "https://sqs.us-east-1.amazonaws.com/123456789012/q"
    assert sqs.get_queue_url(QueueName="q")["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName="nope")
    assert code(e) == "AWS.SimpleQueueService.NonExistentQueue"
    assert e.value.response["Error"]["Message"] == "The specified queue does not exist."


def test_endpoint_style_urls_resolve(sqs, url):
    sqs.send_message(QueueUrl="http://localhost:4566/123456789012/q", MessageBody="x")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


@pytest.mark.parametrize("name, value, ok", [
    ("DelaySeconds", "900", True), ("DelaySeconds", "901", False),
    ("MaximumMessageSize", "1024", True), ("MaximumMessageSize", "1023", False),
    ("MaximumMessageSize", "1048576", True), ("MaximumMessageSize", "1048577", False),
    ("MessageRetentionPeriod", "60", True), ("MessageRetentionPeriod", "59", False),
    ("MessageRetentionPeriod", "1209600", True), ("MessageRetentionPeriod", "1209601", False),
    ("ReceiveMessageWaitTimeSeconds", "20", True), ("ReceiveMessageWaitTimeSeconds", "21", False),
    ("VisibilityTimeout", "43200", True), ("VisibilityTimeout", "43201", False),
    ("VisibilityTimeout", "-1", False), ("VisibilityTimeout", "abc", False),
    ("KmsDataKeyReusePeriodSeconds", "59", False), ("KmsDataKeyReusePeriodSeconds", "86400", True),
])
def test_attribute_ranges(sqs, name, value, ok):
    if ok:
        url = sqs.create_queue(QueueName="r", Attributes={name: value})["QueueUrl"]
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"][name] == value
    else:
        with pytest.raises(sqs.exceptions.InvalidAttributeValue) as e:
            sqs.create_queue(QueueName="r", Attributes={name: value})
        assert e.value.response["Error"]["Message"] == f"Invalid value for the parameter {name}."
        assert sqs.list_queues().get("QueueUrls") is None


def test_unknown_and_read_only_attribute_names(sqs, url):
    with pytest.raises(sqs.exceptions.InvalidAttributeName) as e:
        sqs.create_queue(QueueName="r", Attributes={"Colour": "red"})
    assert e.value.response["Error"]["Message"] == "Unknown Attribute Colour."
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
    with pytest.raises(sqs.exceptions.InvalidAttributeName):  # FIFO-only on a standard queue
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Nope"])


def test_same_name_same_attributes_is_idempotent_different_is_error(sqs, url):
    assert sqs.create_queue(QueueName="q")["QueueUrl"] == url
    assert sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "30"})["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueNameExists) as e:
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "31"})
    assert code(e) == "QueueAlreadyExists"
    assert e.value.response["Error"]["Message"] == (
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout"
    )


@pytest.mark.parametrize("name, attrs", [
    ("a" * 81, {}), ("bad name", {}), ("x.fifo", {}), ("", {}),
    ("nofifo", {"FifoQueue": "true"}), ("a" * 76 + ".fifo", {"FifoQueue": "true"}),
])
def test_queue_names(sqs, name, attrs):
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.create_queue(QueueName=name, Attributes=attrs)


def test_names_up_to_80_characters(sqs):
    sqs.create_queue(QueueName="a" * 80)
    sqs.create_queue(QueueName="b" * 75 + ".fifo", Attributes={"FifoQueue": "true"})


def test_list_queues_prefix_and_pagination(sqs):
    for i in range(5):
        sqs.create_queue(QueueName=f"p{i}")
    sqs.create_queue(QueueName="other")
    assert len(sqs.list_queues(QueueNamePrefix="p")["QueueUrls"]) == 5
    page = sqs.list_queues(QueueNamePrefix="p", MaxResults=2)
    assert [u.rsplit("/", 1)[1] for u in page["QueueUrls"]] == ["p0", "p1"]
    rest = sqs.list_queues(QueueNamePrefix="p", MaxResults=10, NextToken=page["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in rest["QueueUrls"]] == ["p2", "p3", "p4"]
    assert "NextToken" not in rest
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.list_queues(MaxResults=1001)


def test_delete_queue_and_60_second_name_reuse(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as e:
        sqs.create_queue(QueueName="q")
    assert code(e) == "AWS.SimpleQueueService.QueueDeletedRecently"
    cloud.advance(60)
    url2 = sqs.create_queue(QueueName="q")["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url2, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_purge_once_per_60_seconds(cloud, sqs, url):
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.receive_message(QueueUrl=url)
    sqs.purge_queue(QueueUrl=url)
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert a["ApproximateNumberOfMessages"] == a["ApproximateNumberOfMessagesNotVisible"] == "0"
    cloud.advance(59)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as e:
        sqs.purge_queue(QueueUrl=url)
    assert e.value.response["Error"]["Message"] == "Only one PurgeQueue operation on q is allowed every 60 seconds."
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    cloud.advance(1)
    sqs.purge_queue(QueueUrl=url)


def test_set_attributes_and_last_modified(cloud, sqs, url):
    cloud.advance(10)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "3"})
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (a["VisibilityTimeout"], a["DelaySeconds"]) == ("5", "3")
    assert int(a["LastModifiedTimestamp"]) == int(a["CreatedTimestamp"]) + 10


def test_tags(sqs):
    url = sqs.create_queue(QueueName="t", tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}


def test_fifo_attributes_and_high_throughput_rule(sqs):
    url = sqs.create_queue(QueueName="h.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (a["FifoQueue"], a["ContentBasedDeduplication"]) == ("true", "false")
    with pytest.raises(sqs.exceptions.InvalidAttributeValue):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})


def test_error_types_are_aws_errors(sqs):
    with pytest.raises(AWSError):
        sqs.get_queue_url(QueueName="missing")
