"""What the fault suite asks the private cluster: partition leaders and ISRs, end offsets,
a group's committed offsets and members. Blocking (kafka-python): call from a thread.

Every question opens its own short-lived clients with short timeouts, so a frozen or dead broker
costs one failed probe, which answers None and is asked again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from kafka import KafkaConsumer, TopicPartition

from jiandu.localkafka.admin import admin_client

T = TypeVar("T")
Offsets = dict[int, int]
log = logging.getLogger(__name__)


class Probe:
    """Questions about the cluster at ``bootstrap``; None when the cluster could not answer."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    def _ask(self, question: Callable[[], T]) -> T | None:
        try:
            return question()
        except Exception as error:  # a broker is down or frozen: ask again later
            log.info("probe failed: %s: %s", type(error).__name__, error)
            return None

    def partitions(self, topic: str) -> list[dict[str, Any]] | None:
        """The topic's partitions: partition_index, leader_id, replica_nodes, isr_nodes."""

        def ask() -> list[dict[str, Any]]:
            with admin_client(self.bootstrap, timeout_ms=8000) as admin:
                described = admin.describe_topics([topic])
            found: list[dict[str, Any]] = described[0]["partitions"]
            return sorted(found, key=lambda p: int(p["partition_index"]))

        return self._ask(ask)

    def full_isr(self, topics: list[str], nodes: int) -> bool:
        """Every partition of ``topics`` has a leader and all ``nodes`` replicas in sync."""
        for topic in topics:
            found = self.partitions(topic)
            if not found or any(p["leader_id"] < 0 or len(p["isr_nodes"]) < nodes for p in found):
                return False
        return True

    def led_by_others(self, topic: str, node: int) -> bool:
        """Every partition of ``topic`` has a live leader other than ``node``."""
        found = self.partitions(topic)
        return bool(found) and all(p["leader_id"] not in (-1, node) for p in found or ())

    def ends(self, topic: str) -> Offsets | None:
        """The end offset of each partition of ``topic``."""

        def ask() -> Offsets:
            consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, request_timeout_ms=8000)
            try:
                found = consumer.partitions_for_topic(topic) or ()
                parts = [TopicPartition(topic, p) for p in found]
                return {tp.partition: end for tp, end in consumer.end_offsets(parts).items()}
            finally:
                consumer.close()

        return self._ask(ask)

    def committed(self, group: str, topic: str) -> Offsets | None:
        """The group's committed offset of each partition of ``topic`` (absent: none yet)."""

        def ask() -> Offsets:
            with admin_client(self.bootstrap, timeout_ms=8000) as admin:
                found = admin.list_group_offsets({group: None})[group]
            return {tp.partition: meta.offset for tp, meta in found.items() if tp.topic == topic}

        return self._ask(ask)

    def caught_up(self, group: str, topic: str, target: Offsets) -> bool:
        """The group has committed at least ``target`` on every partition."""
        done = self.committed(group, topic)
        return done is not None and all(done.get(p, 0) >= end for p, end in target.items())

    def lag(self, group: str, topic: str) -> int | None:
        """Records on ``topic`` the group has not committed yet."""
        ends, done = self.ends(topic), self.committed(group, topic)
        if ends is None or done is None:
            return None
        return sum(max(0, end - done.get(p, 0)) for p, end in ends.items())

    def members(self, group: str) -> int | None:
        """How many members the consumer group has now."""

        def ask() -> int:
            with admin_client(self.bootstrap, timeout_ms=8000) as admin:
                described = admin.describe_groups([group])
            info = described[group] if isinstance(described, dict) else described[0]
            members = info["members"] if isinstance(info, dict) else info.members
            return len(members)

        return self._ask(ask)

    def busiest_leader(self, topic: str) -> int | None:
        """The node leading the most records of ``topic`` (ties: the lower node id)."""
        found, ends = self.partitions(topic), self.ends(topic)
        if not found or ends is None:
            return None
        load: dict[int, int] = {}
        for p in found:
            leader = int(p["leader_id"])
            if leader >= 0:
                load[leader] = load.get(leader, 0) + ends.get(int(p["partition_index"]), 0)
        return min(load, key=lambda node: (-load[node], node)) if load else None
