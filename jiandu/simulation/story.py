"""Drafts of events, the storyline that emits them, and the world state storylines share.

A storyline (one firm's inspection, case, measure or accident) emits drafts: events without an
id. The generator sorts every accepted draft by time and only then numbers them, so ids follow
the order a department would publish them in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from jiandu.departments import Department, OrgTree, departments
from jiandu.simulation.clock import office_hours, workday
from jiandu.simulation.deviations import Sort
from jiandu.simulation.officers import Officer

Json = dict[str, Any]


@dataclass
class Draft:
    """An event before it has an id; ``order`` breaks ties between equal times."""

    at: datetime
    kind: str
    envelope: Json
    payload: Json
    order: tuple[int, int]
    event_id: str = ""

    @property
    def source(self) -> str:
        return str(self.envelope["source"])

    def to_json(self) -> bytes:
        """The event as JSON (``event_id`` must have been set)."""
        event = {"event_id": self.event_id, **self.envelope, "occurred_at": self.at.isoformat()}
        event |= {"kind": self.kind, "payload": self.payload}
        return json.dumps(event, ensure_ascii=False, default=_plain).encode()


def _plain(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in an event")


@dataclass(frozen=True)
class Visit:
    """An inspection on the calendar: who inspected which firm on which day; ``source`` is the
    department that records it, ``counted`` whether it counts toward the annual cap (C10) and
    ``site`` whether the officers entered the firm (only site visits can be 综合查一次)."""

    party: str
    day: date
    departments: frozenset[str]
    source: str = ""
    counted: bool = False
    site: bool = True


class World:
    """State shared by the storylines of one simulation: randomness, numbering, inspections."""

    def __init__(self, rng: Random, start: datetime, window_days: int) -> None:
        self.rng = rng
        self.start = start
        self.window_days = window_days
        self.org: OrgTree = departments()
        self.visits: dict[str, list[Visit]] = {}
        self.violations: set[tuple[str, str]] = set()
        self._serials: list[tuple[str, int]] = []

    def serial(self, department: str, register: str, year: int, width: int = 4) -> str:
        """A placeholder for the next number in a department's register (案件, 决定 …) for a year.

        Storylines are told out of time order; :class:`Numbering` replaces the placeholders once
        events are sorted, so numbers grow with time within each register.
        """
        self._serials.append((f"{department}:{register}:{year}", width))
        return f"§{len(self._serials) - 1}§"

    def record_id(self, department: str, register: str, year: int, width: int = 4) -> str:
        """A record id such as ``140702-STHJ/JC/2025/0012`` (inspection 12 of 2025)."""
        return f"{department}/{register}/{year}/{self.serial(department, register, year, width)}"

    def numbering(self) -> Numbering:
        """Resolves this world's placeholders."""
        return Numbering(self._serials)

    def first_day(self) -> date:
        """A working day inside the window when a storyline begins."""
        return workday(self.start.date() + timedelta(days=self.rng.randrange(self.window_days)))

    def visits_of(self, party: str) -> list[Visit]:
        return self.visits.get(party, [])

    def register(self, story: Story) -> None:
        """Record what an accepted story did: its inspections and the violations it found."""
        for visit in story.visits:
            self.visits.setdefault(visit.party, []).append(visit)
        self.violations.update(story.violations)


class Numbering:
    """Turns register placeholders into numbers in the order they are first seen."""

    _PLACEHOLDER = re.compile("§([0-9]+)§")

    def __init__(self, serials: list[tuple[str, int]]) -> None:
        self._serials = serials
        self._assigned: dict[int, str] = {}
        self._counts: dict[str, int] = {}

    def resolve(self, text: str) -> str:
        """``text`` with every placeholder replaced."""
        return self._PLACEHOLDER.sub(lambda m: self._number(int(m.group(1))), text)

    def _number(self, token: int) -> str:
        if token not in self._assigned:
            register, width = self._serials[token]
            self._counts[register] = self._counts.get(register, 0) + 1
            self._assigned[token] = f"{self._counts[register]:0{width}d}"
        return self._assigned[token]


@dataclass
class Story:
    """One storyline: a department's team dealing with one party."""

    world: World
    index: int
    department: Department
    party: Json
    region: str
    township: str | None
    team: tuple[Officer, ...]
    drafts: list[Draft] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    violations: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[Draft] = field(default_factory=list)
    sort: Sort | None = None
    case_id: str | None = None

    @property
    def rng(self) -> Random:
        return self.world.rng

    def emit(
        self,
        at: datetime,
        kind: str,
        payload: Json,
        *,
        department: Department | None = None,
        officers: list[Json] | None = None,
        case_id: str | None = None,
    ) -> Draft:
        """Add a draft; envelope fields come from the story unless given."""
        envelope: Json = {
            "source": (department or self.department).code,
            "domain": (department or self.department).domain.value,
            "region": self.region,
            "party": self.party,
            "officers": [o.ref() for o in self.team] if officers is None else officers,
        }
        if self.township:
            envelope["township"] = self.township
        if case_id:
            envelope["case_id"] = case_id
        draft = Draft(at, kind, envelope, payload, (self.index, len(self.drafts)))
        self.drafts.append(draft)
        return draft

    def time_on(self, day: date, earliest: int = 8, latest: int = 17) -> datetime:
        """An office-hours time on ``day``, after anything this story already did that day."""
        at = office_hours(day, self.rng, earliest, latest)
        same_day = [d.at for d in self.drafts if d.at.date() == day]
        if same_day and at <= max(same_day):
            at = max(same_day) + timedelta(minutes=self.rng.randrange(10, 60, 5))
        return at

    def show(self, *drafts: Draft) -> None:
        """Mark drafts as the evidence of this story's planted deviation."""
        self.evidence.extend(drafts)
