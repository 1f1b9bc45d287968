"""The state dir of one local cluster: its record, per-node files, and a lock around changes.

Layout::

    <state>/cluster.json          cluster id, node count, base port (written at first format)
    <state>/log4j2.properties
    <state>/node-<id>/server.properties, data/, server.log, server.pid
    <state>/secrets/                secure mode only (see jiandu.localkafka.secure)
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from jiandu.localkafka.config import ClusterLayout
from jiandu.localkafka.errors import LocalKafkaError


@dataclass(frozen=True)
class NodeFiles:
    """The files of one node."""

    root: Path

    @property
    def properties(self) -> Path:
        """Its generated server.properties."""
        return self.root / "server.properties"

    @property
    def data(self) -> Path:
        """Its log.dirs (topic data and KRaft metadata)."""
        return self.root / "data"

    @property
    def log(self) -> Path:
        """Its broker output."""
        return self.root / "server.log"

    @property
    def pid(self) -> Path:
        """Its pid file, present while the node was started by us and not stopped."""
        return self.root / "server.pid"

    @property
    def formatted(self) -> bool:
        """Whether its storage has been formatted (KRaft writes meta.properties)."""
        return (self.data / "meta.properties").is_file()


@dataclass(frozen=True)
class ClusterRecord:
    """What a state dir was formatted for; ports and node count may not change afterwards."""

    cluster_id: str
    nodes: int
    base_port: int
    secure: bool = False

    @property
    def layout(self) -> ClusterLayout:
        """The layout this record describes."""
        return ClusterLayout(nodes=self.nodes, base_port=self.base_port, secure=self.secure)


class StateDir:
    """Paths and the record of the cluster kept in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def secrets(self) -> Path:
        """The TLS files, passwords and env files of a secure cluster."""
        return self.root / "secrets"

    @property
    def log4j(self) -> Path:
        """The log4j2 config shared by the nodes."""
        return self.root / "log4j2.properties"

    def node(self, layout: ClusterLayout, index: int) -> NodeFiles:
        """The files of node ``index`` of ``layout``."""
        return NodeFiles(self.root / f"node-{layout.node_id(index)}")

    def read_record(self) -> ClusterRecord | None:
        """The recorded cluster, or None when this state dir has never been formatted."""
        path = self.root / "cluster.json"
        if not path.is_file():
            return None
        try:
            return ClusterRecord(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise LocalKafkaError(
                f"{path}: unreadable ({exc}); `jiandu kafka down --wipe`"
            ) from exc

    def write_record(self, record: ClusterRecord) -> None:
        """Record the cluster this state dir holds."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = json.dumps(asdict(record), indent=2) + "\n"
        (self.root / "cluster.json").write_text(text, encoding="utf-8")

    def wipe(self) -> None:
        """Delete every node's data and the record; the caller has stopped the nodes."""
        for path in (*self.root.glob("node-*"), self.secrets):
            shutil.rmtree(path, ignore_errors=True)
        (self.root / "cluster.json").unlink(missing_ok=True)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on this state dir (up/down from two shells or test sessions)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
