"""Publisher: writes accepted events and DLQ records with kafka-python, awaitable from asyncio.

The producer is idempotent with ``acks=all``; sends of one batch are handed to the producer in one
executor call (``send`` may block on metadata) and their acknowledgements are awaited together.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer

from jiandu import topics
from jiandu.settings import KafkaSettings
from jiandu.wire import Record


@dataclass(frozen=True)
class Written:
    """Where a record landed, and the broker's timestamp (ms)."""

    partition: int
    offset: int
    timestamp_ms: int


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
        )

    async def publish(self, topic: str, records: Sequence[Record]) -> list[asyncio.Future[Written]]:
        """Hand ``records`` to the producer; each future resolves on acks=all or fails."""
        loop = asyncio.get_running_loop()
        waiters: list[asyncio.Future[Written]] = [loop.create_future() for _ in records]
        await loop.run_in_executor(None, self._send_all, topic, records, waiters, loop)
        return waiters

    def _send_all(
        self,
        topic: str,
        records: Sequence[Record],
        waiters: list[asyncio.Future[Written]],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        batch = _BatchResults(loop, waiters)
        for index, record in enumerate(records):
            try:
                sent = self._producer.send(
                    topic, key=record.key, value=record.value, headers=record.headers
                )
            except Exception as exc:  # every failure reaches the caller
                batch.settle(index, exc)
                continue
            sent.add_callback(_on_ack, batch, index)
            sent.add_errback(batch.settle, index)

    def close(self, timeout_s: float = 30.0) -> None:
        """Flush what is buffered, then close (graceful shutdown)."""
        self._producer.flush(timeout=timeout_s)
        self._producer.close(timeout=timeout_s)


class _BatchResults:
    """Collects the producer's callbacks (sender thread) for one batch and wakes the event loop
    once per batch, not once per record: a cross-thread wake-up costs more than a record."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, waiters: list[asyncio.Future[Written]]
    ) -> None:
        self._loop = loop
        self._waiters = waiters
        self._results: list[Written | BaseException | None] = [None] * len(waiters)
        self._left = len(waiters)
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
        for waiter, result in zip(self._waiters, self._results, strict=True):
            if waiter.done() or result is None:
                continue
            if isinstance(result, BaseException):
                waiter.set_exception(result)
            else:
                waiter.set_result(result)


def _on_ack(batch: _BatchResults, index: int, meta: Any) -> None:
    timestamp = meta.timestamp if meta.timestamp and meta.timestamp > 0 else int(time.time() * 1000)
    batch.settle(index, Written(meta.partition, meta.offset, timestamp))
