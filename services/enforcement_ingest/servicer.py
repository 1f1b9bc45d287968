"""IngestService over gRPC: translates between protobuf and :class:`Intake`, after the
per-token limits (calls running at once, events a second) admit the call."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Never

import grpc

from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from services.enforcement_ingest.auth import current_principal
from services.enforcement_ingest.intake import (
    Intake,
    Outcome,
    PermissionDenied,
    Status,
    Unavailable,
)
from services.enforcement_ingest.metrics import IngestMetrics
from services.enforcement_ingest.ratelimit import RateLimiter
from services.enforcement_ingest.tokens import Principal

_STATUS = {
    Status.ACCEPTED: ingest_pb2.STATUS_ACCEPTED,
    Status.DUPLICATE: ingest_pb2.STATUS_DUPLICATE,
    Status.REJECTED: ingest_pb2.STATUS_REJECTED,
}


@dataclass(frozen=True)
class PublishLimits:
    """Per-token admission of Publish calls: at most ``max_running`` at once, and events
    charged to ``rate`` (a batch costs its event count, at least 1; a batch over the burst, which
    is refused event by event anyway, costs the whole burst)."""

    max_running: int
    rate: RateLimiter


class IngestServicer(ingest_pb2_grpc.IngestServiceServicer):
    """``Publish``: one outcome per event; whole-call errors only for auth, unavailability and
    the per-token limits (RESOURCE_EXHAUSTED; the rate limit adds ``retry-after-ms``)."""

    def __init__(self, intake: Intake, metrics: IngestMetrics, limits: PublishLimits) -> None:
        self._intake = intake
        self._metrics = metrics
        self._limits = limits
        self._running: dict[str, int] = {}

    async def Publish(
        self, request: ingest_pb2.PublishRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> ingest_pb2.PublishResponse:
        started = time.perf_counter()
        principal: Principal = current_principal.get()
        if self._running.get(principal.name, 0) >= self._limits.max_running:
            await self._refuse(context, principal, "concurrency", None)
        cost = min(max(1, len(request.events)), self._limits.rate.burst)
        wait_s = self._limits.rate.take(principal.name, cost)
        if wait_s:
            await self._refuse(context, principal, "rate", wait_s)
        with self._running_call(principal.name):
            try:
                outcomes = await self._intake.publish(principal, list(request.events))
            except PermissionDenied as denied:
                self._metrics.calls.labels("PERMISSION_DENIED").inc()
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(denied))
            except Unavailable as unavailable:
                self._metrics.calls.labels("UNAVAILABLE").inc()
                await context.abort(grpc.StatusCode.UNAVAILABLE, str(unavailable))
        self._metrics.calls.labels("OK").inc()
        self._metrics.publish_seconds.observe(time.perf_counter() - started)
        return to_response(outcomes)

    @contextmanager
    def _running_call(self, name: str) -> Iterator[None]:
        self._running[name] = self._running.get(name, 0) + 1
        try:
            yield
        finally:
            self._running[name] -= 1
            if not self._running[name]:
                del self._running[name]

    async def _refuse(
        self,
        context: grpc.aio.ServicerContext[Any, Any],
        principal: Principal,
        limit: str,
        wait_s: float | None,
    ) -> Never:
        """Abort with RESOURCE_EXHAUSTED, counted; a rate refusal says when to retry."""
        self._metrics.calls.labels("RESOURCE_EXHAUSTED").inc()
        only = next(iter(principal.departments)) if len(principal.departments) == 1 else None
        self._metrics.throttled.labels(limit, only or "unknown").inc()
        if wait_s is None:
            message = (
                f"this token already has {self._limits.max_running} Publish calls running; "
                "retry when one has finished"
            )
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, message)
        retry_ms = math.ceil(wait_s * 1000)
        message = (
            f"publish rate limit of this token ({self._limits.rate.rate:g} events/s, "
            f"burst {self._limits.rate.burst}): retry after {retry_ms} ms"
        )
        await context.abort(
            grpc.StatusCode.RESOURCE_EXHAUSTED, message, (("retry-after-ms", str(retry_ms)),)
        )


def to_response(outcomes: list[Outcome]) -> ingest_pb2.PublishResponse:
    """The protobuf answer for a batch's outcomes."""
    response = ingest_pb2.PublishResponse()
    for outcome in outcomes:
        message = response.outcomes.add(
            index=outcome.index, event_id=outcome.event_id, status=_STATUS[outcome.status]
        )
        for error in outcome.verdict.errors:
            message.errors.add(field=error.field, reason=error.reason, code=error.code)
        if outcome.written is not None:
            message.partition = outcome.written.partition
            message.offset = outcome.written.offset
    response.accepted = sum(o.status is Status.ACCEPTED for o in outcomes)
    response.duplicate = sum(o.status is Status.DUPLICATE for o in outcomes)
    response.rejected = sum(o.status is Status.REJECTED for o in outcomes)
    return response
