"""SNS topics and subscriptions: create/list/delete, attributes, confirmation, unsubscribe."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def sns(cloud):
    return cloud.client("sns")


def test_create_topic_idempotent_and_names(sns):
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:orders"
    assert sns.create_topic(Name="orders")["TopicArn"] == arn
    sns.create_topic(Name="a" * 256)
    for bad in ("a" * 257, "bad name", "x.fifo"):
        with pytest.raises(sns.exceptions.InvalidParameterException) as e:
            sns.create_topic(Name=bad)
        assert e.value.response["Error"]["Code"] == "InvalidParameter"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="nofifo", Attributes={"FifoTopic": "true"})
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="orders", Attributes={"DisplayName": "different"})


def test_fifo_topic_attributes(sns):
    arn = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert (a["FifoTopic"], a["ContentBasedDeduplication"]) == ("true", "true")
    std = sns.create_topic(Name="std")["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.set_topic_attributes(TopicArn=std, AttributeName="ContentBasedDeduplication", AttributeValue="true")


def test_topic_attributes_and_not_found(sns):
    arn = sns.create_topic(Name="t")["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Tee")
    a = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert a["DisplayName"] == "Tee" and a["TopicArn"] == arn and a["Owner"] == "123456789012"
    assert json.loads(a["Policy"])["Statement"][0]["Resource"] == arn
    with pytest.raises(sns.exceptions.NotFoundException) as e:
        sns.get_topic_attributes(TopicArn=arn + "x")
    assert e.value.response["Error"] == {"Code": "NotFound", "Message": "Topic does not exist"}
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_and_delete_topics(sns):
    for i in range(150):
        sns.create_topic(Name=f"t{i:03d}")
    page = sns.list_topics()
    assert len(page["Topics"]) == 100 and "NextToken" in page
    rest = sns.list_topics(NextToken=page["NextToken"])
    assert len(rest["Topics"]) == 50 and "NextToken" not in rest
    sns.delete_topic(TopicArn="arn:aws:sns:us-east-1:123456789012:t000")
    sns.delete_topic(TopicArn="arn:aws:sns:us-east-1:123456789012:t000")   # idempotent
    assert len(sns.list_topics(NextToken="100")["Topics"]) == 49


def test_subscribe_sqs_is_confirmed_and_duplicate_returns_same(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    q = cloud.service("sqs").create_queue("q")
    arn = sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"]
    assert arn.startswith(t + ":")
    assert sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"] == arn
    a = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (a["PendingConfirmation"], a["RawMessageDelivery"], a["Protocol"]) == ("false", "false", "sqs")
    [s] = sns.list_subscriptions()["Subscriptions"]
    assert s == {"SubscriptionArn": arn, "Owner": "123456789012", "Protocol": "sqs",
                 "Endpoint": q.arn, "TopicArn": t}


def test_subscribe_validation(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    for protocol, endpoint in (("sqs", "not-an-arn"), ("lambda", "x"), ("http", "https://h"),
                               ("email", "nobody"), ("carrier-pigeon", "x")):
        with pytest.raises(sns.exceptions.InvalidParameterException):
            sns.subscribe(TopicArn=t, Protocol=protocol, Endpoint=endpoint)
    fq = cloud.service("sqs").create_queue("f.fifo", attributes={"FifoQueue": True})
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=fq.arn)
    ft = sns.create_topic(Name="t.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=ft, Protocol="https", Endpoint="https://h")
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.subscribe(TopicArn=t + "x", Protocol="email", Endpoint="a@b.c")


def test_http_confirmation_manual(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    seen = []
    cloud.service("sns").register_endpoint("https://h/hook", lambda r: seen.append(r), auto_confirm=False)
    assert sns.subscribe(TopicArn=t, Protocol="https", Endpoint="https://h/hook")["SubscriptionArn"] == "pending confirmation"
    cloud.advance(0)
    body = seen[0].json()
    assert body["Type"] == "SubscriptionConfirmation" and seen[0].headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert body["SubscribeURL"].endswith("&Token=" + body["Token"])
    assert sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"][0]["SubscriptionArn"] == "PendingConfirmation"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.confirm_subscription(TopicArn=t, Token="wrong")
    arn = sns.confirm_subscription(TopicArn=t, Token=body["Token"])["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"


def test_email_confirmation_in_outbox(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=t, Protocol="email", Endpoint="ops@example.com")
    mail = cloud.service("sns").outbox[0]
    assert mail["to"] == "ops@example.com" and mail["kind"] == "SubscriptionConfirmation"
    sns.confirm_subscription(TopicArn=t, Token=mail["token"])
    sns.publish(TopicArn=t, Message="disk full", Subject="alert")
    cloud.advance(0)
    last = cloud.service("sns").outbox[-1]
    assert (last["subject"], last["body"]) == ("alert", "disk full")


def test_unsubscribe_and_subscription_attributes(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    q = cloud.service("sqs").create_queue("q")
    arn = sns.subscribe(TopicArn=t, Protocol="sqs", Endpoint=q.arn)["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"k": ["v"]}))
    a = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (a["RawMessageDelivery"], a["FilterPolicyScope"]) == ("true", "MessageAttributes")
    for name, value in (("RawMessageDelivery", "yes"), ("FilterPolicyScope", "Body"),
                        ("FilterPolicy", "not json"), ("Colour", "red"),
                        ("DeliveryPolicy", json.dumps({"healthyRetryPolicy": {"numRetries": 1}}))):
        with pytest.raises(sns.exceptions.InvalidParameterException):
            sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=name, AttributeValue=value)
    sns.unsubscribe(SubscriptionArn=arn)
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_subscription_attributes(SubscriptionArn=arn)
    assert sns.get_topic_attributes(TopicArn=t)["Attributes"]["SubscriptionsDeleted"] == "1"


def test_http_delivery_policy_limits(cloud, sns):
    t = sns.create_topic(Name="t")["TopicArn"]
    cloud.service("sns").register_endpoint("https://h", lambda r: 200)
    arn = sns.subscribe(TopicArn=t, Protocol="https", Endpoint="https://h", ReturnSubscriptionArn=True)["SubscriptionArn"]
    ok = {"healthyRetryPolicy": {"numRetries": 10, "minDelayTarget": 1, "maxDelayTarget": 60,
                                 "backoffFunction": "exponential"}}
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(ok))
    too_long = {"healthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}}
    with pytest.raises(sns.exceptions.InvalidParameterException):   # 100 x 60 s > 3,600 s
        sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="DeliveryPolicy",
                                        AttributeValue=json.dumps(too_long))
