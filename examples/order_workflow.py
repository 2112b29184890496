"""Order workflow on Step Functions: validate -> charge (a flaky payment Lambda, retried with
backoff) -> wait for a human approval by task token -> ship.

    Validate --> ChargePayment (Retry PaymentDeclined x4, 2 s backoff x2)
             --> WaitForApproval (lambda:invoke.waitForTaskToken; a "human" answers 1 hour later)
             --> Ship | Rejected

The payment provider declines the first N attempts of each order (N from a seeded stream, so the
same seed gives the same retries). The approval function stores the task token in a DynamoDB
table and "emails" a reviewer: a callback scheduled a simulated hour later, which calls
SendTaskSuccess (or SendTaskFailure for orders over the limit) with that token.

Run it:  python examples/order_workflow.py
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from serverless_sim import Cloud  # noqa: E402

APPROVALS = "approvals"
APPROVAL_LIMIT = 1_000      # the reviewer rejects orders above this total
REVIEW_DELAY_S = 3_600      # the reviewer answers an hour after being asked


class PaymentDeclined(Exception):
    """The payment provider's transient refusal (the Retry's ErrorEquals names this class)."""


def definition(payment_arn: str) -> dict:
    return {
        "Comment": "Order workflow with a flaky payment and a human approval",
        "StartAt": "Validate",
        "States": {
            "Validate": {"Type": "Pass", "Parameters": {"orderId.$": "$.orderId", "total.$": "$.total",
                                                        "receivedAt.$": "$$.State.EnteredTime"},
                         "Next": "ChargePayment"},
            "ChargePayment": {
                "Type": "Task", "Resource": payment_arn, "ResultPath": "$.payment",
                "Retry": [{"ErrorEquals": ["PaymentDeclined"], "IntervalSeconds": 2, "BackoffRate": 2.0,
                           "MaxAttempts": 4}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "PaymentFailed"}],
                "Next": "WaitForApproval",
            },
            "WaitForApproval": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "request-approval",
                               "Payload": {"order.$": "$", "taskToken.$": "$$.Task.Token"}},
                "ResultPath": "$.approval", "TimeoutSeconds": 86_400,
                "Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "Ship",
            },
            "Ship": {"Type": "Pass", "Parameters": {"orderId.$": "$.orderId", "status": "SHIPPED",
                                                    "approvedBy.$": "$.approval.reviewer",
                                                    "paymentId.$": "$.payment.paymentId"},
                     "End": True},
            "Rejected": {"Type": "Fail", "Error": "OrderRejected", "Cause": "The reviewer said no"},
            "PaymentFailed": {"Type": "Fail", "Error": "PaymentFailed", "Cause": "Payment retries exhausted"},
        },
    }


def build(cloud: Cloud) -> dict:
    """The approvals table, the two functions and the state machine. Returns ``{"arn",
    "declines"}`` (``declines``: order id -> the number of attempts the provider refuses)."""
    ddb, sfn = cloud.client("dynamodb"), cloud.client("stepfunctions")
    ddb.create_table(TableName=APPROVALS, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}])
    flaky = cloud.rng("examples/order-workflow/payment-declines")
    declines: dict[str, int] = {}
    attempts: dict[str, int] = {}

    def charge(event, context):
        order = event["orderId"]
        if order not in declines:
            declines[order] = flaky.randint(0, 3)          # this order's first N attempts fail
        attempts[order] = attempts.get(order, 0) + 1
        if attempts[order] <= declines[order]:
            raise PaymentDeclined(f"attempt {attempts[order]} for {order} declined")
        return {"paymentId": f"pay-{order}", "attempts": attempts[order]}

    def review(order_id: str) -> None:
        """The human, an hour later: reads the token the workflow left and answers."""
        item = ddb.get_item(TableName=APPROVALS, Key={"orderId": {"S": order_id}})["Item"]
        token, total = item["taskToken"]["S"], float(item["total"]["N"])
        if total <= APPROVAL_LIMIT:
            sfn.send_task_success(taskToken=token, output=json.dumps({"reviewer": "alice", "ok": True}))
        else:
            sfn.send_task_failure(taskToken=token, error="Rejected", cause=f"total {total} over the limit")

    def request_approval(event, context):
        order = event["order"]
        ddb.put_item(TableName=APPROVALS, Item={
            "orderId": {"S": order["orderId"]}, "taskToken": {"S": event["taskToken"]},
            "total": {"N": str(order["total"])}})
        cloud.call_later(REVIEW_DELAY_S, review, order["orderId"])   # the "email" to a reviewer
        return {"asked": True}

    lam = cloud.service("lambda")
    lam.create_function_from_callable("charge-payment", charge, memory=256, duration=0.3)
    lam.create_function_from_callable("request-approval", request_approval, memory=128, duration=0.05)
    payment_arn = cloud.client("lambda").get_function(FunctionName="charge-payment")["Configuration"]["FunctionArn"]
    arn = sfn.create_state_machine(name="orders", definition=json.dumps(definition(payment_arn)),
                                   roleArn="arn:aws:iam::123456789012:role/orders-sfn")["stateMachineArn"]
    return {"arn": arn, "declines": declines}


def retries_in_history(cloud: Cloud, execution_arn: str) -> int:
    """How many times ChargePayment's Lambda failed (each failure is a retried attempt or the last)."""
    events = cloud.client("stepfunctions").get_execution_history(executionArn=execution_arn,
                                                                  maxResults=1000)["events"]
    return sum(1 for e in events if e["type"] == "LambdaFunctionFailed")


def run(cloud: Cloud, orders: tuple[tuple[str, float], ...] = (("o-1001", 250.0), ("o-1002", 80.5),
                                                                 ("o-1003", 1_800.0))) -> dict:
    app = build(cloud)
    sfn = cloud.client("stepfunctions")
    executions = {}
    for order_id, total in orders:
        executions[order_id] = sfn.start_execution(
            stateMachineArn=app["arn"], name=order_id,
            input=json.dumps({"orderId": order_id, "total": total}))["executionArn"]
        cloud.advance(60)
    cloud.run_until_idle()
    results = {}
    for order_id, ex in executions.items():
        d = sfn.describe_execution(executionArn=ex)
        results[order_id] = {
            "status": d["status"], "output": json.loads(d["output"]) if d.get("output") else None,
            "error": d.get("error"), "declined": app["declines"].get(order_id),
            "failed_attempts": retries_in_history(cloud, ex),
            "took_s": (d["stopDate"] - d["startDate"]).total_seconds(),
        }
    return {"executions": executions, "results": results}


def main() -> None:
    cloud = Cloud(seed=7, start="2026-01-01T00:00:00Z")
    out = run(cloud)
    print(f"order workflow: {len(out['results'])} orders")
    for order_id, r in out["results"].items():
        print(f"  {order_id}: {r['status']}{' (' + r['error'] + ')' if r['error'] else ''} after "
              f"{r['took_s'] / 60:.1f} min; payment attempts declined and retried: {r['failed_attempts']}")
    print(f"  virtual time {cloud.now.isoformat()}, trace digest {cloud.trace.digest()[:16]}")


if __name__ == "__main__":
    main()
