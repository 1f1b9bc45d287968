"""Token buckets per principal: how fast each token holder may publish.

A bucket holds up to ``burst`` tokens and gains ``rate`` tokens a second. Taking ``cost`` tokens
succeeds when the bucket holds that many; otherwise nothing is taken and the caller learns how
long until it would hold them. Buckets are kept per key (the principal's name), independent of
each other. Pure Python over an injected monotonic clock, so tests control time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

PRUNE_ABOVE = 1024
"""When more keys than this have a bucket, full buckets are dropped (a full bucket is the same
as none), so memory follows the callers active within ``burst / rate`` seconds."""


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Per-key token buckets of one ``rate`` (tokens a second) and ``burst`` (capacity)."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, cost: int) -> float:
        """Take ``cost`` tokens from ``key``'s bucket: 0.0 when taken, else the seconds until
        the bucket will hold ``cost`` (and nothing is taken). ``cost`` must be 0 … ``burst``."""
        if not 0 <= cost <= self.burst:
            raise ValueError(f"cost {cost} is outside 0 … burst ({self.burst})")
        now = self._clock()
        bucket = self._refilled(key, now)
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / self.rate

    def tokens(self, key: str) -> float:
        """The tokens ``key``'s bucket holds now (``burst`` for a key never seen)."""
        return self._refilled(key, self._clock()).tokens

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= PRUNE_ABOVE:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        elapsed = max(0.0, now - bucket.stamp)  # a clock that steps back gives nothing
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
        bucket.stamp = max(bucket.stamp, now)
        return bucket

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + max(0.0, now - b.stamp) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        """Keys with a bucket kept."""
        return len(self._buckets)
