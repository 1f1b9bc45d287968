"""Cluster layout and the files rendered from it: server.properties, log4j2 config, cluster id.

Pure functions over plain data, so they are tested without Java.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
CONTROLLER_PORT_OFFSET = 100
"""A node's controller listens at its broker port plus this (9092 → 9192)."""


@dataclass(frozen=True)
class ClusterLayout:
    """Where each node of a combined-mode KRaft cluster listens, and whether it is secure (SASL_SSL
    with SCRAM users and ACLs; see :mod:`jiandu.localkafka.secure`); node ids are 1..nodes."""

    nodes: int = 1
    base_port: int = 9092
    host: str = HOST
    secure: bool = False

    def __post_init__(self) -> None:
        if self.nodes not in (1, 3):
            raise ValueError(f"a local cluster has 1 or 3 nodes, not {self.nodes}")

    def node_id(self, index: int) -> int:
        """The KRaft node.id of the node at ``index`` (0-based)."""
        return index + 1

    def broker_port(self, index: int) -> int:
        """The port clients use for the node at ``index`` (PLAINTEXT, or SASL_SSL when secure)."""
        return self.base_port + index

    def controller_port(self, index: int) -> int:
        """The CONTROLLER listener port of the node at ``index``."""
        return self.base_port + CONTROLLER_PORT_OFFSET + index

    @property
    def indexes(self) -> range:
        """The 0-based node indexes."""
        return range(self.nodes)

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string for clients (every node)."""
        return ",".join(f"{self.host}:{self.broker_port(i)}" for i in self.indexes)

    @property
    def quorum_voters(self) -> str:
        """The static ``controller.quorum.voters`` value."""
        return ",".join(
            f"{self.node_id(i)}@{self.host}:{self.controller_port(i)}" for i in self.indexes
        )

    @property
    def replication_factor(self) -> int:
        """Replicas per partition for the project's topics."""
        return min(self.nodes, 3)


def new_cluster_id() -> str:
    """A fresh KRaft cluster id: url-safe base64 of a uuid4, 22 chars, no padding.

    Like Kafka's own ``Uuid.randomUuid`` it never starts with '-', which the storage tool's
    argument parser would take for an option.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def server_settings(layout: ClusterLayout, index: int, data_dir: Path) -> dict[str, str]:
    """The broker settings of one node: listeners, quorum, storage and durability."""
    port, ctrl = layout.broker_port(index), layout.controller_port(index)
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(layout.node_id(index)),
        "controller.quorum.voters": layout.quorum_voters,
        "listeners": f"PLAINTEXT://{layout.host}:{port},CONTROLLER://{layout.host}:{ctrl}",
        "advertised.listeners": f"PLAINTEXT://{layout.host}:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data_dir),
        "group.initial.rebalance.delay.ms": "0",
    }
    settings.update(_durability(layout.replication_factor))
    return settings


def _durability(rf: int) -> dict[str, str]:
    """Replication settings: RF ``rf`` everywhere, and a min ISR of 2 once there are replicas."""
    min_isr = "2" if rf >= 3 else "1"
    settings = {
        "offsets.topic.replication.factor": str(rf),
        "transaction.state.log.replication.factor": str(rf),
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": str(rf),
        "share.coordinator.state.topic.min.isr": min_isr,
    }
    if rf >= 3:
        settings.update(
            {
                "default.replication.factor": str(rf),
                "min.insync.replicas": min_isr,
                "unclean.leader.election.enable": "false",
            }
        )
    return settings


def render_properties(settings: Mapping[str, str], header: str) -> str:
    """A Java properties file, one ``key=value`` per line in a stable order."""
    lines = [f"# {header}", *(f"{key}={settings[key]}" for key in sorted(settings))]
    return "\n".join(lines) + "\n"


def render_server_properties(
    layout: ClusterLayout,
    index: int,
    data_dir: Path,
    overrides: Mapping[str, str] | None = None,
) -> str:
    """The server.properties of node ``index``; ``overrides`` win over the defaults."""
    settings = server_settings(layout, index, data_dir)
    settings.update(overrides or {})
    header = f"jiandu local Kafka node {layout.node_id(index)} of {layout.nodes} (generated)"
    return render_properties(settings, header)


LOG4J2_PROPERTIES = """\
# jiandu local Kafka: broker log to stdout (redirected to the node's server.log).
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.partition.name = kafka.cluster.Partition
logger.partition.level = warn
logger.logs.name = kafka.log
logger.logs.level = warn
logger.unified.name = org.apache.kafka.storage.internals.log
logger.unified.level = warn
"""
"""Log4j2 config in properties form, which needs no YAML parser on the classpath."""
