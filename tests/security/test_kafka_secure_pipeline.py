"""A full run with every security feature on, and its logs scanned for secrets.

The three services on a secure broker (SASL_SSL, a SCRAM user each, prefixed ACLs), configured
only through their ``JIANDU_KAFKA_*`` environment (as ``jiandu kafka env --service`` prints it);
both gRPC servers on TLS; signed tokens only (a keys file and the revocation list, no static
token). An event in through ingest comes out as an alert to the right supervisor; then every log
of the run (ingest's records, the rules worker's and the alerts service's files, the broker's own
logs) is searched for each secret the run used: the Kafka passwords, the tokens (and their
signatures alone), the token-signing key, the TLS key and the cursor key. None may appear."""

from __future__ import annotations

import logging
from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives import serialization

from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.devcerts import write_dev_certs
from jiandu.events import event_to_json
from jiandu.localkafka import LocalKafka
from jiandu.localkafka.secure import USERS
from jiandu.tls import channel_credentials
from jiandu_cli.ingest_client import IngestClient
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings
from tests.pipeline.test_end_to_end import eventually, no_penalty_for_a_repeat_offender
from tests.security.conftest import SECURE_PREFIX
from tests.security.signing import Signer, write_keys, write_revoked
from tests.support.alerts import CURSOR_KEY, AlertsProcess, until_live
from tests.support.rules import RulesWorker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def service_env(kafka: LocalKafka, user: str) -> dict[str, str]:
    """What ``jiandu kafka env --service <user>`` exports."""
    return kafka.secrets.client_env(user, kafka.bootstrap, SECURE_PREFIX)


def pem_body(pem: bytes) -> list[str]:
    """The base64 lines of a PEM block: what a leak of the key would show."""
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]


async def test_a_secure_run_works_and_no_secret_reaches_any_log(
    secure_kafka: LocalKafka,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what a production ingest logs
    certs = write_dev_certs(tmp_path / "certs", ["127.0.0.1"])
    signer = Signer("run-1")
    keys, revoked = tmp_path / "token-keys.yaml", tmp_path / "revoked.yaml"
    write_keys(keys, signer)
    write_revoked(revoked, "a-token-revoked-long-ago")
    department = signer.department("140703-STHJ", sub="taigu-ecology")
    supervisor = signer.supervisor("H-JJ", "JJ-140700", "1407", "ack", sub="city-jj")

    for key, value in service_env(secure_kafka, "ingest").items():
        monkeypatch.setenv(key, value)
    ingest = IngestServer(
        IngestSettings.model_validate(
            {"port": 0, "metrics_port": 0, "tls_cert_file": certs.server_cert,
             "tls_key_file": certs.server_key, "token_keys_file": keys,
             "revoked_tokens_file": revoked}
        )
    )  # fmt: skip
    assert ingest.settings.kafka.sasl_username == "ingest"
    assert ingest.settings.tokens is None
    assert ingest.settings.tokens_file is None
    port = await ingest.start()
    rules = RulesWorker(secure_kafka.bootstrap, SECURE_PREFIX, tmp_path, timers="false")
    rules.env.update(service_env(secure_kafka, "rules"))
    rules.env["JIANDU_RULES_LOGLEVEL"] = "info"  # so that the scan below reads the startup logs
    alerts = AlertsProcess(secure_kafka.bootstrap, SECURE_PREFIX, tmp_path, [])
    for static in ("JIANDU_ALERTS_TOKENS", "JIANDU_ALERTS_INSECURE"):
        alerts.env.pop(static)
    alerts.env.update(
        service_env(secure_kafka, "alerts")
        | {
            "JIANDU_ALERTS_TLS_CERT_FILE": str(certs.server_cert),
            "JIANDU_ALERTS_TLS_KEY_FILE": str(certs.server_key),
            "JIANDU_ALERTS_TOKEN_KEYS_FILE": str(keys),
            "JIANDU_ALERTS_REVOKED_TOKENS_FILE": str(revoked),
        }
    )
    rules.start()
    alerts.start()
    credentials = channel_credentials(certs.ca_cert)
    channel = grpc.aio.secure_channel(alerts.target, credentials)
    stub: alerts_pb2_grpc.AlertServiceAsyncStub = alerts_pb2_grpc.AlertServiceStub(channel)
    client = IngestClient(f"127.0.0.1:{port}", department.token, ca_file=certs.ca_cert)
    try:
        events = no_penalty_for_a_repeat_offender(7, "140703")
        tally = await client.publish_all([event_to_json(e) for e in events])
        assert tally.accepted == len(events)

        async def alerted() -> bool:
            try:
                seen, _ = await until_live(stub, supervisor.token)
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
        "ingest": caplog.text,
        "rules": (tmp_path / "rules-worker.log").read_text(errors="replace"),
        "alerts": (tmp_path / "alerts.log").read_text(errors="replace"),
    }
    for log in sorted(secure_kafka.state.root.rglob("*.log")):
        logs[f"broker {log.name}"] = log.read_text(errors="replace")
    assert any(name.startswith("broker") and text for name, text in logs.items()), "no broker log"
    signing_key = signer.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    secrets = {f"{user}'s Kafka password": secure_kafka.secrets.password(user).get_secret_value()
               for user in USERS}  # fmt: skip
    secrets |= {
        "the department token": department.token,
        "the department token's signature": department.token.rsplit(".", 1)[1],
        "the supervisor token": supervisor.token,
        "the supervisor token's signature": supervisor.token.rsplit(".", 1)[1],
        "the cursor key": CURSOR_KEY,
    }
    secrets |= {f"the token-signing key ({i})": s for i, s in enumerate(pem_body(signing_key))}
    tls_key = certs.server_key.read_bytes()
    secrets |= {f"the TLS key ({i})": s for i, s in enumerate(pem_body(tls_key))}
    found = [f"{what} in the {name} log" for what, secret in secrets.items()
             for name, text in logs.items() if secret in text]  # fmt: skip
    assert not found, found
    assert all(logs[name].strip() for name in ("ingest", "rules", "alerts")), "a log was empty"
