"""Archives and replays."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import eventsim_helpers
from serverless_sim import Cloud

BUS = "arn:aws:events:us-east-1:123456789012:event-bus/default"


@pytest.fixture
def cloud(monkeypatch):
    eventsim_helpers.register(monkeypatch)
    return Cloud(seed=9, start="2026-01-01T00:00:00Z")


def put(ev, n, source="app"):
    ev.put_events(Entries=[{"Source": source, "DetailType": "T", "Detail": json.dumps({"n": n})}])


def test_archive_keeps_matching_events_and_replay_resends_them_in_order(cloud):
    ev = cloud.client("events")
    ev.create_archive(ArchiveName="all-app", EventSourceArn=BUS,
                      EventPattern='{"source": ["app"]}', RetentionDays=1)
    for n in range(3):
        put(ev, n)
        put(ev, 99, source="other")
        cloud.advance(60)
    d = ev.describe_archive(ArchiveName="all-app")
    assert d["EventCount"] == 3 and d["State"] == "ENABLED" and d["RetentionDays"] == 1
    fn = cloud.service("lambda").create("replayed")
    ev.put_rule(Name="r", EventPattern='{"source": ["app"]}')
    ev.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": fn}])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    resp = ev.start_replay(ReplayName="rp", EventSourceArn=d["ArchiveArn"],
                           EventStartTime=start, EventEndTime=start + dt.timedelta(seconds=100),
                           Destination={"Arn": BUS})
    assert resp["State"] == "STARTING"
    cloud.run_until_idle()
    got = cloud.service("lambda").payloads(fn)
    assert [p["detail"]["n"] for p in got] == [0, 1]
    assert all(p["replay-name"] == "rp" for p in got)
    desc = ev.describe_replay(ReplayName="rp")
    assert desc["State"] == "COMPLETED"
    assert desc["EventLastReplayedTime"] == start + dt.timedelta(seconds=60)
    assert ev.describe_archive(ArchiveName="all-app")["EventCount"] == 3  # not re-archived
    cloud.advance(2 * 86_400)
    assert ev.describe_archive(ArchiveName="all-app")["EventCount"] == 0  # retention


def test_replay_filter_arns_and_validation(cloud):
    ev = cloud.client("events")
    arn = ev.create_archive(ArchiveName="a", EventSourceArn=BUS)["ArchiveArn"]
    with pytest.raises(ev.exceptions.ResourceAlreadyExistsException):
        ev.create_archive(ArchiveName="a", EventSourceArn=BUS)
    put(ev, 1)
    cloud.advance(10)
    f1, f2 = (cloud.service("lambda").create(n) for n in ("f1", "f2"))
    r1 = ev.put_rule(Name="r1", EventPattern='{"source": ["app"]}')["RuleArn"]
    ev.put_rule(Name="r2", EventPattern='{"source": ["app"]}')
    ev.put_targets(Rule="r1", Targets=[{"Id": "t", "Arn": f1}])
    ev.put_targets(Rule="r2", Targets=[{"Id": "t", "Arn": f2}])
    now = cloud.now
    with pytest.raises(ev.exceptions.ValidationException):
        ev.start_replay(ReplayName="x", EventSourceArn=arn, EventStartTime=now,
                        EventEndTime=now - dt.timedelta(seconds=5), Destination={"Arn": BUS})
    with pytest.raises(ev.exceptions.ValidationException):
        ev.start_replay(ReplayName="x", EventSourceArn=arn, EventStartTime=now,
                        EventEndTime=now + dt.timedelta(hours=1), Destination={"Arn": BUS})
    ev.start_replay(ReplayName="x", EventSourceArn=arn, EventStartTime=now - dt.timedelta(hours=1),
                    EventEndTime=now, Destination={"Arn": BUS, "FilterArns": [r1]})
    cloud.run_until_idle()
    assert len(cloud.service("lambda").payloads(f1)) == 1
    assert cloud.service("lambda").payloads(f2) == []
    assert [r["ReplayName"] for r in ev.list_replays()["Replays"]] == ["x"]
    with pytest.raises(ev.exceptions.ResourceNotFoundException):
        ev.describe_replay(ReplayName="nope")


def test_cancel_replay_before_it_runs(cloud):
    ev = cloud.client("events")
    arn = ev.create_archive(ArchiveName="a", EventSourceArn=BUS)["ArchiveArn"]
    cloud.advance(5)
    now = cloud.now
    ev.start_replay(ReplayName="x", EventSourceArn=arn, EventStartTime=now - dt.timedelta(1),
                    EventEndTime=now, Destination={"Arn": BUS})
    assert ev.cancel_replay(ReplayName="x")["State"] == "CANCELLING"
    cloud.run_until_idle()
    assert ev.describe_replay(ReplayName="x")["State"] == "CANCELLED"
