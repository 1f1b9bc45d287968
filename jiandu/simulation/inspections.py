"""Inspections (涉企行政检查) and the site-visit calendar that keeps clean ones within the rules.

Clean site inspections are approved beforehand, scanned in, by two certified officers, and
never land within 30 days of another agency's visit to the same firm (C11) nor more than three
times a year from one agency (C10). Planted deviations bypass the calendar on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from random import Random

from jiandu.departments import Department
from jiandu.events.vocabulary import Domain, InspectionMode, InspectionTrigger, InspectionType
from jiandu.simulation.clock import later, office_hours
from jiandu.simulation.deviations import Sort
from jiandu.simulation.officers import auxiliaries, team
from jiandu.simulation.story import Draft, Json, Story, Visit, World

_PUBLISHED_ITEMS = {"STHJ": 14, "YJGL": 18, "XFJY": 9, "SCJG": 7}
"""How many inspection items (检查事项) each agency has published; codes AGENCY-JCX-nnn."""

_CLEAN_GAP_DAYS = 30
"""catalog/thresholds.yaml limits ``joint_inspection_window_days`` (综合查一次, C11): clean site
visits of different agencies to one firm keep at least one day more than this apart."""
_YEARLY_VISITS = 3
"""Site visits a year to one firm by any one agency (clean storylines)."""

YEARLY_COUNTED = {Domain.ECOLOGY: 2, Domain.PRODUCTION_SAFETY: 4}
"""Cap-counted inspections a year of one firm by one department in clean storylines (C10). From
catalog/inspection_caps.yaml: ecology ``default_cap: 2``; production safety's lowest cap of the
categories and ratings the reference register gives the simulated firms is 4 (level_3 非高危,
level_2 危险化学品), and the default (non_high_risk, unrated) cap 6 warns from
``cap_warning_ratio`` 0.8 × 6 → the 5th."""

CAPS_IN_FORCE_FROM = {Domain.ECOLOGY: date(2025, 7, 1), Domain.PRODUCTION_SAFETY: date(2025, 4, 23)}
"""``effective_from`` of the Shanxi tables in catalog/inspection_caps.yaml: before it no cap."""

CAP_COUNTED_TYPES = frozenset({InspectionType.ROUTINE, InspectionType.CASE, InspectionType.SPECIAL})
"""catalog/inspection_caps.yaml ``counted_types``."""

CAP_EXEMPT_TRIGGERS = frozenset(
    {
        InspectionTrigger.COMPLAINT,
        InspectionTrigger.REFERRAL,
        InspectionTrigger.DATA_LEAD,
        InspectionTrigger.ENTERPRISE_REQUEST,
        InspectionTrigger.HIGHER_LEVEL_CAMPAIGN,
        InspectionTrigger.ACCIDENT,
        InspectionTrigger.REINSPECTION,
    }
)
"""catalog/inspection_caps.yaml ``exempt_triggers``: inspections they start are not counted."""

ROUTINE = (InspectionType.ROUTINE, InspectionTrigger.PLAN)
RANDOM = (InspectionType.ROUTINE, InspectionTrigger.RANDOM)
COMPLAINT = (InspectionType.CASE, InspectionTrigger.COMPLAINT)
DATA_LEAD = (InspectionType.CASE, InspectionTrigger.DATA_LEAD)
CAMPAIGN = (InspectionType.SPECIAL, InspectionTrigger.HIGHER_LEVEL_CAMPAIGN)
ACCIDENT = (InspectionType.CASE, InspectionTrigger.ACCIDENT)


def counted(kind: tuple[InspectionType, InspectionTrigger]) -> bool:
    """Whether an inspection of ``kind`` counts toward the annual cap (whatever its mode)."""
    return kind[0] in CAP_COUNTED_TYPES and kind[1] not in CAP_EXEMPT_TRIGGERS


def visit_is_free(
    world: World, story: Story, party: str, agencies: frozenset[str], day: date, site: bool = True
) -> bool:
    """Whether a clean inspection of ``party`` on ``day`` by the story's department (with
    ``agencies``, when joint) breaks no rule: the department stays under its annual cap, and a
    site visit keeps clear of other agencies' visits (综合查一次) and of its own recent ones."""
    visits = [*world.visits_of(party), *(v for v in story.visits if v.party == party)]
    source = story.department.code
    limit = YEARLY_COUNTED[story.department.domain]
    mine = [v for v in visits if v.counted and v.source == source and v.day.year == day.year]
    if len(mine) >= limit:
        return False
    if not site:
        return True
    visits = [v for v in visits if v.site]
    same_year = [v for v in visits if v.departments & agencies and v.day.year == day.year]
    if len(same_year) >= _YEARLY_VISITS:
        return False
    for visit in visits:
        gap = abs((visit.day - day).days)
        if visit.departments & agencies and gap < 7:
            return False
        if not visit.departments & agencies and gap <= _CLEAN_GAP_DAYS + 1:
            return False
    return True


def find_slot(
    world: World,
    story: Story,
    parties: Sequence[str],
    agencies: frozenset[str],
    after: date | None = None,
) -> tuple[str, date] | None:
    """A (party, day) pair where a clean site visit fits, or None after a few tries."""
    for _ in range(12):
        party = world.rng.choice(parties)
        day = later(after, 0, 20, world.rng) if after else world.first_day()
        if visit_is_free(world, story, party, agencies, day):
            return party, day
    return None


def inspect(
    story: Story,
    day: date,
    kind: tuple[InspectionType, InspectionTrigger] = ROUTINE,
    *,
    findings: Sequence[str] = (),
    mode: InspectionMode = InspectionMode.SITE,
    partners: Sequence[Department] = (),
    deviation: Sort | None = None,
    planned_on: date | None = None,
) -> Draft:
    """Emit one inspection by the story's department; ``deviation`` breaks it on purpose."""
    rng, department = story.rng, story.department
    at = story.time_on(day, latest=16)
    year = day.year
    payload: Json = {
        "inspection_id": story.world.record_id(department.code, "JC", year),
        "inspection_type": kind[0].value,
        "trigger": kind[1].value,
        "mode": mode.value,
        "items": published_items(rng, department.agency, partners),
        "findings": list(findings),
    }
    if kind[1] is InspectionTrigger.ACCIDENT:  # approved afterwards, as emergencies allow
        after = timedelta(minutes=rng.randrange(60, 360, 5))
        payload["approval"] = {"approved_at": at + after, "emergency": True}
    elif deviation is not Sort.INSPECTION_WITHOUT_APPROVAL:
        payload["approval"] = {"approved_at": _approved(rng, at)}
    if mode is InspectionMode.SITE:
        payload["code_scanned_at"] = at
    if partners:
        payload["joint"] = True
        payload["participating_departments"] = [p.code for p in partners]
    if kind[1] is InspectionTrigger.PLAN:
        payload["plan_id"] = f"{department.code}/JH/{year}/{rng.randint(1, 120):03d}"
        payload["plan_registered_on"] = date(year, 1, 1) + timedelta(days=rng.randint(20, 58))
        payload["plan_registered_on"] = min(payload["plan_registered_on"], day)
        if planned_on is not None:
            payload["plan_registered_on"] = planned_on
    draft = story.emit(at, "inspection", payload, officers=_officers(story, deviation))
    story.violations.extend((str(story.party["id"]), code) for code in findings)
    agencies = frozenset({department.code, *(p.code for p in partners)})
    site = mode is InspectionMode.SITE
    visit = Visit(str(story.party["id"]), day, agencies, department.code, counted(kind), site)
    story.visits.append(visit)
    if deviation in (
        Sort.SINGLE_OFFICER,
        Sort.AUXILIARY_AS_INSPECTOR,
        Sort.INSPECTION_WITHOUT_APPROVAL,
    ):
        story.show(draft)
    return draft


def _approved(rng: Random, at: datetime) -> datetime:
    """检查审批 by the head: the previous working afternoon, or earlier the same morning."""
    if at.hour >= 11 and rng.random() < 0.5:
        return at - timedelta(minutes=rng.randrange(60, (at.hour - 8) * 60, 5))
    previous = at.date() - timedelta(days=1)
    while previous.weekday() >= 5:
        previous -= timedelta(days=1)
    return office_hours(previous, rng, earliest=14, latest=17)


def published_items(rng: Random, agency: str, partners: Sequence[Department] = ()) -> list[str]:
    """Two to four published inspection items of the agency (and one per joint partner)."""
    own = rng.sample(range(1, _PUBLISHED_ITEMS[agency] + 1), rng.randint(2, 4))
    codes = [f"{agency}-JCX-{k:03d}" for k in sorted(own)]
    codes += [f"{p.agency}-JCX-{rng.randint(1, _PUBLISHED_ITEMS[p.agency]):03d}" for p in partners]
    return codes


def _officers(story: Story, deviation: Sort | None) -> list[Json]:
    lead = story.team[0]
    if deviation is Sort.SINGLE_OFFICER:
        return [lead.ref()]
    if deviation is Sort.AUXILIARY_AS_INSPECTOR:
        helper = story.rng.choice(auxiliaries()[story.department.code])
        return [lead.ref(), helper.ref()]
    return [o.ref() for o in story.team]


def too_many_inspections(story: Story, first: date, visits: int = 9) -> None:
    """C10: one agency visits one firm ``visits`` times, 4-8 days apart, all counted visits."""
    day = first
    for _ in range(visits):
        story.team = team(story.rng, story.department.code)
        kind = story.rng.choice((ROUTINE, RANDOM))
        story.show(inspect(story, day, kind))
        day = later(day, 4, 8, story.rng)


def uncoordinated_inspections(story: Story, other: Department, first: date) -> None:
    """C11: two agencies visit one firm a few days apart from plans registered before the first
    visit, neither joint."""
    planned = first - timedelta(days=story.rng.randint(5, 40))
    story.show(inspect(story, first, ROUTINE, planned_on=planned))
    lead, lead_team = story.department, story.team
    story.department, story.team = other, team(story.rng, other.code)
    second = later(first, 3, 20, story.rng)
    story.show(inspect(story, second, ROUTINE, planned_on=planned + timedelta(days=2)))
    story.department, story.team = lead, lead_team
