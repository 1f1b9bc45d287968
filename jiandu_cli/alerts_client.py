"""AlertsClient: the AlertService (jiandu.alerts.v1) over grpc.aio with a supervisor token.

Every call carries ``authorization: Bearer <token>``; errors surface as grpc.aio.AioRpcError.
Also here: the CLI's names for severities, states and dispositions, and what an error means
for the exit code (0 ok, 1 refused or invalid, 2 unreachable).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from types import TracebackType

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc

SEVERITIES = {
    "low": pb.SEVERITY_LOW,
    "medium": pb.SEVERITY_MEDIUM,
    "high": pb.SEVERITY_HIGH,
    "critical": pb.SEVERITY_CRITICAL,
}
STATES = {
    "new": pb.ALERT_STATE_NEW,
    "acknowledged": pb.ALERT_STATE_ACKNOWLEDGED,
    "silenced": pb.ALERT_STATE_SILENCED,
    "escalated": pb.ALERT_STATE_ESCALATED,
    "resolved": pb.ALERT_STATE_RESOLVED,
}
DISPOSITIONS = {
    "confirmed": pb.DISPOSITION_CONFIRMED,
    "justified": pb.DISPOSITION_JUSTIFIED,
    "data-error": pb.DISPOSITION_DATA_ERROR,
    "referred": pb.DISPOSITION_REFERRED,
}
UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
BEIJING = timezone(timedelta(hours=8), "UTC+8")


class DispositionName(StrEnum):
    """Disposition choices of ``alerts ack``."""

    CONFIRMED = "confirmed"
    JUSTIFIED = "justified"
    DATA_ERROR = "data-error"
    REFERRED = "referred"


class NoSuchAlert(LookupError):
    """No alert, or several, of the scope start with the id prefix given."""


def name_of(names: Mapping[str, int], value: int) -> str:
    """The CLI name of an enum value (``SEVERITIES``, ``STATES``, ``DISPOSITIONS``); "" if unset."""
    return next((name for name, v in names.items() if v == value), "")


def alert_filter(
    states: Iterable[str] = (),
    checks: Iterable[str] = (),
    severities: Iterable[str] = (),
    region: str = "",
) -> pb.AlertFilter:
    """A filter from CLI names (already validated by the caller); empty fields match anything."""
    return pb.AlertFilter(
        states=[STATES[s] for s in states],
        check_ids=[c.upper() for c in checks],
        severities=[SEVERITIES[s] for s in severities],
        region_prefix=region,
    )


def local_time(stamp: Timestamp) -> str:
    """A protobuf Timestamp as ``YYYY-MM-DD HH:MM`` Beijing time ("" when unset)."""
    if not stamp.seconds and not stamp.nanos:
        return ""
    return stamp.ToDatetime(UTC).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def describe(error: grpc.aio.AioRpcError) -> str:
    """``CODE: details`` of a failed call."""
    return f"{error.code().name}: {error.details() or '(no details)'}"


def exit_code(error: grpc.aio.AioRpcError) -> int:
    """2 when the service could not be reached, 1 when it refused or judged the call invalid."""
    return 2 if error.code() in UNREACHABLE else 1


class AlertsClient:
    """A channel to the alerts service with one supervisor's token; TLS with ``credentials``."""

    def __init__(
        self,
        target: str,
        token: str,
        timeout_s: float = 30.0,
        *,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        self._channel = (
            grpc.aio.secure_channel(target, credentials)
            if credentials
            else grpc.aio.insecure_channel(target)
        )
        self._stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(
            self._channel
        )
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._timeout_s = timeout_s

    async def __aenter__(self) -> AlertsClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def subscribe(
        self, cursor: str = "", filter: pb.AlertFilter | None = None
    ) -> AsyncGenerator[pb.SubscribeResponse, None]:
        """The stream after ``cursor`` (no deadline); closing the iterator cancels the call."""
        request = pb.SubscribeRequest(cursor=cursor, filter=filter)
        call = self._stub.Subscribe(request, metadata=self._metadata)
        try:
            async for item in call:
                yield item
        finally:
            call.cancel()

    async def list_alerts(
        self, filter: pb.AlertFilter | None = None, page_size: int = 50, page_token: str = ""
    ) -> pb.ListAlertsResponse:
        """One page of the alerts the token's scope sees, newest first."""
        request = pb.ListAlertsRequest(filter=filter, page_size=page_size, page_token=page_token)
        response: pb.ListAlertsResponse = await self._stub.ListAlerts(
            request, metadata=self._metadata, timeout=self._timeout_s
        )
        return response

    async def get(self, alert_id: str) -> pb.Alert:
        """One alert with its explanation and history (NOT_FOUND outside the scope)."""
        alert: pb.Alert = await self._stub.GetAlert(
            pb.GetAlertRequest(alert_id=alert_id), metadata=self._metadata, timeout=self._timeout_s
        )
        return alert

    async def list_all(self, filter: pb.AlertFilter, limit: int) -> list[pb.Alert]:
        """Up to ``limit`` alerts, page by page, newest first."""
        alerts: list[pb.Alert] = []
        token = ""
        while len(alerts) < limit:
            page = await self.list_alerts(filter, min(limit - len(alerts), 500), token)
            alerts.extend(page.alerts)
            token = page.next_page_token
            if not token:
                break
        return alerts

    async def find(self, alert_id: str) -> pb.Alert:
        """The alert of an id, or of a unique prefix of 6+ characters (else ``NoSuchAlert``)."""
        try:
            return await self.get(alert_id)
        except grpc.aio.AioRpcError as error:
            if error.code() is not grpc.StatusCode.NOT_FOUND or not 6 <= len(alert_id) < 32:
                raise
        every = await self.list_all(pb.AlertFilter(), 1_000_000)
        found = [a for a in every if a.alert_id.startswith(alert_id)]
        if len(found) != 1:
            raise NoSuchAlert(f"{len(found) or 'no'} alerts of this scope start with {alert_id!r}")
        return found[0]

    async def ack(self, alert_id: str, disposition: int, note: str) -> pb.Alert:
        """Acknowledge with a ``pb.DISPOSITION_*``; the acknowledged alert."""
        request = pb.AckRequest(alert_id=alert_id, disposition=disposition, note=note)  # type: ignore[arg-type]
        alert: pb.Alert = await self._stub.Ack(
            request, metadata=self._metadata, timeout=self._timeout_s
        )
        return alert

    async def resolve(self, alert_id: str, note: str) -> pb.Alert:
        """Resolve; the resolved alert."""
        alert: pb.Alert = await self._stub.Resolve(
            pb.ResolveRequest(alert_id=alert_id, note=note),
            metadata=self._metadata,
            timeout=self._timeout_s,
        )
        return alert

    async def create_silence(
        self,
        reason: str,
        ends_at: datetime,
        checks: Iterable[str] = (),
        region: str = "",
        severities: Iterable[int] = (),
        department: str = "",
        party_id: str = "",
        domain: str = "",
    ) -> pb.Silence:
        """A silence from now to ``ends_at``; the server sets its id and creator (the token's)."""
        silence = pb.Silence(
            check_ids=[c.upper() for c in checks],
            region_prefix=region,
            severities=list(severities),  # type: ignore[arg-type]
            department=department,
            party_id=party_id,
            domain=domain,
            reason=reason,
        )
        silence.ends_at.FromDatetime(ends_at.astimezone(UTC))
        made: pb.Silence = await self._stub.CreateSilence(
            pb.CreateSilenceRequest(silence=silence),
            metadata=self._metadata,
            timeout=self._timeout_s,
        )
        return made

    async def list_silences(self, include_expired: bool = False) -> list[pb.Silence]:
        """The silences the scope sees; the ended ones too with ``include_expired``."""
        response: pb.ListSilencesResponse = await self._stub.ListSilences(
            pb.ListSilencesRequest(include_expired=include_expired),
            metadata=self._metadata,
            timeout=self._timeout_s,
        )
        return list(response.silences)

    async def expire_silence(self, silence_id: str) -> pb.Silence:
        """End a silence now; the ended silence."""
        silence: pb.Silence = await self._stub.ExpireSilence(
            pb.ExpireSilenceRequest(silence_id=silence_id),
            metadata=self._metadata,
            timeout=self._timeout_s,
        )
        return silence

    async def close(self) -> None:
        await self._channel.close()
