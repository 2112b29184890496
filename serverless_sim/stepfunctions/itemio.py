"""A distributed Map's ItemReader and ResultWriter over the Cloud's S3 (its wire operations).

ItemReader (DG input-output-itemreader):

- ``arn:aws:states:::s3:getObject`` with ``Parameters {Bucket, Key[, VersionId]}`` and
  ``ReaderConfig.InputType``: ``JSON`` (the object is a JSON array), ``JSONL`` (one JSON value
  per non-empty line), ``CSV`` (``CSVHeaderLocation`` ``FIRST_ROW`` (default) or ``GIVEN`` with
  ``CSVHeaders``; ``CSVDelimiter`` COMMA (default), PIPE, SEMICOLON, SPACE, TAB; every item an
  object of header -> string value), ``MANIFEST`` (an S3 Inventory ``manifest.json``: its CSV
  (optionally gzip) files, columns named by ``fileSchema``);
- ``arn:aws:states:::s3:listObjectsV2`` with ``Parameters {Bucket[, Prefix]}``: every object
  (all pages) as ``{Etag, Key, LastModified (epoch seconds), Size, StorageClass}``;
- ``ReaderConfig.MaxItems`` (or ``MaxItemsPath``) keeps the first N items.

Failures (missing bucket/key, unparsable content, a JSON object that is not an array) are
``States.ItemReaderFailed``.

ResultWriter (DG input-output-resultwriter) with ``arn:aws:states:::s3:putObject`` and
``Parameters {Bucket, Prefix}`` writes, under ``<Prefix>/<map run uuid>/``, ``SUCCEEDED_0.json``,
``FAILED_0.json`` (failed, timed out and aborted children) and ``PENDING_0.json`` (items never
run) when they have entries, and ``manifest.json``
``{DestinationBucket, MapRunArn, ResultFiles: {FAILED, PENDING, SUCCEEDED: [{Key, Size}]}}``;
the state's result is ``{MapRunArn, ResultWriterDetails: {Bucket, Key}}`` (Key: the manifest).
``WriterConfig {Transformation: NONE | COMPACT | FLATTEN, OutputType: JSON | JSONL}``: NONE
(the default when exporting) writes each child's execution metadata (ExecutionArn, Input,
Output or Error/Cause, Status, dates...); COMPACT writes outputs only; FLATTEN flattens outputs
that are arrays. A failed child is always written with its metadata. A ResultWriter with only
WriterConfig transforms the state's result instead of exporting. Write failures are
``States.ResultWriterFailed``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from typing import TYPE_CHECKING, Any

from ..kernel.clock import datetime_to_us
from ..kernel.errors import AWSError
from .errors import StatesError

if TYPE_CHECKING:
    from .maprun import MapRun

GET_OBJECT = "arn:aws:states:::s3:getObject"
LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
PUT_OBJECT = "arn:aws:states:::s3:putObject"

_DELIMITERS = {"COMMA": ",", "PIPE": "|", "SEMICOLON": ";", "SPACE": " ", "TAB": "\t"}


def _reader_failed(message: str) -> StatesError:
    return StatesError("States.ItemReaderFailed", message)


def _s3(cloud: Any, action: str, request: dict[str, Any], error: str) -> Any:
    try:
        return cloud.service("s3").dispatch(action, request)
    except AWSError as err:
        raise StatesError(error, f"{err.message} (Service: S3, Status Code: {err.status}, "
                                 f"Error Code: {err.code})") from None


def _get_bytes(cloud: Any, bucket: Any, key: Any, version: Any = None) -> bytes:
    if type(bucket) is not str or type(key) is not str:
        raise _reader_failed("The ItemReader Parameters must contain the string fields "
                             "'Bucket' and 'Key'")
    req: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version is not None:
        req["VersionId"] = version
    body = _s3(cloud, "GetObject", req, "States.ItemReaderFailed")["Body"]
    raw = body.read() if hasattr(body, "read") else body
    return raw if isinstance(raw, bytes) else str(raw).encode()


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _reader_failed("The object is not valid UTF-8 text") from None


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            if row]


def _csv_items(text: str, cfg: dict[str, Any]) -> list[Any]:
    delim = _DELIMITERS.get(cfg.get("CSVDelimiter", "COMMA"))
    if delim is None:
        raise _reader_failed(f"Unsupported CSVDelimiter: {cfg.get('CSVDelimiter')}")
    rows = _csv_rows(text, delim)
    location = cfg.get("CSVHeaderLocation", "FIRST_ROW")
    if location == "GIVEN":
        headers = cfg.get("CSVHeaders")
        if type(headers) is not list or not headers:
            raise _reader_failed("CSVHeaders must be given when CSVHeaderLocation is GIVEN")
    elif location == "FIRST_ROW":
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    else:
        raise _reader_failed(f"Unsupported CSVHeaderLocation: {location}")
    out = []
    for row in rows:
        if len(row) > len(headers):
            raise _reader_failed(f"The CSV row has more fields ({len(row)}) than headers "
                                 f"({len(headers)})")
        out.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(headers)})
    return out


def _manifest_items(cloud: Any, raw: bytes) -> list[Any]:
    try:
        manifest = json.loads(_text(raw))
    except ValueError:
        raise _reader_failed("The manifest is not valid JSON") from None
    if type(manifest) is not dict or type(manifest.get("files")) is not list:
        raise _reader_failed("The manifest has no 'files' array")
    if manifest.get("fileFormat", "CSV") != "CSV":
        raise _reader_failed(f"Unsupported inventory file format: {manifest.get('fileFormat')}")
    schema = [c.strip() for c in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
    dest = str(manifest.get("destinationBucket", ""))
    bucket = dest.rsplit(":", 1)[-1] if dest.startswith("arn:") else dest
    out: list[Any] = []
    for entry in manifest["files"]:
        data = _get_bytes(cloud, bucket, (entry or {}).get("key"))
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        for row in _csv_rows(_text(data), ","):
            out.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(schema)})
    return out


def read_s3_items(cloud: Any, resource: str, params: Any, cfg: dict[str, Any],
                  max_items: int | None) -> list[Any]:
    """The items of an S3 ItemReader (see the module docstring)."""
    if type(params) is not dict:
        raise _reader_failed("The ItemReader Parameters must be an object")
    if resource == LIST_OBJECTS:
        bucket = params.get("Bucket")
        if type(bucket) is not str:
            raise _reader_failed("The ItemReader Parameters must contain the string field "
                                 "'Bucket'")
        req = {k: v for k, v in params.items() if k in ("Bucket", "Prefix", "Delimiter",
                                                       "StartAfter", "EncodingType")}
        out: list[Any] = []
        while True:
            resp = _s3(cloud, "ListObjectsV2", req, "States.ItemReaderFailed")
            for o in resp.get("Contents", []):
                out.append({"Etag": o["ETag"], "Key": o["Key"],
                            "LastModified": datetime_to_us(o["LastModified"]) // 1_000_000,
                            "Size": o["Size"], "StorageClass": o.get("StorageClass", "STANDARD")})
                if max_items and len(out) >= max_items:
                    return out
            if not resp.get("IsTruncated"):
                return out
            req = dict(req, ContinuationToken=resp["NextContinuationToken"])
    if resource != GET_OBJECT:
        raise _reader_failed(f"Unsupported ItemReader resource: {resource}")
    raw = _get_bytes(cloud, params.get("Bucket"), params.get("Key"), params.get("VersionId"))
    kind = cfg.get("InputType", "JSON")
    if kind == "JSON":
        try:
            items = json.loads(_text(raw))
        except ValueError as exc:
            raise _reader_failed(f"The object is not valid JSON: {exc}") from None
        if type(items) is not list:
            raise _reader_failed("Attempting to map over non-iterable node.")
    elif kind == "JSONL":
        items = []
        for n, line in enumerate(_text(raw).splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except ValueError:
                    raise _reader_failed(f"Line {n} of the object is not valid JSON") from None
    elif kind == "CSV":
        items = _csv_items(_text(raw), cfg)
    elif kind == "MANIFEST":
        items = _manifest_items(cloud, raw)
    else:
        raise _reader_failed(f"Unsupported InputType: {kind}")
    return items


# -- ResultWriter ------------------------------------------------------------------------------
def _iso(us: int) -> str:
    from .executions import iso_ms

    return iso_ms(us)


def _dumps(v: Any) -> str:
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if type(v) is list:
            out.extend(v)
        else:
            out.append(v)
    return out


def transform(results: list[Any], cfg: dict[str, Any]) -> list[Any]:
    """WriterConfig.Transformation applied to the state's result (no export)."""
    if cfg.get("Transformation") == "FLATTEN":
        return _flatten(results)
    return results


def _metadata(ex: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ExecutionArn": ex.arn, "Input": ex.input_text, "InputDetails": {"Included": True},
        "Name": ex.name, "RedriveCount": ex.redrive_count,
        "RedriveStatus": "NOT_REDRIVABLE" if ex.status == "SUCCEEDED"
        else "REDRIVABLE_BY_MAP_RUN",
        "StartDate": _iso(ex.start_us), "StateMachineArn": ex.machine_arn,
        "Status": ex.status, "StopDate": _iso(ex.stop_us or ex.start_us),
    }
    if ex.status == "SUCCEEDED":
        row["Output"] = _dumps(ex.output)
        row["OutputDetails"] = {"Included": True}
    else:
        if ex.error is not None:
            row["Error"] = ex.error
        if ex.cause is not None:
            row["Cause"] = ex.cause
    return row


def write_s3_results(service: Any, run: "MapRun", params: Any, cfg: dict[str, Any],
                     items: list[Any]) -> dict[str, Any]:
    """Export a Map Run's child results to S3; returns the state's result."""
    if type(params) is not dict or type(params.get("Bucket")) is not str:
        raise StatesError("States.ResultWriterFailed", "The ResultWriter Parameters must "
                                                       "contain the string field 'Bucket'")
    bucket = params["Bucket"]
    prefix = str(params.get("Prefix") or "").rstrip("/")
    base = f"{prefix}/{run.uuid}" if prefix else run.uuid
    transformation = cfg.get("Transformation", "NONE")
    jsonl = cfg.get("OutputType", "JSON") == "JSONL"
    groups: dict[str, list[Any]] = {"SUCCEEDED": [], "FAILED": [], "PENDING": []}
    for i in range(len(run.sizes)):
        arn = run.children.get(i)
        ex = service.executions.get(arn) if arn is not None else None
        if ex is None:
            groups["PENDING"].append({"Input": _dumps(items[i] if i < len(items) else None)})
            continue
        if ex.status == "SUCCEEDED":
            if transformation == "NONE":
                groups["SUCCEEDED"].append(_metadata(ex))
            elif transformation == "FLATTEN" and type(ex.output) is list:
                groups["SUCCEEDED"].extend(ex.output)
            else:
                groups["SUCCEEDED"].append(ex.output)
        else:
            groups["FAILED"].append(_metadata(ex))
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    cloud = service.cloud
    ext = "jsonl" if jsonl else "json"
    for status in ("SUCCEEDED", "FAILED", "PENDING"):
        rows = groups[status]
        if not rows:
            continue
        body = ("\n".join(_dumps(r) for r in rows) + "\n") if jsonl else _dumps(rows)
        data = body.encode()
        key = f"{base}/{status}_0.{ext}"
        _s3(cloud, "PutObject", {"Bucket": bucket, "Key": key, "Body": data,
                                 "ContentType": "application/json"},
            "States.ResultWriterFailed")
        files[status].append({"Key": key, "Size": len(data)})
    manifest = {"DestinationBucket": bucket, "MapRunArn": run.arn, "ResultFiles": files}
    key = f"{base}/manifest.json"
    _s3(cloud, "PutObject", {"Bucket": bucket, "Key": key, "Body": _dumps(manifest).encode(),
                             "ContentType": "application/json"}, "States.ResultWriterFailed")
    run.results_written = 1
    return {"MapRunArn": run.arn, "ResultWriterDetails": {"Bucket": bucket, "Key": key}}
