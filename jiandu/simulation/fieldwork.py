"""Storylines without a (first-stage) case: plain inspections, joint inspections and planted
visit patterns (C10, C11), and accidents with their follow-up penalty (C27)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from jiandu.departments import Department
from jiandu.events.vocabulary import AccidentGrade, Domain, InspectionMode, PersonRole, Tier
from jiandu.simulation import inspections as insp
from jiandu.simulation.cases import run_case
from jiandu.simulation.cast import cast, department_for
from jiandu.simulation.clock import add_workdays, workday
from jiandu.simulation.deviations import Sort
from jiandu.simulation.enterprises import Enterprise
from jiandu.simulation.items import ACCIDENT_FINES, Range, ViolationItem, amount
from jiandu.simulation.measures import accident
from jiandu.simulation.officers import team
from jiandu.simulation.penalties import Features, price
from jiandu.simulation.story import Story, World

_SITE_KINDS = (insp.ROUTINE, insp.RANDOM, insp.CAMPAIGN, insp.COMPLAINT)


def inspection_story(
    world: World, index: int, sort: Sort | None, _features: Features | None = None
) -> Story | None:
    """One inspection that finds nothing: on site, or a desk or remote check."""
    rng = world.rng
    mode = InspectionMode.SITE
    if sort is None and rng.random() < 0.35:
        mode = rng.choice((InspectionMode.DESK, InspectionMode.REMOTE))
    found = cast(world, index, site=mode is InspectionMode.SITE)
    if found is None and sort is None:
        mode = InspectionMode.DESK
        found = cast(world, index, site=False)
    if found is None:
        return None
    story = found.story
    if mode is InspectionMode.SITE:
        kind = rng.choice(_SITE_KINDS)
    elif mode is InspectionMode.REMOTE and story.department.domain is Domain.ECOLOGY:
        kind = insp.DATA_LEAD
    else:
        mode, kind = InspectionMode.DESK, insp.ROUTINE
    insp.inspect(story, found.day, kind, mode=mode, deviation=sort)
    return story


def joint_story(
    world: World, index: int, sort: Sort | None, _features: Features | None = None
) -> Story | None:
    """综合查一次 (clean), or the patterns it prevents: too many visits, uncoordinated visits."""
    rng = world.rng
    if sort is Sort.TOO_MANY_INSPECTIONS:
        found = cast(
            world, index, agencies=("YJGL",), site=False, fresh=True,
            firms=lambda f: not f.sector.high_risk and not f.sector.individual,
        )  # fmt: skip
        if found is None:
            return None
        _reassign(found.story, world.org.local(found.firm.region, "YJGL"))
        first = max(found.day, insp.CAPS_IN_FORCE_FROM[Domain.PRODUCTION_SAFETY])
        if first.year != found.day.year or first > date(first.year, 10, 20):
            return None  # all nine visits in one year, with the cap table in force
        insp.too_many_inspections(found.story, workday(first))
        return found.story
    found = cast(
        world, index, agencies=("STHJ",), site=False, fresh=sort is not None, firms=_both_domains
    )
    if found is None:
        return None
    story, firm = found.story, found.firm
    _reassign(story, world.org.local(firm.region, "STHJ"))
    other = department_for(world, "YJGL", firm.region)
    if sort is Sort.UNCOORDINATED_INSPECTIONS:
        insp.uncoordinated_inspections(story, other, found.day)
        return story
    partners = [other]
    if "SP-FIRE-001" in firm.sector.items:
        partners.append(world.org.department("140700-XFJY"))
    if rng.random() < 0.5:  # emergency management leads this time
        partners[0] = story.department
        _reassign(story, other)
    agencies = frozenset({story.department.code, *(p.code for p in partners)})
    if not insp.visit_is_free(world, story, firm.uscc, agencies, found.day):
        return None
    insp.inspect(story, found.day, rng.choice((insp.ROUTINE, insp.CAMPAIGN)), partners=partners)
    return story


def accident_story(
    world: World, index: int, sort: Sort | None, _features: Features | None = None
) -> Story | None:
    """生产安全事故 → accident inspection → approved report → penalty on the unit (SPL Art. 114)."""
    rng = world.rng
    grade = AccidentGrade.LARGE if rng.random() < 0.1 else AccidentGrade.ORDINARY
    found = cast(
        world,
        index,
        agencies=("YJGL",),
        site=False,
        firms=lambda f: not f.sector.individual and (f.uscc, "SP-ACC-001") not in world.violations,
    )
    if found is None:
        return None
    story, firm = found.story, found.firm
    story.violations.append((firm.uscc, "SP-ACC-001"))
    local = world.org.local(firm.region, "YJGL") if grade is AccidentGrade.ORDINARY else None
    _reassign(story, local or world.org.department("140700-YJGL"))
    day = world.start.date() + timedelta(days=rng.randrange(world.window_days))
    report = accident(story, day, grade)
    insp.inspect(story, workday(day + timedelta(days=1)), insp.ACCIDENT)
    if sort is Sort.ACCIDENT_WITHOUT_PENALTY:
        story.show(report.approval)
        return story
    _accident_penalty(story, firm, report.grade, report.deaths, day, report.approved_on)
    return story


def _accident_penalty(
    story: Story, firm: Enterprise, grade: AccidentGrade, deaths: int, day: date, approved: date
) -> None:
    rng = story.rng
    fines = ACCIDENT_FINES[grade.value]
    item = ViolationItem("SP-ACC-001", "YJGL", "发生生产安全事故,对负有责任的单位罚款", fines)
    tier = rng.choice((Tier.LENIENT, Tier.ORDINARY, Tier.ORDINARY, Tier.AGGRAVATED))
    plan = price(rng, item, fines, tier, firm.party_type)
    plan.quantifiers = {"deaths": Decimal(deaths)}
    income = amount(Range(120_000, 400_000), rng)
    share = 40 if grade is AccidentGrade.ORDINARY else 60
    plan.person_fines = [{"role": PersonRole.PRINCIPAL.value, "fine_yuan": income * share // 100}]
    filed = add_workdays(approved, rng.randint(3, 10))
    run_case(story, plan, discovered=day, started=day, ended=day, filed=filed)


def _reassign(story: Story, department: Department | None) -> None:
    """Hand the story to ``department`` (and one of its teams)."""
    if department is not None and department != story.department:
        story.department = department
        story.team = team(story.rng, department.code, len(story.team))


def _both_domains(firm: Enterprise) -> bool:
    """A company both ecology and emergency management inspect."""
    codes = firm.sector.items
    return (
        not firm.sector.individual
        and any(c.startswith("ECO-") for c in codes)
        and any(c.startswith("SP-") and not c.startswith(("SP-FIRE", "SP-SE")) for c in codes)
    )
