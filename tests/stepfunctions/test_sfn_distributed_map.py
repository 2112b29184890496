"""Distributed Map for real: ItemReader / ResultWriter over the simulated S3, child executions,
Map Runs (DescribeMapRun, ListMapRuns, UpdateMapRun, ListExecutions(mapRunArn)).

Shapes: DG input-output-itemreader (listObjectsV2 items ``{Etag, Key, LastModified, Size,
StorageClass}``), DG input-output-resultwriter (``{MapRunArn, ResultWriterDetails: {Bucket,
Key: <Prefix>/<map run id>/manifest.json}}``), API DescribeMapRun / ListMapRuns / UpdateMapRun.
"""

from __future__ import annotations

import gzip
import json
import re

from serverless_sim import Cloud

from sfn_helpers import make, types

PASS = {"P": {"Type": "Pass", "End": True}}


def dmap(extra: dict, states: dict | None = None, start: str = "P", etype: str = "STANDARD",
         **top: object) -> dict:
    st = {"Type": "Map", "End": True, "Label": "Lbl",
          "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": etype},
                            "StartAt": start, "States": states or PASS}}
    st.update(extra)
    return {"StartAt": "M", "States": {"M": st}, **top}


def s3_cloud(objects: dict[str, bytes | str]) -> Cloud:
    cloud = Cloud(seed=3)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="in-bkt")
    s3.create_bucket(Bucket="out-bkt")
    for k, v in objects.items():
        s3.put_object(Bucket="in-bkt", Key=k, Body=v.encode() if isinstance(v, str) else v)
    return cloud


def start(cloud: Cloud, definition: dict, inp: object = None) -> tuple:
    n = len(cloud.service("stepfunctions").machines)
    _, sfn, arn = make(definition, cloud=cloud, name="sm" if n == 0 else f"sm{n}")
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(inp or {}))["executionArn"]
    return sfn, ex


def finish(cloud: Cloud, sfn, ex: str) -> dict:
    cloud.run_until_idle()
    return sfn.describe_execution(executionArn=ex)


def reader(key: str, **cfg: object) -> dict:
    return {"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                           "ReaderConfig": cfg,
                           "Parameters": {"Bucket": "in-bkt", "Key": key}}}


def test_json_reader_child_executions_and_map_run():
    cloud = s3_cloud({"items.json": json.dumps([{"n": 1}, {"n": 2}, {"n": 3}])})
    sfn, ex = start(cloud, dmap({**reader("items.json", InputType="JSON"),
                                 "ItemSelector": {"v.$": "$$.Map.Item.Value.n",
                                                  "i.$": "$$.Map.Item.Index"}}))
    desc = finish(cloud, sfn, ex)
    assert desc["status"] == "SUCCEEDED", desc
    assert json.loads(desc["output"]) == [{"v": 1, "i": 0}, {"v": 2, "i": 1}, {"v": 3, "i": 2}]
    t = types(sfn, ex)
    assert t == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                 "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    [run] = sfn.list_map_runs(executionArn=ex)["mapRuns"]
    mr = run["mapRunArn"]
    assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:mapRun:sm/Lbl:[0-9a-f-]{36}", mr)
    hist = sfn.get_execution_history(executionArn=ex)["events"]
    assert hist[3]["mapRunStartedEventDetails"] == {"mapRunArn": mr}
    d = sfn.describe_map_run(mapRunArn=mr)
    assert d["status"] == "SUCCEEDED" and d["executionArn"] == ex
    assert d["itemCounts"]["succeeded"] == 3 and d["itemCounts"]["total"] == 3
    assert d["executionCounts"]["succeeded"] == 3
    children = sfn.list_executions(mapRunArn=mr)["executions"]
    assert len(children) == 3
    for c in children:
        assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:execution:sm/Lbl:"
                            r"[0-9a-f-]{36}", c["executionArn"])
        assert c["executionArn"].endswith(":" + c["name"])
        assert c["stateMachineArn"].endswith(":stateMachine:sm/Lbl")
        assert c["mapRunArn"] == mr and c["status"] == "SUCCEEDED"
        cd = sfn.describe_execution(executionArn=c["executionArn"])
        assert cd["mapRunArn"] == mr
        assert types(sfn, c["executionArn"]) == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
        sm = sfn.describe_state_machine_for_execution(executionArn=c["executionArn"])
        assert sm["mapRunArn"] == mr and sm["label"] == "Lbl"
    # children are not listed under the parent state machine
    parent_sm = sfn.describe_execution(executionArn=ex)["stateMachineArn"]
    assert len(sfn.list_executions(stateMachineArn=parent_sm)["executions"]) == 1


def test_jsonl_csv_and_max_items():
    cloud = s3_cloud({
        "a.jsonl": '{"x": 1}\n\n{"x": 2}\n{"x": 3}\n',
        "b.csv": "id,name\n1,ann\n2,bob\n",
        "c.csv": "7|x\n8|y\n",
    })
    sfn, ex = start(cloud, dmap(reader("a.jsonl", InputType="JSONL", MaxItems=2)))
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [{"x": 1}, {"x": 2}]
    sfn, ex = start(cloud, dmap(reader("b.csv", InputType="CSV",
                                       CSVHeaderLocation="FIRST_ROW")))
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [{"id": "1", "name": "ann"},
                                                             {"id": "2", "name": "bob"}]
    sfn, ex = start(cloud, dmap(reader("c.csv", InputType="CSV", CSVHeaderLocation="GIVEN",
                                       CSVHeaders=["n", "s"], CSVDelimiter="PIPE")))
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [{"n": "7", "s": "x"},
                                                             {"n": "8", "s": "y"}]


def test_list_objects_v2_reader():
    cloud = s3_cloud({"p/a.txt": "aa", "p/b.txt": "bbb", "q/c.txt": "c"})
    sfn, ex = start(cloud, dmap({"ItemReader": {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket": "in-bkt", "Prefix.$": "$.prefix"}}}), {"prefix": "p/"})
    out = json.loads(finish(cloud, sfn, ex)["output"])
    assert [o["Key"] for o in out] == ["p/a.txt", "p/b.txt"]
    assert out[1]["Size"] == 3 and out[1]["StorageClass"] == "STANDARD"
    assert out[1]["Etag"].startswith('"') and type(out[1]["LastModified"]) is int


def test_manifest_reader():
    inv = gzip.compress(b'"in-bkt","k1"\n"in-bkt","k2"\n')
    manifest = {"sourceBucket": "in-bkt", "destinationBucket": "arn:aws:s3:::in-bkt",
                "fileFormat": "CSV", "fileSchema": "Bucket, Key",
                "files": [{"key": "inv/data.csv.gz", "size": len(inv)}]}
    cloud = s3_cloud({"inv/data.csv.gz": inv, "inv/manifest.json": json.dumps(manifest)})
    sfn, ex = start(cloud, dmap(reader("inv/manifest.json", InputType="MANIFEST")))
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [
        {"Bucket": "in-bkt", "Key": "k1"}, {"Bucket": "in-bkt", "Key": "k2"}]


def test_item_reader_failures_are_catchable():
    cloud = s3_cloud({"obj.json": '{"not": "an array"}'})
    for key, needle in (("missing.json", "NoSuchKey"), ("obj.json", "non-iterable")):
        d = dmap(reader(key, InputType="JSON"))
        d["States"]["M"].pop("End")
        d["States"]["M"]["Next"] = "Ok"
        d["States"]["M"]["Catch"] = [{"ErrorEquals": ["States.ItemReaderFailed"],
                                      "Next": "Ok"}]
        d["States"]["Ok"] = {"Type": "Pass", "End": True}
        sfn, ex = start(cloud, d)
        out = json.loads(finish(cloud, sfn, ex)["output"])
        assert out["Error"] == "States.ItemReaderFailed" and needle in out["Cause"], out


def test_result_writer_to_s3_with_tolerated_failures():
    states = {"C": {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericEquals": 2, "Next": "F"}], "Default": "P"},
        "F": {"Type": "Fail", "Error": "Bad", "Cause": "two"},
        "P": {"Type": "Pass", "Result": "ok", "End": True}}
    cloud = s3_cloud({})
    sfn, ex = start(cloud, dmap({
        "ItemsPath": "$.items", "ToleratedFailurePercentage": 50,
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject",
                         "Parameters": {"Bucket": "out-bkt", "Prefix": "runs"}}},
        states, start="C"), {"items": [{"n": 1}, {"n": 2}, {"n": 3}]})
    desc = finish(cloud, sfn, ex)
    assert desc["status"] == "SUCCEEDED", desc
    out = json.loads(desc["output"])
    mr = out["MapRunArn"]
    run_id = mr.rsplit(":", 1)[1]
    assert out["ResultWriterDetails"] == {"Bucket": "out-bkt",
                                          "Key": f"runs/{run_id}/manifest.json"}
    s3 = cloud.client("s3")
    manifest = json.loads(s3.get_object(Bucket="out-bkt",
                                        Key=f"runs/{run_id}/manifest.json")["Body"].read())
    assert manifest["DestinationBucket"] == "out-bkt" and manifest["MapRunArn"] == mr
    files = manifest["ResultFiles"]
    assert files["PENDING"] == [] and [f["Key"] for f in files["SUCCEEDED"]] == [
        f"runs/{run_id}/SUCCEEDED_0.json"]
    ok = json.loads(s3.get_object(Bucket="out-bkt", Key=files["SUCCEEDED"][0]["Key"])
                    ["Body"].read())
    assert files["SUCCEEDED"][0]["Size"] == len(json.dumps(ok, separators=(",", ":")))
    assert [(r["Status"], json.loads(r["Input"]), json.loads(r["Output"])) for r in ok] == [
        ("SUCCEEDED", {"n": 1}, "ok"), ("SUCCEEDED", {"n": 3}, "ok")]
    assert ok[0]["StateMachineArn"].endswith(":stateMachine:sm/Lbl")
    bad = json.loads(s3.get_object(Bucket="out-bkt", Key=files["FAILED"][0]["Key"])
                     ["Body"].read())
    assert [(r["Status"], r["Error"], r["Cause"]) for r in bad] == [("FAILED", "Bad", "two")]
    d = sfn.describe_map_run(mapRunArn=mr)
    assert d["itemCounts"]["failed"] == 1 and d["itemCounts"]["succeeded"] == 2
    assert d["itemCounts"]["resultsWritten"] == 3
    assert d["toleratedFailurePercentage"] == 50.0


def test_exceeding_tolerated_failures_across_children():
    states = {"F": {"Type": "Fail", "Error": "Bad"}}
    cloud = Cloud(seed=3)
    sfn2, ex2 = start(cloud, dmap({"ItemsPath": "$.i", "ToleratedFailureCount": 1}, states,
                                  start="F"), {"i": [1, 2, 3]})
    desc = finish(cloud, sfn2, ex2)
    assert desc["status"] == "FAILED"
    assert desc["error"] == "States.ExceedToleratedFailureThreshold"
    assert "MapRunFailed" in types(sfn2, ex2)
    [run] = sfn2.list_map_runs(executionArn=ex2)["mapRuns"]
    assert sfn2.describe_map_run(mapRunArn=run["mapRunArn"])["status"] == "FAILED"


def test_result_writer_failure_is_states_result_writer_failed():
    cloud = Cloud(seed=3)
    sfn, ex = start(cloud, dmap({"ItemsPath": "$.i", "ResultWriter": {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "no-such-bucket", "Prefix": "x"}}}), {"i": [1]})
    desc = finish(cloud, sfn, ex)
    assert desc["status"] == "FAILED" and desc["error"] == "States.ResultWriterFailed"
    assert "NoSuchBucket" in desc["cause"]


def test_writer_config_only_flattens_the_state_output():
    states = {"P": {"Type": "Pass", "Parameters": {"a.$": "States.Array($, $)"},
                    "OutputPath": "$.a", "End": True}}
    cloud = Cloud(seed=3)
    sfn, ex = start(cloud, dmap({"ItemsPath": "$.i", "ResultWriter": {
        "WriterConfig": {"Transformation": "FLATTEN", "OutputType": "JSON"}}}, states),
        {"i": [1, 2]})
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [1, 1, 2, 2]


def test_express_children_have_express_arns_and_no_history():
    cloud = Cloud(seed=3)
    sfn, ex = start(cloud, dmap({"ItemsPath": "$.i", "ItemBatcher": {"MaxItemsPerBatch": 2}},
                                etype="EXPRESS"), {"i": [1, 2, 3]})
    desc = finish(cloud, sfn, ex)
    assert json.loads(desc["output"]) == [{"Items": [1, 2]}, {"Items": [3]}]
    [run] = sfn.list_map_runs(executionArn=ex)["mapRuns"]
    kids = sfn.list_executions(mapRunArn=run["mapRunArn"])["executions"]
    assert sorted(k["itemCount"] for k in kids) == [1, 2]
    for k in kids:
        assert re.fullmatch(r"arn:aws:states:us-east-1:123456789012:express:sm/Lbl:"
                            r"[0-9a-f-]{36}:[0-9a-f-]{36}", k["executionArn"])
    d = sfn.describe_map_run(mapRunArn=run["mapRunArn"])
    assert d["itemCounts"]["total"] == 3 and d["executionCounts"]["total"] == 2


def test_update_map_run_max_concurrency_and_stop():
    states = {"W": {"Type": "Wait", "Seconds": 10, "End": True}}
    cloud = Cloud(seed=3)
    sfn, ex = start(cloud, dmap({"ItemsPath": "$.i", "MaxConcurrency": 1}, states, start="W"),
                    {"i": [1, 2, 3, 4]})
    cloud.advance(1)
    [run] = sfn.list_map_runs(executionArn=ex)["mapRuns"]
    mr = run["mapRunArn"]
    d = sfn.describe_map_run(mapRunArn=mr)
    assert d["maxConcurrency"] == 1 and d["itemCounts"]["running"] == 1
    assert d["itemCounts"]["pending"] == 3
    sfn.update_map_run(mapRunArn=mr, maxConcurrency=4)
    cloud.advance(1)
    assert sfn.describe_map_run(mapRunArn=mr)["itemCounts"]["running"] == 4
    cloud.advance(8.5)                  # the first child (started at 0 s) ends at 10 s
    sfn.stop_execution(executionArn=ex)
    cloud.run_until_idle()
    d = sfn.describe_map_run(mapRunArn=mr)
    assert d["status"] == "ABORTED" and "stopDate" in d
    assert d["itemCounts"]["aborted"] == 3 and d["itemCounts"]["succeeded"] == 1
    assert "MapRunAborted" in types(sfn, ex)
    kids = sfn.list_executions(mapRunArn=mr, statusFilter="ABORTED")["executions"]
    assert len(kids) == 3
    try:
        sfn.describe_map_run(mapRunArn=mr + "x")
        raise AssertionError("expected ResourceNotFound")
    except sfn.exceptions.ResourceNotFound:
        pass


def test_jsonata_item_reader_arguments():
    cloud = s3_cloud({"j.json": "[5, 6]"})
    d = dmap({"ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                             "ReaderConfig": {"InputType": "JSON"},
                             "Arguments": {"Bucket": "in-bkt", "Key": "{% $states.input.k %}"}}},
             QueryLanguage="JSONata")
    sfn, ex = start(cloud, d, {"k": "j.json"})
    assert json.loads(finish(cloud, sfn, ex)["output"]) == [5, 6]
