"""The services of ``make demo``: ingest and the rules worker started in the background on the
run's ports and topic prefix, the reference data loaded, and a wait for the rules worker to have
judged everything (the alerts service is in ``demo_alerts``)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console

from jiandu import topics
from jiandu.localkafka.admin import port_open
from jiandu.localkafka.paths import repo_root
from jiandu.settings import KafkaSettings
from jiandu.tls import channel_credentials
from jiandu_cli import demo_tokens, processes
from jiandu_cli.certs import DevCerts, write_dev_certs
from jiandu_cli.demo_config import DemoConfig

SERVICES = ("ingest", "rules", "alerts", "prometheus")
console = Console()


def stop_previous() -> None:
    """Stop what an earlier demo from this run directory left running."""
    for name in SERVICES:
        if processes.stop(name):
            console.print(f"stopped the previous demo's {name}")


def taken_ports(config: DemoConfig) -> list[str]:
    """The demo's ports that something already listens on, as ``what :port``."""
    return [
        f"{what} :{port}"
        for what, port in config.ports.listed().items()
        if port_open("127.0.0.1", port)
    ]


def certificates() -> DevCerts:
    """The run's local CA and a server certificate for 127.0.0.1 (as `jiandu certs dev` makes
    them; the CA is kept across runs): the demo's gRPC servers serve TLS, never plaintext."""
    return write_dev_certs(certificates_dir(), ["127.0.0.1", "localhost"])


def certificates_dir() -> Path:
    """Where :func:`certificates` keeps the demo's CA and certificates."""
    return processes.run_dir() / "certs"


def tls_env(service: str, certs: DevCerts) -> dict[str, str]:
    """The settings that make ``service`` (``ingest`` or ``alerts``) serve TLS with ``certs``."""
    prefix = f"JIANDU_{service.upper()}_"
    return {
        f"{prefix}TLS_CERT_FILE": str(certs.server_cert),
        f"{prefix}TLS_KEY_FILE": str(certs.server_key),
    }


def start_ingest(bootstrap: str, config: DemoConfig, certs: DevCerts) -> str:
    """Start the ingest service (TLS, signed tokens); a fresh token for every department."""
    token = demo_tokens.department_token()
    env = demo_tokens.server_env("ingest")
    env.update(
        JIANDU_KAFKA_BOOTSTRAP=bootstrap,
        JIANDU_KAFKA_TOPIC_PREFIX=config.topic_prefix,
        JIANDU_INGEST_PORT=str(config.ports.ingest),
        JIANDU_INGEST_METRICS_PORT=str(config.ports.ingest_metrics),
        **tls_env("ingest", certs),
    )
    pid, log = processes.start("ingest", "services.enforcement_ingest", env)
    console.print(f"ingest: pid {pid}, gRPC {config.ingest_target} (TLS), log {log}")
    department_token_file().write_text(token)
    department_token_file().chmod(0o600)
    asyncio.run(wait_serving(config.ingest_target, certs.ca_cert))
    return token


def department_token_file() -> Path:
    """Where the demo leaves its department token (valid for every Jinzhong department)."""
    return processes.run_dir() / "demo-department.token"


async def wait_serving(target: str, ca_file: Path | None, timeout_s: float = 120.0) -> None:
    """Wait until grpc.health.v1 at ``target`` (TLS trusting ``ca_file``; None: a plaintext
    server, as test harnesses run them) says SERVING."""
    channel = (
        grpc.aio.secure_channel(target, channel_credentials(ca_file))
        if ca_file
        else grpc.aio.insecure_channel(target)
    )
    async with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            try:
                answer = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit(f"{target} not healthy after {timeout_s:.0f}s; see {processes.run_dir()}")


def load_reference(bootstrap: str, config: DemoConfig) -> None:
    """Officers, enterprises and published inspection items of examples/reference/."""
    from jiandu.reference import Kind, load_file, record_key
    from jiandu_cli.reference import write_records

    settings = KafkaSettings(bootstrap=bootstrap, topic_prefix=config.topic_prefix)
    for kind in Kind:
        records = load_file(kind, repo_root() / "examples" / "reference" / f"{kind.value}.csv")
        messages = [(record_key(r), r.model_dump_json().encode()) for r in records]
        console.print(f"reference: {write_records(settings, kind, messages)} {kind.value}")


def start_rules(bootstrap: str, config: DemoConfig) -> None:
    """Start the rules worker (its own app id and data dir; deadline timers as of today)."""
    env = {
        "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
        "JIANDU_KAFKA_TOPIC_PREFIX": config.topic_prefix,
        "JIANDU_RULES_APP_ID": config.rules_app_id,
        "JIANDU_RULES_DATA_DIR": str(processes.run_dir() / "rules-data"),
        "JIANDU_RULES_WEB_PORT": str(config.ports.rules_metrics),
        "JIANDU_RULES_LOGLEVEL": "warn",
    }
    pid, log = processes.start("rules", "services.supervision_rules", env)
    console.print(f"rules: pid {pid}, metrics 127.0.0.1:{config.ports.rules_metrics}, log {log}")


def wait_judged(
    bootstrap: str, config: DemoConfig, stop: threading.Event, timeout_s: float = 120.0
) -> bool:
    """Wait until the rules worker has committed every event on the run's events topic, or
    ``stop`` is set (Ctrl-C: the thread must not hold up the exit)."""
    topic = topics.topic_name(topics.EVENTS, config.topic_prefix)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=config.rules_app_id)
    try:
        partitions = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not stop.is_set():
            if all((consumer.committed(tp) or 0) >= ends[tp] for tp in partitions):
                return True
            stop.wait(1.0)
    finally:
        consumer.close()
    if not stop.is_set():
        console.print(f"[yellow]the rules worker has not judged everything in {timeout_s:.0f}s")
    return False
