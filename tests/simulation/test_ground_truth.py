"""The planted deviations are the only ones: naive re-implementations of the checks (REFERENCE
section 6) flag exactly the planted events, and every planted deviation is flagged.

These detectors are deliberately simple and use the simulation's own thresholds; they guard the
ground truth, they are not the rule engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from jiandu.events import EnforcementEvent
from jiandu.events.vocabulary import (
    Circumstance,
    Collection,
    InspectionMode,
    Outcome,
    PartyType,
    Procedure,
    Right,
    Stage,
    Tier,
)
from jiandu.simulation import Simulation, Sort
from jiandu.simulation.clock import add_workdays
from jiandu.simulation.generator import EVENTS_PER_DAY
from jiandu.simulation.items import ITEMS, Range, tier_of
from jiandu.simulation.penalties import HEAVY_SANCTIONS, LARGE_FINE

Key = tuple[str, str]
Detector = Callable[[list[Any]], Iterator[Any]]

C = Circumstance
AGGRAVATING = {
    C.REPEAT, C.REFUSED_CORRECTION, C.SERIOUS_CONSEQUENCE, C.HEAVY_POLLUTION_WARNING,
    C.OBSTRUCTION, C.SERIOUSLY_DISHONEST, C.PUBLIC_IMPACT, C.TOXIC_POLLUTANT, C.SENSITIVE_AREA,
}  # fmt: skip
COUNTED_TRIGGERS = {"plan", "random"}


def _of(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.kind == kind]


def _cases(events: list[Any]) -> dict[tuple[str, str], list[Any]]:
    cases: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for event in events:
        if event.case_id:
            cases[(event.source, event.case_id)].append(event)
    return cases


def _ordinary_penalties(events: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    for steps in _cases(events).values():
        for decision in _of(steps, "penalty_decided"):
            p = decision.payload
            if p.outcome is Outcome.PENALTY and p.procedure is Procedure.ORDINARY:
                yield decision, steps


def _span(decision: Any) -> Range | None:
    p = decision.payload
    item = ITEMS.get(p.item_code)
    if item is None or "daily_penalty_days" in p.quantifiers:
        return None
    if p.stage is Stage.OVERDUE_UNCORRECTED and item.overdue:
        return item.overdue
    return item.span(decision.party.type)


def _large(decision: Any) -> bool:
    floor = LARGE_FINE[decision.domain] if decision.party.type is PartyType.ORGANISATION else 5_000
    p = decision.payload
    return p.fine_yuan >= floor or bool(HEAVY_SANCTIONS.intersection(p.sanctions))


def c01_outside_statutory_range(events: list[Any]) -> Iterator[Any]:
    for decision in _of(events, "penalty_decided"):
        p, span = decision.payload, _span(decision)
        if not span or p.outcome is not Outcome.PENALTY:
            continue
        if p.fine_yuan > span.high or (p.fine_yuan < span.low and not p.mitigation_approved):
            yield decision


def c02_tier_and_band_disagree(events: list[Any]) -> Iterator[Any]:
    for decision in _of(events, "penalty_decided"):
        p, span = decision.payload, _span(decision)
        if not span or p.claimed_tier not in (Tier.LENIENT, Tier.ORDINARY, Tier.AGGRAVATED):
            continue
        if span.low <= p.fine_yuan <= span.high and tier_of(span, p.fine_yuan) != p.claimed_tier:
            yield decision


def c03_tier_without_grounds(events: list[Any]) -> Iterator[Any]:
    for decision in _of(events, "penalty_decided"):
        p = decision.payload
        aggravating = AGGRAVATING.intersection(p.circumstances)
        mitigating = set(p.circumstances) - AGGRAVATING
        if (
            (p.claimed_tier is Tier.AGGRAVATED and not aggravating)
            or (p.claimed_tier is Tier.LENIENT and not mitigating)
            or (p.claimed_tier is Tier.MITIGATED and not p.mitigation_approved)
        ):
            yield decision


def c07_continuing_without_penalty(events: list[Any]) -> Iterator[Any]:
    orders = {e.payload.order_id: e.payload.item_code for e in _of(events, "correction_ordered")}
    for seen in _of(events, "reinspection"):
        if seen.payload.violation_continuing and not _later_penalty(
            events, seen, orders[seen.payload.order_id]
        ):
            yield seen


def c08_officers(events: list[Any]) -> Iterator[Any]:
    for event in events:
        certified = sum(o.role.value == "officer" for o in event.officers)
        if event.kind in ("inspection", "coercive_measure_started") and certified < 2:
            yield event


def c09_no_approval(events: list[Any]) -> Iterator[Any]:
    for event in _site_visits(events, include_accidents=True):
        if event.payload.approval is None:
            yield event


def c10_too_many(events: list[Any]) -> Iterator[Any]:
    counted: dict[tuple[str, str, int], list[Any]] = defaultdict(list)
    for event in _site_visits(events, include_accidents=True):
        if event.payload.trigger.value in COUNTED_TRIGGERS:
            counted[(event.source, event.party.id, event.occurred_at.year)].append(event)
    for visits in counted.values():
        if len(visits) > 6:
            yield from visits


def c11_uncoordinated(events: list[Any]) -> Iterator[Any]:
    visits = list(_site_visits(events, include_accidents=False))
    for i, a in enumerate(visits):
        for b in visits[i + 1 :]:
            near = abs((b.occurred_at.date() - a.occurred_at.date()).days) <= 30
            if a.party.id == b.party.id and near and not _agencies(a) & _agencies(b):
                yield from (a, b)


def c14_late_decision(events: list[Any]) -> Iterator[Any]:
    for steps in _cases(events).values():
        filed = _of(steps, "case_filed")[0].payload.filed_on
        decided = _of(steps, "penalty_decided")[0].payload.decided_on
        paused = sum(
            (s.payload.resumed_on - s.payload.suspended_on).days
            for s in _of(steps, "case_suspended")
            if s.payload.resumed_on
        )
        extended = sum(s.payload.days for s in _of(steps, "deadline_extended"))
        if (decided - filed).days - paused > 90 + extended:
            yield _of(steps, "penalty_decided")[0]


def c15_no_hearing_right(events: list[Any]) -> Iterator[Any]:
    for decision, steps in _ordinary_penalties(events):
        offered = any(Right.HEARING in n.payload.rights for n in _of(steps, "hearing_notified"))
        if _large(decision) and not offered:
            yield decision


def c16_hearing_timing(events: list[Any]) -> Iterator[Any]:
    for decision, steps in _ordinary_penalties(events):
        notices = _of(steps, "hearing_notified")
        first, last = notices[0].payload, notices[-1].payload
        if (
            Right.HEARING in first.rights
            and (decision.payload.decided_on - first.notified_on).days <= 5
        ):
            yield decision
        if last.hearing_held_on and (last.hearing_held_on - last.hearing_notice_on).days < 7:
            yield notices[-1]
        if decision.payload.fine_yuan > (first.proposed_fine_yuan or 0):
            yield decision


def c17_no_legal_review(events: list[Any]) -> Iterator[Any]:
    yield from _missing_before_decision(events, "legal_review", "reviewed_on")


def c18_no_collective_discussion(events: list[Any]) -> Iterator[Any]:
    yield from _missing_before_decision(events, "collective_discussion", "held_on")


def c19_publication(events: list[Any]) -> Iterator[Any]:
    decided = {e.payload.decision_no: e.payload.decided_on for e in _of(events, "penalty_decided")}
    for event in _of(events, "decision_published"):
        if event.payload.published_on > add_workdays(decided[event.payload.decision_no], 7):
            yield event
    for event in _of(events, "decision_changed"):
        withdrawn = event.payload.publication_withdrawn_on
        if withdrawn is None or (withdrawn - event.payload.changed_on).days > 3:
            yield event


def c20_statute_of_limitations(events: list[Any]) -> Iterator[Any]:
    for event in _of(events, "case_filed"):
        p = event.payload
        if p.violation_ended_on and (p.discovered_on - p.violation_ended_on).days > 730:
            yield event


def c24_coercive_limits(events: list[Any]) -> Iterator[Any]:
    started = {e.payload.measure_id: e for e in _of(events, "coercive_measure_started")}
    for ended in _of(events, "coercive_measure_ended"):
        start = started[ended.payload.measure_id]
        allowed = 30 + sum(x.days for x in ended.payload.extensions)
        if (ended.payload.ended_at - start.payload.started_at).days > allowed:
            yield ended
    for start in started.values():
        p = start.payload
        reported_in_time = p.reported_at and p.reported_at - p.started_at <= timedelta(hours=24)
        if p.approved_at is None and not reported_in_time:
            yield start


def c25_simplified(events: list[Any]) -> Iterator[Any]:
    for decision in _of(events, "penalty_decided"):
        p = decision.payload
        limit = 3_000 if decision.party.type is PartyType.ORGANISATION else 200
        if p.procedure is Procedure.SIMPLIFIED and p.fine_yuan > limit:
            yield decision
        if (
            p.collection is Collection.ON_THE_SPOT
            and p.fine_yuan > 100
            and not p.on_the_spot_reason
        ):
            yield decision


def c26_first_stage_after_overdue(events: list[Any]) -> Iterator[Any]:
    orders = {e.payload.order_id: e.payload.item_code for e in _of(events, "correction_ordered")}
    for seen in _of(events, "reinspection"):
        item = ITEMS[orders[seen.payload.order_id]]
        follow_up = _later_penalty(events, seen, item.code)
        overdue = not seen.payload.corrected and item.overdue
        if overdue and follow_up and follow_up.payload.stage is Stage.FIRST_FINDING:
            yield follow_up


def c27_accident_without_penalty(events: list[Any]) -> Iterator[Any]:
    fined = {
        e.party.id for e in _of(events, "penalty_decided") if e.payload.item_code == "SP-ACC-001"
    }
    for event in _of(events, "accident_reported"):
        if event.payload.report_approved_on and event.party.id not in fined:
            yield event


def _site_visits(events: list[Any], *, include_accidents: bool) -> Iterator[Any]:
    for event in _of(events, "inspection"):
        p = event.payload
        if p.mode is InspectionMode.SITE and (include_accidents or p.trigger.value != "accident"):
            yield event


def _agencies(visit: Any) -> set[str]:
    return {visit.source, *visit.payload.participating_departments}


def _later_penalty(events: list[Any], seen: Any, item_code: str) -> Any:
    for decision in _of(events, "penalty_decided"):
        p = decision.payload
        same = decision.party.id == seen.party.id and p.item_code == item_code
        if same and p.decided_on >= seen.payload.reinspected_on:
            return decision
    return None


def _missing_before_decision(events: list[Any], kind: str, field: str) -> Iterator[Any]:
    for decision, steps in _ordinary_penalties(events):
        p = decision.payload
        required = _large(decision) or (
            kind == "collective_discussion" and p.claimed_tier in (Tier.AGGRAVATED, Tier.MITIGATED)
        )
        done = [getattr(s.payload, field) for s in _of(steps, kind)]
        if required and not any(day <= p.decided_on for day in done):
            yield decision


DETECTORS: dict[str, tuple[Detector, set[Sort]]] = {
    "C01": (c01_outside_statutory_range, {Sort.FINE_ABOVE_MAX, Sort.FINE_BELOW_MIN_UNAPPROVED}),
    "C02": (c02_tier_and_band_disagree, {Sort.WRONG_TIER}),
    "C03": (
        c03_tier_without_grounds,
        {Sort.AGGRAVATED_WITHOUT_GROUNDS, Sort.FINE_BELOW_MIN_UNAPPROVED},
    ),
    "C07": (c07_continuing_without_penalty, {Sort.DAILY_PENALTY_MISSING}),
    "C08": (c08_officers, {Sort.SINGLE_OFFICER, Sort.AUXILIARY_AS_INSPECTOR}),
    "C09": (c09_no_approval, {Sort.INSPECTION_WITHOUT_APPROVAL}),
    "C10": (c10_too_many, {Sort.TOO_MANY_INSPECTIONS}),
    "C11": (c11_uncoordinated, {Sort.UNCOORDINATED_INSPECTIONS}),
    "C14": (c14_late_decision, {Sort.LATE_DECISION}),
    "C15": (c15_no_hearing_right, {Sort.MISSING_HEARING_RIGHT}),
    "C16": (
        c16_hearing_timing,
        {Sort.DECIDED_IN_DEFENCE_WINDOW, Sort.HEARING_TOO_SOON, Sort.FINE_ABOVE_PROPOSED},
    ),
    "C17": (c17_no_legal_review, {Sort.MISSING_LEGAL_REVIEW}),
    "C18": (
        c18_no_collective_discussion,
        {Sort.MISSING_COLLECTIVE_DISCUSSION, Sort.FINE_BELOW_MIN_UNAPPROVED},
    ),
    "C19": (c19_publication, {Sort.LATE_PUBLICATION, Sort.PUBLICATION_NOT_WITHDRAWN}),
    "C20": (c20_statute_of_limitations, {Sort.STATUTE_EXPIRED}),
    "C24": (c24_coercive_limits, {Sort.COERCIVE_MEASURE_TOO_LONG, Sort.COERCIVE_WITHOUT_APPROVAL}),
    "C25": (c25_simplified, {Sort.SIMPLIFIED_OVER_LIMIT, Sort.ON_THE_SPOT_COLLECTION}),
    "C26": (c26_first_stage_after_overdue, {Sort.STAGE_ONE_AFTER_OVERDUE}),
    "C27": (c27_accident_without_penalty, {Sort.ACCIDENT_WITHOUT_PENALTY}),
}


def _keys(events: Iterable[EnforcementEvent]) -> set[Key]:
    return {(e.source, e.event_id) for e in events}


@pytest.mark.parametrize("check", sorted(DETECTORS))
@pytest.mark.parametrize("stream", ["example", "large"])
def test_detector_flags_exactly_the_planted_events(
    check: str, stream: str, request: pytest.FixtureRequest
) -> None:
    simulation: Simulation = request.getfixturevalue(stream)
    detector, sorts = DETECTORS[check]
    flagged = _keys(detector(simulation.events))
    planted = [d for d in simulation.deviations if d.sort in sorts]
    evidence = {(i.split(":")[0], i) for d in planted for i in d.event_ids}
    assert flagged <= evidence, f"{check} flags clean events: {sorted(flagged - evidence)[:5]}"
    for deviation in planted:
        shown = {(i.split(":")[0], i) for i in deviation.event_ids}
        assert flagged & shown, f"{check} misses planted {deviation.sort} {deviation.event_ids}"


def test_every_sort_names_its_checks(large: Simulation) -> None:
    covered = {sort for _, sorts in DETECTORS.values() for sort in sorts}
    assert covered == set(Sort)
    for check, (_, sorts) in DETECTORS.items():
        assert all(check in d.checks for d in large.deviations if d.sort in sorts)


def test_the_large_stream_spans_realistic_dates(large: Simulation) -> None:
    first, last = large.events[0].occurred_at.date(), large.events[-1].occurred_at.date()
    assert first >= date(2025, 3, 3)
    assert (last - first).days < len(large.events) // EVENTS_PER_DAY + 200
