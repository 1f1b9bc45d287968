"""IngestClient: publishes raw events to IngestService in batches, retrying UNAVAILABLE, and
RESOURCE_EXHAUSTED after the server's ``retry-after-ms`` (the token's publish rate limit).

Retrying a whole batch is safe: events already written come back as duplicates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu.tls import client_transport


@dataclass
class Tally:
    """What a publish run achieved; ``rejections`` holds (input number, reason)."""

    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)

    def add(self, first_number: int, response: ingest_pb2.PublishResponse) -> None:
        self.accepted += response.accepted
        self.duplicate += response.duplicate
        self.rejected += response.rejected
        for outcome in response.outcomes:
            if outcome.status == ingest_pb2.STATUS_REJECTED:
                reasons = "; ".join(
                    f"{e.field}: {e.reason}" if e.field else e.reason for e in outcome.errors
                )
                self.rejections.append((first_number + outcome.index, reasons))


class IngestClient:
    """A channel to the ingest service with a department token.

    With ``ca_file`` the channel is TLS (the server certificate must chain to that CA and name
    the target's host); ``client_cert`` and ``client_key`` add a client certificate (mTLS).
    Without ``ca_file`` it is plaintext.
    """

    def __init__(
        self,
        target: str,
        token: str,
        timeout_s: float = 60.0,
        *,
        ca_file: Path | None = None,
        client_cert: Path | None = None,
        client_key: Path | None = None,
    ) -> None:
        credentials = client_transport(ca_file, client_cert, client_key)
        self._channel = (
            grpc.aio.secure_channel(target, credentials)
            if credentials
            else grpc.aio.insecure_channel(target)
        )
        self._stub = ingest_pb2_grpc.IngestServiceStub(self._channel)
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._timeout_s = timeout_s

    async def publish(
        self, events: Sequence[bytes], retries: int = 5, backoff_s: float = 1.0
    ) -> ingest_pb2.PublishResponse:
        """Publish one batch; retries UNAVAILABLE with exponential backoff and a rate-limited
        call after the wait the server names; raises otherwise."""
        request = ingest_pb2.PublishRequest(events=list(events))
        for attempt in range(retries + 1):
            try:
                response: ingest_pb2.PublishResponse = await self._stub.Publish(
                    request, metadata=self._metadata, timeout=self._timeout_s
                )
                return response
            except grpc.aio.AioRpcError as error:
                wait_s = _retry_after_s(error)
                retriable = wait_s is not None or error.code() in (
                    grpc.StatusCode.UNAVAILABLE,
                    grpc.StatusCode.DEADLINE_EXCEEDED,
                )
                if not retriable or attempt == retries:
                    raise
                await asyncio.sleep(backoff_s * 2**attempt if wait_s is None else wait_s)
        raise AssertionError("unreachable")

    async def publish_all(
        self, events: Sequence[bytes], batch_size: int = 500, first_number: int = 1
    ) -> Tally:
        """Publish ``events`` in batches; numbers in the tally count from ``first_number``."""
        tally = Tally()
        for start in range(0, len(events), batch_size):
            response = await self.publish(events[start : start + batch_size])
            tally.add(first_number + start, response)
        return tally

    async def close(self) -> None:
        await self._channel.close()


def _retry_after_s(error: grpc.aio.AioRpcError) -> float | None:
    """The wait a RESOURCE_EXHAUSTED answer asks for (trailing ``retry-after-ms``), or None."""
    if error.code() is not grpc.StatusCode.RESOURCE_EXHAUSTED:
        return None
    for key, value in error.trailing_metadata() or ():
        if key == "retry-after-ms" and str(value).isdigit():
            return int(str(value)) / 1000
    return None
