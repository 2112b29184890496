"""The lean invoke path's shortcuts equal the general code they stand for: the inlined request id,
the one-frame log-normal sampler, the per-environment ``plain`` flag, the trace pieces and the
trimmed metrics record."""

from __future__ import annotations

import random

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda import Exponential, LogNormal
from serverless_sim.awslambda.durations import compile_duration
from serverless_sim.awslambda.invoke import _TRACE_COLD, _TRACE_WARM, _trace_parts
from serverless_sim.awslambda.reporting import FunctionMetrics, SeriesCache
from serverless_sim.kernel.metrics import MetricStore
from serverless_sim.kernel.rng import _UUID_KEEP, _UUID_SET, RandomStreams


def _reference_uuid(stream: random.Random) -> str:
    """RandomStreams.uuid as it was written first: one draw, masked, sliced hex."""
    n = (stream.getrandbits(128) & _UUID_KEEP) | _UUID_SET
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def test_uuid_text_is_the_sliced_hex_of_the_same_draw():
    streams = RandomStreams(3)
    reference = random.Random()
    reference.setstate(streams("requests").getstate())
    for _ in range(5_000):
        assert streams.uuid("requests") == _reference_uuid(reference)
    # the edges: all-zero and all-one draws keep their leading zeros and the version / variant
    class Fixed(random.Random):
        def __init__(self, value: int) -> None:
            super().__init__(0)
            self.value = value

        def getrandbits(self, k: int) -> int:
            return self.value

    for value in (0, (1 << 128) - 1, 1, 1 << 127):
        streams._streams["fixed"] = Fixed(value)
        assert streams.uuid("fixed") == _reference_uuid(Fixed(value))


def _cloud(**kw) -> Cloud:
    cloud = Cloud(seed=5, trace=kw.pop("trace", "none"))
    lam = cloud.service("lambda")
    lam.config.logging = False
    return cloud


def test_lambda_request_ids_are_the_function_streams_uuids():
    cloud = _cloud()
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: c.aws_request_id, duration=0.01, virtual_time=False)
    lam.create_function_from_callable("g", lambda e, c: c.aws_request_id, duration=0.01)  # general path
    expected = RandomStreams(5)
    ids = []
    for i in range(40):
        name = "fg"[i % 2]
        inv = lam.start_at(name, None, {})
        assert inv.result == inv.request_id
        ids.append(inv.request_id)
        assert inv.request_id == expected.uuid(f"lambda/{name}")
        cloud.advance(0.003 * (i % 7))
    assert len(set(ids)) == 40


def test_lognormal_sampler_draws_exactly_what_sample_draws():
    for median, sigma in ((0.04, 0.5), (1.0, 0.0), (0.003, 2.5), (120.0, 0.01)):
        model = LogNormal(median, sigma)
        const, sampler = compile_duration(model)
        assert const == 0 and sampler is not None and sampler != model.sample
        a, b = random.Random(median), random.Random(median)
        for _ in range(20_000):
            assert sampler(a) == model.sample(b)
        assert a.getstate() == b.getstate()

    class Other(random.Random):  # a stream class that may draw its normals differently
        def normalvariate(self, mu: float = 0.0, sigma: float = 1.0) -> float:
            return mu

    model = LogNormal(0.5, 0.3)
    assert compile_duration(model)[1](Other(1)) == 0.5  # type: ignore[misc]
    # other distributions keep their own sample
    exp = Exponential(0.2)
    assert compile_duration(exp)[1] == exp.sample


def test_trace_parts_are_the_canonical_record_text():
    cloud = _cloud()
    lam = cloud.service("lambda")
    lam.create_function_from_callable("my-fn_1", lambda e, c: 1, virtual_time=False)
    lam.publish_version({"FunctionName": "my-fn_1"})
    for qualifier in (None, "1"):
        inv = lam.start_at("my-fn_1", qualifier, {})
        cloud.advance(1)
        env = inv.env
        parts = _trace_parts(env)
        assert env.trace_parts == parts
        for cold in (False, True):
            for status, tail in (("ok", parts[1]), ("timeout", parts[2]), ("error", parts[3])):
                attrs = {"function": "my-fn_1", "version": env.version.version, "request_id": inv.request_id,
                         "cold": cold, "duration_us": 1234567, "status": status}
                text = f"{_TRACE_COLD if cold else _TRACE_WARM}{1234567}{parts[0]}{inv.request_id}{tail}"
                assert text == "R" + repr(sorted(attrs.items()))


def test_plain_flag_follows_logging_environment_virtual_time_and_reinit():
    cloud = _cloud()
    lam = cloud.service("lambda")
    seen = []

    def handler(event, context):
        print("hello")
        seen.append(context.aws_request_id)
        return event

    lam.create_function_from_callable("f", handler, duration=0.01, virtual_time=False)
    inv = lam.start_at("f", None, 1)
    cloud.advance(1)
    env = inv.env
    assert env.plain is True and inv.log_lines is None
    # logging switched on: the general path captures the handler's output
    lam.config.logging = True
    inv = lam.start_at("f", None, 2)
    cloud.advance(1)
    assert inv.env is env and any("hello" in m for _, m in inv.log_lines)
    lam.config.logging = False
    inv = lam.start_at("f", None, 3)
    cloud.advance(1)
    assert inv.log_lines is None and inv.result == 3
    # a crash resets the environment: the next one is initialised and its flag computed again
    lam.create_function_from_callable("boom", lambda e, c: (_ for _ in ()).throw(SystemExit(1)) if e else 0,
                                      duration=0.01, virtual_time=False)
    first = lam.start_at("boom", None, 1)
    cloud.advance(1)
    assert first.error is not None and first.env.state == "dead"
    second = lam.start_at("boom", None, 0)
    cloud.advance(1)
    assert second.cold and second.env is not first.env and second.env.plain is True and second.result == 0
    # environment variables: never plain
    lam.create_function_from_callable("envy", lambda e, c: 1, duration=0.01, virtual_time=False,
                                      environment={"AB": "1"})
    inv = lam.start_at("envy", None, {})
    cloud.advance(1)
    assert inv.env.plain is False and inv.result == 1
    # virtual time: never plain
    lam.create_function_from_callable("vt", lambda e, c: 1, duration=0.01)
    inv = lam.start_at("vt", None, {})
    cloud.advance(1)
    assert inv.env.plain is False and inv.result == 1


@pytest.mark.parametrize("raw", [False, True])
def test_metrics_record_equals_statistic_sets(raw):
    store, reference = MetricStore(None), MetricStore(None)
    fm = FunctionMetrics(SeriesCache(store), "f", raw_durations=raw)
    ref = FunctionMetrics(SeriesCache(reference), "f", raw_durations=raw)
    # a value some other writer put in the current minute before the first invocation
    fm.invocations.add_statistic_set(10, 1, 5.0, 5.0, 5.0)
    ref.invocations.add_statistic_set(10, 1, 5.0, 5.0, 5.0)
    rng = random.Random(1)
    for i in range(500):
        now = 10 + i * 700_000
        error, provisioned, spillover = rng.random() < 0.1, rng.random() < 0.1, rng.random() < 0.1
        ms, conc, acct = rng.random() * 100, rng.randrange(1, 9), rng.randrange(1, 20)
        fm.record(ms, conc, acct, now)
        if error or provisioned or spillover:
            fm.record_rare(error, provisioned, spillover, now)
        for s in (ref.invocations, ref.acct_invocations):
            s.add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        if raw:
            ref.duration.add(now, ms)
        else:
            ref.duration.add_statistic_set(now, 1, ms, ms, ms)
        ref.concurrency.add_statistic_set(now, 1, float(conc), float(conc), float(conc))
        ref.acct_concurrency.add_statistic_set(now, 1, float(acct), float(acct), float(acct))
        if error:
            ref.errors.add_statistic_set(now, 1, 1.0, 1.0, 1.0)
            ref.acct_errors.add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        if provisioned:
            ref.pc_invocations.add_statistic_set(now, 1, 1.0, 1.0, 1.0)
        elif spillover:
            ref.spillover.add_statistic_set(now, 1, 1.0, 1.0, 1.0)
    for name in FunctionMetrics.__slots__:
        a, b = getattr(fm, name), getattr(ref, name)
        if not hasattr(a, "buckets"):
            continue
        assert sorted(a.buckets) == sorted(b.buckets), name
        for start in a.buckets:
            x, y = a.buckets[start], b.buckets[start]
            assert (x.count, x.total, x.minimum, x.maximum) == (y.count, y.total, y.minimum, y.maximum), name
            assert list(x.raw()) == list(y.raw()), name


def test_pool_put_and_take_are_inlined_only_for_the_plain_mru_pool():
    from serverless_sim.awslambda.environments import EnvironmentPool, NewestFirstPool

    class CustomPut(EnvironmentPool):
        def put(self, env):
            super().put(env)

    class CustomTake(EnvironmentPool):
        def take(self):
            return super().take()

    class Plain(EnvironmentPool):
        pass

    assert EnvironmentPool.mru and Plain.mru
    assert not NewestFirstPool.mru and not CustomPut.mru and not CustomTake.mru
    from serverless_sim.awslambda.runtime import current_run

    def handler(event, context):
        current_run().advance(event)  # virtual time spent: the releases come in reverse order
        return event

    for policy in ("mru", "newest"):
        cloud = _cloud()
        lam = cloud.service("lambda")
        lam.config.warm_selection = policy
        lam.create_function_from_callable("f", handler, duration=0.1, virtual_time=False)
        assert type(lam.functions["f"].latest.pool) is (EnvironmentPool if policy == "mru" else NewestFirstPool)
        first = [lam.start_at("f", None, us) for us in (300_000, 200_000, 100_000)]  # three environments
        cloud.advance(1)
        again = [lam.start_at("f", None, 0).env for _ in range(2)]
        ids = [inv.env.id for inv in first]
        # released last to first: the most recently used is the first; the newest the last
        expected = [ids[0], ids[1]] if policy == "mru" else [ids[2], ids[1]]
        assert [e.id for e in again] == expected and all(e.state == "busy" for e in again)
        cloud.advance(1)
        assert sorted(e.id for e in lam.functions["f"].latest.pool.idle_envs()) == sorted(ids)
