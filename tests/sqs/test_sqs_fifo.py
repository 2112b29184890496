"""FIFO queues: order per message group, group blocking, 5-minute deduplication, sequence
numbers, FIFO-only parameters."""

from __future__ import annotations

import hashlib

import pytest


def bodies(resp):
    return [m["Body"] for m in resp.get("Messages", [])]


def test_order_within_group_and_group_blocked_while_in_flight(sqs, fifo):
    for i in range(3):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"a{i}", MessageGroupId="A")
    sqs.send_message(QueueUrl=fifo, MessageBody="b0", MessageGroupId="B")
    first = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=2)["Messages"]
    assert bodies({"Messages": first}) == ["a0", "a1"]
    # group A has messages in flight: only B can be received
    assert bodies(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == ["b0"]
    assert bodies(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == []
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first[0]["ReceiptHandle"])
    assert bodies(sqs.receive_message(QueueUrl=fifo)) == []       # a1 still in flight
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first[1]["ReceiptHandle"])
    assert bodies(sqs.receive_message(QueueUrl=fifo)) == ["a2"]


def test_failed_message_is_redelivered_first(cloud, sqs, fifo):
    for i in range(3):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"m{i}", MessageGroupId="g")
    sqs.receive_message(QueueUrl=fifo, VisibilityTimeout=5)
    cloud.advance(5)
    assert bodies(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == ["m0", "m1", "m2"]


def test_groups_served_oldest_first(sqs, fifo):
    sqs.send_message(QueueUrl=fifo, MessageBody="x1", MessageGroupId="X")
    sqs.send_message(QueueUrl=fifo, MessageBody="y1", MessageGroupId="Y")
    sqs.send_message(QueueUrl=fifo, MessageBody="x2", MessageGroupId="X")
    assert bodies(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == ["x1", "x2", "y1"]


def test_deduplication_interval_is_5_minutes(cloud, sqs, fifo):
    a = sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    cloud.advance(299)
    b = sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    assert (b["MessageId"], b["SequenceNumber"]) == (a["MessageId"], a["SequenceNumber"])
    a_attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessages"])
    assert a_attrs["Attributes"]["ApproximateNumberOfMessages"] == "1"
    cloud.advance(1)
    c = sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    assert c["MessageId"] != a["MessageId"] and int(c["SequenceNumber"]) > int(a["SequenceNumber"])


def test_dedup_survives_delete_and_content_hash_is_sha256(sqs, fifo):
    sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g")
    m = sqs.receive_message(QueueUrl=fifo, AttributeNames=["All"])["Messages"][0]
    assert m["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"m").hexdigest()
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=m["ReceiptHandle"])
    sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g")
    assert bodies(sqs.receive_message(QueueUrl=fifo)) == []
    # an explicit id overrides the content hash
    sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g", MessageDeduplicationId="other")
    assert bodies(sqs.receive_message(QueueUrl=fifo)) == ["m"]


def test_dedup_scope_message_group(sqs):
    url = sqs.create_queue(QueueName="s.fifo", Attributes={
        "FifoQueue": "true", "DeduplicationScope": "messageGroup"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="1", MessageGroupId="a", MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=url, MessageBody="2", MessageGroupId="b", MessageDeduplicationId="d")
    sqs.send_message(QueueUrl=url, MessageBody="3", MessageGroupId="a", MessageDeduplicationId="d")
    assert sorted(bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))) == ["1", "2"]


def test_fifo_parameters(sqs, fifo, url):
    with pytest.raises(sqs.exceptions.MissingParameter) as e:
        sqs.send_message(QueueUrl=fifo, MessageBody="m")
    assert e.value.response["Error"]["Message"] == "The request must contain the parameter MessageGroupId."
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g", DelaySeconds=5)
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g" * 129)
    nodedup = sqs.create_queue(QueueName="n.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.send_message(QueueUrl=nodedup, MessageBody="m", MessageGroupId="g")
    assert e.value.response["Error"]["Message"] == (
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
        "provided explicitly")
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=url, MessageBody="m", MessageDeduplicationId="d")


def test_fifo_receipt_expires_after_visibility(cloud, sqs, fifo):
    sqs.send_message(QueueUrl=fifo, MessageBody="m", MessageGroupId="g")
    h = sqs.receive_message(QueueUrl=fifo, VisibilityTimeout=5)["Messages"][0]["ReceiptHandle"]
    cloud.advance(5)
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.delete_message(QueueUrl=fifo, ReceiptHandle=h)
    assert "The receipt handle has expired." in str(e.value)


def test_batch_keeps_order_and_sequence_numbers_increase(sqs, fifo):
    r = sqs.send_message_batch(QueueUrl=fifo, Entries=[
        {"Id": str(i), "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(5)])
    seqs = [int(s["SequenceNumber"]) for s in r["Successful"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5
    assert bodies(sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)) == [f"m{i}" for i in range(5)]


def test_queue_delay_applies_in_order(cloud, sqs):
    url = sqs.create_queue(QueueName="dl.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DelaySeconds": "5"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="1", MessageGroupId="g")
    cloud.advance(2)
    sqs.send_message(QueueUrl=url, MessageBody="2", MessageGroupId="g")
    cloud.advance(3)
    assert bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["1"]
