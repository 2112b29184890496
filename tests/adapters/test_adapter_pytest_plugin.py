"""The pytest plugin's fixtures, run in a child pytest (so that loading it cannot clash with an
installed entry point)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _plugin_args() -> list[str]:
    installed = any(ep.value == "serverless_sim.pytest_plugin"
                    for ep in importlib.metadata.entry_points(group="pytest11"))
    return [] if installed else ["-p", "serverless_sim.pytest_plugin"]


def _run(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *_plugin_args(), *args, str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_cloud_fixture_and_seed_option(tmp_path):
    result = _run(tmp_path, """
        from serverless_sim import Cloud

        def test_fresh(cloud):
            assert isinstance(cloud, Cloud) and cloud.seed == 42
            cloud.advance(5)
            assert cloud.elapsed.total_seconds() == 5

        def test_fresh_again(cloud):
            assert cloud.elapsed.total_seconds() == 0
    """, "--sim-seed", "42")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_aws_fixture_patches_boto3(tmp_path):
    pytest.importorskip("boto3")
    result = _run(tmp_path, """
        import boto3

        def handler():
            # user code that makes its own client
            return boto3.client("dynamodb").list_tables()["TableNames"]

        def test_patched(aws, cloud):
            aws.client("dynamodb").create_table(
                TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
            assert handler() == ["orders"]
            assert "orders" in cloud.dynamodb.tables

        def test_restored_after():
            assert not hasattr(boto3.Session, "__wrapped_cloud__")
            assert boto3.DEFAULT_SESSION is None or "SimSession" not in type(boto3.DEFAULT_SESSION).__name__
    """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
