"""The test session's Kafka broker: reuse one that answers, or start one and stop it afterwards.

Several pytest sessions may share the broker (developers in one tree, ``-n`` runs): each leaves a
lease file while it runs, and the session that started the broker stops it only when no other
live session holds a lease.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from kafka.errors import KafkaError

from jiandu.localkafka import (
    LocalKafka,
    LocalKafkaError,
    answers_kafka,
    broker_count,
    ensure_topics,
)
from jiandu.localkafka.admin import admin_client
from jiandu.localkafka.paths import repo_root
from jiandu.topics import TOPICS

TEST_KAFKA_ENV = "JIANDU_TEST_KAFKA"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
_LOCAL_HOSTS = ("127.0.0.1", "localhost")


@dataclass
class SessionBroker:
    """The broker a test session uses; ``started`` holds the LocalKafka when this session ran it."""

    bootstrap: str
    started: LocalKafka | None
    lease: Path


def session_bootstrap() -> str:
    """``$JIANDU_TEST_KAFKA`` or 127.0.0.1:9092."""
    return os.environ.get(TEST_KAFKA_ENV) or DEFAULT_BOOTSTRAP


def acquire(bootstrap: str) -> SessionBroker:
    """A broker answering at ``bootstrap``, started with LocalKafka when none answers yet."""
    lease = _take_lease()
    try:
        return _connect(bootstrap, lease)
    except BaseException:
        lease.unlink(missing_ok=True)
        raise


def _connect(bootstrap: str, lease: Path) -> SessionBroker:
    """Reuse the broker at ``bootstrap`` or start the local one on its port."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if answers_kafka(host, int(port)):
        return SessionBroker(bootstrap, None, lease)
    if host not in _LOCAL_HOSTS:
        raise LocalKafkaError(f"{TEST_KAFKA_ENV}={bootstrap} does not answer")
    kafka = LocalKafka()
    result = kafka.up(base_port=int(port))
    return SessionBroker(result.bootstrap, kafka if result.started else None, lease)


def release(broker: SessionBroker) -> None:
    """Drop this session's lease; stop the broker if this session started it and is the last."""
    broker.lease.unlink(missing_ok=True)
    if broker.started is not None and not _other_leases():
        broker.started.down()


def _leases() -> Path:
    """Where the running sessions leave their leases."""
    return repo_root() / ".jiandu" / "test-sessions"


def _take_lease() -> Path:
    """Record this session (by pid) as a user of the session broker."""
    _leases().mkdir(parents=True, exist_ok=True)
    lease = _leases() / str(os.getpid())
    lease.touch()
    return lease


def _other_leases() -> bool:
    """Whether another live process holds a lease (stale ones are removed)."""
    alive = False
    for lease in _leases().glob("*"):
        pid = int(lease.name) if lease.name.isdigit() else 0
        if pid == os.getpid():
            continue
        if pid and Path(f"/proc/{pid}").exists():
            alive = True
        else:
            lease.unlink(missing_ok=True)
    return alive


def create_project_topics(bootstrap: str, prefix: str, partitions: int = 3) -> None:
    """The project's topics under ``prefix`` (replicated min(brokers, 3) times)."""
    rf = min(3, broker_count(bootstrap))
    ensure_topics(bootstrap, TOPICS, partitions, rf, prefix)


def delete_topics_under(bootstrap: str, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix`` (best effort): a long-lived dev
    broker otherwise keeps a file open per partition segment of every test ever run, and a
    day of test sessions exhausts its open-file limit."""
    admin = admin_client(bootstrap)
    try:
        doomed = [t for t in admin.list_topics() if t.startswith(prefix)]
        if doomed:
            admin.delete_topics(doomed, timeout_ms=30_000)
    except KafkaError:
        pass  # the broker is down or busy: the topics stay, nothing else depends on them
    finally:
        admin.close()


def free_base_port(start: int = 19092, nodes: int = 1) -> int:
    """A base port ≥ ``start`` whose broker and controller ports are free for ``nodes`` nodes."""
    for base in range(start, start + 500, 7):
        ports = [base + i for i in range(nodes)] + [base + 100 + i for i in range(nodes)]
        if all(_bindable(port) for port in ports):
            return base
    raise RuntimeError(f"no free ports for {nodes} node(s) from {start}")


def _bindable(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
