"""Stub targets (Lambda, SQS, SNS, Step Functions) and a Cloud with EventBridge, Scheduler and
S3 registered, for the tests of serverless_sim.events and serverless_sim.s3.

The stubs answer the wire operations the event sources call, and record what they receive.
"""

from __future__ import annotations

import json
from typing import Any

from serverless_sim import Cloud
from serverless_sim.kernel.errors import AWSError
from serverless_sim.kernel.service import Service, operation
from serverless_sim.services import SERVICES

OWN = {
    "events": ("serverless_sim.events.service", "EventBridge"),
    "scheduler": ("serverless_sim.events.scheduler", "Scheduler"),
    "s3": ("serverless_sim.s3.service", "S3"),
    "lambda": ("eventsim_helpers", "StubLambda"),
    "sqs": ("eventsim_helpers", "StubSQS"),
    "sns": ("eventsim_helpers", "StubSNS"),
    "stepfunctions": ("eventsim_helpers", "StubStepFunctions"),
}


def register(monkeypatch: Any) -> None:
    for name, spec in OWN.items():
        monkeypatch.setitem(SERVICES, name, spec)


class QueueDoesNotExist(AWSError):
    code = "AWS.SimpleQueueService.NonExistentQueue"
    default_message = "The specified queue does not exist."


class ResourceNotFoundException(AWSError):
    code = "ResourceNotFoundException"


class StubSQS(Service):
    service_name = "sqs"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.queues: dict[str, list[dict[str, Any]]] = {}

    def create(self, name: str) -> str:
        self.queues[name] = []
        return self.cloud.arn("sqs", name)

    @operation("GetQueueUrl")
    def _get_queue_url(self, request: dict[str, Any]) -> dict[str, Any]:
        if request["QueueName"] not in self.queues:
            raise QueueDoesNotExist()
        return {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{self.cloud.account_id}/"
                            f"{request['QueueName']}"}

    @operation("SendMessage")
    def _send_message(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["QueueUrl"].rsplit("/", 1)[1]
        if name not in self.queues:
            raise QueueDoesNotExist()
        self.queues[name].append(dict(request, at=self.cloud.now_us))
        return {"MessageId": str(len(self.queues[name]))}

    def bodies(self, name: str) -> list[Any]:
        return [json.loads(m["MessageBody"]) for m in self.queues[name]]


class StubLambda(Service):
    service_name = "lambda"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.functions: dict[str, list[Any]] = {}

    def create(self, name: str) -> str:
        arn = self.cloud.arn("lambda", f"function:{name}")
        self.functions[arn] = []
        return arn

    @operation("Invoke")
    def _invoke(self, request: dict[str, Any]) -> dict[str, Any]:
        calls = self.functions.get(request["FunctionName"])
        if calls is None:
            raise ResourceNotFoundException(f"Function not found: {request['FunctionName']}")
        assert request["InvocationType"] == "Event"
        calls.append((self.cloud.now_us, json.loads(request["Payload"])))
        return {"StatusCode": 202}

    def payloads(self, arn: str) -> list[Any]:
        return [p for _, p in self.functions[arn]]


class StubSNS(Service):
    service_name = "sns"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.published: list[dict[str, Any]] = []

    @operation("Publish")
    def _publish(self, request: dict[str, Any]) -> dict[str, Any]:
        self.published.append(dict(request, at=self.cloud.now_us))
        return {"MessageId": str(len(self.published))}


class StubStepFunctions(Service):
    service_name = "stepfunctions"

    def __init__(self, cloud: Cloud) -> None:
        super().__init__(cloud)
        self.started: list[dict[str, Any]] = []

    @operation("StartExecution")
    def _start_execution(self, request: dict[str, Any]) -> dict[str, Any]:
        self.started.append(dict(request, at=self.cloud.now_us))
        return {"executionArn": f"{request['stateMachineArn']}:{len(self.started)}"}
