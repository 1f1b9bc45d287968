"""Escalation for real: the service's clock escalates an unacknowledged critical alert to the
parent unit, whose subscriber sees it; an acknowledged alert stays where it is.

The policy file's ``after_hours`` are positive whole hours (``PositiveInt`` in
services/alerts/policy.py), so a file cannot say "one second". The test writes a valid policy
file (critical after 1 h, max_level 1) that the server loads through ``policy_file``, then, before
the server starts, replaces only the loaded Policy's critical delay with a few seconds
(``Policy.escalate_after`` is a timedelta; the book reads ``book.policy`` on every tick). The
clock, the state log, routing, scopes and the gRPC stream are the service's own.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.deviations import Deviation, Severity
from services.alerts.server import AlertsServer
from tests.support.alerts import (
    alerts_settings,
    auth,
    publish_deviations,
    real_deviations,
    serving,
    supervisor,
    token_of,
)

pytestmark = pytest.mark.kafka

CITY = supervisor("city-sf", "V-SF", "SF-140700", "1407")
TAIGU = supervisor("taigu-sf", "V-SF", "SF-140703", "140703", "ack")
DELAY = timedelta(seconds=3)
POLICY = """\
    version: "test-fast"
    grouping: {window_hours: 720}
    escalation:
      after_hours: {critical: 1, high: 24}
      max_level: 1
    retention: {resolved_days: 90, expired_silence_days: 30}
    """


def criticals() -> list[Deviation]:
    """Two real C01 (critical) deviations about two parties in 太谷 (140703, under SF-140700)."""
    found = real_deviations()
    chosen = [d for d in found if d.check_id == "C01" and d.region == "140703"]
    assert len(chosen) >= 2
    assert len({d.party_id for d in chosen[:2]}) == 2
    assert all(d.severity is Severity.CRITICAL for d in chosen)
    return chosen[:2]


@pytest.fixture
async def stub(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> AsyncIterator[alerts_pb2_grpc.AlertServiceAsyncStub]:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(textwrap.dedent(POLICY), encoding="utf-8")
    settings = alerts_settings(
        kafka_bootstrap,
        project_topics,
        [CITY, TAIGU],
        policy_file=policy_file,
        tick_interval_s=0.2,
    )
    server = AlertsServer(settings)
    book = server.state.book
    assert (book.policy.version, book.policy.max_level) == ("test-fast", 1), "the file is used"
    book.policy = book.policy.model_copy(
        update={"escalate_after": {**book.policy.escalate_after, Severity.CRITICAL: DELAY}}
    )
    running = await serving(server)
    try:
        yield running.stub
    finally:
        await running.stop()


async def first(
    stub: alerts_pb2_grpc.AlertServiceAsyncStub, token: str, wanted: pb.AlertState.ValueType
) -> list[pb.Alert]:
    """Subscribe as ``token``; the alerts of the first ``wanted`` alert to arrive, in order of
    arrival (all alert items read until then)."""
    got: list[pb.Alert] = []
    call = stub.Subscribe(pb.SubscribeRequest(), metadata=auth(token))
    try:
        async for item in call:
            if item.HasField("alert"):
                got.append(item.alert)
                if item.alert.state == wanted:
                    return got
    finally:
        call.cancel()
    raise AssertionError("the stream ended")


@asynccontextmanager
async def cancelled_on_exit(task: asyncio.Task[Any]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        task.cancel()


def units(alert: pb.Alert) -> set[tuple[str, str]]:
    return {(d.channel, d.unit) for d in alert.deliveries}


async def test_an_unacknowledged_critical_alert_escalates_to_the_parent_unit(
    stub: alerts_pb2_grpc.AlertServiceAsyncStub, kafka_bootstrap: str, project_topics: str
) -> None:
    city, taigu = token_of(CITY["name"]), token_of(TAIGU["name"])
    watching = asyncio.create_task(first(stub, city, pb.ALERT_STATE_ESCALATED))
    publish_deviations(kafka_bootstrap, project_topics, criticals())

    async with asyncio.timeout(DELAY.total_seconds() + 20), cancelled_on_exit(watching):
        opened: list[pb.Alert] = []
        call = stub.Subscribe(pb.SubscribeRequest(), metadata=auth(taigu))
        async for item in call:
            if item.HasField("alert"):
                opened.append(item.alert)
                if len({a.alert_id for a in opened}) == 2:
                    break
        call.cancel()
        assert all(a.state == pb.ALERT_STATE_NEW and a.escalation_level == 0 for a in opened)
        assert all(("V-SF", "SF-140700") not in units(a) for a in opened), "county only, at first"
        keep, ack = opened[0], opened[1]
        acked = await stub.Ack(
            pb.AckRequest(alert_id=ack.alert_id, disposition=pb.DISPOSITION_CONFIRMED),
            metadata=auth(taigu),
        )
        assert acked.state == pb.ALERT_STATE_ACKNOWLEDGED
        seen = await watching

    up = seen[-1]
    assert up.alert_id == keep.alert_id, "the acknowledged alert does not escalate"
    assert up.state == pb.ALERT_STATE_ESCALATED
    assert up.escalation_level == 1
    assert ("V-SF", "SF-140700") in units(up), "delivered to the parent unit"
    assert units(keep) <= units(up), "the county keeps it"
    assert up.history[-1].actor != "taigu-sf"
    assert up.history[-1].at.ToDatetime() - keep.history[-1].at.ToDatetime() >= DELAY

    # Several ticks later: still acknowledged at level 0, and the escalated one at max_level.
    await asyncio.sleep(1.0)  # a span of clock ticks (0.2 s) in which nothing may change
    still = await stub.GetAlert(pb.GetAlertRequest(alert_id=ack.alert_id), metadata=auth(city))
    assert still.state == pb.ALERT_STATE_ACKNOWLEDGED
    assert still.escalation_level == 0
    assert still.version == acked.version
    assert ("V-SF", "SF-140700") not in units(still)
    top = await stub.GetAlert(pb.GetAlertRequest(alert_id=keep.alert_id), metadata=auth(city))
    assert (top.escalation_level, top.version) == (1, up.version), (
        "max_level 1: no second escalation"
    )
