"""The HTTP endpoint: AWS JSON 1.0/1.1 over http.server, the clock endpoints, wall-clock mode."""

from __future__ import annotations

import base64
import gzip
import json
import time
import urllib.error
import urllib.request
import zlib

import pytest

from serverless_sim import Cloud, SimError
from serverless_sim.adapters.http_server import SimServer
from serverless_sim.adapters.wire import decode_request, encode_response


def _post(url, target, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/x-amz-json-1.0", **({"X-Amz-Target": target} if target else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(req) as resp:
            raw = resp.read()
            return resp.status, dict(resp.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


@pytest.fixture
def server():
    with SimServer(lambda: Cloud(seed=2), port=0) as srv:
        yield srv


TABLE = {"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "B"}]}


def test_raw_json_protocol(server):
    status, headers, body = _post(server.url, "DynamoDB_20120810.CreateTable", TABLE)
    assert status == 200 and isinstance(body["TableDescription"]["CreationDateTime"], (int, float))
    assert headers["Content-Type"] == "application/x-amz-json-1.0" and "x-amz-crc32" in headers
    blob = base64.b64encode(b"\x00\xff").decode()
    item = {"pk": {"B": blob}, "s": {"BS": [blob]}, "m": {"M": {"B": {"B": blob}}}}
    assert _post(server.url, "DynamoDB_20120810.PutItem", {"TableName": "orders", "Item": item})[0] == 200
    assert server.cloud.dynamodb.tables["orders"] is not None
    status, _, body = _post(server.url, "DynamoDB_20120810.GetItem", {"TableName": "orders", "Key": {"pk": {"B": blob}}})
    assert body == {"Item": item}


def test_errors_on_the_wire(server):
    status, headers, body = _post(server.url, "DynamoDB_20120810.DescribeTable", {"TableName": "missing"})
    assert status == 400
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert body["message"].startswith("Requested resource not found")
    status, _, body = _post(server.url, "DynamoDB_20120810.NoSuchThing", {})
    assert status == 400 and body["__type"].endswith("#UnknownOperationException")
    status, _, body = _post(server.url, "", {})
    assert status == 400 and body["__type"].endswith("#UnknownOperationException")
    status, _, body = _post(server.url, "DynamoDB_20120810.ListTables", b"{not json")
    assert status == 400 and body == {"__type": "com.amazon.coral.service#SerializationException"}
    status, _, body = _post(server.url, "DynamoDB_20120810.PutItem", {"TableName": "x", "Item": {"pk": {"B": "@@@"}}})
    assert status == 400 and body["__type"].endswith("#SerializationException")
    # JSON-protocol requests are served at "/" only: another path is a 404 (and nothing runs).
    for target in ("DynamoDB_20120810.CreateTable", "AmazonSQS.CreateQueue"):
        status, _, body = _post(server.url + "/garbage", target, TABLE)
        assert status == 404 and body["__type"].endswith("UnknownOperationException")
    assert "orders" not in server.cloud.dynamodb.tables


def test_http_details(server):
    """What DynamoDB's endpoint does besides the protocol: compression, limits, CORS, health."""
    _post(server.url, "DynamoDB_20120810.CreateTable", TABLE)
    key = {"pk": {"B": "AA=="}}
    _post(server.url, "DynamoDB_20120810.PutItem", {"TableName": "orders", "Item": {**key, "x": {"S": "x" * 5000}}})
    req = urllib.request.Request(server.url, data=json.dumps({"TableName": "orders", "Key": key}).encode(), method="POST",
                                 headers={"X-Amz-Target": "DynamoDB_20120810.GetItem", "Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as resp:
        raw = resp.read()
        assert resp.headers["Content-Encoding"] == "gzip"
        assert int(resp.headers["x-amz-crc32"]) == zlib.crc32(raw)
    assert json.loads(gzip.decompress(raw))["Item"]["x"]["S"] == "x" * 5000
    status, _, _ = _post(server.url, "DynamoDB_20120810.ListTables", b"garbage", {"Content-Encoding": "gzip"})
    assert status == 500
    status, _, _ = _post(server.url, "DynamoDB_20120810.ListTables", b"{}", {"Content-Encoding": "br"})
    assert status == 500
    status, _, body = _post(server.url, "DynamoDB_20120810.TagResource", {
        "ResourceArn": server.cloud.dynamodb.tables["orders"].arn, "Tags": [{"Key": "k", "Value": "v"}]})
    assert status == 200 and body is None  # an operation without output answers an empty body
    req = urllib.request.Request(server.url, method="OPTIONS", headers={
        "Origin": "http://example.com", "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(req) as resp:
        assert resp.headers["Access-Control-Allow-Origin"] == "*" and resp.headers["Access-Control-Max-Age"]
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(server.url + "/index.html")
    assert e.value.code == 404


@pytest.mark.parametrize("header, expected", [
    (None, None), ("identity", None), ("br", None), ("x-gzip", None), ("gzip, deflate", "gzip"),
    ("br, identity, deflate, gzip", "deflate"), ("GZIP, identity", "gzip"), ("gzip;q=0.8, deflate;q=0.5", "gzip"),
    ("br, gzip;q=0, deflate; q = 0.5 , identity;q=0", "deflate"), ("*", "gzip"), ("*, deflate;q=0.5", "gzip"),
    ("*, deflate", "deflate"), ("dog, gzip ,, cat", "gzip"), ("*, gzip;q=0.5", "deflate"), ("*;q=0", None),
    ("*;q=0.5,identity", "gzip"), ('"gzip"', None), ("gzip br", None), ("gzip:q=1", None),
    ("gzip;q=31,deflate;q=51", "gzip"), ("deflate;q=0.5, gzip;q=1;q=0.2", "gzip"), ("deflate;q=0.5,gzip;q=0.", "deflate"),
    ("deflate;q=0.5,gzip;q=0.x", "gzip"), ("deflate;q=-0.5,gzip;q=0.2", "gzip"), ("gzip;q= 0;q=1", None),
    ("gzip;q =0;q=1", "gzip"), ("gzip;nq=0;q=1", None), ("gzip;q=0, gzip;q=1, gzip;q=0", "gzip"),
    ("br,identity;q=0.5,gzip;q=0.0001", "gzip"),
])
def test_accept_encoding_negotiation(header, expected):
    from serverless_sim.adapters.http_server import negotiate_encoding

    assert negotiate_encoding(header) == expected


def test_gzip_body_and_logs_json_11(server):
    data = gzip.compress(json.dumps({"logGroupName": "/app"}).encode())
    status, headers, _ = _post(server.url, "Logs_20140328.CreateLogGroup", data, {"Content-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"] == "application/x-amz-json-1.1"
    status, _, body = _post(server.url, "Logs_20140328.DescribeLogGroups", {})
    assert [g["logGroupName"] for g in body["logGroups"]] == ["/app"]


def test_cloudwatch_json_protocol_timestamps(server):
    now = server.cloud.time()
    status, _, _ = _post(server.url, "GraniteServiceVersion20100801.PutMetricData",
                         {"Namespace": "App", "MetricData": [{"MetricName": "m", "Value": 2.0, "Timestamp": now}]})
    assert status == 200
    status, _, body = _post(server.url, "GraniteServiceVersion20100801.GetMetricStatistics", {
        "Namespace": "App", "MetricName": "m", "StartTime": now - 60, "EndTime": now + 60, "Period": 60,
        "Statistics": ["Sum"]})
    assert status == 200 and body["Datapoints"][0]["Sum"] == 2.0


def test_clock_endpoints_and_reset(server):
    req = urllib.request.Request(server.url + "/_sim/clock")
    state = json.loads(urllib.request.urlopen(req).read())
    assert state["now"] == "2026-01-01T00:00:00.000000Z" and state["mode"] == "frozen"
    req = urllib.request.Request(server.url + "/_sim/clock/advance", data=b'{"seconds": 90}', method="POST")
    assert json.loads(urllib.request.urlopen(req).read())["elapsed_seconds"] == 90
    assert server.cloud.elapsed.total_seconds() == 90
    req = urllib.request.Request(server.url + "/_sim/clock/advance", data=b'{"seconds": -1}', method="POST")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(req)
    _post(server.url, "DynamoDB_20120810.CreateTable", TABLE)
    urllib.request.urlopen(urllib.request.Request(server.url + "/_sim/reset", data=b"", method="POST"))
    assert _post(server.url, "DynamoDB_20120810.ListTables", {})[2] == {"TableNames": []}
    assert urllib.request.urlopen(server.url + "/").read().startswith(b"healthy:")


def test_wall_clock_mode_follows_wall_time():
    with SimServer(lambda: Cloud(), port=0, clock="wall", rate=3600, tick=0.02) as srv:
        time.sleep(0.2)
        with srv.lock:
            elapsed = srv.cloud.elapsed.total_seconds()
        assert 300 <= elapsed <= 3600 * 5  # ~720 s of virtual time, moved by the ticker
        srv.advance(10_000)
        assert srv.clock_state()["elapsed_seconds"] >= 10_000 + elapsed
    with pytest.raises(SimError):
        SimServer(lambda: Cloud(), port=0, clock="sundial")


def test_wire_codec_round_trip():
    req = decode_request("dynamodb", json.dumps({"Item": {"k": {"B": "AAE="}, "L": {"L": [{"BS": ["AQ=="]}]}},
                                                 "TimeRangeLowerBound": 1767225600.5}).encode())
    assert req["Item"] == {"k": {"B": b"\x00\x01"}, "L": {"L": [{"BS": [b"\x01"]}]}}
    assert req["TimeRangeLowerBound"].isoformat() == "2026-01-01T00:00:00.500000+00:00"
    assert json.loads(encode_response({"B": b"\x01", "T": req["TimeRangeLowerBound"]})) == {"B": "AQ==", "T": 1767225600.5}


def test_boto3_against_the_endpoint(server):
    boto3 = pytest.importorskip("boto3")
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1")
    table = session.resource("dynamodb", endpoint_url=server.url).create_table(**{**TABLE, "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"}]})
    table.wait_until_exists()
    table.put_item(Item={"pk": "a", "n": 1, "b": b"\x00"})
    assert table.get_item(Key={"pk": "a"})["Item"]["b"].value == b"\x00"
    client = session.client("dynamodb", endpoint_url=server.url)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName="missing")
    logs = session.client("logs", endpoint_url=server.url)
    logs.create_log_group(logGroupName="/x")
    assert logs.describe_log_groups()["logGroups"][0]["logGroupName"] == "/x"


def test_serve_subcommand_parses(monkeypatch):
    import serverless_sim.adapters.http_server as http_server
    from serverless_sim.__main__ import main

    seen = {}
    monkeypatch.setattr(http_server, "serve", lambda factory, host, port, **kw: seen.update(
        cloud=factory(), host=host, port=port, **kw))
    main(["serve", "--port", "0", "--seed", "4", "--clock", "wall", "--clock-rate", "60", "--quiet"])
    assert seen["cloud"].seed == 4 and seen["clock"] == "wall" and seen["rate"] == 60 and seen["port"] == 0
