"""Named random streams, seeded from (simulation seed, stream name) by a stable hash.

``Random(seed)`` with an integer seed is reproducible across processes and platforms; ``hash()`` of
a string is not (it is salted per process), so seeds are derived with SHA-256. Streams are
independent: creating or drawing from one never changes the draws of another, so adding a
component to a simulation leaves every existing component's randomness as it was.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int | str, name: str) -> int:
    """A 256-bit integer seed for stream ``name`` of simulation ``seed`` (stable everywhere)."""
    digest = hashlib.sha256(f"serverless_sim:{seed!s}:{name}".encode()).digest()
    return int.from_bytes(digest, "big")


_UUID_KEEP = ~(0xF000 << 64) & ~(0xC000 << 48) & ((1 << 128) - 1)
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


class RandomStreams:
    """The registry of a simulation's named ``random.Random`` streams.

    ``streams(name)`` returns the same stream object every time for a name, so its draws carry on.
    """

    __slots__ = ("seed", "_streams")

    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __call__(self, name: str) -> random.Random:
        stream = self._streams.get(name)
        if stream is None:
            if not isinstance(name, str) or not name:
                raise TypeError(f"a random stream's name is a non-empty str, got {name!r}")
            stream = self._streams[name] = random.Random(derive_seed(self.seed, name))
        return stream

    def names(self) -> list[str]:
        """Names of the streams created so far, sorted."""
        return sorted(self._streams)

    def hex_id(self, name: str, nbytes: int = 16) -> str:
        """A random hex string from stream ``name`` (request ids, object ids...)."""
        return f"{self(name).getrandbits(nbytes * 8):0{nbytes * 2}x}"

    def uuid(self, name: str) -> str:
        """A version-4-shaped UUID drawn from stream ``name`` (AWS request ids look like this)."""
        stream = self._streams.get(name)
        if stream is None:
            stream = self(name)
        # version 4 (bits 76-79 = 0100) and the RFC 4122 variant (bits 62-63 = 10), in one mask
        # 8-4-4-4-12 hex digits: bytes 0-3, bytes 4-9 in pairs, bytes 10-15 (the same text as
        # slicing f"{n:032x}", at half the cost)
        b = ((stream.getrandbits(128) & _UUID_KEEP) | _UUID_SET).to_bytes(16, "big")
        return f"{b[:4].hex()}-{b[4:10].hex('-', 2)}-{b[10:].hex()}"
