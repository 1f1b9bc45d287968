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
from services.enforcement_ingest.publisher import BATCH_SIZE_BYTES
from services.enforcement_ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
PARTITIONS = 6
BATCH = 500
IN_FLIGHT = 4
# the ingest producer's settings, so that the baseline runs with the same ones
LINGER_MS: int = IngestSettings.model_fields["linger_ms"].default

# Kept in the report (make bench rewrites docs/benchmarks.md); add a line when you try something.
TRIED = """## What we tried and what it gave

Profiled with py-spy (`--gil`) on the ingest process under this load; the service is GIL-bound
(one core busy, the second shared by the broker and the bench client). Figures are ratios from
`make bench`, or the ingest process's CPU per event; runs on the shared 2-core machine vary ±15%.

- Starting point: ratio 0.25-0.27 (~650 µs CPU per event). GIL time: history tail 33%, producer
  sender thread 29%, event loop 28%; half of all of it in kafka-python's pure-Python CRC-32C.
- History consumer `check_crcs=False`: +35% events/s, the tail fell from 33% to ~8% of the GIL.
  Larger, rarer fetches (`fetch_min_bytes` 64 KiB, `fetch_max_wait_ms` 200) on top: within noise.
- Producer `batch_size` 16 KiB → 128 KiB (baseline given the same): −15% CPU per event for ingest;
  the baseline gains a little too.
- One asyncio future per batch instead of one per record (plus `asyncio.shield` and a done
  callback each), metrics counted per batch: the loop's share of `asyncio.wait`/`shield` (~12%
  of the loop's time) is gone.
- Together: ratio 0.35-0.39 in two runs (1,600-1,650 vs 4,100-4,700 records/s);
  ~470-580 µs CPU per event. Short of the 0.5 aim.
- Left, measured but not changed: the producer's own CRC-32C of every batch (~30% of the GIL;
  the baseline pays it too, ~225 bytes a record less); pydantic validation ~100 µs per event;
  the CloudEvents SDK ~37 µs per event (`to_record`, of 54 µs; the canonical JSON is ~17 µs and
  stays, the contract wants it); the bench client shares the 2 cores.
- The `crc32c` C extension (now a dependency; kafka-python uses it when installed): ingest
  1,650 → ~2,500 events/s, the baseline 4,700 → ~19,000 records/s (the CRC was most of its
  cost), so the ratio fell to ~0.13. Kept: it is the faster system; the ratio is the honest one.
- What ingest still does per event that the baseline does not: strict pydantic validation
  (~100 µs), canonical JSON and CloudEvents headers (~55 µs), gRPC (de)serialisation, the dedup
  index and its tail. With one Python process per replica the 0.5 aim is out of reach; ingest
  scales out by replicas behind a load balancer (it is stateless but for the dedup index, which
  every replica rebuilds from the topic).
- Not tried: compression (the baseline's records are zero bytes and would compress unfairly well).
"""


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
            f"linger_ms={LINGER_MS}",
            f"batch_size={BATCH_SIZE_BYTES}",
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
        JIANDU_INGEST_INSECURE="true",  # a loopback measurement: plaintext, as asked explicitly
        JIANDU_INGEST_PUBLISH_RATE_PER_S="1e9",  # measure the service, not the rate limit
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
        f"{PARTITIONS} partitions, replication factor 1, acks=all, idempotence on, "
        f"linger_ms={LINGER_MS}, batch_size={BATCH_SIZE_BYTES} (both runs); "
        f"record size {record_size} bytes (the mean JSON event of the sample generator, used as "
        f"`--record-size` for the baseline, whose records carry no key or headers; ingest's also "
        "carry the party key and the CloudEvents headers, ~225 bytes more); ingest in its own "
        f"process, {BATCH} events per gRPC call, {IN_FLIGHT} calls in flight, each event "
        "validated, deduplicated and given CloudEvents headers; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.machine()}. Broker: {bootstrap}.",
        "",
        "Ratios are the figures that count; absolute numbers on a 2-core machine only illustrate.",
        "",
        TRIED,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--port", type=int, default=50151)
    parser.add_argument("--rules-events", type=int, default=10_000)
    args = parser.parse_args()
    bootstrap = args.bootstrap or LocalKafka().up(partitions=PARTITIONS).bootstrap
    events = sample_events(args.events)
    record_size = sum(map(len, events)) // len(events)
    results = [asyncio.run(ingest(bootstrap, events, args.port))]
    results.append(baseline(bootstrap, results[0].records, record_size))
    from jiandu_cli import bench_rules

    rules = bench_rules.run(bootstrap, bench_rules.records(args.rules_events))
    text = report(results, record_size, bootstrap) + rules_report(rules, args.rules_events)
    REPORT.write_text(text, "utf-8")
    print(text)


def rules_report(results: list[Result], n: int) -> str:
    """The rules section: the worker against a bare aiokafka loop and a bare faust agent."""
    worker, aiokafka, bare_faust = results
    return "\n".join(
        [
            "",
            "## Rules worker vs a bare aiokafka loop and a bare faust agent",
            "",
            "| run | events | seconds | events/s |",
            "|---|---|---|---|",
            *(f"| {r.name} | {r.records} | {r.seconds:.2f} | {r.rate:,.0f} |" for r in results),
            "",
            f"**Ratio worker / bare faust: {worker.rate / bare_faust.rate:.2f}** (aim: 0.5); "
            f"**worker / bare aiokafka: {worker.rate / aiokafka.rate:.2f}** (aim: 0.3).",
            "",
            f"Conditions: the same {n} sample events (JSON, keyed by party id) pre-loaded on a "
            f"{PARTITIONS}-partition topic before timing; the worker judges each event with every "
            "check, keeps party state in a changelogged table and writes deviations (timers "
            "off); timed from its first committed offset to the last (start-up excluded). The "
            "bare faust agent forwards each event (`await sink.send`); the aiokafka loop "
            "forwards in batches with acks=all and commits after each batch.",
            "",
            TRIED_RULES,
        ]
    )


TRIED_RULES = """### What we tried for the rules worker and what it gave

- First version, one event at a time, the party's state written to the table (and its
  changelog) after every event: ~330 events/s; faust's producer buffer stayed full and the
  offset-commit timer overran by 26 s (it flushes the producer before committing).
- Batches with `stream.take(500, within=0.2 s)`, each touched party's state loaded once and
  written once per batch (the table uses the key's partitioner, so a write outside its own event
  still lands in the party's changelog partition): ~1,450 events/s (4.4x), 1.5x the bare faust
  passthrough agent, which sends one record per event.
- Where the time goes now (offline, `evaluate_events` on the same events): parsing and validating
  the event JSON ~100 µs, the 19 checks ~120 µs per event, so ~4,500 events/s is the ceiling of
  one Python process before faust, the state's JSON round trip and Kafka I/O. The bare aiokafka
  loop parses nothing, hence the 0.11 ratio against the 0.3 aim. Not tried yet: skipping
  re-validation of records ingest already validated (trusted topic), a faster state encoding.
  The rules service scales out by workers (one per partition, 6 by default).
"""


if __name__ == "__main__":
    main()
