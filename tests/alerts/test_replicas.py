"""Two replicas of the alerts service give the same answers.

Both replicas run in-process on their own gRPC port with the same topics, the same consumer
group on the deviations and the same cursor key; each follows the whole alert-state log. Real
deviations (the engine over a generated stream) are split between them by the consumer group;
once both have read the log to its end, ListAlerts (every page) and a Subscribe replay agree
alert for alert (id and version) for two scopes, an acknowledgement written through one replica
shows on the other, and a cursor minted by one resumes on the other with no gap and no repeat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import TopicPartition

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.deviations import Deviation
from services.alerts.scope import Scope
from tests.support.alerts import (
    Running,
    alerts_settings,
    auth,
    oracle,
    publish_deviations,
    real_deviations,
    start_alerts,
    supervisor,
    token_of,
    until_live,
)

pytestmark = pytest.mark.kafka

CITY = supervisor("city-sf", "V-SF", "SF-140700", "1407", "ack")
TAIGU = supervisor("taigu-sf", "V-SF", "SF-140703", "140703")
SUPERVISORS = [CITY, TAIGU]
DEADLINE_S = 30.0


@pytest.fixture
async def replicas(
    kafka_bootstrap: str, project_topics: str
) -> AsyncIterator[tuple[Running, Running]]:
    a = await start_alerts(alerts_settings(kafka_bootstrap, project_topics, SUPERVISORS))
    b = await start_alerts(alerts_settings(kafka_bootstrap, project_topics, SUPERVISORS))
    try:
        await shared_out(a, b)
        yield a, b
    finally:
        for replica in (a, b):
            await replica.stop()


async def shared_out(a: Running, b: Running) -> None:
    """Wait until the consumer group has split the deviation partitions between the two
    replicas (both assigned, disjoint, all covered), so no rebalance happens mid-test."""

    def owned(replica: Running) -> set[TopicPartition]:
        consumer = replica.server._consumer
        assert consumer is not None
        return set(consumer.assignment())

    async with asyncio.timeout(DEADLINE_S):
        while True:
            mine, theirs = owned(a), owned(b)
            if mine and theirs and not mine & theirs and len(mine | theirs) == 3:
                return
            await asyncio.sleep(0.1)


def expected(found: tuple[Deviation, ...], entry: dict[str, Any]) -> dict[str, int]:
    """alert id → version of what the scope of ``entry`` sees once ``found`` are taken in."""
    scope = Scope.model_validate(entry["scope"])
    return {a.alert_id: a.version for a in oracle(found).after({}, scope)}


async def listed(replica: Running, token: str) -> list[pb.Alert]:
    """Every page of ListAlerts (small pages, so paging is exercised)."""
    alerts: list[pb.Alert] = []
    page = ""
    while True:
        got = await replica.stub.ListAlerts(
            pb.ListAlertsRequest(page_size=7, page_token=page), metadata=auth(token)
        )
        alerts.extend(got.alerts)
        page = got.next_page_token
        if not page:
            return alerts


def versions(alerts: list[pb.Alert]) -> list[tuple[str, int]]:
    return [(a.alert_id, a.version) for a in alerts]


async def caught_up(replica: Running, token: str, want: dict[str, int]) -> None:
    """Until the replica lists exactly ``want`` (ids and versions) for ``token``."""
    async with asyncio.timeout(DEADLINE_S):
        while True:  # polling the gRPC answer: the replica's own view, as a client sees it
            if dict(versions(await listed(replica, token))) == want:
                return
            await asyncio.sleep(0.2)


async def agree(a: Running, b: Running, found: tuple[Deviation, ...]) -> None:
    """Both replicas have taken ``found`` in and answer alike for both scopes."""
    for entry in SUPERVISORS:
        token, want = token_of(entry["name"]), expected(found, entry)
        assert want, f"{entry['name']} sees some of the deviations"
        await asyncio.gather(caught_up(a, token, want), caught_up(b, token, want))
        assert versions(await listed(a, token)) == versions(await listed(b, token))
        on_a, _ = await until_live(a.stub, token)
        on_b, _ = await until_live(b.stub, token)
        assert versions(on_a) == versions(on_b), "the same replay, in the same (log) order"
        assert dict(versions(on_a)) == want


async def test_two_replicas_give_the_same_answers(
    replicas: tuple[Running, Running], kafka_bootstrap: str, project_topics: str
) -> None:
    a, b = replicas
    city = token_of(CITY["name"])
    found = real_deviations()
    half = len(found) // 2
    publish_deviations(kafka_bootstrap, project_topics, found[:half])
    await agree(a, b, found[:half])
    seen_on_a, cursor = await until_live(a.stub, city)

    publish_deviations(kafka_bootstrap, project_topics, found[half:])
    await agree(a, b, found)

    target = next(x for x in await listed(a, city) if x.state == pb.ALERT_STATE_NEW)
    acked = await a.stub.Ack(
        pb.AckRequest(alert_id=target.alert_id, disposition=pb.DISPOSITION_CONFIRMED),
        metadata=auth(city),
    )
    assert acked.state == pb.ALERT_STATE_ACKNOWLEDGED
    assert acked.version == target.version + 1
    async with asyncio.timeout(DEADLINE_S):
        while True:
            on_b = await b.stub.GetAlert(
                pb.GetAlertRequest(alert_id=target.alert_id), metadata=auth(city)
            )
            if on_b.version == acked.version:
                break
            await asyncio.sleep(0.1)
    assert on_b.state == pb.ALERT_STATE_ACKNOWLEDGED
    assert on_b.history[-1].actor == "city-sf"

    resumed, _ = await until_live(b.stub, city, cursor)  # minted by A, spent on B
    everything, _ = await until_live(b.stub, city)
    seen = dict(versions(seen_on_a))
    assert resumed
    assert len({a.alert_id for a in resumed}) == len(resumed), "each alert once in a replay"
    assert all(seen.get(x.alert_id) != x.version for x in resumed), "nothing delivered twice"
    assert {**seen, **dict(versions(resumed))} == dict(versions(everything)), "nothing lost"
    assert dict(versions(resumed))[target.alert_id] == acked.version
    assert versions(await listed(a, city)) == versions(await listed(b, city))
