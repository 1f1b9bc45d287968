"""Procedure checks on a penalty decision: hearing notice (C15), hearing timing (C16), legal
review (C17), collective discussion (C18), limitation period (C20), co-sanctions (C26)."""

from __future__ import annotations

from datetime import date, timedelta

from jiandu.deviations import Channel, Deviation
from jiandu.events import EnforcementEvent, PenaltyDecided
from jiandu.events.vocabulary import PersonRole, Procedure, Right, Stage, Tier
from services.supervision_rules.catalog import ThresholdKind
from services.supervision_rules.catalog.legal import Requirement
from services.supervision_rules.checks.base import Check, Context, facts
from services.supervision_rules.checks.common import (
    DAILY_PENALTY_DAYS,
    case_for,
    penalty,
    statutory,
)
from services.supervision_rules.checks.versions import resolve_item
from services.supervision_rules.engine.state import CaseState, Origin, PartyState

DECIDED = frozenset({"penalty_decided"})


def reaches(kind: ThresholdKind, d: PenaltyDecided, event: EnforcementEvent, ctx: Context) -> bool:
    """Whether the fine (or a large confiscation) reaches the 较大数额 threshold of ``kind``."""
    try:
        amount = ctx.catalog.threshold(
            kind, event.domain, event.party.type, d.decided_on, jurisdiction=event.region
        )
    except LookupError:
        return False
    confiscation = ctx.catalog.thresholds.confiscation_uses_fine_threshold
    return amount.reached(d.fine_yuan) or (confiscation and amount.reached(d.confiscation_yuan))


def heavy_sanction(d: PenaltyDecided, ctx: Context) -> bool:
    """Whether a sanction needs a hearing whatever the amount (停产停业、吊销…)."""
    return bool(set(d.sanctions) & ctx.catalog.hearing_sanctions)


class _DecisionCheck(Check):
    """A check that judges a penalty decision against its case's earlier records."""

    kinds = DECIDED

    def evaluate(self, state: PartyState, event: EnforcementEvent, ctx: Context) -> list[Deviation]:
        d = penalty(event)
        case = case_for(state, event)
        if d is None or case is None:
            return []
        problems = self.problems(d, case, event, ctx) + self.history_problems(d, state, ctx)
        if not problems:
            return []
        explanation = self.explain(
            f"{self.spec.title_zh}：" + "；".join(problems),
            f"{self.spec.title_en}: " + "; ".join(problems),
            item_code=d.item_code,
            catalog_version=ctx.catalog.version,
            fine_yuan=d.fine_yuan,
            facts=facts(decision_no=d.decision_no, decided_on=d.decided_on, case_id=case.case_id),
        )
        extra = [Channel.H_FY] if d.under_review else []
        return [self.deviation(Origin.of(event), [event.event_id], explanation, extra=extra)]

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        """What is wrong with the decision; empty when nothing."""
        raise NotImplementedError

    def history_problems(self, d: PenaltyDecided, state: PartyState, ctx: Context) -> list[str]:
        """What the party's other records show is wrong with the decision."""
        return []


class MissingHearingNotice(_DecisionCheck):
    """C15: a 较大数额 fine or a heavy sanction without a hearing-rights notice before it."""

    id = "C15"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        needed = reaches(ThresholdKind.HEARING_NOTICE, d, event, ctx) or heavy_sanction(d, ctx)
        h = case.hearing
        offered = h is not None and Right.HEARING in h.rights and h.notified_on <= d.decided_on
        return ["no hearing-rights notice (APL Art. 63)"] if needed and not offered else []


class HearingTiming(_DecisionCheck):
    """C16: decision inside the hearing-request window, hearing notice under the minimum days,
    hearing chaired by an investigator, final fine above the proposed one without new facts."""

    id = "C16"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        h, limits, found = case.hearing, ctx.catalog.limits, []
        if h is None:
            return []
        request_days = limits.hearing_request_days.as_int()
        window_open = d.decided_on <= h.notified_on + timedelta(days=request_days)
        if Right.HEARING in h.rights and h.hearing_requested_on is None and window_open:
            found.append(f"decided within the {request_days}-day request window")
        notice_days = limits.hearing_notice_days.as_int()
        short = timedelta(days=notice_days)
        if (
            h.hearing_notice_on
            and h.hearing_held_on
            and (h.hearing_held_on - h.hearing_notice_on < short)
        ):
            found.append(f"hearing notified less than {notice_days} days ahead")
        if h.chaired_by_investigator:
            found.append("hearing chaired by an investigator")
        proposed = h.proposed_fine_yuan
        if proposed is not None and d.fine_yuan > proposed and not d.new_facts_after_hearing:
            found.append(f"fine {d.fine_yuan} above the proposed {proposed} (APL Art. 45)")
        return found


class MissingLegalReview(_DecisionCheck):
    """C17: review required (after a hearing, threshold, heavy sanction, complex or major public
    interest case) but none before the decision; a first-time reviewer without 法律职业资格."""

    id = "C17"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        heard = case.hearing is not None and case.hearing.hearing_held_on is not None
        needed = (
            heard
            or reaches(ThresholdKind.LEGAL_REVIEW, d, event, ctx)
            or heavy_sanction(d, ctx)
            or d.complex_case
            or d.major_public_interest
        )
        before = [r for r in case.reviews if r.reviewed_on <= d.decided_on]
        found = ["no legal review before the decision"] if needed and not before else []
        if any(r.reviewer_first_time and not r.reviewer_legal_qualification for r in before):
            found.append("first-time reviewer without 法律职业资格")
        return found


class MissingCollectiveDiscussion(_DecisionCheck):
    """C18: discussion required (complex case, threshold, 减轻) but none before the decision.
    (从重 departures are a local-rule option and are not required here.)"""

    id = "C18"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        needed = (
            d.complex_case
            or d.claimed_tier is Tier.MITIGATED
            or reaches(ThresholdKind.COLLECTIVE_DISCUSSION, d, event, ctx)
        )
        held = any(x.held_on <= d.decided_on for x in case.discussions)
        return ["no collective discussion before the decision"] if needed and not held else []


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class LimitationExpired(_DecisionCheck):
    """C20: discovery more than 2 years (5 with life/health safety and harm) after the
    violation ended, and a penalty imposed. Continuing violations never expire."""

    id = "C20"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        f = case.filed
        if f is None or f.continuing or f.violation_ended_on is None:
            return []
        limits = ctx.catalog.limits
        long = f.life_health_safety and f.harm_occurred
        years = (limits.limitation_years_life_health if long else limits.limitation_years).as_int()
        if f.discovered_on <= add_years(f.violation_ended_on, years):
            return []
        return [
            f"discovered {f.discovered_on}, violation ended {f.violation_ended_on} (> {years} y)"
        ]


class CoSanctionsMissing(_DecisionCheck):
    """C26: a mandatory co-sanction, a one-of group or a mandatory person fine of the item's
    stage missing; or a first-finding stage applied although a re-inspection found the order
    not complied with (逾期未改正) and the item has that stage."""

    id = "C26"

    def problems(
        self, d: PenaltyDecided, case: CaseState, event: EnforcementEvent, ctx: Context
    ) -> list[str]:
        s = statutory(ctx.catalog, d, event.party.type)
        if s is None or d.stage not in s.item.stages or d.procedure is Procedure.SIMPLIFIED:
            return []
        stage, given = s.item.stage(d.stage), set(d.sanctions)
        found = [
            f"{t.zh} ({t.sanction.value}) missing"
            for t in stage.sanctions
            if t.requirement is Requirement.MANDATORY and t.sanction not in given
        ]
        group = [t for t in stage.sanctions if t.requirement is Requirement.ONE_OF]
        if group and not given & {t.sanction for t in group}:
            found.append("none of " + "/".join(t.zh for t in group))
        roles = {p.role for p in d.person_fines}
        if PersonRole.PRINCIPAL in roles:  # a principal fined as 直接负责的主管人员 counts
            roles.add(PersonRole.RESPONSIBLE)
        for pf in stage.person_fines:
            if pf.requirement is Requirement.MANDATORY and not roles & set(pf.roles):
                found.append("fine on the responsible person missing")
        return found

    def history_problems(self, d: PenaltyDecided, state: PartyState, ctx: Context) -> list[str]:
        """Only failed re-inspections since the party's previous decision on the same item count
        (an older one was that decision's business); a 按日连续处罚 is C07's, not this check's."""
        if d.stage is not Stage.FIRST_FINDING or DAILY_PENALTY_DAYS in d.quantifiers:
            return []
        r = resolve_item(ctx.catalog, d.item_code, d.violation_on, d.decided_on, d.stage)
        if r is None or Stage.OVERDUE_UNCORRECTED not in r.item.stages:
            return []
        since = max(
            (
                p.decided_on
                for p in state.penalties
                if p.item_code == d.item_code and p.decided_on < d.decided_on
            ),
            default=None,
        )
        overdue = [
            o.order.order_id
            for o in state.orders.values()
            if o.order.item_code == d.item_code
            and any(
                not x.corrected
                and x.reinspected_on <= d.decided_on
                and (since is None or x.reinspected_on > since)
                for x in o.reinspections
            )
        ]
        return [f"order {overdue[0]} not complied with, yet first-finding stage"] if overdue else []
