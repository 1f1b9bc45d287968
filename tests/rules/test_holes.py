"""HoleReader against the real broker: it reads exactly the offsets of a hole, and finds where
the rules group resumes a partition (its committed offset, else the log start)."""

from __future__ import annotations

import asyncio

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from jiandu import topics
from jiandu.settings import KafkaSettings
from services.supervision_rules.engine.continuity import Hole
from services.supervision_rules.holes import HoleReader
from services.supervision_rules.settings import RulesSettings

pytestmark = pytest.mark.kafka


def _settings(bootstrap: str, prefix: str) -> RulesSettings:
    return RulesSettings(
        kafka=KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix), app_id=f"{prefix}rules"
    )


def _publish(bootstrap: str, topic: str, count: int) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for n in range(count):
        producer.send(topic, value=f"event-{n}".encode(), partition=1)
    producer.flush()
    producer.close()


def _commit(bootstrap: str, group: str, topic: str, offset: int) -> None:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    consumer.commit({TopicPartition(topic, 1): OffsetAndMetadata(offset, "", -1)})
    consumer.close()


def test_the_reader_reads_exactly_the_hole(kafka_bootstrap: str, project_topics: str) -> None:
    settings = _settings(kafka_bootstrap, project_topics)
    _publish(kafka_bootstrap, settings.kafka.topic(topics.EVENTS), 50)

    async def read() -> list[bytes]:
        reader = HoleReader(settings)
        try:
            return await reader.read(Hole(partition=1, start=17, end=29))
        finally:
            await reader.stop()

    assert asyncio.run(read()) == [f"event-{n}".encode() for n in range(17, 29)]


def test_the_group_resumes_at_its_commit_or_the_log_start(
    kafka_bootstrap: str, project_topics: str
) -> None:
    settings = _settings(kafka_bootstrap, project_topics)
    topic = settings.kafka.topic(topics.EVENTS)
    _publish(kafka_bootstrap, topic, 10)

    async def first_offset() -> int:
        reader = HoleReader(settings)
        try:
            return await reader.first_offset(1)
        finally:
            await reader.stop()

    assert asyncio.run(first_offset()) == 0, "no commit yet: the log start"
    _commit(kafka_bootstrap, settings.app_id, topic, 7)
    assert asyncio.run(first_offset()) == 7
