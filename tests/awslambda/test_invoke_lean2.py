"""The lean invoke path's second round of shortcuts equals the general code: the per-environment
``lean`` tuple, the inlined Run / LambdaContext construction, the inlined ``on_complete`` of
``start_at`` and ``InvokeEngine._complete_lean``. One scenario (warm and cold starts, errors,
timeouts from the handler and from the modelled duration, nested calls, an alias with
provisioned concurrency and spillover, a retired environment, both trace modes) is run with
the lean path, with ``env.lean`` never cached (the inline handler run and ``_complete``) and
with no environment ever plain (``_run_handler`` and ``_settle`` for everything): the same
invocations, slot by slot, the same statistics and metrics, the same trace."""

from __future__ import annotations

from typing import Any

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import LogNormal
from serverless_sim.awslambda.context import LambdaContext
from serverless_sim.awslambda.invoke import Invocation, InvokeEngine, _lean
from serverless_sim.awslambda.runtime import Run, current_run, virtual_sleep

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
        out[name] = value
    return out


def _scenario(trace: str) -> dict[str, Any]:
    cloud = Cloud(seed=11, trace=trace)
    lam = cloud.service("lambda")
    lam.config.logging = False
    seen: list[Any] = []

    def a(event: Any, context: Any) -> Any:
        run = current_run()
        seen.append((context.aws_request_id, context.invoked_function_arn, context.memory_limit_in_mb,
                     context.get_remaining_time_in_millis(), run.start_us, run.deadline_us))
        if event == "boom":
            raise ValueError("boom")
        if event == "slow":
            virtual_sleep(5)
        if event == "exit":
            raise SystemExit(3)
        return {"echo": event}

    def b(event: Any, context: Any) -> Any:
        virtual_sleep(0.25)
        inner = lam.start_at("a", None, "nested", current_run().now_us)
        seen.append(("nested", inner.arrival_us, inner.request_id, context.get_remaining_time_in_millis()))
        return inner.request_id

    lam.create_function_from_callable("a", a, memory=512, timeout=2, duration=LogNormal(0.04, 0.5),
                                      virtual_time=False)
    lam.create_function_from_callable("b", b, memory=256, duration=0.01, virtual_time=False)
    lam.create_function_from_callable("c", lambda e, c: e, memory=128, timeout=1, duration=1.5,
                                      virtual_time=False)
    lam.publish_version({"FunctionName": "a"})
    lam.create_alias({"FunctionName": "a", "Name": "live", "FunctionVersion": "1"})
    lam.put_provisioned_concurrency_config({"FunctionName": "a", "Qualifier": "live",
                                            "ProvisionedConcurrentExecutions": 1})
    cloud.advance(300)
    invs: list[Invocation] = []
    done: list[str] = []
    events = ["x", "x", "boom", "x", "slow", "x", "exit", "x"]
    for i in range(60):
        name, qualifier = (("a", None), ("a", None), ("b", None), ("c", None), ("a", "live"),
                           ("a", "1"))[i % 6]
        inv = lam.start_at(name, qualifier, events[i % len(events)], None,
                           lambda done_inv: done.append(done_inv.request_id))
        invs.append(inv)
        if i % 3 == 0:
            invs.append(lam.start_at("a", "live", "x"))  # a second one: spillover
        cloud.advance(0.013 * (i % 5))
    cloud.advance(10)
    # a retired version's environment is shut down at its completion
    lam.update_function_configuration({"FunctionName": "c", "MemorySize": 256})
    invs.append(lam.start_at("c", None, "x"))
    cloud.advance(10)
    stats = {}
    for name in ("a", "b", "c"):
        fn = lam.functions.get(name)
        stats[name] = {k: getattr(fn.stats, k) for k in type(fn.stats).__slots__}
    return {
        "invocations": [_slots(inv) for inv in invs],
        "done": done,
        "seen": seen,
        "stats": stats,
        "report": repr(cloud.report()),
        "digest": cloud.trace.digest(),
    }


def _no_lean_cache(env: Any) -> bool:
    plain = _ORIGINAL_PLAIN(env)
    env.lean = None
    return plain


_ORIGINAL_PLAIN = InvokeEngine._plain


@pytest.mark.parametrize("trace", ["none", "all"])
def test_lean_path_equals_the_general_paths(monkeypatch: pytest.MonkeyPatch, trace: str) -> None:
    taken: list[int] = []
    original = InvokeEngine._complete_lean

    def counted(self: InvokeEngine, inv: Invocation) -> None:
        taken.append(1)
        original(self, inv)

    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_complete_lean", counted)
        lean = _scenario(trace)
    assert 0 < len(taken) < len(lean["invocations"])  # the lean path ran, but not for all
    assert any(inv["cold"] for inv in lean["invocations"])
    assert any(inv["timed_out"] for inv in lean["invocations"])
    assert any(inv["spillover"] for inv in lean["invocations"])
    assert any(inv["provisioned"] for inv in lean["invocations"])
    assert any(inv["error"] is not None and not inv["timed_out"] for inv in lean["invocations"])
    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_plain", staticmethod(_no_lean_cache))
        inline = _scenario(trace)
    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_plain", staticmethod(lambda env: False))
        general = _scenario(trace)
    for key in lean:
        assert lean[key] == inline[key], key
        assert lean[key] == general[key], key


def test_lean_path_is_taken_and_builds_the_constructors_context_and_run() -> None:
    cloud = Cloud(seed=3, trace="none")
    lam = cloud.service("lambda")
    lam.config.logging = False
    got: list[tuple[Any, Any]] = []

    def handler(event: Any, context: Any) -> int:
        run = current_run()
        assert context._run is run
        got.append((context, (run.start_us, run.elapsed_us, run.deadline_us, run.traveller)))
        return 1

    lam.create_function_from_callable("f", handler, memory=640, timeout=7, virtual_time=False)
    lam.publish_version({"FunctionName": "f"})
    for qualifier in (None, "1", None, "1"):
        inv = lam.start_at("f", qualifier, {}, cloud.clock.now_us + 5)
        cloud.advance(1)
    env = inv.env
    assert env.lean == _lean(env)
    assert env.lean == ("f", "1", lam.functions.get("f").arn, "640", "/aws/lambda/f", env.log_stream, 7_000_000)
    # the last two ran on warm environments through the lean path (and its _complete_lean)
    for (ctx, run_fields), qualifier in zip(got[2:], (None, "1")):
        start, deadline = run_fields[0], run_fields[2]
        ref_run = Run(start, deadline)
        assert run_fields == (ref_run.start_us, ref_run.elapsed_us, ref_run.deadline_us, ref_run.traveller)
        version = "$LATEST" if qualifier is None else "1"
        ref = LambdaContext(
            function_name="f", function_version=version,
            invoked_function_arn=lam.functions.get("f").arn + ("" if qualifier is None else ":1"),
            memory_limit_in_mb=640, aws_request_id=ctx.aws_request_id, log_group_name="/aws/lambda/f",
            log_stream_name=ctx.log_stream_name, deadline_us=deadline, run=ctx._run,
        )
        assert type(ctx) is LambdaContext
        assert {k: getattr(ctx, k) for k in LambdaContext.__slots__} == \
            {k: getattr(ref, k) for k in LambdaContext.__slots__}
        assert deadline == start + 7_000_000


def test_start_at_callback_runs_once_at_completion() -> None:
    cloud = Cloud(seed=3, trace="none")
    lam = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("f", lambda e, c: e, duration=0.02, virtual_time=False)
    calls: list[Any] = []
    for _ in range(3):
        inv = lam.start_at("f", None, 1, None, lambda i: calls.append((i.done, cloud.clock.now_us, i.end_us)))
        inv.on_complete(lambda i: calls.append("second"))
        assert calls == [] or calls[-1] == "second"
        cloud.advance(1)
    assert len(calls) == 6 and all(c == "second" or (c[0] and c[1] == c[2]) for c in calls)
