"""The 3-broker fault suite (``make test-faults``; bounded form in CI): a private 3-node cluster
(RF 3, min ISR 2, unclean election off), the services as real processes, a seeded data set
published through ingest at a steady rate and supervisors subscribed, while in turn: the broker
leading the busiest partitions is SIGKILLed and restarted (5x), the rules worker is SIGKILLed
mid-batch (3x), the alerts service is SIGKILLed under its subscribers, the rules group goes
2 -> 1 -> 2, and a broker is frozen (SIGSTOP) for 30 s. Modelled on Kafka's replication_test and
transactions_test. ``$JIANDU_FAULTS_SCALE`` picks the plan (tests/support/faults_plan.py); the
report goes to ``$JIANDU_FAULTS_OUT`` (default ``.jiandu/faults/faults.json``), the cluster's
state to ``$JIANDU_FAULTS_STATE_DIR`` (default ``.jiandu/faults/kafka``)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from jiandu.localkafka.paths import repo_root
from jiandu_cli.simulate import build_events
from tests.support.faults_pipeline import Pipeline
from tests.support.faults_plan import current_plan
from tests.support.faults_run import exercise
from tests.support.faults_verdict import show, write

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(3600)]
OUT_ENV = "JIANDU_FAULTS_OUT"
STATE_ENV = "JIANDU_FAULTS_STATE_DIR"


def report_path() -> Path:
    configured = os.environ.get(OUT_ENV)
    return Path(configured) if configured else repo_root() / ".jiandu" / "faults" / "faults.json"


def state_dir() -> Path:
    configured = os.environ.get(STATE_ENV)
    return Path(configured) if configured else repo_root() / ".jiandu" / "faults" / "kafka"


async def test_no_acknowledged_event_or_alert_is_lost_or_delivered_twice_under_faults(
    tmp_path: Path,
) -> None:
    plan = current_plan()
    events = await asyncio.to_thread(
        build_events, plan.rate, plan.max_events / plan.rate, plan.seed, plan.deviating_share
    )
    pipeline = Pipeline(tmp_path, plan, state_dir())
    try:
        await asyncio.to_thread(pipeline.up)
        await pipeline.start_services()
        verdict = await exercise(pipeline, plan, events)
    finally:
        await asyncio.to_thread(pipeline.close)
    show(verdict)
    write(verdict, report_path())

    assert len(verdict.faults) == plan.broker_kills + plan.rules_kills + 3
    assert verdict.rejected == 0, "the data set is valid"
    assert verdict.published < len(events), "the faults ended while the data set lasted"
    assert verdict.acked == verdict.published, "every published event was acknowledged"
    assert verdict.acked_missing == [], "acknowledged events missing on the events topic"
    assert verdict.order_violations == [], "parties whose events are out of publish order"
    assert verdict.deviations_lost == [], "deviations `jiandu evaluate` finds, not on the topic"
    assert verdict.deviations_unexpected == [], "deviations on the topic it does not find"
    for got in verdict.deliveries:
        assert got.expected > 0, f"{got.name}: a scope with nothing to see tests nothing"
        assert got.lost == [], f"{got.name}: alerts of the scope never delivered"
        assert got.unexpected == [], f"{got.name}: alerts outside the expected set"
        assert got.duplicates == 0, f"{got.name}: an alert delivered twice"
        assert got.regressions == 0, f"{got.name}: an alert went back to an older version"
