import pytest

from serverless_sim import Cloud, Interrupt, SimError


def test_process_waits_on_timeouts_and_returns_a_value():
    cloud = Cloud()
    log = []

    def worker():
        for i in range(3):
            v = yield cloud.timeout(1.5, value=i)
            log.append((cloud.now_us - cloud.start_us, v))
        return "done"

    p = cloud.process(worker())
    cloud.run_until_idle()
    assert log == [(1_500_000, 0), (3_000_000, 1), (4_500_000, 2)]
    assert p.value == "done" and not p.is_alive


def test_process_waits_on_another_process_and_on_events():
    cloud = Cloud()
    ev = cloud.event()

    def child():
        yield cloud.timeout(2)
        return 21

    def parent():
        x = yield cloud.process(child())
        y = yield ev
        return x * y

    p = cloud.process(parent())
    cloud.call_later(5, ev.succeed, 2)
    cloud.run_until_idle()
    assert p.value == 42
    assert cloud.now_us - cloud.start_us == 5_000_000


def test_failed_event_is_thrown_into_the_waiting_process():
    cloud = Cloud()
    ev = cloud.event()
    caught = []

    def waiter():
        try:
            yield ev
        except RuntimeError as e:
            caught.append(str(e))

    cloud.process(waiter())
    cloud.call_later(1, ev.fail, RuntimeError("nope"))
    cloud.run_until_idle()
    assert caught == ["nope"]


def test_unhandled_process_failure_is_loud():
    cloud = Cloud()

    def bad():
        yield cloud.timeout(1)
        raise ValueError("loud")

    cloud.process(bad())
    with pytest.raises(ValueError, match="loud"):
        cloud.run_until_idle()


def test_yielding_a_non_event_is_a_sim_error_inside_the_process():
    cloud = Cloud()

    def bad():
        yield 3

    cloud.process(bad())
    with pytest.raises(SimError, match="may yield only events"):
        cloud.run_until_idle()


def test_interrupt_stops_a_wait():
    cloud = Cloud()
    log = []

    def sleeper():
        try:
            yield cloud.timeout(100)
            log.append("woke")
        except Interrupt as i:
            log.append(("interrupted", i.cause, cloud.now_us - cloud.start_us))

    p = cloud.process(sleeper())
    cloud.call_later(3, p.interrupt, "stop")
    cloud.run_until_idle()
    assert log == [("interrupted", "stop", 3_000_000)]
    assert cloud.now_us - cloud.start_us == 3_000_000  # the cancelled wake-up did not keep it busy


def test_all_of_and_any_of():
    cloud = Cloud()
    out = {}

    def w():
        a, b = cloud.timeout(1, "a"), cloud.timeout(3, "b")
        res = yield cloud.all_of([a, b])
        out["all"] = (list(res.values()), cloud.now_us - cloud.start_us)
        res = yield cloud.any_of([cloud.timeout(5, "slow"), cloud.timeout(2, "fast")])
        out["any"] = (list(res.values()), cloud.now_us - cloud.start_us)

    cloud.process(w())
    cloud.run_until_idle()
    assert out["all"] == (["a", "b"], 3_000_000)
    assert out["any"] == (["fast"], 5_000_000)


def test_timeout_state_reads_the_clock():
    cloud = Cloud()
    t = cloud.timeout(2, "v")
    assert not t.triggered
    with pytest.raises(SimError):
        t.value
    cloud.advance(2)
    assert t.triggered and t.value == "v"


def test_event_cannot_trigger_twice():
    cloud = Cloud()
    ev = cloud.event()
    ev.succeed(1)
    with pytest.raises(SimError):
        ev.succeed(2)


def test_process_needs_a_generator():
    cloud = Cloud()
    with pytest.raises(SimError):
        cloud.process(lambda: None)  # type: ignore[arg-type]
