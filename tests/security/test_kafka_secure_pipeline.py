"""The three services on a secure broker, configured only through their ``JIANDU_KAFKA_*``
environment (as ``jiandu kafka env --service`` prints it): an event in through ingest comes out
as an alert to the right supervisor, and no password shows in any service's log."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.events import event_to_json
from jiandu.localkafka import LocalKafka
from jiandu.localkafka.secure import USERS
from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.sample import department_token_env
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings
from tests.pipeline.test_end_to_end import (
    CITY_JJ,
    SUPERVISORS,
    eventually,
    no_penalty_for_a_repeat_offender,
)
from tests.security.conftest import SECURE_PREFIX
from tests.support.alerts import AlertsProcess, token_of, until_live
from tests.support.rules import RulesWorker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def service_env(kafka: LocalKafka, user: str) -> dict[str, str]:
    """What ``jiandu kafka env --service <user>`` exports."""
    return kafka.secrets.client_env(user, kafka.bootstrap, SECURE_PREFIX)


async def test_an_event_becomes_an_alert_with_every_service_on_its_own_user(
    secure_kafka: LocalKafka,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for key, value in service_env(secure_kafka, "ingest").items():
        monkeypatch.setenv(key, value)
    token, env = department_token_env()
    ingest = IngestServer(
        IngestSettings.model_validate(
            {"port": 0, "metrics_port": 0, "tokens": env["JIANDU_INGEST_TOKENS"]}
        )
    )
    assert ingest.settings.kafka.sasl_username == "ingest"
    port = await ingest.start()
    rules = RulesWorker(secure_kafka.bootstrap, SECURE_PREFIX, tmp_path, timers="false")
    rules.env.update(service_env(secure_kafka, "rules"))
    rules.env["JIANDU_RULES_LOGLEVEL"] = "info"  # so that the scan below reads the startup logs
    alerts = AlertsProcess(secure_kafka.bootstrap, SECURE_PREFIX, tmp_path, SUPERVISORS)
    alerts.env.update(service_env(secure_kafka, "alerts"))
    rules.start()
    alerts.start()
    channel = grpc.aio.insecure_channel(alerts.target)
    stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(channel)
    client = IngestClient(f"127.0.0.1:{port}", token)
    try:
        events = no_penalty_for_a_repeat_offender(7, "140703")
        tally = await client.publish_all([event_to_json(e) for e in events])
        assert tally.accepted == len(events)

        async def alerted() -> bool:
            try:
                seen, _ = await until_live(stub, token_of(CITY_JJ["name"]))
            except grpc.aio.AioRpcError:
                return False  # still starting
            return any(a.check_id == "C05" and a.region == "140703" for a in seen)

        await eventually(alerted, 180, "the C05 alert at the city H-JJ supervisor")
    finally:
        await client.close()
        await channel.close()
        alerts.stop()
        rules.stop()
        await ingest.stop()
    logs = {
        "rules": (tmp_path / "rules-worker.log").read_text(errors="replace"),
        "alerts": (tmp_path / "alerts.log").read_text(errors="replace"),
        "ingest": caplog.text,
    }
    for user in USERS:
        password = secure_kafka.secrets.password(user).get_secret_value()
        leaked = [name for name, text in logs.items() if password in text]
        assert not leaked, f"{user}'s password in the log of {leaked}"
