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
from jiandu.events.vocabulary import InspectionMode, InspectionTrigger, InspectionType
from jiandu.simulation.clock import later, office_hours
from jiandu.simulation.deviations import Sort
from jiandu.simulation.officers import auxiliaries, team
from jiandu.simulation.story import Draft, Json, Story, Visit, World

_PUBLISHED_ITEMS = {"STHJ": 14, "YJGL": 18, "XFJY": 9, "SCJG": 7}
"""How many inspection items (检查事项) each agency has published; codes AGENCY-JCX-nnn."""

_CLEAN_GAP_DAYS = 30
_YEARLY_VISITS = 3

ROUTINE = (InspectionType.ROUTINE, InspectionTrigger.PLAN)
RANDOM = (InspectionType.ROUTINE, InspectionTrigger.RANDOM)
COMPLAINT = (InspectionType.CASE, InspectionTrigger.COMPLAINT)
DATA_LEAD = (InspectionType.CASE, InspectionTrigger.DATA_LEAD)
CAMPAIGN = (InspectionType.SPECIAL, InspectionTrigger.HIGHER_LEVEL_CAMPAIGN)
ACCIDENT = (InspectionType.CASE, InspectionTrigger.ACCIDENT)


def visit_is_free(
    world: World, story: Story, party: str, agencies: frozenset[str], day: date
) -> bool:
    """Whether a clean site visit by ``agencies`` to ``party`` on ``day`` breaks no visit rule."""
    visits = [*world.visits_of(party), *(v for v in story.visits if v.party == party)]
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
    draft = story.emit(at, "inspection", payload, officers=_officers(story, deviation))
    story.violations.extend((str(story.party["id"]), code) for code in findings)
    if mode is InspectionMode.SITE:
        agencies = frozenset({department.code, *(p.code for p in partners)})
        story.visits.append(Visit(str(story.party["id"]), day, agencies))
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
    """C11: two agencies visit one firm a few days apart from plans known before, neither joint."""
    story.show(inspect(story, first, ROUTINE))
    lead, lead_team = story.department, story.team
    story.department, story.team = other, team(story.rng, other.code)
    story.show(inspect(story, later(first, 3, 20, story.rng), ROUTINE))
    story.department, story.team = lead, lead_team
