"""Fixtures for the ingest service: a real IngestServer on 127.0.0.1 against the session broker,
with its own topics (a fresh prefix per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest

from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu.localkafka.admin import read_topic
from jiandu.settings import KafkaSettings
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings

TOKEN = "yuci-ecology-test-token"
OTHER_TOKEN = "taigu-ecology-test-token"
DEPARTMENT = "140702-STHJ"


@dataclass
class Ingest:
    """A running ingest service and what a test needs to talk to it."""

    server: IngestServer
    settings: IngestSettings
    stub: ingest_pb2_grpc.IngestServiceStub
    channel: grpc.aio.Channel
    bootstrap: str

    async def publish(
        self, events: list[bytes], token: str | None = TOKEN
    ) -> ingest_pb2.PublishResponse:
        metadata = (("authorization", f"Bearer {token}"),) if token else ()
        call = self.stub.Publish(
            ingest_pb2.PublishRequest(events=events), metadata=metadata, timeout=60
        )
        response: ingest_pb2.PublishResponse = await call  # type: ignore[misc]
        return response

    def records(self, topic: str) -> list[Any]:
        return read_topic(self.bootstrap, self.settings.kafka.topic(topic))


def ingest_settings(bootstrap: str, prefix: str, **overrides: object) -> IngestSettings:
    base: dict[str, object] = {
        "kafka": KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix),
        "port": 0,
        "metrics_port": 0,
        "insecure": True,
        "tokens": f"{TOKEN}={DEPARTMENT};{OTHER_TOKEN}=140703-STHJ",
        "max_batch_events": 1000,
        "publish_timeout_s": 10.0,
    }
    base.update(overrides)
    return IngestSettings.model_validate(base)


async def start_ingest(settings: IngestSettings, bootstrap: str) -> Ingest:
    server = IngestServer(settings)
    port = await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return Ingest(server, settings, ingest_pb2_grpc.IngestServiceStub(channel), channel, bootstrap)


@pytest.fixture
async def ingest(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Ingest]:
    """A running ingest service on its own topics (the test's prefix)."""
    running = await start_ingest(ingest_settings(kafka_bootstrap, project_topics), kafka_bootstrap)
    yield running
    await running.channel.close()
    await running.server.stop()
