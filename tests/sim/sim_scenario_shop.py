"""A small scenario used by the simulation tests: DynamoDB, SQS, Step Functions and Lambda
(plain-callable functions), driven by workloads; an SQS consumer written as a callback object."""

from __future__ import annotations

import json

import attrs

from serverless_sim.awslambda import Exponential
from serverless_sim.sim import Daily, Function, Poisson, Queue, StateMachine, Table, workload

PARAMS = {"rate": 5.0, "memory": 256, "reserved": None}

DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 50, "Next": "Big"}],
                  "Default": "Small"},
        "Big": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
        "Small": {"Type": "Pass", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}


@attrs.define(eq=False)
class Consumer:
    """Polls a queue every second and records each message in a table (state as data)."""

    cloud: object
    queue: str
    table: str
    handled: int = 0

    def start(self) -> None:
        self.cloud.call_later(1, self.poll)

    def poll(self) -> None:
        q = self.cloud.service("sqs").queue(self.queue)
        t = self.cloud.dynamodb.table(self.table)
        for m in q.receive(max_messages=10):
            t.put({"pk": "msg-" + m.message_id, "body": m.body})
            q.delete(m.receipt_handle)
            self.handled += 1
        self.cloud.call_later(1, self.poll)


def order_event(i, rng):
    return {"id": f"o{i}", "n": rng.randrange(100)}


def build(cloud, rate, memory, reserved):
    orders = cloud.dynamodb.create_table("orders", hash_key=("pk", "S"))
    cloud.dynamodb.create_table("audit", hash_key=("pk", "S"))
    cloud.service("sqs").create_queue("jobs")
    lam = cloud.service("lambda")

    def handler(event, context):
        orders.put({"pk": event["id"], "n": event["n"]})
        return {"ok": True}

    lam.create_function_from_callable("orders", handler, memory=memory, duration=Exponential(0.08),
                                      virtual_time=False)
    if reserved is not None:
        lam.put_function_concurrency({"FunctionName": "orders", "ReservedConcurrentExecutions": reserved})
    sfn = cloud.service("stepfunctions")
    sfn.create_state_machine({"name": "flow", "definition": json.dumps(DEFINITION),
                              "roleArn": "arn:aws:iam::123456789012:role/sfn"})
    Consumer(cloud, "jobs", "audit").start()
    workload(cloud, "users", Daily(mean=rate, amplitude=0.5),
             [(0.7, Function("orders")), (0.2, Queue("jobs")), (0.1, StateMachine("flow"))], event=order_event)
    workload(cloud, "batch", Poisson(rate / 5), Table("audit"), event=lambda i, rng: {"pk": f"b{i}", "v": i})


def measure(cloud, report):
    return {"orders_items": cloud.dynamodb.table("orders").count()}
