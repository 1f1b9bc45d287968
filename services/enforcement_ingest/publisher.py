"""Publisher: writes accepted events and DLQ records with kafka-python, awaitable from asyncio.

The producer is idempotent with ``acks=all``; sends of one batch are handed to the producer in one
executor call (``send`` may block on metadata) and their acknowledgements are awaited together.
"""

from __future__ import annotations

import asyncio
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
        for record, waiter in zip(records, waiters, strict=True):
            try:
                sent = self._producer.send(
                    topic, key=record.key, value=record.value, headers=record.headers
                )
            except Exception as exc:
                loop.call_soon_threadsafe(_fail, waiter, exc)
                continue
            sent.add_callback(_on_ack, loop, waiter)
            sent.add_errback(_on_error, loop, waiter)

    def close(self, timeout_s: float = 30.0) -> None:
        """Flush what is buffered, then close (graceful shutdown)."""
        self._producer.flush(timeout=timeout_s)
        self._producer.close(timeout=timeout_s)


def _on_ack(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Written], meta: Any) -> None:
    timestamp = meta.timestamp if meta.timestamp and meta.timestamp > 0 else int(time.time() * 1000)
    written = Written(meta.partition, meta.offset, timestamp)
    loop.call_soon_threadsafe(_resolve, waiter, written)


def _on_error(loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Written], exc: Any) -> None:
    loop.call_soon_threadsafe(_fail, waiter, exc)


def _resolve(waiter: asyncio.Future[Written], written: Written) -> None:
    if not waiter.done():
        waiter.set_result(written)


def _fail(waiter: asyncio.Future[Written], exc: BaseException) -> None:
    if not waiter.done():
        waiter.set_exception(exc)
