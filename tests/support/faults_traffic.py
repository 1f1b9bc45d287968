"""The fault suite's traffic: a load generator publishing a fixed seeded data set through the
ingest gRPC API at a steady rate (recording what ingest acknowledged), and supervisors following
their Subscribe streams, resuming with their last cursor after any stream error."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import grpc

from jiandu.ingest.v1 import ingest_pb2
from jiandu_cli.alerts_client import AlertsClient
from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.pacing import Outgoing, tick_sizes

ACKED = (ingest_pb2.STATUS_ACCEPTED, ingest_pb2.STATUS_DUPLICATE)


def event_id(raw: bytes) -> str:
    """The ``event_id`` of one event's JSON."""
    found: str = json.loads(raw)["event_id"]
    return found


@dataclass
class Load:
    """Publishes ``events`` in order at ``rate`` per second (one call per second) until the end
    of the data or ``stop``; a call that fails is retried (same batch) until ingest answers."""

    events: list[Outgoing]
    rate: float
    sent: int = 0
    acked: set[str] = field(default_factory=set)
    accepted: int = 0
    duplicate: int = 0
    rejected: list[str] = field(default_factory=list)
    retried_calls: int = 0
    late_ticks: int = 0
    last_ack_at: float = 0.0
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, target: str, token: str, call_timeout_s: float = 300.0) -> None:
        client = IngestClient(target, token, timeout_s=30.0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            for k, size in enumerate(tick_sizes(len(self.events), self.rate, 1.0), start=1):
                if self.stop.is_set():
                    return
                wait = started + k - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                elif wait < -1.0:
                    self.late_ticks += 1
                batch = self.events[self.sent : self.sent + size]
                await self._publish(client, batch, call_timeout_s)
                self.sent += len(batch)
        finally:
            self.stop.set()  # no more publishing, whatever the reason
            await client.close()

    async def _publish(self, client: IngestClient, batch: list[Outgoing], limit_s: float) -> None:
        deadline = time.monotonic() + limit_s
        while True:
            try:
                response = await client.publish([e.raw for e in batch], retries=0)
                break
            except grpc.aio.AioRpcError as error:
                retriable = error.code() in (
                    grpc.StatusCode.UNAVAILABLE,
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                )
                if not retriable or time.monotonic() > deadline:
                    raise
                self.retried_calls += 1
                await asyncio.sleep(1.0)
        for outcome in response.outcomes:
            raw = batch[outcome.index].raw
            if outcome.status in ACKED:
                self.acked.add(event_id(raw))
            else:
                self.rejected.append(event_id(raw))
        self.accepted += response.accepted
        self.duplicate += response.duplicate
        self.last_ack_at = time.monotonic()

    @property
    def published(self) -> list[Outgoing]:
        """The events sent so far (a prefix of the data set), in publish order."""
        return self.events[: self.sent]


@dataclass
class Follower:
    """One supervisor's stream: every alert delivered as (alert id, version), in order."""

    name: str
    token: str
    target: str
    cursor: str = ""
    delivered: list[tuple[str, int]] = field(default_factory=list)
    reconnects: int = 0
    live_at: float = 0.0
    """When the stream last reported live (monotonic); 0 while it never has since a reconnect."""

    async def follow(self) -> None:
        """Forever: subscribe after the last cursor, record, and resume after any error."""
        async with AlertsClient(self.target, self.token) as client:
            while True:
                try:
                    async for item in client.subscribe(cursor=self.cursor):
                        if item.HasField("alert"):
                            self.delivered.append((item.alert.alert_id, item.alert.version))
                        elif item.HasField("live"):
                            self.live_at = time.monotonic()
                        if item.cursor:
                            self.cursor = item.cursor
                except grpc.aio.AioRpcError as error:
                    if error.code() is grpc.StatusCode.PERMISSION_DENIED:
                        raise  # a refused cursor is a bug, not a fault to ride out
                self.reconnects += 1
                self.live_at = 0.0
                await asyncio.sleep(0.5)

    def ids(self) -> set[str]:
        return {alert_id for alert_id, _ in self.delivered}
