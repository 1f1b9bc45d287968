"""The whole pipeline for real: events published through ingest (gRPC), judged by the rules
worker (faust, subprocess), turned into alerts by the alerts service, and streamed to
supervisors over gRPC, each seeing exactly its channel and jurisdiction. Then the alerts
service is SIGKILLed and restarted: acknowledgements and silences stay, cursors resume."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent, event_to_json, parse_event
from jiandu.simulation.generator import generate
from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.sample import department_token_env
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.runner import evaluate_events
from tests.factories import make_event, make_uscc
from tests.support.alerts import (
    AlertsProcess,
    auth,
    oracle,
    publish_deviations,
    supervisor,
    token_of,
    until_live,
    visible,
)
from tests.support.rules import RulesWorker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CITY_SF = supervisor("city-sf", "V-SF", "SF-140700", "1407", "ack", "silence")
TAIGU_XZ = supervisor("taigu-xz", "V-XZ", "XZ-140703", "140703")
CITY_JJ = supervisor("city-jj", "H-JJ", "JJ-140700", "1407")
TAIGU_JJ = supervisor("taigu-jj", "H-JJ", "JJ-140703", "140703")
SUPERVISORS = [CITY_SF, TAIGU_XZ, CITY_JJ, TAIGU_JJ]
H_JJ_CHECKS = {"C05", "C08", "C10", "C21", "C22", "C27"}  # REFERENCE section 6


def no_penalty_for_a_repeat_offender(n: int, region: str) -> list[EnforcementEvent]:
    """A case closed 不予处罚 although the party is a repeat offender: C05, to H-JJ."""
    source, case = f"{region}-STHJ", f"{region}-STHJ/2025/JJ{n}"
    common = {"source": source, "region": region, "township": None, "case_id": case,
              "party.id": make_uscc(900 + n)}  # fmt: skip
    filed = make_event("case_filed", event_id=f"jj-{n}-filed", **common)
    decided = make_event("penalty_decided", event_id=f"jj-{n}-decided", **common)
    decided["payload"].update(
        outcome="no_penalty", claimed_tier="no_penalty", fine_yuan=0, circumstances=["repeat"],
        sanctions=["correction_order"], decision_no=f"JJ-{n}",
    )  # fmt: skip
    return [parse_event(json.dumps(e)) for e in (filed, decided)]


@cache
def stream() -> tuple[EnforcementEvent, ...]:
    crafted = no_penalty_for_a_repeat_offender(1, "140703")
    crafted += no_penalty_for_a_repeat_offender(2, "140702")
    return (*generate(2000, seed=2026), *crafted)


@cache
def expected_deviations() -> tuple[Deviation, ...]:
    return tuple(evaluate_events(stream(), Catalog.load()))


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return
        await asyncio.sleep(1.0)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


async def test_events_through_ingest_reach_exactly_the_right_supervisors(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    book = oracle(expected_deviations())
    wanted = {e["name"]: visible(book, e) for e in SUPERVISORS}
    assert all(wanted.values()), f"every supervisor must have something to see: {wanted}"

    token, env = department_token_env()
    ingest = IngestServer(
        IngestSettings.model_validate(
            {"kafka": {"bootstrap": kafka_bootstrap, "topic_prefix": project_topics},
             "port": 0, "metrics_port": 0, "insecure": True, "tokens": env["JIANDU_INGEST_TOKENS"]}
        )
    )  # fmt: skip
    port = await ingest.start()
    rules = RulesWorker(kafka_bootstrap, project_topics, tmp_path, timers="false").start()
    alerts = AlertsProcess(kafka_bootstrap, project_topics, tmp_path, SUPERVISORS).start()
    channel = grpc.aio.insecure_channel(alerts.target)
    stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(channel)
    client = IngestClient(f"127.0.0.1:{port}", token)
    try:
        tally = await client.publish_all([event_to_json(e) for e in stream()])
        assert tally.accepted == len(stream())

        async def all_arrived() -> bool:
            try:
                seen, _ = await until_live(stub, token_of("city-sf"))
            except grpc.aio.AioRpcError:
                return False  # the alerts service is still starting
            return {a.alert_id for a in seen} >= wanted["city-sf"]

        await eventually(all_arrived, 240, "every alert at the city V-SF subscriber")
        for entry in SUPERVISORS:
            seen, _ = await until_live(stub, token_of(entry["name"]))
            ids = [a.alert_id for a in seen]
            assert len(ids) == len(set(ids)), f"{entry['name']}: an alert id twice in a replay"
            assert set(ids) == wanted[entry["name"]], entry["name"]
        taigu, _ = await until_live(stub, token_of("taigu-xz"))
        assert {a.region for a in taigu} == {"140703"}
        discipline, _ = await until_live(stub, token_of("city-jj"))
        assert {a.check_id for a in discipline} <= H_JJ_CHECKS
        assert {a.region for a in discipline} == {"140702", "140703"}
    finally:
        await client.close()
        await channel.close()
        alerts.stop()
        rules.stop()
        await ingest.stop()


async def test_a_killed_alerts_service_keeps_acks_and_silences_and_cursors_resume(
    kafka_bootstrap: str, project_topics: str, tmp_path: Path
) -> None:
    found = expected_deviations()
    half = len(found) // 2
    publish_deviations(kafka_bootstrap, project_topics, found[:half])
    city = token_of("city-sf")
    alerts = AlertsProcess(kafka_bootstrap, project_topics, tmp_path, SUPERVISORS).start()
    channel = grpc.aio.insecure_channel(alerts.target)
    stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(channel)
    try:
        first_half = visible(oracle(found[:half]), CITY_SF)

        async def settled() -> bool:
            try:
                seen, _ = await until_live(stub, city)
            except grpc.aio.AioRpcError:
                return False
            return {a.alert_id for a in seen} >= first_half

        await eventually(settled, 120, "the first half's alerts")
        before, cursor = await until_live(stub, city)
        target = before[0]
        await stub.Ack(
            pb.AckRequest(alert_id=target.alert_id, disposition=pb.DISPOSITION_REFERRED,
                          note="移送纪检"),
            metadata=auth(city),
        )  # fmt: skip
        ends = Timestamp()
        ends.FromDatetime(datetime.now(UTC) + timedelta(days=7))
        silence = await stub.CreateSilence(
            pb.CreateSilenceRequest(
                silence=pb.Silence(check_ids=["C25"], reason="整改期内", ends_at=ends)
            ),
            metadata=auth(city),
        )
        _, cursor = await until_live(stub, city, cursor)

        alerts.kill()
        publish_deviations(kafka_bootstrap, project_topics, found[half:])
        alerts.start()
        everything = visible(oracle(found), CITY_SF)
        resumed: list[pb.Alert] = []

        async def caught_up() -> bool:
            try:
                replay, _ = await until_live(stub, city, cursor)
            except grpc.aio.AioRpcError:
                return False
            resumed[:] = replay
            delivered = {a.alert_id for a in before} | {a.alert_id for a in replay}
            return delivered >= everything

        await eventually(caught_up, 120, "the restarted service to deliver the second half")
        old = {(a.alert_id, a.version) for a in before}
        assert not old & {(a.alert_id, a.version) for a in resumed}, "no change delivered twice"
        kept = await stub.GetAlert(
            pb.GetAlertRequest(alert_id=target.alert_id), metadata=auth(city)
        )
        assert kept.state in (pb.ALERT_STATE_ACKNOWLEDGED, pb.ALERT_STATE_SILENCED)
        assert any(t.note == "移送纪检" for t in kept.history)
        silences = await stub.ListSilences(pb.ListSilencesRequest(), metadata=auth(city))
        assert [s.silence_id for s in silences.silences] == [silence.silence_id]
    finally:
        await channel.close()
        alerts.stop()
