"""The rule engine agrees with the simulation's ground truth on long streams.

For each seed, ``evaluate_events`` (and a RuleBook given the reference registers built from
``jiandu.simulation.reference``) runs over ``simulate(3000, seed)`` with ``as_of`` = the date of
the stream's last event, and:

(a) every deviation it raises is explained by a planted deviation: same party, and a check the
    planted sort names (so clean storylines raise nothing, not even a low-severity warning);
(b) every planted deviation finds each of its checks that the engine implements (sorts whose
    checks are not implemented yet, C06/C07/C12/C13/C21-C23/C27, are expected to raise nothing).

The end of the stream: the generator adds storylines whole, so every case is decided, served and
published, and every measure ended, by the last event; the deadline checks run by ``due`` at
``as_of`` (C14, C19, C24) therefore see no clean storyline cut off. The one planted deviation that
only exists once time has passed is a publication not withdrawn after a change (C19): it is
expected only when the change is more than the catalog's withdrawal limit before ``as_of``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import pytest

from jiandu.deviations import Deviation
from jiandu.events import EnforcementEvent
from jiandu.reference import ReferenceData
from jiandu.reference.models import Record
from jiandu.simulation import CHECKS, PlantedDeviation, Simulation, Sort, simulate
from jiandu.simulation import reference as registers
from services.supervision_rules.catalog import Catalog
from services.supervision_rules.checks import all_checks
from services.supervision_rules.engine import PartyState, RuleBook, evaluate_events

SEEDS = (2025, 7, 11, 2026)
N = 3000


@cache
def _catalog() -> Catalog:
    return Catalog.load()


@cache
def _simulation(seed: int) -> Simulation:
    return simulate(N, seed)


@cache
def _reference() -> ReferenceData:
    rows: list[Record] = [*registers.officers(), *registers.enterprises()]
    return ReferenceData.of([*rows, *registers.inspection_items()])


IMPLEMENTED = frozenset(check.id for check in all_checks())


@dataclass(frozen=True)
class Mismatch:
    """One row of the failure table."""

    what: str  # "unexplained" (a deviation no planted one explains) or "missed"
    check: str
    party: str
    sort: str
    events: tuple[str, ...]
    summary: str

    def row(self) -> str:
        events = ",".join(self.events[:3]) + ("…" if len(self.events) > 3 else "")
        return (
            f"{self.what:<11} {self.check:<4} {self.sort:<30} {self.party:<18} {events} "
            f"{self.summary[:110]}"
        )


def _as_of(events: list[EnforcementEvent]) -> date:
    return events[-1].occurred_at.date()


def _with_reference(events: list[EnforcementEvent], as_of: date) -> list[Deviation]:
    """``evaluate_events`` with a RuleBook that knows the officer, enterprise and item registers."""
    book = RuleBook(_catalog(), reference=_reference())
    states: dict[str, PartyState] = {}
    found: list[Deviation] = []
    for event in events:
        state = states.setdefault(event.party_key, PartyState(event.party_key))
        found += book.evaluate(state, event)
    for state in states.values():
        found += book.due(state, as_of)
    return found


def _expected(planted: PlantedDeviation, sim: Simulation, as_of: date) -> frozenset[str]:
    """The implemented checks ``planted`` must raise by ``as_of``."""
    checks = frozenset(planted.checks) & IMPLEMENTED
    if planted.sort is Sort.PUBLICATION_NOT_WITHDRAWN:
        limit = timedelta(days=_catalog().limits.withdrawal_days.as_int())
        changed = [
            e.occurred_at.date()
            for e in sim.events
            if e.kind == "decision_changed" and e.event_id in planted.event_ids
        ]
        if not changed or as_of - max(changed) <= limit:
            return frozenset()
    return checks


def mismatches(sim: Simulation, deviations: Iterable[Deviation], as_of: date) -> list[Mismatch]:
    """Deviations no planted deviation explains, and planted checks the engine did not raise."""
    planted_by_party: dict[str, list[PlantedDeviation]] = defaultdict(list)
    for planted in sim.deviations:
        planted_by_party[planted.party_id].append(planted)
    raised: dict[str, set[str]] = defaultdict(set)
    found: list[Mismatch] = []
    for d in deviations:
        raised[d.party_id].add(d.check_id)
        if not any(d.check_id in p.checks for p in planted_by_party[d.party_id]):
            summary = d.explanation.summary_en
            found.append(Mismatch("unexplained", d.check_id, d.party_id, "-", d.event_ids, summary))
    for planted in sim.deviations:
        for check in sorted(_expected(planted, sim, as_of) - raised[planted.party_id]):
            found.append(
                Mismatch(
                    "missed", check, planted.party_id, planted.sort.value, planted.event_ids, ""
                )
            )
    return found


def _table(seed: int, run: str, rows: list[Mismatch]) -> str:
    lines = [f"seed {seed}, {run}: {len(rows)} mismatches", *(m.row() for m in rows)]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_raises_exactly_the_planted_deviations(seed: int) -> None:
    sim = _simulation(seed)
    as_of = _as_of(sim.events)
    rows = mismatches(sim, evaluate_events(sim.events, _catalog(), as_of=as_of), as_of)
    assert not rows, _table(seed, "evaluate_events", rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_with_reference_registers_agrees_too(seed: int) -> None:
    sim = _simulation(seed)
    as_of = _as_of(sim.events)
    rows = mismatches(sim, _with_reference(sim.events, as_of), as_of)
    assert not rows, _table(seed, "RuleBook with reference registers", rows)


def test_every_implemented_sort_is_exercised() -> None:
    """The streams plant every sort whose checks the engine implements, so (b) means something."""
    planted = {p.sort for seed in SEEDS for p in _simulation(seed).deviations}
    implemented = {sort for sort in Sort if set(CHECKS[sort]) & IMPLEMENTED}
    assert implemented <= planted, sorted(s.value for s in implemented - planted)
