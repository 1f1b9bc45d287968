"""The faust wiring of the rules service: ``create_app(settings)`` builds the app, nothing runs
at import. Logic lives in :mod:`.judge` and the engine; this module only moves records.

- agent ``judge`` on enforcement.events.v1 (key = party id), in batches (``stream.take``): party
  state in the ``party-state`` table (co-partitioned with the topic, so no repartition), each
  touched party written once per batch; deviations to supervision.deviations.v1 keyed by party.
  A batch's deviations are acknowledged by the broker before its states are written (a state
  marks its events as seen), and faust flushes the producer before it commits an offset, so
  neither a seen-mark nor an offset is ever ahead of the deviations it stands for.
- task ``follow_reference``: reads the compacted reference topic from the start on every worker
  (all partitions, no group) into the Library; the agent waits until it has caught up once.
- timer ``deadlines``: runs the deadline checks over the parties this worker holds, remembering
  only the findings still due (so a finding is sent once while due, and the memory is bounded by
  what is due now), and applies retention to each state as of the newest event day this worker
  judged since it started (never later than the timer's day; event time, so a replayed or
  simulated stream is not judged against the wall clock): a party with nothing left worth
  keeping is removed from the table.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import faust
from aiokafka import AIOKafkaClient, AIOKafkaConsumer, TopicPartition
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.types import TP

from jiandu import topics
from jiandu.settings import KafkaSettings
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.engine.continuity import Continuity, Hole
from services.supervision_rules.holes import RETRY_S, HoleReader
from services.supervision_rules.judge import Batch, Judge
from services.supervision_rules.library import Library
from services.supervision_rules.metrics import RulesMetrics
from services.supervision_rules.settings import RulesSettings

log = logging.getLogger(__name__)


def create_app(settings: RulesSettings, metrics: RulesMetrics | None = None) -> faust.App:
    """The faust app of the rules service, with its agent, reference follower and timer."""
    metrics = metrics or RulesMetrics()
    library = Library(Catalog.load(settings.catalog_dir), _catalog_gauge(metrics))
    judge = Judge(library, metrics)
    app = _app(settings)
    kafka = settings.kafka
    events = app.topic(
        kafka.topic(topics.EVENTS),
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
    )
    deviations = app.topic(
        kafka.topic(topics.DEVIATIONS), key_serializer="raw", value_serializer="raw"
    )
    # use_partitioner: a state is written after its batch, outside its own event, so its
    # changelog partition comes from the key (murmur2, as the events topic) not the event.
    table = app.Table(
        "party-state", partitions=settings.partitions, key_type=bytes, use_partitioner=True
    )
    ready = asyncio.Event()

    continuity = Continuity()
    holes = HoleReader(settings)

    async def in_order(taken: Sequence[faust.EventT[bytes]], read: list[Hole]) -> list[bytes]:
        """The values to judge for a batch of delivered events, in offset order per partition:
        what faust skipped is read first (and added to ``read``), what it repeated is left out."""
        values: list[bytes] = []
        for event in taken:
            message = event.message
            generation = message.generation_id or 0
            if not continuity.knows(message.partition, generation):
                first = await holes.first_offset(message.partition)
                continuity.start(message.partition, generation, first)
            admit = continuity.admit(message.partition, message.offset)
            if admit.hole:
                recovered = await holes.read(admit.hole)
                log.warning(
                    "faust skipped offsets %d..%d of partition %d; read %d record(s) directly",
                    admit.hole.start,
                    admit.hole.end - 1,
                    admit.hole.partition,
                    len(recovered),
                )
                metrics.recovered.inc(len(recovered))
                values += recovered
                read.append(admit.hole)
            if admit.judge:
                values.append(event.value)
            else:
                metrics.repeated.inc()
        return values

    async def judge_batch(values: list[bytes]) -> None:
        batch = Batch(lambda party: table.get(party.encode()))
        found = [d for value in values for d in judge.judge(value, batch).deviations]
        # Deviations first, acknowledged, then the states that remember these events as
        # seen: a crash in between re-judges the batch (same ids), never skips a deviation.
        delivered = [
            await deviations.send(
                key=deviation.party_id.encode(),
                value=deviation.model_dump_json().encode(),
                force=True,
            )
            for deviation in found
        ]
        await asyncio.gather(*delivered)
        for party, state in batch.updates().items():
            table[party.encode()] = state

    @app.agent(events, name="judge")
    async def judge_events(stream: faust.StreamT[bytes]) -> None:
        await ready.wait()
        # take_events is on faust's Stream but not on its StreamT protocol.
        taken_batches = stream.take_events(  # type: ignore[attr-defined]
            settings.batch_max, within=settings.batch_within_s
        )
        async for taken in taken_batches:
            read: list[Hole] = []
            values = await in_order(taken, read)
            # faust acks a batch's events once this body returns, even by an exception, so a
            # failed batch is judged again until it succeeds (same ids) instead of being lost.
            while True:
                try:
                    await judge_batch(values)
                    break
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("judging a batch failed; trying again in %.0fs", RETRY_S)
                    await asyncio.sleep(RETRY_S)
            await _judged_directly(app, events.get_topic_name(), read)

    @app.on_before_shutdown.connect  # type: ignore[arg-type]
    async def close_holes(app: faust.App, **kwargs: Any) -> None:
        await holes.stop()

    @app.task  # type: ignore[untyped-decorator]
    async def follow_reference() -> None:
        await _follow(settings, library, metrics, ready)

    if settings.timers:
        raised: set[str] = set()

        @app.timer(settings.timer_interval_s)  # type: ignore[untyped-decorator]
        async def deadlines() -> None:
            if not ready.is_set():
                return
            as_of = settings.as_of or date.today()
            due: set[str] = set()
            for _, stored in list(table.items()):
                for deviation in judge.due(stored, as_of):
                    due.add(deviation.id)
                    if deviation.id in raised:
                        continue
                    raised.add(deviation.id)
                    await deviations.send(
                        key=deviation.party_id.encode(),
                        value=deviation.model_dump_json().encode(),
                        force=True,
                    )
            raised.intersection_update(due)  # no longer due: forgotten (a repeat has its id)
            metrics.deadline_findings.set(len(raised))
            if judge.newest is not None:  # the stream's time, never ahead of the timer's
                await _tidy(table, judge, min(judge.newest, as_of))
            metrics.party_states.set(len(table))

    return app


async def _tidy(table: Any, judge: Judge, today: date) -> None:
    """Retention of every party state this worker holds, as of ``today``."""
    for key, stored in list(table.items()):
        tidied = judge.tidy(stored, today)
        if tidied.state is None:
            del table[key]
        elif tidied.changed:
            table[key] = tidied.state
        await asyncio.sleep(0)  # let the agent run between parties


def _app(settings: RulesSettings) -> faust.App:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{host}" for host in settings.kafka.bootstrap.split(",")],
        broker_credentials=settings.kafka.security().faust_credentials(),
        store="memory://",
        datadir=str(settings.data_dir / settings.app_id),
        autodiscover=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor or 1,
        broker_commit_interval=settings.commit_interval_s,
        key_serializer="raw",
        value_serializer="json",
        producer_acks=-1,
        web_enabled=bool(settings.web_port),
        web_port=settings.web_port or 6066,
        web_bind=settings.web_host,
        web_host=settings.web_host,
    )
    if settings.web_port:
        setup_prometheus_sensors(app, name_prefix="jiandu_rules_faust")
    return app


async def _judged_directly(app: faust.App, topic: str, holes: Sequence[Hole]) -> None:
    """Tell faust's consumer that the offsets of ``holes`` (read and judged by the worker) are
    done. faust never delivered them, so it never acks them, and it will not commit past a gap
    at the head of its acked offsets: without this the partition's committed offset stayed
    where faust skipped until the next restart (found by tests/faults: lag never 0 again, the
    whole partition judged anew after each restart). ``_add_gap`` is faust's own way to
    record offsets it will not see (transaction markers); its end is inclusive."""
    for hole in holes:
        tp = TP(topic, hole.partition)
        await app.consumer._add_gap(tp, hole.start, hole.end - 1)  # type: ignore[attr-defined]


async def cluster_replicas(kafka: KafkaSettings) -> int:
    """How many replicas the worker's own topics get when not configured: as many as the
    cluster has brokers, at most 3 (faust's default of 1 left the party-state changelog on one
    broker, so losing that broker stalled, or with its disk lost, the worker's state)."""
    client = AIOKafkaClient(bootstrap_servers=kafka.bootstrap, **kafka.security().aiokafka())
    await client.bootstrap()
    try:
        return max(1, min(3, len(client.cluster.brokers())))
    finally:
        await client.close()


def _catalog_gauge(metrics: RulesMetrics) -> Any:
    def on_change(version: str, previous: str | None) -> None:
        if previous is not None:
            metrics.catalog.remove(previous)
        metrics.catalog.labels(version).set(1)

    return on_change


async def _follow(
    settings: RulesSettings, library: Library, metrics: RulesMetrics, ready: asyncio.Event
) -> None:
    """Apply every reference record to the library, forever; set ``ready`` once caught up.

    No consumer group: every worker reads every partition from the beginning (the topic is
    compacted, so that is the current reference data)."""
    consumer = AIOKafkaConsumer(
        settings.kafka.topic(topics.REFERENCE),
        bootstrap_servers=settings.kafka.bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **settings.kafka.security().aiokafka(),
    )
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] | None = None
        while True:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            for records in batches.values():
                for record in records:
                    key = record.key.decode() if record.key else ""
                    metrics.reference_records.labels(library.apply(key, record.value)).inc()
            if ready.is_set() or not consumer.assignment():
                continue
            ends = ends or await consumer.end_offsets(list(consumer.assignment()))
            positions = [await consumer.position(tp) for tp in ends]
            if all(p >= end for p, end in zip(positions, ends.values(), strict=True)):
                log.info("reference data loaded; catalog %s", library.catalog.version)
                ready.set()
    finally:
        await consumer.stop()
