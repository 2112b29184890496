"""Step Functions: state transitions per wall second, serverless_sim vs moto, same run.

Workloads (issue 6):
1. a 1,000-state Pass chain (Standard; serverless_sim records the full history);
2. a Map over 10,000 items whose iterator is a Choice and a Pass (1 + 2 x 10,000 = 20,001
   transitions). On AWS an inline Map this size in a Standard execution would exceed the
   25,000-event history limit, so serverless_sim runs it as an Express execution
   (StartSyncExecution); moto has no history limit and runs it as Standard.

moto executes state machines only with ``mock_aws(config={"stepfunctions":
{"execute_state_machine": True}})`` (its ASL parser backend), in a background thread, in real
time; we poll DescribeExecution until it leaves RUNNING. Its Map run is shorter by default
(``--moto-map-items``, 1,000) so the benchmark finishes in reasonable time; rates are per
transition, so they compare.

Usage: ``python benchmarks/stepfunctions.py [--repeat 3] [--moto-map-items 1000] [--no-moto]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from serverless_sim import Cloud  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/sfn"
N_CHAIN = 1_000
N_ITEMS = 10_000


def chain_definition(n: int) -> dict:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n - 1)}
    states[f"S{n - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def map_definition() -> dict:
    iterator = {"StartAt": "C", "States": {
        "C": {"Type": "Choice",
              "Choices": [{"Variable": "$.v", "NumericGreaterThan": 4, "Next": "Big"}],
              "Default": "Small"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True}}}
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
                                             "Iterator": iterator, "End": True}}}


def map_input(n: int) -> str:
    return json.dumps({"items": [{"v": i % 10} for i in range(n)]})


# -- serverless_sim ---------------------------------------------------------------------------
def sim_chain(repeat: int) -> float:
    best = 0.0
    for _ in range(repeat):
        cloud = Cloud(seed=1, trace="none")
        sfn = cloud.client("stepfunctions")
        arn = sfn.create_state_machine(name="chain", definition=json.dumps(chain_definition(N_CHAIN)),
                                       roleArn=ROLE)["stateMachineArn"]
        t0 = time.perf_counter()
        ex = sfn.start_execution(stateMachineArn=arn, input='{"k": 1}')
        cloud.run_until_idle()
        dt = time.perf_counter() - t0
        desc = sfn.describe_execution(executionArn=ex["executionArn"])
        assert desc["status"] == "SUCCEEDED", desc
        assert cloud.service("stepfunctions").execution(ex["executionArn"]).transitions == N_CHAIN
        best = max(best, N_CHAIN / dt)
    return best


def sim_map(repeat: int) -> float:
    best = 0.0
    inp = map_input(N_ITEMS)
    for _ in range(repeat):
        cloud = Cloud(seed=1, trace="none")
        sfn = cloud.client("stepfunctions")
        arn = sfn.create_state_machine(name="map", type="EXPRESS",
                                       definition=json.dumps(map_definition()),
                                       roleArn=ROLE)["stateMachineArn"]
        t0 = time.perf_counter()
        r = sfn.start_sync_execution(stateMachineArn=arn, input=inp)
        dt = time.perf_counter() - t0
        assert r["status"] == "SUCCEEDED", r
        assert len(json.loads(r["output"])) == N_ITEMS
        best = max(best, (1 + 2 * N_ITEMS) / dt)
    return best


# -- moto -------------------------------------------------------------------------------------
def moto_run(definition: dict, inp: str, transitions: int) -> float:
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(name="m", definition=json.dumps(definition),
                                          roleArn=ROLE)["stateMachineArn"]
        t0 = time.perf_counter()
        ex = client.start_execution(stateMachineArn=arn, input=inp)["executionArn"]
        while True:
            status = client.describe_execution(executionArn=ex)["status"]
            if status != "RUNNING":
                break
            time.sleep(0.005)
        dt = time.perf_counter() - t0
        assert status == "SUCCEEDED", status
    return transitions / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--moto-map-items", type=int, default=1_000)
    ap.add_argument("--no-moto", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

    rows = []
    chain = sim_chain(args.repeat)
    mp = sim_map(args.repeat)
    rows.append(("serverless_sim: 1,000-state Pass chain (Standard, full history)", chain))
    rows.append((f"serverless_sim: Map over {N_ITEMS:,} items, Choice/Pass (Express sync)", mp))
    if not args.no_moto:
        import moto

        m_chain = moto_run(chain_definition(N_CHAIN), '{"k": 1}', N_CHAIN)
        n = args.moto_map_items
        m_map = moto_run(map_definition(), map_input(n), 1 + 2 * n)
        rows.append((f"moto {moto.__version__}: 1,000-state Pass chain", m_chain))
        rows.append((f"moto {moto.__version__}: Map over {n:,} items, Choice/Pass", m_map))
    print("| run | transitions/s |\n| --- | ---: |")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} |")
    if not args.no_moto:
        print(f"\nRatios: Pass chain {chain / m_chain:,.0f}x moto; Map {mp / m_map:,.0f}x moto "
              f"(target 50x).")


if __name__ == "__main__":
    main()
