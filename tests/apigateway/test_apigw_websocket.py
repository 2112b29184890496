"""WebSocket APIs: $connect / $disconnect / $default, route selection, @connections."""

from __future__ import annotations

import json

import pytest

from apigw_helpers import apigw_services, make_cloud  # noqa: F401
from serverless_sim.apigateway.websocket import select_route


def chat_cloud(connect_status=200):
    events = []

    def on_connect(event, context):
        events.append(event)
        return {"statusCode": connect_status}

    def on_disconnect(event, context):
        events.append(event)
        return {"statusCode": 200}

    def on_send(event, context):
        events.append(event)
        mgmt = cloud.client("apigatewaymanagementapi")
        msg = json.loads(event["body"])
        mgmt.post_to_connection(ConnectionId=msg["to"], Data=msg["text"].encode())
        return {"statusCode": 200, "body": "sent"}

    def on_default(event, context):
        events.append(event)
        return {"statusCode": 200, "body": "default"}

    cloud = make_cloud({"connect": on_connect, "disconnect": on_disconnect, "send": on_send, "default": on_default},
                       duration=0.01)
    gw = cloud.service("apigateway")
    api = gw.create_websocket_api("chat", {"$connect": "connect", "$disconnect": "disconnect", "sendmessage": "send",
                                           "$default": "default"}, two_way=("sendmessage",))
    return cloud, gw, api, events


def test_connect_message_post_to_connection_and_disconnect():
    cloud, gw, api, events = chat_cloud()
    a = gw.connect(api, "prod", headers={"Origin": "x"}, query="room=1")
    b = gw.connect(api, "prod")
    assert a.connected and b.connected and a.status == 101 and a.connection_id != b.connection_id
    assert len(a.connection_id) == 16 and a.connection_id.endswith("=")
    ev = events[0]
    assert ev["requestContext"]["eventType"] == "CONNECT" and ev["requestContext"]["routeKey"] == "$connect"
    assert ev["queryStringParameters"] == {"room": "1"} and ev["headers"] == {"Origin": "x"}
    a.send({"action": "sendmessage", "to": b.connection_id, "text": "hello"})
    cloud.run_until_idle()
    assert b.received == [b"hello"]
    assert a.received == ["sent"]  # two-way route: the integration's body comes back
    msg = events[2]
    assert msg["requestContext"]["eventType"] == "MESSAGE" and msg["requestContext"]["routeKey"] == "sendmessage"
    assert msg["requestContext"]["connectionId"] == a.connection_id and "messageId" in msg["requestContext"]
    a.send("not json")
    cloud.run_until_idle()
    assert events[-1]["requestContext"]["routeKey"] == "$default" and a.received == ["sent"]  # $default is one-way
    mgmt = cloud.client("apigatewaymanagementapi")
    info = mgmt.get_connection(ConnectionId=b.connection_id)
    assert info["Identity"]["SourceIp"] == "198.51.100.1"
    mgmt.delete_connection(ConnectionId=b.connection_id)
    cloud.run_until_idle()
    assert not b.connected and events[-1]["requestContext"]["eventType"] == "DISCONNECT"
    with pytest.raises(mgmt.exceptions.GoneException):
        mgmt.post_to_connection(ConnectionId=b.connection_id, Data=b"x")


def test_connect_refused_by_integration_status():
    cloud, gw, api, events = chat_cloud(connect_status=403)
    c = gw.connect(api, "prod")
    assert not c.connected and c.status == 403 and gw.gateway.connections == {}


def test_no_default_route_sends_forbidden():
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200}})
    gw = cloud.service("apigateway")
    api = gw.create_websocket_api("w", {"ping": "f"})
    c = gw.connect(api, "prod")  # no $connect route: accepted
    c.send({"action": "other"})
    cloud.run_until_idle()
    body = json.loads(c.received[0])
    assert body["message"] == "Forbidden" and body["connectionId"] == c.connection_id


def test_idle_timeout_closes_after_10_minutes():
    cloud, gw, api, events = chat_cloud()
    c = gw.connect(api, "prod")
    cloud.advance(599)
    assert c.connected
    c.send({"action": "x"})
    cloud.advance(599)
    assert c.connected
    cloud.advance(2)
    assert not c.connected and c.close_code == 1001


def test_route_selection_expression():
    assert select_route("$request.body.action", '{"action": "join"}') == "join"
    assert select_route("${request.body.a.b}", '{"a": {"b": 3}}') == "3"
    assert select_route("$request.body.action", "nope") is None
    assert select_route("$request.body.action", '{"other": 1}') is None


def test_websocket_control_plane_rules():
    cloud = make_cloud()
    v2 = cloud.client("apigatewayv2")
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_api(Name="w", ProtocolType="WEBSOCKET")  # needs a route selection expression
    api = v2.create_api(Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")
    assert api["ApiEndpoint"].startswith("wss://")
    with pytest.raises(v2.exceptions.BadRequestException):
        v2.create_authorizer(ApiId=api["ApiId"], Name="j", AuthorizerType="JWT", IdentitySource=["$request.header.A"],
                             JwtConfiguration={"Issuer": "https://i", "Audience": ["a"]})
