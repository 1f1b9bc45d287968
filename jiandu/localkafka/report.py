"""What the local cluster reports: per-node status, topics, and what ``up`` did."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jiandu.localkafka.config import ClusterLayout


@dataclass(frozen=True)
class NodeStatus:
    """One node as seen now: the pid we recorded, whether it runs, whether its port answers."""

    node_id: int
    port: int
    controller_port: int
    pid: int | None
    alive: bool
    answering: bool


@dataclass(frozen=True)
class ClusterStatus:
    """The recorded cluster of a state dir (``layout`` None when there is none) and its topics."""

    state_dir: Path
    layout: ClusterLayout | None
    nodes: tuple[NodeStatus, ...]
    topics: dict[str, int]
    topics_problem: str | None = None
    """Why ``topics`` could not be listed (e.g. a node just killed is still in the metadata)."""


@dataclass(frozen=True)
class UpResult:
    """What ``up`` did: where clients connect, which node ids it started, which topics it made."""

    bootstrap: str
    started: tuple[int, ...]
    created_topics: tuple[str, ...]
    external: bool = False
    """True when a broker not started from this state dir already served the port and was reused."""
