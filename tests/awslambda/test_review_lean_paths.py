"""Adversarial review of the lean invoke path (its Invocation made after the handler returns,
``FunctionMetrics.record`` inlined into ``_complete_lean``, the concurrency / environment
integrals kept as sums of instants, ``submit`` without a qualifier).

One scenario whose handlers do what could observe the missing Invocation or disturb the
accounting while they run: nested synchronous invokes of the same and of another function, a
handler that raises after partly doing things, context methods, a handler that throttles
itself, one that sets its own reserved concurrency to 0, one that drops its alias's
provisioned concurrency, one that deletes a version (refused: an alias uses it) or its own
function, a SnapStart function (restores) and an Init failure. It is run with the lean path and
with no environment ever plain (``_plain`` False: the general ``_prepare`` / ``_settle`` /
``_complete`` for everything): the same invocations slot by slot, handler observations,
statistics, integrals, metrics (completions landing exactly on minute boundaries, raw durations
on and off) and trace. The integrals are also checked against an independent sum over every
invocation's admitted lifetime and every environment's life.
"""

from __future__ import annotations

from typing import Any

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import LogNormal, build_zip
from serverless_sim.awslambda.functions_api import FunctionOps
from serverless_sim.awslambda.invoke import Invocation, InvokeEngine
from serverless_sim.awslambda.runtime import virtual_sleep

_SKIP = {"callbacks", "_event", "tag"}


def _slots(obj: Any) -> dict[str, Any]:
    out = {}
    for name in type(obj).__slots__:
        if name in _SKIP:
            continue
        value = getattr(obj, name)
        if name == "env":
            value = value.id if value is not None else None
        elif name == "function":
            value = value.name
        elif name == "version":
            value = value.version
        elif name == "error" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "stackTrace"}
        out[name] = value
    return out


class _Ledger:
    """Independent integrals: each admitted invocation's [start, completion) and each
    environment's [creation, shutdown), recorded by wrapping the engine's entry points."""

    def __init__(self, m: pytest.MonkeyPatch) -> None:
        self.starts: dict[int, tuple[str, int]] = {}
        self.area: dict[str, int] = {}
        self.env_area: dict[str, int] = {}
        self.live: dict[str, tuple[str, int]] = {}
        start, complete, lean = InvokeEngine._start, InvokeEngine._complete, InvokeEngine._complete_lean
        new_env, shutdown = InvokeEngine._new_environment, FunctionOps._shutdown
        ledger = self

        def w_start(self: InvokeEngine, version: Any, *a: Any, **k: Any) -> Invocation:
            now = self.cloud.clock.now_us
            inv = start(self, version, *a, **k)
            ledger.starts[id(inv)] = (version.function.name, now)
            return inv

        def done(self: InvokeEngine, inv: Invocation) -> None:
            name, t = ledger.starts.pop(id(inv))
            ledger.area[name] = ledger.area.get(name, 0) + self.cloud.clock.now_us - t

        def w_complete(self: InvokeEngine, inv: Invocation) -> None:
            done(self, inv)
            complete(self, inv)

        def w_lean(self: InvokeEngine, inv: Invocation) -> None:
            done(self, inv)
            lean(self, inv)

        def w_new_env(self: InvokeEngine, version: Any, pool: Any, init_type: str, now_us: int) -> Any:
            env = new_env(self, version, pool, init_type, now_us)
            ledger.live[env.id] = (version.function.name, now_us)
            return env

        def w_shutdown(self: FunctionOps, env: Any, why: str) -> None:
            if env.id in ledger.live and env.state != "dead":
                name, t = ledger.live.pop(env.id)
                ledger.env_area[name] = ledger.env_area.get(name, 0) + self.cloud.clock.now_us - t
            shutdown(self, env, why)

        m.setattr(InvokeEngine, "_start", w_start)
        m.setattr(InvokeEngine, "_complete", w_complete)
        m.setattr(InvokeEngine, "_complete_lean", w_lean)
        m.setattr(InvokeEngine, "_new_environment", w_new_env)
        m.setattr(FunctionOps, "_shutdown", w_shutdown)

    def check(self, fns: dict[str, Any], now: int) -> None:
        for fn in fns.values():
            name = fn.name
            running = sum(now - t for n, t in self.starts.values() if n == name)
            assert fn.stats.area_us(fn.in_flight, now) == self.area.get(name, 0) + running, name
            alive = sum(now - t for n, t in self.live.values() if n == name)
            assert fn.stats.env_area_us(now) == self.env_area.get(name, 0) + alive, name


_SNAP = """
from snapshot_restore_py import register_after_restore
EVENTS = []

@register_after_restore
def after():
    EVENTS.append("restored")

def handler(event, context):
    return {"event": event, "restores": len(EVENTS)}
"""


def _scenario(raw: bool, m: pytest.MonkeyPatch) -> dict[str, Any]:
    ledger = _Ledger(m)
    cloud = Cloud(seed=23, trace="all")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    if raw:
        lam.config.duration_percentiles = True
    seen: list[Any] = []

    def a(event: Any, context: Any) -> Any:
        op = event.get("op") if isinstance(event, dict) else event
        seen.append(("a", op, context.aws_request_id, context.get_remaining_time_in_millis()))
        if op == "nested_same":
            inner = lam.invoke("a", "x")
            seen.append(("inner", inner.request_id, inner.result, context.get_remaining_time_in_millis()))
            return inner.result
        if op == "nested_other":
            inner = lam.invoke("b", {"deep": True})
            return {"b": inner.result, "err": inner.error and inner.error.get("errorType")}
        if op == "partial":
            seen.append(("partial", len(seen)))
            virtual_sleep(0.2)
            raise RuntimeError("after partial work")
        if op == "drop_pc":
            lam.delete_provisioned_concurrency_config({"FunctionName": "a", "Qualifier": "live"})
            return "dropped"
        if op == "delete_version":
            try:
                lam.delete_function({"FunctionName": "a", "Qualifier": "1"})
                return "deleted"
            except Exception as exc:
                return type(exc).__name__
        if op == "slow":
            virtual_sleep(3)
        return {"echo": op}

    def b(event: Any, context: Any) -> Any:
        virtual_sleep(0.05)
        if isinstance(event, dict) and event.get("deep"):
            return lam.invoke("c", "deep").result
        if event == "self_throttle":  # reserve 1 (this invocation holds it), then invoke itself
            lam.put_function_concurrency({"FunctionName": "b", "ReservedConcurrentExecutions": 1})
            try:
                lam.invoke("b", "x")
                got = "ran"
            except Exception as exc:  # TooManyRequestsException
                got = type(exc).__name__
            lam.delete_function_concurrency({"FunctionName": "b"})
            return got
        if event == "reserved0":  # reserved concurrency 0 while this invocation is in flight
            lam.put_function_concurrency({"FunctionName": "b", "ReservedConcurrentExecutions": 0})
            return "zero"
        return "b"

    def d(event: Any, context: Any) -> Any:
        if event == "delete_self":
            lam.delete_function({"FunctionName": "d"})
            return "gone"
        if event == "delete_v1":
            lam.delete_function({"FunctionName": "d", "Qualifier": "1"})
            raise ValueError("after deleting a version")
        return event

    lam.create_function_from_callable("a", a, memory=512, timeout=2, duration=LogNormal(0.04, 0.5),
                                      virtual_time=False)
    lam.create_function_from_callable("b", b, memory=256, duration=0.01, virtual_time=False)
    lam.create_function_from_callable("c", lambda e, c: e, memory=128, duration=0.002, virtual_time=False)
    lam.create_function_from_callable("d", d, memory=128, duration=0.5, virtual_time=False)
    calls = [0]

    def factory() -> Any:  # Init fails every other time
        calls[0] += 1
        if calls[0] % 2:
            raise RuntimeError("init failed")
        return lambda e, c: e

    lam.create_function_from_callable("f", factory=factory, memory=128, duration=0.01, virtual_time=False)
    cloud.client("lambda").create_function(
        FunctionName="s", Runtime="python3.12", Role="arn:aws:iam::123456789012:role/r", Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": _SNAP})}, SnapStart={"ApplyOn": "PublishedVersions"})
    cloud.advance(5)
    lam.publish_version({"FunctionName": "s"})
    lam.publish_version({"FunctionName": "a"})
    lam.publish_version({"FunctionName": "d"})
    lam.create_alias({"FunctionName": "a", "Name": "live", "FunctionVersion": "1"})
    lam.put_provisioned_concurrency_config({"FunctionName": "a", "Qualifier": "live",
                                            "ProvisionedConcurrentExecutions": 2})
    fns = dict(lam.functions)  # kept: ``d`` deletes itself, its integrals are checked after
    cloud.advance(300)
    # end every warm invocation of ``c`` exactly on a minute boundary (duration 2 ms)
    cloud.advance((60_000_000 - cloud.clock.now_us % 60_000_000 - 2_000) / 1e6)
    invs: list[Invocation] = []
    refused: list[Any] = []

    def go(name: str, qualifier: str | None, event: Any) -> None:
        try:
            invs.append(lam.start_at(name, qualifier, event))
        except Exception as exc:
            refused.append((name, qualifier, type(exc).__name__, cloud.clock.now_us))

    for _ in range(3):
        go("c", None, "edge")
        cloud.advance(60)
    ops = ["x", "nested_same", "x", "nested_other", "partial", "x", "slow", "x", "x"]
    for i in range(80):
        go("a", None, {"op": ops[i % len(ops)]})
        if i % 4 == 0:
            go("a", "live", {"op": "x"})
            go("a", "live", {"op": "x"})  # spillover when both provisioned environments are busy
        if i % 7 == 0:
            go("a", "1", {"op": "x"})
        go("b", None, "self_throttle" if i % 9 == 4 else "x")
        if i % 10 == 0:
            go("f", None, i)
            go("s", "1", {"i": i})  # SnapStart restores
            go("s", "1", {"i": i})
        cloud.advance(0.011 * (i % 6))
        lam.submit("c", "submitted")  # native submit without a qualifier
    cloud.advance(5)
    ledger.check(fns, cloud.clock.now_us)
    go("b", None, "reserved0")
    go("b", None, "x")  # while the first runs: admitted before it sets 0
    cloud.advance(0.01)
    go("b", None, "x")  # concurrency 0: throttled
    cloud.advance(1)
    lam.delete_function_concurrency({"FunctionName": "b"})
    go("b", None, "x")
    go("a", "live", {"op": "drop_pc"})
    go("a", "live", {"op": "x"})
    go("a", None, {"op": "delete_version"})
    cloud.advance(10)
    ledger.check(fns, cloud.clock.now_us)
    for event, qualifier in (("x", None), ("x", "1"), ("delete_v1", "1"), ("x", None), ("x", "1"),
                             ("delete_self", None), ("x", None)):
        go("d", qualifier, event)
        cloud.advance(0.1)
    cloud.advance(700)  # idle reclaims
    ledger.check(fns, cloud.clock.now_us)
    stats = {}
    for name in ("a", "b", "c", "f", "s"):
        fn = lam.functions.get(name)
        stats[name] = ({k: getattr(fn.stats, k) for k in type(fn.stats).__slots__}, lam.stats(name))
    rows = []
    for s in cloud.metrics.list(namespace="AWS/Lambda"):
        rows.append((s.name, s.dimensions, [(r.start_us, r.sample_count, r.total, r.minimum, r.maximum,
                                             list(r.raw)) for r in s.rows()]))
    return {
        "invocations": [_slots(inv) for inv in invs],
        "refused": refused,
        "seen": seen,
        "stats": stats,
        "metrics": rows,
        "digest": cloud.trace.digest(),
    }


@pytest.mark.parametrize("raw", [False, True])
def test_lean_path_equals_general_path_under_adversarial_handlers(monkeypatch: pytest.MonkeyPatch,
                                                                   raw: bool) -> None:
    lean_calls: list[int] = []
    with monkeypatch.context() as m:
        orig_lean = InvokeEngine._complete_lean

        def counted(self: InvokeEngine, inv: Invocation) -> None:
            lean_calls.append(1)
            orig_lean(self, inv)

        m.setattr(InvokeEngine, "_complete_lean", counted)
        lean = _scenario(raw, m)
    assert lean_calls  # the lean path ran
    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_plain", staticmethod(lambda env: False))
        general = _scenario(raw, m)
    assert any(r[2] == "TooManyRequestsException" for r in lean["refused"])
    results = [inv["result"] for inv in lean["invocations"]]
    assert "TooManyRequestsException" in results and "gone" in results and "zero" in results
    assert "ResourceConflictException" in results
    assert any(inv["restore_us"] for inv in lean["invocations"])
    assert any(inv["error"] and inv["function"] == "f" for inv in lean["invocations"])
    assert any(inv["provisioned"] for inv in lean["invocations"])
    assert any(inv["spillover"] for inv in lean["invocations"])
    for key in lean:
        assert lean[key] == general[key], key


def test_integrals_and_metrics_survive_fork_mid_flight() -> None:
    """A fork with invocations in flight (lean and not) and environments alive carries the
    sums of instants: the fork and the original, advanced alike, report the same integrals,
    ``stats`` (mean concurrency / environments) and metrics."""
    cloud = Cloud(seed=5, trace="none")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("f", lambda e, c: e, memory=256, duration=LogNormal(0.5, 0.4),
                                      virtual_time=False)
    for i in range(40):
        lam.submit("f", i)
        cloud.advance(0.07)
    assert lam.functions["f"].in_flight > 0
    twin = cloud.fork()
    out = []
    for c in (cloud, twin):
        lam_c: Any = c.service("lambda")
        for i in range(20):
            lam_c.submit("f", i)
            c.advance(0.09)
        mid = lam_c.stats("f")
        c.advance(900)
        fn = lam_c.functions["f"]
        now = c.clock.now_us
        out.append((mid, lam_c.stats("f"), fn.stats.area_us(fn.in_flight, now), fn.stats.env_area_us(now),
                    [(s.name, s.dimensions, [(r.start_us, r.sample_count, r.total) for r in s.rows()])
                     for s in c.metrics.list(namespace="AWS/Lambda")]))
    assert out[0] == out[1]
    assert 0 < out[0][0]["mean_concurrency"] and out[0][1]["environments"] == 0
