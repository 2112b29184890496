"""The endpoint's router: which service and protocol a request is for, what an unknown service or
missing protocol answers, and the HTTP details around it (health check, 100-continue, gzip,
virtual Date, determinism, running without botocore)."""

from __future__ import annotations

import gzip
import json
import socket
import sys
import urllib.error
import urllib.request

import pytest

pytest.importorskip("botocore")
import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.adapters.http_server import SimServer  # noqa: E402
from serverless_sim.adapters.protocols import HttpRequest, dispatch, resolve  # noqa: E402
from serverless_sim.adapters.protocols import router  # noqa: E402
from serverless_sim.adapters.protocols.router import Route, RoutingError  # noqa: E402


def _auth(service):
    return ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
            f"{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")


def _req(method="POST", path="/", query="", headers=None, body=b""):
    return HttpRequest(method, path, query, {k.lower(): v for k, v in (headers or {}).items()}, body)


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.mark.parametrize("request_, expected", [
    (_req(headers={"X-Amz-Target": "AmazonSQS.SendMessage"}), Route("sqs", "json")),
    (_req(headers={"X-Amz-Target": "AWSEvents.PutEvents"}), Route("events", "json")),
    (_req(headers={"X-Amz-Target": "AWSStepFunctions.StartExecution"}), Route("stepfunctions", "json")),
    (_req(headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}), Route("cognito-idp", "json")),
    (_req(headers={"X-Amz-Target": "AWSCognitoIdentityService.GetId"}), Route("cognito-identity", "json")),
    (_req(headers={"X-Amz-Target": "DynamoDBStreams_20120810.GetRecords", "Authorization": _auth("dynamodb")}),
     Route("dynamodbstreams", "json")),
    (_req(headers={"X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"}), Route("cloudwatch", "json")),
    (_req(path="/service/GraniteServiceVersion20100801/operation/PutMetricData",
          headers={"Smithy-Protocol": "rpc-v2-cbor", "Authorization": _auth("monitoring")}),
     Route("cloudwatch", "smithy-rpc-v2-cbor")),
    (_req(headers={"Authorization": _auth("monitoring"), **FORM}, body=b"Action=ListMetrics&Version=2010-08-01"),
     Route("cloudwatch", "query")),
    (_req(headers={"Authorization": _auth("sns"), **FORM}, body=b"Action=ListTopics&Version=2010-03-31"),
     Route("sns", "query")),
    (_req("GET", "/2015-03-31/functions/", headers={"Authorization": _auth("lambda")}), Route("lambda", "rest-json")),
    (_req("GET", "/restapis", headers={"Authorization": _auth("apigateway")}), Route("apigateway", "rest-json")),
    (_req("GET", "/v2/apis", headers={"Authorization": _auth("apigateway")}), Route("apigatewayv2", "rest-json")),
    (_req("POST", "/%40connections/abc", headers={"Authorization": _auth("execute-api")}),
     Route("apigatewaymanagementapi", "rest-json")),
    (_req("GET", "/schedules", headers={"Authorization": _auth("scheduler")}), Route("scheduler", "rest-json")),
    (_req("GET", "/", headers={"Authorization": _auth("s3")}), Route("s3", "rest-xml")),
    (_req("GET", "/bucket/key", query="X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
          "AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00"), Route("s3", "rest-xml")),
    (_req(headers=FORM, body=b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=r"), Route("sts", "query")),
    (_req("GET", "/", query="Action=AssumeRoleWithSAML&Version=2011-06-15"), Route("sts", "query")),
    (_req(headers=FORM, body=b"Action=CreatePlatformApplication"), Route("sns", "query")),  # only SNS has it
    (_req("GET", "/public-bucket/file.txt"), Route("s3", "rest-xml")),  # anonymous S3
])
def test_resolve(request_, expected):
    assert resolve(request_) == expected


@pytest.mark.parametrize("request_, status, protocol, mention", [
    (_req(headers={"X-Amz-Target": "Kinesis_20131202.PutRecord"}), 400, "json", "Kinesis_20131202"),
    (_req(path="/service/Other/operation/Op", headers={"Smithy-Protocol": "rpc-v2-cbor"}), 404,
     "smithy-rpc-v2-cbor", "'Other'"),
    (_req(headers={"Authorization": _auth("kinesis"), "X-Amz-Target": ""}), 400, "rest-json", "'kinesis'"),
    (_req(headers={"Authorization": _auth("elasticbeanstalk"), **FORM}, body=b"Action=ListPlatformVersions"),
     400, "query", "elasticbeanstalk"),
    (_req(headers=FORM, body=b"Action=NoSuchAction&Version=1999-01-01"), 400, "query", "NoSuchAction"),
])
def test_unknown_services_name_what_is_simulated(request_, status, protocol, mention):
    with pytest.raises(RoutingError) as info:
        resolve(request_)
    err = info.value
    assert (err.status, err.protocol) == (status, protocol)
    assert mention in str(err) and "sqs" in str(err) and "dynamodb" in str(err)


# -- over HTTP ------------------------------------------------------------------------------
@pytest.fixture
def server():
    with SimServer(lambda: Cloud(seed=11), port=0) as srv:
        yield srv


def _session():
    return boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")


def _http(server, method="POST", path="/", body=b"", headers=None):
    req = urllib.request.Request(server.url + path, data=body if method not in ("GET", "HEAD") else None,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_boto3_clients_of_unsimulated_services_get_a_clear_error(server):
    kinesis = _session().client("kinesis", endpoint_url=server.url)  # AWS JSON, signed "kinesis"
    with pytest.raises(ClientError) as info:
        kinesis.list_streams()
    err = info.value.response["Error"]
    assert err["Code"] == "UnknownServiceException" and "sqs" in err["Message"]
    beanstalk = _session().client("elasticbeanstalk", endpoint_url=server.url)  # query: an XML error
    with pytest.raises(ClientError) as info:
        beanstalk.describe_applications()
    assert info.value.response["Error"]["Code"] == "UnknownServiceException"
    assert "elasticbeanstalk" in info.value.response["Error"]["Message"]


def test_a_protocol_without_its_module_answers_501(server, monkeypatch):
    monkeypatch.setitem(router.PROTOCOL_MODULES, "query", "not_written_yet")
    sns = _session().client("sns", endpoint_url=server.url)
    with pytest.raises(ClientError) as info:
        sns.list_topics()
    resp = info.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert resp["Error"]["Code"] == "NotImplemented" and "query" in resp["Error"]["Message"]


def test_health_check_only_unsigned(server):
    status, _, body = _http(server, "GET")
    assert status == 200 and body.startswith(b"healthy: ")
    status, _, body = _http(server, "GET", headers={"Authorization": _auth("s3")})  # S3 ListBuckets
    assert not body.startswith(b"healthy")
    assert router.resolve(_req("GET", "/", headers={"Authorization": _auth("s3")})).service == "s3"


def test_expect_100_continue(server):
    host, port = server.httpd.server_address[:2]
    body = json.dumps({"QueueName": "big"}).encode()
    with socket.create_connection((host, port)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     b"X-Amz-Target: AmazonSQS.CreateQueue\r\nContent-Type: application/x-amz-json-1.0\r\n"
                     + f"Authorization: {_auth('sqs')}\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        sock.settimeout(10)
        interim = sock.recv(1024)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"  # before the body was sent
        sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
        head, _, rest = answer.partition(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        while len(rest) < length:
            rest += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(rest)["QueueUrl"].endswith("/big")


def test_gzip_request_bodies_and_virtual_date(server):
    body = gzip.compress(json.dumps({"QueueName": "zipped"}).encode())
    status, headers, raw = _http(server, body=body, headers={
        "X-Amz-Target": "AmazonSQS.CreateQueue", "Content-Type": "application/x-amz-json-1.0",
        "Content-Encoding": "gzip"})
    assert status == 200 and json.loads(raw)["QueueUrl"].endswith("/zipped")
    assert headers["Date"] == "Thu, 01 Jan 2026 00:00:00 GMT"
    server.advance(3600)
    _, headers, _ = _http(server, body=b"{}", headers={"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert headers["Date"] == "Thu, 01 Jan 2026 01:00:00 GMT"
    status, _, raw = _http(server, body=b"\x1f\x8bnot gzip", headers={
        "X-Amz-Target": "AmazonSQS.ListQueues", "Content-Encoding": "gzip"})
    assert status == 500 and b"Cannot decode the request body" in raw


def _exchange(url):
    out = []
    for target, body in [("AmazonSQS.CreateQueue", {"QueueName": "a"}),
                         ("AmazonSQS.SendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/a",
                                                    "MessageBody": "m"}),
                         ("AmazonSQS.ReceiveMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/a"}),
                         ("AmazonSQS.GetQueueUrl", {"QueueName": "zz"}),
                         ("AWSEvents.PutEvents", {"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}]})]:
        req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(req) as resp:
                out.append((resp.status, sorted(resp.headers.items()), resp.read()))
        except urllib.error.HTTPError as err:
            out.append((err.code, sorted(err.headers.items()), err.read()))
    return out


def test_same_requests_same_bytes():
    runs = []
    for _ in range(2):
        with SimServer(lambda: Cloud(seed=21), port=0) as srv:
            runs.append(_exchange(srv.url))
    assert runs[0] == runs[1]
    assert [status for status, _, _ in runs[0]] == [200, 200, 200, 400, 200]


def test_without_botocore_the_json_targets_still_work(server, monkeypatch):
    monkeypatch.setitem(sys.modules, "botocore", None)  # "import botocore" fails, as when not installed
    status, _, raw = _http(server, body=b"{}", headers={"X-Amz-Target": "AmazonSQS.ListQueues"})
    assert status == 501 and b"serverless_sim[boto3]" in raw
    status, _, raw = _http(server, body=b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 200 and json.loads(raw) == {"TableNames": []}


# -- the model-driven JSON path agrees with the hand-written one ---------------------------
LOGS_AND_SFN = [
    ("Logs_20140328.CreateLogGroup", {"logGroupName": "/g"}),
    ("Logs_20140328.CreateLogStream", {"logGroupName": "/g", "logStreamName": "s"}),
    ("Logs_20140328.PutLogEvents", {"logGroupName": "/g", "logStreamName": "s",
                                    "logEvents": [{"timestamp": 1767225600000, "message": "hi"}]}),
    ("Logs_20140328.GetLogEvents", {"logGroupName": "/g", "logStreamName": "s", "startFromHead": True}),
    ("Logs_20140328.DescribeLogGroups", {}),
    ("Logs_20140328.DeleteLogGroup", {"logGroupName": "/missing"}),
    ("AWSStepFunctions.CreateStateMachine", {"name": "m", "roleArn": "arn:aws:iam::123456789012:role/r",
                                             "definition": json.dumps({"StartAt": "P", "States": {
                                                 "P": {"Type": "Pass", "End": True}}})}),
    ("AWSStepFunctions.StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m",
                                         "name": "e"}),
    ("AWSStepFunctions.DescribeExecution", {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:m:e"}),
    ("AWSStepFunctions.ListStateMachines", {}),
    ("AWSStepFunctions.DescribeStateMachine", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"}),
]


def test_model_driven_json_matches_the_hand_written_path():
    hand = SimServer(lambda: Cloud(seed=13), port=0)
    hand.httpd.server_close()
    model_cloud = Cloud(seed=13)
    for target, body in LOGS_AND_SFN:
        raw = json.dumps(body).encode()
        status, headers, payload = hand.handle_aws(target, raw)
        answer = dispatch(model_cloud, _req(headers={"X-Amz-Target": target}, body=raw))
        assert answer.status == status, target
        assert answer.headers["x-amzn-RequestId"] == headers["x-amzn-RequestId"]
        assert answer.headers["Content-Type"] == headers["Content-Type"]
        mine = json.loads(answer.body) if answer.body else None
        theirs = json.loads(payload) if payload else None
        if status != 200:  # the hand-written path always says x-amzn-ErrorType; compare the body
            assert mine["__type"].rsplit("#", 1)[-1] == theirs["__type"].rsplit("#", 1)[-1]
            assert mine["message"] == theirs["message"]
        else:
            assert mine == theirs, target
