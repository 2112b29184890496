"""Shared helpers for the Step Functions tests (imported by name; not a test module)."""

from __future__ import annotations

import json
from typing import Any

from serverless_sim import Cloud

ROLE = "arn:aws:iam::123456789012:role/sfn"


def make(definition: dict[str, Any], *, cloud: Cloud | None = None, name: str = "sm",
         type: str = "STANDARD") -> tuple[Cloud, Any, str]:
    cloud = cloud or Cloud(seed=7)
    sfn = cloud.client("stepfunctions")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                   type=type)["stateMachineArn"]
    return cloud, sfn, arn


def run(definition: dict[str, Any], input: Any = None, **kw: Any) -> tuple[dict[str, Any], Any]:
    """Run to completion; returns (DescribeExecution, (cloud, sfn, execution arn))."""
    cloud, sfn, arn = make(definition, **kw)
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({} if input is None else input))
    cloud.run_until_idle()
    desc = sfn.describe_execution(executionArn=ex["executionArn"])
    return desc, (cloud, sfn, ex["executionArn"])


def output(definition: dict[str, Any], input: Any = None, **kw: Any) -> Any:
    desc, _ = run(definition, input, **kw)
    assert desc["status"] == "SUCCEEDED", (desc.get("error"), desc.get("cause"))
    return json.loads(desc["output"])


def failure(definition: dict[str, Any], input: Any = None, **kw: Any) -> tuple[str, str]:
    desc, _ = run(definition, input, **kw)
    assert desc["status"] == "FAILED", desc
    return desc.get("error"), desc.get("cause")


def one(state: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A machine of one state (made terminal)."""
    st = dict(state)
    if st["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in st:
        st["End"] = True
    return {"StartAt": "S", "States": {"S": st}, **extra}


def events(sfn: Any, arn: str) -> list[dict[str, Any]]:
    return sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]


def types(sfn: Any, arn: str) -> list[str]:
    return [e["type"] for e in events(sfn, arn)]
