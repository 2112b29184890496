import datetime as dt

import pytest

from serverless_sim import Cloud


def test_statistics_over_periods():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    for i in range(1, 101):
        cloud.metrics.put("App", "Latency", i, {"Route": "/a"}, "Milliseconds")
        cloud.advance(1.2)  # 100 samples over 120 s: two 60 s buckets
    pts = cloud.metrics.statistics("App", "Latency", {"Route": "/a"}, cloud.start_us,
                                   cloud.now_us, 60,
                                   ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p99"])
    assert [p["SampleCount"] for p in pts] == [50, 50]
    assert pts[0]["Minimum"] == 1 and pts[0]["Maximum"] == 50
    assert pts[0]["Sum"] == sum(range(1, 51)) and pts[0]["Average"] == 25.5
    assert pts[0]["p50"] == 25 and pts[0]["p99"] == 50
    one = cloud.metrics.statistics("App", "Latency", [{"Name": "Route", "Value": "/a"}],
                                   cloud.start_us, cloud.now_us, 120, ["p99", "SampleCount"])
    assert one[0]["SampleCount"] == 100 and one[0]["p99"] == 99


def test_dimensions_are_a_set():
    cloud = Cloud()
    cloud.metrics.put("N", "M", 1, {"a": "1", "b": "2"})
    cloud.metrics.put("N", "M", 2, [{"Name": "b", "Value": "2"}, {"Name": "a", "Value": "1"}])
    assert len(cloud.metrics.list()) == 1
    assert len(cloud.metrics.list(dimensions={"a": None})) == 1
    assert cloud.metrics.list(dimensions={"a": "2"}) == []


def test_cloudwatch_client_round_trip():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    cw = cloud.client("cloudwatch")
    cw.put_metric_data(Namespace="Shop", MetricData=[
        {"MetricName": "Orders", "Value": 3, "Unit": "Count",
         "Dimensions": [{"Name": "Region", "Value": "eu"}]},
        {"MetricName": "Orders", "Values": [1, 2], "Counts": [1, 3], "Unit": "Count",
         "Dimensions": [{"Name": "Region", "Value": "eu"}]},
    ])
    cloud.advance(300)
    start, end = cloud.now - dt.timedelta(hours=1), cloud.now
    r = cw.get_metric_statistics(Namespace="Shop", MetricName="Orders",
                                 Dimensions=[{"Name": "Region", "Value": "eu"}],
                                 StartTime=start, EndTime=end, Period=3600,
                                 Statistics=["Sum", "SampleCount", "Maximum"])
    (dp,) = r["Datapoints"]
    assert dp["Sum"] == 3 + 1 + 6 and dp["SampleCount"] == 5 and dp["Maximum"] == 3
    assert isinstance(dp["Timestamp"], dt.datetime)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    md = cw.get_metric_data(MetricDataQueries=[{"Id": "q1", "MetricStat": {
        "Metric": {"Namespace": "Shop", "MetricName": "Orders",
                   "Dimensions": [{"Name": "Region", "Value": "eu"}]},
        "Period": 60, "Stat": "Sum"}}], StartTime=start, EndTime=end)
    assert md["MetricDataResults"][0]["Values"] == [10.0]
    lm = cw.list_metrics(Namespace="Shop")
    assert lm["Metrics"] == [{"Namespace": "Shop", "MetricName": "Orders",
                              "Dimensions": [{"Name": "Region", "Value": "eu"}]}]


def test_cloudwatch_errors_leave_state_unchanged():
    cloud = Cloud()
    cw = cloud.client("cloudwatch")
    with pytest.raises(cw.exceptions.InvalidParameterValueException) as e:
        cw.put_metric_data(Namespace="Shop", MetricData=[
            {"MetricName": "Good", "Value": 1},
            {"MetricName": "Bad", "Value": 1, "Unit": "Furlongs"},
        ])
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert cloud.metrics.list() == []
    with pytest.raises(cw.exceptions.InvalidParameterValueException):
        cw.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1}])
    with pytest.raises(cw.exceptions.InvalidParameterCombinationException):
        cw.get_metric_statistics(Namespace="a", MetricName="b", StartTime=cloud.now,
                                 EndTime=cloud.now + dt.timedelta(hours=1), Period=60)
    with pytest.raises(TypeError, match="only accepts keyword arguments"):
        cw.list_metrics("x")
