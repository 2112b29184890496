"""The AWS query protocol over HTTP (SNS, IAM, STS, CloudWatch's query flavour): real boto3
clients against the endpoint, the wire format, and round trips against botocore's own
serializer and parser."""

from __future__ import annotations

import datetime as dt
import functools
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import boto3
import botocore.parsers
import botocore.serialize
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.adapters.http_server import SimServer
from serverless_sim.adapters.protocols import query
from serverless_sim.adapters.protocols.base import HttpRequest, service_model

from xml_wire_strategies import ABSENT, XML_TEXT, normalize, values

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture(scope="module")
def server():
    with SimServer(lambda: Cloud(seed=7), port=0) as srv:
        yield srv


@pytest.fixture
def client(server):
    server.reset()

    def make(name):
        return boto3.client(name, endpoint_url=server.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return make


def _post_form(url, form, headers=None):
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# -- SNS ----------------------------------------------------------------------------------------
def test_sns_topics_attributes_and_errors(client):
    sns = client("sns")
    arn = sns.create_topic(Name="orders", Attributes={"DisplayName": "Orders"},
                           Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:123456789012:orders"
    attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["DisplayName"] == "Orders" and attrs["TopicArn"] == arn
    assert json.loads(attrs["Policy"])["Statement"][0]["Resource"] == arn
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="a < b & c")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "a < b & c"
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    with pytest.raises(sns.exceptions.NotFoundException) as info:
        sns.get_topic_attributes(TopicArn=arn + "-missing")
    err = info.value.response
    assert err["Error"]["Code"] == "NotFound" and err["Error"]["Type"] == "Sender"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404 and err["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as info:
        sns.create_topic(Name="bad name!")
    assert info.value.response["Error"]["Code"] == "InvalidParameter"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_sns_list_topics_paginator(client):
    sns = client("sns")
    names = [f"t{i:03d}" for i in range(105)]
    for name in names:
        sns.create_topic(Name=name)
    pages = list(sns.get_paginator("list_topics").paginate())
    assert len(pages) == 2 and "NextToken" in pages[0]
    arns = [t["TopicArn"] for p in pages for t in p["Topics"]]
    assert sorted(a.rsplit(":", 1)[1] for a in arns) == names


def test_sns_publish_to_sqs_subscription(client, server):
    sns, sqs = client("sns"), client("sqs")
    arn = sns.create_topic(Name="events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                        Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)
    sub_arn = sub["SubscriptionArn"]
    assert sub_arn.startswith(arn + ":")
    assert sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]["RawMessageDelivery"] == "true"
    listed = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in listed] == [("sqs", queue_arn)]
    msg_id = sns.publish(TopicArn=arn, Message="hello", Subject="s", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "order"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    })["MessageId"]
    assert msg_id
    with server.lock:
        server.cloud.run_until_idle()
    got = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in got] == ["hello"]
    assert got[0]["MessageAttributes"]["kind"]["StringValue"] == "order"
    assert got[0]["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\xff"
    sns.unsubscribe(SubscriptionArn=sub_arn)
    assert sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"] == []


# -- IAM ----------------------------------------------------------------------------------------
def test_iam_roles_policies_and_errors(client, server):
    iam = client("iam")
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(TRUST),
                           Description="runs jobs", Tags=[{"Key": "env", "Value": "test"}])["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/worker"
    assert role["AssumeRolePolicyDocument"] == TRUST  # URL-encoded JSON on the wire, decoded by botocore
    assert role["CreateDate"] == server.cloud.now.astimezone(dt.timezone.utc)
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    iam.put_role_policy(RoleName="worker", PolicyName="read", PolicyDocument=json.dumps(policy))
    got = iam.get_role_policy(RoleName="worker", PolicyName="read")
    assert got["PolicyDocument"] == policy and got["PolicyName"] == "read"
    assert iam.list_role_policies(RoleName="worker")["PolicyNames"] == ["read"]
    fetched = iam.get_role(RoleName="worker")["Role"]
    assert isinstance(fetched["CreateDate"], dt.datetime) and fetched["Description"] == "runs jobs"
    assert fetched["Tags"] == [{"Key": "env", "Value": "test"}]
    with pytest.raises(iam.exceptions.NoSuchEntityException) as info:
        iam.get_role(RoleName="ghost")
    assert info.value.response["Error"]["Code"] == "NoSuchEntity"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(TRUST))


def test_iam_list_roles_paginator(client):
    iam = client("iam")
    for i in range(7):
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=json.dumps(TRUST), Path="/app/")
    pages = list(iam.get_paginator("list_roles").paginate(PathPrefix="/app/", PaginationConfig={"PageSize": 3}))
    assert [len(p["Roles"]) for p in pages] == [3, 3, 1]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert [r["RoleName"] for p in pages for r in p["Roles"]] == [f"r{i}" for i in range(7)]


# -- STS ----------------------------------------------------------------------------------------
def test_sts_identity_and_assume_role(client, server):
    sts, iam = client("sts"), client("iam")
    ident = sts.get_caller_identity()
    assert ident["Account"] == "123456789012" and ident["Arn"].startswith("arn:aws:")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps(trust))
    out = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/deployer", RoleSessionName="ci",
                          DurationSeconds=900)
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SecretAccessKey"] and creds["SessionToken"]
    assert creds["Expiration"] == server.cloud.now.astimezone(dt.timezone.utc) + dt.timedelta(seconds=900)
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/ci"


# -- the wire -----------------------------------------------------------------------------------
def test_wire_format_of_answers_and_errors(server):
    server.reset()
    status, headers, body = _post_form(server.url, {"Action": "CreateTopic", "Version": "2010-03-31", "Name": "w"})
    assert status == 200 and headers["Content-Type"] == "text/xml" and headers["x-amzn-RequestId"]
    root = ET.fromstring(body)
    ns = "{http://sns.amazonaws.com/doc/2010-03-31/}"
    assert root.tag == ns + "CreateTopicResponse"
    assert root.find(f"{ns}CreateTopicResult/{ns}TopicArn").text.endswith(":w")
    assert root.find(f"{ns}ResponseMetadata/{ns}RequestId").text == headers["x-amzn-RequestId"]
    status, headers, body = _post_form(server.url, {"Action": "DeleteTopic", "Version": "2010-03-31",
                                                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:w"})
    assert status == 200 and [c.tag for c in ET.fromstring(body)] == [ns + "ResponseMetadata"]
    status, _, body = _post_form(server.url, {"Action": "GetTopicAttributes", "Version": "2010-03-31",
                                              "TopicArn": "arn:aws:sns:us-east-1:123456789012:w"})
    root = ET.fromstring(body)
    assert status == 404 and root.tag == ns + "ErrorResponse"
    assert [c.tag for c in root.find(ns + "Error")] == [ns + "Type", ns + "Code", ns + "Message"]
    assert root.find(f"{ns}Error/{ns}Code").text == "NotFound" and root.find(ns + "RequestId").text
    # a value the model cannot read, and an action the service does not have
    status, _, body = _post_form(server.url, {"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "x",
                                              "AssumeRolePolicyDocument": "{}", "MaxSessionDuration": "soon"})
    assert status == 400 and b"<Code>MalformedInput</Code>" in body
    request = HttpRequest("POST", "/", "", {"content-type": "application/x-www-form-urlencoded"},
                          b"Action=AddPermission&Version=2010-03-31")
    answer = query.handle(server.cloud, service_model("sns"), request)
    assert answer.status == 400 and b"<Code>InvalidAction</Code>" in answer.body


def test_get_query_string_is_read_like_a_form(server):
    server.reset()
    request = HttpRequest("GET", "/", "Action=CreateTopic&Version=2010-03-31&Name=viaget&Attributes.entry.1.key="
                          "DisplayName&Attributes.entry.1.value=G", {}, b"")
    with server.lock:
        answer = query.handle(server.cloud, service_model("sns"), request)
        assert answer.status == 200
        arn = "arn:aws:sns:us-east-1:123456789012:viaget"
        assert server.cloud.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "G"


def test_cloudwatch_query_flavour(server):
    """botocore speaks CBOR to CloudWatch; a query client (older SDKs, the CLI v1) is answered too."""
    server.reset()
    model = service_model("cloudwatch")
    serializer = botocore.serialize.create_serializer("query", include_validation=False)
    parser = botocore.parsers.create_parser("query")

    def call(op, params):
        om = model.operation_model(op)
        body = urllib.parse.urlencode(serializer.serialize_to_request(params, om)["body"])
        status, headers, raw = _post_form(server.url, dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
        return status, parser.parse({"body": raw, "headers": headers, "status_code": status}, om.output_shape)

    status, _ = call("PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "Latency", "Value": 12.5, "Unit": "Milliseconds",
         "Dimensions": [{"Name": "Stage", "Value": "prod"}]}]})
    assert status == 200
    status, out = call("ListMetrics", {"Namespace": "App"})
    assert status == 200
    assert out["Metrics"] == [{"Namespace": "App", "MetricName": "Latency",
                               "Dimensions": [{"Name": "Stage", "Value": "prod"}]}]


# -- round trips against botocore ---------------------------------------------------------------
QUERY_SERVICES = ("sns", "iam", "sts", "cloudwatch")
_OPS = [(svc, op) for svc in QUERY_SERVICES for op in service_model(svc).operation_names]


@functools.lru_cache(maxsize=None)
def _input_strategy(svc, op):
    shape = service_model(svc).operation_model(op).input_shape
    return values(shape) if shape is not None else st.just({})


@functools.lru_cache(maxsize=None)
def _output_strategy(svc, op):
    shape = service_model(svc).operation_model(op).output_shape
    return values(shape, text=XML_TEXT) if shape is not None else st.just({})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_query_requests_round_trip_from_botocore(data):
    """What botocore's QuerySerializer sends, parsed back, is what the caller passed."""
    svc, op = data.draw(st.sampled_from(_OPS))
    om = service_model(svc).operation_model(op)
    params = data.draw(_input_strategy(svc, op))
    expected = normalize(om.input_shape, params, empty_struct_absent=True, empty_map_absent=lambda s: True,
                         empty_list_absent=lambda s: False) if om.input_shape is not None else {}
    if expected is None:
        return  # an empty structure inside a list: the query protocol cannot carry it
    body = botocore.serialize.create_serializer("query", include_validation=False).serialize_to_request(params, om)["body"]
    wire = urllib.parse.urlencode(body)  # what botocore puts on the wire
    pairs = urllib.parse.parse_qsl(wire, keep_blank_values=True)
    assert query.parse_params(om.input_shape, pairs) == ({} if expected is ABSENT else expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_query_answers_round_trip_through_botocore(data):
    """botocore's QueryParser reads our XML answer back into the result we serialized."""
    svc, op = data.draw(st.sampled_from(_OPS))
    om = service_model(svc).operation_model(op)
    result = data.draw(_output_strategy(svc, op))
    body = query.serialize_result(om, result, "req-1")
    parsed = botocore.parsers.create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200}, om.output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    if om.output_shape is None:
        assert parsed == {}
        return
    expected = normalize(om.output_shape, result, empty_struct_absent=False, empty_map_absent=lambda s: bool(s.serialization.get("flattened")),
                         empty_list_absent=lambda s: bool(s.serialization.get("flattened")))
    if expected is None:
        return
    assert parsed == expected


@given(code=st.sampled_from(["NotFound", "InvalidParameter", "Throttled"]), message=XML_TEXT,
       status=st.sampled_from([400, 403, 404, 500]))
def test_query_errors_round_trip_through_botocore(code, message, status):
    body = query.serialize_error(service_model("sns"), status, code, message, "rid")
    parsed = botocore.parsers.create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": status}, None)
    assert parsed["Error"] == {"Type": "Sender" if status < 500 else "Receiver", "Code": code,
                               "Message": message or None}  # an empty element reads as None
    assert parsed["ResponseMetadata"]["RequestId"] == "rid"
