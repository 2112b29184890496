"""Dead-letter queues: RedrivePolicy, RedriveAllowPolicy, moves after maxReceiveCount, and
redrive back with message move tasks."""

from __future__ import annotations

import json

import pytest


def arn_of(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.fixture
def pair(sqs):
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    src = sqs.create_queue(QueueName="src", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 2})})["QueueUrl"]
    return src, dlq


def test_message_moves_after_max_receive_count(cloud, sqs, pair):
    src, dlq = pair
    sent = sqs.send_message(QueueUrl=src, MessageBody="poison",
                            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=1)["Messages"]
        cloud.advance(1)
    assert "Messages" not in sqs.receive_message(QueueUrl=src)    # third receive moves it
    m = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"][0]
    assert m["MessageId"] == sent["MessageId"] and m["Body"] == "poison"
    assert m["MessageAttributes"]["k"]["StringValue"] == "v"
    assert m["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, src)
    assert m["Attributes"]["ApproximateReceiveCount"] == "3"
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    assert cloud.trace.filter("sqs", "message_moved_to_dlq")


def test_redrive_policy_validation(sqs):
    dlq = sqs.create_queue(QueueName="d")["QueueUrl"]
    arn = arn_of(sqs, dlq)
    for count in (0, 1001):
        with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
            sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": count})})
        assert f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive." in str(e.value)
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn + "x", "maxReceiveCount": 3})})
    assert "Dead letter target does not exist." in str(e.value)
    fdlq = sqs.create_queue(QueueName="d.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn_of(sqs, fdlq), "maxReceiveCount": 3})})
    sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn, "maxReceiveCount": "1000"})})


def test_redrive_allow_policy(sqs):
    dlq = sqs.create_queue(QueueName="d", Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "denyAll"})})["QueueUrl"]
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 3})})
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [f"arn:aws:sqs:us-east-1:123456789012:q{i}" for i in range(11)]})})
    sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:s"]})})
    sqs.create_queue(QueueName="s", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 3})})


def test_fifo_redrive_unblocks_group(cloud, sqs):
    dlq = sqs.create_queue(QueueName="d.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    src = sqs.create_queue(QueueName="s.fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=src, MessageBody="bad", MessageGroupId="g")
    sqs.send_message(QueueUrl=src, MessageBody="good", MessageGroupId="g")
    assert sqs.receive_message(QueueUrl=src, VisibilityTimeout=1)["Messages"][0]["Body"] == "bad"
    cloud.advance(1)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=src)["Messages"]] == ["good"]
    m = sqs.receive_message(QueueUrl=dlq, AttributeNames=["MessageGroupId"])["Messages"][0]
    assert (m["Body"], m["Attributes"]["MessageGroupId"]) == ("bad", "g")


def test_move_task_redrives_back_to_source(cloud, sqs, pair):
    src, dlq = pair
    for i in range(5):
        sqs.send_message(QueueUrl=src, MessageBody=str(i))
    for _ in range(3):
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=1)
        cloud.advance(1)
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "5"
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.start_message_move_task(SourceArn=arn_of(sqs, src))          # not a DLQ
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=501)
    handle = sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    with pytest.raises(sqs.exceptions.UnsupportedOperation):
        sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    cloud.advance(0)
    [task] = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"], task["TaskHandle"]) == ("RUNNING", 2, handle)
    cloud.run_until_idle()
    [task] = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"]
    assert (task["Status"], task["ApproximateNumberOfMessagesMoved"], task["ApproximateNumberOfMessagesToMove"]) == ("COMPLETED", 5, 5)
    msgs = sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in msgs) == [str(i) for i in range(5)]
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in msgs)


def test_cancel_move_task(cloud, sqs, pair):
    src, dlq = pair
    for i in range(4):
        sqs.send_message(QueueUrl=src, MessageBody=str(i))
    for _ in range(3):
        sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=1)
        cloud.advance(1)
    h = sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    cloud.advance(1)
    assert sqs.cancel_message_move_task(TaskHandle=h)["ApproximateNumberOfMessagesMoved"] == 2
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.cancel_message_move_task(TaskHandle=h)
    assert sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"][0]["Status"] == "CANCELLED"
