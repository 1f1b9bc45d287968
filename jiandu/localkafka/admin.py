"""Talking to a running broker: is it answering, how many brokers, which topics; create topics."""

from __future__ import annotations

import socket
import ssl
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from kafka.admin import KafkaAdminClient

from jiandu.kafka_security import KafkaSecurity
from jiandu.localkafka.errors import LocalKafkaError
from jiandu.topics import TopicSpec, topic_name

_API_VERSIONS = 18
_CORRELATION = 0x6A6D
_TOPIC_ALREADY_EXISTS = 36


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def answers_kafka(
    host: str, port: int, timeout: float = 2.0, tls: ssl.SSLContext | None = None
) -> bool:
    """Whether ``host:port`` answers a Kafka ApiVersions request (v0, which 4.x still serves).

    With ``tls`` the probe speaks TLS first; a SASL_SSL listener answers ApiVersions before any
    authentication.
    """
    client_id = b"jiandu-probe"
    body = struct.pack(">hhih", _API_VERSIONS, 0, _CORRELATION, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            sock = tls.wrap_socket(raw, server_hostname=host) if tls else raw
            with sock:
                sock.sendall(struct.pack(">i", len(body)) + body)
                head = _recv_exact(sock, 8)
    except OSError:  # ssl.SSLError is an OSError
        return False
    size, correlation = struct.unpack(">ii", head)
    return bool(size >= 4 and correlation == _CORRELATION)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    """Read exactly ``n`` bytes or raise OSError."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


def admin_client(
    bootstrap: str, timeout_ms: int = 10_000, security: KafkaSecurity | None = None
) -> Any:
    """A KafkaAdminClient for ``bootstrap`` (close it; it is a context manager)."""
    return KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="jiandu-localkafka",
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        **(security or KafkaSecurity()).kafka_python(),
    )


def wait_ready(
    bootstrap: str,
    brokers: int,
    timeout: float,
    check: Callable[[], None] = lambda: None,
    security: KafkaSecurity | None = None,
) -> bool:
    """Wait until every bootstrap address answers and metadata lists ``brokers`` brokers.

    False when ``timeout`` seconds pass first. ``check`` runs between attempts and raises to give
    up early (e.g. a JVM that exited).
    """
    deadline = time.monotonic() + timeout
    addresses = [_split(address) for address in bootstrap.split(",")]
    tls = security.ssl_context() if security and security.secure else None
    while True:
        check()
        if all(answers_kafka(host, port, tls=tls) for host, port in addresses) and (
            _broker_count(bootstrap, security) >= brokers
        ):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def _split(address: str) -> tuple[str, int]:
    """``host:port`` → (host, port)."""
    host, _, port = address.rpartition(":")
    return host, int(port)


def _broker_count(bootstrap: str, security: KafkaSecurity | None = None) -> int:
    """How many brokers the cluster's metadata lists (0 while it cannot say)."""
    try:
        with admin_client(bootstrap, timeout_ms=5_000, security=security) as admin:
            return len(admin.describe_cluster()["brokers"])
    except Exception:  # any client error means "not ready yet"
        return 0


def broker_count(bootstrap: str, security: KafkaSecurity | None = None) -> int:
    """How many brokers the cluster at ``bootstrap`` has."""
    with admin_client(bootstrap, security=security) as admin:
        return len(admin.describe_cluster()["brokers"])


def topic_partitions(bootstrap: str, security: KafkaSecurity | None = None) -> dict[str, int]:
    """Every topic (internal ones too) with its partition count."""
    with admin_client(bootstrap, security=security) as admin:
        topics = admin.describe_topics()
    return {t["name"]: len(t["partitions"]) for t in sorted(topics, key=lambda t: t["name"])}


def ensure_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec],
    partitions: int,
    replication_factor: int,
    prefix: str = "",
    security: KafkaSecurity | None = None,
) -> list[str]:
    """Create the topics of ``specs`` that do not exist (under ``prefix``); the names created.

    Returns once every topic has a leader for each partition. Existing topics are left as
    they are, even when their partition count differs.
    """
    wanted = {topic_name(spec.name, prefix): spec for spec in specs}
    with admin_client(bootstrap, security=security) as admin:
        missing = sorted(set(wanted) - set(admin.list_topics()))
        if missing:
            request = {
                name: _creation(wanted[name], partitions, replication_factor) for name in missing
            }
            _raise_failures(admin.create_topics(request, raise_errors=False))
        admin.wait_for_topics(sorted(wanted), timeout_ms=30_000)
    return missing


def _creation(spec: TopicSpec, partitions: int, replication_factor: int) -> dict[str, Any]:
    """The create_topics entry for one spec."""
    configs = dict(spec.configs)
    if spec.compacted:
        configs["cleanup.policy"] = "compact"
    return {
        "num_partitions": partitions,
        "replication_factor": replication_factor,
        "configs": configs,
    }


def _raise_failures(result: dict[str, Any]) -> None:
    """Raise for any topic the broker refused, except one that already exists (a race)."""
    failures = [
        f"{t['name']}: {t.get('error_message') or t['error_code']}"
        for t in result["topics"]
        if t["error_code"] not in (0, _TOPIC_ALREADY_EXISTS)
    ]
    if failures:
        raise LocalKafkaError("could not create topics: " + "; ".join(failures))


def read_topic(
    bootstrap: str, topic: str, timeout_s: float = 60.0, security: KafkaSecurity | None = None
) -> list[Any]:
    """Every record on ``topic`` now (all partitions, beginning to the current end), for
    demos, tests and tools; not for services (no group, no commits)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        **(security or KafkaSecurity()).kafka_python(),
    )
    try:
        found = consumer.partitions_for_topic(topic) or set()
        partitions = [TopicPartition(topic, p) for p in sorted(found)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise LocalKafkaError(f"{topic} not read to its end in {timeout_s:.0f}s")
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()
