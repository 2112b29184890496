"""Logs (START/END/REPORT), CloudWatch metrics, billing at AWS's list prices."""

from __future__ import annotations

import re

import pytest

from serverless_sim import Cloud


def test_report_line_format_and_print_capture():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")

    def handler(event, context):
        print("line one")
        print("line two")
        return 1

    lam.create_function_from_callable("f", handler, memory=256, duration=0.01234, init_duration=0.12345)
    lam.invoke("f")
    lines = cloud.logs.lines("/aws/lambda/f")
    rid = lines[0].split()[2]
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[1:3] == ["line one", "line two"]
    assert lines[3] == f"END RequestId: {rid}"
    assert lines[4] == (
        f"REPORT RequestId: {rid}\tDuration: 12.34 ms\tBilled Duration: 136 ms\tMemory Size: 256 MB"
        "\tMax Memory Used: 40 MB\tInit Duration: 123.45 ms"
    )
    stream = cloud.logs.groups["/aws/lambda/f"].streams
    assert len(stream) == 1 and re.fullmatch(r"2026/01/01/\[\$LATEST\][0-9a-f]{32}", next(iter(stream)))


def test_logging_off_keeps_metrics_and_tail():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.config.logging = False
    lam.create_function_from_callable("f", lambda e, c: print("x"), duration=0.1)
    lam.invoke("f")
    assert "/aws/lambda/f" not in cloud.logs.groups
    client = cloud.client("lambda")
    import base64

    assert "x\n" in base64.b64decode(client.invoke(FunctionName="f", LogType="Tail")["LogResult"]).decode()
    series = cloud.metrics.series("AWS/Lambda", "Invocations", {"FunctionName": "f"})
    assert sum(b.sample_count for b in series.rows()) == 2


def test_metrics_names_and_dimensions():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("m", lambda e, c: 1 / e, duration=0.5)
    client = cloud.client("lambda")
    client.publish_version(FunctionName="m")
    client.create_alias(FunctionName="m", Name="prod", FunctionVersion="1")
    lam.invoke("m", 1)
    lam.invoke("m", 0)  # ZeroDivisionError: an error
    lam.invoke("m", 1, qualifier="prod")

    def total(name, dims):
        series = cloud.metrics.series("AWS/Lambda", name, dims)
        return sum(b.total for b in series.rows())

    assert total("Invocations", {"FunctionName": "m"}) == 3
    assert total("Errors", {"FunctionName": "m"}) == 1
    assert total("Invocations", {}) == 3  # account-wide
    assert total("Invocations", {"FunctionName": "m", "Resource": "m:prod"}) == 1
    assert total("Invocations", {"FunctionName": "m", "Resource": "m:prod", "ExecutedVersion": "1"}) == 1
    assert total("Duration", {"FunctionName": "m"}) == pytest.approx(1500.0)
    conc = cloud.metrics.series("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": "m"})
    assert max(b.maximum for b in conc.rows()) == 1


def test_billing_gb_seconds_at_1ms_and_requests():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("b", lambda e, c: None, memory=512, duration=0.2504, init_duration=0.1)
    for _ in range(3):
        lam.invoke("b")
    bill = lam.billing()
    # 512 MB = 0.5 GB; billed ms rounded up: cold 350.4 -> 351 (Init billed), warm 250.4 -> 251.
    gb_s = 0.5 * (0.351 + 0.251 + 0.251)
    assert bill.requests == 3
    assert bill.compute_gb_s == pytest.approx(gb_s)
    assert bill.request_cost == pytest.approx(3 * 0.20 / 1_000_000)
    assert bill.compute_cost == pytest.approx(gb_s * 0.0000166667)
    assert bill.total == pytest.approx(bill.request_cost + bill.compute_cost)
    free = lam.billing(free_tier=True)
    assert free.total == 0.0


def test_billing_arm64_and_provisioned():
    cloud = Cloud(seed=1)
    lam = cloud.service("lambda")
    lam.create_function_from_callable("p", lambda e, c: None, memory=1024, duration=1.0, init_duration=0.0,
                                      architecture="arm64")
    client = cloud.client("lambda")
    client.publish_version(FunctionName="p")
    client.put_provisioned_concurrency_config(FunctionName="p", Qualifier="1", ProvisionedConcurrentExecutions=2)
    cloud.advance(1)
    lam.invoke("p", qualifier="1")   # served by provisioned concurrency
    cloud.advance(598)               # enabled 10 minutes in all
    bill = lam.billing()
    assert bill.provisioned_gb_s == pytest.approx(2 * 1.0 * 600)
    assert bill.provisioned_cost == pytest.approx(1200 * 0.0000033334)  # arm64 price
    assert bill.provisioned_duration_gb_s == pytest.approx(1.0)
    assert bill.provisioned_duration_cost == pytest.approx(1.0 * 0.0000077778)
    assert bill.compute_gb_s == 0.0
