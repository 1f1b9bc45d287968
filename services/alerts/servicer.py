"""AlertService over gRPC: every answer filtered by the caller's Scope on the server.

Subscribe replays what the Scope sees after the cursor (in log order), sends a live marker, then
live changes as the state log brings them, with a heartbeat every ``heartbeat_s``. Each item
carries the cursor to resume after it; a cursor minted for another scope is refused.

Limits: a supervisor holds at most ``max_streams`` open streams (one more: RESOURCE_EXHAUSTED,
the open ones go on). A stream is *stalled* when a message it sends (alert, marker or heartbeat)
is not taken by gRPC within ``stalled_s``: the client stopped reading and its HTTP/2 window is
full. The handler of a stalled stream is cancelled, which frees the supervisor's slot and the
server's call slot, so a stuck client cannot hold them for ever. grpc.aio has no way to reset
one call from the server: the HTTP/2 stream (and at most a window of bytes) stays until the
client cancels, its connection dies (keepalive) or ``max_connection_age_s`` closes it; a client
that reads again gets no more heartbeats and must resubscribe from its last cursor. A quiet
stream is not stalled: its heartbeats are taken. Dead peers are found by keepalive pings.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import grpc

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.grpc_auth import current_principal
from services.alerts import convert, cursor
from services.alerts.log import StateLog
from services.alerts.metrics import AlertsMetrics
from services.alerts.model import (
    AlertError,
    AlertFilter,
    AlertNotFound,
    AlertTransitionError,
    ScopeDenied,
)
from services.alerts.supervisors import Supervisor

Context = grpc.aio.ServicerContext[Any, Any]
Clock = Callable[[], datetime]


class AlertServicer(alerts_pb2_grpc.AlertServiceServicer):
    """The AlertService of one replica, over its StateLog and AlertBook."""

    def __init__(
        self,
        state: StateLog,
        cursor_key: bytes,
        metrics: AlertsMetrics,
        heartbeat_s: float,
        max_streams: int,
        stalled_s: float = 120.0,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._state = state
        self._book = state.book
        self._key = cursor_key
        self._metrics = metrics
        self._heartbeat_s = heartbeat_s
        self._max_streams = max_streams
        self._stalled_s = stalled_s
        self._streams: dict[str, int] = {}
        self._clock = clock

    async def Subscribe(
        self, request: pb.SubscribeRequest, context: Context
    ) -> AsyncIterator[pb.SubscribeResponse]:
        who: Supervisor = current_principal.get()
        try:
            positions = cursor.decode(request.cursor, who.scope, self._key)
        except AlertError as error:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, str(error))
        if self._streams.get(who.name, 0) >= self._max_streams:
            self._metrics.denied.labels("RESOURCE_EXHAUSTED").inc()
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "too many open streams")
        wanted = convert.alert_filter(request.filter)
        self._opened(who, +1)
        try:
            async for item in self._stream(who, positions, wanted):
                # the call's task resumes this generator after gRPC took the item; a client
                # that stopped reading keeps it suspended here: past stalled_s, end the call
                timer = asyncio.get_running_loop().call_later(
                    self._stalled_s, self._end_stalled, asyncio.current_task()
                )
                try:
                    yield item
                finally:
                    timer.cancel()
        finally:
            self._opened(who, -1)

    def _end_stalled(self, call: asyncio.Task[Any] | None) -> None:
        self._metrics.stalled.inc()
        if call is not None:
            call.cancel()

    async def _stream(
        self, who: Supervisor, positions: dict[int, int], wanted: AlertFilter
    ) -> AsyncIterator[pb.SubscribeResponse]:
        await self._state.ready.wait()
        live = False
        while True:
            alerts = self._book.after(positions, who.scope)
            high = self._book.high_water()
            for alert in alerts:
                partition, offset = self._book.position(alert.alert_id)
                positions = {**positions, partition: offset}
                if wanted.matches(alert):
                    self._metrics.delivered(alert)
                    yield pb.SubscribeResponse(
                        alert=convert.alert_message(alert), cursor=self._cursor(who, positions)
                    )
            positions = {**positions, **high}
            if not live:
                live = True
                yield pb.SubscribeResponse(
                    live=pb.LiveMarker(), cursor=self._cursor(who, positions)
                )
            if not await self._wait_change():
                beat = pb.Heartbeat(at=convert.timestamp(self._clock()))
                yield pb.SubscribeResponse(heartbeat=beat, cursor=self._cursor(who, positions))

    async def _wait_change(self) -> bool:
        # asyncio.timeout, not wait_for: wait_for runs Condition.wait in a task of its own, and a
        # cancelled stream could leave the `async with` before that task re-took the lock (which
        # it then held forever, stalling every stream and the state log's notify).
        async with self._state.changed:
            try:
                async with asyncio.timeout(self._heartbeat_s):
                    await self._state.changed.wait()
                return True
            except TimeoutError:
                return False

    def _cursor(self, who: Supervisor, positions: dict[int, int]) -> str:
        return cursor.encode(positions, who.scope, self._key)

    def _opened(self, who: Supervisor, delta: int) -> None:
        open_now = self._streams.get(who.name, 0) + delta
        if open_now:
            self._streams[who.name] = open_now
        else:
            self._streams.pop(who.name, None)  # one entry per supervisor with a stream open
        self._metrics.subscribers.labels(who.scope.channel.value).inc(delta)

    async def Ack(self, request: pb.AckRequest, context: Context) -> pb.Alert:
        who: Supervisor = current_principal.get()
        choice = convert.disposition(request.disposition)
        if choice is None:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a disposition is required")
        return await self._change(
            context,
            request.alert_id,
            lambda now: self._book.acknowledge(
                request.alert_id, who.scope, who.name, choice, request.note, now
            ),
        )

    async def Resolve(self, request: pb.ResolveRequest, context: Context) -> pb.Alert:
        who: Supervisor = current_principal.get()
        return await self._change(
            context,
            request.alert_id,
            lambda now: self._book.resolve(
                request.alert_id, who.scope, who.name, request.note, now
            ),
        )

    async def _change(self, context: Context, alert_id: str, make: Any) -> pb.Alert:
        try:
            await self._state.write(make(self._clock()))
            return convert.alert_message(self._book.get(alert_id, current_principal.get().scope))
        except AlertError as error:
            await context.abort(_status(error), str(error))
        raise AssertionError("unreachable")

    async def ListAlerts(
        self, request: pb.ListAlertsRequest, context: Context
    ) -> pb.ListAlertsResponse:
        who: Supervisor = current_principal.get()
        try:
            page = self._book.list_alerts(
                who.scope,
                convert.alert_filter(request.filter),
                request.page_size or 50,
                request.page_token,
            )
        except AlertError as error:
            await context.abort(_status(error), str(error))
        return pb.ListAlertsResponse(
            alerts=[convert.alert_message(a) for a in page.alerts],
            next_page_token=page.next_page_token,
        )

    async def GetAlert(self, request: pb.GetAlertRequest, context: Context) -> pb.Alert:
        try:
            alert = self._book.get(request.alert_id, current_principal.get().scope)
        except AlertError as error:
            await context.abort(_status(error), str(error))
        return convert.alert_message(alert)

    async def CreateSilence(self, request: pb.CreateSilenceRequest, context: Context) -> pb.Silence:
        who: Supervisor = current_principal.get()
        s = request.silence
        now = self._clock()
        if not s.HasField("ends_at"):
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "a silence needs ends_at (expiry)"
            )
        try:
            starts = s.starts_at.ToDatetime(UTC) if s.HasField("starts_at") else now
            ends = s.ends_at.ToDatetime(UTC)
            records = self._book.create_silence(
                who.scope, who.name, s.reason, convert.matchers(s), starts, ends, now
            )
            await self._state.write(records)
        except (AlertError, ValueError) as error:
            await context.abort(_status(error), str(error))
        made = records[0].item
        return convert.silence_message(made)  # type: ignore[arg-type]

    async def ListSilences(
        self, request: pb.ListSilencesRequest, context: Context
    ) -> pb.ListSilencesResponse:
        who: Supervisor = current_principal.get()
        now = self._clock()
        found = [
            s for s in self._book.silences(who.scope) if request.include_expired or s.ends_at > now
        ]
        return pb.ListSilencesResponse(silences=[convert.silence_message(s) for s in found])

    async def ExpireSilence(self, request: pb.ExpireSilenceRequest, context: Context) -> pb.Silence:
        who: Supervisor = current_principal.get()
        try:
            records = self._book.expire_silence(request.silence_id, who.scope, self._clock())
            await self._state.write(records)
        except AlertError as error:
            await context.abort(_status(error), str(error))
        return convert.silence_message(records[0].item)  # type: ignore[arg-type]


def _status(error: Exception) -> grpc.StatusCode:
    if isinstance(error, AlertNotFound):
        return grpc.StatusCode.NOT_FOUND
    if isinstance(error, ScopeDenied):
        return grpc.StatusCode.PERMISSION_DENIED
    if isinstance(error, AlertTransitionError):
        return grpc.StatusCode.FAILED_PRECONDITION
    return grpc.StatusCode.INVALID_ARGUMENT
