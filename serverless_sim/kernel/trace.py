"""The trace: every externally visible happening, as structured records on virtual time.

Each record is ``(time_us, service, kind, attributes)``. The trace keeps a running SHA-256 digest
over a canonical text of *every* record (kept or not), so two runs can be compared by one string;
which records are kept in memory is a choice:

- ``keep="all"`` (default): every record, for tests and notebooks;
- ``keep="none"``: only the digest and per-(service, kind) counts, so a simulated month stays
  flat in memory;
- ``keep=<predicate>``: only records for which ``predicate(record)`` is true.

The canonical text is independent of ``PYTHONHASHSEED``, dict insertion order and platform; values
must be plain data (str, int, float, bool, None, bytes, Decimal, datetime, lists, tuples, dicts
and attrs instances). Anything else is refused when recorded, because its ``repr`` could carry a
memory address and break determinism.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from decimal import Decimal
from typing import Any, Callable, Iterator, Literal, Union

import attrs

from .clock import format_us, us_to_datetime
from .errors import SimError


@attrs.frozen(slots=True)
class TraceRecord:
    """One happening: when, which service, what kind, and its attributes."""

    time_us: int
    service: str
    kind: str
    attributes: dict[str, Any] = attrs.field(factory=dict)

    @property
    def time(self) -> _dt.datetime:
        return us_to_datetime(self.time_us)

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": format_us(self.time_us),
            "service": self.service,
            "kind": self.kind,
            **self.attributes,
        }

    def canonical(self) -> str:
        return _canonical(self.time_us, self.service, self.kind, self.attributes)


_FLAT = frozenset({str, int, float, bool, type(None)})


def _canonical(time_us: int, service: str, kind: str, attributes: dict[str, Any]) -> str:
    """The canonical text of one record (what the digest covers)."""
    if attributes:
        items = sorted(attributes.items())
        for _, v in items:
            if type(v) not in _FLAT:
                body = "C" + canonical_text(attributes)
                break
        else:
            # Flat attributes (the common case): the repr of sorted pairs is already canonical.
            body = "R" + repr(items)
    else:
        body = ""
    return f"{time_us}|{service}|{kind}|{body}"


#: Canonical texts are hashed in batches of this many (one ``update`` instead of two per record;
#: the digest is the same: SHA-256 over the concatenation).
_HASH_BATCH = 256


def canonical_text(value: Any) -> str:
    """A deterministic text for plain data (see the module docstring)."""
    t = type(value)
    if t is str:
        return repr(value)
    if t is int or t is float or t is bool or value is None:
        return repr(value)
    if t is dict:
        items = sorted((str(k), canonical_text(v)) for k, v in value.items())
        return "{" + ",".join(f"{k!r}:{v}" for k, v in items) + "}"
    if t is list or t is tuple:
        return "[" + ",".join(canonical_text(v) for v in value) + "]"
    if t is bytes:
        return "b" + value.hex()
    if t is Decimal:
        return "D" + str(value)
    if isinstance(value, _dt.datetime):
        return "T" + value.isoformat()
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(canonical_text(v) for v in value)) + "}"
    if attrs.has(t):
        return t.__name__ + canonical_text(attrs.asdict(value, recurse=False))
    if isinstance(value, (str, int, float)):  # subclasses (enums...)
        return repr(value)
    raise SimError(
        f"trace attributes must be plain data; got {t.__name__} {value!r:.80} "
        "(convert it to str/int/dict first)"
    )


Keep = Union[Literal["all", "none"], Callable[[TraceRecord], bool]]


class Trace:
    """Structured records with a running digest. See the module docstring."""

    __slots__ = ("_clock", "_records", "_hash", "_pending", "_keep", "_counts", "digest_only")

    def __init__(self, clock: Any, keep: Keep = "all") -> None:
        self._clock = clock
        self._records: list[TraceRecord] = []
        self._hash = hashlib.sha256()
        #: Canonical texts not yet fed to ``_hash`` (see ``_HASH_BATCH``).
        self._pending: list[str] = []
        #: Records made per service and kind (``_counts[service][kind]``: two lookups of str keys,
        #: whose hashes are cached, cost less per record than one of a new (service, kind) tuple);
        #: their sum is :attr:`total` (no separate counter to bump per record).
        self._counts: dict[str, dict[str, int]] = {}
        self._keep: Keep = "all"
        #: True with ``keep="none"``: hot callers may then hand :meth:`record_body` the canonical
        #: text they built themselves instead of an attributes dict (read-only; set ``keep``).
        self.digest_only = False
        self.keep = keep

    @property
    def keep(self) -> Keep:
        return self._keep

    @keep.setter
    def keep(self, keep: Keep) -> None:
        if keep not in ("all", "none") and not callable(keep):
            raise SimError(f"keep is 'all', 'none' or a predicate, got {keep!r}")
        self._keep = keep
        self.digest_only = keep == "none"

    def record(self, service: str, kind: str, **attributes: Any) -> TraceRecord | None:
        """Record a happening at the current virtual time. O(size of attributes).

        Returns the record, or None with ``keep="none"`` (no record object is made then)."""
        keep = self._keep
        pending = self._pending
        try:
            self._counts[service][kind] += 1
        except KeyError:
            self._count_first(service, kind)
        if keep == "none":
            pending.append(_canonical(self._clock.now_us, service, kind, attributes))
            if len(pending) >= _HASH_BATCH:
                self._flush()
            return None
        rec = TraceRecord(self._clock.now_us, service, kind, attributes)
        pending.append(rec.canonical())
        if len(pending) >= _HASH_BATCH:
            self._flush()
        if keep == "all" or keep(rec):  # type: ignore[operator]
            self._records.append(rec)
        return rec

    def record_body(self, service: str, kind: str, body: str) -> None:
        """:meth:`record` for a digest-only trace (``digest_only``), given the canonical body
        (the text after ``time|service|kind|``) the caller built itself, so no attributes dict
        and no sorting/``repr`` of it is needed. The caller guarantees ``body`` equals what
        :meth:`record` would compute for its attributes (``"R" + repr(sorted(items))`` for
        flat values); tests compare the two for every such caller. O(len(body))."""
        try:
            self._counts[service][kind] += 1
        except KeyError:
            self._count_first(service, kind)
        pending = self._pending
        pending.append(f"{self._clock.now_us}|{service}|{kind}|{body}")
        if len(pending) >= _HASH_BATCH:
            self._flush()

    def _count_first(self, service: str, kind: str) -> None:
        """Count the first record of ``(service, kind)`` (the lookup in ``_counts`` failed)."""
        by_kind = self._counts.setdefault(service, {})
        by_kind[kind] = by_kind.get(kind, 0) + 1

    def _flush(self) -> None:
        pending = self._pending
        if pending:
            pending.append("")
            self._hash.update("\n".join(pending).encode())
            pending.clear()

    def __deepcopy__(self, memo: dict[int, Any]) -> "Trace":
        """Copies share the (immutable) records already made; the digest carries on separately."""
        import copy

        self._flush()
        new = Trace.__new__(Trace)
        new._pending = []
        memo[id(self)] = new
        new._clock = copy.deepcopy(self._clock, memo)
        new._records = list(self._records)
        new._hash = self._hash.copy()
        new._counts = {service: dict(kinds) for service, kinds in self._counts.items()}
        new._keep = self._keep
        new.digest_only = self.digest_only
        return new

    def digest(self) -> str:
        """SHA-256 (hex) over every record so far, kept or not."""
        self._flush()
        return self._hash.hexdigest()

    def __len__(self) -> int:
        """Records kept in memory."""
        return len(self._records)

    @property
    def total(self) -> int:
        """Records made, kept or not. O(distinct (service, kind) pairs)."""
        return sum(sum(kinds.values()) for kinds in self._counts.values())

    def counts(self) -> dict[tuple[str, str], int]:
        """Records made per (service, kind), sorted by key."""
        return dict(sorted(((service, kind), n) for service, kinds in self._counts.items()
                           for kind, n in kinds.items()))

    def __iter__(self) -> Iterator[TraceRecord]:
        return iter(self._records)

    def __getitem__(self, index: int) -> TraceRecord:
        return self._records[index]

    def filter(
        self,
        service: str | None = None,
        kind: str | None = None,
        *,
        since_us: int | None = None,
        until_us: int | None = None,
        where: Callable[[TraceRecord], bool] | None = None,
        **attributes: Any,
    ) -> list[TraceRecord]:
        """Kept records matching every given criterion (attributes compare by equality)."""
        out = []
        for rec in self._records:
            if service is not None and rec.service != service:
                continue
            if kind is not None and rec.kind != kind:
                continue
            if since_us is not None and rec.time_us < since_us:
                continue
            if until_us is not None and rec.time_us > until_us:
                continue
            if attributes and any(rec.attributes.get(k) != v for k, v in attributes.items()):
                continue
            if where is not None and not where(rec):
                continue
            out.append(rec)
        return out

    def to_dicts(self, records: list[TraceRecord] | None = None) -> list[dict[str, Any]]:
        """Export kept records (or the given ones) as plain dicts."""
        return [r.to_dict() for r in (self._records if records is None else records)]

    def clear(self) -> None:
        """Forget kept records (the digest and counts carry on)."""
        self._records.clear()

    def __repr__(self) -> str:
        return f"<Trace {self.total} records, {len(self._records)} kept, digest {self.digest()[:12]}>"
