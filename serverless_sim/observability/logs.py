"""CloudWatch Logs: the log lines services write, readable with the Logs API.

Services (and user code) write through :meth:`CloudWatchLogs.write`; the wire operations are
CreateLogGroup, DeleteLogGroup, DescribeLogGroups, CreateLogStream, DeleteLogStream,
DescribeLogStreams, PutLogEvents, GetLogEvents and FilterLogEvents. API reference:
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/Welcome.html

Filter patterns (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):
terms (all must occur, case-sensitive), ``"quoted phrases"``, ``?term`` (any of these),
``-term`` (must not occur), and JSON patterns ``{ $.a.b = "x" }`` with ``= != < <= > >=``,
``*`` wildcards in string values, ``&&`` and ``||``. Deviation: space-delimited ``[a, b]``
patterns and regular expressions are not supported (InvalidParameterException).

Complexity: writing is O(1) amortised; reading a stream O(log n + k) by time (events of a stream
are kept in timestamp order, as AWS requires them to arrive).
"""

from __future__ import annotations

import base64
import bisect
import fnmatch
import json
import re
from typing import Any, Callable

from ..kernel.errors import AWSError
from ..kernel.service import Service, operation


class LogsError(AWSError):
    service = "logs"


class ResourceNotFoundException(LogsError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(LogsError):
    code = "ResourceAlreadyExistsException"


class InvalidParameterException(LogsError):
    code = "InvalidParameterException"


ERRORS: dict[str, type[AWSError]] = {
    "ResourceNotFoundException": ResourceNotFoundException,
    "ResourceAlreadyExistsException": ResourceAlreadyExistsException,
    "InvalidParameterException": InvalidParameterException,
}

#: PutLogEvents quotas (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
#: 10,000 events and 1,048,576 bytes per batch (each event counts 26 bytes more), 24 h span.
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000
#: Events older than 14 days or more than 2 hours in the future are rejected.
TOO_OLD_MS = 14 * 24 * 3600 * 1000
TOO_NEW_MS = 2 * 3600 * 1000
#: GetLogEvents / FilterLogEvents return at most 10,000 events per call.
MAX_EVENTS = 10_000
#: DescribeLogGroups / DescribeLogStreams return at most 50 per page.
MAX_DESCRIBE = 50


class LogEvent:
    __slots__ = ("timestamp", "message", "ingestion_time", "event_id")

    def __init__(self, timestamp: int, message: str, ingestion_time: int, event_id: str) -> None:
        self.timestamp = timestamp
        self.message = message
        self.ingestion_time = ingestion_time
        self.event_id = event_id


class LogStream:
    def __init__(self, name: str, created_ms: int, arn: str) -> None:
        self.name = name
        self.created_ms = created_ms
        self.arn = arn
        self.events: list[LogEvent] = []
        self.times: list[int] = []  # timestamps, parallel to events, for bisect
        self.stored_bytes = 0

    def append(self, event: LogEvent) -> None:
        if self.times and event.timestamp < self.times[-1]:
            i = bisect.bisect_right(self.times, event.timestamp)
            self.times.insert(i, event.timestamp)
            self.events.insert(i, event)
        else:
            self.times.append(event.timestamp)
            self.events.append(event)
        self.stored_bytes += len(event.message.encode())

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logStreamName": self.name,
            "creationTime": self.created_ms,
            "arn": self.arn,
            "storedBytes": 0,  # AWS reports 0 here (deprecated field)
        }
        if self.events:
            out["firstEventTimestamp"] = self.times[0]
            out["lastEventTimestamp"] = self.times[-1]
            out["lastIngestionTime"] = max(e.ingestion_time for e in self.events[-50:])
        return out


class LogGroup:
    def __init__(self, name: str, created_ms: int, arn: str) -> None:
        self.name = name
        self.created_ms = created_ms
        self.arn = arn
        self.retention_days: int | None = None
        self.streams: dict[str, LogStream] = {}

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": self.created_ms,
            "metricFilterCount": 0,
            "arn": self.arn + ":*",
            "logGroupArn": self.arn,
            "storedBytes": sum(s.stored_bytes for s in self.streams.values()),
            "logGroupClass": "STANDARD",
        }
        if self.retention_days is not None:
            out["retentionInDays"] = self.retention_days
        return out


# -- filter patterns --------------------------------------------------------------------------
_JSON_CMP = re.compile(
    r"""\s*\$((?:\.[A-Za-z0-9_\-]+|\[\d+\])+)\s*(=|!=|<=|>=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s&|)]+)\s*"""
)


def _json_lookup(doc: Any, path: str) -> Any:
    for part in re.findall(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]", path):
        key, index = part
        if key:
            if not isinstance(doc, dict) or key not in doc:
                return _MISSING
            doc = doc[key]
        else:
            if not isinstance(doc, list) or int(index) >= len(doc):
                return _MISSING
            doc = doc[int(index)]
    return doc


_MISSING = object()


def _compile_json_pattern(body: str) -> Callable[[str], bool]:
    disjuncts = []
    for alt in body.split("||"):
        conj = []
        for part in alt.split("&&"):
            part = part.strip().strip("()").strip()
            m = _JSON_CMP.fullmatch(part)
            if not m:
                raise InvalidParameterException("Invalid filter pattern")
            path, op, raw = m.groups()
            conj.append((path, op, raw))
        disjuncts.append(conj)

    def test(path: str, op: str, raw: str, doc: Any) -> bool:
        value = _json_lookup(doc, path)
        if value is _MISSING:
            return False
        if raw.startswith('"'):
            want = json.loads(raw)
            if op not in ("=", "!="):
                return False
            hit = isinstance(value, str) and fnmatch.fnmatchcase(value, want)
            return hit if op == "=" else not hit
        try:
            num = float(raw)
        except ValueError:
            if raw in ("true", "false", "null"):
                target = {"true": True, "false": False, "null": None}[raw]
                return (value == target) if op == "=" else (value != target)
            hit = isinstance(value, str) and fnmatch.fnmatchcase(value, raw)
            return hit if op == "=" else not hit
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return op == "!="
        return {
            "=": value == num, "!=": value != num, "<": value < num,
            "<=": value <= num, ">": value > num, ">=": value >= num,
        }[op]

    def match(message: str) -> bool:
        try:
            doc = json.loads(message)
        except ValueError:
            return False
        return any(all(test(p, o, r, doc) for p, o, r in conj) for conj in disjuncts)

    return match


def compile_filter_pattern(pattern: str | None) -> Callable[[str], bool]:
    """Compile a CloudWatch Logs filter pattern (see the module docstring) to a predicate."""
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        if not text.endswith("}"):
            raise InvalidParameterException("Invalid filter pattern")
        return _compile_json_pattern(text[1:-1])
    if text.startswith("[") or text.startswith("%"):
        raise InvalidParameterException(
            "Space-delimited and regular-expression filter patterns are not supported by this "
            "simulator"
        )
    tokens = re.findall(r'[?-]?"(?:[^"\\]|\\.)*"|\S+', text)
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for tok in tokens:
        kind = ""
        if tok[0] in "?-" and len(tok) > 1:
            kind, tok = tok[0], tok[1:]
        if tok.startswith('"') and tok.endswith('"') and len(tok) >= 2:
            tok = json.loads(tok)
        {"": required, "?": optional, "-": excluded}[kind].append(tok)

    def match(message: str) -> bool:
        if any(t not in message for t in required):
            return False
        if optional and not any(t in message for t in optional):
            return False
        return not any(t in message for t in excluded)

    return match


def _encode_token(data: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(data, sort_keys=True).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.b64decode(token.encode(), validate=True))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except (ValueError, TypeError) as exc:
        raise InvalidParameterException("The specified nextToken is not valid.") from exc


class CloudWatchLogs(Service):
    """Log groups, streams and events on the virtual clock."""

    service_name = "logs"
    errors = ERRORS

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.groups: dict[str, LogGroup] = {}
        self._event_seq = 0

    # -- native API -----------------------------------------------------------------------
    def _now_ms(self) -> int:
        return self.cloud.now_us // 1000

    def _group(self, name: str, create: bool = False) -> LogGroup:
        group = self.groups.get(name)
        if group is None:
            if not create:
                raise ResourceNotFoundException("The specified log group does not exist.")
            group = self.groups[name] = LogGroup(
                name, self._now_ms(), self.cloud.arn("logs", f"log-group:{name}")
            )
        return group

    def _stream(self, group: LogGroup, name: str, create: bool = False) -> LogStream:
        stream = group.streams.get(name)
        if stream is None:
            if not create:
                raise ResourceNotFoundException("The specified log stream does not exist.")
            stream = group.streams[name] = LogStream(
                name, self._now_ms(), f"{group.arn}:log-stream:{name}"
            )
        return stream

    def write(self, group: str, stream: str, message: str, timestamp_ms: int | None = None) -> None:
        """Append one log line (creating the group and stream as a service's first write does)."""
        st = self._stream(self._group(group, create=True), stream, create=True)
        now = self._now_ms()
        self._event_seq += 1
        st.append(
            LogEvent(now if timestamp_ms is None else timestamp_ms, message, now, f"{self._event_seq:056d}")
        )

    def lines(self, group: str, stream: str | None = None) -> list[str]:
        """The messages of a group (one stream, or all streams interleaved by time)."""
        g = self._group(group)
        streams = [self._stream(g, stream)] if stream is not None else list(g.streams.values())
        events = sorted(
            ((e.timestamp, e.event_id, e.message) for s in streams for e in s.events)
        )
        return [m for _, _, m in events]

    # -- wire operations ------------------------------------------------------------------
    @operation("CreateLogGroup")
    def create_log_group(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request.get("logGroupName")
        if not name or len(name) > 512 or not re.fullmatch(r"[\.\-_/#A-Za-z0-9]+", name):
            raise InvalidParameterException(
                f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
            )
        if name in self.groups:
            raise ResourceAlreadyExistsException("The specified log group already exists")
        self._group(name, create=True)
        return {}

    @operation("DeleteLogGroup")
    def delete_log_group(self, request: dict[str, Any]) -> dict[str, Any]:
        self._group(request.get("logGroupName", ""))
        del self.groups[request["logGroupName"]]
        return {}

    @operation("PutRetentionPolicy")
    def put_retention_policy(self, request: dict[str, Any]) -> dict[str, Any]:
        allowed = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                   2192, 2557, 2922, 3288, 3653}
        days = request.get("retentionInDays")
        if days not in allowed:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
                "satisfy constraint: Member must satisfy enum value set"
            )
        self._group(request.get("logGroupName", "")).retention_days = days
        return {}

    @operation("DescribeLogGroups")
    def describe_log_groups(self, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("logGroupNamePrefix", "")
        limit = request.get("limit", MAX_DESCRIBE)
        if not 1 <= limit <= MAX_DESCRIBE:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                "constraint: Member must have value less than or equal to 50"
            )
        names = sorted(n for n in self.groups if n.startswith(prefix))
        start = _decode_token(request["nextToken"])["i"] if request.get("nextToken") else 0
        page = names[start : start + limit]
        out: dict[str, Any] = {"logGroups": [self.groups[n].describe() for n in page]}
        if start + limit < len(names):
            out["nextToken"] = _encode_token({"i": start + limit})
        return out

    @operation("CreateLogStream")
    def create_log_stream(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        name = request.get("logStreamName")
        if not name or len(name) > 512 or ":" in name or "*" in name:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{name}' at 'logStreamName' failed to "
                "satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
            )
        if name in group.streams:
            raise ResourceAlreadyExistsException("The specified log stream already exists")
        self._stream(group, name, create=True)
        return {}

    @operation("DeleteLogStream")
    def delete_log_stream(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        self._stream(group, request.get("logStreamName", ""))
        del group.streams[request["logStreamName"]]
        return {}

    @operation("DescribeLogStreams")
    def describe_log_streams(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        prefix = request.get("logStreamNamePrefix", "")
        order = request.get("orderBy", "LogStreamName")
        if order == "LastEventTime" and prefix:
            raise InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix."
            )
        limit = request.get("limit", MAX_DESCRIBE)
        streams = [s for s in group.streams.values() if s.name.startswith(prefix)]
        if order == "LastEventTime":
            streams.sort(key=lambda s: (s.times[-1] if s.times else -1, s.name))
        else:
            streams.sort(key=lambda s: s.name)
        if request.get("descending"):
            streams.reverse()
        start = _decode_token(request["nextToken"])["i"] if request.get("nextToken") else 0
        page = streams[start : start + limit]
        out: dict[str, Any] = {"logStreams": [s.describe() for s in page]}
        if start + limit < len(streams):
            out["nextToken"] = _encode_token({"i": start + limit})
        return out

    @operation("PutLogEvents")
    def put_log_events(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        stream = self._stream(group, request.get("logStreamName", ""))
        events = request.get("logEvents") or []
        if not events:
            raise InvalidParameterException(
                "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"
            )
        if len(events) > MAX_BATCH_EVENTS:
            raise InvalidParameterException(
                f"1 validation error detected: Value at 'logEvents' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_BATCH_EVENTS}"
            )
        size = sum(len(e["message"].encode()) + EVENT_OVERHEAD for e in events)
        if size > MAX_BATCH_BYTES:
            raise InvalidParameterException(
                f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )
        stamps = [e["timestamp"] for e in events]
        if stamps != sorted(stamps):
            raise InvalidParameterException(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        if stamps[-1] - stamps[0] > MAX_BATCH_SPAN_MS:
            raise InvalidParameterException(
                "The batch of log events in a single PutLogEvents request cannot span more than "
                "24 hours."
            )
        now = self._now_ms()
        rejected: dict[str, int] = {}
        accepted = []
        for i, e in enumerate(events):
            if e["timestamp"] < now - TOO_OLD_MS:
                rejected["tooOldLogEventEndIndex"] = i + 1
            elif e["timestamp"] > now + TOO_NEW_MS:
                rejected.setdefault("tooNewLogEventStartIndex", i)
            else:
                accepted.append(e)
        for e in accepted:
            self._event_seq += 1
            stream.append(LogEvent(e["timestamp"], e["message"], now, f"{self._event_seq:056d}"))
        out: dict[str, Any] = {"nextSequenceToken": f"{self._event_seq:056d}"}
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    @staticmethod
    def _time_window(stream: LogStream, start: int | None, end: int | None) -> tuple[int, int]:
        lo = 0 if start is None else bisect.bisect_left(stream.times, start)
        hi = len(stream.times) if end is None else bisect.bisect_left(stream.times, end)
        return lo, max(lo, hi)

    @operation("GetLogEvents")
    def get_log_events(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        stream = self._stream(group, request.get("logStreamName", ""))
        limit = request.get("limit", MAX_EVENTS)
        if not 1 <= limit <= MAX_EVENTS:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                f"constraint: Member must have value less than or equal to {MAX_EVENTS}"
            )
        lo, hi = self._time_window(stream, request.get("startTime"), request.get("endTime"))
        token = request.get("nextToken")
        if token:
            data = _decode_token(token[2:] if token[:2] in ("f/", "b/") else token)
            if data.get("d") == "f":
                first = max(lo, min(hi, data["i"]))
                last = min(hi, first + limit)
            else:
                last = max(lo, min(hi, data["i"]))
                first = max(lo, last - limit)
        elif request.get("startFromHead"):
            first, last = lo, min(hi, lo + limit)
        else:
            first, last = max(lo, hi - limit), hi
        events = [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
            for e in stream.events[first:last]
        ]
        return {
            "events": events,
            "nextForwardToken": "f/" + _encode_token({"d": "f", "i": last}),
            "nextBackwardToken": "b/" + _encode_token({"d": "b", "i": first}),
        }

    @operation("FilterLogEvents")
    def filter_log_events(self, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(request.get("logGroupName", ""))
        names = request.get("logStreamNames")
        prefix = request.get("logStreamNamePrefix")
        if names and prefix:
            raise InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive"
            )
        if names:
            streams = [self._stream(group, n) for n in names]
        else:
            streams = [s for s in group.streams.values() if s.name.startswith(prefix or "")]
        match = compile_filter_pattern(request.get("filterPattern"))
        limit = request.get("limit", MAX_EVENTS)
        if not 1 <= limit <= MAX_EVENTS:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                f"constraint: Member must have value less than or equal to {MAX_EVENTS}"
            )
        start, end = request.get("startTime"), request.get("endTime")
        candidates = []
        for s in streams:
            lo, hi = self._time_window(s, start, end)
            for e in s.events[lo:hi]:
                candidates.append((e.timestamp, e.event_id, s.name, e))
        candidates.sort(key=lambda c: (c[0], c[1]))
        skip = _decode_token(request["nextToken"])["i"] if request.get("nextToken") else 0
        out_events: list[dict[str, Any]] = []
        position = 0
        index = skip
        for index in range(skip, len(candidates)):
            ts, eid, sname, e = candidates[index]
            if match(e.message):
                if len(out_events) == limit:
                    break
                out_events.append(
                    {
                        "logStreamName": sname,
                        "timestamp": ts,
                        "message": e.message,
                        "ingestionTime": e.ingestion_time,
                        "eventId": eid,
                    }
                )
            position = index + 1
        result: dict[str, Any] = {"events": out_events, "searchedLogStreams": []}
        if position < len(candidates) and len(out_events) == limit:
            result["nextToken"] = _encode_token({"i": position})
        return result
