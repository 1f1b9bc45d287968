"""Generate a deterministic stream of Jinzhong enforcement events: ``generate(n, seed)``.

Storylines (a penalty case, an inspection, an accident …) start on working days within a 60-day
window and run their course, so cases finish weeks later. Storylines are added whole until the
stream has exactly ``n`` events (single inspections fill the rest); then every event is sorted by
time, numbered per department (``<source>:<kind>:<n>``) and validated with ``parse_event``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from random import Random

from jiandu.events import EnforcementEvent, parse_event
from jiandu.events.vocabulary import Change
from jiandu.simulation.casework import (
    coercive_story,
    no_penalty_story,
    overdue_story,
    penalty_story,
)
from jiandu.simulation.clock import BEIJING, DEFAULT_START, workday
from jiandu.simulation.deviations import PlantedDeviation, Sort
from jiandu.simulation.fieldwork import accident_story, inspection_story, joint_story
from jiandu.simulation.penalties import Features
from jiandu.simulation.simplified import simplified_story
from jiandu.simulation.story import Draft, Story, World

WINDOW_DAYS = 60
"""Storylines begin within this many days of ``start`` (longer for streams over 480 events)."""

EVENTS_PER_DAY = 8
"""Density that sets the window of long streams: about what Jinzhong's departments publish."""

ROUND_EVENTS = 10_000
"""Events per round of :func:`generate_rounds`: well below what one world can place (about
12,000; 15,000 fail: its parties and inspection caps are full)."""


class Plot(StrEnum):
    """The kinds of storyline."""

    PENALTY = "penalty"
    NO_PENALTY = "no_penalty"
    OVERDUE = "overdue"
    COERCIVE = "coercive"
    SIMPLIFIED = "simplified"
    ACCIDENT = "accident"
    JOINT = "joint"
    INSPECTION = "inspection"


Builder = Callable[[World, int, Sort | None, Features], Story | None]
BUILDERS: dict[Plot, Builder] = {
    Plot.PENALTY: penalty_story,
    Plot.NO_PENALTY: no_penalty_story,
    Plot.OVERDUE: overdue_story,
    Plot.COERCIVE: coercive_story,
    Plot.SIMPLIFIED: simplified_story,
    Plot.ACCIDENT: accident_story,
    Plot.JOINT: joint_story,
    Plot.INSPECTION: inspection_story,
}
WEIGHTS = {
    Plot.PENALTY: 30, Plot.NO_PENALTY: 4, Plot.OVERDUE: 8, Plot.COERCIVE: 4, Plot.SIMPLIFIED: 7,
    Plot.ACCIDENT: 3, Plot.JOINT: 6, Plot.INSPECTION: 38,
}  # fmt: skip
"""How often each plot starts (clean storylines)."""

HOSTS: dict[Sort, Plot] = {sort: Plot.PENALTY for sort in Sort} | {
    Sort.SINGLE_OFFICER: Plot.INSPECTION,
    Sort.AUXILIARY_AS_INSPECTOR: Plot.INSPECTION,
    Sort.INSPECTION_WITHOUT_APPROVAL: Plot.INSPECTION,
    Sort.TOO_MANY_INSPECTIONS: Plot.JOINT,
    Sort.UNCOORDINATED_INSPECTIONS: Plot.JOINT,
    Sort.COERCIVE_MEASURE_TOO_LONG: Plot.COERCIVE,
    Sort.COERCIVE_WITHOUT_APPROVAL: Plot.COERCIVE,
    Sort.SIMPLIFIED_OVER_LIMIT: Plot.SIMPLIFIED,
    Sort.ON_THE_SPOT_COLLECTION: Plot.SIMPLIFIED,
    Sort.STAGE_ONE_AFTER_OVERDUE: Plot.OVERDUE,
    Sort.ACCIDENT_WITHOUT_PENALTY: Plot.ACCIDENT,
}
"""The plot each deviation is planted in."""

COVERAGE: tuple[tuple[Plot, Features], ...] = (
    (Plot.PENALTY, Features(suspend=True, hearing=True)),
    (Plot.COERCIVE, Features()),
    (Plot.ACCIDENT, Features()),
    (Plot.PENALTY, Features(extend=True, change=Change.CHANGED)),
    (Plot.OVERDUE, Features()),
    (Plot.SIMPLIFIED, Features()),
    (Plot.JOINT, Features()),
    (Plot.NO_PENALTY, Features()),
    (Plot.PENALTY, Features(daily=True)),
)
"""The first clean storylines: between them every event kind occurs."""


@dataclass(frozen=True)
class Simulation:
    """The events, in time order, and the deviations planted among them."""

    events: list[EnforcementEvent]
    deviations: list[PlantedDeviation]


def generate(
    n: int, seed: int, deviating_share: float = 0.2, start: datetime | None = None
) -> list[EnforcementEvent]:
    """``n`` events from storylines of which about ``deviating_share`` carry a deviation."""
    return simulate(n, seed, deviating_share, start).events


def simulate(
    n: int, seed: int, deviating_share: float = 0.2, start: datetime | None = None
) -> Simulation:
    """Like :func:`generate`, also returning the planted deviations (the ground truth)."""
    if n < 0 or not 0.0 <= deviating_share <= 1.0:
        raise ValueError("need n >= 0 and 0 <= deviating_share <= 1")
    rng = Random(seed)
    world = World(rng, start or DEFAULT_START, max(WINDOW_DAYS, n // EVENTS_PER_DAY))
    stories = _tell(world, n, deviating_share)
    drafts = sorted((d for s in stories for d in s.drafts), key=lambda d: (d.at, d.order))
    _number(drafts)
    numbering = world.numbering()
    events = [parse_event(numbering.resolve(draft.to_json().decode())) for draft in drafts]
    by_id = {(e.source, e.event_id): e for e in events}
    return Simulation(events, [_planted(s, by_id) for s in stories if s.sort is not None])


def generate_rounds(
    n: int, seed: int, deviating_share: float = 0.2, round_events: int = ROUND_EVENTS
) -> list[EnforcementEvent]:
    """``n`` events in time order, told as consecutive rounds of at most ``round_events``: each
    round is :func:`generate` (seed + round) starting on the first working day of the year after
    the previous round's last event, so record numbers (per register and year) never repeat;
    event ids continue each department's count (``<source>:<kind>:<n>``). The same parties
    return in every round, years later, as a long-running stream would see them."""
    if round_events < 1:
        raise ValueError("need round_events >= 1")
    events: list[EnforcementEvent] = []
    counts: dict[str, int] = {}
    start, round_no = DEFAULT_START, 0
    while len(events) < n:
        told = generate(min(round_events, n - len(events)), seed + round_no, deviating_share, start)
        for event in told:
            counts[event.source] = counts.get(event.source, 0) + 1
            number = f"{event.source}:{event.kind}:{counts[event.source]}"
            events.append(event.model_copy(update={"event_id": number}))
        next_year = told[-1].occurred_at.year + 1
        start = datetime.combine(workday(datetime(next_year, 1, 1).date()), time(8), BEIJING)
        round_no += 1
    return events


def _tell(world: World, n: int, share: float) -> list[Story]:
    """Add whole storylines until they hold exactly ``n`` drafts."""
    rng, stories, count = world.rng, list[Story](), 0
    coverage, turn, failures = list(COVERAGE), 0, 0
    rotation = list(Sort)
    while count < n:
        remaining = n - count
        sort: Sort | None = None
        if remaining < 4 or failures >= 6:
            plot, features = Plot.INSPECTION, Features()
        elif rng.random() < share:
            sort, turn = rotation[turn % len(rotation)], turn + 1
            plot, features = HOSTS[sort], Features(hearing=rng.random() < 0.3)
        elif coverage:
            plot, features = coverage[0]
        else:
            plot = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            features = Features.draw(rng)
        story = BUILDERS[plot](world, len(stories), sort, features)
        if story is None or len(story.drafts) > remaining:
            failures += 1
            if failures > 1000:
                raise RuntimeError("the simulation cannot place any more storylines")
            continue
        failures, count, story.sort = 0, count + len(story.drafts), sort
        stories.append(story)
        world.register(story)
        if sort is None and coverage and (plot, features) == coverage[0]:
            coverage.pop(0)
    return stories


def _number(drafts: list[Draft]) -> None:
    """Give each draft its id, ``<source>:<kind>:<n>`` with ``n`` counting per source."""
    counts: dict[str, int] = {}
    for draft in drafts:
        counts[draft.source] = counts.get(draft.source, 0) + 1
        draft.event_id = f"{draft.source}:{draft.kind}:{counts[draft.source]}"


def _planted(story: Story, events: dict[tuple[str, str], EnforcementEvent]) -> PlantedDeviation:
    assert story.sort is not None
    assert story.evidence, f"story {story.index} shows no {story.sort}"
    first = events[(story.evidence[0].source, story.evidence[0].event_id)]
    return PlantedDeviation(
        story.sort,
        first.source,
        first.party.id,
        tuple(d.event_id for d in story.evidence),
        first.case_id,
    )
