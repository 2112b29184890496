"""SQS tests: shared fixtures."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(seed=7, start="2026-01-01T00:00:00Z")


@pytest.fixture
def sqs(cloud):
    return cloud.client("sqs")


@pytest.fixture
def url(sqs):
    return sqs.create_queue(QueueName="q")["QueueUrl"]


@pytest.fixture
def fifo(sqs):
    return sqs.create_queue(
        QueueName="f.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
