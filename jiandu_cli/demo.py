"""``make demo``: start Kafka, ingest and the rules worker, publish the sample day and some broken
input, show what arrived on the events topic, what the DLQ kept and what the rules found, and
say where to look next.

``python -m jiandu_cli.demo [--events FILE] [--bad FILE] [--stop]``; the services stay up until
``jiandu down`` (``make down``) stops what it started, and only that. Later issues add the
rules and alerts services here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka import KafkaConsumer, TopicPartition
from rich.console import Console
from rich.table import Table

from jiandu import topics
from jiandu.localkafka.admin import read_topic
from jiandu.localkafka.cluster import LocalKafka
from jiandu.wire import header
from jiandu_cli import processes
from jiandu_cli.demo_alerts import show_alerts, start_alerts, token_file
from jiandu_cli.ingest_client import IngestClient, Tally
from jiandu_cli.publish import read_lines, show
from jiandu_cli.sample import department_token_env

ROOT = Path(__file__).resolve().parent.parent
INGEST_PORT = 50051
METRICS_PORT = 9101
RULES_METRICS_PORT = 9102
RULES_GROUP = "jiandu-rules"
console = Console()


def start_ingest(bootstrap: str) -> str:
    """(Re)start the ingest service in the background with a fresh demo token; the token."""
    processes.stop("ingest")
    token, env = department_token_env()
    env.update(
        JIANDU_KAFKA_BOOTSTRAP=bootstrap,
        JIANDU_INGEST_PORT=str(INGEST_PORT),
        JIANDU_INGEST_METRICS_PORT=str(METRICS_PORT),
    )
    pid, log = processes.start("ingest", "services.enforcement_ingest", env)
    console.print(f"ingest: pid {pid}, gRPC 127.0.0.1:{INGEST_PORT}, log {log}")
    asyncio.run(_wait_serving(f"127.0.0.1:{INGEST_PORT}"))
    return token


async def _wait_serving(target: str, timeout_s: float = 120.0) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
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
    raise SystemExit(f"ingest not healthy after {timeout_s:.0f}s; see .jiandu/run/ingest.log")


async def _publish(token: str, path: Path) -> Tally:
    client = IngestClient(f"127.0.0.1:{INGEST_PORT}", token)
    try:
        return await client.publish_all(read_lines(path))
    finally:
        await client.close()


def load_reference(bootstrap: str) -> None:
    """Officers, enterprises and published inspection items of examples/reference/."""
    from jiandu.reference import Kind, load_file, record_key
    from jiandu.settings import KafkaSettings
    from jiandu_cli.reference import write_records

    settings = KafkaSettings(bootstrap=bootstrap)
    for kind in Kind:
        records = load_file(kind, ROOT / "examples" / "reference" / f"{kind.value}.csv")
        messages = [(record_key(r), r.model_dump_json().encode()) for r in records]
        console.print(f"reference: {write_records(settings, kind, messages)} {kind.value}")


def start_rules(bootstrap: str) -> None:
    """(Re)start the rules worker in the background (deadline timers as of today)."""
    processes.stop("rules")
    env = {
        "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
        "JIANDU_RULES_WEB_PORT": str(RULES_METRICS_PORT),
        "JIANDU_RULES_LOGLEVEL": "warn",
    }
    pid, log = processes.start("rules", "services.supervision_rules", env)
    console.print(f"rules: pid {pid}, metrics 127.0.0.1:{RULES_METRICS_PORT}/metrics, log {log}")


def wait_judged(bootstrap: str, timeout_s: float = 180.0) -> None:
    """Wait until the rules worker has committed every event on the events topic."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=RULES_GROUP)
    try:
        partitions = [
            TopicPartition(topics.EVENTS, p)
            for p in sorted(consumer.partitions_for_topic(topics.EVENTS) or ())
        ]
        ends = consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all((consumer.committed(tp) or 0) >= ends[tp] for tp in partitions):
                return
            time.sleep(1.0)
    finally:
        consumer.close()
    console.print(f"[yellow]the rules worker has not judged everything after {timeout_s:.0f}s")


def show_deviations(bootstrap: str) -> int:
    """Deviations on the topic by check, with severity and the first summary of each; how many."""
    found = [json.loads(r.value) for r in read_topic(bootstrap, topics.DEVIATIONS)]
    unique = {d["id"]: d for d in found}
    table = Table(
        "check", "severity", "count", "example", title=f"{topics.DEVIATIONS}: {len(unique)}"
    )
    by_check: dict[str, list[dict[str, object]]] = {}
    for deviation in unique.values():
        by_check.setdefault(str(deviation["check_id"]), []).append(deviation)
    for check in sorted(by_check):
        first = by_check[check][0]
        summary = first["explanation"]["summary_zh"]  # type: ignore[index]
        table.add_row(check, str(first["severity"]), str(len(by_check[check])), str(summary))
    console.print(table)
    return len(unique)


def show_topics(bootstrap: str) -> None:
    """What the events topic holds by kind and domain, and the DLQ's latest reasons."""
    events = [json.loads(r.value) for r in read_topic(bootstrap, topics.EVENTS)]
    table = Table("kind", "ecology", "production_safety", title=f"{topics.EVENTS}: {len(events)}")
    counts = Counter((e["kind"], e["domain"]) for e in events)
    for kind in sorted({k for k, _ in counts}):
        table.add_row(kind, str(counts[kind, "ecology"]), str(counts[kind, "production_safety"]))
    console.print(table)
    dead = read_topic(bootstrap, topics.EVENTS_DLQ)
    dlq = Table("reason", title=f"{topics.EVENTS_DLQ}: {len(dead)} kept (latest 10)")
    for record in dead[-10:]:
        dlq.add_row((header(record.headers, "jiandu_reason") or b"").decode())
    console.print(dlq)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=Path, default=ROOT / "examples" / "events.jsonl")
    parser.add_argument("--bad", type=Path, default=ROOT / "examples" / "bad-events.jsonl")
    parser.add_argument("--stop", action="store_true", help="stop everything at the end")
    args = parser.parse_args()
    console.rule("jiandu demo: Kafka")
    bootstrap = LocalKafka().up().bootstrap
    console.print(f"Kafka answering on {bootstrap}")
    console.rule("enforcement_ingest, supervision_rules, alerts")
    token = start_ingest(bootstrap)
    load_reference(bootstrap)
    start_rules(bootstrap)
    supervisor = start_alerts(bootstrap)
    console.rule("publishing")
    for path in (args.events, args.bad):
        show(path, asyncio.run(_publish(token, path)))
    console.rule("what arrived")
    show_topics(bootstrap)
    console.rule("what the rules found")
    wait_judged(bootstrap)
    deviations = show_deviations(bootstrap)
    console.rule("what a supervisor receives")
    show_alerts(supervisor, expect_at_least=1 if deviations else 0)
    console.rule("next")
    console.print(
        f"metrics: curl -s 127.0.0.1:{METRICS_PORT}/metrics | grep jiandu_ingest\n"
        f"         curl -s 127.0.0.1:{RULES_METRICS_PORT}/metrics | grep jiandu_deviations\n"
        "offline: .venv/bin/jiandu evaluate examples/events.jsonl --explain\n"
        f"alerts:  the demo supervisor's token is in {token_file()}\n"
        "publish again: the same file now gives duplicates only (make demo)\n"
        "contract: docs/events.md; settings: docs/settings.md; stop everything: make down"
    )
    if args.stop:
        down()


def down() -> None:
    """Stop the background services and the local broker started by the demo."""
    for name in processes.started_services():
        processes.stop(name)
        console.print(f"stopped {name}")
    LocalKafka().down()
    console.print("stopped Kafka")


if __name__ == "__main__":
    main()
