"""The invoke path's third round of shortcuts equals the general code it stands for:

- the lean path's Invocation, made inline once the handler has succeeded, has every slot the
  constructor (plus the outcome ``_settle`` would set) gives it;
- ``_complete_lean``'s inlined ``FunctionMetrics.record`` adds the same values to the same
  buckets as the general ``_complete`` (every AWS/Lambda series, bucket by bucket, raw
  Duration values included);
- the concurrency and environment integrals kept as sums of start / end instants
  (``FunctionStats.area_base_us``) equal the step integration they replace (a running clock
  and ``count x elapsed`` at every change), property-tested over random arrivals, durations,
  timeouts, cold starts and idle reclaims.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from serverless_sim import Cloud
from serverless_sim.awslambda import LogNormal
from serverless_sim.awslambda.invoke import Invocation, InvokeEngine
from serverless_sim.awslambda.functions_api import FunctionOps


def _slots(inv: Invocation) -> dict[str, Any]:
    return {name: getattr(inv, name) for name in Invocation.__slots__}


def test_inline_invocation_has_the_constructors_slots() -> None:
    cloud = Cloud(seed=4, trace="none")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("f", lambda e, c: {"got": e}, memory=512, duration=LogNormal(0.04, 0.5),
                                      virtual_time=False)
    lam.publish_version({"FunctionName": "f"})
    invs: list[Invocation] = []
    for qualifier in (None, None, "1", "1", None):
        invs.append(lam.start_at("f", qualifier, {"n": len(invs)}, cloud.clock.now_us + 7))
        cloud.advance(1)
    for inv in invs[1:2] + invs[3:]:  # warm: made inline by the lean path
        ref = Invocation(inv.request_id, inv.version, inv.resource, "RequestResponse", inv.event, False,
                         inv.arrival_us, inv.env, False, False, None, None)
        ref.result = {"got": inv.event}
        ref.duration_us = inv.duration_us
        ref.end_us = inv.arrival_us + inv.duration_us
        ref.billed_ms = -(-inv.duration_us // 1000)
        ref.done = True
        assert _slots(inv) == _slots(ref)


def _metric_rows(cloud: Cloud) -> list[Any]:
    out = []
    for s in cloud.metrics.list(namespace="AWS/Lambda"):
        out.append((s.name, s.dimensions, [(r.start_us, r.sample_count, r.total, r.minimum, r.maximum, list(r.raw))
                                           for r in s.rows()]))
    return out


def _metrics_scenario(raw: bool) -> tuple[list[Any], str, int]:
    cloud = Cloud(seed=9, trace="none")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.config.duration_percentiles = raw
    lam.create_function_from_callable("a", lambda e, c: e, memory=512, duration=LogNormal(0.04, 0.9),
                                      virtual_time=False)
    lam.create_function_from_callable("b", lambda e, c: e, memory=256, duration=0.01, virtual_time=False)
    taken = []
    for i in range(400):
        taken.append(lam.start_at("a" if i % 3 else "b", None, i))
        if i % 7 == 0:
            taken.append(lam.start_at("a", None, -i))  # overlapping: concurrency 2
        cloud.advance(0.5 + (i % 11) * 1.7)  # crosses minute buckets
    cloud.advance(60)
    return _metric_rows(cloud), cloud.trace.digest(), len(taken)


@pytest.mark.parametrize("raw", [False, True])
def test_complete_lean_metrics_equal_the_general_records(monkeypatch: pytest.MonkeyPatch, raw: bool) -> None:
    calls: list[int] = []
    original = InvokeEngine._complete_lean

    def counted(self: InvokeEngine, inv: Invocation) -> None:
        calls.append(1)
        original(self, inv)

    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_complete_lean", counted)
        lean = _metrics_scenario(raw)
    assert len(calls) > 300
    with monkeypatch.context() as m:
        m.setattr(InvokeEngine, "_plain", staticmethod(lambda env: False))  # never lean: _complete
        general = _metrics_scenario(raw)
    assert lean == general


class _StepIntegrals:
    """The integration the sums replace: at every change of a function's concurrency or live
    environments (each entry point that changes them), add ``count x elapsed`` since the last
    change."""

    def __init__(self) -> None:
        self.area: dict[str, int] = {}
        self.env_area: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def step(self, fn: Any, now: int) -> None:
        last = self.last.get(fn.name, fn.created_us)
        self.area[fn.name] = self.area.get(fn.name, 0) + fn.in_flight * (now - last)
        self.env_area[fn.name] = self.env_area.get(fn.name, 0) + fn.stats.environments * (now - last)
        self.last[fn.name] = now


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3_000_000), st.sampled_from(["x", "slow", "boom"])),
               min_size=1, max_size=40),
    idle_s=st.sampled_from([1, 30, 600]),
)
def test_integrals_equal_step_integration(steps: list[tuple[int, int, str]], idle_s: int) -> None:
    ref = _StepIntegrals()
    cloud = Cloud(seed=2, trace="none")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.config.idle_reclaim_s = idle_s

    def handler(event: Any, context: Any) -> Any:
        if event == "boom":
            raise SystemExit(1)  # Runtime.ExitError: the environment is reset
        return event

    lam.create_function_from_callable("f", handler, timeout=1, duration=LogNormal(0.2, 1.5), virtual_time=False)
    lam.create_function_from_callable("g", handler, timeout=2, duration=0.3, virtual_time=False)
    clock = cloud.clock

    # Wrap every entry point that changes in_flight or environments: step first, as the old
    # code did (_start, _complete, _complete_lean, _new_environment, _shutdown).
    orig = {name: getattr(cls, name) for cls, name in (
        (InvokeEngine, "_start"), (InvokeEngine, "_complete"), (InvokeEngine, "_complete_lean"),
        (InvokeEngine, "_new_environment"), (FunctionOps, "_shutdown"))}

    def wrap(name: str, fn_of: Any) -> Any:
        inner = orig[name]

        def wrapped(self: Any, *args: Any, **kw: Any) -> Any:
            ref.step(fn_of(*args), clock.now_us)
            return inner(self, *args, **kw)
        return wrapped

    patches = {
        "_start": wrap("_start", lambda version, *a: version.function),
        "_complete": wrap("_complete", lambda inv: inv.function),
        "_complete_lean": wrap("_complete_lean", lambda inv: inv.function),
        "_new_environment": wrap("_new_environment", lambda version, *a: version.function),
        "_shutdown": wrap("_shutdown", lambda env, *a: env.version.function),
    }
    mp = pytest.MonkeyPatch()
    try:
        for name, f in patches.items():
            mp.setattr(FunctionOps if name == "_shutdown" else InvokeEngine, name, f)
        for count, gap_us, event in steps:
            for i in range(count):
                name = "f" if i % 2 == 0 else "g"
                lam.start_at(name, None, event)
            cloud.advance(gap_us / 1_000_000)
            now = clock.now_us
            for name in ("f", "g"):
                fn = lam.functions.get(name)
                ref.step(fn, now)
                assert fn.stats.area_us(fn.in_flight, now) == ref.area[name]
                assert fn.stats.env_area_us(now) == ref.env_area[name]
                span = max(1, now - fn.created_us)
                got = lam.stats(name)
                assert got["mean_concurrency"] == ref.area[name] / span
                assert got["mean_environments"] == ref.env_area[name] / span
    finally:
        mp.undo()


def _old_submit(self: Any, name: Any, event: Any = None, *, qualifier: str | None = None,
                on_complete: Any = None) -> Invocation:
    """``NativeAPI.submit`` as it was before its name lookup and on_complete were inlined."""
    version, resource = self._resolve(name, qualifier)
    inv = self._start(version, resource, event)
    if on_complete is not None:
        inv.on_complete(on_complete)
    return inv


def _submit_scenario() -> dict[str, Any]:
    cloud = Cloud(seed=6, trace="all")
    lam: Any = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("f", lambda e, c: e, duration=LogNormal(0.04, 0.5), virtual_time=False)
    lam.publish_version({"FunctionName": "f"})
    fn = lam.functions.get("f")
    done: list[Any] = []
    invs = []
    targets: list[tuple[Any, str | None]] = [("f", None), (fn, None), (fn.arn, None), ("f", "1"),
                                             (f"{fn.arn}:1", None), ("f", "$LATEST")]
    for i in range(24):
        name, qualifier = targets[i % len(targets)]
        invs.append(lam.submit(name, i, qualifier=qualifier,
                               on_complete=(lambda inv: done.append((inv.request_id, cloud.clock.now_us)))
                               if i % 2 else None))
        cloud.advance(0.01 * (i % 4))
    cloud.advance(5)
    missing = []
    for name in ("nope", "arn:aws:lambda:us-east-1:123456789012:function:nope"):
        try:
            lam.submit(name, 1)
        except Exception as exc:  # noqa: BLE001 - the same error either way
            missing.append((type(exc).__name__, str(exc)))
    return {"invs": [_slots(inv) | {"env": inv.env.id, "version": inv.version.version, "function": inv.function.name}
                     for inv in invs],
            "done": done, "missing": missing, "digest": cloud.trace.digest()}


def test_submit_shortcut_equals_resolve_and_on_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    from serverless_sim.awslambda.native import NativeAPI

    new = _submit_scenario()
    with monkeypatch.context() as m:
        m.setattr(NativeAPI, "submit", _old_submit)
        old = _submit_scenario()
    assert len(new["done"]) == 12 and len(new["missing"]) == 2
    assert new == old
