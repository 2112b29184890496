"""The REST stage response cache.

https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html: a stage
with ``cacheClusterEnabled`` caches responses per method for ``cacheTtlInSeconds`` (default
300, 0-3,600; 0 disables); when caching is enabled for a stage only GET methods are cached by
default (``*/*/caching/enabled`` or a method setting changes that). The key is the method, the
resource path and the integration's ``cacheKeyParameters`` values (headers, query strings, path
parameters): other parameters do not vary the key. A client refreshes an entry with
``Cache-Control: max-age=0``; when the method setting ``requireAuthorizationForCacheControl`` is
on (the default) the caller must be allowed ``execute-api:InvalidateCache`` on the method (here:
by its Lambda authorizer's policy), else ``unauthorizedCacheControlHeaderStrategy`` applies
(``FAIL_WITH_403``, or ignore the header). Items above 1,048,576 bytes are not cached.

Deviations: only 2xx responses are cached; the cluster size does not bound the entries (no
eviction); no cache-cluster provisioning delay.
"""

from __future__ import annotations

from typing import Any

from .limits import CACHE_ITEM_MAX_BYTES
from .responses import Response


class StageCache:
    """Cached responses by key, expired lazily on the virtual clock. O(1) per lookup."""

    __slots__ = ("_items", "hits", "misses")

    def __init__(self) -> None:
        self._items: dict[tuple[Any, ...], tuple[int, Response]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...], now_us: int) -> Response | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= now_us:
            del self._items[key]
            return None
        return item[1]

    def put(self, key: tuple[Any, ...], response: Response, ttl_s: int, now_us: int) -> None:
        if not 200 <= response.status < 300 or ttl_s <= 0:
            return
        body = response.body
        size = len(body) if isinstance(body, bytes) else len(body.encode())
        if size > CACHE_ITEM_MAX_BYTES:
            return
        self._items[key] = (now_us + ttl_s * 1_000_000, response)

    def invalidate(self, key: tuple[Any, ...]) -> None:
        self._items.pop(key, None)

    def flush(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def copy_response(r: Response) -> Response:
    out = Response(r.status, dict(r.headers), r.body,
                   {k: list(v) for k, v in r.multi_value_headers.items()} if r.multi_value_headers else None)
    return out


__all__ = ["StageCache", "copy_response"]
