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
record plus the entries. The columns are fixed-size chunks of 4,096 records, each allocated once
at its full size and freed whole when all its records are past retention, so no large array ever
grows, shrinks or moves (which left the C heap fragmented: memory grew with simulated time).
Appending is O(1); reading is O(log n) to find the position (in the newest chunk alone when the
reader is near the head, as a Lambda poller is) plus O(k). Records past the 24 h retention are
dropped from memory within a simulated minute (from writes and reads), so memory is bounded by
the retention.
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


#: A shard's columns are kept in chunks of CHUNK records, allocated whole (once, at their full
#: size) and freed whole once every record in them is past retention: the shard never grows,
#: shrinks or moves a large array, so trimming leaves no fragmented heap behind (memory flat in
#: simulated time). A power of two: a record's absolute index (its place in the shard since it
#: opened) >> _CHUNK_BITS is its chunk's number, & _CHUNK_MASK its place in the chunk.
_CHUNK_BITS = 12
CHUNK = 1 << _CHUNK_BITS
_CHUNK_MASK = CHUNK - 1
_ZEROS_Q = array("q", bytes(8 * CHUNK))


class _Seqs:
    """A shard's kept sequence numbers as a read-only sequence (``[i]``, ``[-1]``, ``len``,
    iteration, ``index_after`` / ``index_at``); indexes count from the first record kept in
    memory, as ``len(shard)`` and :meth:`Shard.record` do. For tools and tests: the hot paths
    read the chunks."""

    __slots__ = ("_shard",)

    def __init__(self, shard: "Shard") -> None:
        self._shard = shard

    def __len__(self) -> int:
        return len(self._shard)

    def __bool__(self) -> bool:
        return len(self._shard) > 0

    def __getitem__(self, i: int) -> int:
        shard = self._shard
        n = len(shard)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("sequence index out of range")
        a = shard._base + i
        return shard._chunks[(a >> _CHUNK_BITS) - shard._c0][0][a & _CHUNK_MASK] + SEQ_BASE  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[int]:
        base = SEQ_BASE
        return (v + base for v in self._shard._column(0))

    def index_after(self, seq: int) -> int:
        """``bisect_right``: the index of the first sequence number > ``seq``. O(log n)."""
        shard = self._shard
        return shard._index_after(seq - SEQ_BASE) - shard._base

    def index_at(self, seq: int) -> int:
        """``bisect_left``: the index of the first sequence number >= ``seq``. O(log n)."""
        shard = self._shard
        return shard._index_at(seq - SEQ_BASE) - shard._base

    def __repr__(self) -> str:
        return f"<seqs {list(self)!r}>"


#: One chunk of a shard's columns, each CHUNK long: sequence offsets from SEQ_BASE
#: (``array("q")``), times (``array("q")``), event kinds (``bytearray``, zero = INSERT), stored
#: entries (list), and the old entries of a NEW_AND_OLD_IMAGES stream (list, else None).
_Chunk = tuple


class Shard:
    """One shard: records in sequence order (times ascending), stored as columns in fixed-size
    chunks (see CHUNK).

    Per record: 8 bytes of sequence number, 8 of time, 1 of event kind, a reference to one
    stored entry (two for NEW_AND_OLD_IMAGES): ~25 bytes plus the entry itself, which is shared
    with the table while the item is current. Records past the 24-hour retention are dropped
    from the front (``trimmed_seq`` remembers the last one dropped, so reads at or before it
    still answer TrimmedDataAccessException): their entries are released at once, their chunk
    when all its records are dropped.

    Records are numbered from 0 when the shard opens (absolute indexes); ``_base`` is the first
    one kept in memory, ``_n`` the number written. ``_chunks[k]`` holds the records of chunk
    number ``_c0 + k``; the last one (the tail, where records are written, also reachable as
    ``_ts``/``_tt``/``_tk``/``_ti``/``_to``, its first absolute index ``_t0``, the number of
    records written in it ``_j``) is never freed.
    """

    __slots__ = ("shard_id", "parent_id", "start_seq", "end_seq", "created_us", "closed_us",
                 "identities", "trimmed_seq", "_both", "_chunks", "_c0", "_base", "_j",
                 "_t0", "_ts", "_tt", "_tk", "_ti", "_to")

    def __init__(self, shard_id: str, parent_id: str | None, start_seq: int, created_us: int,
                 both_images: bool = False) -> None:
        self.shard_id = shard_id
        self.parent_id = parent_id
        self.start_seq = start_seq
        self.end_seq: int | None = None
        self.created_us = created_us
        self.closed_us: int | None = None
        #: The ``userIdentity`` of records that have one (TTL deletions), by sequence number.
        self.identities: dict[int, dict] = {}
        self.trimmed_seq: int | None = None
        #: NEW_AND_OLD_IMAGES: the old entry of each record is kept too (None for an INSERT).
        self._both = both_images
        self._chunks: list[_Chunk] = []
        self._c0 = 0
        self._base = 0
        # No chunk before the first record: the tail "starts" a whole chunk back and is full,
        # so the first write allocates chunk 0 (Stream.hook).
        self._t0 = -CHUNK
        self._j = CHUNK
        self._ts: Any = None
        self._tt: Any = None
        self._tk: Any = None
        self._ti: Any = None
        self._to: Any = None

    def _grow(self) -> None:
        """Allocate the next chunk (at its full size) as the tail; records are written from
        absolute index ``_n``, its first. O(CHUNK) (a zero fill)."""
        chunk: _Chunk = (_ZEROS_Q[:], _ZEROS_Q[:], bytearray(CHUNK), [None] * CHUNK,
                         [None] * CHUNK if self._both else None)
        n = self._n
        chunks = self._chunks
        if self._base == n:
            chunks.clear()  # every record written so far is dropped: the old tail goes too
        if not chunks:
            self._c0 = n >> _CHUNK_BITS
        chunks.append(chunk)
        self._t0 = n
        self._j = 0
        self._ts, self._tt, self._tk, self._ti, self._to = chunk

    @property
    def _n(self) -> int:
        """The number of records written (kept or trimmed): the next one's absolute index."""
        return self._t0 + self._j

    def __len__(self) -> int:
        return self._t0 + self._j - self._base

    @property
    def is_open(self) -> bool:
        return self.closed_us is None

    @property
    def last_seq(self) -> int | None:
        """The last sequence number written (kept or trimmed), None for an empty shard."""
        # (The tail is never freed and keeps its sequence numbers: the last one written is
        # there even when it is trimmed, and trimmed_seq then.)
        return self._ts[self._j - 1] + SEQ_BASE if self._t0 + self._j else None  # type: ignore[no-any-return]

    @property
    def seqs(self) -> _Seqs:
        """The kept sequence numbers (a read-only view)."""
        return _Seqs(self)

    def has_after(self, seq: int | None) -> bool:
        """True when a kept record has a sequence number after ``seq`` (None: any kept record).
        O(1)."""
        j = self._j
        return self._t0 + j > self._base and (seq is None or seq - SEQ_BASE < self._ts[j - 1])

    # -- the general (any chunk) accessors ---------------------------------------------------
    def _bounds(self, k: int) -> tuple[int, int, int]:
        """(first absolute index, kept start, kept end) of ``_chunks[k]``, the latter two local
        (start == end: no kept record in it)."""
        start = (self._c0 + k) << _CHUNK_BITS
        base = self._base
        lo = base - start if base > start else 0
        hi = self._n - start
        if hi > CHUNK:
            hi = CHUNK
        return start, lo, hi if hi > lo else lo

    def _first_at(self, horizon: int) -> int:
        """The absolute index of the first kept record written at or after ``horizon`` (``_n``
        if none). O(log n): a binary search over the chunks (by their last time), then in one."""
        n = self._n
        base = self._base
        if n == base:
            return n
        chunks = self._chunks
        b0 = base - (self._c0 << _CHUNK_BITS)  # the first kept record's place in chunks[0]
        if chunks[0][1][b0] >= horizon:
            return base
        last = len(chunks) - 1
        fill = self._j
        if chunks[last][1][fill - 1] < horizon:
            return n
        # The first chunk whose last record is at or after the horizon (all but the tail full).
        lo, hi = 0, last
        while lo < hi:
            mid = (lo + hi) >> 1
            if chunks[mid][1][CHUNK - 1] >= horizon:
                hi = mid
            else:
                lo = mid + 1
        return ((self._c0 + lo) << _CHUNK_BITS) + bisect_left(
            chunks[lo][1], horizon, b0 if lo == 0 else 0, fill if lo == last else CHUNK)

    def _search(self, off: int, right: bool) -> int:
        """``bisect_right`` (``right``) or ``bisect_left`` of the sequence offset ``off`` over the
        kept records, as an absolute index. O(log n): a binary search over the chunks (by their
        first record), then in one."""
        n = self._n
        base = self._base
        if n == base:
            return base
        chunks = self._chunks
        b0 = base - (self._c0 << _CHUNK_BITS)  # the first kept record's place in chunks[0]
        first = chunks[0][0][b0]
        if first > off or (not right and first == off):
            return base
        # The last chunk whose first record is before ``off`` (at or before it for ``right``).
        lo, hi = 0, len(chunks)
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            v = chunks[mid][0][0]
            if v < off or (right and v == off):
                lo = mid
            else:
                hi = mid
        last = len(chunks) - 1
        a = b0 if lo == 0 else 0
        e = self._j if lo == last else CHUNK
        seqs = chunks[lo][0]
        return ((self._c0 + lo) << _CHUNK_BITS) + (
            bisect_right(seqs, off, a, e) if right else bisect_left(seqs, off, a, e))

    def _index_after(self, off: int) -> int:
        """``bisect_right`` over the kept sequence offsets: the absolute index of the first kept
        record whose offset is > ``off``. O(log n)."""
        return self._search(off, True)

    def _index_at(self, off: int) -> int:
        """``bisect_left``: the absolute index of the first kept record whose offset is >=
        ``off``. O(log n)."""
        return self._search(off, False)

    def _columns(self, i: int, end: int) -> tuple[Any, Any, Any, Any, Any, int, int]:
        """The columns holding absolute records ``i`` to ``end`` (``i < end``, all kept) and
        their local range: ``(seqs, times, kinds, images, olds, lo, hi)``. The chunk's own
        columns when one chunk holds them all (the usual case); else fresh columns of just
        those records (lo = 0). O(1), or O(end - i) across chunks."""
        c0 = self._c0
        k = (i >> _CHUNK_BITS) - c0
        last = ((end - 1) >> _CHUNK_BITS) - c0
        lo = i & _CHUNK_MASK
        if k == last:
            chunk = self._chunks[k]
            return chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], lo, lo + (end - i)
        parts = []
        for c in range(k, last + 1):
            a = lo if c == k else 0
            b = ((end - 1) & _CHUNK_MASK) + 1 if c == last else CHUNK
            parts.append((self._chunks[c], a, b))
        seqs = array("q")
        times = array("q")
        kinds = bytearray()
        images: list = []
        olds: list | None = [] if self._both else None
        for part, a, b in parts:
            seqs += part[0][a:b]
            times += part[1][a:b]
            kinds += part[2][a:b]
            images += part[3][a:b]
            if olds is not None:
                olds += part[4][a:b]
        return seqs, times, kinds, images, olds, 0, end - i

    def _column(self, c: int) -> list:
        """Column ``c`` (0 seqs offsets, 1 times, 2 kinds, 3 images, 4 olds) of the kept records,
        as a fresh list. O(n)."""
        out: list = []
        for k, chunk in enumerate(self._chunks):
            _start, lo, hi = self._bounds(k)
            out += chunk[c][lo:hi]
        return out

    # -- tools and tests -----------------------------------------------------------------------
    @property
    def times(self) -> array:
        """The kept records' times (a fresh array). O(n)."""
        return array("q", self._column(1))

    @property
    def kinds(self) -> bytearray:
        """The kept records' event kinds (a fresh bytearray). O(n)."""
        return bytearray(self._column(2))

    @property
    def images(self) -> list[tuple]:
        """The kept records' stored entries (a fresh list). O(n)."""
        return self._column(3)

    @property
    def olds(self) -> list[tuple | None] | None:
        """NEW_AND_OLD_IMAGES only (else None): the kept records' old entries. O(n)."""
        return self._column(4) if self._both else None

    def record(self, stream: "Stream", i: int) -> StreamRecord:
        """The ``i``-th kept record. O(1)."""
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("record index out of range")
        a = self._base + i
        seqs, times, kinds, images, olds = self._chunks[(a >> _CHUNK_BITS) - self._c0]
        j = a & _CHUNK_MASK
        seq = seqs[j] + SEQ_BASE
        return StreamRecord(stream, seq, times[j], kinds[j], images[j],
                            None if olds is None else olds[j], self.identities.get(seq))

    def drop(self, n: int) -> None:
        """Forget the first ``n`` kept records (trimmed): their entries at once, every chunk
        whose records are all dropped (the tail aside). O(n / CHUNK + n dropped in the first
        chunk kept)."""
        if n <= 0:
            return
        old_base = self._base
        base = old_base + n
        assert base <= self._n
        chunks = self._chunks
        a = base - 1
        self.trimmed_seq = chunks[(a >> _CHUNK_BITS) - self._c0][0][a & _CHUNK_MASK] + SEQ_BASE
        self._base = base
        while len(chunks) > 1 and (self._c0 + 1) << _CHUNK_BITS <= base:
            del chunks[0]
            self._c0 += 1
        start = self._c0 << _CHUNK_BITS
        lo = old_base - start if old_base > start else 0
        hi = base - start
        if lo < hi:
            # Release the dropped records' entries (the rest of the chunk is still kept).
            first = chunks[0]
            first[3][lo:hi] = [None] * (hi - lo)
            if first[4] is not None:
                first[4][lo:hi] = [None] * (hi - lo)
        if self.identities:
            cut = self.trimmed_seq
            for seq in [s for s in self.identities if s <= cut]:
                del self.identities[seq]

    def _check(self) -> None:
        """The chunk invariants (tests call this after mutations)."""
        assert 0 <= self._base <= self._n
        if self._n == 0:
            assert not self._chunks and self._t0 == -CHUNK and self._j == CHUNK and self.last_seq is None
            return
        chunks = self._chunks
        tail = (self._n - 1) >> _CHUNK_BITS
        assert self._t0 == tail << _CHUNK_BITS
        # chunks before the one holding the first kept record are freed (the tail never is)
        assert self._c0 == min(self._base >> _CHUNK_BITS, tail)
        assert len(chunks) == tail - self._c0 + 1
        assert all(a is b for a, b in zip(chunks[-1], (self._ts, self._tt, self._tk, self._ti, self._to)))
        for k, chunk in enumerate(chunks):
            assert len(chunk[0]) == len(chunk[1]) == len(chunk[2]) == len(chunk[3]) == CHUNK
            assert (chunk[4] is not None) == self._both and (chunk[4] is None or len(chunk[4]) == CHUNK)
            start, lo, hi = self._bounds(k)
            # dropped records hold no entry; unwritten slots are empty
            assert all(e is None for e in chunk[3][:lo])
            assert all(e is None for e in chunk[3][hi:])
            assert all(e is not None for e in chunk[3][lo:hi])
        assert 1 <= self._j <= CHUNK
        if self._base < self._n:
            assert self.last_seq == self.seqs[-1]
        else:
            assert self.last_seq == self.trimmed_seq

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
        return f"<Shard {self.shard_id} {state} records={len(self)}>"


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
            if len(shard):
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
        # Written in place into the tail chunk (Shard._grow allocates the next one when it is
        # full), at its place j.
        j = cur._j
        if j == CHUNK:
            cur._grow()
            j = 0
        if j or cur._t0:
            engine.seq += 1
            seq = engine.seq
        else:
            seq = cur.start_seq  # the shard's first record (absolute index 0)
        cur._ts[j] = seq - SEQ_BASE
        cur._tt[j] = now
        if old is None:
            cur._ti[j] = new  # kind INSERT: the kinds column is zero-filled (INSERT == 0)
        elif new is None:
            cur._tk[j] = REMOVE
            cur._ti[j] = old
        else:
            cur._tk[j] = MODIFY
            # Only the entry the view type shows is kept (the other one may be freed).
            cur._ti[j] = old if self._keep_old else new
        olds = cur._to
        if olds is not None:
            olds[j] = old
        cur._j = j + 1
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
        return shard._first_at(now - RETENTION_US) - shard._base

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
        # first_kept(shard, now) and shard.seqs.index_after(after_seq), in absolute indexes.
        kept = shard._first_at(now - RETENTION_US)
        if after_seq is None:
            i = kept
        else:
            i = shard._index_after(after_seq - SEQ_BASE)
            if i < kept or (shard.trimmed_seq is not None and after_seq < shard.trimmed_seq):
                if strict:
                    raise TrimmedDataAccessException(
                        "The operation attempted to read past the oldest stream record in a shard."
                    )
                i = kept
        out: list[StreamRecord] = []
        total = 0
        n = shard._n
        end = i + limit if i + limit < n else n
        if i >= end:
            return out
        # The columns holding records i..end, and their places there.
        seqs, times, kinds, images, olds, i, end = shard._columns(i, end)
        # shard.record(self, i) and rec.size_bound(), inlined (the Streams -> Lambda hot path).
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
        # Where the read starts (read_shard's, not strict). Usually the checkpoint is a record of
        # the tail chunk: then the search is in the tail alone (records there are all written
        # after the tail's first kept one, and the record found is kept when it is not yet past
        # retention); else the general search over the chunks.
        t0 = shard._t0
        base = shard._base
        lo = base - t0 if base > t0 else 0
        fill = shard._j
        seqs = shard._ts
        if after_seq is not None and lo < fill and after_seq - SEQ_BASE >= seqs[lo]:
            i = bisect_right(seqs, after_seq - SEQ_BASE, lo, fill)
            if i == fill:
                return [], None  # nothing after the checkpoint
            times = shard._tt
            if times[i] >= now - RETENTION_US:
                end = i + limit if i + limit < fill else fill
                kinds = shard._tk
                images = shard._ti
                olds = shard._to
            else:
                i = -1
        else:
            i = -1
        if i < 0:
            kept = shard._first_at(now - RETENTION_US)
            if after_seq is None:
                i = kept
            else:
                i = shard._index_after(after_seq - SEQ_BASE)
                if i < kept or (shard.trimmed_seq is not None and after_seq < shard.trimmed_seq):
                    i = kept
            n = shard._n
            end = i + limit if i + limit < n else n
            if i >= end:
                return [], None
            seqs, times, kinds, images, olds, i, end = shard._columns(i, end)
        prefix, names, view, has_new, has_old, region, arn = self._lambda_consts
        state = prefix.state
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
            shard._check()
            seqs = list(shard.seqs)
            assert seqs == sorted(set(seqs))
            assert list(shard.times) == sorted(shard.times)
            n = len(seqs)
            assert len(shard) == len(shard.times) == len(shard.kinds) == len(shard.images) == n
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
