"""Object bodies: what PutObject accepts and the streaming body GetObject returns.

PutObject's ``Body`` may be bytes, a str (UTF-8 encoded, as botocore does) or a binary file-like
object (read to its end). GetObject returns ``Body`` as a :class:`StreamingBody` with botocore's
methods (``read(amt=None)``, ``iter_chunks``, ``iter_lines``, ``close``).
"""

from __future__ import annotations

from typing import Any, Iterator


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    read = getattr(body, "read", None)
    if read is not None:
        data = read()
        return data.encode() if isinstance(data, str) else bytes(data)
    raise TypeError(f"Body must be bytes, str or a file-like object, got {type(body).__name__}")


class StreamingBody:
    """botocore's StreamingBody over bytes in memory."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self.closed = False

    def read(self, amt: int | None = None) -> bytes:
        if amt is None or amt < 0:
            chunk = self._data[self._pos:]
        else:
            chunk = self._data[self._pos:self._pos + amt]
        self._pos += len(chunk)
        return chunk

    def iter_chunks(self, chunk_size: int = 1024) -> Iterator[bytes]:
        while True:
            chunk = self.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def iter_lines(self, chunk_size: int = 1024, keepends: bool = False) -> Iterator[bytes]:
        yield from self.read().splitlines(keepends)

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_chunks()

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> "StreamingBody":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<StreamingBody {len(self._data)} bytes at {self._pos}>"
