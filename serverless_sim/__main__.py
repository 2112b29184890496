"""Command line: ``python -m serverless_sim demo [--seed N] [--hours H]``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serverless_sim")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo simulation and print its report")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        print(run_demo(seed=args.seed, hours=args.hours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
