"""Deviation intake: consumes supervision.deviations.v1 in the service's consumer group, routes
each deviation, lets the book open or group its alert, writes the result to the state log, and
commits the offsets only after the log acknowledged (at-least-once; the book drops a deviation
id it already holds, so a redelivery changes nothing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from jiandu.deviations import Deviation
from services.alerts.log import StateLog
from services.alerts.metrics import AlertsMetrics
from services.alerts.model import Alert
from services.alerts.routing import RoutingTree

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class DeviationIntake:
    """The deviations consumer of one alerts replica."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        tree: RoutingTree,
        state: StateLog,
        metrics: AlertsMetrics,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._consumer = consumer
        self._tree = tree
        self._state = state
        self._metrics = metrics
        self._clock = clock

    async def run(self) -> None:
        """Forever: a batch of deviations → alert records written → offsets committed."""
        await self._state.ready.wait()
        while True:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=500)
            for records in batches.values():
                for record in records:
                    await self._receive(record.value)
            if batches:
                await self._consumer.commit()

    async def _receive(self, value: bytes) -> None:
        try:
            deviation = Deviation.model_validate_json(value)
        except ValidationError as error:
            log.error("unreadable deviation skipped: %s", error)
            return
        routed = self._tree.route(deviation)
        records = self._state.book.receive(deviation, routed, self._clock())
        await self._state.write(records)
        for record in records:
            if isinstance(record.item, Alert):
                self._metrics.routed(record.item, deviation)
