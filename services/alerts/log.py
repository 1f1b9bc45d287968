"""The alert-state log: the compacted topic ``supervision.alert-state.v1`` is the truth, the
AlertBook is a view of it.

- ``write(records)`` produces records (acks=all, idempotent) and applies each to the book at
  the position the broker gave it, before returning (so a caller sees its own change);
- ``follow()`` reads every partition from the beginning (no consumer group: every replica reads
  everything), applies each record, tells the book how far it has read (so it can forget the
  positions of tombstones behind it), and wakes subscribers; ``ready`` is set once it has caught
  up with the end offsets seen at start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from jiandu.kafka_security import KafkaSecurity
from services.alerts.book import AlertBook
from services.alerts.model import AlertError, Record

log = logging.getLogger(__name__)


class StateLog:
    """Writes to and follows the alert-state topic for one AlertBook."""

    def __init__(
        self, bootstrap: str, topic: str, book: AlertBook, security: KafkaSecurity | None = None
    ) -> None:
        self.topic = topic
        self.book = book
        self.ready = asyncio.Event()
        self.changed = asyncio.Condition()
        self._bootstrap = bootstrap
        self._client = (security or KafkaSecurity()).aiokafka()
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True, **self._client
        )
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self._bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._client,
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
        if self._consumer is not None:
            await self._consumer.stop()

    async def write(self, records: Sequence[Record]) -> None:
        """Produce ``records`` in order and apply each once the broker acknowledged it."""
        assert self._producer is not None, "start() first"
        sent = [
            await self._producer.send(self.topic, key=r.key.encode(), value=r.value)
            for r in records
        ]
        for record, future in zip(records, sent, strict=True):
            meta = await future
            self._apply(meta.partition, meta.offset, record.key, record.value)
        if records:
            await self._notify()

    async def follow(self) -> None:
        """Apply every record of the topic, forever; sets ``ready`` once caught up."""
        assert self._consumer is not None, "start() first"
        ends: dict[TopicPartition, int] | None = None
        while True:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=1000)
            for tp, records in batches.items():
                for r in records:
                    self._apply(tp.partition, r.offset, (r.key or b"").decode(), r.value)
            if batches:
                self.book.followed(
                    {tp.partition: rs[-1].offset for tp, rs in batches.items() if rs}
                )
                await self._notify()
            if not self.ready.is_set() and self._consumer.assignment():
                ends = ends or await self._consumer.end_offsets(list(self._consumer.assignment()))
                if all([await self._consumer.position(tp) >= end for tp, end in ends.items()]):
                    log.info("alert state loaded: %d partitions", len(ends))
                    self.ready.set()

    def _apply(self, partition: int, offset: int, key: str, value: bytes | None) -> None:
        try:
            self.book.apply(partition, offset, key, value)
        except AlertError as error:  # a foreign or corrupt record: skip it, keep serving
            log.error("alert-state record %s@%d:%d skipped: %s", key, partition, offset, error)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()
