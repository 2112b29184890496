"""SQS tests: register the service (the lead adds it to serverless_sim/services.py)."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud
from serverless_sim.services import SERVICES

SERVICES.setdefault("sqs", ("serverless_sim.sqs.service", "SQS"))
SERVICES.setdefault("sns", ("serverless_sim.sns.service", "SNS"))


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
