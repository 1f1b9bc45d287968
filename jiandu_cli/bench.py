"""``make bench`` (ingest part): gRPC ingest → acks=all records, against kafka-python's own
producer benchmark on the same broker, record size and producer settings, in one run.

Writes docs/benchmarks.md with the conditions and the ratio; prints the same table.
Usage: ``python -m jiandu_cli.bench [--events N] [--bootstrap HOST:PORT]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from jiandu.localkafka.admin import ensure_topics
from jiandu.localkafka.cluster import LocalKafka
from jiandu.topics import TOPICS
from jiandu_cli.ingest_client import IngestClient
from jiandu_cli.sample import department_token_env, sample_events

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
PARTITIONS = 6
BATCH = 500
IN_FLIGHT = 4


@dataclass(frozen=True)
class Result:
    name: str
    records: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def baseline(bootstrap: str, records: int, record_size: int) -> Result:
    """kafka-python's ``kafka.benchmarks.producer_performance`` with ingest's producer settings."""
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    _create(bootstrap, topic)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kafka.benchmarks.producer_performance",
            "-b",
            bootstrap,
            "-t",
            topic,
            "--num-records",
            str(records),
            "--record-size",
            str(record_size),
            "-c",
            "acks=all",
            "enable_idempotence=True",
            "linger_ms=5",
            "--stats-interval",
            "600",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout
    seconds = float(re.search(r"Execution time: ([\d.]+) secs", out).group(1))  # type: ignore[union-attr]
    return Result("kafka-python producer_performance", records, seconds)


def _create(bootstrap: str, topic: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    finally:
        admin.close()


async def ingest(bootstrap: str, events: list[bytes], port: int) -> Result:
    """The ingest service in its own process; BATCH-event calls, IN_FLIGHT at a time."""
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    ensure_topics(bootstrap, TOPICS, PARTITIONS, 1, prefix)
    token, env = department_token_env()
    env.update(
        JIANDU_KAFKA_BOOTSTRAP=bootstrap,
        JIANDU_KAFKA_TOPIC_PREFIX=prefix,
        JIANDU_INGEST_PORT=str(port),
        JIANDU_INGEST_METRICS_PORT="0",
    )
    server = subprocess.Popen(  # noqa: ASYNC220 - starting a child does not block for long
        [sys.executable, "-m", "services.enforcement_ingest"],
        env={**os.environ, **env},
        stderr=subprocess.DEVNULL,
    )
    client = IngestClient(f"127.0.0.1:{port}", token)
    try:
        await _wait_serving(client, events[:1])
        batches = [events[i : i + BATCH] for i in range(1, len(events), BATCH)]
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def send(batch: list[bytes]) -> int:
            async with gate:
                return (await client.publish(batch)).accepted

        started = time.perf_counter()
        accepted = sum(await asyncio.gather(*(send(b) for b in batches)))
        seconds = time.perf_counter() - started
    finally:
        await client.close()
        server.terminate()
        server.wait(timeout=30)
    assert accepted == len(events) - 1, f"only {accepted} of {len(events) - 1} accepted"
    return Result("jiandu ingest (gRPC → acks=all)", accepted, seconds)


async def _wait_serving(client: IngestClient, warmup: list[bytes]) -> None:
    for _ in range(120):
        try:
            await client.publish(warmup, retries=0)
            return
        except Exception:  # not up yet
            await asyncio.sleep(0.5)
    raise RuntimeError("ingest did not start")


def report(results: list[Result], record_size: int, bootstrap: str) -> str:
    """The markdown report."""
    ingest_result, base = results
    lines = [
        "# Benchmarks",
        "",
        "<!-- written by `make bench` (python -m jiandu_cli.bench); numbers from the last run -->",
        "",
        "## Ingest vs kafka-python's own producer benchmark",
        "",
        "| run | records | seconds | records/s |",
        "|---|---|---|---|",
        *(f"| {r.name} | {r.records} | {r.seconds:.2f} | {r.rate:,.0f} |" for r in results),
        "",
        f"**Ratio ingest / baseline: {ingest_result.rate / base.rate:.2f}** (aim: at least 0.5).",
        "",
        "Conditions: one local broker (Apache Kafka 4.1.1, KRaft, 127.0.0.1), "
        f"{PARTITIONS} partitions, replication factor 1, acks=all, idempotence on, linger_ms=5; "
        f"record size {record_size} bytes (the mean JSON event of the sample generator, used as "
        f"`--record-size` for the baseline); ingest in its own process, {BATCH} events per gRPC "
        f"call, {IN_FLIGHT} calls in flight, each event validated, deduplicated and given "
        f"CloudEvents headers; {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.machine()}. Broker: {bootstrap}.",
        "",
        "Ratios are the figures that count; absolute numbers on a 2-core machine only illustrate.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--port", type=int, default=50151)
    args = parser.parse_args()
    bootstrap = args.bootstrap or LocalKafka().up(partitions=PARTITIONS).bootstrap
    events = sample_events(args.events)
    record_size = sum(map(len, events)) // len(events)
    results = [asyncio.run(ingest(bootstrap, events, args.port))]
    results.append(baseline(bootstrap, results[0].records, record_size))
    text = report(results, record_size, bootstrap)
    REPORT.write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
