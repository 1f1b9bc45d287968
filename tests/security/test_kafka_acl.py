"""Kafka in secure mode refuses what the ACL table does not grant (issue 7): each service user can
do its own job, and only that; a wrong password or a plaintext client gets nowhere; no password
leaks into the cluster's configs or logs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaError,
    TopicAuthorizationFailedError,
)
from pydantic import SecretStr
from typer.testing import CliRunner

from jiandu import topics
from jiandu.kafka_security import KafkaSecurity
from jiandu.localkafka import LocalKafka, answers_kafka
from jiandu.localkafka.secure import USERS
from jiandu_cli import kafka as kafka_cli
from tests.security.conftest import SECURE_PREFIX

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def physical(name: str) -> str:
    return topics.topic_name(name, SECURE_PREFIX)


def producer(kafka: LocalKafka, security: KafkaSecurity) -> Any:
    return KafkaProducer(
        bootstrap_servers=kafka.bootstrap,
        acks="all",
        max_block_ms=10_000,
        **security.kafka_python(),
    )


def produce(kafka: LocalKafka, user: str, topic: str) -> int:
    """Write one record to ``topic`` (physical name) as ``user``; its offset."""
    client = producer(kafka, kafka.security(user))
    try:
        meta = client.send(topic, key=b"k", value=f"from {user}".encode()).get(timeout=30)
        return int(meta.offset)
    finally:
        client.close(timeout=5)


def consume_one(kafka: LocalKafka, user: str, topic: str, group: str | None = None) -> bytes:
    """Read a record of ``topic`` as ``user`` (in ``group``, committing, when given)."""
    client = KafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
        **kafka.security(user).kafka_python(),
    )
    try:
        record = next(iter(client))
        if group is not None:
            client.commit()
        return bytes(record.value)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("user", "topic", "readers"),
    [
        ("ingest", topics.EVENTS, [("ingest", None), ("rules", "rules")]),
        ("ingest", topics.EVENTS_DLQ, []),
        ("rules", topics.DEVIATIONS, [("alerts", "alerts")]),
        ("alerts", topics.ALERT_STATE, [("alerts", None)]),
        ("tools", topics.REFERENCE, [("rules", None)]),
    ],
)
def test_each_service_user_does_its_own_job(
    secure_kafka: LocalKafka, user: str, topic: str, readers: list[tuple[str, str | None]]
) -> None:
    produce(secure_kafka, user, physical(topic))
    for reader, group in readers:
        name = f"{SECURE_PREFIX}{group}-{uuid.uuid4().hex[:6]}" if group else None
        assert consume_one(secure_kafka, reader, physical(topic), name)


@pytest.mark.parametrize(
    ("user", "topic"),
    [
        ("ingest", topics.DEVIATIONS),
        ("ingest", topics.ALERT_STATE),
        ("rules", topics.EVENTS_DLQ),
        ("rules", topics.ALERT_STATE),
        ("rules", topics.EVENTS),
        ("alerts", topics.EVENTS),
        ("alerts", topics.DEVIATIONS),
        ("tools", topics.EVENTS),
    ],
)
def test_a_service_writing_a_topic_it_has_no_acl_for_is_refused(
    secure_kafka: LocalKafka, user: str, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        produce(secure_kafka, user, physical(topic))


def test_a_service_reading_a_topic_it_has_no_acl_for_is_refused(secure_kafka: LocalKafka) -> None:
    client = KafkaConsumer(
        bootstrap_servers=secure_kafka.bootstrap, **secure_kafka.security("ingest").kafka_python()
    )
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            client.beginning_offsets([TopicPartition(physical(topics.ALERT_STATE), 0)])
    finally:
        client.close()


def test_a_service_joining_another_services_group_is_refused(secure_kafka: LocalKafka) -> None:
    produce(secure_kafka, "ingest", physical(topics.EVENTS))
    with pytest.raises(GroupAuthorizationFailedError):
        consume_one(secure_kafka, "rules", physical(topics.EVENTS), f"{SECURE_PREFIX}alerts")


def broker_log(kafka: LocalKafka) -> str:
    return "".join(
        p.read_text(errors="replace") for p in kafka.state.root.glob("node-*/server.log")
    )


def refused_connection(kafka: LocalKafka, security: KafkaSecurity, reason: str) -> None:
    """A producer with ``security`` cannot bootstrap, and the broker logs why: ``reason``."""
    before = broker_log(kafka).count(reason)
    with pytest.raises(KafkaError):  # kafka-python: KafkaTimeoutError, unable to bootstrap
        KafkaProducer(
            bootstrap_servers=kafka.bootstrap,
            max_block_ms=5_000,
            bootstrap_timeout_ms=5_000,
            **security.kafka_python(),
        ).close()
    assert broker_log(kafka).count(reason) > before


def test_a_wrong_password_is_refused(secure_kafka: LocalKafka) -> None:
    wrong = secure_kafka.security("ingest").model_copy(
        update={"password": SecretStr("not-the-password")}
    )
    refused_connection(secure_kafka, wrong, "invalid credentials with SASL mechanism SCRAM-SHA-512")


def test_a_plaintext_client_gets_nothing_from_the_sasl_ssl_port(secure_kafka: LocalKafka) -> None:
    host, _, port = secure_kafka.bootstrap.partition(":")
    assert not answers_kafka(host, int(port)), "plaintext ApiVersions must not be answered"
    assert answers_kafka(host, int(port), tls=secure_kafka.security().ssl_context())
    refused_connection(secure_kafka, KafkaSecurity(), "SSL handshake failed")


def test_no_password_in_the_clusters_configs_logs_or_data(secure_kafka: LocalKafka) -> None:
    passwords = {user: secure_kafka.secrets.password(user).get_secret_value() for user in USERS}
    secrets_dir = secure_kafka.secrets.root
    holders: dict[str, list[str]] = {}
    for path in secure_kafka.state.root.rglob("*"):
        if not path.is_file() or secrets_dir in path.parents:
            continue
        data = path.read_bytes()
        for user, password in passwords.items():
            if password.encode() in data:
                holders.setdefault(user, []).append(path.name)
    assert holders == {}, "server.properties names the JAAS file in secrets/, not the password"
    properties = next(secure_kafka.state.root.glob("node-*/server.properties"))
    assert properties.stat().st_mode & 0o777 == 0o600
    assert secrets_dir.stat().st_mode & 0o777 == 0o700
    assert all(
        p.stat().st_mode & 0o077 == 0
        for p in secrets_dir.iterdir()
        if p.name not in ("ca.pem", "broker.pem")
    )


def test_status_and_env_work_on_a_secure_cluster(secure_kafka: LocalKafka) -> None:
    state = ["--state-dir", str(secure_kafka.state.root)]
    status = CliRunner().invoke(kafka_cli.app, ["status", *state])
    assert status.exit_code == 0, status.output
    assert physical(topics.EVENTS) in status.output  # listed as admin over SASL_SSL
    env = CliRunner().invoke(kafka_cli.app, ["env", "--service", "rules", *state])
    assert env.exit_code == 0, env.output
    assert "export JIANDU_KAFKA_SECURITY_PROTOCOL=SASL_SSL" in env.output
    assert "export JIANDU_KAFKA_SASL_USERNAME=rules" in env.output
    assert secure_kafka.secrets.password("rules").get_secret_value() in env.output
    assert secure_kafka.secrets.password("admin").get_secret_value() not in env.output
    unknown = CliRunner().invoke(kafka_cli.app, ["env", "--service", "mallory", *state])
    assert unknown.exit_code == 1
