"""Run ScyllaDB's Alternator DynamoDB test suite against our HTTP endpoint (or moto's server).

The suite (test/alternator in https://github.com/scylladb/scylladb) is validated by its authors
against real DynamoDB (``--aws``). We never copy or commit it: this script takes the path of a
checkout, copies it to a temporary directory, and runs it there with ``--url`` pointing at a
server it starts (``python -m serverless_sim serve`` or ``python -m moto.server``).

Usage::

    git -C /path/to/scylladb archive HEAD test/alternator | tar -x -C /tmp/scylla
    python conformance/run_alternator.py /tmp/scylla/test/alternator \\
        [--servers sim,moto] [--output docs/conformance.md] [--timeout 30] [-k EXPR] [FILE ...]

Needs boto3, requests and cassandra-driver (the suite's fixtures import it unconditionally,
to look for a CQL port; nothing connects) in the running Python.

How the suite is adapted, without editing it:

- Its conftest imports a few modules of Scylla's own test harness (``test.conftest``,
  ``test.cqlpy.conftest``, ``test.pylib.*``); we write minimal stand-ins for them (fixture scope,
  an empty ``host`` fixture, ``skip_env``, the ``--host`` option).
- The suite decides "Scylla-only" with ``util.is_aws(dynamodb)`` (fixtures ``scylla_only``,
  ``metrics``, vector search, Scylla's REST API...). A plugin of ours makes ``is_aws`` answer True,
  so exactly the tests that would run against real DynamoDB run, with DynamoDB's expectations.
  Tests using the ``dynamodb_bug`` fixture (Scylla's behaviour asserted, AWS's known to differ)
  and ``veryslow`` tests are skipped, as on AWS without ``--runveryslow``.
- ``--runxfail``: the suite's ``xfail`` marks describe Scylla's gaps, not ours; every test is
  judged on its own outcome.
- Each test has a wall-clock timeout (``--timeout``); the server runs with ``--clock wall
  --clock-rate 60`` so that tests waiting in real time (TTL, table status) see time pass.

Results: pass rate per file (passed / (passed + failed + errors); skips excluded), and every
failure with an automatic classification from its error text (missing feature, wrong message,
wrong shape, missing validation, behaviour, crash, timeout, out of scope). The Markdown report is
written to ``--output``; the raw results (JSON) next to it with ``--json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# -- stand-ins for Scylla's test harness (our code, written into the temporary copy) -------
SHIMS: dict[str, str] = {
    "test/__init__.py": 'TEST_RUNNER = "runpy"\n',
    "test/conftest.py": '''
        def dynamic_scope():
            return "session"
    ''',
    "test/cqlpy/__init__.py": "",
    "test/cqlpy/conftest.py": '''
        import pytest

        @pytest.fixture(scope="session")
        def host():
            return None
    ''',
    "test/cqlpy/util.py": '''
        import contextlib
        import pytest

        @contextlib.contextmanager
        def config_value_context(*args, **kwargs):
            pytest.skip("Scylla-only: CQL configuration")
            yield
    ''',
    "test/pylib/__init__.py": "",
    "test/pylib/skip_types.py": '''
        import pytest

        def skip_env(reason="", *args, **kwargs):
            pytest.skip(reason)

        def skip_bug(*args, reason="", **kwargs):
            pytest.skip(reason or "known bug")
    ''',
    "test/pylib/driver_utils.py": '''
        def safe_driver_shutdown(cluster):
            cluster.shutdown()
    ''',
    "test/pylib/connect_options.py": '''
        def add_host_option(parser):
            try:
                parser.addoption("--host", default=None, help="(unused)")
            except ValueError:
                pass
    ''',
    "conformance_plugin.py": '''
        """Adapts the Alternator suite to a DynamoDB-like endpoint (see run_alternator.py)."""
        import json
        import os
        import signal

        import pytest

        import test.alternator.util as util

        util.is_aws = lambda dynamodb: True  # run what runs against AWS, expect what AWS does

        SKIP_FIXTURES = {"dynamodb_bug": "asserts Scylla's behaviour where AWS is known to differ",
                         "scylla_only": "Scylla-only", "rest_api": "Scylla-only REST API",
                         "cql": "Scylla-only CQL"}
        TIMEOUT = int(os.environ.get("CONFORMANCE_TIMEOUT", "30"))
        RESULTS = os.environ["CONFORMANCE_RESULTS"]
        _results = {}

        def pytest_collection_modifyitems(config, items):
            for item in items:
                names = set(getattr(item, "fixturenames", ()))
                for fixture, why in SKIP_FIXTURES.items():
                    if fixture in names:
                        item.add_marker(pytest.mark.skip(reason=why))
                        break
                for mark in item.iter_markers("skip_env"):
                    item.add_marker(pytest.mark.skip(reason=mark.kwargs.get("reason", "skip_env")))

        def _alarm(signum, frame):
            raise TimeoutError(f"test exceeded the {TIMEOUT} s conformance timeout")

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(item, nextitem):
            signal.signal(signal.SIGALRM, _alarm)
            signal.alarm(TIMEOUT)
            try:
                yield
            finally:
                signal.alarm(0)

        def pytest_runtest_logreport(report):
            entry = _results.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
            if report.skipped and report.when in ("setup", "call"):
                if entry["outcome"] == "passed":
                    entry["outcome"] = "skipped"
                    entry["message"] = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)[:300]
            elif report.failed:
                if entry["outcome"] in ("passed", "skipped"):
                    entry["outcome"] = "failed" if report.when == "call" else "error"
                    text = getattr(report, "longreprtext", "") or str(report.longrepr)
                    entry["message"] = text[-3000:]

        def pytest_sessionfinish(session):
            with open(RESULTS, "w") as f:
                json.dump(_results, f, indent=1, sort_keys=True)
    ''',
}


def prepare(suite: Path, work: Path) -> None:
    if not (suite / "conftest.py").exists() or not (suite / "util.py").exists():
        sys.exit(f"{suite} does not look like Scylla's test/alternator directory")
    shutil.copytree(suite, work / "test" / "alternator",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "run"))
    for rel, text in SHIMS.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    (work / "pytest.ini").write_text("[pytest]\naddopts =\nmarkers =\n    veryslow\n    skip_env\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(kind: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    if kind == "sim":
        cmd = [sys.executable, "-m", "serverless_sim", "serve", "--port", str(port), "--quiet",
               "--clock", "wall", "--clock-rate", "60"]
    elif kind == "moto":
        cmd = [sys.executable, "-m", "moto.server", "-p", str(port)]
    else:
        raise SystemExit(f"unknown server {kind!r} (sim or moto)")
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{kind} server exited: see {log}")
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{kind} server did not start: see {log}")


def run_suite(suite: Path, kind: str, timeout: int, select: list[str], keyword: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"alternator-{kind}-") as tmp:
        work = Path(tmp)
        prepare(suite, work)
        port = free_port()
        server = start_server(kind, port, work / "server.log")
        results = work / "results.json"
        env = {**os.environ, "PYTHONPATH": str(work), "CONFORMANCE_RESULTS": str(results),
               "CONFORMANCE_TIMEOUT": str(timeout), "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
        targets = [f"test/alternator/{f}" for f in select] or ["test/alternator"]
        cmd = [sys.executable, "-m", "pytest", *targets, "--url", f"http://127.0.0.1:{port}",
               "-p", "conformance_plugin", "--runxfail", "-q", "-p", "no:cacheprovider", "-rN",
               "--tb=short", "-W", "ignore", "--rootdir", str(work)]
        if keyword:
            cmd += ["-k", keyword]
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not results.exists():
            sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
            raise SystemExit(f"the suite did not run against {kind}")
        data = json.loads(results.read_text())
        tail = proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else []
        return {"results": data, "seconds": time.monotonic() - started, "summary": tail}


# -- classification -----------------------------------------------------------------------
RULES: list[tuple[str, str]] = [
    ("timeout", r"conformance timeout|TimeoutError"),
    ("missing feature: multi-attribute GSI keys (2025)", r"test_gsi_composite"),
    ("out of scope: authentication/signatures", r"(?i)signature|UnrecognizedClientException|authoriz|InvalidSignature|MissingAuthenticationToken"),
    ("missing feature: DynamoDB Streams", r"(?i)test_streams|dynamodbstreams|DynamoDBStreams_|StreamSpecification|LatestStreamArn|describe_stream|get_shard_iterator|list_streams"),
    ("missing feature: legacy parameters (AttributeUpdates, Expected, KeyConditions...)", r"Legacy parameter \w+ is not supported"),
    ("missing feature: operation not implemented", r"UnknownOperationException|is not supported by|not simulated|Unknown operation"),
    ("simulator crash (500)", r"InternalFailure|InternalServerError|serverless_sim internal error|status(?:Code)?\W+500"),
    ("wrong message", r"Regex pattern did not match|Regex: |assert .*(?:[Mm]essage|in str\()"),
    ("missing validation (no error raised)", r"DID NOT RAISE"),
    ("unexpected or different error", r"ClientError|ValidationException|Exception\)|Error Code"),
    ("wrong shape", r"KeyError|TypeError|not in .*\b(?:Table|response|Item|desc)|AttributeError"),
]


def classify(test: str, message: str) -> str:
    text = test + "\n" + message
    for label, pattern in RULES:
        if re.search(pattern, text):
            return label
    return "behaviour differs"


def first_line(message: str) -> str:
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if ln.startswith("E "):
            return ln[1:].strip()[:160]
    return (lines[-1] if lines else "")[:160]


# -- report -------------------------------------------------------------------------------
def tally(results: dict[str, Any]) -> tuple[dict[str, Counter[str]], Counter[str]]:
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    for nodeid, r in results.items():
        per_file[nodeid.split("::")[0].split("/")[-1]][r["outcome"]] += 1
    total: Counter[str] = Counter()
    for c in per_file.values():
        total.update(c)
    return per_file, total


def rate(c: Counter[str]) -> str:
    ran = c["passed"] + c["failed"] + c["error"]
    return f"{100 * c['passed'] / ran:.0f}%" if ran else "-"


def _version(package: str) -> str:
    try:
        import importlib.metadata

        return importlib.metadata.version(package)
    except Exception:
        return "?"


def report(runs: dict[str, dict[str, Any]], suite: Path, commit: str | None) -> str:
    today = dt.date.today().isoformat()
    lines = [
        "# Conformance: ScyllaDB's Alternator test suite",
        "",
        "ScyllaDB's DynamoDB-compatible database, Alternator, has a test suite (`test/alternator` in",
        "[scylladb/scylladb](https://github.com/scylladb/scylladb)) that its authors run against real",
        "DynamoDB (`--aws`), so it encodes DynamoDB's behaviour, messages included. We run it, unmodified",
        "and never committed, against `python -m serverless_sim serve` with",
        "[`conformance/run_alternator.py`](../conformance/run_alternator.py); see the script's docstring",
        "for how Scylla's harness is stood in for and which tests count (those that run against AWS:",
        "Scylla-only tests, `dynamodb_bug` tests and `veryslow` tests are skipped).",
        "",
        f"- Run on {today}" + (f", suite at scylladb/scylladb@{commit[:12]}" if commit else "") + ".",
        "- Pass rate = passed / (passed + failed + errors); skips excluded.",
        f"- Clients: boto3 {_version('boto3')}" + (f"; moto {_version('moto')} (`python -m moto.server`)" if "moto" in runs else "") + ".",
        "- The DynamoDB engine is young: these figures are a baseline, to be re-run as features land.",
        "- Reproduce: `python conformance/run_alternator.py /path/to/scylladb/test/alternator --servers sim,moto`.",
        "",
        "## Summary",
        "",
        "| server | tests run | passed | failed | errors | skipped | pass rate | wall time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, run in runs.items():
        _, t = tally(run["results"])
        ran = t["passed"] + t["failed"] + t["error"]
        name = "serverless_sim" if kind == "sim" else kind
        lines.append(f"| {name} | {ran} | {t['passed']} | {t['failed']} | {t['error']} | {t['skipped']} | "
                     f"**{rate(t)}** | {run['seconds']:.0f} s |")
    lines += ["", "## Per file", ""]
    kinds = list(runs)
    header = "| file | " + " | ".join(
        f"{'serverless_sim' if k == 'sim' else k} passed/run | rate" for k in kinds) + " |"
    lines += [header, "|---|" + "---:|---:|" * len(kinds)]
    tallies = {k: tally(runs[k]["results"])[0] for k in kinds}
    files = sorted(set().union(*[set(t) for t in tallies.values()]))
    for f in files:
        cells = []
        for k in kinds:
            c = tallies[k].get(f, Counter())
            ran = c["passed"] + c["failed"] + c["error"]
            cells.append(f"{c['passed']}/{ran} | {rate(c)}" if ran else f"0/0 ({c['skipped']} skipped) | -")
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    if "sim" in runs:
        results = runs["sim"]["results"]
        failures = {n: r for n, r in results.items() if r["outcome"] in ("failed", "error")}
        by_class: dict[str, list[str]] = defaultdict(list)
        for nodeid, r in sorted(failures.items()):
            by_class[classify(nodeid, r["message"])].append(nodeid)
        lines += ["", "## serverless_sim failures by class", "",
                  "Classified automatically from each failure's error text (rules in the script;",
                  "\"unexpected or different error\" and \"behaviour differs\" need a human look: the",
                  "first line of each is listed below).", "",
                  "| class | failures |", "|---|---:|"]
        for label, ids in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"| {label} | {len(ids)} |")
        _, t = tally(results)
        missing = sum(len(ids) for label, ids in by_class.items() if label.startswith("missing feature"))
        ran = t["passed"] + t["failed"] + t["error"]
        if ran > missing:
            lines += ["", f"On the features the simulator implements (leaving out the {missing} failures classed "
                      f"\"missing feature\"), the pass rate is **{100 * t['passed'] / (ran - missing):.0f}%** "
                      f"({t['passed']}/{ran - missing})."]
        lines += ["", "## Every serverless_sim failure", ""]
        for label, ids in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
            lines += [f"### {label} ({len(ids)})", ""]
            for nodeid in ids:
                short = nodeid.replace("test/alternator/", "")
                lines.append(f"- `{short}`: {first_line(failures[nodeid]['message']).replace('|', '/')}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("suite", type=Path, help="path of Scylla's test/alternator directory")
    parser.add_argument("files", nargs="*", help="only these test files (test_item.py ...)")
    parser.add_argument("--servers", default="sim", help="comma-separated: sim, moto")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "conformance.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per test")
    parser.add_argument("-k", dest="keyword", default=None, help="pytest -k expression")
    parser.add_argument("--commit", default=None, help="the suite's commit, for the report")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="rebuild the report from the raw results of an earlier run (no suite run)")
    args = parser.parse_args()
    if args.from_json:
        args.output.write_text(report(json.loads(args.from_json.read_text()), args.suite, args.commit))
        print(f"wrote {args.output}")
        return
    runs = {}
    for kind in args.servers.split(","):
        print(f"running the suite against {kind}...", flush=True)
        runs[kind] = run_suite(args.suite.resolve(), kind.strip(), args.timeout, args.files, args.keyword)
        _, t = tally(runs[kind]["results"])
        print(f"  {kind}: {dict(t)} pass rate {rate(t)} in {runs[kind]['seconds']:.0f} s", flush=True)
    args.output.write_text(report(runs, args.suite, args.commit))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1, sort_keys=True))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
