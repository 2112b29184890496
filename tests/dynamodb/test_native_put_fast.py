"""``NativeTable.put``'s one-pass encoding of plain items (``fastpath.encode_plain_item``): the
same attribute values and stored form as ``to_item`` + ``encode_new_item``, and the same effects
as the wire PutItem (items, errors, capacity metrics, stream records)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.dynamodb.fastpath import encode_new_item, encode_plain_item
from serverless_sim.dynamodb.native import to_item
from serverless_sim.kernel.errors import AWSError

values_st = st.one_of(
    st.text(max_size=6), st.integers(-5, 10**40), st.booleans(), st.none(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.binary(max_size=3),
)
names_st = st.one_of(st.sampled_from(["pk", "sk", "a", "qty", "é", ""]), st.text(min_size=1, max_size=4))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(names_st, values_st, max_size=5))
def test_encode_plain_item_is_to_item_then_encode_new_item(values):
    fast = encode_plain_item(values)
    if fast is None:
        return  # the caller takes the general route
    item, enc = fast
    ref_item = to_item(values)
    assert item == ref_item
    assert enc == encode_new_item(ref_item)


def test_plain_values_take_the_one_pass_encoding_and_others_do_not():
    assert encode_plain_item({"pk": "a", "n": 5, "big": 10**20}) is not None
    for odd in ({"b": True}, {"d": Decimal("1.5")}, {"n": -1}, {"x": None}, {"n": 10**38}, {"é": "x"}, {"": "x"}):
        assert encode_plain_item(odd) is None


def _run(native: bool):
    cloud = Cloud(seed=9)
    ddb = cloud.dynamodb
    ddb.config.throughput.on_demand = True
    table = ddb.create_table("orders", hash_key=("pk", "S"), range_key=("sk", "N"), stream="NEW_AND_OLD_IMAGES")
    items = [{"pk": f"c{i % 7}", "sk": i % 3, "qty": i * 977, "note": "x" * (i % 5)} for i in range(40)]
    items += [{"pk": "c1", "sk": 1, "qty": 10**30}, {"pk": "", "sk": 1}, {"pk": "c1"}, {"pk": "c2", "sk": 2, "é": "ü"}]
    errors = []
    for it in items:
        try:
            if native:
                table.put(it)
            else:
                ddb.put_item({"TableName": "orders", "Item": to_item(it)})
        except AWSError as exc:
            errors.append((exc.code, str(exc)))
        cloud.advance(0.5)
    cloud.advance(120)  # capacity metrics are published per minute
    arn = ddb.describe_table({"TableName": "orders"})["Table"]["LatestStreamArn"]
    records = [r.to_wire() for r in ddb.streams.get(arn).records()]
    metrics = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/DynamoDB", MetricName="ConsumedWriteCapacityUnits",
        Dimensions=[{"Name": "TableName", "Value": "orders"}], StartTime=0, EndTime=4102444800, Period=60,
        Statistics=["Sum", "SampleCount"])["Datapoints"]
    scan = ddb.scan({"TableName": "orders"})["Items"]
    return errors, records, metrics, scan, cloud.trace.digest()


def test_native_put_has_the_effects_of_put_item():
    native, wire = _run(True), _run(False)
    assert native == wire
    errors, records, metrics, scan, _ = native
    assert [code for code, _ in errors] == ["ValidationException", "ValidationException"]
    assert len(scan) == 21  # every (c0..c6, 0..2) key; two overwritten
    assert len(records) == 42 and sum(m["SampleCount"] for m in metrics) == 42


def test_native_put_with_a_condition_still_works():
    cloud = Cloud(seed=1)
    table = cloud.dynamodb.create_table("things", hash_key=("pk", "S"))
    table.put({"pk": "a", "n": 1})
    with pytest.raises(AWSError) as e:
        table.put({"pk": "a", "n": 2}, condition="attribute_not_exists(pk)")
    assert e.value.code == "ConditionalCheckFailedException"
    assert table.get("a") == {"pk": "a", "n": 1}
