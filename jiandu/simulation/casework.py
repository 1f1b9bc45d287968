"""Storylines that end in a case: a penalty, a no-penalty decision, a second-stage penalty after
an uncorrected order, a coercive measure followed by a penalty."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from jiandu.events.vocabulary import Domain, InspectionTrigger, InspectionType
from jiandu.simulation import inspections as insp
from jiandu.simulation.cases import Decision, run_case
from jiandu.simulation.cast import cast
from jiandu.simulation.clock import add_workdays
from jiandu.simulation.deviations import Sort
from jiandu.simulation.items import ViolationItem
from jiandu.simulation.measures import Order, coercive_measure, order_correction, reinspect
from jiandu.simulation.penalties import (
    CasePlan,
    Features,
    plan_no_penalty,
    plan_overdue,
    plan_penalty,
    suits,
)
from jiandu.simulation.story import Story, World

_COERCIVE_ITEMS = frozenset(
    {"ECO-AIR-001", "ECO-AIR-002", "ECO-WAT-001", "ECO-SW-001", "SP-DG-001", "SP-DG-004",
     "SP-HAZ-002", "SP-SE-002"}
)  # fmt: skip
_TRIGGERS = {
    Domain.ECOLOGY: (insp.ROUTINE, insp.RANDOM, insp.COMPLAINT, insp.DATA_LEAD, insp.CAMPAIGN),
    Domain.PRODUCTION_SAFETY: (insp.ROUTINE, insp.RANDOM, insp.COMPLAINT, insp.CAMPAIGN),
}


def penalty_story(world: World, index: int, sort: Sort | None, features: Features) -> Story | None:
    """Inspection finds a violation → correction order → penalty case → re-inspection."""
    ecology_only = features.daily or sort is Sort.DAILY_PENALTY_MISSING
    found = cast(
        world,
        index,
        items=lambda i: suits(i, sort) and (not ecology_only or _daily_item(i)),
        firms=lambda f: sort is None or not f.sector.individual,
    )
    if found is None:
        return None
    story, item, day = found.story, found.item, found.day
    started, ended = _violation(world.rng, day, sort)
    kind = (
        insp.COMPLAINT if sort is Sort.STATUTE_EXPIRED else world.rng.choice(_TRIGGERS[item.domain])
    )
    insp.inspect(story, day, kind, findings=[item.code])
    order = None if ecology_only else order_correction(story, item.code, day)
    plan = plan_penalty(world.rng, item, found.firm.party_type, sort)
    _take(plan, features)
    decision = run_case(story, plan, discovered=day, started=started, ended=ended)
    if order is None:  # 按日连续处罚 counts from an order served with the decision
        order = order_correction(story, item.code, decision.decided_on)
    reinspected_on, seen = reinspect(story, order, corrected=not ecology_only)
    if sort is Sort.DAILY_PENALTY_MISSING:
        story.show(decision.draft, seen)
    elif features.daily:
        _daily_penalty(story, plan, decision, order, reinspected_on, started)
    return story


def no_penalty_story(
    world: World, index: int, sort: Sort | None, features: Features
) -> Story | None:
    """首违不罚: a minor first violation, corrected at once, closed with no penalty."""
    found = cast(world, index, items=lambda i: i.no_penalty_list is not None, agencies=("STHJ",))
    if found is None:
        return None
    story, item, day = found.story, found.item, found.day
    insp.inspect(story, day, world.rng.choice(_TRIGGERS[Domain.ECOLOGY]), findings=[item.code])
    order = order_correction(story, item.code, day)
    reinspect(story, order, corrected=True)
    plan = plan_no_penalty(world.rng, item, found.firm.party_type)
    run_case(
        story,
        plan,
        discovered=day,
        started=day - timedelta(days=world.rng.randint(1, 20)),
        ended=day,
    )
    return story


def overdue_story(world: World, index: int, sort: Sort | None, features: Features) -> Story | None:
    """责令限期改正 → 复查: corrected, or not, and then the second-stage (逾期未改正) penalty."""
    found = cast(
        world,
        index,
        items=lambda i: i.overdue is not None and (sort is None or i.fined_at_first_finding),
        agencies=("YJGL", "SCJG"),
    )
    if found is None:
        return None
    story, item, day = found.story, found.item, found.day
    insp.inspect(story, day, world.rng.choice(_TRIGGERS[item.domain]), findings=[item.code])
    order = order_correction(story, item.code, day)
    corrected = sort is None and world.rng.random() < 0.5
    reinspected_on, seen = reinspect(story, order, corrected=corrected)
    if corrected:
        return story
    plan = plan_overdue(world.rng, item, found.firm.party_type, sort)
    plan.hearing_requested = features.hearing
    overdue_since = order.deadline_on + timedelta(days=1)
    run_case(story, plan, discovered=reinspected_on, started=overdue_since, ended=None)
    if sort:
        story.show(seen)
    return story


def coercive_story(world: World, index: int, sort: Sort | None, features: Features) -> Story | None:
    """查封/扣押 right after the inspection, then the penalty case; the measure ends meanwhile."""
    found = cast(
        world, index, items=lambda i: i.code in _COERCIVE_ITEMS, agencies=("STHJ", "YJGL", "SCJG")
    )
    if found is None:
        return None
    story, item, day = found.story, found.item, found.day
    started, ended = _violation(world.rng, day, None)
    inspection = insp.inspect(
        story, day, (InspectionType.CASE, InspectionTrigger.COMPLAINT), findings=[item.code]
    )
    coercive_measure(story, inspection.at, sort)
    order = order_correction(story, item.code, day)
    plan = plan_penalty(world.rng, item, found.firm.party_type)
    _take(plan, Features(hearing=features.hearing))
    run_case(story, plan, discovered=day, started=started, ended=ended)
    reinspect(story, order, corrected=True)
    return story


def _daily_item(item: ViolationItem) -> bool:
    """An item with 按日连续处罚 and no 逾期未改正 stage of its own (C26 would ask for that)."""
    return item.daily and not item.overdue_stage


def _take(plan: CasePlan, features: Features) -> None:
    if plan.deviation is not Sort.LATE_DECISION:
        plan.suspend, plan.extend = features.suspend, features.extend
    plan.hearing_requested = features.hearing
    plan.change = features.change


def _violation(rng: Random, discovered: date, sort: Sort | None) -> tuple[date, date | None]:
    """When the violation started and (unless continuing) ended."""
    if sort is Sort.STATUTE_EXPIRED:
        started = discovered - timedelta(days=rng.randint(800, 1000))
        return started, started + timedelta(days=rng.randint(10, 60))
    started = discovered - timedelta(days=rng.randint(3, 120))
    if rng.random() < 0.6:
        return started, None
    return started, started + timedelta(days=rng.randint(0, (discovered - started).days))


def _daily_penalty(
    story: Story,
    original: CasePlan,
    decision: Decision,
    order: Order,
    reinspected_on: date,
    started: date,
) -> None:
    """按日连续处罚: the original fine times the days from service+1 to the re-inspection."""
    days = (reinspected_on - order.served_on).days
    plan = CasePlan(
        original.item,
        original.claimed_tier,
        decision.fine * days,
        original.party_type,
        circumstances=list(original.circumstances),
        quantifiers={"daily_penalty_days": Decimal(days)},
        sanctions=list(original.sanctions),
        basis_amount=decision.fine,
        mitigation_approved=original.mitigation_approved,
    )
    filed = add_workdays(max(reinspected_on, decision.decided_on), story.rng.randint(1, 5))
    run_case(story, plan, discovered=reinspected_on, started=started, ended=None, filed=filed)
