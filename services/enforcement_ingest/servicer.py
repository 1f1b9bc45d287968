"""IngestService over gRPC: translates between protobuf and :class:`Intake`."""

from __future__ import annotations

import time
from typing import Any

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

_STATUS = {
    Status.ACCEPTED: ingest_pb2.STATUS_ACCEPTED,
    Status.DUPLICATE: ingest_pb2.STATUS_DUPLICATE,
    Status.REJECTED: ingest_pb2.STATUS_REJECTED,
}


class IngestServicer(ingest_pb2_grpc.IngestServiceServicer):
    """``Publish``: one outcome per event; whole-call errors only for auth and unavailability."""

    def __init__(self, intake: Intake, metrics: IngestMetrics) -> None:
        self._intake = intake
        self._metrics = metrics

    async def Publish(
        self, request: ingest_pb2.PublishRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> ingest_pb2.PublishResponse:
        started = time.perf_counter()
        try:
            outcomes = await self._intake.publish(current_principal.get(), list(request.events))
        except PermissionDenied as denied:
            self._metrics.calls.labels("PERMISSION_DENIED").inc()
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(denied))
        except Unavailable as unavailable:
            self._metrics.calls.labels("UNAVAILABLE").inc()
            await context.abort(grpc.StatusCode.UNAVAILABLE, str(unavailable))
        self._metrics.calls.labels("OK").inc()
        self._metrics.publish_seconds.observe(time.perf_counter() - started)
        return to_response(outcomes)


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
