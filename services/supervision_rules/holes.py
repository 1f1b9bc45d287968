"""HoleReader: reads from the events topic what faust did not deliver (see engine/continuity.py).

Its own aiokafka consumer, with the worker's group id only to look up committed offsets; it
assigns partitions by hand, so it never joins the group and never commits. Every read is
retried until it succeeds: a hole that cannot be read must stop the batch, not be skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from jiandu import topics
from services.supervision_rules.engine.continuity import Hole
from services.supervision_rules.settings import RulesSettings

log = logging.getLogger(__name__)

RETRY_S = 2.0
T = TypeVar("T")


class HoleReader:
    """Committed offsets of the rules group and offset ranges of enforcement.events.v1."""

    def __init__(self, settings: RulesSettings) -> None:
        self._settings = settings
        self._topic = settings.kafka.topic(topics.EVENTS)
        self._running: AIOKafkaConsumer | None = None

    async def stop(self) -> None:
        if self._running is not None:
            await self._running.stop()
            self._running = None

    async def _consumer(self) -> AIOKafkaConsumer:
        """The consumer, created and started on first use (aiokafka needs a running loop)."""
        if self._running is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._settings.kafka.bootstrap,
                group_id=self._settings.app_id,
                client_id=f"{self._settings.app_id}-holes",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                **self._settings.kafka.security().aiokafka(),
            )
            await consumer.start()
            self._running = consumer
        return self._running

    async def first_offset(self, partition: int) -> int:
        """Where the group resumes ``partition``: its committed offset, else the log start."""
        tp = TopicPartition(self._topic, partition)

        async def lookup() -> int:
            consumer = await self._consumer()
            committed = await consumer.committed(tp)
            if committed is not None:
                return int(committed)
            return int((await consumer.beginning_offsets([tp]))[tp])

        return await self._retrying(f"committed offset of partition {partition}", lookup)

    async def read(self, hole: Hole) -> list[bytes]:
        """The record values at offsets ``hole.start`` .. ``hole.end - 1``, in offset order
        (fewer if retention already deleted some)."""
        tp = TopicPartition(self._topic, hole.partition)

        async def fetch() -> list[bytes]:
            consumer = await self._consumer()
            consumer.assign([tp])
            consumer.seek(tp, hole.start)
            values: list[bytes] = []
            while await consumer.position(tp) < hole.end:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                values += [r.value for r in batch.get(tp, []) if r.offset < hole.end and r.value]
            return values

        return await self._retrying(f"offsets {hole.start}..{hole.end - 1} of {tp}", fetch)

    async def _retrying(self, what: str, attempt: Callable[[], Awaitable[T]]) -> T:
        while True:
            try:
                return await asyncio.wait_for(attempt(), timeout=60)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # retried: nothing may be skipped
                log.error("reading %s failed (%r); retrying in %.0fs", what, error, RETRY_S)
                await asyncio.sleep(RETRY_S)
