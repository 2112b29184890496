"""Reports sum to the underlying metrics; cost matches hand-computed AWS list prices."""

from __future__ import annotations

import json
import math
import os

import pytest

from serverless_sim import Cloud
from serverless_sim.sim import (
    Bucket, Constant, Function, Prices, Queue, StateMachine, Table, build_cloud, report, workload,
)

SCENARIO = os.path.join(os.path.dirname(__file__), "sim_scenario_shop.py")
WEEK = 7 * 86_400


def stat_sum(cloud, ns, name, dims=None):
    pts = cloud.metrics.statistics(ns, name, dims, cloud.start_us, cloud.now_us + 1, WEEK, ["Sum"])
    return sum(p["Sum"] for p in pts)


def cost_of(rep, service, item=None):
    return sum(l.cost for l in rep.cost_lines if l.service == service and (item is None or l.item == item))


def test_report_sums_to_the_metrics():
    cloud, _ = build_cloud(SCENARIO, seed=4, params={"reserved": 3})
    cloud.advance(3 * 3600)
    rep = report(cloud)
    users = rep.workloads["users"]
    assert users["sent"] == stat_sum(cloud, "ServerlessSim/Workloads", "Requests", {"Workload": "users"})
    assert users["throttled"] == stat_sum(cloud, "ServerlessSim/Workloads", "Throttles", {"Workload": "users"})
    lam = rep.services["lambda"]["orders"]
    assert lam["invocations"] == stat_sum(cloud, "AWS/Lambda", "Invocations", {"FunctionName": "orders"})
    assert lam["throttles"] == stat_sum(cloud, "AWS/Lambda", "Throttles", {"FunctionName": "orders"}) > 0
    assert rep.errors["lambda"]["throttles"] == stat_sum(cloud, "AWS/Lambda", "Throttles")
    # Workload-side view of the same invocations agrees with Lambda's.
    target = rep.workloads["users"]["targets"]["lambda:orders"]
    assert target["throttled"] == lam["throttles"]
    assert target["ok"] + target["errors"] == lam["invocations"]
    assert 0 < lam["cold_starts"] <= lam["invocations"] and lam["cold_start_rate"] == lam["cold_starts"] / lam["invocations"]
    pcts = cloud.metrics.statistics("AWS/Lambda", "Duration", {"FunctionName": "orders"}, cloud.start_us,
                                    cloud.now_us + 1, WEEK, ["p50", "p99"])[0]
    assert lam["duration_p50_ms"] == pytest.approx(pcts["p50"], abs=1e-3)
    assert lam["duration_p99_ms"] == pytest.approx(pcts["p99"], abs=1e-3)
    sqs = rep.services["sqs"]["jobs"]
    assert sqs["sent"] == stat_sum(cloud, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": "jobs"})
    assert sqs["sent"] == rep.workloads["users"]["targets"]["sqs:jobs"]["ok"]
    sfn = rep.services["stepfunctions"]["flow"]
    assert sfn["succeeded"] == stat_sum(cloud, "AWS/States", "ExecutionsSucceeded",
                                        {"StateMachineArn": cloud.service("stepfunctions").arn("stateMachine", "flow")})
    # Lambda's cost is Lambda's own billing engine at the same prices.
    assert cost_of(rep, "lambda") == pytest.approx(cloud.service("lambda").billing().total, rel=1e-12)
    assert rep.total_cost == pytest.approx(sum(rep.cost_by_service.values()))
    json.loads(rep.to_json())
    text = str(rep)
    assert "users" in text and "lambda" in text and "total" in text


def test_lambda_cost_by_hand():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: None, memory=512, duration=0.1, init_duration=0.0)
    workload(cloud, "w", Constant(10), Function("f"), limit=1000)
    cloud.advance(200)
    rep = report(cloud)
    assert rep.services["lambda"]["f"]["invocations"] == 1000
    requests = 1000 * 0.20 / 1e6
    duration = 1000 * 0.1 * 0.5 * 0.0000166667       # 1,000 x 100 ms x 0.5 GB
    assert cost_of(rep, "lambda", "requests") == pytest.approx(requests)
    assert cost_of(rep, "lambda", "duration x86_64") == pytest.approx(duration)
    assert report(cloud, free_tier=True).cost_by_service.get("lambda", 0.0) == 0.0


def test_sqs_sns_s3_costs_by_hand():
    cloud = Cloud(seed=1)
    sqs = cloud.service("sqs")
    q = sqs.create_queue("q")
    sqs.create_queue("f.fifo", attributes={"FifoQueue": "true"})
    sns = cloud.service("sns")
    topic = sns.create_topic("t")
    sns.subscribe(topic, "sqs", q.arn)
    cloud.service("s3").create_bucket("bkt-sim")
    workload(cloud, "send", Constant(1), Queue("q"), limit=100, event="x")
    workload(cloud, "fifo", Constant(1), Queue("f.fifo", group="g"), limit=10, event="x")
    workload(cloud, "pub", Constant(1), lambda c, e: c.service("sns").publish(topic, "hello"), limit=10)
    workload(cloud, "put", Constant(1), Bucket("bkt-sim"), limit=10, event="k" * 1024)
    cloud.advance(3600)
    rep = report(cloud)
    # 100 + 10 (SNS -> SQS deliveries) sends on the standard queue, 10 on the FIFO queue.
    assert rep.services["sqs"]["q"]["sent"] == 110
    assert cost_of(rep, "sqs") == pytest.approx(110 * 0.40 / 1e6 + 10 * 0.50 / 1e6)
    assert rep.services["sns"]["t"] == {"fifo": False, "published": 10, "delivered": 10, "failed": 0}
    assert cost_of(rep, "sns") == pytest.approx(10 * 0.50 / 1e6)    # deliveries to SQS are free
    assert cost_of(rep, "s3", "PUT requests") == pytest.approx(10 * 0.005 / 1000)
    gb_months = 10 * 1024 / 1024**3 * 1 / 730
    assert cost_of(rep, "s3", "storage") == pytest.approx(gb_months * 0.023)
    assert report(cloud, free_tier=True).total_cost == 0.0


def test_dynamodb_costs_by_hand():
    cloud = Cloud(seed=1)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    ddb.create_table("ondemand", hash_key=("pk", "S"))
    ddb.create_table("prov", hash_key=("pk", "S"), billing_mode="PROVISIONED", read_capacity=10, write_capacity=5)
    workload(cloud, "w", Constant(1), Table("ondemand"), limit=100, event=lambda i, rng: {"pk": f"k{i}", "v": i})
    workload(cloud, "r", Constant(1), Table("ondemand", op="get"), limit=40, start=150, event=lambda i, rng: f"k{i}")
    cloud.advance(7200)
    rep = report(cloud)
    od = rep.services["dynamodb"]["ondemand"]
    assert od["consumed_wcu"] == 100 and od["consumed_rcu"] == 40 * 0.5  # eventually consistent reads
    assert cost_of(rep, "dynamodb", "write request units") == pytest.approx(100 * 0.625 / 1e6)
    assert cost_of(rep, "dynamodb", "read request units") == pytest.approx(20 * 0.125 / 1e6)
    # Provisioned: 10 RCU and 5 WCU for 2 hours.
    assert cost_of(rep, "dynamodb", "provisioned RCU-hours") == pytest.approx(10 * 2 * 0.00013)
    assert cost_of(rep, "dynamodb", "provisioned WCU-hours") == pytest.approx(5 * 2 * 0.00065)
    free = report(cloud, free_tier=True)
    assert cost_of(free, "dynamodb", "provisioned RCU-hours") == 0.0


def test_step_functions_costs_by_hand():
    cloud = Cloud(seed=1)
    sfn = cloud.service("stepfunctions")
    role = "arn:aws:iam::123456789012:role/sfn"
    std = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    exp = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
    sfn.create_state_machine({"name": "std", "definition": json.dumps(std), "roleArn": role})
    sfn.create_state_machine({"name": "exp", "definition": json.dumps(exp), "roleArn": role, "type": "EXPRESS"})
    workload(cloud, "s", Constant(1), StateMachine("std"), limit=20)
    workload(cloud, "e", Constant(1), StateMachine("exp"), limit=10)
    cloud.advance(100)
    rep = report(cloud)
    s = rep.services["stepfunctions"]["std"]
    assert s["executions"] == s["succeeded"] == 20
    assert s["transitions"] == 20 * sfn.executions[next(iter(sfn.executions))].transitions
    assert cost_of(rep, "stepfunctions", "state transitions") == pytest.approx(s["transitions"] * 0.025 / 1000)
    e = rep.services["stepfunctions"]["exp"]
    assert e["executions"] == 10 and e["duration_p50_ms"] == 1000
    assert cost_of(rep, "stepfunctions", "express requests") == pytest.approx(10 * 1.00 / 1e6)
    # 1 s billed (100 ms increments) x 64 MB.
    assert cost_of(rep, "stepfunctions", "express duration") == pytest.approx(10 * 1.0 * 64 / 1024 * 0.00001667)
    assert rep.workloads["e"]["p50_ms"] == pytest.approx(1000, rel=0.01)


def test_custom_prices():
    cloud = Cloud(seed=1)
    cloud.service("sqs").create_queue("q")
    workload(cloud, "w", Constant(1), Queue("q"), limit=10, event="x")
    cloud.advance(60)
    rep = report(cloud, prices=Prices(region="eu-west-1", sqs_standard_request=1e-6))
    assert rep.total_cost == pytest.approx(10e-6)


def test_frames_and_figure():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    cloud, _ = build_cloud(SCENARIO, seed=2)
    cloud.advance(7200)
    rep = report(cloud, period=600)
    frames = rep.frames()
    assert {"workloads", "lambda", "dynamodb", "stepfunctions", "sqs", "cost", "timeseries", "errors"} <= set(frames)
    assert isinstance(frames["cost"], pd.DataFrame)
    assert frames["cost"]["cost"].sum() == pytest.approx(rep.total_cost)
    ts = frames["timeseries"]
    req = ts[ts["series"] == "requests:users"]["value"].sum()
    assert req == rep.workloads["users"]["sent"]
    fig = rep.plot()
    assert len(fig.axes) >= 2
    assert math.isfinite(rep.monthly_cost())
