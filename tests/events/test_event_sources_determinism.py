"""The same S3 + EventBridge + Scheduler scenario gives the same trace digest in fresh processes
with different PYTHONHASHSEED values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SCENARIO = r'''
import json
import eventsim_helpers
from serverless_sim import Cloud
from serverless_sim.services import SERVICES
SERVICES.update(eventsim_helpers.OWN)
cloud = Cloud(seed=42)
fn = cloud.service("lambda").create("f")
q = cloud.service("sqs").create("q")
s3 = cloud.client("s3")
s3.create_bucket(Bucket="bkt")
s3.put_bucket_versioning(Bucket="bkt", VersioningConfiguration={"Status": "Enabled"})
s3.put_bucket_notification_configuration(Bucket="bkt", NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": q, "Events": ["s3:ObjectCreated:*"]}],
    "EventBridgeConfiguration": {}})
ev = cloud.client("events")
ev.put_rule(Name="r", EventPattern=json.dumps({"source": [{"prefix": "aws."}]}))
ev.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": fn}])
ev.put_rule(Name="tick", ScheduleExpression="rate(7 minutes)")
ev.put_targets(Rule="tick", Targets=[{"Id": "t", "Arn": fn}])
sch = cloud.client("scheduler")
sch.create_schedule(Name="s", ScheduleExpression="rate(1 hour)",
    FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 30},
    Target={"Arn": fn, "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": "{}"})
for i in range(20):
    s3.put_object(Bucket="bkt", Key=f"k{i % 7}", Body=str(i))
    cloud.advance(300)
print(cloud.trace.digest(), len(cloud.service("lambda").payloads(fn)))
'''


def run(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed,
               PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    out = subprocess.run([sys.executable, "-c", SCENARIO], env=env, capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


def test_trace_digest_is_independent_of_hash_seed():
    first = run("1")
    assert first == run("2")
    assert int(first.split()[1]) > 20
