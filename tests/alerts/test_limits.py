"""The alerts service's limits, against a real server on 127.0.0.1.

- streams per supervisor: one more than ``max_streams_per_token`` is refused (RESOURCE_EXHAUSTED)
  while another supervisor is served and the first one's open streams go on;
- a client that stops reading loses its stream slot after ``stalled_stream_s``;
- calls at once over the whole server (``max_concurrent_rpcs``);
- connection settings reach gRPC: a connection idle past ``max_connection_idle_s`` is closed,
  one carrying a stream (heartbeats) is not; a peer that stops answering keepalive pings (a
  frozen TCP proxy, as a vanished network) is dropped and its stream slot freed; a connection
  past ``max_connection_age_s`` ends its stream (UNAVAILABLE) after the grace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    start_alerts,
    supervisor,
    token_of,
)

pytestmark = pytest.mark.kafka

GREEDY = supervisor("greedy-sf", "V-SF", "SF-140700", "1407")
OTHER = supervisor("other-sf", "V-SF", "SF-140700", "1407")
SMALL_WINDOW = (("grpc.http2.bdp_probe", 0), ("grpc.http2.lookahead_bytes", 4096))
Call = grpc.aio.UnaryStreamCall[pb.SubscribeRequest, pb.SubscribeResponse]


@pytest.fixture
async def start(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[object]:
    """``await start(**overrides)``: the service with GREEDY and OTHER, stopped afterwards."""
    running: list[Running] = []

    async def starter(**overrides: object) -> Running:
        values: dict[str, object] = {"heartbeat_s": 0.1, "shutdown_grace_s": 0.5}
        settings = alerts_settings(
            kafka_bootstrap, project_topics, [GREEDY, OTHER], **(values | overrides)
        )
        running.append(await start_alerts(settings))
        return running[-1]

    yield starter
    for one in running:
        await one.stop()


def subscribe(stub: alerts_pb2_grpc.AlertServiceAsyncStub, who: dict[str, object]) -> Call:
    return stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token_of(str(who["name"]))))


async def live(call: Call) -> None:
    """Read the live marker (nothing is published: the replay is empty)."""
    async with asyncio.timeout(10):
        first = await call.read()
    assert isinstance(first, pb.SubscribeResponse)
    assert first.HasField("live"), first


async def beats(call: Call) -> None:
    """The stream goes on: its next item is a heartbeat."""
    async with asyncio.timeout(10):
        item = await call.read()
    assert isinstance(item, pb.SubscribeResponse)
    assert item.HasField("heartbeat"), item


async def opened(stub: alerts_pb2_grpc.AlertServiceAsyncStub, who: dict[str, object]) -> Call:
    """A live stream of ``who``, once the server has freed a slot for it (a stream just ended
    may still count for a moment: RESOURCE_EXHAUSTED, tried again)."""
    async with asyncio.timeout(20):
        while True:
            call = subscribe(stub, who)
            try:
                await live(call)
                return call
            except grpc.aio.AioRpcError as error:
                code = error.code()
            assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
            await asyncio.sleep(0.05)


async def refused(call: Call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async with asyncio.timeout(10):
            await call.read()
    return caught.value


def sample(running: Running, name: str, **labels: str) -> float:
    return running.server.metrics.registry.get_sample_value(name, labels) or 0.0


async def test_one_more_stream_than_allowed_is_refused_while_others_are_served(
    start: object,
) -> None:
    running: Running = await start(max_streams_per_token=2)  # type: ignore[operator]
    mine = [subscribe(running.stub, GREEDY) for _ in range(2)]
    for call in mine:
        await live(call)

    extra = subscribe(running.stub, GREEDY)
    other = subscribe(running.stub, OTHER)
    error, _ = await asyncio.gather(refused(extra), live(other))
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "too many open streams" in (error.details() or "")
    for call in (*mine, other):
        await beats(call)  # the refused one's open streams and the other supervisor go on
    assert sample(running, "jiandu_alerts_denied_total", status="RESOURCE_EXHAUSTED") == 1

    mine[0].cancel()  # a closed stream frees its slot
    again = await opened(running.stub, GREEDY)
    for call in (*mine, other, again):
        call.cancel()


async def test_a_client_that_stops_reading_loses_its_stream_and_its_slot(start: object) -> None:
    """Heartbeats every 5 ms fill a small HTTP/2 window within a second; the stream's next
    message then waits for the client, which never reads: the server ends the handler and the
    supervisor may open a stream again."""
    running: Running = await start(  # type: ignore[operator]
        max_streams_per_token=1, heartbeat_s=0.005, stalled_stream_s=0.5
    )
    port = running.server.port
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=SMALL_WINDOW) as channel:
        stuck = subscribe(alerts_pb2_grpc.AlertServiceStub(channel), GREEDY)
        await live(stuck)  # then never reads again
        fresh = await opened(running.stub, GREEDY)  # once the stalled stream is ended
        await beats(fresh)
        fresh.cancel()
        stuck.cancel()
    assert sample(running, "jiandu_alerts_stalled_streams_total") == 1


async def test_calls_over_the_server_limit_are_refused(start: object) -> None:
    running: Running = await start(max_concurrent_rpcs=2)  # type: ignore[operator]
    open_ = [subscribe(running.stub, GREEDY), subscribe(running.stub, OTHER)]
    for call in open_:
        await live(call)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.ListAlerts(pb.ListAlertsRequest(), metadata=auth(token_of("other-sf")))
    assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    for call in open_:
        await beats(call)
        call.cancel()


async def test_an_idle_connection_is_closed_and_a_streaming_one_is_not(start: object) -> None:
    running: Running = await start(max_connection_idle_s=0.5)  # type: ignore[operator]
    target = f"127.0.0.1:{running.server.port}"
    own = (("grpc.use_local_subchannel_pool", 1),)  # two connections, not one shared
    async with (
        grpc.aio.insecure_channel(target, options=own) as idle,
        grpc.aio.insecure_channel(target, options=own) as busy,
    ):
        await alerts_pb2_grpc.AlertServiceStub(idle).ListAlerts(
            pb.ListAlertsRequest(), metadata=auth(token_of("other-sf"))
        )
        stream = subscribe(alerts_pb2_grpc.AlertServiceStub(busy), OTHER)
        await live(stream)
        assert idle.get_state() is grpc.ChannelConnectivity.READY
        async with asyncio.timeout(10):
            await idle.wait_for_state_change(grpc.ChannelConnectivity.READY)
        assert idle.get_state() is not grpc.ChannelConnectivity.READY, "closed by the server"
        for _ in range(15):  # 1.5 s: three idle periods
            await beats(stream)
        assert busy.get_state() is grpc.ChannelConnectivity.READY, "a stream is not idle"
        stream.cancel()


class FreezingProxy:
    """A TCP proxy to ``port`` that can freeze: it then forwards nothing in either direction but
    keeps its sockets open, like a peer that vanished from the network."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._thawed = asyncio.Event()
        self._thawed.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def freeze(self) -> None:
        self._thawed.clear()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._server is not None:
            self._server.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._port)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(source, sink))
            self._tasks.add(task)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            await self._thawed.wait()
            sink.write(data)
            await sink.drain()
        sink.close()


async def test_a_peer_that_stops_answering_pings_is_dropped_and_frees_its_slot(
    start: object,
) -> None:
    running: Running = await start(  # type: ignore[operator]
        max_streams_per_token=1, keepalive_time_s=0.3, keepalive_timeout_s=0.5
    )
    assert running.server.port is not None
    proxy = FreezingProxy(running.server.port)
    via = await proxy.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{via}") as channel:
            gone = subscribe(alerts_pb2_grpc.AlertServiceStub(channel), GREEDY)
            await live(gone)
            await beats(gone)
            proxy.freeze()
            fresh = await opened(running.stub, GREEDY)  # once the server dropped the peer
            await beats(fresh)
            fresh.cancel()
            gone.cancel()
    finally:
        await proxy.close()


async def beat_until_ended(call: Call) -> None:
    """Heartbeats until the call fails (raises its error)."""
    while True:
        await beats(call)


async def test_a_connection_past_its_age_is_closed_after_the_grace(start: object) -> None:
    running: Running = await start(  # type: ignore[operator]
        max_connection_age_s=0.5, max_connection_age_grace_s=0.5
    )
    target = f"127.0.0.1:{running.server.port}"
    async with grpc.aio.insecure_channel(target) as channel:
        stream = subscribe(alerts_pb2_grpc.AlertServiceStub(channel), OTHER)
        await live(stream)
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await asyncio.wait_for(beat_until_ended(stream), 15)
        assert ended.value.code() is grpc.StatusCode.UNAVAILABLE, ended.value
        again = subscribe(alerts_pb2_grpc.AlertServiceStub(channel), OTHER)
        await live(again)  # the client reconnects (and would resume from its cursor)
        again.cancel()
