"""简易程序 (当场处罚): small fines decided on the spot (APL Art. 51), clean or not (C25).

Clean ones stay at ≤200 yuan for citizens and individual businesses and ≤3,000 yuan for
organisations; cash is collected on the spot only up to 100 yuan (APL Art. 68).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jiandu.events.vocabulary import Circumstance, Collection, Procedure, Right, ServiceMethod, Tier
from jiandu.simulation import inspections as insp
from jiandu.simulation.cast import cast, new_story
from jiandu.simulation.clock import office_hours
from jiandu.simulation.deviations import Sort
from jiandu.simulation.documents import decision_prefix
from jiandu.simulation.enterprises import citizen, enterprise_pool
from jiandu.simulation.items import CITIZEN_FIRE_MAX, Range, amount, tier_of
from jiandu.simulation.officers import team
from jiandu.simulation.penalties import Features
from jiandu.simulation.story import Json, Story, World

_SMALL_ITEMS = frozenset({"SP-GAS-001", "SP-PPE-001", "SP-EQP-002", "SP-EXIT-001", "SP-HAZ-002"})


def simplified_story(
    world: World, index: int, sort: Sort | None, _features: Features | None = None
) -> Story | None:
    """One on-the-spot fine: a citizen, an individual business or a small organisation."""
    rng = world.rng
    variant = rng.choice(("citizen", "business", "organisation"))
    if sort is Sort.SIMPLIFIED_OVER_LIMIT:
        variant = rng.choice(("citizen", "organisation"))
    elif sort is Sort.ON_THE_SPOT_COLLECTION:
        variant = rng.choice(("citizen", "business"))
    if variant == "citizen":
        return _citizen_fine(world, index, sort)
    fire = variant == "organisation" and sort is Sort.SIMPLIFIED_OVER_LIMIT
    found = cast(
        world,
        index,
        items=lambda i: i.code == "SP-FIRE-001" if fire else i.code in _SMALL_ITEMS,
        firms=lambda f: f.sector.individual is (variant == "business"),
        agencies=("XFJY",) if fire else ("YJGL",),
    )
    if found is None:
        return None
    story, item = found.story, found.item
    if fire:
        fine = amount(Range(5_000, 20_000), rng)
    elif variant == "business":
        fine = 200 if sort is Sort.ON_THE_SPOT_COLLECTION else amount(Range(100, 200), rng)
    else:
        fine = amount(Range(1_000, 3_000), rng)
    inspection = insp.inspect(story, found.day, insp.RANDOM, findings=[item.code])
    _decide(story, inspection.at, item.code, fine, tier_of(item.first, fine), sort)
    return story


def _citizen_fine(world: World, index: int, sort: Sort | None) -> Story:
    """消防 fines a citizen for blocking an evacuation route (消防法 Art. 60, ≤500 yuan)."""
    rng = world.rng
    firm = rng.choice(enterprise_pool())
    department = world.org.department("140700-XFJY")
    story = new_story(world, index, department, firm)
    story.party = citizen(rng, firm.region)
    story.team = team(rng, department.code)
    if sort is Sort.SIMPLIFIED_OVER_LIMIT:
        fine = rng.choice((250, 300, 350))
    elif sort is Sort.ON_THE_SPOT_COLLECTION:
        fine = amount(Range(150, 200), rng)
    else:
        fine = rng.choice((50, 100, 100, 200))
    at = office_hours(world.first_day(), rng)
    _decide(story, at, "SP-FIRE-001", fine, tier_of(Range(0, CITIZEN_FIRE_MAX), fine), sort)
    return story


def _decide(
    story: Story, at: datetime, item_code: str, fine: int, tier: Tier, sort: Sort | None
) -> None:
    """立案, 告知, 决定 and 送达 within the half hour after ``at``."""
    rng, department, day = story.rng, story.department, at.date()
    story.case_id = (
        f"{department.code}/{day.year}/{story.world.serial(department.code, 'AJ', day.year)}"
    )
    filing: Json = {
        "filed_on": day,
        "item_code": item_code,
        "violation_started_on": day,
        "violation_ended_on": day,
        "discovered_on": day,
        "life_health_safety": True,
        "procedure": Procedure.SIMPLIFIED.value,
    }
    notice: Json = {
        "notified_on": day,
        "rights": [Right.STATEMENT.value, Right.DEFENCE.value],
        "proposed_fine_yuan": fine,
    }
    number = story.world.serial(department.code, "JD", day.year, width=0)
    decision_no = f"{decision_prefix(department)}〔{day.year}〕{number}号"
    on_the_spot = sort is Sort.ON_THE_SPOT_COLLECTION or (fine <= 100 and rng.random() < 0.5)
    lenient = [Circumstance.FIRST_VIOLATION.value, Circumstance.CORRECTED_IN_TIME.value]
    decision: Json = {
        "decision_no": decision_no,
        "decided_on": day,
        "item_code": item_code,
        "violation_on": day,
        "claimed_tier": tier.value,
        "fine_yuan": fine,
        "circumstances": lenient if tier is Tier.LENIENT else [],
        "procedure": Procedure.SIMPLIFIED.value,
        "collection": (Collection.ON_THE_SPOT if on_the_spot else Collection.ELECTRONIC).value,
    }
    served: Json = {
        "decision_no": decision_no,
        "served_on": day,
        "method": ServiceMethod.DIRECT.value,
    }
    steps = (("case_filed", filing), ("hearing_notified", notice), ("penalty_decided", decision),
             ("decision_served", served))  # fmt: skip
    for minutes, (kind, payload) in zip((10, 15, 25, 30), steps, strict=True):
        draft = story.emit(at + timedelta(minutes=minutes), kind, payload, case_id=story.case_id)
        if kind == "penalty_decided" and sort in (
            Sort.SIMPLIFIED_OVER_LIMIT,
            Sort.ON_THE_SPOT_COLLECTION,
        ):
            story.show(draft)
