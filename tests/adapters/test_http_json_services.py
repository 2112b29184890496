"""The AWS JSON services over HTTP from real boto3 clients: SQS, Step Functions, EventBridge,
Cognito user pools and identity pools, CloudWatch Logs; and the same answers as the bridge."""

from __future__ import annotations

import datetime as dt
import json

import pytest

boto3 = pytest.importorskip("boto3")
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.adapters.http_server import SimServer  # noqa: E402

UTC = dt.timezone.utc


@pytest.fixture
def server():
    with SimServer(lambda: Cloud(seed=4), port=0) as srv:
        yield srv


@pytest.fixture
def client(server):
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")
    sent: list = []

    def make(name, **kw):
        c = session.client(name, endpoint_url=server.url, **kw)
        c.meta.events.register("before-send", lambda request, **_: sent.append(request))
        return c

    make.sent = sent  # type: ignore[attr-defined]
    return make


def test_sqs(client, server):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    assert client.sent[-1].headers["X-Amz-Target"] == b"AmazonSQS.CreateQueue"  # AWS JSON 1.0
    for i in range(3):
        sqs.create_queue(QueueName=f"extra-{i}")
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
        "n": {"DataType": "Number", "StringValue": "7"}})
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    [msg] = got["Messages"]
    assert msg["MessageId"] == sent["MessageId"] and msg["Body"] == "hello"
    assert msg["MessageAttributes"]["raw"]["BinaryValue"] == b"\x00\xff"  # a blob, base64 on the wire
    assert msg["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert int(msg["Attributes"]["SentTimestamp"]) == int(server.cloud.time() * 1000)
    assert got["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.0"
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "30" and attrs["ApproximateNumberOfMessagesNotVisible"] == "1"
    assert sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    server.advance(31)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)

    pages = list(sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 2 and all("NextToken" in p for p in pages[:1])
    assert sorted(u.rsplit("/", 1)[1] for p in pages for u in p["QueueUrls"]) == \
        ["extra-0", "extra-1", "extra-2", "orders"]

    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.get_queue_url(QueueName="nope")
    err = info.value.response
    assert err["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert err["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    assert err["Error"]["Message"] == "The specified queue does not exist."
    assert err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == \
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    with pytest.raises(ClientError) as info:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert info.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_step_functions(client, server):
    sfn = client("stepfunctions")
    definition = {"StartAt": "Wait", "States": {
        "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
        "Done": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
    machine = sfn.create_state_machine(name="flow", definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/sfn")
    assert machine["creationDate"] == server.cloud.now
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run-1", input='{"a": 1}')
    assert started["startDate"] == server.cloud.now and started["startDate"].tzinfo is not None
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING"
    server.advance(11)
    done = sfn.describe_execution(executionArn=started["executionArn"])
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"ok": True}
    assert done["stopDate"] - done["startDate"] == dt.timedelta(seconds=10)
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=started["executionArn"] + "-missing")
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="run-1", input='{"b": 2}')


def test_eventbridge_to_sqs(client, server):
    events, sqs = client("events"), client("sqs")
    url = sqs.create_queue(QueueName="sink")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"], "detail-type": ["Order"]}))
    assert client.sent[-1].headers["X-Amz-Target"] == b"AWSEvents.PutRule"  # AWS JSON 1.1
    assert rule["RuleArn"].endswith(":rule/orders")
    assert events.put_targets(Rule="orders", Targets=[{"Id": "q", "Arn": arn}])["FailedEntryCount"] == 0
    when = dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)
    put = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "Order", "Detail": '{"id": 1}', "Time": when},
        {"Source": "other", "DetailType": "Order", "Detail": "{}"}])
    assert put["FailedEntryCount"] == 0 and len(put["Entries"]) == 2
    server.advance(1)
    [msg] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    event = json.loads(msg["Body"])
    assert event["source"] == "shop" and event["detail"] == {"id": 1}
    assert event["time"] == "2026-01-01T00:00:05Z"  # the request's timestamp, read as a datetime
    assert events.describe_rule(Name="orders")["EventPattern"]
    with pytest.raises(events.exceptions.ResourceNotFoundException) as info:
        events.describe_rule(Name="missing")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_cognito_user_pool_and_unsigned_auth(client, server):
    idp = client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]
    assert isinstance(pool["CreationDate"], dt.datetime) and pool["CreationDate"] == server.cloud.now
    app = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web",
                                      ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    client_id = app["UserPoolClient"]["ClientId"]
    user = idp.admin_create_user(UserPoolId=pool["Id"], Username="ana",
                                 UserAttributes=[{"Name": "email", "Value": "ana@example.com"}])
    assert user["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ana", Password="Passw0rd!x", Permanent=True)

    anonymous = client("cognito-idp", config=Config(signature_version=UNSIGNED))
    auth = anonymous.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "ana", "PASSWORD": "Passw0rd!x"})
    assert "Authorization" not in client.sent[-1].headers
    assert client.sent[-1].headers["X-Amz-Target"] == b"AWSCognitoIdentityProviderService.InitiateAuth"
    tokens = auth["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    me = anonymous.get_user(AccessToken=tokens["AccessToken"])
    assert me["Username"] == "ana"
    with pytest.raises(anonymous.exceptions.NotAuthorizedException):
        anonymous.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "ana", "PASSWORD": "wrong-password"})

    identity = client("cognito-identity")
    ipool = identity.create_identity_pool(IdentityPoolName="ids", AllowUnauthenticatedIdentities=True)
    got = client("cognito-identity", config=Config(signature_version=UNSIGNED)).get_id(
        IdentityPoolId=ipool["IdentityPoolId"])
    assert got["IdentityId"].startswith("us-east-1:")


def test_logs(client, server):
    logs = client("logs")
    logs.create_log_group(logGroupName="/app")
    logs.create_log_stream(logGroupName="/app", logStreamName="s")
    t = int(server.cloud.time() * 1000)
    logs.put_log_events(logGroupName="/app", logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "one"}, {"timestamp": t + 1, "message": "two"}])
    got = logs.get_log_events(logGroupName="/app", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in got["events"]] == ["one", "two"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.get_log_events(logGroupName="/nope", logStreamName="s")


def test_wrong_json_types_are_serialization_exceptions(server):
    import urllib.error
    import urllib.request

    def post(target, body):
        req = urllib.request.Request(server.url, data=body, method="POST", headers={
            "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    status, body = post("AmazonSQS.CreateQueue", b'{"QueueName": 5}')
    assert status == 400 and body["__type"].endswith("#SerializationException")
    assert body["message"] == "NUMBER_VALUE can not be converted to a String"
    status, body = post("AmazonSQS.SendMessage", b'{"QueueUrl": "u", "MessageBody": "b", "DelaySeconds": "x"}')
    assert status == 400 and body["message"] == "STRING_VALUE can not be converted to an Integer"
    status, body = post("AmazonSQS.CreateQueue", b"{nope")
    assert status == 400 and body["__type"].endswith("#SerializationException")
    status, body = post("AmazonSQS.NoSuchAction", b"{}")
    assert status == 400 and body["__type"].endswith("#UnknownOperationException")
    status, body = post("AmazonSQS.ListQueues", b"")  # no body: no parameters
    assert status == 200 and body == {}


# -- the bridge and the endpoint answer alike -------------------------------------------------
def _scenario(make):
    out = []

    def call(c, method, **kw):
        try:
            resp = getattr(c, method)(**kw)
        except ClientError as e:
            resp = e.response
        meta = resp.pop("ResponseMetadata")
        err = resp.get("Error")
        if err is not None:  # the HTTP answer also says Sender/Receiver, and the query code always
            err.pop("Type", None)
            if err.get("QueryErrorCode") == err["Code"]:
                err.pop("QueryErrorCode")
        out.append((method, meta["HTTPStatusCode"], meta.get("RequestId"), resp))
        return resp

    sqs, events, idp = make("sqs"), make("events"), make("cognito-idp")
    url = call(sqs, "create_queue", QueueName="q", Attributes={"DelaySeconds": "0"})["QueueUrl"]
    call(sqs, "create_queue", QueueName="q", Attributes={"DelaySeconds": "5"})
    call(sqs, "send_message", QueueUrl=url, MessageBody="x",
         MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": b"\x01"}})
    call(sqs, "send_message_batch", QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "y"}, {"Id": "1", "MessageBody": "z"}])
    call(sqs, "receive_message", QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])
    call(sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
    call(sqs, "tag_queue", QueueUrl=url, Tags={"a": "b"})
    call(sqs, "list_queue_tags", QueueUrl=url)
    call(sqs, "get_queue_url", QueueName="missing")
    call(sqs, "change_message_visibility", QueueUrl=url, ReceiptHandle="bad", VisibilityTimeout=3)
    call(events, "create_event_bus", Name="bus")
    call(events, "put_rule", Name="r", EventBusName="bus", ScheduleExpression="rate(5 minutes)")
    call(events, "list_rules", EventBusName="bus")
    call(events, "describe_rule", Name="r", EventBusName="bus")
    call(events, "describe_event_bus", Name="nope")
    call(events, "put_events", Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}", "EventBusName": "bus"}])
    call(events, "test_event_pattern", EventPattern='{"source": ["s"]}', Event=json.dumps({
        "id": "1", "account": "123456789012", "source": "s", "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1", "resources": [], "detail-type": "d", "detail": {}}))
    pool = call(idp, "create_user_pool", PoolName="p")["UserPool"]["Id"]
    call(idp, "admin_create_user", UserPoolId=pool, Username="u", TemporaryPassword="Temp0rary!pw")
    call(idp, "admin_get_user", UserPoolId=pool, Username="u")
    call(idp, "list_users", UserPoolId=pool)
    call(idp, "admin_get_user", UserPoolId=pool, Username="ghost")
    return out


def test_bridge_and_endpoint_answer_alike():
    """Same seed, same calls: the bridge's answers equal botocore's parse of the endpoint's bytes
    (values, types, statuses, request ids)."""
    bridge = Cloud(seed=9).boto3_session()
    bridged = _scenario(lambda name: bridge.client(name, region_name="us-east-1"))
    with SimServer(lambda: Cloud(seed=9), port=0) as server:
        session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")
        over_http = _scenario(lambda name: session.client(name, endpoint_url=server.url))
    assert len(bridged) == len(over_http)
    for a, b in zip(bridged, over_http):
        assert a == b
    assert sum(status >= 400 for _, status, _, _ in bridged) >= 5
