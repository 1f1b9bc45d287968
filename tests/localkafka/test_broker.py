"""The session broker is a real Kafka: topics are listed, a record goes through."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient

from jiandu import topics

pytestmark = pytest.mark.kafka


def test_the_project_topics_exist_under_the_test_prefix(
    kafka_bootstrap: str, project_topics: str
) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        names = set(admin.list_topics())
        described = admin.describe_topics([project_topics + topics.ALERT_STATE])
    finally:
        admin.close()
    assert {project_topics + spec.name for spec in topics.TOPICS} <= names
    assert len(described[0]["partitions"]) == 3


def test_one_record_is_produced_and_consumed(kafka_bootstrap: str, project_topics: str) -> None:
    topic = project_topics + topics.EVENTS
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    try:
        producer.send(topic, key=b"party-1", value=b'{"kind":"test"}').get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"g-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        record = next(iter(consumer))
    finally:
        consumer.close()
    assert (record.key, record.value) == (b"party-1", b'{"kind":"test"}')
