"""A penalty case's lifecycle (立案 → 告知 → 听证 → 法制审核 → 集体讨论 → 决定 → 送达 → 公示).

Clean cases keep every deadline of REFERENCE section 4: decision within 90 days of filing (plus
suspensions and a 30-day extension), decision after the 5-day defence window, hearing at least
7 days after its notice, service within 7 days, publication within 5 weekdays (the catalog allows
7 working days), withdrawal of a changed decision's publication within 3 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from jiandu.departments import Department
from jiandu.events.vocabulary import (
    Change,
    Collection,
    Domain,
    Outcome,
    Procedure,
    ReviewResult,
    Right,
    ServiceMethod,
)
from jiandu.simulation.clock import add_workdays, later, workday
from jiandu.simulation.deviations import Sort
from jiandu.simulation.documents import decision_prefix, person_id
from jiandu.simulation.items import Range, amount
from jiandu.simulation.penalties import CasePlan
from jiandu.simulation.story import Draft, Json, Story

_SHOWN_BY: dict[Sort, tuple[str, ...]] = {
    Sort.LATE_DECISION: ("filing", "decision"),
    Sort.STATUTE_EXPIRED: ("filing", "decision"),
    Sort.MISSING_HEARING_RIGHT: ("notice", "decision"),
    Sort.DECIDED_IN_DEFENCE_WINDOW: ("notice", "decision"),
    Sort.FINE_ABOVE_PROPOSED: ("notice", "decision"),
    Sort.LATE_PUBLICATION: ("decision", "published"),
    Sort.FINE_ABOVE_MAX: ("decision",),
    Sort.WRONG_TIER: ("decision",),
    Sort.AGGRAVATED_WITHOUT_GROUNDS: ("decision",),
    Sort.FINE_BELOW_MIN_UNAPPROVED: ("decision",),
    Sort.MISSING_LEGAL_REVIEW: ("decision",),
    Sort.MISSING_COLLECTIVE_DISCUSSION: ("decision",),
    Sort.STAGE_ONE_AFTER_OVERDUE: ("decision",),
}
"""Which of a case's events show each deviation planted on the case itself."""


@dataclass(frozen=True)
class Decision:
    """What a finished case leaves behind for follow-ups (e.g. a daily penalty)."""

    case_id: str
    decision_no: str
    decided_on: date
    fine: int
    draft: Draft


def run_case(
    story: Story,
    plan: CasePlan,
    *,
    discovered: date,
    started: date,
    ended: date | None,
    filed: date | None = None,
) -> Decision:
    """Emit the case's events from filing to publication; ``plan.deviation`` breaks one step."""
    rng, department, sort = story.rng, story.department, plan.deviation
    filed = filed or add_workdays(discovered, rng.randint(1, 5))
    case_id = (
        f"{department.code}/{filed.year}/{story.world.serial(department.code, 'AJ', filed.year)}"
    )
    story.case_id = case_id
    filing = _emit(
        story, filed, "case_filed", _filing(plan, department, filed, discovered, started, ended)
    )
    notified = _notice_day(story, plan, filed)
    notice, ready = _notice(story, plan, notified)
    if sort is Sort.DECIDED_IN_DEFENCE_WINDOW:
        decided = next(
            d for d in (notified + timedelta(days=k) for k in (2, 3, 4)) if d.weekday() < 5
        )
        review_on = collective_on = decided
    else:
        review_on = later(ready, 0, 2, rng)
        collective_on = later(review_on, 0, 2, rng)
        decided = later(collective_on, 0, 3, rng)
    if plan.outcome is Outcome.PENALTY and sort is not Sort.MISSING_LEGAL_REVIEW:
        _review(story, plan, review_on)
    if plan.needs_collective and sort not in (
        Sort.MISSING_COLLECTIVE_DISCUSSION,
        Sort.FINE_BELOW_MIN_UNAPPROVED,
    ):
        _collective(story, plan, collective_on)
    number = story.world.serial(department.code, "JD", decided.year, width=0)
    decision_no = f"{decision_prefix(department)}〔{decided.year}〕{number}号"
    decision = _emit(
        story, decided, "penalty_decided", _decision(story, plan, decision_no, decided, started)
    )
    published = _serve_and_publish(story, plan, decision_no, decided)
    if sort in _SHOWN_BY:
        shown = {"filing": filing, "notice": notice, "decision": decision, "published": published}
        story.show(*(d for name in _SHOWN_BY[sort] if (d := shown[name]) is not None))
    if published and (plan.change or sort is Sort.PUBLICATION_NOT_WITHDRAWN):
        _change(story, plan, decision_no, published)
    return Decision(case_id, decision_no, decided, plan.fine, decision)


def _emit(story: Story, day: date, kind: str, payload: Json) -> Draft:
    return story.emit(story.time_on(day), kind, payload, case_id=story.case_id)


def _filing(
    plan: CasePlan,
    department: Department,
    filed: date,
    discovered: date,
    started: date,
    ended: date | None,
) -> Json:
    payload: Json = {
        "filed_on": filed,
        "item_code": plan.item.code,
        "violation_started_on": started,
        "continuing": ended is None,
        "discovered_on": discovered,
        "life_health_safety": department.domain is Domain.PRODUCTION_SAFETY,
        "harm_occurred": plan.item.code.startswith("SP-ACC-"),
        "procedure": plan.procedure.value,
    }
    if ended is not None:
        payload["violation_ended_on"] = ended
    return payload


def _notice_day(story: Story, plan: CasePlan, filed: date) -> date:
    """When the prior notice goes out, after any suspension or extension."""
    rng = story.rng
    if plan.deviation is Sort.LATE_DECISION:
        return later(filed, 88, 95, rng)
    if plan.extend:
        approved = later(filed, 75, 84, rng)
        _emit(story, approved, "deadline_extended", {"approved_on": approved, "days": 30})
        return later(filed, 85, 90, rng)
    paused = 0
    if plan.suspend:
        suspended = later(filed, 12, 25, rng)
        resumed = later(suspended, 10, 25, rng)
        payload: Json = {"suspended_on": suspended, "reason": "等待检测、鉴定结果"}
        _emit(story, suspended, "case_suspended", payload)
        _emit(story, resumed, "case_suspended", payload | {"resumed_on": resumed})
        paused = (resumed - suspended).days
    return later(filed + timedelta(days=paused), 12, 40, rng)


def _notice(story: Story, plan: CasePlan, notified: date) -> tuple[Draft, date]:
    """事先告知 (and a hearing if requested); returns the notice and when the case may go on."""
    rng, sort = story.rng, plan.deviation
    rights = [Right.STATEMENT.value, Right.DEFENCE.value]
    if plan.offers_hearing and sort is not Sort.MISSING_HEARING_RIGHT:
        rights.append(Right.HEARING.value)
    payload: Json = {"notified_on": notified, "rights": rights}
    if plan.outcome is Outcome.PENALTY:
        proposed = plan.fine
        if sort is Sort.FINE_ABOVE_PROPOSED:
            proposed = amount(Range(plan.fine * 6 // 10, plan.fine * 85 // 100), rng)
        payload["proposed_fine_yuan"] = proposed
        payload["proposed_sanctions"] = [s.value for s in plan.sanctions]
    notice = _emit(story, notified, "hearing_notified", payload)
    ready = notified + timedelta(days=6)
    requested_hearing = plan.hearing_requested and sort is not Sort.DECIDED_IN_DEFENCE_WINDOW
    if Right.HEARING.value in rights and (requested_hearing or sort is Sort.HEARING_TOO_SOON):
        requested = notified + timedelta(days=rng.randint(1, 5))
        hearing_notice = requested + timedelta(days=rng.randint(1, 3))
        gap = (2, 4) if sort is Sort.HEARING_TOO_SOON else (7, 12)
        held = workday(hearing_notice + timedelta(days=rng.randint(*gap)))
        if sort is Sort.HEARING_TOO_SOON and (held - hearing_notice).days >= 7:
            held = hearing_notice + timedelta(days=gap[0])
        hearing = payload | {
            "hearing_requested_on": requested,
            "hearing_notice_on": hearing_notice,
            "hearing_held_on": held,
        }
        copy = _emit(story, held, "hearing_notified", hearing)
        if sort is Sort.HEARING_TOO_SOON:
            story.show(copy)
        ready = max(ready, held + timedelta(days=1))
    return notice, ready


def _review(story: Story, plan: CasePlan, day: date) -> None:
    reviewer = f"FZSH-{story.department.code}-{story.rng.randint(1, 3):02d}"
    payload: Json = {
        "reviewed_on": day,
        "reviewer_id": reviewer,
        "reviewer_legal_qualification": True,
        "result": ReviewResult.APPROVED.value,
    }
    _emit(story, day, "legal_review", payload)


def _collective(story: Story, plan: CasePlan, day: date) -> None:
    number = story.world.serial(story.department.code, "JT", day.year, width=0)
    payload: Json = {
        "held_on": day,
        "participants": story.rng.randint(5, 9),
        "minutes_ref": f"集体讨论记录〔{day.year}〕{number}号",
        "decided_tier": plan.claimed_tier.value,
    }
    _emit(story, day, "collective_discussion", payload)


def _decision(story: Story, plan: CasePlan, decision_no: str, decided: date, started: date) -> Json:
    payload: Json = {
        "decision_no": decision_no,
        "decided_on": decided,
        "item_code": plan.item.code,
        "violation_on": started,
        "stage": plan.stage.value,
        "outcome": plan.outcome.value,
        "claimed_tier": plan.claimed_tier.value,
        "fine_yuan": plan.fine,
        "quantifiers": plan.quantifiers,
        "circumstances": [c.value for c in plan.circumstances],
        "sanctions": [s.value for s in plan.sanctions],
        "procedure": plan.procedure.value,
        "collection": _collection(story.rng, plan),
        "mitigation_approved": plan.mitigation_approved,
    }
    party_id = str(story.party["id"])
    payload["person_fines"] = [
        f | {"person_id": person_id(party_id, f["role"])} for f in plan.person_fines
    ]
    if plan.basis_amount is not None:
        payload["basis_amount_yuan"] = plan.basis_amount
    if plan.no_penalty_list_item:
        payload["no_penalty_list_item"] = plan.no_penalty_list_item
        payload["no_penalty_reason"] = (
            "初次违法、危害后果轻微并及时改正(行政处罚法第三十三条第一款)"
        )
    return payload


def _collection(rng: Random, plan: CasePlan) -> str:
    if plan.outcome is not Outcome.PENALTY:
        return Collection.BANK.value
    return rng.choice((Collection.BANK, Collection.ELECTRONIC)).value


def _serve_and_publish(
    story: Story, plan: CasePlan, decision_no: str, decided: date
) -> Draft | None:
    """送达 within 7 days; 公示 of penalties within 5 working days (or late, when planted)."""
    rng = story.rng
    direct = rng.random() < 0.6
    served = decided if direct else later(decided, 1, 3, rng)
    method = (
        ServiceMethod.DIRECT
        if direct
        else rng.choice((ServiceMethod.MAIL, ServiceMethod.ELECTRONIC))
    )
    payload: Json = {"decision_no": decision_no, "served_on": served, "method": method.value}
    _emit(story, served, "decision_served", payload)
    if plan.outcome is not Outcome.PENALTY or plan.procedure is Procedure.SIMPLIFIED:
        return None
    # Late: 15-20 weekdays, so that even across a week of public holidays it is later than the
    # catalog's 7 working days (catalog/thresholds.yaml publication_working_days).
    delay = (15, 20) if plan.deviation is Sort.LATE_PUBLICATION else (1, 5)
    published = max(served, add_workdays(decided, rng.randint(*delay)))
    return _emit(
        story,
        published,
        "decision_published",
        {"decision_no": decision_no, "published_on": published},
    )


def _change(story: Story, plan: CasePlan, decision_no: str, published: Draft) -> None:
    """行政复议 changes or revokes the decision; the publication is withdrawn within 3 days."""
    rng = story.rng
    changed = later(published.at.date(), 30, 60, rng)
    change = Change.REVOKED if plan.deviation is Sort.PUBLICATION_NOT_WITHDRAWN else plan.change
    payload: Json = {
        "decision_no": decision_no,
        "changed_on": changed,
        "change": (change or Change.CHANGED).value,
    }
    if change is Change.CHANGED:
        payload["new_fine_yuan"] = amount(Range(plan.fine // 2, plan.fine * 8 // 10), rng)
        payload["reason"] = "行政复议决定变更罚款数额"
    else:
        payload["reason"] = "行政复议决定撤销原行政处罚决定"
    if plan.deviation is not Sort.PUBLICATION_NOT_WITHDRAWN:
        payload["publication_withdrawn_on"] = changed + timedelta(days=rng.randint(0, 2))
    draft = _emit(story, changed, "decision_changed", payload)
    if plan.deviation is Sort.PUBLICATION_NOT_WITHDRAWN:
        story.show(published, draft)
