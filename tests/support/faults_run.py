"""One run of the fault suite: traffic on, the faults in turn, traffic off, quiescence, the
verdict. The pipeline (cluster and services) is started and closed by the caller."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import asdict
from typing import TypeVar

from jiandu_cli.pacing import Outgoing
from tests.support.alerts import token_of
from tests.support.faults_expect import Expected, expected
from tests.support.faults_inject import DEVIATIONS, EVENTS, FaultRecord, FaultRunner
from tests.support.faults_pipeline import SUPERVISORS, Pipeline
from tests.support.faults_plan import FaultPlan
from tests.support.faults_probe import Probe
from tests.support.faults_traffic import Follower, Load, event_id
from tests.support.faults_verdict import (
    Verdict,
    attribute,
    delivery,
    order_violations,
    repeats,
    topic_records,
)

T = TypeVar("T")
WARMUP_EVENTS_S = 15.0
"""Seconds of publishing before the first fault (steady state: alerts flowing)."""
LATE_S = 5.0
"""How long the streams stay open after quiescence, to catch late (duplicate) deliveries."""


async def exercise(pipeline: Pipeline, plan: FaultPlan, events: list[Outgoing]) -> Verdict:
    """Publish ``events`` while the faults run in turn; stop publishing once they are done;
    wait for quiescence; judge."""
    assert pipeline.ingest is not None
    assert pipeline.alerts is not None
    started = time.monotonic()
    load = Load(events, plan.rate)
    followers = [
        Follower(s["name"], token_of(s["name"]), pipeline.alerts.target) for s in SUPERVISORS
    ]
    following = [asyncio.create_task(f.follow()) for f in followers]
    publishing = asyncio.create_task(load.run(pipeline.ingest.target, pipeline.ingest.token))
    runner = FaultRunner(pipeline, plan, load, followers, started)
    try:
        await _watching(_warm_up(load, followers, plan), publishing, following)
        faults = await _watching(runner.run(), publishing, following)
        load.stop.set()
        await publishing
        wanted = await asyncio.to_thread(expected, load.published, SUPERVISORS)
        await _watching(_quiesce(pipeline, plan, followers, wanted), None, following)
        await asyncio.sleep(LATE_S)
    finally:
        load.stop.set()
        for task in (publishing, *following):
            task.cancel()
        await asyncio.gather(publishing, *following, return_exceptions=True)
    return await asyncio.to_thread(
        judge, pipeline, plan, load, followers, faults, wanted, time.monotonic() - started
    )


async def _watching(
    work: Awaitable[T], publishing: asyncio.Task[None] | None, following: list[asyncio.Task[None]]
) -> T:
    """``work``, failing at once if the load generator or a follower fails meanwhile."""
    task = asyncio.ensure_future(work)
    watched = {t for t in (publishing, *following) if t is not None and not t.done()}
    while not task.done():
        await asyncio.wait([task, *watched], return_when=asyncio.FIRST_COMPLETED)
        for other in [t for t in watched if t.done()]:
            watched.discard(other)
            if not other.cancelled() and other.exception() is not None:
                task.cancel()
                raise AssertionError("the traffic failed during the run") from other.exception()
    return task.result()


async def _warm_up(load: Load, followers: list[Follower], plan: FaultPlan) -> None:
    """Until every stream is live and some seconds of events are acknowledged."""
    while True:
        if all(f.live_at for f in followers) and len(load.acked) >= plan.rate * WARMUP_EVENTS_S:
            return
        await asyncio.sleep(0.5)


async def _quiesce(
    pipeline: Pipeline, plan: FaultPlan, followers: list[Follower], wanted: Expected
) -> None:
    """Until the rules and alerts groups have committed everything on their topics and every
    supervisor holds at least their expected alerts, or the plan's deadline (then the verdict
    tells what is missing)."""
    probe = Probe(pipeline.bootstrap)

    def settled() -> bool:
        ends, deviations = probe.ends(EVENTS), probe.ends(DEVIATIONS)
        return (
            ends is not None
            and deviations is not None
            and probe.caught_up(pipeline.rules_group, EVENTS, ends)
            and probe.caught_up(pipeline.alerts_group, DEVIATIONS, deviations)
            and all(f.ids() >= wanted.alert_ids[f.name] for f in followers)
        )

    deadline = time.monotonic() + plan.quiesce_timeout_s
    while time.monotonic() < deadline:
        pipeline.revive()
        if await asyncio.to_thread(settled):
            return
        await asyncio.sleep(1.0)


def judge(
    pipeline: Pipeline,
    plan: FaultPlan,
    load: Load,
    followers: list[Follower],
    faults: list[FaultRecord],
    wanted: Expected,
    run_s: float,
) -> Verdict:
    """Read the topics back and compare with what was acknowledged and expected."""
    events = topic_records(pipeline.bootstrap, EVENTS, "event_id")
    deviations = topic_records(pipeline.bootstrap, DEVIATIONS, "id")
    event_repeats, deviation_repeats = repeats(events), repeats(deviations)
    per_event = attribute(event_repeats, faults, events=True)
    per_deviation = attribute(deviation_repeats, faults, events=False)
    publish_index = {event_id(e.raw): i for i, e in enumerate(load.published)}
    on_topic = {r.id for r in events}
    deviation_ids = {r.id for r in deviations}
    rows = []
    for fault, event_dups, deviation_dups in zip(faults, per_event, per_deviation, strict=True):
        row = asdict(fault)
        del row["events_ends"], row["deviations_ends"]
        rows.append(
            row | {"events_duplicates": event_dups, "deviations_duplicates": deviation_dups}
        )
    return Verdict(
        scale=plan.scale,
        run_s=round(run_s, 1),
        published=load.sent,
        acked=len(load.acked),
        rejected=len(load.rejected),
        retried_calls=load.retried_calls,
        acked_missing=sorted(load.acked - on_topic),
        events_on_topic=len(events),
        events_duplicates=len(event_repeats),
        order_violations=order_violations(events, publish_index),
        deviations_expected=len(wanted.deviation_ids),
        deviations_lost=sorted(wanted.deviation_ids - deviation_ids),
        deviations_unexpected=sorted(deviation_ids - wanted.deviation_ids),
        deviations_duplicates=len(deviation_repeats),
        faults=rows,
        deliveries=[delivery(f, wanted.alert_ids[f.name]) for f in followers],
        revived=dict(pipeline.revived),
    )
