"""Token buckets on the virtual clock, refilled lazily from elapsed time.

API Gateway throttles with the token bucket algorithm
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
a bucket of ``burst`` tokens, refilled at ``rate`` tokens per second, one token per request;
an empty bucket answers 429 ``{"message":"Too Many Requests"}``. Levels, in order: usage plan per
client (and per method of the plan), stage per method (REST) or per route (HTTP API), account
(10,000 rps, burst 5,000: :mod:`.limits`), applied together (a request needs a token from every
level that has a bucket). AWS calls these targets best-effort; the simulator is exact.

The level is kept in nano-tokens (integers), so a year of refills never drifts: a refill adds
``elapsed_us * rate_milli`` nano-tokens (``rate_milli`` = requests per 1,000 s). No event is ever
scheduled: a bucket is brought up to date when a request looks at it. O(1).
"""

from __future__ import annotations

NANO = 1_000_000_000


class TokenBucket:
    """``rate`` requests per second (a float: 0.5 is allowed), ``burst`` tokens, full at creation."""

    __slots__ = ("rate", "burst", "_rate_milli", "_cap", "_level", "_last_us")

    def __init__(self, rate: float, burst: int, now_us: int) -> None:
        self.rate = rate
        self.burst = burst
        self._rate_milli = round(rate * 1000)
        self._cap = int(burst) * NANO
        self._level = self._cap
        self._last_us = now_us

    def take(self, now_us: int) -> bool:
        """Take one token at ``now_us``; False (nothing taken) when the bucket is empty."""
        elapsed = now_us - self._last_us
        level = self._level
        if elapsed > 0:
            level += elapsed * self._rate_milli
            if level > self._cap:
                level = self._cap
            self._last_us = now_us
        if level >= NANO:
            self._level = level - NANO
            return True
        self._level = level
        return False

    def give_back(self) -> None:
        """Return a token taken for a request that a later level refused."""
        self._level = min(self._cap, self._level + NANO)

    def tokens(self, now_us: int) -> float:
        """Tokens available at ``now_us`` (does not consume)."""
        elapsed = max(0, now_us - self._last_us)
        return min(self._cap, self._level + elapsed * self._rate_milli) / NANO

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate!r}, burst={self.burst!r})"


def take_all(buckets: tuple[TokenBucket, ...] | list[TokenBucket], now_us: int) -> bool:
    """A token from every bucket, or from none (tokens already taken are given back)."""
    for i, b in enumerate(buckets):
        if not b.take(now_us):
            for j in range(i):
                buckets[j].give_back()
            return False
    return True


__all__ = ["NANO", "TokenBucket", "take_all"]
