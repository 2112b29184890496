"""Publishing and delivery: envelopes, raw delivery, SQS, Lambda (stub), HTTP retries, DLQs,
FIFO topics into FIFO queues, filter policies at work, batches, metrics."""

from __future__ import annotations

import base64
import json

import pytest

from serverless_sim.kernel.errors import AWSError
from serverless_sim.kernel.service import Service, operation
from serverless_sim.services import SERVICES


@pytest.fixture
def sns(cloud):
    return cloud.client("sns")


@pytest.fixture
def topic(sns):
    return sns.create_topic(Name="t")["TopicArn"]


def receive_all(queue):
    return queue.receive(100)


def test_sqs_envelope(cloud, sns, topic):
    q = cloud.service("sqs").create_queue("q")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"]
    cloud.advance(1.5)
    mid = sns.publish(TopicArn=topic, Message="hello", Subject="greeting", MessageAttributes={
        "s": {"DataType": "String", "StringValue": "x"},
        "n": {"DataType": "Number", "StringValue": "5"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})["MessageId"]
    assert receive_all(q) == []           # delivery happens as the clock moves
    cloud.advance(0)
    [m] = receive_all(q)
    env = json.loads(m.body)
    assert list(env) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                         "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                         "MessageAttributes"]
    assert (env["Type"], env["MessageId"], env["TopicArn"], env["Message"]) == ("Notification", mid, topic, "hello")
    assert env["Timestamp"] == "2026-01-01T00:00:01.500Z"
    assert env["UnsubscribeURL"].endswith("SubscriptionArn=" + sub)
    assert env["MessageAttributes"] == {"b": {"Type": "Binary", "Value": base64.b64encode(b"\x01\x02").decode()},
                                        "n": {"Type": "Number", "Value": "5"},
                                        "s": {"Type": "String", "Value": "x"}}
    assert m.message_attributes == {}


def test_raw_delivery_to_sqs_carries_attributes(cloud, sns, topic):
    q = cloud.service("sqs").create_queue("q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="raw", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    cloud.advance(0)
    [m] = receive_all(q)
    assert m.body == "raw" and m.message_attributes == {"k": {"DataType": "String", "StringValue": "v"}}


def test_message_structure_json(cloud, sns, topic):
    q = cloud.service("sqs").create_queue("q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn, Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@b.c")
    cloud.service("sns").config.auto_confirm_email = True
    sns.publish(TopicArn=topic, MessageStructure="json",
                Message=json.dumps({"default": "dflt", "sqs": "for sqs"}))
    cloud.advance(0)
    assert receive_all(q)[0].body == "for sqs"
    with pytest.raises(sns.exceptions.InvalidParameterException) as e:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"}))
    assert e.value.response["Error"]["Message"] == "Invalid parameter: Message Structure - No default entry in JSON message body"


@pytest.mark.parametrize("kwargs", [
    {"Message": ""},
    {"Message": "x" * 262_145},
    {"Message": "m", "Subject": "s" * 101},
    {"Message": "m", "Subject": "line\nbreak"},
    {"Message": "m", "MessageDeduplicationId": "d"},
])
def test_publish_validation(sns, topic, kwargs):
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, **kwargs)


def test_publish_attribute_validation(sns, topic):
    with pytest.raises(sns.exceptions.InvalidParameterValueException) as e:
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={"k": {"DataType": "Date", "StringValue": "x"}})
    assert e.value.response["Error"]["Code"] == "ParameterValueInvalid"
    with pytest.raises(sns.exceptions.InvalidParameterValueException):
        sns.publish(TopicArn=topic, Message="m", MessageAttributes={"k": {"DataType": "String.Array", "StringValue": "x"}})
    sns.publish(TopicArn=topic, Message="x" * 262_144)


class FakeLambda(Service):
    """A stand-in for the Lambda service: records Invoke requests, can be told to fail."""

    service_name = "lambda"
    failures = 0

    def __init__(self, cloud):
        super().__init__(cloud)
        self.calls = []

    @operation("Invoke")
    def _invoke(self, req):
        self.calls.append((self.cloud.elapsed.total_seconds(), req))
        if self.failures:
            self.failures -= 1
            raise AWSError("throttled")
        return {"StatusCode": 202}


@pytest.fixture
def fake_lambda(cloud, monkeypatch):
    monkeypatch.setitem(SERVICES, "lambda", (__name__, "FakeLambda"))
    return cloud.service("lambda")


def test_lambda_event_shape(cloud, sns, topic, fake_lambda):
    fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    sub = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)["SubscriptionArn"]
    mid = sns.publish(TopicArn=topic, Message="m", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})["MessageId"]
    cloud.advance(0)
    [(_, req)] = fake_lambda.calls
    assert (req["FunctionName"], req["InvocationType"]) == (fn, "Event")
    event = json.loads(req["Payload"])
    [rec] = event["Records"]
    assert (rec["EventSource"], rec["EventVersion"], rec["EventSubscriptionArn"]) == ("aws:sns", "1.0", sub)
    assert rec["Sns"]["MessageId"] == mid and rec["Sns"]["Subject"] is None
    assert rec["Sns"]["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert {"SigningCertUrl", "UnsubscribeUrl", "Signature", "Timestamp"} <= set(rec["Sns"])


def test_lambda_retries_follow_the_managed_policy(cloud, sns, topic, fake_lambda):
    fake_lambda.failures = 7      # 1 try + 3 immediate + 2 at 1 s + first backoff retry, then success
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="arn:aws:lambda:us-east-1:123456789012:function:f")
    sns.publish(TopicArn=topic, Message="m")
    cloud.run_until_idle()
    times = [t for t, _ in fake_lambda.calls]
    assert times[:6] == [0, 0, 0, 0, 1, 2]
    assert len(times) == 8 and times[6] > 2 and times[7] > times[6]
    assert cloud.trace.filter("sns", "delivered")[0].attributes["attempts"] == 8


def test_http_default_policy_three_retries_20s_apart_then_dlq(cloud, sns, topic):
    calls = []
    cloud.service("sns").register_endpoint("https://h/x", lambda r: calls.append(cloud.elapsed.total_seconds()) or
                                           (200 if r.headers["x-amz-sns-message-type"] != "Notification" else 503))
    dlq = cloud.service("sqs").create_queue("dlq")
    sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://h/x", ReturnSubscriptionArn=True,
                        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})})["SubscriptionArn"]
    cloud.advance(0)
    calls.clear()
    sns.publish(TopicArn=topic, Message="m")
    cloud.run_until_idle()
    assert calls == [0, 20, 40, 60]
    [m] = dlq.receive(10)
    assert json.loads(m.body)["Message"] == "m"
    assert cloud.trace.filter("sns", "redriven_to_dlq", subscription=sub)


def test_http_client_error_is_not_retried_and_raw_body(cloud, sns, topic):
    reqs = []
    cloud.service("sns").register_endpoint("http://h", lambda r: reqs.append(r) or 400)
    sub = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://h", ReturnSubscriptionArn=True)["SubscriptionArn"]
    cloud.advance(0)
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
    # the endpoint rejected its confirmation (400): still pending, so confirm by token
    token = reqs[0].json()["Token"]
    sns.confirm_subscription(TopicArn=topic, Token=token)
    sns.publish(TopicArn=topic, Message="raw body")
    cloud.run_until_idle()
    assert [r.body for r in reqs[1:]] == ["raw body"]
    assert reqs[1].headers["x-amz-sns-rawdelivery"] == "true"
    assert cloud.trace.filter("sns", "delivery_failed")


def test_custom_http_policy_phases(cloud, sns, topic):
    calls = []
    cloud.service("sns").register_endpoint("https://h", lambda r: calls.append(cloud.elapsed.total_seconds()) or
                                           (200 if r.headers["x-amz-sns-message-type"] != "Notification" else 500))
    sub = sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://h", ReturnSubscriptionArn=True)["SubscriptionArn"]
    cloud.advance(0)
    policy = {"healthyRetryPolicy": {"numRetries": 6, "numNoDelayRetries": 1, "numMinDelayRetries": 1,
                                     "numMaxDelayRetries": 1, "minDelayTarget": 2, "maxDelayTarget": 10,
                                     "backoffFunction": "linear"}}
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy))
    calls.clear()
    sns.publish(TopicArn=topic, Message="m")
    cloud.run_until_idle()
    gaps = [round(b - a, 6) for a, b in zip(calls, calls[1:])]
    # immediate, min delay, 3 backoff retries from 2 to 10 (linear), max delay
    assert gaps == [0, 2, round(2 + 8 / 3, 6), round(2 + 16 / 3, 6), 10, 10]


def test_fifo_topic_to_fifo_queue_keeps_order_and_dedups(cloud, sns):
    t = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    q = cloud.service("sqs").create_queue("q.fifo", attributes={"FifoQueue": True})
    sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=q.arn, Attributes={"RawMessageDelivery": "true"})
    seqs = []
    for body in ["1", "2", "1", "3"]:
        seqs.append(sns.publish(TopicArn=t, Message=body, MessageGroupId="g")["SequenceNumber"])
    assert seqs[2] == seqs[0] and int(seqs[3]) > int(seqs[1]) > int(seqs[0])
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=t, Message="no group")
    cloud.advance(0)
    msgs = q.receive(10)
    assert [m.body for m in msgs] == ["1", "2", "3"]
    assert msgs[0].attributes["MessageGroupId"] == "g"


def test_filter_policies_select_subscribers(cloud, sns, topic):
    sqs = cloud.service("sqs")
    qa, qb, qc = sqs.create_queue("a"), sqs.create_queue("b"), sqs.create_queue("c")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qa.arn, Attributes={
        "FilterPolicy": json.dumps({"color": ["red", {"prefix": "bl"}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qb.arn, Attributes={
        "FilterPolicy": json.dumps({"price": [{"numeric": [">", 10, "<=", 20]}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=qc.arn, Attributes={
        "FilterPolicyScope": "MessageBody",
        "FilterPolicy": json.dumps({"order": {"status": [{"anything-but": "cancelled"}]}})})
    cloud.service("sns").publish(topic, json.dumps({"order": {"status": "paid"}}), attributes={"color": "blue", "price": 15})
    cloud.service("sns").publish(topic, json.dumps({"order": {"status": "cancelled"}}), attributes={"color": "green", "price": 25})
    cloud.advance(0)
    assert (len(qa.receive(10)), len(qb.receive(10)), len(qc.receive(10))) == (1, 1, 1)
    filtered = cloud.metrics.series("AWS/SNS", "NumberOfNotificationsFilteredOut", {"TopicName": "t"})
    assert sum(b.total for b in filtered.rows()) == 3


def test_publish_batch(cloud, sns, topic):
    q = cloud.service("sqs").create_queue("q")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn, Attributes={"RawMessageDelivery": "true"})
    with pytest.raises(sns.exceptions.EmptyBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[])
    with pytest.raises(sns.exceptions.TooManyEntriesInBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)])
    with pytest.raises(sns.exceptions.BatchEntryIdsNotDistinctException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}] * 2)
    with pytest.raises(sns.exceptions.InvalidBatchEntryIdException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a b", "Message": "m"}])
    with pytest.raises(sns.exceptions.BatchRequestTooLongException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": str(i), "Message": "x" * 100_000} for i in range(3)])
    r = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": ""}, {"Id": "c", "Message": "three"}])
    assert [s["Id"] for s in r["Successful"]] == ["a", "c"]
    assert r["Failed"] == [{"Id": "b", "Code": "InvalidParameter", "Message": "Invalid parameter: Empty message", "SenderFault": True}]
    cloud.advance(0)
    assert [m.body for m in q.receive(10)] == ["one", "three"]


def test_sqs_delivery_to_missing_queue_retries_then_gives_up_after_dlq(cloud, sns, topic):
    sqs = cloud.service("sqs")
    q = sqs.create_queue("gone")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"]
    cloud.client("sqs").delete_queue(QueueUrl=q.url)
    sns.publish(TopicArn=topic, Message="m")
    cloud.advance(60)   # 3 immediate, 2 at 1 s, backoff retries...
    fails = cloud.trace.filter("sns", "delivery_attempt_failed", subscription=sub)
    assert len(fails) > 6 and fails[0].attributes["retry_in_s"] == 0.0
    assert [f.attributes["retry_in_s"] for f in fails[3:5]] == [1.0, 1.0]
    cloud.advance(60)
    sqs.create_queue("gone")          # the queue is back: the next retry delivers
    cloud.advance(40)
    assert len(sqs.queue("gone").receive(10)) == 1


def test_determinism_of_envelopes():
    from serverless_sim import Cloud

    def run():
        c = Cloud(seed=5)
        sns = c.service("sns")
        t = sns.create_topic("t")
        q = c.service("sqs").create_queue("q")
        sns.subscribe(t, "sqs", q.arn)
        sns.publish(t, "m")
        c.advance(0)
        return q.receive(1)[0].body, c.trace.digest()

    assert run() == run()
