"""A slow subscriber does not hold up the others.

The policy that makes this hold (services/alerts/servicer.py, ``AlertServicer._stream``):

- each Subscribe stream is its own async generator over the one shared AlertBook, with its own
  position (partition → offset of the last record it sent); the book is never changed by a
  stream, and the intake and the state-log follower never wait for any stream;
- a stream computes one replay round at a time (``book.after(position, scope)``: the latest
  state of each alert changed since its position, not every intermediate version), yields it
  item by item, then waits on the log's ``changed`` condition (holding the lock only while
  waiting, never across a ``yield``);
- when its client stops reading, gRPC's HTTP/2 flow control fills that stream's window and the
  generator's ``yield`` stops being resumed: back-pressure applies to that stream alone. Nothing
  is queued per subscriber beyond the one replay round being sent, and when the client reads
  again it gets the latest state from its own position (so a slow client skips intermediate
  versions instead of buffering them).

The test opens a stream that reads its first message and then stops reading (the call stays
open), and one that reads normally; a few hundred real deviations are published; the normal
subscriber receives every alert it should (id and latest version), the slow call is still open,
and the service still answers ListAlerts. The slow client's channel keeps a small HTTP/2 window
(no BDP probing, 4 KiB lookahead) so that this test's few hundred KiB really reach the
back-pressure point: the server's delivery count shows the slow stream held after a handful of
items instead of being sent (or queued) everything. When the slow client reads again it catches
up to the latest version of every alert from its own position.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from functools import cache

import grpc
import pytest

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.deviations import Deviation
from services.alerts.scope import Scope
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    oracle,
    publish_deviations,
    real_deviations,
    start_alerts,
    supervisor,
    token_of,
)

pytestmark = pytest.mark.kafka

SLOW = supervisor("slow-sf", "V-SF", "SF-140700", "1407")
BRISK = supervisor("brisk-sf", "V-SF", "SF-140700", "1407")
PROMPTLY_S = 20.0
SMALL_WINDOW = (("grpc.http2.bdp_probe", 0), ("grpc.http2.lookahead_bytes", 4096))


@cache
def deviations() -> tuple[Deviation, ...]:
    """A few hundred real deviations: the engine over a longer generated stream."""
    found = real_deviations(8000)
    assert len(found) >= 200
    return found


@pytest.fixture
async def alerts(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Running]:
    settings = alerts_settings(
        kafka_bootstrap, project_topics, [SLOW, BRISK], heartbeat_s=0.2, shutdown_grace_s=0.5
    )
    running = await start_alerts(settings)
    try:
        yield running
    finally:
        await running.stop()


Call = grpc.aio.UnaryStreamCall[pb.SubscribeRequest, pb.SubscribeResponse]


async def read_until(call: Call, want: dict[str, int], got: dict[str, int]) -> int:
    """Read ``call`` until ``got`` (id → latest version seen) equals ``want``; the number of
    alert items read."""
    items = 0
    while got != want:
        item = await call.read()
        if item is grpc.aio.EOF:
            raise AssertionError("the stream ended")
        assert isinstance(item, pb.SubscribeResponse)
        if item.HasField("alert"):
            items += 1
            got[item.alert.alert_id] = item.alert.version
    return items


def delivered(running: Running) -> float:
    """Alert items the service has sent, over all streams (the delivery-latency count)."""
    registry = running.server.metrics.registry
    return registry.get_sample_value("jiandu_alerts_delivery_seconds_count") or 0.0


async def test_a_slow_subscriber_does_not_hold_up_the_others(
    alerts: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = deviations()
    want = {
        a.alert_id: a.version for a in oracle(found).after({}, Scope.model_validate(BRISK["scope"]))
    }
    assert len(want) >= 200

    port = alerts.server.port
    slow_channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=SMALL_WINDOW)
    slow_stub = alerts_pb2_grpc.AlertServiceStub(slow_channel)
    slow: Call = slow_stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token_of(SLOW["name"])))
    brisk: Call = alerts.stub.Subscribe(
        pb.SubscribeRequest(), metadata=auth(token_of(BRISK["name"]))
    )
    try:
        for call in (slow, brisk):
            opening = await call.read()
            assert isinstance(opening, pb.SubscribeResponse)
            assert opening.HasField("live"), "nothing published yet: the replay is the marker"

        began = time.monotonic()
        publish_deviations(kafka_bootstrap, project_topics, found)
        got: dict[str, int] = {}
        items = await asyncio.wait_for(read_until(brisk, want, got), PROMPTLY_S)
        assert got == want, "every alert, at its latest version"
        assert time.monotonic() - began < PROMPTLY_S

        assert not slow.done(), "the slow call is still open (held back, not dropped)"
        held = delivered(alerts) - items
        assert held < len(want) // 4, f"the slow stream was sent {held} items, not all of them"
        listed = await alerts.stub.ListAlerts(
            pb.ListAlertsRequest(page_size=500), metadata=auth(token_of(SLOW["name"]))
        )
        assert {a.alert_id: a.version for a in listed.alerts} == want

        caught: dict[str, int] = {}
        await asyncio.wait_for(read_until(slow, want, caught), PROMPTLY_S)
        assert caught == want, "reading again, the slow subscriber loses nothing"
    finally:
        slow.cancel()
        brisk.cancel()
        await slow_channel.close()


@pytest.fixture
async def churn(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Running]:
    """The service with a 1 ms heartbeat: every open stream is almost always inside its
    timed wait on the state log's condition, where a cancellation lands."""
    settings = alerts_settings(
        kafka_bootstrap,
        project_topics,
        [SLOW, BRISK],
        heartbeat_s=0.001,
        shutdown_grace_s=0.5,
        max_streams_per_token=100,
    )
    running = await start_alerts(settings)
    try:
        yield running
    finally:
        await running.stop()


async def test_subscribers_that_come_and_go_leave_the_others_served(churn: Running) -> None:
    """Regression: a stream cancelled while waiting for a change must leave the state log's
    condition lock free. With ``asyncio.wait_for(changed.wait(), heartbeat)`` the wait ran in a
    task of its own; a cancellation landing as it timed out let the stream leave before that task
    re-took the lock, which it then kept: every later stream stalled after its live marker (no
    heartbeat, no change) and the state log's notify could not run."""

    async def come_and_go(i: int) -> None:
        call = churn.stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token_of(SLOW["name"])))
        await call.read()
        await asyncio.sleep((i % 5) * 0.002)  # cancel at varied points of the wait
        call.cancel()

    for _ in range(40):
        await asyncio.gather(*(come_and_go(i) for i in range(25)))

    call: Call = churn.stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token_of(BRISK["name"])))
    try:
        async with asyncio.timeout(10):
            opening = await call.read()
            assert isinstance(opening, pb.SubscribeResponse)
            assert opening.HasField("live")
            beat = await call.read()
        assert isinstance(beat, pb.SubscribeResponse)
        assert beat.HasField("heartbeat"), "the stream goes on after its live marker"
    finally:
        call.cancel()
