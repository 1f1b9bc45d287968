"""Helpers for rules-service tests: publish events straight onto the events topic, run a real
rules worker (``python -m services.supervision_rules``) in a subprocess, read deviations back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kafka import KafkaProducer

from jiandu import topics
from jiandu.events import EnforcementEvent
from jiandu.localkafka.admin import read_topic
from jiandu.wire import to_record


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


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``condition`` until true; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")


class RulesWorker:
    """A real rules worker process for one test (its own app id, topic prefix, data dir)."""

    def __init__(self, bootstrap: str, prefix: str, workdir: Path, **settings: str) -> None:
        self.log = workdir / "rules-worker.log"
        self.env = {
            **os.environ,
            "JIANDU_KAFKA_BOOTSTRAP": bootstrap,
            "JIANDU_KAFKA_TOPIC_PREFIX": prefix,
            "JIANDU_RULES_APP_ID": f"{prefix}rules",
            "JIANDU_RULES_WEB_PORT": "0",
            "JIANDU_RULES_PARTITIONS": "3",
            "JIANDU_RULES_DATA_DIR": str(workdir / "faust"),
            "JIANDU_RULES_LOGLEVEL": "warn",
            **{f"JIANDU_RULES_{k.upper()}": v for k, v in settings.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RulesWorker:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.supervision_rules"],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no final commit."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait (faust shuts down cleanly)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
