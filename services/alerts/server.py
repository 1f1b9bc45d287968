"""Wiring of the alerts service: settings → objects → a running grpc.aio server and the Kafka
loops (state-log follower, deviation intake, clock).

Start order: the state log is read to its end (health NOT_SERVING until then), then deviations
are consumed and gRPC serves. Stop order is the reverse.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from contextlib import suppress
from datetime import UTC, datetime

import grpc
from aiokafka import AIOKafkaConsumer
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from jiandu import topics
from jiandu.alerts.v1 import alerts_pb2, alerts_pb2_grpc
from jiandu.grpc_auth import BearerAuthInterceptor
from jiandu.serving import server_options
from jiandu.tls import add_port, server_transport
from jiandu.tokens import ALERTS_AUDIENCE, SupervisorClaims, TokenVerifier
from services.alerts.book import AlertBook
from services.alerts.intake import DeviationIntake
from services.alerts.log import StateLog
from services.alerts.metrics import AlertsMetrics
from services.alerts.model import Alert, AlertState
from services.alerts.policy import default_policy, load_policy_file
from services.alerts.route_loader import default_tree, load_routes_file
from services.alerts.servicer import AlertServicer
from services.alerts.settings import AlertsSettings
from services.alerts.supervisors import SupervisorRegistry, supervisor_tokens

log = logging.getLogger(__name__)
SERVICE_NAME = alerts_pb2.DESCRIPTOR.services_by_name["AlertService"].full_name


class AlertsServer:
    """The running service. ``await start()`` returns once it serves; ``await stop()`` drains."""

    def __init__(self, settings: AlertsSettings, metrics: AlertsMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or AlertsMetrics()
        self.port: int | None = None
        policy = (
            load_policy_file(settings.policy_file) if settings.policy_file else default_policy()
        )
        kafka = settings.kafka
        self.state = StateLog(
            kafka.bootstrap, kafka.topic(topics.ALERT_STATE), AlertBook(policy), kafka.security()
        )
        self._health = health.aio.HealthServicer()
        self._server: grpc.aio.Server | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._signed: TokenVerifier[SupervisorClaims] | None = None

    async def start(self) -> int:
        """Read the state log, start consuming deviations and serving; the bound gRPC port."""
        s = self.settings
        transport = server_transport(s.tls(), s.host)  # refuses before any Kafka work
        self._signed = s.token_verifier(ALERTS_AUDIENCE)  # so does a bad keys file
        await self.state.start()
        self._tasks.append(asyncio.create_task(self.state.follow(), name="state-log"))
        await asyncio.wait_for(self.state.ready.wait(), timeout=120)
        self._consumer = AIOKafkaConsumer(
            s.kafka.topic(topics.DEVIATIONS),
            bootstrap_servers=s.kafka.bootstrap,
            group_id=s.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **s.kafka.security().aiokafka(),
        )
        await self._consumer.start()
        tree = load_routes_file(s.routes_file) if s.routes_file else default_tree()
        intake = DeviationIntake(self._consumer, tree, self.state, self.metrics)
        self._tasks.append(asyncio.create_task(intake.run(), name="deviations"))
        self._tasks.append(asyncio.create_task(self._clock(), name="clock"))
        self._server = self._build_server()
        self.port = add_port(self._server, f"{s.host}:{s.port}", transport)
        await self._server.start()
        for name in (SERVICE_NAME, ""):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info("alerts serving on %s:%d (%s)", s.host, self.port, transport.mode)
        return self.port

    def _build_server(self) -> grpc.aio.Server:
        s = self.settings
        registry = SupervisorRegistry.from_sources(
            s.tokens_file, s.tokens.get_secret_value() if s.tokens else None
        )
        if not len(registry) and self._signed is None:
            log.warning("no supervisor tokens configured: every call will be refused")
        key = s.cursor_key.get_secret_value().encode() if s.cursor_key else None
        if key is None:
            log.warning("JIANDU_ALERTS_CURSOR_KEY unset: cursors are valid for this process only")
            key = secrets.token_bytes(32)
        interceptor = BearerAuthInterceptor(
            supervisor_tokens(registry, self._signed).authenticate,
            lambda code: self.metrics.denied.labels(code).inc(),
            "a valid supervisor token",
            lambda reason: self.metrics.auth_refused.labels(reason).inc(),
        )
        server = grpc.aio.server(
            interceptors=[interceptor],
            options=server_options(s),
            maximum_concurrent_rpcs=s.max_concurrent_rpcs,
        )
        servicer = AlertServicer(
            self.state,
            key,
            self.metrics,
            s.heartbeat_s,
            s.max_streams_per_token,
            s.stalled_stream_s,
        )
        alerts_pb2_grpc.add_AlertServiceServicer_to_server(servicer, server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
        return server

    async def _clock(self) -> None:
        """Escalations and silence expiry as time passes; the open-alert gauge."""
        while True:
            records = self.state.book.tick(datetime.now(UTC))
            await self.state.write(records)
            self.metrics.escalations.inc(
                sum(isinstance(r.item, Alert) and r.item.state is AlertState.ESCALATED
                    for r in records)
            )  # fmt: skip
            for record in records:
                if record.value is None:
                    self.metrics.retired.labels(record.key.split(":", 1)[0]).inc()
            for kind, size in self.state.book.sizes().items():
                self.metrics.book.labels(kind).set(size)
            self._gauge_open()
            await asyncio.sleep(self.settings.tick_interval_s)

    def _gauge_open(self) -> None:
        counts: dict[str, int] = {}
        for alert in self.state.book.open_alerts():
            counts[alert.severity.value] = counts.get(alert.severity.value, 0) + 1
        for severity in ("critical", "high", "medium", "low"):
            self.metrics.unacknowledged.labels(severity).set(counts.get(severity, 0))

    async def stop(self) -> None:
        """Refuse new calls, let running ones finish, stop the loops and the Kafka clients."""
        await self._health.enter_graceful_shutdown()
        if self._server is not None:
            await self._server.stop(self.settings.shutdown_grace_s)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if self._consumer is not None:
            await self._consumer.stop()
        await self.state.stop()
