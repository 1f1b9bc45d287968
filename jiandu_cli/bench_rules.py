"""``make bench`` (rules part): the baselines the rules worker is compared with.

Both forward the same pre-loaded enforcement events (real JSON, keyed by party id) from a source
topic to a sink topic of the same partition count on the local broker:

- ``bare_aiokafka``: an AIOKafkaConsumer → AIOKafkaProducer loop (acks=all, idempotence on),
  offsets committed after each batch's produce is acknowledged;
- ``bare_faust``: a faust passthrough agent (``await sink.send(...)`` per event) in a worker
  subprocess, ``python -m jiandu_cli.bench_rules faust-worker --bootstrap … --source … --sink …``.

Usage: ``python -m jiandu_cli.bench_rules [--events N] [--bootstrap HOST:PORT]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from jiandu.localkafka.admin import admin_client, ensure_topics
from jiandu.localkafka.cluster import LocalKafka
from jiandu.topics import EVENTS as EVENTS_TOPIC
from jiandu.topics import TOPICS
from jiandu_cli.bench import PARTITIONS, Result
from jiandu_cli.sample import sample_events

EVENTS = 10_000
Record = tuple[bytes, bytes]
"""(key, value): the party id and the event's JSON."""


def records(n: int) -> list[Record]:
    """``n`` sample events keyed by party id, as ingest writes them."""
    return [(json.loads(v)["party"]["id"].encode(), v) for v in sample_events(n)]


def create_topic(bootstrap: str, topic: str, partitions: int = PARTITIONS) -> None:
    """Create ``topic`` (replication factor 1) and wait until every partition has a leader."""
    from kafka.admin import NewTopic

    with admin_client(bootstrap) as admin:
        admin.create_topics([NewTopic(topic, partitions, 1)])
        admin.wait_for_topics([topic], timeout_ms=30_000)


def preload(
    bootstrap: str, topic: str, records: Sequence[Record], partitions: int = PARTITIONS
) -> None:
    """Create ``topic`` and write ``records`` to it (kafka-python, acks=all), before any timing."""
    create_topic(bootstrap, topic, partitions)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    try:
        for key, value in records:
            producer.send(topic, key=key, value=value)
        producer.flush()
    finally:
        producer.close()
    written = end_offsets_sum(bootstrap, topic)
    if written != len(records):
        raise RuntimeError(f"{topic} holds {written} records, not {len(records)}")


def end_offsets_sum(bootstrap: str, topic: str) -> int:
    """The number of records in ``topic`` (the sum of its partitions' end offsets)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def bare_aiokafka(bootstrap: str, source_topic: str, sink_topic: str, n: int) -> Result:
    """Forward ``n`` records with a bare aiokafka loop; timed from the first record consumed to
    the last produce acknowledged and its offsets committed."""
    create_topic(bootstrap, sink_topic)
    seconds = asyncio.run(_forward(bootstrap, source_topic, sink_topic, n))
    return Result("bare aiokafka consume → produce", n, seconds)


async def _forward(bootstrap: str, source: str, sink: str, n: int) -> float:
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=f"bench-aiokafka-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await consumer.start()
    await producer.start()
    try:
        started, forwarded = 0.0, 0
        while forwarded < n:
            batches = await consumer.getmany(timeout_ms=1000)
            batch = [r for part in batches.values() for r in part]
            if not batch:
                continue
            started = started or time.perf_counter()
            acks = [await producer.send(sink, value=r.value, key=r.key) for r in batch]
            await asyncio.gather(*acks)
            await consumer.commit()
            forwarded += len(batch)
        return time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()


def create_faust_app(bootstrap: str, source_topic: str, sink_topic: str, app_id: str) -> Any:
    """A bare faust app whose one agent forwards every record from source to sink unchanged."""
    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=PARTITIONS,
        topic_replication_factor=1,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
    )
    source = app.topic(source_topic)
    sink = app.topic(sink_topic)

    @app.agent(source)
    async def passthrough(stream: Any) -> None:
        async for key, value in stream.items():
            await sink.send(key=key, value=value)

    return app


def faust_worker(argv: Sequence[str]) -> None:
    """Run the passthrough app as a faust worker until terminated (the subprocess's body)."""
    parser = argparse.ArgumentParser(prog="python -m jiandu_cli.bench_rules faust-worker")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--sink", required=True)
    parser.add_argument("--app-id", default=f"bench-faust-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--loglevel", default="warn", help="crit, error, warn, info or debug")
    args = parser.parse_args(argv)
    app = create_faust_app(args.bootstrap, args.source, args.sink, args.app_id)
    faust.Worker(app, loglevel=args.loglevel, quiet=True).execute_from_commandline()


def bare_faust(
    bootstrap: str, source_topic: str, sink_topic: str, n: int, timeout: float = 600
) -> Result:
    """Forward ``n`` records with a bare faust agent in a worker subprocess; timed by the sink's
    record timestamps, from the first forwarded record to the n-th (worker start-up excluded)."""
    create_topic(bootstrap, sink_topic)
    command = [sys.executable, "-m", "jiandu_cli.bench_rules", "faust-worker"]
    worker = subprocess.Popen(
        [*command, "--bootstrap", bootstrap, "--source", source_topic, "--sink", sink_topic]
    )
    try:
        deadline = time.monotonic() + timeout
        while end_offsets_sum(bootstrap, sink_topic) < n:
            if worker.poll() is not None:
                raise RuntimeError(f"the faust worker exited with {worker.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the faust worker did not forward {n} records in {timeout} s")
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    first, last = timestamp_span(bootstrap, sink_topic, n)
    return Result("bare faust passthrough agent", n, (last - first) / 1000)


def jiandu_rules(bootstrap: str, events: Sequence[Record], timeout: float = 900) -> Result:
    """The rules worker (``python -m services.supervision_rules``, timers off) on its own topics:
    events/s from its first committed offset to all ``n`` committed (start-up excluded).
    Committed means judged, state stored and deviations flushed."""
    prefix = f"bench-rules-{uuid.uuid4().hex[:8]}."
    others = [spec for spec in TOPICS if spec.name != EVENTS_TOPIC]
    ensure_topics(bootstrap, others, PARTITIONS, 1, prefix)
    source = prefix + EVENTS_TOPIC
    preload(bootstrap, source, events)
    group = f"{prefix}rules"
    env = {
        **os.environ,
        "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
        "JIANDU_KAFKA_TOPIC_PREFIX": prefix,
        "JIANDU_RULES_APP_ID": group,
        "JIANDU_RULES_TIMERS": "false",
        "JIANDU_RULES_WEB_PORT": "0",
        "JIANDU_RULES_PARTITIONS": str(PARTITIONS),
        "JIANDU_RULES_LOGLEVEL": "warn",
        "JIANDU_RULES_DATA_DIR": f"/tmp/{group}",
    }
    worker = subprocess.Popen([sys.executable, "-m", "services.supervision_rules"], env=env)
    n = len(events)
    try:
        first: tuple[float, int] | None = None
        deadline = time.monotonic() + timeout
        while (done := committed(bootstrap, group, source)) < n:
            if worker.poll() is not None:
                raise RuntimeError(f"the rules worker exited with {worker.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the rules worker did not judge {n} events in {timeout} s")
            if first is None and done > 0:
                first = (time.monotonic(), done)
            time.sleep(0.2)
        finished = time.monotonic()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    started, already = first or (finished, 0)
    return Result("jiandu rules worker (faust, checks)", n - already, finished - started)


def committed(bootstrap: str, group: str, topic: str) -> int:
    """The sum of the group's committed offsets on ``topic``."""
    with admin_client(bootstrap) as admin:
        offsets = admin.list_group_offsets(group).get(group, {})
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


def timestamp_span(bootstrap: str, topic: str, n: int) -> tuple[int, int]:
    """The earliest and latest record timestamps (ms) among the first ``n`` records of ``topic``."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        stamps: list[int] = []
        while len(stamps) < n:
            for part in consumer.poll(timeout_ms=1000).values():
                stamps += [r.timestamp for r in part]
        return min(stamps), max(stamps)
    finally:
        consumer.close()


def delete_topics(bootstrap: str, topics: Sequence[str]) -> None:
    """Remove the benchmark's topics (best effort)."""
    with admin_client(bootstrap) as admin:
        existing = set(admin.list_topics())
        doomed = [t for t in topics if t in existing]
        if doomed:
            admin.delete_topics(doomed)


def run(bootstrap: str, events: Sequence[Record]) -> list[Result]:
    """Pre-load ``events`` once, then run both baselines from that topic into their own sinks."""
    run_id, n = uuid.uuid4().hex[:8], len(events)
    source = f"bench-rules-{run_id}.source"
    sinks = [f"bench-rules-{run_id}.sink-aiokafka", f"bench-rules-{run_id}.sink-faust"]
    preload(bootstrap, source, events)
    try:
        return [
            jiandu_rules(bootstrap, events),
            bare_aiokafka(bootstrap, source, sinks[0], n),
            bare_faust(bootstrap, source, sinks[1], n),
        ]
    finally:
        delete_topics(bootstrap, [source, *sinks])


def main(argv: Sequence[str] | None = None) -> int:
    """Run both baselines on ``--events`` events and print their rates."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["faust-worker"]:
        faust_worker(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m jiandu_cli.bench_rules", description=__doc__)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--bootstrap", default=None)
    args = parser.parse_args(argv)
    bootstrap = args.bootstrap or LocalKafka().up(partitions=PARTITIONS).bootstrap
    events = records(args.events)
    results = run(bootstrap, events)
    size = sum(len(v) for _, v in events) // len(events)
    print(f"{args.events} events, mean {size} bytes, {PARTITIONS} partitions, broker {bootstrap}")
    for r in results:
        print(f"{r.name:<36} {r.records:>7} records {r.seconds:8.2f} s {r.rate:>10,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
