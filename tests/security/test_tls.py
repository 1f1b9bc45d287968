"""TLS on the gRPC servers: a CA made at test time (``jiandu certs dev`` functions into tmp_path),
real ingest and alerts servers on 127.0.0.1, real channels. Also the plaintext rule: plaintext
only with an explicit ``insecure`` setting, and then with a warning; without TLS or ``insecure``
no host, loopback included, is served (checked at the decision level: nothing binds)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509

from jiandu.alerts.v1 import alerts_pb2 as pb
from jiandu.alerts.v1 import alerts_pb2_grpc
from jiandu.ingest.v1 import ingest_pb2, ingest_pb2_grpc
from jiandu.settings import KafkaSettings
from jiandu.tls import (
    InsecureBindError,
    Mode,
    ServerTls,
    TlsError,
    add_port,
    channel_credentials,
    decide,
    server_transport,
)
from jiandu_cli.certs import DevCerts, write_dev_certs
from jiandu_cli.ingest_client import IngestClient
from services.alerts.server import AlertsServer
from services.alerts.settings import AlertsSettings
from services.enforcement_ingest.server import IngestServer
from services.enforcement_ingest.settings import IngestSettings
from tests.factories import make_event
from tests.ingest.conftest import DEPARTMENT, TOKEN, ingest_settings
from tests.support.alerts import alerts_settings

SUPERVISOR = "city-sf-tls-token-0123456789"
SUPERVISORS = [
    {"name": "city-sf", "token": SUPERVISOR,
     "scope": {"channel": "V-SF", "unit": "SF-140700", "jurisdiction": "1407",
               "permissions": ["read"]}},
]  # fmt: skip


@dataclass(frozen=True)
class Pki:
    """The CA the servers use, and an unrelated CA (with its own client certificate)."""

    ours: DevCerts
    foreign: DevCerts


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    hosts = ["127.0.0.1", "localhost"]
    return Pki(
        write_dev_certs(tmp_path_factory.mktemp("ours"), hosts),
        write_dev_certs(tmp_path_factory.mktemp("foreign"), hosts),
    )


def one_event() -> bytes:
    return json.dumps(make_event("inspection", source=DEPARTMENT)).encode()


async def publish_code(channel: grpc.aio.Channel) -> grpc.StatusCode:
    """The status of one Publish on ``channel`` (OK when it was accepted)."""
    stub = ingest_pb2_grpc.IngestServiceStub(channel)
    try:
        response = await stub.Publish(
            ingest_pb2.PublishRequest(events=[one_event()]),
            metadata=(("authorization", f"Bearer {TOKEN}"),),
            timeout=20,
        )
    except grpc.aio.AioRpcError as error:
        return error.code()
    finally:
        await channel.close()
    assert response.accepted + response.duplicate == 1
    return grpc.StatusCode.OK


def tls_channel(
    port: int, ca: Path, cert: Path | None = None, key: Path | None = None
) -> grpc.aio.Channel:
    return grpc.aio.secure_channel(f"127.0.0.1:{port}", channel_credentials(ca, cert, key))


# --- the decision, no network -----------------------------------------------------------------


def test_the_decision_table(pki: Pki) -> None:
    c = pki.ours
    assert decide(ServerTls(insecure=True), "0.0.0.0") is Mode.PLAINTEXT_INSECURE
    assert decide(ServerTls(cert_file=c.server_cert, key_file=c.server_key), "0.0.0.0") is Mode.TLS
    mtls = ServerTls(cert_file=c.server_cert, key_file=c.server_key, client_ca_file=c.ca_cert)
    assert decide(mtls, "0.0.0.0") is Mode.MTLS
    assert not Mode.PLAINTEXT_INSECURE.secure
    assert Mode.MTLS.secure


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "::1", "localhost", "0.0.0.0", "", "::", "10.1.2.3", "example.org"]
)
def test_without_tls_or_an_explicit_insecure_no_host_is_served_plaintext(host: str) -> None:
    for settings in (IngestSettings(host=host), AlertsSettings(host=host)):
        with pytest.raises(InsecureBindError) as error:
            server_transport(settings.tls(), settings.host)
        prefix = "JIANDU_INGEST_" if isinstance(settings, IngestSettings) else "JIANDU_ALERTS_"
        assert f"{prefix}TLS_CERT_FILE" in str(error.value)
        assert f"{prefix}INSECURE=true" in str(error.value)


async def test_the_server_refuses_before_touching_kafka_or_binding() -> None:
    settings = IngestSettings(
        host="192.0.2.1", kafka=KafkaSettings(bootstrap="127.0.0.1:1"), port=0, metrics_port=0
    )
    with pytest.raises(InsecureBindError):
        await IngestServer(settings).start()


def test_insecure_is_explicit_and_tls_wins_over_it(pki: Pki) -> None:
    c = pki.ours
    assert server_transport(
        AlertsSettings(host="0.0.0.0", insecure=True).tls(), "0.0.0.0"
    ).mode is (Mode.PLAINTEXT_INSECURE)
    both = IngestSettings(tls_cert_file=c.server_cert, tls_key_file=c.server_key, insecure=True)
    transport = server_transport(both.tls(), "0.0.0.0")
    assert transport.mode is Mode.TLS
    assert transport.credentials is not None


def test_settings_come_from_the_environment(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    c = pki.ours
    for prefix in ("JIANDU_INGEST_", "JIANDU_ALERTS_"):
        monkeypatch.setenv(f"{prefix}TLS_CERT_FILE", str(c.server_cert))
        monkeypatch.setenv(f"{prefix}TLS_KEY_FILE", str(c.server_key))
        monkeypatch.setenv(f"{prefix}TLS_CLIENT_CA_FILE", str(c.ca_cert))
    monkeypatch.setenv("JIANDU_ALERTS_INSECURE", "true")
    ingest, alerts = IngestSettings(), AlertsSettings()
    assert (ingest.tls_cert_file, ingest.tls_client_ca_file) == (c.server_cert, c.ca_cert)
    assert (alerts.tls_key_file, alerts.insecure) == (c.server_key, True)
    assert server_transport(ingest.tls(), ingest.host).mode is Mode.MTLS
    assert server_transport(alerts.tls(), alerts.host).mode is Mode.MTLS


def test_errors_name_the_setting_and_the_path(pki: Pki, tmp_path: Path) -> None:
    c = pki.ours
    missing = tmp_path / "nowhere.pem"
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    cases: list[tuple[IngestSettings, str]] = [
        (IngestSettings(tls_cert_file=missing, tls_key_file=c.server_key),
         f"JIANDU_INGEST_TLS_CERT_FILE={missing}: file not found"),
        (IngestSettings(tls_cert_file=c.server_cert, tls_key_file=tmp_path),
         f"JIANDU_INGEST_TLS_KEY_FILE={tmp_path}: cannot be read"),
        (IngestSettings(tls_cert_file=not_pem, tls_key_file=c.server_key),
         f"JIANDU_INGEST_TLS_CERT_FILE={not_pem}: not a PEM certificate"),
        (IngestSettings(tls_cert_file=c.server_cert, tls_key_file=c.client_key),
         f"JIANDU_INGEST_TLS_KEY_FILE={c.client_key} is not the key of"),
        (IngestSettings(tls_cert_file=c.server_cert, tls_key_file=c.server_key,
                        tls_client_ca_file=missing),
         f"JIANDU_INGEST_TLS_CLIENT_CA_FILE={missing}: file not found"),
        (IngestSettings(tls_cert_file=c.server_cert),
         "JIANDU_INGEST_TLS_CERT_FILE and JIANDU_INGEST_TLS_KEY_FILE go together"),
        (IngestSettings(tls_client_ca_file=c.ca_cert),
         "JIANDU_INGEST_TLS_CLIENT_CA_FILE"),
    ]  # fmt: skip
    for settings, message in cases:
        with pytest.raises(TlsError) as error:
            server_transport(settings.tls(), "127.0.0.1")
        assert message in str(error.value)


def test_client_options_are_checked(pki: Pki, tmp_path: Path) -> None:
    c = pki.ours
    with pytest.raises(TlsError, match="--client-cert / --client-key need --ca-file"):
        IngestClient("127.0.0.1:1", TOKEN, client_cert=c.client_cert, client_key=c.client_key)
    with pytest.raises(TlsError, match="go together"):
        channel_credentials(c.ca_cert, c.client_cert, None)
    with pytest.raises(TlsError, match=f"--ca-file={tmp_path / 'ca.pem'}: file not found"):
        IngestClient("127.0.0.1:1", TOKEN, ca_file=tmp_path / "ca.pem")


async def test_explicit_plaintext_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    server = grpc.aio.server()
    insecure = ServerTls(insecure=True)
    with caplog.at_level(logging.WARNING, logger="jiandu.tls"):
        port = add_port(server, "127.0.0.1:0", server_transport(insecure, "127.0.0.1"))
    assert port > 0
    assert any(
        "PLAINTEXT" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )
    await server.stop(None)


def test_dev_certificates(pki: Pki, tmp_path: Path) -> None:
    c = pki.ours
    for key in (c.ca_key, c.server_key, c.client_key):
        assert key.stat().st_mode & 0o777 == 0o600
    ca = x509.load_pem_x509_certificate(c.ca_cert.read_bytes())
    server = x509.load_pem_x509_certificate(c.server_cert.read_bytes())
    client = x509.load_pem_x509_certificate(c.client_cert.read_bytes())
    server.verify_directly_issued_by(ca)
    client.verify_directly_issued_by(ca)
    san = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]

    again = write_dev_certs(tmp_path, ["127.0.0.1"])
    first_ca = again.ca_cert.read_bytes()
    assert write_dev_certs(tmp_path, ["127.0.0.1"]).ca_cert.read_bytes() == first_ca
    assert write_dev_certs(tmp_path, ["127.0.0.1"], new_ca=True).ca_cert.read_bytes() != first_ca


# --- real servers ------------------------------------------------------------------------------


@pytest.fixture
async def tls_ingest(pki: Pki, kafka_bootstrap: str, project_topics: str) -> AsyncIterator[int]:
    c = pki.ours
    settings = ingest_settings(
        kafka_bootstrap, project_topics, tls_cert_file=c.server_cert, tls_key_file=c.server_key
    )
    server = IngestServer(settings)
    yield await server.start()
    await server.stop()


@pytest.fixture
async def mtls_ingest(pki: Pki, kafka_bootstrap: str, project_topics: str) -> AsyncIterator[int]:
    c = pki.ours
    settings = ingest_settings(
        kafka_bootstrap,
        project_topics,
        tls_cert_file=c.server_cert,
        tls_key_file=c.server_key,
        tls_client_ca_file=c.ca_cert,
    )
    server = IngestServer(settings)
    yield await server.start()
    await server.stop()


@pytest.mark.kafka
async def test_ingest_over_tls_accepts_tls_clients_only(pki: Pki, tls_ingest: int) -> None:
    client = IngestClient(f"127.0.0.1:{tls_ingest}", TOKEN, ca_file=pki.ours.ca_cert)
    try:
        tally = await client.publish_all([one_event()])
    finally:
        await client.close()
    assert tally.accepted == 1

    assert await publish_code(tls_channel(tls_ingest, pki.ours.ca_cert)) is grpc.StatusCode.OK
    plaintext = grpc.aio.insecure_channel(f"127.0.0.1:{tls_ingest}")
    assert await publish_code(plaintext) is grpc.StatusCode.UNAVAILABLE
    foreign = tls_channel(tls_ingest, pki.foreign.ca_cert)
    assert await publish_code(foreign) is grpc.StatusCode.UNAVAILABLE


@pytest.mark.kafka
async def test_ingest_with_mtls_refuses_clients_without_a_certificate_of_its_ca(
    pki: Pki, mtls_ingest: int
) -> None:
    ours, foreign = pki.ours, pki.foreign
    with_cert = tls_channel(mtls_ingest, ours.ca_cert, ours.client_cert, ours.client_key)
    assert await publish_code(with_cert) is grpc.StatusCode.OK
    client = IngestClient(
        f"127.0.0.1:{mtls_ingest}",
        TOKEN,
        ca_file=ours.ca_cert,
        client_cert=ours.client_cert,
        client_key=ours.client_key,
    )
    try:
        assert (await client.publish_all([one_event()])).duplicate == 1
    finally:
        await client.close()

    without = tls_channel(mtls_ingest, ours.ca_cert)
    assert await publish_code(without) is grpc.StatusCode.UNAVAILABLE
    wrong_ca = tls_channel(mtls_ingest, ours.ca_cert, foreign.client_cert, foreign.client_key)
    assert await publish_code(wrong_ca) is grpc.StatusCode.UNAVAILABLE
    plaintext = grpc.aio.insecure_channel(f"127.0.0.1:{mtls_ingest}")
    assert await publish_code(plaintext) is grpc.StatusCode.UNAVAILABLE


@pytest.mark.kafka
async def test_alerts_over_tls(pki: Pki, kafka_bootstrap: str, project_topics: str) -> None:
    c = pki.ours
    settings = alerts_settings(
        kafka_bootstrap,
        project_topics,
        SUPERVISORS,
        tls_cert_file=c.server_cert,
        tls_key_file=c.server_key,
    )
    server = AlertsServer(settings)
    port = await server.start()
    auth = (("authorization", f"Bearer {SUPERVISOR}"),)
    request = pb.ListAlertsRequest(page_size=10)
    try:
        secure = tls_channel(port, c.ca_cert)
        try:
            listed = await alerts_pb2_grpc.AlertServiceStub(secure).ListAlerts(
                request, metadata=auth, timeout=20
            )
        finally:
            await secure.close()
        assert list(listed.alerts) == []

        plaintext = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        try:
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await alerts_pb2_grpc.AlertServiceStub(plaintext).ListAlerts(
                    request, metadata=auth, timeout=20
                )
        finally:
            await plaintext.close()
        assert error.value.code() is grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop()
