"""Time travel: forks are exact and independent; checkpoints restore; generators are refused."""

from __future__ import annotations

import os

import pytest

from serverless_sim import Cloud, SimError
from serverless_sim.sim import Constant, Function, build_cloud, checkpoint, fork, restore, workload, workloads

SCENARIO = os.path.join(os.path.dirname(__file__), "sim_scenario_shop.py")


def state(cloud):
    """What must agree between two timelines beyond the trace digest."""
    lam = cloud.service("lambda")
    return (
        cloud.now_us,
        cloud.trace.digest(),
        sorted((i["pk"], str(i.get("n", i.get("body", i.get("v"))))) for i in cloud.dynamodb.table("orders").scan()),
        cloud.dynamodb.table("audit").count(),
        lam.stats("orders"),
        {n: w.summary() for n, w in workloads(cloud).items()},
        sorted((e.status, e.transitions) for e in cloud.service("stepfunctions").executions.values()),
        cloud.rng("workload/users").random(),
    )


def test_fork_run_to_t_equals_original_run_to_t():
    cloud, _ = build_cloud(SCENARIO, seed=7)
    cloud.advance(1800)
    copy = fork(cloud)
    assert copy is not cloud and copy.now_us == cloud.now_us
    assert copy.trace.digest() == cloud.trace.digest()
    cloud.advance(3600)
    copy.advance(3600)
    assert state(copy) == state(cloud)
    assert cloud.service("lambda").stats("orders")["invocations"] > 100
    assert cloud.dynamodb.table("audit").count() > 100  # the consumer and the batch workload ran


def test_fork_equals_an_unforked_run():
    a, _ = build_cloud(SCENARIO, seed=3)
    b, _ = build_cloud(SCENARIO, seed=3)
    a.advance(600)
    c = fork(a)
    c.advance(1200)
    b.advance(1800)
    assert state(c) == state(b)


def test_fork_is_independent():
    cloud, _ = build_cloud(SCENARIO, seed=7)
    cloud.advance(600)
    copy = fork(cloud)
    # A what-if: throttle the function hard in the fork only.
    copy.service("lambda").put_function_concurrency({"FunctionName": "orders", "ReservedConcurrentExecutions": 0})
    before = cloud.service("lambda").stats("orders")["throttles"]
    copy.advance(600)
    cloud.advance(600)
    assert copy.service("lambda").stats("orders")["throttles"] > 0
    assert cloud.service("lambda").stats("orders")["throttles"] == before
    # The handler (a closure over the table) writes into its own timeline's table.
    assert copy.dynamodb.table("orders").count() < cloud.dynamodb.table("orders").count()


def test_checkpoint_restore_replays_exactly():
    cloud, _ = build_cloud(SCENARIO, seed=11)
    cloud.advance(900)
    cp = checkpoint(cloud)
    assert cp.time_us == cloud.now_us and cp.digest == cloud.trace.digest()
    cloud.advance(900)
    first = state(cloud)
    restore(cloud, cp)
    assert cloud.now_us == cp.time_us and cloud.trace.digest() == cp.digest
    cloud.advance(900)
    assert state(cloud) == first
    restore(cloud, cp)  # a checkpoint can be restored again
    assert cloud.now_us == cp.time_us


def test_generator_processes_cannot_be_forked():
    cloud = Cloud(seed=1)

    def ticker(cloud):
        while True:
            yield cloud.timeout(1)

    cloud.process(ticker(cloud), name="ticker")
    cloud.advance(5)
    with pytest.raises(SimError, match="ticker"):
        fork(cloud)


def test_bound_builtin_methods_and_closures_rebind():
    cloud = Cloud(seed=1)
    seen: list[int] = []
    rng = cloud.rng("x")
    cloud.call_later(5, seen.append, 1)
    draws: list[float] = []

    def draw():
        draws.append(rng.random())

    cloud.call_later(6, draw)
    copy = fork(cloud)
    copy.advance(10)
    assert seen == [] and draws == []  # the fork's callbacks touched the fork's copies
    cloud.advance(10)
    assert seen == [1] and len(draws) == 1


def test_lambda_package_environments_fork_with_their_module_state():
    cloud = Cloud(seed=5)
    lam = cloud.service("lambda")
    lam.create_function_from_source("counter", {"app.py": (
        "COUNT = 0\n"
        "def handler(event, context):\n"
        "    global COUNT\n"
        "    COUNT += 1\n"
        "    return COUNT\n")})
    assert lam.invoke("counter", {}).payload == 1
    assert lam.invoke("counter", {}).payload == 2
    copy = fork(cloud)
    assert copy.service("lambda").invoke("counter", {}).payload == 3
    assert copy.service("lambda").invoke("counter", {}).payload == 4
    assert lam.invoke("counter", {}).payload == 3  # the original's module state is its own


def test_workload_state_survives_fork():
    cloud = Cloud(seed=2)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: e, duration=0.01)
    wl = workload(cloud, "w", Constant(10), Function("f"), limit=50)
    cloud.advance(2)
    copy = fork(cloud)
    cloud.advance(10)
    copy.advance(10)
    assert wl.stats.sent == 50 and workloads(copy)["w"].stats.sent == 50
    assert workloads(copy)["w"] is not wl


def test_fork_rules_do_not_leak_into_copy_deepcopy():
    import copy

    cloud = Cloud(seed=1)
    fork(cloud)
    box = [1]

    def closure():
        return box

    assert copy.deepcopy(closure) is closure  # the standard rule again: functions are shared
