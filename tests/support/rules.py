"""Helpers for rules-service tests: publish events straight onto the events topic, run a real
rules worker (``python -m services.supervision_rules``) in a subprocess, read deviations back."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kafka import KafkaProducer

from jiandu import topics
from jiandu.events import EnforcementEvent
from jiandu.localkafka.admin import read_topic
from jiandu.wire import to_record
from tests.support.processes import ServiceProcess


def publish_events(bootstrap: str, prefix: str, events: Iterable[EnforcementEvent]) -> int:
    """Write events as ingest would (key, CloudEvents headers, canonical JSON); how many."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    count = 0
    try:
        for event in events:
            record = to_record(event)
            producer.send(
                prefix + topics.EVENTS, key=record.key, value=record.value, headers=record.headers
            )
            count += 1
        producer.flush()
    finally:
        producer.close()
    return count


def publish_reference(bootstrap: str, prefix: str, key: str, value: bytes) -> None:
    """Write one record to the reference topic."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        producer.send(prefix + topics.REFERENCE, key=key.encode(), value=value).get(timeout=30)
    finally:
        producer.close()


def deviations_on_topic(bootstrap: str, prefix: str) -> list[dict[str, Any]]:
    """The deviations written so far, decoded."""
    return [json.loads(r.value) for r in read_topic(bootstrap, prefix + topics.DEVIATIONS)]


def wait_until(
    condition: Callable[[], bool],
    timeout_s: float,
    what: str,
    explain: Callable[[], str] | None = None,
) -> None:
    """Poll ``condition`` until true; fail naming ``what`` (and ``explain()``, if given) after
    ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    detail = f"\n{explain()}" if explain else ""
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}{detail}")


class RulesWorker(ServiceProcess):
    """A real rules worker process for one test (its own app id, topic prefix, data dir)."""

    def __init__(self, bootstrap: str, prefix: str, workdir: Path, **settings: str) -> None:
        env = {
            "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
            "JIANDU_KAFKA_TOPIC_PREFIX": prefix,
            "JIANDU_RULES_APP_ID": f"{prefix}rules",
            "JIANDU_RULES_WEB_PORT": "0",
            "JIANDU_RULES_PARTITIONS": "3",
            "JIANDU_RULES_DATA_DIR": str(workdir / "faust"),
            "JIANDU_RULES_LOGLEVEL": os.environ.get(
                "JIANDU_TEST_RULES_LOGLEVEL", "warn"
            ),  # info to debug
            **{f"JIANDU_RULES_{k.upper()}": v for k, v in settings.items()},
        }
        super().__init__("services.supervision_rules", workdir / "rules-worker.log", env)
