"""DynamoDB Streams: the change log of a table, its shards, and the ``dynamodbstreams`` service.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html):

* view types KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, fixed for the life of a stream
  (disable it and enable a new one to change it); re-enabling creates a **new** stream (ARN and
  label); the label is the creation instant ``YYYY-MM-DDTHH:MM:SS.mmm`` (UTC);
* every committed change writes one record (INSERT, MODIFY or REMOVE) - a write that changes
  nothing writes none (ScyllaDB Alternator's test_streams.py, run against DynamoDB). Each record
  appears exactly once; per item, records follow the order of its modifications;
* records are grouped in **shards**; a shard is open for about 4 hours (modelled: exactly
  ``stream_shard_lifetime`` seconds, default 14,400) and is then closed (it gets an
  EndingSequenceNumber) and a child shard (``ParentShardId`` = the old one) opens. Sequence
  numbers are decimal strings of 21-40 digits, increasing (here across the whole stream);
* **retention 24 hours**: a record older than that is trimmed. Reading at or after a trimmed
  sequence number raises ``TrimmedDataAccessException``; TRIM_HORIZON starts at the oldest record
  kept. A closed shard whose records are all trimmed disappears from DescribeStream;
* a disabled stream (or the stream of a deleted table) is DISABLED, its open shard is closed, and
  it stays readable for 24 hours, after which it is gone (``ResourceNotFoundException``);
* shard iterators are opaque strings valid **15 minutes** (then ``ExpiredIteratorException``);
  GetRecords returns at most **1,000** records and **1 MB** per call; while a shard is open
  ``NextShardIterator`` is always present (an empty page is not the end); once a closed shard is
  exhausted it is absent;
* records: ``eventID``, ``eventName``, ``eventVersion`` "1.1", ``eventSource`` "aws:dynamodb",
  ``awsRegion``, ``dynamodb`` {ApproximateCreationDateTime (rounded down to the second, as the
  API reference says), Keys, NewImage, OldImage (as the view type allows), SequenceNumber,
  SizeBytes, StreamViewType}, and ``userIdentity`` {Type: "Service", PrincipalId:
  "dynamodb.amazonaws.com"} for TTL deletions.

Known deviations: records are visible as soon as the write commits (AWS: "near-real time");
shards never split for throughput (one open shard per stream); ``StreamStatus`` goes ENABLING ->
ENABLED and DISABLING -> DISABLED after ``stream_status_delay`` seconds (default 0, so a new
stream is ENABLED at once); the 2-readers-per-shard and DescribeStream rate limits are not
enforced.

Native API (for Python users and for a Lambda event-source mapping, no iterator strings)::

    engine = cloud.dynamodb.streams            # this region's StreamsEngine
    stream = engine.get(stream_arn)
    for shard in stream.shards_now():          # oldest first, parents before children
        records = stream.read(shard.shard_id, after_seq=None, limit=100)   # list[StreamRecord]
        records[-1].seq, records[-1].to_wire(), records[-1].to_lambda()
    unsubscribe = stream.subscribe(lambda stream, shard, seq: ...)        # called on each record

Cost: a shard stores its records as columns (8-byte sequence offsets and times, a one-byte event
kind, a reference to the *stored*, immutable entry the view type needs - the new item, or the old
one for OLD_IMAGE, both for NEW_AND_OLD_IMAGES - so the write path does no copying and an entry the
view does not show is not kept alive); images are decoded only when read. About 25 bytes per
record plus the entries. Appending is O(1); reading is O(log n) to find the position plus O(k).
Records past the 24 h retention are dropped from memory within a simulated minute (from writes
and reads), so memory is bounded by the retention.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
from array import array
from bisect import bisect_left, bisect_right
try:
    # CPython's own MD5 (the OpenSSL one behind hashlib.md5 costs more to set up per digest); the
    # same digests. Used only for eventIDs (to_lambda), where the stream's prefix is hashed once.
    from _md5 import md5 as _md5_fast
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import md5 as _md5_fast
from typing import TYPE_CHECKING, Any, Callable, Iterator, cast

from ..kernel.service import Service, operation
from .errors import (
    ExpiredIteratorException,
    InternalServerError,
    LimitExceededException,
    ResourceNotFoundException,
    TrimmedDataAccessException,
    ValidationException,
)
from .table import _SCALAR, Table, _copy_value, decode
from .types import item_size, value_size, values_equal

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import DynamoDB

US = 1_000_000
#: DG:Streams: "stream records ... are removed automatically after 24 hours".
RETENTION_US = 24 * 3600 * US
#: API:GetShardIterator: "A shard iterator expires 15 minutes after it is returned".
ITERATOR_TTL_US = 15 * 60 * US
#: API:GetRecords: "up to 1 MB of data or 1000 stream records, whichever comes first".
MAX_RECORDS = 1000
MAX_BYTES = 1024 * 1024
#: How often (simulated) records past retention are dropped from memory.
TRIM_EVERY_US = 60 * US
#: API:DescribeStream / ListStreams: "The upper limit is 100".
MAX_LIST = 100
#: The first sequence number (21 digits, the shape's minimum length).
SEQ_BASE = 10**20
VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
ITERATOR_TYPES = ("TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class _HashPrefix:
    """An MD5 state after hashing ``text`` (copied, then updated, per digest). Copies and
    pickles (``Cloud.fork``) rebuild it from the text: hash objects cannot be copied that way."""

    __slots__ = ("text", "state")

    def __init__(self, text: str) -> None:
        self.text = text
        self.state = _md5_fast(text.encode())

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_HashPrefix, (self.text,))


def _dt_us(us: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(microseconds=us)


_PLAIN = frozenset({"S", "N", "B", "BOOL", "NULL"})


def same_item(old: tuple, new: tuple) -> bool:
    """True if two stored entries hold the same item (attribute order and set order aside).

    O(attributes); usually decided without decoding: numbers are stored in canonical text, so
    two different scalar values at the same place mean two different items.
    """
    if old is new:
        return True
    if old[0] != new[0] or len(old) != len(new):
        return False
    if old == new:
        return True
    if old[1::3] == new[1::3] and old[2::3] == new[2::3]:
        for i in range(3, len(old), 3):
            a = old[i]
            b = new[i]
            if a != b:
                tag = old[i - 1]
                if tag in _PLAIN or not values_equal({tag: a}, {tag: b}):
                    return False
        return True
    a = decode(old)
    b = decode(new)
    return a.keys() == b.keys() and all(values_equal(v, b[k]) for k, v in a.items())


# ---------------------------------------------------------------------------------------------
# Records and shards

INSERT, MODIFY, REMOVE = 0, 1, 2
_EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")
#: The view types whose records carry a NewImage / an OldImage.
_HAS_NEW = frozenset({"NEW_IMAGE", "NEW_AND_OLD_IMAGES"})
_HAS_OLD = frozenset({"OLD_IMAGE", "NEW_AND_OLD_IMAGES"})


class StreamRecord:
    """One stream record (a view over a shard's columns; images are decoded on demand).

    ``image`` is the stored entry the view type needs (the new item for NEW_IMAGE and
    KEYS_ONLY, the old one for OLD_IMAGE; for a REMOVE / an INSERT, whichever exists: the keys
    come from it); ``old`` is the old entry of a NEW_AND_OLD_IMAGES record (else None).
    """

    __slots__ = ("stream", "seq", "time_us", "kind", "image", "old", "identity", "_size")

    def __init__(self, stream: "Stream", seq: int, time_us: int, kind: int, image: tuple,
                 old: tuple | None = None, identity: dict | None = None) -> None:
        self.stream = stream
        self.seq = seq
        self.time_us = time_us
        self.kind = kind
        self.image = image
        self.old = old
        self.identity = identity
        self._size: int | None = None

    @property
    def event_name(self) -> str:
        return _EVENT_NAMES[self.kind]

    @property
    def sequence_number(self) -> str:
        return f"{self.seq:021d}"

    @property
    def event_id(self) -> str:
        """A 32-hex-digit id, stable for (stream, sequence number)."""
        return hashlib.md5(f"{self.stream.arn}#{self.seq}".encode()).hexdigest()

    def keys(self) -> dict:
        """The item's key attributes (fresh attribute values). O(attributes)."""
        names = self.stream.key_names
        enc = self.image
        out = {}
        for i in range(1, len(enc), 3):
            name = enc[i]
            if name in names:
                out[name] = {enc[i + 1]: enc[i + 2]}  # key values are S, N or B: immutable
        return out

    @property
    def size_bytes(self) -> int:
        """SizeBytes: the keys plus the images the view type carries. O(key attributes)."""
        size = self._size
        return self._size_of(self.keys()) if size is None else size

    def _size_of(self, keys: dict) -> int:
        size = item_size(keys)
        view = self.stream.view_type
        kind = self.kind
        if kind != REMOVE and view in _HAS_NEW:
            size += self.image[0]
        if kind != INSERT and view in _HAS_OLD:
            size += (self.old if self.old is not None else self.image)[0]
        self._size = size
        return size

    def size_bound(self) -> int:
        """An upper bound of ``size_bytes`` without looking at the keys (they are part of the
        item, so at most its size). O(1)."""
        bound = 2 * self.image[0]
        if self.old is not None:
            bound += self.old[0]
        return bound

    def _body(self, created: Any) -> dict[str, Any]:
        keys = self.keys()
        body: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": keys}
        view = self.stream.view_type
        kind = self.kind
        if kind != REMOVE and view in _HAS_NEW:
            body["NewImage"] = decode(self.image)
        if kind != INSERT and view in _HAS_OLD:
            body["OldImage"] = decode(self.old if self.old is not None else self.image)
        body["SequenceNumber"] = f"{self.seq:021d}"
        size = self._size
        body["SizeBytes"] = self._size_of(keys) if size is None else size
        body["StreamViewType"] = view
        return body

    def to_wire(self) -> dict:
        """The record as GetRecords returns it (boto3 shapes)."""
        out: dict[str, Any] = {
            "eventID": self.event_id,
            "eventName": _EVENT_NAMES[self.kind],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.stream.region,
            "dynamodb": self._body(_dt_us(self.time_us - self.time_us % US)),
        }
        if self.identity is not None:
            out["userIdentity"] = dict(self.identity)
        return out

    def to_lambda(self) -> dict:
        """The record as a Lambda event-source mapping delivers it (``Records[i]`` of the event):
        epoch-seconds ``ApproximateCreationDateTime``, ``eventSourceARN``, and ``userIdentity``
        as ``{"type", "principalId"}``."""
        # event_id, keys() and _body(), inlined (the Streams -> Lambda hot path): same dicts,
        # same key order.
        stream = self.stream
        arn = stream.arn
        seq = self.seq
        # str(seq) is the 21-40 digit SequenceNumber (seq >= SEQ_BASE = 10**20) and the text
        # event_id hashes after "<arn>#" (that prefix is hashed once per stream).
        sn = str(seq)
        h = stream._event_id_prefix.state.copy()
        h.update(sn.encode())
        if len(sn) < 21:  # pragma: no cover - sequence numbers start at SEQ_BASE
            sn = f"{seq:021d}"
        kind = self.kind
        image = self.image
        names = stream.key_names
        view = stream.view_type
        it = iter(image)
        next(it)
        # The keys and, alongside, their size (_size_of's item_size(keys), inlined: key values
        # are S, N or B; an ASCII S value is its length in UTF-8 bytes); in the same pass, the
        # NewImage when the record carries one (decode(image), inlined: fresh dicts).
        keys: dict[str, Any] = {}
        size = 0
        if kind != REMOVE and view in _HAS_NEW:
            new: dict[str, Any] | None = {}
            for n, t, v in zip(it, it, it):
                new[n] = {t: v} if t in _SCALAR else {t: _copy_value(t, v)}  # type: ignore[index]
                if n in names:
                    keys[n] = {t: v}
                    size += ((len(n) if n.isascii() else len(n.encode("utf-8")))
                             + (len(v) if t == "S" and v.isascii() else value_size({t: v})))
            size += image[0]
        else:
            new = None
            for n, t, v in zip(it, it, it):
                if n in names:
                    keys[n] = {t: v}
                    size += ((len(n) if n.isascii() else len(n.encode("utf-8")))
                             + (len(v) if t == "S" and v.isascii() else value_size({t: v})))
        body: dict[str, Any] = {"ApproximateCreationDateTime": float(self.time_us // US), "Keys": keys}
        if new is not None:
            body["NewImage"] = new
        if kind != INSERT and view in _HAS_OLD:
            old = self.old if self.old is not None else image
            body["OldImage"] = decode(old)
            size += old[0]
        body["SequenceNumber"] = sn
        known = self._size
        if known is None:
            self._size = size
        else:
            size = known
        body["SizeBytes"] = size
        body["StreamViewType"] = view
        out: dict[str, Any] = {
            "eventID": h.hexdigest(),
            "eventName": _EVENT_NAMES[kind],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": stream.region,
            "dynamodb": body,
            "eventSourceARN": arn,
        }
        ident = self.identity
        if ident is not None:
            out["userIdentity"] = {"type": ident["Type"], "principalId": ident["PrincipalId"]}
        return out

    def __repr__(self) -> str:
        return f"<StreamRecord {self.sequence_number} {self.event_name}>"


#: Consecutive records of one shard as column slices, what :meth:`Stream.read_lambda` read:
#: (stream, sequence offsets from SEQ_BASE, times, kinds, images, olds or None, identities or
#: None). A plain tuple (the batch of a Lambda poller): :func:`span_records` makes the records.
RecordSpan = tuple


def span_records(span: tuple) -> list[StreamRecord]:
    """The records of a :data:`RecordSpan` as ``read_shard`` returns them (what ``Shard.record``
    builds). O(k)."""
    stream, seqs, times, kinds, images, olds, idents = span
    return [StreamRecord(stream, s + SEQ_BASE, t, k, image, None if olds is None else olds[j],
                         None if idents is None else idents[j])
            for j, (s, t, k, image) in enumerate(zip(seqs, times, kinds, images))]


class _Seqs:
    """A shard's sequence numbers: increasing ints stored as 8-byte offsets from ``SEQ_BASE``
    (a Python int of 10**20 and more takes 36 bytes). Reads like a list (``[i]``, ``[-1]``,
    ``len``, iteration, ``bisect``)."""

    __slots__ = ("_a",)

    def __init__(self) -> None:
        self._a = array("q")

    def append(self, seq: int) -> None:
        self._a.append(seq - SEQ_BASE)

    def __len__(self) -> int:
        return len(self._a)

    def __bool__(self) -> bool:
        return bool(self._a)

    def __getitem__(self, i: int) -> int:
        return self._a[i] + SEQ_BASE

    def __iter__(self) -> Iterator[int]:
        base = SEQ_BASE
        return (v + base for v in self._a)

    def index_after(self, seq: int) -> int:
        """``bisect_right``: the index of the first sequence number > ``seq``. O(log n)."""
        return bisect_right(self._a, seq - SEQ_BASE)

    def index_at(self, seq: int) -> int:
        """``bisect_left``: the index of the first sequence number >= ``seq``. O(log n)."""
        return bisect_left(self._a, seq - SEQ_BASE)

    def drop(self, n: int) -> None:
        del self._a[:n]

    def __repr__(self) -> str:
        return f"<seqs {list(self)!r}>"


class Shard:
    """One shard: records in sequence order, stored as columns (times ascending).

    Per record: 8 bytes of sequence number, 8 of time, 1 of event kind, a reference to one
    stored entry (two for NEW_AND_OLD_IMAGES): ~25 bytes plus the entry itself, which is shared
    with the table while the item is current. Records past the 24-hour retention are dropped
    from the front (``trimmed_seq`` remembers the last one dropped, so reads at or before it
    still answer TrimmedDataAccessException).
    """

    __slots__ = ("shard_id", "parent_id", "start_seq", "end_seq", "created_us", "closed_us", "seqs",
                 "times", "kinds", "images", "olds", "identities", "trimmed_seq")

    def __init__(self, shard_id: str, parent_id: str | None, start_seq: int, created_us: int,
                 both_images: bool = False) -> None:
        self.shard_id = shard_id
        self.parent_id = parent_id
        self.start_seq = start_seq
        self.end_seq: int | None = None
        self.created_us = created_us
        self.closed_us: int | None = None
        self.seqs = _Seqs()
        self.times = array("q")
        self.kinds = bytearray()
        self.images: list[tuple] = []
        #: NEW_AND_OLD_IMAGES only: the old entry of each record (None for an INSERT).
        self.olds: list[tuple | None] | None = [] if both_images else None
        #: The ``userIdentity`` of records that have one (TTL deletions), by sequence number.
        self.identities: dict[int, dict] = {}
        self.trimmed_seq: int | None = None

    def __len__(self) -> int:
        return len(self.kinds)

    @property
    def is_open(self) -> bool:
        return self.closed_us is None

    @property
    def last_seq(self) -> int | None:
        """The last sequence number written (kept or trimmed), None for an empty shard."""
        return self.seqs[-1] if self.seqs else self.trimmed_seq

    def has_after(self, seq: int | None) -> bool:
        """True when a kept record has a sequence number after ``seq`` (None: any kept record).
        O(1)."""
        a = self.seqs._a
        return bool(a) and (seq is None or seq - SEQ_BASE < a[-1])

    def record(self, stream: "Stream", i: int) -> StreamRecord:
        """The ``i``-th kept record. O(1)."""
        seq = self.seqs[i]
        olds = self.olds
        return StreamRecord(stream, seq, self.times[i], self.kinds[i], self.images[i],
                            None if olds is None else olds[i], self.identities.get(seq))

    def drop(self, n: int) -> None:
        """Forget the first ``n`` records (trimmed). O(records kept)."""
        if n <= 0:
            return
        self.trimmed_seq = self.seqs[n - 1]
        self.seqs.drop(n)
        del self.times[:n]
        del self.kinds[:n]
        del self.images[:n]
        if self.olds is not None:
            del self.olds[:n]
        if self.identities:
            cut = self.trimmed_seq
            for seq in [s for s in self.identities if s <= cut]:
                del self.identities[seq]

    def describe(self) -> dict:
        rng: dict[str, str] = {"StartingSequenceNumber": f"{self.start_seq:021d}"}
        if self.end_seq is not None:
            rng["EndingSequenceNumber"] = f"{self.end_seq:021d}"
        out: dict[str, Any] = {"ShardId": self.shard_id, "SequenceNumberRange": rng}
        if self.parent_id is not None:
            out["ParentShardId"] = self.parent_id
        return out

    def __repr__(self) -> str:
        state = "open" if self.closed_us is None else "closed"
        return f"<Shard {self.shard_id} {state} records={len(self.kinds)}>"


class Stream:
    """One stream of one table (enabled, or disabled and readable for 24 hours)."""

    def __init__(self, engine: "StreamsEngine", table: Table, view_type: str, label: str) -> None:
        self.engine = engine
        self.table = table
        self.table_name = table.name
        self.region = engine.region
        self.view_type = view_type
        self.label = label
        self.arn = f"{table.arn}/stream/{label}"
        #: MD5 state after "<arn>#": a record's eventID is a copy updated with its sequence number.
        self._event_id_prefix = _HashPrefix(f"{self.arn}#")
        #: What read_lambda's records share (looked up once per batch).
        self._lambda_consts = (self._event_id_prefix, table.key_names, view_type, view_type in _HAS_NEW,
                               view_type in _HAS_OLD, engine.region, self.arn)
        self.key_names = table.key_names
        self.key_schema = [{"AttributeName": table.hash_key, "KeyType": "HASH"}] + (
            [{"AttributeName": table.range_key, "KeyType": "RANGE"}] if table.range_key else []
        )
        self.clock = engine.service.cloud.clock
        self.created_us = self.clock.now_us
        self.status = "ENABLED"
        self.disabled_us: int | None = None
        self.shards: list[Shard] = []
        self.subscribers: list[Callable[["Stream", Shard, int], None]] = []
        #: Each subscriber's gate (see :meth:`subscribe`), in the same order.
        self._gates: list[Any] = []
        self.lifetime_us = max(1, round(engine.service.config.stream_shard_lifetime * US))
        #: Which stored entry a record keeps (see :class:`StreamRecord`): the new item unless
        #: the view type is OLD_IMAGE; the old one too for NEW_AND_OLD_IMAGES.
        self._keep_old = view_type == "OLD_IMAGE"
        self._both = view_type == "NEW_AND_OLD_IMAGES"
        #: The next instant records past retention are dropped from memory (once a minute).
        self._trim_at = self.created_us + RETENTION_US
        self.current: Shard | None = self._open(None, self.created_us)

    def __repr__(self) -> str:
        return f"<Stream {self.arn} {self.status} shards={len(self.shards)}>"

    # -- writing --------------------------------------------------------------------------
    def _open(self, parent: str | None, at_us: int) -> Shard:
        engine = self.engine
        engine.seq += 1
        ms = at_us // 1000
        suffix = engine.service.cloud.streams.hex_id("dynamodb/streams/shard-ids", 4)
        shard = Shard(f"shardId-{ms:020d}-{suffix}", parent, engine.seq, at_us, self._both)
        self.shards.append(shard)
        return shard

    def _close(self, shard: Shard, at_us: int) -> None:
        shard.closed_us = at_us
        last = shard.last_seq
        shard.end_seq = last if last is not None else shard.start_seq

    def roll(self, now: int) -> None:
        """Close the open shard if it has lived its lifetime, open its child; drop shards whose
        records are all past retention. O(1) amortised."""
        cur = self.current
        if cur is not None and now >= cur.created_us + self.lifetime_us:
            # The child opens when the parent's lifetime ended (or now, if later periods passed
            # without writes: idle periods do not make empty shards).
            end = cur.created_us + self.lifetime_us
            self._close(cur, end)
            start = end if now < end + self.lifetime_us else now
            self.current = self._open(cur.shard_id, start)
        shards = self.shards
        while shards and shards[0].closed_us is not None and shards[0].closed_us + RETENTION_US <= now:
            shards.pop(0)
        if now >= self._trim_at:
            self.trim(now)

    def trim(self, now: int) -> None:
        """Drop the records past the 24-hour retention from memory (they already read as
        trimmed). Runs at most once a simulated minute, from writes and reads. O(records kept
        in the oldest shards)."""
        self._trim_at = now + TRIM_EVERY_US
        for shard in self.shards:
            kept = self.first_kept(shard, now)
            if kept:
                shard.drop(kept)
            if shard.seqs:
                break  # later shards hold later records

    def hook(self, pk: Any, sk: Any, old: tuple | None, new: tuple | None) -> None:
        """The table's change hook: append one record. O(1)."""
        if old is not None and new is not None and same_item(old, new):
            return
        engine = self.engine
        now = self.clock.now_us
        cur = self.current
        if now >= cur.created_us + self.lifetime_us or now >= self._trim_at:  # type: ignore[union-attr]
            self.roll(now)
            cur = self.current
        assert cur is not None
        column = cur.seqs._a  # the _Seqs offsets: bool(cur.seqs) and cur.seqs.append(seq), inlined
        if column or cur.trimmed_seq is not None:
            engine.seq += 1
            seq = engine.seq
        else:
            seq = cur.start_seq
        column.append(seq - SEQ_BASE)
        cur.times.append(now)
        if old is None:
            cur.kinds.append(INSERT)
            cur.images.append(new)  # type: ignore[arg-type]
        elif new is None:
            cur.kinds.append(REMOVE)
            cur.images.append(old)
        else:
            cur.kinds.append(MODIFY)
            # Only the entry the view type shows is kept (the other one may be freed).
            cur.images.append(old if self._keep_old else new)
        if cur.olds is not None:
            cur.olds.append(old)
        identity = engine.service._write_identity
        if identity is not None:
            cur.identities[seq] = identity
        subscribers = self.subscribers
        if subscribers:
            if len(subscribers) == 1:
                gate = self._gates[0]
                if gate is None or gate.wake_at is None:
                    subscribers[0](self, cur, seq)
            else:
                # A subscriber may unsubscribe another: the list as it is now.
                for fn, gate in tuple(zip(subscribers, self._gates)):
                    if gate is None or gate.wake_at is None:
                        fn(self, cur, seq)

    def disable(self, now: int) -> None:
        if self.current is not None:
            self._close(self.current, now)
            self.current = None
        self.status = "DISABLED"
        self.disabled_us = now

    # -- reading --------------------------------------------------------------------------
    def horizon_us(self, now: int) -> int:
        """Records written before this instant are trimmed."""
        return now - RETENTION_US

    def status_now(self) -> str:
        delay = round(self.engine.service.config.stream_status_delay * US)
        now = self.engine.service.cloud.now_us
        if self.status == "ENABLED" and now < self.created_us + delay:
            return "ENABLING"
        if self.status == "DISABLED" and now < self.disabled_us + delay:  # type: ignore[operator]
            return "DISABLING"
        return self.status

    def quiet(self, now: int) -> Shard | None:
        """The open shard when ``roll(now)`` would change nothing (no shard to close, drop or
        trim), closed shards still listed or not; else None. For pollers' fast path. O(1)."""
        cur = self.current
        if cur is None or now >= cur.created_us + self.lifetime_us or now >= self._trim_at:
            return None
        first = self.shards[0]
        if first.closed_us is not None and first.closed_us + RETENTION_US <= now:
            return None  # roll(now) would drop it
        return cur

    def shards_now(self) -> list[Shard]:
        """The shards as DescribeStream lists them now (oldest first)."""
        self.roll(self.engine.service.cloud.now_us)
        return list(self.shards)

    def shard(self, shard_id: str) -> Shard | None:
        for shard in self.shards:
            if shard.shard_id == shard_id:
                return shard
        return None

    def subscribe(self, fn: Callable[["Stream", Shard, int], None], gate: Any = None) -> Callable[[], None]:
        """Call ``fn(stream, shard, seq)`` after each record is appended; returns an
        unsubscribe function. (For pollers such as a Lambda event-source mapping.)

        ``gate``: None, or an object whose ``wake_at`` attribute is not None while ``fn`` would
        do nothing for a new record (a poller that will look at the stream anyway, as soon as
        a record would make it look): ``fn`` is then not called. Saves a call per write."""
        self.subscribers.append(fn)
        self._gates.append(gate)

        def unsubscribe() -> None:
            subscribers = self.subscribers
            if fn in subscribers:
                i = subscribers.index(fn)
                del subscribers[i]
                del self._gates[i]

        return unsubscribe

    def first_kept(self, shard: Shard, now: int) -> int:
        """Index of the first untrimmed record of ``shard``. O(log n)."""
        horizon = now - RETENTION_US
        times = shard.times
        if not times or times[0] >= horizon:
            return 0
        return bisect_left(times, horizon)

    def read(
        self,
        shard_id: str,
        after_seq: int | None = None,
        limit: int = MAX_RECORDS,
        max_bytes: int = MAX_BYTES,
        *,
        strict: bool = True,
    ) -> list[StreamRecord]:
        """Records of ``shard_id`` after ``after_seq`` (None: from the trim horizon).

        Raises TrimmedDataAccessException when ``strict`` and the next record was trimmed;
        ResourceNotFoundException for an unknown (or expired) shard. O(log n + k).
        """
        now = self.engine.service.cloud.now_us
        self.roll(now)
        shard = self.shard(shard_id)
        if shard is None:
            raise ResourceNotFoundException(
                f"Requested resource not found: Shard does not exist"
            )
        return self.read_shard(shard, now, after_seq, limit, max_bytes, strict)

    def read_shard(
        self,
        shard: Shard,
        now: int,
        after_seq: int | None,
        limit: int,
        max_bytes: int = MAX_BYTES,
        strict: bool = False,
    ) -> list[StreamRecord]:
        """:meth:`read` of a shard of this stream already found, after ``roll(now)`` (or when
        :meth:`quiet` says it would change nothing: the Lambda poller's fast path). O(log n + k)."""
        # first_kept(shard, now), shard.seqs.index_after(after_seq) and len(shard), inlined.
        times = shard.times
        horizon = now - RETENTION_US
        kept = 0 if not times or times[0] >= horizon else bisect_left(times, horizon)
        seqs = shard.seqs._a
        if after_seq is None:
            i = kept
        else:
            i = bisect_right(seqs, after_seq - SEQ_BASE)
            if i < kept or (shard.trimmed_seq is not None and after_seq < shard.trimmed_seq):
                if strict:
                    raise TrimmedDataAccessException(
                        "The operation attempted to read past the oldest stream record in a shard."
                    )
                i = kept
        out: list[StreamRecord] = []
        total = 0
        n = len(times)
        end = i + limit if i + limit < n else n
        # shard.record(self, i) and rec.size_bound(), inlined (the Streams -> Lambda hot path).
        kinds = shard.kinds
        images = shard.images
        olds = shard.olds
        identities = shard.identities
        exact = False  # while the sum of upper bounds fits, the exact sizes are not needed
        while i < end:
            seq = seqs[i] + SEQ_BASE
            image = images[i]
            old = None if olds is None else olds[i]
            rec = StreamRecord(self, seq, times[i], kinds[i], image, old,
                               identities.get(seq) if identities else None)
            if exact:
                size = rec.size_bytes
            else:
                size = 2 * image[0] if old is None else 2 * image[0] + old[0]
                if total + size > max_bytes:
                    exact = True
                    total = sum(r.size_bytes for r in out)
                    size = rec.size_bytes
            if out and total + size > max_bytes:
                break
            total += size
            out.append(rec)
            i += 1
        return out

    def read_lambda(
        self, shard: Shard, now: int, after_seq: int | None, limit: int,
    ) -> "tuple[list[dict], RecordSpan | None] | None":
        """``[r.to_lambda() for r in read_shard(shard, now, after_seq, limit)]`` (not strict)
        without a :class:`StreamRecord` per record: the Lambda records and the records as a
        :data:`RecordSpan` (column slices; :func:`span_records` makes the StreamRecords when a
        caller needs them), or ``([], None)`` when there are none. None when the 1 MB rule may
        matter (the records' size upper bounds add up to more than MAX_BYTES): the caller uses
        :meth:`read_shard` then. For the Lambda poller's fast path. O(log n + k).

        ``read_shard``'s start and ``to_lambda``'s body, inlined (the Streams -> Lambda hot path):
        same dicts, same key order; pinned equal by tests/dynamodb/test_streams_read_lambda.py."""
        times = shard.times
        kept = 0 if not times or times[0] >= now - RETENTION_US else bisect_left(times, now - RETENTION_US)
        seqs = shard.seqs._a
        if after_seq is None:
            i = kept
        else:
            i = bisect_right(seqs, after_seq - SEQ_BASE)
            if i < kept or (shard.trimmed_seq is not None and after_seq < shard.trimmed_seq):
                i = kept
        n = len(times)
        end = i + limit if i + limit < n else n
        if i >= end:
            return [], None
        prefix, names, view, has_new, has_old, region, arn = self._lambda_consts
        state = prefix.state
        kinds = shard.kinds
        images = shard.images
        olds = shard.olds
        identities = shard.identities
        out: list[dict] = []
        bound = 0  # read_shard's sum of size upper bounds (size_bound)
        for j in range(i, end):
            # StreamRecord.to_lambda, inlined (see there): str(seq) is the 21-40 digit
            # SequenceNumber (seq >= SEQ_BASE = 10**20) and what eventID hashes after "<arn>#".
            sn = str(seqs[j] + SEQ_BASE)
            h = state.copy()
            h.update(sn.encode())
            kind = kinds[j]
            image = images[j]
            bound += 2 * image[0]
            it = iter(image)
            next(it)
            keys: dict[str, Any] = {}
            size = 0
            if has_new and kind != REMOVE:
                new: dict[str, Any] = {}
                for a, t, v in zip(it, it, it):
                    new[a] = {t: v} if t in _SCALAR else {t: _copy_value(t, v)}
                    if a in names:
                        keys[a] = {t: v}
                        size += ((len(a) if a.isascii() else len(a.encode("utf-8")))
                                 + (len(v) if t == "S" and v.isascii() else value_size({t: v})))
                size += image[0]
                body: dict[str, Any] = {"ApproximateCreationDateTime": float(times[j] // US),
                                        "Keys": keys, "NewImage": new}
            else:
                for a, t, v in zip(it, it, it):
                    if a in names:
                        keys[a] = {t: v}
                        size += ((len(a) if a.isascii() else len(a.encode("utf-8")))
                                 + (len(v) if t == "S" and v.isascii() else value_size({t: v})))
                body = {"ApproximateCreationDateTime": float(times[j] // US), "Keys": keys}
            old = None
            if olds is not None:
                old = olds[j]
                if old is not None:
                    bound += old[0]
            if has_old and kind != INSERT:
                if old is None:
                    old = image
                body["OldImage"] = decode(old)
                size += old[0]
            body["SequenceNumber"] = sn
            body["SizeBytes"] = size
            body["StreamViewType"] = view
            rec: dict[str, Any] = {
                "eventID": h.hexdigest(),
                "eventName": _EVENT_NAMES[kind],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "dynamodb": body,
                "eventSourceARN": arn,
            }
            if identities:
                ident = identities.get(seqs[j] + SEQ_BASE)
                if ident is not None:
                    rec["userIdentity"] = {"type": ident["Type"], "principalId": ident["PrincipalId"]}
            out.append(rec)
        if bound > MAX_BYTES:
            return None  # read_shard's exact-size rule may apply: the caller reads through it
        return out, (self, seqs[i:end], times[i:end], kinds[i:end], images[i:end],
                     None if olds is None else olds[i:end],
                     [identities.get(s + SEQ_BASE) for s in seqs[i:end]] if identities else None)

    def records(self) -> Iterator[StreamRecord]:
        """Every untrimmed record, shard by shard (parents first). For tests and tools."""
        now = self.engine.service.cloud.now_us
        self.roll(now)
        for shard in self.shards:
            for i in range(self.first_kept(shard, now), len(shard)):
                yield shard.record(self, i)

    def _check(self) -> None:
        last = None
        for shard in self.shards:
            seqs = list(shard.seqs)
            assert seqs == sorted(set(seqs))
            assert list(shard.times) == sorted(shard.times)
            n = len(seqs)
            assert len(shard.times) == len(shard.kinds) == len(shard.images) == n
            assert shard.olds is None or len(shard.olds) == n
            assert all(s in seqs for s in shard.identities)
            if shard.trimmed_seq is None:
                if seqs:
                    assert seqs[0] == shard.start_seq
            else:
                assert shard.start_seq <= shard.trimmed_seq and (not seqs or seqs[0] > shard.trimmed_seq)
            if last is not None:
                assert shard.start_seq > last
            end = shard.last_seq
            last = shard.end_seq if shard.end_seq is not None else (end if end is not None else shard.start_seq)
        open_shards = [s for s in self.shards if s.closed_us is None]
        assert len(open_shards) <= 1 and (self.current is None or open_shards == [self.current])


# ---------------------------------------------------------------------------------------------
# The engine of one region


class StreamsEngine:
    """The streams of one DynamoDB (region) service, by ARN."""

    def __init__(self, service: "DynamoDB") -> None:
        self.service = service
        self.region = service.region
        #: Every stream not yet expired, by ARN, in creation order.
        self.by_arn: dict[str, Stream] = {}
        #: The enabled stream of each table, by table id.
        self.active: dict[str, Stream] = {}
        #: The last sequence number issued (sequence numbers increase across the region).
        self.seq = SEQ_BASE

    def __repr__(self) -> str:
        return f"<StreamsEngine {self.region} streams={len(self.by_arn)}>"

    def enable(self, table: Table, view_type: str) -> Stream:
        """Start a new stream on ``table`` (its label and ARN are the table's latest)."""
        label = table.stream_label or ""
        arn = f"{table.arn}/stream/{label}"
        if arn in self.by_arn:
            # Disabled and re-enabled within one millisecond of virtual time: AWS's labels are
            # creation instants, so move this one on by a millisecond to keep ARNs unique.
            base = _dt.datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=_dt.timezone.utc)
            while arn in self.by_arn:
                base += _dt.timedelta(milliseconds=1)
                label = base.strftime("%Y-%m-%dT%H:%M:%S.") + f"{base.microsecond // 1000:03d}"
                arn = f"{table.arn}/stream/{label}"
            table.stream_label = label
        stream = Stream(self, table, view_type, label)
        self.by_arn[stream.arn] = stream
        self.active[table.table_id] = stream
        table.change_hooks.append(stream.hook)
        self.service.cloud.trace.record("dynamodb", "stream_enabled", table=table.name, stream=stream.arn)
        return stream

    def disable(self, table: Table) -> None:
        stream = self.active.pop(table.table_id, None)
        if stream is None:
            return
        try:
            table.change_hooks.remove(stream.hook)
        except ValueError:  # pragma: no cover
            pass
        stream.disable(self.service.cloud.now_us)
        self.service.cloud.trace.record("dynamodb", "stream_disabled", table=table.name, stream=stream.arn)

    def expire(self) -> None:
        """Forget streams disabled more than 24 hours ago. O(streams)."""
        now = self.service.cloud.now_us
        for arn in [a for a, s in self.by_arn.items() if s.disabled_us is not None and s.disabled_us + RETENTION_US <= now]:
            del self.by_arn[arn]

    def get(self, arn: Any) -> Stream:
        """The stream ``arn`` (ResourceNotFoundException when unknown or expired)."""
        self.expire()
        stream = self.by_arn.get(arn)
        if stream is None:
            raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
        return stream

    def of_table(self, table: Table) -> Stream | None:
        """The enabled stream of ``table`` (None if it has none)."""
        return self.active.get(table.table_id)

    def streams(self) -> list[Stream]:
        self.expire()
        return list(self.by_arn.values())


class StreamsOps:
    """The DynamoDB side of streams (a mixin of :class:`~.service.DynamoDB`)."""

    def _init_streams(self) -> None:
        self.streams = StreamsEngine(cast("DynamoDB", self))

    def _stream_changed(self, table: Table) -> None:
        """Called by the control plane after ``table.stream_spec`` changed (create/update)."""
        engine = self.streams
        spec = table.stream_spec
        current = engine.of_table(table)
        if spec is None:
            if current is not None:
                engine.disable(table)
        elif current is None:
            engine.enable(table, spec["StreamViewType"])

    def _streams_table_deleted(self, table: Table) -> None:
        self.streams.disable(table)


# ---------------------------------------------------------------------------------------------
# The dynamodbstreams service


def _iterator_key(cloud: "Cloud") -> bytes:
    return hashlib.sha256(f"serverless_sim:streams:{cloud.seed!s}".encode()).digest()


class DynamoDBStreams(Service):
    """Amazon DynamoDB Streams (``cloud.client("dynamodbstreams")``): ListStreams,
    DescribeStream, GetShardIterator, GetRecords over the streams of ``cloud.dynamodb`` (and of
    its replica regions, for ARNs that name them)."""

    service_name = "dynamodbstreams"
    errors = {  # type: ignore[assignment]
        cls.code: cls
        for cls in (
            ExpiredIteratorException,
            InternalServerError,
            LimitExceededException,
            ResourceNotFoundException,
            TrimmedDataAccessException,
            ValidationException,
        )
    }

    def __init__(self, cloud: "Cloud") -> None:
        super().__init__(cloud)
        self._key = _iterator_key(cloud)

    # -- helpers --------------------------------------------------------------------------
    def _engine_for(self, arn: str) -> StreamsEngine:
        ddb = self.cloud.dynamodb
        parts = arn.split(":")
        region = parts[3] if len(parts) > 3 else ddb.region
        if region != ddb.region:
            other = ddb.regions.get(region)
            if other is not None:
                return other.streams  # type: ignore[no-any-return]
        return ddb.streams  # type: ignore[no-any-return]

    def _stream(self, arn: Any) -> Stream:
        if not isinstance(arn, str) or not arn.startswith("arn:") or "/stream/" not in arn or len(arn) < 37:
            raise ValidationException(f"Invalid StreamArn")
        return self._engine_for(arn).get(arn)

    @staticmethod
    def _limit(value: Any, upper: int) -> int:
        if value is None:
            return upper
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationException(f"Invalid type for parameter Limit, value: {value!r}")
        if value < 1:
            raise ValidationException(
                f"1 validation error detected: Value '{value}' at 'limit' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1"
            )
        if value > upper:
            raise ValidationException(
                f"1 validation error detected: Value '{value}' at 'limit' failed to satisfy "
                f"constraint: Member must have value less than or equal to {upper}"
            )
        return value

    def _sign(self, payload: str) -> str:
        return hashlib.sha256(self._key + payload.encode()).hexdigest()[:16]

    def _make_iterator(self, stream: Stream, shard: Shard, after: int) -> str:
        payload = f"{shard.shard_id}|{after}|{self.cloud.now_us}"
        token = base64.urlsafe_b64encode(f"{payload}|{self._sign(stream.arn + payload)}".encode()).decode()
        return f"{stream.arn}|1|{token}"

    def _parse_iterator(self, it: Any) -> tuple[Stream, str, int, int]:
        if not isinstance(it, str) or not 1 <= len(it) <= 2048:
            raise ValidationException("Invalid ShardIterator")
        try:
            arn, version, token = it.rsplit("|", 2)
            shard_id, after, issued, sig = base64.urlsafe_b64decode(token.encode()).decode().split("|")
            if version != "1" or sig != self._sign(arn + f"{shard_id}|{after}|{issued}"):
                raise ValueError
            return self._stream(arn), shard_id, int(after), int(issued)
        except (ValueError, UnicodeDecodeError):
            raise ValidationException("Invalid ShardIterator") from None

    # -- operations -----------------------------------------------------------------------
    @operation("ListStreams")
    def list_streams(self, request: dict) -> dict:
        """ListStreams: the streams of this region (optionally of one table), ``Limit`` 1-100."""
        limit = self._limit(request.get("Limit"), MAX_LIST)
        table_name = request.get("TableName")
        start = request.get("ExclusiveStartStreamArn")
        ddb = self.cloud.dynamodb
        if table_name is not None and table_name not in ddb.tables:
            raise ResourceNotFoundException(f"Requested resource not found: Table: {table_name} not found")
        streams = ddb.streams.streams()
        if table_name is not None:
            streams = [s for s in streams if s.table_name == table_name]
        if start is not None:
            if not isinstance(start, str) or not start.startswith("arn:") or "/stream/" not in start:
                raise ValidationException("Invalid ExclusiveStartStreamArn")
            arns = [s.arn for s in streams]
            streams = streams[arns.index(start) + 1:] if start in arns else []
        page = streams[:limit]
        out: dict[str, Any] = {
            "Streams": [{"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label} for s in page]
        }
        if len(streams) > limit:
            out["LastEvaluatedStreamArn"] = page[-1].arn
        return out

    @operation("DescribeStream")
    def describe_stream(self, request: dict) -> dict:
        """DescribeStream: status, view type, key schema and shards (``Limit`` 1-100 shards,
        ``ExclusiveStartShardId``, ``ShardFilter`` CHILD_SHARDS)."""
        stream = self._stream(request.get("StreamArn"))
        limit = self._limit(request.get("Limit"), MAX_LIST)
        shards = stream.shards_now()
        flt = request.get("ShardFilter")
        if flt is not None:
            if flt.get("Type") != "CHILD_SHARDS":
                raise ValidationException(
                    f"1 validation error detected: Value '{flt.get('Type')}' at 'shardFilter.type' "
                    "failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]"
                )
            parent = flt.get("ShardId")
            if not isinstance(parent, str):
                raise ValidationException("ShardFilter.ShardId must be specified for a CHILD_SHARDS filter")
            shards = [s for s in shards if s.parent_id == parent]
        start = request.get("ExclusiveStartShardId")
        if start is not None:
            ids = [s.shard_id for s in shards]
            shards = shards[ids.index(start) + 1:] if start in ids else []
        page = shards[:limit]
        desc: dict[str, Any] = {
            "StreamArn": stream.arn,
            "StreamLabel": stream.label,
            "StreamStatus": stream.status_now(),
            "StreamViewType": stream.view_type,
            "CreationRequestDateTime": _dt_us(stream.created_us),
            "TableName": stream.table_name,
            "KeySchema": [dict(k) for k in stream.key_schema],
            "Shards": [s.describe() for s in page],
        }
        if len(shards) > limit:
            desc["LastEvaluatedShardId"] = page[-1].shard_id
        return {"StreamDescription": desc}

    @operation("GetShardIterator")
    def get_shard_iterator(self, request: dict) -> dict:
        """GetShardIterator: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER."""
        kind = request.get("ShardIteratorType")
        errors = []
        if request.get("StreamArn") is None:
            errors.append("Value null at 'streamArn' failed to satisfy constraint: Member must not be null")
        if request.get("ShardId") is None:
            errors.append("Value null at 'shardId' failed to satisfy constraint: Member must not be null")
        if kind is None:
            errors.append("Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null")
        elif kind not in ITERATOR_TYPES:
            errors.append(
                f"Value '{kind}' at 'shardIteratorType' failed to satisfy constraint: Member must "
                f"satisfy enum value set: [{', '.join(ITERATOR_TYPES)}]"
            )
        if errors:
            n = len(errors)
            raise ValidationException(
                f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(errors)
            )
        stream = self._stream(request["StreamArn"])
        now = self.cloud.now_us
        stream.roll(now)
        shard = stream.shard(request["ShardId"])
        if shard is None:
            raise ResourceNotFoundException(
                f"Requested resource not found: Shard does not exist"
            )
        seq_text = request.get("SequenceNumber")
        needs_seq = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if needs_seq and seq_text is None:
            raise ValidationException(
                f"Must specify a sequence number with ShardIteratorType {kind}"
            )
        if not needs_seq and seq_text is not None:
            raise ValidationException(
                f"Cannot specify a sequence number with ShardIteratorType {kind}"
            )
        kept = stream.first_kept(shard, now)
        if kind == "TRIM_HORIZON":
            end = shard.last_seq
            after = shard.seqs[kept] - 1 if kept < len(shard.seqs) else (
                end if end is not None else shard.start_seq - 1
            )
        elif kind == "LATEST":
            end = shard.last_seq
            after = end if end is not None else shard.start_seq - 1
        else:
            if not isinstance(seq_text, str) or not seq_text.isdigit() or not 21 <= len(seq_text) <= 40:
                raise ValidationException(f"Invalid SequenceNumber: {seq_text}")
            seq = int(seq_text)
            end = shard.last_seq
            last = shard.end_seq if shard.end_seq is not None else (end if end is not None else shard.start_seq)
            if not shard.start_seq <= seq <= last:
                raise ValidationException(
                    f"Invalid SequenceNumber {seq_text} for shard {shard.shard_id}: it is not in "
                    "the shard's sequence number range"
                )
            i = shard.seqs.index_at(seq)
            if i < kept or (shard.trimmed_seq is not None and seq <= shard.trimmed_seq):
                raise TrimmedDataAccessException(
                    "The operation attempted to read past the oldest stream record in a shard."
                )
            after = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
        return {"ShardIterator": self._make_iterator(stream, shard, after)}

    @operation("GetRecords")
    def get_records(self, request: dict) -> dict:
        """GetRecords: up to ``Limit`` (1-1,000) records and 1 MB from an iterator."""
        it = request.get("ShardIterator")
        if it is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'shardIterator' failed to satisfy "
                "constraint: Member must not be null"
            )
        limit = self._limit(request.get("Limit"), MAX_RECORDS)
        stream, shard_id, after, issued = self._parse_iterator(it)
        now = self.cloud.now_us
        if now - issued > ITERATOR_TTL_US:
            raise ExpiredIteratorException(
                f"Iterator expired. The iterator was created at time {_dt_us(issued).isoformat()} "
                f"while right now it is {_dt_us(now).isoformat()} which is further in the future "
                "than the tolerated delay of 900000 milliseconds."
            )
        records = stream.read(shard_id, after, limit)
        shard = stream.shard(shard_id)
        out: dict[str, Any] = {"Records": [r.to_wire() for r in records]}
        last = records[-1].seq if records else after
        exhausted = shard is not None and shard.closed_us is not None and shard.seqs.index_after(last) >= len(shard.seqs)
        if not exhausted:
            out["NextShardIterator"] = self._make_iterator(stream, shard, last)  # type: ignore[arg-type]
        return out
