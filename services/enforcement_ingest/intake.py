"""Intake: the ingest use case, free of gRPC. A batch of raw events from an authenticated
principal becomes one outcome per event; nothing is answered before Kafka acknowledged it.

- valid and new → written to the events topic (``accepted``);
- valid, (source, event_id) already on the topic or in flight → ``duplicate``, nothing written;
- invalid → written to the DLQ with its reasons (``rejected``).

A valid event for a department the principal does not hold fails the whole call (nothing
written). When the broker does not acknowledge in time the whole call fails as retriable; records
still buffered are written when the broker returns and a retry then sees them as duplicates.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jiandu.wire import Record, dedup_key, to_record
from services.enforcement_ingest.dedup import DedupIndex
from services.enforcement_ingest.metrics import IngestMetrics
from services.enforcement_ingest.publisher import Publisher, Written
from services.enforcement_ingest.tokens import Principal
from services.enforcement_ingest.validation import Verdict, batch_too_large, judge


class Status(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Outcome:
    """What happened to the event at ``index`` of the batch."""

    index: int
    status: Status
    verdict: Verdict
    written: Written | None = None

    @property
    def event_id(self) -> str:
        return self.verdict.event.event_id if self.verdict.event else ""


class PermissionDenied(Exception):
    """The principal may not publish for a department named in the batch."""


class Unavailable(Exception):
    """Kafka did not acknowledge in time; retrying the same batch is safe."""


@dataclass(frozen=True)
class Limits:
    max_batch_events: int
    max_event_bytes: int
    publish_timeout_s: float


class Intake:
    """Validates, deduplicates and writes batches; owns the dedup index and in-flight writes."""

    def __init__(
        self, publisher: Publisher, index: DedupIndex, limits: Limits, metrics: IngestMetrics
    ) -> None:
        self._publisher = publisher
        self._index = index
        self._limits = limits
        self._metrics = metrics
        self._in_flight: dict[str, asyncio.Future[Written]] = {}

    def remember(self, keys: list[tuple[str, int]]) -> None:
        """Add (dedup key, timestamp ms) pairs read from the topic."""
        for key, timestamp_ms in keys:
            self._index.add(key, timestamp_ms)
        self._metrics.dedup_entries.set(len(self._index))

    async def publish(self, principal: Principal, raws: Sequence[bytes]) -> list[Outcome]:
        """Judge, dedup and write one batch; see the module docstring for the contract."""
        verdicts = self._judge_all(raws)
        self._authorize(principal, verdicts)
        plan: list[tuple[Status, asyncio.Future[Written] | None]] = []
        fresh: list[tuple[str, Record]] = []
        batch_keys: set[str] = set()
        for verdict in verdicts:
            if verdict.event is None:
                plan.append((Status.REJECTED, None))
                continue
            key = dedup_key(verdict.event.source, verdict.event.event_id)
            if key in self._index or key in batch_keys:
                plan.append((Status.DUPLICATE, None))
            elif key in self._in_flight:
                plan.append((Status.DUPLICATE, self._in_flight[key]))
            else:
                batch_keys.add(key)
                fresh.append((key, to_record(verdict.event)))
                plan.append((Status.ACCEPTED, None))
        sent = await self._send_fresh(fresh)
        rejected = [(i, v) for i, v in enumerate(verdicts) if v.event is None]
        dead = await self._publisher.publish(
            self._publisher.dlq_topic, [_dlq_record(principal, i, v) for i, v in rejected]
        )
        await self._await_all([*sent, *dead, *(f for _, f in plan if f is not None)])
        return self._outcomes(verdicts, plan, iter(sent))

    def _judge_all(self, raws: Sequence[bytes]) -> list[Verdict]:
        limit = self._limits.max_batch_events
        if len(raws) > limit:
            return [batch_too_large(raw, len(raws), limit) for raw in raws]
        return [judge(raw, self._limits.max_event_bytes) for raw in raws]

    def _authorize(self, principal: Principal, verdicts: list[Verdict]) -> None:
        for verdict in verdicts:
            if verdict.event is not None and not principal.may_publish_for(verdict.event.source):
                raise PermissionDenied(
                    f"token {principal.name!r} may not publish for department "
                    f"{verdict.event.source} (event {verdict.event.event_id})"
                )

    async def _send_fresh(self, fresh: list[tuple[str, Record]]) -> list[asyncio.Future[Written]]:
        futures = await self._publisher.publish(
            self._publisher.events_topic, [record for _, record in fresh]
        )
        for (key, _), future in zip(fresh, futures, strict=True):
            self._in_flight[key] = future
            future.add_done_callback(functools.partial(self._settle, key))
        return futures

    def _settle(self, key: str, future: asyncio.Future[Written]) -> None:
        self._in_flight.pop(key, None)
        if not future.cancelled() and future.exception() is None:
            self._index.add(key, future.result().timestamp_ms)
            self._metrics.dedup_entries.set(len(self._index))

    async def _await_all(self, futures: list[asyncio.Future[Written]]) -> None:
        if not futures:
            return
        done, pending = await asyncio.wait(
            [asyncio.shield(f) for f in futures], timeout=self._limits.publish_timeout_s
        )
        failures = [f.exception() for f in done if f.exception() is not None]
        if pending or failures:
            reason = f"{len(pending)} unacknowledged" if pending else repr(failures[0])
            raise Unavailable(f"Kafka did not acknowledge the batch ({reason}); retry it")

    def _outcomes(
        self,
        verdicts: list[Verdict],
        plan: list[tuple[Status, asyncio.Future[Written] | None]],
        sent: Iterator[asyncio.Future[Written]],
    ) -> list[Outcome]:
        outcomes = []
        for index, (verdict, (status, _)) in enumerate(zip(verdicts, plan, strict=True)):
            written = next(sent).result() if status is Status.ACCEPTED else None
            outcomes.append(Outcome(index, status, verdict, written))
            self._metrics.events.labels(status.value).inc()
            if verdict.errors:
                self._metrics.rejections.labels(verdict.errors[0].code).inc()
        return outcomes


def _dlq_record(principal: Principal, index: int, verdict: Verdict) -> Record:
    errors = [{"field": e.field, "reason": e.reason, "code": e.code} for e in verdict.errors]
    headers = [
        ("jiandu_reason", verdict.reason.encode()),
        ("jiandu_errors", json.dumps(errors, ensure_ascii=False).encode()),
        ("jiandu_principal", principal.name.encode()),
        ("jiandu_batch_index", str(index).encode()),
        ("jiandu_received_at_ms", str(int(time.time() * 1000)).encode()),
    ]
    return Record(key=principal.name.encode(), value=verdict.raw, headers=headers)
