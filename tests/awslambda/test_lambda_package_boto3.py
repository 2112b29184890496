"""A zip package's boto3 talks to its Cloud while its code runs (AWS's runtime ships boto3)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

boto3 = pytest.importorskip("boto3")

from serverless_sim import Cloud  # noqa: E402

APP = '''
import boto3

s3 = boto3.client("s3")            # at Init, as deployed code does


def handler(event, context):
    s3.put_object(Bucket=event["bucket"], Key=event["key"], Body=b"from lambda")
    sqs = boto3.client("sqs")      # and inside the handler
    return {"queues": sqs.list_queues().get("QueueUrls", [])}
'''


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("app.py", (1980, 1, 1, 0, 0, 0)), source)
    return buf.getvalue()


def _deploy(cloud, name="writer", role="arn:aws:iam::123456789012:role/r"):
    cloud.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                           Handler="app.handler", Code={"ZipFile": _zip(APP)})


def _invoke(cloud, name, payload):
    out = cloud.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    return out.get("FunctionError"), json.loads(out["Payload"].read())


def test_handler_boto3_reaches_the_cloud_and_is_restored_after():
    before = (boto3.DEFAULT_SESSION, boto3.Session)
    cloud = Cloud(seed=2)
    cloud.client("s3").create_bucket(Bucket="out-bucket")
    cloud.client("sqs").create_queue(QueueName="jobs")
    _deploy(cloud)
    for i in range(2):  # the second call reuses the environment (and its Init-time client)
        err, result = _invoke(cloud, "writer", {"bucket": "out-bucket", "key": f"k{i}"})
        assert err is None, result
        assert result["queues"][0].endswith("/jobs")
    body = cloud.client("s3").get_object(Bucket="out-bucket", Key="k1")["Body"].read()
    assert body == b"from lambda"
    assert (boto3.DEFAULT_SESSION, boto3.Session) == before


def test_two_clouds_keep_their_own_buckets():
    a, b = Cloud(seed=1), Cloud(seed=1)
    for cloud in (a, b):
        cloud.client("s3").create_bucket(Bucket="out-bucket")
        _deploy(cloud)
    _invoke(a, "writer", {"bucket": "out-bucket", "key": "only-in-a"})
    keys_b = [o["Key"] for o in b.client("s3").list_objects_v2(Bucket="out-bucket").get("Contents", [])]
    assert keys_b == []
    assert a.client("s3").head_object(Bucket="out-bucket", Key="only-in-a")["ContentLength"] == 11


def test_calls_run_as_the_execution_role_when_iam_is_enforced():
    cloud = Cloud(seed=3)
    iam = cloud.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="writer-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    cloud.client("s3").create_bucket(Bucket="out-bucket")
    _deploy(cloud, role=role)
    cloud.enforce_iam = True
    err, result = _invoke(cloud, "writer", {"bucket": "out-bucket", "key": "k"})
    assert err == "Unhandled" and "AccessDenied" in result["errorMessage"], result
    iam.put_role_policy(RoleName="writer-role", PolicyName="rw", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "sqs:ListQueues"],
                                                 "Resource": "*"}]}))
    err, result = _invoke(cloud, "writer", {"bucket": "out-bucket", "key": "k"})
    assert err is None, result


def test_a_fork_writes_to_its_own_buckets():
    cloud = Cloud(seed=4)
    cloud.client("s3").create_bucket(Bucket="out-bucket")
    _deploy(cloud)
    _invoke(cloud, "writer", {"bucket": "out-bucket", "key": "before"})
    fork = cloud.fork()
    _invoke(fork, "writer", {"bucket": "out-bucket", "key": "in-fork"})

    def keys(c):
        return [o["Key"] for o in c.client("s3").list_objects_v2(Bucket="out-bucket")["Contents"]]

    assert keys(fork) == ["before", "in-fork"] and keys(cloud) == ["before"]
