"""The same SQS + SNS scenario in fresh processes with different PYTHONHASHSEED gives the same
trace digest, message ids and receipt handles."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = r'''
import json
from serverless_sim import Cloud
from serverless_sim.services import SERVICES
SERVICES.setdefault("sqs", ("serverless_sim.sqs.service", "SQS"))
SERVICES.setdefault("sns", ("serverless_sim.sns.service", "SNS"))
cloud = Cloud(seed=11)
sqs, sns = cloud.service("sqs"), cloud.service("sns")
q = sqs.create_queue("q", attributes={"VisibilityTimeout": 5})
f = sqs.create_queue("f.fifo", attributes={"FifoQueue": True, "ContentBasedDeduplication": True})
t = sns.create_topic("t")
sns.subscribe(t, "sqs", q.arn, attributes={"FilterPolicy": json.dumps({"k": [{"anything-but": "x"}]})})
out = []
for i in range(20):
    sns.publish(t, f"m{i}", attributes={"k": "x" if i % 3 == 0 else "y"})
    f.send(f"f{i}", group_id=f"g{i % 4}")
cloud.advance(1)
out += [m.receipt_handle for m in q.receive(7)] + [m.message_id for m in f.receive(10)]
cloud.advance(10)
out += [m.body for m in q.receive(10)]
print(cloud.trace.digest(), json.dumps(out))
'''


def run(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", SCENARIO], env=env, capture_output=True,
                          text=True, check=True).stdout


def test_same_digest_across_hash_seeds():
    assert run("1") == run("4242")
