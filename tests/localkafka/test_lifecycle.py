"""up / status / down on a private single-node broker in its own state dir and ports."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiandu.localkafka import LocalKafka
from jiandu.localkafka.process import Started
from jiandu.topics import TOPICS, topic_name
from tests.support.kafka import free_base_port

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_up_status_down_of_a_private_broker(tmp_path: Path) -> None:
    port = free_base_port()
    kafka = LocalKafka(tmp_path / "kafka")
    try:
        first = kafka.up(base_port=port, partitions=2, prefix="p.")
        assert first.bootstrap == f"127.0.0.1:{port}"
        assert first.started == (1,)
        assert len(first.created_topics) == len(TOPICS)

        again = kafka.up(base_port=port, partitions=2, prefix="p.")
        assert (again.started, again.created_topics) == ((), ())

        report = kafka.status()
        (node,) = report.nodes
        assert (node.port, node.alive, node.answering) == (port, True, True)
        assert report.topics[topic_name(TOPICS[0].name, "p.")] == 2
        pid = node.pid
        assert pid is not None
    finally:
        stopped = kafka.down()

    assert stopped == (1,)
    marker = str(tmp_path / "kafka" / "node-1" / "server.properties")
    assert not Started(pid, marker).running
    assert not (tmp_path / "kafka" / "node-1" / "server.pid").exists()
    (after,) = kafka.status().nodes
    assert (after.pid, after.alive, after.answering) == (None, False, False)


def test_data_survives_down_and_wipe_deletes_it(tmp_path: Path) -> None:
    port = free_base_port()
    kafka = LocalKafka(tmp_path / "kafka")
    try:
        kafka.up(base_port=port, partitions=1)
        kafka.down()
        assert kafka.up(base_port=port, partitions=1).created_topics == ()
    finally:
        kafka.down(wipe=True)
    assert kafka.status().layout is None
