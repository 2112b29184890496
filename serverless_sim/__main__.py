"""Command line: ``python -m serverless_sim demo [--seed N] [--hours H]``,
``python -m serverless_sim run SCENARIO.py [--seed N] [--for 30d] [--report text|json]
[--param NAME=VALUE] [--free-tier]`` (see docs/simulations.md) and
``python -m serverless_sim serve [--host H] [--port P] [--seed N] [--clock frozen|wall]
[--clock-rate R]`` (an AWS endpoint for every simulated service over one Cloud; see docs/testing.md)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serverless_sim")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo simulation and print its report")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--hours", type=float, default=24.0)
    run = sub.add_parser("run", help="run a scenario file (build(cloud, ...)) and print its report")
    from .sim.runner import add_arguments

    add_arguments(run)
    srv = sub.add_parser("serve", help="serve every simulated service's AWS protocol over HTTP (one endpoint URL)")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("--seed", type=int, default=0)
    srv.add_argument("--start", default=None, help="virtual start instant (ISO-8601)")
    srv.add_argument("--region", default="us-east-1")
    srv.add_argument("--clock", choices=("frozen", "wall"), default="frozen",
                     help="frozen: time moves only via POST /_sim/clock/advance; "
                     "wall: follows the wall clock at --clock-rate")
    srv.add_argument("--clock-rate", type=float, default=1.0,
                     help="virtual seconds per wall second in --clock wall mode")
    srv.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        print(run_demo(seed=args.seed, hours=args.hours))
    elif args.command == "run":
        from .sim.runner import main_run

        return main_run(args)
    elif args.command == "serve":
        from .adapters.http_server import serve
        from .cloud import Cloud

        kwargs = {"seed": args.seed, "region": args.region}
        if args.start:
            kwargs["start"] = args.start
        serve(lambda: Cloud(**kwargs), args.host, args.port, clock=args.clock,
              rate=args.clock_rate, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
