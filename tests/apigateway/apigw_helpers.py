"""Shared setup for the API Gateway tests: registers the services (the lead adds them to
serverless_sim.services) and builds Clouds with Lambda functions from callables."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from serverless_sim import Cloud
from serverless_sim.services import SERVICES

OWN = {
    "apigateway": ("serverless_sim.apigateway.service", "APIGateway"),
    "apigatewayv2": ("serverless_sim.apigateway.service", "APIGatewayV2"),
    "apigatewaymanagementapi": ("serverless_sim.apigateway.service", "APIGatewayManagementAPI"),
}


@pytest.fixture(autouse=True)
def apigw_services(monkeypatch: Any) -> None:
    for name, spec in OWN.items():
        monkeypatch.setitem(SERVICES, name, spec)


def register() -> None:
    """For scripts (benchmarks) outside pytest."""
    SERVICES.update(OWN)


def make_cloud(functions: dict[str, Callable[[Any, Any], Any]] | None = None, *, duration: float = 0.01,
               seed: int = 7, **kw: Any) -> Cloud:
    cloud = Cloud(seed=seed, **kw)
    lam = cloud.service("lambda")
    lam.config.init_model = type(lam.config.init_model)(fixed_s=0.1)
    for name, fn in (functions or {}).items():
        lam.create_function_from_callable(name, fn, duration=duration, timeout=60)
    return cloud


def echo(event: Any, context: Any) -> Any:
    return {"statusCode": 200, "body": "ok", "headers": {"content-type": "text/plain"}}
