"""Smithy RPC v2 CBOR: the codec (RFC 8949 vectors, round trips, botocore's serializer and parser
as oracles) and CloudWatch over HTTP from a real botocore client speaking CBOR."""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import urllib.error
import urllib.request

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud
from serverless_sim.adapters.http_server import SimServer
from serverless_sim.adapters.protocols.cbor_codec import CBORDecodeError, Simple, Tag, dumps, loads

UTC = dt.timezone.utc

# -- RFC 8949 Appendix A ------------------------------------------------------------------
# (value, hex): dumps(value) == hex (preferred serialization) and loads(hex) == value.
VECTORS = [
    (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
    (1000, "1903e8"), (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"), (18446744073709551616, "c249010000000000000000"),
    (-18446744073709551616, "3bffffffffffffffff"), (-18446744073709551617, "c349010000000000000000"),
    (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
    (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.1, "fb3ff199999999999a"), (1.5, "f93e00"),
    (65504.0, "f97bff"), (100000.0, "fa47c35000"), (3.4028234663852886e38, "fa7f7fffff"),
    (1.0e300, "fb7e37e43c8800759c"), (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"),
    (-4.0, "f9c400"), (-4.1, "fbc010666666666666"), (math.inf, "f97c00"), (-math.inf, "f9fc00"),
    (False, "f4"), (True, "f5"), (None, "f6"), (Simple(16), "f0"), (Simple(255), "f8ff"),
    (dt.datetime(2013, 3, 21, 20, 4, tzinfo=UTC), "c11a514b67b0"),
    (dt.datetime(2013, 3, 21, 20, 4, 0, 500000, tzinfo=UTC), "c1fb41d452d9ec200000"),
    (Tag(23, b"\x01\x02\x03\x04"), "d74401020304"),
    (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"), ("", "60"), ("a", "6161"), ("IETF", "6449455446"),
    ('"\\', "62225c"), ("\u00fc", "62c3bc"), ("\u6c34", "63e6b0b4"), ("\U00010151", "64f0908591"),
    ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"), ({1: 2, 3: 4}, "a201020304"), ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (["a", {"b": "c"}], "826161a161626163"),
]

# Decode-only vectors: other serializations of the same values (indefinite lengths, wider floats).
DECODE_ONLY = [
    ("fa7f800000", math.inf), ("fb7ff0000000000000", math.inf), ("fbfff0000000000000", -math.inf),
    ("f7", None), ("5f42010243030405ff", b"\x01\x02\x03\x04\x05"), ("7f657374726561646d696e67ff", "streaming"),
    ("9fff", []), ("9f018202039f0405ffff", [1, [2, 3], [4, 5]]), ("83018202039f0405ff", [1, [2, 3], [4, 5]]),
    ("bf61610161629f0203ffff", {"a": 1, "b": [2, 3]}), ("bf6346756ef563416d7421ff", {"Fun": True, "Amt": -2}),
    ("c074323031332d30332d32315432303a30343a30305a", dt.datetime(2013, 3, 21, 20, 4, tzinfo=UTC)),
    ("c11a514b67b0", dt.datetime(2013, 3, 21, 20, 4, tzinfo=UTC)), ("1b0000000000000001", 1),
]


@pytest.mark.parametrize("value, hexed", VECTORS, ids=[h for _, h in VECTORS])
def test_rfc8949_vectors(value, hexed):
    assert dumps(value).hex() == hexed
    decoded = loads(bytes.fromhex(hexed))
    assert _norm(decoded) == _norm(value)


@pytest.mark.parametrize("hexed, value", DECODE_ONLY, ids=[h for h, _ in DECODE_ONLY])
def test_rfc8949_other_serializations(hexed, value):
    assert _norm(loads(bytes.fromhex(hexed))) == _norm(value)


def test_nan_encodes_as_the_half_and_decodes_from_any_width():
    assert dumps(math.nan).hex() == "f97e00"
    for hexed in ("f97e00", "fa7fc00000", "fb7ff8000000000000"):
        assert math.isnan(loads(bytes.fromhex(hexed)))


@pytest.mark.parametrize("hexed", [
    "", "18", "1a0000", "62c3", "5f4101", "5f6161ff", "9f01", "a16161", "ff", "1c", "fc", "f818",
    "a1810102", "c1 6161".replace(" ", ""), "0000", "62c328", "c1fb7ff0000000000000",
])
def test_malformed_input_is_refused(hexed):
    with pytest.raises(CBORDecodeError):
        loads(bytes.fromhex(hexed))


def test_nesting_is_bounded():
    with pytest.raises(CBORDecodeError, match="deeper"):
        loads(b"\x81" * 1000 + b"\x00")
    assert loads(b"\x81" * 100 + b"\x00") is not None


# -- round trips ----------------------------------------------------------------------------
def _norm(value):
    """A comparable form: floats by bit pattern (NaN, -0.0), datetimes by instant."""
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else ("f", struct.pack(">d", value))
    if isinstance(value, dt.datetime):
        return ("t", value.astimezone(UTC).isoformat())
    if isinstance(value, Tag):
        return ("tag", value.tag, _norm(value.value))
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


_datetimes = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1),
                          timezones=st.just(UTC))
_scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary()
            | _datetimes | st.integers(0, 255).filter(lambda n: n < 20 or n > 31).map(Simple))
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=5) | st.integers(), inner, max_size=5)
    | st.builds(Tag, st.integers(4, 2**32).filter(lambda t: t not in (0, 1, 2, 3)), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_round_trip(value):
    encoded = dumps(value)
    assert _norm(loads(encoded)) == _norm(value)
    assert dumps(loads(encoded)) == encoded  # preferred serialization is canonical for these values


@settings(max_examples=200, deadline=None)
@given(_values)
def test_indefinite_containers_decode_like_definite_ones(value):
    """Re-frame every array and map with indefinite lengths: same value."""
    def indefinite(v):
        if isinstance(v, list):
            return b"\x9f" + b"".join(indefinite(x) for x in v) + b"\xff"
        if isinstance(v, dict):
            return b"\xbf" + b"".join(dumps(k) + indefinite(x) for k, x in v.items()) + b"\xff"
        if isinstance(v, str) and v:
            half = len(v) // 2
            return b"\x7f" + dumps(v[:half]) + dumps(v[half:]) + b"\xff"
        return dumps(v)
    assert _norm(loads(indefinite(value))) == _norm(value)


# -- botocore as the oracle -----------------------------------------------------------------
botocore = pytest.importorskip("botocore")
import botocore.parsers  # noqa: E402
import botocore.serialize  # noqa: E402
import botocore.session  # noqa: E402

from serverless_sim.adapters.protocols.shapes import from_wire_cbor, to_wire_cbor  # noqa: E402

_CW = botocore.session.get_session().get_service_model("cloudwatch")
_names = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF), min_size=1, max_size=12)
_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
# botocore writes request timestamps as an unsigned integer: no instants before 1970.
_whole_seconds = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1),
                              timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))
_datum = st.fixed_dictionaries(
    {"MetricName": _names},
    optional={
        "Dimensions": st.lists(st.fixed_dictionaries({"Name": _names, "Value": _names}), max_size=3),
        "Timestamp": _whole_seconds,
        "Value": _finite,
        "StatisticValues": st.fixed_dictionaries({"SampleCount": _finite, "Sum": _finite,
                                                  "Minimum": _finite, "Maximum": _finite}),
        "Values": st.lists(_finite, max_size=4),
        "Counts": st.lists(_finite, max_size=4),
        "Unit": st.sampled_from(["Seconds", "Count", "None"]),
        "StorageResolution": st.sampled_from([1, 60]),
    },
)


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({"Namespace": _names, "MetricData": st.lists(_datum, min_size=1, max_size=4)},
                             optional={"StrictEntityValidation": st.booleans()}))
def test_decodes_botocores_cbor_requests(params):
    operation = _CW.operation_model("PutMetricData")
    request = botocore.serialize.create_serializer("smithy-rpc-v2-cbor").serialize_to_request(params, operation)
    assert request["url_path"] == "/service/GraniteServiceVersion20100801/operation/PutMetricData"
    decoded = from_wire_cbor(operation.input_shape, loads(request["body"]))
    assert _norm(decoded) == _norm(params)


_datapoint = st.fixed_dictionaries(
    {"Timestamp": _datetimes},
    optional={"SampleCount": _finite, "Average": _finite, "Sum": _finite, "Minimum": _finite,
              "Maximum": _finite, "Unit": st.sampled_from(["Seconds", "Count"]),
              "ExtendedStatistics": st.dictionaries(st.sampled_from(["p50", "p99", "tm90"]), _finite)},
)


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({"Label": _names, "Datapoints": st.lists(_datapoint, max_size=4)}))
def test_botocores_parser_reads_our_cbor_responses(result):
    shape = _CW.operation_model("GetMetricStatistics").output_shape
    body = dumps(to_wire_cbor(shape, result))
    parsed = botocore.parsers.create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": 200, "headers": {}, "body": body}, shape)
    parsed.pop("ResponseMetadata")
    assert _norm(parsed) == _norm(result)


def test_integers_in_double_members_go_out_as_floats():
    shape = _CW.operation_model("GetMetricStatistics").output_shape
    wire = loads(dumps(to_wire_cbor(shape, {"Datapoints": [{"Sum": 3, "Timestamp": 0}], "Label": None})))
    assert wire == {"Datapoints": [{"Sum": 3.0, "Timestamp": dt.datetime(1970, 1, 1, tzinfo=UTC)}]}
    assert isinstance(wire["Datapoints"][0]["Sum"], float)


# -- CloudWatch over HTTP, botocore speaking CBOR -------------------------------------------
boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError  # noqa: E402


@pytest.fixture(scope="module")
def cbor_session(tmp_path_factory):
    """A boto3 session whose CloudWatch model offers only ``smithy-rpc-v2-cbor``, so botocore
    sends exactly the CBOR requests it sends when it picks that protocol (as botocore 1.42 did)."""
    core = botocore.session.Session()
    loader = core.get_component("data_loader")
    model = loader.load_service_model("cloudwatch", "service-2")
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    root = tmp_path_factory.mktemp("models")
    folder = root / "cloudwatch" / model["metadata"]["apiVersion"]
    folder.mkdir(parents=True)
    (folder / "service-2.json").write_text(json.dumps(model))
    loader.search_paths.insert(0, str(root))
    return boto3.session.Session(botocore_session=core, aws_access_key_id="x", aws_secret_access_key="y",
                                 region_name="us-east-1")


@pytest.fixture
def server():
    with SimServer(lambda: Cloud(seed=5), port=0) as srv:
        yield srv


T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)


def test_cloudwatch_over_cbor(cbor_session, server):
    cw = cbor_session.client("cloudwatch", endpoint_url=server.url)
    assert cw.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    sent = []
    cw.meta.events.register("before-send", lambda request, **_: sent.append(request))
    for minute, value in enumerate([1.5, 2.5, 4.0]):
        resp = cw.put_metric_data(Namespace="Shop", MetricData=[{
            "MetricName": "Latency", "Dimensions": [{"Name": "Api", "Value": "orders"}],
            "Timestamp": T0 + dt.timedelta(minutes=minute, seconds=10), "Value": value, "Unit": "Milliseconds"}])
        assert resp["ResponseMetadata"]["HTTPHeaders"]["smithy-protocol"] == "rpc-v2-cbor"
    assert sent[0].url.endswith("/service/GraniteServiceVersion20100801/operation/PutMetricData")
    assert sent[0].headers["Content-Type"] == b"application/cbor"
    assert "X-Amz-Target" not in sent[0].headers
    cw.put_metric_data(Namespace="Shop", MetricData=[{"MetricName": "Orders", "Value": 1.0}])

    stats = cw.get_metric_statistics(
        Namespace="Shop", MetricName="Latency", Dimensions=[{"Name": "Api", "Value": "orders"}],
        StartTime=T0, EndTime=T0 + dt.timedelta(minutes=5), Period=60,
        Statistics=["Sum", "Maximum", "SampleCount"], ExtendedStatistics=["p50"])
    points = sorted(stats["Datapoints"], key=lambda p: p["Timestamp"])
    assert [p["Timestamp"] for p in points] == [T0 + dt.timedelta(minutes=m) for m in range(3)]
    assert [p["Sum"] for p in points] == [1.5, 2.5, 4.0]
    assert all(p["SampleCount"] == 1.0 and p["Unit"] == "Milliseconds" for p in points)
    assert "p50" in points[0]["ExtendedStatistics"]
    assert stats["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/cbor"

    names = [m["MetricName"] for page in cw.get_paginator("list_metrics").paginate(Namespace="Shop")
             for m in page["Metrics"]]
    assert sorted(names) == ["Latency", "Orders"]

    data = cw.get_metric_data(StartTime=T0, EndTime=T0 + dt.timedelta(minutes=5), MetricDataQueries=[{
        "Id": "q", "MetricStat": {"Metric": {"Namespace": "Shop", "MetricName": "Latency",
                                             "Dimensions": [{"Name": "Api", "Value": "orders"}]},
                                  "Period": 60, "Stat": "Sum"}}])
    result = data["MetricDataResults"][0]
    assert sorted(zip(result["Timestamps"], result["Values"])) == [
        (T0 + dt.timedelta(minutes=m), v) for m, v in enumerate([1.5, 2.5, 4.0])]

    # The same answers as the bridge gives (same seed, same requests, same request ids).
    bridged = Cloud(seed=5).boto3_session().client("cloudwatch", region_name="us-east-1")
    for minute, value in enumerate([1.5, 2.5, 4.0]):
        bridged.put_metric_data(Namespace="Shop", MetricData=[{
            "MetricName": "Latency", "Dimensions": [{"Name": "Api", "Value": "orders"}],
            "Timestamp": T0 + dt.timedelta(minutes=minute, seconds=10), "Value": value, "Unit": "Milliseconds"}])
    bridged.put_metric_data(Namespace="Shop", MetricData=[{"MetricName": "Orders", "Value": 1.0}])
    again = bridged.get_metric_statistics(
        Namespace="Shop", MetricName="Latency", Dimensions=[{"Name": "Api", "Value": "orders"}],
        StartTime=T0, EndTime=T0 + dt.timedelta(minutes=5), Period=60,
        Statistics=["Sum", "Maximum", "SampleCount"], ExtendedStatistics=["p50"])
    assert again["ResponseMetadata"]["RequestId"] == stats["ResponseMetadata"]["RequestId"]
    assert _norm(again["Datapoints"]) == _norm(stats["Datapoints"])


def test_cloudwatch_cbor_errors(cbor_session, server):
    cw = cbor_session.client("cloudwatch", endpoint_url=server.url)
    with pytest.raises(cw.exceptions.InvalidParameterValueException) as info:
        cw.get_metric_statistics(Namespace="Shop", MetricName="m", StartTime=T0, EndTime=T0 + dt.timedelta(hours=1),
                                 Period=7, Statistics=["Sum"])
    err = info.value.response
    assert err["Error"]["Code"] == "InvalidParameterValue"  # the query code, from x-amzn-query-error
    assert err["Error"]["QueryErrorCode"] == "InvalidParameterValueException"
    assert "Period" in err["Error"]["Message"]
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "InvalidParameterValue;Sender"

    # An operation of the model the simulator does not implement.
    implemented = set(server.cloud.service("cloudwatch").operations)
    missing = sorted(set(_CW.operation_names) - implemented)
    assert missing, "every CloudWatch operation is implemented: pick another unknown-operation check"
    # Prefer one without required members (botocore's validation varies between releases).
    missing.sort(key=lambda op: (bool(_CW.operation_model(op).input_shape
                                      and _CW.operation_model(op).input_shape.required_members), op))
    method = cw.meta.method_to_api_mapping
    name = next(m for m, op in method.items() if op == missing[0])
    try:
        getattr(cw, name)(**_minimal_params(missing[0]))
    except ClientError as e:
        assert e.response["Error"]["Code"] == "UnknownOperationException"
    else:  # pragma: no cover
        raise AssertionError(f"{missing[0]} answered")


def _minimal_params(op):
    """Required members of an operation's input, filled with plain values."""
    shape = _CW.operation_model(op).input_shape
    if shape is None:
        return {}

    def fill(s):
        return {"string": "x", "integer": 1, "long": 1, "double": 1.0, "boolean": True,
                "timestamp": T0, "blob": b"x", "list": [], "map": {}}.get(
            s.type_name, {m: fill(s.members[m]) for m in s.required_members} if s.type_name == "structure" else None)
    return fill(shape)


def _raw(server, body, headers=None, path="/service/GraniteServiceVersion20100801/operation/ListMetrics"):
    req = urllib.request.Request(server.url + path, data=body, method="POST", headers={
        "Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", **(headers or {})})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_raw_cbor_requests(server):
    status, headers, body = _raw(server, b"")
    assert status == 200 and headers["smithy-protocol"] == "rpc-v2-cbor"
    assert loads(body) == {"Metrics": []}
    status, headers, body = _raw(server, b"\xa1\x69Namespace")  # truncated
    assert status == 400 and loads(body)["__type"].endswith("#SerializationException")
    status, headers, body = _raw(server, dumps({"Namespace": 5}))  # wrong type for a string member
    assert status == 400 and "can not be converted to a String" in loads(body)["message"]
    status, headers, body = _raw(server, dumps([1]))
    assert status == 400 and loads(body)["__type"].endswith("#SerializationException")
    status, headers, body = _raw(server, b"", path="/service/GraniteServiceVersion20100801/operation/NoSuchOp")
    assert status == 404 and loads(body)["__type"].endswith("UnknownOperationException")
    status, headers, body = _raw(server, b"", path="/service/Kinesis_20131202/operation/ListStreams")
    assert status == 404 and "cloudwatch" in loads(body)["message"]
    # An indefinite-length map, as other SDKs may send it, reads the same.
    status, _, body = _raw(server, b"\xbf\x69Namespace\x64Shop\xff")
    assert status == 200 and loads(body) == {"Metrics": []}
