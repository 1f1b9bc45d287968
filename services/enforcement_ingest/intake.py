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
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jiandu.wire import Record, dedup_key, to_record
from services.enforcement_ingest.dedup import DedupIndex
from services.enforcement_ingest.metrics import IngestMetrics
from services.enforcement_ingest.publisher import Publisher, Sent, Written
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
        return self.verdict.event_id


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
        # dedup key → (the batch it is being written in, its index there)
        self._in_flight: dict[str, tuple[Sent, int]] = {}

    def remember(self, keys: list[tuple[str, int]]) -> None:
        """Add (dedup key, timestamp ms) pairs read from the topic."""
        for key, timestamp_ms in keys:
            self._index.add(key, timestamp_ms)
        self._metrics.dedup_entries.set(len(self._index))

    async def publish(self, principal: Principal, raws: Sequence[bytes]) -> list[Outcome]:
        """Judge, dedup and write one batch; see the module docstring for the contract."""
        verdicts = self._judge_all(raws)
        self._authorize(principal, verdicts)
        plan: list[tuple[Status, tuple[Sent, int] | None]] = []
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
            self._publisher.dlq_topic,
            [_dlq_record(principal, i, v, self._limits.max_event_bytes) for i, v in rejected],
        )
        await self._await_all(sent, dead, [w for _, w in plan if w is not None])
        return self._outcomes(principal, verdicts, plan, iter(sent.result()))

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

    async def _send_fresh(self, fresh: list[tuple[str, Record]]) -> Sent:
        sent = await self._publisher.publish(
            self._publisher.events_topic, [record for _, record in fresh]
        )
        keys = [key for key, _ in fresh]
        for index, key in enumerate(keys):
            self._in_flight[key] = (sent, index)
        sent.add_done_callback(functools.partial(self._settle, keys))
        return sent

    def _settle(self, keys: list[str], sent: Sent) -> None:
        for key, result in zip(keys, sent.result(), strict=True):
            if self._in_flight.get(key, (None, 0))[0] is sent:
                del self._in_flight[key]
            if isinstance(result, Written):
                self._index.add(key, result.timestamp_ms)
        self._metrics.dedup_entries.set(len(self._index))

    async def _await_all(self, sent: Sent, dead: Sent, in_flight: list[tuple[Sent, int]]) -> None:
        """Wait for this batch's records and for the in-flight writes its duplicates depend on."""
        batches = {sent, dead, *(batch for batch, _ in in_flight)}
        pending = [batch for batch in batches if not batch.done()]
        if pending:
            _, late = await asyncio.wait(
                [asyncio.shield(batch) for batch in pending],
                timeout=self._limits.publish_timeout_s,
            )
            if late:
                raise Unavailable(
                    f"Kafka did not acknowledge the batch ({len(late)} of {len(pending)} record "
                    "batches unacknowledged); retry it"
                )
        results = [*sent.result(), *dead.result(), *(b.result()[i] for b, i in in_flight)]
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise Unavailable(f"Kafka did not acknowledge the batch ({failures[0]!r}); retry it")

    def _outcomes(
        self,
        principal: Principal,
        verdicts: list[Verdict],
        plan: list[tuple[Status, tuple[Sent, int] | None]],
        sent: Iterator[Written | BaseException],
    ) -> list[Outcome]:
        outcomes = []
        for index, (verdict, (status, _)) in enumerate(zip(verdicts, plan, strict=True)):
            written = next(sent) if status is Status.ACCEPTED else None
            assert not isinstance(written, BaseException)  # _await_all raised for failures
            outcomes.append(Outcome(index, status, verdict, written))
        # counted per batch: a labelled Counter.inc per event is measurable at this rate
        unreadable = next(iter(principal.departments)) if len(principal.departments) == 1 else None
        counts = Counter(
            (o.status, v.event.source if v.event else unreadable or "unknown")
            for o, v in zip(outcomes, verdicts, strict=True)
        )
        for (status, department), count in counts.items():
            self._metrics.events.labels(status.value, department).inc(count)
        for code, count in Counter(v.errors[0].code for v in verdicts if v.errors).items():
            self._metrics.rejections.labels(code).inc(count)
        return outcomes


def _dlq_record(principal: Principal, index: int, verdict: Verdict, max_bytes: int) -> Record:
    """The DLQ copy of a rejected event: its bytes cut to ``max_bytes`` (an oversized event
    would be refused by the broker too, failing the whole call), with its reasons in headers."""
    errors = [{"field": e.field, "reason": e.reason, "code": e.code} for e in verdict.errors]
    headers = [
        ("jiandu_reason", verdict.reason.encode()),
        ("jiandu_errors", json.dumps(errors, ensure_ascii=False).encode()),
        ("jiandu_principal", principal.name.encode()),
        ("jiandu_batch_index", str(index).encode()),
        ("jiandu_received_at_ms", str(int(time.time() * 1000)).encode()),
    ]
    if len(verdict.raw) > max_bytes:
        headers.append(("jiandu_original_bytes", str(len(verdict.raw)).encode()))
    return Record(key=principal.name.encode(), value=verdict.raw[:max_bytes], headers=headers)
