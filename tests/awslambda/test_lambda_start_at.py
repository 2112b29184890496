"""``Lambda.start_at``: the public entry point other services call (API Gateway), fully modelled;
forks are exact with invocations in flight (the invoke path is callbacks, no generators)."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import InitModel
from serverless_sim.kernel.errors import AWSError
from serverless_sim.sim import fork


def setup():
    cloud = Cloud(seed=4)
    lam = cloud.service("lambda")
    lam.config.init_model = InitModel(fixed_s=0.1)
    lam.create_function_from_callable("f", lambda e, c: {"got": e, "left": c.get_remaining_time_in_millis()},
                                      duration=0.25, timeout=3)
    return cloud, lam


def test_start_at_is_fully_modelled_and_calls_back_at_the_end():
    cloud, lam = setup()
    done = []
    t0 = cloud.now_us
    inv = lam.start_at("f", None, {"n": 1}, t0 + 2_000_000, on_done=lambda i: done.append((cloud.now_us, i)))
    # The handler ran already, starting at the given instant; the environment is busy until the end.
    assert inv.result == {"got": {"n": 1}, "left": 3000} and inv.cold
    assert inv.start_us == t0 + 2_000_000 and inv.end_us == t0 + 2_350_000  # Init 100 ms + 250 ms
    assert lam.concurrent_executions == 1 and done == []
    cloud.advance(3)
    assert done == [(t0 + 2_350_000, inv)] and inv.done and inv.billed_ms == 350
    st = lam.stats("f")
    assert (st["invocations"], st["cold_starts"], st["in_flight"]) == (1, 1, 0)
    warm = lam.start_at(lam.function("f"), "$LATEST", {}, None)
    assert not warm.cold and warm.start_us == cloud.now_us and warm.resource == "$LATEST"


def test_start_at_errors_are_lambdas():
    cloud, lam = setup()
    with pytest.raises(AWSError) as e:
        lam.start_at("nope", None, {})
    assert e.value.code == "ResourceNotFoundException"
    with pytest.raises(AWSError) as e:
        lam.start_at("f", "7", {})
    assert e.value.code == "ResourceNotFoundException"
    lam.put_function_concurrency({"FunctionName": "f", "ReservedConcurrentExecutions": 1})
    lam.start_at("f", None, {})
    with pytest.raises(AWSError) as e:
        lam.start_at("f", None, {})
    assert e.value.code == "TooManyRequestsException" and lam.stats("f")["throttles"] == 1


def test_fork_with_invocations_in_flight_is_exact():
    cloud, lam = setup()
    seen = []
    for i in range(5):
        lam.start_at("f", None, {"i": i}, on_done=lambda inv: seen.append(inv.result["got"]["i"]))
    cloud.advance(0.2)  # all five still running (cold: 350 ms)
    copy = fork(cloud)
    cloud.advance(5)
    copy.advance(5)
    assert sorted(seen) == [0, 1, 2, 3, 4]  # the original's callbacks, once each
    assert copy.trace.digest() == cloud.trace.digest()
    assert copy.service("lambda").stats("f") == lam.stats("f")
    assert copy.service("lambda").billing().total == lam.billing().total
