"""Small fake Lambda and DynamoDB services for integration tests (wire shapes of boto3)."""

from __future__ import annotations

import io
import json
from typing import Any, Callable

from serverless_sim.kernel.errors import AWSError
from serverless_sim.kernel.service import Service, operation


class ResourceNotFoundException(AWSError):
    code = "ResourceNotFoundException"
    status = 404


class ConditionalCheckFailedException(AWSError):
    code = "ConditionalCheckFailedException"


class FakeLambda(Service):
    service_name = "lambda"

    def __init__(self, cloud: Any, handlers: dict[str, Callable[[Any], Any]]) -> None:
        super().__init__(cloud)
        self.handlers = handlers
        self.calls: list[tuple[str, Any]] = []

    @operation("Invoke")
    def invoke(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["FunctionName"].split(":function:")[-1].split(":")[0]
        payload = json.loads(request.get("Payload") or b"null")
        self.calls.append((name, payload))
        fn = self.handlers.get(name)
        if fn is None:
            raise ResourceNotFoundException(f"Function not found: {request['FunctionName']}")
        try:
            result = fn(payload)
        except Exception as exc:  # a function error, as Lambda reports it
            body = {"errorMessage": str(exc), "errorType": type(exc).__name__,
                    "stackTrace": []}
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": io.BytesIO(json.dumps(body).encode()),
                    "ExecutedVersion": "$LATEST"}
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(result).encode()),
                "ExecutedVersion": "$LATEST"}


class FakeDynamoDB(Service):
    service_name = "dynamodb"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.items: dict[str, dict[str, Any]] = {}

    def _key(self, request: dict[str, Any]) -> str:
        return json.dumps([request["TableName"], request["Key"]], sort_keys=True)

    @operation("PutItem")
    def put_item(self, request: dict[str, Any]) -> dict[str, Any]:
        item = request["Item"]
        key = json.dumps([request["TableName"], {"id": item["id"]}], sort_keys=True)
        if request.get("ConditionExpression") == "attribute_not_exists(id)" and key in self.items:
            raise ConditionalCheckFailedException("The conditional request failed")
        self.items[key] = item
        return {}

    @operation("GetItem")
    def get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        item = self.items.get(self._key(request))
        return {"Item": item} if item is not None else {}

    @operation("DeleteItem")
    def delete_item(self, request: dict[str, Any]) -> dict[str, Any]:
        self.items.pop(self._key(request), None)
        return {}

    @operation("UpdateItem")
    def update_item(self, request: dict[str, Any]) -> dict[str, Any]:
        k = self._key(request)
        item = dict(self.items.get(k) or request["Key"])
        item.update({"n": request["ExpressionAttributeValues"][":n"]})
        self.items[k] = item
        return {"Attributes": item}


def install(cloud: Any, lambdas: dict[str, Callable[[Any], Any]] | None = None) -> tuple[FakeLambda, FakeDynamoDB]:
    lam = FakeLambda(cloud, lambdas or {})
    ddb = FakeDynamoDB(cloud)
    cloud._services["lambda"] = lam
    cloud._services["dynamodb"] = ddb
    return lam, ddb
