"""An alias may point at ``$LATEST`` (CreateAlias: ``FunctionVersion`` matches
``(\\$LATEST|[0-9]+)``; https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html):
invocations through it run the unpublished version, and Provisioned Concurrency refuses it as it
refuses ``$LATEST`` itself."""

import pytest

from serverless_sim import Cloud
from serverless_sim.awslambda.errors import InvalidParameterValueException


def _setup():
    cloud = Cloud(seed=5)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("f", lambda e, c: {"version": c.function_version, "arn": c.invoked_function_arn},
                                      duration=0.01, virtual_time=False)
    lam.create_alias({"FunctionName": "f", "Name": "dev", "FunctionVersion": "$LATEST"})
    return cloud, lam


def test_invoke_through_an_alias_to_latest_runs_latest():
    cloud, lam = _setup()
    inv = lam.invoke("f", {}, qualifier="dev")
    cloud.advance(1)
    assert inv.error is None
    assert inv.result["version"] == "$LATEST"
    assert inv.result["arn"].endswith(":function:f:dev")
    # the wire API too, and the native start_at other services use
    out = cloud.client("lambda").invoke(FunctionName="f", Qualifier="dev", Payload=b"{}")
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    started = lam.start_at("f", "dev", {})
    cloud.advance(1)
    assert started.result["version"] == "$LATEST"


def test_provisioned_concurrency_refuses_an_alias_to_latest():
    cloud, lam = _setup()
    with pytest.raises(InvalidParameterValueException, match="unpublished function versions"):
        lam.put_provisioned_concurrency_config({"FunctionName": "f", "Qualifier": "dev",
                                                "ProvisionedConcurrentExecutions": 1})
    assert lam.list_provisioned_concurrency_configs({"FunctionName": "f"})["ProvisionedConcurrencyConfigs"] == []
