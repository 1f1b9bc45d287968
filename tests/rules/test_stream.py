"""The rules service as a real faust worker against the real broker: it finds exactly what the
offline engine finds, survives a SIGKILL without losing a deviation, reloads the catalog without
a restart, and fires deadline checks when the expected event never comes."""

from __future__ import annotations

import json
import re
import shutil
import socket
import urllib.request
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from jiandu.events import EnforcementEvent, parse_event
from jiandu.simulation.generator import generate
from services.supervision_rules.catalog import Catalog, default_path
from services.supervision_rules.catalog.bundle import CATALOG_KEY, bundle
from services.supervision_rules.engine.runner import evaluate_events
from tests.factories import make_event
from tests.support.rules import (
    RulesWorker,
    deviations_on_topic,
    publish_events,
    publish_reference,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@cache
def stream_of_5000() -> tuple[EnforcementEvent, ...]:
    return tuple(generate(5000, seed=2026))


@cache
def expected_ids() -> frozenset[str]:
    return frozenset(d.id for d in evaluate_events(stream_of_5000(), Catalog.load()))


@pytest.fixture
def worker_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def workers() -> Iterator[list[RulesWorker]]:
    started: list[RulesWorker] = []
    yield started
    for worker in started:
        worker.stop()


def ids_on_topic(bootstrap: str, prefix: str) -> list[str]:
    return [d["id"] for d in deviations_on_topic(bootstrap, prefix)]


def _missing(expected: frozenset[str], bootstrap: str, prefix: str) -> str:
    missing = expected - set(ids_on_topic(bootstrap, prefix))
    offline = {d.id: d for d in evaluate_events(stream_of_5000(), Catalog.load())}
    examples = [
        f"{offline[i].check_id} {offline[i].party_id} {offline[i].event_ids}"
        for i in sorted(missing)
    ]
    return f"{len(missing)} of {len(expected)} deviations missing: {examples[:5]}\n"


def test_the_stream_finds_exactly_what_evaluate_finds(
    kafka_bootstrap: str, project_topics: str, worker_dir: Path, workers: list[RulesWorker]
) -> None:
    expected = expected_ids()
    assert len(expected) > 50, "the data set must exercise the checks"
    publish_events(kafka_bootstrap, project_topics, stream_of_5000())
    worker = RulesWorker(kafka_bootstrap, project_topics, worker_dir, timers="false").start()
    workers.append(worker)

    wait_until(
        lambda: (
            set(ids_on_topic(kafka_bootstrap, project_topics)) >= expected or not worker.alive()
        ),
        240,
        "every offline deviation on the topic",
    )
    found = ids_on_topic(kafka_bootstrap, project_topics)
    assert set(found) == expected, worker.log_tail()
    assert len(found) == len(set(found)), "no restart, so no duplicates"


def test_a_killed_worker_loses_no_deviation(
    kafka_bootstrap: str, project_topics: str, worker_dir: Path, workers: list[RulesWorker]
) -> None:
    expected = expected_ids()
    publish_events(kafka_bootstrap, project_topics, stream_of_5000())
    first = RulesWorker(kafka_bootstrap, project_topics, worker_dir, timers="false").start()
    workers.append(first)
    wait_until(
        lambda: (
            len(ids_on_topic(kafka_bootstrap, project_topics)) >= len(expected) // 3
            or not first.alive()
        ),
        240,
        "a third of the deviations before the kill",
    )
    assert first.alive(), first.log_tail()
    first.kill()
    second = RulesWorker(kafka_bootstrap, project_topics, worker_dir, timers="false").start()
    workers.append(second)

    wait_until(
        lambda: (
            set(ids_on_topic(kafka_bootstrap, project_topics)) >= expected or not second.alive()
        ),
        240,
        "every deviation after the restart",
        lambda: _missing(expected, kafka_bootstrap, project_topics) + second.log_tail(),
    )
    found = ids_on_topic(kafka_bootstrap, project_topics)
    assert set(found) == expected, second.log_tail()
    duplicates = len(found) - len(set(found))
    print(
        f"\nSIGKILL mid-stream: {len(set(found))} deviation ids, {duplicates} duplicates on topic"
    )


def _simplified_fine(event_id: str, fine: int) -> EnforcementEvent:
    raw = make_event(
        "penalty_decided",
        event_id=event_id,
        case_id=f"case-{event_id}",
        **{
            "payload.procedure": "simplified",
            "payload.fine_yuan": fine,
            "payload.decision_no": f"no-{event_id}",
        },
    )
    return parse_event(json.dumps(raw))


def _catalog_with_simplified_limit(tmp_path: Path, limit: int, version: str) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(default_path(), folder)
    for path in folder.rglob("*.yaml"):
        text = path.read_text("utf-8").replace(
            "catalog_version: '2026.1'", f"catalog_version: '{version}'"
        )
        text = re.sub(
            r"simplified_max_organisation: \{value: 3000,",
            f"simplified_max_organisation: {{value: {limit},",
            text,
        )
        path.write_text(text, "utf-8")
    assert Catalog.load(folder).version == version
    return folder


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _metrics(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            return str(answer.read().decode())
    except OSError:
        return ""


def test_a_new_catalog_changes_later_decisions_only(
    kafka_bootstrap: str,
    project_topics: str,
    worker_dir: Path,
    workers: list[RulesWorker],
    tmp_path: Path,
) -> None:
    port = _free_port()
    worker = RulesWorker(
        kafka_bootstrap, project_topics, worker_dir, timers="false", web_port=str(port)
    ).start()
    workers.append(worker)
    publish_events(kafka_bootstrap, project_topics, [_simplified_fine("before", 4000)])

    def c25() -> set[str]:
        return {
            d["event_ids"][0]
            for d in deviations_on_topic(kafka_bootstrap, project_topics)
            if d["check_id"] == "C25"
        }

    wait_until(lambda: "before" in c25(), 120, "C25 under the shipped limit of 3,000 yuan")

    folder = _catalog_with_simplified_limit(tmp_path, 5000, "2026.9")
    publish_reference(kafka_bootstrap, project_topics, CATALOG_KEY, bundle(folder))
    wait_until(
        lambda: 'jiandu_rules_catalog_info{version="2026.9"} 1.0' in _metrics(port),
        60,
        "the worker to report catalog 2026.9",
    )
    publish_events(
        kafka_bootstrap,
        project_topics,
        [_simplified_fine("after-4000", 4000), _simplified_fine("after-6000", 6000)],
    )
    wait_until(lambda: "after-6000" in c25(), 120, "C25 over the new limit of 5,000 yuan")
    assert c25() == {"before", "after-6000"}


def test_an_overdue_case_is_reported_with_no_later_event(
    kafka_bootstrap: str, project_topics: str, worker_dir: Path, workers: list[RulesWorker]
) -> None:
    filed = parse_event(json.dumps(make_event("case_filed", event_id="only-filing")))
    worker = RulesWorker(
        kafka_bootstrap,
        project_topics,
        worker_dir,
        timers="true",
        timer_interval_s="1",
        as_of=date(2025, 9, 1).isoformat(),
    ).start()
    workers.append(worker)
    publish_events(kafka_bootstrap, project_topics, [filed])

    wait_until(
        lambda: any(
            d["check_id"] == "C14" and d["severity"] == "high"
            for d in deviations_on_topic(kafka_bootstrap, project_topics)
        ),
        120,
        "C14 (decision overdue) fired by the timer",
    )
