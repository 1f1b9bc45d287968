"""Steady pacing for ``jiandu simulate``: one batch per tick, sized so that the total sent after
``k`` ticks is ``round(rate * k * tick)``, so rounding never drifts and a slow call is caught up by
the next tick's batch (no per-event sleeps)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from jiandu.ingest.v1 import ingest_pb2

MAX_CALL_EVENTS = 1000
"""Ingest's default ``JIANDU_INGEST_MAX_BATCH_EVENTS``: a bigger tick batch is split."""


@dataclass(frozen=True)
class Outgoing:
    """One event as sent (the raw JSON) with what the report groups it by."""

    raw: bytes
    domain: str
    kind: str


@dataclass
class Report:
    """What a simulation run sent and what ingest answered."""

    planned: int
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    elapsed_s: float = 0.0
    late_ticks: int = 0
    accepted_by: Counter[tuple[str, str]] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, batch: Sequence[Outgoing], response: ingest_pb2.PublishResponse) -> None:
        """Count one answered call (``batch`` is what the call carried)."""
        self.sent += len(batch)
        self.accepted += response.accepted
        self.duplicate += response.duplicate
        self.rejected += response.rejected
        for outcome in response.outcomes:
            event = batch[outcome.index]
            if outcome.status == ingest_pb2.STATUS_ACCEPTED:
                self.accepted_by[event.domain, event.kind] += 1
            elif outcome.status == ingest_pb2.STATUS_REJECTED:
                self.reasons["; ".join(e.reason for e in outcome.errors) or "?"] += 1

    @property
    def rate(self) -> float:
        """Events sent per second, as achieved."""
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0


def tick_sizes(total: int, rate: float, tick_s: float) -> list[int]:
    """How many events each tick sends: cumulative ``round(rate * k * tick_s)``, capped at
    ``total``; the last tick takes whatever is left."""
    if total <= 0:
        return []
    if rate <= 0 or tick_s <= 0:
        raise ValueError("rate and tick must be positive")
    sizes, sent, k = [], 0, 0
    while sent < total:
        k += 1
        due = min(total, round(rate * k * tick_s))
        sizes.append(due - sent)
        sent = due
    return sizes


Send = Callable[[Sequence[bytes]], Awaitable[ingest_pb2.PublishResponse]]


async def paced(
    events: Sequence[Outgoing],
    send: Send,
    rate: float,
    tick_s: float = 1.0,
    on_tick: Callable[[Report], None] | None = None,
    report: Report | None = None,
) -> Report:
    """Send ``events`` in order: at ``k * tick_s`` (k = 1, 2, ...) the ``k``-th of
    ``tick_sizes``, so ``rate * duration`` events take ``duration`` seconds. Counts go into
    ``report`` (a fresh one by default), which therefore holds what was done if interrupted."""
    report = report or Report(planned=len(events))
    loop = asyncio.get_running_loop()
    started = loop.time()
    position = 0
    for k, size in enumerate(tick_sizes(len(events), rate, tick_s), start=1):
        wait = started + k * tick_s - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        elif wait < -tick_s:
            report.late_ticks += 1
        batch = events[position : position + size]
        position += size
        for first in range(0, len(batch), MAX_CALL_EVENTS):
            part = batch[first : first + MAX_CALL_EVENTS]
            report.add(part, await send([e.raw for e in part]))
        report.elapsed_s = loop.time() - started
        if on_tick is not None:
            on_tick(report)
    return report
