"""A shard stores its records in fixed-size chunks (``streams.CHUNK`` records each, freed whole
once past retention). This pins the chunked shard equal to a plain-list reference model - the
columns as single lists, searched with ``bisect`` over the whole list, as shards stored them
before - with tiny chunks (so that appends, trims at arbitrary positions and reads from arbitrary
positions cross chunk boundaries all the time): every write (Stream.hook), trim (retention and
``Shard.drop`` at any position), read (``read_shard``, ``read_lambda`` and its RecordSpan,
``has_after``, the ``seqs`` view, ``record``, ``first_kept``, GetShardIterator / GetRecords) and
``last_seq`` / ``trimmed_seq``. And a whole multi-day, multi-shard scenario with tiny chunks gives
the same GetRecords / DescribeStream answers as with the default chunk size."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from array import array

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from serverless_sim import Cloud
from serverless_sim.adapters.client import make_client
from serverless_sim.dynamodb import streams as S
from serverless_sim.dynamodb.errors import TrimmedDataAccessException
from serverless_sim.dynamodb.streams import RETENTION_US, SEQ_BASE, TRIM_EVERY_US, DynamoDBStreams, span_records

US = 1_000_000
HOUR = 3600
IDENT = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


@contextmanager
def chunk_bits(bits: int):
    """Run with chunks of 2**bits records (module globals the shard reads at run time)."""
    saved = (S._CHUNK_BITS, S.CHUNK, S._CHUNK_MASK, S._ZEROS_Q)
    S._CHUNK_BITS = bits
    S.CHUNK = 1 << bits
    S._CHUNK_MASK = S.CHUNK - 1
    S._ZEROS_Q = array("q", bytes(8 * S.CHUNK))
    try:
        yield
    finally:
        S._CHUNK_BITS, S.CHUNK, S._CHUNK_MASK, S._ZEROS_Q = saved


def streams_client(cloud):
    svc = cloud._services.get("dynamodbstreams")
    if svc is None:
        svc = cloud._services["dynamodbstreams"] = DynamoDBStreams(cloud)
    return make_client(cloud, svc)


def _fields(records):
    return [(r.seq, r.time_us, r.kind, r.image, r.old, r.identity) for r in records]


class RefShard:
    """One shard as plain lists (the pre-chunk layout and algorithms)."""

    def __init__(self, start_seq: int, created_us: int) -> None:
        self.start_seq = start_seq
        self.seqs: list[int] = []
        self.times: list[int] = []
        self.kinds: list[int] = []
        self.images: list[tuple] = []
        self.olds: list[tuple | None] = []
        self.idents: dict[int, dict] = {}
        self.trimmed: int | None = None
        self.written = 0
        self.trim_at = created_us + RETENTION_US

    @property
    def last(self):
        return self.seqs[-1] if self.seqs else self.trimmed

    def drop(self, n: int) -> None:
        if n <= 0:
            return
        self.trimmed = self.seqs[n - 1]
        for col in (self.seqs, self.times, self.kinds, self.images, self.olds):
            del col[:n]
        self.idents = {s: v for s, v in self.idents.items() if s > self.trimmed}

    def kept(self, now: int) -> int:
        return bisect_left(self.times, now - RETENTION_US)

    def maybe_trim(self, now: int) -> None:
        # Stream.roll's once-a-minute trim (one shard: it never rolls in this model)
        if now >= self.trim_at:
            self.trim_at = now + TRIM_EVERY_US
            self.drop(self.kept(now))

    def start(self, now: int, after: int | None, strict: bool) -> int:
        kept = self.kept(now)
        if after is None:
            return kept
        i = bisect_right(self.seqs, after)
        if i < kept or (self.trimmed is not None and after < self.trimmed):
            if strict:
                raise TrimmedDataAccessException("trimmed")
            return kept
        return i

    def read(self, now: int, after: int | None, limit: int, strict: bool = False) -> list[tuple]:
        i = self.start(now, after, strict)
        return [(s, t, k, im, old, self.idents.get(s)) for s, t, k, im, old in
                zip(self.seqs[i:i + limit], self.times[i:i + limit], self.kinds[i:i + limit],
                    self.images[i:i + limit], self.olds[i:i + limit])]


class ChunkedShardMachine(RuleBasedStateMachine):
    """The stream's one shard (a lifetime longer than the run) against :class:`RefShard`."""

    def __init__(self) -> None:
        super().__init__()
        self._patch = chunk_bits(2)  # chunks of 4 records
        self._patch.__enter__()
        self.view = None
        self.counter = 0

    def teardown(self) -> None:
        self._patch.__exit__(None, None, None)

    # -- setup (first rule run) ------------------------------------------------------------
    @precondition(lambda self: self.view is None)
    @rule(view=st.sampled_from(["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]))
    def make(self, view):
        self.view = view
        cloud = self.cloud = Cloud(seed=3, start="2026-03-01T00:00:00Z")
        cloud.dynamodb.config.stream_shard_lifetime = 400 * 86400.0
        table = cloud.dynamodb.create_table("things", hash_key=("pk", "S"), stream=view)
        self.stream = cloud.dynamodb.streams.of_table(cloud.dynamodb.tables["things"])
        self.shard = self.stream.current
        self.ref = RefShard(self.shard.start_seq, self.shard.created_us)
        self.entries: dict[str, tuple] = {}
        self.sc = streams_client(cloud)

    def _entry(self, pk: str) -> tuple:
        self.counter += 1
        v = str(self.counter)
        return (len(pk) + 2 + 1 + len(v), "pk", "S", pk, "v", "N", v)

    # -- writes and trims ------------------------------------------------------------------
    @precondition(lambda self: self.view is not None)
    @rule(k=st.integers(0, 3), op=st.sampled_from(["put", "put", "put", "delete", "same"]), ttl=st.booleans())
    def write(self, k, op, ttl):
        pk = f"k{k}"
        old = self.entries.get(pk)
        if op == "put":
            new = self._entry(pk)
        elif op == "same":
            new = old  # a write that changes nothing: no record
        else:
            new = None
        if old is None and new is None:
            return
        svc = self.cloud.dynamodb
        engine = svc.streams
        now = self.cloud.now_us
        ref = self.ref
        if old is not new:
            ref.maybe_trim(now)  # the hook rolls the stream (a write that changes nothing: not)
        before = engine.seq
        svc._write_identity = IDENT if ttl else None
        try:
            self.stream.hook(pk, None, old, new)
        finally:
            svc._write_identity = None
        if new is None:
            self.entries.pop(pk)
        else:
            self.entries[pk] = new
        if old is new:
            assert engine.seq == before
            return
        seq = ref.start_seq if ref.written == 0 else before + 1
        ref.written += 1
        kind = S.INSERT if old is None else (S.REMOVE if new is None else S.MODIFY)
        image = new if old is None else (old if new is None or self.view == "OLD_IMAGE" else new)
        ref.seqs.append(seq)
        ref.times.append(now)
        ref.kinds.append(kind)
        ref.images.append(image)
        ref.olds.append(old if self.view == "NEW_AND_OLD_IMAGES" else None)
        if ttl:
            ref.idents[seq] = IDENT

    @precondition(lambda self: self.view is not None)
    @rule(seconds=st.one_of(st.integers(0, 120), st.sampled_from([59, 60, 61, HOUR, 6 * HOUR, 23 * HOUR, 24 * HOUR, 25 * HOUR])))
    def advance(self, seconds):
        self.cloud.advance(seconds)

    @precondition(lambda self: self.view is not None)
    @rule()
    def roll(self):
        now = self.cloud.now_us
        self.stream.roll(now)
        self.ref.maybe_trim(now)

    @precondition(lambda self: self.view is not None)
    @rule(frac=st.floats(0, 1))
    def drop(self, frac):
        n = int(len(self.ref.seqs) * frac)
        self.shard.drop(n)
        self.ref.drop(n)

    # -- reads -----------------------------------------------------------------------------
    def _afters(self):
        ref = self.ref
        out = [None, ref.start_seq - 1, ref.start_seq]
        out += ref.seqs[::2] + [s - 1 for s in ref.seqs[1::3]]
        if ref.trimmed is not None:
            out += [ref.trimmed - 1, ref.trimmed, ref.trimmed + 1]
        if ref.last is not None:
            out += [ref.last, ref.last + 1]
        return out

    @precondition(lambda self: self.view is not None)
    @rule(limit=st.sampled_from([1, 2, 3, 5, 9, 100]), strict=st.booleans())
    def reads(self, limit, strict):
        now = self.cloud.now_us
        stream, shard, ref = self.stream, self.shard, self.ref
        for after in self._afters():
            try:
                want = ref.read(now, after, limit, strict)
            except TrimmedDataAccessException:
                with pytest.raises(TrimmedDataAccessException):
                    stream.read_shard(shard, now, after, limit, strict=strict)
                continue
            got = stream.read_shard(shard, now, after, limit, strict=strict)
            assert _fields(got) == want, (after, limit)
            lam = stream.read_lambda(shard, now, after, limit)
            assert lam is not None  # small items: the 1 MB rule never applies
            events, span = lam
            if strict:
                continue
            if not want:
                assert (events, span) == ([], None)
                continue
            assert _fields(span_records(span)) == want
            assert events == [r.to_lambda() for r in got]
            assert has_after_ref(ref, after) == shard.has_after(after)

    @precondition(lambda self: self.view is not None)
    @rule(kind=st.sampled_from(["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]),
          pick=st.integers(0, 1000), limit=st.integers(1, 7))
    def api(self, kind, pick, limit):
        now = self.cloud.now_us
        ref = self.ref
        ref.maybe_trim(now)  # GetShardIterator rolls the stream
        args = {"StreamArn": self.stream.arn, "ShardId": self.shard.shard_id, "ShardIteratorType": kind}
        kept = ref.kept(now)
        if kind == "TRIM_HORIZON":
            after = ref.seqs[kept] - 1 if kept < len(ref.seqs) else (ref.last if ref.last is not None else ref.start_seq - 1)
        elif kind == "LATEST":
            after = ref.last if ref.last is not None else ref.start_seq - 1
        else:
            hi = ref.last if ref.last is not None else ref.start_seq
            candidates = list(range(ref.start_seq, hi + 1))
            seq = candidates[pick % len(candidates)]
            args["SequenceNumber"] = f"{seq:021d}"
            i = bisect_left(ref.seqs, seq)
            if i < kept or (ref.trimmed is not None and seq <= ref.trimmed):
                with pytest.raises(Exception) as err:
                    self.sc.get_shard_iterator(**args)
                assert "TrimmedDataAccess" in type(err.value).__name__ or "TrimmedDataAccess" in str(err.value)
                return
            after = seq - 1 if kind == "AT_SEQUENCE_NUMBER" else seq
        it = self.sc.get_shard_iterator(**args)["ShardIterator"]
        page = self.sc.get_records(ShardIterator=it, Limit=limit)
        want = ref.read(now, after, limit)
        assert [int(r["dynamodb"]["SequenceNumber"]) for r in page["Records"]] == [w[0] for w in want]
        assert "NextShardIterator" in page  # the shard is open

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def same_columns(self):
        if self.view is None:
            return
        shard, ref = self.shard, self.ref
        shard._check()
        assert len(shard) == len(ref.seqs)
        assert list(shard.seqs) == ref.seqs
        assert list(shard.times) == ref.times
        assert list(shard.kinds) == ref.kinds
        assert shard.images == ref.images
        assert shard.olds == (ref.olds if self.view == "NEW_AND_OLD_IMAGES" else None)
        assert shard.identities == ref.idents
        assert shard.trimmed_seq == ref.trimmed
        assert shard.last_seq == ref.last
        assert bool(shard.seqs) == bool(ref.seqs)
        if ref.seqs:
            assert shard.seqs[-1] == ref.seqs[-1] and shard.seqs[0] == ref.seqs[0]
        now = self.cloud.now_us
        assert self.stream.first_kept(shard, now) == ref.kept(now)
        for i in range(len(ref.seqs)):
            rec = shard.record(self.stream, i)
            assert _fields([rec]) == [(ref.seqs[i], ref.times[i], ref.kinds[i], ref.images[i], ref.olds[i],
                                       ref.idents.get(ref.seqs[i]))]
        for seq in self._afters():
            if seq is None:
                continue
            assert shard.seqs.index_after(seq) == bisect_right(ref.seqs, seq)
            assert shard.seqs.index_at(seq) == bisect_left(ref.seqs, seq)
        # entries of dropped records are released: the chunks hold only kept ones
        held = [e for chunk in shard._chunks for e in chunk[3] if e is not None]
        assert held == ref.images


def has_after_ref(ref: RefShard, after):
    return bool(ref.seqs) and (after is None or after < ref.seqs[-1])


ChunkedShardMachine.TestCase.settings = settings(max_examples=120, stateful_step_count=60, deadline=None)
TestChunkedShard = ChunkedShardMachine.TestCase


# -- the whole stream (shard rolls, closed shards dropped, TTL identities) with tiny chunks ------


def _scenario(bits: int | None, view: str) -> list:
    def run() -> list:
        cloud = Cloud(seed=11, start="2026-03-01T00:00:00Z")
        table = cloud.dynamodb.create_table("things", hash_key=("pk", "S"), stream=view)
        sc = streams_client(cloud)
        arn = cloud.dynamodb.streams.of_table(cloud.dynamodb.tables["things"]).arn
        out: list = []
        rnd = __import__("random").Random(view)
        for step in range(900):
            pk = f"k{rnd.randrange(12)}"
            if rnd.random() < 0.15:
                table.delete({"pk": pk})
            else:
                table.put({"pk": pk, "v": step})
            cloud.advance(rnd.choice([1, 30, 60, 300, 600]))
            if step % 97 == 0:
                desc = sc.describe_stream(StreamArn=arn)["StreamDescription"]
                out.append(desc["Shards"])
                for shard in desc["Shards"]:
                    it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                    while it:
                        page = sc.get_records(ShardIterator=it, Limit=rnd.choice([3, 50, 1000]))
                        out.append(page["Records"])
                        if not page["Records"]:
                            break
                        it = page.get("NextShardIterator")
        cloud.dynamodb.streams.get(arn)._check()
        return out

    if bits is None:
        return run()
    with chunk_bits(bits):
        return run()


@pytest.mark.parametrize("view", ["NEW_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_tiny_chunks_answer_as_the_default_over_days_and_shards(view):
    assert _scenario(2, view) == _scenario(None, view)
