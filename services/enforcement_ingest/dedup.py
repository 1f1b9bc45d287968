"""DedupIndex: the (source, event_id) pairs already on the events topic, within a time window.

Bounded in time (``window``) and size (``max_entries``): the oldest entries go first. The index is
rebuilt at start from the topic itself (see :mod:`.history`), so it survives restarts without a
second source of truth.
"""

from __future__ import annotations

from collections import OrderedDict


class DedupIndex:
    """Set of dedup keys with their record timestamps (ms), evicted oldest-first."""

    def __init__(self, window_ms: int, max_entries: int) -> None:
        self._window_ms = window_ms
        self._max_entries = max_entries
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._newest_ms = 0

    def __contains__(self, key: str) -> bool:
        return key in self._seen

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, key: str, timestamp_ms: int) -> None:
        """Remember ``key`` as written at ``timestamp_ms``; evicts what fell out of the window."""
        if key in self._seen:
            self._seen.move_to_end(key)
        self._seen[key] = timestamp_ms
        self._newest_ms = max(self._newest_ms, timestamp_ms)
        self._evict()

    def _evict(self) -> None:
        horizon = self._newest_ms - self._window_ms
        while self._seen:
            key, timestamp_ms = next(iter(self._seen.items()))
            if timestamp_ms >= horizon and len(self._seen) <= self._max_entries:
                return
            del self._seen[key]
