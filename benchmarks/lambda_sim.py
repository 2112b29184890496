"""Lambda simulation throughput and fidelity, side by side with SimFaaS.

Workload (both simulators, same parameters): Poisson arrivals at ``--rate`` requests/s (100) for
``--hours`` simulated hours (24; ``--quick``: 1), a constant 1 s warm duration, a cold start
adding ``--init`` seconds (0.2) of Init, and a 10-minute idle expiry. serverless_sim runs every
invocation through the full Lambda path (concurrency checks, scaling bucket, environment pool,
handler call, completion, metrics, billing; CloudWatch log lines off, as for any long run).
SimFaaS (PyPI ``simfaas``, benchmark-only) runs ``ServerlessSimulator`` with constant service
times on the *same* arrival instants (its arrival process draws from the stream serverless_sim's
workload uses), so the fidelity comparison is paired, not only statistical.

serverless_sim runs twice: with its default idle-environment choice (most recently used) and with
SimFaaS's (newest created, ``LambdaConfig.warm_selection="newest"``). With the same choice the
two simulators agree exactly on the same arrivals; the default's difference is the policy's.

Reported: simulated requests per wall second of each and their ratio; the cold-start probability
and the time-averaged instance count after a warm-up cut (``--warmup``, 20 minutes: twice the
idle expiry), and their relative differences.

    python benchmarks/lambda_sim.py --quick
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.kernel.rng import derive_seed  # noqa: E402


def run_serverless_sim(rate: float, horizon_s: float, warm_s: float, init_s: float, idle_s: float,
                       warmup_s: float, seed: int, selection: str = "mru") -> dict[str, float]:
    cloud = Cloud(seed=seed, trace="none")
    lam = cloud.service("lambda")
    lam.config.logging = False
    lam.config.trace_invocations = False
    lam.config.duration_percentiles = False
    lam.config.idle_reclaim_s = idle_s
    lam.config.warm_selection = selection
    fn = lam.create_function_from_callable("bench", lambda event, context: None, duration=warm_s,
                                           init_duration=init_s, virtual_time=False)
    rng = cloud.rng("arrivals")
    submit = lam.submit

    def arrivals():  # a process on the Cloud: one Poisson arrival stream
        exp = rng.expovariate
        timeout = cloud.timeout
        while True:
            yield timeout(exp(rate))
            submit(fn)

    cloud.process(arrivals())
    t0 = time.perf_counter()
    cloud.run(warmup_s)
    st = fn.stats
    base = (st.invocations + fn.in_flight, st.cold_starts, st.env_area_us(cloud.now_us))
    cloud.run(horizon_s)
    wall = time.perf_counter() - t0
    started = st.invocations + fn.in_flight
    requests = started - base[0]
    colds = st.cold_starts - base[1]
    return {
        "requests": float(started),
        "wall_s": wall,
        "rps": started / wall,
        "p_cold": colds / requests,
        "mean_instances": (st.env_area_us(cloud.now_us) - base[2]) / ((horizon_s - warmup_s) * 1e6),
    }


def run_simfaas(rate: float, horizon_s: float, warm_s: float, init_s: float, idle_s: float,
                warmup_s: float, seed: int) -> dict[str, float]:
    import numpy as np
    from simfaas.ServerlessSimulator import ServerlessSimulator
    from simfaas.SimProcess import ConstSimProcess, SimProcess

    class SameArrivals(SimProcess):
        """Exponential inter-arrival times from the very stream serverless_sim's workload uses,
        so both simulators see the same arrival instants (a paired comparison)."""

        def __init__(self) -> None:
            super().__init__()
            self._draw = random.Random(derive_seed(seed, "arrivals")).expovariate

        def generate_trace(self) -> float:
            return round(self._draw(rate), 6)

    np.random.seed(seed)
    sim = ServerlessSimulator(
        arrival_process=SameArrivals(),
        warm_service_process=ConstSimProcess(rate=1.0 / warm_s),
        cold_service_process=ConstSimProcess(rate=1.0 / (warm_s + init_s)),
        expiration_threshold=idle_s, max_time=horizon_s,
    )
    t0 = time.perf_counter()
    sim.generate_trace()
    wall = time.perf_counter() - t0
    skip = sim.get_index_after_time(warmup_s)
    colds = sum(1 for i in sim.hist_req_cold_idxs if i >= skip)
    warms = sum(1 for i in sim.hist_req_warm_idxs if i >= skip)
    rejs = sum(1 for i in sim.hist_req_rej_idxs if i >= skip)
    counts = np.asarray(sim.hist_server_count[skip:], dtype=float)
    lengths = np.asarray(sim.time_lengths[skip:], dtype=float)
    return {
        "requests": float(sim.total_req_count),
        "wall_s": wall,
        "rps": sim.total_req_count / wall,
        "p_cold": colds / (colds + warms + rejs),
        "mean_instances": float((counts * lengths).sum() / lengths.sum()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--quick", action="store_true", help="one simulated hour")
    ap.add_argument("--warm", type=float, default=1.0)
    ap.add_argument("--init", type=float, default=0.2)
    ap.add_argument("--idle", type=float, default=600.0)
    ap.add_argument("--warmup", type=float, default=1200.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-simfaas", action="store_true")
    ap.add_argument("--selection", choices=("mru", "newest", "both"), default="both",
                    help="idle-environment choice of serverless_sim: most recently used (its default), "
                         "newest created (SimFaaS's policy), or both")
    args = ap.parse_args()
    horizon = 3600.0 if args.quick else args.hours * 3600.0
    params = (args.rate, horizon, args.warm, args.init, args.idle, args.warmup, args.seed)
    print(f"Poisson {args.rate:g} req/s for {horizon / 3600:g} h; warm {args.warm:g} s, Init {args.init:g} s, "
          f"idle expiry {args.idle:g} s; statistics after a {args.warmup:g} s warm-up")
    selections = ("mru", "newest") if args.selection == "both" else (args.selection,)
    rows = [(f"serverless_sim/{sel}", run_serverless_sim(*params, selection=sel)) for sel in selections]
    theirs = None if args.skip_simfaas else run_simfaas(*params)
    print(f"{'simulator':<22}{'requests':>12}{'wall s':>10}{'req/wall s':>14}{'P(cold)':>12}{'mean inst':>12}")
    for name, r in rows + ([("SimFaaS 0.2.2", theirs)] if theirs else []):
        print(f"{name:<22}{r['requests']:>12.0f}{r['wall_s']:>10.2f}{r['rps']:>14,.0f}{r['p_cold']:>12.6f}{r['mean_instances']:>12.2f}")
    if theirs is not None:
        for name, ours in rows:
            print(f"{name} vs SimFaaS: throughput {ours['rps'] / theirs['rps']:.2f}x (target >= 3x); "
                  f"P(cold) {abs(ours['p_cold'] - theirs['p_cold']) / theirs['p_cold']:.1%} apart; "
                  f"mean instances {abs(ours['mean_instances'] - theirs['mean_instances']) / theirs['mean_instances']:.1%} "
                  "apart (targets <= 5%)")


if __name__ == "__main__":
    main()
