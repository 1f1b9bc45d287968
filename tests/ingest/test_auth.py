"""Deny by default: no token or an unknown one is UNAUTHENTICATED; publishing for another
department is PERMISSION_DENIED and writes nothing; health answers without a token."""

from __future__ import annotations

import json

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from jiandu import topics
from tests.factories import make_event
from tests.ingest.conftest import DEPARTMENT, OTHER_TOKEN, Ingest

pytestmark = pytest.mark.kafka


def one_event(source: str = DEPARTMENT) -> bytes:
    return json.dumps(make_event("inspection", source=source)).encode()


@pytest.mark.parametrize("token", [None, "", "not-a-known-token"])
async def test_missing_or_unknown_token_is_unauthenticated(
    ingest: Ingest, token: str | None
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await ingest.publish([one_event()], token=token)
    assert error.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert ingest.records(topics.EVENTS) == []


async def test_publishing_for_another_department_is_denied(ingest: Ingest) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await ingest.publish([one_event(), one_event(source="140703-STHJ")])
    assert error.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "140703-STHJ" in (error.value.details() or "")
    assert ingest.records(topics.EVENTS) == []


async def test_a_token_publishes_only_for_its_own_department(ingest: Ingest) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await ingest.publish([one_event(DEPARTMENT)], token=OTHER_TOKEN)
    assert error.value.code() is grpc.StatusCode.PERMISSION_DENIED

    response = await ingest.publish([one_event("140703-STHJ")], token=OTHER_TOKEN)
    assert response.accepted == 1


async def test_health_and_reflection_need_no_token(ingest: Ingest) -> None:
    health = health_pb2_grpc.HealthStub(ingest.channel)
    answer = await health.Check(
        health_pb2.HealthCheckRequest(service="jiandu.ingest.v1.IngestService")
    )
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
