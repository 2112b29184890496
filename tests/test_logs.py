import pytest

from serverless_sim import Cloud
from serverless_sim.observability.logs import compile_filter_pattern


def make():
    cloud = Cloud(start="2026-01-01T00:00:00Z")
    logs = cloud.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/f")
    logs.create_log_stream(logGroupName="/aws/lambda/f", logStreamName="s1")
    return cloud, logs


def test_put_get_and_tokens():
    cloud, logs = make()
    t0 = cloud.now_us // 1000
    logs.put_log_events(logGroupName="/aws/lambda/f", logStreamName="s1", logEvents=[
        {"timestamp": t0 + i, "message": f"line {i}"} for i in range(5)])
    r = logs.get_log_events(logGroupName="/aws/lambda/f", logStreamName="s1", limit=2)
    assert [e["message"] for e in r["events"]] == ["line 3", "line 4"]  # newest by default
    back = logs.get_log_events(logGroupName="/aws/lambda/f", logStreamName="s1", limit=2,
                               nextToken=r["nextBackwardToken"])
    assert [e["message"] for e in back["events"]] == ["line 1", "line 2"]
    head = logs.get_log_events(logGroupName="/aws/lambda/f", logStreamName="s1", limit=2,
                               startFromHead=True)
    assert [e["message"] for e in head["events"]] == ["line 0", "line 1"]
    fwd = logs.get_log_events(logGroupName="/aws/lambda/f", logStreamName="s1",
                              nextToken=head["nextForwardToken"])
    assert [e["message"] for e in fwd["events"]] == ["line 2", "line 3", "line 4"]


def test_filter_log_events_interleaves_streams_and_paginates():
    cloud, logs = make()
    svc = cloud.logs
    for i in range(6):
        svc.write("/aws/lambda/f", "s1" if i % 2 else "s2", f"{'ERROR' if i % 3 == 0 else 'INFO'} {i}")
        cloud.advance(1)
    r = logs.filter_log_events(logGroupName="/aws/lambda/f", filterPattern="ERROR")
    assert [e["message"] for e in r["events"]] == ["ERROR 0", "ERROR 3"]
    assert [e["logStreamName"] for e in r["events"]] == ["s2", "s1"]
    p1 = logs.filter_log_events(logGroupName="/aws/lambda/f", limit=4)
    p2 = logs.filter_log_events(logGroupName="/aws/lambda/f", limit=4, nextToken=p1["nextToken"])
    assert [e["message"][-1] for e in p1["events"] + p2["events"]] == list("012345")
    assert "nextToken" not in p2


def test_filter_patterns():
    m = compile_filter_pattern('ERROR "disk full" -retry')
    assert m("ERROR: disk full now") and not m("ERROR: disk full, retry") and not m("ERROR")
    any_m = compile_filter_pattern("?WARN ?ERROR")
    assert any_m("a WARN") and any_m("ERROR b") and not any_m("INFO")
    js = compile_filter_pattern('{ $.level = "ERR*" && $.ms > 100 }')
    assert js('{"level": "ERROR", "ms": 150}')
    assert not js('{"level": "ERROR", "ms": 50}') and not js("not json")
    assert compile_filter_pattern("")("anything")


def test_logs_errors():
    cloud, logs = make()
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName="/aws/lambda/f")
    with pytest.raises(logs.exceptions.ResourceNotFoundException) as e:
        logs.get_log_events(logGroupName="/nope", logStreamName="s")
    assert e.value.response["Error"]["Message"] == "The specified log group does not exist."
    with pytest.raises(logs.exceptions.InvalidParameterException):
        logs.put_log_events(logGroupName="/aws/lambda/f", logStreamName="s1", logEvents=[
            {"timestamp": 2, "message": "b"}, {"timestamp": 1, "message": "a"}])
    assert cloud.logs.lines("/aws/lambda/f") == []


def test_describe_groups_and_streams():
    cloud, logs = make()
    logs.create_log_group(logGroupName="/aws/lambda/g")
    groups = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/", limit=1)
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["/aws/lambda/f"]
    more = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/", nextToken=groups["nextToken"])
    assert [g["logGroupName"] for g in more["logGroups"]] == ["/aws/lambda/g"]
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/f")
    assert streams["logStreams"][0]["logStreamName"] == "s1"
