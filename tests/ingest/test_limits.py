"""Ingest's per-token limits, against real servers on 127.0.0.1.

- publish rate (events a second per token): over it, RESOURCE_EXHAUSTED with ``retry-after-ms``
  while another department is served at the same time; retrying after the hint succeeds, and
  the CLI's client does so by itself;
- an oversized batch is refused event by event (as before) and costs the whole burst;
- a message over ``max_request_bytes``: RESOURCE_EXHAUSTED from gRPC, others still served;
- Publish calls running at once per token (a server whose intake waits for the test);
- settings: a burst smaller than a full batch is refused at start.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import grpc
import pytest
from pydantic import ValidationError

from jiandu import topics
from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu_cli.ingest_client import IngestClient
from services.enforcement_ingest.auth import department_auth
from services.enforcement_ingest.intake import Intake, Outcome
from services.enforcement_ingest.metrics import IngestMetrics
from services.enforcement_ingest.ratelimit import RateLimiter
from services.enforcement_ingest.servicer import IngestServicer, PublishLimits
from services.enforcement_ingest.settings import IngestSettings
from services.enforcement_ingest.tokens import Principal, TokenRegistry
from tests.factories import make_event
from tests.ingest.conftest import (
    DEPARTMENT,
    OTHER_TOKEN,
    TOKEN,
    Ingest,
    ingest_settings,
    start_ingest,
)

OTHER_DEPARTMENT = "140703-STHJ"


def events(n: int, tag: str, source: str = DEPARTMENT) -> list[bytes]:
    return [
        json.dumps(make_event("inspection", event_id=f"{tag}-{i}", source=source)).encode()
        for i in range(n)
    ]


def trailing(error: grpc.aio.AioRpcError, key: str) -> str | None:
    for k, v in error.trailing_metadata() or ():
        if k == key:
            return str(v)
    return None


def sample(ingest: Ingest, name: str, **labels: str) -> float:
    return ingest.server.metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def start(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Any]:
    """``await start(**overrides)``: an ingest service on the test's topics, stopped after."""
    running: list[Ingest] = []

    async def starter(**overrides: object) -> Ingest:
        settings = ingest_settings(kafka_bootstrap, project_topics, **overrides)
        running.append(await start_ingest(settings, kafka_bootstrap))
        return running[-1]

    yield starter
    for one in running:
        await one.channel.close()
        await one.server.stop()


@pytest.mark.kafka
async def test_a_publisher_over_its_rate_is_refused_while_another_is_served(start: Any) -> None:
    ingest: Ingest = await start(publish_rate_per_s=2, publish_burst=10, max_batch_events=10)
    warm = await ingest.publish(events(1, "warm", OTHER_DEPARTMENT), token=OTHER_TOKEN)
    assert warm.accepted == 1  # the producer knows the topic: the next call is quick
    first = await ingest.publish(events(10, "first"))  # the whole burst
    assert first.accepted == 10

    over, other = await asyncio.gather(
        ingest.publish(events(8, "over")),
        ingest.publish(events(9, "other", OTHER_DEPARTMENT), token=OTHER_TOKEN),
        return_exceptions=True,
    )
    assert isinstance(other, ingest_pb2.PublishResponse)
    assert other.accepted == 9
    assert isinstance(over, grpc.aio.AioRpcError), "8 events need 4 s at 2/s"
    assert over.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    retry_ms = int(trailing(over, "retry-after-ms") or "0")
    assert 0 < retry_ms <= 4000, retry_ms
    assert f"retry after {retry_ms} ms" in (over.details() or "")

    await asyncio.sleep(retry_ms / 1000)  # the hint is honest: then the same batch passes
    again = await ingest.publish(events(8, "over"))
    assert again.accepted == 8
    assert len(ingest.records(topics.EVENTS)) == 1 + 10 + 9 + 8, "nothing of the refused call"
    assert sample(ingest, "jiandu_ingest_throttled_total", limit="rate", department=DEPARTMENT) == 1
    assert sample(ingest, "jiandu_ingest_calls_total", status="RESOURCE_EXHAUSTED") == 1


@pytest.mark.kafka
async def test_the_cli_client_waits_as_told_and_publishes_everything(start: Any) -> None:
    ingest: Ingest = await start(publish_rate_per_s=10, publish_burst=10, max_batch_events=10)
    client = IngestClient(f"127.0.0.1:{ingest.server.port}", TOKEN)
    try:
        tally = await client.publish_all(events(30, "cli"), batch_size=10)
    finally:
        await client.close()
    assert tally.accepted == 30
    assert sample(ingest, "jiandu_ingest_throttled_total", limit="rate", department=DEPARTMENT) >= 1


@pytest.mark.kafka
async def test_an_oversized_batch_is_rejected_event_by_event_and_costs_the_burst(
    start: Any,
) -> None:
    ingest: Ingest = await start(publish_rate_per_s=0.1, publish_burst=10, max_batch_events=10)
    answer = await ingest.publish(events(12, "big"))
    assert answer.rejected == 12
    assert {e.code for o in answer.outcomes for e in o.errors} == {"batch_too_large"}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await ingest.publish(events(1, "next"))
    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.kafka
async def test_a_message_over_the_limit_is_refused_and_others_are_served(start: Any) -> None:
    ingest: Ingest = await start(max_request_bytes=1024 * 1024)
    heavy = [b"x" * (200 * 1024)] * 6  # 1.2 MiB in one message
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await ingest.publish(heavy)
    assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    other = await ingest.publish(events(1, "other", OTHER_DEPARTMENT), token=OTHER_TOKEN)
    assert other.accepted == 1
    mine = await ingest.publish(events(1, "mine"))
    assert mine.accepted == 1, "the refused message cost its token nothing"
    assert ingest.records(topics.EVENTS_DLQ) == []


class WaitingIntake:
    """An intake whose publish waits until the test lets it go (answers nothing)."""

    def __init__(self) -> None:
        self.entered = asyncio.Semaphore(0)
        self.go = asyncio.Event()

    async def publish(self, principal: Principal, raws: Sequence[bytes]) -> list[Outcome]:
        self.entered.release()
        await self.go.wait()
        return []


async def test_a_token_with_too_many_calls_running_is_refused_while_another_is_served() -> None:
    registry = TokenRegistry.from_sources(None, f"{TOKEN}={DEPARTMENT};{OTHER_TOKEN}=140703-STHJ")
    metrics, intake = IngestMetrics(), WaitingIntake()
    limits = PublishLimits(max_running=1, rate=RateLimiter(1000, 1000))
    server = grpc.aio.server(interceptors=[department_auth(registry, lambda code: None)])
    servicer = IngestServicer(cast(Intake, intake), metrics, limits)
    ingest_pb2_grpc.add_IngestServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = ingest_pb2_grpc.IngestServiceStub(channel)

            def publish(token: str) -> Any:
                request = ingest_pb2.PublishRequest(events=[b"{}"])
                return stub.Publish(request, metadata=(("authorization", f"Bearer {token}"),))

            running = publish(TOKEN)
            await asyncio.wait_for(intake.entered.acquire(), 10)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await publish(TOKEN)
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "1 Publish calls running" in (refused.value.details() or "")
            other = publish(OTHER_TOKEN)
            await asyncio.wait_for(intake.entered.acquire(), 10)  # served: inside the intake
            intake.go.set()
            await asyncio.wait_for(asyncio.gather(running, other), 10)
            await asyncio.wait_for(publish(TOKEN), 10)  # its call has ended: a slot again
        labels = {"limit": "concurrency", "department": DEPARTMENT}
        assert metrics.registry.get_sample_value("jiandu_ingest_throttled_total", labels) == 1
    finally:
        await server.stop(0)


def test_a_burst_smaller_than_a_full_batch_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be at least max_batch_events"):
        IngestSettings(max_batch_events=1000, publish_burst=999)
    assert IngestSettings(max_batch_events=1000, publish_burst=1000).publish_burst == 1000
