"""Wiring of the ingest service: settings → objects → a running grpc.aio server.

Start order: producer, dedup history (read to the end before serving), gRPC server with the
auth interceptor, health (SERVING only once the dedup index is loaded) and reflection. Stop order
is the reverse; the producer is flushed last so nothing acknowledged to a caller is left behind.
"""

from __future__ import annotations

import asyncio
import logging

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu.serving import server_options
from jiandu.tls import add_port, server_transport
from jiandu.tokens import INGEST_AUDIENCE, BearerTokens, DepartmentClaims
from services.enforcement_ingest.auth import department_auth
from services.enforcement_ingest.dedup import DedupIndex
from services.enforcement_ingest.history import History, Sink
from services.enforcement_ingest.intake import Intake, Limits
from services.enforcement_ingest.metrics import IngestMetrics
from services.enforcement_ingest.publisher import Publisher
from services.enforcement_ingest.ratelimit import RateLimiter
from services.enforcement_ingest.servicer import IngestServicer, PublishLimits
from services.enforcement_ingest.settings import IngestSettings
from services.enforcement_ingest.tokens import Principal, TokenRegistry, department_tokens

log = logging.getLogger(__name__)
SERVICE_NAME = ingest_pb2.DESCRIPTOR.services_by_name["IngestService"].full_name


class IngestServer:
    """The running service. ``await start()`` returns once it serves; ``await stop()`` drains."""

    def __init__(self, settings: IngestSettings, metrics: IngestMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or IngestMetrics()
        self.port: int | None = None
        self._health = health.aio.HealthServicer()
        self._server: grpc.aio.Server | None = None
        self._publisher: Publisher | None = None
        self._history: History | None = None

    async def start(self) -> int:
        """Start serving; returns the bound gRPC port."""
        s = self.settings
        transport = server_transport(s.tls(), s.host)  # refuses before any Kafka work
        registry = TokenRegistry.from_sources(
            s.tokens_file, s.tokens.get_secret_value() if s.tokens else None
        )
        signed = s.token_verifier(INGEST_AUDIENCE)
        if not len(registry) and signed is None:
            log.warning("no department tokens configured: every Publish will be refused")
        tokens = department_tokens(registry, signed)
        self.metrics.expect(registry.departments())
        loop = asyncio.get_running_loop()
        self._publisher = await loop.run_in_executor(
            None, Publisher, s.kafka, s.linger_ms, s.max_request_bytes
        )
        window_ms = int(s.dedup_window_hours * 3600 * 1000)
        intake = Intake(
            self._publisher,
            DedupIndex(window_ms, s.dedup_max_entries),
            Limits(s.max_batch_events, s.max_event_bytes, s.publish_timeout_s),
            self.metrics,
        )
        self._history = History(s.kafka, self._publisher.events_topic, window_ms)
        sink = _threadsafe(loop, intake.remember)
        await loop.run_in_executor(None, self._history.load, intake.remember)
        self._history.tail(sink)
        self._server = self._build_server(tokens, intake)
        self.port = add_port(self._server, f"{s.host}:{s.port}", transport)
        await self._server.start()
        await self._health.set(SERVICE_NAME, health_pb2.HealthCheckResponse.SERVING)
        await self._health.set("", health_pb2.HealthCheckResponse.SERVING)
        log.info("ingest serving on %s:%d (%s)", s.host, self.port, transport.mode)
        return self.port

    def _build_server(
        self, tokens: BearerTokens[Principal, DepartmentClaims], intake: Intake
    ) -> grpc.aio.Server:
        s = self.settings
        interceptor = department_auth(
            tokens,
            lambda code: self.metrics.calls.labels(code).inc(),
            lambda reason: self.metrics.auth_refused.labels(reason).inc(),
        )
        server = grpc.aio.server(
            interceptors=[interceptor],
            options=[
                *server_options(s),
                ("grpc.max_receive_message_length", s.max_request_bytes),
                ("grpc.max_send_message_length", s.max_request_bytes),
            ],
            maximum_concurrent_rpcs=s.max_concurrent_rpcs,
        )
        limits = PublishLimits(
            s.max_concurrent_publishes_per_token,
            RateLimiter(s.publish_rate_per_s, s.publish_burst),
        )
        ingest_pb2_grpc.add_IngestServiceServicer_to_server(
            IngestServicer(intake, self.metrics, limits), server
        )
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
        return server

    async def stop(self) -> None:
        """Refuse new calls, let running ones finish, then flush and close Kafka clients."""
        await self._health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(self.settings.shutdown_grace_s)
        loop = asyncio.get_running_loop()
        if self._history is not None:
            await loop.run_in_executor(None, self._history.close)
        if self._publisher is not None:
            await loop.run_in_executor(None, self._publisher.close)
        log.info("ingest stopped")

    async def wait(self) -> None:
        """Block until the server terminates."""
        if self._server is not None:
            await self._server.wait_for_termination()


def _threadsafe(loop: asyncio.AbstractEventLoop, sink: Sink) -> Sink:
    """A sink callable from another thread that runs ``sink`` on the loop."""

    def post(batch: list[tuple[str, int]]) -> None:
        loop.call_soon_threadsafe(sink, batch)

    return post
