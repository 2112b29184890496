"""Concurrency: account pool, reserved, unreserved minimum, scaling rate, provisioned."""

from __future__ import annotations

import pytest

from serverless_sim import Cloud

from serverless_sim.awslambda.errors import TooManyRequestsException


def native(cloud, name="f", duration=10.0, **kw):
    lam = cloud.service("lambda")
    lam.create_function_from_callable(name, lambda e, c: e, duration=duration, init_duration=0.0, **kw)
    return lam


def burst(lam, name, n, **kw):
    """Start n requests at the current instant; returns (started, throttle reasons)."""
    started, reasons = [], []
    for _ in range(n):
        try:
            started.append(lam.submit(name, **kw))
        except TooManyRequestsException as exc:
            reasons.append(exc.response["Reason"])
    return started, reasons


def test_account_limit_1000_throttles_with_reason():
    cloud = Cloud(seed=1)
    lam = native(cloud)
    started, reasons = burst(lam, "f", 1001)
    assert len(started) == 1000 and reasons == ["ConcurrentInvocationLimitExceeded"]
    with pytest.raises(TooManyRequestsException) as err:
        lam.submit("f")
    resp = err.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert resp["Error"]["Message"] == "Rate Exceeded." and resp["Type"] == "User"
    cloud.run_until_idle()
    assert lam.function("f").stats.throttles == 2
    assert cloud.metrics.series("AWS/Lambda", "Throttles", {"FunctionName": "f"}) is not None


def test_configurable_account_limit():
    cloud = Cloud(seed=1)
    lam = native(cloud)
    lam.config.account_concurrency = 50
    started, reasons = burst(lam, "f", 60)
    assert len(started) == 50 and len(reasons) == 10


def test_reserved_zero_throttles_everything():
    cloud = Cloud(seed=1)
    lam = native(cloud)
    client = cloud.client("lambda")
    assert client.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=0)["ReservedConcurrentExecutions"] == 0
    with pytest.raises(client.exceptions.TooManyRequestsException) as err:
        client.invoke(FunctionName="f", Payload=b"1")
    assert err.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert client.get_function_concurrency(FunctionName="f")["ReservedConcurrentExecutions"] == 0
    client.delete_function_concurrency(FunctionName="f")
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="f")
    assert client.invoke(FunctionName="f", Payload=b"1")["StatusCode"] == 200


def test_reserved_is_a_maximum_and_a_guaranteed_share():
    cloud = Cloud(seed=1)
    lam = native(cloud, "a")
    native(cloud, "b")
    client = cloud.client("lambda")
    client.put_function_concurrency(FunctionName="a", ReservedConcurrentExecutions=300)
    started, reasons = burst(lam, "a", 301)
    assert len(started) == 300 and reasons == ["ReservedFunctionConcurrentInvocationLimitExceeded"]
    started, reasons = burst(lam, "b", 701)  # the other functions share 1000 - 300
    assert len(started) == 700 and reasons == ["ConcurrentInvocationLimitExceeded"]
    settings = client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 700


def test_unreserved_pool_keeps_its_minimum_of_100():
    cloud = Cloud(seed=1)
    native(cloud, "a")
    native(cloud, "b")
    client = cloud.client("lambda")
    client.put_function_concurrency(FunctionName="a", ReservedConcurrentExecutions=900)  # leaves exactly 100
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        client.put_function_concurrency(FunctionName="b", ReservedConcurrentExecutions=1)
    assert err.value.response["Error"]["Message"] == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100]."
    )
    assert "ReservedConcurrentExecutions" not in client.get_function_concurrency(FunctionName="b")
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_function_concurrency(FunctionName="a", ReservedConcurrentExecutions=901)
    assert client.get_function_concurrency(FunctionName="a")["ReservedConcurrentExecutions"] == 900


def test_scaling_rate_1000_environments_per_10_seconds_refilled_continuously():
    cloud = Cloud(seed=1)
    lam = native(cloud, duration=100.0)
    lam.config.account_concurrency = 5000
    started, reasons = burst(lam, "f", 1001)
    assert len(started) == 1000 and reasons == ["ConcurrentInvocationLimitExceeded"]
    cloud.advance(1)  # 1 s refills 100 environments (continuous, not a 10 s step)
    started, reasons = burst(lam, "f", 101)
    assert len(started) == 100 and len(reasons) == 1
    cloud.advance(60)  # unused rate does not accrue beyond the bucket's 1,000
    started, _ = burst(lam, "f", 1500)
    assert len(started) == 1000


def test_warm_environments_do_not_need_scaling_tokens():
    cloud = Cloud(seed=1)
    lam = native(cloud, duration=1.0)
    lam.config.account_concurrency = 5000
    burst(lam, "f", 1000)
    cloud.advance(2)  # all 1000 idle and warm; bucket refilled only 200
    started, reasons = burst(lam, "f", 1000)
    assert len(started) == 1000 and not reasons and not any(i.cold for i in started)


def test_provisioned_concurrency_spillover_and_metric():
    cloud = Cloud(seed=1)
    lam = native(cloud, duration=5.0)
    client = cloud.client("lambda")
    client.publish_version(FunctionName="f")
    client.create_alias(FunctionName="f", Name="live", FunctionVersion="1")
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        client.put_provisioned_concurrency_config(FunctionName="f", Qualifier="$LATEST", ProvisionedConcurrentExecutions=2)
    assert "unpublished function versions" in err.value.response["Error"]["Message"]
    out = client.put_provisioned_concurrency_config(FunctionName="f", Qualifier="live", ProvisionedConcurrentExecutions=2)
    assert out["RequestedProvisionedConcurrentExecutions"] == 2
    cloud.advance(1)
    cfg = client.get_provisioned_concurrency_config(FunctionName="f", Qualifier="live")
    assert cfg["Status"] == "READY" and cfg["AvailableProvisionedConcurrentExecutions"] == 2
    invs, _ = burst(lam, "f", 3, qualifier="live")
    assert [i.provisioned for i in invs] == [True, True, False]
    assert [i.cold for i in invs] == [False, False, True]
    assert invs[2].spillover
    cloud.run_until_idle()
    series = cloud.metrics.series("AWS/Lambda", "ProvisionedConcurrencySpilloverInvocations", {"FunctionName": "f"})
    assert sum(b.sample_count for b in series.rows()) == 1
    # Invoking the version through another qualifier ($LATEST) does not use the alias's PC.
    assert lam.invoke("f").provisioned is False
    client.delete_provisioned_concurrency_config(FunctionName="f", Qualifier="live")
    with pytest.raises(client.exceptions.ProvisionedConcurrencyConfigNotFoundException):
        client.get_provisioned_concurrency_config(FunctionName="f", Qualifier="live")


def test_provisioned_counts_against_reserved_and_pool():
    cloud = Cloud(seed=1)
    native(cloud)
    client = cloud.client("lambda")
    client.publish_version(FunctionName="f")
    client.put_function_concurrency(FunctionName="f", ReservedConcurrentExecutions=10)
    with pytest.raises(client.exceptions.InvalidParameterValueException):
        client.put_provisioned_concurrency_config(FunctionName="f", Qualifier="1", ProvisionedConcurrentExecutions=11)
    client.put_provisioned_concurrency_config(FunctionName="f", Qualifier="1", ProvisionedConcurrentExecutions=8)
    lam = cloud.service("lambda")
    started, reasons = burst(lam, "f", 3)  # $LATEST: only 10 - 8 left
    assert len(started) == 2 and reasons == ["ReservedFunctionConcurrentInvocationLimitExceeded"]
    client.delete_function_concurrency(FunctionName="f")
    native(cloud, "g")
    client.put_function_concurrency(FunctionName="g", ReservedConcurrentExecutions=850)
    with pytest.raises(client.exceptions.InvalidParameterValueException) as err:
        client.put_provisioned_concurrency_config(FunctionName="f", Qualifier="1", ProvisionedConcurrentExecutions=60)
    assert "below its minimum value of [100]" in err.value.response["Error"]["Message"]


def test_provisioned_environments_are_initialised_at_allocation():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_source("src", {"app.py": "import time\ntime.sleep(2)\nN=[0]\ndef handler(e, c):\n    N[0] += 1\n    return N[0]\n"})
    client = cloud.client("lambda")
    client.publish_version(FunctionName="src")
    client.put_provisioned_concurrency_config(FunctionName="src", Qualifier="1", ProvisionedConcurrentExecutions=1)
    assert client.get_provisioned_concurrency_config(FunctionName="src", Qualifier="1")["Status"] == "IN_PROGRESS"
    cloud.advance(3)
    inv = lam.invoke("src", qualifier="1")
    assert not inv.cold and inv.init_us == 0 and inv.payload == 1
