"""Coercive-measure limits (C24, 行政强制法 Arts. 18, 19, 25)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from jiandu.deviations import Deviation
from jiandu.events import (
    CoerciveMeasureEndedEvent,
    CoerciveMeasureStartedEvent,
    EnforcementEvent,
)
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.engine.state import MeasureState, PartyState


class CoerciveMeasureLimits(Check):
    """C24: no prior approval and no emergency report within 24 h; a stated period over 30 days;
    more or longer extensions than allowed; a measure lasting longer than 30 days plus its
    extensions (testing days excluded). Open measures are judged by ``due`` (extensions are
    only known from the end event, so an open measure past 30 days is reported)."""

    id = "C24"
    kinds = frozenset({"coercive_measure_started", "coercive_measure_ended"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        if isinstance(event, CoerciveMeasureStartedEvent):
            started = state.measures[event.payload.measure_id]
            return self._finding(started, "approval", self._start_problems(started, ctx), None)
        if isinstance(event, CoerciveMeasureEndedEvent):
            m = state.measures.get(event.payload.measure_id)
            if m is not None and m.ended is not None:
                return self._finding(m, "duration", self._end_problems(m, ctx), None)
        return []

    def due(self, state: PartyState, as_of: date, ctx: Context) -> list[Deviation]:
        base = ctx.catalog.limits.coercive_measure_days.as_int()
        found = []
        for m in state.measures.values():
            days = (as_of - m.started.started_at.date()).days
            if m.ended is None and days > base:
                tz = m.started.started_at.tzinfo
                when = datetime.combine(as_of, time.min, tzinfo=tz)
                problems = [f"open {days} days (limit {base}) with no extension known"]
                found += self._finding(m, "duration", problems, when)
        return found

    @staticmethod
    def _start_problems(m: MeasureState, ctx: Context) -> list[str]:
        s, limits, found = m.started, ctx.catalog.limits, []
        report_by = s.started_at + timedelta(hours=limits.emergency_report_hours.as_int())
        approved = s.approved_at is not None and s.approved_at <= s.started_at
        reported = s.emergency and s.reported_at is not None and s.reported_at <= report_by
        if not approved and not reported:
            found.append("no prior approval and no emergency report in time")
        if s.duration_days > limits.coercive_measure_days.as_int():
            found.append(f"stated period {s.duration_days} days")
        return found

    @staticmethod
    def _end_problems(m: MeasureState, ctx: Context) -> list[str]:
        assert m.ended is not None
        limits, ext = ctx.catalog.limits, m.ended.extensions
        found = []
        if len(ext) > limits.coercive_max_extensions.as_int():
            found.append(f"{len(ext)} extensions")
        if any(x.days > limits.coercive_extension_days.as_int() for x in ext):
            found.append("an extension longer than allowed")
        granted = sum(x.days for x in ext[: limits.coercive_max_extensions.as_int()])
        allowed = limits.coercive_measure_days.as_int() + min(
            granted, limits.coercive_extension_days.as_int()
        )
        lasted = m.ended.ended_at - m.started.started_at - timedelta(days=m.ended.testing_days)
        if lasted > timedelta(days=allowed):
            found.append(f"lasted {lasted.days} days net of testing (limit {allowed})")
        return found

    def _finding(
        self, m: MeasureState, tag: str, problems: list[str], when: datetime | None
    ) -> list[Deviation]:
        if not problems:
            return []
        explanation = self.explain(
            "行政强制措施违反期限或审批规定：" + "；".join(problems),
            "Coercive measure outside its limits: " + "; ".join(problems),
            facts=facts(measure_id=m.started.measure_id, measure=m.started.measure),
        )
        subject = [m.started.measure_id, tag]
        return [self.deviation(m.origin, subject, explanation, detected_at=when)]
