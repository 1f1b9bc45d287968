"""Casting a storyline: which firm, which department, which item, which team, which day."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from jiandu.departments import Department
from jiandu.simulation.enterprises import Enterprise, enterprise_pool
from jiandu.simulation.inspections import visit_is_free
from jiandu.simulation.items import ITEMS, ViolationItem
from jiandu.simulation.officers import team
from jiandu.simulation.story import Story, World

AGENCY_WEIGHTS = {"STHJ": 45, "YJGL": 40, "XFJY": 8, "SCJG": 7}
"""How often each agency acts: ecology and emergency management carry most of the load."""

CITY_SHARE = 0.2
"""Share of ecology and safety work done by the city bureau itself rather than the county."""


@dataclass(frozen=True)
class Cast:
    """A storyline ready to start."""

    story: Story
    firm: Enterprise
    item: ViolationItem
    day: date


def department_for(world: World, agency: str, region: str) -> Department:
    """The county department of ``agency`` for ``region`` (sometimes the city's own)."""
    local = world.org.local(region, agency)
    if local is None or world.rng.random() < CITY_SHARE:
        return world.org.department(f"140700-{agency}")
    return local


def new_story(world: World, index: int, department: Department, firm: Enterprise) -> Story:
    """A story of ``department``'s team (two officers, sometimes three) and ``firm``."""
    size = world.rng.choice((2, 2, 2, 3))
    return Story(
        world, index, department, firm.party(), firm.region, firm.township,
        team(world.rng, department.code, size),
    )  # fmt: skip


def cast(
    world: World,
    index: int,
    *,
    items: Callable[[ViolationItem], bool] = lambda item: True,
    firms: Callable[[Enterprise], bool] = lambda firm: True,
    agencies: Sequence[str] = tuple(AGENCY_WEIGHTS),
    site: bool = True,
    fresh: bool = False,
) -> Cast | None:
    """Pick a firm, an item it plausibly violates, the department and a day; None if none fit.

    The department must have room under its annual inspection cap that day; ``site`` also asks
    for a day a clean site visit fits on the calendar; ``fresh`` for a firm nobody
    else visits that year (room for planted visit-pattern deviations). A firm is found violating
    an item at most once per simulation, so every case links to one order and one accident.
    """
    rng = world.rng
    weights = [AGENCY_WEIGHTS[a] for a in agencies]
    pool = [firm for firm in enterprise_pool() if firms(firm)]
    for _ in range(30):
        agency = rng.choices(list(agencies), weights)[0]
        firm = rng.choice(pool)
        candidates = [
            ITEMS[code]
            for code in firm.sector.items
            if ITEMS[code].agency == agency
            and items(ITEMS[code])
            and (firm.uscc, code) not in world.violations
        ]
        day = world.first_day()
        if not candidates or (fresh and not _quiet(world, firm.uscc, day)):
            continue
        story = new_story(world, index, department_for(world, agency, firm.region), firm)
        if not visit_is_free(
            world, story, firm.uscc, frozenset({story.department.code}), day, site
        ):
            continue
        return Cast(story, firm, rng.choice(candidates), day)
    return None


def _quiet(world: World, party: str, day: date) -> bool:
    """No site visit to ``party`` in the year of ``day`` (before November) nor 90 days around it."""
    return day.month <= 10 and all(
        visit.day.year != day.year and abs((visit.day - day).days) > 90
        for visit in world.visits_of(party)
        if visit.site or visit.counted
    )
