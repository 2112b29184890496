"""Event sources throughput: SQS messages per wall second, end to end through the wire
operations (and, in its own section, EventBridge pattern matching).

SQS method: one standard queue; N messages each go through SendMessage, ReceiveMessage and
DeleteMessage (single), or through SendMessageBatch / ReceiveMessage(MaxNumberOfMessages=10) /
DeleteMessageBatch with 10 entries (batch: each message counts once). Two paths are timed:

- ``client``: ``cloud.client("sqs")`` (boto3-shaped: adds ResponseMetadata, a request id and an
  ``api_call`` trace record per call, as every simulated API call does);
- ``wire``: ``service.dispatch(operation, request)``, the operation functions themselves.

The Cloud keeps no trace records in memory (``trace="none"``; the digest is still computed).
Target (issue 8): >= 50,000 messages per second end to end.

Run: ``python benchmarks/event_sources.py [--messages N] [--repeat R]`` (best of R runs). Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serverless_sim import Cloud  # noqa: E402
from serverless_sim.services import SERVICES  # noqa: E402

SERVICES.setdefault("sqs", ("serverless_sim.sqs.service", "SQS"))


# -- SQS ------------------------------------------------------------------------------------
def _sqs_call(path: str) -> tuple[Callable[[str, dict[str, Any]], Any], str]:
    cloud = Cloud(seed=1, trace="none")
    if path == "client":
        client = cloud.client("sqs")
        url = client.create_queue(QueueName="bench")["QueueUrl"]

        def call(op: str, req: dict[str, Any]) -> Any:
            return client._call(op, req)
    else:
        svc = cloud.service("sqs")
        url = svc.dispatch("CreateQueue", {"QueueName": "bench"})["QueueUrl"]
        call = svc.dispatch
    return call, url


def sqs_single(n: int, path: str) -> float:
    call, url = _sqs_call(path)
    body = '{"order": 12345, "item": "widget", "qty": 3}'
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(n):
        call("SendMessage", {"QueueUrl": url, "MessageBody": body})
        msgs = call("ReceiveMessage", {"QueueUrl": url})["Messages"]
        call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": msgs[0]["ReceiptHandle"]})
    return n / (time.perf_counter() - t0)


def sqs_batch(n: int, path: str) -> float:
    call, url = _sqs_call(path)
    body = '{"order": 12345, "item": "widget", "qty": 3}'
    entries = [{"Id": str(i), "MessageBody": body} for i in range(10)]
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(n // 10):
        call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        msgs = call("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10})["Messages"]
        call("DeleteMessageBatch", {"QueueUrl": url, "Entries": [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)]})
    return (n // 10) * 10 / (time.perf_counter() - t0)


def run_sqs(n: int, repeat: int = 3) -> dict[str, float]:
    """Messages per second, best of ``repeat`` runs (the machine may be shared)."""
    results = {}
    for path in ("wire", "client"):
        results[f"sqs single ({path})"] = max(sqs_single(n, path) for _ in range(repeat))
        results[f"sqs batch of 10 ({path})"] = max(sqs_batch(n, path) for _ in range(repeat))
    return results


# -- EventBridge ------------------------------------------------------------------------------
# ===== EventBridge section: owned by the EventBridge teammate. Add ``run_events(...)`` here
# ===== returning {"label": value} and call it from ``main`` below.
#
# EventBridge method: a default bus with R rules (R = 10, 100, 1,000). All but 10 rules name a
# ``source`` (5 rules per source) plus a detail-type, a numeric range and a prefix condition;
# 10 rules have no exact top-level field (detail-only patterns) and are tested on every event.
# Events are drawn from a seeded stream over the sources. Timed: matching one event against the
# bus's rules through the rule index (``bus.index.matching``), the same without the index (every
# compiled pattern tested: the linear baseline), and PutEvents end to end (wire dispatch, 10
# entries per call, rules without targets). "matches/s" = events matched against all R rules per
# wall second.
SERVICES.setdefault("events", ("serverless_sim.events.service", "EventBridge"))


def _events_bus(n_rules: int) -> tuple[Any, Any, list[dict[str, Any]]]:
    import json
    import random

    cloud = Cloud(seed=1, trace="none")
    svc = cloud.service("events")
    svc.config.max_rules_per_bus = n_rules
    sources = max(1, (n_rules - 10) // 5)
    for i in range(n_rules):
        if i < n_rules - 10 or n_rules <= 10:
            pattern: dict[str, Any] = {
                "source": [f"app.svc{i % sources}"],
                "detail-type": ["OrderPlaced", "OrderShipped"],
                "detail": {"amount": [{"numeric": [">", i % 100, "<=", 1000]}],
                           "region": [{"prefix": "eu-"}]},
            }
        else:
            pattern = {"detail": {"sku": [{"wildcard": f"SKU-{i}-*"}]}}
        svc.dispatch("PutRule", {"Name": f"rule{i}", "EventPattern": json.dumps(pattern)})
    rng = random.Random(7)
    events = [{
        "version": "0", "id": str(k), "detail-type": rng.choice(["OrderPlaced", "Refund"]),
        "source": f"app.svc{rng.randrange(sources + 2)}", "account": "123456789012",
        "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
        "detail": {"amount": rng.randrange(200), "region": rng.choice(["eu-west-1", "us-east-1"]),
                   "sku": f"SKU-{rng.randrange(1000)}-x"},
    } for k in range(1000)]
    return svc, svc.get_bus("default"), events


def events_match_rate(n_rules: int, n_events: int, indexed: bool) -> float:
    _svc, bus, events = _events_bus(n_rules)
    rules = [bus.rules[n] for n in bus.rules]
    gc.collect()
    t0 = time.perf_counter()
    matched = 0
    for k in range(n_events):
        event = events[k % len(events)]
        if indexed:
            matched += len(bus.index.matching(event))
        else:
            matched += sum(1 for r in rules if r.event_pattern.matches(event))
    return n_events / (time.perf_counter() - t0)


def events_put_rate(n_rules: int, n_events: int) -> float:
    import json

    svc, _bus, events = _events_bus(n_rules)
    batches = [[{"Source": e["source"], "DetailType": e["detail-type"],
                 "Detail": json.dumps(e["detail"])} for e in events[i:i + 10]]
               for i in range(0, len(events), 10)]
    gc.collect()
    t0 = time.perf_counter()
    for k in range(n_events // 10):
        svc.dispatch("PutEvents", {"Entries": batches[k % len(batches)]})
    return (n_events // 10) * 10 / (time.perf_counter() - t0)


def run_events(n_events: int) -> dict[str, float]:
    results = {}
    for n_rules in (10, 100, 1000):
        results[f"eventbridge match, {n_rules} rules (index)"] = events_match_rate(
            n_rules, n_events, True)
    for n_rules in (10, 100, 1000):
        results[f"eventbridge match, {n_rules} rules (scan all)"] = events_match_rate(
            n_rules, max(n_events // 20, 1000), False)
    results["eventbridge PutEvents, 1000 rules (wire)"] = events_put_rate(1000, n_events)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {args.messages:,} messages, "
          f"best of {args.repeat}")
    for label, rate in run_sqs(args.messages, args.repeat).items():
        print(f"{label:32s} {rate:12,.0f} messages/s")
    for label, rate in run_events(max(args.messages // 4, 10_000)).items():
        print(f"{label:44s} {rate:12,.0f} events/s ({1e6 / rate:7.1f} us/event)")


if __name__ == "__main__":
    main()
