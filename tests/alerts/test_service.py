"""The alerts service for real: deviations on the topic, the AlertService over a gRPC channel on
127.0.0.1, the state in the compacted log. Scopes filter on the server; cursors resume and are
bound to their scope; acknowledgements survive a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.deviations import Deviation
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    publish_deviations,
    real_deviations,
    start_alerts,
    until_live,
)

pytestmark = pytest.mark.kafka

SUPERVISORS = [
    {"name": "city-sf", "token": "city-sf-token-0123456789",
     "scope": {"channel": "V-SF", "unit": "SF-140700", "jurisdiction": "1407",
               "permissions": ["read", "ack", "silence"]}},
    {"name": "taigu-sf", "token": "taigu-sf-token-0123456789",
     "scope": {"channel": "V-SF", "unit": "SF-140703", "jurisdiction": "140703",
               "permissions": ["read"]}},
    {"name": "former-sf", "token": "former-sf-token-0123456789",
     "expires_at": "2025-01-01T00:00:00Z",
     "scope": {"channel": "V-SF", "unit": "SF-140700", "jurisdiction": "1407",
               "permissions": ["read"]}},
]  # fmt: skip
CITY, TAIGU = "city-sf-token-0123456789", "taigu-sf-token-0123456789"


async def start(bootstrap: str, prefix: str) -> Running:
    """The alerts service with this module's supervisors."""
    return await start_alerts(alerts_settings(bootstrap, prefix, SUPERVISORS))


@pytest.fixture
async def alerts(kafka_bootstrap: str, project_topics: str) -> AsyncIterator[Running]:
    running = await start(kafka_bootstrap, project_topics)
    yield running
    await running.stop()


async def settled(stub: alerts_pb2_grpc.AlertServiceAsyncStub, count: int) -> list[pb.Alert]:
    """Poll ListAlerts as the city until ``count`` alerts exist (the intake is asynchronous)."""
    for _ in range(120):
        listed = await stub.ListAlerts(pb.ListAlertsRequest(page_size=500), metadata=auth(CITY))
        if len(listed.alerts) >= count:
            return list(listed.alerts)
        await asyncio.sleep(0.5)
    raise AssertionError(f"fewer than {count} alerts after 60 s")


def groups(found: tuple[Deviation, ...]) -> int:
    return len({(d.check_id, d.party_id, d.department) for d in found if "V-SF" in d.channels})


async def test_a_county_supervisor_sees_its_county_only(
    alerts: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = real_deviations()
    publish_deviations(kafka_bootstrap, project_topics, found)
    await settled(alerts.stub, groups(found))

    city, _ = await until_live(alerts.stub, CITY)
    taigu, _ = await until_live(alerts.stub, TAIGU)
    assert len(city) >= groups(found) > len(taigu) > 0
    assert all(a.region.startswith("140703") for a in taigu)
    assert {a.alert_id for a in taigu} == {a.alert_id for a in city if a.region == "140703"}


async def test_a_cursor_resumes_after_what_was_seen_and_is_bound_to_its_scope(
    alerts: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = real_deviations()
    half = len(found) // 2
    publish_deviations(kafka_bootstrap, project_topics, found[:half])
    await settled(alerts.stub, groups(found[:half]))
    first, cursor = await until_live(alerts.stub, CITY)

    publish_deviations(kafka_bootstrap, project_topics, found[half:])
    await settled(alerts.stub, groups(found))
    resumed, _ = await until_live(alerts.stub, CITY, cursor)
    everything, _ = await until_live(alerts.stub, CITY)
    seen = {a.alert_id: a.version for a in first}
    assert resumed, "the second half opened or changed alerts"
    assert all(seen.get(a.alert_id) != a.version for a in resumed), "nothing delivered twice"
    latest = {a.alert_id: a.version for a in everything}
    assert {**seen, **{a.alert_id: a.version for a in resumed}} == latest, "nothing lost"

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await until_live(alerts.stub, TAIGU, cursor)
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert "another scope" in (refused.value.details() or "")


async def test_an_acknowledgement_survives_a_restart(
    alerts: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    found = real_deviations()
    publish_deviations(kafka_bootstrap, project_topics, found)
    target = (await settled(alerts.stub, groups(found)))[0]

    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await alerts.stub.Ack(
            pb.AckRequest(alert_id=target.alert_id, disposition=pb.DISPOSITION_CONFIRMED),
            metadata=auth(TAIGU),
        )
    assert denied.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)

    acked = await alerts.stub.Ack(
        pb.AckRequest(
            alert_id=target.alert_id, disposition=pb.DISPOSITION_JUSTIFIED, note="集体讨论决定"
        ),
        metadata=auth(CITY),
    )
    assert acked.state == pb.ALERT_STATE_ACKNOWLEDGED
    assert acked.history[-1].actor == "city-sf"

    await alerts.stop()
    again = await start(kafka_bootstrap, project_topics)
    try:
        kept = await again.stub.GetAlert(
            pb.GetAlertRequest(alert_id=target.alert_id), metadata=auth(CITY)
        )
        assert kept.state == pb.ALERT_STATE_ACKNOWLEDGED
        assert kept.history[-1].note == "集体讨论决定"
        listed = await again.stub.ListAlerts(
            pb.ListAlertsRequest(page_size=500), metadata=auth(CITY)
        )
        assert len(listed.alerts) == groups(found), "no alert opened twice after the restart"
    finally:
        await again.stop()
        alerts.server = again.server  # the fixture's teardown stops it again: harmless


@pytest.mark.parametrize("token", ["", "not-a-token", "former-sf-token-0123456789"])
async def test_no_valid_token_no_alerts(alerts: Running, token: str) -> None:
    """Missing, unknown and expired tokens are all UNAUTHENTICATED, for calls and streams."""
    metadata = auth(token) if token else ()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await alerts.stub.ListAlerts(pb.ListAlertsRequest(), metadata=metadata)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await until_live(alerts.stub, token)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_tampered_cursor_is_refused(
    alerts: Running, kafka_bootstrap: str, project_topics: str
) -> None:
    publish_deviations(kafka_bootstrap, project_topics, real_deviations()[:20])
    _, cursor = await until_live(alerts.stub, CITY)
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await until_live(alerts.stub, CITY, tampered)
    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED
