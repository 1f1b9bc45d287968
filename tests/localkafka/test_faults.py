"""The fault hooks on a private 3-node cluster: kill a node, keep writing, bring it back."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from kafka import KafkaProducer

from jiandu import topics
from jiandu.localkafka import LocalKafka
from tests.support.kafka import free_base_port

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def alive(kafka: LocalKafka) -> dict[int, bool]:
    """Node id → whether its JVM runs."""
    return {node.node_id: node.alive for node in kafka.status().nodes}


def test_a_killed_node_restarts_on_its_data_while_the_others_keep_acking(tmp_path: Path) -> None:
    port = free_base_port(19592, nodes=3)
    kafka = LocalKafka(tmp_path / "kafka3")
    try:
        result = kafka.up(nodes=3, base_port=port, partitions=3)
        assert result.started == (1, 2, 3)

        kafka.kill_node(2, signal.SIGKILL)
        assert alive(kafka) == {1: True, 2: False, 3: True}
        producer = KafkaProducer(
            bootstrap_servers=f"127.0.0.1:{port}", acks="all", enable_idempotence=True
        )
        try:
            producer.send(topics.EVENTS, key=b"p", value=b"v").get(timeout=60)
        finally:
            producer.close()

        kafka.kill_node(3, signal.SIGSTOP)
        kafka.kill_node(3, signal.SIGCONT)
        kafka.start_node(2)
        assert alive(kafka) == {1: True, 2: True, 3: True}
    finally:
        kafka.down(wipe=True)
