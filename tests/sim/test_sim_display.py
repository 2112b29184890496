"""Notebook display: escaped HTML, the state machine drawn with the execution's path."""

from __future__ import annotations

import json

from serverless_sim import Cloud
from serverless_sim.sim import Constant, Function, report, workload
from serverless_sim.sim.display import (
    cloud_html, execution_html, execution_path, function_html, metrics_html, table_html,
)


def make_cloud():
    cloud = Cloud(seed=1)
    t = cloud.dynamodb.create_table("orders", hash_key=("pk", "S"))
    t.put({"pk": "<script>alert(1)</script>", "v": 1})
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: e, duration=0.01)
    workload(cloud, "w", Constant(5), Function("f"), limit=10)
    sfn = cloud.service("stepfunctions")
    definition = {
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
                      "Default": "Small"},
            "Big": {"Type": "Fail", "Error": "TooBig"},
            "Small": {"Type": "Pass", "End": True},
        },
    }
    arn = sfn.create_state_machine({"name": "m", "definition": json.dumps(definition),
                                    "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
    ok = sfn.start_execution({"stateMachineArn": arn, "input": '{"n": 0}'})["executionArn"]
    bad = sfn.start_execution({"stateMachineArn": arn, "input": '{"n": 5}'})["executionArn"]
    cloud.advance(10)
    return cloud, sfn.execution(ok), sfn.execution(bad)


def test_html_is_escaped_and_complete():
    cloud, ok, bad = make_cloud()
    page = cloud_html(cloud)
    assert "dynamodb" in page and "lambda" in page and "w" in page
    table = table_html(cloud.dynamodb.table("orders"))
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert "Invocations" in metrics_html(cloud.metrics, "AWS/Lambda")
    fn = function_html(cloud.service("lambda").function("f"))
    assert "cold starts" in fn
    rep = report(cloud)
    html = rep._repr_html_()
    assert "Cost (USD)" in html and "<table>" in html
    assert "<script" not in "".join([page, table, fn, html])


def test_execution_graph_highlights_the_path():
    _, ok, bad = make_cloud()
    assert execution_path(ok) == ["Check", "Small"]
    assert execution_path(bad) == ["Check", "Big"]
    html = execution_html(ok)
    assert html.count("<svg") == 1 and "Check → Small" in html
    assert html.count('fill="#d4f4dd"') == 2  # two states entered
    failed = execution_html(bad)
    assert 'fill="#f8d7d7"' in failed  # the failing state in red
