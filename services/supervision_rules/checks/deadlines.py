"""Deadline checks: case decision period (C14) and publication / withdrawal (C19).

Each is judged when the awaited event arrives (``evaluate``) and on a clock tick when it has not
come (``due``); both use the same subject, so the engine raises a finding once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from jiandu.deviations import Deviation, Severity
from jiandu.events import EnforcementEvent
from jiandu.events.vocabulary import Outcome, Procedure
from services.supervision_rules.catalog import CalendarGap
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.engine.state import CaseState, PartyState


def at_day(day: date, case: CaseState) -> datetime:
    """Midnight of ``day`` in the case's time zone (when a ``due`` finding is detected)."""
    return datetime.combine(day, time.min, tzinfo=case.origin.occurred_at.tzinfo)


def net_days(case: CaseState, until: date) -> int:
    """Days from filing to ``until`` less the suspended days (中止) before ``until``."""
    assert case.filed is not None
    suspended = 0
    for s in case.suspensions:
        end = min(s.resumed_on or until, until)
        suspended += max(0, (end - s.suspended_on).days)
    return (until - case.filed.filed_on).days - suspended


class DecisionOverdue(Check):
    """C14: decision more than 90 days (plus approved extensions) after filing, net of
    suspensions; a low-severity warning from day 75 (shifted by the extensions) while open."""

    id = "C14"
    kinds = frozenset({"penalty_decided"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        case = state.cases.get(event.case_id or "")
        if case is None or case.filed is None or case.decision is None:
            return []
        return self._judge(case, case.decision.decided_on, ctx, open_case=False)

    def due(self, state: PartyState, as_of: date, ctx: Context) -> list[Deviation]:
        found = []
        for case in state.cases.values():
            if case.filed is not None and case.decision is None:
                found += self._judge(case, as_of, ctx, open_case=True)
        return found

    def _judge(
        self, case: CaseState, until: date, ctx: Context, open_case: bool
    ) -> list[Deviation]:
        limits = ctx.catalog.limits
        allowed = limits.decision_days.as_int() + sum(x.days for x in case.extensions)
        warn = allowed - limits.decision_days.as_int() + limits.decision_warn_days.as_int()
        elapsed = net_days(case, until)
        if elapsed > allowed:
            severity, tag = None, "overdue"
        elif open_case and elapsed >= warn:
            severity, tag = Severity.LOW, "warn"
        else:
            return []
        explanation = self.explain(
            f"立案后{elapsed}日（扣除中止）{'仍未' if open_case else '才'}作出决定，"
            f"期限{allowed}日",
            f"{elapsed} net days since filing {'without' if open_case else 'before'} a decision; "
            f"limit {allowed}",
            facts=facts(case_id=case.case_id, elapsed_days=elapsed, allowed_days=allowed, tag=tag),
        )
        return [
            self.deviation(
                case.origin, [case.case_id, tag], explanation,
                severity=severity, detected_at=at_day(until, case) if open_case else None,
            )
        ]  # fmt: skip


class PublicationOverdue(Check):
    """C19: a penalty decision (ordinary procedure) not published within the working-day limit;
    a changed or revoked decision's publication not withdrawn within the withdrawal limit."""

    id = "C19"
    kinds = frozenset({"decision_published", "decision_changed"})

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        case = state.cases.get(event.case_id or "")
        if case is None:
            return []
        if event.kind == "decision_published" and case.published is not None:
            return self._publication(case, case.published.published_on, ctx, open_case=False)
        return self._withdrawals(case, None, ctx)

    def due(self, state: PartyState, as_of: date, ctx: Context) -> list[Deviation]:
        found = []
        for case in state.cases.values():
            if case.published is None:
                found += self._publication(case, as_of, ctx, open_case=True)
            found += self._withdrawals(case, as_of, ctx)
        return found

    def _publication(
        self, case: CaseState, until: date, ctx: Context, open_case: bool
    ) -> list[Deviation]:
        d = case.decision
        if d is None or d.outcome is not Outcome.PENALTY or d.procedure is Procedure.SIMPLIFIED:
            return []
        days = ctx.catalog.limits.publication_working_days.as_int()
        try:
            deadline = ctx.catalog.add_working_days(d.decided_on, days)
        except CalendarGap:
            return []
        if until <= deadline:
            return []
        explanation = self.explain(
            f"决定{d.decided_on}作出，应于{deadline}前公示，"
            f"{'至今未' if open_case else '迟至'}{until}",
            f"Decided {d.decided_on}, due for publication by {deadline}; "
            f"{'not published by' if open_case else 'published'} {until}",
            item_code=d.item_code,
            facts=facts(decision_no=d.decision_no, deadline=deadline, working_days=days),
        )
        when = at_day(until, case) if open_case else None
        subject = [case.case_id, "publication"]
        return [self.deviation(case.origin, subject, explanation, detected_at=when)]

    def _withdrawals(self, case: CaseState, as_of: date | None, ctx: Context) -> list[Deviation]:
        if case.published is None:
            return []
        limit = timedelta(days=ctx.catalog.limits.withdrawal_days.as_int())
        found = []
        for changed_on in sorted({c.changed_on for c in case.changes}):
            copies = [c for c in case.changes if c.changed_on == changed_on]
            withdrawn = min(
                (c.publication_withdrawn_on for c in copies if c.publication_withdrawn_on),
                default=None,
            )
            until = withdrawn or as_of
            if until is None or until - changed_on <= limit:
                continue
            explanation = self.explain(
                f"决定于{changed_on}变更或撤销，公示未在{limit.days}日内撤回",
                f"Decision changed on {changed_on}; publication not withdrawn "
                f"within {limit.days} days",
                facts=facts(changed_on=changed_on, withdrawn_on=withdrawn),
            )
            when = at_day(as_of, case) if withdrawn is None and as_of else None
            subject = [case.case_id, "withdrawal", changed_on.isoformat()]
            found.append(self.deviation(case.origin, subject, explanation, detected_at=when))
        return found
