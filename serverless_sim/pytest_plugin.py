"""pytest plugin: a fresh Cloud per test, and boto3 patched to it.

Installed as the ``serverless_sim`` pytest11 entry point, so the fixtures are available as soon
as the package is installed::

    def test_orders(cloud):                 # a fresh Cloud (seed from --sim-seed, default 0)
        cloud.client("dynamodb").create_table(...)

    def test_legacy_code(aws, cloud):       # boto3.client()/resource()/Session() -> cloud
        my_module.handler(event, None)      # code that calls boto3.client("dynamodb") itself
        assert cloud.dynamodb.table("orders").item_count == 1

``aws`` is the bridged boto3 Session (``aws.client("dynamodb")``); tests using it are skipped
when boto3 (the ``serverless_sim[boto3]`` extra) is not installed.

Options: ``--sim-seed N`` (the seed of every ``cloud``; default 0) and
``--sim-start ISO`` (its virtual start instant; default 2026-01-01T00:00:00Z).
Override the ``cloud`` fixture in a conftest.py to configure the Cloud differently.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .cloud import Cloud
from .kernel.clock import DEFAULT_START


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("serverless_sim", "serverless_sim (simulated AWS)")
    group.addoption(
        "--sim-seed", default="0",
        help="seed of the Cloud given by the `cloud` fixture (default: 0)",
    )
    group.addoption(
        "--sim-start", default=DEFAULT_START,
        help=f"virtual start instant of the `cloud` fixture (default: {DEFAULT_START})",
    )


def _seed(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text


@pytest.fixture
def cloud(request: pytest.FixtureRequest) -> Cloud:
    """A fresh :class:`~serverless_sim.Cloud` for this test."""
    config = request.config
    return Cloud(seed=_seed(config.getoption("--sim-seed")), start=config.getoption("--sim-start"))


@pytest.fixture
def aws(cloud: Cloud) -> Iterator[Any]:
    """boto3 patched to ``cloud`` for this test; the value is the bridged boto3 Session."""
    pytest.importorskip("boto3", reason="the `aws` fixture needs the serverless_sim[boto3] extra")
    from .adapters.boto3_bridge import patch_boto3

    with patch_boto3(cloud) as session:
        yield session
