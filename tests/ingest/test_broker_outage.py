"""The broker dies during a publish: the caller gets a retriable error or its events are written
once the broker is back; a retry of the same batch then completes it. Nothing is lost silently.

Runs a private single-node broker (its own state dir and ports) so the session broker is spared.
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import grpc
import pytest

from jiandu import topics
from jiandu.ingest.v1 import ingest_pb2
from jiandu.localkafka.cluster import LocalKafka
from jiandu.wire import header
from tests.factories import make_event
from tests.ingest.conftest import ingest_settings, start_ingest

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[tuple[LocalKafka, str]]:
    cluster = LocalKafka(tmp_path / "kafka")
    result = cluster.up(nodes=1, base_port=19392, partitions=3)
    yield cluster, result.bootstrap
    cluster.down(wipe=True)


def batch(first: int, size: int) -> list[bytes]:
    return [
        json.dumps(make_event("inspection", event_id=f"outage-{n}")).encode()
        for n in range(first, first + size)
    ]


async def test_no_event_is_lost_when_the_broker_dies_mid_publish(
    private_broker: tuple[LocalKafka, str],
) -> None:
    cluster, bootstrap = private_broker
    ingest = await start_ingest(ingest_settings(bootstrap, "", publish_timeout_s=4.0), bootstrap)
    try:
        assert (await ingest.publish(batch(0, 10))).accepted == 10

        cluster.kill_node(1, signal.SIGKILL)
        during = batch(10, 20)
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await ingest.publish(during)
        assert error.value.code() is grpc.StatusCode.UNAVAILABLE
        assert "retry" in (error.value.details() or "")

        await asyncio.get_running_loop().run_in_executor(None, cluster.start_node, 1)
        response = await _retry_until_ok(ingest.publish, during)
        assert response.rejected == 0
        assert response.accepted + response.duplicate == 20

        ids = [header(r.headers, "ce_id") for r in ingest.records(topics.EVENTS)]
        expected = {f"outage-{n}".encode() for n in range(30)}
        assert set(ids) == expected
        duplicates_on_topic = len(ids) - len(set(ids))
        assert duplicates_on_topic == 0, "the idempotent producer writes each record once"
    finally:
        await ingest.channel.close()
        await ingest.server.stop()


async def _retry_until_ok(
    publish: Callable[[list[bytes]], Awaitable[ingest_pb2.PublishResponse]],
    events: list[bytes],
    attempts: int = 20,
) -> ingest_pb2.PublishResponse:
    for _ in range(attempts):
        try:
            return await publish(events)
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.UNAVAILABLE:
                raise
            await asyncio.sleep(1.0)
    raise AssertionError("the broker came back but the batch never completed")
