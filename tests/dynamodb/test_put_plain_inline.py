"""``NativeTable.put``'s one-frame case and what it inlines, pinned equal to the general routes.

* ``ItemOps._put_plain`` on a tracked table whose key is one S attribute, without indexes,
  inlines ``fastpath.encode_plain`` and reads the hash key on the way: the same outcome (stored,
  general route, or the same error) and the same stored tuple as ``ItemOps._put_plain_general``
  (``encode_plain`` + ``fast_plain_key``), for any values.
* ``TableThroughput.put_plain`` also takes a second's first write (the on-demand limit computed
  and memoised, the growth check) instead of handing it to ``put_fast``: native puts at one per
  second (every one a second's first) charge, throttle, grow and meter as the wire PutItem's
  general path.
* ``Resource.wacc``/``racc`` (the minute's accumulators kept on the resource instead of a dict
  lookup per charge): metrics equal the general path's across minute ends and mid-minute
  flushes.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.fastpath import encode_plain
from serverless_sim.dynamodb.native import to_item
from serverless_sim.kernel.errors import AWSError


class _Name(str):
    """A str subclass as an attribute name: never the fast route."""


_values = st.one_of(
    st.text(max_size=4),
    st.text(alphabet=st.sampled_from("aé\ud800x"), max_size=3),
    st.integers(-3, 2000),
    st.integers(10**36, 10**40),
    st.booleans(),
    st.none(),
    st.binary(max_size=2),
    st.sampled_from(["x" * 2048, "x" * 2049, "é" * 1024, "é" * 1025, "y" * 409_600]),
)
_names = st.one_of(
    st.sampled_from(["pk", "qty", "a", "é", ""]),
    st.text(min_size=1, max_size=3),
    st.builds(_Name, st.sampled_from(["pk", "qty"])),
)


def _cloud(hash_type: str = "S", status: str | None = None, tracked: bool = True):
    cloud = Cloud(seed=4)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = tracked
    ddb.create_table("tbl", hash_key=("pk", hash_type), stream="NEW_IMAGE")
    if status is not None:
        ddb.get_table("tbl").status = status
    return cloud, ddb


def _outcome(fast: bool, values: dict, hash_type: str = "S"):
    cloud, ddb = _cloud(hash_type)
    table = ddb.get_table("tbl")
    try:
        if fast:
            done = ddb._put_plain("tbl", values)
        else:
            done = ddb._put_plain_general("tbl", table, values)
    except AWSError as exc:
        done = (exc.code, str(exc))
    res = table.throughput.base
    return (
        done,
        sorted(table.store.data.items()),
        (table.store.count, table.store.nbytes),
        [(p.count, p.nbytes, p.write.tokens) for p in res.parts],
        (res.od_write.used, res.od_write.lim_second, res.od_write.lim),
        sorted((k, v) for k, v in table.throughput._acc.items()),
    )


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_names, _values, max_size=4), st.sampled_from(["pk", "qty"]), st.booleans())
def test_one_frame_put_plain_is_the_general_route(values, key_name, with_key):
    """Same outcome, stored tuple, counts, partitions, capacity and metrics as
    ``_put_plain_general`` (``encode_plain`` + ``fast_plain_key`` + ``put_plain``)."""
    if with_key:
        values = {"pk": values.pop(key_name, "k"), **values}
    assert _outcome(True, dict(values)) == _outcome(False, dict(values))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_names, _values, max_size=3))
def test_other_key_types_and_states_take_the_general_route(values):
    """An N hash key, an untracked table, a table being created: ``_put_plain`` hands the item
    to ``_put_plain_general`` (same outcome as before the one-frame case)."""
    values = {"pk": 3, **values}
    assert _outcome(True, dict(values), "N") == _outcome(False, dict(values), "N")
    for status, tracked in (("CREATING", True), (None, False)):
        cloud, ddb = _cloud(status=status, tracked=tracked)
        try:
            done = ddb._put_plain("tbl", dict(values))
        except AWSError as exc:
            done = exc.code
        cloud2, ddb2 = _cloud(status=status, tracked=tracked)
        try:
            done2 = ddb2._put_plain_general("tbl", ddb2.tables["tbl"], dict(values))
        except AWSError as exc:
            done2 = exc.code
        assert done == done2
        assert ddb.tables["tbl"].store.data == ddb2.tables["tbl"].store.data


def test_one_frame_stores_what_encode_plain_stores():
    cloud, ddb = _cloud()
    values = {"pk": "c1", "qty": 3, "big": 10**20, "note": "é", "n": 1023, "m": 1024}
    assert ddb._put_plain("tbl", values) is True
    assert ddb.get_table("tbl").store.data["c1"] == encode_plain(values)
    assert ddb.table("tbl").get("c1") == values


def _seconds_run(native: bool, scenario: str):
    """Writes spread so that most are a second's first (the limit computed each time), with
    the on-demand maximum, peaks that mature after the window and partitions that grow."""
    cloud = Cloud(seed=8)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    request = {
        "TableName": "tbl",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    if scenario == "max":
        request["OnDemandThroughput"] = {"MaxWriteRequestUnits": 12, "MaxReadRequestUnits": 30}
    ddb.create_table(request)
    table = ddb.table("tbl")
    rng = random.Random(11)
    outcomes = []
    for step in range(900):
        values = {"pk": f"k{rng.randrange(60)}", "qty": rng.randrange(3000),
                  "pad": "x" * rng.choice((5, 900, 3000, 9000))}
        burst = rng.choice((1, 1, 2, 6))
        if scenario == "grow" and step in (100, 101):
            # ~4,000 WCU in one second (a new peak), then the window: the on-demand limit
            # doubles and partitions grow on a second's first write.
            values["pad"] = "x" * 9000
            burst = 300
            if step == 101:
                cloud.advance(1900)
        for _ in range(burst):
            if burst == 300:
                values = {**values, "pk": f"g{rng.randrange(10**6)}"}  # spread over partitions
            try:
                if rng.random() < 0.85:
                    if native:
                        table.put(values)
                    else:
                        ddb.put_item({"TableName": "tbl", "Item": to_item(values), "ReturnConsumedCapacity": "NONE"})
                else:
                    req = {"TableName": "tbl", "Key": {"pk": {"S": values["pk"]}}}
                    if not native:
                        req["ReturnConsumedCapacity"] = "NONE"
                    ddb.get_item(req)
                outcomes.append("ok")
            except AWSError as exc:
                outcomes.append((exc.code, str(exc), exc.response.get("ThrottlingReasons")))
        if scenario == "window" and rng.random() < 0.01:
            cloud.advance(1900)  # the peaks so far mature (30-minute window)
        if rng.random() < 0.05:
            ddb.flush_capacity_metrics()  # mid-minute: the resources' accumulators retire
        cloud.advance(rng.choice((0.3, 1.0, 1.0, 1.7, 61)))
    cloud.advance(120)
    tp = ddb.get_table("tbl").throughput
    res = tp.base
    parts = [(p.write.tokens, p.write.t, p.read.tokens, p.count, p.nbytes) for p in res.parts]
    ods = [(od.second, od.used, od.peak, list(od.pending)) for od in (res.od_read, res.od_write)]
    cw = cloud.client("cloudwatch")
    metrics = {
        name: cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName=name, Dimensions=[{"Name": "TableName", "Value": "tbl"}],
            StartTime=0, EndTime=4102444800, Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        )["Datapoints"]
        for name in ("ConsumedWriteCapacityUnits", "ConsumedReadCapacityUnits", "WriteThrottleEvents")
    }
    arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
    records = [r.to_wire()["dynamodb"] for r in ddb.streams.get(arn).records()]
    tp._check()
    return outcomes, parts, res.starts, tp.splits, ods, metrics, records, ddb.scan({"TableName": "tbl"})["Items"]


def test_second_first_writes_inline_charge_as_the_general_path():
    for scenario in ("max", "window", "plain", "grow"):
        native, general = _seconds_run(True, scenario), _seconds_run(False, scenario)
        assert native == general, scenario
        if scenario == "max":
            assert any(o != "ok" for o in native[0]), "the maximum must throttle"
        if scenario == "grow":
            assert len(native[2]) > 4, "the partitions must grow"


def test_put_plain_inlines_every_admitted_on_demand_put(monkeypatch):
    """No admitted native put on an on-demand table goes to ``put_fast`` now, a second's first
    included (each second below starts with one)."""
    from serverless_sim.dynamodb.throughput import TableThroughput

    calls = []
    put_fast = TableThroughput.put_fast

    def counting(self, *args):
        calls.append(args[1])
        return put_fast(self, *args)

    monkeypatch.setattr(TableThroughput, "put_fast", counting)
    cloud = Cloud(seed=3)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
    for s in range(5):
        for i in range(100):
            table.put({"pk": f"k{s}-{i}", "qty": i})
        cloud.advance(1)
    assert calls == []
    assert sum(p.count for p in ddb.get_table("tbl").throughput.base.parts) == 500
    assert table.count() == 500


def test_fork_mid_minute_keeps_the_accumulators_shared():
    """A fork copies ``Resource.wacc`` together with ``_acc`` (the same list in the copy): puts
    after the fork, in the same minute, are metered the same in both Clouds."""
    cloud = Cloud(seed=2)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
    for i in range(20):
        table.put({"pk": f"k{i}", "qty": i})
        cloud.advance(0.2)
    twin = cloud.fork()
    for c in (cloud, twin):
        t = c.dynamodb.table("tbl")
        for i in range(20):
            t.put({"pk": f"k{i}", "qty": i + 1, "pad": "x" * (i * 100)})
            c.advance(0.2)
        c.advance(120)
    tps = [c.dynamodb.get_table("tbl").throughput for c in (cloud, twin)]
    assert tps[0].base.wacc is not tps[1].base.wacc
    stats = [
        c.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="ConsumedWriteCapacityUnits",
            Dimensions=[{"Name": "TableName", "Value": "tbl"}], StartTime=0, EndTime=4102444800,
            Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        )["Datapoints"]
        for c in (cloud, twin)
    ]
    assert stats[0] == stats[1]
    assert sum(d["SampleCount"] for d in stats[0]) == 40
