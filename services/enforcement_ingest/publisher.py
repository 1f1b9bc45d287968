"""Publisher: writes accepted events and DLQ records with kafka-python, awaitable from asyncio.

The producer is idempotent with ``acks=all``; sends of one batch are handed to the producer in one
executor call (``send`` may block on metadata) and the batch's acknowledgements resolve one future.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from kafka import KafkaProducer

from jiandu import topics
from jiandu.settings import KafkaSettings
from jiandu.wire import Record

# Bytes per producer batch (one per partition). kafka-python's default (16 KiB) holds ~17 of our
# ~950-byte records (value + key + CloudEvents headers); every batch costs the sender thread a
# fixed amount of Python work (drain, expiry scan, request building), so 128 KiB batches cut the
# service's CPU per event by ~15% under the bench load. A batch still leaves after linger_ms;
# the baseline benchmark (jiandu_cli/bench.py) uses the same value.
BATCH_SIZE_BYTES = 128 * 1024


@dataclass(frozen=True)
class Written:
    """Where a record landed, and the broker's timestamp (ms)."""

    partition: int
    offset: int
    timestamp_ms: int


Result: TypeAlias = "Written | BaseException"
Sent: TypeAlias = "asyncio.Future[list[Result]]"
"""The fate of a batch of records, in order: one future per batch, not per record."""


class Publisher:
    """Owns the producer; ``publish`` returns futures that resolve when the broker acknowledged."""

    def __init__(self, kafka: KafkaSettings, linger_ms: int, max_request_bytes: int) -> None:
        self.events_topic = kafka.topic(topics.EVENTS)
        self.dlq_topic = kafka.topic(topics.EVENTS_DLQ)
        self._producer = KafkaProducer(
            bootstrap_servers=kafka.bootstrap.split(","),
            client_id=f"{kafka.client_id}-ingest",
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            max_request_size=max_request_bytes,
            max_block_ms=10_000,
            delivery_timeout_ms=120_000,
            batch_size=BATCH_SIZE_BYTES,
            **kafka.security().kafka_python(),
        )

    async def publish(self, topic: str, records: Sequence[Record]) -> Sent:
        """Hand ``records`` to the producer; the future resolves once every record is settled,
        to one result per record: where it landed (acks=all) or why it failed."""
        loop = asyncio.get_running_loop()
        sent: Sent = loop.create_future()
        if not records:
            sent.set_result([])
            return sent
        batch = _BatchResults(loop, sent, len(records))
        await loop.run_in_executor(None, self._send_all, topic, records, batch)
        return sent

    def _send_all(self, topic: str, records: Sequence[Record], batch: _BatchResults) -> None:
        for index, record in enumerate(records):
            try:
                future = self._producer.send(
                    topic, key=record.key, value=record.value, headers=record.headers
                )
            except Exception as exc:  # every failure reaches the caller
                batch.settle(index, exc)
                continue
            future.add_callback(_on_ack, batch, index)
            future.add_errback(batch.settle, index)

    def close(self, timeout_s: float = 30.0) -> None:
        """Flush what is buffered, then close (graceful shutdown)."""
        self._producer.flush(timeout=timeout_s)
        self._producer.close(timeout=timeout_s)


class _BatchResults:
    """Collects the producer's callbacks (sender thread) for one batch and wakes the event loop
    once per batch, not once per record: a cross-thread wake-up, a future and its callbacks cost
    more than a record."""

    def __init__(self, loop: asyncio.AbstractEventLoop, sent: Sent, size: int) -> None:
        self._loop = loop
        self._sent = sent
        self._results: list[Written | BaseException | None] = [None] * size
        self._left = size
        self._lock = threading.Lock()

    def settle(self, index: int, result: Written | BaseException) -> None:
        """Record one record's fate; the last one wakes the loop."""
        with self._lock:
            self._results[index] = result
            self._left -= 1
            last = self._left == 0
        if last:
            self._loop.call_soon_threadsafe(self._deliver)

    def _deliver(self) -> None:
        if not self._sent.done():
            self._sent.set_result([r for r in self._results if r is not None])


def _on_ack(batch: _BatchResults, index: int, meta: Any) -> None:
    timestamp = meta.timestamp if meta.timestamp and meta.timestamp > 0 else int(time.time() * 1000)
    batch.settle(index, Written(meta.partition, meta.offset, timestamp))
