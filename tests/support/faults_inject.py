"""The faults, in turn, while the load runs, each followed by a wait until the system has
recovered, which is timed.

Recovered (timed from the restore: restart, resume) means all of: every partition of the events,
deviations and alert-state topics has a leader and all 3 replicas in sync; the rules group has
committed everything on the events topic at the first look that finds events published after
the restore (so the restored pipeline has judged fresh events, not only what a killed worker
committed before it died), and the alerts group everything on the deviations topic then;
ingest has acknowledged a call since the restore (while publishing); for the alerts fault, every
supervisor's stream is live again; for the rebalance, the group has its members back.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from jiandu import topics
from jiandu_cli.demo_services import wait_serving
from tests.support.faults_pipeline import NODES, PREFIX, Pipeline
from tests.support.faults_plan import FaultPlan
from tests.support.faults_probe import Offsets, Probe
from tests.support.faults_traffic import Follower, Load

EVENTS = topics.topic_name(topics.EVENTS, PREFIX)
DEVIATIONS = topics.topic_name(topics.DEVIATIONS, PREFIX)
ALERT_STATE = topics.topic_name(topics.ALERT_STATE, PREFIX)
T = TypeVar("T")


@dataclass
class FaultRecord:
    """One fault: what, on what, when (seconds since the run began), how long the fault lasted
    (injection to restore) and the recovery after the restore; the topics' end offsets at the
    injection (to attribute topic duplicates to faults)."""

    name: str
    target: str
    at_s: float
    outage_s: float = 0.0
    recovery_s: float | None = None
    detail: str = ""
    events_ends: Offsets = field(default_factory=dict)
    deviations_ends: Offsets = field(default_factory=dict)


class FaultRunner:
    """Runs the plan's faults against ``pipeline`` while ``load`` publishes."""

    def __init__(
        self,
        pipeline: Pipeline,
        plan: FaultPlan,
        load: Load,
        followers: list[Follower],
        started_at: float,
    ) -> None:
        self.pipeline, self.plan, self.load, self.followers = pipeline, plan, load, followers
        self.probe = Probe(pipeline.bootstrap)
        self.started_at = started_at
        self.records: list[FaultRecord] = []
        self.pending: list[str] = []
        """The recovery conditions that did not hold at the last look."""

    def schedule(self) -> list[Callable[[], Awaitable[FaultRecord]]]:
        """The faults in turn: broker kills interleaved with rules kills, then the alerts
        service, the rebalance and the frozen broker."""
        brokers = [self.kill_broker] * self.plan.broker_kills
        rules = [self.kill_rules] * self.plan.rules_kills
        steps: list[Callable[[], Awaitable[FaultRecord]]] = []
        while brokers or rules:
            steps += [brokers.pop()] if brokers else []
            steps += [rules.pop()] if rules else []
        return [*steps, self.kill_alerts, self.rebalance, self.freeze_broker]

    async def run(self) -> list[FaultRecord]:
        steps = self.schedule()
        for number, step in enumerate(steps, start=1):
            done = await step()
            self.records.append(done)
            print(
                f"fault {number}/{len(steps)} at {done.at_s:.0f} s: {done.name} {done.target}: "
                f"outage {done.outage_s:.1f} s, recovered {done.recovery_s} s later; "
                f"{self.load.sent} events published",
                flush=True,
            )
            await asyncio.sleep(self.plan.steady_s)
        return self.records

    # ------------------------------------------------------------------ the faults

    async def kill_broker(self) -> FaultRecord:
        """SIGKILL the broker leading the busiest partitions; restart it once the others lead
        everything (and at least ``down_s`` later)."""
        node = await self._busiest()
        record = await self._begin("broker SIGKILL", f"node {node}")
        t0 = time.monotonic()
        await asyncio.to_thread(self.pipeline.kafka.kill_node, node, signal.SIGKILL)
        await self._until(lambda: self.probe.led_by_others(EVENTS, node), "leaders moved")
        await asyncio.sleep(max(0.0, t0 + self.plan.down_s - time.monotonic()))
        await asyncio.to_thread(self.pipeline.kafka.start_node, node)
        return await self._recover(record, t0)

    async def freeze_broker(self) -> FaultRecord:
        """SIGSTOP the broker leading the busiest partitions for ``freeze_s``, then SIGCONT."""
        node = await self._busiest()
        record = await self._begin("broker SIGSTOP", f"node {node}, {self.plan.freeze_s:g} s")
        t0 = time.monotonic()
        await asyncio.to_thread(self.pipeline.kafka.kill_node, node, signal.SIGSTOP)
        try:
            await asyncio.sleep(self.plan.freeze_s)
        finally:
            await asyncio.to_thread(self.pipeline.kafka.kill_node, node, signal.SIGCONT)
        return await self._recover(record, t0)

    async def kill_rules(self) -> FaultRecord:
        """SIGKILL the rules worker mid-batch: as soon as events are in flight (the group's lag
        is above 0); restart it on its data dir."""
        self.pipeline.revive()
        slot = min(self.pipeline.wanted)
        record = await self._begin("rules SIGKILL", f"worker {slot}")
        lag = await self._until(
            lambda: n if (n := self.probe.lag(self.pipeline.rules_group, EVENTS)) else None,
            "the rules worker mid-batch (lag > 0)",
        )
        record.detail = f"lag {lag} at the kill"
        t0 = time.monotonic()
        await asyncio.to_thread(self.pipeline.kill_rules, slot, True)
        return await self._recover(record, t0)

    async def rebalance(self) -> FaultRecord:
        """Two workers, SIGKILL one, start it again: 2 -> 1 -> 2 members."""
        group = self.pipeline.rules_group
        self.pipeline.start_rules("b")
        await self._until(lambda: self.probe.members(group) == 2 or None, "2 rules members")
        record = await self._begin("rules 2->1->2", "worker b")
        t0 = time.monotonic()
        await asyncio.to_thread(self.pipeline.kill_rules, "b", False)
        await self._until(lambda: self.probe.members(group) == 1 or None, "1 rules member")
        alone = time.monotonic() - t0
        self.pipeline.start_rules("b")
        record.detail = f"1 member after {alone:.1f} s"
        return await self._recover(record, t0, members=2)

    async def kill_alerts(self) -> FaultRecord:
        """SIGKILL the alerts service while every supervisor is subscribed and live; restart it
        on the same port (the supervisors resume with their cursors)."""
        await self._until(lambda: all(f.live_at for f in self.followers) or None, "all live")
        record = await self._begin("alerts SIGKILL", f"{len(self.followers)} subscribers")
        alerts = self.pipeline.alerts
        assert alerts is not None
        reconnects = sum(f.reconnects for f in self.followers)
        t0 = time.monotonic()
        await asyncio.to_thread(alerts.kill)
        alerts.start()
        await wait_serving(alerts.target, None, self.plan.recovery_timeout_s)
        done = await self._recover(record, t0, live_since=t0)
        done.detail = f"{sum(f.reconnects for f in self.followers) - reconnects} reconnects"
        return done

    # ------------------------------------------------------------------ helpers

    async def _busiest(self) -> int:
        found = await self._until(lambda: self.probe.busiest_leader(EVENTS), "a leader")
        return found

    async def _begin(self, name: str, target: str) -> FaultRecord:
        events = await self._until(lambda: self.probe.ends(EVENTS), "events ends")
        deviations = await self._until(lambda: self.probe.ends(DEVIATIONS), "deviations ends")
        at = round(time.monotonic() - self.started_at, 1)
        return FaultRecord(name, target, at, events_ends=events, deviations_ends=deviations)

    async def _recover(
        self, record: FaultRecord, t0: float, members: int | None = None, live_since: float = 0.0
    ) -> FaultRecord:
        """Wait until recovered (module docstring); time it from the restore."""
        restored = time.monotonic()
        record.outage_s = round(restored - t0, 1)
        at_restore = await self._until(lambda: self.probe.ends(EVENTS), "events ends")
        published = sum(at_restore.values())

        def newer_events() -> Offsets | None:
            ends = self.probe.ends(EVENTS)
            fresh = ends is not None and (self.load.stop.is_set() or sum(ends.values()) > published)
            return ends if fresh else None

        events_due = await self._until(newer_events, "events published after the restore")
        deviations_due = await self._until(lambda: self.probe.ends(DEVIATIONS), "deviation ends")

        def recovered() -> bool | None:
            probe, group = self.probe, self.pipeline.rules_group
            checks: dict[str, Callable[[], bool]] = {
                "full ISR": lambda: probe.full_isr([EVENTS, DEVIATIONS, ALERT_STATE], NODES),
                "rules caught up": lambda: probe.caught_up(group, EVENTS, events_due),
                "alerts caught up": lambda: probe.caught_up(
                    self.pipeline.alerts_group, DEVIATIONS, deviations_due
                ),
                "ingest acks": lambda: self.load.stop.is_set() or self.load.last_ack_at > restored,
                "streams live": lambda: all(f.live_at > live_since for f in self.followers),
                "members": lambda: members is None or probe.members(group) == members,
            }
            self.pending = [name for name, check in checks.items() if not check()]
            return not self.pending or None

        await self._until(recovered, f"recovery from {record.name} {record.target}")
        record.recovery_s = round(time.monotonic() - restored, 1)
        return record

    async def _until(self, answer: Callable[[], T | None], what: str) -> T:
        """Poll ``answer`` (in a thread) until it is not None/False; fail after the plan's
        recovery timeout, naming ``what`` and the services that died."""
        deadline = time.monotonic() + self.plan.recovery_timeout_s
        self.pending = []
        while time.monotonic() < deadline:
            for name in self.pipeline.revive():
                print(f"{name} had exited (not killed by a fault): started again", flush=True)
            found = await asyncio.to_thread(answer)
            if found is not None and found is not False:
                return found
            await asyncio.sleep(0.5)
        raise AssertionError(
            f"timed out after {self.plan.recovery_timeout_s:.0f} s waiting for {what} "
            f"(not yet: {', '.join(self.pending) or '-'}); "
            f"services alive: {self.pipeline.services_alive()}"
        )
