"""History: fills the dedup index from the events topic itself, then keeps tailing it.

At start it reads every partition from ``now - window`` to the end offsets seen at start (only the
``ce_source`` / ``ce_id`` headers, no JSON parsing), so the index equals what is durably on the
topic. Afterwards a daemon thread tails new records, which also teaches this replica about events
other replicas accepted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition

from jiandu.settings import KafkaSettings
from jiandu.wire import dedup_key, header

log = logging.getLogger(__name__)
Sink = Callable[[list[tuple[str, int]]], None]
FETCH_MIN_BYTES = 64 * 1024
FETCH_MAX_WAIT_MS = 200


class History:
    """Reads (dedup key, timestamp) pairs of the events topic into ``sink``."""

    def __init__(self, kafka: KafkaSettings, topic: str, window_ms: int) -> None:
        self._topic = topic
        self._window_ms = window_ms
        self._consumer = KafkaConsumer(
            bootstrap_servers=kafka.bootstrap.split(","),
            client_id=f"{kafka.client_id}-ingest-history",
            enable_auto_commit=False,
            group_id=None,
            consumer_timeout_ms=1000,
            # kafka-python checks CRC-32C in pure Python (~0.2 µs a byte, holding the GIL): on a
            # tail that re-reads every accepted record that was a third of the service's CPU.
            # The broker verified each batch's CRC when it was produced, only two headers are
            # read here, and the consumers that read values keep checking.
            check_crcs=False,
            # Fewer, larger fetches: the broker answers when 64 KiB are there or after 200 ms.
            fetch_min_bytes=FETCH_MIN_BYTES,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            **kafka.security().kafka_python(),
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def load(self, sink: Sink, timeout_s: float = 120.0) -> int:
        """Blocking: read the window up to the current end; returns the number of records read."""
        partitions = self._partitions(timeout_s)
        self._consumer.assign(partitions)
        since = int(time.time() * 1000) - self._window_ms
        starts = self._consumer.offsets_for_times({tp: since for tp in partitions})
        ends = self._consumer.end_offsets(partitions)
        for tp in partitions:
            start = starts.get(tp)
            self._consumer.seek(tp, start.offset if start is not None else ends[tp])
        read = 0
        deadline = time.monotonic() + timeout_s
        pending = {tp for tp in partitions if self._consumer.position(tp) < ends[tp]}
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"dedup history of {self._topic} not read in {timeout_s}s")
            read += self._poll_into(sink)
            pending = {tp for tp in pending if self._consumer.position(tp) < ends[tp]}
        log.info("dedup history: %d records of %s within the window", read, self._topic)
        return read

    def tail(self, sink: Sink) -> None:
        """Keep reading new records in a daemon thread until :meth:`close`."""
        self._thread = threading.Thread(target=self._run, args=(sink,), daemon=True, name="history")
        self._thread.start()

    def close(self) -> None:
        """Stop tailing and close the consumer."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._consumer.close()

    def _run(self, sink: Sink) -> None:
        while not self._stop.is_set():
            try:
                self._poll_into(sink)
            except Exception:  # keep tailing across broker restarts
                log.exception("dedup history tail failed; retrying")
                self._stop.wait(1.0)

    def _poll_into(self, sink: Sink) -> int:
        batch: list[tuple[str, int]] = []
        for records in self._consumer.poll(timeout_ms=500, max_records=5000).values():
            for record in records:
                source, event_id = (
                    header(record.headers, "ce_source"),
                    header(record.headers, "ce_id"),
                )
                if source is not None and event_id is not None:
                    batch.append((dedup_key(source.decode(), event_id.decode()), record.timestamp))
        if batch:
            sink(batch)
        return len(batch)

    def _partitions(self, timeout_s: float) -> list[TopicPartition]:
        deadline = time.monotonic() + timeout_s
        while (found := self._consumer.partitions_for_topic(self._topic)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {self._topic} not found; run `jiandu kafka up`")
            time.sleep(0.5)
        return [TopicPartition(self._topic, p) for p in sorted(found)]
