"""SQS through real boto3 (the botocore bridge): every offered operation, its paginators and
the modelled errors (SQS is query-compatible: ``Error.Code`` is the legacy query code and
``QueryErrorCode`` the modelled name); every response must be what botocore's parser produces
from the SQS service model (:mod:`shape_check`), and the values that matter must round-trip."""

from __future__ import annotations

import json

import pytest

boto3 = pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402
from bridge_scenarios import assert_bridge_matches_http, pages  # noqa: E402
from shape_check import conformance_problems, recorder  # noqa: E402

SERVICE = "sqs"


def scenario(client_factory):
    """Drive every SQS operation the simulator offers; returns [(service, operation, response)]."""
    out: list = []
    call = recorder(out)
    sqs = client_factory("sqs")
    dlq = call(sqs, "create_queue", QueueName="shapes-dlq")["QueueUrl"]
    dlq_arn = call(sqs, "get_queue_attributes", QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    urls = [call(sqs, "create_queue", QueueName=f"shapes-q{i}", Attributes={"RedrivePolicy": redrive},
                 tags={"team": "a"})["QueueUrl"] for i in range(3)]
    q = urls[0]
    fifo = call(sqs, "create_queue", QueueName="shapes.fifo",
                Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    call(sqs, "create_queue", QueueName="shapes-q0", Attributes={"VisibilityTimeout": "99"})  # QueueNameExists
    call(sqs, "create_queue", QueueName="bad name!")  # InvalidParameterValue
    call(sqs, "get_queue_url", QueueName="shapes-q1")
    call(sqs, "get_queue_url", QueueName="shapes-none")  # QueueDoesNotExist
    call(sqs, "list_queues", QueueNamePrefix="shapes-q")
    call(sqs, "list_queues", QueueNamePrefix="shapes", MaxResults=2)
    pages(out, sqs, "list_queues", QueueNamePrefix="shapes", PaginationConfig={"PageSize": 2})
    call(sqs, "list_dead_letter_source_queues", QueueUrl=dlq)
    pages(out, sqs, "list_dead_letter_source_queues", QueueUrl=dlq, PaginationConfig={"PageSize": 2})
    call(sqs, "get_queue_attributes", QueueUrl=q, AttributeNames=["All"])
    call(sqs, "set_queue_attributes", QueueUrl=q, Attributes={"VisibilityTimeout": "45", "DelaySeconds": "0"})
    call(sqs, "set_queue_attributes", QueueUrl=q, Attributes={"VisibilityTimeout": "99999"})  # InvalidAttributeValue
    call(sqs, "get_queue_attributes", QueueUrl=q, AttributeNames=["VisibilityTimeout", "RedrivePolicy"])
    call(sqs, "tag_queue", QueueUrl=q, Tags={"env": "test"})
    call(sqs, "list_queue_tags", QueueUrl=q)
    call(sqs, "untag_queue", QueueUrl=q, TagKeys=["team"])
    call(sqs, "list_queue_tags", QueueUrl=q)

    # Messages.
    call(sqs, "send_message", QueueUrl=q, MessageBody="hello", MessageAttributes={
        "n": {"DataType": "Number", "StringValue": "42"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-0-0"}})
    call(sqs, "send_message", QueueUrl=q, MessageBody="")  # InvalidParameterValue (empty body)
    call(sqs, "send_message", QueueUrl=urls[0] + "-gone", MessageBody="x")  # QueueDoesNotExist
    call(sqs, "send_message_batch", QueueUrl=q, Entries=[
        {"Id": "m1", "MessageBody": "one"}, {"Id": "m2", "MessageBody": "two", "DelaySeconds": 0}])
    call(sqs, "send_message_batch", QueueUrl=q, Entries=[
        {"Id": "dup", "MessageBody": "a"}, {"Id": "dup", "MessageBody": "b"}])  # BatchEntryIdsNotDistinct
    call(sqs, "send_message_batch", QueueUrl=fifo, Entries=[
        {"Id": "f1", "MessageBody": "first", "MessageGroupId": "g"},
        {"Id": "f2", "MessageBody": "second"}])  # f2 fails: no MessageGroupId
    got = call(sqs, "receive_message", QueueUrl=q, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
               MessageSystemAttributeNames=["All"])
    handles = [m["ReceiptHandle"] for m in got.get("Messages", [])]
    call(sqs, "change_message_visibility", QueueUrl=q, ReceiptHandle=handles[0], VisibilityTimeout=0)
    call(sqs, "change_message_visibility", QueueUrl=q, ReceiptHandle="garbage", VisibilityTimeout=0)  # ReceiptHandleIsInvalid
    call(sqs, "change_message_visibility_batch", QueueUrl=q, Entries=[
        {"Id": "a", "ReceiptHandle": handles[1], "VisibilityTimeout": 60},
        {"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 60}])
    call(sqs, "delete_message", QueueUrl=q, ReceiptHandle=handles[2])
    call(sqs, "delete_message_batch", QueueUrl=q, Entries=[
        {"Id": "a", "ReceiptHandle": handles[1]}, {"Id": "b", "ReceiptHandle": "garbage"}])
    call(sqs, "receive_message", QueueUrl=fifo, AttributeNames=["All"])
    call(sqs, "receive_message", QueueUrl=q, MaxNumberOfMessages=11)  # InvalidParameterValue

    # Dead letters and redrive (a move task back to the source queue).
    src_arn = call(sqs, "get_queue_attributes", QueueUrl=urls[1], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    call(sqs, "send_message", QueueUrl=urls[1], MessageBody="poison")
    sqs_receive_twice = [call(sqs, "receive_message", QueueUrl=urls[1], VisibilityTimeout=0) for _ in range(2)]
    assert sqs_receive_twice  # the second receive moves it to the DLQ (maxReceiveCount 1)
    call(sqs, "start_message_move_task", SourceArn=src_arn)  # not a DLQ: InvalidParameterValue
    task = call(sqs, "start_message_move_task", SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=1)
    call(sqs, "start_message_move_task", SourceArn=dlq_arn)  # one active task per source
    call(sqs, "list_message_move_tasks", SourceArn=dlq_arn, MaxResults=10)
    call(sqs, "cancel_message_move_task", TaskHandle=task.get("TaskHandle", "none"))
    call(sqs, "cancel_message_move_task", TaskHandle="bm90LWEtdGFzaw==")  # ResourceNotFoundException
    call(sqs, "list_message_move_tasks", SourceArn=dlq_arn)

    call(sqs, "purge_queue", QueueUrl=q)
    call(sqs, "purge_queue", QueueUrl=q)  # PurgeQueueInProgress (within 60 s)
    call(sqs, "delete_queue", QueueUrl=urls[2])
    call(sqs, "delete_queue", QueueUrl=urls[2])  # QueueDoesNotExist
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    return session, scenario(session.client)


def responses(records, op):
    return [r for s, o, r in records if s == SERVICE and o == op]


def errors(records, op):
    return [(r["Error"]["Code"], r["Error"].get("QueryErrorCode")) for r in responses(records, op) if "Error" in r]


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    problems, n_errors, _ = conformance_problems(session, records)
    assert not problems, "\n".join(problems)
    assert n_errors >= 12


def test_every_offered_operation_is_exercised(run):
    _, records = run
    seen = {op for s, op, _ in records if s == SERVICE}
    missing = sorted(set(Cloud().service(SERVICE).operations) - seen)
    assert not missing, f"SQS operations the scenario does not call: {missing}"


# -- 2. values that matter -------------------------------------------------------------------
def test_queue_urls_listing_and_pages(run):
    _, records = run
    created = [r["QueueUrl"] for r in responses(records, "CreateQueue") if "Error" not in r]
    assert created[0] == "https://sqs.us-east-1.amazonaws.com/123456789012/shapes-dlq"
    lists = responses(records, "ListQueues")
    assert lists[0]["QueueUrls"] == created[1:4]
    assert len(lists[1]["QueueUrls"]) == 2 and lists[1]["NextToken"]
    paged = [u for p in lists[2:] for u in p["QueueUrls"]]
    assert sorted(paged) == sorted(created) and len(lists[2:]) == 3
    dl = responses(records, "ListDeadLetterSourceQueues")
    assert sorted(dl[0]["queueUrls"]) == sorted(created[1:4])
    assert [len(p["queueUrls"]) for p in dl[1:]] == [2, 1]
    assert responses(records, "GetQueueUrl")[0]["QueueUrl"] == created[2]


def test_attributes_and_tags_round_trip(run):
    _, records = run
    attrs = responses(records, "GetQueueAttributes")
    full = attrs[1]["Attributes"]
    assert full["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:shapes-q0"
    assert json.loads(full["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:shapes-dlq", "maxReceiveCount": 1}
    assert full["VisibilityTimeout"] == "30" and full["DelaySeconds"] == "0"
    assert attrs[2]["Attributes"]["VisibilityTimeout"] == "45" and set(attrs[2]["Attributes"]) == {
        "VisibilityTimeout", "RedrivePolicy"}
    tags = responses(records, "ListQueueTags")
    assert tags[0]["Tags"] == {"team": "a", "env": "test"} and tags[1]["Tags"] == {"env": "test"}


def test_messages_round_trip(run):
    _, records = run
    sent = responses(records, "SendMessage")[0]
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"  # md5("hello")
    assert "MD5OfMessageAttributes" in sent and "MD5OfMessageSystemAttributes" in sent
    batch = responses(records, "SendMessageBatch")
    assert [e["Id"] for e in batch[0]["Successful"]] == ["m1", "m2"] and batch[0]["Failed"] == []
    assert [e["Id"] for e in batch[2]["Successful"]] == ["f1"]
    assert [(f["Id"], f["SenderFault"]) for f in batch[2]["Failed"]] == [("f2", True)]
    got = responses(records, "ReceiveMessage")[0]["Messages"]
    assert [m["Body"] for m in got] == ["hello", "one", "two"]
    assert got[0]["MessageId"] == sent["MessageId"]
    assert got[0]["MessageAttributes"]["b"] == {"DataType": "Binary", "BinaryValue": b"\x00\x01"}
    assert got[0]["MessageAttributes"]["n"] == {"DataType": "Number", "StringValue": "42"}
    assert got[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert got[0]["Attributes"]["AWSTraceHeader"] == "Root=1-0-0"
    vis = responses(records, "ChangeMessageVisibilityBatch")[0]
    assert [e["Id"] for e in vis["Successful"]] == ["a"]
    assert [(f["Id"], f["Code"]) for f in vis["Failed"]] == [("b", "ReceiptHandleIsInvalid")]
    dele = responses(records, "DeleteMessageBatch")[0]
    assert [e["Id"] for e in dele["Successful"]] == ["a"] and [f["Id"] for f in dele["Failed"]] == ["b"]
    fifo = responses(records, "ReceiveMessage")[1]["Messages"]
    assert [m["Body"] for m in fifo] == ["first"] and fifo[0]["Attributes"]["MessageGroupId"] == "g"


def test_move_tasks(run):
    _, records = run
    listed = responses(records, "ListMessageMoveTasks")
    assert [t["Status"] for t in listed[0]["Results"]] == ["RUNNING"]
    assert listed[0]["Results"][0]["ApproximateNumberOfMessagesToMove"] == 1
    assert responses(records, "CancelMessageMoveTask")[0]["ApproximateNumberOfMessagesMoved"] == 0
    assert listed[0]["Results"][0]["TaskHandle"] == responses(records, "StartMessageMoveTask")[1]["TaskHandle"]
    assert [t["Status"] for t in listed[1]["Results"]] == ["CANCELLED"]
    assert "TaskHandle" not in listed[1]["Results"][0]  # AWS hands it out for running tasks only


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert errors(records, "CreateQueue") == [("QueueAlreadyExists", "QueueNameExists"),
                                              ("InvalidParameterValue", "InvalidParameterValue")]
    assert errors(records, "GetQueueUrl") == [("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")]
    assert errors(records, "SetQueueAttributes") == [("InvalidAttributeValue", "InvalidAttributeValue")]
    assert errors(records, "SendMessageBatch") == [("AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                                                    "BatchEntryIdsNotDistinct")]
    assert errors(records, "ChangeMessageVisibility") == [("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid")]
    assert errors(records, "PurgeQueue") == [("AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress")]
    assert errors(records, "DeleteQueue") == [("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")]
    assert [c for c, _ in errors(records, "CancelMessageMoveTask")] == ["ResourceNotFoundException"]
    assert errors(records, "StartMessageMoveTask") == [
        ("InvalidParameterValue", "InvalidParameterValue"), ("AWS.SimpleQueueService.UnsupportedOperation", "UnsupportedOperation")]
    assert responses(records, "GetQueueUrl")[1]["Error"]["Message"] == "The specified queue does not exist."
    assert responses(records, "GetQueueUrl")[1]["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_modelled_exceptions_are_raised():
    sqs = Cloud().boto3_session().client("sqs")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as e:
        sqs.get_queue_url(QueueName="nope")
    assert e.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.delete_message_batch(QueueUrl=url, Entries=[])


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    _, over_http = assert_bridge_matches_http(scenario)
    assert all(r["Error"]["Type"] == "Sender" for _, _, r in over_http if "Error" in r)
