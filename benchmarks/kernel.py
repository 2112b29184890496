"""Kernel throughput: events processed per wall second, side by side with SimPy.

Workload (the same for both kernels, in the same run):
- callbacks: 1,000 self-rescheduling callbacks, 1,000 timeouts each (1,000,000 events);
  SimPy's equivalent is a timeout event whose callback schedules the next timeout.
- processes: 1,000 generator processes, each yielding 1,000 timeouts (1,000,000 events).
Delays are drawn up front from one seeded stream so both kernels see identical schedules.

Run: ``python benchmarks/kernel.py [--events N]`` (needs ``pip install simpy``, a benchmark-only
dependency: ``pip install -e '.[bench]'``). Prints events/s for each and the ratios.
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import simpy  # noqa: E402

from serverless_sim import Cloud  # noqa: E402


def make_delays(n_actors: int, per_actor: int, seed: int = 1) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.randint(1, 1000) / 1000 for _ in range(per_actor)] for _ in range(n_actors)]


def ours_callbacks(delays: list[list[float]]) -> tuple[float, int]:
    cloud = Cloud(seed=1, trace="none")
    call_later = cloud.call_later

    def actor(ds: list[float], i: int) -> None:
        if i < len(ds):
            call_later(ds[i], actor, ds, i + 1)

    for ds in delays:
        call_later(0, actor, ds, 0)
    t0 = time.perf_counter()
    n = cloud.run_until_idle()
    return time.perf_counter() - t0, n


def ours_processes(delays: list[list[float]]) -> tuple[float, int]:
    cloud = Cloud(seed=1, trace="none")
    timeout = cloud.timeout

    def actor(ds: list[float]):
        for d in ds:
            yield timeout(d)

    for ds in delays:
        cloud.process(actor(ds))
    t0 = time.perf_counter()
    n = cloud.run_until_idle()
    return time.perf_counter() - t0, n


def simpy_callbacks(delays: list[list[float]]) -> tuple[float, int]:
    env = simpy.Environment()
    count = [0]

    def make(ds: list[float]):
        def step(event, i=[0]):  # noqa: B006 - per-actor state
            count[0] += 1
            k = i[0]
            if k < len(ds):
                i[0] = k + 1
                env.timeout(ds[k]).callbacks.append(step)

        return step

    for ds in delays:
        env.timeout(0).callbacks.append(make(ds))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0, count[0]


def simpy_processes(delays: list[list[float]]) -> tuple[float, int]:
    env = simpy.Environment()

    def actor(ds: list[float]):
        for d in ds:
            yield env.timeout(d)

    for ds in delays:
        env.process(actor(ds))
    t0 = time.perf_counter()
    env.run()
    return time.perf_counter() - t0, len(delays) * (len(delays[0]) + 1)


def floor_callbacks(delays: list[list[float]]) -> tuple[float, int]:
    """Not a kernel: a bare heapq loop with inline scheduling and no API, no cancellation, no
    error handling. The ceiling any pure-Python heap scheduler can reach on this CPython."""
    from heapq import heappop, heappush

    q: list[tuple[int, int, object, tuple[object, ...]]] = []
    state = [0, 0]  # seq, now

    def actor(ds: list[float], i: int) -> None:
        if i < len(ds):
            state[0] += 1
            heappush(q, (state[1] + round(ds[i] * 1_000_000), state[0], actor, (ds, i + 1)))

    for ds in delays:
        state[0] += 1
        heappush(q, (0, state[0], actor, (ds, 0)))
    t0 = time.perf_counter()
    n = 0
    while q:
        entry = heappop(q)
        state[1] = entry[0]
        entry[2](*entry[3])
        n += 1
    return time.perf_counter() - t0, n


def best_of(fn, delays, repeat: int) -> tuple[float, int]:
    best = None
    for _ in range(repeat):
        gc.collect()
        t, n = fn(delays)
        if best is None or t < best[0]:
            best = (t, n)
    assert best is not None
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--actors", type=int, default=1000)
    ap.add_argument("--per-actor", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    delays = make_delays(args.actors, args.per_actor)
    print(f"# kernel benchmark: {args.actors} actors x {args.per_actor} timeouts")
    print(f"# python {platform.python_version()} on {platform.machine()}, simpy {simpy.__version__}")
    results = {}
    for label, fn in [
        ("serverless_sim callbacks", ours_callbacks),
        ("simpy callbacks", simpy_callbacks),
        ("serverless_sim processes", ours_processes),
        ("simpy processes", simpy_processes),
        ("bare heapq loop (ceiling)", floor_callbacks),
    ]:
        t, n = best_of(fn, delays, args.repeat)
        results[label] = n / t
        print(f"{label:28s} {n:>9,d} events in {t:6.3f} s = {n / t:>12,.0f} events/s")
    cb = results["serverless_sim callbacks"] / results["simpy callbacks"]
    pr = results["serverless_sim processes"] / results["simpy processes"]
    print(f"ratio callbacks  (target >= 3.0): {cb:.2f}x")
    print(f"ratio processes  (target >= 1.5): {pr:.2f}x")
    ceiling = results["bare heapq loop (ceiling)"] / results["simpy callbacks"]
    print(f"ceiling: a bare heapq loop does {ceiling:.2f}x simpy's callbacks")


if __name__ == "__main__":
    main()
