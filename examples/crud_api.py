"""CRUD API: API Gateway (HTTP API) -> Lambda -> DynamoDB, with a DynamoDB Streams -> Lambda
projection that keeps a counts table up to date.

    POST/GET/PUT/DELETE /items/{id} --> items-api --> items table
                                                        | stream (NEW_AND_OLD_IMAGES)
                                                        v
                                                   projector --> item-counts table

The API is built with the ``apigatewayv2`` client (CreateApi, CreateIntegration, CreateRoute,
CreateStage), the stream is wired with Lambda's CreateEventSourceMapping, and requests go through
``cloud.apigateway.request``, which blocks like an HTTP call (the clock moves to the response).

Run it:  python examples/crud_api.py
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from serverless_sim import Cloud  # noqa: E402

ITEMS, COUNTS = "items", "item-counts"
USE_EVENT_SOURCE_MAPPING = True   # False: the native stream subscription below
ROUTES = ("POST /items/{id}", "GET /items/{id}", "PUT /items/{id}", "DELETE /items/{id}")


def _reply(status: int, body=None) -> dict:
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body) if body is not None else ""}


def _table(name: str, key: str, stream: bool = False) -> dict:
    spec = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}]}
    if stream:
        spec["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return spec


def build(cloud: Cloud) -> dict:
    """Tables, the two functions, the HTTP API and the stream mapping. Returns ``{"api_id",
    "projection"}`` (``projection`` says how the stream is wired)."""
    ddb = cloud.client("dynamodb")
    stream_arn = ddb.create_table(**_table(ITEMS, "id", stream=True))["TableDescription"]["LatestStreamArn"]
    ddb.create_table(**_table(COUNTS, "counter"))

    def items_api(event, context):
        """HTTP API payload 2.0 -> one DynamoDB call -> a proxy response."""
        method, item_id = event["requestContext"]["http"]["method"], event["pathParameters"]["id"]
        key = {"id": {"S": item_id}}
        if method == "GET":
            item = ddb.get_item(TableName=ITEMS, Key=key).get("Item")
            return _reply(404, {"message": "not found"}) if item is None else \
                _reply(200, {"id": item_id, **json.loads(item["doc"]["S"])})
        if method == "DELETE":
            old = ddb.delete_item(TableName=ITEMS, Key=key, ReturnValues="ALL_OLD")
            return _reply(204) if "Attributes" in old else _reply(404, {"message": "not found"})
        doc = json.loads(event.get("body") or "{}")
        condition = "attribute_not_exists(id)" if method == "POST" else "attribute_exists(id)"
        try:
            ddb.put_item(TableName=ITEMS, Item={**key, "doc": {"S": json.dumps(doc, sort_keys=True)}},
                         ConditionExpression=condition)
        except ddb.exceptions.ConditionalCheckFailedException:
            return _reply(409, {"message": "exists"}) if method == "POST" else _reply(404, {"message": "not found"})
        return _reply(201 if method == "POST" else 200, {"id": item_id, **doc})

    def projector(event, context):
        """DynamoDB Streams batch -> counters: live items, and writes by kind."""
        deltas: dict[str, int] = {}
        for record in event["Records"]:
            kind = record["eventName"]                            # INSERT / MODIFY / REMOVE
            deltas[kind.lower()] = deltas.get(kind.lower(), 0) + 1
            live = {"INSERT": 1, "REMOVE": -1}.get(kind, 0)
            if live:
                deltas["live"] = deltas.get("live", 0) + live
        for counter, delta in sorted(deltas.items()):
            ddb.update_item(TableName=COUNTS, Key={"counter": {"S": counter}},
                            UpdateExpression="ADD #n :d", ExpressionAttributeNames={"#n": "n"},
                            ExpressionAttributeValues={":d": {"N": str(delta)}})
        return {"records": len(event["Records"])}

    lam = cloud.service("lambda")
    lam.create_function_from_callable("items-api", items_api, memory=512, duration=0.015)
    lam.create_function_from_callable("projector", projector, memory=256, duration=0.01)
    lam_client = cloud.client("lambda")
    api_arn = lam_client.get_function(FunctionName="items-api")["Configuration"]["FunctionArn"]

    v2 = cloud.client("apigatewayv2")
    api_id = v2.create_api(Name="items", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", PayloadFormatVersion="2.0",
        IntegrationUri=api_arn,                   # HTTP APIs take the function ARN as is
    )["IntegrationId"]
    for route in ROUTES:
        v2.create_route(ApiId=api_id, RouteKey=route, Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)

    if USE_EVENT_SOURCE_MAPPING and hasattr(lam_client, "create_event_source_mapping"):
        lam_client.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName="projector",
                                               StartingPosition="TRIM_HORIZON", BatchSize=100)
        projection = "event source mapping"
    else:
        # Fallback for a Lambda without event source mappings: subscribe to the stream natively
        # and, at the end of the instant of each write, hand the new records to the projector
        # (what the mapping's poller does, minus batching windows and retries).
        stream = cloud.dynamodb.streams.get(stream_arn)
        last: dict[str, int] = {}
        due: list[bool] = []

        def drain():
            due.clear()
            for shard in stream.shards_now():
                records = stream.read(shard.shard_id, after_seq=last.get(shard.shard_id), limit=100)
                if records:
                    last[shard.shard_id] = records[-1].seq
                    lam.submit("projector", {"Records": [r.to_lambda() for r in records]})

        def on_record(stream, shard, seq):
            if not due:
                due.append(True)
                cloud.call_later(0, drain)

        stream.subscribe(on_record)
        projection = "native stream subscription"
    return {"api_id": api_id, "projection": projection}


def counts(cloud: Cloud) -> dict[str, int]:
    """The projection: ``{"live": .., "insert": .., "modify": .., "remove": ..}``."""
    items = cloud.client("dynamodb").scan(TableName=COUNTS)["Items"]
    return {i["counter"]["S"]: int(i["n"]["N"]) for i in sorted(items, key=lambda i: i["counter"]["S"])}


def exercise(cloud: Cloud, api_id: str, n: int = 6) -> list[tuple[str, int]]:
    """A short session of requests; returns ``(request, status)`` pairs."""
    gw, log = cloud.apigateway, []

    def call(method, path, body=None):
        r = gw.request(api_id, method, path, headers={"content-type": "application/json"},
                       body=None if body is None else json.dumps(body))
        log.append((f"{method} {path}", r.status))
        return r

    for i in range(n):
        call("POST", f"/items/{i}", {"name": f"item {i}", "qty": i})
    call("POST", "/items/0", {"name": "again"})                       # 409
    call("GET", "/items/1")
    call("PUT", "/items/1", {"name": "item 1", "qty": 10})
    call("PUT", "/items/missing", {"qty": 1})                         # 404
    call("DELETE", "/items/2")
    call("DELETE", "/items/2")                                        # 404
    call("GET", "/items/2")                                           # 404
    return log


def run(cloud: Cloud, n: int = 6) -> dict:
    app = build(cloud)
    log = exercise(cloud, app["api_id"], n)
    cloud.run_until_idle()                                    # let the projection catch up
    return {**app, "requests": log, "counts": counts(cloud)}


def main() -> None:
    cloud = Cloud(seed=7, start="2026-01-01T00:00:00Z")
    out = run(cloud)
    statuses = " ".join(str(s) for _, s in out["requests"])
    print(f"crud api: {len(out['requests'])} requests, statuses {statuses}")
    print(f"  projection ({out['projection']}): {out['counts']}")
    print(f"  virtual time {cloud.now.isoformat()}, trace digest {cloud.trace.digest()[:16]}")


if __name__ == "__main__":
    main()
