"""Messages on standard queues: send, receive, delete, visibility, delay, retention, batches,
attributes and their MD5s, metrics, long polling and the subscription hook."""

from __future__ import annotations

import hashlib

import pytest

from serverless_sim.sqs.messages import md5_of_attributes


def attrs_of(sqs, url, *names):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names))["Attributes"]
    return tuple(int(a[n]) for n in names)


COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed")


def test_send_receive_delete(sqs, url):
    r = sqs.send_message(QueueUrl=url, MessageBody="hello")
    assert r["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    m = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert (m["MessageId"], m["Body"], m["MD5OfBody"]) == (r["MessageId"], "hello", r["MD5OfMessageBody"])
    assert attrs_of(sqs, url, *COUNTS) == (0, 1, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert attrs_of(sqs, url, *COUNTS) == (0, 0, 0)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_md5_of_message_attributes_matches_aws_vectors():
    # Vectors from AWS's documented algorithm (published examples of the encoding).
    assert md5_of_attributes({"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}) == \
        "19e27d4e946b072f3f58da80d94fd778"
    assert md5_of_attributes({"customNumberTypeAttrib": {
        "DataType": "Number.float", "StringValue": "4563442423554324324264524243.32543234"}}) == \
        "9fe1b90bbd9965bdf77bac517c7d2495"
    assert md5_of_attributes({"binaryAttribute": {"DataType": "Binary",
                                                  "BinaryValue": b"Hello binary world!"}}) == \
        "31a92b15d92f8db860eda32aceb656c3"


def test_message_attributes_round_trip_and_selection(sqs, url):
    attrs = {"a": {"DataType": "String", "StringValue": "x"},
             "b.one": {"DataType": "Number", "StringValue": "42"},
             "c": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}
    r = sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
    assert r["MD5OfMessageAttributes"] == md5_of_attributes(attrs)
    m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert m["MessageAttributes"] == attrs and m["MD5OfMessageAttributes"] == r["MD5OfMessageAttributes"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    m = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["b.*"])["Messages"][0]
    assert list(m["MessageAttributes"]) == ["b.one"]
    assert m["MD5OfMessageAttributes"] == md5_of_attributes({"b.one": attrs["b.one"]})
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    m = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "MessageAttributes" not in m and "MD5OfMessageAttributes" not in m


@pytest.mark.parametrize("attrs", [
    {f"k{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)},   # more than 10
    {"AWS.x": {"DataType": "String", "StringValue": "v"}},
    {"amazon.x": {"DataType": "String", "StringValue": "v"}},
    {".x": {"DataType": "String", "StringValue": "v"}},
    {"a..b": {"DataType": "String", "StringValue": "v"}},
    {"a b": {"DataType": "String", "StringValue": "v"}},
    {"k" * 257: {"DataType": "String", "StringValue": "v"}},
    {"k": {"DataType": "Date", "StringValue": "v"}},
    {"k": {"DataType": "String", "StringValue": ""}},
    {"k": {"DataType": "Number", "StringValue": "abc"}},
    {"k": {"DataType": "Binary", "StringValue": "abc"}},
])
def test_bad_message_attributes_are_rejected_and_nothing_is_sent(sqs, url, attrs):
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attrs)
    assert attrs_of(sqs, url, *COUNTS) == (0, 0, 0)


def test_size_limit_counts_body_and_attributes(sqs):
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1020,
                         MessageAttributes={"ab": {"DataType": "String", "StringValue": "c"}})
    assert e.value.response["Error"]["Message"] == (
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.")


def test_invalid_characters_and_empty_body(sqs, url):
    with pytest.raises(sqs.exceptions.InvalidMessageContents):
        sqs.send_message(QueueUrl=url, MessageBody="bad\x00char")
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=url, MessageBody="")
    sqs.send_message(QueueUrl=url, MessageBody="tab\tnewline\nunicode \u00e9\U0001F600")


def test_receive_parameter_ranges(sqs, url):
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert e.value.response["Error"]["Message"] == (
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=0)
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21)
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=43201)


def test_standard_queue_delivers_in_send_order_and_max_10(sqs, url):
    for i in range(15):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in first] == [str(i) for i in range(10)]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == \
        [str(i) for i in range(10, 15)]


def test_visibility_timeout_default_30s_and_receive_count(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    sqs.receive_message(QueueUrl=url)
    cloud.advance(29.999)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(0.001)
    m = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
    assert m["Attributes"]["ApproximateReceiveCount"] == "2"
    assert m["Attributes"]["ApproximateFirstReceiveTimestamp"] == str(1767225600000)
    assert m["Attributes"]["SentTimestamp"] == str(1767225600000)


def test_receive_visibility_override_and_returned_message_keeps_its_place(cloud, sqs, url):
    for b in "abc":
        sqs.send_message(QueueUrl=url, MessageBody=b)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)            # a in flight
    cloud.advance(5)
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
    assert bodies == ["a", "b", "c"]


def test_change_message_visibility(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    h = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    cloud.advance(15)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=10)
    cloud.advance(9)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    cloud.advance(1)
    h2 = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:   # old handle, not in flight under it
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=10)
    assert "Message does not exist or is not available for visibility timeout change." in str(e.value)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h2, VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "m"


def test_visibility_cannot_exceed_12_hours_from_receive(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    h = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    cloud.advance(10)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=43190)
    with pytest.raises(sqs.exceptions.InvalidParameterValue) as e:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=h, VisibilityTimeout=43191)
    assert "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]" in str(e.value)


def test_receipt_handles(sqs, url, cloud):
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as e:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert e.value.response["Error"]["Message"] == 'The input receipt handle "garbage" is not a valid receipt handle.'
    sqs.send_message(QueueUrl=url, MessageBody="m")
    h1 = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    h2 = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert h1 != h2
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=other, ReceiptHandle=h2)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=h1)   # an older handle still deletes (standard)
    assert attrs_of(sqs, url, *COUNTS) == (0, 0, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=h2)   # deleting again succeeds


def test_delay_seconds_queue_and_per_message(cloud, sqs):
    url = sqs.create_queue(QueueName="d", Attributes={"DelaySeconds": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="own-delay", DelaySeconds=3)
    sqs.send_message(QueueUrl=url, MessageBody="none", DelaySeconds=0)
    assert attrs_of(sqs, url, *COUNTS) == (1, 0, 2)
    cloud.advance(3)
    assert attrs_of(sqs, url, *COUNTS) == (2, 0, 1)
    cloud.advance(7)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == \
        ["queue-delay", "own-delay", "none"]
    with pytest.raises(sqs.exceptions.InvalidParameterValue):
        sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=901)


def test_retention_expires_messages_even_in_flight(cloud, sqs):
    url = sqs.create_queue(QueueName="r", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    cloud.advance(30)
    sqs.send_message(QueueUrl=url, MessageBody="new")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)
    cloud.advance(30)
    assert attrs_of(sqs, url, *COUNTS) == (1, 0, 0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "new"
    assert cloud.trace.filter("sqs", "messages_expired")


def test_default_retention_is_4_days(cloud, sqs, url):
    sqs.send_message(QueueUrl=url, MessageBody="m")
    cloud.advance(345_599)
    assert attrs_of(sqs, url, *COUNTS) == (1, 0, 0)
    cloud.advance(1)
    assert attrs_of(sqs, url, *COUNTS) == (0, 0, 0)


def test_send_batch_rules(sqs, url):
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.send_message_batch(QueueUrl=url, Entries=[])
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as e:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(11)])
    assert e.value.response["Error"]["Message"] == "Maximum number of entries per request are 10. You have sent 11."
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "m"}] * 2)
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a.b", "MessageBody": "m"}])
    with pytest.raises(sqs.exceptions.BatchRequestTooLong):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)])
    assert attrs_of(sqs, url, *COUNTS) == (0, 0, 0)
    r = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "MessageBody": "m"}, {"Id": "bad", "MessageBody": "m", "DelaySeconds": 1000}])
    assert [s["Id"] for s in r["Successful"]] == ["ok"]
    assert r["Failed"][0]["Id"] == "bad" and r["Failed"][0]["Code"] == "InvalidParameterValue"
    assert r["Failed"][0]["SenderFault"] is True


def test_delete_and_change_visibility_batches(sqs, url):
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    r = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": "junk", "VisibilityTimeout": 0}])
    assert [s["Id"] for s in r["Successful"]] == ["a"] and r["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    r = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": msgs[1]["ReceiptHandle"]},
        {"Id": "y", "ReceiptHandle": msgs[2]["ReceiptHandle"]}])
    assert [s["Id"] for s in r["Successful"]] == ["x", "y"] and r["Failed"] == []
    assert attrs_of(sqs, url, *COUNTS) == (1, 0, 0)


def test_wire_receive_does_not_wait(cloud, sqs, url):
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    assert cloud.elapsed.total_seconds() == 0


def test_native_long_poll_waits_on_the_clock(cloud):
    q = cloud.service("sqs").create_queue("lp")
    got = []

    def consumer():
        msgs = yield q.receive_wait(max_messages=10, wait=20)
        got.append((cloud.elapsed.total_seconds(), [m.body for m in msgs]))
        msgs = yield q.receive_wait(max_messages=10, wait=20)
        got.append((cloud.elapsed.total_seconds(), [m.body for m in msgs]))

    cloud.process(consumer())
    cloud.call_later(7, q.send, "hello")
    cloud.run_until_idle()
    assert got == [(7.0, ["hello"]), (27.0, [])]


def test_subscribe_hook_wakes_on_send_and_visibility_expiry(cloud):
    sqs = cloud.service("sqs")
    q = sqs.create_queue("hook", attributes={"VisibilityTimeout": 10})
    wakes = []

    def on_ready(ref):
        wakes.append(cloud.elapsed.total_seconds())
        for m in ref.receive(10):
            if m.body == "ok" or m.attributes["ApproximateReceiveCount"] == "2":
                ref.delete(m.receipt_handle)

    q.subscribe(on_ready)
    cloud.call_later(1, q.send, "ok")
    cloud.call_later(2, q.send, "retry")
    cloud.run_until_idle()
    assert wakes == [1.0, 2.0, 12.0]
    assert len(q) == 0
    # no polling loop: a handful of kernel events, not one per second
    assert cloud.scheduler.events_run < 20


def test_native_send_plain_attributes_and_lambda_record(cloud):
    q = cloud.service("sqs").create_queue("n")
    sent = q.send("body", attributes={"s": "x", "n": 3, "b": b"\x01"})
    [m] = q.receive(5)
    assert m.message_id == sent.message_id
    assert m.message_attributes["n"] == {"DataType": "Number", "StringValue": "3"}
    rec = m.to_lambda_record(q.arn, "us-east-1")
    assert rec["eventSource"] == "aws:sqs" and rec["eventSourceARN"] == q.arn
    assert rec["messageAttributes"]["b"]["binaryValue"] == "AQ=="
    assert rec["attributes"]["ApproximateReceiveCount"] == "1"


def test_metrics_published_per_minute(cloud, sqs, url):
    for _ in range(3):
        sqs.send_message(QueueUrl=url, MessageBody="m")
    h = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=h)
    sqs.receive_message(QueueUrl=cloud.service("sqs").create_queue("empty").url)
    cloud.advance(61)
    series = cloud.metrics.series("AWS/SQS", "NumberOfMessagesSent", {"QueueName": "q"})
    assert sum(b.total for b in series.buckets.values()) == 3
    for name, value in (("NumberOfMessagesReceived", 1), ("NumberOfMessagesDeleted", 1),
                        ("ApproximateNumberOfMessagesVisible", 2)):
        s = cloud.metrics.series("AWS/SQS", name, {"QueueName": "q"})
        assert next(iter(s.buckets.values())).total == value, name
    empty = cloud.metrics.series("AWS/SQS", "NumberOfEmptyReceives", {"QueueName": "empty"})
    assert sum(b.total for b in empty.buckets.values()) == 1


def test_ids_and_handles_are_deterministic():
    from serverless_sim import Cloud

    def run():
        c = Cloud(seed=3)
        s = c.client("sqs")
        u = s.create_queue(QueueName="d")["QueueUrl"]
        ids = [s.send_message(QueueUrl=u, MessageBody=str(i))["MessageId"] for i in range(3)]
        hs = [m["ReceiptHandle"] for m in s.receive_message(QueueUrl=u, MaxNumberOfMessages=3)["Messages"]]
        return ids, hs, c.trace.digest()

    assert run() == run()


def test_shuffled_ordering_is_seeded(cloud):
    from serverless_sim import Cloud
    from serverless_sim.sqs import SQSConfig

    def order(seed):
        c = Cloud(seed=seed)
        c.service("sqs").config = SQSConfig(ordering="shuffled")
        q = c.service("sqs").create_queue("s")
        for i in range(10):
            q.send(str(i))
        return [m.body for m in q.receive(10)]

    assert order(1) == order(1)
    assert sorted(order(1)) == [str(i) for i in range(10)]
    assert order(1) != [str(i) for i in range(10)] or order(2) != [str(i) for i in range(10)]
