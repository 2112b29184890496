"""The PutItem/GetItem fast paths charge capacity exactly as the general path does.

``Resource.try_take`` inlines ``OnDemand.check`` (through ``OnDemand.limit``, memoised per
second), the partition hash, ``Bucket.level`` and the common case of ``TableThroughput.metric``;
``TableThroughput.put_fast`` inlines ``admit_one`` and the ``_stored`` change hook (partition item
counts); ``ItemOps._put_plain`` reads the key from plain values (``fastpath.compile_plain_key``) and,
on a table without sort key, takes ``TableThroughput.put_plain`` (``put_fast`` with
``try_take``'s on-demand write case and ``Table.put_encoded`` inlined). Each scenario below runs the same writes and
reads through the fast paths and through the general path (a request with
``ReturnConsumedCapacity: NONE`` takes it: ``admit`` = ``check`` + ``take``) and compares
everything the capacity model keeps: throttles and their reasons, partitions and their buckets,
on-demand peaks, metrics, items and stream records.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.fastpath import (
    compile_item_key,
    compile_plain_key,
    encode_new_item,
    encode_plain,
)
from serverless_sim.dynamodb.native import to_item
from serverless_sim.dynamodb.throughput import TABLE_QUOTA_UNITS, OnDemand
from serverless_sim.kernel.errors import AWSError

SCENARIOS = {
    # on demand, a maximum low enough to throttle the table (MaxOnDemandThroughputExceeded)
    "on_demand_max": dict(
        billing="PAY_PER_REQUEST", max_write=40, max_read=60, keys=50, steps=(0,) * 40 + (0.01, 0.5, 1.3, 7)),
    # on demand, one hot key beyond a partition's 1,000 WCU (KeyRangeThroughputExceeded)
    "on_demand_hot": dict(billing="PAY_PER_REQUEST", keys=1, big=True, steps=(0,) * 400 + (0.3, 2)),
    # on demand, small partitions: they split for size as items arrive
    "on_demand_splits": dict(billing="PAY_PER_REQUEST", keys=400, cfg={"partition_max_bytes": 60_000}),
    # on demand, a hot key isolated after throttling its partition for 0.5 s
    "on_demand_isolate": dict(billing="PAY_PER_REQUEST", keys=1, big=True, cfg={"hot_key_isolation_delay": 0.5},
                              steps=(0,) * 60 + (0.2,)),
    # provisioned, several partitions, burst off: table and partition buckets both bind
    "provisioned": dict(billing="PROVISIONED", rcu=3000, wcu=1500, keys=3, burst=False,
                        steps=(0,) * 200 + (0.01, 0.5, 1.3, 7)),
}


def _run(scenario: str, fast: bool, native: bool = False, range_key: bool = False, stream: bool = True):
    spec = SCENARIOS[scenario]
    cloud = Cloud(seed=3)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    ddb.config.throughput.initial_burst = spec.get("burst", True)
    for k, v in spec.get("cfg", {}).items():
        setattr(ddb.config.throughput, k, v)
    request = {
        "TableName": "tbl",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": spec["billing"],
    }
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if range_key:
        request["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
        request["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
    if spec["billing"] == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": spec["rcu"], "WriteCapacityUnits": spec["wcu"]}
    if "max_write" in spec:
        request["OnDemandThroughput"] = {
            "MaxWriteRequestUnits": spec["max_write"], "MaxReadRequestUnits": spec["max_read"]}
    ddb.create_table(request)
    table = ddb.table("tbl")
    rng = random.Random(5)
    outcomes = []
    for i in range(1500):
        key = f"k{rng.randrange(spec['keys'])}"
        values = {"pk": key, "n": rng.randrange(5000), "pad": "x" * rng.choice((10, 900, 2500, 9000 if spec.get("big") else 100))}
        if range_key:
            values["sk"] = rng.randrange(3)
        try:
            if rng.random() < 0.8:
                if native:
                    table.put(values)
                else:
                    req = {"TableName": "tbl", "Item": to_item(values)}
                    if not fast:
                        req["ReturnConsumedCapacity"] = "NONE"
                    ddb.put_item(req)
            else:
                k = {"pk": {"S": key}}
                if range_key:
                    k["sk"] = {"N": str(values["sk"])}
                req = {"TableName": "tbl", "Key": k, "ConsistentRead": rng.random() < 0.5}
                if not fast:
                    req["ReturnConsumedCapacity"] = "NONE"
                ddb.get_item(req)
            outcomes.append("ok")
        except AWSError as exc:
            outcomes.append((exc.code, str(exc), exc.response.get("ThrottlingReasons")))
        cloud.advance(rng.choice(spec.get("steps", (0, 0, 0, 0.001, 0.01, 0.2, 1.3, 7))))
    cloud.advance(180)
    tp = ddb.get_table("tbl").throughput
    res = tp.base
    buckets = [
        (p.read.tokens, p.read.t, p.read.cap, p.write.tokens, p.write.t, p.write.cap, p.count, p.nbytes)
        for p in res.parts
    ]
    ods = [
        (od.second, od.used, od.peak, list(od.pending))
        for od in (res.od_read, res.od_write) if od is not None
    ]
    tables = [(b.tokens, b.t) for b in (res.rbucket, res.wbucket) if b is not None]
    cw = cloud.client("cloudwatch")
    metrics = {}
    for name in ("ConsumedWriteCapacityUnits", "ConsumedReadCapacityUnits", "WriteThrottleEvents", "ReadThrottleEvents"):
        metrics[name] = cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName=name, Dimensions=[{"Name": "TableName", "Value": "tbl"}],
            StartTime=0, EndTime=4102444800, Period=60, Statistics=["Sum", "SampleCount", "Minimum", "Maximum"],
        )["Datapoints"]
    records = []
    if stream:
        arn = ddb.describe_table({"TableName": "tbl"})["Table"]["LatestStreamArn"]
        records = [r.to_wire()["dynamodb"] for r in ddb.streams.get(arn).records()]
    items = ddb.scan({"TableName": "tbl"})["Items"]
    tp._check()
    return outcomes, buckets, ods, tables, res.starts, tp.splits, metrics, records, items


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_fast_paths_charge_as_the_general_path(scenario):
    fast, general = _run(scenario, True), _run(scenario, False)
    assert fast == general
    outcomes, splits = fast[0], fast[5]
    assert "ok" in outcomes
    if scenario == "on_demand_splits":
        assert splits > 3  # beyond the 4 initial partitions
    elif scenario == "on_demand_isolate":
        assert splits > 3 and any(o != "ok" for o in outcomes)
    else:
        assert any(o != "ok" for o in outcomes), "the scenario must throttle"


@pytest.mark.parametrize("range_key", [False, True])
def test_native_put_charges_as_the_general_path(range_key):
    native, general = _run("on_demand_max", True, native=True, range_key=range_key), _run(
        "on_demand_max", False, range_key=range_key)
    assert native == general


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 40), st.sampled_from([None, 3, 50, 10**6, "keep"])),
        max_size=40,
    ),
    st.sampled_from([1, 5, 30]),
)
def test_on_demand_limit_is_check(steps, window):
    """``used + half <= od.limit(second)`` exactly when ``od.check(half, second)`` is None; the
    limit changes only with the second or the maximum (what ``try_take``'s memo relies on)."""
    a, b = OnDemand(2, None, window), OnDemand(2, None, window)
    second, memo = 0, None
    for dt, half, maximum in steps:
        second += dt
        if maximum != "keep":
            a.set_maximum(maximum)
            b.set_maximum(maximum)
            assert b.lim_second == -1
            memo = None
        refused = a.check(half, second) is not None
        lim = b.limit(second)
        if memo is not None and memo[0] == second:
            assert lim == memo[1]
        memo = (second, lim)
        assert refused == (b.used + half > lim)
        assert lim <= TABLE_QUOTA_UNITS * 2
        if not refused:
            a.used += half
            b.used += half
        assert (a.second, a.used, a.peak, list(a.pending)) == (b.second, b.used, b.peak, list(b.pending))


_plain = st.one_of(st.text(max_size=5), st.integers(-3, 10**40), st.booleans(), st.binary(max_size=2))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["pk", "sk", "a"]), _plain, max_size=3),
    st.sampled_from(["S", "N", "B"]),
    st.sampled_from([None, "S", "N", "B"]),
)
def test_plain_key_is_the_item_key(values, ht, rt):
    """``compile_plain_key`` on plain values = ``compile_item_key`` on their attribute values."""

    class T:
        hash_key, hash_type = "pk", ht
        range_key, range_type = ("sk", rt) if rt is not None else (None, None)

    enc = encode_plain(values)
    if enc is None:
        return
    item = to_item(values)
    assert enc == encode_new_item(item)
    assert compile_plain_key(T)(values) == compile_item_key(T)(item)


def test_long_and_non_ascii_keys_take_the_general_route():
    class T:
        hash_key, hash_type, range_key, range_type = "pk", "S", None, None

    key = compile_plain_key(T)
    assert key({"pk": "é" * 1024}) == "é" * 1024
    assert key({"pk": "é" * 1025}) is None  # 2,050 bytes
    assert key({"pk": "x" * 2049}) is None
    assert key({"pk": ""}) is None
    assert key({"pk": 1}) is None


def test_native_put_keeps_the_scan_order_and_counts_of_a_table_without_sort_key():
    """``Table.put_encoded`` inlines ``Store.put`` for a table without sort key: new keys join
    the scan order once it is built, counts and bytes follow replacements."""
    cloud = Cloud(seed=1)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    native = ddb.create_table("native", hash_key=("pk", "S"))
    ddb.create_table("wire", hash_key=("pk", "S"))
    rng = random.Random(2)
    for rnd in range(3):
        for _ in range(200):
            values = {"pk": f"k{rng.randrange(300)}", "n": rng.randrange(10**6), "s": "y" * rng.randrange(50)}
            native.put(values)
            ddb.put_item({"TableName": "wire", "Item": to_item(values), "ReturnValues": "NONE"})
        scans = [ddb.scan({"TableName": t})["Items"] for t in ("native", "wire")]
        assert scans[0] == scans[1]  # the first scan builds the order; later puts extend it
    a, b = ddb.get_table("native"), ddb.get_table("wire")
    a._check()
    a.throughput._check()
    assert (a.store.count, a.store.nbytes, list(a.store.order)) == (b.store.count, b.store.nbytes, list(b.store.order))


@pytest.mark.parametrize("stream", [True, False])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_native_put_plain_charges_as_the_general_path(scenario, stream):
    """``TableThroughput.put_plain`` (native puts on a table without sort key): the same
    throttles, partitions, splits, buckets, peaks, metrics, items and stream records as
    PutItem's general path, in every scenario (provisioned and refusals fall back to
    ``put_fast``), with and without a stream's change hook beside ``_stored``."""
    native = _run(scenario, True, native=True, stream=stream)
    general = _run(scenario, False, stream=stream)
    assert native == general


@pytest.mark.parametrize("pk", ["k", "x" * 2048, "x" * 2049, "", "é" * 1024, "é" * 1025, 1, "\ud800"])
def test_native_put_key_read_inline_is_fast_plain_key(pk):
    """``ItemOps._put_plain`` reads an ASCII string hash key itself (``fast_plain_key`` inlined)
    and leaves every other key to the closure: native puts and PutItem agree on the outcome
    (stored, or the same error) for keys at and beyond each limit."""

    def outcome(native: bool):
        cloud = Cloud(seed=3)
        ddb = cloud.dynamodb
        ddb.config.throughput.on_demand = True
        table = ddb.create_table("tbl", hash_key=("pk", "S"), stream="NEW_IMAGE")
        try:
            if native:
                table.put({"pk": pk, "qty": 2})
            else:
                ddb.put_item({"TableName": "tbl", "Item": to_item({"pk": pk, "qty": 2}),
                              "ReturnConsumedCapacity": "NONE"})
        except AWSError as exc:
            return exc.code, str(exc)
        except Exception as exc:  # the same non-AWS error (e.g. an unencodable string) either way
            return type(exc).__name__, str(exc)
        return ddb.scan({"TableName": "tbl"})["Items"], table.count()

    assert outcome(True) == outcome(False)
