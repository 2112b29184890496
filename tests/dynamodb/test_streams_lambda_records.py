"""Streams -> Lambda records: ``StreamRecord.to_lambda`` (built inline on the hot path) is the
GetRecords body (``_body``) plus the Lambda envelope, same keys, same order, for every view type
and event kind; and a poller's fast exit (nothing new since the last batch) changes nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_sim import Cloud

VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")

ops_st = st.lists(
    st.tuples(
        st.sampled_from(["put", "delete"]),
        st.sampled_from(["a", "b", "é"]),
        st.integers(0, 2),
        st.dictionaries(st.sampled_from(["x", "y", "tags", "m"]),
                        st.one_of(st.integers(0, 2000), st.text(max_size=4), st.booleans(), st.none(),
                                  st.lists(st.integers(0, 3), max_size=2)), max_size=3),
    ),
    min_size=1, max_size=12,
)


def _reference(rec, stream):
    out = {
        "eventID": rec.event_id,
        "eventName": rec.event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": stream.region,
        "dynamodb": rec._body(float(rec.time_us // 1_000_000)),
        "eventSourceARN": stream.arn,
    }
    if rec.identity is not None:
        out["userIdentity"] = {"type": rec.identity["Type"], "principalId": rec.identity["PrincipalId"]}
    return out


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(VIEWS), ops_st)
def test_to_lambda_is_the_wire_body_in_a_lambda_envelope(view, ops):
    cloud = Cloud(seed=3)
    ddb = cloud.dynamodb
    table = ddb.create_table("things", hash_key=("pk", "S"), range_key=("sk", "N"), stream=view)
    for op, pk, sk, extra in ops:
        if op == "put":
            table.put({**extra, "pk": pk, "sk": sk})
        else:
            table.delete((pk, sk))
        cloud.advance(0.3)
    arn = ddb.describe_table({"TableName": "things"})["Table"]["LatestStreamArn"]
    stream = ddb.streams.get(arn)
    records = list(stream.records())
    for rec in records:
        rec._size = None  # the inline path computes SizeBytes itself too
        got = rec.to_lambda()
        ref = _reference(rec, stream)
        assert got == ref
        assert list(got) == list(ref) and list(got["dynamodb"]) == list(ref["dynamodb"])
        # SizeBytes as item_size computes it (a fresh view: nothing cached by to_lambda)
        assert got["dynamodb"]["SizeBytes"] == _fresh(rec).size_bytes


def _fresh(rec):
    return type(rec)(rec.stream, rec.seq, rec.time_us, rec.kind, rec.image, rec.old, rec.identity)


def test_to_lambda_size_bytes_for_binary_and_non_ascii_keys():
    cloud = Cloud(seed=3)
    ddb = cloud.dynamodb
    table = ddb.create_table("bin", hash_key=("h", "B"), range_key=("r", "S"), stream="NEW_AND_OLD_IMAGES")
    table.put({"h": b"\x00\x01\x02", "r": "caf\u00e9", "v": 1})
    table.put({"h": b"\x00\x01\x02", "r": "caf\u00e9", "v": 2})
    arn = ddb.describe_table({"TableName": "bin"})["Table"]["LatestStreamArn"]
    records = list(ddb.streams.get(arn).records())
    assert [r.event_name for r in records] == ["INSERT", "MODIFY"]
    for rec in records:
        body = rec.to_lambda()["dynamodb"]
        # keys: "h" (1) + 3 bytes, "r" (1) + 5 UTF-8 bytes; plus the images the view carries
        keys_size = 1 + 3 + 1 + 5
        images = rec.image[0] + (rec.old[0] if rec.old is not None else 0) if rec.kind == 1 else rec.image[0]
        assert body["SizeBytes"] == keys_size + images == _fresh(rec).size_bytes


def _mapping_run(trace: str, writes: list[tuple[float, str]]) -> tuple[str, list[tuple[int, list[str]]]]:
    cloud = Cloud(seed=5, trace=trace)  # type: ignore[arg-type]
    ddb = cloud.dynamodb
    table = ddb.create_table("orders", hash_key=("pk", "S"), stream="NEW_IMAGE")
    lam = cloud.service("lambda")
    batches: list[tuple[int, list[str]]] = []
    lam.create_function_from_callable(
        "audit", lambda e, c: batches.append((cloud.now_us, [r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]])),
        duration=0.01, init_duration=0, virtual_time=False)
    arn = ddb.describe_table({"TableName": "orders"})["Table"]["LatestStreamArn"]
    lam.create_event_source_mapping({"EventSourceArn": arn, "FunctionName": "audit",
                                     "StartingPosition": "LATEST", "BatchSize": 3})
    for at, key in writes:
        cloud.scheduler.call_at_us(cloud.now_us + round(at * 1_000_000), table.put, {"pk": key})
    cloud.advance(30)
    return cloud.trace.digest(), batches


def test_records_written_while_a_batch_runs_are_read_when_it_ends():
    # Poll grid: every 250 ms from the mapping's start. "a" is polled at 0.25 s and its batch runs
    # 10 ms; "b" and "c" arrive meanwhile (c at the very instant the batch ends) and are read at
    # once when it ends, not at the next grid point; "d" after a quiet spell waits for the grid.
    writes = [(0.1, "a"), (0.255, "b"), (0.26, "c"), (1.1, "d")]
    digest, batches = _mapping_run("all", writes)
    start = batches[0][0] - 250_000
    assert [(t - start, keys) for t, keys in batches] == [
        (250_000, ["a"]), (260_000, ["b", "c"]), (1_250_000, ["d"])]
    assert _mapping_run("none", writes)[0] == digest
