"""How callers wait: blocking from user code, non-blocking submit, process events, calls from
inside a Lambda handler; determinism of ids and traces."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from apigw_helpers import apigw_services, make_cloud  # noqa: F401


def setup(duration=0.25):
    cloud = make_cloud({"f": lambda e, c: {"statusCode": 200, "body": "ok"}}, duration=duration)
    gw = cloud.service("apigateway")
    api = gw.create_http_api("t", {"GET /": "f"})
    return cloud, gw, api


def test_blocking_request_advances_the_clock_warm_and_cold():
    cloud, gw, api = setup()
    t0 = cloud.now_us
    r = gw.request(api, "GET", "/")
    assert r.start_us == t0 and r.end_us == cloud.now_us == t0 + 350_000  # Init 100 ms + 250 ms
    r2 = gw.request(api, "GET", "/")
    assert r2.latency_us == 250_000 and r2.start_us == r.end_us  # warm


def test_submit_does_not_move_the_clock_and_answers_at_the_response_instant():
    cloud, gw, api = setup()
    got = []
    for _ in range(3):
        gw.submit(api, "GET", "/", on_response=lambda r: got.append((cloud.now_us, r.status)))
    assert got == [] and cloud.now_us == cloud.start_us
    cloud.run_until_idle()
    assert got == [(cloud.start_us + 350_000, 200)] * 3  # three cold environments in parallel


def test_process_waits_on_request_event():
    cloud, gw, api = setup()
    seen = []

    def client():
        for _ in range(2):
            r = yield gw.request_event(api, "GET", "/")
            seen.append((cloud.now_us - cloud.start_us, r.status))

    cloud.process(client())
    cloud.run_until_idle()
    assert seen == [(350_000, 200), (600_000, 200)]


def test_request_from_a_simulation_event_returns_at_once():
    cloud, gw, api = setup()
    out = []
    cloud.call_later(1, lambda: out.append(gw.request(api, "GET", "/")))
    cloud.advance(1)
    assert out[0].status == 200 and cloud.now_us == cloud.start_us + 1_000_000
    assert out[0].end_us == cloud.start_us + 1_350_000


def test_request_from_inside_a_handler_moves_the_handlers_clock():
    cloud, gw, api = setup()
    lam = cloud.service("lambda")

    def caller(event, context):
        r = gw.request(api, "GET", "/")
        return {"status": r.status, "remaining": context.get_remaining_time_in_millis()}

    lam.create_function_from_callable("caller", caller, duration=0.0, timeout=10)
    inv = lam.invoke("caller", {})
    assert inv.payload["status"] == 200
    assert inv.duration_us == 350_000  # the nested request's latency counts in the caller's duration


def test_same_seed_same_ids_and_trace():
    def run():
        cloud, gw, api = setup()
        rs = [gw.request(api, "GET", "/").request_id for _ in range(3)]
        return api, rs, cloud.trace.digest()

    assert run() == run()


def test_determinism_across_processes_with_different_hash_seeds():
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        import apigw_helpers
        apigw_helpers.register()
        from apigw_helpers import make_cloud
        cloud = make_cloud({"f": lambda e, c: {"statusCode": 200, "body": "x"}})
        gw = cloud.service("apigateway")
        api = gw.create_http_api("t", {"GET /a/{id}": "f", "ANY /{proxy+}": "f"})
        rest = gw.create_rest_api("r", {"/x/{y}": {"GET": "f"}})
        for i in range(20):
            gw.request(api, "GET", f"/a/{i}?q={i}", headers={"h": str(i)})
            gw.request(rest, "GET", f"/prod/x/{i}")
        print(cloud.trace.digest())
    """) % os.path.dirname(__file__)
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
        outs.add(out.stdout.strip())
    assert len(outs) == 1
