"""SNS through real boto3 (the botocore bridge): every offered operation, its paginators (SNS
pages by 100 with no page-size member, so the scenario makes more than 100 subscriptions) and
the modelled errors; every response must be what botocore's parser produces from the SNS
service model (:mod:`shape_check`), and the values that matter must round-trip."""

from __future__ import annotations

import json

import pytest

boto3 = pytest.importorskip("boto3")

from bridge_scenarios import (  # noqa: E402
    assert_bridge_matches_http,
    assert_conforms,
    error_codes,
    missing_operations,
    pages,
)
from bridge_scenarios import responses as _responses  # noqa: E402
from shape_check import recorder  # noqa: E402

from serverless_sim import Cloud  # noqa: E402

SERVICE = "sns"
ACCOUNT = "123456789012"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shapes-sub-{{}}"


def scenario(client_factory):
    """Drive every SNS operation the simulator offers; returns [(service, operation, response)]."""
    out: list = []
    call = recorder(out)
    sns = client_factory("sns")
    topic = call(sns, "create_topic", Name="shapes-topic", Attributes={"DisplayName": "Shapes"},
                 Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    call(sns, "create_topic", Name="shapes-topic")  # idempotent: same ARN
    fifo = call(sns, "create_topic", Name="shapes.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    call(sns, "create_topic", Name="bad name!")  # InvalidParameter
    call(sns, "list_topics")
    call(sns, "get_topic_attributes", TopicArn=topic)
    call(sns, "get_topic_attributes", TopicArn=topic + "-gone")  # NotFound
    call(sns, "set_topic_attributes", TopicArn=topic, AttributeName="DisplayName", AttributeValue="Renamed")
    call(sns, "set_topic_attributes", TopicArn=topic, AttributeName="NoSuchAttribute", AttributeValue="x")
    call(sns, "tag_resource", ResourceArn=topic, Tags=[{"Key": "env", "Value": "test"}])
    call(sns, "list_tags_for_resource", ResourceArn=topic)
    call(sns, "untag_resource", ResourceArn=topic, TagKeys=["team"])
    call(sns, "list_tags_for_resource", ResourceArn=topic)
    call(sns, "list_tags_for_resource", ResourceArn=topic + "-gone")  # ResourceNotFound

    # Subscriptions: 101 queues on one topic (two pages of ListSubscriptionsByTopic).
    first = call(sns, "subscribe", TopicArn=topic, Protocol="sqs", Endpoint=QUEUE.format(0),
                 Attributes={"RawMessageDelivery": "true",
                             "FilterPolicy": json.dumps({"kind": ["order"]})},
                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    for i in range(1, 101):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE.format(i))
    call(sns, "subscribe", TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")
    call(sns, "subscribe", TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")  # InvalidParameter
    call(sns, "subscribe", TopicArn=fifo, Protocol="sqs", Endpoint=QUEUE.format("f") + ".fifo")
    call(sns, "confirm_subscription", TopicArn=topic, Token="not-a-token")  # InvalidParameter
    call(sns, "get_subscription_attributes", SubscriptionArn=first)
    call(sns, "set_subscription_attributes", SubscriptionArn=first, AttributeName="FilterPolicyScope",
         AttributeValue="MessageBody")
    call(sns, "set_subscription_attributes", SubscriptionArn=first, AttributeName="FilterPolicy",
         AttributeValue="{not json")  # InvalidParameter
    call(sns, "get_subscription_attributes", SubscriptionArn=first)
    call(sns, "get_subscription_attributes", SubscriptionArn=topic + ":no-such-sub")  # NotFound
    pages(out, sns, "list_subscriptions_by_topic", TopicArn=topic)
    pages(out, sns, "list_subscriptions")
    pages(out, sns, "list_topics")

    # Publishing.
    call(sns, "publish", TopicArn=topic, Message=json.dumps({"kind": "order"}), Subject="hello",
         MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"},
                            "b": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}})
    call(sns, "publish", TopicArn=topic, Message="")  # InvalidParameter (empty message)
    call(sns, "publish", TopicArn=fifo, Message="m1", MessageGroupId="g")
    call(sns, "publish", TopicArn=fifo, Message="m2")  # InvalidParameter: no MessageGroupId
    call(sns, "publish_batch", TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two", "Subject": "s"}])
    call(sns, "publish_batch", TopicArn=fifo, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one", "MessageGroupId": "g"}, {"Id": "b", "Message": "two"}])
    call(sns, "publish_batch", TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "one"}, {"Id": "a", "Message": "two"}])  # BatchEntryIdsNotDistinct

    call(sns, "unsubscribe", SubscriptionArn=first)
    call(sns, "unsubscribe", SubscriptionArn=first)  # NotFound
    call(sns, "delete_topic", TopicArn=fifo)
    call(sns, "delete_topic", TopicArn=fifo)  # idempotent
    return out


# -- helpers ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run():
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    return session, scenario(session.client)


def responses(records, op):
    return _responses(records, SERVICE, op)


# -- 1. shapes and coverage ------------------------------------------------------------------
def test_every_response_conforms_to_the_service_model(run):
    session, records = run
    assert_conforms(session, records, min_errors=12)


def test_every_offered_operation_is_exercised(run):
    _, records = run
    missing = missing_operations(records, SERVICE, Cloud().service(SERVICE))
    assert not missing, f"SNS operations the scenario does not call: {missing}"


def test_confirm_subscription_success_conforms():
    """The scenario can only confirm with a bad token (the real token travels to the endpoint);
    here the emailed token confirms, and the answer conforms."""
    cloud = Cloud(seed=1)
    session = cloud.boto3_session()
    out: list = []
    call = recorder(out)
    sns = session.client("sns")
    topic = sns.create_topic(Name="t")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")["SubscriptionArn"] == \
        "pending confirmation"
    token = cloud.service("sns").outbox[-1]["token"]
    arn = call(sns, "confirm_subscription", TopicArn=topic, Token=token)["SubscriptionArn"]
    assert_conforms(session, out, min_errors=0)
    attrs = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attrs["PendingConfirmation"] == "false" and attrs["Endpoint"] == "a@example.com"


# -- 2. values that matter -------------------------------------------------------------------
def test_topics_attributes_and_tags(run):
    _, records = run
    created = responses(records, "CreateTopic")
    assert created[0]["TopicArn"] == f"arn:aws:sns:us-east-1:{ACCOUNT}:shapes-topic" == created[1]["TopicArn"]
    attrs = responses(records, "GetTopicAttributes")[0]["Attributes"]
    assert attrs["DisplayName"] == "Shapes" and attrs["TopicArn"] == created[0]["TopicArn"]
    assert attrs["Owner"] == ACCOUNT
    tags = responses(records, "ListTagsForResource")
    assert sorted((t["Key"], t["Value"]) for t in tags[0]["Tags"]) == [("env", "test"), ("team", "a")]
    assert tags[1]["Tags"] == [{"Key": "env", "Value": "test"}]
    listed = responses(records, "ListTopics")
    assert sorted(t["TopicArn"] for t in listed[0]["Topics"]) == sorted(
        [created[0]["TopicArn"], created[2]["TopicArn"]])


def test_subscriptions_and_pages(run):
    _, records = run
    subs = responses(records, "Subscribe")
    assert subs[1]["SubscriptionArn"] == "pending confirmation"  # HTTPS waits for confirmation
    by_topic = responses(records, "ListSubscriptionsByTopic")
    assert [len(p["Subscriptions"]) for p in by_topic] == [100, 2] and "NextToken" in by_topic[0]
    endpoints = [s["Endpoint"] for p in by_topic for s in p["Subscriptions"]]
    assert len(set(endpoints)) == 102 and QUEUE.format(57) in endpoints
    pending = [s for p in by_topic for s in p["Subscriptions"] if s["Protocol"] == "https"]
    assert pending[0]["SubscriptionArn"] == "PendingConfirmation"
    everything = responses(records, "ListSubscriptions")
    assert [len(p["Subscriptions"]) for p in everything] == [100, 3]
    attrs = responses(records, "GetSubscriptionAttributes")
    assert attrs[0]["Attributes"]["RawMessageDelivery"] == "true"
    assert json.loads(attrs[0]["Attributes"]["FilterPolicy"]) == {"kind": ["order"]}
    assert attrs[1]["Attributes"]["FilterPolicyScope"] == "MessageBody"


def test_publish_and_batches(run):
    _, records = run
    pubs = [r for r in responses(records, "Publish") if "Error" not in r]
    assert len(pubs[0]["MessageId"]) == 36 and "SequenceNumber" not in pubs[0]
    assert len(pubs[1]["SequenceNumber"]) == 20  # FIFO topics number their messages
    batches = responses(records, "PublishBatch")
    assert [e["Id"] for e in batches[0]["Successful"]] == ["a", "b"] and batches[0]["Failed"] == []
    assert [e["Id"] for e in batches[1]["Successful"]] == ["a"]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in batches[1]["Failed"]] == [("b", "InvalidParameter", True)]


def test_error_codes_are_aws_codes(run):
    _, records = run
    assert error_codes(records, SERVICE, "CreateTopic") == ["InvalidParameter"]
    assert error_codes(records, SERVICE, "GetTopicAttributes") == ["NotFound"]
    assert error_codes(records, SERVICE, "SetTopicAttributes") == ["InvalidParameter"]
    assert error_codes(records, SERVICE, "ListTagsForResource") == ["ResourceNotFound"]
    assert error_codes(records, SERVICE, "Subscribe") == ["InvalidParameter"]
    assert error_codes(records, SERVICE, "ConfirmSubscription") == ["InvalidParameter"]
    assert error_codes(records, SERVICE, "SetSubscriptionAttributes") == ["InvalidParameter"]
    assert error_codes(records, SERVICE, "GetSubscriptionAttributes") == ["NotFound"]
    assert error_codes(records, SERVICE, "Publish") == ["InvalidParameter", "InvalidParameter"]
    assert error_codes(records, SERVICE, "PublishBatch") == ["BatchEntryIdsNotDistinct"]
    assert error_codes(records, SERVICE, "Unsubscribe") == ["NotFound"]
    assert error_codes(records, SERVICE, "DeleteTopic") == []
    missing = responses(records, "GetTopicAttributes")[1]
    assert missing["Error"]["Message"] == "Topic does not exist"
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_modelled_exceptions_are_raised():
    sns = Cloud().boto3_session().client("sns")
    with pytest.raises(sns.exceptions.NotFoundException) as e:
        sns.get_topic_attributes(TopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:nope")
    assert e.value.response["Error"]["Code"] == "NotFound"
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.create_topic(Name="bad name!")
    topic = sns.create_topic(Name="t")["TopicArn"]
    with pytest.raises(sns.exceptions.EmptyBatchRequestException):
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[])


# -- 3. bridge == HTTP endpoint ----------------------------------------------------------------
def test_bridge_matches_http_endpoint():
    assert_bridge_matches_http(scenario)
